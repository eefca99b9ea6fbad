/**
 * One GRU step forward and its hand-derived backward, side by side, in the three forms that
 * textbooks and PyTorch disagree on. Gate rows of W_ih, W_hh and the biases: [r; z; n].
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
 */
import { sigmoid } from "../../kernels/activations.js";
import { wasmOn, type Workspace } from "../../kernels/backend.js";
import { gemm } from "../../kernels/gemm.js";
import type { TypedData } from "../../tensor.js";
import { addBias, addColumnSums, type CellKind, type StepBuffers } from "./step.js";
import { oneOf } from "../../options.js";

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

/** Scratch for one GRU step. */
export interface GRUWork {
  readonly resetAfter: boolean;
  readonly zKeepsOld: boolean;
  /** (B, 2H): h_{t−1}·W_h{r,z}ᵀ + b_h{r,z}. */
  readonly ghRZ: TypedData;
  /** (B, H): W_hn h_{t−1} + b_hn ("after") or W_hn (r ⊙ h_{t−1}) + b_hn ("before"). */
  readonly ghN: TypedData;
  /** (B, H): r ⊙ h_{t−1} ("before" only). */
  readonly q: TypedData;
  readonly dq: TypedData;
  readonly dr: TypedData;
  readonly dGhRZ: TypedData;
  readonly dGhN: TypedData;
}

/** Step s: r, z, n from gx[s] and h[s], then h[s+1]; keeps r, z, n and ghN in saved[s]. */
export function gruStep(k: StepBuffers, w: GRUWork, s: number): void {
  const { B, H } = k;
  const G = 3 * H;
  const hOff = s * B * H;
  const rt = wasmOn(H, k.h);
  gemm(B, 2 * H, H, k.h, hOff, false, k.wHh, 0, true, w.ghRZ, 0, false);
  if (rt) {
    rt.rows("gruForwardRZ", B, H, rt.addr(k.gx, s * B * G), rt.addr(w.ghRZ), rt.addr(k.bHh), rt.addr(k.h, hOff), rt.addr(k.saved, s * B * 4 * H), rt.addr(w.q), w.resetAfter ? 0 : 1);
  } else {
    if (k.bHh) addBias(B, 2 * H, k.bHh, w.ghRZ);
    for (let b = 0; b < B; b++) {
      const a = s * B * 4 * H + b * 4 * H; // row of saved: [r z n ghN]
      const x = s * B * G + b * G; // row of gx: [r z n]
      for (let j = 0; j < H; j++) {
        const r = sigmoid(k.gx[x + j]! + w.ghRZ[b * 2 * H + j]!);
        k.saved[a + j] = r;
        k.saved[a + H + j] = sigmoid(k.gx[x + H + j]! + w.ghRZ[b * 2 * H + H + j]!);
        if (!w.resetAfter) w.q[b * H + j] = r * k.h[hOff + b * H + j]!;
      }
    }
  }
  // W_hn's block starts at row 2H of W_hh.
  const src = w.resetAfter ? k.h : w.q;
  gemm(B, H, H, src, w.resetAfter ? hOff : 0, false, k.wHh, 2 * H * H, true, w.ghN, 0, false);
  if (rt) {
    rt.rows("gruForwardN", B, H, rt.addr(k.gx, s * B * G), rt.addr(w.ghN), rt.addr(k.bHh), rt.addr(k.h, hOff), rt.addr(k.saved, s * B * 4 * H), rt.addr(k.h, hOff + B * H), w.resetAfter ? 1 : 0, w.zKeepsOld ? 1 : 0);
    return;
  }
  if (k.bHh) addBias(B, H, k.bHh, w.ghN, 0, 2 * H);
  for (let b = 0; b < B; b++) {
    const a = s * B * 4 * H + b * 4 * H;
    const x = s * B * G + b * G;
    for (let j = 0; j < H; j++) {
      const r = k.saved[a + j]!;
      const z = k.saved[a + H + j]!;
      const ghn = w.ghN[b * H + j]!;
      const n = Math.tanh(k.gx[x + 2 * H + j]! + (w.resetAfter ? r * ghn : ghn));
      k.saved[a + 2 * H + j] = n;
      k.saved[a + 3 * H + j] = ghn;
      const u = w.zKeepsOld ? 1 - z : z; // how much of the candidate n enters h_t
      k.h[hOff + B * H + b * H + j] = u * n + (1 - u) * k.h[hOff + b * H + j]!;
    }
  }
}

/**
 * Backward of step s. With u the candidate's weight (1 − z, or z in the textbook convention):
 *
 *   du = dh_t ⊙ (n − h_{t−1})    dn = dh_t ⊙ u    dh_{t−1} gets dh_t ⊙ (1 − u)
 *   da_n = dn ⊙ (1 − n²)          (the gradient of W_in x + b_in, and of b_hn "before")
 *   "after":  d(W_hn h + b_hn) = da_n ⊙ r,   dr = da_n ⊙ (W_hn h + b_hn)
 *   "before": dq = da_n·W_hn,  dr = dq ⊙ h_{t−1},  dh_{t−1} gets dq ⊙ r
 *   da_r = dr ⊙ r(1 − r),  da_z = ±du ⊙ z(1 − z)
 */
export function gruStepBackward(k: StepBuffers, w: GRUWork, s: number): void {
  const { B, H } = k;
  const G = 3 * H;
  const hOff = s * B * H;
  const rt = wasmOn(H, k.h);
  if (rt) {
    rt.rows(
      "gruBackwardNZ", B, H, rt.addr(k.saved, s * B * 4 * H), rt.addr(k.h, hOff), rt.addr(k.dH, hOff + B * H), rt.addr(k.dH, hOff),
      rt.addr(k.dGx, s * B * G), rt.addr(w.dGhRZ), rt.addr(w.dGhN), rt.addr(w.dr), rt.addr(w.q), w.resetAfter ? 1 : 0, w.zKeepsOld ? 1 : 0,
    );
  } else {
    for (let b = 0; b < B; b++) {
      const a = s * B * 4 * H + b * 4 * H;
      const x = s * B * G + b * G;
      for (let j = 0; j < H; j++) {
        const r = k.saved[a + j]!;
        const z = k.saved[a + H + j]!;
        const n = k.saved[a + 2 * H + j]!;
        const hPrev = k.h[hOff + b * H + j]!;
        const dh = k.dH[hOff + B * H + b * H + j]!;
        const u = w.zKeepsOld ? 1 - z : z;
        const du = dh * (n - hPrev);
        const dz = w.zKeepsOld ? -du : du;
        k.dH[hOff + b * H + j]! += dh * (1 - u);
        const dan = dh * u * (1 - n * n);
        k.dGx[x + 2 * H + j] = dan;
        const daz = dz * z * (1 - z);
        k.dGx[x + H + j] = daz;
        w.dGhRZ[b * 2 * H + H + j] = daz;
        if (w.resetAfter) {
          w.dGhN[b * H + j] = dan * r;
          w.dr[b * H + j] = dan * k.saved[a + 3 * H + j]!;
        } else {
          w.dGhN[b * H + j] = dan;
          w.q[b * H + j] = r * hPrev;
        }
      }
    }
  }
  if (!w.resetAfter) {
    gemm(B, H, H, w.dGhN, 0, false, k.wHh, 2 * H * H, false, w.dq, 0, false);
    if (rt) {
      rt.rows("gruBackwardBefore", B, H, rt.addr(k.saved, s * B * 4 * H), rt.addr(k.h, hOff), rt.addr(w.dq), rt.addr(w.dr), rt.addr(k.dH, hOff));
    } else {
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          const r = k.saved[s * B * 4 * H + b * 4 * H + j]!;
          w.dr[b * H + j] = w.dq[b * H + j]! * k.h[hOff + b * H + j]!;
          k.dH[hOff + b * H + j]! += w.dq[b * H + j]! * r;
        }
      }
    }
  } else {
    gemm(B, H, H, w.dGhN, 0, false, k.wHh, 2 * H * H, false, k.dH, hOff, true);
  }
  if (rt) {
    rt.rows("gruBackwardR", B, H, rt.addr(k.saved, s * B * 4 * H), rt.addr(w.dr), rt.addr(k.dGx, s * B * G), rt.addr(w.dGhRZ));
  } else {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const r = k.saved[s * B * 4 * H + b * 4 * H + j]!;
        const dar = w.dr[b * H + j]! * r * (1 - r);
        k.dGx[s * B * G + b * G + j] = dar;
        w.dGhRZ[b * 2 * H + j] = dar;
      }
    }
  }
  gemm(B, H, 2 * H, w.dGhRZ, 0, false, k.wHh, 0, false, k.dH, hOff, true);
  gemm(2 * H, H, B, w.dGhRZ, 0, true, k.h, hOff, false, k.dWhh, 0, true);
  const src = w.resetAfter ? k.h : w.q;
  gemm(H, H, B, w.dGhN, 0, true, src, w.resetAfter ? hOff : 0, false, k.dWhh, 2 * H * H, true);
  if (k.dbHh) {
    addColumnSums(B, 2 * H, w.dGhRZ, 0, k.dbHh);
    addColumnSums(B, H, w.dGhN, 0, k.dbHh, 2 * H);
  }
}

/** The GRU (in one of its variants) as the driver runs it. */
export function gruKind(variant: GRUVariant = {}): CellKind<GRUWork> {
  const resetAfter = (variant.resetPosition ?? "after") === "after";
  const zKeepsOld = (variant.updateConvention ?? "pytorch") === "pytorch";
  return {
    gates: 3,
    hasCellState: false,
    // r ⊙ (W_hn h + b_hn) makes the hidden side's n-gradient differ from dGx's.
    hiddenGradsAfterLoop: false,
    // ghN is kept for the backward of the "after" form (dr needs it); it is not a gate.
    savedNames: ["r", "z", "n", "ghN"],
    tracedCount: 3,
    workspace: (ws: Workspace, B: number, H: number) => {
      const make = (n: number): TypedData => ws.alloc(B * n * H);
      return {
        resetAfter, zKeepsOld,
        ghRZ: make(2), ghN: make(1), q: make(1), dq: make(1), dr: make(1), dGhRZ: make(2), dGhN: make(1),
      };
    },
    step: gruStep,
    stepBackward: gruStepBackward,
  };
}
