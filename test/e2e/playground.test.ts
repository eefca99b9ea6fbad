/**
 * The playground in the real browser: playground.ipynb shows it and runs the same settings in
 * the kernel. Pressing Train must train in the page's Web Worker, on seqlab's WebAssembly
 * kernels, and get the kernel's numbers; a second run joins the chart, grows while it trains,
 * and Stop ends it; the page keeps drawing while an LSTM with H = 128 trains; the runs table
 * fits at 1440 px; the runs are kept in the notebook and come back after a reload and in a
 * fresh page. No test measures speed: each checks what happened and in which order.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page, Worker } from "playwright-core";
import { launchChromium, openNotebook, runAllCells, saveImage, screenshot, traceCount, watchConsole, type ConsoleLog } from "./browser.js";
import { startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;
let kernel: { loss: number[]; test: number; kernels: string };
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

beforeAll(async () => {
  lab = await startLab("playground", ["test/e2e/notebooks/playground.ipynb"]);
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
  it("starts with the settings the notebook gave, one select box per setting", async () => {
    const chosen = await playground().locator("select[data-setting]").evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [(e as HTMLSelectElement).dataset.setting, (e as HTMLSelectElement).selectedOptions[0]?.textContent])));
    expect(chosen).toEqual({ cell: "gru", lag: "5", hiddenSize: "16", lr: "0.01", batchSize: "64", steps: "50", clip: "off", seed: "0", backend: "wasm" });
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
    expect(await playground().locator("[role='status']").first().textContent()).toMatch(/^#1 done: test accuracy [\d.]+ \(chance 0\.25\) · [\d.]+ ms\/step · WebAssembly SIMD on 1 thread$/);
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
    expect([row["cell"], row["H"], row["steps"], row["kernels"]]).toEqual(["rnn", "128", "1000", "js"]);
    await expect.poll(() => traceCount(lossPanel()), { timeout: 10_000 }).toBe(2);
    const legend = await lossPanel().locator(".legendtext").allTextContents();
    expect(legend).toEqual(["#1 GRU k=5 (steps=50, kernels=wasm)", "#2 RNN k=5 (H=128, steps=1000, kernels=js)"]);
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
    expect(g.columns).toBe(15);
    expect(g.lastRight).toBeLessThanOrEqual(Math.min(g.outRight, g.boxRight, g.viewport) + 0.5);
  });

  it("keeps the runs in the notebook: saved to the .ipynb, shown again after a reload and in a fresh page", async () => {
    await expect.poll(async () => (await tableRow(2))["test accuracy"] !== "—" || /not measured/.test((await playground().locator("[role='status']").first().textContent()) ?? ""), { timeout: 30_000 }).toBe(true);
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^File$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Save Notebook$/ }).click();
    await expect.poll(() => savedPlayground()?.payload.runs?.list.length ?? 0, { timeout: 30_000 }).toBe(3);
    const saved = savedPlayground()!;
    const list = saved.payload.runs!.list;
    expect(saved.payload.runs!.version).toBe(1);
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

  it("clearing the output ends its training worker", async () => {
    const w = trainingWorkers().at(-1)!;
    const closed = new Promise<void>((done) => w.once("close", () => done()));
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Edit$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Clear Outputs of All Cells$/ }).click();
    await expect.poll(() => page.locator(".seqlab-playground").count(), { timeout: 10_000 }).toBe(0);
    await closed;
  });

  it("logged no errors in the page", () => {
    expect(consoleLog.errors).toEqual([]);
  });
});
