/**
 * Which kernels run seqlab's float32 work: "wasm" (WebAssembly SIMD, the default wherever it
 * loads) or "js" (plain TypeScript: the reference, and the fallback). float64 always runs on
 * the TypeScript kernels. Both backends give the same results to float32 rounding.
 *
 * In Node, SEQLAB_BACKEND=js (or wasm) sets the starting choice; `setBackend` changes it.
 */
import { loadWasm, wasmFailure, wasmRuntime, type WasmRuntime } from "./wasm.js";

export type BackendName = "js" | "wasm";

let chosen: BackendName | null = null;

function initialChoice(): BackendName {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.["SEQLAB_BACKEND"];
  if (env === "js" || env === "wasm") return env;
  return "wasm";
}

/**
 * Chooses the backend. "wasm" throws where WebAssembly SIMD is unavailable (the error says
 * why); in a browser's main thread call `await ready()` first, which compiles the kernels.
 */
export function setBackend(name: BackendName): void {
  if (name !== "js" && name !== "wasm") throw new TypeError(`setBackend: expected "js" or "wasm", got ${JSON.stringify(name)}`);
  if (name === "wasm" && !wasmRuntime()) {
    throw new Error(`setBackend("wasm"): ${wasmFailure() ?? "the kernels are still compiling; await ready() first"}`);
  }
  chosen = name;
}

/** The backend in use: "wasm" when chosen (or by default) and loaded, else "js". */
export function getBackend(): BackendName {
  chosen ??= initialChoice();
  return chosen === "wasm" && wasmRuntime() ? "wasm" : "js";
}

/** Resolves once the WebAssembly kernels are compiled (or known to be unavailable); returns the backend in use. */
export async function ready(): Promise<BackendName> {
  await loadWasm();
  return getBackend();
}

/** The WebAssembly runtime when it is the backend in use, else null (kernels then take their JavaScript path). */
export function activeWasm(): WasmRuntime | null {
  return getBackend() === "wasm" ? wasmRuntime() : null;
}
