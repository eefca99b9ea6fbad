// Every test of the unit projects: a time loop whose declared workspace was too small, so that
// a product inside fell back to TypeScript, is a failure (the bench warns instead).
import { afterEach, beforeEach, expect } from "vitest";
import { workspaceShortfalls } from "../../src/kernels/backend.js";

let before = 0;
beforeEach(() => {
  before = workspaceShortfalls();
});
afterEach(() => {
  expect(workspaceShortfalls() - before, "a recurrent workspace declared too little room: a product fell back to TypeScript (see driver.ts)").toBe(0);
});
