/**
 * Bidirectional view: at every token, what the left-to-right pass has read so far (h_fwd) and
 * what the right-to-left pass has read from the end back to here (h_bwd), and the vector the
 * next layer actually gets, their concatenation [h_fwd ; h_bwd].
 *
 *   const birnn = new GRU({ inputSize, hiddenSize, bidirectional: true });
 *   const [, , trace] = birnn.forward(x, null, { trace: true });
 *   plot.bidirectional(trace, { tokens });
 */
import { emit, fmtOrGap, textTable } from "./emit.js";
import { assertTrace, cellOf, type TraceEntry } from "./gates.js";
import { absMax, checkBatch, label, downsampleNote, keptSteps, stepLabels, stepRows } from "./sample.js";
import type { BidirectionalPlot } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { traceEntry } from "./states.js";
import { figure, heatmap } from "./svg.js";

export interface BidirectionalOptions extends ShowOptions {
  /** One label per step (default "t=0", …). */
  tokens?: readonly string[];
  /** Which layer (default 0) and which sequence of the batch (default 0). */
  layer?: number;
  batch?: number;
  title?: string;
}

/** Builds (and, in a notebook, shows) forward, backward and concatenated states of one layer. */
export function bidirectional(trace: readonly TraceEntry[], opts: BidirectionalOptions = {}): BidirectionalPlot {
  const who = "plot.bidirectional";
  assertTrace(who, trace);
  const layer = opts.layer ?? 0;
  if (trace.length > 0 && !trace.some((e) => e.direction === "reverse")) {
    throw new TypeError(`${who}: the trace has no backward direction; build the model with bidirectional: true`);
  }
  const fwd = traceEntry(who, trace, layer, "forward");
  const bwd = traceEntry(who, trace, layer, "reverse");
  const [T, B, H] = fwd.h.shape as [number, number, number];
  if (T === 0) throw new RangeError(`${who}: the trace has 0 time steps; there are no states to draw`);
  const b = checkBatch(who, opts.batch ?? 0, B);
  const tokens = stepLabels(who, T, opts.tokens);
  const steps = keptSteps(T);
  const forward = stepRows(fwd.h, b, steps);
  const backward = stepRows(bwd.h, b, steps);
  const cell = cellOf(fwd);
  const payload: BidirectionalPlot = {
    version: 1,
    kind: "bidirectional",
    title: opts.title !== undefined ? label(opts.title) : `Bidirectional ${cell.toUpperCase()}, layer ${layer}: both directions at every token`,
    note: downsampleNote(steps.length, T),
    cell,
    layer,
    tokens: steps.map((t) => tokens[t]!),
    steps,
    units: H,
    // One scale for both halves, so that the colours of h_fwd and h_bwd compare.
    zmax: Math.max(absMax(forward), absMax(backward)),
    forward,
    backward,
  };
  const summary = `[seqlab plot: bidirectional ${cell.toUpperCase()} layer ${layer}, ${T} steps × (${H} forward + ${H} backward) units]`;
  return emit(who, payload, { text: bidirectionalText(payload), svg: bidirectionalSvg(payload) }, opts, summary);
}

/** ‖h‖ of a row (gaps left out). */
function norm(row: readonly (number | null)[]): number {
  return Math.sqrt(row.reduce<number>((s, v) => s + (v ?? 0) ** 2, 0));
}

/** The text view: per token, the size of each direction's state. */
export function bidirectionalText(p: BidirectionalPlot): string {
  const rows = p.steps.map((t, k) => [String(t), p.tokens[k]!, fmtOrGap(norm(p.forward[k]!)), fmtOrGap(norm(p.backward[k]!))]);
  const head = `${p.title}${p.note ? ` — ${p.note}` : ""}\nforward = read left to right up to the token; backward = read right to left down to it; the next layer gets [h_fwd ; h_bwd] (${2 * p.units} units)`;
  return `${head}\n${textTable(["t", "token", "‖h_fwd‖", "‖h_bwd‖"], rows)}`;
}

/** The three heatmaps: time across, units down; the concatenation stacks h_fwd above h_bwd. */
export function bidirectionalSvg(p: BidirectionalPlot): string {
  const common = { zmin: -p.zmax, zmax: p.zmax, scale: "diverging" as const, xLabels: p.tokens, width: 260 };
  const units = Array.from({ length: p.units }, (_, u) => String(u));
  const concat = p.forward.map((row, k) => [...row, ...p.backward[k]!]);
  return figure(p.title, [
    heatmap({ ...common, label: "forward h_fwd (→)", z: p.forward, yTitle: "unit" }),
    heatmap({ ...common, label: "backward h_bwd (←)", z: p.backward, yTitle: "unit" }),
    heatmap({
      ...common,
      label: "[h_fwd ; h_bwd]",
      z: concat,
      yTitle: "unit",
      yLabels: [...units.map((u) => `f${u}`), ...units.map((u) => `b${u}`)],
    }),
  ], { subtitle: `the next layer reads the concatenation: rows f0…f${p.units - 1} forward, b0…b${p.units - 1} backward${p.note ? `; ${p.note}` : ""}` });
}
