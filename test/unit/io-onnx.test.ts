/**
 * exportOnnx: every exported model runs in ONNX Runtime (onnxruntime-web's wasm build, in Node)
 * on two batch sizes and sequence lengths other than the example's, and gives seqlab's outputs
 * and final states to 1e-5; Debian's onnx checker (python3-onnx, full_check) accepts every file;
 * every refusal names what was expected and what came.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-web";
import { afterAll, describe, expect, it } from "vitest";
import {
  AttentionClassifier, DTypeError, Dropout, Embedding, GRU, GRUCell, LSTM, Linear, Module, OptionError, RNN, RecurrentClassifier,
  SelfAttention, SeqlabError, Sequential, ShapeError, Tensor, WindowClassifier, manualSeed, noGrad, randn, tensor, type DType,
} from "../../src/index.js";
import { exportOnnx } from "../../src/io/onnx.js";

const { onnx } = onnxProto;
ort.env.wasm.numThreads = 1;

const TOL = 1e-5;
const dir = mkdtempSync(join(tmpdir(), "seqlab-onnx-"));
/** The largest |ONNX Runtime − seqlab| per configuration, printed at the end. */
const measured: Record<string, number> = {};
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  const rows = Object.entries(measured).map(([name, d]) => `  ${d.toExponential(2)}  ${name}`);
  console.log(`largest |ONNX Runtime − seqlab| per configuration:\n${rows.join("\n")}`);
});

/** Debian's python3-onnx checker with full_check (strict shape inference) on each file; "ok" or the error per file. */
function checkFiles(files: readonly Uint8Array[]): string[] {
  const paths = files.map((bytes, k) => {
    const path = join(dir, `${Date.now()}-${Math.random().toString(36).slice(2)}-${k}.onnx`);
    writeFileSync(path, bytes);
    return path;
  });
  const script = [
    "import json, sys, onnx",
    "out = []",
    "for p in sys.argv[1:]:",
    "    try:",
    "        onnx.checker.check_model(onnx.load(p), full_check=True); out.append('ok')",
    "    except Exception as e:",
    "        out.append(type(e).__name__ + ': ' + str(e))",
    "print(json.dumps(out))",
  ].join("\n");
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, ...paths], { encoding: "utf8" })) as string[];
}

type Feed = Tensor | { ids: number[]; shape: number[] };

async function runOrt(bytes: Uint8Array, input: Feed): Promise<Record<string, { dims: readonly number[]; data: ArrayLike<number> }>> {
  const session = await ort.InferenceSession.create(bytes);
  const feed = input instanceof Tensor
    ? input.dtype === "float64"
      ? new ort.Tensor("float64", Float64Array.from(input.data), input.shape)
      : new ort.Tensor("float32", Float32Array.from(input.data), input.shape)
    : new ort.Tensor("int64", BigInt64Array.from(input.ids, (v) => BigInt(v)), input.shape);
  const result = await session.run({ input: feed });
  await session.release();
  return Object.fromEntries(Object.entries(result).map(([k, t]) => [k, { dims: t.dims, data: t.data as ArrayLike<number> }]));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k]! - b[k]!));
  return d;
}

/**
 * Exports `model` with `example`, checks the file with the onnx checker, runs it in ONNX Runtime
 * on each of `inputs` and compares every named output with seqlab's `reference(input)`.
 */
async function expectSameAsSeqlab(
  label: string, model: Module, example: Feed, inputs: readonly Feed[], reference: (x: Feed) => Record<string, Tensor>, opset?: number,
): Promise<Uint8Array> {
  const bytes = exportOnnx(model, example instanceof Tensor ? example : tensor(example.ids, { shape: example.shape }), undefined, opset === undefined ? {} : { opset });
  expect(checkFiles([bytes])).toEqual(["ok"]);
  let worst = 0;
  for (const x of inputs) {
    const want = noGrad(() => reference(x));
    const got = await runOrt(bytes, x);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const [name, t] of Object.entries(want)) {
      expect(got[name]!.dims, `${label}: shape of ${name}`).toEqual(t.shape);
      const d = maxDiff(got[name]!.data, t.data);
      expect(d, `${label}: ${name} on input ${JSON.stringify(x instanceof Tensor ? x.shape : x.shape)}`).toBeLessThanOrEqual(TOL);
      worst = Math.max(worst, d);
    }
  }
  measured[label] = worst;
  return bytes;
}

/** The example is (B=3, T=5); ONNX Runtime then runs (B=1, T=9) and (B=4, T=2). */
const EXAMPLE = { B: 3, T: 5 };
const RUNS = [{ B: 1, T: 9 }, { B: 4, T: 2 }];
const seqInput = (batchFirst: boolean, B: number, T: number, F: number, dtype: DType = "float32"): Tensor =>
  randn(batchFirst ? [B, T, F] : [T, B, F], { dtype });

describe("RNN, LSTM and GRU as ONNX's RNN, LSTM and GRU operators", () => {
  const kinds = [
    { label: "RNN tanh", make: (o: object) => new RNN({ inputSize: 4, hiddenSize: 6, ...o }) },
    { label: "RNN relu", make: (o: object) => new RNN({ inputSize: 4, hiddenSize: 6, nonlinearity: "relu", ...o }) },
    { label: "LSTM", make: (o: object) => new LSTM({ inputSize: 4, hiddenSize: 6, ...o }) },
    { label: "GRU", make: (o: object) => new GRU({ inputSize: 4, hiddenSize: 6, ...o }) },
  ];
  for (const { label, make } of kinds) {
    for (const numLayers of [1, 2]) {
      for (const bidirectional of [false, true]) {
        for (const batchFirst of [false, true]) {
          const name = `${label}, ${numLayers} layer${numLayers > 1 ? "s" : ""}, ${bidirectional ? "bidirectional" : "unidirectional"}, batchFirst ${batchFirst}`;
          it(name, async () => {
            manualSeed(numLayers * 10 + (bidirectional ? 2 : 0) + (batchFirst ? 1 : 0));
            const m = make({ numLayers, bidirectional, batchFirst });
            await expectSameAsSeqlab(
              name, m, seqInput(batchFirst, EXAMPLE.B, EXAMPLE.T, 4), RUNS.map(({ B, T }) => seqInput(batchFirst, B, T, 4)),
              (x) => recurrentOutputs(m, x as Tensor),
            );
          });
        }
      }
    }
  }

  it("GRU's textbook variants: reset before the matmul is linear_before_reset 0, the textbook update negates z's rows", async () => {
    const variants = [
      { resetPosition: "before", updateConvention: "pytorch" },
      { resetPosition: "after", updateConvention: "textbook" },
      { resetPosition: "before", updateConvention: "textbook" },
    ] as const;
    for (const v of variants) {
      manualSeed(7);
      const m = new GRU({ inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true, ...v });
      const name = `GRU resetPosition ${v.resetPosition}, updateConvention ${v.updateConvention}, 2 layers, bidirectional`;
      const bytes = await expectSameAsSeqlab(name, m, seqInput(false, 3, 5, 4), RUNS.map(({ B, T }) => seqInput(false, B, T, 4)), (x) => recurrentOutputs(m, x as Tensor));
      const attr = onnx.ModelProto.decode(bytes).graph!.node!.find((n) => n.opType === "GRU")!.attribute!.find((a) => a.name === "linear_before_reset")!;
      expect(Number(attr.i)).toBe(v.resetPosition === "after" ? 1 : 0);
    }
  });

  it("the variants differ from each other in ONNX Runtime too (so the comparisons above can fail)", async () => {
    manualSeed(3);
    const a = new GRU({ inputSize: 4, hiddenSize: 6 });
    const b = new GRU({ inputSize: 4, hiddenSize: 6, resetPosition: "before" });
    b.loadStateDict(a.stateDict());
    const x = seqInput(false, 2, 6, 4);
    const ya = await runOrt(exportOnnx(a, x), x);
    const yb = await runOrt(exportOnnx(b, x), x);
    expect(maxDiff(ya.output!.data, yb.output!.data)).toBeGreaterThan(1e-3);
  });

  it("without biases (no B input)", async () => {
    for (const [label, m] of [["RNN", new RNN({ inputSize: 4, hiddenSize: 6, bias: false })], ["LSTM", new LSTM({ inputSize: 4, hiddenSize: 6, bias: false, bidirectional: true })], ["GRU", new GRU({ inputSize: 4, hiddenSize: 6, bias: false, numLayers: 2 })]] as const) {
      const bytes = await expectSameAsSeqlab(`${label} bias false`, m, seqInput(false, 3, 5, 4), RUNS.map(({ B, T }) => seqInput(false, B, T, 4)), (x) => recurrentOutputs(m, x as Tensor));
      expect(onnx.ModelProto.decode(bytes).graph!.node!.find((n) => n.opType === label)!.input).toHaveLength(3);
    }
  });

  it("dropout between layers, in training mode: the file is the eval-mode model and the mode is restored", async () => {
    manualSeed(13);
    const m = new LSTM({ inputSize: 4, hiddenSize: 6, numLayers: 2, dropout: 0.5 });
    m.train();
    const bytes = exportOnnx(m, seqInput(false, 3, 5, 4));
    expect(m.training).toBe(true);
    expect(checkFiles([bytes])).toEqual(["ok"]);
    const x = seqInput(false, 2, 7, 4);
    const got = await runOrt(bytes, x);
    const inTraining = noGrad(() => m.forward(x)[0]);
    expect(maxDiff(got.output!.data, inTraining.data)).toBeGreaterThan(1e-3); // dropout did act in training...
    m.eval();
    const d = maxDiff(got.output!.data, noGrad(() => m.forward(x)[0]).data); // ...and the file is the eval-mode model
    expect(d).toBeLessThanOrEqual(TOL);
    measured["LSTM 2 layers, dropout 0.5, exported in training mode"] = d;
  });

  it("a bigger LSTM (H = 64, 2 layers, bidirectional, T up to 40) stays within 1e-5", async () => {
    manualSeed(11);
    const m = new LSTM({ inputSize: 16, hiddenSize: 64, numLayers: 2, bidirectional: true, batchFirst: true });
    await expectSameAsSeqlab("LSTM H=64, 2 layers, bidirectional, T=40", m, seqInput(true, 2, 8, 16), [seqInput(true, 3, 40, 16), seqInput(true, 1, 17, 16)], (x) => recurrentOutputs(m, x as Tensor));
  });

  it("a large LSTM (inputSize 512, H = 512: 2.1 million parameters) exports whole", async () => {
    manualSeed(14);
    const m = new LSTM({ inputSize: 512, hiddenSize: 512 });
    const bytes = await expectSameAsSeqlab("LSTM inputSize 512, H=512", m, seqInput(false, 1, 2, 512), [seqInput(false, 2, 3, 512), seqInput(false, 1, 4, 512)], (x) => recurrentOutputs(m, x as Tensor));
    expect(bytes.length).toBeGreaterThan(m.numParameters() * 4);
  });

  it("the file declares symbolic batch and time dimensions and names the outputs as PyTorch's forward returns them", () => {
    const bytes = exportOnnx(new LSTM({ inputSize: 4, hiddenSize: 6, batchFirst: true, numLayers: 2 }), randn([3, 5, 4]));
    const graph = onnx.ModelProto.decode(bytes).graph!;
    const dims = (v: { type?: { tensorType?: { shape?: { dim?: { dimParam?: string | null; dimValue?: unknown }[] | null } | null } | null } | null }) =>
      v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(graph.input!.map((v) => [v.name, dims(v)])).toEqual([["input", ["batch", "time", 4]]]);
    expect(graph.output!.map((v) => [v.name, dims(v)])).toEqual([["output", ["batch", "time", 6]], ["h_n", [2, "batch", 6]], ["c_n", [2, "batch", 6]]]);
    expect(graph.node!.filter((n) => n.opType === "LSTM")).toHaveLength(2);
  });

  it("every opset offered (14–17) is written as asked, with its IR version, and runs", async () => {
    for (const opset of [14, 15, 16, 17]) {
      manualSeed(opset);
      const m = new GRU({ inputSize: 4, hiddenSize: 6, bidirectional: true, batchFirst: true });
      const bytes = await expectSameAsSeqlab(`GRU at opset ${opset}`, m, seqInput(true, 3, 5, 4), RUNS.map(({ B, T }) => seqInput(true, B, T, 4)), (x) => recurrentOutputs(m, x as Tensor), opset);
      const decoded = onnx.ModelProto.decode(bytes);
      expect(decoded.opsetImport!.map((o) => Number(o.version))).toEqual([opset]);
      expect(Number(decoded.irVersion)).toBe(opset === 14 ? 7 : 8);
    }
  });
});

function recurrentOutputs(m: RNN | LSTM | GRU, x: Tensor): Record<string, Tensor> {
  if (m instanceof LSTM) {
    const [output, [hN, cN]] = m.forward(x);
    return { output, h_n: hN, c_n: cN };
  }
  const [output, hN] = m.forward(x);
  return { output, h_n: hN };
}

describe("Linear, Embedding, Dropout, Sequential", () => {
  it("Linear on 2-D input (Gemm), on 3-D and 1-D input (MatMul + Add), and without bias", async () => {
    manualSeed(1);
    const lin = new Linear({ inFeatures: 5, outFeatures: 3 });
    const ref = (x: Feed) => ({ output: lin.forward(x as Tensor) });
    const gemm = await expectSameAsSeqlab("Linear (B, in)", lin, randn([3, 5]), [randn([1, 5]), randn([7, 5])], ref);
    expect(onnx.ModelProto.decode(gemm).graph!.node!.map((n) => n.opType)).toEqual(["Gemm", "Identity"]);
    const mm = await expectSameAsSeqlab("Linear (B, T, in)", lin, randn([3, 4, 5]), [randn([1, 9, 5]), randn([6, 2, 5])], ref);
    expect(onnx.ModelProto.decode(mm).graph!.node!.map((n) => n.opType)).toEqual(["MatMul", "Add", "Identity"]);
    await expectSameAsSeqlab("Linear (in,)", lin, randn([5]), [randn([5])], ref);
    const noBias = new Linear({ inFeatures: 5, outFeatures: 3, bias: false });
    await expectSameAsSeqlab("Linear bias false, (B, in)", noBias, randn([3, 5]), [randn([2, 5])], (x) => ({ output: noBias.forward(x as Tensor) }));
    await expectSameAsSeqlab("Linear bias false, (B, T, in)", noBias, randn([3, 4, 5]), [randn([2, 6, 5])], (x) => ({ output: noBias.forward(x as Tensor) }));
  });

  it("Embedding (Gather on int64 ids), from a tensor or nested arrays", async () => {
    manualSeed(2);
    const emb = new Embedding({ numEmbeddings: 11, embeddingDim: 4, paddingIdx: 0 });
    const ids = (B: number, T: number) => ({ ids: Array.from({ length: B * T }, (_, k) => (k * 7 + B) % 11), shape: [B, T] });
    const ref = (x: Feed) => ({ output: emb.forward(tensor((x as { ids: number[] }).ids, { shape: (x as { shape: number[] }).shape })) });
    const bytes = await expectSameAsSeqlab("Embedding (B, T)", emb, ids(3, 5), [ids(1, 9), ids(4, 2)], ref);
    expect(Number(onnx.ModelProto.decode(bytes).graph!.input![0]!.type!.tensorType!.elemType)).toBe(onnx.TensorProto.DataType.INT64);
    expect(exportOnnx(emb, [[1, 2, 3], [4, 5, 6]])).toEqual(bytes);
  });

  it("Sequential(Embedding, Dropout, Linear, Sequential(Linear)) in training mode: the file is the eval-mode model, and the modes are restored", async () => {
    manualSeed(3);
    const inner = new Sequential(new Linear({ inFeatures: 6, outFeatures: 2 }));
    const model = new Sequential(new Embedding({ numEmbeddings: 9, embeddingDim: 4 }), new Dropout(0.5), new Linear({ inFeatures: 4, outFeatures: 6 }), inner);
    model.train();
    inner.eval();
    const ids = (B: number, T: number) => ({ ids: Array.from({ length: B * T }, (_, k) => (k * 5 + T) % 9), shape: [B, T] });
    const bytes = exportOnnx(model, tensor(ids(3, 5).ids, { shape: [3, 5] }));
    expect(model.training).toBe(true);
    expect(model.at(1).training).toBe(true);
    expect(inner.training).toBe(false);
    expect(checkFiles([bytes])).toEqual(["ok"]);
    model.eval();
    const ops = onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType);
    expect(ops).toEqual(["Gather", "MatMul", "Add", "MatMul", "Add", "Identity"]);
    await expectSameAsSeqlab("Sequential(Embedding, Dropout, Linear, Sequential(Linear))", model, ids(3, 5), [ids(1, 9), ids(4, 2)],
      (x) => ({ output: model.forward(tensor((x as { ids: number[] }).ids, { shape: (x as { shape: number[] }).shape })) }));
  });

  it("Sequential(Linear, Dropout) on float input; an empty Sequential is the identity", async () => {
    manualSeed(4);
    const model = new Sequential(new Linear({ inFeatures: 3, outFeatures: 3 }), new Dropout(0.2)).eval();
    await expectSameAsSeqlab("Sequential(Linear, Dropout)", model, randn([2, 3]), [randn([5, 3]), randn([1, 3])], (x) => ({ output: model.forward(x as Tensor) }));
    const empty = new Sequential();
    await expectSameAsSeqlab("Sequential()", empty, randn([2, 3]), [randn([4, 3])], (x) => ({ output: empty.forward(x as Tensor) }));
  });

  it("float64 Linear, Embedding and Sequential run in ONNX Runtime as double", async () => {
    manualSeed(5);
    const model = new Sequential(new Linear({ inFeatures: 3, outFeatures: 4, dtype: "float64" }), new Linear({ inFeatures: 4, outFeatures: 2, dtype: "float64" }));
    const bytes = await expectSameAsSeqlab("float64 Sequential(Linear, Linear)", model, randn([2, 3], { dtype: "float64" }), [randn([5, 3], { dtype: "float64" }), randn([1, 7, 3], { dtype: "float64" }).reshape([7, 3])], (x) => ({ output: model.forward(x as Tensor) }));
    expect(Number(onnx.ModelProto.decode(bytes).graph!.output![0]!.type!.tensorType!.elemType)).toBe(onnx.TensorProto.DataType.DOUBLE);
  });
});

describe("seqlab's classifiers", () => {
  it("WindowClassifier: any batch size; the window is fixed in the file and ONNX Runtime refuses another", async () => {
    manualSeed(6);
    const m = new WindowClassifier({ window: 3, inputSize: 5, hiddenSize: 8, numClasses: 4 });
    const bytes = await expectSameAsSeqlab("WindowClassifier", m, randn([2, 3, 5]), [randn([1, 3, 5]), randn([7, 3, 5])], (x) => ({ logits: m.forward(x as Tensor) }));
    await expect(runOrt(bytes, randn([2, 4, 5]))).rejects.toThrow(/input/);
  });

  for (const kind of ["rnn", "lstm", "gru"] as const) {
    for (const readout of ["last", "all"] as const) {
      for (const [numLayers, bidirectional] of [[1, false], [2, true]] as const) {
        const name = `RecurrentClassifier ${kind}, readout ${readout}, ${numLayers} layer${numLayers > 1 ? "s" : ""}${bidirectional ? ", bidirectional" : ""}`;
        it(name, async () => {
          manualSeed(numLayers + kind.length);
          const m = new RecurrentClassifier({ kind, inputSize: 4, hiddenSize: 6, numClasses: 3, readout, numLayers, bidirectional, ...(kind === "rnn" ? { nonlinearity: "relu" as const } : {}) });
          await expectSameAsSeqlab(name, m, randn([3, 5, 4]), RUNS.map(({ B, T }) => randn([B, T, 4])), (x) => ({ logits: m.forward(x as Tensor) }));
        });
      }
    }
  }

  it("SelfAttention (output and weights) and AttentionClassifier (lengths up to maxLength)", async () => {
    manualSeed(8);
    const att = new SelfAttention({ embedDim: 6 });
    await expectSameAsSeqlab("SelfAttention", att, randn([3, 5, 6]), RUNS.map(({ B, T }) => randn([B, T, 6])), (x) => {
      const [output, weights] = att.forward(x as Tensor);
      return { output, weights };
    });
    const m = new AttentionClassifier({ inputSize: 4, embedDim: 6, numClasses: 3, maxLength: 9 });
    const before = m.lastWeights;
    await expectSameAsSeqlab("AttentionClassifier", m, randn([3, 5, 4]), RUNS.map(({ B, T }) => randn([B, T, 4])), (x) => ({ logits: m.forward(x as Tensor) }));
    const fresh = new AttentionClassifier({ inputSize: 4, embedDim: 6, numClasses: 3, maxLength: 9 });
    exportOnnx(fresh, randn([2, 4, 4]));
    expect(fresh.lastWeights).toBe(before); // the check run leaves no trace on the model
    const d64 = new AttentionClassifier({ inputSize: 4, embedDim: 6, numClasses: 3, maxLength: 9, dtype: "float64" });
    await expectSameAsSeqlab("float64 AttentionClassifier", d64, randn([3, 5, 4], { dtype: "float64" }), [randn([2, 9, 4], { dtype: "float64" })], (x) => ({ logits: d64.forward(x as Tensor) }));
  });

  it("a character LM, Sequential(Embedding(65, 16), RecurrentClassifier(lstm, H 128, readout all)): size and export time", async () => {
    manualSeed(9);
    const model = new Sequential(
      new Embedding({ numEmbeddings: 65, embeddingDim: 16 }),
      new RecurrentClassifier({ kind: "lstm", inputSize: 16, hiddenSize: 128, numClasses: 65, readout: "all" }),
    );
    const ids = (B: number, T: number) => ({ ids: Array.from({ length: B * T }, (_, k) => (k * 31 + B * T) % 65), shape: [B, T] });
    const started = performance.now();
    const bytes = exportOnnx(model, tensor(ids(2, 8).ids, { shape: [2, 8] }));
    const ms = performance.now() - started;
    const paramBytes = model.numParameters() * 4;
    console.log(`LM export: ${bytes.length} bytes (${model.numParameters()} parameters = ${paramBytes} bytes of float32) in ${ms.toFixed(1)} ms`);
    expect(bytes.length).toBeGreaterThan(paramBytes);
    expect(bytes.length).toBeLessThan(paramBytes + 16_384);
    await expectSameAsSeqlab("LM Embedding(65,16) + LSTM H=128 + Linear(128,65), T up to 64", model, ids(2, 8), [ids(1, 64), ids(4, 3)],
      (x) => ({ output: model.forward(tensor((x as { ids: number[] }).ids, { shape: (x as { shape: number[] }).shape })) }));
  });
});

describe("a RecurrentClassifier that reads token ids (vocabSize)", () => {
  it("embed → rnn → head, named as a PyTorch character LM names its children, exported with Gather first", async () => {
    manualSeed(10);
    const lm = new RecurrentClassifier({ kind: "lstm", vocabSize: 30, inputSize: 8, hiddenSize: 16, numClasses: 30, readout: "all" });
    expect(Object.keys(lm.stateDict())).toEqual([
      "embed.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "head.weight", "head.bias",
    ]);
    const ids = (B: number, T: number) => ({ ids: Array.from({ length: B * T }, (_, k) => (k * 13 + B) % 30), shape: [B, T] });
    const bytes = await expectSameAsSeqlab("RecurrentClassifier lstm with vocabSize 30, readout all", lm, ids(3, 5), [ids(1, 9), ids(4, 2)],
      (x) => ({ logits: lm.forward(tensor((x as { ids: number[] }).ids, { shape: (x as { shape: number[] }).shape })) }));
    expect(Number(onnx.ModelProto.decode(bytes).graph!.input![0]!.type!.tensorType!.elemType)).toBe(onnx.TensorProto.DataType.INT64);
    const gru = new RecurrentClassifier({ kind: "gru", vocabSize: 12, inputSize: 4, hiddenSize: 5, numClasses: 2, bidirectional: true });
    await expectSameAsSeqlab("RecurrentClassifier gru with vocabSize 12, readout last, bidirectional", gru,
      { ids: [1, 2, 3, 4, 5, 6], shape: [2, 3] }, [{ ids: [7, 8, 9, 10, 11, 0, 1], shape: [1, 7] }],
      (x) => ({ logits: gru.forward(tensor((x as { ids: number[] }).ids, { shape: (x as { shape: number[] }).shape })) }));
  });

  it("vocabSize must be a whole number ≥ 1", () => {
    expect(() => new RecurrentClassifier({ kind: "lstm", vocabSize: 0, inputSize: 3, hiddenSize: 4, numClasses: 2 })).toThrow(/RecurrentClassifier: vocabSize must be a whole number ≥ 1, got 0/);
    expect(() => new RecurrentClassifier({ kind: "lstm", vocabSize: 2.5, inputSize: 3, hiddenSize: 4, numClasses: 2 })).toThrow(OptionError);
  });

  it("without vocabSize, token ids are refused with what to do", () => {
    const clf = new RecurrentClassifier({ kind: "rnn", inputSize: 3, hiddenSize: 4, numClasses: 2 });
    expect(() => clf.forward([[1, 2, 3]])).toThrow(/expected a Tensor of shape \(B, T, 3\), got an array; token ids need the vocabSize option/);
  });
});

describe("the target", () => {
  it("writes the file to a path and returns nothing; the same bytes as without a target", () => {
    manualSeed(10);
    const m = new GRU({ inputSize: 2, hiddenSize: 3 });
    const x = randn([4, 1, 2]);
    const path = join(dir, "gru.onnx");
    expect(exportOnnx(m, x, path)).toBeUndefined();
    expect(new Uint8Array(readFileSync(path))).toEqual(exportOnnx(m, x));
  });

  it("refuses a target that is not a path", () => {
    const m = new Linear({ inFeatures: 2, outFeatures: 1 });
    expect(() => exportOnnx(m, randn([1, 2]), 42 as unknown as string)).toThrow(/expected a path to write to .* got number/);
  });
});

describe("refusals", () => {
  const lstm = () => new LSTM({ inputSize: 4, hiddenSize: 6 });

  it("an unknown module names its class and lists what is supported", () => {
    class Custom extends Module {
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => exportOnnx(new Custom(), randn([2, 3]))).toThrow(SeqlabError);
    expect(() => exportOnnx(new Custom(), randn([2, 3]))).toThrow(/the model is a Custom, which has no ONNX export; supported: RNN, LSTM, GRU, Linear, Embedding/);
    expect(() => exportOnnx(new GRUCell({ inputSize: 2, hiddenSize: 3 }), randn([2, 2]))).toThrow(/GRUCell, which has no ONNX export; supported: .*AttentionClassifier/);
    const inside = new Sequential(new Linear({ inFeatures: 3, outFeatures: 3 }), new Custom());
    expect(() => exportOnnx(inside, randn([2, 3]))).toThrow(/^exportOnnx: 1 is a Custom, which has no ONNX export; supported:/);
    expect(() => exportOnnx({} as Module, randn([2, 3]))).toThrow(/expected a seqlab model .* got object/);
  });

  it("a recurrent layer inside a Sequential (it returns a tuple, not a tensor)", () => {
    const seq = new Sequential(new Linear({ inFeatures: 4, outFeatures: 4 }), lstm() as unknown as Linear);
    expect(() => exportOnnx(seq, randn([5, 2, 4]))).toThrow(/1 is a LSTM, which returns \[output, \[h_n, c_n\]\], not one tensor/);
  });

  it("an Embedding that is not the first layer", () => {
    const seq = new Sequential(new Linear({ inFeatures: 4, outFeatures: 4 }), new Embedding({ numEmbeddings: 4, embeddingDim: 2 }));
    expect(() => exportOnnx(seq, tensor([[0, 1, 2, 3]]))).toThrow(/1 \(Embedding\) must be the model's first layer/);
  });

  it("opsets other than 14–17, and options that are not an object, are OptionErrors naming the allowed values", () => {
    for (const opset of [13, 18, 7, 14.5, "14" as unknown as number]) {
      expect(() => exportOnnx(lstm(), randn([5, 2, 4]), undefined, { opset })).toThrow(OptionError);
      expect(() => exportOnnx(lstm(), randn([5, 2, 4]), undefined, { opset })).toThrow(new RegExp(`opset must be one of 14, 15, 16, 17 \\(default 14\\), got ${typeof opset === "string" ? '"14"' : opset}`));
    }
    expect(() => exportOnnx(lstm(), randn([5, 2, 4]), undefined, 17 as unknown as { opset: number })).toThrow(/expected options as an object such as \{ opset: 14 \}, got number/);
  });

  it("an example input of the wrong shape is a ShapeError naming the expected and the given shape", () => {
    const cases: [Module, Tensor, RegExp][] = [
      [lstm(), randn([5, 2, 3]), /for LSTM must be \(T, B, 4\) \(batchFirst false, inputSize 4\), got \(5, 2, 3\)/],
      [lstm(), randn([5, 4]), /got \(5, 4\); an unbatched input has no batch dimension/],
      [new GRU({ inputSize: 4, hiddenSize: 2, batchFirst: true }), randn([2, 5, 4, 1]), /\(B, T, 4\) \(batchFirst true, inputSize 4\), got \(2, 5, 4, 1\)/],
      [new Linear({ inFeatures: 3, outFeatures: 2 }), randn([4, 2]), /for Linear must be \(…, 3\) \(inFeatures 3 last\), got \(4, 2\)/],
      [new WindowClassifier({ window: 3, inputSize: 2, hiddenSize: 4, numClasses: 2 }), randn([1, 4, 2]), /\(B, 3, 2\) \(a window of exactly 3 tokens\), got \(1, 4, 2\)/],
      [new RecurrentClassifier({ kind: "gru", inputSize: 3, hiddenSize: 4, numClasses: 2 }), randn([2, 3]), /\(B, T, 3\), got \(2, 3\)/],
      [new AttentionClassifier({ inputSize: 3, embedDim: 4, numClasses: 2, maxLength: 4 }), randn([1, 5, 3]), /\(B, T ≤ 4, 3\) \(maxLength 4\), got \(1, 5, 3\)/],
      [new Sequential(new Dropout(0.1), new Linear({ inFeatures: 3, outFeatures: 2 })), randn([2, 4]), /for Linear must be \(…, 3\)/],
    ];
    for (const [model, x, message] of cases) {
      expect(() => exportOnnx(model, x)).toThrow(ShapeError);
      expect(() => exportOnnx(model, x)).toThrow(message);
    }
    // A layer further in that does not fit is found by the check run of seqlab's forward.
    const mismatched = new Sequential(new Linear({ inFeatures: 3, outFeatures: 4 }), new Linear({ inFeatures: 5, outFeatures: 2 }));
    expect(() => exportOnnx(mismatched, randn([2, 3]))).toThrow(ShapeError);
    expect(() => exportOnnx(new Embedding({ numEmbeddings: 3, embeddingDim: 2 }), tensor(5))).toThrow(/token ids with at least one dimension.*got \(\)/);
  });

  it("an example that is not a tensor, or ids out of range, or of another dtype", () => {
    expect(() => exportOnnx(lstm(), [[1, 2, 3, 4]])).toThrow(/expected the example input as a Tensor .* got an array/);
    expect(() => exportOnnx(new Embedding({ numEmbeddings: 3, embeddingDim: 2 }), [[0, 3]])).toThrow(RangeError);
    expect(() => exportOnnx(lstm(), randn([5, 2, 4], { dtype: "float64" }))).toThrow(DTypeError);
    expect(() => exportOnnx(lstm(), randn([5, 2, 4], { dtype: "float64" }))).toThrow(/example input is float64 but the model's parameters are float32/);
  });

  it("float64 recurrent layers: ONNX Runtime has no float64 RNN, LSTM or GRU kernel", () => {
    for (const m of [new RNN({ inputSize: 2, hiddenSize: 3, dtype: "float64" }), new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64" }), new GRU({ inputSize: 2, hiddenSize: 3, dtype: "float64" })]) {
      expect(() => exportOnnx(m, randn([4, 1, 2], { dtype: "float64" }))).toThrow(DTypeError);
      expect(() => exportOnnx(m, randn([4, 1, 2], { dtype: "float64" }))).toThrow(new RegExp(`${m.constructor.name} is float64, but ONNX Runtime has no float64 ${m.constructor.name} kernel`));
    }
    const clf = new RecurrentClassifier({ kind: "lstm", inputSize: 2, hiddenSize: 3, numClasses: 2, dtype: "float64" });
    expect(() => exportOnnx(clf, randn([1, 4, 2], { dtype: "float64" }))).toThrow(/rnn is float64, but ONNX Runtime has no float64 LSTM kernel/);
  });

  it("the float64 refusal is what ONNX Runtime would do: its LSTM kernel rejects double", async () => {
    // The same graph as a float32 export, with every float retyped to double.
    manualSeed(12);
    const m = new LSTM({ inputSize: 2, hiddenSize: 3 });
    const model = onnx.ModelProto.decode(exportOnnx(m, randn([4, 1, 2])));
    const F = onnx.TensorProto.DataType;
    for (const init of model.graph!.initializer!.filter((t) => t.dataType === F.FLOAT)) {
      init.rawData = new Uint8Array(Float64Array.from(new Float32Array(init.rawData!.slice().buffer)).buffer);
      init.dataType = F.DOUBLE;
    }
    for (const v of [...model.graph!.input!, ...model.graph!.output!]) v.type!.tensorType!.elemType = F.DOUBLE;
    const bytes = onnx.ModelProto.encode(model).finish();
    const x = randn([4, 1, 2], { dtype: "float64" });
    await expect(runOrt(bytes, x)).rejects.toThrow(/LSTM operator does not support double/);
  });

  it("LSTM's projSize: ONNX's LSTM has no projection", () => {
    const m = new LSTM({ inputSize: 4, hiddenSize: 6, projSize: 2 });
    expect(() => exportOnnx(m, randn([5, 2, 4]))).toThrow(OptionError);
    expect(() => exportOnnx(m, randn([5, 2, 4]))).toThrow(/LSTM has projSize 2, but ONNX's LSTM operator has no projection/);
  });

  it("the checker used above rejects a broken file (so its 'ok' means something)", () => {
    const model = onnx.ModelProto.decode(exportOnnx(lstm(), randn([5, 2, 4])));
    model.graph!.node![0]!.input![1] = "no_such_weight";
    const [result] = checkFiles([onnx.ModelProto.encode(model).finish()]);
    expect(result).toMatch(/no_such_weight/);
  });
});
