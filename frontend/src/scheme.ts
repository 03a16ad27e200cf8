// Colours for canvas charts (uPlot draws with colours, not CSS): read from the page's CSS
// variables, and redrawn when the phone switches between light and dark.
import { useEffect, useState } from "preact/hooks";

export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

const DARK = "(prefers-color-scheme: dark)";

/** "dark" or "light", following the system setting while the page is open: put it in a
 * chart effect's dependencies so the chart is drawn again in the new colours. */
export function useColorScheme(): "dark" | "light" {
  const query = typeof matchMedia === "function" ? matchMedia(DARK) : null;
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const change = () => setDark(query.matches);
    query.addEventListener("change", change);
    change();
    return () => query.removeEventListener("change", change);
  }, []);
  return dark ? "dark" : "light";
}
