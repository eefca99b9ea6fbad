/**
 * The playground's experiment (`Experiment`, what the extension runs in the page) and its
 * payload. The browser side is test/e2e/playground.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  Experiment, LSTM, PLAYGROUND_PARAMS, Trainer, defaultPlaygroundState, fit, getBackend, manualSeed, plot, recallTask, RecurrentClassifier,
  setBackend, type PlaygroundState,
} from "../../src/index.js";
import { MIME_TYPE, PLAYGROUND_MAX_POINTS, PLAYGROUND_MAX_RUNS, validatePlot, type PlaygroundPlot, type PlaygroundRun } from "../../src/plot/schema.js";
import { playgroundBundle, playgroundEndedText } from "../../src/plot/playground-kit.js";

const quick: Partial<PlaygroundState> = { cell: "lstm", lag: 2, hiddenSize: 16, steps: 50 };

async function losses(settings: Partial<PlaygroundState>): Promise<number[]> {
  const run = await Experiment.create(settings);
  while (!run.done) run.advance();
  return run.records.map((r) => r.loss);
}

describe("Trainer", () => {
  it("takes the same steps as fit, one call at a time", () => {
    const task = recallTask({ lag: 3, n: 128 });
    const make = (): RecurrentClassifier => {
      manualSeed(7);
      return new RecurrentClassifier({ kind: "gru", inputSize: task.inputSize, hiddenSize: 8, numClasses: task.numClasses });
    };
    const log = fit(make(), task, { steps: 12, lr: 0.02, batchSize: 32, seed: 3, clip: 1 });
    const trainer = new Trainer(make(), task, { lr: 0.02, batchSize: 32, seed: 3, clip: 1 });
    const records = Array.from({ length: 12 }, () => trainer.step());
    expect(records.map((r) => r.step)).toEqual(log.steps);
    expect(records.map((r) => r.loss)).toEqual(log.loss);
    expect(records.map((r) => r.accuracy)).toEqual(log.accuracy);
    expect(trainer.stepsTaken).toBe(12);
  });
});

describe("Experiment", () => {
  it("learns to recall a token 2 steps back far above chance (0.25)", async () => {
    const run = await Experiment.create({ ...quick, steps: 200 });
    while (!run.done) run.advance();
    expect(run.records).toHaveLength(200);
    expect(run.records.at(-1)!.loss).toBeLessThan(run.records[0]!.loss / 4);
    expect(run.testAccuracy()).toBeGreaterThan(0.9);
    expect(run.msPerStep).toBeGreaterThan(0);
  });

  it("gives the same run for the same settings, and a different one for another seed", async () => {
    const a = await losses(quick);
    expect(await losses(quick)).toEqual(a);
    expect(await losses({ ...quick, seed: 1 })).not.toEqual(a);
  });

  it("trains the same on WebAssembly and on TypeScript kernels, to float32 rounding, and says which ran", async () => {
    // Rounding differences grow as training goes on; the first ten steps agree closely.
    const settings = { ...quick, cell: "gru" } as const;
    const wasm = await Experiment.create({ ...settings, backend: "wasm" });
    const js = await Experiment.create({ ...settings, backend: "js" });
    for (let k = 0; k < 10; k++) {
      const [a] = wasm.advance(0);
      const [b] = js.advance(0);
      expect(Math.abs(a!.loss - b!.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b!.loss)));
    }
    expect(wasm.kernels()).toBe("WebAssembly SIMD on 1 thread");
    expect(js.kernels()).toBe("TypeScript");
  });

  it("slices: advance(budget) takes at least one step, never more than the run has, and restores the caller's backend", async () => {
    const before = getBackend();
    setBackend("js");
    try {
      const run = await Experiment.create({ ...quick, steps: 50, backend: "wasm" });
      const first = run.advance(0);
      expect(first).toHaveLength(1);
      expect(getBackend()).toBe("js");
      let slices = 1;
      while (!run.done) {
        run.advance(0.5);
        slices++;
      }
      expect(slices).toBeGreaterThan(1);
      expect(run.records.map((r) => r.step)).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
      expect(run.advance()).toEqual([]);
    } finally {
      setBackend(before);
    }
  });

  it("clips when asked: the run differs from the unclipped one", async () => {
    expect(await losses({ ...quick, clip: 0.5 })).not.toEqual(await losses(quick));
  });

  it("rejects a setting outside its choices, naming the setting and the choices", () => {
    expect(() => new Experiment({ hiddenSize: 12 as 16 })).toThrow("settings.hiddenSize must be one of 4, 8, 16, 32, 64, 128; got 12");
    expect(() => new Experiment({ cell: "transformer" as "rnn" })).toThrow('settings.cell must be one of "feedforward", "rnn", "lstm", "gru"');
    expect(() => new Experiment({ text: "x".repeat(2001) })).toThrow("settings.text must be a string of at most 2000 characters; got 2001 characters");
    expect(() => new Experiment({ bidirectional: "yes" as unknown as boolean })).toThrow('settings.bidirectional must be one of false, true; got "yes"');
    expect(() => new Experiment({ depth: 3 } as Partial<PlaygroundState>)).toThrow('unknown setting "depth"');
  });

  it("builds the model the settings name", async () => {
    const run = await Experiment.create({ cell: "lstm", hiddenSize: 32 });
    const model = (run as unknown as { trainer: Trainer }).trainer.model as RecurrentClassifier;
    expect(model.rnn).toBeInstanceOf(LSTM);
    expect(model.rnn.hiddenSize).toBe(32);
  });
});

describe("plot.playground", () => {
  it("emits the settings, the rest at their defaults, with a text view listing them", () => {
    const p = plot.playground({ cell: "rnn", lag: 10 }, { show: false });
    expect(p.kind).toBe("playground");
    expect(p.state).toEqual({ ...defaultPlaygroundState(), cell: "rnn", lag: 10 });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    const text = plot.playgroundText(p);
    // The settings that apply to an RNN on recall are listed; the others (window, forgetBias, the text, …) are not.
    for (const k of Object.keys(PLAYGROUND_PARAMS) as (keyof typeof PLAYGROUND_PARAMS)[]) {
      if (["distractors", "text", "window", "forgetBias", "resetPosition", "updateConvention"].includes(k)) expect(text).not.toContain(PLAYGROUND_PARAMS[k].label);
      else expect(text).toContain(PLAYGROUND_PARAMS[k].label);
    }
    expect(text).toMatch(/remember k steps back\s+10/);
    expect(text).toContain("Recall: read k + 1 random tokens");
    expect(plot.playgroundSvg(p)).toContain("model: rnn");
  });

  it("rejects a bad setting before anything is shown", () => {
    expect(() => plot.playground({ lr: 1 as 0.1 }, { show: false })).toThrow("plot.playground: settings.lr must be one of 0.001, 0.003, 0.01, 0.03, 0.1; got 1");
  });

  it("the schema refuses a payload whose state is missing a setting, has an unknown one or a bad value", () => {
    const good = plot.playground({}, { show: false });
    const broken = (state: unknown): string[] => {
      const r = validatePlot({ ...JSON.parse(JSON.stringify(good)), state });
      return r.ok ? [] : r.errors;
    };
    const { seed: _, ...noSeed } = good.state;
    expect(broken(noSeed)).toEqual(["state.seed must be one of 0, 1, 2, 3, 4; got nothing"]);
    expect(broken({ ...good.state, extra: 1 })[0]).toContain('state has an unknown setting "extra"');
    expect(broken({ ...good.state, backend: "<img src=x onerror=alert(1)>" })[0]).toContain('state.backend must be one of "auto", "wasm", "js"');
    expect(broken([1, 2])).toEqual(["state must be an object"]);
  });
});

describe("playground runs kept in the notebook", () => {
  const base = plot.playground({ cell: "gru" }, { show: false });
  const run = (id: number, steps: number, extra: Partial<PlaygroundRun> = {}): PlaygroundRun => ({
    id, state: { ...base.state }, stepsTaken: steps, finalLoss: 0.5, testAccuracy: 0.75, chance: 0.25, sweep: null, msPerStep: 1.25, kernels: "WebAssembly SIMD on 1 thread", ended: "done",
    curve: { steps: Array.from({ length: steps }, (_, k) => k + 1), loss: Array.from({ length: steps }, (_, k) => 1 / (k + 1)), accuracy: Array.from({ length: steps }, () => 0.5) },
    ...extra,
  });
  const payloadOf = (bundle: Record<string, unknown>): PlaygroundPlot => JSON.parse(bundle[MIME_TYPE] as string) as PlaygroundPlot;
  const problems = (runs: unknown): string[] => {
    const r = validatePlot({ ...JSON.parse(JSON.stringify(base)), runs });
    return r.ok ? [] : r.errors;
  };

  it("the bundle keeps the newest runs, at most PLAYGROUND_MAX_RUNS, each at most PLAYGROUND_MAX_POINTS points, and validates", () => {
    const runs = Array.from({ length: PLAYGROUND_MAX_RUNS + 2 }, (_, k) => run(k + 1, k === PLAYGROUND_MAX_RUNS + 1 ? 1000 : 20));
    const bundle = playgroundBundle(base, runs);
    const kept = payloadOf(bundle);
    expect(validatePlot(kept).ok).toBe(true);
    expect(kept.runs!.version).toBe(2);
    expect(kept.runs!.list.map((r) => r.id)).toEqual(Array.from({ length: PLAYGROUND_MAX_RUNS }, (_, k) => k + 3));
    const long = kept.runs!.list.at(-1)!;
    expect(long.curve.steps).toHaveLength(PLAYGROUND_MAX_POINTS);
    // Each point is a bucket of 4 steps at its last step: the run's end stays where it was.
    expect(long.curve.steps.slice(0, 2)).toEqual([4, 8]);
    expect(long.curve.steps.at(-1)).toBe(1000);
    expect(long.curve.loss[0]).toBeCloseTo((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4, 12);
    expect(long.stepsTaken).toBe(1000);
    // The whole payload stays small: 24 runs, one of them 1,000 steps long.
    expect((bundle[MIME_TYPE] as string).length).toBeLessThan(100_000);
    expect(runs.at(-1)!.curve.steps).toHaveLength(1000); // the page's own record is left as it was
  });

  it("every view lists the kept runs: the text, the picture and the HTML export's <img>", () => {
    const bundle = playgroundBundle(base, [run(1, 50), run(2, 30, { ended: "stopped", testAccuracy: null })]);
    const text = bundle["text/plain"] as string;
    expect(text).toContain("2 runs kept:");
    expect(text).toMatch(/#1\s+recall k=5\s+GRU H=16\s+lr 0\.01 · batch 64 · 200 steps · seed 0\s+0\.5\s+0\.75\s+0\.25\s+1\.25\s+WebAssembly SIMD on 1 thread$/m);
    expect(text).toMatch(/#2 .*stopped by you at step 30$/m);
    expect(bundle["image/svg+xml"]).toContain("#2: task recall k=5, model GRU H=16");
    expect(bundle["text/html"]).toMatch(/^<img alt="seqlab plot" src="data:image\/svg\+xml;base64,/);
    expect(playgroundEndedText(run(3, 7, { ended: "failed" }))).toBe("failed at step 8");
  });

  it("NaN and Infinity in a run are kept as gaps (null), as JSON has them", () => {
    const bad = run(1, 3, { finalLoss: NaN, msPerStep: NaN, curve: { steps: [1, 2, 3], loss: [1, Infinity, NaN], accuracy: [0.5, 0.5, 0.5] } });
    const kept = payloadOf(playgroundBundle(base, [bad])).runs!.list[0]!;
    expect([kept.finalLoss, kept.msPerStep, kept.curve.loss]).toEqual([null, null, [1, null, null]]);
  });

  it("the schema refuses bad or hostile kept runs, naming the field, what it expects and what came", () => {
    const good = JSON.parse(JSON.stringify(run(1, 5))) as Record<string, unknown>;
    expect(problems({ version: 2, list: [good] })).toEqual([]);
    expect(problems([good])).toEqual(["runs must be an object { version, list }; got an array"]);
    expect(problems({ version: 1, list: [] })).toEqual(["runs.version must be 2 (the layout of kept runs this renderer reads); got 1"]);
    expect(problems({ version: 2, list: "x" })).toEqual([`runs.list must be an array of at most ${PLAYGROUND_MAX_RUNS} runs; got "x"`]);
    const tooMany = PLAYGROUND_MAX_RUNS + 1;
    expect(problems({ version: 2, list: Array.from({ length: tooMany }, (_, k) => ({ ...good, id: k + 1 })) })).toEqual([`runs.list must be an array of at most ${PLAYGROUND_MAX_RUNS} runs; got ${tooMany} runs`]);
    const one = (patch: Record<string, unknown>): string[] => problems({ version: 2, list: [{ ...good, ...patch }] });
    expect(one({ script: "alert(1)" })).toEqual(['runs.list[0] has an unknown field "script"; known: id, state, stepsTaken, finalLoss, testAccuracy, chance, sweep, msPerStep, kernels, ended, curve']);
    expect(one({ id: 0 })).toEqual(["runs.list[0].id: 0 is below 1"]);
    expect(one({ state: { ...base.state, cell: "<img src=x onerror=alert(1)>" } })[0]).toContain('runs.list[0].state.cell must be one of "feedforward", "rnn", "lstm", "gru"; got "<img src=x onerror');
    expect(one({ testAccuracy: 2 })).toEqual(["runs.list[0].testAccuracy: 2 is above 1"]);
    expect(one({ chance: -1 })).toEqual(["runs.list[0].chance: -1 is below 0"]);
    expect(one({ sweep: 1.5 })[0]).toContain("runs.list[0].sweep");
    expect(one({ ended: "exploded" })).toEqual(['runs.list[0].ended must be "done", "stopped", "failed"; got "exploded"']);
    expect(one({ kernels: 7 })).toEqual(["runs.list[0].kernels must be a string"]);
    expect(one({ kernels: "x".repeat(500) })).toEqual(["runs.list[0].kernels is longer than 200 characters"]);
    expect(one({ curve: { steps: [1, 2], loss: [1], accuracy: [0.5, 0.5] } })).toEqual(["runs.list[0].curve.loss must have 2 values, got 1"]);
    expect(one({ curve: { steps: [2, 1], loss: [1, 1], accuracy: [0.5, 0.5] } })[0]).toContain("runs.list[0].curve.steps must be increasing");
    expect(one({ curve: { steps: [1, 9], loss: [1, 1], accuracy: [0.5, 0.5] } })).toEqual(["runs.list[0].curve.steps goes to step 9, past the 5 steps the run took"]);
    const long = Array.from({ length: PLAYGROUND_MAX_POINTS + 1 }, (_, k) => k + 1);
    expect(one({ stepsTaken: 1000, curve: { steps: long, loss: long, accuracy: long.map(() => 0) } })).toEqual([`runs.list[0].curve.steps must be an array of at most ${PLAYGROUND_MAX_POINTS} step numbers`]);
    expect(problems({ version: 2, list: [good, { ...good }] })).toEqual(["runs.list[1].id must be above the previous run's (1); got 1"]);
  });

  it("a payload without runs is still valid (what plot.playground emits)", () => {
    expect(base.runs).toBeUndefined();
    expect(validatePlot(JSON.parse(JSON.stringify(base))).ok).toBe(true);
  });
});
