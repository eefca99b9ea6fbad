/**
 * What each course notebook must show, beyond running without error: one table, used by the
 * nbclient run through tslab (notebooks.test.ts) and by the Run All in the JupyterLite site
 * (site-notebooks.test.ts), so both kernels are held to the same results.
 */
import { expect } from "vitest";
import { RESULTS_MIME_TYPE, type ResultsPayload } from "../../src/plot/results.js";
import { MIME_TYPE, parsePlot } from "../../src/plot/schema.js";
import { joinText, type Notebook, type Output } from "./jupyter.js";

export const outputsOf = (nb: Notebook): Output[] => nb.cells.flatMap((c) => c.outputs ?? []);
export const textOf = (nb: Notebook): string =>
  outputsOf(nb)
    .map((o) => (o.output_type === "stream" ? joinText(o.text) : joinText(o.data?.["text/plain"] as string | string[] | undefined)))
    .join("\n");

/** The values of every `showResults` table of the notebook (the JSON the page does not show). */
export const resultsOf = (nb: Notebook): Record<string, unknown>[] =>
  outputsOf(nb).flatMap((o) => {
    const payload = o.data?.[RESULTS_MIME_TYPE] as ResultsPayload | string | undefined;
    if (payload === undefined) return [];
    return [(typeof payload === "string" ? (JSON.parse(payload) as ResultsPayload) : payload).values];
  });

/** The number a notebook showed under `name` with `showResults` (in exactly one output). */
export const resultOf = (nb: Notebook, name: string): number => {
  const found = resultsOf(nb).filter((values) => Object.hasOwn(values, name)).map((values) => values[name]);
  expect(found, `result ${name} shown once`).toHaveLength(1);
  expect(typeof found[0], `result ${name} is a number`).toBe("number");
  return found[0] as number;
};

/**
 * The notebooks are nbgrader source notebooks and run here with their reference solutions and
 * hidden tests: every check printed "✔ right" (at least `count` of them) and none "✘".
 */
export const exercisesPass = (text: string, count: number): void => {
  expect(text).not.toMatch(/✘/);
  expect([...text.matchAll(/✔ right: Exercise/g)].length).toBeGreaterThanOrEqual(count);
};

/** What each notebook must show, beyond running without error. */
export const expectations: Record<string, (nb: Notebook) => void> = {
  "01-feedforward-limits.ipynb": (nb) => {
    const text = textOf(nb);
    // "I like" and "like pizza" as concatenated one-hot windows share no active input.
    expect(resultOf(nb, "window_dot_product")).toBe(0);
    expect(text).toMatch(/ShapeError: WindowClassifier: expected a window of exactly 2 tokens, input \(B, 2, 5\), got \(1, 3, 5\)/);
    // Same size (within 5 %), answer inside the window: both solve it.
    const rnnParams = resultOf(nb, "rnn_params");
    expect(Math.abs(resultOf(nb, "ff_params") - rnnParams) / rnnParams).toBeLessThan(0.05);
    expect(resultOf(nb, "ff_accuracy_inside")).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "rnn_accuracy_inside")).toBeGreaterThanOrEqual(0.9);
    // Answer outside the window: the feedforward net is near chance (1/4), the RNN wins by ≥ 0.5.
    const ff = resultOf(nb, "ff_accuracy");
    const rnn = resultOf(nb, "rnn_accuracy");
    expect(ff).toBeLessThan(0.35);
    expect(rnn).toBeGreaterThanOrEqual(0.9);
    expect(rnn - ff).toBeGreaterThanOrEqual(0.5);
    // "the feedforward loss stays near ln 4 ≈ 1.39 … while the RNN's loss falls to near 0"
    expect(Math.abs(resultOf(nb, "ff_final_loss") - Math.log(4))).toBeLessThan(0.1);
    expect(resultOf(nb, "rnn_final_loss")).toBeLessThan(0.1);
    exercisesPass(text, 3);
  },
  "02-rnn.ipynb": (nb) => {
    const text = textOf(nb);
    // Hand-written recurrence = RNNCell loop = RNN layer, to float32 rounding.
    expect(resultOf(nb, "max_diff_hand_cell_layer")).toBeLessThan(1e-5);
    expect(text).toMatch(/3: "\."/);
    // The loss cannot go below the entropy of the data: 2·ln 2 / 6 (two of six predictions are coin flips).
    const floor = (2 * Math.log(2)) / 6;
    expect(resultOf(nb, "lm_final_loss")).toBeGreaterThan(floor - 1e-3);
    expect(resultOf(nb, "lm_final_loss")).toBeLessThan(floor + 0.02);
    // The walk: "I" → "like" surely; after "like" the belief splits between pizza and cake.
    expect(resultOf(nb, "p_like_after_I")).toBeGreaterThan(0.95);
    const pizza = resultOf(nb, "p_pizza_after_like");
    const cake = resultOf(nb, "p_cake_after_like");
    expect(Math.abs(pizza - 0.5)).toBeLessThan(0.1);
    expect(Math.abs(cake - 0.5)).toBeLessThan(0.1);
    expect(pizza + cake).toBeGreaterThan(0.95);
    expect(resultOf(nb, "p_end_after_pizza")).toBeGreaterThan(0.95);
    // The same word in the two sentences: "about as far apart as two states do on average".
    const average = resultOf(nb, "state_distance_average");
    for (const word of ["I", "like"]) {
      expect(resultOf(nb, `state_distance_${word}`)).toBeGreaterThan(0.75 * average);
      expect(resultOf(nb, `state_distance_${word}`)).toBeLessThan(1.5 * average);
    }
    const kinds = outputsOf(nb).flatMap((o) => {
      const parsed = o.data?.[MIME_TYPE] === undefined ? null : parsePlot(o.data[MIME_TYPE]);
      return parsed?.ok ? [parsed.value.kind] : [];
    });
    expect(kinds).toEqual(expect.arrayContaining(["training", "predictions", "states"]));
    exercisesPass(text, 3);
  },
  "03-rnn-limits.ipynb": (nb) => {
    const text = textOf(nb);
    // Vanishing for ρ < 1 (both nonlinearities), exploding for relu with ρ = 3; monotone in ρ.
    for (const nl of ["tanh", "relu"]) {
      const ratios = ["0.5", "0.9", "1.0", "1.5", "3.0"].map((rho) => resultOf(nb, `ratio_${nl}_${rho}`));
      expect(ratios[0]).toBeLessThan(1e-10);
      expect(ratios[1]).toBeLessThan(1e-3);
      for (let k = 1; k < ratios.length; k++) expect(ratios[k]).toBeGreaterThan(ratios[k - 1]!);
    }
    expect(resultOf(nb, "ratio_relu_3.0")).toBeGreaterThan(1e6);
    expect(resultOf(nb, "ratio_tanh_3.0")).toBeGreaterThan(1);
    // ρ = 1 still vanishes for both; tanh grows only clearly above 1, and saturation holds it far below relu.
    expect(resultOf(nb, "ratio_tanh_1.0")).toBeLessThan(1e-2);
    expect(resultOf(nb, "ratio_relu_1.0")).toBeLessThan(1e-2);
    expect(resultOf(nb, "ratio_tanh_1.5")).toBeGreaterThan(1);
    expect(resultOf(nb, "ratio_tanh_3.0")).toBeLessThan(resultOf(nb, "ratio_relu_3.0") / 1e3);
    // Without clipping the exploding run dies (NaN loss) early; with clipping the loss falls 100-fold.
    expect(resultOf(nb, "noclip_completed_steps")).toBeLessThan(60);
    expect(text).toMatch(/without clipping: NonFiniteError/);
    expect(resultOf(nb, "clip_final_loss")).toBeLessThan(resultOf(nb, "clip_first_loss") / 100);
    // "The loss starts in the thousands … and comes down to about ln 4": survives, has not learnt the task.
    expect(resultOf(nb, "clip_first_loss")).toBeGreaterThan(1000);
    expect(Math.abs(resultOf(nb, "clip_final_loss") - Math.log(4))).toBeLessThan(0.25);
    // Memory span: perfect at k = 1, near chance at k = 50; the span printed is longer than the lecture's 5–10.
    expect(resultOf(nb, "recall_accuracy_k1")).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "recall_accuracy_k50")).toBeLessThan(0.4);
    expect(resultOf(nb, "recall_accuracy_k40")).toBeLessThan(0.4);
    expect(resultOf(nb, "span")).toBeGreaterThan(10);
    expect(resultOf(nb, "span")).toBeLessThan(50);
    // Sequential cost: a row per length (times are printed, never asserted).
    for (const len of [32, 64, 128, 256, 512]) expect(resultOf(nb, `time_length${len}_rnn_ms`)).toBeGreaterThanOrEqual(0);
    expect(outputsOf(nb).filter((o) => o.data?.[MIME_TYPE] !== undefined).length).toBeGreaterThanOrEqual(3);
    // The playground for the memory span, starting where the RNN's span ends, and the
    // notebook's own question: a sweep of every cell over four seeds at k = 30.
    const playgrounds = outputsOf(nb).flatMap((o) => {
      const parsed = o.data?.[MIME_TYPE] === undefined ? null : parsePlot(o.data[MIME_TYPE]);
      return parsed?.ok && parsed.value.kind === "playground" ? [parsed.value] : [];
    });
    expect(playgrounds.map((p) => [p.state.task, p.state.cell, p.state.lag, p.state.steps])).toEqual([["recall", "rnn", 20, 300], ["recall", "lstm", 30, 300]]);
    expect(playgrounds[1]!.sweep).toEqual({ params: ["cell", "seed"], values: [["rnn", "lstm", "gru"], [0, 1, 2, 3]] });
    exercisesPass(text, 3);
  },
  "05-lstm.ipynb": (nb) => {
    const text = textOf(nb);
    expect(text).toMatch(/output: \(1, 3, 4\)/);
    expect(text).toMatch(/h_n: +\(1, 1, 4\)/);
    expect(text).toMatch(/c_n: +\(1, 1, 4\)/);
    expect(text).toMatch(/weight_ih_l0 +\(16, 2\)/);
    // The parity cell prints the largest difference from PyTorch for each tensor.
    const diffs = [...text.matchAll(/max \|seqlab − PyTorch\| = (\S+)/g)].map((m) => Number(m[1]));
    expect(diffs).toHaveLength(3);
    for (const d of diffs) expect(d).toBeLessThan(1e-14);   // "at the level of float64 rounding (around 1e-16)"
    // The gate plot: a valid seqlab payload with the six LSTM panels, plus a text fallback.
    const plots = outputsOf(nb).filter((o) => o.data?.[MIME_TYPE] !== undefined);
    expect(plots.length).toBeGreaterThanOrEqual(1);
    const parsed = parsePlot(plots[0]!.data![MIME_TYPE]);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    if (parsed.ok && parsed.value.kind === "gates") {
      expect(parsed.value.entries[0]!.panels.map((p) => p.key)).toEqual(["i", "f", "g", "o", "c", "h"]);
      expect(parsed.value.tokens).toHaveLength(3);
    }
    expect(joinText(plots[0]!.data!["text/plain"] as string)).toMatch(/LSTM/);
    // The untrained gates as the prose describes them: forget 0.07–0.54, input 0.1–0.9, g at ±1, c moving more than h.
    if (parsed.ok && parsed.value.kind === "gates") {
      const untrained = parsed.value.entries[0]!;
      const grid = (key: string) => untrained.panels.find((p) => p.key === key)!.z as number[][];
      const panel = (key: string) => grid(key).flat();
      const range = (key: string) => [Math.min(...panel(key)), Math.max(...panel(key))];
      expect(range("f")[0]).toBeGreaterThan(0.05);
      expect(range("f")[1]).toBeLessThan(0.6);
      expect(range("i")[0]).toBeLessThan(0.15);
      expect(range("i")[1]).toBeGreaterThan(0.85);
      expect(Math.max(...panel("g").map(Math.abs))).toBeGreaterThan(0.99);
      const steps = (key: string) => { const z = grid(key); return Math.max(...z.slice(1).flatMap((row, t) => row.map((v, u) => Math.abs(v - z[t]![u]!)))); };
      expect(steps("c")).toBeGreaterThan(2 * steps("h"));
    }
    // After the gate plot: the cell diagram, the gradient flow, the forget-bias training curves and the saturation plot.
    const kinds = plots.map((o) => { const p = parsePlot(o.data![MIME_TYPE]); return p.ok ? p.value.kind : "invalid"; });
    expect(kinds).toEqual(["gates", "cell", "gradients", "training", "saturation"]);
    expect(resultOf(nb, "sentiment_lstm_accuracy")).toBeGreaterThanOrEqual(0.9);
    // Long-range task (20 distractors): the LSTM recalls, the RNN does not, by ≥ 0.3; the RNN's
    // gradient at step 0 is < 1e-4 of the last step's, the LSTM's is not vanishing (> 1e-2).
    const rnnLong = resultOf(nb, "long_rnn_accuracy");
    const lstmLong = resultOf(nb, "long_lstm_accuracy");
    expect(lstmLong).toBeGreaterThanOrEqual(0.9);
    expect(lstmLong - rnnLong).toBeGreaterThanOrEqual(0.3);
    expect(resultOf(nb, "long_rnn_grad_ratio")).toBeLessThan(1e-4);
    expect(resultOf(nb, "long_lstm_grad_ratio")).toBeGreaterThan(1e-2);
    // The gradient-flow plot: the RNN's line stays orders of magnitude down over the first 16 steps,
    // the LSTM's stays within a factor of 100 everywhere ("roughly level").
    const flow = parsePlot(plots[2]!.data![MIME_TYPE]);
    if (flow.ok && flow.value.kind === "gradients" && flow.value.view === "flow") {
      const series = flow.value.series;
      const norms = (name: string) => series.find((s) => s.name === name)!.norms.map((v) => v ?? 0);
      const rnnNorms = norms("vanilla RNN");
      for (const v of rnnNorms.slice(0, 16)) expect(v / rnnNorms.at(-1)!).toBeLessThan(1e-3);
      const lstmNorms = norms("LSTM");
      expect(Math.max(...lstmNorms) / Math.min(...lstmNorms)).toBeLessThan(100);
    }
    // Forget-gate bias 0 → 1 → 3: more gradient reaches step 0 at init, and ≥ 0.9 is reached no later.
    const ratios = [0, 1, 3].map((b) => resultOf(nb, `forget_bias_${b}_init_grad_ratio`));
    const reached = [0, 1, 3].map((b) => resultOf(nb, `forget_bias_${b}_steps_to_90`));
    expect(ratios[1]).toBeGreaterThan(10 * ratios[0]!);
    expect(ratios[2]).toBeGreaterThan(ratios[1]!);
    expect(reached[2]).toBeLessThan(reached[0]!);
    expect(reached[1]).toBeLessThanOrEqual(reached[0]!);
    expect(ratios[0]).toBeLessThan(1e-3);   // "the gradient back to it is tiny too"
    expect(resultOf(nb, "forget_gate_open_fraction")).toBeGreaterThan(0.05);
    // The cell diagram's review: the sentiment word is the third word, "fun", and several units' c_t
    // change sharply there; the input gates stay mostly open.
    const cellPlot = parsePlot(plots[1]!.data![MIME_TYPE]);
    if (cellPlot.ok && cellPlot.value.kind === "cell") {
      const diagram = cellPlot.value;
      const z = (key: string) => diagram.panels.find((p) => p.key === key)!.z as number[][];
      expect(diagram.tokens[2]).toBe("fun");
      expect(z("c")[2]!.filter((v, u) => Math.abs(v - z("c")[1]![u]!) > 0.5).length).toBeGreaterThanOrEqual(3);
      const inputs = z("i").flat();
      expect(inputs.filter((v) => v > 0.5).length).toBeGreaterThan(inputs.length / 2);
    }
    // Saturation after training: hardly any gate shut, many wide open; some forget units open on most steps.
    const satPlot = parsePlot(plots[4]!.data![MIME_TYPE]);
    if (satPlot.ok && satPlot.value.kind === "saturation") {
      const sp = satPlot.value;
      const mean = (xs: readonly (number | null)[]) => xs.reduce<number>((a, v) => a + (v ?? 0), 0) / xs.length;
      for (const gate of satPlot.value.entries[0]!.gates) {
        expect(mean(gate.left)).toBeLessThan(0.05);
        expect(mean(gate.right)).toBeGreaterThan(0.15);
      }
      const forget = sp.entries[0]!.gates.find((g) => g.key === "f")!;
      expect(forget.right.filter((v) => (v ?? 0) > 0.5).length).toBeGreaterThanOrEqual(1);
    }
    exercisesPass(text, 3);
  },
  "06-gru.ipynb": (nb) => {
    const text = textOf(nb);
    expect(text).toMatch(/output: \(1, 3, 4\) +h_n: \(1, 1, 4\)/);
    expect(Math.max(resultOf(nb, "pytorch_example_output_max_diff"), resultOf(nb, "pytorch_example_h_n_max_diff"))).toBeLessThan(1e-9);
    // Lecture's z = 1 − PyTorch's z: equal up to rounding with negated z parameters.
    expect(resultOf(nb, "z_convention_max_diff")).toBeLessThan(1e-12);
    // Reset before vs after the product: a different function, equal when r = 1.
    expect(resultOf(nb, "reset_position_max_diff")).toBeGreaterThan(1e-3);
    expect(resultOf(nb, "reset_position_max_diff_r1")).toBeLessThan(1e-12);
    // Three weight blocks against four; times are printed, never asserted.
    expect(resultOf(nb, "gru_params") / resultOf(nb, "lstm_params")).toBeCloseTo(0.75, 10);
    expect(resultOf(nb, "gru_over_lstm_time")).toBeGreaterThan(0);
    expect(resultOf(nb, "long_gru_accuracy")).toBeGreaterThanOrEqual(0.9);
    const kinds = outputsOf(nb).filter((o) => o.data?.[MIME_TYPE] !== undefined).map((o) => { const p = parsePlot(o.data![MIME_TYPE]); return p.ok ? p.value.kind : "invalid"; });
    expect(kinds).toEqual(["gates"]);
    // No unit keeps z near 1 from step 1 on; many h_t rows swing across most of [−1, 1].
    const gru = parsePlot(outputsOf(nb).find((o) => o.data?.[MIME_TYPE] !== undefined)!.data![MIME_TYPE]);
    if (gru.ok && gru.value.kind === "gates") {
      const entry = gru.value.entries[0]!;
      const z = entry.panels.find((p) => p.key === "z")!.z as number[][];
      const h = entry.panels.find((p) => p.key === "h")!.z as number[][];
      const units = z[0]!.length;
      for (let u = 0; u < units; u++) expect(Math.min(...z.slice(1).map((row) => row[u]!))).toBeLessThan(0.7);
      const swinging = Array.from({ length: units }, (_, u) => h.map((row) => row[u]!)).filter((col) => Math.max(...col) - Math.min(...col) > 1.2);
      expect(swinging.length).toBeGreaterThanOrEqual(units / 2);
    }
    exercisesPass(text, 3);
  },
  "07-takeaways.ipynb": (nb) => {
    const text = textOf(nb);
    // The live table: every model measured; the feedforward net recalls inside its window only,
    // the vanilla RNN does not recall (accuracy ≥ 0.9, the notebook's GOOD) at k = 20 or 30, at
    // least one gated model does at k = 20. (How far below 0.9 the RNN ends is one training run's
    // luck: 0.47 at k = 30 with the TypeScript kernels' rounding, 0.74 with WebAssembly's.)
    for (const kind of ["feedforward", "rnn", "lstm", "gru", "attention"]) {
      expect(resultOf(nb, `${kind}_params`)).toBeGreaterThan(0);
      expect(resultOf(nb, `${kind}_sentiment`)).toBeGreaterThanOrEqual(0);
    }
    expect(resultOf(nb, "feedforward_recall_k3")).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "feedforward_recall_k10")).toBeLessThan(0.4);
    expect(resultOf(nb, "rnn_recall_k20")).toBeLessThan(0.9);
    expect(resultOf(nb, "rnn_recall_k30")).toBeLessThan(0.9);
    expect(Math.max(resultOf(nb, "lstm_recall_k20"), resultOf(nb, "gru_recall_k20"))).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "gru_params") / resultOf(nb, "lstm_params")).toBeLessThan(0.8);
    // The prose under the table, model by model.
    expect(resultOf(nb, "feedforward_recall_k20")).toBeLessThan(0.4);
    expect(resultOf(nb, "feedforward_recall_k30")).toBeLessThan(0.4);
    expect(resultOf(nb, "feedforward_sentiment")).toBeLessThan(0.65);
    expect(resultOf(nb, "rnn_params")).toBeLessThan(Math.min(resultOf(nb, "lstm_params"), resultOf(nb, "gru_params")));
    expect(resultOf(nb, "rnn_recall_k10")).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "lstm_params") / resultOf(nb, "rnn_params")).toBeCloseTo(3.5, 0);
    expect(resultOf(nb, "lstm_recall_k20")).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "lstm_recall_k10")).toBeLessThan(0.9);
    expect(resultOf(nb, "lstm_recall_k30")).toBeLessThan(0.9);
    for (const k of [3, 10, 20, 30]) expect(resultOf(nb, `gru_recall_k${k}`)).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "attention_sentiment")).toBeLessThan(Math.min(resultOf(nb, "lstm_sentiment"), resultOf(nb, "gru_sentiment")));
    // Self-attention recalls at every distance tried, and the answering row looks at the answer.
    for (const k of [3, 10, 20, 30]) expect(resultOf(nb, `attention_recall_k${k}`)).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "attention_recall_accuracy")).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "attention_weight_on_answer")).toBeGreaterThan(0.5);
    const plots = outputsOf(nb).filter((o) => o.data?.[MIME_TYPE] !== undefined).map((o) => parsePlot(o.data![MIME_TYPE]));
    expect(plots.map((p) => (p.ok ? p.value.kind : "invalid"))).toEqual(["attention"]);
    exercisesPass(text, 3);
  },
  "04-bidirectional.ipynb": (nb) => {
    const text = textOf(nb);
    // The halves of H are exactly two unidirectional runs, one on the reversed input.
    expect(resultOf(nb, "max_diff_forward_half")).toBe(0);
    expect(resultOf(nb, "max_diff_backward_half")).toBe(0);
    expect(text).toMatch(/output H: \(1, 5, 8\)/);
    expect(text).toMatch(/h_n: +\(2, 1, 4\)/);
    // Tagging: on the names (label set by the NEXT word) left-to-right guesses (< 0.65), bidirectional ≥ 0.95, margin ≥ 0.3.
    const uni = resultOf(nb, "tagging_uni_name_accuracy");
    const bi = resultOf(nb, "tagging_bi_name_accuracy");
    expect(uni).toBeLessThan(0.65);
    expect(uni).toBeGreaterThan(0.35);     // "at a coin flip (about 0.5)"
    expect(bi).toBeGreaterThanOrEqual(0.95);
    expect(bi - uni).toBeGreaterThanOrEqual(0.3);
    expect(resultOf(nb, "tagging_bi_accuracy")).toBeGreaterThan(resultOf(nb, "tagging_uni_accuracy"));
    // Sentiment with a late negation: both accuracies printed; the notebook explains why bidirectional does not win here.
    expect(resultOf(nb, "sentiment_uni_accuracy")).toBeGreaterThanOrEqual(0.9);
    expect(resultOf(nb, "sentiment_bi_accuracy")).toBeGreaterThanOrEqual(0);
    // "the left-to-right RNN does as well or better"
    expect(resultOf(nb, "sentiment_uni_accuracy")).toBeGreaterThanOrEqual(resultOf(nb, "sentiment_bi_accuracy"));
    const kinds = outputsOf(nb).filter((o) => o.data?.[MIME_TYPE] !== undefined).map((o) => { const p = parsePlot(o.data![MIME_TYPE]); return p.ok ? p.value.kind : "invalid"; });
    expect(kinds).toEqual(["bidirectional"]);
    exercisesPass(text, 4);
  },
  "08-look-inside.ipynb": (nb) => {
    const text = textOf(nb);
    // The checkpoint's tensors, listed with PyTorch's names and shapes.
    expect(text).toMatch(/embed\.weight +\(74, 32\) +float32/);
    expect(text).toMatch(/rnn\.weight_hh_l0 +\(512, 128\) +float32/);
    expect(text).toMatch(/94858 parameters, as PyTorch counted: 94858/);
    // seqlab's copy computes PyTorch's outputs to float32 rounding, and the same argmax characters.
    for (const name of ["logits", "h_n", "c_n"]) expect(resultOf(nb, `pytorch_${name}_max_diff`)).toBeLessThan(1e-5);
    expect(text).toMatch(/same as PyTorch's: true/);
    expect(text).toMatch(/seqlab next: +"[^"\n]*lizabeth/);   // "Elizabeth" finished from its E on
    // Gates on the dialogue line, saturation over the passage, states, then the picked units.
    const plots = outputsOf(nb).filter((o) => o.data?.[MIME_TYPE] !== undefined).map((o) => parsePlot(o.data![MIME_TYPE]));
    expect(plots.map((p) => (p.ok ? p.value.kind : "invalid"))).toEqual(["gates", "saturation", "states", "states"]);
    const gatesPlot = plots[0]!;
    if (gatesPlot.ok && gatesPlot.value.kind === "gates") {
      const gp = gatesPlot.value;
      expect(gp.tokens.slice(0, 4)).toEqual(['"', "O", "h", ","]);
      // "c_t has units far outside [−1, 1] … h_t always stays inside (−1, 1)"
      const panel = (key: string) => (gp.entries[0]!.panels.find((p) => p.key === key)!.z as number[][]).flat();
      expect(Math.max(...panel("c").map(Math.abs))).toBeGreaterThan(2);
      expect(Math.max(...panel("h").map(Math.abs))).toBeLessThan(1);
    }
    // Saturation: input gates open (> 0.9) on about 70 % of steps, forget and output gates on about half; output gates shut on about a fifth.
    const satPlot = plots[1]!;
    let mostOpen: Record<string, number> = {};
    if (satPlot.ok && satPlot.value.kind === "saturation") {
      const sp = satPlot.value;
      const mean = (xs: readonly (number | null)[]) => xs.reduce<number>((a, v) => a + (v ?? 0), 0) / xs.length;
      const gate = (key: string) => sp.entries[0]!.gates.find((g) => g.key === key)!;
      expect(Math.abs(mean(gate("i").right) - 0.7)).toBeLessThan(0.08);
      for (const key of ["f", "o"]) expect(Math.abs(mean(gate(key).right) - 0.5)).toBeLessThan(0.08);
      expect(Math.abs(mean(gate("o").left) - 0.2)).toBeLessThan(0.05);
      const argmax = (xs: readonly (number | null)[]) => xs.indexOf(Math.max(...xs.map((v) => v ?? -1)));
      mostOpen = { i: argmax(gate("i").right), f: argmax(gate("f").right) };
    }
    // The search: a unit per feature, named; the prose's reading of each correlation.
    const shown = Object.assign({}, ...resultsOf(nb)) as Record<string, unknown>;
    for (const f of ["a_quotation", "the_line", "a_word", "flip_control"]) expect(shown[`unit_${f}`]).toMatch(/^[hc]\[\d+\]$/);
    const r = (f: string) => Math.abs(resultOf(nb, `r_${f}`));
    // Control "a few hundredths"; words best (≈ 0.6, an h unit), quotations moderate (≈ 0.4, a c unit whose
    // input and forget gates are the most often open), the line weak (≈ 0.2).
    expect(r("flip_control")).toBeLessThan(0.1);
    expect(Math.abs(r("a_word") - 0.6)).toBeLessThan(0.05);
    expect(shown["unit_a_word"]).toMatch(/^h/);
    expect(Math.abs(r("a_quotation") - 0.4)).toBeLessThan(0.05);
    expect(shown["unit_a_quotation"]).toBe(`c[${mostOpen["i"]}]`);
    expect(shown["unit_a_quotation"]).toBe(`c[${mostOpen["f"]}]`);
    expect(Math.abs(r("the_line") - 0.2)).toBeLessThan(0.05);
    // The three units over 300 characters: the word unit high on letters; the quotation unit higher inside
    // quotations on average, falling steadily and jumping back up at a few places; the line unit near 0 after
    // each ⏎ and below zero on average, but back near 0 in mid-line too.
    const unitsPlot = plots[3]!;
    if (unitsPlot.ok && unitsPlot.value.kind === "states") {
      const up = unitsPlot.value;
      expect(up.unitIds).toHaveLength(3);
      const chars = up.tokens.map((t) => (t === "␣" ? " " : t === "⏎" ? "\n" : t));
      const series = (key: string, k: number) => up.series.find((s) => s.key === key)!.z.map((row) => row[k]!);
      const avg = (xs: number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
      const word = series("h", 2);
      expect(avg(word.filter((_, t) => /[A-Za-z]/.test(chars[t]!))) - avg(word.filter((_, t) => !/[A-Za-z]/.test(chars[t]!)))).toBeGreaterThan(0.5);
      let inside = 0;
      const quoted = chars.map((ch) => (ch === '"' ? (inside = 1 - inside) : inside));
      const quote = series("c", 0);
      expect(avg(quote.filter((_, t) => quoted[t]))).toBeGreaterThan(avg(quote.filter((_, t) => !quoted[t])));
      const steps = quote.slice(1).map((v, t) => v - quote[t]!).sort((a, b) => a - b);
      expect(steps[Math.floor(steps.length / 2)]).toBeLessThan(0);
      expect(steps.filter((d) => d > 3).length).toBeGreaterThanOrEqual(2);
      expect(steps.filter((d) => d > 3).length).toBeLessThan(20);
      const line = series("c", 1);
      const afterBreaks = line.filter((_, t) => chars[t] === "\n");
      expect(afterBreaks.length).toBeGreaterThanOrEqual(4);
      for (const v of afterBreaks) expect(Math.abs(v)).toBeLessThan(1);
      expect(avg(line.filter((_, t) => chars[t] !== "\n"))).toBeLessThan(-1);
      const midLineResets = line.filter((v, t) => t > 0 && chars[t] !== "\n" && Math.abs(v) < 0.5 && line[t - 1]! < -1.5).length;
      expect(midLineResets).toBeGreaterThanOrEqual(2);
    }
    // Samples at both temperatures, 300 characters after the prime, and the share of real words.
    for (const t of ["0.5", "1.0"]) expect(text).toMatch(new RegExp(`--- temperature ${t.replace(".", "\\.")}\\nElizabeth [^]{290}`));
    expect(resultOf(nb, "real_words_t0.5")).toBeGreaterThan(resultOf(nb, "real_words_t1.0"));
    expect(resultOf(nb, "real_words_t0.5")).toBeGreaterThan(0.9);   // "almost every word is a word of the book"
    // At 1.0: line breaks, quotation marks and underscores in the sample.
    const hot = text.slice(text.indexOf("--- temperature 1.0"));
    expect(hot.slice(0, 330)).toMatch(/\n[^]*"|"[^]*\n/);
    expect(hot.slice(0, 330)).toMatch(/_/);
    // ONNX Runtime's logits equal seqlab's to float32 rounding, on the example's length and on a longer input.
    expect(resultOf(nb, "ort_probe_max_diff")).toBeLessThan(1e-5);
    expect(resultOf(nb, "ort_passage_max_diff")).toBeLessThan(1e-5);
    expect(shown["ort_passage_dims"]).toBe("(1, 1000, 74)");
    expect(text).toMatch(/ONNX file: \d+ bytes/);
    exercisesPass(text, 3);
  },
};
