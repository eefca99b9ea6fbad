/**
 * Debian's Chromium driven by playwright-core (never `playwright install`: no browser downloads),
 * pointed at a real JupyterLab server, plus the few steps every browser test takes.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type ConsoleMessage, type Page } from "playwright-core";
import { RESULTS, type LabServer } from "./jupyter.js";

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
 * of the notebook has an execution count and the kernel is idle again.
 */
export async function runAllCells(page: Page, timeout = 180_000): Promise<void> {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  await page.waitForFunction(
    () => {
      const prompts = [...document.querySelectorAll(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")];
      return prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p.textContent ?? ""));
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
