/**
 * Bidirectional view: h_fwd, h_bwd and [h_fwd ; h_bwd] as three heatmaps stacked on one shared
 * token axis, on one diverging colour scale; a line and labels mark the two halves of the
 * concatenation.
 */
import type { Data, Datum } from "plotly.js";
import type { BidirectionalPlot } from "seqlab/schema";
import { loadPlotly, plain } from "../plotly.js";
import { colorbarTicks, CONFIG, DIVERGING, header, hoverAtPointer, panel, themedLayout, tickLabels } from "./common.js";

export async function drawBidirectional(host: HTMLElement, plot: BidirectionalPlot): Promise<void> {
  const Plotly = await loadPlotly();
  header(host, plot.title, plot.note);
  const H = plot.units;
  const x = plot.tokens.map((_, k) => k);
  // Heatmap rows are units: transpose z[row = step][unit].
  const unitsByStep = (z: (number | null)[][]): (number | null)[][] => Array.from({ length: z[0]?.length ?? 0 }, (_, u) => z.map((row) => row[u] ?? null));
  const fwd = unitsByStep(plot.forward);
  const bwd = unitsByStep(plot.backward);
  const tokenOf = (rows: number): Datum[][] => Array.from({ length: rows }, () => plot.tokens.map(plain));
  const common = { type: "heatmap" as const, x, zmin: -plot.zmax, zmax: plot.zmax, colorscale: DIVERGING, hoverongaps: false, xaxis: "x" };
  const traces: Data[] = [
    { ...common, z: fwd, yaxis: "y3", customdata: tokenOf(H), hovertemplate: "forward, unit %{y}<br>%{customdata}<br>value %{z:.4f}<extra></extra>", colorbar: { thickness: 10, len: 0.3, y: 0.85, ...colorbarTicks(-plot.zmax, plot.zmax, "diverging") } },
    { ...common, z: bwd, yaxis: "y2", customdata: tokenOf(H), hovertemplate: "backward, unit %{y}<br>%{customdata}<br>value %{z:.4f}<extra></extra>", showscale: false },
    {
      ...common,
      z: [...fwd, ...bwd],
      yaxis: "y",
      customdata: tokenOf(2 * H),
      hovertemplate: "concatenation, row %{y}<br>%{customdata}<br>value %{z:.4f}<extra></extra>",
      showscale: false,
    },
  ];
  const unitRows = Math.min(160, Math.max(60, 10 * H));
  const height = 120 + unitRows * 4;
  const layout = themedLayout(host, { xTitle: "token", width: Math.min(1100, 260 + 34 * plot.tokens.length), height });
  // Domains from the bottom: concatenation (twice as tall), backward, forward.
  const gap = 0.07;
  const unit = (1 - 2 * gap) / 4;
  const axis = (title: string, domain: [number, number], rows: number) => ({
    ...layout.yaxis,
    title: { text: title },
    domain,
    autorange: "reversed" as const,
    dtick: rows > 16 ? undefined : 1,
  });
  layout.yaxis = { ...axis("[h_fwd ; h_bwd]", [0, 2 * unit], 2 * H) };
  layout.yaxis2 = axis("backward ←", [2 * unit + gap, 3 * unit + gap], H);
  layout.yaxis3 = axis("forward →", [3 * unit + 2 * gap, 1], H);
  layout.xaxis = { ...layout.xaxis, tickvals: x, ticktext: tickLabels(plot.tokens), tickangle: x.length > 12 ? -45 : 0 };
  layout.margin = { l: 110, r: 20, t: 20, b: 60 };
  layout.shapes = [{ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: H - 0.5, y1: H - 0.5, line: { width: 2, color: "rgba(0,0,0,0.7)" } }];
  layout.annotations = [
    { xref: "paper", yref: "y", x: 1, y: (H - 1) / 2, text: "h_fwd", showarrow: false, xanchor: "left", font: { size: 11 } },
    { xref: "paper", yref: "y", x: 1, y: H + (H - 1) / 2, text: "h_bwd", showarrow: false, xanchor: "left", font: { size: 11 } },
  ];
  layout.margin.r = 60;
  hoverAtPointer(await Plotly.react(panel(host, "bidirectional"), traces, layout, CONFIG));
}
