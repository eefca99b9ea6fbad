/**
 * The static-picture writer: hostile strings stay text, the output is well-formed XML of
 * bounded size, and the chart primitives draw what they are given.
 */
import { describe, expect, it } from "vitest";
import { barChart, escapeXml, figure, heatmap, lineChart, niceTicks, scatter } from "../../src/plot/svg.js";
import { colorAt, colorOf, COLOR_STOPS, MISSING_COLOR } from "../../src/plot/colors.js";
import { bucketMeans, downsampleRows } from "../../src/plot/downsample.js";
import { checkXml } from "./xml-check.js";

const HOSTILE = [`<script>alert(1)</script>`, `"onload="alert(1)`, `' & <b>`, `]]><!--`, `\u0000\u0007bell`, `\ud800 lone surrogate`];

describe("escapeXml", () => {
  it("escapes the five specials and drops characters XML forbids", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(escapeXml("a\u0000b\u0007c\td")).toBe("abc\td");
    expect(escapeXml("\ud800x")).toBe("\ufffdx");
    expect(escapeXml("😀 ok")).toBe("😀 ok");
  });
});

describe("svg charts", () => {
  it("keep hostile labels as text in every primitive, and the document is well formed", () => {
    for (const evil of HOSTILE) {
      const parts = [
        heatmap({ label: evil, z: [[0, 1], [null, 0.5]], zmin: 0, zmax: 1, scale: "sequential", xLabels: [evil, evil], xTitle: evil, yTitle: evil }),
        lineChart({ label: evil, series: [{ name: evil, y: [1, 2, null, 4] }], xTitle: evil, yTitle: evil }),
        barChart({ label: evil, bars: [{ label: evil, value: 0.3, highlight: true }, { label: "b", value: null }] }),
        scatter({ label: evil, points: [{ x: 0, y: 1, label: evil, group: evil }, { x: 1, y: 0 }] }),
      ];
      const svg = figure(evil, parts, { subtitle: evil });
      expect(checkXml(svg)).toBeGreaterThan(10);
      expect(svg).not.toContain("<script");
      expect(svg).not.toContain("<b>");
      expect(svg).not.toMatch(/[\u0000-\u0008]/);
    }
  });

  it("draws one coloured cell per value, grouped by colour level, and gaps in grey", () => {
    const svg = figure("t", [heatmap({ label: "h", z: [[0, 1], [null, 0]], zmin: 0, zmax: 1, scale: "sequential" })]);
    checkXml(svg);
    const cells = (colour: string): number => (svg.match(new RegExp(`fill="${colour}" d="([^"]*)"`))?.[1]?.match(/M/g) ?? []).length;
    expect(cells(COLOR_STOPS.sequential[0]![1])).toBe(2); // the two zeros
    expect(cells(COLOR_STOPS.sequential.at(-1)![1])).toBe(1);
    expect(cells(MISSING_COLOR)).toBe(1);
  });

  it("stays small for a 10,000-step × 64-unit heatmap (averaged down to 200 columns)", () => {
    const z = Array.from({ length: 10_000 }, (_, t) => Array.from({ length: 64 }, (_, u) => Math.sin(t / 100 + u)));
    const svg = figure("big", [heatmap({ label: "h", z, zmin: -1, zmax: 1, scale: "diverging", xLabels: z.map((_, t) => `t=${t}`) })]);
    checkXml(svg);
    const drawnCells = (svg.match(/M[\d.]+ [\d.]+h/g) ?? []).length;
    expect(drawnCells).toBe(200 * 64);
    expect(svg.length).toBeLessThan(400_000);
  });

  it("says so when there is nothing to draw", () => {
    const svg = figure("empty", [heatmap({ label: "h", z: [], zmin: 0, zmax: 1, scale: "sequential", xLabels: [] })]);
    checkXml(svg);
    expect(svg).toContain("no data (empty sequence)");
    checkXml(figure("empty", [lineChart({ label: "l", series: [] }), barChart({ label: "b", bars: [] }), scatter({ label: "s", points: [] })]));
  });

  it("draws lines with gaps and log-y ticks at powers of ten", () => {
    const svg = figure("g", [lineChart({ label: "norm", series: [{ name: "a", y: [1e-3, 1e-2, null, 1, 0] }], logY: true })]);
    checkXml(svg);
    const d = svg.match(/<path fill="none"[^>]* d="([^"]*)"/)![1]!;
    expect(d.match(/M/g)!.length).toBe(2); // broken at the null; 0 is unusable on a log axis
    expect(d.match(/L/g)!.length).toBe(1);
    for (const tick of ["0.001", "0.01", "0.1", ">1<"]) expect(svg).toContain(tick.startsWith(">") ? tick : `>${tick}<`);
  });

  it("averages long series and draws every point of short ones", () => {
    const y = Array.from({ length: 5000 }, (_, k) => k);
    const d = figure("g", [lineChart({ label: "l", series: [{ name: "a", y }] })]).match(/ d="(M[^"]*)"/)![1]!;
    expect(d.match(/[ML]/g)!.length).toBe(500);
    const bars = figure("b", [barChart({ label: "b", bars: [1, 2, 3].map((v) => ({ label: `x${v}`, value: v })) })]);
    expect((bars.match(/<rect [^>]*fill="#1f77b4"/g) ?? []).length).toBe(3);
    const pts = figure("s", [scatter({ label: "s", points: [{ x: 0, y: 0, label: "like" }, { x: 1, y: 1, label: "like" }, { x: Number.NaN, y: 0 }] })]);
    expect((pts.match(/<circle/g) ?? []).length).toBe(2);
    expect((pts.match(/>like</g) ?? []).length).toBe(2);
  });
});

describe("colour maps and downsampling", () => {
  it("interpolates between stops, clamps, and keeps white at zero on the diverging scale", () => {
    expect(colorAt("sequential", 0)).toBe("#440154");
    expect(colorAt("sequential", 1)).toBe("#fde725");
    expect(colorAt("sequential", 7)).toBe("#fde725");
    expect(colorOf(0, -2, 2, "diverging")).toBe("#f7f7f7");
    expect(colorOf(null, 0, 1, "sequential")).toBe(MISSING_COLOR);
    // Halfway between the first two diverging stops is their channel-wise mean.
    const [a, b] = [COLOR_STOPS.diverging[0]![1], COLOR_STOPS.diverging[1]![1]];
    const mid = colorAt("diverging", COLOR_STOPS.diverging[1]![0] / 2);
    for (const k of [1, 3, 5]) expect(Math.abs(parseInt(mid.slice(k, k + 2), 16) - (parseInt(a.slice(k, k + 2), 16) + parseInt(b.slice(k, k + 2), 16)) / 2)).toBeLessThanOrEqual(0.5);
  });

  it("bucket means average consecutive steps and skip gaps", () => {
    expect(bucketMeans([1, 3, 5, null, 7, 9], 3)).toEqual([2, 5, 8]);
    expect(bucketMeans([1, 2], 5)).toEqual([1, 2]);
    const d = downsampleRows([[0, 1], [2, null], [4, 5], [6, 7]], 2);
    expect(d.z).toEqual([[1, 1], [5, 6]]);
    expect(d.starts).toEqual([0, 2]);
    // (1 − 0) / 4 = 0.25 rounds up to the next 1-2-5 step, 0.5.
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(-3, 3, 3)).toEqual([-2, 0, 2]);
  });
});
