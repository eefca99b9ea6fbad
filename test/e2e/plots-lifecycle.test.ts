/**
 * The renderer's lifecycle in the real browser: lifecycle.ipynb shows a gates plot and then
 * replaces it in place (the same display id), so JupyterLab renders again into the same widget.
 * The page counts the MutationObservers and ResizeObservers that the extension's own code
 * (scripts under /lab/extensions/@seqlab/jupyterlab/) registers and has not disconnected. The
 * test checks that a re-render purges the old graphs and their observers, that resizing the
 * panel resizes the plot, and that closing the notebook disconnects every observer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { launchChromium, openNotebook, screenshot, waitForKernelIdle, watchConsole, type ConsoleLog } from "./browser.js";
import { startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;

/** Runs before JupyterLab's scripts: wraps the two observer classes to count the extension's live ones. */
function trackObservers(): void {
  const ours = (): boolean => /\/lab\/extensions\/@seqlab\/jupyterlab\//.test(new Error().stack ?? "");
  const track = (name: "MutationObserver" | "ResizeObserver"): { active: Set<object>; created: () => number } => {
    const Original = window[name] as unknown as new (cb: never) => { observe(...a: unknown[]): void; disconnect(): void };
    const active = new Set<object>();
    let created = 0;
    class Tracked extends Original {
      readonly seqlab = ours();
      constructor(cb: never) {
        super(cb);
        if (this.seqlab) created++;
      }
      override observe(...a: unknown[]): void {
        if (this.seqlab) active.add(this);
        super.observe(...a);
      }
      override disconnect(): void {
        active.delete(this);
        super.disconnect();
      }
    }
    (window as unknown as Record<string, unknown>)[name] = Tracked;
    return { active, created: () => created };
  };
  const m = track("MutationObserver");
  const r = track("ResizeObserver");
  (window as unknown as { seqlabObservers: () => unknown }).seqlabObservers = () => ({ mutation: m.active.size, resize: r.active.size, created: m.created() + r.created() });
}

interface Observers {
  mutation: number;
  resize: number;
  created: number;
}
const observers = (): Promise<Observers> => page.evaluate(() => (window as unknown as { seqlabObservers: () => Observers }).seqlabObservers());
const output = (): Locator => page.locator(".seqlab-plot");
/** The notebook's graphs: live ones hold plotly's _fullLayout; Plotly.purge deletes it. */
const liveGraphs = (): Promise<number> => page.evaluate(() => [...document.querySelectorAll(".js-plotly-plot")].filter((gd) => "_fullLayout" in gd).length);

async function runCell(k: number): Promise<void> {
  await page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(k).locator(".jp-InputArea-editor").click();
  await page.keyboard.press("Shift+Enter");
}

beforeAll(async () => {
  lab = await startLab("plots-lifecycle", ["test/e2e/notebooks/lifecycle.ipynb"]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(trackObservers);
  consoleLog = watchConsole(page);
  await openNotebook(page, lab, "lifecycle.ipynb");
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe("the renderer's lifecycle in JupyterLab", () => {
  it("a re-render into the same output purges the old graphs and their observers", async () => {
    try {
      await runCell(0);
      await expect.poll(() => output().locator(".seqlab-title").textContent(), { timeout: 120_000 }).toBe("first drawing");
      await expect.poll(liveGraphs, { timeout: 30_000 }).toBe(6);
      await waitForKernelIdle(page);
      const first = await page.evaluate(() => {
        const graphs = [...document.querySelectorAll(".seqlab-plot .js-plotly-plot")];
        (window as unknown as { firstGraphs: Element[] }).firstGraphs = graphs;
        return graphs.length;
      });
      expect(first).toBe(6);
      // One theme watcher per output and one hover watcher per graph; one size watcher per output.
      expect(await observers()).toMatchObject({ mutation: 1 + 6, resize: 1 });

      await runCell(1);
      await expect.poll(() => output().locator(".seqlab-title").textContent(), { timeout: 60_000 }).toBe("second drawing");
      await expect.poll(liveGraphs, { timeout: 30_000 }).toBe(6);
      await waitForKernelIdle(page);
      expect(await output().count()).toBe(1);
      // The first drawing's graphs are gone from the page and purged (no plotly state, no listeners).
      const old = await page.evaluate(() => (window as unknown as { firstGraphs: Element[] }).firstGraphs.map((gd) => ({ connected: gd.isConnected, live: "_fullLayout" in gd })));
      expect(old).toEqual(Array.from({ length: 6 }, () => ({ connected: false, live: false })));
      expect(await liveGraphs()).toBe(6);
      expect(await observers()).toMatchObject({ mutation: 1 + 6, resize: 1 });
    } catch (e) {
      await screenshot(page, "plots-lifecycle-debug");
      console.log(consoleLog.all.join("\n"));
      throw e;
    }
  });

  it("resizing the panel resizes the plot, and back", async () => {
    const widths = (): Promise<{ width: number; room: number }[]> =>
      output().locator(".js-plotly-plot").evaluateAll((els) => els.map((gd) => ({ width: (gd as unknown as { _fullLayout: { width: number } })._fullLayout.width, room: gd.parentElement!.clientWidth })));
    expect((await widths()).map((w) => w.width)).toEqual(Array(6).fill(360));
    await page.setViewportSize({ width: 480, height: 1000 });
    // Narrower than a panel's own 360 px: each fits the room it has, down to 240 px.
    await expect.poll(async () => (await widths()).every((w) => w.room < 360 && w.width === Math.max(240, Math.min(360, w.room))), { timeout: 10_000 }).toBe(true);
    expect((await widths())[0]!.width).toBeLessThan(360);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await expect.poll(async () => (await widths()).map((w) => w.width), { timeout: 10_000 }).toEqual(Array(6).fill(360));
  });

  it("closing the notebook disposes the output: graphs purged, every observer disconnected", async () => {
    expect(await observers()).toMatchObject({ mutation: 1 + 6, resize: 1 });
    expect(await page.evaluate(() => ((window as unknown as { lastGraphs: Element[] }).lastGraphs = [...document.querySelectorAll(".seqlab-plot .js-plotly-plot")]).length)).toBe(6);
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^File$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Close Tab$/ }).click();
    // The notebook has unsaved outputs: JupyterLab asks; discarding them closes it all the same.
    const discard = page.locator(".jp-Dialog button", { hasText: /^(Discard|Don't Save)$/ });
    await discard.click({ timeout: 5_000 }).catch(() => undefined);
    await expect.poll(() => output().count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(observers, { timeout: 10_000 }).toMatchObject({ mutation: 0, resize: 0 });
    expect(await page.evaluate(() => (window as unknown as { lastGraphs: Element[] }).lastGraphs.filter((gd) => "_fullLayout" in gd).length)).toBe(0);
    expect(consoleLog.errors.filter((e) => !/favicon|404/.test(e))).toEqual([]);
  });
});
