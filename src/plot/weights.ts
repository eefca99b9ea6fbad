/**
 * A weight matrix as a heatmap on a diverging scale, with its gate blocks labelled: PyTorch
 * stacks the gates' weights in one matrix, so weight_ih_l0 of an LSTM is rows i, f, g, o (each
 * hiddenSize rows) and of a GRU rows r, z, n.
 *
 *   plot.weights(lstm, { name: "weight_hh_l0" });
 *   plot.weights(linear.weight, { name: "decoder" });
 */
import { Module } from "../nn/module.js";
import { GRU } from "../nn/recurrent/gru.js";
import { LSTM } from "../nn/recurrent/lstm.js";
import { RNN } from "../nn/recurrent/rnn.js";
import { Tensor } from "../tensor.js";
import { downsampleRows } from "./downsample.js";
import { emit, fmtOrGap, textTable } from "./emit.js";
import { absMax, finiteOrNull } from "./sample.js";
import { MAX_WEIGHT_CELLS, type WeightBlock, type WeightsPlot } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { figure, heatmap } from "./svg.js";

export interface WeightsOptions extends ShowOptions {
  /** The parameter of a module (default: its first weight), or a name for a tensor. */
  name?: string;
  /** Gate layout of the rows, for a bare tensor (a module's is known); null for none. */
  gates?: "lstm" | "gru" | "rnn" | null;
  title?: string;
}

const GATE_BLOCKS = {
  lstm: [["i", "input gate i"], ["f", "forget gate f"], ["g", "candidate g"], ["o", "output gate o"]],
  gru: [["r", "reset gate r"], ["z", "update gate z"], ["n", "candidate n"]],
  rnn: [],
} as const;

/** Which gate layout a module's parameter has (null for non-recurrent modules). */
function gateLayout(m: Module): WeightsOptions["gates"] {
  if (m instanceof LSTM) return "lstm";
  if (m instanceof GRU) return "gru";
  if (m instanceof RNN) return "rnn";
  return null;
}

/** Finds the tensor to draw and how its rows are laid out. */
function resolve(source: Module | Tensor, opts: WeightsOptions): { name: string; t: Tensor; gates: WeightsOptions["gates"] } {
  if (source instanceof Tensor) return { name: opts.name ?? "weight", t: source, gates: opts.gates ?? null };
  const params = source.namedParameters();
  const found = opts.name === undefined ? params.find(([n]) => /(^|\.)weight/.test(n)) ?? params[0] : params.find(([n]) => n === opts.name);
  if (!found) {
    throw new RangeError(`plot.weights: ${source.constructor.name} has no parameter ${JSON.stringify(opts.name)}; it has ${params.map(([n]) => n).join(", ") || "none"}`);
  }
  return { name: found[0], t: found[1], gates: opts.gates === undefined ? gateLayout(source) : opts.gates };
}

/** Builds (and, in a notebook, shows) the heatmap of one weight matrix or bias vector. */
export function weights(source: Module | Tensor, opts: WeightsOptions = {}): WeightsPlot {
  const who = "plot.weights";
  const { name, t, gates } = resolve(source, opts);
  if (t.ndim !== 1 && t.ndim !== 2) throw new RangeError(`${who}: ${name} has ${t.ndim} dimensions; a weight matrix has 2 (a bias 1)`);
  if (t.size === 0) throw new RangeError(`${who}: ${name} is empty`);
  const [rows, cols] = t.ndim === 2 ? (t.shape as [number, number]) : [t.shape[0]!, 1];
  const full = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => finiteOrNull(t.data[r * cols + c]!)));
  // Average big matrices down: rows first, then columns (through the transpose).
  const byRow = downsampleRows(full, MAX_WEIGHT_CELLS);
  const byCol = downsampleRows(transpose(byRow.z), MAX_WEIGHT_CELLS);
  const z = transpose(byCol.z);

  // Stacked gates: only weight_/bias_ ih/hh parameters, whose rows split evenly.
  const layout = gates ? GATE_BLOCKS[gates] : [];
  const stacked = /(^|\.)(weight|bias)_(ih|hh)_l\d+(_reverse)?$/.test(name) || (opts.gates !== undefined && source instanceof Tensor);
  const blocks: WeightBlock[] =
    layout.length && stacked && rows % layout.length === 0
      ? layout.map(([key, label], k) => ({ key, label, start: (k * rows) / layout.length, end: ((k + 1) * rows) / layout.length }))
      : [];
  const hh = /_hh_/.test(name);
  const note = byRow.z.length < rows || byCol.z.length < cols ? `averaged to ${z.length} × ${z[0]!.length} cells from ${rows} × ${cols}` : "";
  const payload: WeightsPlot = {
    version: 1,
    kind: "weights",
    title: opts.title ?? `Weights ${name} (${rows} × ${cols})`,
    note,
    name,
    rows,
    cols,
    rowTitle: blocks.length ? "gate unit (row)" : "output unit (row)",
    colTitle: t.ndim === 1 ? "bias" : hh ? "previous hidden unit h_{t−1}" : "input (column)",
    rowStarts: byRow.starts,
    colStarts: byCol.starts,
    z,
    zmax: absMax(z),
    blocks,
  };
  return emit(who, payload, { text: weightsText(payload), svg: weightsSvg(payload) }, opts, `[seqlab plot: weights ${name}, ${rows} × ${cols}]`);
}

function transpose<T>(z: readonly (readonly T[])[]): T[][] {
  return Array.from({ length: z[0]?.length ?? 0 }, (_, c) => z.map((row) => row[c]!));
}

/** The text/plain view: per gate block (or the whole matrix), mean, mean |w| and extremes. */
export function weightsText(p: WeightsPlot): string {
  const parts = p.blocks.length ? p.blocks : [{ key: "all", label: "all rows", start: 0, end: p.rows }];
  const rows = parts.map((b) => {
    const vals = p.z.filter((_, r) => p.rowStarts[r]! >= b.start && p.rowStarts[r]! < b.end).flat().filter((v): v is number => v !== null);
    let sum = 0;
    let sumAbs = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of vals) {
      sum += v;
      sumAbs += Math.abs(v);
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const n = vals.length;
    return [b.label, `${b.start}–${b.end - 1}`, ...(n ? [sum / n, sumAbs / n, lo, hi] : [null, null, null, null]).map(fmtOrGap)];
  });
  return [p.title, p.note, textTable(["block", "rows", "mean", "mean |w|", "min", "max"], rows)].filter(Boolean).join("\n");
}

/** The static picture: the heatmap with each row labelled by its gate (i0, i1, …, f0, …). */
export function weightsSvg(p: WeightsPlot): string {
  const rowLabel = (r: number): string => {
    const b = p.blocks.find((q) => r >= q.start && r < q.end);
    return b ? `${b.key}${r - b.start}` : String(r);
  };
  const map = heatmap({
    label: p.name,
    z: transpose(p.z),
    zmin: -p.zmax,
    zmax: p.zmax,
    scale: "diverging",
    xLabels: p.colStarts.map(String),
    yLabels: p.rowStarts.map(rowLabel),
    xTitle: p.colTitle,
    yTitle: p.rowTitle,
    width: Math.min(480, Math.max(120, 14 * p.z[0]!.length)),
    height: Math.min(420, Math.max(60, 10 * p.z.length)),
    // ≤ 96 × 96 cells keep the picture under about 250 KB; the interactive view has them all.
    maxColumns: 96,
    maxRows: 96,
  });
  const blocks = p.blocks.length ? `row blocks: ${p.blocks.map((b) => `${b.label} (rows ${b.start}–${b.end - 1})`).join(", ")}` : "";
  return figure(p.title, [map], { subtitle: [blocks, p.note].filter(Boolean).join("; ") || undefined });
}
