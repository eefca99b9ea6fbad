// nbgrader's notebook format, as nbgrader 0.9 defines it (nbgraderformat/v3.json and v3.py,
// utils.compute_checksum, preprocessors ClearSolutions, ClearHiddenTests, LockCells,
// ComputeChecksums), written again in JavaScript so that seqlab can release and grade without
// nbgrader, and a lecturer who has nbgrader can use the same notebooks with it.
import { createHash } from "node:crypto";

export const SCHEMA_VERSION = 3;
export const BEGIN_SOLUTION = "BEGIN SOLUTION";
export const END_SOLUTION = "END SOLUTION";
export const BEGIN_HIDDEN = "BEGIN HIDDEN TESTS";
export const END_HIDDEN = "END HIDDEN TESTS";
/** What replaces a solution region in a TypeScript cell (nbgrader has no default for TypeScript). */
export const CODE_STUB = "// YOUR CODE HERE";
export const TEXT_STUB = "YOUR ANSWER HERE";

const FIELDS = { schema_version: "integer", grade: "boolean", locked: "boolean", solution: "boolean", task: "boolean", grade_id: "string", points: "number", checksum: "string", cell_type: "string" };
const REQUIRED = ["schema_version", "grade", "locked", "solution"];
const GRADE_ID = /^[a-zA-Z0-9_-]*$/;

/** A cell's source as one string (nbformat allows a list of lines). */
export const sourceOf = (cell) => (Array.isArray(cell.source) ? cell.source.join("") : (cell.source ?? ""));

const meta = (cell) => cell.metadata?.nbgrader;
export const isGrade = (cell) => Boolean(meta(cell)?.grade);
export const isSolution = (cell) => Boolean(meta(cell)?.solution);
/** nbgrader's is_locked: solution cells never, grade cells always, others by their flag. */
export const isLocked = (cell) => (meta(cell) === undefined || isSolution(cell) ? false : isGrade(cell) ? true : Boolean(meta(cell).locked));
/** Cells nbgrader tracks by grade_id. */
export const isTracked = (cell) => meta(cell) !== undefined && (isGrade(cell) || isSolution(cell) || isLocked(cell));

/** Python's str(float(x)) for the points of a grade cell: 2 → "2.0", 1.5 → "1.5", 1e-05 → "1e-05". */
export function pythonFloat(x) {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  const s = String(x);
  // JavaScript writes 1e-7 and 1e+21 where Python writes 1e-07 and 1e+21; Python switches to
  // exponents below 1e-4 where JavaScript waits until 1e-7.
  if (Math.abs(x) < 1e-4 && !s.includes("e")) {
    const [mantissa, exponent] = x.toExponential().split("e");
    return `${mantissa}e-${exponent.slice(1).padStart(2, "0")}`;
  }
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

/** nbgrader's utils.compute_checksum: md5 of source, type, flags, grade_id and points. */
export function checksum(cell) {
  const m = createHash("md5");
  m.update(sourceOf(cell), "utf8");
  m.update(cell.cell_type, "utf8");
  const py = (b) => (b ? "True" : "False");
  m.update(py(isGrade(cell)));
  m.update(py(isSolution(cell)));
  m.update(py(isLocked(cell)));
  m.update(meta(cell).grade_id, "utf8");
  if (isGrade(cell)) m.update(pythonFloat(Number(meta(cell).points)));
  return m.digest("hex");
}

/**
 * Every way `nb` breaks nbgrader's v3 rules, as messages naming the cell (empty when valid).
 * With `{ source: true }` also what a source notebook needs: solution regions only in solution
 * cells, hidden tests only in grade cells, every region closed. `{ checksums: false }` skips the
 * checksums (a source edited since they were computed is still a valid source).
 */
export function validate(nb, { source = false, checksums = true } = {}) {
  const problems = [];
  if (!nb || typeof nb !== "object" || !Array.isArray(nb.cells)) return ["not a notebook: expected a JSON object with a list of cells"];
  const ids = new Map();
  nb.cells.forEach((cell, index) => {
    const m = meta(cell);
    const where = `cell ${index}${m && typeof m.grade_id === "string" ? ` (${m.grade_id})` : ""}`;
    const say = (msg) => problems.push(`${where}: ${msg}`);
    if (m === undefined) {
      if (source) {
        const text = sourceOf(cell);
        if (text.includes(BEGIN_SOLUTION)) say("has a solution region but is not a solution cell");
        if (text.includes(BEGIN_HIDDEN)) say("has hidden tests but is not a grade cell");
      }
      return;
    }
    if (typeof m !== "object" || m === null || Array.isArray(m)) return say("metadata.nbgrader must be an object");
    for (const key of Object.keys(m)) if (!(key in FIELDS)) say(`unknown nbgrader field "${key}" (schema 3 allows ${Object.keys(FIELDS).join(", ")})`);
    for (const key of REQUIRED) if (!(key in m)) say(`missing required field "${key}"`);
    for (const [key, type] of Object.entries(FIELDS)) {
      if (!(key in m)) continue;
      const v = m[key];
      const ok = type === "integer" ? Number.isInteger(v) : typeof v === type && (type !== "number" || Number.isFinite(v));
      if (!ok) say(`"${key}" must be a${type === "integer" ? "n" : ""} ${type}, got ${JSON.stringify(v)}`);
    }
    if ("schema_version" in m && m.schema_version !== SCHEMA_VERSION) say(`schema_version must be ${SCHEMA_VERSION}, got ${JSON.stringify(m.schema_version)}`);
    if (typeof m.grade_id === "string" && !GRADE_ID.test(m.grade_id)) say(`grade_id ${JSON.stringify(m.grade_id)} may hold only letters, digits, "_" and "-"`);
    if (typeof m.points === "number" && m.points < 0) say(`points must be ≥ 0, got ${m.points}`);
    if (typeof m.checksum === "string" && m.checksum.length !== 32) say(`checksum must be 32 hex digits, got ${m.checksum.length} characters`);
    if ("cell_type" in m && !["raw", "code", "markdown"].includes(m.cell_type)) say(`cell_type must be raw, code or markdown, got ${JSON.stringify(m.cell_type)}`);
    const tracked = m.grade || m.solution || m.locked;
    if (tracked) {
      if (typeof m.grade_id !== "string") say("has no grade_id");
      else if (m.grade_id === "") say("grade_id is empty");
      else if (ids.has(m.grade_id)) say(`duplicate grade_id (also cell ${ids.get(m.grade_id)})`);
      else ids.set(m.grade_id, index);
    }
    if (m.grade && !("points" in m)) say("is a grade cell without points");
    if (m.task) {
      if (cell.cell_type !== "markdown") say("task cells have to be markdown");
    } else if (cell.cell_type === "markdown" && m.grade && !m.solution) say("is a markdown grade cell that is not also a solution cell");
    else if (cell.cell_type === "markdown" && m.solution && !m.grade) say("is a markdown solution cell that is not also a grade cell");
    if (checksums && typeof m.checksum === "string" && tracked && typeof m.grade_id === "string" && m.checksum !== checksum(cell)) say("checksum does not match the cell (was it edited after the checksum was computed?)");
    if (source) {
      const text = sourceOf(cell);
      try {
        if (replaceRegions(text, BEGIN_SOLUTION, END_SOLUTION, () => []).replaced && !m.solution) say("has a solution region but is not a solution cell");
        if (replaceRegions(text, BEGIN_HIDDEN, END_HIDDEN, () => []).replaced && !m.grade) say("has hidden tests but is not a grade cell");
      } catch (e) {
        say(e.message);
      }
    }
  });
  return problems;
}

/**
 * Replaces each region between a line containing `begin` and one containing `end` (both lines
 * included) by `stub(indent)` lines, as nbgrader does: nested or unclosed regions are errors.
 */
export function replaceRegions(text, begin, end, stub) {
  const out = [];
  let inside = false;
  let replaced = false;
  for (const line of text.split("\n")) {
    if (line.includes(begin)) {
      if (inside) throw new Error(`nested "${begin}" regions`);
      inside = true;
      replaced = true;
      out.push(...stub(/^\s*/.exec(line)[0]));
    } else if (line.includes(end)) {
      if (!inside) throw new Error(`"${end}" without "${begin}"`);
      inside = false;
    } else if (!inside) out.push(line);
  }
  if (inside) throw new Error(`"${begin}" without "${end}"`);
  return { text: out.join("\n"), replaced };
}

/** The lines of every solution region and hidden test of a source cell (what must never be released). */
export function secretLines(cell) {
  const lines = [];
  for (const [begin, end] of [[BEGIN_SOLUTION, END_SOLUTION], [BEGIN_HIDDEN, END_HIDDEN]]) {
    let inside = false;
    for (const line of sourceOf(cell).split("\n")) {
      if (line.includes(begin)) inside = true;
      else if (line.includes(end)) inside = false;
      else if (inside) lines.push(line);
    }
  }
  return lines;
}

/** Sets nbgrader's checksum and cell_type on every tracked cell (ComputeChecksums). */
export function withChecksums(nb) {
  for (const cell of nb.cells) {
    if (!isTracked(cell)) continue;
    cell.metadata.nbgrader.checksum = checksum(cell);
    cell.metadata.nbgrader.cell_type = cell.cell_type;
  }
  return nb;
}

const toSource = (text) => text.split(/(?<=\n)/);

/**
 * The student version of a source notebook, as nbgrader's generate_assignment writes it:
 * solutions replaced by stubs, hidden tests removed, outputs cleared, locked cells made
 * read-only and undeletable, checksums of the released cells.
 */
export function release(source) {
  const nb = structuredClone(source);
  for (const cell of nb.cells) {
    const text = sourceOf(cell);
    let out = replaceRegions(text, BEGIN_SOLUTION, END_SOLUTION, (indent) => [`${indent}${cell.cell_type === "code" ? CODE_STUB : TEXT_STUB}`]);
    if (isSolution(cell) && !out.replaced) out = { text: cell.cell_type === "code" ? CODE_STUB : TEXT_STUB };
    out = replaceRegions(out.text, BEGIN_HIDDEN, END_HIDDEN, () => []);
    cell.source = toSource(out.text);
    if (cell.cell_type === "code") {
      cell.outputs = [];
      cell.execution_count = null;
    }
    if (isSolution(cell)) cell.metadata.deletable = false;
    else if (isGrade(cell) || isLocked(cell)) Object.assign(cell.metadata, { deletable: false, editable: false });
  }
  return withChecksums(nb);
}
