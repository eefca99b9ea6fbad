/**
 * The training loop of the notebooks in one call: `fit(model, data, { steps, lr })` runs Adam
 * (or SGD) on mini-batches and returns a log that `plot.training` can draw.
 */
import { NonFiniteError, OptionError, ShapeError, fmtShape } from "../errors.js";
import { crossEntropy } from "../nn/loss.js";
import type { Module } from "../nn/module.js";
import { Adam } from "../optim/adam.js";
import { Optimizer } from "../optim/optimizer.js";
import { SGD } from "../optim/sgd.js";
import { indexSelect } from "../ops/shape.js";
import { Generator } from "../random.js";
import { noGrad, type Tensor } from "../tensor.js";
import { trainStep } from "./step.js";
import { checkNumber, oneOf } from "../options.js";

/** A model that maps inputs to logits: (N, C) for (N,) targets, or (N, T, C) for (N, T) targets. */
export type Classifier = Module & { forward(x: Tensor): Tensor };

/** Inputs and class-id targets (−100 = ignored), e.g. a task from `recallTask`. */
export interface Dataset {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** One log row per recorded step. */
export interface TrainingLog {
  /** The step numbers (1-based) that were recorded. */
  steps: number[];
  /** Mini-batch loss at each recorded step. */
  loss: number[];
  /** Mini-batch accuracy at each recorded step. */
  accuracy: number[];
}

/** Options of `fit`. */
export interface FitOptions {
  /** Optimisation steps (default 200). */
  steps?: number;
  /** Learning rate of the default optimiser (default 0.01). */
  lr?: number;
  /** "adam" (default), "sgd", or a ready optimiser (then `lr` is ignored). */
  optimizer?: "adam" | "sgd" | Optimizer;
  /** Sequences per step (default: the whole data set, i.e. full-batch). */
  batchSize?: number;
  /** Clip the global gradient norm to this value before each update (default: off). */
  clip?: number;
  /** Record every `logEvery`-th step (default 1). */
  logEvery?: number;
  /** Seed of the mini-batch sampler (default 0). */
  seed?: number;
  /** Called after each recorded step, e.g. to update a live plot. */
  onStep?: (step: number, loss: number, accuracy: number) => void;
}

/** Logits (N, C) or (N, T, C) and targets (N,) or (N, T) → rows (M, C) and targets (M,). */
function flatten(logits: Tensor, targets: Tensor): [Tensor, Tensor] {
  const C = logits.shape[logits.ndim - 1]!;
  const sameLead = logits.ndim === targets.ndim + 1 && targets.shape.every((d, k) => d === logits.shape[k]);
  if (!sameLead) {
    throw new ShapeError(`fit: logits ${fmtShape(logits.shape)} need targets of shape ${fmtShape(logits.shape.slice(0, -1))}, got ${fmtShape(targets.shape)}`);
  }
  return [logits.reshape([-1, C]), targets.reshape([-1])];
}

/**
 * The fraction of targets whose class has the largest logit; targets equal to −100 are not
 * counted. Shapes as `crossEntropy` after flattening: logits (N, C) / (N, T, C), targets (N,) / (N, T).
 */
export function accuracy(logits: Tensor, targets: Tensor): number {
  const [rows, ids] = flatten(logits, targets);
  const C = rows.shape[1]!;
  let right = 0;
  let counted = 0;
  for (let m = 0; m < ids.size; m++) {
    const target = ids.data[m]!;
    if (target === -100) continue;
    let best = 0;
    for (let c = 1; c < C; c++) if (rows.data[m * C + c]! > rows.data[m * C + best]!) best = c;
    counted++;
    if (best === target) right++;
  }
  return counted === 0 ? NaN : right / counted;
}

/** The model's accuracy on a whole data set, without recording gradients (switches to eval mode and back). */
export function evaluate(model: Classifier, data: Dataset): number {
  const wasTraining = model.training;
  model.eval();
  const acc = noGrad(() => accuracy(model.forward(data.x), data.y));
  model.train(wasTraining);
  return acc;
}

/** What one training step measured on its mini-batch. */
export interface StepRecord {
  /** 1-based. */
  step: number;
  loss: number;
  accuracy: number;
}

/**
 * `fit`'s loop, one step at a time, for callers that must hand control back between steps (a
 * page that trains without freezing, a notebook that plots as it goes). `fit` is a loop over it.
 */
export class Trainer {
  readonly model: Classifier;
  readonly data: Dataset;
  readonly optimizer: Optimizer;
  /** Steps taken so far. */
  stepsTaken = 0;
  private readonly gen: Generator;
  private readonly batchSize: number | undefined;
  private readonly clip: number | undefined;

  constructor(model: Classifier, data: Dataset, opts: Omit<FitOptions, "steps" | "logEvery" | "onStep"> = {}) {
    const lr = checkNumber("fit", "lr", opts.lr, { min: 0, above: true }, 0.01);
    const batchSize = opts.batchSize === undefined ? undefined : checkNumber("fit", "batchSize", opts.batchSize, { min: 1, integer: true });
    const clip = opts.clip === undefined ? undefined : checkNumber("fit", "clip", opts.clip, { min: 0, above: true });
    const seed = checkNumber("fit", "seed", opts.seed, { integer: true }, 0);
    if (opts.optimizer !== undefined && typeof opts.optimizer !== "string" && !(opts.optimizer instanceof Optimizer)) {
      throw new OptionError(`fit: optimizer must be "adam", "sgd" or an optimiser such as new SGD(model, { lr: 0.1 }), got ${typeof opts.optimizer}`);
    }
    const optimizer = typeof opts.optimizer === "string" || opts.optimizer === undefined ? oneOf("fit", "optimizer", opts.optimizer, ["adam", "sgd"], "adam") : opts.optimizer;
    const N = data.x.shape[0]!;
    if (data.y.shape[0] !== N) throw new ShapeError(`fit: x ${fmtShape(data.x.shape)} and y ${fmtShape(data.y.shape)} differ in their first (batch) dimension`);
    this.model = model;
    this.data = data;
    this.optimizer = typeof optimizer === "object"
      ? optimizer
      : optimizer === "sgd" ? new SGD(model.parameters(), { lr }) : new Adam(model.parameters(), { lr });
    this.gen = new Generator(seed);
    this.batchSize = batchSize !== undefined && batchSize < N ? batchSize : undefined;
    this.clip = clip;
  }

  /** Draws a mini-batch (or takes the whole set) and runs `trainStep` on it. */
  step(): StepRecord {
    let x = this.data.x;
    let y = this.data.y;
    let rows: number[] | null = null;
    if (this.batchSize !== undefined) {
      const N = x.shape[0]!;
      rows = Array.from({ length: this.batchSize }, () => this.gen.randint(N));
      x = indexSelect(x, 0, rows);
      y = indexSelect(y, 0, rows);
    }
    this.model.train();
    let logits: Tensor | null = null;
    let loss: number;
    try {
      ({ loss } = trainStep({
        optimizer: this.optimizer,
        computeLoss: () => {
          logits = this.model.forward(x);
          return crossEntropy(...flatten(logits, y));
        },
        ...(this.clip === undefined ? {} : { maxGradNorm: this.clip }),
      }));
    } catch (e) {
      if (!(e instanceof NonFiniteError)) throw e;
      const batch = rows === null ? "the whole data set" : `rows ${rows.length <= 8 ? rows.join(", ") : `${rows.slice(0, 8).join(", ")}, … (${rows.length})`} of the data`;
      throw new NonFiniteError(`fit, step ${this.stepsTaken + 1} (batch: ${batch}): ${e.message}`);
    }
    this.stepsTaken++;
    return { step: this.stepsTaken, loss, accuracy: accuracy(logits!, y) };
  }
}

/**
 * Trains `model` on `data` with cross-entropy: each step draws a mini-batch (or takes the
 * whole set), then runs `trainStep` (forward, loss, backward, optional clipping, update).
 * Returns the log of loss and accuracy per recorded step.
 *
 * @example
 * const task = recallTask({ lag: 5, n: 512 });
 * const model = new RecurrentClassifier({ kind: "rnn", inputSize: task.inputSize, hiddenSize: 16, numClasses: task.numClasses });
 * const log = fit(model, task, { steps: 300, lr: 0.01, batchSize: 64 });
 * console.log(evaluate(model, recallTask({ lag: 5, n: 512, seed: 1 })));
 */
export function fit(model: Classifier, data: Dataset, opts: FitOptions = {}): TrainingLog {
  const steps = checkNumber("fit", "steps", opts.steps, { min: 1, integer: true }, 200);
  const logEvery = checkNumber("fit", "logEvery", opts.logEvery, { min: 1, integer: true }, 1);
  const { onStep } = opts;
  const trainer = new Trainer(model, data, opts);
  const log: TrainingLog = { steps: [], loss: [], accuracy: [] };
  for (let step = 1; step <= steps; step++) {
    const record = trainer.step();
    if (step % logEvery === 0 || step === steps) {
      log.steps.push(step);
      log.loss.push(record.loss);
      log.accuracy.push(record.accuracy);
      onStep?.(step, record.loss, record.accuracy);
    }
  }
  return log;
}
