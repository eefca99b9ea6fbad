// `npm run grade -- SOURCE_DIR SUBMISSIONS_DIR OUT_DIR [--force] [--cell-timeout S]
//   [--notebook-timeout S] [--memory-mb N] [--jobs N]`
//
// Grades SUBMISSIONS_DIR/<student>/<notebook>.ipynb against the nbgrader source notebooks of
// SOURCE_DIR, as nbgrader's autograde does: locked and check cells restored from the source
// (hidden tests included; an edited check is marked tampered), then each submission executed by
// the real tslab kernel through nbclient in a fresh kernel, one notebook per core. Writes
// OUT_DIR/grades.csv, OUT_DIR/summary.csv and OUT_DIR/feedback/<student>/<notebook>.html.
// A second run reuses what was graded with the same inputs, unless --force.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, findPython, jupyterEnv, setup } from "../setup.mjs";
import { feedbackPage } from "./feedback.mjs";
import { checksum, isGrade, isLocked, isSolution, isTracked, release, sourceOf } from "./nbgrader.mjs";
import { notebookText, readSources } from "./release.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
export const STATUSES = ["ok", "failed", "timeout", "crashed", "tampered", "invalid", "missing"];
const IGNORED = (name) => name.startsWith(".") || name === "__MACOSX";

const OPTIONS = {
  "--cell-timeout": { key: "cellTimeout", default: 60, what: "seconds per cell" },
  "--notebook-timeout": { key: "notebookTimeout", default: 300, what: "seconds per notebook" },
  "--memory-mb": { key: "memoryMb", default: 2048, what: "megabytes of kernel memory" },
  "--jobs": { key: "jobs", default: Math.max(1, availableParallelism()), what: "notebooks at once" },
};
const USAGE = `usage: npm run grade -- SOURCE_DIR SUBMISSIONS_DIR OUT_DIR [--force] ${Object.entries(OPTIONS).map(([f, o]) => `[${f} N]`).join(" ")}

  SOURCE_DIR       the nbgrader source notebooks (with solutions and hidden tests)
  SUBMISSIONS_DIR  one folder per student, each holding that student's <notebook>.ipynb
  OUT_DIR          where grades.csv, summary.csv and feedback/<student>/<notebook>.html go
${Object.entries(OPTIONS).map(([f, o]) => `  ${f.padEnd(18)} ${o.what} (default ${o.default})`).join("\n")}
  --force            grade again what an earlier run already graded`;

/** Parses the command line; a bad option is an error naming what was expected. */
export function parseArgs(argv) {
  const opts = Object.fromEntries(Object.values(OPTIONS).map((o) => [o.key, o.default]));
  opts.force = false;
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--force") opts.force = true;
    else if (a in OPTIONS) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) {
        throw new Error(`${a} expects a positive whole number of ${OPTIONS[a].what}, got ${argv[i] === undefined ? "nothing" : JSON.stringify(argv[i])}`);
      }
      opts[OPTIONS[a].key] = v;
    } else if (a.startsWith("-")) throw new Error(`unknown option ${JSON.stringify(a)}; expected one of --force, ${Object.keys(OPTIONS).join(", ")}`);
    else positional.push(a);
  }
  if (positional.length !== 3) throw new Error(`expected SOURCE_DIR SUBMISSIONS_DIR OUT_DIR, got ${positional.length} folder${positional.length === 1 ? "" : "s"}`);
  [opts.sourceDir, opts.submissionsDir, opts.outDir] = positional;
  return opts;
}

/**
 * The students and their notebooks; refuses a folder of the wrong shape, naming what is wrong.
 */
export function readSubmissions(dir, notebookNames) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: expected a folder of submissions (SUBMISSIONS_DIR/<student>/<notebook>.ipynb), found ${existsSync(dir) ? "a file" : "nothing"}`);
  const entries = readdirSync(dir).filter((n) => !IGNORED(n)).sort();
  const loose = entries.filter((n) => !statSync(join(dir, n)).isDirectory());
  if (loose.length) throw new Error(`${dir}: expected one folder per student (SUBMISSIONS_DIR/<student>/<notebook>.ipynb), found files at the top: ${loose.join(", ")}`);
  if (entries.length === 0) throw new Error(`${dir}: expected one folder per student (SUBMISSIONS_DIR/<student>/<notebook>.ipynb), found none`);
  const unknown = [];
  for (const student of entries) {
    for (const name of readdirSync(join(dir, student))) {
      if (name.endsWith(".ipynb") && !notebookNames.includes(name)) unknown.push(`${student}/${name}`);
    }
  }
  if (unknown.length) throw new Error(`notebooks that are not in the source (expected one of ${notebookNames.join(", ")}): ${unknown.join(", ")}`);
  return entries;
}

/** The check cells of a source notebook, in order: what each submission is scored on. */
const checkCells = (source) => source.cells.filter((c) => isGrade(c) && c.cell_type === "code");

/**
 * The notebook to execute: the submission with every locked and check cell put back from the
 * source (hidden tests included) and missing ones added, and the names of the cells that were
 * edited or deleted. Answer cells stay as the student wrote them.
 */
export function prepare(source, submission) {
  const released = release(source);
  const sourceById = new Map(source.cells.filter(isTracked).map((c) => [c.metadata.nbgrader.grade_id, c]));
  const releasedById = new Map(released.cells.filter(isTracked).map((c) => [c.metadata.nbgrader.grade_id, c]));
  const tampered = [];
  const seen = new Set();
  const cells = [];
  for (const cell of submission.cells) {
    const id = cell.metadata?.nbgrader?.grade_id;
    const original = typeof id === "string" ? releasedById.get(id) : undefined;
    if (original === undefined || seen.has(id)) {
      // A student's own cell (or a copy of a tracked one, which then runs as the student's code).
      cells.push(typeof id === "string" && seen.has(id) ? stripNbgrader(cell) : cell);
      continue;
    }
    seen.add(id);
    if (isSolution(original)) {
      cells.push(cell);
      continue;
    }
    const edited = cell.cell_type !== original.cell_type || sourceOf(cell) !== sourceOf(original) || checksum({ ...cell, metadata: { nbgrader: { ...original.metadata.nbgrader, ...cell.metadata.nbgrader } } }) !== original.metadata.nbgrader.checksum;
    if (edited) tampered.push(id);
    cells.push(restored(sourceById.get(id)));
  }
  // Deleted tracked cells come back after the tracked cell that precedes them in the source.
  const order = source.cells.filter(isTracked).map((c) => c.metadata.nbgrader.grade_id);
  order.forEach((id, k) => {
    if (seen.has(id)) return;
    if (!isSolution(sourceById.get(id))) tampered.push(id);
    const cell = isSolution(sourceById.get(id)) ? structuredClone(releasedById.get(id)) : restored(sourceById.get(id));
    const before = order.slice(0, k).reverse().find((p) => seen.has(p));
    const at = before === undefined ? 0 : cells.findIndex((c) => c.metadata?.nbgrader?.grade_id === before) + 1;
    cells.splice(at, 0, cell);
    seen.add(id);
  });
  for (const cell of cells) if (cell.cell_type === "code") Object.assign(cell, { outputs: [], execution_count: null });
  const nb = { ...structuredClone(submission), cells, metadata: { ...submission.metadata, kernelspec: source.metadata.kernelspec } };
  return { notebook: nb, tampered };
}

function restored(cell) {
  const c = structuredClone(cell);
  if (c.cell_type === "code") Object.assign(c, { outputs: [], execution_count: null });
  return c;
}

function stripNbgrader(cell) {
  const c = structuredClone(cell);
  delete c.metadata.nbgrader;
  return c;
}

/** What a failed check said: its "✘ …" verdict, else the error's last line. */
export function reasonOf(cell) {
  const out = (cell.outputs ?? []).map((o) => (o.output_type === "error" ? `${o.ename}: ${o.evalue}` : o.output_type === "stream" && o.name === "stderr" ? (Array.isArray(o.text) ? o.text.join("") : o.text) : "")).join("\n");
  const clean = out.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
  const verdict = /✘[^\n\]]*/.exec(clean);
  if (verdict) return verdict[0].trim();
  const lines = clean.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("at ") && l !== "^");
  const named = lines.find((l) => /^[A-Za-z]*Error\b|^\d+:\d+ - /.test(l));
  return (named ?? lines.at(-1) ?? "the cell failed without a message").slice(0, 300);
}

/** How a cell is named in a reason: its grade_id, else its position counted from 1. */
const cellName = (nb, index) => nb.cells[index]?.metadata?.nbgrader?.grade_id ?? `cell ${index + 1}`;

/** One row per check cell from how the executed notebook ran. */
export function score(source, executed, result, tampered) {
  const rows = [];
  const cellIndex = new Map(executed.cells.map((c, i) => [c.metadata?.nbgrader?.grade_id, i]));
  for (const check of checkCells(source)) {
    const id = check.metadata.nbgrader.grade_id;
    const max = Number(check.metadata.nbgrader.points);
    const index = cellIndex.get(id);
    const ran = result.cells[index] ?? { status: "not run" };
    let row;
    if (ran.status === "ok") row = { status: "ok", points: max, reason: "" };
    else if (ran.status === "error") {
      // A check that cannot even find the answer usually means the answer cell failed: say why.
      let answer = index - 1;
      while (answer >= 0 && !isSolution(executed.cells[answer])) answer--;
      const failedAnswer = answer >= 0 && result.cells[answer]?.status === "error" ? `; the answer cell ${cellName(executed, answer)} failed: ${reasonOf(executed.cells[answer])}` : "";
      const own = reasonOf(executed.cells[index]);
      row = { status: "failed", points: 0, reason: failedAnswer ? `${own.replace(/\.$/, "")}${failedAnswer}` : own };
    } else if (ran.status === "timeout" || ran.status === "crashed") row = { status: ran.status, points: 0, reason: ran.reason };
    else if (result.stopped) {
      const at = result.stopped.index === undefined ? "" : ` in ${cellName(executed, result.stopped.index)}`;
      row = { status: result.stopped.status, points: 0, reason: `not run: ${result.stopped.reason}${at}` };
    } else row = { status: "crashed", points: 0, reason: "the check cell did not run" };
    if (tampered.includes(id)) row = { ...row, status: "tampered", reason: `this check cell was edited or deleted in the submission; graded with the original: ${row.status}${row.reason ? `: ${row.reason}` : ""}` };
    rows.push({ grade_id: id, points: row.points, max_points: max, status: row.status, reason: row.reason });
  }
  return rows;
}

/** Rows for a submission that cannot run at all. */
const unrunnable = (source, status, reason) => checkCells(source).map((c) => ({ grade_id: c.metadata.nbgrader.grade_id, points: 0, max_points: Number(c.metadata.nbgrader.points), status, reason }));

/** Reads a submission file: the notebook, or why it cannot be graded. */
export function readSubmission(path) {
  if (!existsSync(path)) return { status: "missing", reason: "no such notebook was handed in" };
  const bytes = readFileSync(path);
  if (bytes.toString("utf8").trim() === "") return { status: "invalid", reason: "the file is empty" };
  let nb;
  try {
    nb = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    return { status: "invalid", reason: `not a notebook: the file is not valid JSON (${e.message.slice(0, 120)})` };
  }
  if (!nb || typeof nb !== "object" || !Array.isArray(nb.cells) || nb.nbformat !== 4 || nb.cells.some((c) => !c || typeof c !== "object" || typeof c.cell_type !== "string")) {
    return { status: "invalid", reason: "not a notebook: expected nbformat 4 JSON with a list of cells" };
  }
  return { notebook: nb };
}

// CSV for spreadsheets: quoted when needed, and a leading = + - @ made inert, so a student
// folder named "=HYPERLINK(…)" stays text in the lecturer's spreadsheet.
const csvField = (v) => {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
const csv = (header, rows) => `${[header, ...rows].map((r) => r.map(csvField).join(",")).join("\n")}\n`;

function runExecutor(python, args, deadlineMs) {
  return new Promise((done) => {
    const child = spawn(python, [join(HERE, "execute.py"), ...args], { cwd: ROOT, env: jupyterEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, deadlineMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, log });
    });
  });
}

/** Grades one (student, notebook): the rows, written with the feedback page and a result record. */
async function gradeOne(job, ctx) {
  const { student, name } = job;
  const source = ctx.sources.get(name);
  const submitted = readSubmission(join(ctx.submissionsDir, student, name));
  const work = join(ctx.outDir, ".work", student, name.replace(/\.ipynb$/, ""));
  let rows;
  let executed = null;
  const notes = [];
  if (submitted.notebook === undefined) {
    rows = unrunnable(source, submitted.status, submitted.reason);
    notes.push(submitted.reason);
  } else {
    const { notebook, tampered } = prepare(source, submitted.notebook);
    if (tampered.length) notes.push(`edited or deleted locked cells, restored from the source: ${tampered.join(", ")}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    // The notebook's own folder as in the source (data files), beside the notebook to run.
    for (const f of readdirSync(ctx.sourceDir)) if (!f.endsWith(".ipynb") && !IGNORED(f)) cpSync(join(ctx.sourceDir, f), join(work, f), { recursive: true });
    const input = join(work, name);
    const output = join(work, `executed-${name}`);
    const resultPath = join(work, "result.json");
    writeFileSync(input, notebookText(notebook));
    const { code, log } = await runExecutor(ctx.python, [input, output, resultPath, String(ctx.cellTimeout), String(ctx.notebookTimeout), String(ctx.memoryMb)], (ctx.notebookTimeout + 90) * 1000);
    if (existsSync(resultPath) && existsSync(output)) {
      executed = JSON.parse(readFileSync(output, "utf8"));
      rows = score(source, executed, JSON.parse(readFileSync(resultPath, "utf8")), tampered);
    } else {
      rows = unrunnable(source, "crashed", `the grader could not run this notebook (exit ${code}): ${log.trim().split("\n").at(-1) ?? ""}`);
    }
  }
  const page = feedbackPage({ student, notebook: name, rows, executed, notes });
  const feedback = join(ctx.outDir, "feedback", student, name.replace(/\.ipynb$/, ".html"));
  mkdirSync(dirname(feedback), { recursive: true });
  writeFileSync(feedback, page);
  const record = join(ctx.outDir, ".results", student, `${name}.json`);
  mkdirSync(dirname(record), { recursive: true });
  writeFileSync(record, JSON.stringify({ inputs: job.inputs, rows }));
  return rows;
}

/** The digest of what a grade depends on: the submission, the source folder and the limits. */
function inputsOf(ctx, student, name) {
  const h = createHash("sha256");
  const path = join(ctx.submissionsDir, student, name);
  h.update(existsSync(path) ? readFileSync(path) : "missing");
  h.update(ctx.sourceTexts.get(name));
  h.update(JSON.stringify([ctx.cellTimeout, ctx.notebookTimeout, ctx.memoryMb]));
  return h.digest("hex");
}

const minutes = (s) => (s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

/** Grades the whole batch; returns the rows of grades.csv. */
export async function gradeAll(opts, { log = (m) => console.log(`[seqlab] ${m}`), prepareKernel = () => {} } = {}) {
  const sources = readSources(opts.sourceDir);
  const names = [...sources.keys()];
  const students = readSubmissions(opts.submissionsDir, names);
  const outside = (a, b) => relative(resolve(b), resolve(a)).startsWith("..");
  if (!outside(opts.outDir, opts.submissionsDir) || !outside(opts.outDir, opts.sourceDir)) throw new Error(`OUT_DIR (${opts.outDir}) must be outside SOURCE_DIR and SUBMISSIONS_DIR`);
  prepareKernel();
  const python = findPython();
  if (!python) throw new Error("grading needs Jupyter's nbclient in Debian's Python: run `npm start` or `npm test` once (they install it)");
  mkdirSync(opts.outDir, { recursive: true });
  // Notebooks import "seqlab" by name; a work folder outside the project finds it through this link.
  const link = join(opts.outDir, ".work", "node_modules");
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(join(ROOT, "node_modules"), link, "dir");
  // Each source serialised once, not once per student.
  const sourceTexts = new Map([...sources].map(([name, nb]) => [name, notebookText(nb)]));
  const ctx = { ...opts, sources, sourceTexts, python };

  const jobs = students.flatMap((student) => names.map((name) => ({ student, name, inputs: inputsOf(ctx, student, name) })));
  const results = new Map();
  const todo = [];
  for (const job of jobs) {
    const record = join(opts.outDir, ".results", job.student, `${job.name}.json`);
    const previous = !opts.force && existsSync(record) ? JSON.parse(readFileSync(record, "utf8")) : null;
    if (previous && previous.inputs === job.inputs) results.set(job, previous.rows);
    else todo.push(job);
  }
  if (results.size) log(`${results.size} of ${jobs.length} already graded with the same inputs (--force grades them again)`);
  const started = Date.now();
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const job = todo[next++];
      const rows = await gradeOne(job, ctx);
      results.set(job, rows);
      done++;
      const points = rows.reduce((s, r) => s + r.points, 0);
      const max = rows.reduce((s, r) => s + r.max_points, 0);
      const statuses = [...new Set(rows.map((r) => r.status))].join("/");
      const left = ((Date.now() - started) / 1000 / done) * (todo.length - done) / Math.min(opts.jobs, Math.max(1, todo.length - done));
      log(`graded ${done} of ${todo.length}: ${job.student}/${job.name} ${points}/${max} (${statuses})${done < todo.length ? `, about ${minutes(left)} left` : ""}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.jobs, todo.length) }, worker));

  const gradeRows = [];
  const totals = new Map(students.map((s) => [s, [0, 0]]));
  for (const job of jobs) {
    for (const r of results.get(job)) {
      gradeRows.push([job.student, job.name, r.grade_id, r.points, r.max_points, r.status]);
      const t = totals.get(job.student);
      t[0] += r.points;
      t[1] += r.max_points;
    }
  }
  writeFileSync(join(opts.outDir, "grades.csv"), csv(["student", "notebook", "grade_id", "points", "max_points", "status"], gradeRows));
  writeFileSync(join(opts.outDir, "summary.csv"), csv(["student", "points", "max_points"], [...totals].map(([s, [p, m]]) => [s, p, m])));
  log(`wrote ${join(opts.outDir, "grades.csv")}, summary.csv and feedback/ for ${students.length} students × ${names.length} notebooks in ${minutes((Date.now() - started) / 1000)}`);
  return gradeRows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`[seqlab] grade: ${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  try {
    // The set-up (idempotent) only once the inputs are known to be gradable.
    await gradeAll(opts, { prepareKernel: () => setup() });
  } catch (e) {
    console.error(`[seqlab] grade: ${e.message}`);
    process.exit(1);
  }
}
