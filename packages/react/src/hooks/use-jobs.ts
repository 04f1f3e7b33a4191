import type { JobEventPayload, JobState } from "@ragkit/protocol";
import { pathTo } from "@ragkit/protocol/routes";
import { useCallback, useEffect, useRef, useState } from "react";
import type { RagKitClient } from "../client.js";
import { readSse } from "../stream/sse.js";
import { frameData } from "../stream/wire.js";
import { toClientError } from "./errors.js";

/** One file on its way into the knowledge base. */
export interface JobProgress {
  /** Stable key for lists (the job id once known). */
  key: string;
  jobId: string | null;
  filename: string | null;
  sizeBytes: number;
  /** "uploading" until the server accepted the file; "rejected" when it did not. */
  state: JobState | "uploading" | "rejected";
  /** 0..1 */
  progress: number;
  message: string | null;
  error: string | null;
}

export interface UseJobsOptions {
  client: RagKitClient;
  /** Reconnect attempts per job stream after a dropped connection. Default 5. */
  maxReconnects?: number;
  /** Called when a job reaches "done" (e.g. to reload a document list). */
  onDone?: (job: JobProgress) => void;
}

export interface UseJobsResult {
  jobs: JobProgress[];
  /** True while any upload or job is still running. */
  active: boolean;
  /** Uploads files (`POST /documents`) and follows each job's events. */
  upload(files: readonly File[], metadata?: Record<string, unknown>): Promise<void>;
  /** Follows an existing job (e.g. a reindex). */
  track(jobId: string, filename?: string | null): void;
  /** Forgets finished jobs. */
  clearFinished(): void;
}

const terminal = new Set<JobProgress["state"]>(["done", "failed", "cancelled", "rejected"]);

/**
 * Upload files and watch their ingestion jobs over SSE (`GET /jobs/:id/events`), resuming with `Last-Event-ID`
 * after a dropped connection. All streams close on unmount.
 */
export function useJobs(options: UseJobsOptions): UseJobsResult {
  const [jobs, setJobs] = useState<JobProgress[]>([]);
  const latest = useRef(options);
  latest.current = options;
  const controllers = useRef(new Set<AbortController>());
  const counter = useRef(0);

  const patch = useCallback((key: string, change: Partial<JobProgress>) => {
    setJobs((list) => list.map((j) => (j.key === key ? { ...j, ...change } : j)));
  }, []);

  const follow = useCallback(
    async (key: string, jobId: string) => {
      const controller = new AbortController();
      controllers.current.add(controller);
      let lastEventId: string | null = null;
      let state = "queued" as JobProgress["state"];
      let attempts = 0;
      try {
        while (!terminal.has(state)) {
          try {
            const response = await latest.current.client.stream({
              method: "GET",
              path: pathTo("jobEvents", { id: jobId }),
              lastEventId,
              signal: controller.signal,
            });
            if (!response.body) throw new TypeError("no body");
            await readSse(
              response.body,
              (frame) => {
                if (frame.event !== "progress") return;
                // The server's own event (see stream/wire.ts); a frame that is not one is skipped.
                const data = frameData(frame);
                if (typeof data.state !== "string" || typeof data.id !== "string") return;
                const e = data as unknown as JobEventPayload;
                lastEventId = frame.id ?? e.id;
                state = e.state;
                patch(key, {
                  state: e.state,
                  progress: e.state === "done" ? 1 : e.progress,
                  message: e.message,
                  error: e.state === "failed" ? (e.message ?? "Ingestion failed.") : null,
                });
              },
              controller.signal,
            );
          } catch (error) {
            if (controller.signal.aborted) return;
            const clientError = toClientError(error);
            // 4xx: the job is gone or not ours; retrying will not help.
            if (clientError.status >= 400 && clientError.status < 500) {
              patch(key, { state: "failed", error: clientError.message });
              return;
            }
          }
          if (terminal.has(state)) break;
          attempts += 1;
          if (attempts > (latest.current.maxReconnects ?? 5)) {
            patch(key, { error: "Lost the connection to the job's progress stream." });
            return;
          }
        }
        if (state === "done") {
          setJobs((list) => {
            const job = list.find((j) => j.key === key);
            if (job) queueMicrotask(() => latest.current.onDone?.(job));
            return list;
          });
        }
      } finally {
        controllers.current.delete(controller);
      }
    },
    [patch],
  );

  const track = useCallback(
    (jobId: string, filename: string | null = null) => {
      setJobs((list) => [
        ...list.filter((j) => j.key !== jobId),
        {
          key: jobId,
          jobId,
          filename,
          sizeBytes: 0,
          state: "queued",
          progress: 0,
          message: null,
          error: null,
        },
      ]);
      void follow(jobId, jobId);
    },
    [follow],
  );

  const upload = useCallback(
    async (files: readonly File[], metadata?: Record<string, unknown>) => {
      const batch = files.map((file) => ({
        key: `upload-${++counter.current}`,
        jobId: null,
        filename: file.name,
        sizeBytes: file.size,
        state: "uploading" as const,
        progress: 0,
        message: null,
        error: null,
      }));
      setJobs((list) => [...list, ...batch]);
      try {
        const response = await latest.current.client.uploadDocuments(files, metadata ? { metadata } : {});
        response.jobs.forEach((accepted, i) => {
          const entry = batch[i];
          if (!entry) return;
          patch(entry.key, { jobId: accepted.jobId, state: "queued" });
          void follow(entry.key, accepted.jobId);
        });
      } catch (error) {
        const clientError = toClientError(error);
        // The server names offending files in `details` (`file1 (report.pdf)`); other files share the message.
        for (const [i, entry] of batch.entries()) {
          const detail = clientError.details.find(
            (d) => d.path.startsWith(`file${i} `) || d.path === `file${i}`,
          );
          patch(entry.key, {
            state: "rejected",
            error: detail ? detail.message : clientError.message,
          });
        }
      }
    },
    [follow, patch],
  );

  const clearFinished = useCallback(() => {
    setJobs((list) => list.filter((j) => !terminal.has(j.state)));
  }, []);

  useEffect(() => {
    const set = controllers.current;
    return () => {
      for (const c of set) c.abort();
      set.clear();
    };
  }, []);

  return { jobs, active: jobs.some((j) => !terminal.has(j.state)), upload, track, clearFinished };
}
