/**
 * A runtime error in a cell, as the real tslab kernel shows it (kernel/tslab/preload.mjs): the
 * message first, then the lines of the student's own cells it passed through, with nothing from
 * inside tslab, Node or seqlab.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO, RESULTS, env, joinText, python, type Notebook } from "./jupyter.js";

const CELLS = [
  'import { LSTM, randn, tensor, check } from "seqlab";',
  // 1: a seqlab error from a method call on line 3
  "const lstm = new LSTM({ inputSize: 2, hiddenSize: 4 });\nconst x = randn([5, 3]);\nconst [y] = lstm.forward(x);",
  // 2: through a function of the same cell
  "function flatten(n: number) {\n  return tensor([1, 2]).reshape([n]);\n}\nflatten(3);",
  // 3 and 4: a function of an earlier cell, called in a later one (tslab forgets what a failing cell declared)
  "function widen(n: number) {\n  return tensor([1, 2]).reshape([n]);\n}",
  "const ok = 1;\nwiden(5);",
  // 4: the student's own TypeError, after type-only lines and a statement over several lines
  "interface Box {\n  value: number;\n}\nconst boxes: Box[] = [\n  { value: 1 },\n];\nconst missing: any = null;\nconsole.log(boxes.length, missing.value);",
  // 5: an error after a top-level await
  'await new Promise((done) => setTimeout(done, 10));\nthrow new RangeError("after the await");',
  // 6: a check that says not yet
  'const answer = 3;\ncheck("Exercise 9: two plus two", answer, 4, { hint: "add them" });',
];

it("tracebacks name the lines of the cells, never tslab's, Node's or seqlab's frames", () => {
  const dir = join(RESULTS, "kernel-errors");
  mkdirSync(dir, { recursive: true });
  const nb = {
    cells: CELLS.map((source, k) => ({ cell_type: "code", id: `c${k}`, source, metadata: {}, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript (tslab)", language: "typescript" } },
    nbformat: 4, nbformat_minor: 5,
  };
  const src = join(dir, "errors.ipynb");
  writeFileSync(src, JSON.stringify(nb));
  const out = join(dir, "errors.out.ipynb");
  const r = spawnSync(python(), [join(REPO, "kernel", "grading", "execute.py"), src, out, join(dir, "result.json"), "60", "300", "4096"], { cwd: REPO, env: env(), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  const executed = JSON.parse(readFileSync(out, "utf8")) as Notebook;
  const stderr = executed.cells.map((c) => (c.outputs ?? []).filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => joinText(o.text)).join("").trimEnd());

  expect(stderr[0]).toBe("");
  expect(stderr[1]).toBe("ShapeError: LSTM: expected input of shape (T, 2) (inputSize = 2), got (5, 3)\n    at line 3 of the cell: const [y] = lstm.forward(x);");
  expect(stderr[2]).toBe("ShapeError: reshape: cannot reshape (2,) (2 elements) into (3,) (3 elements)\n    at line 2 of the cell: return tensor([1, 2]).reshape([n]);\n    at line 4 of the cell: flatten(3);");
  expect(stderr[3]).toBe("");
  expect(stderr[4]).toBe("ShapeError: reshape: cannot reshape (2,) (2 elements) into (5,) (5 elements)\n    at line 2 of an earlier cell: return tensor([1, 2]).reshape([n]);\n    at line 2 of the cell: widen(5);");
  expect(stderr[5]).toBe("TypeError: Cannot read properties of null (reading 'value')\n    at line 8 of the cell: console.log(boxes.length, missing.value);");
  expect(stderr[6]).toBe("RangeError: after the await\n    at line 2 of the cell: throw new RangeError(\"after the await\");");
  expect(stderr[7]).toMatch(/^WrongAnswer: ✘ not yet: Exercise 9: two plus two: the answer is 3, which is not right \(hint: add them\)\n {4}at line 2 of the cell: check\("Exercise 9/);
  for (const text of stderr) expect(text).not.toMatch(/tslab|node:|evalmachine|node_modules|dist\/|\^/);
}, 180_000);
