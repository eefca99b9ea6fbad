/**
 * `Module`: the base of every layer, as in `torch.nn.Module`. Parameters and sub-modules are
 * registered by name (in declaration order), which gives PyTorch's state-dict keys such as
 * `lstm.weight_ih_l0` and lets `loadStateDict` take a PyTorch checkpoint's tensors as they are.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { Tensor, type DType } from "../tensor.js";

/** What `loadStateDict` accepts per key: a Tensor, or `{ shape, data }` as PyTorch's fixtures store it. */
export type StateValue = Tensor | { shape: readonly number[]; data: ArrayLike<number> };
export type StateDict = Record<string, StateValue>;

export interface LoadStateDictOptions {
  /** Every key must match exactly (the default, as in PyTorch). */
  strict?: boolean;
}

export abstract class Module {
  /** Dropout and similar layers behave differently in training; see `train()` / `eval()`. */
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly children_ = new Map<string, Module>();

  /** Registers a parameter (a leaf that requires grad); null keeps a slot for an absent one, e.g. no bias. */
  protected registerParameter<T extends Tensor | null>(name: string, value: T): T {
    if (value) value.requiresGrad = true;
    this.params.set(name, value);
    return value;
  }

  protected registerModule<M extends Module>(name: string, module: M): M {
    this.children_.set(name, module);
    return module;
  }

  /** `[name, parameter]` pairs in state-dict order, names dotted through sub-modules. */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.params) if (p) out.push([prefix + name, p]);
    for (const [name, m] of this.children_) out.push(...m.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Direct sub-modules with their names. */
  namedChildren(): [string, Module][] {
    return [...this.children_];
  }

  /** The total number of parameter values (what a model "costs"). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** The parameters by state-dict name. Tensors share storage with the module (as in PyTorch). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedParameters().map(([name, p]) => [name, p.detach()]));
  }

  /**
   * Copies values into this module's parameters (in place, so optimisers keep working).
   * With `strict` (the default) a missing key, an unexpected key or a shape mismatch throws one
   * error that lists all of them.
   */
  loadStateDict(state: StateDict, opts: LoadStateDictOptions = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const strict = opts.strict ?? true;
    const own = new Map(this.namedParameters());
    const missingKeys = [...own.keys()].filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !own.has(k));
    const mismatches: string[] = [];
    for (const [name, p] of own) {
      const value = state[name];
      if (!value) continue;
      if (value.shape.length !== p.shape.length || value.shape.some((d, k) => d !== p.shape[k])) {
        mismatches.push(`${name}: checkpoint has ${fmtShape(value.shape)}, model has ${fmtShape(p.shape)}`);
      }
    }
    const problems: string[] = [];
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.join(", ")}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
    if (mismatches.length) problems.push(`shape mismatches: ${mismatches.join("; ")}`);
    if (problems.length) {
      throw new ShapeError(`loadStateDict: the state dict does not fit ${this.constructor.name}.\n  ${problems.join("\n  ")}`);
    }
    for (const [name, p] of own) {
      const value = state[name];
      if (value) p.data.set(value.data as ArrayLike<number>);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Training mode (the default): dropout is active. Applies to every sub-module. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.children_.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode: dropout off. */
  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** One line of constructor arguments for `toString`, e.g. `2, 4, batchFirst=true`. */
  protected extraRepr(): string {
    return "";
  }

  toString(): string {
    const kids = [...this.children_].map(([name, m]) => `  (${name}): ${m.toString().replace(/\n/g, "\n  ")}`);
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    return kids.length ? `${head}\n${kids.join("\n")}\n)` : `${head})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Options every layer takes, as PyTorch's factory kwargs. */
export interface FactoryOptions {
  /** Parameter dtype: "float32" (default) or "float64". */
  dtype?: DType;
}
