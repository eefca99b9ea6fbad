/**
 * Debian's Chromium driven by playwright-core (never `playwright install`: no browser downloads),
 * pointed at a real JupyterLab server, plus the few steps every browser test takes.
 */
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from "playwright-core";
import { REPO, RESULTS, type LabServer } from "./jupyter.js";

/**
 * Element screenshots of each plot kind. They go to test-results/img, so a test run leaves the
 * work tree clean; `SEQLAB_UPDATE_SCREENSHOTS=1 npm test` refreshes the README's docs/img.
 */
export const IMAGES = process.env.SEQLAB_UPDATE_SCREENSHOTS === "1" ? join(REPO, "docs", "img") : join(RESULTS, "img");

export const SCREENSHOTS = RESULTS;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/** Console errors and uncaught page errors, collected for the test to inspect. */
export interface ConsoleLog {
  errors: string[];
  all: string[];
}

export function watchConsole(page: Page): ConsoleLog {
  const log: ConsoleLog = { errors: [], all: [] };
  page.on("console", (m: ConsoleMessage) => {
    const text = `${m.type()}: ${m.text()} ${m.location().url ?? ""}`;
    log.all.push(text);
    if (m.type() === "error") log.errors.push(text);
  });
  page.on("pageerror", (e) => {
    log.errors.push(`pageerror: ${e.message}\n${e.stack ?? ""}`);
    log.all.push(`pageerror: ${e.message}`);
  });
  return log;
}

/** Opens a notebook in JupyterLab and waits until its kernel is idle. */
export async function openNotebook(page: Page, lab: LabServer, name: string): Promise<void> {
  await page.goto(`${lab.url}/lab/tree/${name}?token=${lab.token}`);
  await page.waitForSelector("body[data-seqlab-lab-ready=true]", { state: "attached", timeout: 90_000 });
  await page.waitForSelector(".jp-NotebookPanel .jp-Cell", { state: "attached", timeout: 60_000 });
  await waitForKernelIdle(page);
}

/**
 * Waits until the notebook's kernel has started and is idle, as the status bar shows it
 * ("TypeScript (tslab) | Idle"). The execution indicator alone says idle while the kernel is
 * still "Initializing", and a Run All issued then does nothing.
 */
export async function waitForKernelIdle(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => [...document.querySelectorAll(".jp-StatusBar-TextItem")].some((e) => /^TypeScript \(tslab\) \| Idle$/.test((e.textContent ?? "").trim())),
    undefined,
    { timeout },
  );
}

/**
 * Run → Run All Cells, through the menu bar as a student would; resolves once every code cell
 * of the notebook shows an execution count (or no prompt, when its input is collapsed) and the
 * kernel is idle again.
 */
export async function runAllCells(page: Page, timeout = 180_000): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  await page.waitForFunction(
    () => {
      const prompts = [...document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")];
      // A cell whose input is collapsed (the exercises' hidden solutions) shows no prompt text.
      const texts = prompts.map((p) => (p.textContent ?? "").trim());
      return texts.some((t) => /\[\d+\]/.test(t)) && texts.every((t) => t === "" || /\[\d+\]/.test(t));
    },
    undefined,
    { timeout },
  );
  await waitForKernelIdle(page, timeout);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** How many traces plotly holds for a graph div. */
export function traceCount(graph: Locator): Promise<number> {
  return graph.evaluate((el) => ((el as unknown as { data?: unknown[] }).data ?? []).length);
}

/**
 * The page position of data point (x, y) on a plotly graph, through plotly's own axes (subplots
 * name theirs "xaxis2", "yaxis3", …), so that a real mouse move lands on it.
 */
export async function dataPosition(graph: Locator, x: unknown, y: unknown, axes = { x: "xaxis", y: "yaxis" }): Promise<{ x: number; y: number }> {
  await graph.scrollIntoViewIfNeeded();
  return graph.evaluate(
    (el, [xv, yv, xa, ya]) => {
      type Axis = { _offset: number; d2p(v: unknown): number };
      const layout = (el as unknown as { _fullLayout: Record<string, Axis> })._fullLayout;
      const r = el.getBoundingClientRect();
      return { x: r.left + layout[xa as string]!._offset + layout[xa as string]!.d2p(xv), y: r.top + layout[ya as string]!._offset + layout[ya as string]!.d2p(yv) };
    },
    [x, y, axes.x, axes.y] as const,
  );
}

/** Moves the real mouse to `at` over a plotly graph and returns the hover text it shows. */
export async function hoverAt(page: Page, graph: Locator, at: { x: number; y: number }): Promise<string> {
  await page.mouse.move(at.x - 3, at.y - 3);
  await page.mouse.move(at.x, at.y);
  const hover = graph.locator(".hoverlayer .hovertext");
  await hover.first().waitFor({ state: "attached", timeout: 10_000 });
  const text = (await hover.allTextContents()).join("\n");
  await page.mouse.move(5, 5);
  return text;
}

/**
 * How far a plotly graph's hover label is from the pointer at `at`: the horizontal distance to
 * the nearer side of the label (where its arrow points) and whether `at` is level with it.
 */
export async function hoverLabelOffset(page: Page, graph: Locator, at: { x: number; y: number }): Promise<{ dx: number; level: boolean; text: string }> {
  await page.mouse.move(at.x - 3, at.y - 3);
  await page.mouse.move(at.x, at.y);
  const label = graph.locator(".hoverlayer .hovertext").first();
  await label.waitFor({ state: "attached", timeout: 10_000 });
  // plotly redraws a label up to 50 ms after the last move (its hover throttle): measure after that.
  await page.waitForTimeout(300);
  const box = (await label.boundingBox())!;
  const text = (await label.textContent()) ?? "";
  await page.mouse.move(5, 5);
  return { dx: Math.min(Math.abs(box.x - at.x), Math.abs(box.x + box.width - at.x)), level: box.y <= at.y && at.y <= box.y + box.height, text };
}

/**
 * A screenshot for the README from the top of `from` to the bottom of `to` (one output), in a
 * viewport tall enough to hold it all: JupyterLab scrolls the notebook inside a panel, so an
 * element taller than the viewport would come out cut.
 */
export async function saveRegionImage(page: Page, from: Locator, to: Locator, name: string, maxKB = 150): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  const path = join(IMAGES, `${name}.png`);
  const before = page.viewportSize()!;
  await page.mouse.move(5, 5);
  // Both visible first: a resize redraws the plots inside (they follow the panel's size).
  const box = async (l: Locator): Promise<{ x: number; y: number; width: number; height: number }> => {
    await l.waitFor({ state: "visible" });
    const got = await l.boundingBox();
    if (!got) throw new Error(`saveRegionImage(${name}): ${l} has no box on the page`);
    return got;
  };
  const a = await box(from);
  const b = await box(to);
  await page.setViewportSize({ width: before.width, height: Math.min(4000, Math.ceil(b.y + b.height - a.y) + 800) });
  try {
    await page.waitForTimeout(500);
    await from.scrollIntoViewIfNeeded();
    const top = await box(from);
    const bottom = await box(to);
    const x = Math.min(top.x, bottom.x);
    const width = Math.max(top.x + top.width, bottom.x + bottom.width) - x;
    await page.screenshot({ path, clip: { x, y: top.y, width, height: bottom.y + bottom.height - top.y }, animations: "disabled" });
  } finally {
    await page.setViewportSize(before);
  }
  expect(statSync(path).size, `${name}.png size`).toBeLessThanOrEqual(maxKB * 1024);
}

/** An element screenshot of a plot output for the README, kept small. */
export async function saveImage(page: Page, plot: Locator, name: string): Promise<void> {
  mkdirSync(IMAGES, { recursive: true });
  const path = join(IMAGES, `${name}.png`);
  await page.mouse.move(5, 5);
  await plot.scrollIntoViewIfNeeded();
  await plot.screenshot({ path, animations: "disabled" });
  expect(statSync(path).size, `${name}.png size`).toBeLessThanOrEqual(150 * 1024);
}
