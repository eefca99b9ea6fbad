/**
 * A notebook exported to HTML with the nbconvert here (what JupyterLab's "Save and Export
 * Notebook As → HTML" runs) keeps every seqlab plot as a picture: Debian's nbconvert 6.5 empties
 * inline SVG outputs, so each plot also carries an <img> of its SVG (text/html, read first).
 * Checked in Chromium: every plot's picture loads and has visible content, and each table of
 * results is shown as a table, without its machine-readable JSON.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import { RESULTS_MIME_TYPE } from "../../src/plot/results.js";
import { MIME_TYPE } from "../../src/plot/schema.js";
import { launchChromium } from "./browser.js";
import { REPO, RESULTS, env, executeNotebook, python } from "./jupyter.js";

it("an executed course notebook exported by nbconvert shows each plot's picture", async () => {
  const { notebook } = await executeNotebook(join(REPO, "notebooks", "02-rnn.ipynb"));
  const plots = notebook.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[MIME_TYPE] !== undefined);
  expect(plots.length).toBeGreaterThanOrEqual(3);
  for (const o of plots) expect(String(o.data!["text/html"])).toMatch(/^<img alt="seqlab plot" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+">$/);

  const out = join(RESULTS, "export");
  mkdirSync(out, { recursive: true });
  const r = spawnSync(python(), ["-m", "nbconvert", "--to", "html", "--output-dir", out, join(RESULTS, "executed", "02-rnn.ipynb")], { env: env(), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  const html = join(out, "02-rnn.html");
  const exported = readFileSync(html, "utf8");
  expect(exported).toContain('alt="seqlab plot"');
  // Each showResults output is exported as its table; its JSON (the values by name) is not shown.
  const results = notebook.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data?.[RESULTS_MIME_TYPE] !== undefined);
  expect(results.length).toBeGreaterThanOrEqual(3);
  expect(exported.split('<div class="seqlab-results">').length - 1).toBe(results.length);
  expect(exported).not.toContain(RESULTS_MIME_TYPE);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(html).href);
    const pictures = await page.locator('img[alt="seqlab plot"]').evaluateAll(async (imgs) =>
      Promise.all((imgs as HTMLImageElement[]).map(async (img) => {
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext("2d")!;
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0);
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let k = 0; k < px.length; k += 4) if (px[k]! < 200 || px[k + 1]! < 200 || px[k + 2]! < 200) inked++;
        return { width: img.naturalWidth, inked: inked / (px.length / 4) };
      })));
    const tables = await page.locator(".seqlab-results table").evaluateAll((ts) => ts.map((t) => (t as HTMLElement).innerText));
    expect(tables).toHaveLength(results.length);
    expect(tables.join("\n")).toMatch(/after 300 steps\s+0\.2\d/);
    // The names the values are stored under appear in the code cells only, never in an output.
    const outputs = (await page.locator(".jp-OutputArea").allInnerTexts()).join("\n");
    expect(outputs).toContain("after 300 steps");
    expect(outputs).not.toMatch(/lm_final_loss|"values"/);
    expect(pictures.length).toBe(plots.length);
    // Each picture has a size and visibly more than a blank box: axes, labels, bars or cells.
    for (const p of pictures) {
      expect(p.width).toBeGreaterThan(100);
      expect(p.inked).toBeGreaterThan(0.01);
    }
  } finally {
    await browser.close();
  }
});
