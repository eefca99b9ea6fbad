/**
 * What nn.RNNCell, nn.LSTMCell and nn.GRUCell share (the classes are in rnn.ts, lstm.ts, gru.ts):
 * one time step, for writing the loop yourself. They run
 * the same step functions as the fused layers (through the driver with T = 1), so a hand-written
 * loop over a cell gives the same numbers as the layer, and its autograd graph has one node per
 * step where the layer has one node in total.
 */
import { ShapeError, fmtShape } from "../../errors.js";
import { defaultGenerator, type Generator } from "../../random.js";
import { Tensor, recordOp, zeros, type TypedData } from "../../tensor.js";
import { Module, type FactoryOptions } from "../module.js";
import type { DType } from "../../tensor.js";
import { runRecurrent } from "./driver.js";
import { checkDType, checkShape, initUniform } from "./layer.js";
import type { CellKind } from "./step.js";
import { dtypeOption } from "../../options.js";

/** Options every cell takes (PyTorch's names in camelCase). */
export interface CellOptions extends FactoryOptions {
  inputSize: number;
  hiddenSize: number;
  /** Whether bias_ih and bias_hh exist (default true). */
  bias?: boolean;
}

/** Parameters weight_ih (G·H, I), weight_hh (G·H, H), bias_ih, bias_hh, and one checked step. */
export abstract class CellBase<S> extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly dtype: DType;
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;
  protected readonly cell: CellKind<S>;

  protected constructor(cell: CellKind<S>, opts: CellOptions) {
    super();
    this.cell = cell;
    this.inputSize = opts.inputSize;
    this.hiddenSize = opts.hiddenSize;
    this.bias = opts.bias ?? true;
    this.dtype = dtypeOption(new.target.name, opts.dtype);
    for (const [what, v] of [["inputSize", this.inputSize], ["hiddenSize", this.hiddenSize]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${this.constructor.name}: ${what} must be a positive integer, got ${v}`);
    }
    const GH = cell.gates * this.hiddenSize;
    const make = (name: string, shape: number[]): Tensor => this.registerParameter(name, zeros(shape, { dtype: this.dtype }));
    this.weightIh = make("weight_ih", [GH, this.inputSize]);
    this.weightHh = make("weight_hh", [GH, this.hiddenSize]);
    this.biasIh = this.bias ? make("bias_ih", [GH]) : null;
    this.biasHh = this.bias ? make("bias_hh", [GH]) : null;
    this.resetParameters();
  }

  /** Redraws every parameter from U(−1/√H, 1/√H) (PyTorch's `reset_parameters`). */
  resetParameters(generator: Generator = defaultGenerator): void {
    initUniform(this.parameters(), this.hiddenSize, generator);
  }

  protected override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? "" : ", bias=false"}`;
  }

  /** One step from x (B, I) or (I), h and c (B, H) or (H), or null for zeros; one autograd node. */
  protected step(x: Tensor, h: Tensor | null, c: Tensor | null): [Tensor, Tensor | null] {
    const name = this.constructor.name;
    const I = this.inputSize;
    const H = this.hiddenSize;
    checkDType(name, "the input", x, this.dtype);
    if (x.ndim !== 1 && x.ndim !== 2) {
      throw new ShapeError(`${name}: expected a 2-D input (B, ${I}) or a 1-D unbatched input (${I},), got shape ${fmtShape(x.shape)}`);
    }
    if (x.shape[x.ndim - 1] !== I) {
      throw new ShapeError(`${name}: expected input of shape ${x.ndim === 2 ? `(B, ${I})` : `(${I},)`} (inputSize = ${I}), got ${fmtShape(x.shape)}`);
    }
    const B = x.ndim === 2 ? x.shape[0]! : 1;
    const stateShape = x.ndim === 2 ? [B, H] : [H];
    for (const [what, t] of [["h", h], ["c", c]] as const) {
      if (!t) continue;
      checkDType(name, what, t, this.dtype);
      checkShape(name, what, t, stateShape);
    }
    const result = runRecurrent(this.cell, {
      dtype: this.dtype, T: 1, B, inputSize: I, H, Hout: H, numLayers: 1, directions: 1, keepSteps: true, traceGrads: false,
      x: x.data, h0: h?.data ?? null, c0: c?.data ?? null,
      params: [{ wIh: this.weightIh.data, wHh: this.weightHh.data, bIh: this.biasIh?.data ?? null, bHh: this.biasHh?.data ?? null, wHr: null }],
      lengths: null, dropout: 0, generator: defaultGenerator,
    });
    const h1 = new Tensor(result.hN, stateShape);
    const c1 = result.cN ? new Tensor(result.cN, stateShape) : null;
    const states = [h, c].filter((t): t is Tensor => t !== null);
    const inputs = [x, ...states, ...this.parameters()];
    recordOp(name, inputs, c1 ? [h1, c1] : [h1], inputs, (g) => {
      const grads = result.backward(null, g[0] ?? null, g[1] ?? null);
      const p = grads.params[0]!;
      const dStates: (TypedData | null)[] = [];
      if (h) dStates.push(grads.dh0);
      if (c) dStates.push(grads.dc0);
      return [grads.dx, ...dStates, ...[p.dWih, p.dWhh, p.dbIh, p.dbHh].filter((a): a is TypedData => a !== null)];
    });
    return [h1, c1];
  }
}
