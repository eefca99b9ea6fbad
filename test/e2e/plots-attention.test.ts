/**
 * plot.attention in the real browser: plots-attention.ipynb trains a tiny AttentionClassifier
 * through the tslab kernel and draws its weights; the test checks the heatmap plotly drew, the
 * hover, and saves docs/img/attention.png for the README; a second plot checks that HTML-like
 * labels stay text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { dataPosition, hoverAt, launchChromium, openNotebook, runAllCells, saveImage, screenshot, watchConsole, type ConsoleLog } from "./browser.js";
import { startLab, type LabServer } from "./jupyter.js";

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
    expect(await hoverAt(page, panel, await dataPosition(panel, 0, 5))).toMatch(/query 5:[a-d] → key 0:[a-d]\s*weight \d\.\d{3}/);
    await saveImage(page, plot, "attention");
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
