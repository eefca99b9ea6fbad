/**
 * What nn.RNN, nn.LSTM and nn.GRU share (the classes themselves are in rnn.ts, lstm.ts, gru.ts):
 * PyTorch's constructor options (camelCase), state-dict names, shapes and return structure,
 * each forward pass recorded as ONE autograd node whose backward is the hand-derived
 * backpropagation through time of driver.ts.
 *
 * Where seqlab differs on purpose:
 * - `forward(x, hx, { lengths })` replaces PyTorch's packed sequences (pack_padded_sequence):
 *   padded steps leave the state alone, their outputs are zero, h_n/c_n come from each
 *   sequence's last real step and the reverse direction starts there.
 * - `forward(x, hx, { trace: true })` also returns the gates and states of every step.
 * - GRU takes `resetPosition` and `updateConvention` to switch to the textbook equations.
 * - `dropout` with one layer is an error (PyTorch warns): it would do nothing.
 */
import { DTypeError, OptionError, ShapeError, fmtShape } from "../../errors.js";
import { defaultGenerator, type Generator } from "../../random.js";
import { Tensor, assertTensor, checkElements, isGradEnabled, recordOp, zeros, type DType, type TypedData } from "../../tensor.js";
import { dtypeOption } from "../../options.js";
import { Module, type FactoryOptions } from "../module.js";
import { runRecurrent, type LayerParams } from "./driver.js";
import type { CellKind } from "./step.js";
import { buildTrace, type TraceEntryBase } from "./trace.js";

/** The options nn.RNN, nn.LSTM and nn.GRU share (PyTorch's names in camelCase, same defaults). */
export interface RecurrentOptions extends FactoryOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1); layer k > 0 reads layer k−1's output. */
  numLayers?: number;
  /** Whether b_ih and b_hh exist (default true). */
  bias?: boolean;
  /** Input and output as (B, T, ·) instead of (T, B, ·) (default false). h0/h_n are never batch-first. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Also run a reverse direction and concatenate [forward, reverse] outputs (default false). */
  bidirectional?: boolean;
}

/** Options of one forward call. */
export interface RecurrentForwardOptions {
  /**
   * The real length of each sequence in the batch (seqlab's stand-in for packed sequences).
   * Positive integers, at most T, one per batch entry. Default: every sequence has length T.
   */
  lengths?: readonly number[] | null;
  /** Also return the trace of gates and states (a third tuple element). */
  trace?: boolean;
}

/** Forward options that ask for the trace. */
export type WithTrace = RecurrentForwardOptions & { trace: true };
/** Forward options without the trace. */
export type WithoutTrace = RecurrentForwardOptions & { trace?: false };

/** PyTorch's default initialisation of every recurrent parameter: U(−1/√H, 1/√H), in state-dict order. */
export function initUniform(params: readonly Tensor[], hiddenSize: number, generator: Generator = defaultGenerator): void {
  const bound = 1 / Math.sqrt(hiddenSize);
  for (const p of params) for (let q = 0; q < p.size; q++) p.data[q] = generator.uniform(-bound, bound);
}

/** Throws a DTypeError unless `t` has the module's dtype. */
export function checkDType(where: string, what: string, t: Tensor, dtype: DType): void {
  assertTensor(where, what, t);
  if (t.dtype !== dtype) {
    throw new DTypeError(
      `${where}: ${what} is ${t.dtype} but the parameters are ${dtype}; convert it with .to("${dtype}") or build the module with { dtype: "${t.dtype}" }`,
    );
  }
}

/** Throws a ShapeError naming both shapes unless `t` has exactly `expected`. */
export function checkShape(where: string, what: string, t: Tensor, expected: readonly number[]): void {
  if (t.ndim !== expected.length || t.shape.some((d, k) => d !== expected[k])) {
    throw new ShapeError(`${where}: expected ${what} of shape ${fmtShape(expected)}, got ${fmtShape(t.shape)}`);
  }
}

/** (A, B, F) → (B, A, F): batch-first ⇄ time-major. */
export function swapFirstAxes(src: TypedData, A: number, B: number, F: number): TypedData {
  const dst = src instanceof Float64Array ? new Float64Array(src.length) : new Float32Array(src.length);
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) dst.set(src.subarray((a * B + b) * F, (a * B + b + 1) * F), (b * A + a) * F);
  }
  return dst;
}

function checkLengths(where: string, lengths: readonly number[], T: number, B: number, xShape: readonly number[]): void {
  if (lengths.length !== B) {
    throw new ShapeError(`${where}: lengths has ${lengths.length} entries but the batch has ${B} sequences (input shape ${fmtShape(xShape)})`);
  }
  lengths.forEach((len, b) => {
    if (!Number.isInteger(len) || len < 1) {
      throw new ShapeError(`${where}: lengths[${b}] = ${len}; every length must be a positive integer`);
    }
    if (len > T) {
      throw new ShapeError(`${where}: lengths[${b}] = ${len} is longer than the sequence (T = ${T}, input shape ${fmtShape(xShape)})`);
    }
  });
}

interface LayerTensors {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  wHr: Tensor | null;
}

/** What `RecurrentBase.run` hands to the subclasses' typed `forward`. */
interface RunOutput {
  output: Tensor;
  hN: Tensor;
  cN: Tensor | null;
  trace: TraceEntryBase[] | null;
}

/** The machinery RNN, LSTM and GRU share: parameters, checks, and the one autograd node. */
export abstract class RecurrentBase<S> extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** 0 = no projection (only LSTM has one). */
  readonly projSize: number;
  readonly dtype: DType;
  protected readonly cell: CellKind<S>;
  private readonly layers: LayerTensors[] = [];

  protected constructor(cell: CellKind<S>, opts: RecurrentOptions, projSize = 0) {
    super();
    const where = new.target.name;
    this.cell = cell;
    this.inputSize = opts.inputSize;
    this.hiddenSize = opts.hiddenSize;
    this.numLayers = opts.numLayers ?? 1;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    this.projSize = projSize;
    this.dtype = dtypeOption(where, opts.dtype);
    for (const [what, v] of [["inputSize", this.inputSize], ["hiddenSize", this.hiddenSize], ["numLayers", this.numLayers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${this.constructor.name}: ${what} must be a positive integer, got ${v}`);
    }
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new Error(`${this.constructor.name}: dropout must be in [0, 1], got ${this.dropout}`);
    // PyTorch only warns; seqlab refuses, as for every option that would do nothing.
    if (this.dropout > 0 && this.numLayers === 1) {
      throw new OptionError(`${where}: dropout applies between stacked layers, so with numLayers 1 it would do nothing; use numLayers ≥ 2 or dropout 0 (got dropout ${this.dropout})`);
    }
    for (const flag of ["bias", "batchFirst", "bidirectional"] as const) {
      if (typeof this[flag] !== "boolean") throw new OptionError(`${where}: ${flag} must be true or false, got ${JSON.stringify(opts[flag])}`);
    }
    if (!Number.isInteger(projSize) || projSize < 0 || (projSize > 0 && projSize >= this.hiddenSize)) {
      throw new Error(`${this.constructor.name}: projSize must be an integer in [0, hiddenSize), got ${projSize}`);
    }

    const GH = cell.gates * this.hiddenSize;
    // The largest weight first, before any allocation: a hiddenSize of 1e9 is a typo.
    const widest = Math.max(this.inputSize, this.hiddenSize * (this.bidirectional ? 2 : 1));
    checkElements(`${where}: hiddenSize ${this.hiddenSize} makes a weight of shape ${fmtShape([GH, widest])}, which`, GH * widest, this.dtype);
    const Hout = this.hOut;
    const D = this.numDirections;
    const make = (name: string, shape: number[]): Tensor =>
      this.registerParameter(name, zeros(shape, { dtype: this.dtype }));
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const F = l === 0 ? this.inputSize : D * Hout;
        this.layers.push({
          wIh: make(`weight_ih${sfx}`, [GH, F]),
          wHh: make(`weight_hh${sfx}`, [GH, Hout]),
          bIh: this.bias ? make(`bias_ih${sfx}`, [GH]) : null,
          bHh: this.bias ? make(`bias_hh${sfx}`, [GH]) : null,
          wHr: projSize > 0 ? make(`weight_hr${sfx}`, [projSize, this.hiddenSize]) : null,
        });
      }
    }
    this.resetParameters();
  }

  /** 2 if bidirectional, else 1. */
  get numDirections(): 1 | 2 {
    return this.bidirectional ? 2 : 1;
  }

  /** The size of h: projSize if set, else hiddenSize. */
  get hOut(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** Redraws every parameter from U(−1/√H, 1/√H) (PyTorch's `reset_parameters`). */
  resetParameters(generator: Generator = defaultGenerator): void {
    initUniform(this.parameters(), this.hiddenSize, generator);
  }

  protected override extraRepr(): string {
    const parts = [`${this.inputSize}`, `${this.hiddenSize}`];
    if (this.projSize > 0) parts.push(`projSize=${this.projSize}`);
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push("bias=false");
    if (this.batchFirst) parts.push("batchFirst=true");
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push("bidirectional=true");
    return parts.join(", ");
  }

  /** Checks the inputs, runs the driver and records one autograd node for the whole stack. */
  protected run(x: Tensor, h0: Tensor | null, c0: Tensor | null, opts: RecurrentForwardOptions): RunOutput {
    const name = this.constructor.name;
    const I = this.inputSize;
    const L = this.numLayers;
    const D = this.numDirections;
    const H = this.hiddenSize;
    const Hout = this.hOut;
    const layout = this.batchFirst ? `(B, T, ${I})` : `(T, B, ${I})`;
    checkDType(name, "the input", x, this.dtype);
    if (x.ndim !== 3 && x.ndim !== 2) {
      throw new ShapeError(`${name}: expected a 3-D input ${layout} or a 2-D unbatched input (T, ${I}), got shape ${fmtShape(x.shape)}`);
    }
    if (x.shape[x.ndim - 1] !== I) {
      const wanted = x.ndim === 3 ? layout : `(T, ${I})`;
      throw new ShapeError(`${name}: expected input of shape ${wanted} (inputSize = ${I}), got ${fmtShape(x.shape)}`);
    }
    const batched = x.ndim === 3;
    const bf = batched && this.batchFirst;
    const T = bf ? x.shape[1]! : x.shape[0]!;
    const B = batched ? (bf ? x.shape[0]! : x.shape[1]!) : 1;
    if (T < 1) throw new ShapeError(`${name}: the input has no time steps (shape ${fmtShape(x.shape)})`);
    const stateShape = (size: number): number[] => (batched ? [L * D, B, size] : [L * D, size]);
    if (h0) {
      checkDType(name, "h0", h0, this.dtype);
      checkShape(name, "h0", h0, stateShape(Hout));
    }
    if (c0) {
      checkDType(name, "c0", c0, this.dtype);
      checkShape(name, "c0", c0, stateShape(H));
    }
    const lengths = opts.lengths ?? null;
    if (lengths) checkLengths(name, lengths, T, B, x.shape);

    const params = this.layers.map((t): LayerParams => ({
      wIh: t.wIh.data, wHh: t.wHh.data, bIh: t.bIh?.data ?? null, bHh: t.bHh?.data ?? null, wHr: t.wHr?.data ?? null,
    }));
    const states = [h0, c0].filter((t): t is Tensor => t !== null);
    const paramTensors = this.layers.flatMap((t) => [t.wIh, t.wHh, t.bIh, t.bHh, t.wHr].filter((p): p is Tensor => p !== null));
    const needsGrad = isGradEnabled() && [x, ...states, ...paramTensors].some((t) => t.requiresGrad);
    const result = runRecurrent(this.cell, {
      dtype: this.dtype, T, B, inputSize: I, H, Hout, numLayers: L, directions: D, keepSteps: needsGrad || opts.trace === true,
      traceGrads: opts.trace === true,
      x: bf ? swapFirstAxes(x.data, B, T, I) : x.data,
      h0: h0?.data ?? null,
      c0: c0?.data ?? null,
      params,
      lengths,
      dropout: this.training ? this.dropout : 0,
      generator: defaultGenerator,
    });

    const outShape = batched ? (bf ? [B, T, D * Hout] : [T, B, D * Hout]) : [T, D * Hout];
    const output = new Tensor(bf ? swapFirstAxes(result.output, T, B, D * Hout) : result.output, outShape);
    const hN = new Tensor(result.hN, stateShape(Hout));
    const cN = result.cN ? new Tensor(result.cN, stateShape(H)) : null;
    const trace = opts.trace ? buildTrace(this.cell, result.runs, T) : null;

    const outputs = cN ? [output, hN, cN] : [output, hN];
    const inputs = [x, ...states, ...paramTensors];
    // Backward reads the inputs (x for ∂W, the weights for ∂h) but not the outputs, whose steps it keeps itself.
    recordOp(name, inputs, outputs, inputs, (g) => {
      const gOut = g[0] ?? null;
      const grads = result.backward(gOut && bf ? swapFirstAxes(gOut, B, T, D * Hout) : gOut, g[1] ?? null, g[2] ?? null);
      if (trace) trace.forEach((entry, k) => (entry.dh = new Tensor(grads.dh[k]!, [T, B, Hout])));
      const dStates: (TypedData | null)[] = [];
      if (h0) dStates.push(grads.dh0);
      if (c0) dStates.push(grads.dc0);
      const dParams = grads.params.flatMap((p) => [p.dWih, p.dWhh, p.dbIh, p.dbHh, p.dWhr].filter((a): a is TypedData => a !== null));
      return [bf ? swapFirstAxes(grads.dx, T, B, I) : grads.dx, ...dStates, ...dParams];
    }, result.release);
    return { output, hN, cN, trace };
  }
}
