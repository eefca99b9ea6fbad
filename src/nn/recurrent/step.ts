/**
 * The contract between a recurrent cell (RNN, LSTM, GRU) and the driver that runs it over
 * layers, directions and time (driver.ts).
 *
 * The driver owns every buffer of one (layer, direction) and lays them out over processing
 * steps s = 0 … T−1 (for the reverse direction, step s reads input position len−1−s). A cell
 * only supplies two functions that look at step s:
 *
 *   step(k, w, s)          reads gx[s], h[s] (and c[s]), writes h[s+1] (and c[s+1]) and saved[s]
 *   stepBackward(k, w, s)  reads dH[s+1] (and dC[s+1]), writes dGx[s], adds into dH[s] (and dC[s])
 *                          and into the hidden-side weight gradients
 *
 * Buffers are flat row-major typed arrays; "X[s]" means the (B, width) block at offset s·B·width.
 */
import { wasmOn, type Workspace } from "../../kernels/backend.js";
import type { TypedData } from "../../tensor.js";

/** Buffers of one (layer, direction) over all T steps; allocated once per forward call. */
export interface StepBuffers {
  readonly B: number;
  /** Hidden size H (rows per gate block). */
  readonly H: number;
  /** Size of h: projSize for a projected LSTM, else H. */
  readonly Hout: number;

  // Parameters of this (layer, direction), as PyTorch stores them.
  readonly wHh: TypedData; // (G·H, Hout)
  readonly bHh: TypedData | null; // (G·H)
  readonly wHr: TypedData | null; // (Hout, H), projected LSTM only

  // Forward. Kept until backward, which is why the trace can show them for free.
  /** (T, B, G·H): x_s·W_ihᵀ + b_ih for every step, computed by one gemm before the time loop. */
  readonly gx: TypedData;
  /** (T, B, S): what the cell saves per step (gate activations), S = cell.savedWidth(H). */
  readonly saved: TypedData;
  /** (T+1, B, Hout): h[0] = h0, h[s+1] = the state after step s. */
  readonly h: TypedData;
  /** (T+1, B, H): the LSTM's cell state, laid out like h; empty for RNN and GRU. */
  readonly c: TypedData;

  // Backward.
  /** (T, B, G·H): dL/d(gx[s]); the driver turns it into dW_ih, db_ih and dL/dx in one gemm each. */
  readonly dGx: TypedData;
  /** (T+1, B, Hout): dL/dh. The driver fills dH[s+1] with dL/doutput[s]; steps add the rest. */
  readonly dH: TypedData;
  /** (T+1, B, H): dL/dc (LSTM only). */
  readonly dC: TypedData;
  readonly dWhh: TypedData;
  readonly dbHh: TypedData | null;
  readonly dWhr: TypedData | null;
}

/** One kind of recurrent cell, as the driver sees it. `W` is the cell's own scratch space. */
export interface CellKind<W> {
  /** Gate blocks stacked in the rows of W_ih and W_hh: 1 (RNN), 4 (LSTM), 3 (GRU). */
  readonly gates: number;
  /** Whether the cell carries a second state c (LSTM). */
  readonly hasCellState: boolean;
  /** Names of the per-step quantities kept in `saved`, H columns each, in order (trace keys). */
  readonly savedNames: readonly string[];
  /**
   * True when the gradient of the hidden-side pre-activation (h·W_hhᵀ + b_hh) is dGx itself,
   * because the cell simply adds the two projections (LSTM, RNN). Then stepBackward leaves
   * dW_hh and db_hh alone and the driver forms them after the loop over all steps at once,
   * dW_hh = Σ_s dGx[s]ᵀ·h[s]: one large matrix product instead of T small ones.
   */
  readonly hiddenGradsAfterLoop: boolean;
  /** How many of `savedNames` (from the start) appear in the trace. */
  readonly tracedCount: number;
  /** Scratch arrays for one step, allocated once per (layer, direction), reused at every step. */
  workspace(ws: Workspace, B: number, H: number, Hout: number): W;
  step(k: StepBuffers, w: W, s: number): void;
  stepBackward(k: StepBuffers, w: W, s: number): void;
}

/** Adds the column sums of the (B, N) block of `src` at `off` into `dst` (a bias gradient). */
export function addColumnSums(B: number, N: number, src: TypedData, off: number, dst: TypedData, dstOff = 0): void {
  const rt = wasmOn(N, dst);
  if (rt && rt.holds(src)) {
    rt.k.addColumnSums(B, N, rt.addr(src, off), rt.addr(dst, dstOff));
    return;
  }
  for (let b = 0; b < B; b++) {
    const row = off + b * N;
    for (let j = 0; j < N; j++) dst[dstOff + j]! += src[row + j]!;
  }
}

/** Adds bias[biasOff … biasOff+N) to every row of the (B, N) block of `dst` at `off`. */
export function addBias(B: number, N: number, bias: TypedData, dst: TypedData, off = 0, biasOff = 0): void {
  const rt = wasmOn(N, dst);
  if (rt && rt.holds(bias)) {
    rt.k.addRowVector(B, N, rt.addr(bias, biasOff), rt.addr(dst, off));
    return;
  }
  for (let b = 0; b < B; b++) {
    const row = off + b * N;
    for (let j = 0; j < N; j++) dst[row + j]! += bias[biasOff + j]!;
  }
}
