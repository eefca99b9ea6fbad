import { describe, expect, it } from "vitest";
import {
  Adam, Embedding, LSTM, Linear, Module, crossEntropy, reshape, trainStep, type DType, type IndexInput, type Tensor,
} from "../../src/index.js";
import { expectClose, fromFixture, loadFixture } from "./pytorch-fixtures.js";

/** Embedding(V, E) → LSTM(E, H, batch-first, no h0) → Linear(H, V): next-token logits (B, T, V). */
class TinyLM extends Module {
  readonly embedding: Embedding;
  readonly lstm: LSTM;
  readonly linear: Linear;

  constructor(V: number, E: number, H: number, dtype: DType) {
    super();
    this.embedding = this.registerModule("embedding", new Embedding({ numEmbeddings: V, embeddingDim: E, dtype }));
    this.lstm = this.registerModule("lstm", new LSTM({ inputSize: E, hiddenSize: H, batchFirst: true, dtype }));
    this.linear = this.registerModule("linear", new Linear({ inFeatures: H, outFeatures: V, dtype }));
  }

  forward(ids: IndexInput): Tensor {
    const [output] = this.lstm.forward(this.embedding.forward(ids));
    return this.linear.forward(output);
  }
}

const f = loadFixture("tiny_lm_e8h8_1seq_bf");
const V: number = f.config.vocab_size;
const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
const tol = (dtype: DType): number => (dtype === "float64" ? 1e-9 : 1e-4);

function makeModel(dtype: DType): TinyLM {
  const model = new TinyLM(V, f.config.embedding_dim, f.config.hidden_size, dtype);
  expect(model.namedParameters().map(([n]) => n)).toEqual(f.param_names);
  model.loadStateDict(f.params);
  return model;
}

/** PyTorch's loss: logits.reshape(-1, V) against targets.reshape(-1), mean. */
function lossOf(model: TinyLM): { logits: Tensor; loss: Tensor } {
  const logits = model.forward(fromFixture(f.inputs)); // (1, 7) token ids
  return { logits, loss: crossEntropy(reshape(logits, [-1, V]), f.targets.data) };
}

describe("tiny LM on \"I like pizza. I like cake.\" matches PyTorch (tiny_lm_e8h8_1seq_bf)", () => {
  it("the corpus tokenises to the recorded ids, inputs = ids[:-1], targets = ids[1:]", () => {
    const words = (f.corpus as string).replace(/\./g, " . ").split(/\s+/).filter(Boolean);
    const vocab = [...new Set(words)];
    const ids = words.map((w) => vocab.indexOf(w));
    expect(ids).toEqual(f.token_ids);
    expect(f.inputs.data).toEqual(ids.slice(0, -1));
    expect(f.targets.data).toEqual(ids.slice(1));
  });

  for (const dtype of ["float64", "float32"] as DType[]) {
    it(`(${dtype}) logits, loss and every parameter gradient`, () => {
      const ref = dtype === "float64" ? f : f.float32;
      const model = makeModel(dtype);
      const { logits, loss } = lossOf(model);
      expectClose(logits, ref.logits, dtype, "logits");
      const expected = typeof ref.loss === "number" ? ref.loss : ref.loss.value;
      expect(relErr(loss.item(), expected)).toBeLessThanOrEqual(tol(dtype));
      loss.backward();
      for (const [name, p] of model.namedParameters()) expectClose(p.grad, ref.grads.params[name], dtype, `grad ${name}`);
    });
  }

  it("(float64) 5 steps of Adam(lr=0.01), recomputing gradients: losses, final loss and parameters", () => {
    const model = makeModel("float64");
    const h = f.train.hyperparams;
    const optimizer = new Adam(model, { lr: h.lr, betas: h.betas, eps: h.eps, weightDecay: h.weight_decay });
    const losses: number[] = [];
    for (let k = 0; k < f.train.steps; k++) {
      losses.push(trainStep({ optimizer, computeLoss: () => lossOf(model).loss }).loss);
    }
    expect(losses).toHaveLength(f.train.losses.length);
    losses.forEach((l, k) => expect(relErr(l, f.train.losses[k]), `loss before step ${k + 1}`).toBeLessThanOrEqual(1e-9));
    expect(relErr(lossOf(model).loss.item(), f.train.final_loss)).toBeLessThanOrEqual(1e-9);
    for (const [name, p] of model.namedParameters()) expectClose(p, f.train.params_after[name], "float64", `${name} after training`);
    expect(f.train.final_loss).toBeLessThan(f.train.losses[0]);
  });
});
