/**
 * The playground on the JupyterLite site (the same extension bundle as in JupyterLab, under
 * the site's own path, on a cross-origin isolated page): Train starts the training worker from
 * the extension's folder there too (the one worker also answers the example shown under the
 * controls), the run finishes, and its record goes into the notebook.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page, Worker } from "playwright-core";
import { launchChromium, watchConsole, type ConsoleLog } from "./browser.js";
import { openSiteNotebook, outputsOfCell, runCell, startSite, type Site } from "./site.js";

let site: Site;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;
const workers: Worker[] = [];

beforeAll(async () => {
  site = await startSite("site-playground");
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  consoleLog = watchConsole(page);
  page.on("worker", (w) => workers.push(w));
  await openSiteNotebook(page, site, "scratch.ipynb");
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("the playground on the JupyterLite site", () => {
  it("trains in the extension's worker and keeps the run in the notebook", async () => {
    const at = await runCell(page, 'import { plot } from "seqlab";\nplot.playground({ cell: "gru", steps: 50, backend: "wasm" });');
    const playground = page.locator(".seqlab-plot").first();
    await playground.locator("button[data-part='train']").click();
    const testAccuracy = playground.locator(".seqlab-runs tr[data-run='1'] td").nth(5);
    await expect.poll(() => testAccuracy.textContent(), { timeout: 120_000 }).toMatch(/^\d/);
    expect(workers.map((w) => w.url()).filter((u) => /\/extensions\/@seqlab\/jupyterlab\/static\/[^/]+\.js/.test(u))).toHaveLength(1);
    expect(await playground.locator(".seqlab-runs td").nth(8).textContent()).toBe("WebAssembly SIMD on 1 thread");
    await expect.poll(async () => {
      const data = (await outputsOfCell(page, at)).map((o) => o.data ?? {}).find((d) => "application/vnd.seqlab.v1+json" in d);
      const payload = data && JSON.parse(String(data["application/vnd.seqlab.v1+json"])) as { runs?: { list: { id: number; stepsTaken: number }[] } };
      return payload?.runs?.list.map((r) => [r.id, r.stepsTaken]);
    }, { timeout: 30_000 }).toEqual([[1, 50]]);
    expect(consoleLog.errors).toEqual([]);
  });
});
