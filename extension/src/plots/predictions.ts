/**
 * Next-token predictions: a step selector and, for the chosen step, the top-k next tokens as
 * horizontal bars, the true next token in the accent colour and labelled.
 */
import type { Data } from "plotly.js";
import type { PredictionsPlot, PredictionStep } from "seqlab/schema";
import { loadPlotly, plain } from "../plotly.js";
import { CONFIG, header, hoverAtPointer, panel, selectBox, seriesColor, themedLayout } from "./common.js";

const clip = (s: string, n = 24): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export async function drawPredictions(host: HTMLElement, plot: PredictionsPlot): Promise<void> {
  const Plotly = await loadPlotly();
  header(host, plot.title, plot.note);
  const select = selectBox(host, "time step", plot.steps.map((s) => `t=${s.t}: after “${clip(s.input)}”`), (k) => void drawStep(k));
  select.classList.add("seqlab-step");
  const context = document.createElement("div");
  context.className = "seqlab-context";
  host.appendChild(context);
  const div = panel(host, "bars");

  async function drawStep(index: number): Promise<void> {
    const step: PredictionStep = plot.steps[index]!;
    // What the model has read so far (when the steps are consecutive), the last token in bold.
    const before = plot.steps.slice(Math.max(0, index - 12), index).filter((s, j, all) => s.t === step.t - (all.length - j)).map((s) => s.input);
    const read = document.createElement("b");
    read.textContent = step.input;
    context.replaceChildren(`read: ${before.length < step.t ? "… " : ""}${before.join(" ")}${before.length ? " " : ""}`, read, " → next?");

    const bars = step.top.map((b) => ({ ...b, isTarget: step.target?.token === b.token, extra: false }));
    if (step.target && !bars.some((b) => b.isTarget)) bars.push({ token: step.target.token, p: step.target.p, isTarget: true, extra: true });
    const rows = bars.map((_, k) => k);
    const label = (b: (typeof bars)[number]): string => `${plain(clip(b.token))}${b.extra && step.target ? ` (rank ${step.target.rank})` : ""}`;
    const trace: Data = {
      type: "bar",
      orientation: "h",
      x: bars.map((b) => b.p),
      y: rows,
      customdata: bars.map((b) => plain(b.token)),
      marker: { color: bars.map((b) => (b.isTarget ? seriesColor(1) : seriesColor(0))) },
      text: bars.map((b) => `${b.p === null ? "—" : b.p.toFixed(3)}${b.isTarget ? "  ✓ true next" : ""}`),
      textposition: "outside",
      cliponaxis: false,
      hovertemplate: "next token %{customdata}<br>probability %{x:.4f}<extra></extra>",
    };
    const layout = themedLayout(host, { xTitle: "probability", width: 520, height: 90 + 34 * bars.length });
    layout.margin = { l: 120, r: 110, t: 10, b: 44 };
    layout.xaxis = { ...layout.xaxis, range: [0, 1] };
    layout.yaxis = { ...layout.yaxis, tickvals: rows, ticktext: bars.map(label), autorange: "reversed" };
    layout.showlegend = false;
    hoverAtPointer(await Plotly.react(div, [trace], layout, CONFIG));
  }

  // Open at the step the notebook is about (plot.predictions' `at`), not always at t = 0.
  const start = Math.max(0, plot.steps.findIndex((s) => s.t === plot.at));
  select.value = String(start);
  await drawStep(start);
}
