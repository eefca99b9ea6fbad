/**
 * Gate timeline: one heatmap per gate and state (time across, hidden unit down), with a
 * layer/direction selector when the model has several.
 */
import type { Datum } from "plotly.js";
import { type GatesPlot, type HeatPanel } from "seqlab/schema";
import { COLOR_STOPS } from "seqlab/drawing";
import { loadPlotly, plain, purgePlots } from "../plotly.js";
import { colorbarTicks, CONFIG, grid, header, hoverAtPointer, panel, selectBox, themedLayout, tickLabels } from "./common.js";

/** At most ~30 labelled ticks: plotly measures every tick label, and a thousand rotated labels cost seconds per panel (the hover names every step anyway). */
const MAX_TICKS = 30;

export async function drawGates(host: HTMLElement, plot: GatesPlot): Promise<void> {
  const Plotly = await loadPlotly();
  header(host, plot.title, "");
  if (plot.entries.length > 1) {
    selectBox(host, "layer and direction", plot.entries.map((e) => `layer ${e.layer}, ${e.direction}`), (k) => void drawEntry(k));
  }
  const g = grid(host);

  const steps = plot.tokens.length;
  const tickvals = plot.tokens.map((_, t) => t);
  // Long labels would push neighbours off the axis; the hover shows the whole token.
  const hoverTokens = plot.tokens.map((token, t) => `${t}: ${plain(token)}`);
  const stride = Math.max(1, Math.ceil(steps / MAX_TICKS));
  const shownTicks = tickvals.filter((t) => t % stride === 0);
  const ticktext = tickLabels(shownTicks.map((t) => plot.tokens[t]!));

  async function drawPanel(div: HTMLElement, q: HeatPanel): Promise<void> {
    // z is drawn unit × time: transpose the [t][unit] matrix.
    const z = Array.from({ length: plot.units }, (_, u) => q.z.map((row) => row[u] ?? null));
    // The hover names the token of the column (as plain text).
    const tokenOf = Array.from({ length: plot.units }, () => hoverTokens);
    const layout = themedLayout(host, { title: q.label, xTitle: steps ? "time step" : "", yTitle: "unit", width: 360, height: 110 + Math.min(240, Math.max(50, 16 * plot.units)) });
    layout.margin = { l: 44, r: 8, t: 34, b: 44 };
    layout.xaxis = { ...layout.xaxis, tickvals: shownTicks, ticktext, tickangle: steps > 12 ? -45 : 0 };
    layout.yaxis = { ...layout.yaxis, autorange: "reversed", dtick: plot.units > 16 ? undefined : 1 };
    const gd = await Plotly.react(
      div,
      [{
        type: "heatmap",
        z,
        x: tickvals,
        customdata: tokenOf as unknown as Datum[][],
        zmin: q.zmin,
        zmax: q.zmax,
        colorscale: COLOR_STOPS[q.colorScale] as [number, string][],
        hovertemplate: `${plain(q.key)} at t=%{customdata}<br>unit %{y}<br>value %{z:.4f}<extra></extra>`,
        hoverongaps: false,
        colorbar: { thickness: 10, len: 1, tickfont: { size: 10 }, ...colorbarTicks(q.zmin, q.zmax, q.colorScale) },
      }],
      layout,
      CONFIG,
    );
    hoverAtPointer(gd);
  }

  async function drawEntry(index: number): Promise<void> {
    purgePlots(g);
    g.replaceChildren();
    for (const q of plot.entries[index]!.panels) await drawPanel(panel(g, q.key), q);
  }

  await drawEntry(0);
}
