/**
 * Malformed and hostile payloads in the real browser: each shows a readable error box inside its
 * output (or draws with its labels as plain text), nothing from a payload runs, and JupyterLab
 * keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, openNotebook, runAllCells, screenshot, waitForKernelIdle, watchConsole, type ConsoleLog } from "./browser.js";
import { startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
let browser: Browser;
let page: Page;
let consoleLog: ConsoleLog;

beforeAll(async () => {
  lab = await startLab("hostile", ["test/e2e/notebooks/hostile-payloads.ipynb"]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  consoleLog = watchConsole(page);
  await openNotebook(page, lab, "hostile-payloads.ipynb");
  await runAllCells(page);
  try {
    await page.waitForSelector(".seqlab-plot .seqlab-panel .main-svg", { state: "attached", timeout: 60_000 });
  } catch (e) {
    await screenshot(page, "hostile-debug");
    console.log(consoleLog.all.join("\n"));
    throw e;
  }
  await waitForKernelIdle(page);
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe("hostile and malformed seqlab payloads", () => {
  it("show one error box per malformed payload, saying what is wrong", async () => {
    await expect.poll(() => page.locator(".seqlab-plot").count(), { timeout: 60_000 }).toBe(8);
    const boxes = await page.locator(".seqlab-plot .seqlab-error").allTextContents();
    expect(boxes).toHaveLength(5);
    expect(boxes[0]).toMatch(/unsupported payload version 99/);
    expect(boxes[1]).toMatch(/unknown plot kind "<img src=x onerror=/);
    expect(boxes[2]).toMatch(/not valid JSON/);
    expect(boxes[3]).toMatch(/state\.cell must be one of "feedforward", "rnn", "lstm", "gru"; got "<img src=x onerror=/);
    expect(boxes[3]).toMatch(/state\.steps must be one of 20, 50, 100, 200, 300, 500, 1000; got 1000000000/);
    // A refused playground draws none of its controls.
    expect(await page.locator(".seqlab-plot").nth(5).locator("select, button").count()).toBe(0);
    // Kept runs are checked like the rest of the payload.
    expect(boxes[4]).toMatch(/runs\.list\[0\] has an unknown field "onload"/);
    expect(boxes[4]).toMatch(/runs\.list\[0\]\.ended must be "done", "stopped", "failed"; got "<img src=x onerror=/);
    expect(await page.locator(".seqlab-plot").nth(6).locator("select, button").count()).toBe(0);
  });

  it("show a valid kept run's words as text in the runs table, and a pasted HTML text as text in its box", async () => {
    const kept = page.locator(".seqlab-plot").nth(7);
    await kept.locator(".seqlab-runs tr[data-run='1']").waitFor({ timeout: 60_000 });
    const head = await kept.locator(".seqlab-runs th").allTextContents();
    const cells = await kept.locator(".seqlab-runs tr[data-run='1'] td").allTextContents();
    expect(cells[head.indexOf("ran on")]).toBe('<img src=x onerror="window.__seqlabPwned = 1">');
    const evil = '<img src=x onerror="window.__seqlabPwned = 1">';
    expect(await kept.locator("textarea[data-setting='text']").inputValue()).toBe(`${evil} said the man. ${evil} ran.`);
  });

  it("never turn payload strings into HTML, and nothing from them runs", async () => {
    expect(await page.locator(".seqlab-plot img").count()).toBe(0);
    expect(await page.locator(".seqlab-plot b").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __seqlabPwned?: number }).__seqlabPwned)).toBeUndefined();
  });

  it("draw valid plots with hostile labels shown literally", async () => {
    const titles = await page.locator(".seqlab-plot .seqlab-title").allTextContents();
    expect(titles[0]).toBe('<img src=x onerror="window.__seqlabPwned = 1">');
    const ticks = await page.locator(".seqlab-plot").nth(3).locator(".seqlab-panel[data-key='i'] .xtick text").allTextContents();
    expect(ticks).toEqual(["<img src=x on…", "<b>bold?</b>", "&amp;"]);
  });

  it("accept a payload sent as a JSON string", async () => {
    const last = page.locator(".seqlab-plot").nth(4);
    expect(await last.locator(".seqlab-title").textContent()).toBe("sent as a string");
    expect(await last.locator(".seqlab-panel").count()).toBe(6);
    await screenshot(page, "hostile-payloads");
  });

  it("leave no errors in the browser console", () => {
    expect(consoleLog.errors).toEqual([]);
  });
});
