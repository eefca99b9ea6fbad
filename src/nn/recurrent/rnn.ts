/**
 * One Elman RNN step forward and its hand-derived backward, side by side.
 *
 *   a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh      (the pre-activation, kept for the trace)
 *   h_t = tanh(a_t)   or   relu(a_t)
 */
import { relu } from "../../kernels/activations.js";
import { gemm } from "../../kernels/gemm.js";
import { allocate, type DType, type TypedData } from "../../tensor.js";
import { addBias, addColumnSums, type CellKind, type StepBuffers } from "./step.js";

/** PyTorch's `nonlinearity` option of nn.RNN / nn.RNNCell. */
export type Nonlinearity = "tanh" | "relu";

/** Scratch for one RNN step. */
export interface RNNWork {
  /** (B, H): h_{t−1}·W_hhᵀ + b_hh. */
  readonly gh: TypedData;
  readonly nonlinearity: Nonlinearity;
}

/** Step s: a = gx[s] + h[s]·W_hhᵀ + b_hh, h[s+1] = tanh(a) or relu(a); keeps a in saved[s]. */
export function rnnStep(k: StepBuffers, w: RNNWork, s: number): void {
  const { B, H } = k;
  gemm(B, H, H, k.h, s * B * H, false, k.wHh, 0, true, w.gh, 0, false);
  if (k.bHh) addBias(B, H, k.bHh, w.gh);
  const phi = w.nonlinearity === "tanh" ? Math.tanh : relu;
  const at = s * B * H;
  for (let q = 0; q < B * H; q++) {
    const a = k.gx[at + q]! + w.gh[q]!;
    k.saved[at + q] = a;
    k.h[at + B * H + q] = phi(a);
  }
}

/** Backward of step s: da = dh_t ⊙ φ'(a), with tanh' = 1 − h_t², relu' = [a > 0]. */
export function rnnStepBackward(k: StepBuffers, w: RNNWork, s: number): void {
  const { B, H } = k;
  const at = s * B * H;
  for (let q = 0; q < B * H; q++) {
    const dh = k.dH[at + B * H + q]!;
    const h = k.h[at + B * H + q]!;
    k.dGx[at + q] = w.nonlinearity === "tanh" ? dh * (1 - h * h) : k.saved[at + q]! > 0 ? dh : 0;
  }
  gemm(B, H, H, k.dGx, at, false, k.wHh, 0, false, k.dH, at, true);
  gemm(H, H, B, k.dGx, at, true, k.h, at, false, k.dWhh, 0, true);
  if (k.dbHh) addColumnSums(B, H, k.dGx, at, k.dbHh);
}

/** The RNN as the driver runs it. */
export function rnnKind(nonlinearity: Nonlinearity): CellKind<RNNWork> {
  return {
    gates: 1,
    hasCellState: false,
    savedNames: ["pre"],
    tracedCount: 1,
    workspace: (dtype: DType, B: number, H: number) => ({ gh: allocate(dtype, B * H), nonlinearity }),
    step: rnnStep,
    stepBackward: rnnStepBackward,
  };
}
