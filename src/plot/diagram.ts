/**
 * The lecture's drawing of an LSTM, GRU and RNN cell, as data: a list of shapes in one
 * coordinate system, some of them bound to a quantity of the trace (a gate box filled with the
 * colour of f_t's mean, the conveyor belt stroked with c_t's). The kernel turns the list into the
 * static SVG (at the last step); the extension turns the same list into live SVG elements and
 * repaints only the bound attributes when the time slider moves. One drawing, two renderers.
 *
 * No dependencies beyond the colour maps: the extension bundles it through `seqlab/schema`.
 */
import { colorOf } from "./colors.js";
import type { HeatPanel } from "./schema/gates.js";

/** Which value a bound shape shows: the mean over units of `key` at step t (or t − 1). */
export interface Binding {
  key: string;
  /** Use step t − 1 (c_{t−1}, h_{t−1}); at t = 0 that is the initial state, unknown here: a gap. */
  previous?: boolean;
}

export interface Shape {
  tag: "rect" | "circle" | "ellipse" | "path" | "text";
  /** Fixed attributes (geometry, static colours). */
  attrs: Readonly<Record<string, string | number>>;
  /** Text content of a "text" shape (fixed). */
  text?: string;
  /** Fill (boxes) or stroke (wires) painted with the bound value's colour. */
  paint?: Binding & { attr: "fill" | "stroke" };
  /** A "text" shape whose content is the bound value ("mean 0.731": see `boundText`). */
  value?: Binding;
  /** A "text" shape drawn on a painted box: black or white, whichever reads on that colour. */
  contrast?: Binding;
  /** Names the shape for tests and styling (`data-part`). */
  part?: string;
}

export interface Diagram {
  width: number;
  height: number;
  shapes: Shape[];
}

const NEUTRAL = { stroke: "currentColor", "stroke-opacity": 0.45, "stroke-width": 2, fill: "none" };
const BELT = 7;
const WIRE = 4;

/** A wire; a painted one gets a faint outline underneath, so that a value near 0 (white) still shows. */
function wire(d: string, key?: string, previous?: boolean, width = WIRE): Shape[] {
  if (!key) return [{ tag: "path", attrs: { d, ...NEUTRAL }, part: "wire" }];
  return [
    { tag: "path", attrs: { d, fill: "none", stroke: "currentColor", "stroke-opacity": 0.3, "stroke-width": width + 2, "stroke-linecap": "round" } },
    { tag: "path", attrs: { d, fill: "none", "stroke-width": width, "stroke-linecap": "round" }, paint: { key, previous, attr: "stroke" }, part: `wire-${key}${previous ? "-prev" : ""}` },
  ];
}

/**
 * A gate or activation box: painted by its quantity, with its symbol and the mean over units
 * inside (one number cannot be every unit; the bar charts show those).
 */
function box(key: string, cx: number, cy: number, symbol: string, w = 70, h = 38): Shape[] {
  return [
    { tag: "rect", attrs: { x: cx - w / 2, y: cy - h / 2, width: w, height: h, rx: 6, stroke: "currentColor", "stroke-opacity": 0.6 }, paint: { key, attr: "fill" }, part: `box-${key}` },
    { tag: "text", attrs: { x: cx, y: cy - 3, "text-anchor": "middle", "font-size": 12, "font-weight": 600 }, text: symbol, contrast: { key } },
    { tag: "text", attrs: { x: cx, y: cy + 12, "text-anchor": "middle", "font-size": 10 }, value: { key }, contrast: { key }, part: `value-${key}` },
  ];
}

/** A pointwise operation node: ⊙, + or 1−. */
function node(cx: number, cy: number, symbol: string): Shape[] {
  return [
    // The extension's stylesheet fills part "node" with the theme's background instead of white.
    { tag: "circle", attrs: { cx, cy, r: 12, fill: "#ffffff", stroke: "currentColor", "stroke-width": 1.5 }, part: "node" },
    { tag: "text", attrs: { x: cx, y: cy + 4.5, "text-anchor": "middle", "font-size": 14 }, text: symbol },
  ];
}

function label(x: number, y: number, text: string, anchor: "start" | "middle" | "end" = "start"): Shape {
  return { tag: "text", attrs: { x, y, "text-anchor": anchor, "font-size": 12, "font-style": "italic" }, text };
}

/** Shared by all three cells: h_{t−1} from the left and x_t from below meet in the input bus. */
function inputs(busTo: number, feeds: readonly number[]): Shape[] {
  return [
    ...wire("M20 262H150", "h", true),
    label(20, 280, "hₜ₋₁"),
    ...wire("M150 318V262"),
    label(158, 316, "xₜ"),
    ...wire(`M150 262V240H${busTo}`),
    ...feeds.flatMap((x) => wire(`M${x} 240V200`)),
  ];
}

/**
 * LSTM: the cell-state conveyor belt along the top (c_{t−1} → ⊙ f_t → + i_t⊙g_t → c_t), the
 * four gates fed from the input bus, and h_t = o_t ⊙ tanh(c_t) leaving to the right.
 */
function lstm(): Shape[] {
  return [
    ...wire("M20 50H200", "c", true, BELT),
    ...wire("M200 50H340", "c", true, BELT),
    ...wire("M340 50H620", "c", false, BELT),
    label(20, 36, "cₜ₋₁"),
    label(620, 36, "cₜ", "end"),
    ...inputs(470, [200, 290, 390, 470]),
    ...wire("M200 162V62", "f"),
    ...wire("M290 162V110H328", "i"),
    ...wire("M390 162V110H352", "g"),
    ...wire("M340 98V62"),
    ...wire("M540 50V92", "c"),
    ...wire("M540 120V158"),
    ...wire("M505 181H528", "o"),
    ...wire("M540 182V262H620", "h"),
    label(620, 280, "hₜ", "end"),
    ...node(200, 50, "⊙"),
    ...node(340, 50, "+"),
    ...node(340, 110, "⊙"),
    ...node(540, 170, "⊙"),
    { tag: "ellipse", attrs: { cx: 540, cy: 106, rx: 26, ry: 14, stroke: "currentColor", "stroke-opacity": 0.6 }, paint: { key: "c", attr: "fill" }, part: "tanh-c" },
    { tag: "text", attrs: { x: 540, y: 110, "text-anchor": "middle", "font-size": 11 }, text: "tanh", contrast: { key: "c" } },
    ...box("f", 200, 181, "σ  fₜ"),
    ...box("i", 290, 181, "σ  iₜ"),
    ...box("g", 390, 181, "tanh  gₜ"),
    ...box("o", 470, 181, "σ  oₜ"),
  ];
}

/**
 * GRU: h_{t−1} runs along the top and is mixed with the candidate by the update gate,
 * h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}; the reset gate scales h_{t−1} inside the candidate.
 */
function gru(): Shape[] {
  return [
    ...wire("M20 50H360", "h", true, BELT),
    ...wire("M360 50H480", "h", true, BELT),
    ...wire("M480 50H620", "h", false, BELT),
    label(20, 36, "hₜ₋₁"),
    label(620, 36, "hₜ", "end"),
    ...wire("M20 262H150", "h", true),
    label(20, 280, "hₜ₋₁"),
    ...wire("M150 318V262"),
    label(158, 316, "xₜ"),
    ...wire("M150 262V240H520"),
    ...wire("M200 240V200"),
    ...wire("M360 240V200"),
    ...wire("M520 240V200"),
    ...wire("M250 62V98"),
    ...wire("M200 162V110H238", "r"),
    ...wire("M250 122V215H460V200"),
    ...wire("M360 162V62", "z"),
    ...wire("M360 110H408", "z"),
    ...wire("M432 110H468"),
    ...wire("M490 162V122", "n"),
    ...wire("M480 98V62"),
    ...node(250, 50, "•"),
    ...node(250, 110, "⊙"),
    ...node(360, 50, "⊙"),
    ...node(420, 110, "1−"),
    ...node(480, 110, "⊙"),
    ...node(480, 50, "+"),
    ...box("r", 200, 181, "σ  rₜ"),
    ...box("z", 360, 181, "σ  zₜ"),
    ...box("n", 490, 181, "tanh  nₜ", 80),
  ];
}

/** Elman RNN: one tanh of W_ih x_t + W_hh h_{t−1} + b, coloured by its pre-activation a_t. */
function rnn(): Shape[] {
  return [
    ...inputs(320, [320]),
    ...wire("M320 162V50H620", "h", false, BELT),
    label(620, 36, "hₜ", "end"),
    ...wire("M480 50V262H620", "h"),
    label(620, 280, "hₜ (to the next step)", "end"),
    ...box("pre", 320, 181, "tanh(aₜ)", 90),
  ];
}

const DRAWINGS = { lstm, gru, rnn };

/**
 * The shapes of one cell type, in a 640 × 330 drawing, with a caption saying what the numbers
 * in the boxes are (the mean over `units` units, when the count is known).
 */
export function cellDiagram(cell: "lstm" | "gru" | "rnn", units?: number): Diagram {
  const over = units === undefined ? "all units" : `the ${units} unit${units === 1 ? "" : "s"}`;
  const caption: Shape = {
    tag: "text",
    attrs: { x: 632, y: 325, "text-anchor": "end", "font-size": 10, "fill-opacity": 0.75 },
    text: `numbers in the boxes: mean over ${over}; the bar charts show each unit`,
    part: "caption",
  };
  return { width: 640, height: 330, shapes: [...DRAWINGS[cell](), caption] };
}

/** Mean over units of a panel at step t (null for t < 0 or when every value is a gap). */
export function stepMean(panel: HeatPanel, t: number): number | null {
  const row = panel.z[t];
  if (!row) return null;
  let sum = 0;
  let count = 0;
  for (const v of row) {
    if (v !== null) {
      sum += v;
      count++;
    }
  }
  return count ? sum / count : null;
}

/** The value a binding shows at step t. */
export function boundValue(panels: readonly HeatPanel[], b: Binding, t: number): { value: number | null; panel: HeatPanel } {
  const panel = panels.find((q) => q.key === b.key);
  if (!panel) throw new Error(`the diagram needs quantity "${b.key}", which the payload lacks`);
  return { value: stepMean(panel, b.previous ? t - 1 : t), panel };
}

/** The colour a binding paints at step t. */
export function boundColor(panels: readonly HeatPanel[], b: Binding, t: number): string {
  const { value, panel } = boundValue(panels, b, t);
  return colorOf(value, panel.zmin, panel.zmax, panel.colorScale);
}

/** Black or white text, whichever contrasts with a "#rrggbb" background (WCAG relative luminance). */
export function contrastText(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const lin = (c: number): number => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const L = 0.2126 * lin(((n >> 16) & 255) / 255) + 0.7152 * lin(((n >> 8) & 255) / 255) + 0.0722 * lin((n & 255) / 255);
  return L > 0.22 ? "#111111" : "#ffffff";
}

/** What a box's value text reads at step t: "mean 0.731" (see `cellDiagram`'s caption). */
export function boundText(panels: readonly HeatPanel[], b: Binding, t: number): string {
  return `mean ${valueText(boundValue(panels, b, t).value)}`;
}

/** The value text of a binding: 3 decimals, "—" for a gap. */
export function valueText(v: number | null): string {
  return v === null ? "—" : v.toFixed(3);
}
