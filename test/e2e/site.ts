/**
 * The JupyterLite site for the browser tests: built by the same code as `npm run site`
 * (kernel/site/build.mjs; its front end is stamped, so only the first run builds it), served by
 * kernel/site/serve.mjs on loopback, driven in Debian's Chromium by playwright-core.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { RESULTS, REPO, type Notebook, type Output } from "./jupyter.js";
// @ts-expect-error: plain JavaScript modules of the build, without declarations
import { assembleSite, buildFrontEnd } from "../../kernel/site/build.mjs";
// @ts-expect-error: as above
import { serveSite } from "../../kernel/site/serve.mjs";

export interface Site {
  url: string;
  dir: string;
  stats: { bytes: number; requests: number };
  close(): Promise<void>;
}

/** The status bar text of an idle kernel of this site. */
export const IDLE = /^TypeScript \(seqlab, in the browser\) \| Idle$/;

const EMPTY_NOTEBOOK = {
  cells: [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: "" }],
  metadata: { kernelspec: { display_name: "TypeScript (tslab)", language: "typescript", name: "tslab" }, language_info: { name: "typescript" } },
  nbformat: 4,
  nbformat_minor: 5,
};

/**
 * Builds a site of the course notebooks plus `scratch.ipynb` (one empty cell, kernelspec tslab)
 * into test-results/<name>, and serves it (cross-origin isolated unless `isolated: false`).
 */
export async function startSite(name: string, { isolated = true } = {}): Promise<Site> {
  buildFrontEnd();
  const notebooks = join(RESULTS, `${name}-notebooks`);
  rmSync(notebooks, { recursive: true, force: true });
  mkdirSync(notebooks, { recursive: true });
  cpSync(join(REPO, "notebooks"), notebooks, { recursive: true, filter: (src: string) => !src.includes(".ipynb_checkpoints") });
  writeFileSync(join(notebooks, "scratch.ipynb"), JSON.stringify(EMPTY_NOTEBOOK));
  const dir = join(RESULTS, name);
  assembleSite({ notebooks, out: dir });
  const server = (await serveSite(dir, { isolated })) as { url: string; stats: Site["stats"]; close(): Promise<void> };
  return { url: server.url, dir, stats: server.stats, close: server.close };
}

/** Every request the context makes, for the test to check that none leaves the site. */
export function watchRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on("request", (r) => urls.push(r.url()));
  return urls;
}

/** Requests to anywhere but the site itself (data: and blob: URLs are not requests). */
export function offSite(urls: readonly string[], site: string): string[] {
  const origin = new URL(site).origin;
  return urls.filter((u) => !u.startsWith("data:") && !u.startsWith("blob:") && new URL(u).origin !== origin);
}

export async function waitForIdle(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    (source) => [...document.querySelectorAll(".jp-StatusBar-TextItem")].some((e) => new RegExp(source).test((e.textContent ?? "").trim())),
    IDLE.source,
    { timeout, polling: 100 },
  );
}

/** Opens a notebook of the site and waits until its kernel is idle. */
export async function openSiteNotebook(page: Page, site: Site, name: string): Promise<void> {
  await page.goto(`${site.url}/lab/index.html?path=${encodeURIComponent(name)}`);
  await page.waitForSelector("body[data-seqlab-lab-ready=true]", { state: "attached", timeout: 90_000 });
  await page.waitForSelector(".jp-NotebookPanel .jp-Cell", { state: "attached", timeout: 60_000 });
  await waitForIdle(page);
}

/** The open notebook as JupyterLab holds it (outputs included), as nbformat JSON. */
export function notebookJson(page: Page): Promise<Notebook> {
  return page.evaluate(() => {
    const app = (window as unknown as { jupyterapp: { shell: { currentWidget: { content: { model: { toJSON(): unknown } } } } } }).jupyterapp;
    return app.shell.currentWidget.content.model.toJSON() as never;
  });
}

/** Run → Run All Cells from the menu bar; resolves when every code cell has run and the kernel is idle. */
export async function runAll(page: Page, timeout = 280_000): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  await page.waitForFunction(
    (source) => {
      const prompts = [...document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")].map((p) => (p.textContent ?? "").trim());
      const idle = [...document.querySelectorAll(".jp-StatusBar-TextItem")].some((e) => new RegExp(source).test((e.textContent ?? "").trim()));
      return idle && prompts.some((t) => /\[\d+\]/.test(t)) && prompts.every((t) => t === "" || /\[\d+\]/.test(t));
    },
    IDLE.source,
    { timeout, polling: 250 },
  );
}

/** An output as the page's notebook model holds it: nbformat's, plus a display's transient part. */
export interface CellOutput extends Output {
  transient?: unknown;
}

/**
 * Types `code` into a new cell at the end of the open notebook and runs it (Shift+Enter's
 * command); with `wait` false returns as soon as it started. Resolves with the cell's index.
 */
export async function runCell(page: Page, code: string, { wait = true } = {}): Promise<number> {
  const index = await page.evaluate(async ([source, awaitRun]) => {
    type Cell = { model: { sharedModel: { setSource(s: string): void } } };
    const app = (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> }; shell: { currentWidget: { content: { activeCell: Cell; widgets: readonly Cell[]; activeCellIndex: number } } } } }).jupyterapp;
    const nb = app.shell.currentWidget.content;
    nb.activeCellIndex = nb.widgets.length - 1;
    await app.commands.execute("notebook:insert-cell-below");
    nb.activeCell.model.sharedModel.setSource(source as string);
    const at = nb.widgets.indexOf(nb.activeCell);
    const run = app.commands.execute("notebook:run-cell");
    if (awaitRun) await run;
    return at;
  }, [code, wait] as const);
  if (wait) await waitForIdle(page);
  return index;
}

/** The outputs of cell `index` of the open notebook. */
export async function outputsOfCell(page: Page, index: number): Promise<CellOutput[]> {
  const nb = await notebookJson(page);
  return (nb.cells[index]?.outputs ?? []) as CellOutput[];
}

export const streamText = (outputs: readonly CellOutput[], name: "stdout" | "stderr"): string =>
  outputs.filter((o) => o.output_type === "stream" && o.name === name).map((o) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? ""))).join("");

export function expectNoConsoleErrors(errors: readonly string[]): void {
  expect(errors).toEqual([]);
}
