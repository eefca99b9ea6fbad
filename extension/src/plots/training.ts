/**
 * Training curves: one plotly panel per metric, a line per run, hyperparameters in the legend
 * and the hover. In live mode the kernel replaces the output many times a second; JupyterLab then
 * calls renderModel again on the same widget, so the panels of the previous draw are kept (per
 * host) and updated with Plotly.react instead of being rebuilt.
 */
import type { Data } from "plotly.js";
import type { TrainingMetric, TrainingPlot } from "seqlab/schema";
import { loadPlotly, plain } from "../plotly.js";
import { CONFIG, panel, seriesColor, themedLayout } from "./common.js";

interface Drawn {
  root: HTMLElement;
  title: HTMLElement;
  note: HTMLElement;
  progress: HTMLElement;
  panels: Map<TrainingMetric, HTMLElement>;
  metrics: string;
}

const DRAWN = new WeakMap<HTMLElement, Drawn>();

function hpText(hp: Record<string, number | string>): string {
  return Object.entries(hp).map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : v}`).join(", ");
}

function build(host: HTMLElement, plot: TrainingPlot): Drawn {
  const root = document.createElement("div");
  root.className = "seqlab-training";
  const title = document.createElement("div");
  title.className = "seqlab-title";
  const note = document.createElement("div");
  note.className = "seqlab-note";
  const progress = document.createElement("div");
  progress.className = "seqlab-progress";
  progress.setAttribute("role", "status");
  const grid = document.createElement("div");
  grid.className = "seqlab-grid";
  root.append(title, note, progress, grid);
  const panels = new Map(plot.metrics.map((m) => [m, panel(grid, m)] as const));
  return { root, title, note, progress, panels, metrics: plot.metrics.join() };
}

export async function drawTraining(host: HTMLElement, plot: TrainingPlot): Promise<void> {
  const Plotly = await loadPlotly();
  let drawn = DRAWN.get(host);
  if (!drawn || drawn.metrics !== plot.metrics.join()) {
    drawn = build(host, plot);
    DRAWN.set(host, drawn);
  }
  // The renderer emptied the host; put the kept panels (and their plotly state) back.
  if (drawn.root.parentElement !== host) host.appendChild(drawn.root);
  drawn.title.textContent = plot.title;
  drawn.note.textContent = plot.note;
  drawn.note.hidden = !plot.note;
  drawn.progress.textContent = plot.progress?.line ?? "";
  drawn.progress.hidden = !plot.progress;
  drawn.root.dataset.renders = String(Number(drawn.root.dataset.renders ?? 0) + 1);

  for (const [k, metric] of plot.metrics.entries()) {
    // One panel per task: a panel with many runs takes tens of ms to draw, and two in one task
    // would hold a frame for all of them (the playground redraws while it trains).
    if (k > 0) await new Promise((next) => requestAnimationFrame(next));
    const traces: Data[] = plot.runs.flatMap((run, k) => {
      const y = run[metric];
      if (!y) return [];
      const hp = hpText(run.hyperparameters);
      const name = plain(hp ? `${run.name} (${hp})` : run.name);
      return [{
        type: "scatter",
        mode: run.steps.length <= 40 ? "lines+markers" : "lines",
        name,
        x: run.steps,
        y,
        connectgaps: false,
        line: { width: 2, color: seriesColor(k) },
        hovertemplate: `${plain(run.name)}<br>${plain(hp || "no hyperparameters given")}<br>step %{x}<br>${metric} %{y:.4f}<extra></extra>`,
      } satisfies Data];
    });
    const layout = themedLayout(host, { title: metric, xTitle: "training step", width: 460, height: 320 });
    if (metric === "perplexity") layout.yaxis = { ...layout.yaxis, type: "log" };
    if (metric === "accuracy") layout.yaxis = { ...layout.yaxis, range: [0, 1.02] };
    layout.showlegend = true;
    layout.legend = { orientation: "h", y: -0.25 };
    layout.height = 320 + 18 * plot.runs.length;
    layout.margin = { ...layout.margin, b: 48 + 18 * plot.runs.length };
    await Plotly.react(drawn.panels.get(metric)!, traces, layout, CONFIG);
  }
}
