/**
 * The playground's experiment (`Experiment`, what the extension runs in the page) and its
 * payload. The browser side is test/e2e/playground.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  Experiment, LSTM, PLAYGROUND_PARAMS, Trainer, defaultPlaygroundState, fit, getBackend, manualSeed, plot, recallTask, RecurrentClassifier,
  setBackend, type PlaygroundState,
} from "../../src/index.js";
import { validatePlot } from "../../src/plot/schema.js";

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
    expect(() => new Experiment({ cell: "transformer" as "rnn" })).toThrow('settings.cell must be one of "rnn", "lstm", "gru"');
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
    for (const k of Object.keys(PLAYGROUND_PARAMS) as (keyof typeof PLAYGROUND_PARAMS)[]) expect(text).toContain(PLAYGROUND_PARAMS[k].label);
    expect(text).toMatch(/remember k steps back\s+10/);
    expect(plot.playgroundSvg(p)).toContain("cell: rnn");
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
