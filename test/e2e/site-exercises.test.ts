/**
 * The whole loop of a class with nothing installed: the lecturer releases the course and builds
 * the browser site from the released folder; a student opens an exercise there, sees "not answered
 * yet", answers, sees "✔ right", and hands in the notebook as the page holds it; `npm run grade`
 * scores that hand-in with the real tslab kernel.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, watchConsole } from "./browser.js";
import { REPO, RESULTS } from "./jupyter.js";
import { notebookJson, openSiteNotebook, waitForIdle, type CellOutput } from "./site.js";
// @ts-expect-error -- plain JavaScript modules, shared with npm run release and npm run site
import { releaseFolder } from "../../kernel/grading/release.mjs";
// @ts-expect-error -- as above
import { assembleSite, buildFrontEnd } from "../../kernel/site/build.mjs";
// @ts-expect-error -- as above
import { serveSite } from "../../kernel/site/serve.mjs";

const NOTEBOOK = "01-feedforward-limits.ipynb";
const OUT = join(RESULTS, "site-exercises");
let browser: Browser;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  (releaseFolder as (s: string, o: string) => unknown)(join(REPO, "notebooks"), join(OUT, "released"));
  (buildFrontEnd as () => void)();
  (assembleSite as (o: { notebooks: string; out: string }) => void)({ notebooks: join(OUT, "released"), out: join(OUT, "site") });
  server = await (serveSite as (dir: string, o: { isolated: boolean }) => Promise<typeof server>)(join(OUT, "site"), { isolated: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Sets the source of the cell whose nbgrader id is `id` and runs it and the cell after it. */
async function answerAndCheck(page: Page, id: string, source: string): Promise<void> {
  await page.evaluate(async ([gradeId, text]) => {
    type Cell = { model: { getMetadata(k: string): { grade_id?: string } | undefined; sharedModel: { setSource(s: string): void } } };
    const app = (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> }; shell: { currentWidget: { content: { widgets: readonly Cell[]; activeCellIndex: number } } } } }).jupyterapp;
    const nb = app.shell.currentWidget.content;
    const at = nb.widgets.findIndex((c) => c.model.getMetadata("nbgrader")?.grade_id === gradeId);
    nb.widgets[at]!.model.sharedModel.setSource(text as string);
    nb.activeCellIndex = at;
    await app.commands.execute("notebook:run-cell-and-select-next");
    await app.commands.execute("notebook:run-cell");
  }, [id, source] as const);
  await waitForIdle(page);
}

const outputsOf = async (page: Page, id: string): Promise<CellOutput[]> =>
  ((await notebookJson(page)).cells.find((c) => (c.metadata?.["nbgrader"] as { grade_id?: string } | undefined)?.grade_id === id)?.outputs ?? []) as CellOutput[];
const textOf = (outputs: readonly CellOutput[]): string =>
  outputs.map((o) => (o.output_type === "error" ? `${o.ename}: ${o.evalue}` : Array.isArray(o.text) ? o.text.join("") : (o.text ?? ""))).join("\n");

it("a student answers in the browser site built from the released notebooks, hands in, and is graded", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleLog = watchConsole(page);
  try {
    await openSiteNotebook(page, { url: server.url, dir: join(OUT, "site"), stats: { bytes: 0, requests: 0 }, close: server.close }, NOTEBOOK);
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
    // Run All stops at the first check: the exercise is not answered yet.
    await expect.poll(async () => textOf(await outputsOf(page, "ex1_check")), { timeout: 240_000, interval: 500 }).toMatch(/NotAnswered: ✘ not answered yet: Exercise 1: weights of the first layer/);
    await waitForIdle(page);

    const declaration = "let answer1: number | undefined = undefined;   // ✏️\n";
    await answerAndCheck(page, "ex1_answer", `${declaration}answer1 = 4 * V * 10;`);
    const wrong = textOf(await outputsOf(page, "ex1_check"));
    expect(wrong).toMatch(/WrongAnswer: ✘ not yet: Exercise 1: weights of the first layer: the answer is 200, which is not right \(hint:/);
    expect(wrong).not.toMatch(/210/);
    await answerAndCheck(page, "ex1_answer", `${declaration}answer1 = 4 * V * 10 + 10;`);
    expect(textOf(await outputsOf(page, "ex1_check"))).toMatch(/^✔ right: Exercise 1: weights of the first layer: 210\s*$/);
    expect(consoleLog.errors).toEqual([]);

    // The hand-in: the notebook as the page holds it (what File → Download saves).
    const submissions = join(OUT, "submissions", "student1");
    mkdirSync(submissions, { recursive: true });
    writeFileSync(join(submissions, NOTEBOOK), JSON.stringify(await notebookJson(page)));
  } finally {
    await page.close();
  }
  // The source folder holds only this notebook, so that the grade covers what was handed in.
  const source = join(OUT, "source");
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, NOTEBOOK), readFileSync(join(REPO, "notebooks", NOTEBOOK)));
  const r = spawnSync(process.execPath, [join(REPO, "kernel", "grading", "grade.mjs"), source, join(OUT, "submissions"), join(OUT, "graded")], { cwd: REPO, encoding: "utf8", timeout: 600_000 });
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  const rows = readFileSync(join(OUT, "graded", "grades.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
  expect(rows).toEqual([
    ["student1", NOTEBOOK, "ex1_check", "1", "1", "ok"],
    ["student1", NOTEBOOK, "ex2_check", "0", "1", "failed"],
    ["student1", NOTEBOOK, "ex3_check", "0", "1", "failed"],
  ]);
  expect(readFileSync(join(OUT, "graded", "feedback", "student1", NOTEBOOK.replace(".ipynb", ".html")), "utf8")).toMatch(/✘ not answered yet: Exercise 2/);
});
