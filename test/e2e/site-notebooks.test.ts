/**
 * Every course notebook, opened in the JupyterLite site and run with Run → Run All Cells in
 * Chromium, shows the same results as under tslab: the checks are the very table that
 * notebooks.test.ts applies to the nbclient run (notebook-expectations.ts). Every seqlab plot is
 * drawn by the federated extension, the console stays free of errors, and no request leaves the
 * site's origin.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIME_TYPE } from "../../src/plot/schema.js";
import { launchChromium, watchConsole } from "./browser.js";
import { REPO } from "./jupyter.js";
import { expectations, outputsOf } from "./notebook-expectations.js";
import { notebookJson, offSite, openSiteNotebook, runAll, startSite, watchRequests, type Site } from "./site.js";

const notebooks = readdirSync(join(REPO, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();

let site: Site;
let browser: Browser;

beforeAll(async () => {
  site = await startSite("site-notebooks");
  browser = await launchChromium();
  // The first run on a clean clone builds the site's front end (stamped; about 4 min on 2 cores).
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("the course notebooks run in the JupyterLite site", () => {
  it("every notebook has its checks", () => {
    expect(notebooks.length).toBe(8);
    for (const name of notebooks) expect(Object.keys(expectations)).toContain(name);
  });

  it.each(notebooks)("%s: Run All Cells in the page gives tslab's results", async (name) => {
    // A fresh context per notebook: its own storage, so each run starts from the site's files.
    const context: BrowserContext = await browser.newContext();
    const requests = watchRequests(context);
    const page = await context.newPage();
    const consoleLog = watchConsole(page);
    try {
      await openSiteNotebook(page, site, name);
      const started = Date.now();
      await runAll(page);
      const seconds = (Date.now() - started) / 1000;
      const nb = await notebookJson(page);
      const errors = outputsOf(nb).filter((o) => o.output_type === "error");
      expect(errors.map((e) => `${e.ename ?? "error"}: ${e.evalue ?? ""}`)).toEqual([]);
      expectations[name]!(nb);
      // Every seqlab output is drawn by the extension, none as its error box.
      const payloads = outputsOf(nb).filter((o) => o.data?.[MIME_TYPE] !== undefined).length;
      await expect.poll(() => page.locator(".jp-NotebookPanel .seqlab-plot").count(), { timeout: 30_000 }).toBe(payloads);
      expect(await page.locator(".jp-NotebookPanel .seqlab-error").count()).toBe(0);
      expect(offSite(requests, site.url)).toEqual([]);
      expect(consoleLog.errors).toEqual([]);
      console.log(`[site notebook] ${name}: ${seconds.toFixed(1)} s in the page`);
    } finally {
      await context.close();
    }
  });
});
