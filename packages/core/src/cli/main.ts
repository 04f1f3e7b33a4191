import { Command, InvalidArgumentError } from "commander";
import { isRagKitError } from "../errors/index.js";
import { registerConnectorCommands } from "./connectors-commands.js";
import { ingestCommand } from "./ingest.js";
import { DEFAULT_DB, openCliKit } from "./open.js";
import { searchCommand } from "./search.js";

const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer.`);
  return n;
};

export function buildCli(): Command {
  const program = new Command("ragkit")
    .description("RagKit command line: ingest documents and search them, per tenant.")
    .showHelpAfterError();
  const db = `database: a PGlite directory or a postgres:// URL (default ${DEFAULT_DB})`;

  program
    .command("ingest")
    .description("ingest files (paths, directories or globs) for a tenant, as durable jobs")
    .argument("<paths...>", "files, directories or glob patterns")
    .requiredOption("-t, --tenant <id>", "tenant id")
    .option("--db <url>", db)
    .option("--user <id>", "user recorded as uploader", "cli")
    .option("--chunk-size <tokens>", "chunk size in tokens (default 512)", int("--chunk-size"))
    .option("--json", "print the summary as JSON")
    .action(async (paths: string[], o) => {
      const summary = await ingestCommand(paths, o);
      if (summary.failed.length) process.exitCode = 1;
    });

  program
    .command("search")
    .description("hybrid search for a tenant, printing ranked chunks with citations")
    .argument("<query>", "what to search for")
    .requiredOption("-t, --tenant <id>", "tenant id")
    .option("--db <url>", db)
    .option("-m, --mode <mode>", "hybrid | dense | lexical", "hybrid")
    .option("-k, --top-k <n>", "number of results", int("--top-k"), 5)
    .option("--json", "print results as JSON")
    .action(async (query: string, o) => {
      await searchCommand(query, { ...o, topK: o.topK });
    });

  registerConnectorCommands(program, db);

  program
    .command("worker")
    .description("work the ingestion queue of a shared database until stopped (scale out with several)")
    .option("--db <url>", db)
    .option("-c, --concurrency <n>", "jobs in parallel", int("--concurrency"), 1)
    .action(async (o) => {
      const kit = await openCliKit(o.db);
      kit.ingestion.startWorker({ concurrency: o.concurrency });
      process.stdout.write(`ragkit worker: processing jobs (concurrency ${o.concurrency}); Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await kit.close(); // finishes the jobs in hand, then closes the store
    });
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (error) {
    const message = isRagKitError(error)
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
    process.stderr.write(`ragkit: ${message}\n`);
    process.exitCode = 1;
  }
}
