import { createContext, type ReactNode, useContext } from "react";
import type { RagKitClient } from "./client.js";
import type { RagKitTheme } from "./styles/theme.js";

interface RagKitContextValue {
  client: RagKitClient | null;
  theme: RagKitTheme;
}

const RagKitContext = createContext<RagKitContextValue>({ client: null, theme: "light" });

/** Shares a client and theme with RagKit components below (`RagKitProvider` does this for you). */
export function RagKitClientProvider(props: {
  client: RagKitClient;
  theme?: RagKitTheme;
  children?: ReactNode;
}) {
  return (
    <RagKitContext.Provider value={{ client: props.client, theme: props.theme ?? "light" }}>
      {props.children}
    </RagKitContext.Provider>
  );
}

export function useRagKitContext(): RagKitContextValue {
  return useContext(RagKitContext);
}

/** The client from props, else from the nearest provider; throws when there is neither. */
export function useResolvedClient(client: RagKitClient | undefined, component: string): RagKitClient {
  const context = useContext(RagKitContext);
  const resolved = client ?? context.client;
  if (!resolved)
    throw new Error(`${component}: pass a \`client\` prop or render it inside <RagKitProvider>.`);
  return resolved;
}
