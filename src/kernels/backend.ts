/**
 * Which kernels run seqlab's float32 work:
 *   "auto" (the default): WebAssembly SIMD wherever it loads, except where copying a small
 *          problem into WebAssembly memory would cost more than it saves (teaching sizes);
 *   "wasm": WebAssembly for every float32 product and gate kernel it has (the tests use it so
 *          that the PyTorch fixtures, which are small, run through the WebAssembly kernels);
 *   "js":   plain TypeScript: the reference, and the fallback where WebAssembly SIMD is missing.
 * float64 always runs on the TypeScript kernels. Results agree to float32 rounding.
 *
 * In Node, SEQLAB_BACKEND=auto|wasm|js sets the starting choice; `setBackend` changes it.
 */
import { allocate, type DType, type TypedData } from "../tensor.js";
import { takeFloat32 } from "./recycle.js";
import { loadWasm, wasmFailure, wasmRuntime, type WasmRuntime } from "./wasm.js";

export type BackendName = "auto" | "wasm" | "js";

const NAMES: readonly BackendName[] = ["auto", "wasm", "js"];
let chosen: BackendName | null = null;

function initialChoice(): BackendName {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.["SEQLAB_BACKEND"];
  return NAMES.find((n) => n === env) ?? "auto";
}

/**
 * Chooses the backend. "wasm" throws where WebAssembly SIMD is unavailable (the error says
 * why); on a browser's main thread `await ready()` first, which compiles the kernels.
 */
export function setBackend(name: BackendName): void {
  if (!NAMES.includes(name)) throw new TypeError(`setBackend: expected "auto", "wasm" or "js", got ${JSON.stringify(name)}`);
  if (name === "wasm" && !wasmRuntime()) {
    throw new Error(`setBackend("wasm"): ${wasmFailure() ?? "the kernels are still compiling; await ready() first"}`);
  }
  chosen = name;
}

/** The choice in force ("auto" unless set). */
export function getBackend(): BackendName {
  chosen ??= initialChoice();
  return chosen;
}

/** Whether float32 work runs on WebAssembly kernels now: "wasm", or "auto" with the kernels loaded. */
export function usingWasm(): boolean {
  return getBackend() !== "js" && wasmRuntime() !== null;
}

/** Resolves once the WebAssembly kernels are compiled (or known to be unavailable); returns whether they are in use. */
export async function ready(): Promise<boolean> {
  await loadWasm();
  return usingWasm();
}

/**
 * Runs the WebAssembly kernels on `count` threads (worker threads in Node, Web Workers in a
 * cross-origin isolated page), the calling thread included; 1 goes back to one thread.
 * Resolves to the number in use, which is 1 where threads are not possible (no WebAssembly, or
 * a page without SharedArrayBuffer): never an error. Results do not depend on the count.
 */
export async function setThreads(count: number): Promise<number> {
  if (!Number.isFinite(count) || count < 1) throw new RangeError(`setThreads: expected a count ≥ 1, got ${count}`);
  const rt = await loadWasm();
  return rt ? rt.setThreads(count) : 1;
}

/** Threads the WebAssembly kernels run on (1 unless setThreads asked for more). */
export function getThreads(): number {
  return wasmRuntime()?.threads ?? 1;
}

/** The WebAssembly runtime when float32 work runs on it, else null (kernels take their TypeScript path). */
export function activeWasm(): WasmRuntime | null {
  return usingWasm() ? wasmRuntime() : null;
}

/** Whether "auto" size thresholds apply (not when "wasm" was chosen explicitly). */
export function sizeThresholds(): boolean {
  return getBackend() === "auto";
}

/**
 * The runtime, when the gate kernels can run in WebAssembly on a time loop's buffers: the
 * backend is active, `x` (any of the loop's buffers: the driver allocates them all from one
 * workspace, so one tells where all live) is a view of its memory, and H is a multiple of 4
 * (the kernels take four units at a time). Otherwise null: the TypeScript loop runs instead.
 */
export function wasmOn(H: number, x: TypedData): WasmRuntime | null {
  if (H % 4 !== 0 || !(x instanceof Float32Array)) return null;
  const rt = activeWasm();
  return rt && rt.holds(x) ? rt : null;
}

/**
 * Where a time loop's buffers live. With the JavaScript backend these are ordinary typed
 * arrays; with WebAssembly they are views of its memory, valid only inside `withWorkspace`.
 */
export interface Workspace {
  /** A zero-filled array of n values. */
  alloc(n: number): TypedData;
  /** An array of n values that the caller will overwrite entirely before reading (not zeroed in WebAssembly memory). */
  scratch(n: number): TypedData;
  /** `src` itself, or a copy of it in WebAssembly memory. */
  place(src: TypedData): TypedData;
  /**
   * `x` itself, or a copy of it outside WebAssembly memory, to keep after the workspace closes.
   * Either way the caller owns the result and may give it back with `recycle` when done.
   */
  keep(x: TypedData): TypedData;
}

/**
 * Below this many values a time loop stays in JavaScript arrays: for a teaching-sized layer,
 * copying into WebAssembly memory and back costs more than the kernels save.
 */
const WORKSPACE_MIN_FLOATS = 16384;

/**
 * A copy of a view of WebAssembly memory in an ordinary array, reused when a large one was
 * given back (see recycle.ts). Take-then-set: on a shared memory's views, `slice()` and
 * `new Float32Array(view)` take a slow element-by-element path (measured 3–6× slower for 16 MB).
 */
function copyOut(x: Float32Array): Float32Array {
  const out = takeFloat32(x.length);
  out.set(x);
  return out;
}

/**
 * Runs `fn` with a workspace. `floats` is how much WebAssembly memory `fn` will allocate at
 * most, including what its matrix products stage (ignored by the JavaScript backend).
 */
export function withWorkspace<R>(dtype: DType, floats: number, fn: (ws: Workspace) => R): R {
  const small = sizeThresholds() && floats < WORKSPACE_MIN_FLOATS;
  const rt = dtype === "float32" && !small ? activeWasm() : null;
  if (!rt) {
    // One array for the whole loop, handed out in pieces: allocating a typed array costs far
    // more than its size suggests (its buffer lives outside the JavaScript heap), and a
    // teaching-sized step asks for dozens (measured: 18 % of such a training step). The
    // pieces are never handed out twice, so a kept one stays valid as long as it is used.
    const block = allocate(dtype, floats);
    let used = 0;
    const piece = (n: number): TypedData => {
      if (used + n > block.length) return allocate(dtype, n);
      used += n;
      return block.subarray(used - n, used);
    };
    return fn({ alloc: piece, scratch: piece, place: (src) => src, keep: (x) => x });
  }
  return rt.scope(floats, () => fn({
    alloc: (n) => rt.alloc(n),
    scratch: (n) => rt.alloc(n, false),
    place: (src) => rt.copyIn(src, 0, src.length),
    keep: (x) => (rt.holds(x) ? copyOut(x as Float32Array) : x),
  }));
}
