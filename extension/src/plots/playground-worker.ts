/**
 * The playground's training worker: runs seqlab's `Experiment` off the page's main thread, so
 * that a big model (an LSTM with H = 128 takes ~20 ms a step) never holds up drawing or input.
 * It trains in slices of SLICE_MS and yields between them, which is when a "stop" message can
 * arrive; each slice's steps go to the page at once. The WebAssembly kernels compile here (a
 * worker may compile them; their bytes are inside the library, so nothing is fetched).
 *
 * It keeps the trained models of the newest runs, so "look inside" shows the very model the
 * page trained; a run it does not have (kept from before a reload, or trained by a worker
 * since ended) it trains again from the same settings for the same number of steps, which
 * gives the same model (same seeds, same kernels).
 */
import { Experiment } from "seqlab";
import { playgroundAbout, playgroundCaveat } from "seqlab/playground";
import { PLAYGROUND_MAX_RUNS } from "seqlab/schema";
import type { FromWorker, ToWorker } from "./playground-protocol.js";

/** Training time between two chances to see "stop": Stop's answer waits for at most this and the step under way. */
const SLICE_MS = 15;

/** The worker's global scope, as far as this file uses it (the extension compiles against the DOM's types). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

/** The run under way, and whether the page asked it to stop. */
let current: { run: number; stop: boolean } | null = null;
/** Runs start one after another: a Train pressed while the last run is being tested waits for it. */
let queue: Promise<void> = Promise.resolve();
/** The trained models by run, oldest first (a Map keeps insertion order). */
const trained = new Map<number, Experiment>();

function remember(run: number, experiment: Experiment): void {
  trained.delete(run);
  trained.set(run, experiment);
  while (trained.size > PLAYGROUND_MAX_RUNS) trained.delete(trained.keys().next().value!);
}

/**
 * Resolves after the events waiting in the worker's queue (a "stop") have been handled. A
 * message channel rather than setTimeout, which browsers clamp to 4 ms once nested.
 */
const channel = new MessageChannel();
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function train({ run, state }: Extract<ToWorker, { type: "start" }>): Promise<void> {
  const me = { run, stop: false };
  current = me;
  let experiment: Experiment | null = null;
  try {
    experiment = await Experiment.create(state);
    while (!experiment.done && !me.stop) {
      const fresh = experiment.advance(SLICE_MS);
      scope.postMessage({
        type: "steps", run, steps: fresh.map((r) => r.step), loss: fresh.map((r) => r.loss), accuracy: fresh.map((r) => r.accuracy),
        msPerStep: experiment.msPerStep, kernels: experiment.kernels(),
      });
      await yieldToEvents();
    }
  } catch (e) {
    scope.postMessage({
      type: "ended", run, ended: "failed", stepsTaken: experiment?.records.length ?? 0,
      msPerStep: experiment?.msPerStep ?? NaN, kernels: experiment?.kernels() ?? "", message: messageOf(e),
    });
    return;
  } finally {
    current = null;
  }
  scope.postMessage({
    type: "ended", run, ended: me.stop ? "stopped" : "done", stepsTaken: experiment.records.length,
    msPerStep: experiment.msPerStep, kernels: experiment.kernels(), message: "",
  });
  remember(run, experiment);
  let testAccuracy = NaN; // shown as "—"
  try {
    testAccuracy = experiment.testAccuracy();
  } catch {
    // The run's own numbers are already with the page; a failed evaluation only leaves a gap.
  }
  scope.postMessage({ type: "tested", run, testAccuracy, chance: experiment.chance });
}

async function inside({ run, state, stepsTaken }: Extract<ToWorker, { type: "inside" }>): Promise<void> {
  try {
    let experiment = trained.get(run);
    let reason = "";
    if (!experiment) {
      // One step at a time (a zero budget takes exactly one) to the run's own count: a stopped run ended between two steps.
      experiment = await Experiment.create(state);
      while (experiment.records.length < stepsTaken && !experiment.done) {
        experiment.advance(0);
        if (experiment.records.length % 20 === 0) await yieldToEvents();
      }
      remember(run, experiment);
      reason = `trained again in this page (${experiment.records.length} steps, the same settings give the same model)`;
    }
    const out = experiment.inside();
    const { tokens, targets } = experiment.example;
    scope.postMessage({ type: "inside", run, tokens, targets, inside: out, reason: out ? reason : "A feedforward net has no steps or states to look inside: it sees each window of tokens afresh." });
  } catch (e) {
    scope.postMessage({ type: "inside", run, tokens: [], targets: [], inside: null, reason: `It could not be looked inside: ${messageOf(e)}` });
  }
}

function example({ run, state }: Extract<ToWorker, { type: "example" }>): void {
  try {
    // Builds the data (and a small untrained model), no kernels needed: the example is the data's.
    const { tokens, targets } = new Experiment(state).example;
    scope.postMessage({ type: "example", run, tokens, targets, about: playgroundAbout(state), caveat: playgroundCaveat(state), error: "" });
  } catch (e) {
    scope.postMessage({ type: "example", run, tokens: [], targets: [], about: playgroundAbout(state), caveat: "", error: messageOf(e) });
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "stop") {
    if (current?.run === message.run) current.stop = true;
  } else if (message.type === "example") {
    example(message);
  } else if (message.type === "inside") {
    const m = message;
    queue = queue.then(() => inside(m));
  } else {
    const m = message;
    queue = queue.then(() => train(m));
  }
};
