/**
 * The expectations read a notebook's results from the machine-readable part of its
 * `showResults` outputs: a value must be there exactly once and be a number, or they fail.
 * (No kernel here: notebooks made from the very bundles showResults sends.)
 */
import { describe, expect, it } from "vitest";
import { resultsBundle } from "../../src/plot/results.js";
import type { Notebook } from "./jupyter.js";
import { resultOf } from "./notebook-expectations.js";

const shown = (values: Record<string, number | string>) => ({
  output_type: "display_data",
  data: resultsBundle({ columns: ["", ...Object.keys(values)], rows: [{ label: "row", values }] }),
});
const notebook = (...outputs: ReturnType<typeof shown>[]): Notebook => ({
  cells: [{ cell_type: "code", source: "", outputs }, { cell_type: "code", source: "", outputs: [{ output_type: "stream", text: "RESULT span=20\n" }] as never }],
  metadata: {},
});

describe("resultOf", () => {
  it("reads a value shown once, exactly, wherever it is in the notebook", () => {
    const nb = notebook(shown({ ff_accuracy: 0.2539 }), shown({ span: 20, rnn_accuracy: 1 }));
    expect(resultOf(nb, "ff_accuracy")).toBe(0.2539);
    expect(resultOf(nb, "span")).toBe(20);
  });

  it("also reads the JSON when a front end stored it as a string", () => {
    const out = shown({ span: 20 });
    const nb = notebook({ ...out, data: { ...out.data, "application/vnd.seqlab.results+json": JSON.stringify(out.data["application/vnd.seqlab.results+json"]) } });
    expect(resultOf(nb, "span")).toBe(20);
  });

  it("fails when the value is missing (printed text does not count)", () => {
    expect(() => resultOf(notebook(shown({ rnn_accuracy: 1 })), "span")).toThrow(/result span shown once/);
  });

  it("fails when the value is shown twice", () => {
    expect(() => resultOf(notebook(shown({ span: 20 }), shown({ span: 20 })), "span")).toThrow(/result span shown once/);
  });

  it("fails when the value is not a number", () => {
    expect(() => resultOf(notebook(shown({ span: "twenty" })), "span")).toThrow(/result span is a number/);
  });
});
