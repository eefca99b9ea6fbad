/**
 * The playground in the real browser: playground.ipynb shows it and runs the same settings in
 * the kernel. Pressing Train must train in the page, on seqlab's WebAssembly kernels, and get
 * the kernel's numbers; a second run joins the chart, grows while it trains, and Stop ends it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { launchChromium, openNotebook, runAllCells, saveImage, screenshot, traceCount, watchConsole, type ConsoleLog } from "./browser.js";
import { startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;
let kernel: { loss: number[]; test: number; kernels: string };

const playground = (): Locator => page.locator(".seqlab-plot").first();
const lossPanel = (): Locator => playground().locator(".seqlab-panel[data-key='loss']");
const trainButton = (): Locator => playground().locator("button[data-part='train']");
const tableRows = (): Locator => playground().locator(".seqlab-runs tr[data-run]");

/** The loss curve of run `k` (0-based) as plotly holds it. */
const lossCurve = (k: number): Promise<number[]> =>
  lossPanel().evaluate((el, i) => ((el as unknown as { data?: { y: number[] }[] }).data?.[i]?.y ?? []).slice(), k);

/** The table row of run `k` (0-based), cell texts by column name. */
async function tableRow(k: number): Promise<Record<string, string>> {
  const head = await playground().locator(".seqlab-runs th").allTextContents();
  const cells = await tableRows().nth(k).locator("td").allTextContents();
  return Object.fromEntries(head.map((h, j) => [h, cells[j] ?? ""]));
}

beforeAll(async () => {
  lab = await startLab("playground", ["test/e2e/notebooks/playground.ipynb"]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  consoleLog = watchConsole(page);
  await openNotebook(page, lab, "playground.ipynb");
  try {
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
    const page_ = await lossCurve(0);
    expect(page_).toHaveLength(50);
    // Same seeds, same kernels (WebAssembly is deterministic): the page's run is the kernel's.
    page_.forEach((v, k) => expect(Math.abs(v - kernel.loss[k]!)).toBeLessThanOrEqual(1e-6 * Math.abs(kernel.loss[k]!)));
    const row = await tableRow(0);
    expect(row["ran on"]).toBe("WebAssembly SIMD on 1 thread");
    expect(Number(row["test accuracy"])).toBeCloseTo(kernel.test, 3);
    expect(row["ended"]).toBe("");
    expect(await playground().locator("[role='status']").first().textContent()).toMatch(/^#1 done: test accuracy [\d.]+ \(chance 0\.25\) · [\d.]+ ms\/step · WebAssembly SIMD on 1 thread$/);
  });

  it("a second run with other settings joins the chart, grows while it trains, and Stop ends it", async () => {
    const set = (setting: string, label: string) => playground().locator(`select[data-setting='${setting}']`).selectOption({ label });
    await set("cell", "rnn");
    await set("hiddenSize", "128");
    await set("steps", "1000");
    await set("backend", "js");
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
    expect(row["ran on"]).toBe("TypeScript");
    expect([row["cell"], row["H"], row["steps"], row["kernels"]]).toEqual(["rnn", "128", "1000", "js"]);
    expect(await traceCount(lossPanel())).toBe(2);
    const legend = await lossPanel().locator(".legendtext").allTextContents();
    expect(legend).toEqual(["#1 GRU k=5 (steps=50, kernels=wasm)", "#2 RNN k=5 (H=128, steps=1000, kernels=js)"]);
    await saveImage(page, playground(), "playground");
  });

  it("logged no errors in the page", () => {
    expect(consoleLog.errors).toEqual([]);
  });
});
