/**
 * The two colour maps every seqlab plot uses, in one place: the kernel's static SVG pictures and
 * the JupyterLab extension (plotly colour scales and the cell diagram) read the same stops.
 *
 * - sequential (Viridis) for values in [0, 1]: gates, probabilities, fractions;
 * - diverging (blue–white–red, ColorBrewer RdBu) for signed values, symmetric around 0 so that
 *   white always means zero.
 *
 * No dependencies: the extension bundles this module through `seqlab/schema`.
 */
import type { ColorScale } from "./schema/common.js";

/** A colour stop: position in [0, 1] and a "#rrggbb" colour (plotly's colorscale format). */
export type ColorStop = [number, string];

/** Viridis, as plotly.js ships it (17 stops). */
const VIRIDIS: ColorStop[] = [
  "#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e", "#21918c",
  "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725",
].map((c, k, all): ColorStop => [k / (all.length - 1), c]);

/** RdBu reversed: blue for negative, white at 0, red for positive. */
const DIVERGING: ColorStop[] = [
  "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b",
].map((c, k, all): ColorStop => [k / (all.length - 1), c]);

/** The stops of each colour scale, ready to pass to plotly as `colorscale`. */
export const COLOR_STOPS: Readonly<Record<ColorScale, readonly ColorStop[]>> = { sequential: VIRIDIS, diverging: DIVERGING };

/** Colour for a missing value (NaN/Inf in the source): a neutral grey that reads in both themes. */
export const MISSING_COLOR = "#9e9e9e";

const rgbCache = new Map<string, [number, number, number]>();
function rgb(hex: string): [number, number, number] {
  let c = rgbCache.get(hex);
  if (!c) {
    const n = parseInt(hex.slice(1), 16);
    c = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    rgbCache.set(hex, c);
  }
  return c;
}

const hex2 = (v: number): string => Math.round(v).toString(16).padStart(2, "0");

/** The colour at position `p` ∈ [0, 1] of a scale (clamped), linearly interpolated between stops. */
export function colorAt(scale: ColorScale, p: number): string {
  const stops = COLOR_STOPS[scale];
  const q = Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0;
  const k = Math.min(stops.length - 2, Math.floor(q * (stops.length - 1)));
  const [p0, c0] = stops[k]!;
  const [p1, c1] = stops[k + 1]!;
  const w = (q - p0) / (p1 - p0);
  const a = rgb(c0);
  const b = rgb(c1);
  return `#${hex2(a[0] + w * (b[0] - a[0]))}${hex2(a[1] + w * (b[1] - a[1]))}${hex2(a[2] + w * (b[2] - a[2]))}`;
}

/** The colour of `value` on a scale spanning [zmin, zmax]; null (a gap) is grey. */
export function colorOf(value: number | null, zmin: number, zmax: number, scale: ColorScale): string {
  if (value === null || !Number.isFinite(value)) return MISSING_COLOR;
  return colorAt(scale, zmax > zmin ? (value - zmin) / (zmax - zmin) : 0.5);
}

/** Colours for overlaid series (runs, models, groups): plotly's default qualitative palette. */
export const SERIES_COLORS: readonly string[] = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];
