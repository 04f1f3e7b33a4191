import { RagKitClient, RagKitClientProvider, type RagKitTheme } from "@ragkit/react";
import type { Decorator } from "@storybook/react-vite";
import { apiBase } from "./backend";

/** Gives components a RagKitClient pointed at the (mocked) API, and the story's theme. */
export const withClient: Decorator = (Story, context) => {
  const client = new RagKitClient({ baseUrl: apiBase(), getToken: () => "storybook-token" });
  const theme = (context.parameters.theme as RagKitTheme | undefined) ?? "light";
  return (
    <RagKitClientProvider client={client} theme={theme}>
      <Story />
    </RagKitClientProvider>
  );
};
