/**
 * Gate saturation (Karpathy et al. 2015, fig. 3): one scatter per gate, a point per unit at
 * (fraction left-saturated, fraction right-saturated), with the line left + right = 1 that no
 * unit can cross.
 */
import type { Data } from "plotly.js";
import type { SaturationPlot } from "seqlab/schema";
import { loadPlotly, plain, purgePlots } from "../plotly.js";
import { CONFIG, grid, header, panel, selectBox, seriesColor, themedLayout } from "./common.js";

export async function drawSaturation(host: HTMLElement, plot: SaturationPlot): Promise<void> {
  const Plotly = await loadPlotly();
  const [low, high] = plot.threshold;
  header(host, plot.title, `fraction of ${plot.samples} steps each unit spent below ${low} (left) or above ${high} (right)`);
  if (plot.entries.length > 1) {
    selectBox(host, "layer and direction", plot.entries.map((e) => `layer ${e.layer}, ${e.direction}`), (k) => void drawEntry(k));
  }
  const g = grid(host);

  async function drawEntry(index: number): Promise<void> {
    purgePlots(g);
    g.replaceChildren();
    const entry = plot.entries[index]!;
    for (const [k, gate] of entry.gates.entries()) {
      const units = gate.left.map((_, u) => u);
      const traces: Data[] = [
        {
          type: "scatter",
          mode: "lines",
          x: [0, 1],
          y: [1, 0],
          line: { dash: "dot", width: 1, color: "rgba(128,128,128,0.8)" },
          hoverinfo: "skip",
          name: "left + right = 1",
        },
        {
          type: "scatter",
          mode: "markers",
          x: gate.left,
          y: gate.right,
          customdata: units,
          marker: { size: 7, color: seriesColor(k), opacity: 0.8 },
          name: plain(gate.label),
          hovertemplate: `${plain(gate.label)}, unit %{customdata}<br>left-saturated %{x:.2f}<br>right-saturated %{y:.2f}<extra></extra>`,
        },
      ];
      const layout = themedLayout(host, {
        title: gate.label,
        xTitle: `fraction left-saturated (< ${low})`,
        yTitle: `fraction right-saturated (> ${high})`,
        width: 320,
        height: 320,
      });
      layout.showlegend = false;
      layout.xaxis = { ...layout.xaxis, range: [-0.03, 1.03], dtick: 0.25 };
      layout.yaxis = { ...layout.yaxis, range: [-0.03, 1.03], dtick: 0.25 };
      await Plotly.react(panel(g, gate.key), traces, layout, CONFIG);
    }
  }

  await drawEntry(0);
}
