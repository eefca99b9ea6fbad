/**
 * The spine, end to end: a fresh server on loopback, 05-lstm.ipynb opened in the bundled
 * JupyterLab front end, all cells run through the tslab kernel, the seqlab gate plot rendered by
 * the prebuilt extension, a hover showing a value, a screenshot, and a clean console.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openNotebook, runAllCells, screenshot, waitForKernelIdle, watchConsole, type ConsoleLog } from "./browser.js";
import { startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;

beforeAll(async () => {
  lab = await startLab("spine");
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  consoleLog = watchConsole(page);
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe("05-lstm.ipynb in JupyterLab", () => {
  it("loads seqlab's prebuilt extension as a federated extension", async () => {
    const res = await fetch(`${lab.url}/lab?token=${lab.token}`);
    const html = await res.text();
    const config = JSON.parse(html.match(/<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/)![1]!);
    const names = (config.federated_extensions as { name: string }[]).map((e) => e.name);
    expect(names).toContain("@seqlab/jupyterlab");
  });

  it("runs every cell through the tslab kernel and renders the gate plot", async () => {
    await openNotebook(page, lab, "05-lstm.ipynb");
    await runAllCells(page);
    // Six heatmaps (i, f, g, o, c, h), each a plotly graph inside the seqlab renderer.
    // The gate plot is the notebook's first plot (later sections add more, some with the same panel keys).
    const gatePlot = page.locator(".seqlab-plot").first();
    await gatePlot.locator(".seqlab-panel[data-key='h'] .main-svg").first().waitFor({ state: "attached", timeout: 120_000 });
    const keys = await gatePlot.locator(".seqlab-panel").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key));
    expect(keys).toEqual(["i", "f", "g", "o", "c", "h"]);
    // The printed shapes came through the same kernel.
    // textContent, not innerText: outputs scrolled far out of view are not rendered, so their innerText is empty.
    await expect.poll(() => page.locator(".jp-OutputArea-output").allTextContents().then((t) => t.join("\n")), { timeout: 60_000 })
      .toMatch(/output: \(1, 3, 4\)/);
    const outputs = (await page.locator(".jp-OutputArea-output").allTextContents()).join("\n");
    expect(outputs).toMatch(/h_n: +\(1, 1, 4\)/);
    expect(outputs).not.toMatch(/Error|Traceback/);
  });

  it("shows a cell's exact value on hover", async () => {
    // Later cells train models and draw more plots below; hover once the page has stopped moving.
    await waitForKernelIdle(page);
    await page.locator(".seqlab-plot").last().locator(".main-svg").first().waitFor({ state: "attached", timeout: 60_000 });
    const panel = page.locator(".seqlab-plot").first().locator(".seqlab-panel[data-key='f']");
    await panel.scrollIntoViewIfNeeded();
    const drag = panel.locator(".nsewdrag").first();
    // The windowed notebook keeps laying out cells after a scroll: wait until the plot stops moving.
    let box = await drag.boundingBox();
    for (let k = 0; k < 50; k++) {
      await page.waitForTimeout(100);
      const next = await drag.boundingBox();
      if (box && next && next.x === box.x && next.y === box.y) break;
      box = next;
    }
    box = box!;
    expect(box).toBeTruthy();
    // Centre of the middle step, first unit row.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 8);
    const hover = panel.locator(".hoverlayer .hovertext");
    await hover.first().waitFor({ state: "attached", timeout: 10_000 });
    const text = await hover.first().textContent();
    expect(text).toMatch(/value 0\.\d{4}/);
    expect(text).toMatch(/unit 0/);
    await screenshot(page, "spine-05-lstm");
  });

  it("leaves no errors in the browser console", () => {
    expect(consoleLog.errors).toEqual([]);
  });
});
