// Writes the grading fixtures: a small assignment (source/) and what ten students handed in
// (submissions/<student>/assignment.ipynb), each made from the released student version the way
// a student would change it. Run again after editing the assignment:
//   node test/grading/make-fixtures.mjs
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checksum, release, withChecksums } from "../../kernel/grading/nbgrader.mjs";
import { notebookText } from "../../kernel/grading/release.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const lines = (text) => text.split(/(?<=\n)/);
const nbgrader = (grade_id, kind, points) => ({
  schema_version: 3, grade: kind === "check" || kind === "written", solution: kind === "answer" || kind === "written", locked: kind === "locked" || kind === "check", grade_id,
  ...(points === undefined ? {} : { points }),
});
let n = 0;
const cell = (cell_type, text, meta) => ({
  cell_type, id: `cell-${++n}`, metadata: meta ? { nbgrader: meta } : {}, source: lines(text),
  ...(cell_type === "code" ? { execution_count: null, outputs: [] } : {}),
});

const KEYS = {
  a1: "seqlab-key:1:2d513ca56dc0:0.000001:=1d510e5d7d055dbc", // seal(36)
  a2: "seqlab-key:1:745476bf1d76:0.000001:[=240a296e4c064745;=bc82a9bbd5223d81;=79a50dd497889a48]", // seal([5, 2, 4])
};

const source = withChecksums({
  nbformat: 4, nbformat_minor: 5,
  metadata: { kernelspec: { display_name: "TypeScript (tslab)", language: "typescript", name: "tslab" }, language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" } },
  cells: [
    cell("markdown", "# Assignment · an RNN's parameters and shapes\nAnswer in the cells marked ✏️; each check cell tells you whether you are right.", nbgrader("intro", "locked")),
    cell("code", 'import { RNN, randn, check, sealed } from "seqlab";\nconst rnn = new RNN({ inputSize: 3, hiddenSize: 4 });', nbgrader("setup", "locked")),
    cell("markdown", "### Exercise 1 ✏️\nHow many parameters does `rnn` have? Store the number in `answer1`.", nbgrader("ex1_task", "locked")),
    cell("code", "let answer1: number | undefined = undefined;   // ✏️\n// ### BEGIN SOLUTION\nanswer1 = 4 * 3 + 4 * 4 + 4 + 4;\n// ### END SOLUTION", nbgrader("ex1_answer", "answer")),
    cell("code", `check("Exercise 1: parameters of RNN(3 → 4)", answer1, sealed("${KEYS.a1}"),\n  { hint: "W_ih is 4×3, W_hh is 4×4, and there are two biases" });\n// ### BEGIN HIDDEN TESTS\ncheck("Exercise 1 (graded): against the layer itself", answer1, rnn.numParameters());\n// ### END HIDDEN TESTS`, nbgrader("ex1_check", "check", 2)),
    cell("markdown", "### Exercise 2 ✏️\n`rnn` reads a batch of 2 sequences of 5 steps (`batchFirst` is false). What is the shape of its output? Store it as a list in `answer2`.", nbgrader("ex2_task", "locked")),
    cell("code", "let answer2: number[] | undefined = undefined;   // ✏️\n// ### BEGIN SOLUTION\nanswer2 = [5, 2, 4];\n// ### END SOLUTION", nbgrader("ex2_answer", "answer")),
    cell("code", `check("Exercise 2: output shape", answer2, sealed("${KEYS.a2}"),\n  { hint: "(time, batch, hidden) when batchFirst is false" });\n// ### BEGIN HIDDEN TESTS\ncheck("Exercise 2 (graded): against the layer itself", answer2, [...rnn.forward(randn([5, 2, 3]))[0].shape]);\n// ### END HIDDEN TESTS`, nbgrader("ex2_check", "check", 1)),
    cell("markdown", "### Exercise 3 ✏️ (graded by hand)\nIn one sentence: why does the number of parameters not depend on the length of the sequence?", nbgrader("ex3_task", "locked")),
    cell("markdown", "### BEGIN SOLUTION\nThe same weights are applied at every step, so their number does not grow with the sequence.\n### END SOLUTION", nbgrader("ex3_written", "written", 1)),
  ],
});

/** A student's copy: the released notebook with `answers` (cell grade_id → new source) and changes. */
function submission(answers = {}, change = (nb) => nb) {
  const nb = release(source);
  for (const c of nb.cells) {
    const id = c.metadata.nbgrader?.grade_id;
    if (id in answers) c.source = lines(answers[id]);
  }
  return change(nb);
}
const declare1 = "let answer1: number | undefined = undefined;   // ✏️\n";
const declare2 = "let answer2: number[] | undefined = undefined;   // ✏️\n";
const right = { ex1_answer: `${declare1}answer1 = 36;`, ex2_answer: `${declare2}answer2 = [5, 2, 4];`, ex3_written: "Because the weights are shared over time." };

const students = {
  // All right, handed in with the outputs of the student's own run (the grader clears them).
  correct: submission(right, (nb) => {
    nb.cells[4].outputs = [{ output_type: "stream", name: "stdout", text: ["✔ right: Exercise 1: 36\n"] }];
    nb.cells[4].execution_count = 3;
    return nb;
  }),
  wrong: submission({ ...right, ex1_answer: `${declare1}answer1 = 4 * 3 + 4 * 4;   // forgot the biases` }),
  // Edited the check to print "right" whatever the answer: restored, and marked.
  tampered: submission({ ...right, ex1_answer: `${declare1}answer1 = 30;` }, (nb) => {
    nb.cells[4].source = lines('console.log("✔ right: Exercise 1");');
    return nb;
  }),
  loop: submission({ ...right, ex1_answer: `${declare1}while (true) { answer1 = 36; }` }),
  typeerror: submission({ ...right, ex1_answer: `${declare1}answer1 = "thirty-six";` }),
  exit: submission({ ...right, ex1_answer: `${declare1}process.exit(1);` }),
  memory: submission({ ...right, ex1_answer: `${declare1}const hoard: Float64Array[] = [];\nfor (let i = 0; i < 200; i++) hoard.push(new Float64Array(2 ** 24).fill(i));\nanswer1 = 36;` }),
  // Right answers, and outputs that would run script if a page showed them as HTML.
  hostile: submission({
    ...right,
    ex1_answer: `${declare1}import * as tslab from "tslab";\nconsole.log("<script>document.title = 'pwned'</script>");\ntslab.display.html('<img src=x onerror="document.title=\\'pwned\\'">');\nanswer1 = 36;`,
    ex3_written: '<script>document.title = "pwned"</script>',
  }),
};

const out = join(HERE, "submissions");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(HERE, "source"), { recursive: true });
writeFileSync(join(HERE, "source", "assignment.ipynb"), notebookText(source));
for (const [student, nb] of Object.entries(students)) {
  mkdirSync(join(out, student), { recursive: true });
  writeFileSync(join(out, student, "assignment.ipynb"), notebookText(nb));
}
for (const [student, text] of Object.entries({ notjson: '{"cells": [ this is not JSON', empty: "" })) {
  mkdirSync(join(out, student), { recursive: true });
  writeFileSync(join(out, student, "assignment.ipynb"), text);
}
mkdirSync(join(out, "missing"), { recursive: true });
writeFileSync(join(out, "missing", "notes.txt"), "I could not finish the assignment.\n");
console.log(`wrote ${join(HERE, "source")} and ${Object.keys(students).length + 3} submissions; checksum of ex1_check: ${checksum(source.cells[4])}`);
