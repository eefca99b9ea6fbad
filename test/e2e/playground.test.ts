/**
 * The playground in the real browser: playground.ipynb shows it and runs the same settings in
 * the kernel. Pressing Train must train in the page's Web Worker, on seqlab's WebAssembly
 * kernels, and get the kernel's numbers; a second run joins the chart, grows while it trains,
 * and Stop ends it; the page keeps drawing while an LSTM with H = 128 trains; the runs table
 * fits at 1440 px; the runs are kept in the notebook and come back after a reload and in a
 * fresh page. No test measures speed: each checks what happened and in which order.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page, Worker } from "playwright-core";
import { launchChromium, openNotebook, runAllCells, saveImage, saveRegionImage, screenshot, traceCount, waitForKernelIdle, watchConsole, type ConsoleLog } from "./browser.js";
import { executeNotebook, RESULTS, startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;
let kernel: { loss: number[]; test: number; kernels: string };
/** The kernel's runs of each task and each cell (the notebook's last cell): full settings and loss per step. */
let cases: { state: Record<string, string | number | boolean>; loss: number[] }[];
/** Every Web Worker the page started, in order. */
const workers: Worker[] = [];

const playground = (): Locator => page.locator(".seqlab-plot").first();
const lossPanel = (): Locator => playground().locator(".seqlab-panel[data-key='loss']");
const trainButton = (): Locator => playground().locator("button[data-part='train']");
const tableRows = (): Locator => playground().locator(".seqlab-runs tr[data-run]");

/** The loss curve of run `k` (0-based) as plotly holds it. */
const lossCurve = (k: number): Promise<number[]> =>
  lossPanel().evaluate((el, i) => ((el as unknown as { data?: { y: number[] }[] }).data?.[i]?.y ?? []).slice(), k);

/** The step numbers of run `k`'s loss curve as plotly holds them (its last one is the run's last step). */
const lossSteps = (k: number): Promise<number[]> =>
  lossPanel().evaluate((el, i) => ((el as unknown as { data?: { x: number[] }[] }).data?.[i]?.x ?? []).slice(), k);

const set = (setting: string, label: string): Promise<string[]> => playground().locator(`select[data-setting='${setting}']`).selectOption({ label });

/** The playground's training workers: Web Workers started from the extension's static folder. */
const trainingWorkers = (): Worker[] => workers.filter((w) => /\/lab\/extensions\/@seqlab\/jupyterlab\/static\/[^/]+\.js/.test(w.url()));

/**
 * Records, inside the worker, every message it posts ("steps:2", "ended:2", …) with the time
 * (on the clock page and worker share), by wrapping its postMessage: test instrumentation of
 * the worker's global, nothing the product exposes.
 */
async function recordPosts(w: Worker): Promise<void> {
  await w.evaluate(() => {
    const scope = self as unknown as { postMessage(m: { type: string; run: number }): void; seqlabTestPosts?: { what: string; at: number }[] };
    if (scope.seqlabTestPosts) return;
    const posts: { what: string; at: number }[] = [];
    scope.seqlabTestPosts = posts;
    const original = scope.postMessage.bind(scope);
    scope.postMessage = (m) => {
      posts.push({ what: `${m.type}:${m.run}`, at: performance.timeOrigin + performance.now() });
      original(m);
    };
  });
}
const postsOf = (w: Worker): Promise<{ what: string; at: number }[]> =>
  w.evaluate(() => ((self as unknown as { seqlabTestPosts?: { what: string; at: number }[] }).seqlabTestPosts ?? []).slice());

/** The notebook as saved on disk, and its playground output's payload. */
function savedPlayground(): { payload: { runs?: { version: number; list: { id: number; ended: string; stepsTaken: number; testAccuracy: number | null; curve: { steps: number[]; loss: (number | null)[] } }[] } }; text: string; bytes: number } | null {
  const raw = readFileSync(join(lab.root, "playground.ipynb"), "utf8");
  const nb = JSON.parse(raw) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  const data = nb.cells.flatMap((c) => c.outputs ?? []).map((o) => o.data ?? {}).find((d) => "application/vnd.seqlab.v1+json" in d);
  if (!data) return null;
  const value = data["application/vnd.seqlab.v1+json"];
  const text = data["text/plain"];
  return { payload: typeof value === "string" ? JSON.parse(value) : value, text: Array.isArray(text) ? text.join("") : String(text), bytes: raw.length };
}

/** The table row of run `k` (0-based), cell texts by column name. */
async function tableRow(k: number): Promise<Record<string, string>> {
  const head = await playground().locator(".seqlab-runs th").allTextContents();
  const cells = await tableRows().nth(k).locator("td").allTextContents();
  return Object.fromEntries(head.map((h, j) => [h, cells[j] ?? ""]));
}

/** The ids of the runs in the table, in order (the chart's traces follow the same order). */
const rowIds = (): Promise<number[]> => tableRows().evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.run)));
const curveOfRun = async (id: number): Promise<number[]> => lossCurve((await rowIds()).indexOf(id));
async function rowOfRun(id: number): Promise<Record<string, string>> {
  return tableRow((await rowIds()).indexOf(id));
}
const rowLocator = (id: number): Locator => playground().locator(`.seqlab-runs tr[data-run='${id}']`);

/** Sets every control that applies to `state` (task and model first: they decide which apply); the text stays. */
async function setAll(state: Record<string, string | number | boolean>): Promise<void> {
  await set("task", String(state.task));
  await set("cell", String(state.cell));
  for (const [key, value] of Object.entries(state)) {
    if (key === "task" || key === "cell" || key === "text") continue;
    const select = playground().locator(`select[data-setting='${key}']`);
    if (await select.isEnabled()) await select.selectOption({ label: String(value) });
  }
}

/** Presses Train and waits for the new run to end and be tested; returns its id. */
async function trainOne(): Promise<number> {
  const before = (await rowIds()).at(-1) ?? 0;
  await trainButton().click();
  await expect.poll(async () => {
    const last = (await rowIds()).at(-1) ?? 0;
    return last > before && (await rowRunDone(last)) && (await trainButton().isEnabled());
  }, { timeout: 60_000 }).toBe(true);
  return (await rowIds()).at(-1)!;
}
const rowRunDone = async (id: number): Promise<boolean> => {
  const row = await rowOfRun(id);
  return row["test accuracy"] !== "—" || row["ended"] !== "";
};

type KernelOutput = { text?: string | string[]; data?: Record<string, unknown> };

/** Runs `code` as the one cell of a fresh notebook in the real kernel; returns the cell's outputs. */
async function runInKernel(code: string, name: string): Promise<KernelOutput[]> {
  // A fresh folder under the repository's test results: tslab finds "seqlab" from inside the repository only.
  mkdirSync(RESULTS, { recursive: true });
  const dir = mkdtempSync(join(RESULTS, "playground-code-"));
  const path = join(dir, `playground-code-${name}.ipynb`);
  const nb = {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: [{ cell_type: "code", id: "copied", execution_count: null, metadata: {}, outputs: [], source: code }],
  };
  writeFileSync(path, JSON.stringify(nb));
  const { notebook } = await executeNotebook(path, 300);
  return (notebook as unknown as { cells: { outputs?: KernelOutput[] }[] }).cells[0]!.outputs ?? [];
}

/** Runs `code` in the real kernel (runInKernel); returns the "final loss" it printed. */
async function finalLossInKernel(code: string, name: string): Promise<number> {
  const outputs = await runInKernel(code, name);
  const text = outputs.map((o) => (Array.isArray(o.text) ? o.text.join("") : o.text ?? "")).join("");
  const m = /final loss (\S+) · test accuracy/.exec(text);
  if (!m) throw new Error(`the copied code printed no final loss:\n${text}`);
  return Number(m[1]);
}

/** The code "copy as code" shows for run #id. */
async function codeOfRun(id: number): Promise<string> {
  await rowLocator(id).locator("button[data-action='code']").click();
  const pre = playground().locator(".seqlab-playground-code pre");
  await expect.poll(() => playground().locator(".seqlab-playground-code .seqlab-title").textContent()).toBe(`Run #${id} as a notebook cell`);
  return (await pre.textContent()) ?? "";
}

const expectClose = (got: number[], want: number[], rel: number): void => {
  expect(got).toHaveLength(want.length);
  got.forEach((v, k) => expect(Math.abs(v - want[k]!)).toBeLessThanOrEqual(rel * Math.abs(want[k]!)));
};

/** The three views of "look inside" are drawn: plotly graphs for gates and gradients, the cell diagram. */
async function insideDrawn(): Promise<void> {
  const panel = playground().locator(".seqlab-playground-inside");
  await expect.poll(() => panel.locator("[data-inside='gradients'] .js-plotly-plot").count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  expect(await panel.locator("[data-inside='gates'] .js-plotly-plot").count()).toBeGreaterThanOrEqual(1);
  expect(await panel.locator("[data-inside='cell'] .seqlab-cell").count()).toBe(1);
  expect(await panel.locator("[data-part='inside-sequence']").textContent()).toMatch(/^the sequence: .+ → .+$/);
}

/** Run ids of the cases trained in the page, by the case's index. */
const caseRuns: number[] = [];

beforeAll(async () => {
  lab = await startLab("playground", ["test/e2e/notebooks/playground.ipynb", "test/e2e/notebooks/playground-readme.ipynb"]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  consoleLog = watchConsole(page);
  page.on("worker", (w) => workers.push(w));
  // Counts WebAssembly compilations on the page's main thread (init scripts do not run in
  // workers): training there would compile seqlab's kernels.
  await page.addInitScript(() => {
    const counter = window as unknown as { seqlabTestCompiles: number };
    counter.seqlabTestCompiles = 0;
    const wasm = WebAssembly as unknown as Record<string, unknown>;
    for (const name of ["compile", "instantiate", "compileStreaming", "instantiateStreaming"]) {
      const original = wasm[name] as (...args: unknown[]) => unknown;
      wasm[name] = (...args: unknown[]) => {
        counter.seqlabTestCompiles++;
        return original.apply(WebAssembly, args);
      };
    }
    const Module = WebAssembly.Module;
    wasm.Module = new Proxy(Module, {
      construct(target, args) {
        counter.seqlabTestCompiles++;
        return new target(...(args as [BufferSource]));
      },
    });
  });
  try {
    await openNotebook(page, lab, "playground.ipynb");
    await runAllCells(page);
    await trainButton().waitFor({ state: "visible", timeout: 60_000 });
    const printed = await page.locator(".jp-OutputArea-output").allTextContents();
    const line = printed.join("\n").split("\n").find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`the kernel printed no RESULT line:\n${printed.join("\n")}`);
    kernel = JSON.parse(line.slice("RESULT ".length));
    // The last cell trains 13 runs in the kernel: wait for all its lines (expect.poll is for tests, not hooks).
    const caseLines = async (): Promise<string[]> =>
      (await page.locator(".jp-OutputArea-output").allTextContents()).join("\n").split("\n").filter((l) => l.startsWith("CASE "));
    for (const deadline = Date.now() + 180_000; (await caseLines()).length < 13;) {
      if (Date.now() > deadline) throw new Error(`the kernel printed ${(await caseLines()).length} CASE lines of 13`);
      await page.waitForTimeout(500);
    }
    cases = (await caseLines()).map((l) => JSON.parse(l.slice("CASE ".length)));
  } catch (e) {
    await screenshot(page, "playground-debug");
    console.log(consoleLog.all.join("\n"));
    throw e;
  }
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe("the playground in JupyterLab", () => {
  it("starts with the settings the notebook gave, one control per setting that applies, grouped; the task's line and an example under them", async () => {
    const chosen = await playground().locator("select[data-setting]:not([disabled])").evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [(e as HTMLSelectElement).dataset.setting, (e as HTMLSelectElement).selectedOptions[0]?.textContent])));
    expect(chosen).toEqual({
      task: "recall", lag: "5", cell: "gru", resetPosition: "after", updateConvention: "pytorch", bidirectional: "false", numLayers: "1", hiddenSize: "16",
      lr: "0.01", batchSize: "64", steps: "50", clip: "off", seed: "0", backend: "wasm",
    });
    expect(await playground().locator("fieldset[data-group] > legend").allTextContents()).toEqual(["data", "model", "training"]);
    // Settings that do not apply are hidden, and come back when the model or task changes.
    expect(await playground().locator("[data-setting='forgetBias']").isVisible()).toBe(false);
    expect(await playground().locator("[data-setting='text']").isVisible()).toBe(false);
    await set("cell", "lstm");
    expect(await playground().locator("[data-setting='forgetBias']").isVisible()).toBe(true);
    expect(await playground().locator("[data-setting='resetPosition']").isVisible()).toBe(false);
    await set("task", "text");
    expect(await playground().locator("textarea[data-setting='text']").getAttribute("maxlength")).toBe("2000");
    expect(await playground().locator("[data-setting='lag']").isVisible()).toBe(false);
    await expect.poll(() => playground().locator("[data-part='about']").textContent()).toMatch(/^Next token on your text/);
    await expect.poll(() => playground().locator("[data-part='example']").textContent()).toMatch(/^example: the cat sat on the mat/i);
    // No sentence of two tokens: the library's message in the problems box, nothing thrown.
    await playground().locator("textarea[data-setting='text']").fill("Hi");
    await expect.poll(async () => (await playground().locator(".seqlab-error").allTextContents()).join(" "), { timeout: 10_000 }).toMatch(/needs a sentence of at least two/);
    await playground().locator("textarea[data-setting='text']").fill("The cat sat on the mat. The dog sat on the log. The cat saw the dog. The dog saw the cat.");
    await expect.poll(() => playground().locator(".seqlab-error").count(), { timeout: 10_000 }).toBe(0);
    await set("bidirectional", "true");
    await expect.poll(() => playground().locator("[data-part='caveat']").textContent()).toMatch(/cheats/);
    await set("bidirectional", "false");
    await set("task", "recall");
    await set("cell", "gru");
    await expect.poll(() => playground().locator("[data-part='example']").textContent()).toMatch(/^example: [a-d]( [a-d])+ → [a-d]$/);
    expect(await playground().locator("[data-part='caveat']").isVisible()).toBe(false);
  });

  it("Train trains in the page on WebAssembly and gets the kernel's numbers", async () => {
    expect(kernel.kernels).toBe("WebAssembly SIMD on 1 thread");
    await trainButton().click();
    await expect.poll(async () => (await tableRows().count()) === 1 && (await tableRow(0))["test accuracy"] !== "—", { timeout: 60_000 }).toBe(true);
    await expect.poll(() => trainButton().isEnabled()).toBe(true);
    // The chart follows the table (it is redrawn a few times a second at most).
    await expect.poll(async () => (await lossCurve(0)).length, { timeout: 10_000 }).toBe(50);
    const page_ = await lossCurve(0);
    // Same seeds, same kernels (WebAssembly is deterministic): the page's run is the kernel's.
    page_.forEach((v, k) => expect(Math.abs(v - kernel.loss[k]!)).toBeLessThanOrEqual(1e-6 * Math.abs(kernel.loss[k]!)));
    const row = await tableRow(0);
    expect(row["ran on"]).toBe("WebAssembly SIMD on 1 thread");
    expect(Number(row["test accuracy"])).toBeCloseTo(kernel.test, 3);
    expect(row["ended"]).toBe("");
    expect(await playground().locator("[role='status']").first().textContent()).toMatch(/^#1 done: test accuracy [\d.]+ \(chance [\d.]+\) · [\d.]+ ms\/step · WebAssembly SIMD on 1 thread$/);
  });

  it("trains in a Web Worker from the extension's folder; the page's main thread never compiles WebAssembly", async () => {
    expect(trainingWorkers().length).toBeGreaterThanOrEqual(1);
    expect(await page.evaluate(() => (window as unknown as { seqlabTestCompiles: number }).seqlabTestCompiles)).toBe(0);
  });

  it("a second run with other settings joins the chart, grows while it trains, and Stop ends it: no step comes after", async () => {
    await set("cell", "rnn");
    await set("hiddenSize", "128");
    await set("steps", "1000");
    await set("backend", "js");
    const worker = trainingWorkers().at(-1)!;
    await recordPosts(worker);
    // Marks the drawing: writing the runs into the output must not draw the playground anew.
    await playground().locator(".seqlab-playground").evaluate((el) => el.setAttribute("data-test-mark", "kept"));
    await trainButton().click();
    // Sample the second curve's length while the run goes on: it must grow in several jumps.
    const lengths: number[] = [];
    await expect.poll(async () => {
      const n = (await lossCurve(1)).length;
      if (n !== lengths.at(-1)) lengths.push(n);
      return lengths.filter((v) => v > 0).length;
    }, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    expect(await trainButton().isDisabled()).toBe(true);
    await playground().locator("button[data-part='stop']").click();
    await expect.poll(() => trainButton().isEnabled(), { timeout: 30_000 }).toBe(true);
    const row = await tableRow(1);
    const stoppedAt = Number(/^stopped by you at step (\d+)$/.exec(row["ended"] ?? "")?.[1]);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(1000);
    // What the page shows ends at the step the stop was acknowledged at, and stays there.
    await expect.poll(async () => (await lossSteps(1)).at(-1), { timeout: 10_000 }).toBe(stoppedAt);
    const alive = await postsOf(worker).then(() => true, () => false);
    if (alive) {
      // The worker answered: its "ended" message, then only the test accuracy; no step after it.
      await expect.poll(async () => (await postsOf(worker)).map((p) => p.what).includes("tested:2"), { timeout: 30_000 }).toBe(true);
      const sent = (await postsOf(worker)).map((p) => p.what).filter((w) => w.endsWith(":2"));
      expect(sent.slice(sent.indexOf("ended:2"))).toEqual(["ended:2", "tested:2"]);
      await expect.poll(async () => (await tableRow(1))["test accuracy"], { timeout: 10_000 }).not.toBe("—");
    }
    // The step under way took longer than Stop waits (a loaded machine): the worker was ended instead.
    else expect(await playground().locator("[role='status']").first().textContent()).toContain("the test accuracy was not measured");
    expect((await lossSteps(1)).at(-1)).toBe(stoppedAt);
    expect(row["ran on"]).toBe("TypeScript");
    expect(row["model"]).toBe("RNN H=128");
    expect(row["training"]).toContain("1000 steps");
    expect(row["training"]).toContain("kernels js");
    await expect.poll(() => traceCount(lossPanel()), { timeout: 10_000 }).toBe(2);
    const legend = await lossPanel().locator(".legendtext").allTextContents();
    expect(legend).toEqual(["#1 GRU H=16 · recall k=5", "#2 RNN H=128 · recall k=5"]);
    // The runs went into the output (setData) and the drawing stayed: same element, and its
    // chart settles (no write → draw → write loop).
    expect(await page.locator(".seqlab-playground[data-test-mark='kept']").count()).toBe(1);
    const renders = () => playground().locator(".seqlab-training").getAttribute("data-renders");
    let last = await renders();
    await expect.poll(async () => {
      const now = await renders();
      const settled = now === last;
      last = now;
      return settled;
    }, { timeout: 20_000, interval: 700 }).toBe(true);
    await saveImage(page, playground(), "playground");
  });

  it("the page keeps drawing while an LSTM with H = 128 trains, and the worker takes steps while the page's main thread is busy", async () => {
    await set("cell", "lstm");
    await set("hiddenSize", "128");
    await set("steps", "1000");
    await set("backend", "auto");
    await page.evaluate(() => {
      const w = window as unknown as { seqlabTestFrames: number };
      w.seqlabTestFrames = 0;
      const tick = (): void => {
        w.seqlabTestFrames++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const frames = (): Promise<number> => page.evaluate(() => (window as unknown as { seqlabTestFrames: number }).seqlabTestFrames);
    await trainButton().click();
    // Each time the curve has grown, the page has drawn more frames since the last time.
    const samples: { step: number; frames: number }[] = [];
    while (samples.length < 4) {
      const seen = samples.at(-1)?.step ?? 0;
      await expect.poll(async () => (await lossSteps(2)).at(-1) ?? 0, { timeout: 60_000, interval: 50 }).toBeGreaterThan(seen);
      samples.push({ step: (await lossSteps(2)).at(-1)!, frames: await frames() });
    }
    for (let k = 1; k < samples.length; k++) expect(samples[k]!.frames).toBeGreaterThan(samples[k - 1]!.frames);
    // Hold the page's main thread for 2 s; the worker's steps must go on meanwhile.
    const worker = trainingWorkers().at(-1)!;
    await recordPosts(worker);
    const busy = await page.evaluate(() => {
      const start = performance.timeOrigin + performance.now();
      while (performance.timeOrigin + performance.now() < start + 2000) { /* busy */ }
      return { start, end: performance.timeOrigin + performance.now() };
    });
    const during = (await postsOf(worker)).filter((p) => p.what === "steps:3" && p.at > busy.start && p.at < busy.end);
    expect(during.length).toBeGreaterThanOrEqual(1);
    expect(await page.evaluate(() => (window as unknown as { seqlabTestCompiles: number }).seqlabTestCompiles)).toBe(0);
    await playground().locator("button[data-part='stop']").click();
    await expect.poll(() => trainButton().isEnabled(), { timeout: 30_000 }).toBe(true);
    expect((await tableRow(2))["ended"]).toMatch(/^stopped by you at step \d+$/);
    expect(trainingWorkers().length).toBeGreaterThanOrEqual(1);
  });

  it("at 1440 px every column of the runs table is inside the output, the last one included", async () => {
    const g = await playground().evaluate((el) => {
      const out = el.closest(".jp-OutputArea-output")!.getBoundingClientRect();
      const box = el.querySelector(".seqlab-runs-box")!;
      const cells = [...el.querySelectorAll(".seqlab-runs tr > :last-child")].map((c) => c.getBoundingClientRect().right);
      return { outRight: out.right, boxRight: box.getBoundingClientRect().right, lastRight: Math.max(...cells), viewport: window.innerWidth, columns: el.querySelectorAll(".seqlab-runs th").length };
    });
    expect(g.columns).toBe(11);
    expect(g.lastRight).toBeLessThanOrEqual(Math.min(g.outRight, g.boxRight, g.viewport) + 0.5);
  });

  it("keeps the runs in the notebook: saved to the .ipynb, shown again after a reload and in a fresh page", async () => {
    await expect.poll(async () => (await tableRow(2))["test accuracy"] !== "—" || /not measured/.test((await playground().locator("[role='status']").first().textContent()) ?? ""), { timeout: 30_000 }).toBe(true);
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^File$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Save Notebook$/ }).click();
    await expect.poll(() => savedPlayground()?.payload.runs?.list.length ?? 0, { timeout: 30_000 }).toBe(3);
    const saved = savedPlayground()!;
    const list = saved.payload.runs!.list;
    expect(saved.payload.runs!.version).toBe(2);
    expect(list.map((r) => [r.id, r.ended])).toEqual([[1, "done"], [2, "stopped"], [3, "stopped"]]);
    // The first run as the kernel ran it, to float32 rounding (50 steps: kept point by point).
    expect(list[0]!.curve.loss).toHaveLength(50);
    list[0]!.curve.loss.forEach((v, k) => expect(Math.abs(v! - kernel.loss[k]!)).toBeLessThanOrEqual(1e-6 * Math.abs(kernel.loss[k]!)));
    expect(list[0]!.testAccuracy).toBeCloseTo(kernel.test, 3);
    for (const run of list) expect(run.curve.steps.at(-1)).toBe(run.stepsTaken);
    expect(saved.text).toContain("3 runs kept:");
    expect(saved.bytes).toBeLessThan(200_000);
    const shown = async (p: Page): Promise<void> => {
      const pg = p.locator(".seqlab-plot").first();
      await pg.locator(".seqlab-runs tr[data-run]").nth(2).waitFor({ timeout: 60_000 });
      expect(await pg.locator(".seqlab-runs tr[data-run]").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.run))).toEqual(["1", "2", "3"]);
      await expect.poll(() => traceCount(pg.locator(".seqlab-panel[data-key='loss']")), { timeout: 30_000 }).toBe(3);
      expect(await pg.locator("[role='status']").first().textContent()).toMatch(/^3 runs kept in this output from before/);
    };
    await openNotebook(page, lab, "playground.ipynb");
    await shown(page);
    const fresh = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    try {
      const freshLog = watchConsole(fresh);
      await openNotebook(fresh, lab, "playground.ipynb");
      await shown(fresh);
      expect(freshLog.errors).toEqual([]);
    } finally {
      await fresh.close();
    }
    // A run after the reload is #4 and joins the kept ones.
    await set("steps", "50");
    await set("hiddenSize", "16");
    await trainButton().click();
    await expect.poll(async () => (await tableRows().count()) === 4 && (await tableRow(3))["test accuracy"] !== "—", { timeout: 60_000 }).toBe(true);
    expect((await tableRow(3))["run"]).toBe("#4");
  });

  it("each task and each cell trains in the page with the kernel's numbers (20 steps, to 1e-5 relative)", async () => {
    expect(cases).toHaveLength(13);
    for (const c of cases) {
      await setAll(c.state);
      const id = await trainOne();
      caseRuns.push(id);
      const row = await rowOfRun(id);
      expect(row["ended"], JSON.stringify(c.state)).toBe("");
      await expect.poll(async () => (await curveOfRun(id)).length, { timeout: 10_000 }).toBe(20);
      expectClose(await curveOfRun(id), c.loss, 1e-5);
      expect(Number(row["chance"])).toBeGreaterThan(0);
    }
  });

  it("look inside: a recurrent run shows its gates, cell and gradient flow; a feedforward run shows the sentence and why there is no more", async () => {
    const lstm = caseRuns[cases.findIndex((c) => c.state.cell === "lstm" && c.state.forgetBias === 1 && !c.state.bidirectional)]!;
    await rowLocator(lstm).locator("button[data-action='inside']").click();
    await insideDrawn();
    expect(await playground().locator(".seqlab-playground-inside .seqlab-title").first().textContent()).toMatch(new RegExp(`^Inside run #${lstm}: LSTM H=16 b_f=1 on recall k=5$`));
    expect(await rowLocator(lstm).getAttribute("class")).toContain("seqlab-run-open");
    const ff = caseRuns[cases.findIndex((c) => c.state.cell === "feedforward")]!;
    await rowLocator(ff).locator("button[data-action='inside']").click();
    await expect.poll(() => playground().locator(".seqlab-playground-inside [data-part='inside-sequence']").textContent(), { timeout: 30_000 }).toMatch(/^the sequence: [a-d]( [a-d])+ → [a-d]$/);
    expect(await playground().locator(".seqlab-playground-inside [data-part='inside-note']").textContent()).toMatch(/feedforward net has no steps or states to look inside/i);
    expect(await playground().locator(".seqlab-playground-inside .js-plotly-plot").count()).toBe(0);
  });

  it("copy as code: the cell, run in the real kernel, prints the page's final loss (a bidirectional LSTM with b_f = 1, a feedforward net)", async () => {
    for (const which of [
      cases.findIndex((c) => c.state.bidirectional === true),
      cases.findIndex((c) => c.state.cell === "feedforward"),
    ]) {
      const id = caseRuns[which]!;
      const code = await codeOfRun(id);
      expect(code).toContain(`// run #${id}`);
      const pageLoss = (await curveOfRun(id)).at(-1)!;
      const kernelLoss = await finalLossInKernel(code, `run${id}`);
      expect(Math.abs(kernelLoss - pageLoss)).toBeLessThanOrEqual(1e-6 * Math.abs(pageLoss));
    }
  });

  it("hostile pasted text is shown as text, trains, and its copied code is still one string literal that the kernel runs", async () => {
    const hostile = String.raw`The cat sat. <img src=x onerror="window.seqlabPwned=1"> it's a "quote" and a back\slash \" too. "); process.exit(1); (" The dog ran.`;
    await setAll({ ...cases[0]!.state, task: "text", cell: "lstm", steps: 20, backend: "wasm" });
    await playground().locator("textarea[data-setting='text']").fill(hostile);
    await expect.poll(() => playground().locator("[data-part='example']").textContent(), { timeout: 10_000 }).toMatch(/^example: /);
    const id = await trainOne();
    expect((await rowOfRun(id))["ended"]).toBe("");
    expect(await playground().locator("textarea[data-setting='text']").inputValue()).toBe(hostile);
    expect(await page.locator(".seqlab-playground img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { seqlabPwned?: unknown }).seqlabPwned)).toBeUndefined();
    const code = await codeOfRun(id);
    expect(code).toContain(JSON.stringify(hostile));
    expect(await page.locator(".seqlab-playground img").count()).toBe(0);
    const pageLoss = (await curveOfRun(id)).at(-1)!;
    const kernelLoss = await finalLossInKernel(code, `hostile${id}`);
    expect(Math.abs(kernelLoss - pageLoss)).toBeLessThanOrEqual(1e-6 * Math.abs(pageLoss));
    expect(await page.evaluate(() => (window as unknown as { seqlabPwned?: unknown }).seqlabPwned)).toBeUndefined();
  });

  it("a 2 × 3 sweep completes: six rows of one sweep, a heatmap whose cells are the table's accuracies and open their runs, drawn again after a reload", async () => {
    // A hidden setting keeps what it was set to: the RNN's nonlinearity back to tanh first.
    await set("cell", "rnn");
    await set("nonlinearity", "tanh");
    await setAll({ ...cases[0]!.state, task: "recall", cell: "lstm", steps: 20, backend: "wasm" });
    const axis = (k: number): Locator => playground().locator(".seqlab-sweep-axis").nth(k);
    await playground().locator("select[data-sweep-param='0']").selectOption({ value: "cell" });
    for (const v of ["rnn", "lstm"]) await axis(0).locator(`input[data-sweep-value='${v}']`).check();
    await playground().locator("select[data-sweep-param='1']").selectOption({ value: "lag" });
    for (const v of ["1", "5", "10"]) await axis(1).locator(`input[data-sweep-value='${v}']`).check();
    const before = (await rowIds()).at(-1)!;
    await playground().locator("button[data-part='sweep']").click();
    await expect.poll(async () => {
      const ids = (await rowIds()).filter((id) => id > before);
      if (ids.length !== 6 || !(await trainButton().isEnabled())) return false;
      for (const id of ids) if (!(await rowRunDone(id))) return false;
      return true;
    }, { timeout: 180_000 }).toBe(true);
    const ids = (await rowIds()).filter((id) => id > before);
    const sweepIds = await Promise.all(ids.map((id) => rowLocator(id).getAttribute("data-sweep")));
    expect(new Set(sweepIds).size).toBe(1);
    expect(sweepIds[0]).toMatch(/^\d+$/);
    // The first setting varies slowest, as sweepSettings orders the runs.
    const models = await Promise.all(ids.map(async (id) => (await rowOfRun(id))["model"]));
    const tasks = await Promise.all(ids.map(async (id) => (await rowOfRun(id))["task"]));
    expect(models).toEqual(["RNN H=16", "RNN H=16", "RNN H=16", "LSTM H=16", "LSTM H=16", "LSTM H=16"]);
    expect(tasks).toEqual(["recall k=1", "recall k=5", "recall k=10", "recall k=1", "recall k=5", "recall k=10"]);
    const heat = async (): Promise<Record<string, string>> => Object.fromEntries(await playground().locator(".seqlab-heatmap .seqlab-heat-cell").evaluateAll((cells) =>
      cells.map((c) => [(c as HTMLElement).dataset.run!, c.textContent ?? ""])));
    const table = async (): Promise<Record<string, string>> => Object.fromEntries(await Promise.all(ids.map(async (id) => [String(id), (await rowOfRun(id))["test accuracy"]!] as const)));
    await expect.poll(async () => Object.keys(await heat()).length).toBe(6);
    expect(await heat()).toEqual(await table());
    for (const v of Object.values(await heat())) expect(v).toMatch(/^\d/);
    // Its rows: the first setting's values; its columns: the second's.
    expect(await playground().locator(".seqlab-heatmap tr").count()).toBe(3);
    const target = ids[4]!;
    await playground().locator(`.seqlab-heat-cell[data-run='${target}']`).click();
    await insideDrawn();
    expect(await playground().locator(".seqlab-playground-inside .seqlab-title").first().textContent()).toMatch(new RegExp(`^Inside run #${target}: LSTM H=16 on recall k=5$`));
    expect(await rowLocator(target).getAttribute("class")).toContain("seqlab-run-open");
    // Kept, reloaded: the heatmap comes back from the kept runs; a run's model is not in the new page, trained again on request.
    const shown = await heat();
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^File$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Save Notebook$/ }).click();
    await expect.poll(() => savedPlayground()?.payload.runs?.list.at(-1)?.id, { timeout: 30_000 }).toBe(ids.at(-1));
    const saved = savedPlayground()!.payload.runs!.list as unknown as { id: number; sweep: number | null; chance: number | null }[];
    expect(saved.filter((r) => r.sweep === Number(sweepIds[0])).map((r) => r.id)).toEqual(ids);
    for (const r of saved) expect(r.chance).not.toBeNull();
    await openNotebook(page, lab, "playground.ipynb");
    await expect.poll(async () => Object.keys(await heat()).length, { timeout: 60_000 }).toBe(6);
    expect(await heat()).toEqual(shown);
    await playground().locator(`.seqlab-heat-cell[data-run='${ids[1]}']`).click();
    await playground().locator("button[data-part='train-again']").click();
    await insideDrawn();
    expect(await playground().locator(".seqlab-playground-inside [data-part='inside-note']").textContent()).toMatch(/trained again/);
  });

  it("clearing the output ends its training worker", async () => {
    const w = trainingWorkers().at(-1)!;
    const closed = new Promise<void>((done) => w.once("close", () => done()));
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Edit$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Clear Outputs of All Cells$/ }).click();
    await expect.poll(() => page.locator(".seqlab-playground").count(), { timeout: 10_000 }).toBe(0);
    await closed;
  });

  it("a playground shipped with a sweep (as a lecturer would) sweeps as set up, and its run opens inside (the README's picture)", async () => {
    // A workspace of its own, so that only this notebook opens (the first one stays in the default workspace).
    await page.goto(`${lab.url}/lab/workspaces/readme/tree/playground-readme.ipynb?token=${lab.token}`);
    await page.waitForSelector("body[data-seqlab-lab-ready=true]", { state: "attached", timeout: 90_000 });
    await waitForKernelIdle(page);
    await runAllCells(page);
    const shipped = page.locator(".seqlab-plot:has(.seqlab-playground)").last();
    await shipped.scrollIntoViewIfNeeded();
    expect(await shipped.locator(".seqlab-title").first().textContent()).toBe("Which cell remembers 10 steps, and how big must it be?");
    await shipped.locator("button[data-part='sweep']").click();
    await expect.poll(() => shipped.locator(".seqlab-heatmap .seqlab-heat-cell").count(), { timeout: 120_000 }).toBe(6);
    await expect.poll(async () => (await shipped.locator(".seqlab-heat-cell").allTextContents()).every((t) => /^\d/.test(t.trim())), { timeout: 120_000 }).toBe(true);
    await expect.poll(() => shipped.locator("button[data-part='sweep']").isEnabled(), { timeout: 60_000 }).toBe(true);
    const rows = await shipped.locator(".seqlab-runs tr[data-run]").count();
    expect(rows).toBe(6);
    await shipped.locator(".seqlab-heat-cell").nth(3).click();
    await expect.poll(() => shipped.locator(".seqlab-playground-inside [data-inside='gradients'] .js-plotly-plot").count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    await saveRegionImage(page, shipped.locator(".seqlab-heatmap"), shipped.locator(".seqlab-playground-inside"), "playground-sweep", 260);
  });

  it("Share gives the cell that shows this playground as set up (settings and sweep), and the kernel shows it so", async () => {
    const shipped = page.locator(".seqlab-plot:has(.seqlab-playground)").last();
    await shipped.locator("select[data-setting='seed']").selectOption({ label: "2" });
    await shipped.locator("button[data-part='share']").click();
    const code = (await shipped.locator(".seqlab-playground-code pre").textContent()) ?? "";
    expect(code).toBe([
      'import { plot } from "seqlab";', "",
      'plot.playground({ lag: 10, steps: 100, seed: 2, backend: "wasm" }, { title: "Which cell remembers 10 steps, and how big must it be?", sweep: { params: ["cell","hiddenSize"], values: [["rnn","lstm","gru"],[4,16]] } });',
    ].join("\n"));
    const shown = (await runInKernel(code, "share")).map((o) => o.data?.["application/vnd.seqlab.v1+json"]).find((d) => d !== undefined);
    const payload = (typeof shown === "string" ? JSON.parse(shown) : shown) as { state: Record<string, unknown>; sweep: unknown; title: string };
    expect([payload.state.lag, payload.state.steps, payload.state.seed, payload.state.backend, payload.title]).toEqual([10, 100, 2, "wasm", "Which cell remembers 10 steps, and how big must it be?"]);
    expect(payload.sweep).toEqual({ params: ["cell", "hiddenSize"], values: [["rnn", "lstm", "gru"], [4, 16]] });
    await shipped.locator("select[data-setting='seed']").selectOption({ label: "0" });
  });

  it("Stop during a sweep ends the run under way as stopped and starts none of the rest", async () => {
    const shipped = page.locator(".seqlab-plot:has(.seqlab-playground)").last();
    const rows = shipped.locator(".seqlab-runs tr[data-run]");
    const before = await rows.count();
    await shipped.locator("select[data-setting='steps']").selectOption({ label: "1000" });
    await shipped.locator("button[data-part='sweep']").click();
    // The sweep's first run has taken steps: its status line counts them.
    await expect.poll(async () => /step [1-9]\d*\/1000/.test((await shipped.locator(".seqlab-controls [role='status']").first().textContent()) ?? ""), { timeout: 60_000 }).toBe(true);
    await shipped.locator("button[data-part='stop']").click();
    await expect.poll(() => shipped.locator("button[data-part='sweep']").isEnabled(), { timeout: 30_000 }).toBe(true);
    // Longer than a run's start takes: had the sweep gone on, a second row would be there.
    await page.waitForTimeout(2000);
    expect(await rows.count()).toBe(before + 1);
    const head = await shipped.locator(".seqlab-runs th").allTextContents();
    const cells = await rows.last().locator("td").allTextContents();
    expect(cells[head.indexOf("ended")]).toMatch(/^stopped by you at step \d+$/);
    expect(await shipped.locator("button[data-part='train']").isEnabled()).toBe(true);
  });

  it("logged no errors in the page", () => {
    expect(consoleLog.errors).toEqual([]);
  });
});
