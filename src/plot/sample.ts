/**
 * What the trace-based plots share: which steps of a long sequence they keep, the time-axis
 * labels, and numbers made safe for JSON (NaN and ±Inf become null, which every renderer draws
 * as a gap).
 */
import type { Tensor } from "../tensor.js";
import { LIMITS } from "./schema/common.js";

/** Above this many steps a plot keeps evenly spaced steps only (and says so in its note). */
export const MAX_PLOT_STEPS = 1000;

/** A JSON-safe number: NaN and ±Inf would not survive JSON.stringify, so they become gaps. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** Evenly spaced step indices 0 … T−1, at most `max` of them, always the first and the last. */
export function keptSteps(T: number, max = MAX_PLOT_STEPS): number[] {
  if (T <= max) return Array.from({ length: T }, (_, t) => t);
  return Array.from({ length: max }, (_, k) => Math.round((k * (T - 1)) / (max - 1)));
}

/** The sentence a downsampled plot shows under its title ("" when every step is kept). */
export function downsampleNote(kept: number, total: number, what = "steps"): string {
  return kept === total ? "" : `showing ${kept} evenly spaced of ${total} ${what}`;
}

/** A caller's label as the schema accepts it: at most LIMITS.maxLabelLength characters (cut with "…"). */
export function label(text: string): string {
  const s = String(text);
  return s.length > LIMITS.maxLabelLength ? `${s.slice(0, LIMITS.maxLabelLength - 1)}…` : s;
}

/** One label per step: the caller's tokens (checked against T) or "t=0", "t=1", … */
export function stepLabels(who: string, T: number, tokens?: readonly string[]): string[] {
  if (!tokens) return Array.from({ length: T }, (_, t) => `t=${t}`);
  if (tokens.length !== T) throw new RangeError(`${who}: ${tokens.length} tokens for ${T} time steps; give one label per step`);
  return tokens.map(label);
}

/** The batch index a plot shows, checked against the B sequences a trace holds. */
export function checkBatch(who: string, batch: number, B: number): number {
  if (!Number.isInteger(batch) || batch < 0 || batch >= B) throw new RangeError(`${who}: batch ${batch} is out of range; the trace holds ${B} sequences`);
  return batch;
}

/** Rows `steps` of sequence b of a (T, B, H) trace tensor, as z[row][unit] with gaps for NaN/Inf. */
export function stepRows(t: Tensor, b: number, steps: readonly number[]): (number | null)[][] {
  const [, B, H] = t.shape as [number, number, number];
  return steps.map((s) => Array.from({ length: H }, (_, u) => finiteOrNull(t.data[(s * B + b) * H + u]!)));
}

/** The largest |value| (1 when all are zero or missing): the half-width of a symmetric colour scale. */
export function absMax(rows: readonly (readonly (number | null)[])[]): number {
  let m = 0;
  for (const row of rows) for (const v of row) if (v !== null) m = Math.max(m, Math.abs(v));
  return m === 0 ? 1 : m;
}
