/**
 * nbgrader's notebook format as kernel/grading/nbgrader.mjs implements it: checksums equal to
 * the ones nbgrader itself computed, the v3 rules, and the course notebooks as valid nbgrader
 * source notebooks whose released versions keep nothing of a solution or a hidden test.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { secretLines } from "../grading/secrets.js";

type Cell = { cell_type: string; source: string | string[]; metadata: Record<string, unknown>; outputs?: unknown[]; execution_count?: number | null };
type Notebook = { cells: Cell[]; metadata: Record<string, unknown>; nbformat: number };
type Format = {
  checksum(cell: Cell): string;
  pythonFloat(x: number): string;
  validate(nb: unknown, opts?: { source?: boolean; checksums?: boolean }): string[];
  release(nb: Notebook): Notebook;
  secretLines(cell: Cell): string[];
  sourceOf(cell: Cell): string;
  isGrade(cell: Cell): boolean;
  isSolution(cell: Cell): boolean;
};
// @ts-expect-error -- plain JavaScript module, shared with the release and grade commands
const format = (await import("../../kernel/grading/nbgrader.mjs")) as Format;

const REPO = join(import.meta.dirname, "..", "..");
const NOTEBOOKS = join(REPO, "notebooks");
const read = (path: string): Notebook => JSON.parse(readFileSync(path, "utf8")) as Notebook;
const courseNotebooks = readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort();
const nbg = (cell: Cell) => cell.metadata["nbgrader"] as Record<string, unknown>;

describe("checksums", () => {
  // Cells of nbgrader's own test notebook nbgrader/tests/apps/files/submitted-unchanged.ipynb
  // (nbgrader 0.9), with the checksums nbgrader computed for them.
  const reference: [string, Record<string, unknown>, string, string][] = [
    ["code", { grade: false, grade_id: "set_a", locked: false, solution: true }, "# YOUR CODE HERE\nraise NotImplementedError()", "3d6aac4236f8e1ec85380e692dcc51b1"],
    ["code", { grade: true, grade_id: "foo", locked: false, points: 1.0, solution: false }, 'print("Success!")', "8bb5c7c6f388fae724e5ef53dc4deeb2"],
    ["code", { grade: true, grade_id: "bar", locked: false, points: 1.0, solution: false }, "assert a == 1", "75d78cdf605a339809ceaace462c5f33"],
    ["markdown", { grade: true, grade_id: "baz", locked: false, points: 2.0, solution: true }, "YOUR ANSWER HERE", "9e51fd0022c24c4105e38369d2f9d751"],
    ["code", { grade: true, grade_id: "quux", locked: false, points: 3.0, solution: true }, "# YOUR CODE HERE\nraise NotImplementedError()", "5a193c164d7b444efe9a3612bee09f4c"],
    ["code", { grade: false, grade_id: "ro1", locked: true, solution: false }, 'print("Don\'t change this cell!")', "86f5f877fe95faac003fcd4b8d43d093"],
    ["markdown", { grade: false, grade_id: "ro2", locked: true, solution: false }, "This cell shouldn't be changed.", "0122b50e5eaf367b9874d07ebaf80521"],
  ];
  it.each(reference)("a %s cell %j has nbgrader's checksum", (cell_type, meta, source, expected) => {
    expect(format.checksum({ cell_type, source, metadata: { nbgrader: { schema_version: 3, ...meta } } })).toBe(expected);
  });

  it("points are spelt as Python's str(float(x))", () => {
    expect([1, 2.5, 0.0001, 1e-5, 1.5e-7, 1e21].map(format.pythonFloat)).toEqual(["1.0", "2.5", "0.0001", "1e-05", "1.5e-07", "1e+21"]);
  });
});

describe("nbgrader's v3 rules", () => {
  const base = (): Notebook => read(join(NOTEBOOKS, "01-feedforward-limits.ipynb"));
  const find = (nb: Notebook, id: string): Cell => nb.cells.find((c) => (c.metadata["nbgrader"] as { grade_id?: string } | undefined)?.grade_id === id)!;
  const broken: [string, (nb: Notebook) => void, RegExp][] = [
    ["a duplicate grade_id", (nb) => void (nbg(find(nb, "ex2_check"))["grade_id"] = "ex1_check"), /duplicate grade_id/],
    ["a grade cell without points", (nb) => void delete nbg(find(nb, "ex1_check"))["points"], /grade cell without points/],
    ["negative points", (nb) => void (nbg(find(nb, "ex1_check"))["points"] = -1), /points must be ≥ 0/],
    ["a missing required field", (nb) => void delete nbg(find(nb, "ex1_answer"))["locked"], /missing required field "locked"/],
    ["an unknown field", (nb) => void (nbg(find(nb, "ex1_answer"))["hidden"] = true), /unknown nbgrader field "hidden"/],
    ["schema version 2", (nb) => void (nbg(find(nb, "ex1_answer"))["schema_version"] = 2), /schema_version must be 3/],
    ["a bad grade_id", (nb) => void (nbg(find(nb, "ex1_answer"))["grade_id"] = "ex 1"), /may hold only letters/],
    ["an edited locked cell", (nb) => void (find(nb, "ex1_check").source = "console.log('right')"), /checksum does not match/],
    ["a markdown grade cell that is no solution cell", (nb) => Object.assign(nbg(find(nb, "ex1_task")), { grade: true, points: 1 }), /markdown grade cell that is not also a solution cell/],
    ["a solution region outside a solution cell", (nb) => void (nb.cells[2]!.source = "// ### BEGIN SOLUTION\nx\n// ### END SOLUTION"), /solution region but is not a solution cell/],
    ["hidden tests outside a grade cell", (nb) => void (find(nb, "ex1_answer").source = "// ### BEGIN HIDDEN TESTS\nx\n// ### END HIDDEN TESTS"), /hidden tests but is not a grade cell/],
    ["an unclosed solution region", (nb) => void (find(nb, "ex1_answer").source = "// ### BEGIN SOLUTION\nx"), /"BEGIN SOLUTION" without "END SOLUTION"/],
  ];
  it.each(broken)("%s is refused, naming the cell", (_, breakIt, message) => {
    const nb = base();
    expect(format.validate(nb, { source: true })).toEqual([]);
    breakIt(nb);
    const problems = format.validate(nb, { source: true });
    expect(problems.join("\n")).toMatch(message);
    expect(problems.join("\n")).toMatch(/^cell \d+/);
  });

  it("something that is not a notebook is refused", () => {
    expect(format.validate({ cells: "no" })).toEqual(["not a notebook: expected a JSON object with a list of cells"]);
  });
});

describe("the course notebooks are nbgrader source notebooks", () => {
  it.each(courseNotebooks)("%s: valid, checksums current, every exercise an answer cell and a check cell with points", (name) => {
    const nb = read(join(NOTEBOOKS, name));
    expect(format.validate(nb, { source: true })).toEqual([]);
    const tracked = nb.cells.filter((c) => c.metadata["nbgrader"] !== undefined);
    for (const c of tracked) expect(nbg(c)["checksum"], `checksum of ${String(nbg(c)["grade_id"])}`).toBe(format.checksum(c));
    const answers = nb.cells.filter((c) => format.isSolution(c));
    const checks = nb.cells.filter((c) => format.isGrade(c));
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(checks.length).toBe(answers.length);
    for (const c of checks) expect(nbg(c)["points"]).toBeGreaterThan(0);
    for (const c of answers) expect(format.sourceOf(c)).toMatch(/### BEGIN SOLUTION/);
    // No Node-only switch decides whether the answers are shown.
    expect(JSON.stringify(nb)).not.toMatch(/SEQLAB_SOLUTIONS|process\.env/);
  });

  it.each(courseNotebooks)("%s released: stubs for solutions, no hidden tests, no outputs, read-only checks, valid checksums", (name) => {
    const source = read(join(NOTEBOOKS, name));
    const released = format.release(source);
    expect(format.validate(released)).toEqual([]);
    expect(released.cells.length).toBe(source.cells.length);
    const secret = secretLines([source]);
    expect(secret.length).toBeGreaterThan(0);
    const text = released.cells.map(format.sourceOf).join("\n");
    expect(secret.filter((line) => text.includes(line))).toEqual([]);
    expect(text).not.toMatch(/BEGIN SOLUTION|END SOLUTION|HIDDEN TESTS/);
    for (const [k, cell] of released.cells.entries()) {
      const meta = cell.metadata["nbgrader"] as Record<string, unknown> | undefined;
      if (cell.cell_type === "code") expect([cell.outputs, cell.execution_count]).toEqual([[], null]);
      if (meta?.["solution"]) {
        expect(format.sourceOf(cell)).toMatch(/\/\/ YOUR CODE HERE/);
        expect(cell.metadata["deletable"]).toBe(false);
        expect(cell.metadata["editable"]).toBeUndefined();
      }
      if (meta?.["grade"]) expect([cell.metadata["deletable"], cell.metadata["editable"]]).toEqual([false, false]);
      if (meta === undefined) expect(cell).toEqual(source.cells[k]!.cell_type === "code" ? { ...source.cells[k], outputs: [], execution_count: null } : source.cells[k]);
    }
  });
});
