/**
 * The states, gradients, saturation, predictions and bidirectional plots in the real browser:
 * plots-b.ipynb trains tiny RNN/LSTM/GRU models on "I like pizza. I like cake." through the
 * tslab kernel and emits each kind; for each, the test checks that plotly drew the expected
 * traces, drives one interaction, and saves an element screenshot to docs/img/<kind>.png.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import {
  hoverAt, hoverLabelOffset, launchChromium, openNotebook, runAllCells, saveImage as saveImageOf, screenshot, traceCount, watchConsole, type ConsoleLog,
} from "./browser.js";
import { MIME_TYPE, parsePlot } from "../../src/plot/schema.js";
import { executeNotebook, joinText, startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;

/** The plots in the notebook's order. */
const ORDER = ["states", "gradients", "gradient-heatmap", "saturation", "predictions", "bidirectional"] as const;
const plotOf = (name: (typeof ORDER)[number]): Locator => page.locator(".seqlab-plot").nth(ORDER.indexOf(name));

beforeAll(async () => {
  lab = await startLab("plots-b", ["test/e2e/notebooks/plots-b.ipynb"]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  consoleLog = watchConsole(page);
  await openNotebook(page, lab, "plots-b.ipynb");
  await runAllCells(page);
  try {
    // The last plot of the notebook; the others are drawn by then.
    await page.waitForSelector(".seqlab-plot .seqlab-panel[data-key='bidirectional'] .main-svg", { state: "attached", timeout: 90_000 });
  } catch (e) {
    await screenshot(page, "plots-b-debug");
    console.log(consoleLog.all.join("\n"));
    throw e;
  }
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

/**
 * The page position of point `point` of trace `trace`, from plotly's own axes, so that a real
 * mouse move lands on it.
 */
function pointPosition(panel: Locator, trace: number, point: number | [number, number]): Promise<{ x: number; y: number }> {
  return panel.evaluate(
    (el, [tr, pt]) => {
      type Axis = { _offset: number; d2p(v: unknown): number };
      const gd = el as unknown as { _fullLayout: Record<string, Axis>; _fullData: { xaxis: string; yaxis: string; x: unknown[]; y: unknown[] }[] };
      const t = gd._fullData[tr as number]!;
      const axis = (id: string, letter: string): Axis => gd._fullLayout[`${letter}axis${id.slice(1)}`]!;
      const xa = axis(t.xaxis, "x");
      const ya = axis(t.yaxis, "y");
      const [xv, yv] = Array.isArray(pt) ? pt : [t.x[pt as number], t.y[pt as number]];
      const r = el.getBoundingClientRect();
      return { x: r.left + xa._offset + xa.d2p(xv), y: r.top + ya._offset + ya.d2p(yv) };
    },
    [trace, point] as const,
  );
}

async function hoverText(panel: Locator, trace: number, point: number | [number, number]): Promise<string> {
  await panel.scrollIntoViewIfNeeded();
  return hoverAt(page, panel, await pointPosition(panel, trace, point));
}

const saveImage = (plot: Locator, name: string): Promise<void> => saveImageOf(page, plot, name);

describe("plots-b.ipynb in JupyterLab", () => {
  it("states: a line per unit for h_t and c_t, and the PCA path whose points name their tokens", async () => {
    const plot = plotOf("states");
    expect(await plot.locator(".seqlab-title").textContent()).toBe('LSTM hidden states on "I like pizza. I like cake."');
    const keys = await plot.locator(".seqlab-panel").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key));
    expect(keys).toEqual(["h", "c", "pca"]);
    expect(await traceCount(plot.locator(".seqlab-panel[data-key='h']"))).toBe(8);
    expect(await traceCount(plot.locator(".seqlab-panel[data-key='c']"))).toBe(8);
    const pca = plot.locator(".seqlab-panel[data-key='pca']");
    expect(await traceCount(pca)).toBe(1);
    // Every point is labelled with its token on the plot itself, "." quoted so that it shows.
    expect(await pca.locator(".textpoint text").allTextContents()).toEqual(["I", "like", "pizza", "“.”", "I", "like", "cake"]);
    // No label overlaps another label or another token's point.
    const drawn = await pca.evaluate((el) => {
      const rect = (e: Element) => { const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; };
      return { labels: [...el.querySelectorAll(".textpoint text")].map(rect), points: [...el.querySelectorAll(".scatterlayer .points path")].map(rect) };
    });
    type Box = (typeof drawn.labels)[number];
    const overlap = (a: Box, b: Box): boolean => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    expect(drawn.points).toHaveLength(7);
    drawn.labels.forEach((label, k) => {
      for (let j = 0; j < k; j++) expect(overlap(label, drawn.labels[j]!), `label ${k} over label ${j}`).toBe(false);
      drawn.points.forEach((point, j) => {
        if (j !== k) expect(overlap(label, point), `label ${k} over point ${j}`).toBe(false);
      });
    });
    // Hovering the second "like" (t = 5) names it.
    const text = await hoverText(pca, 0, 5);
    expect(text).toMatch(/token like/);
    expect(text).toMatch(/t=5/);
    expect(text).toMatch(/PC1 -?\d\.\d{3}/);
    await saveImage(plot, "states");
  });

  it("gradients: RNN, LSTM and GRU overlaid on a log axis; the hover gives the norm", async () => {
    const plot = plotOf("gradients");
    const flow = plot.locator(".seqlab-panel[data-key='flow']");
    expect(await traceCount(flow)).toBe(3);
    expect(await flow.evaluate((el) => (el as unknown as { _fullLayout: { yaxis: { type: string } } })._fullLayout.yaxis.type)).toBe("log");
    expect(await flow.locator(".legendtext").allTextContents()).toEqual(["RNN", "LSTM", "GRU"]);
    const text = await hoverText(flow, 1, 3);
    expect(text).toMatch(/‖∂L\/∂h_t‖ = \d\.\d{3}e-?\d+/);
    await saveImage(plot, "gradients");
  });

  it("gradients: the heatmap over training steps × t, hover shows the norm at one cell", async () => {
    const plot = plotOf("gradient-heatmap");
    const map = plot.locator(".seqlab-panel[data-key='heatmap']");
    expect(await traceCount(map)).toBe(1);
    const text = await hoverText(map, 0, [2, 10]);
    expect(text).toMatch(/training step 10, t=2/);
    expect(text).toMatch(/‖∂L\/∂h_t‖ = \d\.\d{3}e-?\d+/);
    await saveImage(plot, "gradient-heatmap");
  });

  it("saturation: one scatter per LSTM gate (guide line + units), axes 0..1, hover names the unit", async () => {
    const plot = plotOf("saturation");
    const keys = await plot.locator(".seqlab-panel").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key));
    expect(keys).toEqual(["i", "f", "o"]);
    for (const key of keys) expect(await traceCount(plot.locator(`.seqlab-panel[data-key='${key}']`))).toBe(2);
    const f = plot.locator(".seqlab-panel[data-key='f']");
    expect(await f.evaluate((el) => (el as unknown as { _fullLayout: { xaxis: { range: number[] } } })._fullLayout.xaxis.range)).toEqual([-0.03, 1.03]);
    const text = await hoverText(f, 1, 0);
    expect(text).toMatch(/forget gate f, unit 0/);
    expect(text).toMatch(/left-saturated \d\.\d\d/);
    await saveImage(plot, "saturation");
  });

  it("predictions: top-3 bars with the true next token marked; the step selector switches the bars", async () => {
    const plot = plotOf("predictions");
    const bars = plot.locator(".seqlab-panel[data-key='bars']");
    expect(await traceCount(bars)).toBe(1);
    const ticks = () => bars.locator(".ytick text").allTextContents();
    // It opens at the step the notebook asks for (at: 1), after "I like": pizza and cake.
    expect(await plot.locator("select.seqlab-step").inputValue()).toBe("1");
    expect(await ticks()).toContain("pizza");
    expect(await ticks()).toContain("cake");
    expect(await plot.locator(".seqlab-context").textContent()).toBe("read: I like → next?");
    // After "I" the trained model expects "like", and "like" is the true next token.
    await plot.locator("select.seqlab-step").selectOption("0");
    await expect.poll(async () => (await ticks())[0], { timeout: 10_000 }).toBe("like");
    expect(await bars.locator(".bartext").first().textContent()).toMatch(/✓ true next/);
    expect(await plot.locator(".seqlab-context").textContent()).toBe("read: I → next?");
    await plot.locator("select.seqlab-step").selectOption("1");
    await expect.poll(ticks, { timeout: 10_000 }).toContain("pizza");
    // Inside the first bar ("pizza", p ≈ 0.76 after "I like").
    const text = await hoverText(bars, 0, [0.3, 0]);
    expect(text).toMatch(/next token pizza/);
    expect(text).toMatch(/probability 0\.\d{4}/);
    // The label is at the pointer, not at the end of the bar.
    const near = await hoverLabelOffset(page, bars, await pointPosition(bars, 0, [0.08, 0]));
    expect(near.text).toMatch(/next token pizza/);
    expect(near.dx).toBeLessThan(8);
    expect(near.level).toBe(true);
    await plot.locator("select.seqlab-step").selectOption("5");
    await expect.poll(async () => (await ticks())[0], { timeout: 10_000 }).toBe("cake");
    await saveImage(plot, "predictions");
  });

  it("bidirectional: forward, backward and their concatenation on one token axis; hover gives a value", async () => {
    const plot = plotOf("bidirectional");
    const panel = plot.locator(".seqlab-panel[data-key='bidirectional']");
    expect(await traceCount(panel)).toBe(3);
    const titles = await panel.locator(".g-ytitle text, .g-y2title text, .g-y3title text").allTextContents();
    expect(titles.sort()).toEqual(["[h_fwd ; h_bwd]", "backward ←", "forward →"].sort());
    expect(await panel.locator(".annotation-text").allTextContents()).toEqual(["h_fwd", "h_bwd"]);
    expect(await panel.locator(".xtick text").allTextContents()).toEqual(["I", "like", "pizza", ".", "I", "like", "cake"]);
    const text = await hoverText(panel, 0, [2, 3]);
    expect(text).toMatch(/forward, unit 3/);
    expect(text).toMatch(/pizza/);
    expect(text).toMatch(/value -?\d\.\d{4}/);
    await saveImage(plot, "bidirectional");
    await screenshot(page, "plots-b");
  });

  it("stores each plot with a valid payload, a text/plain view and a static SVG (readable without seqlab)", async () => {
    const { notebook, seconds } = await executeNotebook("test/e2e/notebooks/plots-b.ipynb");
    expect(seconds).toBeLessThan(60);
    const outputs = notebook.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[MIME_TYPE] !== undefined);
    const kinds = outputs.map((o) => {
      const parsed = parsePlot(o.data![MIME_TYPE]);
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      expect(joinText(o.data!["image/svg+xml"] as string | string[])).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
      expect(joinText(o.data!["text/plain"] as string | string[]).length).toBeGreaterThan(40);
      return parsed.ok ? parsed.value.kind : null;
    });
    expect(kinds).toEqual(["states", "gradients", "gradients", "saturation", "predictions", "bidirectional"]);
  });

  it("leaves no errors in the browser console", () => {
    expect(consoleLog.errors).toEqual([]);
  });
});
