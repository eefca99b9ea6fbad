/**
 * The contract between a recurrent cell (RNN, LSTM, GRU: rnn.ts, lstm.ts, gru.ts) and the driver
 * that runs it over layers, directions and time (driver.ts).
 *
 * The driver owns every buffer of one (layer, direction) and lays them out over processing
 * steps s = 0 … T−1 (for the reverse direction, step s reads input position len−1−s). A cell
 * only supplies two functions that look at step s:
 *
 *   step(buf, scratch, s)          reads gx[s], h[s] (and c[s]), writes h[s+1] (and c[s+1]) and saved[s]
 *   stepBackward(buf, scratch, s)  reads dH[s+1] (and dC[s+1]), writes dGx[s], adds into dH[s] (and dC[s])
 *                                  and into the hidden-side weight gradients
 *
 * Buffers are flat row-major typed arrays; "X[s]" means the (B, width) block at offset s·B·width.
 */
import type { Declaration } from "../../kernels/backend.js";
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
  /** (T, B, G·H): x_s·W_ihᵀ + b_ih for every step, computed by one product before the time loop. */
  readonly gx: TypedData;
  /** (T, B, S): what the cell saves per step, S = savedNames.length · H (gate activations). */
  readonly saved: TypedData;
  /** (T+1, B, Hout): h[0] = h0, h[s+1] = the state after step s. */
  readonly h: TypedData;
  /** (T+1, B, H): the LSTM's cell state, laid out like h; empty for RNN and GRU. */
  readonly c: TypedData;

  // Backward.
  /** (T, B, G·H): dL/d(gx[s]); the driver turns it into dW_ih, db_ih and dL/dx in one product each. */
  readonly dGx: TypedData;
  /** (T+1, B, Hout): dL/dh. The driver fills dH[s+1] with dL/doutput[s]; steps add the rest. */
  readonly dH: TypedData;
  /** (T+1, B, H): dL/dc (LSTM only). */
  readonly dC: TypedData;
  readonly dWhh: TypedData;
  readonly dbHh: TypedData | null;
  readonly dWhr: TypedData | null;
}

/** One kind of recurrent cell, as the driver sees it. `S` is the cell's own scratch, reused at every step. */
export interface CellKind<S> {
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
  /**
   * The blocks of rows of W_hh that a step multiplies by separately, as row counts: LSTM all 4H
   * at once, RNN H, GRU r and z together (2H) then n (H). The driver packs each block once per
   * time loop, so the steps' products do not pack it again (kernels/gemm.ts `withPackedRights`).
   */
  hiddenBlocks(H: number): readonly number[];
  /** How many of `savedNames` (from the start) appear in the trace. */
  readonly tracedCount: number;
  /**
   * The step's scratch, declared (backend.ts: `zeros(n)`, …; other values pass through as they
   * are): the driver sizes its workspace from this and allocates it, once per (layer, direction).
   */
  scratch(B: number, H: number, Hout: number): Declaration;
  step(buf: StepBuffers, scratch: S, s: number): void;
  stepBackward(buf: StepBuffers, scratch: S, s: number): void;
}
