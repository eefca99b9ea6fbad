/**
 * plot.attention in the real browser: plots-attention.ipynb trains a tiny AttentionClassifier
 * through the tslab kernel and draws its weights; the test checks the heatmap plotly drew, the
 * hover, and saves docs/img/attention.png for the README; a second plot checks that HTML-like
 * labels stay text.
 */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openNotebook, runAllCells, screenshot, watchConsole, type ConsoleLog } from "./browser.js";
import { REPO, startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;

beforeAll(async () => {
  lab = await startLab("plots-attention", ["test/e2e/notebooks/plots-attention.ipynb"]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  consoleLog = watchConsole(page);
  await openNotebook(page, lab, "plots-attention.ipynb");
  await runAllCells(page);
  try {
    await page.locator(".seqlab-plot .seqlab-panel[data-key='attention'] .main-svg").nth(1).waitFor({ state: "attached", timeout: 90_000 });
  } catch (e) {
    await screenshot(page, "plots-attention-debug");
    console.log(consoleLog.all.join("\n"));
    throw e;
  }
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe("plots-attention.ipynb in JupyterLab", () => {
  it("draws one 6 × 6 heatmap on [0, 1] with a hover naming query and key", async () => {
    const plot = page.locator(".seqlab-plot").first();
    expect(await plot.locator(".seqlab-title").textContent()).toBe("Attention on one recall sequence (k = 5)");
    const panel = plot.locator(".seqlab-panel[data-key='attention']");
    const trace = await panel.evaluate((el) => {
      const d = (el as unknown as { data: { type: string; z: number[][]; zmin: number; zmax: number }[] }).data;
      return { n: d.length, type: d[0]!.type, rows: d[0]!.z.length, cols: d[0]!.z[0]!.length, zmin: d[0]!.zmin, zmax: d[0]!.zmax };
    });
    expect(trace).toEqual({ n: 1, type: "heatmap", rows: 6, cols: 6, zmin: 0, zmax: 1 });
    // Hover the bottom-left cell: the last query looking at position 0 (the answer).
    await panel.scrollIntoViewIfNeeded();
    const { x, y } = await panel.evaluate((el) => {
      type Axis = { _offset: number; d2p(v: number): number };
      const gd = el as unknown as { _fullLayout: { xaxis: Axis; yaxis: Axis } };
      const r = el.getBoundingClientRect();
      return { x: r.left + gd._fullLayout.xaxis._offset + gd._fullLayout.xaxis.d2p(0), y: r.top + gd._fullLayout.yaxis._offset + gd._fullLayout.yaxis.d2p(5) };
    });
    await page.mouse.move(x - 3, y - 3);
    await page.mouse.move(x, y);
    const hover = panel.locator(".hoverlayer .hovertext");
    await hover.first().waitFor({ state: "attached", timeout: 10_000 });
    expect((await hover.allTextContents()).join("\n")).toMatch(/query 5:[a-d] → key 0:[a-d]\s*weight \d\.\d{3}/);
    await page.mouse.move(5, 5);
    mkdirSync(join(REPO, "docs", "img"), { recursive: true });
    const path = join(REPO, "docs", "img", "attention.png");
    await plot.screenshot({ path, animations: "disabled" });
    expect(statSync(path).size).toBeLessThanOrEqual(150 * 1024);
    expect(consoleLog.errors).toEqual([]);
  });

  it("draws HTML-like tokens and titles as their characters, never as markup", async () => {
    const plot = page.locator(".seqlab-plot").nth(1);
    expect(await plot.locator(".seqlab-title").textContent()).toBe("<i>hostile</i> labels");
    expect(await plot.locator(".seqlab-title i").count()).toBe(0);
    const panel = plot.locator(".seqlab-panel[data-key='attention']");
    // Plotly would turn <b> into bold text and drop the tags; escaped, the tags are the text.
    expect(await panel.locator(".xtick text").allTextContents()).toContain("<b>bold?</b>");
    expect(await panel.locator(".ytick text").allTextContents()).toContain("<b>bold?</b>");
  });
});
