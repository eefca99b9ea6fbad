/**
 * One run of the playground's memory experiment, built from its settings (`PlaygroundState`):
 * the recall task with lag k, a `RecurrentClassifier` of the chosen cell, and `Trainer` with
 * Adam. The extension runs it in a Web Worker of the page a slice at a time, so a Stop can come
 * between slices; a notebook can run the same settings in the kernel and get the same numbers.
 *
 *   const run = await Experiment.create({ cell: "gru", lag: 10 });   // the rest at the playground's defaults
 *   while (!run.done) run.advance();
 *   console.log(run.testAccuracy(), run.kernels());
 */
import { recallTask, type SequenceTask } from "../data/tasks.js";
import { getBackend, getThreads, ready, setBackend } from "../kernels/backend.js";
import { productCounts } from "../kernels/gemm.js";
import { RecurrentClassifier } from "../nn/classifiers.js";
import { checkPlaygroundState, defaultPlaygroundState, type PlaygroundState } from "./playground-settings.js";
import { manualSeed } from "../random.js";
import { evaluate, Trainer, type StepRecord } from "./fit.js";

/** Sequences in the training set; the test set is as large, drawn with another seed. */
export const EXPERIMENT_SEQUENCES = 512;
const TEST_SEED_OFFSET = 1000;

export class Experiment {
  readonly state: Readonly<PlaygroundState>;
  /** One record per step taken so far. */
  readonly records: StepRecord[] = [];
  private readonly trainer: Trainer;
  private readonly test: SequenceTask;
  private seconds = 0;
  private readonly products = { wasm: 0, js: 0 };

  /** Waits for the WebAssembly kernels to compile first, so that every `backend` setting can run. */
  static async create(settings: Partial<PlaygroundState> = {}): Promise<Experiment> {
    await ready();
    return new Experiment(settings);
  }

  /**
   * Builds the data and the model from `settings` (the rest at the playground's defaults).
   * Seeds the default generator with the seed setting (as `torch.manual_seed` would), so the
   * initial weights are the same on every run.
   */
  constructor(settings: Partial<PlaygroundState> = {}) {
    const state = { ...defaultPlaygroundState(), ...settings };
    const errors: string[] = [];
    if (!checkPlaygroundState(state, errors, "settings")) throw new RangeError(`Experiment: ${errors.join("; ")}`);
    this.state = state;
    const train = recallTask({ lag: state.lag, n: EXPERIMENT_SEQUENCES, seed: state.seed });
    this.test = recallTask({ lag: state.lag, n: EXPERIMENT_SEQUENCES, seed: state.seed + TEST_SEED_OFFSET });
    manualSeed(state.seed);
    const model = new RecurrentClassifier({ kind: state.cell, inputSize: train.inputSize, hiddenSize: state.hiddenSize, numClasses: train.numClasses });
    this.trainer = new Trainer(model, train, {
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

  /** Accuracy on 512 sequences the model never trained on (chance: 0.25). */
  testAccuracy(): number {
    let acc = NaN;
    this.withBackend(() => { acc = evaluate(this.trainer.model, this.test); });
    return acc;
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
