// Each gate kernel is declared once (src/kernels/gates.ts); its AssemblyScript signature must
// take the same arguments in the same order, as the WebAssembly call passes them by position.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { GATE_KERNELS, MAX_GATE_ARGS, rowStrides, type GateName } from "../../src/kernels/gates.js";

const ASSEMBLY = join(import.meta.dirname, "..", "..", "src", "kernels", "wasm", "assembly");

/** Parameter names of every exported AssemblyScript function. */
function signatures(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of readdirSync(ASSEMBLY)) {
    const text = readFileSync(join(ASSEMBLY, file), "utf8");
    for (const m of text.matchAll(/export function (\w+)\(([^)]*)\)/g)) {
      out.set(m[1]!, m[2]!.split(",").map((p) => p.trim()).filter(Boolean).map((p) => p.split(":")[0]!.trim()));
    }
  }
  return out;
}

it("every gate kernel's declaration matches its AssemblyScript signature, and flags are i32", () => {
  const sigs = signatures();
  for (const name of Object.keys(GATE_KERNELS) as GateName[]) {
    const args = Object.keys(GATE_KERNELS[name]);
    expect(sigs.get(name), name).toEqual(["B", "H", ...args]);
    expect(args.length, name).toBeLessThanOrEqual(MAX_GATE_ARGS);
    expect(rowStrides(name).length).toBe(args.length);
  }
});
