/**
 * Plotly bakes text and grid colours into its SVG when it draws, so a theme switch (Settings →
 * Theme) would leave them in the old theme's colours. This re-applies the theme's colours to
 * every plotly graph in `host` when JupyterLab changes theme (it sets data-jp-theme-name on
 * <body>). Plain SVG drawings need nothing: they use currentColor.
 */
import type { IDisposable } from "@lumino/disposable";
import { disposable } from "./disposable.js";
import { loadPlotly, themeColors } from "./plotly.js";

/** Watches the theme for `host` until disposed (the renderer disposes it with the output). */
export function followTheme(host: HTMLElement): IDisposable {
  const observer = new MutationObserver(async () => {
    // Out of the page for now (a notebook's windowing): nothing to measure the colours against.
    if (!host.isConnected) return;
    const Plotly = await loadPlotly();
    const colors = themeColors(host);
    for (const graph of Array.from(host.querySelectorAll<HTMLElement>(".js-plotly-plot"))) {
      const layout = (graph as unknown as { layout?: Record<string, unknown> }).layout;
      if (!layout) continue; // purged
      const update: Record<string, string> = { "font.color": colors.font };
      for (const key of Object.keys(layout)) {
        if (/^[xy]axis\d*$/.test(key)) {
          update[`${key}.gridcolor`] = colors.grid;
          update[`${key}.zerolinecolor`] = colors.grid;
        }
      }
      await Plotly.relayout(graph, update);
    }
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-name"] });
  return disposable(() => observer.disconnect());
}
