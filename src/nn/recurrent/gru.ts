/**
 * The GRU: one step forward and its hand-derived backward, side by side, in the three forms
 * that textbooks and PyTorch disagree on; then nn.GRU and nn.GRUCell, which run that step over
 * time (driver.ts) and over one step. Gate rows of W_ih, W_hh and the biases: [r; z; n].
 *
 * PyTorch (the default: `resetPosition: "after"`, `updateConvention: "pytorch"`):
 *
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)
 *   z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))     reset applied AFTER the matmul
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}                  z keeps the OLD state
 *
 * `resetPosition: "before"` (Cho et al. 2014, most textbooks): the reset gate scales h before
 * the matmul,  n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
 *
 * `updateConvention: "textbook"` (the lecture's form): h_t = (1 − z) ⊙ h_{t−1} + z ⊙ n, so z
 * lets the NEW candidate in. Since σ(−a) = 1 − σ(a), this equals PyTorch's convention with the
 * z-rows of every weight and bias negated: the two learn the same functions.
 *
 * The elementwise parts are gate kernels (kernels/gates.ts): their TypeScript references are
 * written here, their WebAssembly twins in kernels/wasm/assembly/gru.ts. Every kernel takes the
 * same two flags: resetAfter (1: PyTorch's position) and zKeepsOld (1: PyTorch's convention).
 */
import { sigmoid } from "../../kernels/activations.js";
import { gateKernel, zeros, type Allocated } from "../../kernels/backend.js";
import { mulAB, mulABt, mulAtB } from "../../kernels/gemm.js";
import { addBias, addColumnSums } from "../../kernels/rows.js";
import { Tensor } from "../../tensor.js";
import { oneOf, optionsObject } from "../../options.js";
import { CellBase, type CellOptions } from "./cell.js";
import { RecurrentBase, type RecurrentForwardOptions, type RecurrentOptions, type WithTrace, type WithoutTrace } from "./layer.js";
import type { CellKind, StepBuffers } from "./step.js";
import type { GRUTrace } from "./trace.js";

/** Which GRU equations to use; the defaults are PyTorch's. */
export interface GRUVariant {
  /** "after" (PyTorch): r ⊙ (W_hn h + b_hn). "before" (Cho, textbooks): W_hn (r ⊙ h) + b_hn. */
  resetPosition?: "after" | "before";
  /** "pytorch": h_t = (1−z) ⊙ n + z ⊙ h_{t−1}. "textbook": h_t = (1−z) ⊙ h_{t−1} + z ⊙ n. */
  updateConvention?: "pytorch" | "textbook";
}

/** The variant's two choices, each checked against its allowed values (`where` names the caller). */
export function gruVariant(where: string, v: GRUVariant): Required<GRUVariant> {
  return {
    resetPosition: oneOf(where, "resetPosition", v.resetPosition, ["after", "before"], "after"),
    updateConvention: oneOf(where, "updateConvention", v.updateConvention, ["pytorch", "textbook"], "pytorch"),
  };
}

/** Scratch for one GRU step, declared (sizes in rows of B). */
function gruScratch(resetAfter: boolean, zKeepsOld: boolean, B: number, H: number) {
  return {
    resetAfter,
    zKeepsOld,
    /** (B, 2H): h_{t−1}·W_h{r,z}ᵀ (+ b_h{r,z}). */
    ghRZ: zeros(B * 2 * H),
    /** (B, H): W_hn h_{t−1} + b_hn ("after") or W_hn (r ⊙ h_{t−1}) + b_hn ("before"). */
    ghN: zeros(B * H),
    /** (B, H): r ⊙ h_{t−1} ("before" only). */
    q: zeros(B * H),
    dq: zeros(B * H),
    dr: zeros(B * H),
    dGhRZ: zeros(B * 2 * H),
    dGhN: zeros(B * H),
  };
}

/** Scratch for one GRU step: the variant's flags and the buffers of `gruScratch`. */
export type GRUScratch = Allocated<ReturnType<typeof gruScratch>>;

/** Step s: r, z, n from gx[s] and h[s], then h[s+1]; keeps r, z, n and ghN in saved[s]. */
export function gruStep(buf: StepBuffers, scratch: GRUScratch, s: number): void {
  const { B, H } = buf;
  const hAt = s * B * H;
  const rows = { gx: [buf.gx, s * B * 3 * H], saved: [buf.saved, s * B * 4 * H], hPrev: [buf.h, hAt] } as const;
  const flags = { resetAfter: scratch.resetAfter, zKeepsOld: scratch.zKeepsOld };
  mulABt(B, 2 * H, H, buf.h, hAt, buf.wHh, 0, scratch.ghRZ, 0);
  gruForwardRZ(B, H, { ...rows, ghRZ: [scratch.ghRZ, 0], bias: buf.bHh, q: [scratch.q, 0], resetAfter: scratch.resetAfter });
  // W_hn's block starts at row 2H of W_hh.
  if (scratch.resetAfter) mulABt(B, H, H, buf.h, hAt, buf.wHh, 2 * H * H, scratch.ghN, 0);
  else mulABt(B, H, H, scratch.q, 0, buf.wHh, 2 * H * H, scratch.ghN, 0);
  gruForwardN(B, H, { ...rows, ...flags, ghN: [scratch.ghN, 0], bias: buf.bHh, hNext: [buf.h, hAt + B * H] });
}

/** r and z (saved), and q = r ⊙ h_{t−1} when the reset acts before the matmul. */
const gruForwardRZ = gateKernel("gruForwardRZ", (B, H, a) => {
  const [gx, gxAt] = a.gx, [ghRZ, ghAt] = a.ghRZ, [saved, savedAt] = a.saved, [h, hAt] = a.hPrev, [q, qAt] = a.q;
  if (a.bias) addBias(B, 2 * H, a.bias, ghRZ, ghAt);
  for (let b = 0; b < B; b++) {
    const sv = savedAt + b * 4 * H, x = gxAt + b * 3 * H, g = ghAt + b * 2 * H; // rows of saved [r z n ghN], gx [r z n], ghRZ
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gx[x + j]! + ghRZ[g + j]!);
      saved[sv + j] = r;
      saved[sv + H + j] = sigmoid(gx[x + H + j]! + ghRZ[g + H + j]!);
      if (!a.resetAfter) q[qAt + b * H + j] = r * h[hAt + b * H + j]!;
    }
  }
});

/** n and h_t from ghN (+ b_hn): saves n and ghN; u = 1 − z (PyTorch) or z (textbook) weighs n. */
const gruForwardN = gateKernel("gruForwardN", (B, H, a) => {
  const [gx, gxAt] = a.gx, [ghN, ghAt] = a.ghN, [saved, savedAt] = a.saved, [h, hPrevAt] = a.hPrev, [, hNextAt] = a.hNext;
  if (a.bias) addBias(B, H, a.bias, ghN, ghAt, 2 * H);
  for (let b = 0; b < B; b++) {
    const sv = savedAt + b * 4 * H, x = gxAt + b * 3 * H;
    for (let j = 0; j < H; j++) {
      const r = saved[sv + j]!;
      const z = saved[sv + H + j]!;
      const ghn = ghN[ghAt + b * H + j]!;
      const n = Math.tanh(gx[x + 2 * H + j]! + (a.resetAfter ? r * ghn : ghn));
      saved[sv + 2 * H + j] = n;
      saved[sv + 3 * H + j] = ghn;
      const u = a.zKeepsOld ? 1 - z : z; // how much of the candidate n enters h_t
      h[hNextAt + b * H + j] = u * n + (1 - u) * h[hPrevAt + b * H + j]!;
    }
  }
});

/**
 * Backward of step s. With u the candidate's weight (1 − z, or z in the textbook convention):
 *
 *   du = dh_t ⊙ (n − h_{t−1})    dn = dh_t ⊙ u    dh_{t−1} gets dh_t ⊙ (1 − u)
 *   da_n = dn ⊙ (1 − n²)          (the gradient of W_in x + b_in, and of b_hn "before")
 *   "after":  d(W_hn h + b_hn) = da_n ⊙ r,   dr = da_n ⊙ (W_hn h + b_hn)
 *   "before": dq = da_n·W_hn,  dr = dq ⊙ h_{t−1},  dh_{t−1} gets dq ⊙ r
 *   da_r = dr ⊙ r(1 − r),  da_z = ±du ⊙ z(1 − z)
 */
export function gruStepBackward(buf: StepBuffers, scratch: GRUScratch, s: number): void {
  const { B, H } = buf;
  const hAt = s * B * H;
  const saved = [buf.saved, s * B * 4 * H] as const, hPrev = [buf.h, hAt] as const, dhPrev = [buf.dH, hAt] as const;
  const dGx = [buf.dGx, s * B * 3 * H] as const, dGhRZ = [scratch.dGhRZ, 0] as const, dr = [scratch.dr, 0] as const;
  gruBackwardNZ(B, H, {
    saved, hPrev, dhNext: [buf.dH, hAt + B * H], dhPrev, dGx, dGhRZ, dGhN: [scratch.dGhN, 0], dr, q: [scratch.q, 0],
    resetAfter: scratch.resetAfter, zKeepsOld: scratch.zKeepsOld,
  });
  if (scratch.resetAfter) {
    mulAB(B, H, H, scratch.dGhN, 0, buf.wHh, 2 * H * H, buf.dH, hAt, true);
  } else {
    mulAB(B, H, H, scratch.dGhN, 0, buf.wHh, 2 * H * H, scratch.dq, 0);
    gruBackwardBefore(B, H, { saved, hPrev, dq: [scratch.dq, 0], dr, dhPrev });
  }
  gruBackwardR(B, H, { saved, dr, dGx, dGhRZ });
  mulAB(B, H, 2 * H, scratch.dGhRZ, 0, buf.wHh, 0, buf.dH, hAt, true);
  mulAtB(2 * H, H, B, scratch.dGhRZ, 0, buf.h, hAt, buf.dWhh, 0, true);
  if (scratch.resetAfter) mulAtB(H, H, B, scratch.dGhN, 0, buf.h, hAt, buf.dWhh, 2 * H * H, true);
  else mulAtB(H, H, B, scratch.dGhN, 0, scratch.q, 0, buf.dWhh, 2 * H * H, true);
  if (buf.dbHh) {
    addColumnSums(B, 2 * H, scratch.dGhRZ, 0, buf.dbHh);
    addColumnSums(B, H, scratch.dGhN, 0, buf.dbHh, 2 * H);
  }
}

/**
 * dh_{t−1} += dh ⊙ (1 − u); the gradients of the n and z pre-activations; dGhN and dr ("after")
 * or dGhN and q ("before", finished by gruBackwardBefore).
 */
const gruBackwardNZ = gateKernel("gruBackwardNZ", (B, H, a) => {
  const [saved, savedAt] = a.saved, [h, hAt] = a.hPrev, [dH, dhNextAt] = a.dhNext, [, dhPrevAt] = a.dhPrev;
  const [dGx, dGxAt] = a.dGx, [dGhRZ, dGhRZAt] = a.dGhRZ, [dGhN, dGhNAt] = a.dGhN, [dr, drAt] = a.dr, [q, qAt] = a.q;
  for (let b = 0; b < B; b++) {
    const sv = savedAt + b * 4 * H, x = dGxAt + b * 3 * H, g = dGhRZAt + b * 2 * H;
    for (let j = 0; j < H; j++) {
      const r = saved[sv + j]!;
      const z = saved[sv + H + j]!;
      const n = saved[sv + 2 * H + j]!;
      const hPrev = h[hAt + b * H + j]!;
      const dh = dH[dhNextAt + b * H + j]!;
      const u = a.zKeepsOld ? 1 - z : z;
      const du = dh * (n - hPrev);
      const dz = a.zKeepsOld ? -du : du;
      dH[dhPrevAt + b * H + j]! += dh * (1 - u);
      const dan = dh * u * (1 - n * n);
      dGx[x + 2 * H + j] = dan;
      const daz = dz * z * (1 - z);
      dGx[x + H + j] = daz;
      dGhRZ[g + H + j] = daz;
      if (a.resetAfter) {
        dGhN[dGhNAt + b * H + j] = dan * r;
        dr[drAt + b * H + j] = dan * saved[sv + 3 * H + j]!;
      } else {
        dGhN[dGhNAt + b * H + j] = dan;
        q[qAt + b * H + j] = r * hPrev;
      }
    }
  }
});

/** "before" only, after dq = dGhN·W_hn: dr = dq ⊙ h_{t−1}, dh_{t−1} += dq ⊙ r. */
const gruBackwardBefore = gateKernel("gruBackwardBefore", (B, H, a) => {
  const [saved, savedAt] = a.saved, [h, hAt] = a.hPrev, [dq, dqAt] = a.dq, [dr, drAt] = a.dr, [dH, dhAt] = a.dhPrev;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const r = saved[savedAt + b * 4 * H + j]!;
      const d = dq[dqAt + b * H + j]!;
      dr[drAt + b * H + j] = d * h[hAt + b * H + j]!;
      dH[dhAt + b * H + j]! += d * r;
    }
  }
});

/** The r pre-activation's gradient dr ⊙ r(1 − r), into dGx and dGhRZ. */
const gruBackwardR = gateKernel("gruBackwardR", (B, H, a) => {
  const [saved, savedAt] = a.saved, [dr, drAt] = a.dr, [dGx, dGxAt] = a.dGx, [dGhRZ, dGhRZAt] = a.dGhRZ;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const r = saved[savedAt + b * 4 * H + j]!;
      const dar = dr[drAt + b * H + j]! * r * (1 - r);
      dGx[dGxAt + b * 3 * H + j] = dar;
      dGhRZ[dGhRZAt + b * 2 * H + j] = dar;
    }
  }
});

/** The GRU (in one of its variants) as the driver runs it. */
export function gruKind(variant: GRUVariant = {}): CellKind<GRUScratch> {
  const resetAfter = (variant.resetPosition ?? "after") === "after";
  const zKeepsOld = (variant.updateConvention ?? "pytorch") === "pytorch";
  return {
    gates: 3,
    hasCellState: false,
    // r ⊙ (W_hn h + b_hn) makes the hidden side's n-gradient differ from dGx's.
    hiddenGradsAfterLoop: false,
    hiddenBlocks: (H) => [2 * H, H],
    // ghN is kept for the backward of the "after" form (dr needs it); it is not a gate.
    savedNames: ["r", "z", "n", "ghN"],
    tracedCount: 3,
    scratch: (B, H) => gruScratch(resetAfter, zKeepsOld, B, H),
    step: gruStep,
    stepBackward: gruStepBackward,
  };
}

/** Options of nn.GRU, plus seqlab's choice of GRU equations (above). */
export interface GRUOptions extends RecurrentOptions, GRUVariant {}

/**
 * nn.GRU with PyTorch's gate order [r; z; n]. By default PyTorch's equations; `resetPosition:
 * "before"` and `updateConvention: "textbook"` switch to the textbook forms (above).
 * `forward(x, h0?)` returns `[output, h_n]`.
 */
export class GRU extends RecurrentBase<GRUScratch> {
  readonly resetPosition: "after" | "before";
  readonly updateConvention: "pytorch" | "textbook";

  constructor(opts: GRUOptions) {
    const variant = gruVariant("GRU", optionsObject("GRU", opts, "{ inputSize: 4, hiddenSize: 8 }"));
    super(gruKind(variant), opts);
    this.resetPosition = variant.resetPosition;
    this.updateConvention = variant.updateConvention;
  }

  /** Shapes as RNN.forward. */
  forward(x: Tensor, h0?: Tensor | null, opts?: WithoutTrace): [Tensor, Tensor];
  forward(x: Tensor, h0: Tensor | null | undefined, opts: WithTrace): [Tensor, Tensor, GRUTrace];
  forward(x: Tensor, h0?: Tensor | null, opts?: RecurrentForwardOptions): [Tensor, Tensor] | [Tensor, Tensor, GRUTrace];
  forward(x: Tensor, h0: Tensor | null = null, opts: RecurrentForwardOptions = {}): [Tensor, Tensor] | [Tensor, Tensor, GRUTrace] {
    const r = this.run(x, h0, null, opts);
    return r.trace ? [r.output, r.hN, r.trace as GRUTrace] : [r.output, r.hN];
  }

  protected override extraRepr(): string {
    const extra = [];
    if (this.resetPosition !== "after") extra.push(`resetPosition=${this.resetPosition}`);
    if (this.updateConvention !== "pytorch") extra.push(`updateConvention=${this.updateConvention}`);
    return [super.extraRepr(), ...extra].join(", ");
  }
}

/** Options of nn.GRUCell, plus seqlab's choice of GRU equations (above). */
export interface GRUCellOptions extends CellOptions, GRUVariant {}

/** nn.GRUCell: one GRU step, gate order [r; z; n]; PyTorch's equations unless told otherwise. */
export class GRUCell extends CellBase<GRUScratch> {
  readonly resetPosition: "after" | "before";
  readonly updateConvention: "pytorch" | "textbook";

  constructor(opts: GRUCellOptions) {
    const variant = gruVariant("GRUCell", optionsObject("GRUCell", opts, "{ inputSize: 4, hiddenSize: 8 }"));
    super(gruKind(variant), opts);
    this.resetPosition = variant.resetPosition;
    this.updateConvention = variant.updateConvention;
  }

  /** x: (B, inputSize) or (inputSize,); h: (B, hiddenSize) or null for zeros. Returns h'. */
  forward(x: Tensor, h: Tensor | null = null): Tensor {
    return this.step(x, h, null)[0];
  }
}
