/**
 * One LSTM step forward and its hand-derived backward, side by side.
 *
 * PyTorch's equations (gate rows of W_ih, W_hh and the biases in the order [i; f; g; o]):
 *
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g
 *   m_t = o ⊙ tanh(c_t)
 *   h_t = m_t,  or  h_t = W_hr m_t  with projSize (then h has projSize values, c keeps H)
 */
import { sigmoid } from "../../kernels/activations.js";
import { wasmOn, type Workspace } from "../../kernels/backend.js";
import { gemm } from "../../kernels/gemm.js";
import type { TypedData } from "../../tensor.js";
import { addBias, type CellKind, type StepBuffers } from "./step.js";

/** Scratch for one LSTM step. */
export interface LSTMWork {
  /** (B, 4H): h_{t−1}·W_hhᵀ + b_hh. */
  readonly gh: TypedData;
  /** (B, H): m_t = o ⊙ tanh(c_t) before the projection (projected LSTM only). */
  readonly m: TypedData;
  /** (B, H): dL/dm_t (projected LSTM only). */
  readonly dm: TypedData;
}

/** Step s: gates from gx[s] and h[s], then c[s+1] and h[s+1]; keeps i, f, g, o in saved[s]. */
export function lstmStep(k: StepBuffers, w: LSTMWork, s: number): void {
  const { B, H, Hout } = k;
  const G = 4 * H;
  // The one matrix product that cannot be batched over time: it needs h_{t−1}.
  gemm(B, G, Hout, k.h, s * B * Hout, false, k.wHh, 0, true, w.gh, 0, false);
  // Without a projection m_t is h_t, so write it straight into h[s+1].
  const m = k.wHr ? w.m : k.h;
  const mOff = k.wHr ? 0 : (s + 1) * B * H;
  const rt = wasmOn(H, k.h);
  if (rt) {
    rt.rows("lstmForward", B, H, rt.addr(k.gx, s * B * G), rt.addr(w.gh), rt.addr(k.bHh), rt.addr(k.c, s * B * H), rt.addr(k.c, (s + 1) * B * H), rt.addr(k.saved, s * B * G), rt.addr(m, mOff));
  } else {
    if (k.bHh) addBias(B, G, k.bHh, w.gh);
    for (let b = 0; b < B; b++) {
      const a = s * B * G + b * G; // this row of gx and saved
      const r = b * G; // this row of gh
      const cPrev = (s * B + b) * H;
      const cNext = ((s + 1) * B + b) * H;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(k.gx[a + j]! + w.gh[r + j]!);
        const f = sigmoid(k.gx[a + H + j]! + w.gh[r + H + j]!);
        const g = Math.tanh(k.gx[a + 2 * H + j]! + w.gh[r + 2 * H + j]!);
        const o = sigmoid(k.gx[a + 3 * H + j]! + w.gh[r + 3 * H + j]!);
        k.saved[a + j] = i;
        k.saved[a + H + j] = f;
        k.saved[a + 2 * H + j] = g;
        k.saved[a + 3 * H + j] = o;
        const c_t = f * k.c[cPrev + j]! + i * g;
        k.c[cNext + j] = c_t;
        m[mOff + b * H + j] = o * Math.tanh(c_t);
      }
    }
  }
  if (k.wHr) gemm(B, Hout, H, w.m, 0, false, k.wHr, 0, true, k.h, (s + 1) * B * Hout, false);
}

/**
 * Backward of step s. dH[s+1] and dC[s+1] arrive complete (from the output at s, from step s+1
 * and from h_n, c_n); this adds the step's share into dH[s] and dC[s].
 *
 *   dm = dh_t (or dh_t·W_hr)      do = dm ⊙ tanh(c_t)
 *   dc = dc_t + dm ⊙ o ⊙ (1 − tanh²(c_t))
 *   di = dc ⊙ g   df = dc ⊙ c_{t−1}   dg = dc ⊙ i   dc_{t−1} = dc ⊙ f
 *   through the nonlinearities: σ' = σ(1 − σ), tanh' = 1 − tanh²
 */
export function lstmStepBackward(k: StepBuffers, w: LSTMWork, s: number): void {
  const { B, H, Hout } = k;
  const G = 4 * H;
  const dhOff = (s + 1) * B * Hout;
  let dm = k.dH;
  let dmOff = dhOff;
  if (k.wHr && k.dWhr) {
    gemm(B, H, Hout, k.dH, dhOff, false, k.wHr, 0, false, w.dm, 0, false);
    // dW_hr += dh_tᵀ · m_t, with m_t recomputed from the saved o and c_t.
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        w.m[b * H + j] = k.saved[s * B * G + b * G + 3 * H + j]! * Math.tanh(k.c[((s + 1) * B + b) * H + j]!);
      }
    }
    gemm(Hout, H, B, k.dH, dhOff, true, w.m, 0, false, k.dWhr, 0, true);
    dm = w.dm;
    dmOff = 0;
  }
  const rt = wasmOn(H, k.h);
  if (rt) {
    rt.rows("lstmBackward", B, H, rt.addr(k.saved, s * B * G), rt.addr(k.c, s * B * H), rt.addr(k.c, (s + 1) * B * H), rt.addr(dm, dmOff), rt.addr(k.dC, (s + 1) * B * H), rt.addr(k.dGx, s * B * G), rt.addr(k.dC, s * B * H));
  } else {
    for (let b = 0; b < B; b++) {
      const a = s * B * G + b * G;
      const cPrev = (s * B + b) * H;
      const cNext = ((s + 1) * B + b) * H;
      for (let j = 0; j < H; j++) {
        const i = k.saved[a + j]!;
        const f = k.saved[a + H + j]!;
        const g = k.saved[a + 2 * H + j]!;
        const o = k.saved[a + 3 * H + j]!;
        const tc = Math.tanh(k.c[cNext + j]!);
        const dm_t = dm[dmOff + b * H + j]!;
        const dc = k.dC[cNext + j]! + dm_t * o * (1 - tc * tc);
        k.dGx[a + j] = dc * g * i * (1 - i);
        k.dGx[a + H + j] = dc * k.c[cPrev + j]! * f * (1 - f);
        k.dGx[a + 2 * H + j] = dc * i * (1 - g * g);
        k.dGx[a + 3 * H + j] = dm_t * tc * o * (1 - o);
        k.dC[cPrev + j]! += dc * f;
      }
    }
  }
  // Both biases and both weight matrices see the same pre-activation gradient, so the driver
  // forms dW_hh and db_hh from dGx after the loop (hiddenGradsAfterLoop); here only dh_{t−1}.
  gemm(B, Hout, G, k.dGx, s * B * G, false, k.wHh, 0, false, k.dH, s * B * Hout, true);
}

/** The LSTM as the driver runs it. */
export const lstmKind: CellKind<LSTMWork> = {
  gates: 4,
  hasCellState: true,
  hiddenGradsAfterLoop: true,
  savedNames: ["i", "f", "g", "o"],
  tracedCount: 4,
  workspace: (ws: Workspace, B: number, H: number) => ({
    gh: ws.alloc(B * 4 * H),
    m: ws.alloc(B * H),
    dm: ws.alloc(B * H),
  }),
  step: lstmStep,
  stepBackward: lstmStepBackward,
};
