/**
 * Seeing inside a recurrent layer: the gate activations and states at every step (the trace)
 * and, after backward, the gradient dL/dh_t reaching every step (the gradient flow).
 *
 * A trace is built from the buffers the forward pass keeps for backward anyway, so asking for
 * it costs a copy into time order, never a second forward pass.
 */
import { Tensor, type TypedData } from "../../tensor.js";
import { timeOrdered, type DirectionRun } from "./driver.js";
import type { CellKind } from "./step.js";

/** "forward" runs t = 0 … T−1; "reverse" (bidirectional) runs from each sequence's last real step to 0. */
export type Direction = "forward" | "reverse";

/** What every trace entry holds: one (layer, direction). All tensors are (T, B, ·), by time position t. */
export interface TraceEntryBase {
  readonly layer: number;
  readonly direction: Direction;
  /** PyTorch's parameter suffix for this (layer, direction): "l0", "l0_reverse", "l1", … */
  readonly key: string;
  /** h_t after the step that consumed input[t]: (T, B, H_out). Zero at padded positions. */
  readonly h: Tensor;
  /**
   * dL/dh_t, (T, B, H_out): the total gradient reaching h_t, from output[t], from step t+1 (and
   * from h_n at the last step). Null until a backward pass has run through the layer; every
   * backward pass overwrites it.
   */
  dh: Tensor | null;
}

/** nn.RNN: the pre-activation a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh. */
export interface RNNTraceEntry extends TraceEntryBase {
  readonly pre: Tensor;
}

/** nn.LSTM: the gates after σ/tanh and the cell state. */
export interface LSTMTraceEntry extends TraceEntryBase {
  readonly i: Tensor;
  readonly f: Tensor;
  readonly g: Tensor;
  readonly o: Tensor;
  /** c_t: (T, B, H) (H, not projSize). */
  readonly c: Tensor;
}

/** nn.GRU: reset, update and candidate. */
export interface GRUTraceEntry extends TraceEntryBase {
  readonly r: Tensor;
  readonly z: Tensor;
  readonly n: Tensor;
}

/** One entry per (layer, direction), in PyTorch's order: l0, l0_reverse, l1, … */
export type RNNTrace = RNNTraceEntry[];
export type LSTMTrace = LSTMTraceEntry[];
export type GRUTrace = GRUTraceEntry[];

/** ‖dL/dh_t‖ over one (layer, direction). */
export interface GradientNorms {
  readonly layer: number;
  readonly direction: Direction;
  readonly key: string;
  /** norms[t] = the L2 norm of dL/dh_t over the batch and the hidden units (0 where padded). */
  readonly norms: number[];
}

/**
 * The size of the gradient reaching each time step, per layer and direction: the quantity that
 * vanishes or explodes. Run backward through the layer first.
 */
export function gradientNorms(trace: readonly TraceEntryBase[]): GradientNorms[] {
  return trace.map((entry) => {
    if (!entry.dh) {
      throw new Error(`gradientNorms: no gradient recorded for ${entry.key}; call backward() on a loss computed from this forward pass first`);
    }
    const [T, B, H] = entry.dh.shape as [number, number, number];
    const norms: number[] = [];
    for (let t = 0; t < T; t++) {
      let sq = 0;
      for (let q = t * B * H; q < (t + 1) * B * H; q++) sq += entry.dh.data[q]! ** 2;
      norms.push(Math.sqrt(sq));
    }
    return { layer: entry.layer, direction: entry.direction, key: entry.key, norms };
  });
}

/** Copies what the forward kept into time order: one trace entry per (layer, direction). */
export function buildTrace<S>(cell: CellKind<S>, runs: readonly DirectionRun[], T: number): TraceEntryBase[] {
  return runs.map((run) => {
    const { B, H, Hout } = run.buffers;
    const S = cell.savedNames.length * H;
    const copy = (src: TypedData, srcOff: number, width: number, col: number, n: number): Tensor =>
      new Tensor(timeOrdered(run.order, B, n, src, srcOff, width, col), [T, B, n]);
    const entry: Record<string, unknown> = {
      layer: run.layer,
      direction: run.reverse ? "reverse" : "forward",
      key: `l${run.layer}${run.reverse ? "_reverse" : ""}`,
    };
    cell.savedNames.slice(0, cell.tracedCount).forEach((name, g) => {
      entry[name] = copy(run.buffers.saved, 0, S, g * H, H);
    });
    if (cell.hasCellState) entry["c"] = copy(run.buffers.c, B * H, H, 0, H);
    entry["h"] = copy(run.buffers.h, B * Hout, Hout, 0, Hout);
    entry["dh"] = null;
    return entry as unknown as TraceEntryBase;
  });
}
