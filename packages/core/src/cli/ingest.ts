import { readFile, stat } from "node:fs/promises";
import { basename, relative, resolve } from "node:path";
import cliProgress from "cli-progress";
import { glob } from "tinyglobby";
import { isRagKitError } from "../errors/index.js";
import type { Job } from "../jobs/types.js";
import { createTenantContext } from "../tenant/context.js";
import { openCliKit } from "./open.js";

export interface IngestCommandOptions {
  tenant: string;
  db?: string;
  user?: string;
  chunkSize?: number;
  json?: boolean;
  out?: NodeJS.WritableStream;
}

export interface IngestSummary {
  documents: number;
  created: number;
  replaced: number;
  unchanged: number;
  failed: Array<{ file: string; error: string }>;
  chunks: number;
  tokens: number;
  costUsd: number;
  elapsedS: number;
}

/** `ragkit ingest <paths or globs...> --tenant <id>`: every file becomes a durable job; this process works them. */
export async function ingestCommand(
  patterns: string[],
  options: IngestCommandOptions,
): Promise<IngestSummary> {
  const out = options.out ?? process.stdout;
  const started = performance.now();
  const files = await expand(patterns);
  if (files.length === 0)
    throw new Error(`No files match ${patterns.map((p) => JSON.stringify(p)).join(", ")}.`);
  const kit = await openCliKit(options.db, {
    ingestion: {
      workerId: `cli:${process.pid}`,
      ingest: options.chunkSize ? { chunking: { chunkSize: options.chunkSize } } : {},
    },
  });
  const { store, ingestion: queue } = kit;
  try {
    const ctx = createTenantContext({
      tenantId: options.tenant,
      userId: options.user ?? "cli",
      source: "cli",
    });
    await store.ensureTenant(ctx);
    const jobs: Array<{ file: string; job: Job | null; error?: string }> = [];
    for (const file of files) {
      try {
        const data = await readFile(file);
        const job = await queue.enqueue(ctx, {
          data,
          filename: basename(file),
          sourceId: relative(process.cwd(), file),
          source: "cli",
        });
        jobs.push({ file, job });
      } catch (error) {
        jobs.push({ file, job: null, error: isRagKitError(error) ? error.message : String(error) });
      }
    }
    const tty = !options.json && "isTTY" in out && (out as NodeJS.WriteStream).isTTY;
    const bars = tty
      ? new cliProgress.MultiBar(
          {
            stream: out as NodeJS.WriteStream,
            format: " {bar} {percentage}% | {file} | {state}",
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    const watchers = jobs
      .filter((j) => j.job)
      .map(async ({ file, job }) => {
        const name = relative(process.cwd(), file);
        const bar = bars?.create(100, 0, { file: name, state: "queued" });
        for await (const event of queue.events(ctx, job!.id)) {
          bar?.update(Math.round(event.progress * 100), { state: event.state });
          if (!bars && !options.json && ["done", "failed", "cancelled"].includes(event.state)) {
            out.write(`${event.state.padEnd(9)} ${name}${event.message ? ` — ${event.message}` : ""}\n`);
          }
        }
      });
    await queue.drain();
    await Promise.all(watchers);
    bars?.stop();

    const summary: IngestSummary = {
      documents: 0,
      created: 0,
      replaced: 0,
      unchanged: 0,
      failed: [],
      chunks: 0,
      tokens: 0,
      costUsd: 0,
      elapsedS: 0,
    };
    for (const { file, job, error } of jobs) {
      const final = job ? await queue.get(ctx, job.id) : null;
      if (final?.state !== "done" || !final.result) {
        summary.failed.push({
          file: relative(process.cwd(), file),
          error: error ?? final?.lastError ?? final?.state ?? "unknown",
        });
        continue;
      }
      summary.documents++;
      summary[final.result.outcome]++;
      summary.chunks += final.result.chunks;
      summary.tokens += final.result.tokens;
      summary.costUsd += final.result.costUsd;
    }
    summary.elapsedS = Number(((performance.now() - started) / 1000).toFixed(2));
    if (options.json) out.write(`${JSON.stringify(summary)}\n`);
    else {
      out.write(
        `\n${summary.documents} documents (${summary.created} new, ${summary.replaced} replaced, ${summary.unchanged} unchanged), ` +
          `${summary.chunks} chunks, ${summary.tokens} tokens, estimated cost $${summary.costUsd.toFixed(4)}, ${summary.elapsedS} s\n`,
      );
      for (const f of summary.failed) out.write(`failed    ${f.file}: ${f.error}\n`);
    }
    return summary;
  } finally {
    await kit.close();
  }
}

async function expand(patterns: string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of patterns) {
    const direct = await stat(pattern).catch(() => null);
    if (direct?.isFile()) files.add(resolve(pattern));
    else if (direct?.isDirectory())
      for (const f of await glob("**/*", { cwd: pattern, absolute: true, onlyFiles: true })) files.add(f);
    else for (const f of await glob(pattern, { absolute: true, onlyFiles: true })) files.add(f);
  }
  return [...files].sort();
}
