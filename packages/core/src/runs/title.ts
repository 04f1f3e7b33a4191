/** Longest title a thread list shows in full; longer questions are cut at a word boundary. */
export const SHORT_TITLE_LENGTH = 60;

/**
 * A short, readable title for a conversation from its first question (no model call: it must be instant and
 * free). Whitespace is collapsed, a leading greeting or filler is dropped, and only the first sentence is kept
 * when the question runs on; what is still too long is cut at a word boundary with an ellipsis.
 */
export function shortTitle(text: string, max = SHORT_TITLE_LENGTH): string {
  let t = text.replace(/\s+/g, " ").trim();
  t = t.replace(/^(?:(?:hi|hello|hey|please|ok|okay|so)\b[,!.]?\s+)+/i, "");
  const sentence = /^(.{12,}?[?.!])\s/.exec(t);
  if (sentence?.[1] && t.length > max) t = sentence[1];
  if (t.length <= max) return capitalise(t);
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${capitalise((space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, ""))}…`;
}

const capitalise = (t: string) => (t ? t[0]!.toUpperCase() + t.slice(1) : t);
