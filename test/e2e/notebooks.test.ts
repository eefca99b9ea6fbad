/**
 * Every notebook in notebooks/ runs top to bottom through the real tslab kernel, executed by
 * Jupyter's nbclient. Any cell error fails; each notebook's key outputs are checked (the table
 * in notebook-expectations.ts, which the JupyterLite site's run uses too).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, executeNotebook } from "./jupyter.js";
import { expectations, outputsOf } from "./notebook-expectations.js";

const NOTEBOOK_DIR = join(REPO, "notebooks");
const notebooks = readdirSync(NOTEBOOK_DIR).filter((f) => f.endsWith(".ipynb")).sort();

describe("notebooks run end to end through the tslab kernel", () => {
  it("there is at least one notebook, and every one has its checks", () => {
    expect(notebooks.length).toBeGreaterThan(0);
    for (const name of notebooks) expect(Object.keys(expectations), `checks for ${name}`).toContain(name);
  });

  it.each(notebooks)("%s is committed small (under 1 MB)", (name) => {
    expect(statSync(join(NOTEBOOK_DIR, name)).size).toBeLessThan(1_000_000);
  });

  it.each(notebooks)("%s runs top to bottom without error", async (name) => {
    const { notebook, seconds } = await executeNotebook(join(NOTEBOOK_DIR, name));
    const errors = outputsOf(notebook).filter((o) => o.output_type === "error");
    expect(errors.map((e) => `${e.ename ?? "error"}: ${e.evalue ?? ""}`)).toEqual([]);
    const code = notebook.cells.filter((c) => c.cell_type === "code");
    expect(code.every((c) => (c.metadata?.["execution"] !== undefined) || c.outputs !== undefined)).toBe(true);
    expectations[name]!(notebook);
    console.log(`[notebook] ${name}: ${seconds.toFixed(1)} s`);
  });
});
