/**
 * `exportOnnx`: a seqlab model as an ONNX file, for ONNX Runtime (onnxruntime-web in a notebook
 * or a browser, onnxruntime-node, Python's onnxruntime) and every other ONNX consumer.
 *
 * Each module kind has one function below that appends its ONNX nodes to a graph:
 * - RNN, LSTM, GRU → the standard ONNX `RNN`, `LSTM`, `GRU` operators, one per layer (both
 *   directions in one op), with the gate blocks reordered from PyTorch's order to ONNX's.
 *   Stacked layers are chained through a Transpose/Reshape (or Squeeze) of ONNX's
 *   (T, D, B, H) output into PyTorch's (T, B, D·H). batchFirst adds a Transpose at each end
 *   (ONNX Runtime's CPU kernels do not implement the operators' `layout = 1`).
 * - Linear → Gemm (2-D input) or MatMul + Add (any other rank); Embedding → Gather;
 *   Dropout → nothing (the file is the inference graph, as `model.eval()`); Sequential → its
 *   children in turn; WindowClassifier, RecurrentClassifier, SelfAttention, AttentionClassifier
 *   → the same pieces wired as their `forward`.
 *
 * The graph's batch and time dimensions are symbolic (dim_param "batch", "time"), so the file
 * runs on any batch size and sequence length; the example input fixes the rest (dtype, feature
 * size, rank) and is run through seqlab's forward once to check that the model runs on it.
 *
 * Encoding is onnx-proto's protobufjs code; this is the only file that imports it, so the rest
 * of the library does not pull it in.
 */
import onnxProto, { type onnx as Onnx } from "onnx-proto";
import { DTypeError, OptionError, SeqlabError, ShapeError, fmtShape } from "../errors.js";
import { AttentionClassifier, SelfAttention } from "../nn/attention.js";
import { RecurrentClassifier, WindowClassifier } from "../nn/classifiers.js";
import { Dropout } from "../nn/dropout.js";
import { Embedding, indexTensor, type IndexInput } from "../nn/embedding.js";
import { Linear } from "../nn/linear.js";
import { Module } from "../nn/module.js";
import { GRU } from "../nn/recurrent/gru.js";
import { LSTM } from "../nn/recurrent/lstm.js";
import { RNN } from "../nn/recurrent/rnn.js";
import { Sequential } from "../nn/sequential.js";
import { Tensor, noGrad, type DType } from "../tensor.js";
import { writeTarget } from "./files.js";

const { onnx } = onnxProto;

/** Options of `exportOnnx`. */
export interface OnnxExportOptions {
  /**
   * The ONNX opset the file declares: 14 (the default), 15, 16 or 17. Every operator used is
   * the same in all four; 14 is the oldest with today's forms of them (Reshape, Add, Relu).
   */
  opset?: number;
}

/** The opsets `exportOnnx` writes: from 14 up to 17, the newest Debian's onnx 1.12 checker knows. */
const OPSETS: readonly number[] = [14, 15, 16, 17];
const DEFAULT_OPSET = 14;

/** The graph's output names (kept free of the internal values' names). */
const OUTPUT_NAMES = ["output", "h_n", "c_n", "weights", "logits"] as const;

/** What `exportOnnx` can translate, for the message that refuses anything else. */
const SUPPORTED = "RNN, LSTM, GRU, Linear, Embedding, Dropout, Sequential, WindowClassifier, RecurrentClassifier, SelfAttention, AttentionClassifier";

// ---------------------------------------------------------------------------------------------
// The graph being built: nodes, initializers (the weights) and the shapes of the values.

/** A dimension: a fixed size, or a symbolic name (any size at run time). */
type Dim = number | string;
type Elem = DType | "int64";
/** One value of the graph: its name and shape (the element type is the model's, or int64 for ids). */
interface Value {
  readonly name: string;
  readonly dims: readonly Dim[];
  readonly elem: Elem;
}

type Attr = number | string | readonly number[] | readonly string[];

const ELEM_TYPE: Record<Elem, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
};

/** Little-endian bytes of `values` as float32, float64 or int64 (ONNX's raw_data is little-endian on every host). */
function rawBytes(values: ArrayLike<number>, elem: Elem): Uint8Array {
  const width = elem === "float32" ? 4 : 8;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (elem === "float32") view.setFloat32(4 * k, v, true);
    else if (elem === "float64") view.setFloat64(8 * k, v, true);
    else view.setBigInt64(8 * k, BigInt(v), true);
  }
  return bytes;
}

function attribute(name: string, value: Attr): Onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  if (typeof value === "number") return { name, type: T.INT, i: value };
  if (typeof value === "string") return { name, type: T.STRING, s: text(value) };
  if (value.every((v): v is number => typeof v === "number")) return { name, type: T.INTS, ints: [...value] };
  return { name, type: T.STRINGS, strings: (value as readonly string[]).map(text) };
}

class Graph {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();

  /** `reserved`: names the graph's inputs and outputs keep for themselves. */
  constructor(readonly dtype: DType, reserved: readonly string[]) {
    for (const name of reserved) this.names.add(name);
  }

  /** `base`, or `base_2`, `base_3`… if taken. */
  fresh(base: string): string {
    let name = base;
    for (let k = 2; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** A constant tensor of the model's dtype (weights, biases, scalars). */
  weight(base: string, values: ArrayLike<number>, dims: readonly number[]): string {
    return this.constant(base, values, dims, this.dtype);
  }

  /** An int64 constant (shapes, axes, indices); `dims` [] for a scalar. */
  ints(base: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(base, values, dims, "int64");
  }

  private constant(base: string, values: ArrayLike<number>, dims: readonly number[], elem: Elem): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims: [...dims], dataType: ELEM_TYPE[elem], rawData: rawBytes(values, elem) });
    return name;
  }

  /** Appends a node; returns its `outputs` output names, made from `base`. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr>, base: string, outputs = 1): string[] {
    const out = Array.from({ length: outputs }, (_, k) => this.fresh(outputs === 1 ? base : `${base}_${k}`));
    this.nodes.push({
      opType, name: this.fresh(`${base}/${opType}`), input: [...inputs], output: out,
      attribute: Object.entries(attrs).map(([n, v]) => attribute(n, v)),
    });
    return out;
  }

  /** `op` with one output, as a Value of the model's dtype with shape `dims`. */
  value(opType: string, inputs: readonly string[], attrs: Record<string, Attr>, base: string, dims: readonly Dim[]): Value {
    return { name: this.op(opType, inputs, attrs, base)[0]!, dims, elem: this.dtype };
  }
}

function valueInfo(v: Value, name = v.name): Onnx.IValueInfoProto {
  const dim = v.dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ELEM_TYPE[v.elem], shape: { dim } } } };
}

/** The model's parameters by state-dict name (relative to the module). */
function params(m: Module): Map<string, Tensor> {
  return new Map(m.namedParameters());
}

// ---------------------------------------------------------------------------------------------
// Recurrent layers.

/**
 * PyTorch stacks the gate blocks of weight_ih, weight_hh, bias_ih and bias_hh in its own order;
 * the ONNX operators expect another. BLOCKS[k] is the PyTorch block that goes to ONNX block k.
 */
const BLOCKS = {
  // One block: h_t = φ(W x + R h + Wb + Rb) in both.
  RNN: [0],
  // ONNX LSTM stacks i, o, f, c; PyTorch stacks i, f, g, o (g is ONNX's c, the candidate cell).
  LSTM: [0, 3, 1, 2],
  // ONNX GRU stacks z, r, h; PyTorch stacks r, z, n (n is ONNX's h, the candidate state).
  GRU: [1, 0, 2],
} as const;

/** The PyTorch block of a GRU's update gate z (see the textbook convention below). */
const GRU_Z_BLOCK = 1;

/**
 * Copies one direction's matrix (or bias vector, cols = 1) into `dst` at `at`, its gate blocks
 * of H rows taken in ONNX's order; the block `negated` (or none) has its sign flipped.
 */
function reorderGates(dst: Float64Array, at: number, src: ArrayLike<number>, H: number, cols: number, blocks: readonly number[], negated: number | null): void {
  const size = H * cols;
  blocks.forEach((b, k) => {
    const sign = b === negated ? -1 : 1;
    for (let q = 0; q < size; q++) dst[at + k * size + q] = sign * src[b * size + q]!;
  });
}

interface RecurrentValues {
  /** PyTorch's output: (T, B, D·H), or (B, T, D·H) with batchFirst. */
  output: Value;
  /** (numLayers·D, B, H). */
  hN: Value;
  /** LSTM's c_n, (numLayers·D, B, H); null for RNN and GRU. */
  cN: Value | null;
  /** The last layer's final states (D, B, H), what a classifier's "last" readout reads. */
  lastH: Value;
}

function exportRecurrent(g: Graph, m: RNN | LSTM | GRU, x: Value, path: string): RecurrentValues {
  const kind = m instanceof LSTM ? "LSTM" : m instanceof GRU ? "GRU" : "RNN";
  if (m.dtype === "float64") {
    throw new DTypeError(
      `exportOnnx: ${path || kind} is float64, but ONNX Runtime has no float64 ${kind} kernel (it runs this operator in float32 only), so the file would not run; ` +
      `build the model with { dtype: "float32" } and load this one's stateDict() into it, then export that`,
    );
  }
  if (m.projSize > 0) {
    throw new OptionError(
      `exportOnnx: ${path || kind} has projSize ${m.projSize}, but ONNX's LSTM operator has no projection (h_t = W_hr (o ⊙ tanh c_t)), so it cannot be exported; use an LSTM without projSize`,
    );
  }
  const H = m.hiddenSize;
  const D = m.numDirections;
  const G = BLOCKS[kind].length;
  const P = params(m);
  // The textbook update h_t = (1 − z) ⊙ h_{t−1} + z ⊙ n is PyTorch's (and ONNX's)
  // h_t = (1 − z') ⊙ n + z' ⊙ h_{t−1} with z' = 1 − z = σ(−a_z): negating the z rows of every
  // weight and bias turns one into the other exactly (see nn/recurrent/gru.ts).
  const negated = m instanceof GRU && m.updateConvention === "textbook" ? GRU_Z_BLOCK : null;
  const name = path ? `${path}.` : "";

  // Time-major inside: ONNX's X is (T, B, F).
  let seq: Value = m.batchFirst
    ? g.value("Transpose", [x.name], { perm: [1, 0, 2] }, `${name}time_major`, [x.dims[1]!, x.dims[0]!, x.dims[2]!])
    : x;
  const [T, B] = seq.dims as [Dim, Dim];
  const hs: Value[] = [];
  const cs: Value[] = [];
  for (let l = 0; l < m.numLayers; l++) {
    const F = l === 0 ? m.inputSize : D * H;
    const W = new Float64Array(D * G * H * F);
    const R = new Float64Array(D * G * H * H);
    const Bias = new Float64Array(D * 2 * G * H);
    for (let d = 0; d < D; d++) {
      const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
      reorderGates(W, d * G * H * F, P.get(`weight_ih${sfx}`)!.data, H, F, BLOCKS[kind], negated);
      reorderGates(R, d * G * H * H, P.get(`weight_hh${sfx}`)!.data, H, H, BLOCKS[kind], negated);
      // ONNX's B is [Wb ; Rb] per direction: PyTorch's bias_ih then bias_hh.
      if (m.bias) {
        reorderGates(Bias, d * 2 * G * H, P.get(`bias_ih${sfx}`)!.data, H, 1, BLOCKS[kind], negated);
        reorderGates(Bias, d * 2 * G * H + G * H, P.get(`bias_hh${sfx}`)!.data, H, 1, BLOCKS[kind], negated);
      }
    }
    const inputs = [seq.name, g.weight(`${name}W_l${l}`, W, [D, G * H, F]), g.weight(`${name}R_l${l}`, R, [D, G * H, H])];
    if (m.bias) inputs.push(g.weight(`${name}B_l${l}`, Bias, [D, 2 * G * H]));
    const attrs: Record<string, Attr> = { hidden_size: H, direction: D === 2 ? "bidirectional" : "forward" };
    if (m instanceof RNN) attrs.activations = Array<string>(D).fill(m.nonlinearity === "relu" ? "Relu" : "Tanh");
    // PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) is ONNX's linear_before_reset = 1;
    // the textbook n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn) is ONNX's default, 0.
    if (m instanceof GRU) attrs.linear_before_reset = m.resetPosition === "after" ? 1 : 0;
    const outs = g.op(kind, inputs, attrs, `${name}l${l}`, kind === "LSTM" ? 3 : 2);
    hs.push({ name: outs[1]!, dims: [D, B, H], elem: g.dtype });
    if (kind === "LSTM") cs.push({ name: outs[2]!, dims: [D, B, H], elem: g.dtype });
    // ONNX's Y is (T, D, B, H); PyTorch's output (T, B, D·H) puts the directions side by side.
    const Y = outs[0]!;
    seq = D === 1
      ? g.value("Squeeze", [Y, g.ints(`${name}axes`, [1])], {}, `${name}out_l${l}`, [T, B, H])
      : g.value("Reshape", [g.op("Transpose", [Y], { perm: [0, 2, 1, 3] }, `${name}Y_l${l}`)[0]!, g.ints(`${name}shape`, [0, 0, -1])], {}, `${name}out_l${l}`, [T, B, D * H]);
  }
  const output = m.batchFirst ? g.value("Transpose", [seq.name], { perm: [1, 0, 2] }, `${name}output`, [B, T, D * H]) : seq;
  const stack = (vs: Value[], what: string): Value => g.value("Concat", vs.map((v) => v.name), { axis: 0 }, `${name}${what}`, [m.numLayers * D, B, H]);
  return { output, hN: stack(hs, "h_n"), cN: kind === "LSTM" ? stack(cs, "c_n") : null, lastH: hs[hs.length - 1]! };
}

// ---------------------------------------------------------------------------------------------
// Layers that map one tensor to one tensor.

function exportLinear(g: Graph, m: Linear, x: Value, path: string): Value {
  const name = path || "linear";
  const dims = [...x.dims.slice(0, -1), m.outFeatures];
  const bias = m.bias ? [g.weight(`${name}.bias`, m.bias.data, [m.outFeatures])] : [];
  if (x.dims.length === 2) {
    // y = x Wᵀ + b with W stored as PyTorch's (out, in).
    return g.value("Gemm", [x.name, g.weight(`${name}.weight`, m.weight.data, [m.outFeatures, m.inFeatures]), ...bias], { transB: 1 }, name, dims);
  }
  // Any other rank: MatMul broadcasts over the leading dimensions, with Wᵀ stored as (in, out).
  const wT = new Float64Array(m.inFeatures * m.outFeatures);
  for (let i = 0; i < m.inFeatures; i++) for (let o = 0; o < m.outFeatures; o++) wT[i * m.outFeatures + o] = m.weight.data[o * m.inFeatures + i]!;
  const y = g.value("MatMul", [x.name, g.weight(`${name}.weight_t`, wT, [m.inFeatures, m.outFeatures])], {}, bias.length ? `${name}.matmul` : name, dims);
  return bias.length ? g.value("Add", [y.name, bias[0]!], {}, name, dims) : y;
}

function exportEmbedding(g: Graph, m: Embedding, ids: Value, path: string): Value {
  const name = path || "embedding";
  if (ids.elem !== "int64") {
    throw new SeqlabError(`exportOnnx: ${name} (Embedding) must be the model's first layer, where it reads the token ids; here it follows another layer`);
  }
  const table = g.weight(`${name}.weight`, m.weight.data, [m.numEmbeddings, m.embeddingDim]);
  return g.value("Gather", [table, ids.name], { axis: 0 }, name, [...ids.dims, m.embeddingDim]);
}

function exportSequential(g: Graph, m: Sequential, x: Value, path: string): Value {
  let h = x;
  for (let k = 0; k < m.length; k++) h = exportTensorModule(g, m.at(k), h, path ? `${path}.${k}` : String(k));
  return h;
}

function exportWindowClassifier(g: Graph, m: WindowClassifier, x: Value, path: string): Value {
  const name = path ? `${path}.` : "";
  // (B, window, inputSize) → (B, window·inputSize): 0 keeps the batch size, whatever it is.
  const flat = g.value("Reshape", [x.name, g.ints(`${name}flat_shape`, [0, m.window * m.inputSize])], {}, `${name}flat`, [x.dims[0]!, m.window * m.inputSize]);
  const hidden = exportLinear(g, m.hidden, flat, `${name}hidden`);
  const act = g.value("Tanh", [hidden.name], {}, `${name}tanh`, hidden.dims);
  return exportLinear(g, m.out, act, `${name}out`);
}

function exportRecurrentClassifier(g: Graph, m: RecurrentClassifier, x: Value, path: string): Value {
  const name = path ? `${path}.` : "";
  const input = m.embed ? exportEmbedding(g, m.embed, x, `${name}embed`) : x;
  const r = exportRecurrent(g, m.rnn, input, `${name}rnn`);
  if (m.readout === "all") return exportLinear(g, m.head, r.output, `${name}head`);
  // "last": the last layer's h_n, (D, B, H) → (B, D·H) as [forward ; reverse] per row, which is
  // what cat([h_n[2L−2], h_n[2L−1]], 1) gives in seqlab's forward.
  const [D, B, H] = r.lastH.dims as [number, Dim, number];
  const summary = D === 1
    ? g.value("Squeeze", [r.lastH.name, g.ints(`${name}axes`, [0])], {}, `${name}summary`, [B, H])
    : g.value("Reshape", [g.op("Transpose", [r.lastH.name], { perm: [1, 0, 2] }, `${name}h_last`)[0]!, g.ints(`${name}shape`, [0, -1])], {}, `${name}summary`, [B, D * H]);
  return exportLinear(g, m.head, summary, `${name}head`);
}

/** SelfAttention's y (B, T, d) and weights A (B, T, T). */
function exportSelfAttention(g: Graph, m: SelfAttention, x: Value, path: string): [Value, Value] {
  const name = path ? `${path}.` : "";
  const [B, T] = x.dims as [Dim, Dim];
  const q = exportLinear(g, m.query, x, `${name}query`);
  const k = exportLinear(g, m.key, x, `${name}key`);
  const v = exportLinear(g, m.value, x, `${name}value`);
  const kT = g.value("Transpose", [k.name], { perm: [0, 2, 1] }, `${name}key_t`, [B, m.embedDim, T]);
  const qk = g.value("MatMul", [q.name, kT.name], {}, `${name}qk`, [B, T, T]);
  // Divided (not multiplied by 1/√d), as seqlab's forward does, so the two round alike.
  const scores = g.value("Div", [qk.name, g.weight(`${name}sqrt_d`, [Math.sqrt(m.embedDim)], [])], {}, `${name}scores`, [B, T, T]);
  const weights = g.value("Softmax", [scores.name], { axis: 2 }, `${name}weights`, [B, T, T]);
  const mixed = g.value("MatMul", [weights.name, v.name], {}, `${name}mixed`, [B, T, m.embedDim]);
  return [exportLinear(g, m.out, mixed, `${name}out`), weights];
}

function exportAttentionClassifier(g: Graph, m: AttentionClassifier, x: Value, path: string): Value {
  const name = path ? `${path}.` : "";
  const [B, T] = x.dims as [Dim, Dim];
  const d = m.attention.embedDim;
  // position[0:T] with T read from the input's shape at run time.
  const shape = g.op("Shape", [x.name], {}, `${name}input_shape`)[0]!;
  const time = g.op("Gather", [shape, g.ints(`${name}time_axis`, [1])], { axis: 0 }, `${name}time`)[0]!;
  const table = g.weight(`${name}position`, m.position.data, [m.maxLength, d]);
  const pos = g.value("Slice", [table, g.ints(`${name}starts`, [0]), time, g.ints(`${name}slice_axes`, [0])], {}, `${name}positions`, [T, d]);
  const embedded = exportLinear(g, m.embed, x, `${name}embed`);
  const e = g.value("Add", [embedded.name, pos.name], {}, `${name}embedded`, [B, T, d]);
  const [y] = exportSelfAttention(g, m.attention, e, `${name}attention`);
  // y[:, T−1]: index −1 of the time axis (a scalar index drops the axis).
  const last = g.value("Gather", [y.name, g.ints(`${name}last`, [-1], [])], { axis: 1 }, `${name}last_step`, [B, d]);
  return exportLinear(g, m.head, last, `${name}head`);
}

/** The modules that give one tensor: one function per kind. */
function exportTensorModule(g: Graph, m: Module, x: Value, path: string): Value {
  if (m instanceof Linear) return exportLinear(g, m, x, path);
  if (m instanceof Embedding) return exportEmbedding(g, m, x, path);
  if (m instanceof Dropout) return x; // the identity outside training, and the file is for inference
  if (m instanceof Sequential) return exportSequential(g, m, x, path);
  if (m instanceof WindowClassifier) return exportWindowClassifier(g, m, x, path);
  if (m instanceof RecurrentClassifier) return exportRecurrentClassifier(g, m, x, path);
  if (m instanceof AttentionClassifier) return exportAttentionClassifier(g, m, x, path);
  const cls = m.constructor.name;
  if (m instanceof RNN || m instanceof LSTM || m instanceof GRU || m instanceof SelfAttention) {
    const gives = m instanceof LSTM ? "[output, [h_n, c_n]]" : m instanceof SelfAttention ? "[output, weights]" : "[output, h_n]";
    throw new SeqlabError(`exportOnnx: ${path} is a ${cls}, which returns ${gives}, not one tensor, so it cannot sit inside a Sequential; export it on its own, or use a RecurrentClassifier`);
  }
  throw unsupported(m, path);
}

function unsupported(m: unknown, path: string): Error {
  const cls = m instanceof Module ? m.constructor.name : null;
  if (cls === null) return new TypeError(`exportOnnx: expected a seqlab model (a Module such as new LSTM({ … })), got ${m === null ? "null" : typeof m}`);
  const where = path ? `${path} is a ${cls}` : `the model is a ${cls}`;
  return new SeqlabError(`exportOnnx: ${where}, which has no ONNX export; supported: ${SUPPORTED}`);
}

// ---------------------------------------------------------------------------------------------
// The graph's input: what the example input fixes and which dimensions stay symbolic.

/** The first layer that reads the input itself (Sequential and Dropout pass it on), or null. */
function firstReader(m: Module): Module | null {
  if (m instanceof Sequential) {
    for (let k = 0; k < m.length; k++) {
      const r = firstReader(m.at(k));
      if (r) return r;
    }
    return null;
  }
  // A classifier that embeds token ids reads them with its Embedding.
  if (m instanceof RecurrentClassifier && m.embed) return m.embed;
  return m instanceof Dropout ? null : m;
}

/** Names of the leading (non-feature) dimensions for a model whose input has `n` of them. */
function leadingNames(m: Module, n: number): Dim[] {
  const named = (names: string[]): Dim[] => Array.from({ length: n }, (_, k) => names[k] ?? `dim${k}`);
  // Linear, Embedding and Dropout keep the leading dimensions: the next layer names them.
  const layers = m instanceof Sequential ? Array.from({ length: m.length }, (_, k) => m.at(k)) : [m];
  for (const layer of layers) {
    if (layer instanceof Sequential) return leadingNames(layer, n);
    if (layer instanceof RNN || layer instanceof LSTM || layer instanceof GRU) return named(layer.batchFirst ? ["batch", "time"] : ["time", "batch"]);
    if (layer instanceof RecurrentClassifier || layer instanceof AttentionClassifier || layer instanceof SelfAttention || layer instanceof WindowClassifier) return named(["batch", "time"]);
    if (!(layer instanceof Linear || layer instanceof Embedding || layer instanceof Dropout)) break;
  }
  return named(["batch"]);
}

/** Checks the example input against the first layer; the graph's input (dims, element type). */
function graphInput(model: Module, example: unknown, dtype: DType): { input: Value; forwardInput: Tensor | IndexInput } {
  const first = firstReader(model);
  const shapeOf = (t: Tensor): string => fmtShape(t.shape);
  const expect = (ok: boolean, wanted: string, t: Tensor, why = ""): void => {
    if (!ok) throw new ShapeError(`exportOnnx: the example input for ${first!.constructor.name} must be ${wanted}, got ${shapeOf(t)}${why}`);
  };
  if (first instanceof Embedding) {
    const ids = indexTensor(example as IndexInput);
    expect(ids.ndim >= 1, "a tensor of token ids with at least one dimension, e.g. (B, T)", ids);
    return { input: { name: "input", dims: leadingNames(model, ids.ndim), elem: "int64" }, forwardInput: ids };
  }
  if (!(example instanceof Tensor)) {
    const got = example === null ? "null" : Array.isArray(example) ? "an array" : typeof example;
    throw new TypeError(`exportOnnx: expected the example input as a Tensor (e.g. randn([B, T, inputSize])), got ${got}; nested arrays are for a model that starts with an Embedding (token ids)`);
  }
  const x = example;
  let fixed: Dim[] | null = null; // dimensions the model fixes beyond the last one
  if (first instanceof RNN || first instanceof LSTM || first instanceof GRU) {
    const layout = first.batchFirst ? `(B, T, ${first.inputSize})` : `(T, B, ${first.inputSize})`;
    expect(x.ndim === 3 && x.shape[2] === first.inputSize, `${layout} (batchFirst ${first.batchFirst}, inputSize ${first.inputSize})`, x,
      x.ndim === 2 ? "; an unbatched input has no batch dimension for the file to keep open: reshape it to one with a batch of 1" : "");
  } else if (first instanceof Linear) {
    expect(x.ndim >= 1 && x.shape[x.ndim - 1] === first.inFeatures, `(…, ${first.inFeatures}) (inFeatures ${first.inFeatures} last)`, x);
  } else if (first instanceof WindowClassifier) {
    expect(x.ndim === 3 && x.shape[1] === first.window && x.shape[2] === first.inputSize, `(B, ${first.window}, ${first.inputSize}) (a window of exactly ${first.window} tokens)`, x);
    fixed = [first.window];
  } else if (first instanceof RecurrentClassifier) {
    expect(x.ndim === 3 && x.shape[2] === first.rnn.inputSize, `(B, T, ${first.rnn.inputSize})`, x);
  } else if (first instanceof AttentionClassifier) {
    const I = first.embed.inFeatures;
    expect(x.ndim === 3 && x.shape[2] === I && x.shape[1]! <= first.maxLength, `(B, T ≤ ${first.maxLength}, ${I}) (maxLength ${first.maxLength})`, x);
  } else if (first instanceof SelfAttention) {
    expect(x.ndim === 3 && x.shape[2] === first.embedDim, `(B, T, ${first.embedDim})`, x);
  } else if (first !== null) {
    throw unsupported(first, "");
  }
  if (x.ndim === 0) throw new ShapeError(`exportOnnx: the example input must have at least one dimension, got a scalar ${shapeOf(x)}`);
  if (x.dtype !== dtype) {
    throw new DTypeError(`exportOnnx: the example input is ${x.dtype} but the model's parameters are ${dtype}; convert it with .to("${dtype}")`);
  }
  const leading = leadingNames(model, x.ndim - 1);
  if (fixed) leading.splice(1, fixed.length, ...fixed);
  return { input: { name: "input", dims: [...leading, x.shape[x.ndim - 1]!], elem: dtype }, forwardInput: x };
}

// ---------------------------------------------------------------------------------------------

/** Every module of the tree, the root first. */
function allModules(m: Module): Module[] {
  return [m, ...m.namedChildren().flatMap(([, c]) => allModules(c))];
}

/** Runs the model's forward on the example in eval mode without recording; restores every module's mode. */
function checkRuns(model: Module, input: Tensor | IndexInput): void {
  const modules = allModules(model);
  const modes = modules.map((m) => m.training);
  const kept = modules.map((m) => (m instanceof AttentionClassifier ? m.lastWeights : null));
  model.eval();
  try {
    noGrad(() => (model as Module & { forward(x: Tensor | IndexInput): unknown }).forward(input));
  } finally {
    modules.forEach((m, k) => {
      m.training = modes[k]!;
      if (m instanceof AttentionClassifier) m.lastWeights = kept[k]!;
    });
  }
}

function opsetOption(options: unknown): number {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new OptionError(`exportOnnx: expected options as an object such as { opset: 14 }, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`);
  }
  const opset = (options as OnnxExportOptions).opset ?? DEFAULT_OPSET;
  if (!OPSETS.includes(opset)) {
    const got = typeof opset === "string" ? JSON.stringify(opset) : String(opset);
    throw new OptionError(`exportOnnx: opset must be one of ${OPSETS.join(", ")} (default ${DEFAULT_OPSET}), got ${got}`);
  }
  return opset;
}

/**
 * Writes `model` as an ONNX file to the path `target`, or returns the file's bytes when
 * `target` is left out. Like `torch.onnx.export(model, example, f, opset_version=…)`.
 *
 * - The graph's input is "input": the example's dtype, rank and feature size, with the batch
 *   and time dimensions symbolic ("batch", "time"), so any batch size and length runs.
 *   A model that starts with an Embedding takes int64 token ids.
 * - Outputs: RNN and GRU give "output" and "h_n", LSTM "output", "h_n" and "c_n" (the
 *   initial states are zeros, as `forward(x)`); SelfAttention "output" and "weights";
 *   the classifiers "logits"; Linear, Embedding and Sequential "output".
 * - The file computes the inference model (dropout off), whatever mode `model` is in; the
 *   check run of `forward(example)` is done in eval mode, and every module's mode is restored.
 * - Refused, with a message saying why: modules without an ONNX form here (every class not in
 *   the list above, recurrent layers inside a Sequential), LSTM's projSize (ONNX's LSTM has no
 *   projection), float64 recurrent layers (ONNX Runtime has float32 kernels only for them), an
 *   example input that does not fit the model (ShapeError) and opsets other than 14–17.
 *
 * @example
 * const bytes = exportOnnx(model, randn([1, 10, 4]));          // Uint8Array
 * exportOnnx(model, randn([1, 10, 4]), "model.onnx", { opset: 17 });
 */
export function exportOnnx(model: Module, exampleInput: Tensor | IndexInput, target?: undefined, options?: OnnxExportOptions): Uint8Array;
export function exportOnnx(model: Module, exampleInput: Tensor | IndexInput, target: string, options?: OnnxExportOptions): void;
export function exportOnnx(model: Module, exampleInput: Tensor | IndexInput, target?: string, options?: OnnxExportOptions): Uint8Array | undefined;
export function exportOnnx(model: Module, exampleInput: Tensor | IndexInput, target?: string, options: OnnxExportOptions = {}): Uint8Array | undefined {
  const opset = opsetOption(options);
  if (!(model instanceof Module)) throw unsupported(model, "");
  const dtype = model.parameters()[0]?.dtype ?? "float32";
  const { input, forwardInput } = graphInput(model, exampleInput, dtype);

  const g = new Graph(dtype, [input.name, ...OUTPUT_NAMES]);
  let outputs: [(typeof OUTPUT_NAMES)[number], Value][];
  if (model instanceof RNN || model instanceof LSTM || model instanceof GRU) {
    const r = exportRecurrent(g, model, input, "");
    outputs = [["output", r.output], ["h_n", r.hN], ...(r.cN ? [["c_n", r.cN] as ["c_n", Value]] : [])];
  } else if (model instanceof SelfAttention) {
    const [y, weights] = exportSelfAttention(g, model, input, "");
    outputs = [["output", y], ["weights", weights]];
  } else {
    const isClassifier = model instanceof WindowClassifier || model instanceof RecurrentClassifier || model instanceof AttentionClassifier;
    outputs = [[isClassifier ? "logits" : "output", exportTensorModule(g, model, input, "")]];
  }
  // The graph's outputs get their public names through Identity nodes (an internal value may
  // also feed other nodes, and a Sequential of Dropouts returns the input itself).
  // Refusals of the model's structure came while building; now the model must run on the example.
  checkRuns(model, forwardInput);
  for (const [name, v] of outputs) g.nodes.push({ opType: "Identity", name: g.fresh(`${name}/Identity`), input: [v.name], output: [name] });

  const bytes = onnx.ModelProto.encode({
    // IR version 7 goes with opset 14, 8 with 15–17 (ONNX's versioning table).
    irVersion: opset === 14 ? 7 : 8,
    opsetImport: [{ domain: "", version: opset }],
    producerName: "seqlab",
    graph: {
      name: model.constructor.name,
      docString: model.toString(),
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(input)],
      output: outputs.map(([name, v]) => valueInfo(v, name)),
    },
  }).finish();
  // protobufjs hands back a Buffer in Node, possibly a view into a shared pool: a copy of our own.
  return writeTarget(new Uint8Array(bytes), target, "exportOnnx");
}
