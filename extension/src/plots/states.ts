/**
 * State trajectories: one line per unit for h_t (and c_t), and the PCA scatter of h_t with each
 * point labelled by its token and joined in time order.
 */
import type { Datum, Data } from "plotly.js";
import type { StatesPlot } from "seqlab/schema";
import { loadPlotly, plain } from "../plotly.js";
import { CONFIG, grid, header, panel, seriesColor, SEQUENTIAL, themedLayout, tickLabels } from "./common.js";

export async function drawStates(host: HTMLElement, plot: StatesPlot): Promise<void> {
  const Plotly = await loadPlotly();
  header(host, plot.title, plot.note);
  const g = grid(host);
  const tokens = plot.tokens.map(plain);
  const few = plot.steps.length <= 24;
  const xaxis = few ? { tickvals: plot.steps, ticktext: tickLabels(plot.tokens), tickangle: plot.steps.length > 12 ? -45 : 0 } : {};

  for (const s of plot.series) {
    const traces: Data[] = plot.unitIds.map((u, k) => ({
      type: "scatter",
      mode: few ? "lines+markers" : "lines",
      name: `unit ${u}`,
      x: plot.steps,
      y: s.z.map((row) => row[k] ?? null),
      customdata: tokens as Datum[],
      line: { width: 1.5, color: seriesColor(k) },
      marker: { size: 4 },
      connectgaps: false,
      hovertemplate: `${plain(s.key)}, unit ${u}<br>t=%{x}: %{customdata}<br>value %{y:.4f}<extra></extra>`,
    }));
    const layout = themedLayout(host, { title: s.label, xTitle: "time step t", yTitle: "value", width: 460, height: 300 });
    layout.xaxis = { ...layout.xaxis, ...xaxis };
    layout.yaxis = { ...layout.yaxis, range: [-s.zmax * 1.05, s.zmax * 1.05] };
    layout.showlegend = plot.unitIds.length <= 12;
    await Plotly.react(panel(g, s.key), traces, layout, CONFIG);
  }

  const div = panel(g, "pca");
  if (!plot.pca) {
    div.className = "seqlab-note";
    div.textContent = "PCA needs at least two steps with finite hidden states.";
    return;
  }
  const pca = plot.pca;
  const layout = themedLayout(host, {
    title: "hidden states h_t projected by PCA",
    xTitle: `PC1 (${(100 * pca.explained[0]).toFixed(0)}% of variance)`,
    yTitle: `PC2 (${(100 * pca.explained[1]).toFixed(0)}%)`,
    width: 460,
    height: 360,
  });
  layout.showlegend = false;
  const trace: Data = {
    type: "scatter",
    // Text labels only while they stay readable; the hover always names the token.
    mode: plot.steps.length <= 60 ? "text+lines+markers" : "lines+markers",
    x: pca.x,
    y: pca.y,
    text: tokens,
    textposition: "top center",
    customdata: plot.steps as Datum[],
    line: { width: 1, color: "rgba(128,128,128,0.6)" },
    // Colour by time, so the order of the path reads even where it crosses itself.
    marker: { size: 8, color: plot.steps, colorscale: SEQUENTIAL, showscale: true, colorbar: { title: { text: "t" }, thickness: 10 } },
    hovertemplate: "token %{text}<br>t=%{customdata}<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
  };
  await Plotly.react(div, [trace], layout, CONFIG);
}
