/**
 * Strict TypeScript holds everywhere: the library, the tests and the extension. (vitest only
 * strips types, so without this a type error in a test or the extension would go unnoticed.)
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../e2e/jupyter.js";

const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");

describe("strict type checks", () => {
  it.each(["test/tsconfig.json", "extension/tsconfig.json"])("tsc -p %s reports no errors", (project) => {
    const r = spawnSync(process.execPath, [tsc, "-p", project, "--noEmit"], { cwd: REPO, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
