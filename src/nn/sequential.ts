/**
 * `Sequential`: modules applied one after another, as `torch.nn.Sequential`. The children
 * are named "0", "1", ... so state-dict keys match PyTorch's (`0.weight`, `2.bias`).
 */
import { assertTensor, type Tensor } from "../tensor.js";
import { Module } from "./module.js";

/** A module that maps one tensor to one tensor (Linear, Dropout, Sequential, ...). */
export type TensorModule = Module & { forward(x: Tensor): Tensor };

/**
 * Chains modules: `forward(x)` is `m_n(...m_1(m_0(x)))`. Like `torch.nn.Sequential(*modules)`.
 *
 * @example
 * const mlp = new Sequential(new Linear({ inFeatures: 4, outFeatures: 8 }), new Dropout(0.1),
 *                            new Linear({ inFeatures: 8, outFeatures: 2 }));
 * mlp.stateDict(); // keys "0.weight", "0.bias", "2.weight", "2.bias"
 */
export class Sequential extends Module {
  private readonly layers: TensorModule[];

  constructor(...modules: TensorModule[]) {
    super();
    modules.forEach((m, k) => {
      if (!(m instanceof Module) || typeof (m as { forward?: unknown }).forward !== "function") {
        throw new TypeError(`Sequential: module ${k} must be a layer such as new Linear({ … }), got ${m === null ? "null" : typeof m === "object" ? (m as object).constructor?.name ?? "an object" : `${typeof m} ${String(m)}`}`);
      }
    });
    this.layers = modules;
    modules.forEach((m, k) => this.registerModule(String(k), m));
  }

  forward(x: Tensor): Tensor {
    assertTensor("Sequential", "the input", x);
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }

  /** The k-th module (PyTorch's `seq[k]`); negative k counts from the end. */
  at(k: number): TensorModule {
    const m = this.layers.at(k);
    if (!m) throw new RangeError(`Sequential.at(${k}): there are ${this.layers.length} modules`);
    return m;
  }

  get length(): number {
    return this.layers.length;
  }
}
