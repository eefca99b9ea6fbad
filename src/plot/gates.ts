/**
 * Gate timeline: what every gate and state of a recurrent layer did at every step, as
 * heatmaps over time × hidden unit. Built from a forward pass's trace, e.g.
 *
 *   const [out, [hN, cN], trace] = lstm.forward(x, null, { trace: true });
 *   plot.gates(trace, { tokens: ["I", "like", "pizza"] });
 */
import type { Tensor } from "../tensor.js";
import type { GRUTraceEntry, LSTMTraceEntry, RNNTraceEntry } from "../nn/recurrent/trace.js";
import type { ColorScale, GatesPlot, HeatPanel } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { emit } from "./emit.js";
import { absMax, checkBatch, stepLabels, stepRows } from "./sample.js";
import { downsampleRows } from "./downsample.js";
import { figure, heatmap } from "./svg.js";

export type TraceEntry = LSTMTraceEntry | GRUTraceEntry | RNNTraceEntry;

export interface GatesOptions extends ShowOptions {
  /** Labels for the time axis, one per step (default "t=0", "t=1", …). */
  tokens?: readonly string[];
  /** Which sequence of the batch to show (default 0). */
  batch?: number;
  title?: string;
}

export interface PanelSpec {
  key: string;
  label: string;
  scale: ColorScale;
}

// The lecture's names for each quantity; gates are sequential in [0, 1], the rest diverging.
export const PANELS = {
  lstm: [
    { key: "i", label: "input gate i_t", scale: "sequential" },
    { key: "f", label: "forget gate f_t", scale: "sequential" },
    { key: "g", label: "candidate memory g_t", scale: "diverging" },
    { key: "o", label: "output gate o_t", scale: "sequential" },
    { key: "c", label: "cell state c_t", scale: "diverging" },
    { key: "h", label: "hidden state h_t", scale: "diverging" },
  ],
  gru: [
    { key: "r", label: "reset gate r_t", scale: "sequential" },
    { key: "z", label: "update gate z_t", scale: "sequential" },
    { key: "n", label: "candidate state n_t", scale: "diverging" },
    { key: "h", label: "hidden state h_t", scale: "diverging" },
  ],
  rnn: [
    { key: "pre", label: "pre-activation a_t", scale: "diverging" },
    { key: "h", label: "hidden state h_t", scale: "diverging" },
  ],
} satisfies Record<GatesPlot["cell"], PanelSpec[]>;

/** Throws in seqlab's voice unless `trace` is what forward(x, h0, { trace: true }) returned. */
export function assertTrace(who: string, trace: unknown): asserts trace is readonly TraceEntry[] {
  const entry = Array.isArray(trace) ? (trace[0] as unknown) : undefined;
  const ok = Array.isArray(trace) && (trace.length === 0 || (typeof entry === "object" && entry !== null && "h" in entry && "direction" in entry));
  if (!ok) throw new TypeError(`${who}: expected a trace (the third value of forward(x, h0, { trace: true })), got ${trace === null ? "null" : Array.isArray(trace) ? "a list of something else" : typeof trace}`);
}

export function cellOf(entry: TraceEntry): GatesPlot["cell"] {
  if ("i" in entry) return "lstm";
  if ("r" in entry) return "gru";
  return "rnn";
}

// Candidates come out of tanh, so [−1, 1] is their natural scale; states can grow (c_t, relu
// RNNs), so their scale is the largest |value| over all layers and directions of the trace:
// one colour scale per quantity, symmetric so that white always means zero.
const TANH_BOUNDED = new Set(["g", "n"]);

/**
 * Above this many steps the timeline shows bucket means of consecutive steps. Lower than the
 * other plots' MAX_PLOT_STEPS because every layer/direction carries four to six full panels.
 */
export const GATES_MAX_STEPS = 500;

/** Static pictures stay small: at most this many drawn cells over all panels of the picture. */
const SVG_CELL_BUDGET = 16_000;

/** The panels of a cell's quantities (PANELS[cell]) over the steps `steps` of sequence b, per entry. */
export function traceRows(trace: readonly TraceEntry[], cell: GatesPlot["cell"], b: number, steps: readonly number[]): (number | null)[][][][] {
  return trace.map((entry) => PANELS[cell].map((spec) => stepRows((entry as unknown as Record<string, Tensor>)[spec.key]!, b, steps)));
}

/**
 * Matrices z[entry][panel] as HeatPanels with their colour scales: gates on [0, 1], tanh outputs
 * on [−1, 1], states on ±(largest |value| over all entries), one scale per quantity.
 */
export function heatPanels(specs: readonly PanelSpec[], z: (number | null)[][][][]): HeatPanel[][] {
  const bounds = specs.map((spec, k) =>
    spec.scale === "sequential" || TANH_BOUNDED.has(spec.key) ? 1 : absMax(z.flatMap((panels) => panels[k]!)),
  );
  return z.map((panels) =>
    specs.map((spec, k): HeatPanel => ({
      key: spec.key,
      label: spec.label,
      colorScale: spec.scale,
      zmin: spec.scale === "sequential" ? 0 : -bounds[k]!,
      zmax: bounds[k]!,
      z: panels[k]!,
    })),
  );
}

/** Builds (and, in a notebook, shows) the gate timeline of a trace. Returns the payload. */
export function gates(trace: readonly TraceEntry[], opts: GatesOptions = {}): GatesPlot {
  const who = "plot.gates";
  assertTrace(who, trace);
  if (trace.length === 0) throw new Error(`${who}: the trace is empty; pass the third value returned by forward(x, h0, { trace: true })`);
  const cell = cellOf(trace[0]!);
  const [T, B, H] = trace[0]!.h.shape as [number, number, number];
  const b = checkBatch(who, opts.batch ?? 0, B);
  let tokens = stepLabels(who, T, opts.tokens);
  let z = traceRows(trace, cell, b, Array.from({ length: T }, (_, t) => t));
  // Long sequences: each column becomes the mean of a bucket of consecutive steps, labelled
  // by the range of steps it covers (hover in the interactive view shows the label).
  let note = "";
  if (T > GATES_MAX_STEPS) {
    const starts = downsampleRows(z[0]![0]!, GATES_MAX_STEPS).starts;
    z = z.map((panels) => panels.map((rows) => downsampleRows(rows, GATES_MAX_STEPS).z));
    tokens = starts.map((from, k) => `t=${from}–${(starts[k + 1] ?? T) - 1}`);
    note = ` (downsampled from ${T} steps)`;
  }
  if (T === 0) note = " (empty sequence: no steps)";
  const panels = heatPanels(PANELS[cell], z);
  const payload: GatesPlot = {
    version: 1,
    kind: "gates",
    title: (opts.title ?? `${cell.toUpperCase()} gates and states over time`) + note,
    cell,
    tokens,
    units: H,
    entries: trace.map((entry, e) => ({ layer: entry.layer, direction: entry.direction, panels: panels[e]! })),
  };
  const layers = payload.entries.length === 1 ? "1 layer/direction" : `${payload.entries.length} layer/directions`;
  const summary = `[seqlab plot: ${cell.toUpperCase()} gates, ${T} steps × ${H} units, ${layers}]`;
  return emit(who, payload, { text: gatesText(payload), svg: gatesSvg(payload) }, opts, summary);
}

/**
 * The static picture: every panel of the first layer/direction as a heatmap (time across, unit
 * down), averaged down so the whole picture stays within SVG_CELL_BUDGET cells.
 */
export function gatesSvg(p: GatesPlot): string {
  const entry = p.entries[0]!;
  const steps = p.tokens.length;
  const rows = Math.min(p.units, 32);
  const perPanel = Math.floor(SVG_CELL_BUDGET / entry.panels.length);
  const columns = Math.max(1, Math.min(200, steps, Math.floor(perPanel / Math.max(1, rows))));
  const panels = entry.panels.map((q) =>
    heatmap({
      label: q.label, z: q.z, zmin: q.zmin, zmax: q.zmax, scale: q.colorScale, xLabels: p.tokens,
      xTitle: "time step", yTitle: "unit", maxColumns: columns, maxRows: rows,
    }),
  );
  const more = p.entries.length > 1 ? `; ${p.entries.length - 1} more layer/direction entries in the interactive view` : "";
  const shrunk = columns < steps || rows < p.units ? `; picture averaged to ${Math.min(columns, steps)} steps × ${rows} units` : "";
  return figure(p.title, panels, { subtitle: `layer ${entry.layer}, ${entry.direction}: ${steps} steps × ${p.units} units${shrunk}${more}` });
}

/** The text/plain fallback: per step, the mean of each panel over the units. */
export function gatesText(p: GatesPlot): string {
  if (p.tokens.length === 0) return `${p.title} — nothing to show: the sequence has no steps`;
  const entry = p.entries[0]!;
  // A terminal line holds about 24 columns; the rest is in the pictures.
  const shown = p.tokens.slice(0, TEXT_STEPS);
  const width = Math.max(8, ...shown.map((t) => Math.min(t.length, 15) + 1));
  const pad = (s: string): string => s.slice(0, width - 1).padStart(width);
  const lines = [`${p.title} — layer ${entry.layer}, ${entry.direction}; ${p.tokens.length} steps × ${p.units} units (mean over units)`];
  const labelWidth = Math.max(...entry.panels.map((q) => q.key.length)) + 2;
  lines.push(" ".repeat(labelWidth) + shown.map(pad).join(""));
  for (const q of entry.panels) {
    const means = q.z.slice(0, TEXT_STEPS).map((row) => {
      const vals = row.filter((v): v is number => v !== null);
      return vals.length ? (vals.reduce((a, v) => a + v, 0) / vals.length).toFixed(3) : "—";
    });
    lines.push(q.key.padEnd(labelWidth) + means.map(pad).join(""));
  }
  if (p.tokens.length > TEXT_STEPS) lines.push(`(first ${TEXT_STEPS} of ${p.tokens.length} steps)`);
  if (p.entries.length > 1) lines.push(`(+ ${p.entries.length - 1} more layer/direction entries in the interactive view)`);
  return lines.join("\n");
}

const TEXT_STEPS = 24;
