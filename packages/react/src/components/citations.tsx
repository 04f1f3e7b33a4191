import type { ChatCitation, ChatValidation } from "@ragkit/protocol";
import {
  Fragment,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from "react";
import type { RagKitClient } from "../client.js";
import { useRagKitContext } from "../context.js";
import { type RagKitTheme, ThemeScope } from "../styles/theme.js";
import { type CitationPassage, loadPassage } from "./citation-passage.js";

export interface CitationLabels {
  sources: string;
  page: (n: number) => string;
  openSource: string;
  loading: string;
  loadFailed: string;
  validation: Record<ChatValidation["status"], string>;
  /** The badge of an answer that says the documents do not cover the question (nothing to support). */
  notInDocuments: string;
  marker: (n: number) => string;
}

export const defaultCitationLabels: CitationLabels = {
  sources: "Sources",
  page: (n) => `page ${n}`,
  openSource: "Open source",
  loading: "Loading passage…",
  loadFailed: "Could not load the passage; showing the quote.",
  validation: {
    supported: "Supported by the sources",
    partially_supported: "Partly supported by the sources",
    unsupported: "Not supported by the sources",
  },
  marker: (n) => `Citation ${n}`,
  notInDocuments: "Not covered by your documents",
};

type PassageState =
  | { status: "idle" | "loading" }
  | { status: "ready"; passage: CitationPassage }
  | { status: "error" };

export interface CitationMarkerProps {
  citation: ChatCitation;
  client?: RagKitClient;
  labels?: Partial<CitationLabels>;
}

/**
 * `[n]` in an answer. Hovering or focusing it shows the cited passage (fetched once per document) with the cited
 * span highlighted, its page and a link to the source. Escape closes it.
 */
export function CitationMarker({ citation, client, labels: labelsProp }: CitationMarkerProps) {
  const labels = { ...defaultCitationLabels, ...labelsProp };
  const context = useRagKitContext();
  const resolved = client ?? context.client;
  const [open, setOpen] = useState(false);
  const [passage, setPassage] = useState<PassageState>({ status: "idle" });
  const id = useId();
  const popRef = useRef<HTMLSpanElement>(null);
  // Keep the popover on screen: shift it left/right inside the viewport, and open it upwards near the bottom.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-measure when the passage (and so the height) changes
  useLayoutEffect(() => {
    const el = popRef.current;
    if (!open || !el) return;
    el.style.transform = "";
    delete el.dataset.placement;
    const r = el.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    let dx = 0;
    if (r.right > width - 8) dx = width - 8 - r.right;
    if (r.left + dx < 8) dx = 8 - r.left;
    const marker = el.parentElement?.getBoundingClientRect();
    if (marker && r.bottom > window.innerHeight - 8 && marker.top - r.height - 4 > 8)
      el.dataset.placement = "top";
    el.style.transform = `translateX(${Math.round(dx)}px)`;
  }, [open, passage]);
  const closeTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const show = useCallback(() => {
    if (closeTimer.current) clearTimeout(closeTimer.current);
    setOpen(true);
  }, []);
  // A short delay lets the pointer move from the marker into the popover (to click the link).
  const hide = useCallback(() => {
    closeTimer.current = setTimeout(() => setOpen(false), 120);
  }, []);
  useEffect(
    () => () => {
      if (closeTimer.current) clearTimeout(closeTimer.current);
    },
    [],
  );

  // Load once, on first open. `requested` (not state) guards it, so the effect's own state update cannot cancel it.
  const requested = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true; // again after StrictMode's simulated unmount
    return () => {
      mounted.current = false;
    };
  }, []);
  useEffect(() => {
    if (!open || requested.current) return;
    requested.current = true;
    setPassage({ status: "loading" });
    loadPassage(resolved, citation).then(
      (p) => mounted.current && setPassage({ status: "ready", passage: p }),
      () => mounted.current && setPassage({ status: "error" }),
    );
  }, [open, resolved, citation]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: hover is a pointer shortcut; keyboard users focus the button
    <span className="rk-cite" onMouseEnter={show} onMouseLeave={hide}>
      <button
        type="button"
        className="rk-marker"
        aria-label={labels.marker(citation.marker)}
        aria-describedby={open ? id : undefined}
        aria-expanded={open}
        onFocus={show}
        onBlur={hide}
        onClick={() => setOpen(true)}
        onKeyDown={(e) => {
          if (e.key === "Escape") setOpen(false);
        }}
      >
        {citation.marker}
      </button>
      {open ? (
        <span className="rk-pop" role="tooltip" id={id} ref={popRef}>
          <strong>{citation.documentTitle ?? citation.documentId}</strong>
          {citation.pageNumber !== null ? (
            <span className="rk-muted"> · {labels.page(citation.pageNumber)}</span>
          ) : null}
          <span style={{ display: "block", marginTop: 6 }}>
            {passage.status === "ready" ? (
              <>
                {passage.passage.before}
                <mark>{passage.passage.cited}</mark>
                {passage.passage.after}
              </>
            ) : passage.status === "error" ? (
              <>
                <span className="rk-muted" style={{ display: "block" }}>
                  {labels.loadFailed}
                </span>
                <mark>{citation.quote}</mark>
              </>
            ) : (
              <span className="rk-muted">{labels.loading}</span>
            )}
          </span>
          {passage.status === "ready" && passage.passage.sourceUrl ? (
            <a
              href={passage.passage.sourceUrl}
              target="_blank"
              rel="noreferrer noopener"
              style={{ display: "block", marginTop: 6 }}
            >
              {labels.openSource}
            </a>
          ) : null}
        </span>
      ) : null}
    </span>
  );
}

export function ValidationBadge({
  validation,
  labels,
  answerKind,
}: {
  validation: ChatValidation;
  labels?: Partial<CitationLabels>;
  /** "none": the answer says the documents do not cover the question — correct, so the badge is neutral. */
  answerKind?: string | null | undefined;
}) {
  const l = { ...defaultCitationLabels, ...labels };
  if (answerKind === "none") {
    return (
      <span className="rk-badge rk-neutral" data-validation="not_in_documents">
        <span aria-hidden="true">i </span>
        {l.notInDocuments}
      </span>
    );
  }
  const tone =
    validation.status === "supported" ? "rk-ok" : validation.status === "unsupported" ? "rk-bad" : "rk-warn";
  const icon = validation.status === "supported" ? "✓" : validation.status === "unsupported" ? "✕" : "!";
  return (
    <span className={`rk-badge ${tone}`} data-validation={validation.status}>
      <span aria-hidden="true">{icon} </span>
      {l.validation[validation.status]}
    </span>
  );
}

export interface CitationsProps {
  citations: readonly ChatCitation[];
  validation?: ChatValidation | null;
  client?: RagKitClient;
  labels?: Partial<CitationLabels>;
  theme?: RagKitTheme;
  /** The run's answer kind; "none" shows a neutral badge instead of a validation verdict. */
  answerKind?: string | null | undefined;
}

/** The sources of an answer: one marker per citation, and the validation verdict with its issues. */
export function Citations({ citations, validation, client, labels, theme, answerKind }: CitationsProps) {
  const l = { ...defaultCitationLabels, ...labels };
  if (citations.length === 0 && !validation) return null;
  return (
    <ThemeScope theme={theme}>
      <section className="rk-card" aria-label={l.sources}>
        <div className="rk-row">
          <span className="rk-title" style={{ margin: 0 }}>
            {l.sources}
          </span>
          {validation ? (
            <ValidationBadge validation={validation} labels={labels} answerKind={answerKind} />
          ) : null}
        </div>
        {validation && answerKind !== "none" && validation.issues.length > 0 ? (
          <ul className="rk-thoughts">
            {validation.issues.map((issue) => (
              <li key={issue}>{issue}</li>
            ))}
          </ul>
        ) : null}
        <ol className="rk-docs">
          {citations.map((c) => (
            <li key={`${c.marker}-${c.chunkId}`}>
              <CitationMarker citation={c} {...(client ? { client } : {})} labels={labels ?? {}} />{" "}
              <strong>{c.documentTitle ?? c.documentId}</strong>
              {c.pageNumber !== null ? <span className="rk-muted"> · {l.page(c.pageNumber)}</span> : null}
              <div className="rk-muted">{c.quote.length > 140 ? `${c.quote.slice(0, 137)}…` : c.quote}</div>
            </li>
          ))}
        </ol>
      </section>
    </ThemeScope>
  );
}

export interface AnswerWithCitationsProps {
  answer: string;
  citations: readonly ChatCitation[];
  client?: RagKitClient;
  labels?: Partial<CitationLabels>;
  /** Mark the answer as streaming (polite live region, busy). */
  streaming?: boolean;
  theme?: RagKitTheme;
}

/**
 * `text` with each `[n]` that cites a known passage replaced by its `<CitationMarker>`; other text unchanged.
 * Used by `AnswerWithCitations` and by the chat's markdown renderer.
 */
export function splitMarkers(
  text: string,
  byMarker: ReadonlyMap<number, ChatCitation>,
  client?: RagKitClient,
  labels?: Partial<CitationLabels>,
): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(/\[(\d{1,3})\]/g)) {
    const citation = byMarker.get(Number(m[1]));
    if (!citation || m.index === undefined) continue;
    parts.push(text.slice(last, m.index));
    parts.push(
      <CitationMarker
        key={`m${m.index}`}
        citation={citation}
        {...(client ? { client } : {})}
        labels={labels ?? {}}
      />,
    );
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** Answer text whose `[n]` markers become interactive citation markers. */
export function AnswerWithCitations({
  answer,
  citations,
  client,
  labels,
  streaming = false,
  theme,
}: AnswerWithCitationsProps) {
  const byMarker = new Map(citations.map((c) => [c.marker, c]));
  const parts = splitMarkers(answer, byMarker, client, labels);
  return (
    <ThemeScope theme={theme}>
      <div className="rk-answer" aria-live="polite" aria-busy={streaming}>
        {parts.map((p, i) =>
          // biome-ignore lint/suspicious/noArrayIndexKey: parts are positional and rebuilt from the text
          typeof p === "string" ? <Fragment key={i}>{p}</Fragment> : p,
        )}
      </div>
    </ThemeScope>
  );
}
