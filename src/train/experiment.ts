/**
 * One run of the playground, built from its settings (`PlaygroundState`): the task's data
 * (playground-data.ts), a `WindowClassifier` or a `RecurrentClassifier` of the chosen cell,
 * and `Trainer` with Adam. The extension runs it in a Web Worker of the page a slice at a time,
 * so a Stop can come between slices; a notebook can run the same settings in the kernel and get
 * the same numbers (`experimentCode` writes them out as the cell that does it step by step).
 *
 *   const run = await Experiment.create({ task: "sentiment", cell: "gru", bidirectional: true });   // the rest at the defaults
 *   while (!run.done) run.advance();
 *   console.log(run.testAccuracy(), run.kernels());
 */
import { getBackend, getThreads, ready, setBackend } from "../kernels/backend.js";
import { productCounts } from "../kernels/gemm.js";
import { RecurrentClassifier, WindowClassifier, type RecurrentTrace } from "../nn/classifiers.js";
import { crossEntropy } from "../nn/loss.js";
import type { Module } from "../nn/module.js";
import { gradientNorms } from "../nn/recurrent/trace.js";
import { cell as cellPlot } from "../plot/cell.js";
import { gates as gatesPlot } from "../plot/gates.js";
import { gradientFlow } from "../plot/gradients.js";
import type { CellPlot, GatesPlot, GradientFlowPlot } from "../plot/schema.js";
import { manualSeed } from "../random.js";
import { evaluate, Trainer, type Classifier, type StepRecord } from "./fit.js";
import { playgroundData, type PlaygroundData } from "./playground-data.js";
import { assertPlaygroundState, defaultPlaygroundState, type PlaygroundState } from "./playground-settings.js";

export { EXPERIMENT_SEQUENCES } from "./playground-data.js";

/** What a trained recurrent run does on its first test sequence: the plots of "look inside". */
export interface ExperimentInside {
  /** The sequence in words, and what it should give. */
  tokens: string[];
  targets: string[];
  gates: GatesPlot;
  cell: CellPlot;
  gradients: GradientFlowPlot;
}

/**
 * The model of the settings, seeded with their seed (as `torch.manual_seed` would) so the
 * initial weights are the same on every run. `forgetBias` is set as notebook 05 does: the
 * forget rows (H … 2H) of every bias_hh to b_f and of every bias_ih to 0, so b_f is the whole bias.
 */
function experimentModel(state: PlaygroundState, data: Pick<PlaygroundData, "inputSize" | "numClasses" | "perStep">): Classifier {
  manualSeed(state.seed);
  const { inputSize, numClasses } = data;
  if (state.cell === "feedforward") return new WindowClassifier({ window: state.window, inputSize, hiddenSize: state.hiddenSize, numClasses });
  const model = new RecurrentClassifier({
    kind: state.cell, inputSize, hiddenSize: state.hiddenSize, numClasses, readout: data.perStep ? "all" : "last",
    bidirectional: state.bidirectional, numLayers: state.numLayers,
    ...(state.cell === "rnn" ? { nonlinearity: state.nonlinearity } : {}),
    ...(state.cell === "gru" ? { resetPosition: state.resetPosition, updateConvention: state.updateConvention } : {}),
  });
  if (state.cell === "lstm" && state.forgetBias !== "pytorch") setForgetBias(model, state.hiddenSize, state.forgetBias);
  return model;
}

function setForgetBias(model: Module, H: number, value: number): void {
  for (const [name, p] of model.namedParameters()) {
    const bias = /^rnn\.bias_(ih|hh)_l/.exec(name)?.[1];
    if (bias) p.data.fill(bias === "hh" ? value : 0, H, 2 * H);
  }
}

export class Experiment {
  readonly state: Readonly<PlaygroundState>;
  /** One record per step taken so far. */
  readonly records: StepRecord[] = [];
  private readonly trainer: Trainer;
  private readonly data: PlaygroundData;
  private seconds = 0;
  private readonly products = { wasm: 0, js: 0 };

  /** Waits for the WebAssembly kernels to compile first, so that every `backend` setting can run. */
  static async create(settings: Partial<PlaygroundState> = {}): Promise<Experiment> {
    await ready();
    return new Experiment(settings);
  }

  /** Builds the data and the model from `settings` (the rest at the playground's defaults). */
  constructor(settings: Partial<PlaygroundState> = {}) {
    const state = { ...defaultPlaygroundState(), ...settings };
    this.state = assertPlaygroundState("Experiment", state);
    this.data = playgroundData(state);
    this.trainer = new Trainer(experimentModel(state, this.data), this.data.train, {
      lr: state.lr, batchSize: state.batchSize, seed: state.seed, ...(state.clip === "off" ? {} : { clip: state.clip }),
    });
  }

  get done(): boolean {
    return this.records.length >= this.state.steps;
  }

  /**
   * Takes steps until the run is done or `budgetMs` milliseconds have passed (at least one
   * step), on the kernels the settings ask for; returns the new records. A NaN or Inf loss
   * throws `NonFiniteError` (the run cannot go on).
   */
  advance(budgetMs = Infinity): StepRecord[] {
    if (this.done) return [];
    const fresh: StepRecord[] = [];
    this.measured(() => {
      const start = performance.now();
      do fresh.push(this.trainer.step());
      while (this.records.length + fresh.length < this.state.steps && performance.now() - start < budgetMs);
    });
    this.records.push(...fresh);
    return fresh;
  }

  /** Accuracy on the test set: 512 sequences the model never trained on (the text tasks: their own sentences). */
  testAccuracy(): number {
    let acc = NaN;
    this.withBackend(() => { acc = evaluate(this.trainer.model, this.data.test); });
    return acc;
  }

  /** The test accuracy of always guessing the most frequent class. */
  get chance(): number {
    return this.data.chance;
  }

  /** The task's first test sequence in words, and its target(s). */
  get example(): { tokens: string[]; targets: string[] } {
    return this.data.example;
  }

  /**
   * The model as it is now on the first test sequence: its gates and states at every step,
   * the cell diagram, and ‖∂L/∂h_t‖ from that sequence's loss. Null for the feedforward
   * model, which has no steps or states to show.
   */
  inside(): ExperimentInside | null {
    const model = this.trainer.model;
    if (!(model instanceof RecurrentClassifier)) return null;
    let out: ExperimentInside | null = null;
    this.withBackend(() => {
      const { x, y } = this.data.probe;
      const [logits, trace] = model.forwardWithTrace(x);
      const C = logits.shape.at(-1)!;
      crossEntropy(logits.reshape([-1, C]), y.reshape([-1])).backward();
      model.zeroGrad();
      const tokens = this.data.example.tokens;
      const opts = { tokens, show: false };
      const name = (e: RecurrentTrace[number]): string => `layer ${e.layer} ${e.direction}`;
      out = {
        tokens, targets: this.data.example.targets,
        gates: gatesPlot(trace, { ...opts, title: "Gates and states on the first test sequence" }),
        cell: cellPlot(trace, { ...opts, title: "The cell, step by step" }),
        gradients: gradientFlow(gradientNorms(trace).map((g, k) => ({ name: name(trace[k]!), norms: g.norms })), { show: false, title: "How much of that sequence's loss gradient reaches each step" }),
      };
    });
    return out;
  }

  /** Mean wall-clock time of a training step so far. */
  get msPerStep(): number {
    return this.records.length ? (1000 * this.seconds) / this.records.length : NaN;
  }

  /** Which kernels did the matrix products of the steps so far, in words. */
  kernels(): string {
    const { wasm, js } = this.products;
    const simd = `WebAssembly SIMD on ${getThreads()} thread${getThreads() === 1 ? "" : "s"}`;
    if (wasm === 0) return "TypeScript";
    if (js === 0) return simd;
    return `${simd} for ${Math.round((100 * wasm) / (wasm + js))}% of the products, TypeScript for the rest`;
  }

  private measured(fn: () => void): void {
    const counts = productCounts();
    const start = performance.now();
    try {
      this.withBackend(fn);
    } finally {
      this.seconds += (performance.now() - start) / 1000;
      const after = productCounts();
      this.products.wasm += after.wasm - counts.wasm;
      this.products.js += after.js - counts.js;
    }
  }

  /** Runs `fn` on the settings' backend and puts the caller's choice back afterwards. */
  private withBackend(fn: () => void): void {
    const before = getBackend();
    setBackend(this.state.backend);
    try {
      fn();
    } finally {
      setBackend(before);
    }
  }
}
