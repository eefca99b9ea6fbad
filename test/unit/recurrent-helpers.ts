/**
 * Shared by the recurrent and cell tests: building a module from a PyTorch fixture's config,
 * and the fixtures' loss L = Σ_k out_k ⊙ R_k as one autograd node (so ONE backward pass runs
 * through the fused recurrent node with every upstream gradient at once).
 */
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, Tensor, type DType, type Module } from "../../src/index.js";
import { allocate, recordOp } from "../../src/tensor.js";
import { fixtureNames, loadFixture, type Fixture } from "./pytorch-fixtures.js";

/** L = Σ_k Σ out_k ⊙ R_k, differentiable in every out_k. */
export function weightedSum(pairs: readonly (readonly [Tensor, Tensor])[]): Tensor {
  const dtype = pairs[0]![0].dtype;
  let value = 0;
  for (const [out, R] of pairs) for (let q = 0; q < out.size; q++) value += out.data[q]! * R.data[q]!;
  const loss = new Tensor(allocate(dtype, 1).fill(value), []);
  recordOp("weightedSum", pairs.map(([out]) => out), [loss], [], (g) =>
    pairs.map(([, R]) => {
      const d = allocate(dtype, R.size);
      for (let q = 0; q < R.size; q++) d[q] = R.data[q]! * g[0]![0]!;
      return d;
    }),
  );
  return loss;
}

export type AnyRecurrent = RNN | LSTM | GRU;

/** nn.RNN / nn.LSTM / nn.GRU with a fixture's config. */
export function moduleFromConfig(cfg: Fixture, dtype: DType): AnyRecurrent {
  const common = {
    inputSize: cfg.input_size as number,
    hiddenSize: cfg.hidden_size as number,
    numLayers: cfg.num_layers as number,
    bias: cfg.bias as boolean,
    batchFirst: cfg.batch_first as boolean,
    dropout: cfg.dropout as number,
    bidirectional: cfg.bidirectional as boolean,
    dtype,
  };
  switch (cfg.module) {
    case "RNN":
      return new RNN({ ...common, nonlinearity: cfg.nonlinearity });
    case "LSTM":
      return new LSTM({ ...common, projSize: cfg.proj_size });
    case "GRU":
      return new GRU(common);
    default:
      throw new Error(`unknown module ${cfg.module}`);
  }
}

/** nn.RNNCell / nn.LSTMCell / nn.GRUCell with a fixture's config. */
export function cellFromConfig(cfg: Fixture, dtype: DType): RNNCell | LSTMCell | GRUCell {
  const common = { inputSize: cfg.input_size as number, hiddenSize: cfg.hidden_size as number, bias: cfg.bias as boolean, dtype };
  switch (cfg.module) {
    case "RNNCell":
      return new RNNCell({ ...common, nonlinearity: cfg.nonlinearity });
    case "LSTMCell":
      return new LSTMCell(common);
    case "GRUCell":
      return new GRUCell(common);
    default:
      throw new Error(`unknown cell ${cfg.module}`);
  }
}

/** Runs any recurrent module with PyTorch's calling convention, returning [output, h_n, c_n | null]. */
export function runModule(
  m: AnyRecurrent, x: Tensor, h0: Tensor | null, c0: Tensor | null, lengths: number[] | null = null,
): [Tensor, Tensor, Tensor | null] {
  if (m instanceof LSTM) {
    const [out, [hN, cN]] = m.forward(x, h0 && c0 ? [h0, c0] : null, { lengths });
    return [out, hN, cN];
  }
  const [out, hN] = m.forward(x, h0, { lengths });
  return [out, hN, null];
}

export function paramGrads(m: Module): Map<string, Tensor | null> {
  return new Map(m.namedParameters().map(([name, p]) => [name, p.grad]));
}

/** Every fixture file whose `kind` is one of `kinds` (by content, so new files are picked up whatever their name). */
export function fixturesOfKind(...kinds: string[]): string[] {
  return fixtureNames(/./).filter((name) => kinds.includes(loadFixture(name).kind as string));
}
