import { describe, expect, it } from "vitest";
import { porterStem } from "../../src/analysis/porter-stemmer.js";

// Input → output pairs from Porter (1980) and the vocabulary/output files of the reference implementation
// (https://tartarus.org/martin/PorterStemmer/).
const REFERENCE: ReadonlyArray<readonly [string, string]> = [
  // step 1a
  ["caresses", "caress"],
  ["ponies", "poni"],
  ["ties", "ti"],
  ["caress", "caress"],
  ["cats", "cat"],
  // step 1b
  ["feed", "feed"],
  ["agreed", "agre"],
  ["plastered", "plaster"],
  ["bled", "bled"],
  ["motoring", "motor"],
  ["sing", "sing"],
  ["conflated", "conflat"],
  ["troubled", "troubl"],
  ["sized", "size"],
  ["hopping", "hop"],
  ["tanned", "tan"],
  ["falling", "fall"],
  ["hissing", "hiss"],
  ["fizzed", "fizz"],
  ["failing", "fail"],
  ["filing", "file"],
  // step 1c
  ["happy", "happi"],
  ["sky", "sky"],
  // step 2
  ["relational", "relat"],
  ["conditional", "condit"],
  ["rational", "ration"],
  ["valenci", "valenc"],
  ["hesitanci", "hesit"],
  ["digitizer", "digit"],
  ["conformabli", "conform"],
  ["radicalli", "radic"],
  ["differentli", "differ"],
  ["vileli", "vile"],
  ["analogousli", "analog"],
  ["vietnamization", "vietnam"],
  ["predication", "predic"],
  ["operator", "oper"],
  ["feudalism", "feudal"],
  ["decisiveness", "decis"],
  ["hopefulness", "hope"],
  ["callousness", "callous"],
  ["formaliti", "formal"],
  ["sensitiviti", "sensit"],
  ["sensibiliti", "sensibl"],
  // step 3
  ["triplicate", "triplic"],
  ["formative", "form"],
  ["formalize", "formal"],
  ["electriciti", "electr"],
  ["electrical", "electr"],
  ["hopeful", "hope"],
  ["goodness", "good"],
  // step 4
  ["revival", "reviv"],
  ["allowance", "allow"],
  ["inference", "infer"],
  ["airliner", "airlin"],
  ["gyroscopic", "gyroscop"],
  ["adjustable", "adjust"],
  ["defensible", "defens"],
  ["irritant", "irrit"],
  ["replacement", "replac"],
  ["adjustment", "adjust"],
  ["dependent", "depend"],
  ["adoption", "adopt"],
  ["homologou", "homolog"],
  ["communism", "commun"],
  ["activate", "activ"],
  ["angulariti", "angular"],
  ["homologous", "homolog"],
  ["effective", "effect"],
  ["bowdlerize", "bowdler"],
  // step 5
  ["probate", "probat"],
  ["rate", "rate"],
  ["cease", "ceas"],
  ["controlling", "control"],
  ["roll", "roll"],
  // whole words through several steps
  ["generalization", "gener"],
  ["generalizations", "gener"],
  ["running", "run"],
  ["runs", "run"],
  ["dogs", "dog"],
  ["retrieval", "retriev"],
  ["retrieved", "retriev"],
  ["oscillators", "oscil"],
  ["archaeology", "archaeolog"],
];

describe("porterStem", () => {
  it.each(REFERENCE)("%s → %s", (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });

  it("leaves short, non-ASCII and non-lower-case words alone", () => {
    expect(porterStem("is")).toBe("is");
    expect(porterStem("naïvetés")).toBe("naïvetés");
    expect(porterStem("covid19s")).toBe("covid19s");
    expect(porterStem("Dogs")).toBe("Dogs");
    expect(porterStem("")).toBe("");
  });
});
