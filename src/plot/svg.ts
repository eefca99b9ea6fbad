/**
 * Static pictures for the `image/svg+xml` fallback of every plot, drawn in the kernel so that
 * a notebook reads on GitHub, nbviewer and a JupyterLab without seqlab's extension.
 *
 * Hand-written on purpose: a plot call must return synchronously in Node and in the browser,
 * and no charting library fits. vega's SVG renderer is asynchronous (`view.toSVG()` returns a
 * Promise) and plotly needs a DOM. So this is a tiny string writer: a few chart primitives that
 * each return a `Part` (SVG elements drawn at the origin, plus their size), and `figure` that
 * lays parts out in a grid under a title. Every string from the caller goes through `escapeXml`;
 * nothing uses ids (several pictures share one HTML page), so colour legends are plain rects.
 */
import { colorAt, MISSING_COLOR, SERIES_COLORS } from "./colors.js";
import { downsampleRows } from "./downsample.js";
import type { ColorScale } from "./schema/common.js";
import { labelBox, placeLabels } from "./labels.js";
import { fmt, legendTicks } from "./ticks.js";

/** Escapes text and attribute values: the five XML specials, and drops control characters XML forbids. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** A drawn piece of a figure: SVG elements at (0, 0)–(width, height). */
export interface Part {
  width: number;
  height: number;
  body: string;
}

const TEXT = "#333333";
const GRID = "#dddddd";
const FONT = 11;

/** Numbers in coordinates: two decimals are plenty and keep the file small. */
const n = (v: number): string => String(Math.round(v * 100) / 100);

export { fmt };

/** Long labels are cut (the interactive view has the full text). */
function clip(label: string, max = 14): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

/** Any element, with every attribute value and the text content escaped. */
export function element(tag: string, attrs: Readonly<Record<string, string | number>>, content?: string): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeXml(typeof v === "number" ? n(v) : v)}"`).join("");
  return content === undefined ? `<${tag}${a}/>` : `<${tag}${a}>${escapeXml(content)}</${tag}>`;
}

function text(x: number, y: number, content: string, opts: { anchor?: "start" | "middle" | "end"; size?: number; rotate?: number; weight?: string; fill?: string } = {}): string {
  const attrs = [`x="${n(x)}"`, `y="${n(y)}"`];
  if (opts.anchor && opts.anchor !== "start") attrs.push(`text-anchor="${opts.anchor}"`);
  if (opts.size && opts.size !== FONT) attrs.push(`font-size="${opts.size}"`);
  if (opts.weight) attrs.push(`font-weight="${opts.weight}"`);
  if (opts.fill) attrs.push(`fill="${opts.fill}"`);
  if (opts.rotate) attrs.push(`transform="rotate(${opts.rotate} ${n(x)} ${n(y)})"`);
  return `<text ${attrs.join(" ")}>${escapeXml(content)}</text>`;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke = GRID): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${stroke}"/>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, extra = ""): string {
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="${fill}"${extra}/>`;
}

function translate(x: number, y: number, body: string): string {
  return `<g transform="translate(${n(x)} ${n(y)})">${body}</g>`;
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** Indices of at most `max` evenly spread labels out of `count` (first and last included). */
function spread(count: number, max: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, k) => k);
  const out = new Set<number>();
  for (let j = 0; j < max; j++) out.add(Math.round((j * (count - 1)) / (max - 1)));
  return [...out];
}

/** A horizontal colour legend: `steps` rects from zmin to zmax with the two end values. */
function colorLegend(x: number, y: number, width: number, zmin: number, zmax: number, scale: ColorScale): string {
  const steps = 24;
  const w = width / steps;
  const cells = Array.from({ length: steps }, (_, k) => rect(x + k * w, y, w + 0.3, 8, colorAt(scale, (k + 0.5) / steps))).join("");
  const span = zmax > zmin ? zmax - zmin : 1;
  const { values, labels } = legendTicks(zmin, zmax, scale);
  const anchor = (k: number): "start" | "middle" | "end" => (k === 0 ? "start" : k === values.length - 1 ? "end" : "middle");
  return cells + values.map((v, k) => text(x + ((v - zmin) / span) * width, y + 19, labels[k]!, { anchor: anchor(k), size: 9 })).join("");
}

export interface HeatmapSpec {
  /** Panel title, e.g. "forget gate f_t". */
  label: string;
  /** z[x][y]: one array per column (e.g. per time step), each holding the rows (e.g. units). null is a gap. */
  z: readonly (readonly (number | null)[])[];
  zmin: number;
  zmax: number;
  scale: ColorScale;
  /** One label per column (tokens); thinned out when there are many. */
  xLabels?: readonly string[];
  xTitle?: string;
  yTitle?: string;
  /** One label per row; default the row index. */
  yLabels?: readonly string[];
  /** Drawing area in px (default 320 × up to 160). */
  width?: number;
  height?: number;
  /** Cap on drawn columns and rows; beyond it neighbours are averaged (defaults 200 and 64). */
  maxColumns?: number;
  maxRows?: number;
}

/** Quantised colour levels: every cell of one level is one <path>, which keeps big maps small. */
const LEVELS = 64;

/** A heatmap with its axis labels and a colour legend underneath. */
export function heatmap(s: HeatmapSpec): Part {
  // Columns first (time), then rows (units), both by bucket means.
  const cols = downsampleRows(s.z, s.maxColumns ?? 200);
  const rowsT = downsampleRows(transpose(cols.z), s.maxRows ?? 64);
  const nx = cols.z.length;
  const ny = rowsT.z.length;
  const w = s.width ?? 320;
  const h = s.height ?? Math.min(160, Math.max(40, 10 * ny));
  const left = 40;
  const top = 20;
  const xl = s.xLabels;
  const rotate = xl ? xl.some((l) => l.length > 3) && nx > 8 : false;
  const bottom = (xl ? (rotate ? 52 : 16) : 6) + (s.xTitle ? 14 : 0) + 28;
  const cw = nx ? w / nx : w;
  const ch = ny ? h / ny : h;

  const paths = new Map<number, string[]>();
  const gaps: string[] = [];
  const span = s.zmax > s.zmin ? s.zmax - s.zmin : 1;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const v = rowsT.z[y]![x] ?? null;
      const cell = `M${n(left + x * cw)} ${n(top + y * ch)}h${n(cw)}v${n(ch)}h${n(-cw)}z`;
      if (v === null) {
        gaps.push(cell);
        continue;
      }
      const level = Math.round(Math.min(1, Math.max(0, (v - s.zmin) / span)) * (LEVELS - 1));
      let list = paths.get(level);
      if (!list) paths.set(level, (list = []));
      list.push(cell);
    }
  }
  const parts: string[] = [text(left, 13, s.label, { weight: "600", size: 12 })];
  for (const [level, cells] of paths) parts.push(`<path fill="${colorAt(s.scale, level / (LEVELS - 1))}" d="${cells.join("")}"/>`);
  if (gaps.length) parts.push(`<path fill="${MISSING_COLOR}" d="${gaps.join("")}"/>`);
  if (nx === 0 || ny === 0) parts.push(rect(left, top, w, h, "none", ` stroke="${GRID}"`), text(left + w / 2, top + h / 2, "no data (empty sequence)", { anchor: "middle" }));

  // Axes: x labels under their (bucket's first) column; y: row labels or indices.
  if (xl && nx) {
    for (const k of spread(nx, Math.max(2, Math.floor(w / (rotate ? 12 : 28))))) {
      const x = left + (k + 0.5) * cw;
      const label = clip(xl[cols.starts[k]!] ?? "");
      parts.push(rotate ? text(x, top + h + 8, label, { anchor: "end", rotate: -45, size: 9 }) : text(x, top + h + 11, label, { anchor: "middle", size: 9 }));
    }
  }
  if (ny) {
    for (const k of spread(ny, Math.max(2, Math.floor(h / 12)))) {
      const label = s.yLabels ? clip(s.yLabels[rowsT.starts[k]!] ?? "", 6) : String(rowsT.starts[k]);
      parts.push(text(left - 3, top + (k + 0.5) * ch + 3, label, { anchor: "end", size: 9 }));
    }
  }
  let y = top + h + (xl ? (rotate ? 52 : 16) : 6);
  if (s.xTitle) parts.push(text(left + w / 2, (y += 12), s.xTitle, { anchor: "middle", size: 10 }));
  if (s.yTitle) parts.push(text(10, top + h / 2, s.yTitle, { anchor: "middle", size: 10, rotate: -90 }));
  parts.push(colorLegend(left + w / 2 - 60, y + 6, 120, s.zmin, s.zmax, s.scale));
  return { width: left + w + 10, height: top + h + bottom, body: parts.join("") };
}

function transpose<T>(z: readonly (readonly T[])[]): T[][] {
  const rows = z[0]?.length ?? 0;
  return Array.from({ length: rows }, (_, r) => z.map((col) => col[r]!));
}

/** A numeric axis frame: ticks, grid lines and titles around a w × h plotting area at (left, top). */
interface Frame {
  left: number;
  top: number;
  w: number;
  h: number;
  toX(v: number): number;
  toY(v: number): number;
  body: string[];
}

function frame(o: { label: string; xmin: number; xmax: number; ymin: number; ymax: number; logY?: boolean; xTitle?: string; yTitle?: string; width?: number; height?: number; xTicks?: boolean }): Frame {
  const left = 52;
  const top = 20;
  const w = o.width ?? 320;
  const h = o.height ?? 180;
  const ly = (v: number): number => (o.logY ? Math.log10(v) : v);
  const [y0, y1] = [ly(o.ymin), ly(o.ymax)];
  const ySpan = y1 > y0 ? y1 - y0 : 1;
  const xSpan = o.xmax > o.xmin ? o.xmax - o.xmin : 1;
  const toX = (v: number): number => left + ((v - o.xmin) / xSpan) * w;
  const toY = (v: number): number => top + h - ((ly(v) - y0) / ySpan) * h;
  const body = [text(left, 13, o.label, { weight: "600", size: 12 })];
  const yTicks = o.logY
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, k) => 10 ** (Math.ceil(y0) + k))
    : niceTicks(o.ymin, o.ymax, 4);
  for (const v of yTicks) body.push(line(left, toY(v), left + w, toY(v)), text(left - 4, toY(v) + 3, fmt(v), { anchor: "end", size: 9 }));
  if (o.xTicks !== false) for (const v of niceTicks(o.xmin, o.xmax, 5)) body.push(text(toX(v), top + h + 12, fmt(v), { anchor: "middle", size: 9 }));
  body.push(line(left, top + h, left + w, top + h, TEXT), line(left, top, left, top + h, TEXT));
  if (o.xTitle) body.push(text(left + w / 2, top + h + 26, o.xTitle, { anchor: "middle", size: 10 }));
  if (o.yTitle) body.push(text(11, top + h / 2, o.yTitle, { anchor: "middle", size: 10, rotate: -90 }));
  return { left, top, w, h, toX, toY, body };
}

function extent(values: Iterable<number>, fallback: [number, number]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo)) return fallback;
  return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

/** A legend below a chart: one coloured swatch and name per entry, wrapped into rows. */
function legend(x: number, y: number, width: number, entries: readonly { name: string; color: string }[]): { body: string; height: number } {
  const body: string[] = [];
  let cx = 0;
  let row = 0;
  for (const e of entries) {
    const label = clip(e.name, 48);
    const ew = 22 + label.length * 6;
    if (cx > 0 && cx + ew > width) {
      cx = 0;
      row++;
    }
    body.push(rect(x + cx, y + row * 15, 12, 3, e.color), text(x + cx + 16, y + row * 15 + 5, label, { size: 10 }));
    cx += ew + 8;
  }
  return { body: body.join(""), height: entries.length ? (row + 1) * 15 + 4 : 0 };
}

export interface LineSeries {
  name: string;
  /** y values; null (or ≤ 0 on a log axis) is a gap in the line. */
  y: readonly (number | null)[];
  /** x values (default 0, 1, 2, …). */
  x?: readonly number[];
}

export interface LineChartSpec {
  label: string;
  series: readonly LineSeries[];
  logY?: boolean;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
  /** Longer series are averaged down to this many points (default 500). */
  maxPoints?: number;
}

/** Several lines over a shared x axis, with a legend (optional log-scaled y). */
export function lineChart(s: LineChartSpec): Part {
  const max = s.maxPoints ?? 500;
  const usable = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v) && (!s.logY || v > 0);
  const series = s.series.map((q) => {
    const xs = q.x ?? q.y.map((_, k) => k);
    if (q.y.length <= max) return { name: q.name, x: [...xs], y: [...q.y] };
    const { z, starts } = downsampleRows(q.y.map((v) => [usable(v) ? v : null]), max);
    return { name: q.name, x: starts.map((k) => xs[k]!), y: z.map((r) => r[0] ?? null) };
  });
  const xs = extent(series.flatMap((q) => q.x), [0, 1]);
  let ys = extent(series.flatMap((q) => q.y.filter(usable)), s.logY ? [0.1, 10] : [0, 1]);
  if (s.logY) ys = [10 ** Math.floor(Math.log10(ys[0])), 10 ** Math.ceil(Math.log10(ys[1]))];
  const f = frame({ label: s.label, xmin: xs[0], xmax: xs[1], ymin: ys[0], ymax: ys[1], logY: s.logY, xTitle: s.xTitle, yTitle: s.yTitle, width: s.width, height: s.height });
  series.forEach((q, k) => {
    let d = "";
    let pen = false;
    q.y.forEach((v, j) => {
      if (!usable(v)) return void (pen = false);
      d += `${pen ? "L" : "M"}${n(f.toX(q.x[j]!))} ${n(f.toY(v))}`;
      pen = true;
    });
    if (d) f.body.push(`<path fill="none" stroke-width="1.5" stroke="${SERIES_COLORS[k % SERIES_COLORS.length]}" d="${d}"/>`);
  });
  const lg = legend(f.left, f.top + f.h + (s.xTitle ? 34 : 22), f.w, series.map((q, k) => ({ name: q.name, color: SERIES_COLORS[k % SERIES_COLORS.length]! })));
  f.body.push(lg.body);
  return { width: f.left + f.w + 12, height: f.top + f.h + (s.xTitle ? 34 : 22) + lg.height, body: f.body.join("") };
}

export interface Bar {
  label: string;
  value: number | null;
  /** Drawn in the accent colour (e.g. the true next token). */
  highlight?: boolean;
}

export interface BarChartSpec {
  label: string;
  bars: readonly Bar[];
  /** Value axis range (default from the data, always including 0). */
  ymin?: number;
  ymax?: number;
  yTitle?: string;
  width?: number;
  height?: number;
}

/** Vertical bars with a label under each (at most 100 drawn; the rest are summarised). */
export function barChart(s: BarChartSpec): Part {
  const bars = s.bars.slice(0, 100);
  const values = bars.map((b) => b.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const ymin = s.ymin ?? Math.min(0, ...values);
  const ymax = s.ymax ?? Math.max(ymin === 0 ? 1e-9 : 0, ...values);
  const rotate = bars.length > 8 || bars.some((b) => b.label.length > 6);
  const f = frame({ label: s.label, xmin: 0, xmax: Math.max(1, bars.length), ymin, ymax: ymax > ymin ? ymax : ymin + 1, yTitle: s.yTitle, width: s.width, height: s.height ?? 140, xTicks: false });
  const slot = f.w / Math.max(1, bars.length);
  bars.forEach((b, k) => {
    const x = f.left + k * slot;
    if (b.value !== null && Number.isFinite(b.value)) {
      const y0 = f.toY(Math.max(ymin, Math.min(0, ymax)));
      const y1 = f.toY(Math.max(ymin, Math.min(b.value, ymax)));
      f.body.push(rect(x + slot * 0.15, Math.min(y0, y1), slot * 0.7, Math.abs(y1 - y0), b.highlight ? SERIES_COLORS[1]! : SERIES_COLORS[0]!));
    }
    const cx = x + slot / 2;
    f.body.push(rotate ? text(cx, f.top + f.h + 8, clip(b.label, 10), { anchor: "end", rotate: -45, size: 9 }) : text(cx, f.top + f.h + 12, clip(b.label, 10), { anchor: "middle", size: 9 }));
  });
  if (s.bars.length > bars.length) f.body.push(text(f.left + f.w, f.top - 4, `first 100 of ${s.bars.length}`, { anchor: "end", size: 9 }));
  return { width: f.left + f.w + 12, height: f.top + f.h + (rotate ? 52 : 20), body: f.body.join("") };
}

export interface ScatterPoint {
  x: number;
  y: number;
  /** Drawn next to the point (e.g. its token). */
  label?: string;
  /** Points of one group share a colour and a legend entry. */
  group?: string;
}

export interface ScatterSpec {
  label: string;
  points: readonly ScatterPoint[];
  xTitle?: string;
  yTitle?: string;
  /** Fixed axis ranges (default from the data). */
  xRange?: [number, number];
  yRange?: [number, number];
  width?: number;
  height?: number;
  /** Point labels beyond this many are not drawn (default 200). */
  maxLabels?: number;
  /** Polylines in data coordinates, drawn under the points: a guide, or the points' path in time order. */
  lines?: readonly { points: readonly (readonly [number, number])[]; dashed?: boolean }[];
}

/** Points with optional text labels and colour groups. */
export function scatter(s: ScatterSpec): Part {
  const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs = s.xRange ?? extent(pts.map((p) => p.x), [0, 1]);
  const ys = s.yRange ?? extent(pts.map((p) => p.y), [0, 1]);
  const f = frame({ label: s.label, xmin: xs[0], xmax: xs[1], ymin: ys[0], ymax: ys[1], xTitle: s.xTitle, yTitle: s.yTitle, width: s.width ?? 260, height: s.height ?? 220 });
  const groups = [...new Set(pts.map((p) => p.group ?? ""))];
  const colorOf = (g: string): string => SERIES_COLORS[groups.indexOf(g) % SERIES_COLORS.length]!;
  const maxLabels = s.maxLabels ?? 200;
  for (const l of s.lines ?? []) {
    const d = l.points.map(([x, y], k) => `${k ? "L" : "M"}${n(f.toX(x))} ${n(f.toY(y))}`).join("");
    if (d) f.body.push(`<path fill="none" stroke="#999999" stroke-width="1"${l.dashed ? ' stroke-dasharray="3 3"' : ""} d="${d}"/>`);
  }
  // Labels go where they overlap no other label or point and stay inside the frame (or are left out).
  const labels = pts.map((p, k) => (p.label && k < maxLabels ? clip(p.label) : ""));
  const geometry = { fontSize: 9, radius: 3 };
  const at = placeLabels(pts.map((p, k) => ({ x: f.toX(p.x) - f.left, y: f.toY(p.y) - f.top, text: labels[k]! })), { width: f.w, height: f.h }, geometry);
  pts.forEach((p, k) => {
    const cx = f.toX(p.x);
    const cy = f.toY(p.y);
    f.body.push(`<circle cx="${n(cx)}" cy="${n(cy)}" r="3" fill="${colorOf(p.group ?? "")}" fill-opacity="0.8"/>`);
    const pos = at[k];
    if (!pos) return;
    const box = labelBox(cx, cy, labels[k]!, pos, geometry);
    f.body.push(text(box.left + 1, box.top + box.height * 0.8, labels[k]!, { size: 9 }));
  });
  const named = groups.filter((g) => g !== "");
  const lg = legend(f.left, f.top + f.h + (s.xTitle ? 34 : 22), f.w, named.map((g) => ({ name: g, color: colorOf(g) })));
  f.body.push(lg.body);
  return { width: f.left + f.w + 12, height: f.top + f.h + (s.xTitle ? 34 : 22) + lg.height, body: f.body.join("") };
}

/** A part that is only a line of text (a note such as "no data"). */
export function note(message: string, width = 320): Part {
  return { width, height: 24, body: text(8, 16, message, { size: 11 }) };
}

/**
 * The whole picture: a title (and optional subtitle) above the parts, laid out left to right
 * in rows at most `maxWidth` px wide. Returns a complete SVG document.
 */
export function figure(title: string, parts: readonly Part[], opts: { subtitle?: string; maxWidth?: number } = {}): string {
  const maxWidth = opts.maxWidth ?? 1000;
  const pad = 8;
  let y = opts.subtitle ? 42 : 28;
  let x = pad;
  let rowHeight = 0;
  let width = 0;
  const placed: string[] = [];
  for (const p of parts) {
    if (x > pad && x + p.width > maxWidth) {
      x = pad;
      y += rowHeight + pad;
      rowHeight = 0;
    }
    placed.push(translate(x, y, p.body));
    x += p.width + pad;
    width = Math.max(width, x);
    rowHeight = Math.max(rowHeight, p.height);
  }
  const height = Math.ceil(y + rowHeight + pad);
  width = Math.ceil(Math.max(width, 320, 9 + title.length * 7.5, 9 + (opts.subtitle?.length ?? 0) * 5.6));
  const head = text(pad, 18, title, { size: 14, weight: "600" }) + (opts.subtitle ? text(pad, 33, opts.subtitle, { size: 11, fill: "#666666" }) : "");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT}" fill="${TEXT}" color="${TEXT}">` +
    rect(0, 0, width, height, "#ffffff") + head + placed.join("") + `</svg>`
  );
}
