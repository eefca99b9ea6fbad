/**
 * What the static pictures and the extension share for reading values off a plot: colour
 * legend ticks that always show the range, and scatter labels placed so that none overlaps
 * another label or point (the PCA of hidden states), punctuation tokens quoted.
 */
import { describe, expect, it } from "vitest";
import { plot } from "../../src/index.js";
import { validatePlot, type StatesPlot } from "../../src/plot/schema.js";
import { labelBox, labelWidth, legendTicks, placeLabels, pointLabel, type LabelBox } from "../../src/plot/drawing.js";
import { checkXml } from "./xml-check.js";

const overlap = (a: LabelBox, b: LabelBox): boolean =>
  a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;

describe("legendTicks", () => {
  it("labels both ends and the middle, also where nice ticks would leave only 0", () => {
    expect(legendTicks(-0.45, 0.45, "diverging")).toEqual({ values: [-0.45, 0, 0.45], labels: ["-0.45", "0", "0.45"] });
    expect(legendTicks(-3.8312, 3.8312, "diverging").labels).toEqual(["-3.83", "0", "3.83"]);
    expect(legendTicks(0, 1, "sequential").labels).toEqual(["0", "0.5", "1"]);
    expect(legendTicks(2, 2, "sequential").labels).toEqual(["2"]);
  });
});

describe("placeLabels", () => {
  const geometry = { fontSize: 9, radius: 3 };

  it("quotes tokens without a letter or digit, so that a '.' can be seen", () => {
    expect([pointLabel("."), pointLabel("like"), pointLabel("42"), pointLabel(" "), pointLabel("é")]).toEqual(["“.”", "like", "42", "“ ”", "é"]);
  });

  it("keeps labels of crowded points apart, off the other points and inside the area", () => {
    const points = [
      { x: 50, y: 50, text: "I" }, { x: 53, y: 52, text: "“.”" }, { x: 56, y: 48, text: "like" }, { x: 50, y: 56, text: "I" },
      { x: 196, y: 4, text: "pizza" }, { x: 2, y: 118, text: "cake" },
    ];
    const area = { width: 200, height: 120 };
    const at = placeLabels(points, area, geometry);
    expect(at.every((p) => p !== null)).toBe(true);
    const boxes = points.map((p, k) => labelBox(p.x, p.y, p.text, at[k]!, geometry));
    for (const [k, b] of boxes.entries()) {
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.left + b.width).toBeLessThanOrEqual(area.width);
      expect(b.top + b.height).toBeLessThanOrEqual(area.height);
      for (let j = 0; j < k; j++) expect(overlap(b, boxes[j]!), `${points[k]!.text} over ${points[j]!.text}`).toBe(false);
      for (const [j, q] of points.entries()) if (j !== k) expect(overlap(b, { left: q.x - 3, top: q.y - 3, width: 6, height: 6 })).toBe(false);
    }
  });

  it("leaves out a label that fits nowhere rather than covering another", () => {
    const points = Array.from({ length: 40 }, (_, k) => ({ x: 10 + (k % 8), y: 10 + Math.floor(k / 8), text: "word" }));
    const at = placeLabels(points, { width: 60, height: 40 }, geometry);
    expect(at.some((p) => p === null)).toBe(true);
    const boxes = at.flatMap((p, k) => (p ? [labelBox(points[k]!.x, points[k]!.y, "word", p, geometry)] : []));
    for (const [k, b] of boxes.entries()) for (let j = 0; j < k; j++) expect(overlap(b, boxes[j]!)).toBe(false);
  });
});

describe("the static PCA picture of plot.states", () => {
  it("draws a visible, non-overlapping label for every point, '.' included", () => {
    // Two states almost on top of each other, as "." and "I" were in notebook 02.
    const tokens = ["I", "like", "pizza", ".", "I", "like", "cake", "."];
    const x = [0.62, -2.1, -2.7, 0.7, 1.6, 1.8, -0.8, 0.95];
    const y = [-2.3, 0.8, 0.45, -2.0, 0.9, 1.3, -0.65, 1.5];
    const payload: StatesPlot = {
      version: 1, kind: "states", title: "RNN hidden state", note: "", cell: "rnn", layer: 0, direction: "forward",
      tokens, steps: tokens.map((_, t) => t), unitIds: [0], series: [{ key: "h", label: "hidden state h_t", zmax: 1, z: tokens.map(() => [0.5]) }],
      pca: { x, y, explained: [0.5, 0.4] },
    };
    expect(validatePlot(payload).ok).toBe(true);
    const svg = plot.statesSvg(payload);
    checkXml(svg);
    const pcaPart = svg.slice(svg.indexOf("projected by PCA"));
    const labels = [...pcaPart.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)" font-size="9">([^<]*)<\/text>/g)]
      .map((m) => ({ text: m[3]!, box: { left: Number(m[1]) - 1, top: Number(m[2]) - 9 * 1.25 * 0.8, width: labelWidth(m[3]!, 9), height: 9 * 1.25 } }))
      .filter((l) => tokens.map(pointLabel).includes(l.text));
    expect(labels.map((l) => l.text).sort()).toEqual(tokens.map(pointLabel).sort());
    expect(labels.filter((l) => l.text === "“.”")).toHaveLength(2);
    const circles = [...pcaPart.matchAll(/<circle cx="([\d.-]+)" cy="([\d.-]+)" r="3"/g)].map((m) => ({ left: Number(m[1]) - 3, top: Number(m[2]) - 3, width: 6, height: 6 }));
    expect(circles).toHaveLength(tokens.length);
    for (const [k, l] of labels.entries()) {
      for (let j = 0; j < k; j++) expect(overlap(l.box, labels[j]!.box), `${l.text} over ${labels[j]!.text}`).toBe(false);
      expect(circles.filter((c) => overlap(l.box, c)).length, `${l.text} covers a point`).toBe(0);
    }
  });
});
