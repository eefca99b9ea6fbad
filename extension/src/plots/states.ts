/**
 * State trajectories: one line per unit for h_t (and c_t), and the PCA scatter of h_t with each
 * point labelled by its token and joined in time order.
 */
import type { Datum, Data } from "plotly.js";
import { type StatesPlot } from "seqlab/schema";
import { paddedRange, placeLabels, pointLabel } from "seqlab/drawing";
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
  const width = 460;
  const height = 360;
  const layout = themedLayout(host, {
    title: "hidden states h_t projected by PCA",
    xTitle: `PC1 (${(100 * pca.explained[0]).toFixed(0)}% of variance)`,
    yTitle: `PC2 (${(100 * pca.explained[1]).toFixed(0)}%)`,
    width,
    height,
  });
  layout.showlegend = false;
  // Fixed ranges and margins (no automatic margins), so the page position of every point is
  // known before drawing and the labels can be placed where they overlap nothing; the right
  // margin holds the colour bar.
  const margin = { l: 56, t: 34, b: 48, ...layout.margin, r: 72 };
  // plotly.js knows autoexpand; its typings do not.
  const fixed: typeof margin & { autoexpand: boolean } = { ...margin, autoexpand: false };
  layout.margin = fixed;
  const xRange = paddedRange(pca.x);
  const yRange = paddedRange(pca.y);
  layout.xaxis = { ...layout.xaxis, range: xRange, autorange: false };
  layout.yaxis = { ...layout.yaxis, range: yRange, autorange: false };
  const area = { width: width - margin.l - margin.r, height: height - margin.t - margin.b };
  // Text labels only while they stay readable; the hover always names the token.
  const labelled = plot.steps.length <= 60;
  const text = plot.tokens.map((t) => (labelled ? pointLabel(t) : ""));
  const geometry = { fontSize: LABEL_FONT, radius: 4 };
  const positions = placeLabels(
    pca.x.map((x, k) => ({
      x: x === null ? NaN : ((x - xRange[0]) / (xRange[1] - xRange[0])) * area.width,
      y: pca.y[k] === null ? NaN : (1 - (pca.y[k]! - yRange[0]) / (yRange[1] - yRange[0])) * area.height,
      text: text[k]!,
    })),
    area,
    geometry,
  );
  const trace: Data = {
    type: "scatter",
    mode: labelled ? "text+lines+markers" : "lines+markers",
    x: pca.x,
    y: pca.y,
    // A label that fits nowhere is left out (""); the hover reads the token from customdata.
    text: text.map((t, k) => (positions[k] ? plain(t) : "")),
    // plotly.js takes one position per point; its typings allow a single one.
    textposition: positions.map((p) => p ?? "top center") as unknown as "top center",
    textfont: { size: LABEL_FONT },
    cliponaxis: false,
    customdata: plot.steps.map((t, k) => [t, tokens[k]!]) as unknown as Datum[],
    line: { width: 1, color: "rgba(128,128,128,0.6)" },
    // Colour by time, so the order of the path reads even where it crosses itself.
    marker: { size: 8, color: plot.steps, colorscale: SEQUENTIAL, showscale: true, colorbar: { title: { text: "t" }, thickness: 10 } },
    hovertemplate: "token %{customdata[1]}<br>t=%{customdata[0]}<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
  };
  await Plotly.react(div, [trace], layout, CONFIG);
}

const LABEL_FONT = 11;
