// The feedback page of one graded notebook: every cell with its outputs and each check's result.
// Everything a student wrote or printed is escaped text; pictures appear only as data: images
// (an SVG inside <img> runs no script); a Content-Security-Policy refuses scripts and every
// fetch, so even a mistake here could not run a student's code in the lecturer's browser.
import { sourceOf } from "./nbgrader.mjs";

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const text = (t) => (Array.isArray(t) ? t.join("") : (t ?? ""));
const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

function renderOutput(o) {
  if (o.output_type === "stream") return `<pre class="${o.name === "stderr" ? "stderr" : "stdout"}">${escapeHtml(text(o.text).replace(ANSI, ""))}</pre>`;
  if (o.output_type === "error") {
    return `<pre class="stderr">${escapeHtml([`${o.ename}: ${o.evalue}`, ...(o.traceback ?? [])].join("\n").replace(ANSI, ""))}</pre>`;
  }
  const data = o.data ?? {};
  const parts = [];
  const png = text(data["image/png"]);
  if (png && BASE64.test(png)) parts.push(`<img alt="plot" src="data:image/png;base64,${png.replace(/\s/g, "")}">`);
  else if (data["image/svg+xml"]) parts.push(`<img alt="plot" src="data:image/svg+xml;base64,${Buffer.from(text(data["image/svg+xml"]), "utf8").toString("base64")}">`);
  if (data["text/plain"] !== undefined) parts.push(`<pre class="stdout">${escapeHtml(text(data["text/plain"]).replace(ANSI, ""))}</pre>`);
  else if (data["text/html"] !== undefined) parts.push(`<pre class="stdout">${escapeHtml(text(data["text/html"]))}</pre>`);
  return parts.join("\n");
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.5rem;margin:.25rem 0;border-radius:4px}
pre.source{background:#eef2f7} pre.stderr{background:#fdecea} .cell{margin:1rem 0}
.result{font-weight:600;padding:.25rem .5rem;border-radius:4px;display:inline-block}
.ok{background:#e3f5e1} .bad{background:#fdecea} table{border-collapse:collapse} td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}
img{max-width:100%}`;

/**
 * The page for `student`'s `notebook`: a table of the checks, then the executed cells.
 * `rows` are the notebook's grade rows; `executed` the executed notebook (null when the
 * submission could not be run: missing, empty or invalid).
 */
export function feedbackPage({ student, notebook, rows, executed, notes = [] }) {
  const points = rows.reduce((s, r) => s + r.points, 0);
  const max = rows.reduce((s, r) => s + r.max_points, 0);
  const byCell = new Map(rows.map((r) => [r.grade_id, r]));
  const table = rows.map((r) => `<tr><td>${escapeHtml(r.grade_id)}</td><td>${r.points} / ${r.max_points}</td><td>${escapeHtml(r.status)}</td><td>${escapeHtml(r.reason ?? "")}</td></tr>`).join("\n");
  const cells = (executed?.cells ?? []).map((cell) => {
    const id = cell.metadata?.nbgrader?.grade_id;
    const row = id === undefined ? undefined : byCell.get(id);
    const badge = row ? `<div class="result ${row.points === row.max_points && row.max_points > 0 ? "ok" : "bad"}">${escapeHtml(`${row.grade_id}: ${row.points} / ${row.max_points} (${row.status})${row.reason ? ` — ${row.reason}` : ""}`)}</div>` : "";
    const outputs = (cell.outputs ?? []).map(renderOutput).join("\n");
    return `<div class="cell"><pre class="source">${escapeHtml(sourceOf(cell))}</pre>\n${outputs}\n${badge}</div>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(`${student}: ${notebook}`)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(notebook)}</h1>
<p>Student: <b>${escapeHtml(student)}</b> · ${points} / ${max} points</p>
${notes.map((n) => `<p class="result bad">${escapeHtml(n)}</p>`).join("\n")}
<table><tr><th>check</th><th>points</th><th>status</th><th>why</th></tr>
${table}
</table>
${cells}
</body></html>
`;
}
