/**
 * plotly.js, loaded on first use so that the extension's entry chunk stays small. Only the
 * cartesian partial bundle (heatmap, scatter, bar) is shipped, not the full library.
 */
import type * as PlotlyTypes from "plotly.js";

export type Plotly = typeof PlotlyTypes;
let loading: Promise<Plotly> | null = null;
/** plotly once loaded: a graph exists only after that, so purging needs no wait. */
let loaded: Plotly | null = null;

export function loadPlotly(): Promise<Plotly> {
  loading ??= import("plotly.js-cartesian-dist-min").then((m) => (loaded = (m as { default?: Plotly }).default ?? (m as unknown as Plotly)));
  return loading;
}

/** What was attached to a graph beyond plotly's own state (an observer), undone when it is purged. */
const cleanups = new WeakMap<Element, (() => void)[]>();

/** Runs `cleanup` when the graph `gd` is purged (see purgeGraphs). */
export function onPurge(gd: Element, cleanup: () => void): void {
  cleanups.set(gd, [...(cleanups.get(gd) ?? []), cleanup]);
}

/** The plotly graphs inside `root` (root included). */
export function graphsIn(root: Element): HTMLElement[] {
  const inside = Array.from(root.querySelectorAll<HTMLElement>(".js-plotly-plot"));
  return root.classList.contains("js-plotly-plot") ? [root as HTMLElement, ...inside] : inside;
}

/** Ends graphs: plotly's state and event listeners (Plotly.purge) and whatever onPurge attached. */
export function purgeGraphs(graphs: readonly HTMLElement[]): void {
  for (const gd of graphs) {
    for (const cleanup of cleanups.get(gd) ?? []) cleanup();
    cleanups.delete(gd);
    loaded?.purge(gd);
  }
}

/** Ends every graph inside `root` (before its elements are thrown away). */
export function purgePlots(root: Element): void {
  purgeGraphs(graphsIn(root));
}

/** Plotly interprets a few HTML-like tags in labels; escaping makes every payload string plain text. */
export function plain(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Colours from JupyterLab's theme variables, so plots read in light and dark themes. */
export function themeColors(node: HTMLElement): { font: string; grid: string; background: string } {
  const style = getComputedStyle(node);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return {
    font: v("--jp-ui-font-color1", "#333"),
    grid: v("--jp-border-color2", "#ddd"),
    background: v("--jp-layout-color0", "#fff"),
  };
}
