// The committed WebAssembly kernels (a student's install has no compiler and uses them as they
// are) must be exactly what the AssemblyScript sources compile to.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { expect, it } from "vitest";
// @ts-expect-error -- plain JavaScript module of the set-up
import * as build from "../../src/kernels/wasm/build-wasm.mjs";

const { GENERATED, compileKernels, generatedDigest, sourcesDigest } = build as {
  GENERATED: string;
  compileKernels: () => { text: string };
  generatedDigest: () => string | null;
  sourcesDigest: () => string;
};

it("src/kernels/wasm/kernels.generated.ts is what the sources compile to, records their digest, and is committed so", () => {
  const onDisk = readFileSync(GENERATED, "utf8");
  expect(generatedDigest()).toBe(sourcesDigest());
  expect(compileKernels().text === onDisk, "the generated kernels differ from a fresh compile: run node src/kernels/wasm/build-wasm.mjs").toBe(true);
  const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
  const path = relative(root, GENERATED);
  const diff = spawnSync("git", ["diff", "--quiet", "HEAD", "--", path], { cwd: root });
  expect(diff.status, `${path} differs from the committed one: commit it (students' installs use the committed kernels)`).toBe(0);
}, 120_000);
