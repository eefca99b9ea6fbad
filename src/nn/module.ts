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

/** Refuses what is not a state dict (loadStateDict's argument, save's), saying what came instead. */
export function checkStateDict(where: string, state: unknown): asserts state is StateDict {
  if (state instanceof Module) throw new TypeError(`${where}: expected a state dict, got a ${state.constructor.name} module; pass model.stateDict()`);
  if (typeof state !== "object" || state === null || Array.isArray(state) || state instanceof Tensor) {
    throw new TypeError(`${where}: expected a state dict (an object of name → tensor or { shape, data }, as model.stateDict() gives), got ${state === null ? "null" : Array.isArray(state) ? "an array" : state instanceof Tensor ? "a single tensor" : typeof state}`);
  }
}

export interface LoadStateDictOptions {
  /** Every key must match exactly (the default, as in PyTorch). */
  strict?: boolean;
}

/** Why `value` cannot be loaded into parameter `p`, or null (then `accept` got its numbers). */
function checkStateValue(value: unknown, p: Tensor, accept: (data: ArrayLike<number>) => void): string | null {
  const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `expected a tensor or { shape, data }, got ${kind}`;
  const { shape, data } = value instanceof Tensor ? { shape: value.shape, data: value.data } : (value as { shape?: unknown; data?: unknown });
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) return `expected shape to be a list of sizes, got ${JSON.stringify(shape) ?? "nothing"}`;
  if (shape.length !== p.shape.length || shape.some((d, k) => d !== p.shape[k])) return `checkpoint has ${fmtShape(shape)}, model has ${fmtShape(p.shape)}`;
  const numeric = ArrayBuffer.isView(data) && !(data instanceof DataView) ? !(data instanceof BigInt64Array || data instanceof BigUint64Array) : Array.isArray(data);
  if (!numeric) return `expected data to be a list or typed array of ${p.size} numbers, got ${data === null ? "null" : typeof data === "object" ? (data as object).constructor?.name ?? "an object" : typeof data}`;
  const list = data as ArrayLike<unknown>;
  if (list.length !== p.size) return `shape ${fmtShape(shape)} holds ${p.size} numbers, data has ${list.length}`;
  for (let k = 0; k < list.length; k++) {
    const v = list[k];
    if (typeof v !== "number" || !Number.isFinite(v)) return `data[${k}] is ${typeof v === "number" ? v : JSON.stringify(v) ?? typeof v}, expected a finite number`;
  }
  accept(list as ArrayLike<number>);
  return null;
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
   * All or nothing: every entry is checked first (a tensor or `{ shape, data }`, the model's
   * shape, as many numbers as the shape holds, all finite), and with `strict` (the default) no
   * key may be missing or unexpected. One error lists every problem, and then no parameter has
   * changed.
   */
  loadStateDict(state: StateDict, opts: LoadStateDictOptions = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    const where = `${this.constructor.name}.loadStateDict`;
    checkStateDict(where, state);
    const strict = opts.strict ?? true;
    const own = new Map(this.namedParameters());
    const missingKeys = [...own.keys()].filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !own.has(k));
    const bad: string[] = [];
    const values = new Map<Tensor, ArrayLike<number>>();
    for (const [name, p] of own) {
      if (!(name in state)) continue;
      const problem = checkStateValue(state[name], p, (data) => values.set(p, data));
      if (problem) bad.push(`${name}: ${problem}`);
    }
    const problems: string[] = [];
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.join(", ")}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
    if (bad.length) problems.push(`values that do not fit: ${bad.join("; ")}`);
    if (problems.length) {
      throw new ShapeError(`loadStateDict: the state dict does not fit ${this.constructor.name}; nothing was loaded.\n  ${problems.join("\n  ")}`);
    }
    for (const [p, data] of values) p.data.set(data);
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
