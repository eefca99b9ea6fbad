/**
 * One Elman RNN step forward and its hand-derived backward, side by side.
 *
 *   a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh      (the pre-activation, kept for the trace)
 *   h_t = tanh(a_t)   or   relu(a_t)
 */
import { relu } from "../../kernels/activations.js";
import { wasmOn, type Workspace } from "../../kernels/backend.js";
import { gemm } from "../../kernels/gemm.js";
import type { TypedData } from "../../tensor.js";
import { addBias, type CellKind, type StepBuffers } from "./step.js";

/** PyTorch's `nonlinearity` option of nn.RNN / nn.RNNCell. */
export type Nonlinearity = "tanh" | "relu";
export const NONLINEARITIES: readonly Nonlinearity[] = ["tanh", "relu"];

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
  const at = s * B * H;
  const rt = wasmOn(H, k.h);
  if (rt) {
    rt.rows("rnnForward", B, H, rt.addr(k.gx, at), rt.addr(w.gh), rt.addr(k.bHh), rt.addr(k.saved, at), rt.addr(k.h, at + B * H), w.nonlinearity === "relu" ? 1 : 0);
    return;
  }
  if (k.bHh) addBias(B, H, k.bHh, w.gh);
  const phi = w.nonlinearity === "tanh" ? Math.tanh : relu;
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
  const rt = wasmOn(H, k.h);
  if (rt) {
    rt.k.rnnBackward(B * H, rt.addr(k.saved, at), rt.addr(k.h, at + B * H), rt.addr(k.dH, at + B * H), rt.addr(k.dGx, at), w.nonlinearity === "relu" ? 1 : 0);
  } else {
    for (let q = 0; q < B * H; q++) {
      const dh = k.dH[at + B * H + q]!;
      const h = k.h[at + B * H + q]!;
      k.dGx[at + q] = w.nonlinearity === "tanh" ? dh * (1 - h * h) : k.saved[at + q]! > 0 ? dh : 0;
    }
  }
  // dW_hh and db_hh: formed by the driver after the loop (hiddenGradsAfterLoop).
  gemm(B, H, H, k.dGx, at, false, k.wHh, 0, false, k.dH, at, true);
}

/** The RNN as the driver runs it. */
export function rnnKind(nonlinearity: Nonlinearity): CellKind<RNNWork> {
  return {
    gates: 1,
    hasCellState: false,
    hiddenGradsAfterLoop: true,
    savedNames: ["pre"],
    tracedCount: 1,
    workspace: (ws: Workspace, B: number, H: number) => ({ gh: ws.alloc(B * H), nonlinearity }),
    step: rnnStep,
    stepBackward: rnnStepBackward,
  };
}
