/**
 * Attention weights: one heatmap, keys across, queries down (the first position at the top),
 * on the sequential [0, 1] scale; the hover names both tokens and the weight.
 */
import type { Data, Datum } from "plotly.js";
import type { AttentionPlot } from "seqlab/schema";
import { loadPlotly, plain } from "../plotly.js";
import { CONFIG, header, hoverAtPointer, panel, SEQUENTIAL, themedLayout, tickLabels } from "./common.js";

export async function drawAttention(host: HTMLElement, plot: AttentionPlot): Promise<void> {
  const Plotly = await loadPlotly();
  header(host, plot.title, plot.note);
  const n = plot.tokens.length;
  const idx = plot.tokens.map((_, k) => k);
  // customdata[t][s] = [query token, key token], plain text for the hover.
  const names: Datum[][][] = plot.tokens.map((q) => plot.tokens.map((k) => [plain(q), plain(k)]));
  const trace: Data = {
    type: "heatmap",
    x: idx,
    y: idx,
    z: plot.weights,
    zmin: 0,
    zmax: 1,
    colorscale: SEQUENTIAL,
    hoverongaps: false,
    customdata: names as unknown as Datum[][],
    hovertemplate: "query %{customdata[0]} → key %{customdata[1]}<br>weight %{z:.3f}<extra></extra>",
    colorbar: { thickness: 10, title: { text: "weight" } },
  };
  const side = Math.min(640, Math.max(240, 22 * n));
  const layout = themedLayout(host, { xTitle: "key position s (looked at)", yTitle: "query position t", width: side + 160, height: side + 90 });
  const ticks = { tickvals: idx, ticktext: tickLabels(plot.tokens), tickangle: n > 12 ? -45 : 0 };
  layout.xaxis = { ...layout.xaxis, ...ticks };
  layout.yaxis = { ...layout.yaxis, ...ticks, tickangle: 0, autorange: "reversed" };
  layout.margin = { l: 90, r: 20, t: 10, b: 80 };
  hoverAtPointer(await Plotly.react(panel(host, "attention"), [trace], layout, CONFIG));
}
