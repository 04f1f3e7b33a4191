import type { Decorator } from "@storybook/react-vite";

/**
 * Story frame: page background for the story's theme and an optional narrow width. Shared by Storybook's preview
 * and the portable-stories tests (which do not load msw's browser worker).
 */
export const frame: Decorator = (Story, context) => {
  const theme = (context.parameters.theme as string | undefined) ?? "light";
  const width = context.parameters.width as number | undefined;
  return (
    <div
      style={{
        background: theme === "dark" ? "#0f0f13" : "#ffffff",
        padding: 16,
        minHeight: context.parameters.layout === "fullscreen" ? "100vh" : undefined,
        maxWidth: width ?? undefined,
      }}
    >
      <Story />
    </div>
  );
};
