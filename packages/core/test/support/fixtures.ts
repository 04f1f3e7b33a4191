import type { Embedder } from "../../src/embeddings/types.js";
import type { PutDocumentInput } from "../../src/store/documents.js";

/** A document whose chunks are its paragraphs, with exact offsets. */
export function paragraphsDoc(text: string, extra: Partial<PutDocumentInput> = {}): PutDocumentInput {
  const chunks: PutDocumentInput["chunks"] = [];
  let offset = 0;
  for (const part of text.split("\n\n")) {
    const start = text.indexOf(part, offset);
    if (part.trim()) chunks.push({ text: part, start, end: start + part.length });
    offset = start + part.length;
  }
  return { text, ...extra, chunks };
}

/** Deterministic pseudo-random unit vectors (mulberry32), for recall tests independent of any model. */
export function randomUnitVectors(count: number, dimension: number, seed: number): number[][] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const v = Array.from({ length: dimension }, () => rand() * 2 - 1);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** An embedder of another dimension, for dimension-mismatch tests. */
export function fixedEmbedder(name: string, dimension: number): Embedder {
  return {
    name,
    dimension,
    embed: async (texts) => texts.map(() => Array.from({ length: dimension }, (_, i) => (i === 0 ? 1 : 0))),
  };
}

export const handbook = `Vacation policy

Employees receive 25 days of paid vacation per calendar year. Unused vacation days expire on March 31.

Remote work

Staff may work remotely up to three days per week with their manager's approval.

Expense reports

Submit expense reports within 30 days, with receipts attached, through the finance portal.`;

export const faq = `Product FAQ

The Globex router supports WPA3 encryption and mesh networking across up to eight nodes.

Warranty

Every Globex device carries a two-year limited warranty covering manufacturing defects.

Firmware

Firmware updates install automatically at night; the router restarts in under two minutes.`;
