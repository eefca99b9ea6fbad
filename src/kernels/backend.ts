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
import { GATE_KERNELS, MAX_GATE_ARGS, type ArgStride, type GateKernel, type GateName, type Rows } from "./gates.js";
import { takeFloat32 } from "./recycle.js";
import { arenaFloats, loadWasm, wasmFailure, wasmRuntime, type WasmRuntime } from "./wasm.js";

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
 * Gate kernel `name`: runs the WebAssembly kernel when the backend is active, H is a multiple
 * of 4 (the kernels take four units at a time) and the step's buffers are views of WebAssembly
 * memory (the driver allocates them all from one workspace, so the first row argument tells
 * where all live); otherwise `reference`, the TypeScript loop.
 */
export function gateKernel<N extends GateName>(name: N, reference: GateKernel<N>): GateKernel<N> {
  const decl = GATE_KERNELS[name] as Record<string, ArgStride>;
  const names = Object.keys(decl);
  const first = names.find((a) => decl[a] !== 0 && decl[a] !== "flag")!;
  const addresses = new Array<number>(MAX_GATE_ARGS).fill(0);
  return (B, H, args) => {
    const named = args as unknown as Record<string, Rows | TypedData | null | boolean>;
    const data = (named[first] as Rows)[0];
    const rt = H % 4 === 0 && data instanceof Float32Array ? activeWasm() : null;
    if (!rt || !rt.holds(data)) {
      reference(B, H, args);
      return;
    }
    for (let q = 0; q < names.length; q++) {
      const v = named[names[q]!]!;
      addresses[q] = typeof v === "boolean" ? (v ? 1 : 0) : v === null || ArrayBuffer.isView(v) ? rt.addr(v) : rt.addr(v[0], v[1]);
    }
    rt.rows(name, B, H, addresses);
  };
}

/** How a declared buffer starts: zero-filled, overwritten whole by its first user, or as a copy of existing values. */
type Start = "zeros" | "written" | TypedData;

/**
 * One buffer of a time loop's workspace, declared (with `zeros`, `written`, `copyOf`) before any
 * is allocated: `withWorkspace` sizes the workspace from the declarations, then allocates them.
 */
export class BufferDecl {
  constructor(readonly n: number, readonly start: Start) {}
}

/** Room in a workspace that is no buffer: what its matrix products copy outside operands into (see `stagedFloats`). */
export class RoomDecl {
  readonly kind = "room";
  constructor(readonly n: number) {}
}

/** n values, zero-filled. */
export const zeros = (n: number): BufferDecl => new BufferDecl(n, "zeros");
/** n values that their first user overwrites entirely before reading (not zeroed in WebAssembly memory). */
export const written = (n: number): BufferDecl => new BufferDecl(n, "written");
/** A copy of `src` in WebAssembly memory (`src` itself on the TypeScript path). */
export const copyOf = (src: TypedData): BufferDecl => new BufferDecl(src.length, src);
/** Room for n values of staging (counted in the workspace's size; not handed out). */
export const room = (n: number): RoomDecl => new RoomDecl(n);

/** A declaration: named buffers (or null: none), room, and any other values, passed through as they are. */
export type Declaration = Readonly<Record<string, unknown>>;

/** What a declaration becomes inside the workspace: every buffer an array, room left out. */
export type Allocated<D> = {
  readonly [K in keyof D as D[K] extends RoomDecl ? never : K]: D[K] extends BufferDecl ? TypedData
    : D[K] extends BufferDecl | null ? TypedData | null : D[K];
};

/** Values of WebAssembly memory (alignment included) and of plain arrays that declarations take. */
function declaredFloats(decls: readonly Declaration[]): { arena: number; plain: number } {
  const arena: number[] = [];
  let plain = 0;
  for (const d of decls) {
    for (const v of Object.values(d)) {
      if (v instanceof RoomDecl) arena.push(v.n);
      if (!(v instanceof BufferDecl)) continue;
      arena.push(v.n);
      if (!ArrayBuffer.isView(v.start)) plain += v.n;
    }
  }
  return { arena: arenaFloats(arena), plain };
}

function allocateAll(decls: readonly Declaration[], take: (d: BufferDecl) => TypedData): Record<string, unknown>[] {
  return decls.map((d) => {
    const out: Record<string, unknown> = {};
    for (const key in d) {
      const v = d[key];
      if (v instanceof RoomDecl) continue;
      out[key] = v instanceof BufferDecl ? take(v) : v;
    }
    return out;
  });
}

/** What a time loop may do with its workspace besides reading and writing its buffers. */
export interface Workspace {
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

/** Times a workspace's declarations were short, so that a product fell back to TypeScript (a bug; the tests fail on it). */
let shortfalls = 0;

/** How many workspaces so far found their declared room too small (see `withWorkspace`). */
export function workspaceShortfalls(): number {
  return shortfalls;
}

/**
 * Runs `fn` on the buffers `decls` declare, allocated for it: in WebAssembly memory when that
 * backend runs this dtype and the loop is large enough to pay for the copies, else in one plain
 * array cut into pieces. The declarations are the only account of what the loop allocates, so
 * the space reserved is exact; a product inside that still finds no room is counted in
 * `workspaceShortfalls`.
 */
export function withWorkspace<const D extends readonly Declaration[], R>(
  dtype: DType, decls: D, fn: (ws: Workspace, ...buffers: { [I in keyof D]: Allocated<D[I]> }) => R,
): R {
  type Buffers = { [I in keyof D]: Allocated<D[I]> };
  const floats = declaredFloats(decls);
  const small = sizeThresholds() && floats.arena < WORKSPACE_MIN_FLOATS;
  const rt = dtype === "float32" && !small ? activeWasm() : null;
  if (!rt) {
    // One array for the whole loop, handed out in pieces: allocating a typed array costs far
    // more than its size suggests (its buffer lives outside the JavaScript heap), and a
    // teaching-sized step asks for dozens (measured: 18 % of such a training step). The
    // pieces are never handed out twice, so a kept one stays valid as long as it is used.
    const block = allocate(dtype, floats.plain);
    let used = 0;
    const buffers = allocateAll(decls, (d) => {
      if (ArrayBuffer.isView(d.start)) return d.start;
      used += d.n;
      return block.subarray(used - d.n, used);
    });
    return fn({ keep: (x) => x }, ...(buffers as unknown as Buffers));
  }
  return rt.scope(floats.arena, () => {
    const before = rt.fallbacks;
    const buffers = allocateAll(decls, (d) => (ArrayBuffer.isView(d.start) ? rt.copyIn(d.start, 0, d.n) : rt.alloc(d.n, d.start === "zeros")));
    try {
      return fn({ keep: (x) => (rt.holds(x) ? copyOut(x as Float32Array) : x) }, ...(buffers as unknown as Buffers));
    } finally {
      if (rt.fallbacks !== before) shortfalls++;
    }
  }, true);
}
