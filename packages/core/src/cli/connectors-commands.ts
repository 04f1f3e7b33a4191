import { type Command, InvalidArgumentError } from "commander";
import { connectorsAddCommand, connectorsListCommand, syncCommand } from "./connectors.js";

const bytes = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError("--max-bytes must be a positive integer.");
  return n;
};

/** `ragkit connectors add|list` and `ragkit sync <connector-id>`. */
export function registerConnectorCommands(program: Command, dbHelp: string): void {
  const connectors = program.command("connectors").description("manage a tenant's enterprise connectors");
  const add = connectors
    .command("add")
    .description("add a connector (credentials are read from the environment)");
  const common = (c: Command) =>
    c
      .requiredOption("-t, --tenant <id>", "tenant id")
      .option("--db <url>", dbHelp)
      .option("--user <id>", "user recorded as creator", "cli")
      .option("--max-bytes <n>", "size limit per object", bytes)
      .option("--json", "print the connector as JSON");

  common(
    add
      .command("s3")
      .description(
        "an S3 bucket or S3-compatible store (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment)",
      )
      .requiredOption("-n, --name <name>", "connector name")
      .requiredOption("--bucket <bucket>", "bucket")
      .option("--prefix <prefix>", "only keys under this prefix", "")
      .option("--region <region>", "region", "us-east-1")
      .option("--endpoint <url>", "endpoint of an S3-compatible store")
      .option("--path-style", "path-style addressing (most S3-compatible stores)"),
  ).action(async (o) => {
    await connectorsAddCommand(
      {
        kind: "s3",
        name: o.name,
        config: {
          bucket: o.bucket,
          prefix: o.prefix,
          region: o.region,
          ...(o.endpoint ? { endpoint: o.endpoint } : {}),
          forcePathStyle: o.pathStyle === true,
          ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}),
        },
      },
      o,
    );
  });

  common(
    add
      .command("sharepoint")
      .description(
        "a SharePoint document library via Microsoft Graph (RAGKIT_SHAREPOINT_CLIENT_SECRET from the environment)",
      )
      .requiredOption("-n, --name <name>", "connector name")
      .requiredOption("--azure-tenant <id>", "Entra ID tenant id or domain")
      .requiredOption("--client-id <id>", "app registration (client) id")
      .requiredOption("--drive-id <id>", "drive (document library) id")
      .option("--folder <path>", "only this folder of the drive", "/"),
  ).action(async (o) => {
    await connectorsAddCommand(
      {
        kind: "sharepoint",
        name: o.name,
        config: {
          tenantId: o.azureTenant,
          clientId: o.clientId,
          driveId: o.driveId,
          folderPath: o.folder,
          ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}),
        },
      },
      o,
    );
  });

  common(
    add
      .command("dir")
      .description("a local directory")
      .argument("<root>", "directory")
      .requiredOption("-n, --name <name>", "connector name")
      .option("--include <globs...>", "glob patterns relative to the directory", ["**/*"])
      .option("--exclude <globs...>", "glob patterns to leave out", []),
  ).action(async (root: string, o) => {
    await connectorsAddCommand(
      {
        kind: "dir",
        name: o.name,
        config: {
          root,
          include: o.include,
          exclude: o.exclude,
          ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}),
        },
      },
      o,
    );
  });

  common(
    add
      .command("urls")
      .description("a list of web pages or files")
      .argument("<urls...>", "http(s) URLs")
      .requiredOption("-n, --name <name>", "connector name")
      .option("--timeout-ms <ms>", "time limit per request", bytes),
  ).action(async (urls: string[], o) => {
    await connectorsAddCommand(
      {
        kind: "urls",
        name: o.name,
        config: {
          urls,
          ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}),
          ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
        },
      },
      o,
    );
  });

  connectors
    .command("list")
    .description("list the tenant's connectors (never their credentials)")
    .requiredOption("-t, --tenant <id>", "tenant id")
    .option("--db <url>", dbHelp)
    .option("--json", "print as JSON")
    .action(async (o) => {
      await connectorsListCommand(o);
    });

  program
    .command("sync")
    .description(
      "sync a connector: fetch new and changed objects, ingest them, delete removed ones (Ctrl-C to pause)",
    )
    .argument("<connector-id>", "connector id (from `ragkit connectors list`)")
    .requiredOption("-t, --tenant <id>", "tenant id")
    .option("--db <url>", dbHelp)
    .option("--restart", "start the listing over instead of resuming an interrupted sync")
    .option("--no-ingest", "only queue the jobs (for `ragkit worker` processes to ingest)")
    .option("--json", "print the summary as JSON")
    .action(async (id: string, o) => {
      const summary = await syncCommand(id, o);
      if (summary.status !== "succeeded") process.exitCode = 1;
    });
}
