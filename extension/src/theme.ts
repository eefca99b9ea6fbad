/**
 * Plotly bakes text and grid colours into its SVG when it draws, so a theme switch (Settings →
 * Theme) would leave them in the old theme's colours. This re-applies the theme's colours to
 * every plotly graph in `host` when JupyterLab changes theme (it sets data-jp-theme-name on
 * <body>). Plain SVG drawings need nothing: they use currentColor.
 */
import { loadPlotly, themeColors } from "./plotly.js";

export function followTheme(host: HTMLElement): void {
  const observer = new MutationObserver(async () => {
    if (!host.isConnected) return observer.disconnect();
    const Plotly = await loadPlotly();
    const colors = themeColors(host);
    for (const graph of Array.from(host.querySelectorAll<HTMLElement>(".js-plotly-plot"))) {
      const layout = (graph as unknown as { layout?: Record<string, unknown> }).layout ?? {};
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
}
