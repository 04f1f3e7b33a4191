import type { ValidationResult } from "../state.js";
import { validateAnswer } from "../validate.js";
import { callbacks, type GraphDeps, lastUserMessage, step } from "./common.js";

/** At most one regeneration per turn: a second unsupported answer is reported as such. */
export const MAX_ANSWER_ATTEMPTS = 2;

/** Lexical check of every claim, refined by the judge model when one is configured. */
export function validateNode(deps: GraphDeps) {
  return step("validate", async (state, config) => {
    if (state.answerKind === "none") {
      return {
        validation: { status: "unsupported", claims: [], issues: ["no relevant passages were found"] },
      };
    }
    const lexical = validateAnswer({
      answer: state.answer,
      citations: state.citations,
      passages: state.passages,
      question: lastUserMessage(state.messages).message,
    });
    const calls = callbacks(config.signal);
    let validation: ValidationResult = lexical;
    const judge = deps.models.judge;
    if (judge && state.answerKind === "generative") {
      validation = await judge({
        question: lastUserMessage(state.messages).message,
        answer: state.answer,
        citations: state.citations,
        passages: state.passages,
        lexical,
        ...calls.input,
      });
    }
    const checked = validation.claims.length;
    const ok = validation.claims.filter((c) => c.supported).length;
    const thoughts = [...calls.notes];
    if (checked)
      thoughts.push(`Checked the answer: ${ok} of ${checked} sentence(s) supported by their sources.`);
    if (shouldRegenerate(deps, { ...state, validation }))
      thoughts.push("Rewriting the answer to stick to the sources.");
    return { validation, thoughts, usage: calls.usage };
  });
}

export function shouldRegenerate(
  deps: Pick<GraphDeps, "regenerate">,
  state: { validation: ValidationResult | null; attempts: number; answerKind: string },
): boolean {
  return (
    deps.regenerate &&
    state.answerKind === "generative" &&
    state.attempts < MAX_ANSWER_ATTEMPTS &&
    state.validation !== null &&
    state.validation.status !== "supported"
  );
}
