/**
 * Where to put the text label of each point of a scatter so that no two labels overlap and
 * none covers another point or leaves the plotting area: the PCA of hidden states labels every
 * point with its token, and nearby states (the two "I"s, "." next to "I") piled their labels
 * on top of each other. One greedy placement, used by the kernel's static picture and by the
 * extension (as plotly's per-point `textposition`), so both show the same labels.
 *
 * No dependencies: the extension bundles it through `seqlab/schema`.
 */

/** plotly's names for the eight places around a marker. */
export type LabelPosition = "top center" | "middle right" | "bottom center" | "middle left" | "top right" | "top left" | "bottom right" | "bottom left";

/** Tried in this order: above first, as a reader expects. */
export const LABEL_POSITIONS: readonly LabelPosition[] = ["top center", "middle right", "bottom center", "middle left", "top right", "top left", "bottom right", "bottom left"];

/** A rectangle in pixels, y growing downwards. */
export interface LabelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface LabelGeometry {
  fontSize: number;
  /** Marker radius in px. */
  radius: number;
}

/**
 * The text shown for a token: one made only of punctuation or spaces is quoted, since a bare
 * "." is a speck a reader cannot find (or click) on the plot.
 */
export function pointLabel(token: string): string {
  return /[\p{L}\p{N}]/u.test(token) ? token : `“${token}”`;
}

/** A generous estimate of a label's width: wide characters (CJK, emoji) count double. */
export function labelWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! >= 0x2e80 ? 1.05 : 0.62;
  return em * fontSize + 2;
}

/** The box a label takes at position `pos` around a marker at (x, y). */
export function labelBox(x: number, y: number, text: string, pos: LabelPosition, g: LabelGeometry): LabelBox {
  const width = labelWidth(text, g.fontSize);
  const height = g.fontSize * 1.25;
  const gap = g.radius + 2;
  const [vertical, horizontal] = pos.split(" ") as ["top" | "middle" | "bottom", "left" | "center" | "right"];
  const left = horizontal === "center" ? x - width / 2 : horizontal === "right" ? x + gap : x - gap - width;
  const top = vertical === "top" ? y - gap - height : vertical === "bottom" ? y + gap : y - height / 2;
  return { left, top, width, height };
}

function overlaps(a: LabelBox, b: LabelBox, pad: number): boolean {
  return a.left < b.left + b.width + pad && b.left < a.left + a.width + pad && a.top < b.top + b.height + pad && b.top < a.top + a.height + pad;
}

/**
 * A position for each point's label, or null where none of the eight fits (the hover still
 * names that point). Points are in pixels inside a `width` × `height` area; a point with a
 * non-finite coordinate or an empty label gets null.
 */
export function placeLabels(points: readonly { x: number; y: number; text: string }[], area: { width: number; height: number }, g: LabelGeometry): (LabelPosition | null)[] {
  const usable = (p: { x: number; y: number }): boolean => Number.isFinite(p.x) && Number.isFinite(p.y);
  const markers = points.map((p) => (usable(p) ? { left: p.x - g.radius, top: p.y - g.radius, width: 2 * g.radius, height: 2 * g.radius } : null));
  const placed: LabelBox[] = [];
  return points.map((p, k) => {
    if (!usable(p) || p.text === "") return null;
    for (const pos of LABEL_POSITIONS) {
      const box = labelBox(p.x, p.y, p.text, pos, g);
      const inside = box.left >= 0 && box.top >= 0 && box.left + box.width <= area.width && box.top + box.height <= area.height;
      if (!inside) continue;
      if (placed.some((q) => overlaps(box, q, 1))) continue;
      if (markers.some((m, j) => j !== k && m !== null && overlaps(box, m, 0))) continue;
      placed.push(box);
      return pos;
    }
    return null;
  });
}

/**
 * The data range widened by `fraction` of its span on each side (±1 around a single value):
 * labels of the outermost points then have room inside the axes.
 */
export function paddedRange(values: readonly (number | null)[], fraction = 0.12): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi >= lo)) return [-1, 1];
  const pad = hi > lo ? (hi - lo) * fraction : 1;
  return [lo - pad, hi + pad];
}
