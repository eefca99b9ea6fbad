// `load` on files real PyTorch wrote (test/io/fixtures, made by test/io/make-torch-files.py, and
// the char-level LSTM in notebooks/data, made by train-char-lstm.py): every tensor value exactly
// as PyTorch saved it, and seqlab's modules loaded from them compute PyTorch's outputs. Hostile
// and broken files are refused. No Python runs here: expected.json holds what PyTorch said.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  Embedding, FileFormatError, GRU, LSTM, Linear, Module, RNN, Tensor, manualSeed, randn, tensor,
  type DType, type LSTMOptions, type RNNOptions, type GRUOptions,
} from "../../src/index.js";
import { load, save } from "../../src/io/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = resolve(here, "../io/fixtures");
const DATA = resolve(here, "../../notebooks/data");

interface JsonTensor { shape: number[]; data: number[] }
interface FileTensor extends JsonTensor { dtype: string; stride: number[]; storage_offset: number; contiguous: boolean }
interface LayerDesc { kind: "RNN" | "LSTM" | "GRU" | "Linear" | "Embedding"; options: Record<string, unknown> }
interface NetDesc { kind: "Net"; children: { embed: LayerDesc; rnn: LayerDesc; head: LayerDesc } }
type ModuleDesc = (LayerDesc | NetDesc) & { dtype: "float32" | "float64"; input: JsonTensor; outputs: Record<string, JsonTensor> };
interface FileEntry {
  format: "zip" | "legacy" | null;
  description: string;
  tensors?: Record<string, FileTensor>;
  module?: ModuleDesc;
  hostile?: boolean;
  global?: string;
  global_in_pickle?: string;
  broken?: "truncated" | "not a checkpoint" | "empty";
}
const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as { pwned_path: string; files: Record<string, FileEntry> };
const files = Object.entries(expected.files);
const fixture = (name: string): string => join(FIXTURES, name);

// What load gives for each dtype in a file: float16/bfloat16 widen to float32, int64 to float64.
const LOADED_DTYPE: Record<string, DType> = { float32: "float32", float16: "float32", bfloat16: "float32", float64: "float64", int64: "float64" };

/** Every value equal (Object.is, so -0 and NaN count), reporting the first difference. */
function expectExact(t: Tensor | undefined, want: FileTensor, what: string): void {
  expect(t, `${what}: missing`).toBeInstanceOf(Tensor);
  expect([...t!.shape], `${what}: shape`).toEqual(want.shape);
  expect(t!.dtype, `${what}: dtype (${want.dtype} in the file)`).toBe(LOADED_DTYPE[want.dtype]);
  expect(t!.data.length, `${what}: number of values`).toBe(want.data.length);
  const bad = want.data.findIndex((v, k) => !Object.is(t!.data[k], v));
  expect(bad, `${what}: first value that differs is [${bad}]: ${t!.data[bad]} vs PyTorch's ${want.data[bad]}`).toBe(-1);
}

/** max|a − b| / max|b|, as PyTorch's fixture README measures closeness. */
function normalisedError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let ref = 0;
  for (let k = 0; k < b.length; k++) {
    diff = Math.max(diff, Math.abs(a[k]! - b[k]!));
    ref = Math.max(ref, Math.abs(b[k]!));
  }
  return ref === 0 ? diff : diff / ref;
}

function expectClose(t: Tensor, want: JsonTensor, tol: number, what: string): void {
  expect([...t.shape], `${what}: shape`).toEqual(want.shape);
  const err = normalisedError(t.data, want.data);
  expect(Number.isFinite(err), `${what}: non-finite values`).toBe(true);
  expect(err, `${what}: max|seqlab − PyTorch| / max|PyTorch|`).toBeLessThanOrEqual(tol);
}

/** A composite model with PyTorch's child names, so its keys are embed.weight, rnn.weight_ih_l0, ... */
class Net extends Module {
  readonly embed: Embedding;
  readonly rnn: LSTM;
  readonly head: Linear;

  constructor(embed: Embedding, rnn: LSTM, head: Linear) {
    super();
    this.embed = this.registerModule("embed", embed);
    this.rnn = this.registerModule("rnn", rnn);
    this.head = this.registerModule("head", head);
  }

  forward(ids: Tensor): { logits: Tensor; h_n: Tensor; c_n: Tensor } {
    const [out, [h_n, c_n]] = this.rnn.forward(this.embed.forward(ids));
    return { logits: this.head.forward(out), h_n, c_n };
  }
}

function buildLayer(desc: LayerDesc, dtype: DType): Module {
  const o = { ...desc.options, dtype };
  switch (desc.kind) {
    case "RNN": return new RNN(o as unknown as RNNOptions);
    case "LSTM": return new LSTM(o as unknown as LSTMOptions);
    case "GRU": return new GRU(o as unknown as GRUOptions);
    case "Linear": return new Linear(o as unknown as ConstructorParameters<typeof Linear>[0]);
    case "Embedding": return new Embedding(o as unknown as ConstructorParameters<typeof Embedding>[0]);
  }
}

function build(desc: LayerDesc | NetDesc, dtype: DType): Module {
  if (desc.kind !== "Net") return buildLayer(desc, dtype);
  const c = desc.children;
  return new Net(buildLayer(c.embed, dtype) as Embedding, buildLayer(c.rnn, dtype) as LSTM, buildLayer(c.head, dtype) as Linear);
}

/** The module's outputs under the names expected.json uses. */
function run(m: Module, x: Tensor): Record<string, Tensor> {
  if (m instanceof Net) return m.forward(x);
  if (m instanceof LSTM) {
    const [output, [h_n, c_n]] = m.forward(x);
    return { output, h_n, c_n };
  }
  if (m instanceof RNN || m instanceof GRU) {
    const [output, h_n] = m.forward(x);
    return { output, h_n };
  }
  return { output: (m as Linear | Embedding).forward(x) };
}

function input(desc: ModuleDesc): Tensor {
  const ids = desc.kind === "Embedding" || desc.kind === "Net";
  return tensor(Float64Array.from(desc.input.data), { shape: desc.input.shape, dtype: ids ? "float64" : desc.dtype });
}

const TOLERANCE = { float32: 1e-6, float64: 1e-12 } as const;

describe("load reads every tensor PyTorch saved, exactly", () => {
  for (const [name, entry] of files.filter(([, e]) => e.tensors)) {
    it(`${name} (${entry.format}): ${entry.description}`, () => {
      const got = load(fixture(name));
      expect(Object.keys(got), "the keys, in the file's order").toEqual(Object.keys(entry.tensors!));
      for (const [key, want] of Object.entries(entry.tensors!)) expectExact(got[key], want, `${name}: ${key}`);
    });
  }

  it("reads the same from the file's bytes (Uint8Array, ArrayBuffer, a view into a larger buffer)", () => {
    const want = expected.files["views-shared.pt"]!.tensors!;
    const bytes = readFileSync(fixture("views-shared.pt"));
    const padded = new Uint8Array(bytes.length + 16);
    padded.set(bytes, 8);
    const sources = [new Uint8Array(bytes), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), padded.subarray(8, 8 + bytes.length)];
    for (const source of sources) {
      const got = load(source);
      for (const [key, t] of Object.entries(want)) expectExact(got[key], t, `views-shared.pt from bytes: ${key}`);
    }
  });
});

describe("seqlab's modules loaded from PyTorch's files compute PyTorch's outputs", () => {
  for (const [name, entry] of files.filter(([, e]) => e.module)) {
    const desc = entry.module!;
    it(`${name}: ${desc.kind} (${desc.dtype}, to ${TOLERANCE[desc.dtype]})`, () => {
      const m = build(desc, desc.dtype);
      m.loadStateDict(load(fixture(name)));
      const outputs = run(m, input(desc));
      expect(Object.keys(outputs).sort()).toEqual(Object.keys(desc.outputs).sort());
      for (const [key, want] of Object.entries(desc.outputs)) expectClose(outputs[key]!, want, TOLERANCE[desc.dtype], `${name}: ${key}`);
    });
  }
});

/** The FileFormatError's message that loading fixture `name` throws (and fails if it throws nothing else). */
function refusal(name: string): string {
  let error: unknown = null;
  try {
    load(fixture(name));
  } catch (e) {
    error = e;
  }
  expect(error, "load must throw").toBeInstanceOf(FileFormatError);
  return (error as Error).message;
}

describe("load refuses hostile and broken files", () => {
  const hostile = files.filter(([, e]) => e.hostile);
  it("there are hostile fixtures, each naming one global", () => {
    expect(hostile.length).toBeGreaterThanOrEqual(4);
    for (const [, e] of hostile) expect(e.global).toMatch(/^\w+\.\w+$/);
  });

  for (const [name, entry] of hostile) {
    it(`${name} is refused with a FileFormatError naming ${entry.global}: ${entry.description}`, () => {
      rmSync(expected.pwned_path, { force: true });
      const message = refusal(name);
      const named = [entry.global!, entry.global_in_pickle!].some((g) => message.includes(g));
      expect(named, `the message names ${entry.global} (or ${entry.global_in_pickle} as the pickle spells it): ${message}`).toBe(true);
      expect(existsSync(expected.pwned_path), `${expected.pwned_path} must not exist`).toBe(false);
    });
  }

  for (const [name, entry] of files.filter(([, e]) => e.broken)) {
    it(`${name} (${entry.broken}) is refused with a clear FileFormatError`, () => {
      const message = refusal(name);
      expect(message, "names the file").toContain(name);
      const says = { truncated: /truncated|cut short|incomplete|ends (early|before|after)|end of (the )?(file|data)|too short/i, "not a checkpoint": /not a (model|PyTorch|checkpoint)/i, empty: /empty/i }[entry.broken!];
      expect(message).toMatch(says);
    });
  }
});

describe("the character-level LSTM trained in PyTorch (notebooks/data/char-lstm.pt)", () => {
  interface CharLstm {
    vocab: string[];
    model: { children: Record<"embed" | "rnn" | "head", Record<string, unknown>>; state_dict_keys: string[] };
    probe: { text: string; ids: number[]; logits: JsonTensor; h_n: JsonTensor; c_n: JsonTensor; argmax_next: string };
  }
  const meta = JSON.parse(readFileSync(join(DATA, "char-lstm.json"), "utf8")) as CharLstm;

  it("the vocabulary is the text's sorted characters, and encodes the probe as PyTorch did", () => {
    const text = readFileSync(join(DATA, "pride-and-prejudice.txt"), "utf8");
    expect(meta.vocab).toEqual([...new Set(text)].sort());
    expect([...meta.probe.text].map((c) => meta.vocab.indexOf(c))).toEqual(meta.probe.ids);
  });

  it("loads into a seqlab model with children embed, rnn, head and gives PyTorch's logits, h_n and c_n on the probe", () => {
    const state = load(join(DATA, "char-lstm.pt"));
    expect(Object.keys(state)).toEqual(meta.model.state_dict_keys);
    const { embed, rnn, head } = meta.model.children;
    const net = new Net(
      new Embedding({ numEmbeddings: embed.numEmbeddings as number, embeddingDim: embed.embeddingDim as number }),
      new LSTM({ inputSize: rnn.inputSize as number, hiddenSize: rnn.hiddenSize as number, batchFirst: true }),
      new Linear({ inFeatures: head.inFeatures as number, outFeatures: head.outFeatures as number }),
    );
    net.loadStateDict(state);
    net.eval();
    const out = net.forward(tensor([meta.probe.ids], { dtype: "float64" }));
    expectClose(out.logits, meta.probe.logits, 1e-6, "logits");
    expectClose(out.h_n, meta.probe.h_n, 1e-6, "h_n");
    expectClose(out.c_n, meta.probe.c_n, 1e-6, "c_n");
    // The most likely next character at each step, as PyTorch's argmax picked it.
    const [, T, V] = out.logits.shape as [number, number, number];
    let argmax = "";
    for (let t = 0; t < T; t++) {
      let best = 0;
      for (let v = 1; v < V; v++) if (out.logits.data[t * V + v]! > out.logits.data[t * V + best]!) best = v;
      argmax += meta.vocab[best];
    }
    expect(argmax).toBe(meta.probe.argmax_next);
  });
});

// Files for PyTorch to check (test/io/make-torch-files.py --check-safetensors DIR): each model's
// state dict saved by seqlab as NAME.safetensors and NAME.pt, with NAME.json holding the model,
// an input and seqlab's outputs. Written to $SEQLAB_SAFETENSORS_DIR if set, else a temporary folder.
describe("save writes files PyTorch can check", () => {
  it("writes each model as safetensors and .pt, which load reads back unchanged", () => {
    const dir = process.env.SEQLAB_SAFETENSORS_DIR ?? mkdtempSync(join(tmpdir(), "seqlab-safetensors-"));
    mkdirSync(dir, { recursive: true });
    const models: [string, Module, ModuleDesc][] = [];
    // The PyTorch fixtures' models, weights from PyTorch...
    for (const [name, entry] of files.filter(([, e]) => e.module && e.module.dtype !== undefined)) {
      const desc = entry.module!;
      const m = build(desc, desc.dtype);
      m.loadStateDict(load(fixture(name)));
      models.push([`from-${name.replace(/\.pt$/, "")}`, m, desc]);
    }
    // ...and models seqlab initialised itself.
    manualSeed(2024);
    const own: [string, LayerDesc | NetDesc, DType, number[]][] = [
      ["seqlab-lstm-proj", { kind: "LSTM", options: { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2, batchFirst: true } }, "float32", [2, 4, 3]],
      ["seqlab-gru-float64", { kind: "GRU", options: { inputSize: 2, hiddenSize: 3, numLayers: 2 } }, "float64", [5, 2, 2]],
      ["seqlab-rnn-tanh", { kind: "RNN", options: { inputSize: 2, hiddenSize: 6, nonlinearity: "tanh", bias: false } }, "float32", [3, 1, 2]],
      ["seqlab-net", { kind: "Net", children: { embed: { kind: "Embedding", options: { numEmbeddings: 7, embeddingDim: 3 } }, rnn: { kind: "LSTM", options: { inputSize: 3, hiddenSize: 4, batchFirst: true } }, head: { kind: "Linear", options: { inFeatures: 4, outFeatures: 7 } } } }, "float32", [2, 5]],
    ];
    for (const [name, layer, dtype, shape] of own) {
      const m = build(layer, dtype);
      const x = layer.kind === "Net" ? tensor(Array.from({ length: shape[0]! * shape[1]! }, (_, k) => (k * 3) % 7), { shape, dtype: "float64" }) : randn(shape, { dtype });
      models.push([name, m, { ...layer, dtype, input: { shape, data: Array.from(x.data) }, outputs: {} }]);
    }
    for (const [name, m, desc] of models) {
      const outputs = Object.fromEntries(Object.entries(run(m, input(desc))).map(([k, t]) => [k, { shape: [...t.shape], data: Array.from(t.data) }]));
      const record: ModuleDesc = { ...desc, outputs };
      const state = m.stateDict();
      save(state, join(dir, `${name}.safetensors`), { metadata: { written_by: "seqlab io-torch-files.test.ts" } });
      save(state, join(dir, `${name}.pt`), { format: "pt" });
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ module: record }));
      for (const ext of ["safetensors", "pt"]) {
        const back = load(join(dir, `${name}.${ext}`));
        // safetensors keeps no order (its header is a JSON object; Hugging Face's writer sorts it).
        const keys = (o: object) => (ext === "pt" ? Object.keys(o) : Object.keys(o).sort());
        expect(keys(back), `${name}.${ext}: keys`).toEqual(keys(state));
        for (const [key, t] of Object.entries(state)) {
          expectExact(back[key], { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data), stride: [], storage_offset: 0, contiguous: true }, `${name}.${ext}: ${key}`);
        }
      }
    }
    if (!process.env.SEQLAB_SAFETENSORS_DIR) rmSync(dir, { recursive: true, force: true });
  });
});
