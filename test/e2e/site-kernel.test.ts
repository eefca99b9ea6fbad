/**
 * seqlab's TypeScript kernel in the JupyterLite site, in Chromium: each behaviour of the issue
 * with its own test, through the notebook UI (a cell typed and run as a student would).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIME_TYPE } from "../../src/plot/schema.js";
import { launchChromium, watchConsole, type ConsoleLog } from "./browser.js";
// @ts-expect-error: a plain JavaScript module, without declarations
import { serveSite } from "../../kernel/site/serve.mjs";
import { offSite, openSiteNotebook, outputsOfCell, runCell, startSite, streamText, waitForIdle, watchRequests, type Site } from "./site.js";

let site: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleLog: ConsoleLog;
let requests: string[];

beforeAll(async () => {
  site = await startSite("site-kernel");
  browser = await launchChromium();
  context = await browser.newContext({ acceptDownloads: true });
  requests = watchRequests(context);
  page = await context.newPage();
  consoleLog = watchConsole(page);
  await openSiteNotebook(page, site, "scratch.ipynb");
  // The first run on a clean clone builds the site's front end (stamped; about 4 min on 2 cores).
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("the TypeScript kernel in the page", () => {
  it("opens a notebook whose kernelspec is tslab with this kernel, cross-origin isolated, on 2 threads", async () => {
    const status = await page.locator(".jp-StatusBar-TextItem", { hasText: "| Idle" }).first().textContent();
    expect(status?.trim()).toBe("TypeScript (seqlab, in the browser) | Idle");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const at = await runCell(page, 'import { getThreads } from "seqlab";\ngetThreads()');
    expect((await outputsOfCell(page, at)).map((o) => o.data?.["text/plain"])).toEqual(["2"]);
  });

  it("reports a type error with its line and column, and does not run the cell", async () => {
    const at = await runCell(page, 'console.log("ran");\nconst n: number = "five";');
    const outs = await outputsOfCell(page, at);
    expect(streamText(outs, "stdout")).toBe("");
    const error = outs.find((o) => o.output_type === "error");
    expect(error?.ename).toBe("TypeScript");
    expect(error?.traceback).toEqual(["2:7 - Type 'string' is not assignable to type 'number'. (TS2322)"]);
  });

  it("keeps declarations across cells, and re-running a `const` cell works", async () => {
    const first = await runCell(page, "const k = 20;");
    expect(await outputsOfCell(page, first)).toEqual([]);
    const again = await runCell(page, "const k = 21;");
    expect(await outputsOfCell(page, again)).toEqual([]);
    const read = await runCell(page, "k * 2");
    expect((await outputsOfCell(page, read)).map((o) => o.data?.["text/plain"])).toEqual(["42"]);
  });

  it("runs top-level await and shows the last expression's value", async () => {
    const at = await runCell(page, "const later = await new Promise<string>((r) => setTimeout(() => r('done'), 50));\n({ later, n: [1, 2] })");
    const outs = await outputsOfCell(page, at);
    expect(outs.map((o) => o.output_type)).toEqual(["execute_result"]);
    expect(outs[0]!.data?.["text/plain"]).toBe("{ later: 'done', n: [ 1, 2 ] }");
  });

  it("names what can be imported when a cell imports anything else", async () => {
    const at = await runCell(page, 'import * as _ from "lodash";');
    const error = (await outputsOfCell(page, at)).find((o) => o.output_type === "error");
    expect(error?.traceback?.[0]).toBe('1:20 - Cannot find module "lodash": a cell in this kernel can import "seqlab", "seqlab/onnx", "fs", "tslab", "onnxruntime-web", nothing else. (TS2307)');
  });

  it("sends console.log/info to stdout and console.warn/error to stderr", async () => {
    const at = await runCell(page, 'console.log("out", 1);\nconsole.warn("careful");\nconsole.info({ a: 1 });\nconsole.error("bad");');
    const outs = await outputsOfCell(page, at);
    expect(streamText(outs, "stdout")).toBe("out 1\n{ a: 1 }\n");
    expect(streamText(outs, "stderr")).toBe("careful\nbad\n");
    expect(await page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()).toBeGreaterThan(0);
  });

  it("shows an uncaught error with its name, message and cell line", async () => {
    const at = await runCell(page, 'const items = [1, 2];\n\nif (items.length === 2) throw new RangeError("two is too many");');
    const error = (await outputsOfCell(page, at)).find((o) => o.output_type === "error");
    expect(error).toMatchObject({ ename: "RangeError", evalue: "two is too many" });
    expect(error?.traceback).toEqual(["RangeError: two is too many", '    at line 3 of the cell: if (items.length === 2) throw new RangeError("two is too many");']);
  });

  it("updates a live display in place (plot.liveTraining)", async () => {
    const at = await runCell(
      page,
      'import { plot } from "seqlab";\nconst live = plot.liveTraining({ title: "live", totalSteps: 30, throttleMs: 0 });\nfor (let s = 1; s <= 30; s++) { await live.step(s, { loss: 1 / s }); await new Promise((r) => setTimeout(r, 60)); }\nconsole.log(`RESULT draws=${live.draws}`);',
      { wait: false },
    );
    // While the cell runs: never more than one display output, and its step moves on.
    const seen = new Set<number>();
    const deadline = Date.now() + 30_000;
    let outs = await outputsOfCell(page, at);
    while (!outs.some((o) => o.output_type === "stream") && Date.now() < deadline) {
      const displays = outs.filter((o) => o.output_type === "display_data");
      expect(displays.length).toBeLessThanOrEqual(1);
      const payload = displays[0]?.data?.[MIME_TYPE];
      if (payload !== undefined) {
        const plotted = (typeof payload === "string" ? JSON.parse(payload) : payload) as { progress: { step: number } | null };
        if (plotted.progress) seen.add(plotted.progress.step);
      }
      await page.waitForTimeout(100);
      outs = await outputsOfCell(page, at);
    }
    await waitForIdle(page);
    outs = await outputsOfCell(page, at);
    expect(seen.size).toBeGreaterThanOrEqual(3);
    const displays = outs.filter((o) => o.output_type === "display_data");
    expect(displays).toHaveLength(1);
    expect(Object.keys(displays[0]!.data!).sort()).toEqual([MIME_TYPE, "image/svg+xml", "text/html", "text/plain"].sort());
    const last = displays[0]!.data![MIME_TYPE];
    expect(((typeof last === "string" ? JSON.parse(last) : last) as { progress: { step: number } }).progress.step).toBe(30);
    expect(Number(/RESULT draws=(\d+)/.exec(streamText(outs, "stdout"))?.[1])).toBeGreaterThan(2);
    expect(await page.locator(".jp-NotebookPanel .jp-CodeCell").nth(at).locator(".seqlab-plot").count()).toBe(1);
  });

  it("answers completion (Tab) and inspection (Shift+Tab) requests from TypeScript's language service", async () => {
    await runCell(page, "const myLongVariable = 1;");
    const replies = await page.evaluate(async () => {
      type Kernel = {
        requestComplete(c: object): Promise<{ content: { matches: string[]; cursor_start: number; cursor_end: number } }>;
        requestInspect(c: object): Promise<{ content: { found: boolean; data: Record<string, string> } }>;
      };
      const app = (window as unknown as { jupyterapp: { shell: { currentWidget: { sessionContext: { session: { kernel: Kernel } } } } } }).jupyterapp;
      const kernel = app.shell.currentWidget.sessionContext.session.kernel;
      const own = (await kernel.requestComplete({ code: "1 + myLongVar", cursor_pos: 13 })).content;
      const member = (await kernel.requestComplete({ code: 'import { tensor } from "seqlab";\ntensor([1]).sha', cursor_pos: 48 })).content;
      const help = (await kernel.requestInspect({ code: 'import { LSTM } from "seqlab";\nnew LSTM', cursor_pos: 36, detail_level: 0 })).content;
      return { own, member, help };
    });
    expect(replies.own).toMatchObject({ matches: ["myLongVariable"], cursor_start: 4, cursor_end: 13 });
    expect(replies.member.matches).toContain("shape");
    expect(replies.member.cursor_start).toBe(45);
    expect(replies.help.found).toBe(true);
    expect(replies.help.data["text/plain"]).toMatch(/LSTM/);
  });

  it("reads the notebook folder's files with fs.readFileSync", async () => {
    const at = await runCell(page, 'import * as fs from "fs";\nconst ref = JSON.parse(fs.readFileSync("data/pytorch-lstm-example.json", "utf8"));\nObject.keys(ref).length > 0');
    expect((await outputsOfCell(page, at)).map((o) => o.data?.["text/plain"])).toEqual(["true"]);
    const missing = await runCell(page, 'fs.readFileSync("data/none.json", "utf8");');
    const error = (await outputsOfCell(page, missing)).find((o) => o.output_type === "error");
    expect(error?.evalue).toMatch(/^ENOENT: no such file or directory, open 'data\/none.json'/);
  });

  it("interrupts `while (true) {}` within 1 s, says the variables are lost, and works afterwards", async () => {
    const at = await runCell(page, "while (true) {}", { wait: false });
    await page.waitForFunction(() => [...document.querySelectorAll(".jp-StatusBar-TextItem")].some((e) => /\| Busy$/.test((e.textContent ?? "").trim())), undefined, { timeout: 30_000 });
    await page.waitForTimeout(300);
    const started = Date.now();
    await page.locator(".jp-NotebookPanel-toolbar [data-command='notebook:interrupt-kernel']").click();
    await page.waitForFunction(
      (index) => {
        const cell = document.querySelectorAll(".jp-NotebookPanel .jp-CodeCell")[index];
        return /variable/.test(cell?.querySelector(".jp-OutputArea")?.textContent ?? "");
      },
      at,
      { timeout: 5_000, polling: 20 },
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1_000);
    const error = (await outputsOfCell(page, at)).find((o) => o.output_type === "error");
    expect(error?.ename).toBe("Interrupted");
    expect(error?.evalue).toMatch(/every variable of this notebook is lost/);
    await waitForIdle(page);
    // A fresh worker: it runs cells, and the old variables are gone (a type error says so).
    const after = await runCell(page, "6 * 7");
    expect((await outputsOfCell(page, after)).map((o) => o.data?.["text/plain"])).toEqual(["42"]);
    const gone = await runCell(page, "k");
    expect((await outputsOfCell(page, gone)).find((o) => o.output_type === "error")?.traceback?.[0]).toMatch(/^1:1 - Cannot find name 'k'/);
  });

  it("restarts", async () => {
    await runCell(page, "const beforeRestart = 1;");
    await page.evaluate(async () => {
      const app = (window as unknown as { jupyterapp: { shell: { currentWidget: { sessionContext: { session: { kernel: { restart(): Promise<void> } } } } } } }).jupyterapp;
      await app.shell.currentWidget.sessionContext.session.kernel.restart();
    });
    await waitForIdle(page);
    const at = await runCell(page, "typeof beforeRestart");
    expect((await outputsOfCell(page, at)).find((o) => o.output_type === "error")?.traceback?.[0]).toMatch(/Cannot find name 'beforeRestart'/);
    const ok = await runCell(page, '"alive"');
    expect((await outputsOfCell(page, ok)).map((o) => o.data?.["text/plain"])).toEqual(["'alive'"]);
  });

  it("keeps an edit across a reload (the browser's storage), and downloads the notebook", async () => {
    await runCell(page, "// edited in the page, kept across reload");
    await page.keyboard.press("Control+s");
    await page.waitForFunction(() => !document.querySelector(".jp-NotebookPanel .jp-mod-dirty"), undefined, { timeout: 10_000 });
    await page.waitForTimeout(500);
    await page.reload();
    await openSiteNotebook(page, site, "scratch.ipynb");
    const sources = await page.evaluate(() => {
      const app = (window as unknown as { jupyterapp: { shell: { currentWidget: { content: { model: { toJSON(): { cells: { source: string | string[] }[] } } } } } } }).jupyterapp;
      return app.shell.currentWidget.content.model.toJSON().cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
    });
    expect(sources).toContain("// edited in the page, kept across reload");
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 15_000 }),
      page.evaluate(() => (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }).jupyterapp.commands.execute("docmanager:download")),
    ]);
    expect(download.suggestedFilename()).toBe("scratch.ipynb");
    const path = await download.path();
    const { readFileSync } = await import("node:fs");
    const saved = JSON.parse(readFileSync(path, "utf8")) as { cells: { source: string | string[] }[] };
    expect(saved.cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source))).toContain("// edited in the page, kept across reload");
  });

  it("runs on 1 thread, quietly, where the host sends no COOP/COEP headers (GitHub Pages)", async () => {
    const plain = (await serveSite(site.dir, { isolated: false })) as { url: string; close(): Promise<void> };
    const other = await browser.newContext();
    try {
      const p = await other.newPage();
      const log = watchConsole(p);
      await openSiteNotebook(p, { ...site, url: plain.url }, "scratch.ipynb");
      expect(await p.evaluate(() => crossOriginIsolated)).toBe(false);
      const at = await runCell(p, 'import { getThreads } from "seqlab";\ngetThreads()');
      expect((await outputsOfCell(p, at)).map((o) => o.data?.["text/plain"])).toEqual(["1"]);
      expect(log.errors).toEqual([]);
    } finally {
      await other.close();
      await plain.close();
    }
  });

  it("made no request outside the site and logged no console error", () => {
    expect(requests.length).toBeGreaterThan(10);
    expect(offSite(requests, site.url)).toEqual([]);
    expect(consoleLog.errors).toEqual([]);
  });
});
