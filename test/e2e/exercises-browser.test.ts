/**
 * A student with a released notebook in JupyterLab (Chromium, the real tslab kernel): Run All
 * stops at the first check with "not answered yet", the check cell cannot be edited, a wrong
 * answer is told so with the hint and without the expected value, a right one says right.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { launchChromium, openNotebook, screenshot, waitForKernelIdle, watchConsole } from "./browser.js";
import { REPO, RESULTS, startLab, type LabServer } from "./jupyter.js";

// @ts-expect-error -- plain JavaScript module, shared with npm run release
const { releaseFolder } = (await import("../../kernel/grading/release.mjs")) as { releaseFolder: (s: string, o: string) => unknown };

const NOTEBOOK = "01-feedforward-limits.ipynb";
let lab: LabServer;
let browser: Browser;

beforeAll(async () => {
  const released = join(RESULTS, "exercises-release");
  mkdirSync(RESULTS, { recursive: true });
  releaseFolder(join(REPO, "notebooks"), released);
  // The released notebook replaces the source one in the served copy of the course.
  lab = await startLab("exercises", [join("test-results", "exercises-release", NOTEBOOK)]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

/** The code cell whose source contains `text`. */
const cellWith = (page: Page, text: string): Locator =>
  page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").filter({ has: page.locator(".cm-content", { hasText: text }) });

it("a student answers an exercise in the released notebook and the check says wrong, then right", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleLog = watchConsole(page);
  try {
    await openNotebook(page, lab, NOTEBOOK);
    // Opening an untouched notebook does not mark it modified (its metadata is what the kernel writes).
    await page.waitForTimeout(1000);
    expect(await page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").evaluate((el) => el.classList.contains("jp-mod-dirty"))).toBe(false);
    expect(await page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count()).toBe(0);
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
    const check = cellWith(page, 'check("Exercise 1');
    const stderr = check.locator("[data-mime-type='application/vnd.jupyter.stderr']");
    await expect.poll(() => stderr.allTextContents(), { timeout: 120_000 }).toEqual([expect.stringMatching(/NotAnswered: ✘ not answered yet: Exercise 1: weights of the first layer/)]);
    await waitForKernelIdle(page);
    // Everything before it ran without error; JupyterLab stopped there, as with any failing cell.
    const notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)");
    expect(await notebook.locator("[data-mime-type='application/vnd.jupyter.stderr']").count()).toBe(1);
    // The check cell is read-only (nbgrader's "editable": false): typing into it changes nothing.
    const before = await check.locator(".cm-content").innerText();
    await check.locator(".cm-content").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\nconsole.log('right');");
    expect(await check.locator(".cm-content").innerText()).toBe(before);
    await page.keyboard.press("Escape");
    const answer = cellWith(page, "let answer1");

    const tryAnswer = async (expression: string): Promise<string> => {
      await answer.locator(".cm-content").click();
      await page.keyboard.press("Control+End");
      await page.keyboard.type(`\nanswer1 = ${expression};`);
      await page.keyboard.press("Shift+Enter"); // runs the answer, moves to the check
      await page.keyboard.press("Shift+Enter"); // runs the check
      await waitForKernelIdle(page);
      await expect.poll(async () => (await check.locator(".jp-OutputArea-output").allTextContents()).join("\n"), { timeout: 30_000 }).toMatch(/✔ right|✘ not yet/);
      return (await check.locator(".jp-OutputArea-output").allTextContents()).join("\n");
    };
    const wrong = await tryAnswer("4 * V * 10");
    expect(wrong).toMatch(/✘ not yet: Exercise 1: weights of the first layer: the answer is 200, which is not right \(hint: the input has 4 × 5 numbers/);
    expect(wrong).not.toMatch(/210/);
    const right = await tryAnswer("4 * V * 10 + 10");
    expect(right).toMatch(/^✔ right: Exercise 1: weights of the first layer: 210\s*$/);
    await screenshot(page, "exercise-answered");
    expect(consoleLog.errors).toEqual([]);
  } finally {
    await page.close();
  }
});

it("the course's start page is the first file in the file browser, opens rendered, and its links open the notebooks", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleLog = watchConsole(page);
  try {
    await page.goto(`${lab.url}/lab?token=${lab.token}`);
    await page.waitForSelector("body[data-seqlab-lab-ready=true]", { state: "attached", timeout: 90_000 });
    const files = page.locator(".jp-DirListing-item[data-isdir=false] .jp-DirListing-itemText");
    await expect.poll(() => files.first().textContent(), { timeout: 30_000 }).toBe("00-start-here.md");
    await files.first().dblclick();
    // Opened with the Markdown Preview (kernel/lab/settings/overrides.json), not as source text.
    const rendered = page.locator(".jp-MarkdownViewer .jp-RenderedMarkdown");
    await expect.poll(() => rendered.locator("h1").textContent(), { timeout: 30_000 }).toMatch(/^Start here/);
    expect(await rendered.locator("a[href*='.ipynb']").count()).toBe(8);
    // A link opens the notebook in JupyterLab (its link handler), not a new browser tab with the file.
    await screenshot(page, "start-here-rendered");
    const pages = browser.contexts().flatMap((c) => c.pages()).length;
    await rendered.locator("a", { hasText: "02-rnn" }).click();
    await expect.poll(() => page.locator(".lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel").textContent(), { timeout: 30_000 }).toBe("02-rnn.ipynb");
    expect(browser.contexts().flatMap((c) => c.pages()).length).toBe(pages);
    await screenshot(page, "start-here-link-opened");
    expect(consoleLog.errors).toEqual([]);
  } finally {
    await page.close();
  }
});
