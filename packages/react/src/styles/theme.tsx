import { type CSSProperties, type ReactNode, useSyncExternalStore } from "react";
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

const DARK_QUERY = "(prefers-color-scheme: dark)";

/** Whether the system prefers dark (false on the server and when not asked, so hydration matches). */
function usePrefersDark(enabled: boolean): boolean {
  return useSyncExternalStore(
    (onChange) => {
      if (!enabled || typeof window === "undefined" || !window.matchMedia) return () => {};
      const media = window.matchMedia(DARK_QUERY);
      media.addEventListener("change", onChange);
      return () => media.removeEventListener("change", onChange);
    },
    () => enabled && typeof window !== "undefined" && !!window.matchMedia?.(DARK_QUERY).matches,
    () => false,
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
  const systemDark = usePrefersDark(theme === "auto");
  // "auto": RagKit's own colours follow the media query in CSS; CopilotKit's components need its `dark` class.
  const themeClass =
    theme === "dark" ? "rk-dark dark" : theme === "auto" ? `rk-auto${systemDark ? " dark" : ""}` : "rk-light";
  return (
    <div className={`rk-root ${themeClass}${className ? ` ${className}` : ""}`} style={style} data-ragkit="">
      <RagKitStyles />
      {children}
    </div>
  );
}
