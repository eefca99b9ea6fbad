/**
 * Next-token predictions: at each step, the k tokens the model finds most likely to come next,
 * as bars, with the true next token marked. The lecture's walk through "I like pizza. I like
 * cake.": after "I" the model should say "like"; after "like", "pizza" and "cake" share the mass.
 *
 *   const logits = model.forward(ids);                 // (1, T, V)
 *   plot.predictions({ tokens, probs: logits, vocab, targets });
 */
import type { Tensor } from "../tensor.js";
import { emit, fmtOrGap, textTable } from "./emit.js";
import { downsampleNote, finiteOrNull, keptSteps, label, stepLabels } from "./sample.js";
import { MAX_PREDICTION_STEPS, MAX_TOP_K, type PredictionStep, type PredictionsPlot } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { barChart, figure, type Part } from "./svg.js";

export interface PredictionsInput extends ShowOptions {
  /**
   * Per step, a distribution (or logits) over the vocabulary: steps × vocab numbers, or a
   * Tensor of shape (T, V), or (B, T, V) read batch-first (what a Linear on a batch-first
   * recurrent output gives).
   */
  probs: readonly (readonly number[])[] | Tensor;
  /** The token of each vocabulary id. */
  vocab: readonly string[];
  /** The input token at each step (default "t=0", …). */
  tokens?: readonly string[];
  /** The true next token at each step, as a token or an id. */
  targets?: readonly string[] | readonly number[];
  /** Bars per step (default 3). */
  k?: number;
  /** Which sequence of a (B, T, V) tensor (default 0). */
  batch?: number;
  /**
   * The step t the interactive view opens at (default 0), e.g. the step a notebook discusses;
   * the static picture includes it. On a downsampled sequence, the nearest kept step.
   */
  at?: number;
  /**
   * Whether `probs` holds probabilities or logits. "auto" (the default) treats rows that are
   * non-negative and sum to 1 (within 1e-4) as probabilities and applies softmax otherwise.
   */
  from?: "auto" | "probs" | "logits";
  title?: string;
}

/** The rows of `probs` as plain number arrays, one per step. */
function rowsOf(who: string, probs: PredictionsInput["probs"], V: number, batch: number): number[][] {
  if (Array.isArray(probs)) return (probs as readonly (readonly number[])[]).map((row) => [...row]);
  const t = probs as Tensor;
  const shape = t.shape;
  if (shape.length !== 2 && shape.length !== 3) throw new RangeError(`${who}: probs must have shape (T, V) or (B, T, V), got (${shape.join(", ")})`);
  const [B, T, W] = (shape.length === 2 ? [1, ...shape] : shape) as [number, number, number];
  if (W !== V) throw new RangeError(`${who}: probs has ${W} values per step but the vocabulary has ${V} tokens`);
  if (!Number.isInteger(batch) || batch < 0 || batch >= B) throw new RangeError(`${who}: batch ${batch} is out of range; probs holds ${B} sequences`);
  return Array.from({ length: T }, (_, s) => Array.from(t.data.subarray((batch * T + s) * V, (batch * T + s + 1) * V)));
}

function isDistribution(row: readonly number[]): boolean {
  let sum = 0;
  for (const v of row) {
    if (!(v >= 0 && v <= 1)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) <= 1e-4;
}

/** softmax with the max subtracted first, so large logits do not overflow. */
function softmax(row: readonly number[]): number[] {
  const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}

/** Builds (and, in a notebook, shows) the top-k next-token predictions at every step. */
export function predictions(input: PredictionsInput): PredictionsPlot {
  const who = "plot.predictions";
  const vocab = input.vocab.map(label);
  const V = vocab.length;
  if (V === 0) throw new RangeError(`${who}: the vocabulary is empty`);
  const rows = rowsOf(who, input.probs, V, input.batch ?? 0);
  const T = rows.length;
  if (T === 0) throw new RangeError(`${who}: probs has 0 steps; there is nothing to predict`);
  rows.forEach((row, s) => {
    if (row.length !== V) throw new RangeError(`${who}: step ${s} has ${row.length} probabilities but the vocabulary has ${V} tokens`);
  });
  const k = input.k ?? 3;
  if (!Number.isInteger(k) || k < 1 || k > MAX_TOP_K) throw new RangeError(`${who}: k must be an integer from 1 to ${MAX_TOP_K}, got ${k}`);
  const tokens = stepLabels(who, T, input.tokens);
  const targets = input.targets;
  if (targets && targets.length !== T) throw new RangeError(`${who}: ${targets.length} targets for ${T} steps; give the true next token of each step`);
  const targetId = (s: number): number | null => {
    if (!targets) return null;
    const v = targets[s]!;
    const id = typeof v === "number" ? v : input.vocab.indexOf(v);
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new RangeError(`${who}: target ${JSON.stringify(v)} at step ${s} is not in the vocabulary`);
    return id;
  };
  const from = input.from ?? "auto";
  const kept = keptSteps(T, MAX_PREDICTION_STEPS);
  const at = input.at ?? 0;
  if (!Number.isInteger(at) || at < 0 || at >= T) throw new RangeError(`${who}: at must be a step from 0 to ${T - 1}, got ${at}`);
  const shownAt = kept.reduce((best, s) => (Math.abs(s - at) < Math.abs(best - at) ? s : best), kept[0]!);

  const steps = kept.map((s): PredictionStep => {
    const raw = rows[s]!;
    const p = from === "probs" || (from === "auto" && isDistribution(raw)) ? raw : softmax(raw);
    // NaN sorts last: a broken step shows its gaps instead of random tokens on top.
    const order = p.map((_, id) => id).sort((a, b) => (Number.isFinite(p[b]!) ? p[b]! : -1) - (Number.isFinite(p[a]!) ? p[a]! : -1) || a - b);
    const id = targetId(s);
    return {
      t: s,
      input: tokens[s]!,
      top: order.slice(0, Math.min(k, V)).map((j) => ({ token: vocab[j]!, p: finiteOrNull(p[j]!) })),
      target: id === null ? null : { token: vocab[id]!, p: finiteOrNull(p[id]!), rank: order.indexOf(id) + 1 },
    };
  });
  const payload: PredictionsPlot = {
    version: 1,
    kind: "predictions",
    title: input.title !== undefined ? label(input.title) : "What the model expects next",
    note: downsampleNote(kept.length, T),
    k,
    vocabSize: V,
    steps,
    at: shownAt,
  };
  const hits = steps.filter((s) => s.target?.rank === 1).length;
  const summary = `[seqlab plot: top-${k} next-token predictions over ${T} steps${targets ? `, true token ranked first at ${hits} of ${steps.length}` : ""}]`;
  return emit(who, payload, { text: predictionsText(payload), svg: predictionsSvg(payload) }, input, summary);
}

/** The text view: per step, the input token, the top-k with probabilities, the true next token. */
export function predictionsText(p: PredictionsPlot): string {
  const rows = p.steps.map((s) => [
    String(s.t),
    s.input,
    s.top.map((b) => `${b.token} ${fmtOrGap(b.p)}`).join(", "),
    s.target ? `${s.target.token} ${fmtOrGap(s.target.p)} (rank ${s.target.rank})` : "",
  ]);
  return `${[p.title, p.note].filter(Boolean).join(" — ")}\n${textTable(["t", "input", `top ${p.k} next tokens`, "true next"], rows)}`;
}

/** Small multiples: one bar chart per step (12 of them), the true next token highlighted. */
const SVG_STEPS = 12;

export function predictionsSvg(p: PredictionsPlot): string {
  // The window of steps drawn holds the one the interactive view opens at.
  const at = Math.max(0, p.steps.findIndex((s) => s.t === p.at));
  const first = Math.max(0, Math.min(at - Math.floor(SVG_STEPS / 2), p.steps.length - SVG_STEPS));
  const parts: Part[] = p.steps.slice(first, first + SVG_STEPS).map((s) => {
    const bars = s.top.map((b) => ({ label: b.token, value: b.p, highlight: s.target?.token === b.token }));
    // A true token outside the top k still gets its bar, after the others.
    if (s.target && !s.top.some((b) => b.token === s.target!.token)) bars.push({ label: `${s.target.token} (#${s.target.rank})`, value: s.target.p, highlight: true });
    const label = `after “${s.input}”${s.t === p.at && p.at !== p.steps[0]!.t ? " ◀" : ""}`;
    return barChart({ label, bars, ymin: 0, ymax: 1, yTitle: "probability", width: 40 * bars.length + 20, height: 110 });
  });
  const drawn = first === 0 ? `first ${SVG_STEPS}` : `steps ${first + 1}–${first + parts.length}`;
  const more = p.steps.length > SVG_STEPS ? `${drawn} of ${p.steps.length} steps; ` : "";
  const marked = p.at !== undefined && p.at !== p.steps[0]!.t ? `◀ the step the interactive view opens at (t=${p.at}); ` : "";
  return figure(p.title, parts, { subtitle: `${more}${marked}highlighted: the true next token${p.note ? `; ${p.note}` : ""}` });
}
