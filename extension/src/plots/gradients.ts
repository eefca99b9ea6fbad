/** Gradient flow: norms against t on a log axis (several models), or a log-coloured heatmap over training. */
import type { Data, Datum } from "plotly.js";
import type { GradientFlowPlot, GradientHeatmapPlot, GradientsPlot } from "seqlab/schema";
import { loadPlotly, plain } from "../plotly.js";
import { CONFIG, header, hoverAtPointer, panel, seriesColor, SEQUENTIAL, themedLayout } from "./common.js";

export async function drawGradients(host: HTMLElement, plot: GradientsPlot): Promise<void> {
  header(host, plot.title, plot.note);
  if (plot.view === "flow") await drawFlow(host, plot);
  else await drawHeatmap(host, plot);
}

async function drawFlow(host: HTMLElement, plot: GradientFlowPlot): Promise<void> {
  const Plotly = await loadPlotly();
  const traces: Data[] = plot.series.map((s, k) => ({
    type: "scatter",
    mode: s.t.length <= 60 ? "lines+markers" : "lines",
    name: plain(s.name),
    x: s.t,
    y: s.norms,
    connectgaps: false,
    line: { width: 2, color: seriesColor(k) },
    hovertemplate: `${plain(s.name)}<br>t=%{x}<br>‖∂L/∂h_t‖ = %{y:.3e}<extra></extra>`,
  }));
  const layout = themedLayout(host, { xTitle: "time step t", yTitle: "‖∂L/∂h_t‖ (log scale)", width: 620, height: 380 });
  layout.yaxis = { ...layout.yaxis, type: "log", exponentformat: "power" };
  await Plotly.react(panel(host, "flow"), traces, layout, CONFIG);
}

async function drawHeatmap(host: HTMLElement, plot: GradientHeatmapPlot): Promise<void> {
  const Plotly = await loadPlotly();
  // Colour by log10 of the norm; the hover shows the norm itself.
  const logs = plot.z.map((row) => row.map((v) => (v === null ? null : Math.log10(v))));
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of logs) for (const v of row) if (v !== null) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (!(hi >= lo)) [lo, hi] = [0, 1];
  const tickvals: number[] = [];
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) tickvals.push(e);
  const trace: Data = {
    type: "heatmap",
    z: logs,
    x: plot.t,
    y: plot.trainingSteps,
    customdata: plot.z as unknown as Datum[][],
    zmin: lo,
    zmax: hi > lo ? hi : lo + 1,
    colorscale: SEQUENTIAL,
    hoverongaps: false,
    colorbar: { title: { text: "‖∂L/∂h_t‖" }, thickness: 10, tickvals, ticktext: tickvals.map((e) => `1e${e}`) },
    hovertemplate: "training step %{y}, t=%{x}<br>‖∂L/∂h_t‖ = %{customdata:.3e}<extra></extra>",
  };
  const layout = themedLayout(host, { xTitle: "time step t", yTitle: "training step", width: 620, height: 380 });
  hoverAtPointer(await Plotly.react(panel(host, "heatmap"), [trace], layout, CONFIG));
}
