/**
 * Named results: a small table the student reads (text/html, with text/plain for exports and
 * plain front ends) that carries the same values as JSON under a MIME type no front end renders,
 * so a test or a grader reads the numbers without parsing the sentences meant for people.
 * JupyterLab and nbconvert show the richest type they have a renderer for, which is the table.
 */
import { display, type MimeBundle } from "./display.js";
import { textTable } from "./emit.js";
import { escapeXml, fmt } from "./svg.js";

export const RESULTS_MIME_TYPE = "application/vnd.seqlab.results+json";

export type ResultValue = number | string;

export interface ResultsRow {
  /** What the row is about, in words (the first column). */
  label: string;
  /** Its values, by name, in the order of the columns. */
  values: Readonly<Record<string, ResultValue>>;
}

export interface ResultsTable {
  /** A sentence above the table saying what was measured. */
  caption?: string;
  /** Column headers, the one over the labels first; without them each row holds one value. */
  columns?: readonly string[];
  rows: readonly ResultsRow[];
}

/** What the machine-readable part holds: every value of the table by its name. */
export interface ResultsPayload {
  version: 1;
  values: Record<string, ResultValue>;
}

// Names are what tests and graders look values up by, so they stay identifier-like.
const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const WHO = "showResults";

const describe = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "number" ? String(v) : typeof v === "string" ? JSON.stringify(v) : typeof v;

function validate(table: unknown): asserts table is ResultsTable {
  if (typeof table !== "object" || table === null || Array.isArray(table)) {
    throw new TypeError(`${WHO}: expected { caption?, columns?, rows: [{ label, values: { name: value } }] }, got ${describe(table)}`);
  }
  const { caption, columns, rows } = table as Record<string, unknown>;
  if (caption !== undefined && typeof caption !== "string") throw new TypeError(`${WHO}: caption must be a string, got ${describe(caption)}`);
  if (columns !== undefined && !(Array.isArray(columns) && columns.every((c) => typeof c === "string"))) {
    throw new TypeError(`${WHO}: columns must be a list of strings (the header over the labels first), got ${describe(columns)}`);
  }
  if (!Array.isArray(rows) || rows.length === 0) throw new TypeError(`${WHO}: rows must be a non-empty list of { label, values }, got ${describe(rows)}`);
  const perRow = columns === undefined ? 1 : columns.length - 1;
  if (perRow < 1) throw new RangeError(`${WHO}: columns needs a header over the labels and at least one over the values, got ${columns!.length}`);
  const seen = new Set<string>();
  rows.forEach((row: unknown, r) => {
    const at = `${WHO}: rows[${r}]`;
    if (typeof row !== "object" || row === null) throw new TypeError(`${at} must be { label, values }, got ${describe(row)}`);
    const { label, values } = row as Record<string, unknown>;
    if (typeof label !== "string") throw new TypeError(`${at}.label must be a string, got ${describe(label)}`);
    if (typeof values !== "object" || values === null || Array.isArray(values)) throw new TypeError(`${at}.values must be { name: value }, got ${describe(values)}`);
    const entries = Object.entries(values);
    if (entries.length !== perRow) {
      throw new RangeError(`${at} ("${label}") has ${entries.length} values for ${perRow} column${perRow === 1 ? "" : "s"}${columns === undefined ? " (without columns, one value per row)" : ""}`);
    }
    for (const [name, v] of entries) {
      if (!NAME.test(name)) throw new RangeError(`${at}: the name ${JSON.stringify(name)} must start with a letter or _ and hold only letters, digits, _ and .`);
      if (seen.has(name)) throw new RangeError(`${at}: the name "${name}" is used twice in this table; each value needs its own name`);
      seen.add(name);
      if (typeof v === "number" ? !Number.isFinite(v) : typeof v !== "string") {
        throw new TypeError(`${at}: "${name}" must be a finite number or a string, got ${describe(v)}`);
      }
    }
  });
}

/** A value as the table shows it: whole numbers exactly, others as seqlab's plots print them. */
function shown(v: ResultValue): string {
  return typeof v === "string" ? v : Number.isSafeInteger(v) ? String(v) : fmt(v);
}

/** The display bundle of `table` (validated): HTML and text for people, JSON for programs. */
export function resultsBundle(table: ResultsTable): MimeBundle {
  validate(table);
  const header = table.columns ?? [];
  const cells = table.rows.map((row) => [row.label, ...Object.values(row.values).map(shown)]);
  const values: Record<string, ResultValue> = {};
  for (const row of table.rows) Object.assign(values, row.values);
  const payload: ResultsPayload = { version: 1, values };

  const esc = escapeXml;
  const head = header.length ? `<thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>` : "";
  const body = cells.map(([label, ...vs]) => `<tr><th>${esc(label!)}</th>${vs.map((v) => `<td>${esc(v)}</td>`).join("")}</tr>`).join("");
  const caption = table.caption === undefined ? "" : `<p>${esc(table.caption)}</p>`;
  const html = `<div class="seqlab-results">${caption}<table>${head}<tbody>${body}</tbody></table></div>`;
  const text = [...(table.caption === undefined ? [] : [table.caption]), textTable(header, cells, Infinity)].join("\n");
  return { [RESULTS_MIME_TYPE]: payload, "text/html": html, "text/plain": text };
}

/**
 * Shows named results in the notebook as a table with an optional caption, e.g.
 * `showResults({ caption: "Accuracy on fresh sequences", rows: [{ label: "RNN", values: { rnn_accuracy: 0.98 } }] })`.
 * Names must be identifier-like and unique within the table; values finite numbers or strings.
 */
export function showResults(table: ResultsTable): void {
  display(resultsBundle(table));
}
