/**
 * Tick values and their text, shared by the kernel's static pictures and the extension's
 * plotly colour bars and bar-chart scales, so both say the same numbers.
 *
 * No dependencies: the extension bundles it through `seqlab/schema`.
 */
import type { ColorScale } from "./schema/common.js";

/** Short, readable number for ticks and legends. */
export function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(3)));
}

/**
 * The ticks of a colour legend or value scale: both ends and the middle (0 on a diverging
 * scale). Automatic "nice" ticks can miss the range altogether (±0.45 with three ticks gives
 * only "0"), and a reader needs the ends to know what the darkest colour means.
 */
export function legendTicks(zmin: number, zmax: number, scale: ColorScale): { values: number[]; labels: string[] } {
  const values = !(zmax > zmin) ? [zmin] : [zmin, scale === "diverging" && zmin < 0 && zmax > 0 ? 0 : (zmin + zmax) / 2, zmax];
  return { values, labels: values.map(fmt) };
}
