import { useId, useRef, useState } from "react";
import type { RagKitClient } from "../client.js";
import { useResolvedClient } from "../context.js";
import { type JobProgress, type UseJobsResult, useJobs } from "../hooks/use-jobs.js";
import { type RagKitTheme, ThemeScope } from "../styles/theme.js";

export interface DocumentUploadLabels {
  drop: string;
  choose: string;
  states: Record<JobProgress["state"], string>;
  clear: string;
}

export const defaultUploadLabels: DocumentUploadLabels = {
  drop: "Drop files here, or",
  choose: "choose files",
  states: {
    uploading: "Uploading",
    queued: "Queued",
    parsing: "Reading",
    chunking: "Splitting",
    embedding: "Embedding",
    indexing: "Indexing",
    done: "Ready",
    failed: "Failed",
    cancelled: "Cancelled",
    rejected: "Rejected",
  },
  clear: "Clear finished",
};

export interface DocumentUploadProps {
  client?: RagKitClient;
  /** e.g. ".pdf,.md,.txt,.html,.docx" */
  accept?: string;
  metadata?: Record<string, unknown>;
  /** Called when a file's job is done (e.g. reload a document list). */
  onDone?: (job: JobProgress) => void;
  /** Drive the component from your own `useJobs()` (e.g. to share it with a list). */
  jobs?: UseJobsResult;
  labels?: Partial<DocumentUploadLabels>;
  theme?: RagKitTheme;
}

/** Drag-and-drop (or pick) several files; each gets a progress bar fed by its ingestion job's events. */
export function DocumentUpload(props: DocumentUploadProps) {
  const client = useResolvedClient(props.client, "DocumentUpload");
  const own = useJobs({ client, ...(props.onDone ? { onDone: props.onDone } : {}) });
  const jobs = props.jobs ?? own;
  const labels = { ...defaultUploadLabels, ...props.labels };
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();

  const add = (files: FileList | null) => {
    const list = files ? [...files] : [];
    if (list.length > 0) void jobs.upload(list, props.metadata);
  };

  return (
    <ThemeScope theme={props.theme}>
      <div className="rk-card">
        {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the labelled file input is the keyboard path */}
        <div
          className="rk-drop"
          data-over={over}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            add(e.dataTransfer.files);
          }}
        >
          {labels.drop}{" "}
          <label
            htmlFor={inputId}
            style={{ color: "var(--rk-accent)", textDecoration: "underline", cursor: "pointer" }}
          >
            {labels.choose}
          </label>
          <input
            id={inputId}
            ref={input}
            type="file"
            multiple
            className="rk-sr"
            {...(props.accept ? { accept: props.accept } : {})}
            onChange={(e) => {
              add(e.target.files);
              e.target.value = "";
            }}
          />
        </div>
        {jobs.jobs.length > 0 ? (
          <ul className="rk-files" aria-live="polite">
            {jobs.jobs.map((job) => {
              const percent = Math.round(job.progress * 100);
              const failed = job.state === "failed" || job.state === "rejected";
              return (
                <li key={job.key} data-state={job.state}>
                  <div className="rk-row" style={{ justifyContent: "space-between" }}>
                    <span>{job.filename ?? job.jobId}</span>
                    <span className={failed ? "rk-bad" : job.state === "done" ? "rk-ok" : "rk-muted"}>
                      {labels.states[job.state]}
                      {!failed && job.state !== "done" ? ` · ${percent}%` : ""}
                    </span>
                  </div>
                  <div
                    className="rk-progress"
                    role="progressbar"
                    aria-label={job.filename ?? "file"}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={percent}
                  >
                    <span style={{ width: `${percent}%` }} />
                  </div>
                  {job.error ? (
                    <p className="rk-bad" role="alert" style={{ margin: "4px 0 0" }}>
                      {job.error}
                    </p>
                  ) : null}
                </li>
              );
            })}
          </ul>
        ) : null}
        {jobs.jobs.some((j) => ["done", "failed", "cancelled", "rejected"].includes(j.state)) ? (
          <button type="button" className="rk-btn" style={{ marginTop: 8 }} onClick={jobs.clearFinished}>
            {labels.clear}
          </button>
        ) : null}
      </div>
    </ThemeScope>
  );
}
