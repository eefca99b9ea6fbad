/**
 * Gate saturation (Karpathy, Johnson & Fei-Fei 2015, "Visualizing and Understanding Recurrent
 * Networks", fig. 3): for each unit of each gate, the fraction of steps it was left-saturated
 * (below 0.1: the gate is shut) against right-saturated (above 0.9: wide open). Units in the
 * bottom-left corner act like soft switches that rarely decide; units along the axes make hard
 * decisions; a forget gate unit near the right edge remembers across the whole sequence.
 */
import { emit, fmtOrGap, textTable } from "./emit.js";
import { assertTrace, cellOf, type TraceEntry } from "./gates.js";
import { checkBatch, label } from "./sample.js";
import type { SaturationGate, SaturationPlot } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { figure, scatter, type Part } from "./svg.js";
import type { Tensor } from "../tensor.js";

export interface SaturationOptions extends ShowOptions {
  /** [low, high] (default [0.1, 0.9]): below low counts as left-, above high as right-saturated. */
  threshold?: readonly [number, number];
  /** Count only this sequence of the batch (default: every sequence). */
  batch?: number;
  title?: string;
}

const GATES = {
  lstm: [
    { key: "i", label: "input gate i" },
    { key: "f", label: "forget gate f" },
    { key: "o", label: "output gate o" },
  ],
  gru: [
    { key: "r", label: "reset gate r" },
    { key: "z", label: "update gate z" },
  ],
} as const;

/** left[u], right[u]: the fractions of finite values of unit u below `low` / above `high`. */
function fractions(t: Tensor, batches: readonly number[], low: number, high: number): { left: (number | null)[]; right: (number | null)[] } {
  const [T, B, H] = t.shape as [number, number, number];
  const left: (number | null)[] = [];
  const right: (number | null)[] = [];
  for (let u = 0; u < H; u++) {
    let below = 0;
    let above = 0;
    let count = 0;
    for (let s = 0; s < T; s++) {
      for (const b of batches) {
        const v = t.data[(s * B + b) * H + u]!;
        if (!Number.isFinite(v)) continue;
        count++;
        if (v < low) below++;
        else if (v > high) above++;
      }
    }
    left.push(count ? below / count : null);
    right.push(count ? above / count : null);
  }
  return { left, right };
}

/** Builds (and, in a notebook, shows) one saturation scatter per gate, per layer and direction. */
export function saturation(trace: readonly TraceEntry[], opts: SaturationOptions = {}): SaturationPlot {
  const who = "plot.saturation";
  assertTrace(who, trace);
  if (trace.length === 0) throw new Error(`${who}: the trace is empty; pass the third value returned by forward(x, h0, { trace: true })`);
  const cell = cellOf(trace[0]!);
  if (cell === "rnn") throw new TypeError(`${who}: a plain RNN has no gates to saturate; use an LSTM or GRU trace (plot.states shows an RNN's h_t)`);
  const [low, high] = opts.threshold ?? [0.1, 0.9];
  if (!(low >= 0 && high <= 1 && low <= high)) throw new RangeError(`${who}: threshold must be [low, high] with 0 ≤ low ≤ high ≤ 1, got [${low}, ${high}]`);
  const [T, B] = trace[0]!.h.shape as [number, number, number];
  if (T === 0) throw new RangeError(`${who}: the trace has 0 time steps; there is nothing to count`);
  const batches = opts.batch === undefined ? Array.from({ length: B }, (_, b) => b) : [checkBatch(who, opts.batch, B)];
  const gateUnits = (trace[0] as unknown as Record<string, Tensor>)[GATES[cell][0].key]!.shape[2]!;
  const payload: SaturationPlot = {
    version: 1,
    kind: "saturation",
    title: opts.title !== undefined ? label(opts.title) : `${cell.toUpperCase()} gate saturation`,
    cell,
    threshold: [low, high],
    samples: T * batches.length,
    units: gateUnits,
    entries: trace.map((entry) => ({
      layer: entry.layer,
      direction: entry.direction,
      gates: GATES[cell].map((g): SaturationGate => ({
        key: g.key,
        label: g.label,
        ...fractions((entry as unknown as Record<string, Tensor>)[g.key]!, batches, low, high),
      })),
    })),
  };
  const summary = `[seqlab plot: ${cell.toUpperCase()} gate saturation, ${gateUnits} units, ${T * batches.length} samples per unit]`;
  return emit(who, payload, { text: saturationText(payload), svg: saturationSvg(payload) }, opts, summary);
}

/** The text view: per gate, the mean fractions and the most left/right-saturated unit. */
export function saturationText(p: SaturationPlot): string {
  const [low, high] = p.threshold;
  const lines = [`${p.title}: fraction of ${p.samples} steps each unit spent below ${low} (left) or above ${high} (right)`];
  for (const entry of p.entries) {
    const rows = entry.gates.map((g) => {
      const mean = (xs: (number | null)[]): number | null => {
        const ok = xs.filter((v): v is number => v !== null);
        return ok.length ? ok.reduce((a, v) => a + v, 0) / ok.length : null;
      };
      const argmax = (xs: (number | null)[]): string => String(xs.reduce<number>((best, v, u) => ((v ?? -1) > (xs[best] ?? -1) ? u : best), 0));
      return [g.label, fmtOrGap(mean(g.left)), fmtOrGap(mean(g.right)), argmax(g.left), argmax(g.right)];
    });
    lines.push(`layer ${entry.layer}, ${entry.direction}`, textTable(["gate", "mean left", "mean right", "most left unit", "most right unit"], rows));
  }
  return lines.join("\n");
}

/** The static picture: the first layer/direction's scatters (the interactive view has a selector). */
export function saturationSvg(p: SaturationPlot): string {
  const entry = p.entries[0]!;
  const parts: Part[] = entry.gates.map((g) =>
    scatter({
      label: g.label,
      points: g.left.flatMap((l, u) => (l === null || g.right[u] === null ? [] : [{ x: l, y: g.right[u]! }])),
      xTitle: `fraction left-saturated (< ${p.threshold[0]})`,
      yTitle: `fraction right-saturated (> ${p.threshold[1]})`,
      xRange: [0, 1],
      yRange: [0, 1],
      // No unit can be beyond left + right = 1.
      lines: [{ points: [[0, 1], [1, 0]], dashed: true }],
      width: 200,
      height: 200,
    }),
  );
  const subtitle = p.entries.length > 1 ? `layer ${entry.layer}, ${entry.direction} (${p.entries.length - 1} more in the interactive view)` : undefined;
  return figure(p.title, parts, { subtitle });
}
