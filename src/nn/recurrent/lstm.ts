/**
 * The LSTM: one step forward and its hand-derived backward, side by side, then nn.LSTM and
 * nn.LSTMCell, which run that step over time (driver.ts) and over one step.
 *
 * PyTorch's equations (gate rows of W_ih, W_hh and the biases in the order [i; f; g; o]):
 *
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g
 *   m_t = o ⊙ tanh(c_t)
 *   h_t = m_t,  or  h_t = W_hr m_t  with projSize (then h has projSize values, c keeps H)
 *
 * The elementwise part of each direction is a gate kernel (kernels/gates.ts): its TypeScript
 * reference is written here, its WebAssembly twin in kernels/wasm/assembly/lstm.ts.
 */
import { sigmoid } from "../../kernels/activations.js";
import { gateKernel, zeros, type Allocated } from "../../kernels/backend.js";
import { mulAB, mulABt, mulAtB } from "../../kernels/gemm.js";
import { addBias } from "../../kernels/rows.js";
import { Tensor } from "../../tensor.js";
import { optionsObject } from "../../options.js";
import { CellBase, type CellOptions } from "./cell.js";
import { RecurrentBase, type RecurrentForwardOptions, type RecurrentOptions, type WithTrace, type WithoutTrace } from "./layer.js";
import type { CellKind, StepBuffers } from "./step.js";
import type { LSTMTrace } from "./trace.js";

/** Scratch for one LSTM step, declared. */
function lstmScratch(B: number, H: number) {
  return {
    /** (B, 4H): h_{t−1}·W_hhᵀ (+ b_hh). */
    gh: zeros(B * 4 * H),
    /** (B, H): m_t = o ⊙ tanh(c_t) before the projection (projected LSTM only). */
    m: zeros(B * H),
    /** (B, H): dL/dm_t (projected LSTM only). */
    dm: zeros(B * H),
  };
}

/** Scratch for one LSTM step: gh (B, 4H), m and dm (B, H). */
export type LSTMScratch = Allocated<ReturnType<typeof lstmScratch>>;

/** Step s: gates from gx[s] and h[s], then c[s+1] and h[s+1]; keeps i, f, g, o in saved[s]. */
export function lstmStep(buf: StepBuffers, scratch: LSTMScratch, s: number): void {
  const { B, H, Hout } = buf;
  const G = 4 * H;
  // The one matrix product that cannot be batched over time: it needs h_{t−1}.
  mulABt(B, G, Hout, buf.h, s * B * Hout, buf.wHh, 0, scratch.gh, 0);
  // Without a projection m_t is h_t, so write it straight into h[s+1].
  lstmForward(B, H, {
    gx: [buf.gx, s * B * G], gh: [scratch.gh, 0], bias: buf.bHh,
    cPrev: [buf.c, s * B * H], cNext: [buf.c, (s + 1) * B * H], saved: [buf.saved, s * B * G],
    m: buf.wHr ? [scratch.m, 0] : [buf.h, (s + 1) * B * H],
  });
  if (buf.wHr) mulABt(B, Hout, H, scratch.m, 0, buf.wHr, 0, buf.h, (s + 1) * B * Hout);
}

/** i, f, g, o from gx + gh (+ b_hh); c_t = f ⊙ c_{t−1} + i ⊙ g; m_t = o ⊙ tanh(c_t). Saves i, f, g, o. */
const lstmForward = gateKernel("lstmForward", (B, H, a) => {
  const [gx, gxAt] = a.gx, [gh, ghAt] = a.gh, [saved, savedAt] = a.saved;
  const [c, cPrevAt] = a.cPrev, [, cNextAt] = a.cNext, [m, mAt] = a.m;
  const G = 4 * H;
  if (a.bias) addBias(B, G, a.bias, gh, ghAt);
  for (let b = 0; b < B; b++) {
    const x = gxAt + b * G, r = ghAt + b * G, sv = savedAt + b * G; // this row of gx, gh, saved
    const cPrev = cPrevAt + b * H, cNext = cNextAt + b * H, mRow = mAt + b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gx[x + j]! + gh[r + j]!);
      const f = sigmoid(gx[x + H + j]! + gh[r + H + j]!);
      const g = Math.tanh(gx[x + 2 * H + j]! + gh[r + 2 * H + j]!);
      const o = sigmoid(gx[x + 3 * H + j]! + gh[r + 3 * H + j]!);
      saved[sv + j] = i;
      saved[sv + H + j] = f;
      saved[sv + 2 * H + j] = g;
      saved[sv + 3 * H + j] = o;
      const c_t = f * c[cPrev + j]! + i * g;
      c[cNext + j] = c_t;
      m[mRow + j] = o * Math.tanh(c_t);
    }
  }
});

/**
 * Backward of step s. dH[s+1] and dC[s+1] arrive complete (from the output at s, from step s+1
 * and from h_n, c_n); this adds the step's share into dH[s] and dC[s].
 *
 *   dm = dh_t (or dh_t·W_hr)      do = dm ⊙ tanh(c_t)
 *   dc = dc_t + dm ⊙ o ⊙ (1 − tanh²(c_t))
 *   di = dc ⊙ g   df = dc ⊙ c_{t−1}   dg = dc ⊙ i   dc_{t−1} = dc ⊙ f
 *   through the nonlinearities: σ' = σ(1 − σ), tanh' = 1 − tanh²
 */
export function lstmStepBackward(buf: StepBuffers, scratch: LSTMScratch, s: number): void {
  const { B, H, Hout } = buf;
  const G = 4 * H;
  const dhAt = (s + 1) * B * Hout;
  if (buf.wHr && buf.dWhr) {
    mulAB(B, H, Hout, buf.dH, dhAt, buf.wHr, 0, scratch.dm, 0);
    // dW_hr += dh_tᵀ · m_t, with m_t recomputed from the saved o and c_t.
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        scratch.m[b * H + j] = buf.saved[s * B * G + b * G + 3 * H + j]! * Math.tanh(buf.c[((s + 1) * B + b) * H + j]!);
      }
    }
    mulAtB(Hout, H, B, buf.dH, dhAt, scratch.m, 0, buf.dWhr, 0, true);
  }
  lstmBackward(B, H, {
    saved: [buf.saved, s * B * G], cPrev: [buf.c, s * B * H], cNext: [buf.c, (s + 1) * B * H],
    dm: buf.wHr && buf.dWhr ? [scratch.dm, 0] : [buf.dH, dhAt],
    dcNext: [buf.dC, (s + 1) * B * H], dGx: [buf.dGx, s * B * G], dcPrev: [buf.dC, s * B * H],
  });
  // Both biases and both weight matrices see the same pre-activation gradient, so the driver
  // forms dW_hh and db_hh from dGx after the loop (hiddenGradsAfterLoop); here only dh_{t−1}.
  mulAB(B, Hout, G, buf.dGx, s * B * G, buf.wHh, 0, buf.dH, s * B * Hout, true);
}

/** The four pre-activations' gradients into dGx, and dc_{t−1} += dc ⊙ f (equations above). */
const lstmBackward = gateKernel("lstmBackward", (B, H, a) => {
  const [saved, savedAt] = a.saved, [c, cPrevAt] = a.cPrev, [, cNextAt] = a.cNext, [dm, dmAt] = a.dm;
  const [dC, dcNextAt] = a.dcNext, [, dcPrevAt] = a.dcPrev, [dGx, dGxAt] = a.dGx;
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const sv = savedAt + b * G, d = dGxAt + b * G;
    const cPrev = cPrevAt + b * H, cNext = cNextAt + b * H;
    const dcPrev = dcPrevAt + b * H, dcNext = dcNextAt + b * H, dmRow = dmAt + b * H;
    for (let j = 0; j < H; j++) {
      const i = saved[sv + j]!;
      const f = saved[sv + H + j]!;
      const g = saved[sv + 2 * H + j]!;
      const o = saved[sv + 3 * H + j]!;
      const tc = Math.tanh(c[cNext + j]!);
      const dm_t = dm[dmRow + j]!;
      const dc = dC[dcNext + j]! + dm_t * o * (1 - tc * tc);
      dGx[d + j] = dc * g * i * (1 - i);
      dGx[d + H + j] = dc * c[cPrev + j]! * f * (1 - f);
      dGx[d + 2 * H + j] = dc * i * (1 - g * g);
      dGx[d + 3 * H + j] = dm_t * tc * o * (1 - o);
      dC[dcPrev + j]! += dc * f;
    }
  }
});

/** The LSTM as the driver runs it. */
export const lstmKind: CellKind<LSTMScratch> = {
  gates: 4,
  hasCellState: true,
  hiddenGradsAfterLoop: true,
  hiddenBlocks: (H) => [4 * H],
  savedNames: ["i", "f", "g", "o"],
  tracedCount: 4,
  scratch: lstmScratch,
  step: lstmStep,
  stepBackward: lstmStepBackward,
};

/** Options of nn.LSTM. */
export interface LSTMOptions extends RecurrentOptions {
  /** If > 0, h_t = W_hr (o ⊙ tanh(c_t)) has projSize values (default 0: no projection). */
  projSize?: number;
}

/**
 * nn.LSTM with PyTorch's gate order [i; f; g; o] and optional projection. `forward(x, [h0, c0]?)`
 * returns `[output, [h_n, c_n]]`. Passing only h0 is an error, as in PyTorch.
 */
export class LSTM extends RecurrentBase<LSTMScratch> {
  constructor(opts: LSTMOptions) {
    super(lstmKind, optionsObject("LSTM", opts, "{ inputSize: 2, hiddenSize: 4 }"), opts.projSize ?? 0);
  }

  /**
   * x: (T, B, inputSize), (B, T, inputSize) with batchFirst, or (T, inputSize) unbatched.
   * hx: [h0 (numLayers·D, B, H_out), c0 (numLayers·D, B, hiddenSize)] or null for zeros.
   */
  forward(x: Tensor, hx?: readonly [Tensor, Tensor] | null, opts?: WithoutTrace): [Tensor, [Tensor, Tensor]];
  forward(x: Tensor, hx: readonly [Tensor, Tensor] | null | undefined, opts: WithTrace): [Tensor, [Tensor, Tensor], LSTMTrace];
  forward(
    x: Tensor, hx?: readonly [Tensor, Tensor] | null, opts?: RecurrentForwardOptions,
  ): [Tensor, [Tensor, Tensor]] | [Tensor, [Tensor, Tensor], LSTMTrace];
  forward(
    x: Tensor, hx: readonly [Tensor, Tensor] | null = null, opts: RecurrentForwardOptions = {},
  ): [Tensor, [Tensor, Tensor]] | [Tensor, [Tensor, Tensor], LSTMTrace] {
    if (hx !== null && (!Array.isArray(hx) || hx.length !== 2 || !(hx[0] instanceof Tensor) || !(hx[1] instanceof Tensor))) {
      throw new Error(`LSTM: hx must be [h0, c0] (two tensors) or null for zeros, got ${Array.isArray(hx) ? `a list of ${hx.length}` : typeof hx}; passing only h0 is not allowed, as in PyTorch`);
    }
    const r = this.run(x, hx ? hx[0] : null, hx ? hx[1] : null, opts);
    const state: [Tensor, Tensor] = [r.hN, r.cN!];
    return r.trace ? [r.output, state, r.trace as LSTMTrace] : [r.output, state];
  }
}


/** nn.LSTMCell: one LSTM step, gate order [i; f; g; o]. */
export class LSTMCell extends CellBase<LSTMScratch> {
  constructor(opts: CellOptions) {
    super(lstmKind, optionsObject("LSTMCell", opts, "{ inputSize: 2, hiddenSize: 4 }"));
  }

  /** x: (B, inputSize) or (inputSize,); hx: [h, c], each (B, hiddenSize), or null for zeros. Returns [h', c']. */
  forward(x: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    if (hx !== null && (!Array.isArray(hx) || hx.length !== 2 || !(hx[0] instanceof Tensor) || !(hx[1] instanceof Tensor))) {
      throw new Error("LSTMCell: hx must be [h, c] (both tensors) or null for zeros; passing only h is not allowed, as in PyTorch");
    }
    const [h1, c1] = this.step(x, hx ? hx[0] : null, hx ? hx[1] : null);
    return [h1, c1!];
  }
}

