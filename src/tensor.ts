/**
 * The Tensor: a row-major block of float32 or float64 numbers with a shape, and the
 * reverse-mode autograd engine that walks the graph of ops that made it.
 *
 * Ops live in src/ops/ (each file forward next to backward). An op records one `GradNode`
 * that may have several outputs: the fused recurrent layers return output, h_n and c_n from a
 * single node with one hand-derived backward pass through time.
 */
import { AutogradError, DTypeError, ShapeError, fmtShape } from "./errors.js";
import { defaultGenerator, type Generator } from "./random.js";

export type DType = "float32" | "float64";
export type TypedData = Float32Array | Float64Array;
/** A number or arbitrarily nested arrays of numbers, as in `tensor([[1, 2], [3, 4]])`. */
export type NestedArray = number | readonly NestedArray[];

export interface TensorOptions {
  /** float32 by default; float64 for exact parity and gradient checks. */
  dtype?: DType;
  requiresGrad?: boolean;
}

/**
 * One recorded op. `backward` receives dL/d(output_k) for each output (null when that output
 * did not reach the loss) and returns dL/d(input_k) for each input (null when not needed).
 * Returned arrays must be fresh or owned by the node: the engine may accumulate into them.
 */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  outputs: readonly Tensor[];
  /** The inputs and outputs whose data backward reads, with a digest of that data when recorded. */
  readonly saved: readonly SavedTensor[];
  backward(gradOutputs: readonly (TypedData | null)[]): readonly (TypedData | null)[];
  /**
   * Frees what only backward needed, after backward has run (unless the caller asked to
   * retain the graph). A later backward through the node must then throw, not read freed data.
   */
  release?(): void;
}

/** A tensor backward will read, and what it held when the op ran (see `digest`). */
interface SavedTensor {
  readonly tensor: Tensor;
  readonly digest: number;
  /** "the output" or "input 2", for the error that names it. */
  readonly role: string;
}

/**
 * A 32-bit hash of a tensor's bytes: FNV-1a on four interleaved lanes (words k, k+1, k+2, k+3
 * each feed their own lane), folded together at the end. PyTorch counts in-place ops with a
 * version counter; seqlab's data is a plain typed array that a student may write
 * (`a.data[0] = 100`) with no op to count, so backward compares what a saved tensor holds now
 * with what it held when recorded. Four lanes, because one FNV chain waits on its multiply at
 * every word: measured 7 % of a training step of `npm run bench`'s rnn-small with one lane.
 */
function digest(data: TypedData): number {
  const words = new Int32Array(data.buffer, data.byteOffset, data.byteLength >>> 2);
  const n = words.length;
  const n4 = n - (n % 4);
  let h0 = 0x811c9dc5 | 0, h1 = 0x050c5d1f | 0, h2 = 0x1b873593 | 0, h3 = 0x4b7d2f11 | 0;
  for (let k = 0; k < n4; k += 4) {
    h0 = Math.imul(h0 ^ words[k]!, 0x01000193);
    h1 = Math.imul(h1 ^ words[k + 1]!, 0x01000193);
    h2 = Math.imul(h2 ^ words[k + 2]!, 0x01000193);
    h3 = Math.imul(h3 ^ words[k + 3]!, 0x01000193);
  }
  for (let k = n4; k < n; k++) h0 = Math.imul(h0 ^ words[k]!, 0x01000193);
  const h = Math.imul(Math.imul(Math.imul(h0 ^ h1, 0x01000193) ^ h2, 0x01000193) ^ h3, 0x01000193);
  return Math.imul(h ^ n, 0x01000193);
}

/** Throws if a tensor `node` saved for backward was changed since the forward pass. */
function checkSaved(node: GradNode): void {
  for (const { tensor, digest: then, role } of node.saved) {
    if (digest(tensor.data) === then) continue;
    throw new AutogradError(
      `backward(): ${role} of ${node.name} (${tensor.dtype}, shape ${fmtShape(tensor.shape)}) was changed after the forward pass ` +
        "and backward needs its old values, so the gradient would be wrong. Run the forward pass again after changing it, " +
        "or change a copy (t.clone()); PyTorch raises the same error for in-place changes.",
    );
  }
}

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /**
   * Keep what the graph saved for backward, so that backward can run through it again
   * (PyTorch's `retain_graph`). Default false: the recurrent layers free their saved steps.
   */
  retainGraph?: boolean;
}

let gradEnabled = true;

/** Whether ops currently record the graph (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording ops, like `with torch.no_grad():`. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** The dtypes seqlab computes in. */
export const DTYPES: readonly DType[] = ["float32", "float64"];

/**
 * The most numbers one tensor may hold: 2^28 (1 GiB as float32, 2 GiB as float64). Past it a
 * typo such as hiddenSize 1e9 is refused at once, instead of allocating for seconds and dying
 * in the JavaScript engine.
 */
export const MAX_ELEMENTS = 2 ** 28;

const bytes = (n: number): string => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`);

/** Throws unless `count` numbers of `dtype` fit the limit; `what` names what asked for them. */
export function checkElements(what: string, count: number, dtype: DType = "float32"): void {
  if (count > MAX_ELEMENTS) {
    const width = dtype === "float64" ? 8 : 4;
    throw new RangeError(`${what} would hold ${count.toExponential(2)} numbers (${bytes(count * width)} as ${dtype}); seqlab allows at most ${MAX_ELEMENTS} (${bytes(MAX_ELEMENTS * width)}) per tensor`);
  }
}

export function allocate(dtype: DType, size: number): TypedData {
  checkElements("a tensor", size, dtype === "float64" ? "float64" : "float32");
  if (dtype === "float32") return new Float32Array(size);
  if (dtype === "float64") return new Float64Array(size);
  throw new DTypeError(`dtype must be "float32" or "float64", got ${typeof dtype === "string" ? JSON.stringify(dtype) : String(dtype)}`);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: readonly number[]): void {
  if (!Array.isArray(shape)) throw new ShapeError(`a shape must be a list of sizes such as [2, 3], got ${typeof shape === "string" ? JSON.stringify(shape) : typeof shape}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
    }
  }
  checkElements(`a tensor of shape ${fmtShape(shape)}`, sizeOf(shape));
}

export class Tensor {
  readonly data: TypedData;
  readonly shape: readonly number[];
  readonly dtype: DType;
  requiresGrad: boolean;
  /** dL/d(this) after `backward()`, for leaves that require grad (and tensors that `retainGrad()`). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, or null for a leaf. */
  gradFn: GradNode | null = null;
  private retainsGrad = false;

  constructor(data: TypedData, shape: readonly number[], requiresGrad = false) {
    checkShape(shape);
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(
        `data has ${data.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Float64Array ? "float64" : "float32";
    this.requiresGrad = requiresGrad;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  /** True for tensors created by the user (not by an op). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new ShapeError(`item() needs a tensor with one element, got shape ${fmtShape(this.shape)}`);
    }
    return this.data[0]!;
  }

  /** The values as nested arrays with this tensor's shape. */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0]!;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let k = 0; k < n; k++) {
        out.push(dim === this.shape.length - 1 ? this.data[offset + k]! : build(dim + 1, offset + k * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** A copy of the values as a flat array of plain numbers. */
  toList(): number[] {
    return Array.from(this.data);
  }

  /** A new leaf sharing no graph with this one (the values are shared, not copied). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  /** A deep copy with its own storage; keeps `requiresGrad` for leaves. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, this.isLeaf && this.requiresGrad);
  }

  /** The same values in another dtype (a new leaf). */
  to(dtype: DType): Tensor {
    if (dtype === this.dtype) return this;
    const out = allocate(dtype, this.size);
    out.set(this.data);
    return new Tensor(out, this.shape, this.requiresGrad && this.isLeaf);
  }

  /** Keep `grad` for this non-leaf tensor after `backward()` (PyTorch's `retain_grad`). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  requiresGrad_(value = true): this {
    if (!this.isLeaf && !value) throw new Error("requiresGrad_(false) is only allowed on leaf tensors; use detach()");
    this.requiresGrad = value;
    return this;
  }

  zeroGrad(): void {
    this.grad = null;
  }

  /**
   * Backpropagates from this tensor. Without `gradient` it must hold one element (a loss).
   * Gradients accumulate into `.grad` of leaves, as in PyTorch: call `optimizer.zeroGrad()`
   * between steps. As in PyTorch, a recurrent layer frees the steps it saved for backward
   * once backward has run through it; pass `{ retainGraph: true }` to run backward again.
   */
  backward(gradient?: Tensor, opts: BackwardOptions = {}): void {
    if (!this.requiresGrad) {
      throw new Error("backward() called on a tensor that does not require grad (was it computed inside noGrad, or from tensors without requiresGrad?)");
    }
    let seed: TypedData;
    if (gradient === undefined) {
      if (this.size !== 1) {
        throw new ShapeError(`backward() without a gradient needs a one-element loss, got shape ${fmtShape(this.shape)}`);
      }
      seed = allocate(this.dtype, 1).fill(1);
    } else {
      assertTensor("backward(gradient)", "the gradient", gradient);
      assertSameShape(gradient, this, "backward(gradient)");
      if (gradient.dtype !== this.dtype) throw new DTypeError(`backward(gradient): the gradient is ${gradient.dtype} but the tensor is ${this.dtype}; convert it with .to("${this.dtype}")`);
      seed = gradient.data.slice();
    }
    runBackward(this, seed, opts.retainGraph ?? false);
  }

  toString(): string {
    const grad = this.gradFn ? `, gradFn=${this.gradFn.name}` : this.requiresGrad ? ", requiresGrad=true" : "";
    return `tensor(${formatValues(this)}, shape=${fmtShape(this.shape)}, dtype=${this.dtype}${grad})`;
  }

  /** tslab and Node's inspector print this. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function formatValues(t: Tensor): string {
  const limit = 6;
  const fmt = (v: number): string => (Number.isInteger(v) ? v.toFixed(1) : Number(v.toPrecision(4)).toString());
  const show = (dim: number, offset: number): string => {
    if (t.shape.length === 0) return fmt(t.data[0]!);
    const n = t.shape[dim]!;
    const stride = sizeOf(t.shape.slice(dim + 1));
    const parts: string[] = [];
    for (let k = 0; k < n; k++) {
      if (n > limit && k === 3) {
        parts.push("...");
        k = n - 3;
      }
      parts.push(dim === t.shape.length - 1 ? fmt(t.data[offset + k]!) : show(dim + 1, offset + k * stride));
    }
    return `[${parts.join(", ")}]`;
  };
  return show(0, 0);
}

/** Accumulates `src` into `dst` in place. */
export function accumulate(dst: TypedData, src: TypedData): void {
  for (let k = 0; k < dst.length; k++) dst[k]! += src[k]!;
}

function runBackward(root: Tensor, seed: TypedData, retainGraph: boolean): void {
  // Topological order of nodes: a node runs only after every node that consumed its outputs.
  const order: GradNode[] = [];
  const visited = new Set<GradNode>();
  const stack: [GradNode, number][] = [];
  if (root.gradFn) stack.push([root.gradFn, 0]);
  if (root.gradFn) visited.add(root.gradFn);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, next] = top;
    if (next < node.inputs.length) {
      top[1] = next + 1;
      const child = node.inputs[next]!.gradFn;
      if (child && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }

  const grads = new Map<Tensor, TypedData>();
  const add = (t: Tensor, g: TypedData): void => {
    const existing = grads.get(t);
    if (existing) accumulate(existing, g);
    else grads.set(t, g);
  };
  add(root, seed);
  if (root.isLeaf) setLeafGrad(root, grads.get(root)!);

  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const gradOutputs = node.outputs.map((t) => grads.get(t) ?? null);
    if (gradOutputs.every((g) => g === null)) continue;
    for (const t of node.outputs) {
      const g = grads.get(t);
      if (g && t["retainsGrad"]) t.grad = new Tensor(g.slice(), t.shape);
      // Free intermediate gradients as soon as they are consumed.
      grads.delete(t);
    }
    checkSaved(node);
    const gradInputs = node.backward(gradOutputs);
    if (!retainGraph) node.release?.();
    node.inputs.forEach((input, j) => {
      const g = gradInputs[j];
      if (!g || !input.requiresGrad) return;
      if (g.length !== input.size) {
        throw new Error(`internal: ${node.name} returned a gradient of ${g.length} elements for an input of shape ${fmtShape(input.shape)}`);
      }
      if (input.isLeaf) setLeafGrad(input, g);
      else add(input, g);
    });
  }
}

function setLeafGrad(leaf: Tensor, g: TypedData): void {
  if (!leaf.requiresGrad) return;
  if (leaf.grad) accumulate(leaf.grad.data, g);
  else {
    // allocate + set: TypedArray.from walks the source element by element, ~10× slower.
    const copy = allocate(leaf.dtype, g.length);
    copy.set(g);
    leaf.grad = new Tensor(copy, leaf.shape);
  }
}

/**
 * Records an op in the graph when grad mode is on and any input requires grad: the outputs
 * then require grad and point at one shared node. `saved` lists the inputs and outputs whose
 * data backward reads; backward refuses to run if any of them changed in between. Returns
 * whether it recorded.
 */
export function recordOp(
  name: string,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  saved: readonly Tensor[],
  backward: GradNode["backward"],
  release?: GradNode["release"],
): boolean {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return false;
  const role = (t: Tensor): string => {
    const out = outputs.indexOf(t);
    if (out >= 0) return outputs.length === 1 ? "the output" : `output ${out + 1}`;
    return inputs.length === 1 ? "the input" : `input ${inputs.indexOf(t) + 1}`;
  };
  const kept = saved.map((tensor) => ({ tensor, digest: digest(tensor.data), role: role(tensor) }));
  const node: GradNode = release ? { name, inputs, outputs, saved: kept, backward, release } : { name, inputs, outputs, saved: kept, backward };
  for (const t of outputs) {
    t.gradFn = node;
    t.requiresGrad = true;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by every op

export function assertSameDType(a: Tensor, b: Tensor, where: string): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${where}: dtypes differ (${a.dtype} and ${b.dtype}); convert one with .to("${a.dtype}")`);
  }
}

export function assertSameShape(a: Tensor, b: Tensor, where: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, k) => d !== b.shape[k])) {
    throw new ShapeError(`${where}: shapes differ, ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Creation

/** How a value that is not a number is named in an error: `"abc"`, null, a boolean, an Int32Array… */
function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === "boolean" || typeof v === "bigint") return `the ${typeof v} ${String(v)}${typeof v === "bigint" ? "n" : ""}`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return v.constructor && v.constructor !== Object ? `a ${v.constructor.name}` : "an object";
  return `a ${typeof v}`;
}

/** Dimensions a nested list may have (PyTorch's limit too): deeper nesting is a mistake. */
const MAX_DIMS = 64;

function inferShape(value: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (shape.length > MAX_DIMS) throw new ShapeError(`tensor: the nested list is deeper than ${MAX_DIMS} levels`);
    if (v.length === 0) break;
    v = (v as readonly NestedArray[])[0]!;
  }
  return shape;
}

function flattenInto(value: NestedArray, shape: readonly number[], dim: number, out: number[], path: number[]): void {
  const at = path.length ? ` at index [${path.join("][")}]` : "";
  if (dim === shape.length) {
    if (typeof value !== "number") {
      throw new ShapeError(Array.isArray(value)
        ? `ragged nested array: expected a number${at}, got ${describe(value)}`
        : `tensor: expected numbers (or nested lists of them)${at}, got ${describe(value)}`);
    }
    out.push(value);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[dim]) {
    throw new ShapeError(`ragged nested array: expected a list of ${shape[dim]}${at}, got ${Array.isArray(value) ? `${value.length} elements` : describe(value)}`);
  }
  (value as readonly NestedArray[]).forEach((v, k) => flattenInto(v, shape, dim + 1, out, [...path, k]));
}

/** The typed arrays `tensor` takes as a flat list of numbers. */
export type NumericTypedArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Throws a TypeError in seqlab's voice unless `v` is a Tensor (`where: what must be a Tensor, got …`). */
export function assertTensor(where: string, what: string, v: unknown): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${where}: ${what} must be a Tensor (e.g. from tensor([...]) or randn([...])), got ${describe(v)}`);
}

/** A tensor from nested arrays (or a typed array plus `shape`), like `torch.tensor`. */
export function tensor(value: NestedArray | NumericTypedArray, opts: TensorOptions & { shape?: readonly number[] } = {}): Tensor {
  let flat: ArrayLike<number>;
  let shape: readonly number[];
  // Typed as the API promises, but checked as what a notebook may pass (any typed array, a BigInt one, a string).
  const raw: unknown = value;
  if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) {
    if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) throw new DTypeError(`tensor: a ${raw.constructor.name} holds 64-bit integers, which seqlab does not compute in; convert to numbers first (Float64Array.from(x, Number))`);
    flat = raw as unknown as ArrayLike<number>;
    shape = opts.shape ?? [flat.length];
  } else {
    const nested = raw as NestedArray;
    shape = inferShape(nested);
    const out: number[] = [];
    flattenInto(nested, shape, 0, out, []);
    flat = out;
    if (opts.shape) shape = opts.shape;
  }
  const dtype = opts.dtype ?? (value instanceof Float64Array ? "float64" : "float32");
  const data = allocate(dtype, flat.length);
  data.set(flat);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  checkShape(shape);
  if (typeof value !== "number") throw new TypeError(`full: the fill value must be a number, got ${describe(value)}`);
  const data = allocate(opts.dtype ?? "float32", sizeOf(shape)).fill(value);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/** Standard normal samples from the seeded generator (see `manualSeed`). */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const t = zeros(shape, opts);
  const gen = opts.generator ?? defaultGenerator;
  for (let k = 0; k < t.size; k++) t.data[k] = gen.normal();
  return t;
}

/** Uniform samples in [low, high) (default [0, 1)) from the seeded generator. */
export function rand(shape: readonly number[], opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const t = zeros(shape, opts);
  const gen = opts.generator ?? defaultGenerator;
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  for (let k = 0; k < t.size; k++) t.data[k] = gen.uniform(low, high);
  return t;
}

/** Clears `.grad` of every given tensor (PyTorch's `optimizer.zero_grad(set_to_none=True)`). */
export function zeroGrad(tensors: Iterable<Tensor>): void {
  for (const t of tensors) t.grad = null;
}
