/**
 * The playground's tasks and models (`Experiment` built from every task and cell), what it
 * shows inside a run, and "copy as code": the generated cell is compiled and run here, and must
 * give the run's numbers. The page's side is test/e2e/playground.test.ts.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import {
  defaultPlaygroundState, Experiment, GRU, oneHot, plot, RecurrentClassifier, tensor, windows, WindowClassifier, type PlaygroundState, type Trainer,
} from "../../src/index.js";
import { experimentCode, playgroundCall, playgroundCaveat, playgroundSummary, sweepSettings } from "../../src/plot/playground-kit.js";
import { PLAYGROUND_TASKS, validatePlot } from "../../src/plot/schema.js";

async function trained(settings: Partial<PlaygroundState>): Promise<Experiment> {
  const run = await Experiment.create(settings);
  while (!run.done) run.advance();
  return run;
}
const modelOf = (run: Experiment): unknown => (run as unknown as { trainer: Trainer }).trainer.model;

describe("windows: what a feedforward net sees", () => {
  const x = oneHot([[0, 1, 2], [2, 1, 0]], 3); // (2, 3, 3)

  it("one label per sequence: its last W tokens, zeros before the start", () => {
    const last2 = windows({ x, y: tensor([5, 6]) }, 2);
    expect(last2.x.shape).toEqual([2, 2, 3]);
    expect([...last2.x.data]).toEqual([0, 1, 0, 0, 0, 1, /* second */ 0, 1, 0, 1, 0, 0]);
    expect([...last2.y.data]).toEqual([5, 6]);
    const wide = windows({ x, y: tensor([5, 6]) }, 5);
    expect([...wide.x.data.slice(0, 15)]).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it("one label per step: a window up to every step with a target; −100 steps are dropped", () => {
    const per = windows({ x, y: tensor([[1, -100, 2], [0, 0, -100]]) }, 2);
    expect(per.x.shape).toEqual([4, 2, 3]);
    expect([...per.y.data]).toEqual([1, 2, 0, 0]);
    // Row 1: sequence 0 up to step 2 → tokens 1, 2.
    expect([...per.x.data.slice(6, 12)]).toEqual([0, 1, 0, 0, 0, 1]);
    // Row 2: sequence 1 at step 0 → zeros, then token 2.
    expect([...per.x.data.slice(12, 18)]).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it("refuses a bad window or mismatched shapes, naming what it expected", () => {
    expect(() => windows({ x, y: tensor([1, 2]) }, 0)).toThrow("windows: window must be");
    expect(() => windows({ x, y: tensor([1, 2, 3]) }, 2)).toThrow("windows: x (2, 3, 3) needs targets of shape (2,) or (2, 3), got (3,)");
    expect(() => windows({ x: tensor([[1, 2]]), y: tensor([1]) }, 2)).toThrow("windows: expected x of shape (N, T, V), got (1, 2)");
    expect(() => windows({ x, y: tensor([1, 2]) }, NaN)).toThrow("windows: window must be a whole number ≥ 1, got NaN");
    expect(() => windows({ x, y: tensor([1, 2]) }, 2.5)).toThrow("windows: window must be a whole number ≥ 1, got 2.5");
    // Refused before anything is allocated: 2 windows of 1e9 × 3 numbers.
    expect(() => windows({ x, y: tensor([1, 2]) }, 1e9)).toThrow("windows: 2 windows of 1000000000 × 3 would hold 6.00e+9 numbers");
  });
});

describe("every task and every model trains", () => {
  it.each(PLAYGROUND_TASKS)("task %s: an LSTM and a feedforward net take their steps, with finite losses, and a test accuracy", async (task) => {
    for (const cell of ["lstm", "feedforward"] as const) {
      const run = await trained({ task, cell, steps: 20 });
      expect(run.records).toHaveLength(20);
      expect(run.records.every((r) => Number.isFinite(r.loss))).toBe(true);
      const acc = run.testAccuracy();
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
      expect(run.chance).toBeGreaterThan(0);
      expect(run.example.tokens.length).toBeGreaterThan(0);
    }
  });

  it("what the lecture says, at the defaults (200 steps): a window of 3 cannot recall 5 steps back, an LSTM can", async () => {
    const ff = await trained({ cell: "feedforward" });
    const lstm = await trained({ cell: "lstm" });
    expect(ff.testAccuracy()).toBeLessThan(0.35);
    expect(lstm.testAccuracy()).toBeGreaterThan(0.95);
  });

  it("tagging needs the word after the name: a bidirectional GRU labels every token, a left-to-right one cannot", async () => {
    const uni = await trained({ task: "tagging", cell: "gru" });
    const bi = await trained({ task: "tagging", cell: "gru", bidirectional: true });
    expect(uni.testAccuracy()).toBeLessThan(0.96);
    expect(bi.testAccuracy()).toBeGreaterThan(0.99);
  });

  it("builds the model the settings name: GRU conventions, relu, layers, directions, the window", async () => {
    const gru = modelOf(await Experiment.create({ cell: "gru", resetPosition: "before", updateConvention: "textbook", numLayers: 2, bidirectional: true })) as RecurrentClassifier;
    expect(gru.rnn).toBeInstanceOf(GRU);
    expect([(gru.rnn as GRU).resetPosition, (gru.rnn as GRU).updateConvention, gru.rnn.numLayers, gru.rnn.bidirectional]).toEqual(["before", "textbook", 2, true]);
    const rnn = modelOf(await Experiment.create({ cell: "rnn", nonlinearity: "relu" })) as RecurrentClassifier;
    expect(String(rnn)).toContain("relu");
    const ff = modelOf(await Experiment.create({ cell: "feedforward", window: 5 })) as WindowClassifier;
    expect(ff).toBeInstanceOf(WindowClassifier);
    expect(ff.window).toBe(5);
    const tagger = modelOf(await Experiment.create({ task: "tagging" })) as RecurrentClassifier;
    expect(tagger.readout).toBe("all");
  });

  it("RecurrentClassifier takes the GRU's two options for a GRU only, each checked against its values", () => {
    const sizes = { inputSize: 2, hiddenSize: 3, numClasses: 2 };
    expect(() => new RecurrentClassifier({ kind: "lstm", ...sizes, resetPosition: "before" })).toThrow('RecurrentClassifier: resetPosition is for kind "gru" only, got it with kind "lstm"');
    expect(() => new RecurrentClassifier({ kind: "rnn", ...sizes, updateConvention: "textbook" })).toThrow('RecurrentClassifier: updateConvention is for kind "gru" only, got it with kind "rnn"');
    expect(() => new RecurrentClassifier({ kind: "gru", ...sizes, resetPosition: "middle" as "after" })).toThrow('GRU: resetPosition must be one of "after", "before", got "middle"');
    expect(() => new RecurrentClassifier({ kind: "gru", ...sizes, updateConvention: 3 as unknown as "pytorch" })).toThrow('GRU: updateConvention must be one of "pytorch", "textbook", got 3');
  });

  it("the forget-gate bias setting puts b_f in every bias_hh's forget rows and 0 in bias_ih's, and changes the run", async () => {
    const H = 8;
    const model = modelOf(await Experiment.create({ cell: "lstm", hiddenSize: H, forgetBias: 2, numLayers: 2 })) as RecurrentClassifier;
    const biases = model.namedParameters().filter(([name]) => name.startsWith("rnn.bias_"));
    expect(biases).toHaveLength(4);
    for (const [name, p] of biases) expect([...p.data.slice(H, 2 * H)]).toEqual(new Array(H).fill(name.startsWith("rnn.bias_hh") ? 2 : 0));
    const a = await trained({ cell: "lstm", steps: 20 });
    const b = await trained({ cell: "lstm", steps: 20, forgetBias: 1 });
    expect(a.records.map((r) => r.loss)).not.toEqual(b.records.map((r) => r.loss));
  });

  it("a text with no sentence of two words is refused, naming the task and quoting the text", () => {
    expect(() => new Experiment({ task: "text", text: "Hello" })).toThrow("playground, task \"text\": the text needs a sentence of at least two tokens");
    expect(() => new Experiment({ task: "text", text: "" })).toThrow("got \"\"");
  });

  it("the example is the first test sequence in words, with its target(s)", async () => {
    const words = (await Experiment.create({ task: "nextWord" })).example;
    expect(words).toEqual({ tokens: ["I", "like", "pizza"], targets: ["like", "pizza", "."] });
    const recall = (await Experiment.create({ task: "recall", lag: 2 })).example;
    expect(recall.tokens).toHaveLength(3);
    expect(recall.targets).toEqual([recall.tokens[0]]);
  });
});

describe("looking inside a run", () => {
  it("a recurrent run gives the gates, the cell diagram and the gradient flow on its first test sequence, all valid payloads", async () => {
    const run = await trained({ task: "sentiment", cell: "lstm", steps: 20, bidirectional: true });
    const inside = run.inside()!;
    expect(inside.tokens).toEqual(run.example.tokens);
    for (const p of [inside.gates, inside.cell, inside.gradients]) expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(inside.gates.tokens).toEqual(inside.tokens);
    // One gradient curve per direction, one norm per step, none of them zero for a loss read at the end.
    expect(inside.gradients.series.map((s) => s.name)).toEqual(["layer 0 forward", "layer 0 reverse"]);
    expect(inside.gradients.series[0]!.norms).toHaveLength(12);
    expect(inside.gradients.series[0]!.norms.every((v) => v !== null && v > 0)).toBe(true);
    // Looking does not change the model: training goes on exactly as without it.
    const plain = await trained({ task: "sentiment", cell: "lstm", steps: 20, bidirectional: true });
    expect(run.testAccuracy()).toBe(plain.testAccuracy());
  });

  it("a feedforward run has nothing to look inside", async () => {
    expect((await Experiment.create({ cell: "feedforward" })).inside()).toBeNull();
  });
});

describe("copy as code", () => {
  // The generated cell is TypeScript for tslab; compiled here and imported, with "seqlab" → the
  // library's source, so it runs on the same module instance (and kernels) as the Experiment.
  const dir = join(import.meta.dirname, ".copy-as-code");
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  async function runCode(code: string): Promise<string[]> {
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const file = join(dir, `cell-${count++}.mjs`);
    const printed: string[] = [];
    const global = globalThis as { seqlabTestLog?: (line: string) => void };
    global.seqlabTestLog = (line) => printed.push(line);
    writeFileSync(file, js.replace(/from "seqlab"/, `from ${JSON.stringify(join(import.meta.dirname, "../../src/index.ts"))}`).replace(/console\.log\(/g, "globalThis.seqlabTestLog("));
    await import(file);
    return printed;
  }
  const finalLoss = (lines: string[]): number => Number(/^final loss (\S+) · test accuracy (\S+)$/.exec(lines.at(-1) ?? "")?.[1]);

  const cases: [string, Partial<PlaygroundState>][] = [
    ["recall, RNN relu, clipped", { cell: "rnn", nonlinearity: "relu", clip: 1, lag: 10 }],
    ["long range, LSTM b_f = 1, 2 layers", { task: "longRange", distractors: 20, cell: "lstm", forgetBias: 1, numLayers: 2 }],
    ["tagging, textbook GRU, bidirectional", { task: "tagging", cell: "gru", resetPosition: "before", updateConvention: "textbook", bidirectional: true }],
    ["sentiment, feedforward W = 5", { task: "sentiment", cell: "feedforward", window: 5, seed: 3 }],
    ["next word, feedforward W = 2", { task: "nextWord", cell: "feedforward", window: 2 }],
    ["your text, LSTM, kernels js", { task: "text", cell: "lstm", backend: "js", text: 'He said "hi"\\n. `${x}` </script> "); process.exit(1); (" she said. He left.' }],
  ];
  it.each(cases)("%s: the cell gives the run's final loss and test accuracy", async (_, settings) => {
    const state = { ...defaultPlaygroundState(), steps: 50, ...settings } as PlaygroundState;
    const run = await trained(state);
    const lines = await runCode(experimentCode(state, "run #1"));
    expect(finalLoss(lines)).toBeCloseTo(run.records.at(-1)!.loss, 12);
    expect(lines.at(-1)).toContain(`test accuracy ${run.testAccuracy()}`);
  });

  it("a stopped run's cell trains as far as the run went, and gives its loss at that step", async () => {
    const state = { ...defaultPlaygroundState(), cell: "gru", steps: 100 } as PlaygroundState;
    const run = await Experiment.create(state);
    for (let k = 0; k < 37; k++) run.advance(0);
    const code = experimentCode(state, "run #4", 37);
    expect(code).toContain("stopped at step 37 of 100");
    expect(finalLoss(await runCode(code))).toBeCloseTo(run.records.at(-1)!.loss, 12);
    expect(() => experimentCode(state, "x", 101)).toThrow("experimentCode: stepsTaken must be an integer from 1 to the run's 100 steps; got 101");
  });

  it("leaves out what does not apply, and keeps a hostile text one string literal", () => {
    const code = experimentCode({ ...defaultPlaygroundState(), cell: "gru", window: 8, forgetBias: 2 }, "run #2\nalert(1)");
    expect(code).not.toContain("window");
    expect(code).not.toContain("bias_hh");
    expect(code.split("\n")[0]).toBe("// run #2 alert(1), as the playground trained it: the same seeds and kernels give the same numbers.");
    const hostile = 'x"; require("child_process").execSync("touch /tmp/pwned"); "';
    const text = experimentCode({ ...defaultPlaygroundState(), task: "text", text: hostile });
    expect(text).toContain(`const text = ${JSON.stringify(hostile)};`);
    expect(() => experimentCode({ ...defaultPlaygroundState(), lr: 7 as 0.01 })).toThrow("experimentCode: settings.lr must be one of");
  });
});

describe("sweeps and summaries", () => {
  const base = defaultPlaygroundState();

  it("a sweep is every combination, the first setting slowest", () => {
    const runs = sweepSettings(base, { params: ["cell", "lag"], values: [["rnn", "lstm"], [1, 5, 10]] });
    expect(runs.map((s) => `${s.cell}:${s.lag}`)).toEqual(["rnn:1", "rnn:5", "rnn:10", "lstm:1", "lstm:5", "lstm:10"]);
    expect(runs.every((s) => s.hiddenSize === base.hiddenSize)).toBe(true);
  });

  it("a bad sweep is refused naming what is wrong, in sweepSettings and in plot.playground", () => {
    const bad = (sweep: unknown): string => {
      try {
        sweepSettings(base, sweep as never);
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(bad({ params: ["cell", "lag", "lr"], values: [[], [], []] })).toContain("sweep.params must name one or two settings");
    expect(bad({ params: ["text"], values: [["a"]] })).toContain("sweep.params[0] must be one of task, lag");
    expect(bad({ params: ["lag"], values: [[1, 2, 5, 10, 15]] })).toContain("sweep.values[0] must be a list of 1 to 4 values of lag");
    expect(bad({ params: ["lag"], values: [[3]] })).toContain("sweep.values[0][0] must be one of lag's choices 1, 2, 5, 10, 15, 20, 30; got 3");
    expect(bad({ params: ["lag", "lag"], values: [[1], [2]] })).toContain('sweep.params names "lag" twice');
    expect(() => plot.playground({}, { show: false, sweep: { params: ["lag"], values: [[99 as 1]] } })).toThrow("plot.playground: sweep.values[0][0]");
    const p = plot.playground({ task: "recall" }, { show: false, sweep: { params: ["cell", "hiddenSize"], values: [["rnn", "lstm"], [4, 16]] } });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(plot.playgroundText(p)).toContain("Sweep set up: model over rnn, lstm × hidden size over 4, 16.");
  });

  it("Share: the cell that shows the playground as it is set up lists only what differs from the defaults, and the sweep", () => {
    expect(playgroundCall(base)).toBe('import { plot } from "seqlab";\n\nplot.playground({});');
    const call = playgroundCall({ ...base, cell: "rnn", lag: 20, window: 8 }, { params: ["hiddenSize"], values: [[4, 8]] }, "Find the smallest H");
    expect(call).toBe('import { plot } from "seqlab";\n\nplot.playground({ lag: 20, cell: "rnn" }, { title: "Find the smallest H", sweep: { params: ["hiddenSize"], values: [[4,8]] } });');
    // A pasted text stays one string literal.
    expect(playgroundCall({ ...base, task: "text", text: 'a"); alert(1); ("' })).toContain('text: "a\\"); alert(1); (\\""');
    expect(() => playgroundCall({ ...base, seed: 9 as 0 })).toThrow("playgroundCall: settings.seed must be one of 0, 1, 2, 3, 4; got 9");
  });

  it("summaries say only what the run chose, and a bidirectional next-word model is flagged", () => {
    expect(playgroundSummary({ ...base, cell: "lstm", forgetBias: 1, bidirectional: true, numLayers: 2 }).model).toBe("LSTM H=16 b_f=1 bi 2 layers");
    expect(playgroundSummary({ ...base, cell: "feedforward", forgetBias: 1, bidirectional: true }).model).toBe("feedforward W=3 H=16");
    expect(playgroundSummary({ ...base, task: "longRange" }).task).toBe("long range d=30");
    expect(playgroundCaveat({ ...base, task: "nextWord", bidirectional: true })).toContain("cheats");
    expect(playgroundCaveat({ ...base, task: "tagging", bidirectional: true })).toBe("");
  });
});
