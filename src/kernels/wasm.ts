/**
 * The WebAssembly SIMD backend's runtime: the compiled kernels (src/kernels/wasm/assembly/),
 * their memory, and a stack ("arena") in that memory where float32 data lives while a kernel
 * or a whole time loop runs on it.
 *
 * Why an arena: WebAssembly can only read its own memory, so operands must be there. A
 * recurrent layer's time loop calls a matrix product and a gate kernel at every step; the
 * driver opens a scope, puts that layer's weights and buffers in the arena once, runs every
 * step on them without a copy, and copies the results out when the loop ends. A lone product
 * (a Linear layer, `matmul`) copies its operands in and the result out: O(size) against O(size^1.5) work.
 *
 * The one rule that keeps this safe: growing a WebAssembly memory detaches every view of it,
 * so memory grows only when no scope is open (no view of the arena is alive). Inside a scope
 * space must have been reserved when it opened; a kernel that finds no room falls back to the
 * JavaScript kernels, never to a detached view.
 */
import type { GateName } from "./gates.js";
import { CHUNK_COUNTER, JOB_INDEX, ROW_STRIDES, SLOT, ThreadPool, gemmChunks } from "./threads.js";
import type { TypedData } from "../tensor.js";
import { kernelsSharedWasmBase64, kernelsWasmBase64, SHARED_MAX_PAGES } from "./wasm/kernels.generated.js";

/**
 * A gate kernel as compiled: (B, H, then its arguments in the order gates.ts declares them),
 * pointers as byte offsets into the module's memory, flags as 0 or 1.
 */
export type GateExport = (B: number, H: number, ...args: number[]) => void;

/** What the compiled module exports (pointers are byte offsets into its memory). */
export interface KernelExports extends Record<GateName, GateExport> {
  gemm(
    M: number, N: number, K: number,
    a: number, ai: number, ak: number,
    b: number, bk: number, bj: number,
    c: number, ldc: number, accumulate: number, work: number,
  ): void;
  gemmPacked(
    M: number, N: number, K: number,
    a: number, ai: number, ak: number,
    packed: number, Np: number, col0: number,
    c: number, ldc: number, accumulate: number, work: number,
  ): void;
  packRight(K: number, N: number, b: number, bk: number, bj: number, out: number): void;
  packedFloats(K: number, N: number): number;
  peakMulAdd(iters: number, m: number, d: number): number;
  /** dst = f(src), n values (a multiple of 4); f: 0 e^x, 1 σ, 2 tanh. */
  mapUnary(n: number, src: number, dst: number, f: number): void;
  readonly GEMM_WORK_FLOATS: WebAssembly.Global;
  addRowVector(rows: number, n: number, v: number, dst: number): void;
  rowMaxSumExp(N: number, C: number, x: number, rowMax: number, rowSum: number): void;
  scaledSoftmax(N: number, C: number, x: number, rowMax: number, logSum: number, g: number, out: number): void;
  addColumnSums(rows: number, n: number, src: number, dst: number): void;
  /** One Adam step on n float32 values (see assembly/adam.ts). */
  adamStep(n: number, p: number, g: number, m: number, v: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, stepSize: number, bc2Sqrt: number, eps: number, wd: number, shrink: number): void;
}

const PAGE = 65536;
/** Where the threads' control block lives: inside the first page, which the kernels never touch. */
const CONTROL_BYTE = 1024;
/** Most threads (the caller and its workers); each has its own gemm packing scratch. */
export const MAX_THREADS = 8;
/** Below this many multiply-adds a product is not worth splitting between threads. */
const SPLIT_MIN_WORK = 1 << 18;
/** Below this many gate values (B·H) a gate kernel is not worth splitting between threads. */
const ROWS_SPLIT_MIN = 2048;

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A mark on the arena stack: `release(mark)` frees everything allocated after it. */
export type ArenaMark = number;

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  /** The compiled kernels. */
  readonly exports: KernelExports;
  /** Byte offset of the gemm's packing scratch (thread t's is at gemmWork + t·gemmWorkBytes). */
  readonly gemmWork: number;
  private readonly gemmWorkBytes: number;
  private pool: ThreadPool | null = null;
  /** The calling thread's gemmChunks arguments, reused (no allocation per product). */
  private readonly ownJob = new Int32Array(13);
  /** memory.buffer, cached: the getter is a call into the engine, and a new object after each growth. */
  private buffer: ArrayBuffer;
  private readonly base: number;
  private top: number;
  private openScopes = 0;
  /** End (byte) of what an exact scope reserved: nothing above it may be used while it is open. */
  private limit = Infinity;
  /** Times a kernel fell back to JavaScript for lack of reserved arena space. */
  fallbacks = 0;
  /** The most arena bytes in use at once since the last `resetPeak()` (training memory, for the tests). */
  peakBytes = 0;

  /** `shared`: the module was built for a shared memory, which worker threads can use too. */
  constructor(private readonly module: WebAssembly.Module, readonly shared: boolean) {
    this.memory = new WebAssembly.Memory(shared ? { initial: 128, maximum: SHARED_MAX_PAGES, shared: true } : { initial: 64 });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    this.buffer = this.memory.buffer as ArrayBuffer;
    // The first page holds only the threads' control block (the kernels have no static data:
    // src/kernels/wasm/build-wasm.mjs refuses a build with any);
    // then every thread's gemm scratch; then the arena.
    this.gemmWork = PAGE;
    this.gemmWorkBytes = align((this.exports.GEMM_WORK_FLOATS.value as number) * 4);
    this.base = this.gemmWork + (shared ? MAX_THREADS : 1) * this.gemmWorkBytes;
    this.top = this.base;
    this.reserve(0);
  }

  /** Threads the kernels run on, the caller's included. */
  get threads(): number {
    return this.pool?.size ?? 1;
  }

  /**
   * Runs the kernels on `count` threads from now on (1: the caller only). Resolves to the
   * number in use: 1 on an ordinary memory (a browser page that is not cross-origin isolated).
   */
  async setThreads(count: number): Promise<number> {
    this.pool?.stop();
    this.pool = null;
    const n = Math.min(Math.max(1, Math.floor(count)), MAX_THREADS, SLOT);
    if (n > 1 && this.shared) this.pool = await ThreadPool.start(this.module, this.memory, CONTROL_BYTE, n);
    return this.threads;
  }

  /**
   * C (+)= op(A)·op(B) on byte addresses (see assembly/gemm.ts), split by blocks of columns of
   * C (or of rows, when C is narrow) between the threads when there is enough work.
   */
  gemm(M: number, N: number, K: number, a: number, ai: number, ak: number, b: number, bk: number, bj: number, c: number, accumulate: boolean): void {
    const acc = accumulate ? 1 : 0;
    const pool = this.pool;
    const T = pool && M * N * K >= SPLIT_MIN_WORK ? pool.size : 1;
    const spec = T > 1 ? splitSpec(M, N, T) : 0;
    if (spec === 0) {
      // bk = 0 marks a B that packRight packed, bj then being its padded width (see gemmChunks).
      if (bk === 0) this.exports.gemmPacked(M, N, K, a, ai, ak, b, bj, 0, c, N, acc, this.gemmWork);
      else this.exports.gemm(M, N, K, a, ai, ak, b, bk, bj, c, N, acc, this.gemmWork);
      return;
    }
    for (let t = 1; t < T; t++) {
      const j = pool!.job(t);
      j[0] = 0; // gemmChunks
      j[1] = M; j[2] = N; j[3] = K; j[4] = a; j[5] = ai; j[6] = ak; j[7] = b; j[8] = bk; j[9] = bj; j[10] = c;
      j[11] = acc; j[12] = this.gemmWork + t * this.gemmWorkBytes; j[13] = spec;
    }
    pool!.resetChunks();
    pool!.dispatch(T);
    const own = this.ownJob;
    own[0] = M; own[1] = N; own[2] = K; own[3] = a; own[4] = ai; own[5] = ak; own[6] = b; own[7] = bk; own[8] = bj;
    own[9] = c; own[10] = acc; own[11] = this.gemmWork; own[12] = spec;
    gemmChunks(this.exports as unknown as Record<string, (...args: number[]) => unknown>, pool!.control, CHUNK_COUNTER, own);
    pool!.wait(T);
  }

  /**
   * C (+)= op(A)·op(B) for an op(B) (K×N) that `packRight` packed at byte address `packed`:
   * as `gemm`, without packing B again.
   */
  gemmPacked(M: number, N: number, K: number, a: number, ai: number, ak: number, packed: number, c: number, accumulate: boolean): void {
    this.gemm(M, N, K, a, ai, ak, packed, 0, Math.ceil(N / 8) * 8, c, accumulate);
  }

  /** Packs op(B) (K×N, strides bk, bj in elements) at byte address `out`, which has room for packedFloats(K, N) floats. */
  packRight(K: number, N: number, b: number, bk: number, bj: number, out: number): void {
    this.exports.packRight(K, N, b, bk, bj, out);
  }

  /**
   * Runs gate kernel `name` on B batch rows of H units (see gates.ts; assembly/lstm.ts, gru.ts,
   * rnn.ts), split by blocks of rows between the threads when there is enough work. `args` are
   * the kernel's arguments after B and H, in declaration order (entries past them are ignored).
   */
  rows(name: GateName, B: number, H: number, args: ArrayLike<number>): void {
    const kernel = this.exports[name];
    const a = args;
    const pool = this.pool;
    const T = pool && B * H >= ROWS_SPLIT_MIN ? Math.min(pool.size, B) : 1;
    if (T === 1) {
      kernel(B, H, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!);
      return;
    }
    const strides = ROW_STRIDES[name];
    const chunk = Math.ceil(B / T);
    const parts = Math.ceil(B / chunk);
    for (let t = 1; t < parts; t++) {
      const j = pool!.job(t);
      const b0 = t * chunk;
      j[0] = JOB_INDEX[name];
      j[1] = Math.min(chunk, B - b0);
      j[2] = H;
      const move = b0 * H * 4;
      for (let q = 0; q < strides.length; q++) j[3 + q] = a[q]! + (strides[q] ?? 0) * move;
      for (let q = strides.length; q < 11; q++) j[3 + q] = 0;
    }
    pool!.dispatch(parts);
    kernel(Math.min(chunk, B), H, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!);
    pool!.wait(parts);
  }

  /**
   * Whether `x` is a view of this memory (then kernels read it in place). Views of it never
   * start at byte 0 (the first page is the threads' control block), and testing byteOffset
   * first spares small arrays a `.buffer` read, which makes V8 move an array kept inside its
   * own heap out to a separate buffer (measured: 2.5 % of a teaching-sized training step).
   */
  holds(x: ArrayBufferView): boolean {
    return x.byteOffset !== 0 && x.buffer === this.buffer;
  }

  /** Byte address of element `off` of a view of this memory (0 for null: "none"). */
  addr(x: ArrayBufferView | null, off = 0): number {
    return x ? x.byteOffset + off * 4 : 0;
  }

  mark(): ArenaMark {
    return this.top;
  }

  release(mark: ArenaMark): void {
    this.top = mark;
  }

  /**
   * Makes room for `floats` more float32 values above the top of the arena. With no scope
   * open the memory grows as needed; inside a scope only what was reserved at its opening is
   * there, and false means "no room: use the JavaScript kernel".
   */
  reserve(floats: number): boolean {
    const end = this.top + align(floats * 4);
    const size = this.buffer.byteLength;
    if (end <= Math.min(size, this.limit)) return true;
    if (this.openScopes > 0) return false;
    this.memory.grow(Math.ceil((end - size) / PAGE));
    this.buffer = this.memory.buffer as ArrayBuffer;
    return true;
  }

  resetPeak(): void {
    this.peakBytes = 0;
  }

  /** How many float32 values fit above the top of the arena without growing the memory. */
  room(): number {
    return Math.max(0, Math.floor((Math.min(this.buffer.byteLength, this.limit) - this.top) / 4) - 16);
  }

  /** A float32 view of n values on top of the arena (space must be reserved), zero-filled unless `zero` is false. */
  alloc(n: number, zero = true): Float32Array {
    const at = this.top;
    const end = at + align(n * 4);
    if (end > Math.min(this.buffer.byteLength, this.limit)) {
      throw new Error(`seqlab internal error: WebAssembly arena allocation of ${n} floats beyond its reservation`);
    }
    this.top = end;
    this.peakBytes = Math.max(this.peakBytes, end - this.base);
    const view = new Float32Array(this.buffer, at, n);
    if (zero) view.fill(0);
    return view;
  }

  /** A copy of src[off … off+n) in the arena. */
  copyIn(src: TypedData, off: number, n: number): Float32Array {
    const view = this.alloc(n, false);
    view.set(src.subarray(off, off + n));
    return view;
  }

  /**
   * Runs `fn` with arena space reserved for the allocations it makes: `need` is their sizes
   * (each takes `arenaFloats([n])`, its 64-byte alignment included), or one number for a single
   * block. Views made inside must not outlive it. Scopes nest (a kernel's staging inside a time
   * loop's scope). `exact`: nothing beyond the reservation may be used inside, even where the
   * memory has room (a time loop's workspace, whose declarations must be complete: a product
   * they leave no room for falls back to TypeScript every time, and the tests see it).
   */
  scope<R>(need: number | readonly number[], fn: () => R, exact = false): R {
    const mark = this.top;
    const floats = arenaFloats(typeof need === "number" ? [need] : need);
    this.reserve(floats);
    const outer = this.limit;
    if (exact) this.limit = Math.min(outer, mark + floats * 4);
    this.openScopes++;
    try {
      return fn();
    } finally {
      this.openScopes--;
      this.limit = outer;
      this.top = mark;
    }
  }
}

/**
 * Chunks per thread a split product is cut into, taken from a shared counter: the last chunk is
 * what the other thread may wait for, so more chunks wait less but pack the unsplit operand more
 * often (measured on char-medium, 2 threads: 4 per thread beat 1 and 2).
 */
const CHUNKS_PER_THREAD = 4;

/**
 * How `gemmChunks` splits an M×N product C between T threads: chunks of `spec` columns
 * (spec > 0, whole 8-column strips of the micro-kernel) or of −spec rows (whole 4-row tiles),
 * or 0 when C is too small to split. Every chunk packs all of the operand it does not split:
 * a chunk of columns packs all of A (M×K), a chunk of rows all of B (K×N). So the product is
 * split along the longer side of C, which repeats the smaller operand's packing. (Splitting
 * the columns of dW = dGxᵀ·x, 1024×32 with K = 2048, repeated 8 MB of packing per chunk and
 * made backward slower on 2 threads than on 1: measured on char-medium.)
 */
export function splitSpec(M: number, N: number, T: number): number {
  const columns = N >= 8 * T, rows = M >= 4 * T;
  if (columns && (N >= M || !rows)) return Math.ceil(N / (T * CHUNKS_PER_THREAD) / 8) * 8;
  if (rows) return -Math.ceil(M / (T * CHUNKS_PER_THREAD) / 4) * 4;
  return 0;
}

/** 64-byte alignment: every view starts on a cache line, which also aligns SIMD loads. */
function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** Float32 values of arena that allocations of these sizes take, each rounded up to 64 bytes. */
export function arenaFloats(sizes: Iterable<number>): number {
  let n = 0;
  for (const size of sizes) n += align(size * 4) / 4;
  return n;
}

let runtime: WasmRuntime | null = null;
let failure: string | null = null;

/** Shared memory where SharedArrayBuffer is allowed: Node, and cross-origin isolated pages. */
function canShare(): boolean {
  return typeof SharedArrayBuffer === "function" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

function kernelBytes(): Uint8Array | null {
  if (typeof WebAssembly === "undefined") {
    failure = "this JavaScript engine has no WebAssembly";
    return null;
  }
  const bytes = decodeBase64(canShare() ? kernelsSharedWasmBase64 : kernelsWasmBase64);
  if (!WebAssembly.validate(bytes as BufferSource)) {
    failure = "this JavaScript engine has no WebAssembly SIMD";
    return null;
  }
  return bytes;
}

/**
 * The runtime, compiled on first use; null where WebAssembly SIMD is unavailable, or until
 * `loadWasm()` has finished where only asynchronous compilation is allowed (a browser's main
 * thread refuses to compile large modules synchronously; Node and workers do not).
 */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime || failure) return runtime;
  const b = kernelBytes();
  if (!b) return null;
  try {
    runtime = new WasmRuntime(new WebAssembly.Module(b as BufferSource), canShare());
  } catch {
    // Synchronous compilation refused (browser main thread): loadWasm() compiles asynchronously.
  }
  return runtime;
}

/** Compiles the kernels asynchronously (allowed everywhere); resolves to the runtime, or null without SIMD. */
export async function loadWasm(): Promise<WasmRuntime | null> {
  if (runtime || failure) return runtime;
  const b = kernelBytes();
  if (!b) return null;
  try {
    const module = await WebAssembly.compile(b as BufferSource);
    runtime ??= new WasmRuntime(module, canShare());
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  return runtime;
}

/** Why the WebAssembly backend could not load, or null. */
export function wasmFailure(): string | null {
  return failure;
}
