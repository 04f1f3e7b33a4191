import cliProgress from "cli-progress";
import type { ConnectorService } from "../connectors/service.js";
import type { ConnectorRecord, CreateConnectorInput, SyncSummary } from "../connectors/types.js";
import { ConfigError } from "../errors/index.js";
import type { IngestionQueue } from "../jobs/queue.js";
import type { KnowledgeStore } from "../store/knowledge-store.js";
import { createTenantContext, type TenantContext } from "../tenant/context.js";
import { openCliKit } from "./open.js";

export interface ConnectorCliOptions {
  tenant: string;
  db?: string;
  user?: string;
  json?: boolean;
  out?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

async function withService<T>(
  options: ConnectorCliOptions,
  fn: (
    service: ConnectorService,
    ctx: TenantContext,
    store: KnowledgeStore,
    queue: IngestionQueue,
  ) => Promise<T>,
): Promise<T> {
  const kit = await openCliKit(options.db, {
    ingestion: { workerId: `cli:${process.pid}` },
    connectors: { egress: { allow: egressAllowFromEnv(options.env ?? process.env) } },
  });
  try {
    const ctx = createTenantContext({
      tenantId: options.tenant,
      userId: options.user ?? "cli",
      source: "cli",
    });
    await kit.store.ensureTenant(ctx);
    return await fn(kit.connectors, ctx, kit.store, kit.ingestion);
  } finally {
    await kit.close();
  }
}

/**
 * `RAGKIT_EGRESS_ALLOW`: comma-separated non-public destinations the CLI's connectors may reach (addresses,
 * CIDR ranges, host names, `*.domain`), e.g. a MinIO on the local network. Unset: public addresses only.
 */
export function egressAllowFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.RAGKIT_EGRESS_ALLOW ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Credentials come from environment variables, never from flags: flags end up in shell history and in
 * the process list.
 */
export function credentialsFromEnv(
  kind: CreateConnectorInput["kind"],
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const need = (name: string) => {
    const value = env[name];
    if (!value)
      throw new ConfigError(`Set ${name} in the environment: credentials are not taken from flags.`);
    return value;
  };
  if (kind === "s3") {
    return {
      accessKeyId: need("AWS_ACCESS_KEY_ID"),
      secretAccessKey: need("AWS_SECRET_ACCESS_KEY"),
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  if (kind === "sharepoint") return { clientSecret: need("RAGKIT_SHAREPOINT_CLIENT_SECRET") };
  return {};
}

/** `ragkit connectors add <kind> …`: prints the created connector (never its credentials). */
export async function connectorsAddCommand(
  input: Omit<CreateConnectorInput, "credentials">,
  options: ConnectorCliOptions,
): Promise<ConnectorRecord> {
  const out = options.out ?? process.stdout;
  const credentials = credentialsFromEnv(input.kind, options.env);
  const record = await withService(options, (service, ctx) =>
    service.create(ctx, { ...input, credentials } as CreateConnectorInput),
  );
  out.write(
    options.json
      ? `${JSON.stringify(record)}\n`
      : `created ${record.kind} connector ${record.id} (${record.name})\n`,
  );
  return record;
}

/** `ragkit connectors list`: id, kind, name, last sync. */
export async function connectorsListCommand(options: ConnectorCliOptions): Promise<ConnectorRecord[]> {
  const out = options.out ?? process.stdout;
  const records = await withService(options, (service, ctx) => service.list(ctx));
  if (options.json) out.write(`${JSON.stringify(records)}\n`);
  else if (records.length === 0) out.write("No connectors.\n");
  else
    for (const r of records) {
      const last = r.lastSync.at ? `${r.lastSync.status} at ${r.lastSync.at.toISOString()}` : "never synced";
      out.write(`${r.id}  ${r.kind.padEnd(10)} ${r.name}  (${last})\n`);
    }
  return records;
}

export interface SyncCommandSummary extends Omit<SyncSummary, "jobIds"> {
  jobs: { done: number; failed: number };
  failures: Array<{ key: string; code: string; message: string }>;
  objectsPerSecond: number;
}

/**
 * `ragkit sync <connector-id>`: syncs, then works the jobs it queued in this process (like `ragkit ingest`),
 * with progress bars on a terminal and a JSON summary with --json. Ctrl-C cancels; the next run resumes.
 */
export async function syncCommand(
  connectorId: string,
  options: ConnectorCliOptions & { restart?: boolean; ingest?: boolean; signal?: AbortSignal },
): Promise<SyncCommandSummary> {
  const out = options.out ?? process.stdout;
  const tty = !options.json && "isTTY" in out && (out as NodeJS.WriteStream).isTTY === true;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  options.signal?.addEventListener("abort", onSignal, { once: true });
  if (!options.signal) process.once("SIGINT", onSignal);
  try {
    return await withService(options, async (service, ctx, _store, queue) => {
      const bars = tty
        ? new cliProgress.MultiBar(
            {
              stream: out as NodeJS.WriteStream,
              format: " {bar} {value}/{total} | {label}",
              hideCursor: true,
              clearOnComplete: false,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
      const listing = bars?.create(0, 0, { label: "listing" });
      const failures: SyncCommandSummary["failures"] = [];
      const sync = service.sync(ctx, connectorId, {
        signal: controller.signal,
        restart: options.restart === true,
      });
      let summary: SyncSummary | undefined;
      for (let i = 0; i < 10_000_000; i++) {
        const next = await sync.next();
        if (next.done) {
          summary = next.value;
          break;
        }
        const e = next.value;
        if (e.type === "page") {
          listing?.setTotal(e.counts.listed);
          listing?.update(e.counts.listed, {
            label: `listed; ${e.counts.created} new, ${e.counts.updated} changed, ${e.counts.unchanged} unchanged, ${e.counts.failed} failed`,
          });
        } else if (e.type === "object_failed") {
          failures.push({ key: e.key, code: e.code, message: e.message });
          if (!bars && !options.json) out.write(`failed    ${e.key}: ${e.message}\n`);
        } else if (e.type === "object" && !bars && !options.json) {
          out.write(`${e.action.padEnd(9)} ${e.key}\n`);
        }
      }
      const done = summary!;
      const jobs = { done: 0, failed: 0 };
      if (options.ingest !== false && done.jobIds.length > 0 && done.status !== "cancelled") {
        const bar = bars?.create(done.jobIds.length, 0, { label: "ingesting" });
        for (let n = 0; n < done.jobIds.length && !controller.signal.aborted; n++) {
          if (!(await queue.runOnce(controller.signal))) break;
          bar?.increment();
        }
        for (const f of await service.reconcile(ctx, connectorId)) failures.push(f);
        for (const id of done.jobIds) {
          const job = await queue.get(ctx, id);
          if (job.state === "done") jobs.done++;
          else if (job.state === "failed") jobs.failed++;
        }
      }
      bars?.stop();
      const { jobIds: _ids, ...rest } = done;
      const result: SyncCommandSummary = {
        ...rest,
        jobs,
        failures,
        objectsPerSecond: Number((done.listed / Math.max(0.001, done.elapsedMs / 1000)).toFixed(1)),
      };
      if (options.json) out.write(`${JSON.stringify(result)}\n`);
      else {
        out.write(
          `\n${result.status}: ${result.listed} listed, ${result.created} new, ${result.updated} changed, ${result.deleted} deleted, ` +
            `${result.unchanged} unchanged, ${failures.length} failed; ${jobs.done} ingested; ${(result.elapsedMs / 1000).toFixed(2)} s\n`,
        );
        if (result.status === "cancelled") out.write("Cancelled: run the same command again to resume.\n");
      }
      return result;
    });
  } finally {
    process.off("SIGINT", onSignal);
    options.signal?.removeEventListener("abort", onSignal);
  }
}
