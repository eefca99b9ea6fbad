/**
 * Gradient flow: how much of the loss's gradient reaches each time step, ‖∂L/∂h_t‖, on a log
 * scale. Overlaying an RNN, an LSTM and a GRU shows vanishing gradients as a line falling off
 * to the left; a heatmap over training steps shows how that changes as the model learns.
 *
 *   loss.backward();
 *   plot.gradientFlow([{ name: "LSTM", norms: gradientNorms(trace)[0].norms }, …]);
 */
import { emit, fmtOrGap, textTable } from "./emit.js";
import { downsampleNote, keptSteps, label, MAX_PLOT_STEPS } from "./sample.js";
import type { GradientFlowPlot, GradientHeatmapPlot, GradientSeries } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { figure, heatmap, lineChart } from "./svg.js";

/** One curve: a name for the legend and ‖∂L/∂h_t‖ for t = 0 … T−1 (e.g. from `gradientNorms`). */
export interface NamedNorms {
  name: string;
  norms: readonly number[];
}

export interface GradientFlowOptions extends ShowOptions {
  title?: string;
}

export interface GradientHeatmapOptions extends ShowOptions {
  /** The training step at which each row of the history was recorded (default 0, 1, 2, …). */
  trainingSteps?: readonly number[];
  title?: string;
}

/** A norm on a log axis: zero, negative, NaN and ±Inf have no place there, so they become gaps. */
function logSafe(v: number): number | null {
  return Number.isFinite(v) && v > 0 ? v : null;
}

function gapNote(gaps: number): string {
  return gaps ? `${gaps} value${gaps === 1 ? " was" : "s were"} 0 or not finite: gaps on the log scale` : "";
}

/** ‖∂L/∂h_t‖ against t for each series, overlaid on a log y axis. */
export function gradientFlow(series: readonly NamedNorms[], opts: GradientFlowOptions = {}): GradientFlowPlot {
  const who = "plot.gradientFlow";
  if (series.length === 0) throw new RangeError(`${who}: no series; pass [{ name, norms }, …], e.g. norms from gradientNorms(trace)[0].norms`);
  let gaps = 0;
  let longest = 0;
  const out = series.map((s, k): GradientSeries => {
    if (!Array.isArray(s.norms) || s.norms.length === 0) throw new RangeError(`${who}: series ${k} (${JSON.stringify(s.name)}) has no norms`);
    longest = Math.max(longest, s.norms.length);
    const t = keptSteps(s.norms.length);
    const norms = t.map((j) => logSafe(s.norms[j]!));
    gaps += norms.filter((v) => v === null).length;
    return { name: label(s.name), t, norms };
  });
  const payload: GradientFlowPlot = {
    version: 1,
    kind: "gradients",
    view: "flow",
    title: opts.title !== undefined ? label(opts.title) : "How much gradient reaches each time step",
    note: [downsampleNote(Math.min(longest, MAX_PLOT_STEPS), longest), gapNote(gaps)].filter(Boolean).join("; "),
    series: out,
  };
  const summary = `[seqlab plot: gradient flow, ${out.length} series, up to ${longest} steps]`;
  return emit(who, payload, { text: gradientFlowText(payload), svg: gradientFlowSvg(payload) }, opts, summary);
}

/** ‖∂L/∂h_t‖ over training steps (rows of `history`) × time steps t (columns), on a log colour scale. */
export function gradientHeatmap(history: readonly (readonly number[])[], opts: GradientHeatmapOptions = {}): GradientHeatmapPlot {
  const who = "plot.gradientHeatmap";
  if (history.length === 0) throw new RangeError(`${who}: the history is empty; record gradientNorms(trace)[0].norms after some training steps`);
  const T = history[0]!.length;
  if (T === 0) throw new RangeError(`${who}: the recorded norms have 0 time steps`);
  history.forEach((row, k) => {
    if (row.length !== T) throw new RangeError(`${who}: row ${k} has ${row.length} time steps; row 0 has ${T}`);
  });
  const trainingSteps = opts.trainingSteps ? [...opts.trainingSteps] : history.map((_, k) => k);
  if (trainingSteps.length !== history.length) throw new RangeError(`${who}: ${trainingSteps.length} trainingSteps for ${history.length} rows of history`);
  const rows = keptSteps(history.length);
  const t = keptSteps(T);
  const z = rows.map((r) => t.map((j) => logSafe(history[r]![j]!)));
  const gaps = z.flat().filter((v) => v === null).length;
  const payload: GradientHeatmapPlot = {
    version: 1,
    kind: "gradients",
    view: "heatmap",
    title: opts.title !== undefined ? label(opts.title) : "Gradient reaching each time step, during training",
    note: [downsampleNote(rows.length, history.length, "training steps"), downsampleNote(t.length, T), gapNote(gaps)].filter(Boolean).join("; "),
    t,
    trainingSteps: rows.map((r) => trainingSteps[r]!),
    z,
  };
  const summary = `[seqlab plot: gradient heatmap, ${history.length} training steps × ${T} time steps]`;
  return emit(who, payload, { text: gradientHeatmapText(payload), svg: gradientHeatmapSvg(payload) }, opts, summary);
}

/** The text view of the flow: one column per series, one row per time step. */
export function gradientFlowText(p: GradientFlowPlot): string {
  const longest = p.series.reduce((a, s) => (s.t.length > a.t.length ? s : a));
  const rows = longest.t.map((t, k) => [String(t), ...p.series.map((s) => fmtOrGap(s.t[k] === t ? s.norms[k]! : null))]);
  return `${[p.title, p.note].filter(Boolean).join(" — ")}\n‖∂L/∂h_t‖ per time step t\n${textTable(["t", ...p.series.map((s) => s.name)], rows)}`;
}

/** The text view of the heatmap: first and last recorded training steps. */
export function gradientHeatmapText(p: GradientHeatmapPlot): string {
  const pick = p.trainingSteps.length > 1 ? [0, p.trainingSteps.length - 1] : [0];
  const rows = p.t.map((t, k) => [String(t), ...pick.map((r) => fmtOrGap(p.z[r]![k]!))]);
  return `${[p.title, p.note].filter(Boolean).join(" — ")}\n‖∂L/∂h_t‖ per time step t\n${textTable(["t", ...pick.map((r) => `training step ${p.trainingSteps[r]}`)], rows)}`;
}

export function gradientFlowSvg(p: GradientFlowPlot): string {
  const chart = lineChart({
    label: "‖∂L/∂h_t‖ (log scale)",
    series: p.series.map((s) => ({ name: s.name, x: s.t, y: s.norms })),
    logY: true,
    xTitle: "time step t",
    yTitle: "gradient norm",
    width: 420,
  });
  return figure(p.title, [chart], { subtitle: p.note || undefined });
}

/** The heatmap in log10 units (the legend reads as powers of ten). */
export function gradientHeatmapSvg(p: GradientHeatmapPlot): string {
  const logs = p.z.flat().filter((v): v is number => v !== null).map(Math.log10);
  const zmin = logs.length ? logs.reduce((a, v) => Math.min(a, v)) : 0;
  const zmax = logs.length ? logs.reduce((a, v) => Math.max(a, v)) : 1;
  const map = heatmap({
    label: "log10 ‖∂L/∂h_t‖",
    // heatmap wants z[column][row]: columns are time steps, rows are training steps.
    z: p.t.map((_, k) => p.z.map((row) => (row[k] === null ? null : Math.log10(row[k]!)))),
    zmin,
    zmax: zmax > zmin ? zmax : zmin + 1,
    scale: "sequential",
    xLabels: p.t.map(String),
    yLabels: p.trainingSteps.map(String),
    xTitle: "time step t",
    yTitle: "training step",
    width: 420,
  });
  return figure(p.title, [map], { subtitle: p.note || undefined });
}
