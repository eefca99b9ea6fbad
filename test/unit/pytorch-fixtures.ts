/**
 * Reading PyTorch's reference values (../shared/fixtures/pytorch, see its README) and
 * comparing seqlab's numbers with them by the README's per-tensor normalised error.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { Tensor, tensor, type DType, type TypedData } from "../../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_DIR = resolve(here, "../../../shared/fixtures/pytorch");

export interface FixtureTensor {
  shape: number[];
  data: number[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture JSON has many kinds; each test narrows what it reads.
export type Fixture = Record<string, any>;

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(resolve(FIXTURE_DIR, name.endsWith(".json") ? name : `${name}.json`), "utf8")) as Fixture;
}

/** Every fixture file name (without .json) whose name matches `pattern`. */
export function fixtureNames(pattern: RegExp): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".json") && f !== "index.json")
    .map((f) => f.slice(0, -5))
    .filter((f) => pattern.test(f))
    .sort();
}

/** A fixture tensor as a seqlab tensor; float32 values are `Math.fround` of the float64 ones. */
export function fromFixture(t: FixtureTensor, dtype: DType = "float64", requiresGrad = false): Tensor {
  return tensor(Float64Array.from(t.data), { shape: t.shape, dtype, requiresGrad });
}

/** The README's tolerance: max|a−b| / max|b| ≤ 1e-9 (float64) or 1e-4 (float32). */
export function expectClose(actual: Tensor | TypedData | null | undefined, expected: FixtureTensor, dtype: DType, what = ""): void {
  expect(actual, `${what}: missing`).toBeTruthy();
  const a = actual instanceof Tensor ? actual : null;
  const data = a ? a.data : (actual as TypedData);
  if (a) expect([...a.shape], `${what}: shape`).toEqual(expected.shape);
  expect(data.length, `${what}: number of elements`).toBe(expected.data.length);
  let maxDiff = 0;
  let maxRef = 0;
  for (let k = 0; k < data.length; k++) {
    maxDiff = Math.max(maxDiff, Math.abs(data[k]! - expected.data[k]!));
    maxRef = Math.max(maxRef, Math.abs(expected.data[k]!));
  }
  const err = maxRef === 0 ? maxDiff : maxDiff / maxRef;
  expect(Number.isFinite(err), `${what}: non-finite values`).toBe(true);
  expect(err, `${what}: normalised error`).toBeLessThanOrEqual(dtype === "float64" ? 1e-9 : 1e-4);
}
