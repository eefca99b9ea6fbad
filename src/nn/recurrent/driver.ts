/**
 * The one driver behind RNN, LSTM, GRU and their cells: layers × directions × time, with
 * variable lengths, dropout between layers and the bidirectional concatenation, and the
 * matching backward pass through time. It works on raw typed arrays; the modules wrap it into
 * ONE autograd node (modules.ts, cells.ts).
 *
 * Per (layer, direction) the work is:
 *   1. one gemm for the input projection of all steps at once:  gx = xs · W_ihᵀ + b_ih
 *   2. the time loop: cell.step(s) for s = 0 … T−1 (only h·W_hhᵀ is left inside the loop)
 * and backward:
 *   3. cell.stepBackward(s) for s = T−1 … 0
 *   4. one gemm each for dW_ih = dGxᵀ · xs and dxs = dGx · W_ih.
 *
 * Steps are counted in processing order. Time position t of batch entry b is processed at
 *   s = t              (forward direction)
 *   s = len_b − 1 − t  (reverse direction, which starts at each sequence's last real step)
 * and `order[s·B + b]` holds that t, or −1 for a padded step (s ≥ len_b). On a padded step the
 * state is carried over unchanged, so h[T] is already the state at each sequence's last real
 * step: h_n needs no gathering.
 */
import { withWorkspace, type Workspace } from "../../kernels/backend.js";
import { gemm } from "../../kernels/gemm.js";
import type { Generator } from "../../random.js";
import { recycle } from "../../kernels/recycle.js";
import { allocate, type DType, type TypedData } from "../../tensor.js";
import { addBias, addColumnSums, type CellKind, type StepBuffers } from "./step.js";

/** One (layer, direction)'s parameters, in PyTorch's layout. */
export interface LayerParams {
  readonly wIh: TypedData; // (G·H, F)
  readonly wHh: TypedData; // (G·H, Hout)
  readonly bIh: TypedData | null; // (G·H)
  readonly bHh: TypedData | null; // (G·H)
  readonly wHr: TypedData | null; // (Hout, H)
}

/** Gradients of one (layer, direction)'s parameters (fresh arrays, same layout). */
export interface LayerGrads {
  readonly dWih: TypedData;
  readonly dWhh: TypedData;
  readonly dbIh: TypedData | null;
  readonly dbHh: TypedData | null;
  readonly dWhr: TypedData | null;
}

export interface RecurrentProblem {
  readonly dtype: DType;
  readonly T: number;
  readonly B: number;
  readonly inputSize: number;
  readonly H: number;
  readonly Hout: number;
  readonly numLayers: number;
  readonly directions: 1 | 2;
  /** (T, B, inputSize), time-major. */
  readonly x: TypedData;
  /** (L·D, B, Hout) or null for zeros. */
  readonly h0: TypedData | null;
  /** (L·D, B, H) or null for zeros (LSTM only). */
  readonly c0: TypedData | null;
  /** Index layer·D + direction. */
  readonly params: readonly LayerParams[];
  /** Real length of each sequence, or null when all have length T. */
  readonly lengths: readonly number[] | null;
  /**
   * Whether to keep every step's gates and states after the forward pass: backward needs them,
   * and so does a trace. Without (inference) they are never copied out of the workspace.
   */
  readonly keepSteps: boolean;
  /** Whether backward should also return dL/dh_t of every step (for a trace). */
  readonly traceGrads: boolean;
  /** Dropout probability on the outputs of every layer but the last (0 when not training). */
  readonly dropout: number;
  readonly generator: Generator;
}

/**
 * What the forward pass keeps for one (layer, direction): the trace reads it, backward needs
 * it. Its arrays live outside WebAssembly memory (gx is dropped: backward does not read it).
 */
export interface DirectionRun {
  readonly layer: number;
  readonly reverse: boolean;
  readonly order: Int32Array;
  readonly k: StepBuffers;
  /** The layer's input in processing order, (T, B, F). */
  readonly xs: TypedData;
  readonly F: number;
}

export interface RecurrentGrads {
  /** (T, B, inputSize), time-major. */
  readonly dx: TypedData;
  readonly dh0: TypedData;
  readonly dc0: TypedData | null;
  readonly params: readonly LayerGrads[];
  /**
   * Per (layer, direction): dL/dh_t in time order, (T, B, Hout); zero at padded positions.
   * Empty unless the problem asked for `traceGrads`.
   */
  readonly dh: readonly TypedData[];
}

export interface RecurrentResult {
  /** (T, B, D·Hout), time-major; zero at padded positions. */
  readonly output: TypedData;
  /** (L·D, B, Hout). */
  readonly hN: TypedData;
  /** (L·D, B, H), LSTM only. */
  readonly cN: TypedData | null;
  readonly runs: readonly DirectionRun[];
  /** Backpropagates dL/doutput, dL/dh_n, dL/dc_n (null = zero) through every layer and step. */
  backward(dOutput: TypedData | null, dhN: TypedData | null, dcN: TypedData | null): RecurrentGrads;
  /**
   * Gives the kept steps back for reuse (see kernels/recycle.ts); backward throws after this.
   * `runs` must not be read again either.
   */
  release(): void;
}

/** Processing order of one direction: order[s·B + b] = time position, or −1 on padding. */
export function processingOrder(T: number, B: number, lengths: readonly number[] | null, reverse: boolean): Int32Array {
  const order = new Int32Array(T * B);
  for (let s = 0; s < T; s++) {
    for (let b = 0; b < B; b++) {
      const len = lengths ? lengths[b]! : T;
      order[s * B + b] = s >= len ? -1 : reverse ? len - 1 - s : s;
    }
  }
  return order;
}

function isIdentity(order: Int32Array, B: number): boolean {
  for (let q = 0; q < order.length; q++) if (order[q] !== Math.floor(q / B)) return false;
  return true;
}

/**
 * Copies n columns per row between a time-ordered (T, B, ·) array and a processing-ordered one.
 * `toTime` true: proc[s, b] → time[order[s,b], b]; false: time → proc (padded rows untouched).
 */
function permuteRows(
  order: Int32Array, B: number, n: number, toTime: boolean, accumulate: boolean,
  proc: TypedData, procOff: number, procWidth: number, procCol: number,
  time: TypedData, timeWidth: number, timeCol: number,
): void {
  if (!accumulate && procWidth === n && timeWidth === n && isIdentity(order, B)) {
    // Same order, whole rows: one block copy (the usual case: forward direction, no padding).
    const block = order.length * n;
    if (toTime) time.set(proc.subarray(procOff, procOff + block), 0);
    else proc.set(time.subarray(0, block), procOff);
    return;
  }
  for (let q = 0; q < order.length; q++) {
    const t = order[q]!;
    if (t < 0) continue;
    const p = procOff + q * procWidth + procCol;
    const r = (t * B + (q % B)) * timeWidth + timeCol;
    const src = toTime ? proc : time;
    const dst = toTime ? time : proc;
    const from = toTime ? p : r;
    const to = toTime ? r : p;
    for (let u = 0; u < n; u++) dst[to + u] = (accumulate ? dst[to + u]! : 0) + src[from + u]!;
  }
}

/** A fresh (T, B, n) copy, in time order, of n columns of a processing-ordered array (zero where padded). */
export function timeOrdered(order: Int32Array, B: number, n: number, src: TypedData, srcOff: number, srcWidth: number, srcCol: number): TypedData {
  const dst = src instanceof Float64Array ? new Float64Array(order.length * n) : new Float32Array(order.length * n);
  permuteRows(order, B, n, true, false, src, srcOff, srcWidth, srcCol, dst, n, 0);
  return dst;
}

/** The (B, n) rows of step s+1 of `a` for sequences already finished at step s: copy from step s. */
function carryFinished(a: TypedData, s: number, B: number, n: number, lengths: readonly number[]): void {
  for (let b = 0; b < B; b++) {
    if (s < lengths[b]!) continue;
    a.copyWithin(((s + 1) * B + b) * n, (s * B + b) * n, (s * B + b + 1) * n);
  }
}

/**
 * Backward of `carryFinished`: the gradient reaching a carried state passes straight to step s,
 * and the step itself sees zero for those rows (so its gates get zero gradient, being linear in it).
 */
function passFinished(d: TypedData, s: number, B: number, n: number, lengths: readonly number[]): void {
  for (let b = 0; b < B; b++) {
    if (s < lengths[b]!) continue;
    const from = ((s + 1) * B + b) * n;
    const to = (s * B + b) * n;
    for (let u = 0; u < n; u++) d[to + u]! += d[from + u]!;
    d.fill(0, from, from + n);
  }
}

const EMPTY = { float32: new Float32Array(0), float64: new Float64Array(0) } as const;

/** Values in one (layer, direction)'s hidden-side weights and biases (what a workspace holds of them). */
function weightFloats(w: LayerParams): number {
  return w.wHh.length + (w.bHh?.length ?? 0) + (w.wHr?.length ?? 0);
}

/** The hidden-side weights in the workspace, where every step's kernels read them. */
function placeWeights(ws: Workspace, w: LayerParams): Pick<StepBuffers, "wHh" | "bHh" | "wHr"> {
  return { wHh: ws.place(w.wHh), bHh: w.bHh && ws.place(w.bHh), wHr: w.wHr && ws.place(w.wHr) };
}

/** How many values a cell's step scratch takes: its `workspace` run once on a workspace that only counts. */
function workspaceFloats<W>(cell: CellKind<W>, B: number, H: number, Hout: number): number {
  let n = 0;
  const count = (m: number): TypedData => {
    n += m;
    return EMPTY.float32;
  };
  cell.workspace({ alloc: count, scratch: count, place: (x) => x, keep: (x) => x }, B, H, Hout);
  return n;
}

/** Runs the whole stack forward and returns its outputs plus a closure for the backward pass. */
export function runRecurrent<W>(cell: CellKind<W>, p: RecurrentProblem): RecurrentResult {
  const { dtype, T, B, H, Hout, numLayers: L, directions: D, lengths } = p;
  const G = cell.gates * H;
  const S = cell.savedNames.length * H;
  const orders = [processingOrder(T, B, lengths, false), processingOrder(T, B, lengths, true)];
  const hN = allocate(dtype, L * D * B * Hout);
  const cN = cell.hasCellState ? allocate(dtype, L * D * B * H) : null;
  const runs: DirectionRun[] = [];
  const masks: (TypedData | null)[] = [];

  let layerIn = p.x;
  let F = p.inputSize;
  let out = layerIn;
  for (let l = 0; l < L; l++) {
    out = allocate(dtype, T * B * D * Hout);
    for (let d = 0; d < D; d++) {
      const slot = l * D + d;
      const w_ = p.params[slot]!;
      const order = orders[d]!;
      let xs = layerIn;
      if (!isIdentity(order, B)) {
        xs = allocate(dtype, T * B * F);
        permuteRows(order, B, F, false, false, xs, 0, F, 0, layerIn, F, 0);
      }
      const floats = weightFloats(w_) + G + T * B * (G + S) + (T + 1) * B * (Hout + (cell.hasCellState ? H : 0))
        + workspaceFloats(cell, B, H, Hout) + T * B * F + G * F; // the last two: the input projection's operands
      const layerF = F;
      runs.push(withWorkspace(dtype, floats, (ws): DirectionRun => {
        const k: StepBuffers = {
          B, H, Hout, ...placeWeights(ws, w_),
          // gx is written whole by the input projection, saved by the steps: no zeroing needed.
          gx: ws.scratch(T * B * G),
          saved: ws.scratch(T * B * S),
          h: ws.alloc((T + 1) * B * Hout),
          c: ws.alloc(cell.hasCellState ? (T + 1) * B * H : 0),
          // Gradient buffers are allocated by backward (none are needed for inference).
          dGx: EMPTY[dtype], dH: EMPTY[dtype], dC: EMPTY[dtype], dWhh: EMPTY[dtype], dbHh: null, dWhr: null,
        };
        gemm(T * B, G, layerF, xs, 0, false, w_.wIh, 0, true, k.gx, 0, false);
        if (w_.bIh) addBias(T * B, G, ws.place(w_.bIh), k.gx);
        if (p.h0) k.h.set(p.h0.subarray(slot * B * Hout, (slot + 1) * B * Hout));
        if (p.c0) k.c.set(p.c0.subarray(slot * B * H, (slot + 1) * B * H));
        const w = cell.workspace(ws, B, H, Hout);
        for (let s = 0; s < T; s++) {
          cell.step(k, w, s);
          if (lengths) {
            carryFinished(k.h, s, B, Hout, lengths);
            if (cell.hasCellState) carryFinished(k.c, s, B, H, lengths);
          }
        }
        permuteRows(order, B, Hout, true, false, k.h, B * Hout, Hout, 0, out, D * Hout, d * Hout);
        hN.set(k.h.subarray(T * B * Hout), slot * B * Hout);
        if (cN) cN.set(k.c.subarray(T * B * H), slot * B * H);
        // What backward and the trace read, kept past the workspace; gx is not needed again.
        const keep = (x: TypedData): TypedData => (p.keepSteps ? ws.keep(x) : EMPTY[dtype]);
        const kept: StepBuffers = {
          ...k, wHh: w_.wHh, bHh: w_.bHh, wHr: w_.wHr, gx: EMPTY[dtype],
          saved: keep(k.saved), h: keep(k.h), c: keep(k.c),
        };
        return { layer: l, reverse: d === 1, order, k: kept, xs, F: layerF };
      }));
    }
    let mask: TypedData | null = null;
    if (l < L - 1 && p.dropout > 0) {
      mask = allocate(dtype, out.length);
      for (let q = 0; q < mask.length; q++) mask[q] = p.generator.random() < p.dropout ? 0 : 1 / (1 - p.dropout);
      const dropped = allocate(dtype, out.length);
      for (let q = 0; q < out.length; q++) dropped[q] = out[q]! * mask[q]!;
      layerIn = dropped;
    } else {
      layerIn = out;
    }
    masks.push(mask);
    F = D * Hout;
  }

  let released = false;
  const backward = (dOutput: TypedData | null, dhN: TypedData | null, dcN: TypedData | null): RecurrentGrads => {
    if (released) {
      throw new Error(
        "backward through a recurrent layer's forward pass a second time: the steps it saved were freed by the first backward " +
        "(as in PyTorch); pass { retainGraph: true } to the first backward() to keep them",
      );
    }
    const grads: LayerGrads[] = new Array<LayerGrads>(L * D);
    const dhTime: TypedData[] = p.traceGrads ? new Array<TypedData>(L * D) : [];
    const dh0 = allocate(dtype, L * D * B * Hout);
    const dc0 = cell.hasCellState ? allocate(dtype, L * D * B * H) : null;
    let dLayerOut = dOutput ?? allocate(dtype, T * B * D * Hout);
    for (let l = L - 1; l >= 0; l--) {
      const F_l = l === 0 ? p.inputSize : D * Hout;
      const dLayerIn = allocate(dtype, T * B * F_l);
      for (let d = 0; d < D; d++) {
        const slot = l * D + d;
        const run = runs[slot]!;
        const w_ = p.params[slot]!;
        const placed = weightFloats(w_) + T * B * S + (T + 1) * B * (Hout + (cell.hasCellState ? H : 0));
        const grads_ = T * B * G + (T + 1) * B * (Hout + (cell.hasCellState ? H : 0)) + weightFloats(w_) + G;
        const floats = placed + grads_ + workspaceFloats(cell, B, H, Hout) + T * B * run.F + G * run.F; // last two: staged operands
        withWorkspace(dtype, floats, (ws) => {
          const k: StepBuffers = {
            ...run.k, ...placeWeights(ws, w_),
            saved: ws.place(run.k.saved), h: ws.place(run.k.h), c: ws.place(run.k.c),
            dGx: ws.scratch(T * B * G), // every step writes its whole block
            dH: ws.alloc((T + 1) * B * Hout),
            dC: ws.alloc(cell.hasCellState ? (T + 1) * B * H : 0),
            dWhh: ws.alloc(w_.wHh.length),
            dbHh: w_.bHh ? ws.alloc(w_.bHh.length) : null,
            dWhr: w_.wHr ? ws.alloc(w_.wHr.length) : null,
          };
          const w = cell.workspace(ws, B, H, Hout);
          // dH[s+1] starts as dL/doutput at the step's time position, dH[T] also gets dL/dh_n.
          permuteRows(run.order, B, Hout, false, false, k.dH, B * Hout, Hout, 0, dLayerOut, D * Hout, d * Hout);
          if (dhN) for (let q = 0; q < B * Hout; q++) k.dH[T * B * Hout + q]! += dhN[slot * B * Hout + q]!;
          if (dcN) for (let q = 0; q < B * H; q++) k.dC[T * B * H + q]! += dcN[slot * B * H + q]!;
          for (let s = T - 1; s >= 0; s--) {
            if (lengths) {
              passFinished(k.dH, s, B, Hout, lengths);
              if (cell.hasCellState) passFinished(k.dC, s, B, H, lengths);
            }
            cell.stepBackward(k, w, s);
          }
          if (cell.hiddenGradsAfterLoop) {
            gemm(G, Hout, T * B, k.dGx, 0, true, k.h, 0, false, k.dWhh, 0, true);
            if (k.dbHh) addColumnSums(T * B, G, k.dGx, 0, k.dbHh);
          }
          const dWih = allocate(dtype, w_.wIh.length);
          gemm(G, run.F, T * B, k.dGx, 0, true, run.xs, 0, false, dWih, 0, true);
          let dbIh: TypedData | null = null;
          if (w_.bIh) {
            // db_ih is the column sums of dGx: db_hh already, when the driver formed that above.
            const sums = cell.hiddenGradsAfterLoop && k.dbHh ? k.dbHh : ws.alloc(G);
            if (sums !== k.dbHh) addColumnSums(T * B, G, k.dGx, 0, sums);
            dbIh = allocate(dtype, G);
            dbIh.set(sums);
          }
          if (isIdentity(run.order, B)) {
            // Steps in time order: dL/dx adds straight into the layer's input gradient.
            gemm(T * B, run.F, G, k.dGx, 0, false, w_.wIh, 0, false, dLayerIn, 0, true);
          } else {
            const dxs = allocate(dtype, T * B * run.F);
            gemm(T * B, run.F, G, k.dGx, 0, false, w_.wIh, 0, false, dxs, 0, false);
            permuteRows(run.order, B, run.F, true, true, dxs, 0, run.F, 0, dLayerIn, run.F, 0);
          }
          dh0.set(k.dH.subarray(0, B * Hout), slot * B * Hout);
          if (dc0) dc0.set(k.dC.subarray(0, B * H), slot * B * H);
          if (p.traceGrads) dhTime[slot] = timeOrdered(run.order, B, Hout, k.dH, B * Hout, Hout, 0);
          grads[slot] = {
            dWih, dWhh: ws.keep(k.dWhh), dbIh,
            dbHh: k.dbHh && ws.keep(k.dbHh), dWhr: k.dWhr && ws.keep(k.dWhr),
          };
        });
      }
      const mask = l > 0 ? masks[l - 1] : null;
      if (mask) for (let q = 0; q < dLayerIn.length; q++) dLayerIn[q]! *= mask[q]!;
      dLayerOut = dLayerIn;
    }
    return { dx: dLayerOut, dh0, dc0, params: grads, dh: dhTime };
  };

  const release = (): void => {
    if (released) return;
    released = true;
    for (const run of runs) for (const kept of [run.k.saved, run.k.h, run.k.c]) recycle(kept);
  };
  return { output: out, hN, cN, runs, backward, release };
}
