import type {
  AgentModels,
  AnalyzeInput,
  AnswerInput,
  AnswerOutput,
  RerankInput,
  RewriteInput,
} from "./models.js";
import { pageAt } from "./pages.js";
import type { Analysis, Citation, Intent, Passage, Rewrite, ScoredSentence } from "./state.js";
import { contentTerms, isStopWord, salientTerms, splitSentences, stem, words } from "./text.js";

/*
 * Offline heuristic models: no network, deterministic, fast. They make the embedded demo work end to end and
 * are the fallback when no LLM is configured. Their limits are documented in docs/agent.md.
 */

const SMALL_TALK =
  /^\s*(?:hi|hello|hey|hiya|yo|greetings|good (?:morning|afternoon|evening)|thanks?(?: you)?(?: so much| a lot)?|thank you|cheers|bye|goodbye|see you|how are you|who are you|what can you do|what are you|help|ok(?:ay)?|cool|great|nice|awesome)\b[\s!.,?]*/i;
const CHART = /\b(?:chart|plot|graph|visuali[sz]e|visuali[sz]ation|histogram|pie|diagram)\b/i;
const DATA =
  /\b(?:how many|how much|count|total|sum|average|mean|median|maximum|minimum|top \d+|per (?:day|week|month|quarter|year)|percentage|breakdown|trend|revenue|sales)\b/i;
const ANALYTICAL =
  /\b(?:why|compare|comparison|differences?|differ|versus|vs\.?|pros and cons|trade-?offs?|analy[sz]e|impact|evaluate|implications?|relationship|advantages?|disadvantages?)\b/i;
const FOLLOW_UP_START =
  /^\s*(?:and|but|also|so|then|what about|how about|what of|same (?:for|with)|and for)\b[\s,]*(?:what about|how about)?\s*/i;
const ANAPHORA = /\b(?:it|its|they|them|their|that|this|those|these)\b/i;

export function classifyIntent(message: string): Intent {
  const rest = message.replace(SMALL_TALK, "");
  if (rest !== message && salientTerms(rest).length === 0) return "conversational";
  if (CHART.test(message)) return "chart_request";
  if (DATA.test(message)) return "data_question";
  if (ANALYTICAL.test(message)) return "analytical";
  return "factual";
}

export function isFollowUp(message: string, previousQuery: string | null): boolean {
  if (!previousQuery) return false;
  if (FOLLOW_UP_START.test(message)) return true;
  return ANAPHORA.test(message) && salientTerms(message).length <= 3;
}

export function offlineAnalyze(input: AnalyzeInput): Analysis {
  const intent = classifyIntent(input.message);
  return {
    intent,
    entities: salientTerms(input.message),
    followUp: intent !== "conversational" && isFollowUp(input.message, input.previousQuery),
  };
}

const CONTEXT_MARK = "in the context of:";

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/**
 * Standalone query + variations. For a follow-up, the previous query's salient terms that the new message
 * does not mention are appended as context ("and what about monthly plans?" after "refund window for annual
 * plans" → "monthly plans refund window annual"). It cannot tell which old term the new one replaces.
 */
export function offlineRewrite(input: RewriteInput): Rewrite {
  const message = input.message.trim().replace(/\s+/g, " ");
  const focusTerms = unique(contentTerms(message));
  let standalone = message;
  // The text searched as keywords: the message, plus the previous turn's topic for a follow-up.
  let searchText = message;
  let contextTerms: string[] = [];
  if (input.analysis.followUp && input.previousQuery) {
    const previous = input.previousQuery.replaceAll(CONTEXT_MARK, " ");
    const carried = salientTerms(previous, 8).filter((w) => !focusTerms.includes(stem(w)));
    contextTerms = unique(carried.map(stem));
    const core = message.replace(FOLLOW_UP_START, "").replace(/[?!.]+$/, "") || message;
    // A previous follow-up already carries context: keep its terms, not its nested wording.
    const context = input.previousQuery.includes(CONTEXT_MARK)
      ? salientTerms(previous, 8).join(" ")
      : input.previousQuery.replace(/[?!.]+$/, "");
    if (carried.length > 0) {
      standalone = `${core} (${CONTEXT_MARK} ${context})`;
      searchText = `${core} ${context}`;
    }
  }
  const keywords = salientTerms(searchText, 12).join(" ");
  const stopWordFree = words(searchText)
    .filter((w) => !isStopWord(w))
    .join(" ");
  const variations = unique([standalone, keywords, stopWordFree].filter((q) => q.trim().length > 0));
  return { standalone, variations: variations.slice(0, 3), focusTerms, contextTerms };
}

// ---- rerank + contextual compression -------------------------------------------------------------------

export interface RerankOptions {
  /** Passages covering less than this weighted fraction of the query terms are dropped. Default 0.34. */
  minCoverage?: number;
  /** Passages scoring below this fraction of the best passage are dropped. Default 0.3. */
  minRelativeScore?: number;
  /** Maximum passages kept. Default 6. */
  maxPassages?: number;
}

/** Query-term weights: terms of the current message 1, terms carried over from the previous turn 0.5. */
export function queryWeights(rewrite: Rewrite): Map<string, number> {
  const weights = new Map<string, number>();
  const focus = rewrite.focusTerms.length ? rewrite.focusTerms : contentTerms(rewrite.standalone);
  for (const t of rewrite.contextTerms) weights.set(t, 0.5);
  for (const t of focus) weights.set(t, 1);
  return weights;
}

function coverage(terms: ReadonlySet<string>, weights: ReadonlyMap<string, number>): number {
  let total = 0;
  let hit = 0;
  for (const [t, w] of weights) {
    total += w;
    if (terms.has(t)) hit += w;
  }
  return total === 0 ? 0 : hit / total;
}

/** Smallest window of the token stream holding all distinct matched query terms → matched / window (0..1]. */
export function proximity(tokens: readonly string[], weights: ReadonlyMap<string, number>): number {
  const matched = new Set(tokens.filter((t) => weights.has(t)));
  if (matched.size === 0) return 0;
  if (matched.size === 1) return 0.5;
  const counts = new Map<string, number>();
  let have = 0;
  let best = Number.POSITIVE_INFINITY;
  let left = 0;
  for (let right = 0; right < tokens.length; right++) {
    const t = tokens[right]!;
    if (!matched.has(t)) continue;
    counts.set(t, (counts.get(t) ?? 0) + 1);
    if (counts.get(t) === 1) have++;
    while (have === matched.size) {
      const l = tokens[left]!;
      if (matched.has(l)) {
        best = Math.min(best, right - left + 1);
        counts.set(l, counts.get(l)! - 1);
        if (counts.get(l) === 0) have--;
      }
      left++;
    }
  }
  return Math.min(1, matched.size / best);
}

export interface SentenceStats {
  sentence: ScoredSentence;
  terms: string[];
  bm25: number;
  coverage: number;
}

/**
 * Scores every sentence of every passage with BM25 computed over the candidate sentences (so "document
 * frequency" is local to this question), plus weighted query-term coverage. Offsets are document offsets.
 */
export function scoreSentences(passages: readonly Passage[], weights: ReadonlyMap<string, number>) {
  const perPassage = passages.map((p) =>
    splitSentences(p.text).map((s) => ({
      sentence: { text: s.text, start: p.start + s.start, end: p.start + s.end, score: 0 },
      terms: contentTerms(s.text),
      bm25: 0,
      coverage: 0,
    })),
  );
  const all = perPassage.flat();
  const n = Math.max(1, all.length);
  const avg = all.reduce((a, s) => a + s.terms.length, 0) / n || 1;
  const df = new Map<string, number>();
  for (const s of all) for (const t of new Set(s.terms)) if (weights.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const k1 = 1.2;
  const b = 0.75;
  for (const s of all) {
    const tf = new Map<string, number>();
    for (const t of s.terms) if (weights.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    for (const [t, f] of tf) {
      const d = df.get(t) ?? 0;
      const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
      score += weights.get(t)! * idf * ((f * (k1 + 1)) / (f + k1 * (1 - b + (b * s.terms.length) / avg)));
    }
    s.bm25 = score;
    s.coverage = coverage(new Set(s.terms), weights);
  }
  const maxBm25 = Math.max(0, ...all.map((s) => s.bm25)) || 1;
  for (const s of all) s.sentence.score = round(0.6 * (s.bm25 / maxBm25) + 0.4 * s.coverage);
  return perPassage as SentenceStats[][];
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Keeps a passage's sentences that mention query terms (contextual compression), best first. */
export function compress(stats: readonly SentenceStats[], max = 4): ScoredSentence[] {
  return stats
    .filter((s) => s.coverage > 0 && !isBoilerplate(s.sentence.text))
    .sort((a, b) => b.sentence.score - a.sentence.score || a.sentence.start - b.sentence.start)
    .slice(0, max)
    .map((s) => s.sentence);
}

function isBoilerplate(sentence: string): boolean {
  return /^#+\s/.test(sentence) || contentTerms(sentence).length < 3;
}

/**
 * Offline reranker: score = 0.45·(best sentence BM25, normalised) + 0.35·(weighted query-term coverage of
 * the passage) + 0.15·(proximity of the matched terms) + 0.05·(fused-rank prior). Drops passages with low
 * coverage or far below the best, and compresses the survivors to their relevant sentences.
 */
export function offlineRerank(input: RerankInput, options: RerankOptions = {}): Passage[] {
  const { minCoverage = 0.34, minRelativeScore = 0.3, maxPassages = 6 } = options;
  const weights = queryWeights(input.rewrite);
  if (input.passages.length === 0 || weights.size === 0) return [];
  const stats = scoreSentences(input.passages, weights);
  const bestBm25 = stats.map((ss) => Math.max(0, ...ss.map((s) => s.bm25)));
  const maxBm25 = Math.max(0, ...bestBm25) || 1;
  const maxFused = Math.max(0, ...input.passages.map((p) => p.fusedScore)) || 1;
  const scored = input.passages.map((p, i) => {
    const tokens = contentTerms(p.text);
    const cov = coverage(new Set(tokens), weights);
    const score =
      0.45 * (bestBm25[i]! / maxBm25) +
      0.35 * cov +
      0.15 * proximity(tokens, weights) +
      0.05 * (p.fusedScore / maxFused);
    return { passage: { ...p, rerankScore: round(score), sentences: compress(stats[i]!) }, cov, score };
  });
  const top = Math.max(0, ...scored.map((s) => s.score));
  return scored
    .filter((s) => s.cov >= minCoverage && s.score >= minRelativeScore * top)
    .sort((a, b) => b.score - a.score || b.passage.fusedScore - a.passage.fusedScore)
    .slice(0, maxPassages)
    .map((s) => s.passage);
}

// ---- extractive answer -----------------------------------------------------------------------------------

export const EXTRACTIVE_PREFACE = "Extractive answer (sentences quoted verbatim from your documents):";
export const NO_ANSWER =
  "I could not find anything about that in this workspace's documents. Try rephrasing, or check that the relevant documents have been uploaded.";

export interface ExtractiveOptions {
  /** Maximum quoted sentences. Default 3. */
  maxSentences?: number;
  /** Minimum weighted query-term coverage of a quoted sentence. Default 0.4. */
  minSentenceCoverage?: number;
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / Math.max(1, sa.size + sb.size - inter);
}

/**
 * Composes the answer from the best-supported sentences, each followed by its citation marker. Nothing is
 * paraphrased: every cited span is `documentText.slice(start, end)`.
 */
export function offlineAnswer(input: AnswerInput, options: ExtractiveOptions = {}): AnswerOutput {
  const { maxSentences = 3, minSentenceCoverage = 0.4 } = options;
  const weights = queryWeights(input.rewrite);
  const needsScoring = input.passages.some((p) => !p.sentences);
  const stats = needsScoring ? scoreSentences(input.passages, weights) : null;
  const candidates = input.passages.flatMap((p, i) => {
    const sentences = p.sentences ?? compress(stats![i]!);
    return sentences.map((s) => ({ passage: p, sentence: s, terms: contentTerms(s.text) }));
  });
  const chosen: typeof candidates = [];
  for (const c of candidates.sort((a, b) => b.sentence.score - a.sentence.score)) {
    if (chosen.length >= maxSentences) break;
    if (coverage(new Set(c.terms), weights) < minSentenceCoverage) continue;
    if (
      chosen.some(
        (x) => x.sentence.start === c.sentence.start && x.passage.documentId === c.passage.documentId,
      )
    )
      continue;
    if (chosen.some((x) => jaccard(x.terms, c.terms) >= 0.7)) continue;
    chosen.push(c);
  }
  if (chosen.length === 0) {
    input.onDelta(NO_ANSWER);
    return { text: NO_ANSWER, citations: [], kind: "none" };
  }
  const citations: Citation[] = chosen.map((c, i) => ({
    marker: i + 1,
    chunkId: c.passage.chunkId,
    documentId: c.passage.documentId,
    documentTitle: c.passage.documentTitle,
    start: c.sentence.start,
    end: c.sentence.end,
    quote: c.sentence.text,
    pageNumber: pageAt(c.passage, c.sentence.start),
  }));
  let text = "";
  const emit = (delta: string) => {
    text += delta;
    input.onDelta(delta);
  };
  emit(`${EXTRACTIVE_PREFACE}\n\n`);
  chosen.forEach((c, i) => {
    // Token-by-token, so a UI streams offline answers the same way as model output.
    for (const token of c.sentence.text.match(/\S+\s*/g) ?? []) emit(token);
    emit(` [${i + 1}]${i < chosen.length - 1 ? "\n" : ""}`);
  });
  return { text, citations, kind: "extractive" };
}

export function offlineRespond(input: AnalyzeInput): string {
  const m = input.message.trim().toLowerCase();
  if (/^(?:thanks|thank|cheers)/.test(m)) return "You're welcome! Ask me anything else about your documents.";
  if (/^(?:bye|goodbye|see you)/.test(m)) return "Goodbye!";
  if (/what can you do|who are you|what are you|^help/.test(m))
    return "I answer questions from this workspace's documents and cite the passages I used. Ask me a question about them.";
  return "Hello! Ask me a question about your documents and I will answer with citations.";
}

/** The offline defaults for every agent model. */
export const offlineModels: AgentModels = {
  analyze: offlineAnalyze,
  rewrite: offlineRewrite,
  rerank: (input) => offlineRerank(input),
  answer: (input) => offlineAnswer(input),
  respond: offlineRespond,
};
