import { join } from "node:path";
import { searchResponseSchema } from "@ragkit/protocol";
import { describe, expect, it } from "vitest";
import { call, TEST_SECRET, tokenFor } from "./tokens.js";

const examples = join(import.meta.dirname, "..", "..", "..", "examples");

interface Example {
  start(options: {
    port: number;
    env: Record<string, string>;
  }): Promise<{ url: string; close(): Promise<void> }>;
}

describe.each(["express", "hono"])("examples/%s", (name) => {
  it("starts, serves its own routes and RagKit's, and isolates tenants", async () => {
    const example = (await import(join(examples, name, "server.mjs"))) as Example;
    const { url, close } = await example.start({ port: 0, env: { JWT_SECRET: TEST_SECRET } });
    try {
      expect((await fetch(`${url}/`)).status).toBe(200);
      expect((await call(url, "/api/rag/health")).status).toBe(200);
      expect((await call(url, "/api/rag/documents")).status).toBe(401);
      const acme = await tokenFor("acme");
      const upload = await call(url, "/api/rag/documents", {
        method: "POST",
        token: acme,
        body: JSON.stringify({ text: "Acme's anvils ship in crates of twelve.", title: "Shipping" }),
      });
      expect(upload.status).toBe(202);
      const { jobs } = (await upload.json()) as { jobs: Array<{ jobId: string }> };
      const events = await call(url, `/api/rag/jobs/${jobs[0]!.jobId}/events`, { token: acme });
      expect(await events.text()).toContain('"state":"done"');
      const search = async (token: string) =>
        searchResponseSchema.parse(
          await (
            await call(url, "/api/rag/search", {
              method: "POST",
              token,
              body: JSON.stringify({ query: "anvils crates" }),
            })
          ).json(),
        ).results;
      expect((await search(acme))[0]!.text).toContain("crates of twelve");
      expect(await search(await tokenFor("globex"))).toEqual([]);
    } finally {
      await close();
    }
  });
});
