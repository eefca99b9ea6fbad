/** A weight matrix as a diverging heatmap; gate blocks (i, f, g, o / r, z, n) marked by lines and labels. */
import type { Annotations, Data, Datum, Shape } from "plotly.js";
import type { WeightsPlot } from "seqlab/schema";
import { loadPlotly, plain, themeColors } from "../plotly.js";
import { colorbarTicks, CONFIG, DIVERGING, header, hoverAtPointer, panel, themedLayout } from "./common.js";

export async function drawWeights(host: HTMLElement, plot: WeightsPlot): Promise<void> {
  const Plotly = await loadPlotly();
  header(host, plot.title, plot.note);
  const colors = themeColors(host);
  // Rows and columns are drawn at their drawn index; the hover names the original row/column.
  const rowOf = (r: number): string => {
    const start = plot.rowStarts[r]!;
    const block = plot.blocks.find((b) => start >= b.start && start < b.end);
    return block ? `${start} (${block.label}, unit ${start - block.start})` : String(start);
  };
  const custom = plot.z.map((row, r) => row.map((_, c) => `row ${rowOf(r)}, column ${plot.colStarts[c]}`));
  const trace: Data = {
    type: "heatmap",
    z: plot.z,
    customdata: custom as unknown as Datum[][],
    zmin: -plot.zmax,
    zmax: plot.zmax,
    colorscale: DIVERGING,
    hoverongaps: false,
    // Horizontal, under the axis: the right margin holds the block labels.
    colorbar: { orientation: "h", thickness: 8, len: 0.6, y: -0.22, yanchor: "top", title: { text: "weight", side: "top" }, ...colorbarTicks(-plot.zmax, plot.zmax, "diverging") },
    hovertemplate: `${plain(plot.name)}<br>%{customdata}<br>value %{z:.4f}<extra></extra>`,
  };
  // Block boundaries in drawn-row coordinates.
  const drawnRow = (orig: number): number => {
    const k = plot.rowStarts.findIndex((s) => s >= orig);
    return (k < 0 ? plot.rowStarts.length : k) - 0.5;
  };
  const cols = plot.colStarts.length;
  const shapes: Partial<Shape>[] = plot.blocks.slice(1).map((b) => ({
    type: "line", xref: "x", yref: "y", x0: -0.5, x1: cols - 0.5, y0: drawnRow(b.start), y1: drawnRow(b.start),
    line: { color: colors.font, width: 1.5 },
  }));
  const annotations: Partial<Annotations>[] = plot.blocks.map((b) => ({
    xref: "paper", yref: "y", x: 1.0, xanchor: "left", y: (drawnRow(b.start) + drawnRow(b.end)) / 2,
    text: plain(b.label), showarrow: false, font: { color: colors.font, size: 11 },
  }));
  const height = Math.min(760, Math.max(260, 140 + 8 * plot.z.length));
  const layout = themedLayout(host, { xTitle: plot.colTitle, yTitle: plot.rowTitle, width: Math.min(760, Math.max(360, 200 + 10 * cols)), height });
  layout.yaxis = { ...layout.yaxis, autorange: "reversed" };
  layout.margin = { l: 56, r: plot.blocks.length ? 120 : 12, t: 10, b: 110 };
  layout.shapes = shapes;
  layout.annotations = annotations;
  hoverAtPointer(await Plotly.react(panel(host, "weights"), [trace], layout, CONFIG));
}
