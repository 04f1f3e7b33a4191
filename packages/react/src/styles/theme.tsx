import type { CSSProperties, ReactNode } from "react";
import { useRagKitContext } from "../context.js";
import { ragkitCss } from "./css.js";

export type RagKitTheme = "light" | "dark" | "auto";

/**
 * The stylesheet, once per page: React 19 hoists a `<style>` with `href` + `precedence` into `<head>` and
 * de-duplicates it (also during server rendering), so many widgets cost one stylesheet.
 */
export function RagKitStyles() {
  return (
    <style href="ragkit-react-styles" precedence="medium">
      {ragkitCss}
    </style>
  );
}

export interface ThemeScopeProps {
  theme?: RagKitTheme | undefined;
  className?: string | undefined;
  style?: CSSProperties | undefined;
  children?: ReactNode;
}

/** The scope every RagKit component renders in: `.rk-root` plus the theme class (`dark` also themes CopilotKit). */
export function ThemeScope({ theme: themeProp, className, style, children }: ThemeScopeProps) {
  const context = useRagKitContext();
  const theme = themeProp ?? context.theme;
  const themeClass = theme === "dark" ? "rk-dark dark" : theme === "auto" ? "rk-auto" : "rk-light";
  return (
    <div className={`rk-root ${themeClass}${className ? ` ${className}` : ""}`} style={style} data-ragkit="">
      <RagKitStyles />
      {children}
    </div>
  );
}
