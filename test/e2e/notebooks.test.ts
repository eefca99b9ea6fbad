/**
 * Every notebook in notebooks/ runs top to bottom through the real tslab kernel, executed by
 * Jupyter's nbclient. Any cell error fails; each notebook's key outputs are checked.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MIME_TYPE, parsePlot } from "../../src/plot/schema.js";
import { REPO, executeNotebook, joinText, type Notebook, type Output } from "./jupyter.js";

const NOTEBOOK_DIR = join(REPO, "notebooks");
const notebooks = readdirSync(NOTEBOOK_DIR).filter((f) => f.endsWith(".ipynb")).sort();

const outputsOf = (nb: Notebook): Output[] => nb.cells.flatMap((c) => c.outputs ?? []);
const textOf = (nb: Notebook): string =>
  outputsOf(nb)
    .map((o) => (o.output_type === "stream" ? joinText(o.text) : joinText(o.data?.["text/plain"] as string | string[] | undefined)))
    .join("\n");

/** What each notebook must show, beyond running without error. */
const expectations: Record<string, (nb: Notebook) => void> = {
  "05-lstm.ipynb": (nb) => {
    const text = textOf(nb);
    expect(text).toMatch(/output: \(1, 3, 4\)/);
    expect(text).toMatch(/h_n: +\(1, 1, 4\)/);
    expect(text).toMatch(/c_n: +\(1, 1, 4\)/);
    expect(text).toMatch(/weight_ih_l0 +\(16, 2\)/);
    // The parity cell prints the largest difference from PyTorch for each tensor.
    const diffs = [...text.matchAll(/max \|seqlab − PyTorch\| = (\S+)/g)].map((m) => Number(m[1]));
    expect(diffs).toHaveLength(3);
    for (const d of diffs) expect(d).toBeLessThan(1e-9);
    // The gate plot: a valid seqlab payload with the six LSTM panels, plus a text fallback.
    const plots = outputsOf(nb).filter((o) => o.data?.[MIME_TYPE] !== undefined);
    expect(plots).toHaveLength(1);
    const parsed = parsePlot(plots[0]!.data![MIME_TYPE]);
    expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    if (parsed.ok && parsed.value.kind === "gates") {
      expect(parsed.value.entries[0]!.panels.map((p) => p.key)).toEqual(["i", "f", "g", "o", "c", "h"]);
      expect(parsed.value.tokens).toHaveLength(3);
    }
    expect(joinText(plots[0]!.data!["text/plain"] as string)).toMatch(/LSTM/);
  },
};

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
