import { CopilotKitProvider } from "@copilotkit/react-core/v2";
import { pathTo } from "@ragkit/protocol/routes";
import { type ComponentProps, type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { type FetchLike, RagKitClient } from "../client.js";
import { RagKitClientProvider } from "../context.js";
import type { RagKitTheme } from "../styles/theme.js";
import { AnswerSources } from "./answer-extras.js";

type CopilotKitProviderProps = ComponentProps<typeof CopilotKitProvider>;

export interface RagKitProviderProps {
  /** Where the RagKit server's handler is mounted, e.g. "/api/rag". */
  baseUrl: string;
  /** CopilotKit runtime endpoint; default `${baseUrl}/copilotkit` (the RagKit server serves it). */
  runtimeUrl?: string;
  /**
   * Returns the bearer token for every request (CopilotKit's and the REST client's). Called on mount, every
   * `tokenRefreshMs`, and when the window regains focus; a different token re-renders the provider with it.
   */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Default 60 000 ms. 0 disables polling (focus still refreshes). */
  tokenRefreshMs?: number;
  /** The agent id of the RagKit server (`chat.id`); default "ragkit". */
  agentId?: string;
  /** Extra headers for CopilotKit's requests. */
  headers?: Record<string, string>;
  /** CopilotKit's dev inspector loads code from a CDN; off unless you ask for it. */
  enableInspector?: boolean;
  theme?: RagKitTheme;
  /** For tests and custom transports; default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Anything else CopilotKit's provider accepts (e.g. `onError`, `renderToolCalls`). */
  copilotKitProps?: Omit<
    CopilotKitProviderProps,
    "children" | "runtimeUrl" | "headers" | "agentId" | "enableInspector"
  >;
  children?: ReactNode;
}

/**
 * CopilotKit's v2 provider pointed at a RagKit server: the bearer token on every request, no Copilot Cloud key,
 * the inspector off, and a `RagKitClient` for the REST components (documents, citations, threads).
 */
export function RagKitProvider(props: RagKitProviderProps) {
  const { baseUrl, getToken, tokenRefreshMs = 60_000, agentId = "ragkit", enableInspector = false } = props;
  const [token, setToken] = useState<string | null>(null);
  const getTokenRef = useRef(getToken);
  getTokenRef.current = getToken;

  useEffect(() => {
    let live = true;
    const refresh = async () => {
      try {
        const next = (await getTokenRef.current?.()) ?? null;
        if (live) setToken((current) => (current === next ? current : next));
      } catch {
        // Keep the last token; the REST client reports `token_error` on its own calls.
      }
    };
    void refresh();
    const timer = tokenRefreshMs > 0 ? setInterval(refresh, tokenRefreshMs) : null;
    const onFocus = () => void refresh();
    window.addEventListener("focus", onFocus);
    return () => {
      live = false;
      if (timer) clearInterval(timer);
      window.removeEventListener("focus", onFocus);
    };
  }, [tokenRefreshMs]);

  const client = useMemo(
    () =>
      new RagKitClient({
        baseUrl,
        // The REST client asks for a fresh token per request.
        getToken: () => getTokenRef.current?.(),
        ...(props.fetch ? { fetch: props.fetch } : {}),
      }),
    [baseUrl, props.fetch],
  );

  // Each answer's sources render under it, from the state of its own run (CopilotKit keeps state per run).
  const extraRenderers = props.copilotKitProps?.renderCustomMessages;
  const renderCustomMessages = useMemo(
    () => [{ agentId, render: AnswerSources }, ...(extraRenderers ?? [])],
    [agentId, extraRenderers],
  );

  const extra = props.headers;
  const headers = useMemo(
    () => ({ ...extra, ...(token ? { Authorization: `Bearer ${token}` } : {}) }),
    [extra, token],
  );

  return (
    <RagKitClientProvider client={client} theme={props.theme ?? "light"}>
      <CopilotKitProvider
        {...props.copilotKitProps}
        renderCustomMessages={renderCustomMessages}
        runtimeUrl={props.runtimeUrl ?? `${client.baseUrl}${pathTo("copilotkit")}`}
        headers={headers}
        agentId={agentId}
        enableInspector={enableInspector}
      >
        {props.children}
      </CopilotKitProvider>
    </RagKitClientProvider>
  );
}
