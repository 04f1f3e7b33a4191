import { describe, expect, it } from "vitest";
import { llmAnalysisSchema } from "../../src/agent/llm/analyze.js";
import { citationsFor, llmModelsFromEnv, parseJsonOutput } from "../../src/agent/llm/index.js";
import { statusOf } from "../../src/agent/llm/judge.js";
import type { Passage } from "../../src/agent/state.js";
import { sumUsage } from "../../src/agent/usage.js";

const DOC =
  "# Refund policy\n\nAnnual plans can be refunded in full within 30 days of purchase. After 30 days, annual plans are refunded pro rata.";
const passage = (over: Partial<Passage> = {}): Passage => ({
  chunkId: "c1",
  documentId: "d1",
  documentTitle: "Refund policy",
  text: DOC.slice(17),
  start: 17,
  end: DOC.length,
  pageNumber: null,
  sectionTitle: null,
  fusedScore: 1,
  ...over,
});

describe("LLM output parsing", () => {
  it("accepts a bare object, a ```json fence or prose around it; rejects invalid JSON and wrong shapes", () => {
    const valid = { intent: "factual", needs_retrieval: true, entities: ["refund"], follow_up: false };
    expect(parseJsonOutput(JSON.stringify(valid), llmAnalysisSchema)).toEqual(valid);
    expect(
      parseJsonOutput(`Here:\n\`\`\`json\n${JSON.stringify(valid)}\n\`\`\`\nDone.`, llmAnalysisSchema),
    ).toEqual(valid);
    expect(parseJsonOutput(`Sure! ${JSON.stringify(valid)} Hope this helps`, llmAnalysisSchema)).toEqual(
      valid,
    );
    expect(parseJsonOutput("{intent: factual}", llmAnalysisSchema)).toBeNull();
    expect(parseJsonOutput(JSON.stringify({ ...valid, intent: "gossip" }), llmAnalysisSchema)).toBeNull();
    expect(parseJsonOutput("no json at all", llmAnalysisSchema)).toBeNull();
  });
});

describe("citationsFor", () => {
  it("maps each marker to its passage, narrowed to the best-matching sentence with document offsets", () => {
    const p = passage();
    const answer = "Refunds after the first month are pro rata [1]. Unknown source [7].";
    const [c, ...rest] = citationsFor(answer, [p]);
    expect(rest).toEqual([]); // [7] has no passage: left for validation to flag
    expect(c).toMatchObject({ marker: 1, chunkId: "c1", documentId: "d1" });
    expect(DOC.slice(c!.start, c!.end)).toBe(c!.quote);
    expect(c!.quote).toBe("After 30 days, annual plans are refunded pro rata.");
  });
});

describe("usage and status helpers", () => {
  it("sums usage per run and groups it by role and model", () => {
    const u = (role: string, model: string, i: number, o: number) => ({
      role,
      model,
      inputTokens: i,
      outputTokens: o,
      totalTokens: i + o,
    });
    const sum = sumUsage([u("generate", "m1", 10, 5), u("generate", "m1", 20, 5), u("validate", "m2", 7, 1)]);
    expect(sum).toMatchObject({ inputTokens: 37, outputTokens: 11, totalTokens: 48, calls: 3 });
    expect(sum.byRole).toEqual([u("generate", "m1", 30, 10), u("validate", "m2", 7, 1)]);
  });

  it("derives the validation status from the claims", () => {
    const claim = (supported: boolean) => ({ sentence: "s", markers: [1], supported, overlap: 1 });
    expect(statusOf([claim(true), claim(true)])).toBe("supported");
    expect(statusOf([claim(true), claim(false)])).toBe("partially_supported");
    expect(statusOf([claim(false)])).toBe("unsupported");
    expect(statusOf([])).toBe("unsupported");
  });
});

describe("llmModelsFromEnv", () => {
  it("is null without a provider and builds every LLM role (with a judge) when one is configured", () => {
    expect(llmModelsFromEnv({})).toBeNull();
    const models = llmModelsFromEnv({ OPENAI_API_KEY: "sk-test-env0000", RAGKIT_MODEL_RERANK: "gpt-4o" })!;
    for (const role of ["analyze", "rewrite", "rerank", "answer", "respond", "judge"] as const) {
      expect(typeof models[role]).toBe("function");
    }
    expect(() =>
      llmModelsFromEnv({ OPENAI_API_KEY: "sk-test-env0000", RAGKIT_MODEL_RERANK: "anthropic:x" }),
    ).toThrow(/ANTHROPIC_API_KEY/);
  });
});
