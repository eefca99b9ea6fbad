/**
 * The gates, cell, training (static and live) and weights plots in the real browser:
 * plots-a.ipynb trains a tiny 2-layer bidirectional LSTM language model through the tslab
 * kernel and emits each kind. For each, the test checks what was drawn, drives one interaction
 * (hover, layer selector, time slider, play, the live curve growing while its cell runs), saves
 * an element screenshot to docs/img/<kind>.png, then switches JupyterLab to the dark theme and
 * checks that the plots' text follows it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import {
  dataPosition, hoverAt as hoverAtPoint, hoverLabelOffset, launchChromium, openNotebook, saveImage as saveImageOf, screenshot, traceCount, waitForKernelIdle, watchConsole, type ConsoleLog,
} from "./browser.js";
import { startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;
/** Points of the live curve's loss line, sampled while its cell was still running. */
const livePoints: number[] = [];

const ORDER = ["gates", "cell", "training", "weights", "live"] as const;
const plotOf = (name: (typeof ORDER)[number]): Locator => page.locator(".seqlab-plot").nth(ORDER.indexOf(name));
const hoverAt = async (graph: Locator, x: number, y: number): Promise<string> => hoverAtPoint(page, graph, await dataPosition(graph, x, y));
const saveImage = (plot: Locator, name: string): Promise<void> => saveImageOf(page, plot, name);
const lastCellPrompt = (): Locator => page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt").last();

beforeAll(async () => {
  lab = await startLab("plots-a", ["test/e2e/notebooks/plots-a.ipynb"]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  consoleLog = watchConsole(page);
  await openNotebook(page, lab, "plots-a.ipynb");
  try {
    // Run All, but do not wait for the end: the live curve is watched while its cell runs.
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
    const loss = plotOf("live").locator(".seqlab-panel[data-key='loss']");
    await loss.locator(".main-svg").first().waitFor({ state: "attached", timeout: 120_000 });
    for (;;) {
      const running = /\[\*\]/.test((await lastCellPrompt().textContent()) ?? "");
      const n = await loss.evaluate((el) => ((el as unknown as { data?: { x: unknown[] }[] }).data?.[0]?.x.length ?? 0));
      if (!running) break;
      if (livePoints.at(-1) !== n) livePoints.push(n);
      await page.waitForTimeout(100);
    }
    await waitForKernelIdle(page);
  } catch (e) {
    await screenshot(page, "plots-a-debug");
    console.log(consoleLog.all.join("\n"));
    throw e;
  }
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

/** The fill of every painted part of the cell diagram, by part name. */
function diagramFills(plot: Locator): Promise<Record<string, string>> {
  return plot.locator(".seqlab-cell-diagram [data-part]").evaluateAll((els) =>
    Object.fromEntries(els.map((e, k) => [`${e.getAttribute("data-part")}#${k}`, `${e.getAttribute("fill")}|${e.getAttribute("stroke")}|${e.textContent}`])),
  );
}

/** Sets the diagram's time slider as a user dragging it would (an input event), and waits for the frame. */
async function slideTo(plot: Locator, t: number): Promise<void> {
  await plot.locator(".seqlab-slider").evaluate((el, v) => {
    (el as HTMLInputElement).value = String(v);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, t);
  await expect.poll(() => plot.locator(".seqlab-cell").getAttribute("data-step")).toBe(String(t));
}

describe("plots-a.ipynb in JupyterLab", () => {
  it("gates: six heatmaps per layer/direction; the layer selector switches the data; hover shows a value", async () => {
    const plot = plotOf("gates");
    const keys = await plot.locator(".seqlab-panel").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key));
    expect(keys).toEqual(["i", "f", "g", "o", "c", "h"]);
    const select = plot.locator("select.seqlab-select");
    expect(await select.locator("option").allTextContents()).toEqual(["layer 0, forward", "layer 0, reverse", "layer 1, forward", "layer 1, reverse"]);
    const fGraph = plot.locator(".seqlab-panel[data-key='f']");
    expect(await traceCount(fGraph)).toBe(1);
    const zOf = (): Promise<string> => plot.locator(".seqlab-panel[data-key='f']").evaluate((el) => JSON.stringify((el as unknown as { data: { z: unknown }[] }).data[0]!.z));
    const before = await zOf();
    await select.selectOption("3");
    await expect.poll(zOf).not.toBe(before);
    const text = await hoverAt(plot.locator(".seqlab-panel[data-key='f']"), 2, 1);
    expect(text).toMatch(/f at t=2: pizza/);
    expect(text).toMatch(/unit 1/);
    expect(text).toMatch(/value 0\.\d{4}/);
    await select.selectOption("0");
    await saveImage(plot, "gates");
  });

  it("cell: the diagram's SVG; the slider moves to step t and the gate colours change; play advances t; bars hover", async () => {
    const plot = plotOf("cell");
    expect(await plot.locator(".seqlab-title").textContent()).toBe("Inside the LSTM cell, step by step (layer 0, forward)");
    for (const key of ["i", "f", "g", "o"]) expect(await plot.locator(`.seqlab-cell-diagram rect[data-part='box-${key}']`).count()).toBe(1);
    expect(await plot.locator(".seqlab-bars").count()).toBe(6);
    // One bar per unit (8), drawn as the two paths of positive and negative bars.
    const fBars = await plot.locator(".seqlab-bars[data-key='f'] path").evaluateAll((els) => els.map((e) => (e.getAttribute("d")!.match(/h/g) ?? []).length / 2).reduce((a, n) => a + n, 0));
    expect(fBars).toBe(8);
    expect(await plot.locator(".seqlab-step").textContent()).toBe("t = 0 of 6, token “I”");
    const at0 = await diagramFills(plot);
    await slideTo(plot, 2);
    const at2 = await diagramFills(plot);
    const changed = Object.keys(at0).filter((k) => at0[k] !== at2[k]);
    expect(changed.filter((k) => k.startsWith("box-")).length).toBeGreaterThan(0);
    expect(await plot.locator(".seqlab-step").textContent()).toBe("t = 2 of 6, token “pizza”");
    // The value printed in the forget-gate box is the mean of f over the 8 bars' units, and says so.
    expect(await plot.locator("[data-part='value-f']").textContent()).toMatch(/^mean 0\.\d{3}$/);
    expect(await plot.locator(".seqlab-cell-diagram [data-part='caption']").textContent()).toBe("numbers in the boxes: mean over the 8 units; the bar charts show each unit");

    await slideTo(plot, 0);
    await plot.locator(".seqlab-play").click();
    await expect.poll(async () => Number(await plot.locator(".seqlab-cell").getAttribute("data-step")), { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => plot.locator(".seqlab-play").textContent(), { timeout: 10_000 }).toBe("▶ play"); // stops at the end
    expect(await plot.locator(".seqlab-cell").getAttribute("data-step")).toBe("6");

    const bars = plot.locator(".seqlab-bars[data-key='o']");
    const box = (await bars.boundingBox())!;
    const scale = box.width / Number((await bars.getAttribute("width"))!);
    const slot = Number(await bars.getAttribute("data-slot")) * scale;
    const left = Number(await bars.getAttribute("data-left")) * scale;
    const pointer = { x: box.x + left + 3.5 * slot, y: box.y + box.height * 0.6 };
    await page.mouse.move(pointer.x, pointer.y);
    await expect.poll(() => plot.locator(".seqlab-hover").textContent()).toMatch(/^o at t=6, unit 3: 0\.\d{3}$/);
    // The hover text is next to the pointer (it used to sit in the controls row, above the diagram).
    const tip = (await plot.locator(".seqlab-hover").boundingBox())!;
    expect(tip.x - pointer.x).toBeGreaterThanOrEqual(0);
    expect(tip.x - pointer.x).toBeLessThan(30);
    expect(tip.y - pointer.y).toBeGreaterThanOrEqual(0);
    expect(tip.y - pointer.y).toBeLessThan(30);
    // A gate box's hover lists what its one number averages.
    const fBox = (await plot.locator("[data-part='box-f']").boundingBox())!;
    await page.mouse.move(fBox.x + fBox.width / 2, fBox.y + fBox.height / 2);
    await expect.poll(() => plot.locator(".seqlab-hover").textContent()).toMatch(/^f at t=6: mean 0\.\d{3} over 8 units \[(\d\.\d{3}, ){7}\d\.\d{3}\]$/);
    await page.mouse.move(5, 5);
    await expect.poll(() => plot.locator(".seqlab-hover").isHidden()).toBe(true);
    // The arrow keys step the focused slider and stay there: JupyterLab's notebook shortcuts
    // (which would move or collapse cells) do not see them.
    const visible = () => page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell:visible").count();
    const cellsBefore = await visible();
    await slideTo(plot, 2);
    await plot.locator(".seqlab-slider").focus();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => plot.locator(".seqlab-cell").getAttribute("data-step")).toBe("3");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => plot.locator(".seqlab-cell").getAttribute("data-step")).toBe("1");
    expect(await visible()).toBe(cellsBefore);
    await slideTo(plot, 4);
    await saveImage(plot, "cell");
  });

  it("cell: each bar chart's scale is at its own left edge, under its title, with its quantity's range", async () => {
    const plot = plotOf("cell");
    const charts = await plot.locator(".seqlab-bars").evaluateAll((els) => els.map((svg) => {
      const box = svg.getBoundingClientRect();
      const bars = [...svg.querySelectorAll("[data-part^='bars-']")].map((b) => b.getBoundingClientRect()).filter((r) => r.width > 1);
      const ticks = [...svg.querySelectorAll("[data-part='tick']")].map((t) => ({ text: t.textContent, box: t.getBoundingClientRect() }));
      return { key: (svg as SVGElement).dataset.key, left: box.left, right: box.right, barsLeft: Math.min(...bars.map((r) => r.left)), ticks };
    }));
    const ticksOf = (key: string): string[] => charts.find((c) => c.key === key)!.ticks.map((t) => t.text ?? "");
    // σ gates run from 0 to 1, the tanh candidate from −1 to 1, the states ± their largest value.
    for (const key of ["i", "f", "o"]) expect(ticksOf(key)).toEqual(["0", "0.5", "1"]);
    expect(ticksOf("g")).toEqual(["-1", "0", "1"]);
    for (const key of ["c", "h"]) {
      const [lo, mid, hi] = ticksOf(key);
      expect([lo, mid]).toEqual([`-${hi}`, "0"]);
    }
    for (const c of charts) {
      for (const t of c.ticks) {
        // Inside its own chart and left of its bars: not at the right edge, next to the following chart's title.
        expect(t.box.left, `${c.key} tick ${t.text}`).toBeGreaterThanOrEqual(c.left);
        expect(t.box.right, `${c.key} tick ${t.text}`).toBeLessThanOrEqual(c.barsLeft);
      }
    }
  });

  it("gates: every colour bar labels its range (both ends and the middle), c_t and h_t included", async () => {
    const plot = plotOf("gates");
    for (const key of ["i", "f", "g", "o", "c", "h"]) {
      const panel = plot.locator(`.seqlab-panel[data-key='${key}']`);
      const labels = await panel.locator(".cbaxis text").allTextContents();
      const zmax = await panel.evaluate((el) => (el as unknown as { data: { zmax: number }[] }).data[0]!.zmax);
      expect(labels.length, `${key}: ${labels.join(", ")}`).toBeGreaterThanOrEqual(3);
      expect(labels.at(-1), key).toBe(String(Number(zmax.toPrecision(3))));
    }
  });

  it("gates: the hover label sits at the pointer, not at the far edge of the hovered cell", async () => {
    const graph = plotOf("gates").locator(".seqlab-panel[data-key='c']");
    // Step 2's column spans 1.5–2.5: plotly anchored the label at its right edge, a cell width away.
    const { dx, level, text } = await hoverLabelOffset(page, graph, await dataPosition(graph, 1.65, 1));
    expect(text).toMatch(/c at t=2: pizza/);
    expect(dx).toBeLessThan(8);
    expect(level).toBe(true);
  });

  it("training: loss and accuracy panels, a line per run, hyperparameters in the legend and the hover", async () => {
    const plot = plotOf("training");
    const loss = plot.locator(".seqlab-panel[data-key='loss']");
    expect(await traceCount(loss)).toBe(2);
    expect(await traceCount(plot.locator(".seqlab-panel[data-key='accuracy']"))).toBe(2);
    expect(await loss.locator(".legendtext").allTextContents()).toEqual(["lr 0.01 (lr=0.01, hiddenSize=8, layers=2)", "lr 0.05 (lr=0.05, hiddenSize=8, layers=2)"]);
    const y = await loss.evaluate((el) => (el as unknown as { data: { y: number[] }[] }).data[1]!.y[9]!);
    const text = await hoverAt(loss, 10, y);
    expect(text).toMatch(/lr=0\.05, hiddenSize=8, layers=2/);
    expect(text).toMatch(/step 10/);
    expect(text).toMatch(/loss \d\.\d{4}/);
    await saveImage(plot, "training");
  });

  it("training live: the curve gained points while its cell ran, and ends with the whole run and a progress line", async () => {
    // Several distinct sizes seen before the cell finished: the output was updated in place.
    expect(livePoints.length, `point counts seen while running: ${livePoints.join(", ")}`).toBeGreaterThanOrEqual(3);
    expect(livePoints.at(-2)!).toBeLessThan(60);
    for (let k = 1; k < livePoints.length; k++) expect(livePoints[k]!).toBeGreaterThan(livePoints[k - 1]!);
    const plot = plotOf("live");
    const loss = plot.locator(".seqlab-panel[data-key='loss']");
    expect(await loss.evaluate((el) => (el as unknown as { data: { x: unknown[] }[] }).data[0]!.x.length)).toBe(60);
    expect(await plot.locator(".seqlab-progress").textContent()).toMatch(/^step 60\/60 · loss \S+ · \S+ steps\/s · done$/);
    // One output, updated in place (not 60 outputs).
    expect(await page.locator(".seqlab-training").count()).toBe(2);
    console.log(`live curve: point counts while running ${livePoints.join(", ")}; renders of the kept panels: ${await plot.locator(".seqlab-training").getAttribute("data-renders")}`);
    await saveImage(plot, "training-live");
  });

  it("weights: one heatmap of weight_ih_l0 with the i, f, g, o blocks labelled; hover names the gate", async () => {
    const plot = plotOf("weights");
    const map = plot.locator(".seqlab-panel[data-key='weights']");
    expect(await traceCount(map)).toBe(1);
    expect(await map.locator(".annotation-text").allTextContents()).toEqual(["input gate i", "forget gate f", "candidate g", "output gate o"]);
    const text = await hoverAt(map, 2, 9);
    expect(text).toMatch(/row 9 \(forget gate f, unit 1\), column 2/);
    expect(text).toMatch(/value -?\d\.\d{4}/);
    await saveImage(plot, "weights");
  });

  it("dark theme: the plots' text follows JupyterLab's theme", async () => {
    const colorOf = (l: Locator): Promise<string> => l.evaluate((el) => getComputedStyle(el).color);
    const fillOf = (l: Locator): Promise<string> => l.evaluate((el) => getComputedStyle(el).fill);
    const gatesTitle = plotOf("gates").locator(".seqlab-title");
    const cellText = plotOf("cell").locator(".seqlab-cell-diagram text").first();
    const axisText = plotOf("gates").locator(".seqlab-panel[data-key='i'] .xtick text").first();
    const before = [await colorOf(gatesTitle), await fillOf(cellText), await fillOf(axisText)];
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Settings$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Theme$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^JupyterLab Dark$/ }).click();
    await page.waitForFunction(() => document.body.dataset.jpThemeLight === "false", undefined, { timeout: 30_000 });
    await expect.poll(async () => [await colorOf(gatesTitle), await fillOf(cellText), await fillOf(plotOf("gates").locator(".seqlab-panel[data-key='i'] .xtick text").first())], { timeout: 10_000 })
      .toSatisfy((after: string[]) => after.every((c, k) => c !== before[k]));
    await saveImage(plotOf("gates"), "dark-gates");
    await saveImage(plotOf("cell"), "dark-cell");
    await screenshot(page, "plots-a-dark");
    expect(consoleLog.errors.filter((e) => !/favicon|404/.test(e))).toEqual([]);
  });
});
