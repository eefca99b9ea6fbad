/**
 * The benchmark's workloads: small recurrent language models on seeded random data.
 *
 * Every workload is built the same way: an input encoder (one-hot, embedding or dense vectors)
 * → a recurrent stack → a Linear readout at every step → cross-entropy against random targets,
 * trained by Adam. `build()` returns two closures that the runner times:
 *   trainStep(): forward, loss, backward, Adam step (what one iteration of training costs)
 *   forward():   the same forward pass and loss without recording a graph (inference cost)
 */
import {
  Adam, Embedding, GRU, LSTM, Linear, RNN, Generator, crossEntropy, manualSeed, noGrad, randn, reshape, tensor,
} from "../dist/index.js";

/** A (T, B) tensor of token ids in [0, V), drawn from `gen`. */
function randomIds(gen, T, B, V) {
  const ids = new Float32Array(T * B);
  for (let k = 0; k < ids.length; k++) ids[k] = gen.randint(V);
  return tensor(ids, { shape: [T, B] });
}

/** (T, B, V) one-hot vectors of the ids. */
function oneHot(ids, V) {
  const [T, B] = ids.shape;
  const x = new Float32Array(T * B * V);
  for (let k = 0; k < T * B; k++) x[k * V + ids.data[k]] = 1;
  return tensor(x, { shape: [T, B, V] });
}

/**
 * A language-model-shaped workload. `input` is "onehot", "embedding" or "dense";
 * `Cell` is LSTM, GRU or RNN.
 */
function recurrentLM({ Cell, vocab, classes = vocab, inputSize, hiddenSize, numLayers = 1, T, B, input }) {
  return () => {
    manualSeed(0);
    const gen = new Generator(1);
    const targets = reshape(randomIds(gen, T, B, classes), [T * B]);
    let encode;
    const modules = [];
    if (input === "onehot") {
      const x = oneHot(randomIds(gen, T, B, vocab), vocab);
      encode = () => x;
    } else if (input === "embedding") {
      const ids = randomIds(gen, T, B, vocab);
      const emb = new Embedding({ numEmbeddings: vocab, embeddingDim: inputSize });
      modules.push(emb);
      encode = () => emb.forward(ids);
    } else {
      const x = randn([T, B, inputSize], { generator: gen });
      encode = () => x;
    }
    const rnn = new Cell({ inputSize, hiddenSize, numLayers });
    const readout = new Linear({ inFeatures: hiddenSize, outFeatures: classes });
    modules.push(rnn, readout);
    const params = modules.flatMap((m) => m.parameters());
    const optimizer = new Adam(params, { lr: 1e-3 });

    const loss = () => {
      const [output] = rnn.forward(encode()); // (T, B, H)
      const logits = readout.forward(reshape(output, [T * B, hiddenSize]));
      return crossEntropy(logits, targets);
    };
    return {
      trainStep() {
        optimizer.zeroGrad();
        const l = loss();
        l.backward();
        optimizer.step();
        return l.item();
      },
      forward() {
        return noGrad(() => loss().item());
      },
    };
  };
}

/** Multiply-adds of one forward pass: input and hidden projections of every layer, and the readout. */
function forwardMacs({ Cell, vocab, classes = vocab, inputSize, hiddenSize, numLayers = 1, T, B }) {
  const gates = Cell === LSTM ? 4 : Cell === GRU ? 3 : 1;
  let macs = 0;
  for (let l = 0; l < numLayers; l++) macs += T * B * gates * hiddenSize * ((l === 0 ? inputSize : hiddenSize) + hiddenSize);
  return macs + T * B * hiddenSize * classes;
}

/** A workload entry from its configuration. */
function lm(describe, config, extra = {}) {
  return { describe, build: recurrentLM(config), forwardMacs: forwardMacs(config), ...extra };
}

/**
 * name → { describe, build, forwardMacs, iterations?, threaded? }. `iterations` lowers the default count of timed
 * iterations for a workload too slow for the full 20 (the runner says so in its output);
 * `threaded` workloads are also measured with 2 threads.
 */
export const workloads = {
  tiny: lm("LSTM I=4 H=8 T=6 B=1, one-hot input (vocabulary 4)",
    { Cell: LSTM, vocab: 4, inputSize: 4, hiddenSize: 8, T: 6, B: 1, input: "onehot" }),
  "char-small": lm("Embedding(65→32) → LSTM H=128, T=64 B=32",
    { Cell: LSTM, vocab: 65, inputSize: 32, hiddenSize: 128, T: 64, B: 32, input: "embedding" }),
  "gru-small": lm("Embedding(65→32) → GRU H=128, T=64 B=32",
    { Cell: GRU, vocab: 65, inputSize: 32, hiddenSize: 128, T: 64, B: 32, input: "embedding" }),
  "rnn-small": lm("Embedding(65→32) → RNN H=128, T=64 B=32",
    { Cell: RNN, vocab: 65, inputSize: 32, hiddenSize: 128, T: 64, B: 32, input: "embedding" }),
  "char-medium": lm("Embedding(65→32) → 2-layer LSTM H=256, T=64 B=32",
    { Cell: LSTM, vocab: 65, inputSize: 32, hiddenSize: 256, numLayers: 2, T: 64, B: 32, input: "embedding" }, { threaded: true }),
  large: lm("LSTM I=512 H=512 T=32 B=64, readout to 65 classes",
    { Cell: LSTM, vocab: 65, inputSize: 512, hiddenSize: 512, T: 32, B: 64, input: "dense" }, { iterations: 5, threaded: true }),
};
