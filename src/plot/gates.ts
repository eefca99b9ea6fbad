/**
 * Gate timeline: what every gate and state of a recurrent layer did at every step, as
 * heatmaps over time × hidden unit. Built from a forward pass's trace, e.g.
 *
 *   const [out, [hN, cN], trace] = lstm.forward(x, null, { trace: true });
 *   plot.gates(trace, { tokens: ["I", "like", "pizza"] });
 */
import type { Tensor } from "../tensor.js";
import type { GRUTraceEntry, LSTMTraceEntry, RNNTraceEntry } from "../nn/recurrent/trace.js";
import { MIME_TYPE, validatePlot, type ColorScale, type GatesPlot, type HeatPanel } from "./schema.js";
import { show, withSummary, type ShowOptions } from "./show.js";

export type TraceEntry = LSTMTraceEntry | GRUTraceEntry | RNNTraceEntry;

export interface GatesOptions extends ShowOptions {
  /** Labels for the time axis, one per step (default "t=0", "t=1", …). */
  tokens?: readonly string[];
  /** Which sequence of the batch to show (default 0). */
  batch?: number;
  title?: string;
}

interface PanelSpec {
  key: string;
  label: string;
  scale: ColorScale;
}

// The lecture's names for each quantity; gates are sequential in [0, 1], the rest diverging.
const PANELS = {
  lstm: [
    { key: "i", label: "input gate i_t", scale: "sequential" },
    { key: "f", label: "forget gate f_t", scale: "sequential" },
    { key: "g", label: "candidate memory g_t", scale: "diverging" },
    { key: "o", label: "output gate o_t", scale: "sequential" },
    { key: "c", label: "cell state c_t", scale: "diverging" },
    { key: "h", label: "hidden state h_t", scale: "diverging" },
  ],
  gru: [
    { key: "r", label: "reset gate r_t", scale: "sequential" },
    { key: "z", label: "update gate z_t", scale: "sequential" },
    { key: "n", label: "candidate state n_t", scale: "diverging" },
    { key: "h", label: "hidden state h_t", scale: "diverging" },
  ],
  rnn: [
    { key: "pre", label: "pre-activation a_t", scale: "diverging" },
    { key: "h", label: "hidden state h_t", scale: "diverging" },
  ],
} satisfies Record<GatesPlot["cell"], PanelSpec[]>;

export function cellOf(entry: TraceEntry): GatesPlot["cell"] {
  if ("i" in entry) return "lstm";
  if ("r" in entry) return "gru";
  return "rnn";
}

/** One sequence's (T, B, H) slice as z[t][unit]; non-finite values become null (a gap). */
function sequenceMatrix(t: Tensor, b: number): (number | null)[][] {
  const [T, B, H] = t.shape as [number, number, number];
  const z: (number | null)[][] = [];
  for (let s = 0; s < T; s++) {
    const row: (number | null)[] = [];
    for (let u = 0; u < H; u++) {
      const v = t.data[(s * B + b) * H + u]!;
      row.push(Number.isFinite(v) ? v : null);
    }
    z.push(row);
  }
  return z;
}

// Candidates come out of tanh, so [−1, 1] is their natural scale; states can grow (c_t, relu
// RNNs), so their scale is the largest |value| over all layers and directions of the trace:
// one colour scale per quantity, symmetric so that white always means zero.
const TANH_BOUNDED = new Set(["g", "n"]);

function symmetricBound(matrices: (number | null)[][][]): number {
  let m = 0;
  for (const z of matrices) for (const row of z) for (const v of row) if (v !== null) m = Math.max(m, Math.abs(v));
  return m === 0 ? 1 : m;
}

/** Builds (and, in a notebook, shows) the gate timeline of a trace. Returns the payload. */
export function gates(trace: readonly TraceEntry[], opts: GatesOptions = {}): GatesPlot {
  if (trace.length === 0) throw new Error("plot.gates: the trace is empty; pass the third value returned by forward(x, h0, { trace: true })");
  const cell = cellOf(trace[0]!);
  const [T, B, H] = trace[0]!.h.shape as [number, number, number];
  const b = opts.batch ?? 0;
  if (!Number.isInteger(b) || b < 0 || b >= B) throw new RangeError(`plot.gates: batch ${b} is out of range; the trace holds ${B} sequences`);
  const tokens = opts.tokens ? [...opts.tokens] : Array.from({ length: T }, (_, t) => `t=${t}`);
  if (tokens.length !== T) throw new RangeError(`plot.gates: ${tokens.length} tokens for ${T} time steps; give one label per step`);
  const specs: PanelSpec[] = PANELS[cell];
  const z = trace.map((entry) => specs.map((spec) => sequenceMatrix((entry as unknown as Record<string, Tensor>)[spec.key]!, b)));
  const bounds = specs.map((spec, k) =>
    spec.scale === "sequential" ? 1 : TANH_BOUNDED.has(spec.key) ? 1 : symmetricBound(z.map((panels) => panels[k]!)),
  );
  const payload: GatesPlot = {
    version: 1,
    kind: "gates",
    title: opts.title ?? `${cell.toUpperCase()} gates and states over time`,
    cell,
    tokens: tokens.map(String),
    units: H,
    entries: trace.map((entry, e) => ({
      layer: entry.layer,
      direction: entry.direction,
      panels: specs.map((spec, k): HeatPanel => ({
        key: spec.key,
        label: spec.label,
        colorScale: spec.scale,
        zmin: spec.scale === "sequential" ? 0 : -bounds[k]!,
        zmax: bounds[k]!,
        z: z[e]![k]!,
      })),
    })),
  };
  const check = validatePlot(payload);
  if (!check.ok) throw new Error(`plot.gates built an invalid payload: ${check.errors.join("; ")}`);
  show({ [MIME_TYPE]: payload, "text/plain": gatesText(payload) }, opts);
  const layers = payload.entries.length === 1 ? "1 layer/direction" : `${payload.entries.length} layer/directions`;
  return withSummary(payload, `[seqlab plot: ${cell.toUpperCase()} gates, ${T} steps × ${H} units, ${layers}]`);
}

/** The text/plain fallback: per step, the mean of each panel over the units. */
export function gatesText(p: GatesPlot): string {
  const entry = p.entries[0]!;
  const width = Math.max(8, ...p.tokens.map((t) => t.length + 1));
  const pad = (s: string): string => s.slice(0, width - 1).padStart(width);
  const lines = [`${p.title} — layer ${entry.layer}, ${entry.direction}; ${p.tokens.length} steps × ${p.units} units (mean over units)`];
  const labelWidth = Math.max(...entry.panels.map((q) => q.key.length)) + 2;
  lines.push(" ".repeat(labelWidth) + p.tokens.map(pad).join(""));
  for (const q of entry.panels) {
    const means = q.z.map((row) => {
      const vals = row.filter((v): v is number => v !== null);
      return vals.length ? (vals.reduce((a, v) => a + v, 0) / vals.length).toFixed(3) : "—";
    });
    lines.push(q.key.padEnd(labelWidth) + means.map(pad).join(""));
  }
  if (p.entries.length > 1) lines.push(`(+ ${p.entries.length - 1} more layer/direction entries in the interactive view)`);
  return lines.join("\n");
}
