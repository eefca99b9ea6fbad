/**
 * Attention weights as a heatmap: row t is query position t, column s is key position s, the
 * colour is A[t][s] on the sequential scale of [0, 1]. For a classifier that answers at the
 * last position, the bottom row shows where the answer was looked up.
 *
 *   const [y, weights] = attention.forward(x);
 *   plot.attention(weights, { tokens });
 */
import { ShapeError, fmtShape } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { emit, fmtOrGap, textTable } from "./emit.js";
import { checkBatch, downsampleNote, finiteOrNull, keptSteps, label, stepLabels } from "./sample.js";
import type { AttentionPlot } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { figure, heatmap } from "./svg.js";

export interface AttentionOptions extends ShowOptions {
  /** One label per position (default "t=0", …). */
  tokens?: readonly string[];
  /** Which sequence of a (B, T, T) batch (default 0). */
  batch?: number;
  title?: string;
}

/** Above this many positions the T × T map keeps evenly spaced positions only. */
const MAX_POSITIONS = 200;

/** Builds (and, in a notebook, shows) the attention map of one sequence: weights (T, T) or (B, T, T). */
export function attention(weights: Tensor, opts: AttentionOptions = {}): AttentionPlot {
  const who = "plot.attention";
  const square = weights.ndim >= 2 && weights.shape[weights.ndim - 1] === weights.shape[weights.ndim - 2];
  if ((weights.ndim !== 2 && weights.ndim !== 3) || !square) {
    throw new ShapeError(`${who}: expected attention weights (T, T) or (B, T, T), got ${fmtShape(weights.shape)}`);
  }
  const T = weights.shape[weights.ndim - 1]!;
  if (T === 0) throw new RangeError(`${who}: the sequence has 0 positions; there is nothing to draw`);
  const b = weights.ndim === 3 ? checkBatch(who, opts.batch ?? 0, weights.shape[0]!) : 0;
  const tokens = stepLabels(who, T, opts.tokens);
  const kept = keptSteps(T, MAX_POSITIONS);
  const rows = kept.map((t) => kept.map((s) => finiteOrNull(weights.data[(b * T + t) * T + s]!)));
  const outside = rows.flat().find((v) => v !== null && (v < 0 || v > 1));
  if (outside !== undefined) throw new RangeError(`${who}: attention weights are probabilities in [0, 1], got ${outside}; pass softmax outputs`);
  const payload: AttentionPlot = {
    version: 1,
    kind: "attention",
    title: opts.title !== undefined ? label(opts.title) : "Attention weights: where each position looks",
    note: downsampleNote(kept.length, T, "positions"),
    tokens: kept.map((t) => tokens[t]!),
    positions: kept,
    weights: rows,
  };
  const summary = `[seqlab plot: attention weights, ${T} × ${T} positions]`;
  return emit(who, payload, { text: attentionText(payload), svg: attentionSvg(payload) }, opts, summary);
}

/** The text view: for each query position, the position it attends to most and with what weight. */
export function attentionText(p: AttentionPlot): string {
  const rows = p.weights.map((row, k) => {
    let best = -1;
    row.forEach((v, j) => { if (v !== null && (best < 0 || v > row[best]!)) best = j; });
    return [String(p.positions[k]), p.tokens[k]!, best < 0 ? "—" : p.tokens[best]!, best < 0 ? "—" : fmtOrGap(row[best]!)];
  });
  const head = `${p.title}${p.note ? ` — ${p.note}` : ""}\nrow t = query position; each row's weights sum to 1 over all positions`;
  return `${head}\n${textTable(["t", "token", "looks most at", "weight"], rows)}`;
}

/** The static picture: keys across, queries down, on the [0, 1] sequential scale. */
export function attentionSvg(p: AttentionPlot): string {
  const byColumn = p.positions.map((_, s) => p.weights.map((row) => row[s] ?? null));
  return figure(p.title, [
    heatmap({ label: "attention weight A[t][s]", z: byColumn, zmin: 0, zmax: 1, scale: "sequential", xLabels: p.tokens, yLabels: p.tokens, xTitle: "key position s (looked at)", yTitle: "query position t", width: 320, height: 320, maxColumns: 64, maxRows: 64 }),
  ], p.note ? { subtitle: p.note } : {});
}
