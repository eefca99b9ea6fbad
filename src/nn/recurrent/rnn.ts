/**
 * The Elman RNN: one step forward and its hand-derived backward, side by side, then nn.RNN and
 * nn.RNNCell, which run that step over time (driver.ts) and over one step.
 *
 *   a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh      (the pre-activation, kept for the trace)
 *   h_t = tanh(a_t)   or   relu(a_t)
 *
 * The elementwise part of each direction is a gate kernel (kernels/gates.ts): its TypeScript
 * reference is written here, its WebAssembly twin in kernels/wasm/assembly/rnn.ts.
 */
import { relu } from "../../kernels/activations.js";
import { gateKernel, zeros, type Allocated } from "../../kernels/backend.js";
import { mulAB, mulABt } from "../../kernels/gemm.js";
import { addBias } from "../../kernels/rows.js";
import { Tensor } from "../../tensor.js";
import { oneOf, optionsObject } from "../../options.js";
import { CellBase, type CellOptions } from "./cell.js";
import { RecurrentBase, type RecurrentForwardOptions, type RecurrentOptions, type WithTrace, type WithoutTrace } from "./layer.js";
import type { CellKind, StepBuffers } from "./step.js";
import type { RNNTrace } from "./trace.js";

/** PyTorch's `nonlinearity` option of nn.RNN / nn.RNNCell. */
export type Nonlinearity = "tanh" | "relu";
export const NONLINEARITIES: readonly Nonlinearity[] = ["tanh", "relu"];

/** Scratch for one RNN step, declared. */
function rnnScratch(nonlinearity: Nonlinearity, B: number, H: number) {
  return {
    /** (B, H): h_{t−1}·W_hhᵀ (+ b_hh). */
    gh: zeros(B * H),
    nonlinearity,
  };
}

/** Scratch for one RNN step: gh (B, H) and the nonlinearity. */
export type RNNScratch = Allocated<ReturnType<typeof rnnScratch>>;

/** Step s: a = gx[s] + h[s]·W_hhᵀ + b_hh, h[s+1] = tanh(a) or relu(a); keeps a in saved[s]. */
export function rnnStep(buf: StepBuffers, scratch: RNNScratch, s: number): void {
  const { B, H } = buf;
  const at = s * B * H;
  mulABt(B, H, H, buf.h, at, buf.wHh, 0, scratch.gh, 0);
  rnnForward(B, H, {
    gx: [buf.gx, at], gh: [scratch.gh, 0], bias: buf.bHh, saved: [buf.saved, at], h: [buf.h, at + B * H],
    relu: scratch.nonlinearity === "relu",
  });
}

/** a = gx + gh (+ b_hh), saved = a, h = tanh(a) or relu(a). */
const rnnForward = gateKernel("rnnForward", (B, H, a) => {
  const [gx, gxAt] = a.gx, [gh, ghAt] = a.gh, [saved, savedAt] = a.saved, [h, hAt] = a.h;
  if (a.bias) addBias(B, H, a.bias, gh, ghAt);
  const phi = a.relu ? relu : Math.tanh;
  for (let q = 0; q < B * H; q++) {
    const pre = gx[gxAt + q]! + gh[ghAt + q]!;
    saved[savedAt + q] = pre;
    h[hAt + q] = phi(pre);
  }
});

/** Backward of step s: da = dh_t ⊙ φ'(a), with tanh' = 1 − h_t², relu' = [a > 0]. */
export function rnnStepBackward(buf: StepBuffers, scratch: RNNScratch, s: number): void {
  const { B, H } = buf;
  const at = s * B * H;
  rnnBackward(B, H, {
    saved: [buf.saved, at], h: [buf.h, at + B * H], dh: [buf.dH, at + B * H], dGx: [buf.dGx, at],
    relu: scratch.nonlinearity === "relu",
  });
  // dW_hh and db_hh: formed by the driver after the loop (hiddenGradsAfterLoop).
  mulAB(B, H, H, buf.dGx, at, buf.wHh, 0, buf.dH, at, true);
}

/** da = dh ⊙ (1 − h²) for tanh, dh ⊙ [a > 0] for relu. */
const rnnBackward = gateKernel("rnnBackward", (B, H, a) => {
  const [saved, savedAt] = a.saved, [h, hAt] = a.h, [dh, dhAt] = a.dh, [dGx, dGxAt] = a.dGx;
  for (let q = 0; q < B * H; q++) {
    const d = dh[dhAt + q]!;
    const h_t = h[hAt + q]!;
    dGx[dGxAt + q] = a.relu ? (saved[savedAt + q]! > 0 ? d : 0) : d * (1 - h_t * h_t);
  }
});

/** The RNN as the driver runs it. */
export function rnnKind(nonlinearity: Nonlinearity): CellKind<RNNScratch> {
  return {
    gates: 1,
    hasCellState: false,
    hiddenGradsAfterLoop: true,
    hiddenBlocks: (H) => [H],
    savedNames: ["pre"],
    tracedCount: 1,
    scratch: (B, H) => rnnScratch(nonlinearity, B, H),
    step: rnnStep,
    stepBackward: rnnStepBackward,
  };
}

/** Options of nn.RNN. */
export interface RNNOptions extends RecurrentOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: Nonlinearity;
}

/**
 * nn.RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) (or relu), stacked and optionally
 * bidirectional. `forward(x, h0?)` returns `[output, h_n]` with PyTorch's shapes.
 */
export class RNN extends RecurrentBase<RNNScratch> {
  readonly nonlinearity: Nonlinearity;

  constructor(opts: RNNOptions) {
    const nonlinearity = oneOf("RNN", "nonlinearity", optionsObject("RNN", opts, "{ inputSize: 4, hiddenSize: 8 }").nonlinearity, NONLINEARITIES, "tanh");
    super(rnnKind(nonlinearity), opts);
    this.nonlinearity = nonlinearity;
  }

  /**
   * x: (T, B, inputSize), (B, T, inputSize) with batchFirst, or (T, inputSize) unbatched.
   * h0: (numLayers·D, B, hiddenSize) or null for zeros. Returns output (·, ·, D·hiddenSize) and
   * h_n (numLayers·D, B, hiddenSize), plus the trace with `{ trace: true }`.
   */
  forward(x: Tensor, h0?: Tensor | null, opts?: WithoutTrace): [Tensor, Tensor];
  forward(x: Tensor, h0: Tensor | null | undefined, opts: WithTrace): [Tensor, Tensor, RNNTrace];
  forward(x: Tensor, h0?: Tensor | null, opts?: RecurrentForwardOptions): [Tensor, Tensor] | [Tensor, Tensor, RNNTrace];
  forward(x: Tensor, h0: Tensor | null = null, opts: RecurrentForwardOptions = {}): [Tensor, Tensor] | [Tensor, Tensor, RNNTrace] {
    const r = this.run(x, h0, null, opts);
    return r.trace ? [r.output, r.hN, r.trace as RNNTrace] : [r.output, r.hN];
  }

  protected override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === "relu" ? ", nonlinearity=relu" : "");
  }
}


/** Options of nn.RNNCell. */
export interface RNNCellOptions extends CellOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: Nonlinearity;
}

/** nn.RNNCell: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). */
export class RNNCell extends CellBase<RNNScratch> {
  readonly nonlinearity: Nonlinearity;

  constructor(opts: RNNCellOptions) {
    const nonlinearity = oneOf("RNNCell", "nonlinearity", optionsObject("RNNCell", opts, "{ inputSize: 4, hiddenSize: 8 }").nonlinearity, NONLINEARITIES, "tanh");
    super(rnnKind(nonlinearity), opts);
    this.nonlinearity = nonlinearity;
  }

  /** x: (B, inputSize) or (inputSize,); h: (B, hiddenSize) or null for zeros. Returns h'. */
  forward(x: Tensor, h: Tensor | null = null): Tensor {
    return this.step(x, h, null)[0];
  }
}

