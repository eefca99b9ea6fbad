/** The last step every plot builder takes: validate its own payload, show the bundle, return the payload. */
import type { MimeBundle } from "./display.js";
import { fmt } from "./svg.js";
import { MIME_TYPE, validatePlot, type Plot } from "./schema.js";
import { show, withSummary, type ShowOptions } from "./show.js";

/**
 * A builder that produces an invalid payload is a bug in seqlab, so it throws here rather than
 * sending the extension something it would only show as an error box.
 */
export function emit<T extends Plot>(who: string, payload: T, views: { text: string; svg: string }, opts: ShowOptions, summary: string): T {
  const check = validatePlot(payload);
  if (!check.ok) throw new Error(`${who} built an invalid payload: ${check.errors.join("; ")}`);
  const bundle: MimeBundle = { [MIME_TYPE]: payload, "text/plain": views.text, "image/svg+xml": views.svg };
  show(bundle, opts);
  return withSummary(payload, summary);
}

/** A fixed-width text table: the text/plain view of most plots (an empty header: no header line). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], maxRows = 40): string {
  const shown = rows.length > maxRows ? [...rows.slice(0, maxRows - 1)] : [...rows];
  const columns = Math.max(header.length, ...shown.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max((header[c] ?? "").length, ...shown.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]): string => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join("  ").trimEnd();
  const out = [...(header.length ? [line(header)] : []), ...shown.map(line)];
  if (rows.length > maxRows) out.push(`… ${rows.length - shown.length} more rows in the interactive view`);
  return out.join("\n");
}

/** A number for a text view; "—" for a gap. */
export function fmtOrGap(v: number | null): string {
  return v === null ? "—" : fmt(v);
}
