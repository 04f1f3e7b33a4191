import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AgentEvent, agentEventSchema } from "../../src/agent/events.js";

const root = join(import.meta.dirname, "..", "..");
const dist = join(root, "dist", "index.js");

/** Runs scripts/agent-demo.mjs against the built package; returns its stdout. */
function runDemo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "scripts", "agent-demo.mjs"), ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the demo did not finish in time\n${out}\n${err}`));
    }, 90_000);
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      err += b.toString();
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`the demo exited with ${code}\n${err}`));
    });
  });
}

/** "=== tenant / thread › message" headers, each followed by that turn's events. */
function turns(output: string) {
  const result: Array<{ tenant: string; message: string; events: AgentEvent[] }> = [];
  for (const line of output.split("\n")) {
    const header = /^=== (\S+) \/ \S+ › (.*)$/.exec(line);
    if (header) result.push({ tenant: header[1]!, message: header[2]!, events: [] });
    else if (line.startsWith("{")) result.at(-1)!.events.push(agentEventSchema.parse(JSON.parse(line)));
  }
  return result;
}

const ACME_TITLES = /refund|shipping|security/i;
const GLOBEX_TITLES = /onboarding|vpn/i;

describe("scripts/agent-demo.mjs (built package, offline)", () => {
  it("runs both tenants' conversations, each answered from its own documents only", async () => {
    if (!existsSync(dist)) throw new Error("The demo runs on the built package: run `npm run build` first.");
    const output = await runDemo(["--json"]);
    const all = turns(output);
    expect(all.map((t) => t.tenant)).toEqual(["acme", "acme", "acme", "globex", "globex"]);
    for (const turn of all) {
      const done = turn.events.at(-1);
      expect(done?.type).toBe("run_finished");
      if (done?.type !== "run_finished") continue;
      expect(turn.events[0]).toMatchObject({ type: "run_started", tenantId: turn.tenant });
      const own = turn.tenant === "acme" ? ACME_TITLES : GLOBEX_TITLES;
      const foreign = turn.tenant === "acme" ? GLOBEX_TITLES : ACME_TITLES;
      for (const c of done.citations) {
        expect(c.documentTitle ?? "").toMatch(own);
        expect(c.documentTitle ?? "").not.toMatch(foreign);
      }
    }
    const [, refund, monthly, vpn, crossTenant] = all.map((t) => t.events.at(-1)) as Array<
      Extract<AgentEvent, { type: "run_finished" }>
    >;
    expect(refund!.answer).toContain("refunded in full within 30 days");
    expect(monthly!.answer).toMatch(/Monthly plans are not refundable/);
    expect(vpn!.answer).toMatch(/VPN must be configured/);
    // Tenant A's question asked as tenant B: nothing of A's documents shows up.
    expect(crossTenant!.answerKind).toBe("none");
    expect(JSON.stringify(all[4]!.events)).not.toMatch(/refunded in full|pro rata/);
  }, 120_000);

  it("prints a readable transcript by default", async () => {
    const output = await runDemo([]);
    expect(output).toMatch(/=== acme \/ demo-acme › What is the refund window for annual plans\?/);
    expect(output).toMatch(/answer │ Extractive answer/);
    expect(output).toMatch(/validation: supported/);
    expect(output).toMatch(/run finished: none, 0 citation\(s\)/);
  }, 120_000);
});
