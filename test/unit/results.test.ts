/**
 * showResults: the table a student reads (text/html, text/plain) and the same values as JSON
 * under a MIME type no front end renders, sent through the kernel's display writer; every bad
 * input refused with a message naming the row and the value.
 */
import { afterEach, describe, expect, it } from "vitest";
import { showResults, RESULTS_MIME_TYPE, type ResultsTable } from "../../src/index.js";
import { resultsBundle } from "../../src/plot/results.js";

const HOST_WRITER = Symbol.for("seqlab.writeDisplayData");
const host = globalThis as { [HOST_WRITER]?: unknown };
afterEach(() => void delete host[HOST_WRITER]);

const table: ResultsTable = {
  caption: "Accuracy on 1024 fresh sequences <not seen in training>",
  columns: ["model", "parameters", "accuracy"],
  rows: [
    { label: "feedforward", values: { ff_params: 116, ff_accuracy: 0.2539 } },
    { label: "RNN & friends", values: { rnn_params: 404, rnn_accuracy: 1 } },
  ],
};

describe("the bundle", () => {
  it("carries every value by name, exactly, as JSON", () => {
    const bundle = resultsBundle(table);
    expect(bundle[RESULTS_MIME_TYPE]).toEqual({ version: 1, values: { ff_params: 116, ff_accuracy: 0.2539, rnn_params: 404, rnn_accuracy: 1 } });
    expect(Object.keys(bundle).sort()).toEqual([RESULTS_MIME_TYPE, "text/html", "text/plain"].sort());
  });

  it("shows a table with the caption, headers, labels and values, every string escaped", () => {
    const html = String(resultsBundle(table)["text/html"]);
    expect(html).toBe(
      '<div class="seqlab-results"><p>Accuracy on 1024 fresh sequences &lt;not seen in training&gt;</p><table>' +
      "<thead><tr><th>model</th><th>parameters</th><th>accuracy</th></tr></thead>" +
      "<tbody><tr><th>feedforward</th><td>116</td><td>0.254</td></tr><tr><th>RNN &amp; friends</th><td>404</td><td>1</td></tr></tbody></table></div>",
    );
  });

  it("has a text view aligned in columns", () => {
    expect(resultsBundle(table)["text/plain"]).toBe([
      "Accuracy on 1024 fresh sequences <not seen in training>",
      "model          parameters  accuracy",
      "feedforward           116     0.254",
      "RNN & friends         404         1",
    ].join("\n"));
  });

  it("without columns: one value per row, no header, strings as they are", () => {
    const bundle = resultsBundle({ rows: [{ label: "dot product of the two windows", values: { dot: 0 } }, { label: "failure", values: { why: "NaN at step 2" } }] });
    expect(bundle["text/plain"]).toBe("dot product of the two windows              0\nfailure                         NaN at step 2");
    expect(bundle["text/html"]).not.toMatch(/<thead>/);
    expect(bundle[RESULTS_MIME_TYPE]).toEqual({ version: 1, values: { dot: 0, why: "NaN at step 2" } });
  });

  it("small and large numbers in seqlab's short form, whole numbers exactly", () => {
    const values = { a: 1.234e-15, b: 123456789, c: 0.5, d: -3.14159 };
    const text = String(resultsBundle({ columns: ["", "a", "b", "c", "d"], rows: [{ label: "x", values }] })["text/plain"]);
    expect(text.split("\n")[1]!.split(/\s+/)).toEqual(["x", "1.2e-15", "123456789", "0.5", "-3.14"]);
  });
});

describe("showing it", () => {
  it("sends the bundle to the kernel's writer as one display", () => {
    const sent: unknown[] = [];
    host[HOST_WRITER] = (content: unknown, update: boolean) => sent.push({ content, update });
    expect(showResults(table)).toBeUndefined();
    expect(sent).toEqual([{ content: { data: resultsBundle(table), metadata: {}, transient: {} }, update: false }]);
  });

  it("outside a notebook shows nothing and does not fail", () => {
    expect(() => showResults(table)).not.toThrow();
  });
});

describe("bad input is refused, naming what is wrong", () => {
  const bad: [string, unknown, RegExp][] = [
    ["not an object", 42, /showResults: expected \{ caption\?, columns\?, rows/],
    ["no rows", { rows: [] }, /rows must be a non-empty list/],
    ["a caption that is not text", { caption: 3, rows: [{ label: "a", values: { a: 1 } }] }, /caption must be a string, got 3/],
    ["columns that are not text", { columns: ["a", 2], rows: [{ label: "a", values: { a: 1 } }] }, /columns must be a list of strings/],
    ["columns with no value column", { columns: ["what"], rows: [{ label: "a", values: { a: 1 } }] }, /at least one over the values/],
    ["a row without a label", { rows: [{ values: { a: 1 } }] }, /rows\[0\]\.label must be a string, got undefined/],
    ["values as a list", { rows: [{ label: "a", values: [1] }] }, /rows\[0\]\.values must be \{ name: value \}, got a list/],
    ["two values without columns", { rows: [{ label: "a", values: { a: 1, b: 2 } }] }, /rows\[0\] \("a"\) has 2 values for 1 column \(without columns, one value per row\)/],
    ["too few values for the columns", { columns: ["m", "x", "y"], rows: [{ label: "a", values: { a: 1 } }] }, /has 1 values for 2 columns/],
    ["a name with a space", { rows: [{ label: "a", values: { "final loss": 1 } }] }, /the name "final loss" must start with a letter/],
    ["a name used twice", { rows: [{ label: "a", values: { a: 1 } }, { label: "b", values: { a: 2 } }] }, /rows\[1\]: the name "a" is used twice/],
    ["NaN", { rows: [{ label: "loss", values: { loss: NaN } }] }, /rows\[0\]: "loss" must be a finite number or a string, got NaN/],
    ["Infinity", { rows: [{ label: "loss", values: { loss: Infinity } }] }, /got Infinity/],
    ["a boolean", { rows: [{ label: "ok", values: { ok: true } }] }, /"ok" must be a finite number or a string, got boolean/],
    ["null", { rows: [{ label: "x", values: { x: null } }] }, /got null/],
  ];
  it.each(bad)("%s", (_, input, message) => {
    const sent: unknown[] = [];
    host[HOST_WRITER] = (content: unknown) => sent.push(content);
    expect(() => showResults(input as ResultsTable)).toThrow(message);
    expect(sent).toEqual([]);
  });
});
