/**
 * plotly.js, loaded on first use so that the extension's entry chunk stays small. Only the
 * cartesian partial bundle (heatmap, scatter, bar) is shipped, not the full library.
 */
import type * as PlotlyTypes from "plotly.js";

export type Plotly = typeof PlotlyTypes;
let loading: Promise<Plotly> | null = null;

export function loadPlotly(): Promise<Plotly> {
  loading ??= import("plotly.js-cartesian-dist-min").then((m) => ((m as { default?: Plotly }).default ?? (m as unknown as Plotly)));
  return loading;
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
