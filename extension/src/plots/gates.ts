/**
 * Gate timeline: one heatmap per gate and state (time across, hidden unit down), with a
 * layer/direction selector when the model has several.
 */
import type { Datum } from "plotly.js";
import { COLOR_STOPS, type GatesPlot, type HeatPanel } from "seqlab/schema";
import { loadPlotly, plain, themeColors } from "../plotly.js";
import { colorbarTicks, header, hoverAtPointer } from "./common.js";

export async function drawGates(host: HTMLElement, plot: GatesPlot): Promise<void> {
  const Plotly = await loadPlotly();
  header(host, plot.title, "");

  const grid = document.createElement("div");
  grid.className = "seqlab-grid";

  if (plot.entries.length > 1) {
    const select = document.createElement("select");
    select.className = "seqlab-select";
    select.setAttribute("aria-label", "layer and direction");
    plot.entries.forEach((e, k) => {
      const option = document.createElement("option");
      option.value = String(k);
      option.textContent = `layer ${e.layer}, ${e.direction}`;
      select.appendChild(option);
    });
    select.addEventListener("change", () => void drawEntry(Number(select.value)));
    host.appendChild(select);
  }
  host.appendChild(grid);

  const steps = plot.tokens.length;
  const tickvals = plot.tokens.map((_, t) => t);
  // Long labels would push neighbours off the axis; the hover still shows step and value.
  const hoverTokens = plot.tokens.map((token, t) => `${t}: ${plain(token)}`);
  // At most ~30 labelled ticks: plotly measures every tick label, and a thousand rotated labels
  // cost seconds per panel (the hover names every step anyway).
  const stride = Math.max(1, Math.ceil(steps / 30));
  const shownTicks = tickvals.filter((t) => t % stride === 0);
  const ticktext = shownTicks.map((t) => plain(plot.tokens[t]!.length > 14 ? `${plot.tokens[t]!.slice(0, 13)}…` : plot.tokens[t]!));

  async function drawPanel(div: HTMLElement, panel: HeatPanel): Promise<void> {
    const colors = themeColors(host);
    // z is drawn unit × time: transpose the [t][unit] matrix.
    const z = Array.from({ length: plot.units }, (_, u) => panel.z.map((row) => row[u] ?? null));
    // The hover names the token of the column (as plain text).
    const tokenOf = Array.from({ length: plot.units }, () => hoverTokens);
    const gd = await Plotly.react(
      div,
      [{
        type: "heatmap",
        z,
        x: tickvals,
        customdata: tokenOf as unknown as Datum[][],
        zmin: panel.zmin,
        zmax: panel.zmax,
        colorscale: COLOR_STOPS[panel.colorScale] as [number, string][],
        hovertemplate: `${plain(panel.key)} at t=%{customdata}<br>unit %{y}<br>value %{z:.4f}<extra></extra>`,
        hoverongaps: false,
        colorbar: { thickness: 10, len: 1, tickfont: { size: 10 }, ...colorbarTicks(panel.zmin, panel.zmax, panel.colorScale) },
      }],
      {
        title: { text: plain(panel.label), font: { size: 13 } },
        width: 360,
        height: 110 + Math.min(240, Math.max(50, 16 * plot.units)),
        margin: { l: 44, r: 8, t: 34, b: 44 },
        paper_bgcolor: "rgba(0,0,0,0)",
        plot_bgcolor: "rgba(0,0,0,0)",
        font: { color: colors.font, size: 11 },
        xaxis: { tickvals: shownTicks, ticktext, title: { text: steps ? "time step" : "" }, tickangle: steps > 12 ? -45 : 0 },
        yaxis: { title: { text: "unit" }, autorange: "reversed", dtick: plot.units > 16 ? undefined : 1 },
      },
      { displayModeBar: false, responsive: false },
    );
    hoverAtPointer(gd);
  }

  async function drawEntry(index: number): Promise<void> {
    const entry = plot.entries[index]!;
    for (const div of Array.from(grid.children)) Plotly.purge(div as HTMLElement);
    grid.replaceChildren();
    for (const panel of entry.panels) {
      const div = document.createElement("div");
      div.className = "seqlab-panel";
      div.dataset.key = panel.key;
      grid.appendChild(div);
      await drawPanel(div, panel);
    }
  }

  await drawEntry(0);
}
