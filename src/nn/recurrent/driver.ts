/**
 * The one driver behind RNN, LSTM, GRU and their cells: layers × directions × time, with
 * variable lengths, dropout between layers and the bidirectional concatenation, and the
 * matching backward pass through time. It works on raw typed arrays; the modules wrap it into
 * ONE autograd node (layer.ts, cell.ts).
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
import { copyOf, room, withWorkspace, written, zeros } from "../../kernels/backend.js";
import { mulAB, mulABt, mulAtB, packedFloats, stagedFloats, withPackedRights, type RightOperand } from "../../kernels/gemm.js";
import type { Generator } from "../../random.js";
import { recycle } from "../../kernels/recycle.js";
import { addBias, addColumnSums } from "../../kernels/rows.js";
import { allocate, type DType, type TypedData } from "../../tensor.js";
import type { CellKind, StepBuffers } from "./step.js";

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
  readonly buffers: StepBuffers;
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

/** The hidden-side weights of one (layer, direction), declared as copies in the workspace, where every step's kernels read them. */
function hiddenWeights(params: LayerParams) {
  return { wHh: copyOf(params.wHh), bHh: params.bHh && copyOf(params.bHh), wHr: params.wHr && copyOf(params.wHr) };
}

/**
 * The right operands of the steps' hidden-side products, one per block of W_hh rows the cell
 * multiplies by separately (CellKind.hiddenBlocks): h·W_hhᵀ forward, dG·W_hh backward.
 */
function hiddenRights(blocks: readonly number[], wHh: TypedData, Hout: number, forward: boolean): RightOperand[] {
  let row = 0;
  return blocks.map((rows) => {
    const bOff = row * Hout;
    row += rows;
    return forward ? { B: wHh, bOff, transB: true, K: Hout, N: rows } : { B: wHh, bOff, transB: false, K: rows, N: Hout };
  });
}

/** Room for packing every block of hiddenRights. */
function hiddenPackedFloats(blocks: readonly number[], Hout: number, forward: boolean): number {
  return blocks.reduce((n, rows) => n + (forward ? packedFloats(Hout, rows) : packedFloats(rows, Hout)), 0);
}

/** Runs the whole stack forward and returns its outputs plus a closure for the backward pass. */
export function runRecurrent<S>(cell: CellKind<S>, p: RecurrentProblem): RecurrentResult {
  const { dtype, T, B, H, Hout, numLayers: L, directions: D, lengths } = p;
  const G = cell.gates * H;
  const S = cell.savedNames.length * H;
  const blocks = cell.hiddenBlocks(H);
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
      const params = p.params[slot]!;
      const order = orders[d]!;
      let xs = layerIn;
      if (!isIdentity(order, B)) {
        xs = allocate(dtype, T * B * F);
        permuteRows(order, B, F, false, false, xs, 0, F, 0, layerIn, F, 0);
      }
      const layerF = F;
      const forward = {
        B, H, Hout, ...hiddenWeights(params),
        bIh: params.bIh && copyOf(params.bIh),
        // gx is written whole by the input projection, saved by the steps: no zeroing needed.
        gx: written(T * B * G),
        saved: written(T * B * S),
        h: zeros((T + 1) * B * Hout),
        c: zeros(cell.hasCellState ? (T + 1) * B * H : 0),
        // Gradient buffers are declared by backward (none are needed for inference).
        dGx: EMPTY[dtype], dH: EMPTY[dtype], dC: EMPTY[dtype], dWhh: EMPTY[dtype], dbHh: null, dWhr: null,
        // The input projection copies its outside operands xs and W_ih in.
        staging: room(stagedFloats(T * B, G, layerF, false, false, true)),
        packedHh: written(hiddenPackedFloats(blocks, Hout, true)),
      };
      runs.push(withWorkspace(dtype, [forward, cell.scratch(B, H, Hout)], (ws, buf, scratchBuffers): DirectionRun => {
        const scratch = scratchBuffers as unknown as S;
        mulABt(T * B, G, layerF, xs, 0, params.wIh, 0, buf.gx, 0);
        if (buf.bIh) addBias(T * B, G, buf.bIh, buf.gx);
        if (p.h0) buf.h.set(p.h0.subarray(slot * B * Hout, (slot + 1) * B * Hout));
        if (p.c0) buf.c.set(p.c0.subarray(slot * B * H, (slot + 1) * B * H));
        withPackedRights(hiddenRights(blocks, buf.wHh, Hout, true), buf.packedHh, () => {
          for (let s = 0; s < T; s++) {
            cell.step(buf, scratch, s);
            if (lengths) {
              carryFinished(buf.h, s, B, Hout, lengths);
              if (cell.hasCellState) carryFinished(buf.c, s, B, H, lengths);
            }
          }
        });
        permuteRows(order, B, Hout, true, false, buf.h, B * Hout, Hout, 0, out, D * Hout, d * Hout);
        hN.set(buf.h.subarray(T * B * Hout), slot * B * Hout);
        if (cN) cN.set(buf.c.subarray(T * B * H), slot * B * H);
        // What backward and the trace read, kept past the workspace; gx is not needed again.
        const keep = (x: TypedData): TypedData => (p.keepSteps ? ws.keep(x) : EMPTY[dtype]);
        const kept: StepBuffers = {
          ...buf, wHh: params.wHh, bHh: params.bHh, wHr: params.wHr, gx: EMPTY[dtype],
          saved: keep(buf.saved), h: keep(buf.h), c: keep(buf.c),
        };
        return { layer: l, reverse: d === 1, order, buffers: kept, xs, F: layerF };
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
        const params = p.params[slot]!;
        const kept = run.buffers;
        const backwardBuffers = {
          B, H, Hout, ...hiddenWeights(params), gx: EMPTY[dtype],
          saved: copyOf(kept.saved), h: copyOf(kept.h), c: copyOf(kept.c),
          dGx: written(T * B * G), // every step writes its whole block
          dH: zeros((T + 1) * B * Hout),
          dC: zeros(cell.hasCellState ? (T + 1) * B * H : 0),
          dWhh: zeros(params.wHh.length),
          dbHh: params.bHh && zeros(params.bHh.length),
          dWhr: params.wHr && zeros(params.wHr.length),
          // db_ih is the column sums of dGx: db_hh already when the driver forms that after the loop.
          dbIhSums: params.bIh && !cell.hiddenGradsAfterLoop ? zeros(G) : null,
          // dW_ih = dGxᵀ·xs and dxs = dGx·W_ih copy in xs or W_ih and copy out their result.
          staging: room(Math.max(stagedFloats(G, run.F, T * B, true, false, false), stagedFloats(T * B, run.F, G, true, false, false))),
          packedHh: written(hiddenPackedFloats(blocks, Hout, false)),
        };
        withWorkspace(dtype, [backwardBuffers, cell.scratch(B, H, Hout)], (ws, buf, scratchBuffers) => {
          const scratch = scratchBuffers as unknown as S;
          // dH[s+1] starts as dL/doutput at the step's time position, dH[T] also gets dL/dh_n.
          permuteRows(run.order, B, Hout, false, false, buf.dH, B * Hout, Hout, 0, dLayerOut, D * Hout, d * Hout);
          if (dhN) for (let q = 0; q < B * Hout; q++) buf.dH[T * B * Hout + q]! += dhN[slot * B * Hout + q]!;
          if (dcN) for (let q = 0; q < B * H; q++) buf.dC[T * B * H + q]! += dcN[slot * B * H + q]!;
          withPackedRights(hiddenRights(blocks, buf.wHh, Hout, false), buf.packedHh, () => {
            for (let s = T - 1; s >= 0; s--) {
              if (lengths) {
                passFinished(buf.dH, s, B, Hout, lengths);
                if (cell.hasCellState) passFinished(buf.dC, s, B, H, lengths);
              }
              cell.stepBackward(buf, scratch, s);
            }
          });
          if (cell.hiddenGradsAfterLoop) {
            mulAtB(G, Hout, T * B, buf.dGx, 0, buf.h, 0, buf.dWhh, 0, true);
            if (buf.dbHh) addColumnSums(T * B, G, buf.dGx, 0, buf.dbHh);
          }
          const dWih = allocate(dtype, params.wIh.length);
          mulAtB(G, run.F, T * B, buf.dGx, 0, run.xs, 0, dWih, 0, true);
          let dbIh: TypedData | null = null;
          if (params.bIh) {
            const sums = buf.dbIhSums ?? buf.dbHh!;
            if (buf.dbIhSums) addColumnSums(T * B, G, buf.dGx, 0, sums);
            dbIh = allocate(dtype, G);
            dbIh.set(sums);
          }
          if (isIdentity(run.order, B)) {
            // Steps in time order: dL/dx adds straight into the layer's input gradient.
            mulAB(T * B, run.F, G, buf.dGx, 0, params.wIh, 0, dLayerIn, 0, true);
          } else {
            const dxs = allocate(dtype, T * B * run.F);
            mulAB(T * B, run.F, G, buf.dGx, 0, params.wIh, 0, dxs, 0);
            permuteRows(run.order, B, run.F, true, true, dxs, 0, run.F, 0, dLayerIn, run.F, 0);
          }
          dh0.set(buf.dH.subarray(0, B * Hout), slot * B * Hout);
          if (dc0) dc0.set(buf.dC.subarray(0, B * H), slot * B * H);
          if (p.traceGrads) dhTime[slot] = timeOrdered(run.order, B, Hout, buf.dH, B * Hout, Hout, 0);
          grads[slot] = {
            dWih, dWhh: ws.keep(buf.dWhh), dbIh,
            dbHh: buf.dbHh && ws.keep(buf.dbHh), dWhr: buf.dWhr && ws.keep(buf.dWhr),
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
    for (const run of runs) for (const kept of [run.buffers.saved, run.buffers.h, run.buffers.c]) recycle(kept);
  };
  return { output: out, hN, cN, runs, backward, release };
}
