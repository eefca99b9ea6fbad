/**
 * "Copy as code": a playground run's settings written out as a notebook cell that does what
 * `Experiment` does, step by step, with seqlab's public API (the task, the model, `fit`,
 * `evaluate`), so a student can take a run from the page into the kernel and change it there.
 * The same seeds and kernels give the page's numbers; test/e2e/playground.test.ts runs the
 * cell in the real kernel and compares its final loss with the page's.
 *
 * Settings that do not apply to the run (the window of a recurrent model, …) and options at
 * the library's defaults are left out, so the cell shows only what the run chose.
 */
import { EXPERIMENT_SEQUENCES, TEST_SEED_OFFSET } from "./playground-data.js";
import { assertPlaygroundState, LECTURE_TEXT, PLAYGROUND_PARAMS, type PlaygroundState } from "./playground-settings.js";

/** A string or number as TypeScript source. JSON's escaping keeps any pasted text one string literal. */
const lit = (v: string | number | boolean): string => JSON.stringify(v);

function taskLines(s: PlaygroundState): { imports: string[]; lines: string[] } {
  const n = EXPERIMENT_SEQUENCES;
  const generated = (fn: string, args: string): { imports: string[]; lines: string[] } => ({
    imports: [fn],
    lines: [
      `const train = ${fn}({ ${args}n: ${n}, seed: ${s.seed} });`,
      `const test = ${fn}({ ${args}n: ${n}, seed: ${s.seed + TEST_SEED_OFFSET} });   // sequences the model never trains on`,
    ],
  });
  switch (s.task) {
    case "recall": return generated("recallTask", `lag: ${s.lag}, `);
    case "longRange": return generated("longRangeTask", `distractors: ${s.distractors}, `);
    case "tagging": return generated("taggingTask", "");
    case "sentiment": return generated("sentimentTask", "");
    case "nextWord":
    case "text": return {
      imports: ["corpus", "encode", "nextTokenData", "splitSentences"],
      lines: [
        `const text = ${lit(s.task === "text" ? s.text : LECTURE_TEXT)};`,
        "const { tokens, vocab } = corpus(text);",
        "// Each sentence of two or more tokens is a sequence: predict every next token.",
        "const sentences = splitSentences(tokens).filter((s) => s.length >= 2).map((s) => encode(s, vocab));",
        "const train = { ...nextTokenData(sentences, vocab.length), inputSize: vocab.length, numClasses: vocab.length };",
        "const test = train;   // too few sentences to hold any out: scored on the same ones",
      ],
    };
  }
}

const isDefault = <K extends keyof PlaygroundState>(s: PlaygroundState, key: K): boolean => s[key] === PLAYGROUND_PARAMS[key].default;

function modelLines(s: PlaygroundState, perStep: boolean): { imports: string[]; lines: string[] } {
  const sizes = `inputSize: train.inputSize, hiddenSize: ${s.hiddenSize}, numClasses: train.numClasses`;
  if (s.cell === "feedforward") {
    return {
      imports: ["WindowClassifier", "windows"],
      lines: [
        `manualSeed(${s.seed});   // the initial weights`,
        `const model = new WindowClassifier({ window: ${s.window}, ${sizes} });`,
        `// It sees only the last ${s.window} token${s.window === 1 ? "" : "s"} up to each position it predicts for.`,
        `const trainSet = windows(train, ${s.window});`,
        `const testSet = windows(test, ${s.window});`,
      ],
    };
  }
  const options = [`kind: ${lit(s.cell)}`, sizes];
  if (perStep) options.push('readout: "all"');
  if (s.bidirectional) options.push("bidirectional: true");
  if (s.numLayers !== 1) options.push(`numLayers: ${s.numLayers}`);
  if (s.cell === "rnn" && !isDefault(s, "nonlinearity")) options.push(`nonlinearity: ${lit(s.nonlinearity)}`);
  if (s.cell === "gru" && !isDefault(s, "resetPosition")) options.push(`resetPosition: ${lit(s.resetPosition)}`);
  if (s.cell === "gru" && !isDefault(s, "updateConvention")) options.push(`updateConvention: ${lit(s.updateConvention)}`);
  const lines = [`manualSeed(${s.seed});   // the initial weights`, `const model = new RecurrentClassifier({ ${options.join(", ")} });`];
  if (s.cell === "lstm" && s.forgetBias !== "pytorch") {
    const H = s.hiddenSize;
    lines.push(
      `// Forget-gate bias b_f = ${s.forgetBias}: the forget rows (${H} … ${2 * H - 1}) of every bias_hh, 0 in bias_ih, as in notebook 05.`,
      "for (const [name, p] of model.namedParameters()) {",
      `  if (name.startsWith("rnn.bias_hh")) p.data.fill(${s.forgetBias}, ${H}, ${2 * H});`,
      `  if (name.startsWith("rnn.bias_ih")) p.data.fill(0, ${H}, ${2 * H});`,
      "}",
    );
  }
  lines.push("const trainSet = train;", "const testSet = test;");
  return { imports: ["RecurrentClassifier"], lines };
}

/**
 * The notebook cell that reproduces a run with these settings (checked first: a setting out of
 * its choices throws, naming it). `name` heads the cell ("run #3") and names its curve.
 * `stepsTaken`, for a run stopped early, trains only as far as the run went.
 */
export function experimentCode(settings: PlaygroundState, name = "playground run", stepsTaken?: number): string {
  assertPlaygroundState("experimentCode", settings);
  if (stepsTaken !== undefined && (!Number.isInteger(stepsTaken) || stepsTaken < 1 || stepsTaken > settings.steps)) {
    throw new RangeError(`experimentCode: stepsTaken must be an integer from 1 to the run's ${settings.steps} steps; got ${stepsTaken}`);
  }
  const s = settings;
  const perStep = s.task === "tagging" || s.task === "nextWord" || s.task === "text";
  const task = taskLines(s);
  const model = modelLines(s, perStep);
  const stopped = stepsTaken !== undefined && stepsTaken < s.steps;
  const fitOptions = [`steps: ${stopped ? stepsTaken : s.steps}`, `lr: ${s.lr}`, `batchSize: ${s.batchSize}`, `seed: ${s.seed}`];
  if (s.clip !== "off") fitOptions.push(`clip: ${s.clip}`);
  const imports = [...new Set(["evaluate", "fit", "manualSeed", "plot", "ready", "setBackend", ...task.imports, ...model.imports])].sort((a, b) => a.localeCompare(b));
  const title = name.replace(/[\r\n]+/g, " ").slice(0, 80);
  return [
    `// ${title}, as the playground trained it: the same seeds and kernels give the same numbers.`,
    `import { ${imports.join(", ")} } from "seqlab";`,
    "",
    `await ready();   // the WebAssembly kernels`,
    `setBackend(${lit(s.backend)});`,
    ...task.lines,
    ...model.lines,
    ...(stopped ? [`// The run was stopped at step ${stepsTaken} of ${s.steps}: this trains as far as it went.`] : []),
    `const log = fit(model, trainSet, { ${fitOptions.join(", ")} });`,
    `console.log(\`final loss \${log.loss.at(-1)} · test accuracy \${evaluate(model, testSet)}\`);`,
    `plot.training([{ name: ${lit(title)}, ...log }]);`,
  ].join("\n");
}
