import { describe, expect, it } from "vitest";
import {
  classifyIntent,
  EXTRACTIVE_PREFACE,
  NO_ANSWER,
  offlineAnalyze,
  offlineAnswer,
  offlineRerank,
  offlineRewrite,
  proximity,
} from "../../src/agent/offline.js";
import { pageAt } from "../../src/agent/pages.js";
import { DEFAULT_RERANK_THRESHOLD, routeAfterAnalyze, routeAfterRetrieve } from "../../src/agent/routing.js";
import { type Analysis, type Citation, type Passage, RagAgentState } from "../../src/agent/state.js";
import { contentTerms, splitSentences, stem } from "../../src/agent/text.js";
import { splitClaims, validateAnswer } from "../../src/agent/validate.js";

const analysis = (over: Partial<Analysis> = {}): Analysis => ({
  intent: "factual",
  entities: [],
  followUp: false,
  ...over,
});

let nextId = 0;
/** A passage that is the whole of a made-up document starting at `offset` in it. */
function passage(text: string, fusedScore: number, offset = 0): Passage {
  nextId++;
  return {
    chunkId: `chunk-${nextId}`,
    documentId: `doc-${nextId}`,
    documentTitle: null,
    text,
    start: offset,
    end: offset + text.length,
    pageNumber: null,
    sectionTitle: null,
    fusedScore,
  };
}

describe("routing", () => {
  it("sends conversational input to respond and everything else to rewrite", () => {
    expect(routeAfterAnalyze({ analysis: analysis({ intent: "conversational" }) })).toBe("respond");
    for (const intent of ["factual", "analytical", "data_question", "chart_request"] as const) {
      expect(routeAfterAnalyze({ analysis: analysis({ intent }) })).toBe("rewrite");
    }
  });

  it("reranks only when there are more than N passages", () => {
    const ps = (n: number) => Array.from({ length: n }, (_, i) => passage(`p${i}`, 1));
    expect(routeAfterRetrieve({ passages: ps(DEFAULT_RERANK_THRESHOLD) })).toBe("generate");
    expect(routeAfterRetrieve({ passages: ps(DEFAULT_RERANK_THRESHOLD + 1) })).toBe("rerank");
    expect(routeAfterRetrieve({ passages: [] })).toBe("generate");
    expect(routeAfterRetrieve({ passages: ps(2) }, 1)).toBe("rerank");
  });
});

describe("text utilities", () => {
  it("splits sentences with exact offsets", () => {
    const text = "  First one. Second one!\nThird line without stop\n\nFourth? yes.";
    const spans = splitSentences(text);
    expect(spans.map((s) => s.text)).toEqual([
      "First one.",
      "Second one!",
      "Third line without stop",
      "Fourth?",
      "yes.",
    ]);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it("keeps sentences that a PDF wraps across lines whole, and still splits at titles, lists and blank lines", () => {
    const text =
      "Leave policy\nFull-time employees receive 28 days of paid annual leave per calendar year, plus\npublic holidays. Part-time employees receive leave in proportion to their\nworking days.\n- Carry-over: 5 days\n\nSick leave needs a note.";
    const spans = splitSentences(text);
    expect(spans.map((s) => s.text)).toEqual([
      "Leave policy",
      "Full-time employees receive 28 days of paid annual leave per calendar year, plus\npublic holidays.",
      "Part-time employees receive leave in proportion to their\nworking days.",
      "- Carry-over: 5 days",
      "Sick leave needs a note.",
    ]);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it("names the page a cited offset is printed on, inside chunks that span pages", () => {
    const p = { pageNumber: 2, pageStarts: [[150, 3] as [number, number], [260, 4] as [number, number]] };
    expect(pageAt(p, 120)).toBe(2);
    expect(pageAt(p, 150)).toBe(3);
    expect(pageAt(p, 300)).toBe(4);
    expect(pageAt({ pageNumber: null }, 10)).toBeNull();
  });

  it("stems plurals and inflections to the same term", () => {
    expect(stem("plans")).toBe(stem("plan"));
    expect(stem("refunded")).toBe(stem("refund"));
    expect(stem("policies")).toBe(stem("policy"));
    expect(contentTerms("What is the refund window?")).toEqual(["refund", "window"]);
  });
});

describe("offline analyze", () => {
  it("classifies intents by pattern", () => {
    expect(classifyIntent("Hello!")).toBe("conversational");
    expect(classifyIntent("thanks a lot")).toBe("conversational");
    expect(classifyIntent("Hi, what is the refund policy?")).toBe("factual");
    expect(classifyIntent("Plot revenue by month as a bar chart")).toBe("chart_request");
    expect(classifyIntent("How many orders shipped last week?")).toBe("data_question");
    expect(classifyIntent("Compare annual and monthly plans")).toBe("analytical");
    expect(classifyIntent("Why are monthly plans not refundable?")).toBe("analytical");
    expect(classifyIntent("What is the refund window for annual plans?")).toBe("factual");
  });

  it("extracts salient entities and detects follow-ups only when there is a previous query", () => {
    const base = { history: [], previousQuery: null };
    const a = offlineAnalyze({ ...base, message: "What is the refund window for annual plans?" });
    expect(a.entities).toEqual(["refund", "window", "annual", "plans"]);
    expect(a.followUp).toBe(false);
    expect(offlineAnalyze({ ...base, message: "and what about monthly plans?" }).followUp).toBe(false);
    const prev = { history: [], previousQuery: "refund window for annual plans" };
    expect(offlineAnalyze({ ...prev, message: "and what about monthly plans?" }).followUp).toBe(true);
    expect(offlineAnalyze({ ...prev, message: "How long does it take?" }).followUp).toBe(true);
    expect(
      offlineAnalyze({ ...prev, message: "How long does standard shipping take to Germany?" }).followUp,
    ).toBe(false);
  });
});

describe("offline rewrite", () => {
  it("builds variations of a standalone question", () => {
    const r = offlineRewrite({
      message: "  What is the   refund window for annual plans? ",
      history: [],
      previousQuery: null,
      analysis: analysis(),
    });
    expect(r.standalone).toBe("What is the refund window for annual plans?");
    expect(r.variations[0]).toBe(r.standalone);
    expect(r.variations).toContain("refund window annual plans");
    expect(new Set(r.variations).size).toBe(r.variations.length);
    expect(r.focusTerms).toEqual(["refund", "window", "annual", "plan"]);
    expect(r.contextTerms).toEqual([]);
  });

  it("folds the previous turn into a follow-up", () => {
    const r = offlineRewrite({
      message: "and what about monthly plans?",
      history: [],
      previousQuery: "What is the refund window for annual plans?",
      analysis: analysis({ followUp: true }),
    });
    expect(r.standalone).toBe(
      "monthly plans (in the context of: What is the refund window for annual plans)",
    );
    expect(r.focusTerms).toEqual(["monthli", "plan"]); // Porter stems (the shared analyzer)
    expect(r.contextTerms).toEqual(["refund", "window", "annual"]);
    expect(r.variations.length).toBeGreaterThanOrEqual(2);
    expect(r.variations).toContain("monthly plans refund window annual");
  });
});

const refundRewrite = offlineRewrite({
  message: "What is the refund window for annual plans?",
  history: [],
  previousQuery: null,
  analysis: analysis(),
});

describe("offline rerank + compression", () => {
  const noise = passage("Our office has a plant on every desk. The kitchen is on the second floor.", 0.05);
  const weak = passage("Monthly plans renew every month. Plans can be upgraded at any time.", 0.04);
  const scattered = passage(
    "Refund requests go to billing. Billing also handles invoices for the annual conference. The window cleaner comes weekly.",
    0.03,
  );
  const best = passage(
    "Shipping takes three days. Annual plans can be refunded in full within 30 days of purchase.",
    0.01,
    120,
  );

  it("moves the passage that answers the question to the top and drops irrelevant ones", () => {
    const out = offlineRerank({ rewrite: refundRewrite, passages: [noise, weak, scattered, best] });
    expect(out[0]!.chunkId).toBe(best.chunkId);
    expect(out.map((p) => p.chunkId)).not.toContain(noise.chunkId);
    // Same terms, far apart, rank below the passage where they appear together.
    expect(out.map((p) => p.chunkId).indexOf(scattered.chunkId)).toBeGreaterThan(0);
    for (let i = 1; i < out.length; i++)
      expect(out[i - 1]!.rerankScore!).toBeGreaterThanOrEqual(out[i]!.rerankScore!);
  });

  it("compresses a passage to its relevant sentences with document offsets", () => {
    const [top] = offlineRerank({ rewrite: refundRewrite, passages: [noise, best] });
    const docText = `${"x".repeat(120)}${best.text}`;
    expect(top!.sentences!.map((s) => s.text)).toEqual([
      "Annual plans can be refunded in full within 30 days of purchase.",
    ]);
    for (const s of top!.sentences!) expect(docText.slice(s.start, s.end)).toBe(s.text);
  });

  it("scores term proximity", () => {
    const w = new Map([
      ["refund", 1],
      ["window", 1],
    ]);
    expect(proximity(["refund", "window"], w)).toBe(1);
    expect(proximity(["refund", "a", "b", "c", "window"], w)).toBeCloseTo(0.4);
    expect(proximity(["nothing"], w)).toBe(0);
  });

  it("returns nothing when no passage is relevant", () => {
    expect(offlineRerank({ rewrite: refundRewrite, passages: [noise] })).toEqual([]);
  });
});

describe("offline extractive answer", () => {
  it("quotes the best sentences with numbered citations tied to exact spans, streamed token by token", () => {
    const p = passage(
      "Annual plans can be refunded in full within 30 days of purchase. After 30 days, annual plans are refunded pro rata. Our office is in Rotterdam.",
      0.03,
      40,
    );
    const docText = `${"#".repeat(40)}${p.text}`;
    const deltas: string[] = [];
    const out = offlineAnswer({
      question: "What is the refund window for annual plans?",
      rewrite: refundRewrite,
      passages: [p],
      onDelta: (d) => deltas.push(d),
    });
    expect(out.kind).toBe("extractive");
    expect(deltas.join("")).toBe(out.text);
    expect(deltas.length).toBeGreaterThan(10);
    expect(out.text.startsWith(EXTRACTIVE_PREFACE)).toBe(true);
    expect(out.text).not.toContain("Rotterdam");
    expect(out.citations.map((c) => c.marker)).toEqual([1, 2]);
    for (const c of out.citations) {
      expect(docText.slice(c.start, c.end)).toBe(c.quote);
      expect(out.text).toContain(`${c.quote} [${c.marker}]`);
      expect(c.chunkId).toBe(p.chunkId);
    }
    expect(validateAnswer({ answer: out.text, citations: out.citations, passages: [p] }).status).toBe(
      "supported",
    );
  });

  it("says so when nothing is relevant", () => {
    const out = offlineAnswer({
      question: "What is the refund window?",
      rewrite: refundRewrite,
      passages: [passage("The kitchen is on the second floor.", 1)],
      onDelta: () => {},
    });
    expect(out).toEqual({ text: NO_ANSWER, citations: [], kind: "none" });
  });
});

describe("answer validation (generic over any answer text)", () => {
  const p1 = passage("Annual plans can be refunded in full within 30 days of purchase.", 1);
  const p2 = passage("Express shipping arrives the next business day when ordered before 14:00.", 1);
  const cite = (marker: number, p: Passage): Citation => ({
    marker,
    chunkId: p.chunkId,
    documentId: p.documentId,
    documentTitle: null,
    start: p.start,
    end: p.end,
    quote: p.text,
    pageNumber: null,
  });
  const citations = [cite(1, p1), cite(2, p2)];
  const passages = [p1, p2];

  it("attaches trailing markers to their sentence", () => {
    expect(splitClaims("Intro:\n\nA is b. [1] C is d [2][1]. E.")).toEqual([
      { text: "Intro:", markers: [] },
      { text: "A is b.", markers: [1] },
      { text: "C is d.", markers: [2, 1] },
      { text: "E.", markers: [] },
    ]);
  });

  it("accepts paraphrases that stay with the source's terms and numbers", () => {
    const v = validateAnswer({
      answer:
        "Here is what I found:\nAnnual plans are refundable in full for 30 days after purchase [1]. Express shipping arrives the next business day [2].",
      citations,
      passages,
    });
    expect(v.status).toBe("supported");
    expect(v.claims).toHaveLength(2);
    expect(v.issues).toEqual([]);
  });

  it("a half-answered multi-part question is not supported, a fully answered one is", () => {
    const refund = "Annual plans can be refunded in full within 30 days of purchase [1].";
    const both = `${refund} Express shipping arrives the next business day [2].`;
    const check = (answer: string, question: string) =>
      validateAnswer({ answer, citations, passages, question });
    const half = check(
      refund,
      "What is the refund window for annual plans, and how fast is express shipping?",
    );
    expect(half.status).toBe("partially_supported");
    expect(half.issues).toEqual([expect.stringMatching(/express shipping.*not answered/)]);
    expect(
      check(both, "What is the refund window for annual plans? How fast is express shipping?").status,
    ).toBe("supported");
    expect(check(refund, "What is the refund window for annual plans?").status).toBe("supported");
  });

  it("flags invented numbers, wrong citations and unknown markers", () => {
    const v = validateAnswer({
      answer:
        "Annual plans can be refunded within 90 days of purchase [1]. Express shipping arrives the next business day [1]. Monthly plans include free hardware [3].",
      citations,
      passages,
    });
    expect(v.status).toBe("unsupported");
    expect(v.claims.map((c) => c.supported)).toEqual([false, false, false]);
    expect(v.issues[0]).toMatch(/number 90 not in the cited source/);
    expect(v.issues[1]).toMatch(/% of its terms appear in the cited source/);
    expect(v.issues[2]).toMatch(/\[3\] does not refer to a retrieved passage/);
  });

  it("is partially supported when only some claims hold, and counts uncited claims", () => {
    const v = validateAnswer({
      answer:
        "Annual plans can be refunded in full within 30 days [1]. Our support team answers every email within minutes.",
      citations,
      passages,
    });
    expect(v.status).toBe("partially_supported");
    expect(v.claims[1]).toMatchObject({ supported: false, reason: "no citation" });
  });

  it("rejects a citation whose chunk was not retrieved this turn", () => {
    const stray = passage("Annual plans can be refunded in full within 30 days of purchase.", 1);
    const v = validateAnswer({
      answer: "Annual plans can be refunded in full within 30 days of purchase [1].",
      citations: [cite(1, stray)],
      passages,
    });
    expect(v.status).toBe("unsupported");
  });

  it("treats an answer without checkable claims as unsupported", () => {
    expect(validateAnswer({ answer: "Sure.", citations: [], passages }).status).toBe("unsupported");
    expect(splitClaims("[1] Only markers.")).toEqual([{ text: "Only markers.", markers: [1] }]);
  });
});

describe("state schema", () => {
  it("validates field values with zod", () => {
    const progress = RagAgentState.fields.progress;
    expect(progress.safeParse(0.5).success).toBe(true);
    expect(progress.safeParse(1.5).success).toBe(false);
    expect(RagAgentState.fields.step.safeParse("hack").success).toBe(false);
    expect(RagAgentState.fields.passages.parse(undefined)).toEqual([]);
  });
});

describe("offline rewrite, chained follow-ups", () => {
  it("does not nest the context of an earlier follow-up", () => {
    const r = offlineRewrite({
      message: "and how about yearly ones?",
      history: [],
      previousQuery: "monthly plans (in the context of: What is the refund window for annual plans)",
      analysis: analysis({ followUp: true }),
    });
    expect(r.standalone).toBe("yearly ones (in the context of: monthly plans refund window annual)");
    expect(r.contextTerms).toEqual(["monthli", "plan", "refund", "window", "annual"]);
    for (const v of r.variations.slice(1)) expect(v).not.toContain("context");
  });
});
