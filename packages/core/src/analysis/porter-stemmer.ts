/**
 * The Porter stemming algorithm (M. F. Porter, "An algorithm for suffix stripping", Program 14(3),
 * 1980), steps 1a–5b as published, including the two later departures Porter's own reference
 * implementation makes (step 2 maps "bli"→"ble" instead of "abli"→"able", and adds "logi"→"log").
 *
 * It is a rule-based suffix stripper for English: "running" and "runs" both become "run",
 * "generalization" becomes "gener". Stems are not always words ("happy" → "happi"); they only
 * need to agree with each other. Input must be lower-case ASCII letters; anything else
 * (digits, accents, other scripts) is returned unchanged by `porterStem`.
 *
 * The one stemmer of RagKit (see ./index.ts): part of the `ragkit-hash-v1` embedder's feature
 * definition and of the `ragkit-text-v1` lexical analyzer. Changing a rule changes stored vectors and
 * postings and requires new names for both.
 */

const ASCII_LOWER_WORD = /^[a-z]+$/;

/** Stems one lower-case English word; words of 1–2 letters and non-[a-z] words are returned as is. */
export function porterStem(word: string): string {
  if (word.length <= 2 || !ASCII_LOWER_WORD.test(word)) return word;
  let w = step1a(word);
  w = step1b(w);
  w = step1c(w);
  w = step2(w);
  w = step3(w);
  w = step4(w);
  w = step5(w);
  return w;
}

/** True when w[i] is a consonant in Porter's sense ("y" after a consonant counts as a vowel). */
function isConsonant(w: string, i: number): boolean {
  switch (w.charCodeAt(i)) {
    case 97: // a
    case 101: // e
    case 105: // i
    case 111: // o
    case 117: // u
      return false;
    case 121: // y
      return i === 0 ? true : !isConsonant(w, i - 1);
    default:
      return true;
  }
}

/** Porter's measure m of `stem`: the number of vowel-sequence → consonant-sequence transitions ([C](VC)^m[V]). */
function measure(stem: string): number {
  const n = stem.length;
  let i = 0;
  while (i < n && isConsonant(stem, i)) i++;
  let m = 0;
  while (i < n) {
    while (i < n && !isConsonant(stem, i)) i++;
    if (i >= n) break;
    while (i < n && isConsonant(stem, i)) i++;
    m++;
  }
  return m;
}

function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

/** *d: the stem ends with a double consonant. */
function endsWithDoubleConsonant(stem: string): boolean {
  const n = stem.length;
  return n >= 2 && stem[n - 1] === stem[n - 2] && isConsonant(stem, n - 1);
}

/** *o: the stem ends consonant-vowel-consonant, where the last consonant is not w, x or y. */
function endsCvc(stem: string): boolean {
  const n = stem.length;
  if (n < 3) return false;
  if (!isConsonant(stem, n - 1) || isConsonant(stem, n - 2) || !isConsonant(stem, n - 3)) return false;
  const last = stem[n - 1];
  return last !== "w" && last !== "x" && last !== "y";
}

function step1a(w: string): string {
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (w.endsWith("ies")) return w.slice(0, -2);
  if (w.endsWith("ss")) return w;
  if (w.endsWith("s")) return w.slice(0, -1);
  return w;
}

function step1b(w: string): string {
  if (w.endsWith("eed")) {
    const stem = w.slice(0, -3);
    return measure(stem) > 0 ? `${stem}ee` : w;
  }
  let stem: string;
  if (w.endsWith("ed")) stem = w.slice(0, -2);
  else if (w.endsWith("ing")) stem = w.slice(0, -3);
  else return w;
  if (!containsVowel(stem)) return w;

  if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) return `${stem}e`;
  if (endsWithDoubleConsonant(stem)) {
    const last = stem[stem.length - 1];
    return last === "l" || last === "s" || last === "z" ? stem : stem.slice(0, -1);
  }
  if (measure(stem) === 1 && endsCvc(stem)) return `${stem}e`;
  return stem;
}

function step1c(w: string): string {
  if (w.endsWith("y")) {
    const stem = w.slice(0, -1);
    if (containsVowel(stem)) return `${stem}i`;
  }
  return w;
}

/** Suffix rules of steps 2 and 3, grouped by the penultimate letter as in Porter's implementation. */
type SuffixRule = readonly [suffix: string, replacement: string];

const STEP2_RULES: readonly SuffixRule[] = [
  ["ational", "ate"],
  ["tional", "tion"],
  ["enci", "ence"],
  ["anci", "ance"],
  ["izer", "ize"],
  ["bli", "ble"],
  ["alli", "al"],
  ["entli", "ent"],
  ["eli", "e"],
  ["ousli", "ous"],
  ["ization", "ize"],
  ["ation", "ate"],
  ["ator", "ate"],
  ["alism", "al"],
  ["iveness", "ive"],
  ["fulness", "ful"],
  ["ousness", "ous"],
  ["aliti", "al"],
  ["iviti", "ive"],
  ["biliti", "ble"],
  ["logi", "log"],
];

const STEP3_RULES: readonly SuffixRule[] = [
  ["icate", "ic"],
  ["ative", ""],
  ["alize", "al"],
  ["iciti", "ic"],
  ["ical", "ic"],
  ["ful", ""],
  ["ness", ""],
];

/**
 * Applies the first rule whose suffix matches (longest-match order is guaranteed because no
 * suffix in a table is a proper suffix of an earlier-listed longer one that would shadow it).
 */
function applyRules(w: string, rules: readonly SuffixRule[]): string {
  for (const [suffix, replacement] of rules) {
    if (w.endsWith(suffix)) {
      const stem = w.slice(0, w.length - suffix.length);
      return measure(stem) > 0 ? stem + replacement : w;
    }
  }
  return w;
}

function step2(w: string): string {
  return applyRules(w, STEP2_RULES);
}

function step3(w: string): string {
  return applyRules(w, STEP3_RULES);
}

const STEP4_SUFFIXES: readonly string[] = [
  "al",
  "ance",
  "ence",
  "er",
  "ic",
  "able",
  "ible",
  "ant",
  "ement",
  "ment",
  "ent",
  "ion",
  "ou",
  "ism",
  "ate",
  "iti",
  "ous",
  "ive",
  "ize",
];

function step4(w: string): string {
  // Longest matching suffix wins ("ement" before "ment" before "ent").
  let match = "";
  for (const suffix of STEP4_SUFFIXES) {
    if (suffix.length > match.length && w.endsWith(suffix)) match = suffix;
  }
  if (match === "") return w;
  const stem = w.slice(0, w.length - match.length);
  if (measure(stem) <= 1) return w;
  if (match === "ion") {
    const last = stem[stem.length - 1];
    return last === "s" || last === "t" ? stem : w;
  }
  return stem;
}

function step5(w: string): string {
  // 5a: remove a final "e".
  if (w.endsWith("e")) {
    const stem = w.slice(0, -1);
    const m = measure(stem);
    if (m > 1 || (m === 1 && !endsCvc(stem))) w = stem;
  }
  // 5b: "ll" → "l" when m > 1.
  if (w.endsWith("ll") && measure(w) > 1) w = w.slice(0, -1);
  return w;
}
