/**
 * State trajectories: what a recurrent layer remembers, step by step. h_t (and c_t for an
 * LSTM) per unit as lines over time, and the hidden states projected to 2-D by PCA, each point
 * labelled by the token just read and joined in time order, so that in "I like pizza. I like
 * cake." one sees where the two "like" states land.
 *
 *   const [, , trace] = lstm.forward(x, null, { trace: true });
 *   plot.states(trace, { tokens });
 */
import type { Direction } from "../nn/recurrent/trace.js";
import { emit, fmtOrGap, textTable } from "./emit.js";
import { assertTrace, cellOf, type TraceEntry } from "./gates.js";
import { paddedRange, pointLabel } from "./labels.js";
import { pca2 } from "./pca.js";
import { absMax, checkBatch, label, downsampleNote, keptSteps, stepLabels, stepRows } from "./sample.js";
import type { StateSeries, StatesPCA, StatesPlot } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { figure, lineChart, note, scatter, type Part } from "./svg.js";

export interface StatesOptions extends ShowOptions {
  /** Labels for the time axis and the PCA points, one per step (default "t=0", …). */
  tokens?: readonly string[];
  /** Which sequence of the batch (default 0). */
  batch?: number;
  /** Which layer (default 0) and direction (default "forward"). */
  layer?: number;
  direction?: Direction;
  /** Also draw c_t for an LSTM (default true). */
  showCell?: boolean;
  /** Lines are drawn for at most this many units, the first ones (default 32); PCA uses all. */
  maxUnits?: number;
  title?: string;
}

/** Finds the trace entry of one layer and direction, or says which ones there are. */
export function traceEntry(who: string, trace: readonly TraceEntry[], layer: number, direction: Direction): TraceEntry {
  if (trace.length === 0) throw new Error(`${who}: the trace is empty; pass the third value returned by forward(x, h0, { trace: true })`);
  const entry = trace.find((e) => e.layer === layer && e.direction === direction);
  if (!entry) {
    const have = trace.map((e) => `layer ${e.layer} ${e.direction}`).join(", ");
    throw new RangeError(`${who}: the trace has no layer ${layer} ${direction}; it holds ${have}`);
  }
  return entry;
}

/** One sequence through one layer and direction: what the cell and states plots read first. */
export interface SequenceView {
  entry: TraceEntry;
  cell: ReturnType<typeof cellOf>;
  T: number;
  H: number;
  /** The sequence of the batch shown. */
  b: number;
  tokens: string[];
  /** The time steps drawn (all of them, or evenly spaced ones of a long sequence). */
  steps: number[];
}

export function sequenceView(
  who: string,
  trace: readonly TraceEntry[],
  opts: { layer?: number; direction?: Direction; batch?: number; tokens?: readonly string[] },
  nothingToShow: string,
): SequenceView {
  assertTrace(who, trace);
  const entry = traceEntry(who, trace, opts.layer ?? 0, opts.direction ?? "forward");
  const [T, B, H] = entry.h.shape as [number, number, number];
  if (T === 0) throw new RangeError(`${who}: the trace has 0 time steps; ${nothingToShow}`);
  const b = checkBatch(who, opts.batch ?? 0, B);
  return { entry, cell: cellOf(entry), T, H, b, tokens: stepLabels(who, T, opts.tokens), steps: keptSteps(T) };
}

/** PCA of the rows that are entirely finite; the others get a null point. */
function projectStates(rows: (number | null)[][]): StatesPCA | null {
  const finite = rows.map((row) => row.every((v) => v !== null));
  const used = rows.filter((_, k) => finite[k]) as number[][];
  if (used.length < 2) return null;
  const { points, explained } = pca2(used);
  let j = 0;
  const xy = finite.map((ok) => (ok ? points[j++]! : null));
  return { x: xy.map((p) => p?.[0] ?? null), y: xy.map((p) => p?.[1] ?? null), explained };
}

/** Builds (and, in a notebook, shows) the state trajectories of one layer and direction. */
export function states(trace: readonly TraceEntry[], opts: StatesOptions = {}): StatesPlot {
  const who = "plot.states";
  const { entry, cell, T, H, b, tokens, steps } = sequenceView(who, trace, opts, "there are no states to draw");
  const maxUnits = opts.maxUnits ?? 32;
  const unitIds = Array.from({ length: Math.min(H, maxUnits) }, (_, u) => u);

  const hRows = stepRows(entry.h, b, steps);
  const pca = projectStates(hRows);
  const quantities: { key: "h" | "c"; label: string; rows: (number | null)[][] }[] = [{ key: "h", label: "hidden state h_t", rows: hRows }];
  if (cell === "lstm" && (opts.showCell ?? true) && "c" in entry) {
    quantities.push({ key: "c", label: "cell state c_t", rows: stepRows(entry.c, b, steps) });
  }
  const series = quantities.map((q): StateSeries => ({
    key: q.key,
    label: q.label,
    zmax: absMax(q.rows),
    z: q.rows.map((row) => unitIds.map((u) => row[u]!)),
  }));

  const notes = [downsampleNote(steps.length, T)];
  if (unitIds.length < H) notes.push(`lines for units 0–${unitIds.length - 1} of ${H} (PCA uses all)`);
  if (pca && pca.x.includes(null)) notes.push("steps with NaN/Inf states are left out of the PCA");
  const payload: StatesPlot = {
    version: 1,
    kind: "states",
    title: opts.title !== undefined ? label(opts.title) : `${cell.toUpperCase()} states over time (layer ${entry.layer}, ${entry.direction})`,
    note: notes.filter(Boolean).join("; "),
    cell,
    layer: entry.layer,
    direction: entry.direction,
    tokens: steps.map((t) => tokens[t]!),
    steps,
    unitIds,
    series,
    pca,
  };
  const summary = `[seqlab plot: ${cell.toUpperCase()} states, ${T} steps × ${H} units${pca ? `, PCA explains ${(100 * (pca.explained[0] + pca.explained[1])).toFixed(0)}%` : ""}]`;
  return emit(who, payload, { text: statesText(payload), svg: statesSvg(payload) }, opts, summary);
}

/** The text/plain view: per step, the token, ‖h_t‖ over the units shown, and the PCA point. */
export function statesText(p: StatesPlot): string {
  const h = p.series[0]!;
  const rows = p.steps.map((t, k) => {
    const vals = h.z[k]!.filter((v): v is number => v !== null);
    return [String(t), p.tokens[k]!, fmtOrGap(Math.sqrt(vals.reduce((s, v) => s + v * v, 0))), fmtOrGap(p.pca?.x[k] ?? null), fmtOrGap(p.pca?.y[k] ?? null)];
  });
  const head = [p.title, p.note].filter(Boolean).join(" — ");
  return `${head}\n${textTable(["t", "token", "‖h_t‖", "PC1", "PC2"], rows)}`;
}

function pcaTitle(pca: StatesPCA): [string, string] {
  return [`PC1 (${(100 * pca.explained[0]).toFixed(0)}% of variance)`, `PC2 (${(100 * pca.explained[1]).toFixed(0)}%)`];
}

const SVG_UNITS = 8;

/** The static picture: one line chart per state quantity and the labelled PCA scatter. */
export function statesSvg(p: StatesPlot): string {
  const parts: Part[] = p.series.map((s) =>
    lineChart({
      label: s.label,
      // A legend of more than a few units is unreadable on paper; the interactive view has them all.
      series: p.unitIds.slice(0, SVG_UNITS).map((u, k) => ({ name: `unit ${u}`, x: p.steps, y: s.z.map((row) => row[k]!) })),
      xTitle: "time step t",
      yTitle: "value",
      height: 150,
    }),
  );
  if (p.pca) {
    const pca = p.pca;
    const [xTitle, yTitle] = pcaTitle(pca);
    const points = p.steps.flatMap((_, k) => (pca.x[k] === null || pca.y[k] === null ? [] : [{ x: pca.x[k]!, y: pca.y[k]!, label: pointLabel(p.tokens[k]!) }]));
    // The path in time order, broken where a step has no point.
    const runs: [number, number][][] = [[]];
    p.steps.forEach((_, k) => {
      if (pca.x[k] === null || pca.y[k] === null) runs.push([]);
      else runs.at(-1)!.push([pca.x[k]!, pca.y[k]!]);
    });
    const lines = runs.filter((r) => r.length > 1).map((r) => ({ points: r }));
    const xRange = paddedRange(pca.x);
    const yRange = paddedRange(pca.y);
    parts.push(scatter({ label: "hidden states h_t, projected by PCA", points, xTitle, yTitle, xRange, yRange, maxLabels: 60, lines }));
  } else {
    parts.push(note("PCA needs at least two steps with finite states"));
  }
  return figure(p.title, parts, { subtitle: p.note || undefined });
}
