import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";

const script = join(import.meta.dirname, "..", "..", "..", "..", "scripts", "bench-retrieval.mjs");
const dir = mkdtempSync(join(tmpdir(), "ragkit-beir-"));

/** A tiny BEIR-layout dataset whose right answers are known, so the metrics can be checked exactly. */
function writeDataset() {
  const corpus = [
    {
      _id: "d1",
      title: "Llamas",
      text: "Llamas are domesticated South American camelids used as pack animals.",
    },
    { _id: "d2", title: "Volcanoes", text: "A volcano is a rupture in the crust where lava and ash escape." },
    { _id: "d3", title: "Tea", text: "Green tea is made from unoxidised leaves of Camellia sinensis." },
  ];
  writeFileSync(join(dir, "corpus.jsonl.gz"), gzipSync(corpus.map((d) => JSON.stringify(d)).join("\n")));
  writeFileSync(
    join(dir, "queries.dev.jsonl"),
    [
      { _id: "q1", text: "pack animals from South America" },
      { _id: "q2", text: "lava and ash from a crust rupture" },
    ]
      .map((q) => JSON.stringify(q))
      .join("\n"),
  );
  mkdirSync(join(dir, "qrels"));
  writeFileSync(join(dir, "qrels", "dev.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n");
}

describe("npm run bench:retrieval (script)", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a BEIR directory and prints the documented JSON figures per mode", { timeout: 180_000 }, () => {
    writeDataset();
    const run = spawnSync(process.execPath, [script, "--data", dir, "--split", "dev", "--json"], {
      encoding: "utf8",
      timeout: 170_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: Array<Record<string, number | string>> };
    expect(results.map((r) => r.mode)).toEqual([
      "dense",
      "lexical",
      "hybrid",
      "hybrid:ungated",
      "hybrid:rrf",
    ]);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(
        [
          "bare_p50_ms",
          "docs",
          "ingest_s",
          "mode",
          "ndcg10",
          "ndcg10_vs_lexical",
          "p50_ms",
          "p95_ms",
          "queries",
          "recall100",
          "recall100_vs_lexical",
        ].sort(),
      );
      expect(r).toMatchObject({ docs: 3, queries: 2, recall100: 1 });
    }
    // Both queries have exactly one relevant document that lexical search must rank first.
    const lexical = results.find((r) => r.mode === "lexical")!;
    expect(lexical.ndcg10).toBe(1);
    for (const r of results) expect(r.ndcg10_vs_lexical).toBe(Number((Number(r.ndcg10) / 1).toFixed(4)));
  });
});
