/**
 * Every course notebook, run the way a student runs it: opened in JupyterLab in Chromium,
 * Run → Run All Cells, through the tslab kernel. No cell may print an error, and every seqlab
 * plot it emits must be drawn by the extension (no error box). nbclient runs the same notebooks
 * headless and checks their results (notebooks.test.ts); this is the student's path.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openNotebook, runAllCells, screenshot, watchConsole, type ConsoleLog } from "./browser.js";
import { REPO, startLab, type LabServer } from "./jupyter.js";

const notebooks = readdirSync(join(REPO, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();

let lab: LabServer;
let browser: Browser;

beforeAll(async () => {
  lab = await startLab("notebooks");
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

/** Shuts every kernel down between notebooks, so each runs on a quiet machine. */
async function shutdownKernels(): Promise<void> {
  const kernels = (await (await fetch(`${lab.url}/api/kernels?token=${lab.token}`)).json()) as { id: string }[];
  await Promise.all(kernels.map((k) => fetch(`${lab.url}/api/kernels/${k.id}?token=${lab.token}`, { method: "DELETE" })));
}

describe("the course notebooks in JupyterLab", () => {
  it.each(notebooks)("%s runs from the Run menu with every plot drawn", async (name) => {
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const consoleLog: ConsoleLog = watchConsole(page);
    try {
      await openNotebook(page, lab, name);
      await runAllCells(page, 240_000);
      const notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)");
      // tslab reports a failing cell on stderr.
      const errors = await notebook.locator("[data-mime-type='application/vnd.jupyter.stderr']").allTextContents();
      expect(errors).toEqual([]);
      // Every course notebook shows at least one seqlab plot, drawn by the extension.
      const plots = notebook.locator(".seqlab-plot");
      await expect.poll(() => plots.count(), { timeout: 60_000 }).toBeGreaterThan(0);
      expect(await notebook.locator(".seqlab-plot .seqlab-error").count()).toBe(0);
      expect(await notebook.locator(".seqlab-plot .js-plotly-plot, .seqlab-plot svg").count()).toBeGreaterThan(0);
      // Every course notebook shows results with showResults: the student sees the table, never its JSON.
      expect(await notebook.locator("[data-mime-type='text/html'] .seqlab-results table").count()).toBeGreaterThan(0);
      expect(await notebook.locator("[data-mime-type='application/vnd.seqlab.results+json']").count()).toBe(0);
      // Row labels read as text (left), the values as figures (right, JupyterLab's own rule).
      const firstRow = notebook.locator("[data-mime-type='text/html'] .seqlab-results tbody tr").first();
      expect(await firstRow.locator("th").evaluate((el) => getComputedStyle(el).textAlign)).toBe("left");
      expect(await firstRow.locator("td").first().evaluate((el) => getComputedStyle(el).textAlign)).toBe("right");
      expect(await notebook.locator(".jp-OutputArea-output", { hasText: /"values"|RESULT \w+=/ }).count()).toBe(0);
      await screenshot(page, `notebook-${name.replace(".ipynb", "")}`);
      expect(consoleLog.errors).toEqual([]);
    } finally {
      await page.close();
      await shutdownKernels();
    }
  });
});
