/**
 * The lecturer's workflow end to end with the real parts: `npm run release` on the course, the
 * released notebooks run in the real tslab kernel (only "not answered yet" may fail), and
 * `npm run grade` on realistic submissions (test/grading/), every row of its CSV asserted, its
 * feedback pages opened in Chromium to prove that nothing a student wrote runs there.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { secretLines } from "../grading/secrets.js";
import { launchChromium } from "./browser.js";
import { REPO, RESULTS, joinText, type Notebook } from "./jupyter.js";

const OUT = join(RESULTS, "grading");
const NOTEBOOKS = join(REPO, "notebooks");
const FIXTURES = join(REPO, "test", "grading");
// A folder name that is a spreadsheet formula and an HTML payload at once.
const HOSTILE_NAME = `=HYPERLINK("x")<img src=x onerror=alert(1)>`;

const run = (script: string, args: string[]) => {
  const r = spawnSync(process.execPath, [join(REPO, "kernel", "grading", script), ...args], { cwd: REPO, encoding: "utf8", timeout: 900_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};
const release = (...args: string[]) => run("release.mjs", args);
const grade = (...args: string[]) => run("grade.mjs", args);
const csvRows = (path: string): string[][] => readFileSync(path, "utf8").trim().split("\n").map((l) => parseCsvLine(l));
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted && ch === '"' && line[i + 1] === '"') (field += '"'), i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) out.push(field), (field = "");
    else field += ch;
  }
  out.push(field);
  return out;
}
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)).map((f) => join(n, f)) : [n]));

const secretsOf = (dir: string): string[] =>
  secretLines(readdirSync(dir).filter((f) => f.endsWith(".ipynb")).map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Notebook));

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
});

/** Notebook 08's files: the PyTorch checkpoint, what its training recorded, the text, the scripts that made them and their README. */
const CHAR_LSTM_FILES = ["data/README.md", "data/char-lstm.json", "data/char-lstm.pt", "data/make-text.py", "data/pride-and-prejudice.txt", "data/train-char-lstm.py"];

describe("npm run release", () => {
  const student = join(OUT, "release", "course");

  it("writes the student version of the course and a zip of it, with no line of any solution or hidden test", () => {
    const r = release(NOTEBOOKS, student);
    expect(r.out).toMatch(/released 8 notebooks \(9 other files\)/);
    expect(r.code).toBe(0);
    const files = filesUnder(student).sort();
    expect(files).toEqual([...readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")), "00-start-here.md", ...CHAR_LSTM_FILES, "data/pytorch-gru-example.json", "data/pytorch-lstm-example.json"].sort());
    // The zip, read by Python's zipfile (not by our writer): the same files, the same bytes.
    const unzipped = join(OUT, "release", "unzipped");
    const z = spawnSync("python3", ["-m", "zipfile", "-e", `${student}.zip`, unzipped], { encoding: "utf8" });
    expect(z.status, z.stderr).toBe(0);
    for (const f of files) expect(readFileSync(join(unzipped, "course", f)).equals(readFileSync(join(student, f))), f).toBe(true);
    const secrets = secretsOf(NOTEBOOKS);
    expect(secrets.length).toBeGreaterThan(40);
    for (const dir of [student, join(unzipped, "course")]) {
      for (const f of filesUnder(dir)) {
        const text = readFileSync(join(dir, f), "utf8");
        const leaked = secrets.filter((line) => text.includes(line) || text.includes(JSON.stringify(line).slice(1, -1)));
        expect(leaked, `${relative(OUT, join(dir, f))} holds solution lines`).toEqual([]);
      }
    }
  });

  it("npm start's exercises/: student versions added where missing, a student's own work never overwritten", async () => {
    // @ts-expect-error -- plain JavaScript module, shared with npm start
    const { releaseMissing } = (await import("../../kernel/grading/release.mjs")) as { releaseMissing: (s: string, o: string) => string[] };
    const work = join(OUT, "release", "work");
    expect(releaseMissing(NOTEBOOKS, work).sort()).toEqual(filesUnder(student).sort());
    const mine = join(work, "02-rnn.ipynb");
    writeFileSync(mine, readFileSync(mine, "utf8").replace("// YOUR CODE HERE", "answer1 = 165;"));
    const kept = readFileSync(mine, "utf8");
    rmSync(join(work, "06-gru.ipynb"));
    expect(releaseMissing(NOTEBOOKS, work)).toEqual(["06-gru.ipynb"]);
    expect(readFileSync(mine, "utf8")).toBe(kept);
  });

  it("refuses what it cannot release, with one clear message and nothing written", () => {
    const plain = join(OUT, "release", "plain");
    mkdirSync(plain, { recursive: true });
    cpSync(join(REPO, "test", "e2e", "notebooks", "plots-a.ipynb"), join(plain, "plots-a.ipynb"));
    const cases: [string[], RegExp][] = [
      [[plain, join(OUT, "release", "x1")], /not an nbgrader source notebook: no cell has metadata\.nbgrader/],
      [[join(OUT, "nowhere"), join(OUT, "release", "x2")], /expected a folder of source notebooks, found nothing/],
      [[NOTEBOOKS, join(NOTEBOOKS, "released")], /must not contain each other/],
      [[NOTEBOOKS], /usage: npm run release -- SOURCE_DIR OUT_DIR/],
    ];
    for (const [args, message] of cases) {
      const r = release(...args);
      expect(r.out).toMatch(message);
      expect(r.code).not.toBe(0);
    }
    expect(existsSync(join(OUT, "release", "x1"))).toBe(false);
    expect(existsSync(join(NOTEBOOKS, "released"))).toBe(false);
  });

  it("each released notebook runs top to bottom in the real kernel, and only its checks fail, each with \"not answered yet\"", () => {
    // A student who opened every released notebook and answered nothing, graded as handed in.
    const submissions = join(OUT, "release", "unanswered");
    mkdirSync(join(submissions, "nobody"), { recursive: true });
    for (const f of readdirSync(student).filter((n) => n.endsWith(".ipynb"))) cpSync(join(student, f), join(submissions, "nobody", f));
    const graded = join(OUT, "release", "graded");
    const r = grade(NOTEBOOKS, submissions, graded);
    expect(r.code, r.out).toBe(0);
    const rows = csvRows(join(graded, "grades.csv")).slice(1);
    expect(rows.length).toBeGreaterThanOrEqual(21);
    for (const [, notebook, id, points, , status] of rows) expect([notebook, id, points, status]).toEqual([notebook, id, "0", "failed"]);
    for (const nb of readdirSync(student).filter((n) => n.endsWith(".ipynb"))) {
      const executed = JSON.parse(readFileSync(join(graded, ".work", "nobody", nb.replace(".ipynb", ""), `executed-${nb}`), "utf8")) as Notebook;
      for (const cell of executed.cells.filter((c) => c.cell_type === "code")) {
        const meta = cell.metadata?.["nbgrader"] as { grade?: boolean; grade_id?: string } | undefined;
        const errors = (cell.outputs ?? []).filter((o) => o.output_type === "error" || o.name === "stderr").map((o) => joinText(o.text) || `${o.ename}: ${o.evalue}`);
        if (meta?.grade) {
          expect(errors.join("\n"), `${nb} ${meta.grade_id}`).toMatch(/NotAnswered: ✘ not answered yet: Exercise \d/);
          expect(errors.join("\n")).not.toMatch(/ReferenceError|TypeError|Cannot find name/);
        } else expect(errors, `${nb} cell ${meta?.grade_id ?? joinText(cell.source).slice(0, 60)}`).toEqual([]);
      }
    }
  });
});

describe("npm run grade on realistic submissions", () => {
  const submissions = join(OUT, "submissions");
  const graded = join(OUT, "graded");
  let first = { code: null as number | null, out: "" };

  beforeAll(() => {
    cpSync(join(FIXTURES, "submissions"), submissions, { recursive: true });
    cpSync(join(FIXTURES, "submissions", "hostile"), join(submissions, HOSTILE_NAME), { recursive: true });
    first = grade(join(FIXTURES, "source"), submissions, graded, "--cell-timeout", "10", "--memory-mb", "1024");
  });

  it("scores every check cell of every submission with its status", () => {
    expect(first.code, first.out).toBe(0);
    const expected = [
      ["student", "notebook", "grade_id", "points", "max_points", "status"],
      ...[
        [HOSTILE_NAME, 2, "ok", 1, "ok"],
        ["correct", 2, "ok", 1, "ok"],
        ["empty", 0, "invalid", 0, "invalid"],
        ["exit", 0, "crashed", 0, "crashed"],
        ["hostile", 2, "ok", 1, "ok"],
        ["loop", 0, "timeout", 0, "timeout"],
        ["memory", 0, "crashed", 0, "crashed"],
        ["missing", 0, "missing", 0, "missing"],
        ["notjson", 0, "invalid", 0, "invalid"],
        ["tampered", 0, "tampered", 1, "ok"],
        ["typeerror", 0, "failed", 1, "ok"],
        ["wrong", 0, "failed", 1, "ok"],
      ].flatMap(([s, p1, s1, p2, s2]) => [
        [String(s), "assignment.ipynb", "ex1_check", String(p1), "2", String(s1)],
        [String(s), "assignment.ipynb", "ex2_check", String(p2), "1", String(s2)],
      ]),
    ];
    // The formula-like folder name is stored with a leading quote: text, not a formula.
    const rows = csvRows(join(graded, "grades.csv")).map((r) => (r[0] === `'${HOSTILE_NAME}` ? [HOSTILE_NAME, ...r.slice(1)] : r));
    expect(rows).toEqual(expected);
    expect(readFileSync(join(graded, "grades.csv"), "utf8")).toContain(`"'=HYPERLINK(""x"")<img src=x onerror=alert(1)>"`);
    const summary = Object.fromEntries(csvRows(join(graded, "summary.csv")).slice(1).map(([s, p, m]) => [s, `${p}/${m}`]));
    expect(summary).toMatchObject({ correct: "3/3", wrong: "1/3", tampered: "1/3", loop: "0/3", missing: "0/3", hostile: "3/3" });
    expect(first.out).toMatch(/graded 12 of 12: .+\/assignment\.ipynb \d\/3 \(\w+/);
    expect(first.out).toMatch(/graded 1 of 12: .*, about \d+ s left/);
  });

  it("says why each check failed, in the feedback page", () => {
    const page = (s: string) => readFileSync(join(graded, "feedback", s, "assignment.html"), "utf8");
    expect(page("wrong")).toContain("✘ not yet: Exercise 1: parameters of RNN(3 → 4): the answer is 28, which is not right (hint: W_ih is 4×3");
    expect(page("typeerror")).toMatch(/the answer cell ex1_answer failed: 2:1 - Type &#39;string&#39; is not assignable to type &#39;number&#39;/);
    expect(page("tampered")).toMatch(/edited or deleted locked cells, restored from the source: ex1_check/);
    expect(page("tampered")).toMatch(/graded with the original: failed: ✘ not yet: Exercise 1.*the answer is 30/);
    expect(page("loop")).toMatch(/not run: this cell ran longer than 10 s in ex1_answer/);
    expect(page("exit")).toMatch(/the kernel died while running this cell \(process\.exit or a crash\)/);
    expect(page("memory")).toMatch(/the kernel used more than 1024 MB and was stopped/);
    expect(page("notjson")).toMatch(/not a notebook: the file is not valid JSON/);
    expect(page("empty")).toMatch(/the file is empty/);
    expect(page("missing")).toMatch(/no such notebook was handed in/);
    // The right answers' outputs are the grader's own run, not what the student handed in.
    expect(page("correct").match(/✔ right: Exercise 1/g)?.length).toBe(2);
  });

  it("feedback pages show a student's HTML and script as text: nothing runs in the lecturer's browser", async () => {
    const browser = await launchChromium();
    try {
      for (const student of ["hostile", HOSTILE_NAME]) {
        const file = join(graded, "feedback", student, "assignment.html");
        const html = readFileSync(file, "utf8");
        expect(html).not.toMatch(/<script|<img (?!alt="plot" src="data:)/i);
        const page = await browser.newPage();
        const dialogs: string[] = [];
        page.on("dialog", (d) => void (dialogs.push(d.message()), d.dismiss()));
        await page.goto(pathToFileURL(file).href);
        const text = await page.locator("body").innerText();
        expect(text).toContain("<script>document.title = 'pwned'</script>");
        expect(text).toContain(`<img src=x onerror="document.title='pwned'">`);
        expect(text).toContain(`<script>document.title = "pwned"</script>`);
        expect(text).toContain(`Student: ${student}`);
        expect(await page.title()).not.toMatch(/pwned/);
        expect(await page.locator("script, body img:not([src^='data:'])").count()).toBe(0);
        expect(dialogs).toEqual([]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });

  it("a second run grades nothing again unless --force", () => {
    const before = readFileSync(join(graded, "grades.csv"), "utf8");
    const again = grade(join(FIXTURES, "source"), submissions, graded, "--cell-timeout", "10", "--memory-mb", "1024");
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/12 of 12 already graded with the same inputs/);
    expect(again.out).not.toMatch(/graded \d+ of/);
    expect(readFileSync(join(graded, "grades.csv"), "utf8")).toBe(before);
    // One student's new submission is graded, the rest reused; --force grades all again.
    const one = join(OUT, "one");
    mkdirSync(one, { recursive: true });
    cpSync(join(submissions, "correct"), join(one, "correct"), { recursive: true });
    const forced = grade(join(FIXTURES, "source"), one, join(OUT, "graded-one"));
    expect(forced.out).toMatch(/graded 1 of 1: correct\/assignment\.ipynb 3\/3 \(ok\)/);
    const reforced = grade(join(FIXTURES, "source"), one, join(OUT, "graded-one"), "--force");
    expect(reforced.out).toMatch(/graded 1 of 1: correct\/assignment\.ipynb 3\/3 \(ok\)/);
  });

  it("refuses a batch it cannot grade, with one message saying what was expected", () => {
    const bad = join(OUT, "bad");
    const shapes: [string, () => string[], RegExp][] = [
      ["a notebook at the top", () => {
        mkdirSync(join(bad, "flat"), { recursive: true });
        cpSync(join(submissions, "correct", "assignment.ipynb"), join(bad, "flat", "assignment.ipynb"));
        return [join(FIXTURES, "source"), join(bad, "flat"), join(bad, "out1")];
      }, /expected one folder per student \(SUBMISSIONS_DIR\/<student>\/<notebook>\.ipynb\), found files at the top: assignment\.ipynb/],
      ["a notebook not in the source", () => {
        mkdirSync(join(bad, "other", "ann"), { recursive: true });
        writeFileSync(join(bad, "other", "ann", "homework.ipynb"), "{}");
        return [join(FIXTURES, "source"), join(bad, "other"), join(bad, "out2")];
      }, /notebooks that are not in the source \(expected one of assignment\.ipynb\): ann\/homework\.ipynb/],
      ["a source without nbgrader metadata", () => {
        mkdirSync(join(bad, "plain"), { recursive: true });
        cpSync(join(REPO, "test", "e2e", "notebooks", "plots-a.ipynb"), join(bad, "plain", "assignment.ipynb"));
        return [join(bad, "plain"), submissions, join(bad, "out3")];
      }, /not an nbgrader source notebook: no cell has metadata\.nbgrader/],
      ["no submissions folder", () => [join(FIXTURES, "source"), join(bad, "none"), join(bad, "out4")], /expected a folder of submissions .*found nothing/],
      ["a timeout of zero", () => [join(FIXTURES, "source"), submissions, join(bad, "out5"), "--cell-timeout", "0"], /--cell-timeout expects a positive whole number of seconds per cell, got "0"/],
      ["an unknown option", () => [join(FIXTURES, "source"), submissions, join(bad, "out6"), "--fast"], /unknown option "--fast"/],
    ];
    for (const [what, args, message] of shapes) {
      const r = grade(...args());
      expect(r.out, what).toMatch(message);
      expect(r.code, what).not.toBe(0);
    }
    for (const k of [1, 2, 3, 4, 5, 6]) expect(existsSync(join(bad, `out${k}`, "grades.csv"))).toBe(false);
  });
});
