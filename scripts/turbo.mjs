#!/usr/bin/env node
// Runs this repo's turbo with anonymous telemetry off, so `npm run demo`, `npm test` and the other root scripts
// print no first-run telemetry notice (and send nothing). Turbo 2 takes that setting only from the environment
// (TURBO_TELEMETRY_DISABLED, DO_NOT_TRACK) or from the user's own config file written by `turbo telemetry
// disable` — there is no turbo.json key for it — so the root scripts call turbo through this wrapper. The
// Next.js example's build (part of `npm test`) prints Next's own notice unless NEXT_TELEMETRY_DISABLED is set; its
// turbo task passes that variable through. A value the caller already set wins.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const turbo = createRequire(import.meta.url).resolve("turbo/bin/turbo");
const child = spawn(process.execPath, [turbo, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: {
    ...process.env,
    TURBO_TELEMETRY_DISABLED: process.env.TURBO_TELEMETRY_DISABLED ?? "1",
    NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? "1",
  },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  if (!signal) process.exit(code ?? 1);
  // Die of the same signal, as a shell expects (the forwarding handler must not catch it again).
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
});
