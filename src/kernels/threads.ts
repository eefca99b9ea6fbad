/**
 * Worker threads for the WebAssembly kernels: Node's worker_threads, or Web Workers in a
 * cross-origin isolated page (elsewhere a browser has no SharedArrayBuffer, and seqlab stays
 * on one thread without complaint).
 *
 * Every worker instantiates the same compiled module on the same shared memory, so a job is
 * just a kernel name and its integer arguments (pointers into that memory). A large product is
 * split into blocks of columns (or rows) of C; each thread computes its block with exactly the
 * arithmetic one thread would use there, so results do not depend on the number of threads.
 *
 * Messages go through a small Int32Array in the shared memory rather than postMessage: a time
 * loop hands out a job every few dozen microseconds, and a waiting worker spins briefly on its
 * slot before it sleeps (Atomics.wait), so it usually picks the next job up within a microsecond.
 */
import { GATE_KERNELS, rowStrides, type GateName } from "./gates.js";

/** Int32 slots per thread in the control block: [sequence, done, kernel, 13 arguments]; also the most threads. */
export const SLOT = 16;
/**
 * The gate kernels, each with how far its arguments after (B, H) move per batch row, in units
 * of H floats (0: the same for every row, as a bias; null: not a pointer, a flag), from their
 * declarations in gates.ts. With these a kernel's rows can be split between threads without
 * knowing what it computes.
 */
export const ROW_STRIDES = Object.fromEntries(
  (Object.keys(GATE_KERNELS) as GateName[]).map((name) => [name, rowStrides(name)]),
) as Record<GateName, readonly (number | null)[]>;

/** The kernels a job can name, by index ("gemmChunks": see `gemmChunks`). */
export const JOB_KERNELS: readonly string[] = ["gemmChunks", ...Object.keys(ROW_STRIDES)];
/** A gate kernel's index in JOB_KERNELS. */
export const JOB_INDEX = Object.fromEntries(JOB_KERNELS.map((name, i) => [name, i])) as Record<GateName, number>;

/** Int32 index, in the control block, of the counter from which threads take gemm chunks. */
export const CHUNK_COUNTER = SLOT * SLOT;
/** Int32s in the control block: a slot per thread, then the chunk counter. */
export const CONTROL_INTS = SLOT * SLOT + SLOT;

/**
 * A share of C (+)= op(A)·op(B), taken chunk by chunk: every thread (the caller too) runs this
 * and takes the next `|spec|` columns (spec > 0) or rows (spec < 0) of C from a shared counter
 * until none are left. Taking chunks rather than fixed halves lets a faster core do more, as
 * when a virtual CPU shares its core with someone else. Self-contained: workers run its source.
 */
export function gemmChunks(exports: Record<string, (...args: number[]) => unknown>, ctl: Int32Array, counter: number, args: ArrayLike<number>): void {
  const M = args[0]!, N = args[1]!, K = args[2]!, a = args[3]!, ai = args[4]!, ak = args[5]!;
  const b = args[6]!, bk = args[7]!, bj = args[8]!, c = args[9]!, acc = args[10]!, work = args[11]!, spec = args[12]!;
  const size = Math.abs(spec);
  const total = spec > 0 ? N : M;
  for (;;) {
    const from = Atomics.add(ctl, counter, size);
    if (from >= total) return;
    const n = Math.min(size, total - from);
    if (bk === 0) {
      // B was packed once by packRight (a time loop's W_hh); bj is its padded width.
      if (spec > 0) exports["gemmPacked"]!(M, n, K, a, ai, ak, b, bj, from, c + from * 4, N, acc, work);
      else exports["gemmPacked"]!(n, N, K, a + from * ai * 4, ai, ak, b, bj, 0, c + from * N * 4, N, acc, work);
    } else if (spec > 0) {
      exports["gemm"]!(M, n, K, a, ai, ak, b + from * bj * 4, bk, bj, c + from * 4, N, acc, work);
    } else {
      exports["gemm"]!(n, N, K, a + from * ai * 4, ai, ak, b, bk, bj, c + from * N * 4, N, acc, work);
    }
  }
}

/**
 * A worker's whole life, as one self-contained function: its source text is what the worker
 * runs (see `workerSource`), so it may use nothing from outside its own body.
 */
function workerMain(
  module: WebAssembly.Module, memory: WebAssembly.Memory, ctlByte: number, index: number, kernels: readonly string[],
  slot: number, counter: number, chunks: typeof gemmChunks,
): void {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as Record<string, (...args: number[]) => unknown>;
  const ctl = new Int32Array(memory.buffer, ctlByte, counter + slot);
  const base = index * slot;
  const a = ctl.subarray(base + 3, base + slot); // this worker's job arguments, read in place
  let seen = Atomics.load(ctl, base);
  Atomics.store(ctl, base + 1, seen); // ready
  Atomics.notify(ctl, base + 1);
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctl, base) === seen) {
      if (++spins > 20000) Atomics.wait(ctl, base, seen, 50);
    }
    seen = Atomics.load(ctl, base);
    const kernel = kernels[ctl[base + 2]!]!;
    if (kernel === "gemmChunks") chunks(exports, ctl, counter, a);
    else exports[kernel]!(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!);
    Atomics.store(ctl, base + 1, seen);
    Atomics.notify(ctl, base + 1);
  }
}

/** The worker's script: workerMain's source and a start-up line for Node or for a browser. */
function workerSource(node: boolean): string {
  const main = `(${workerMain.toString()})`;
  const call = `${main}(d.module, d.memory, d.ctlByte, d.index, d.kernels, ${SLOT}, ${CHUNK_COUNTER}, ${gemmChunks.toString()})`;
  return node
    ? `const { workerData: d } = require("node:worker_threads");\n${call};`
    : `onmessage = (e) => { const d = e.data; ${call}; close(); };`;
}

/** What both kinds of worker look like to the pool. */
interface AnyWorker {
  terminate(): unknown;
}

/** The part of Node's worker_threads the pool uses (typed here: the library is built without Node's types). */
interface NodeWorkerThreads {
  Worker: new (source: string, opts: { eval: true; workerData: unknown }) => AnyWorker & {
    unref(): void;
    on(event: "error", listener: (e: Error) => void): void;
  };
}

/** Node's worker_threads, or null in a browser. The name is a variable so that bundlers leave it alone. */
async function nodeWorkerThreads(): Promise<NodeWorkerThreads | null> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return null;
  const name = "node:worker_threads";
  return (import(/* webpackIgnore: true */ name) as Promise<NodeWorkerThreads>).catch(() => null);
}

export class ThreadPool {
  private seq = 0;
  private readonly canBlock: boolean;

  private readonly slots: Int32Array[] = [];

  private constructor(private readonly ctl: Int32Array, private readonly workers: readonly AnyWorker[]) {
    // A browser's main thread may not block in Atomics.wait: there the caller spins instead.
    this.canBlock = typeof (globalThis as { window?: unknown }).window === "undefined";
    for (let t = 0; t <= workers.length; t++) this.slots.push(ctl.subarray(t * SLOT + 2, (t + 1) * SLOT));
  }

  /** Threads in all, the caller's included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `count − 1` workers on the shared memory and resolves once each has said it is
   * ready. Needs a shared memory; `count` is at most SLOT (16).
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, ctlByte: number, count: number): Promise<ThreadPool> {
    const ctl = new Int32Array(memory.buffer, ctlByte, CONTROL_INTS);
    ctl.fill(-1);
    const workers: AnyWorker[] = [];
    let failed: string | null = null; // a worker's start-up error, reported instead of a time-out
    const nodeThreads = await nodeWorkerThreads();
    for (let index = 1; index < count; index++) {
      const data = { module, memory, ctlByte, index, kernels: JOB_KERNELS };
      Atomics.store(ctl, index * SLOT, 0);
      if (nodeThreads) {
        const w = new nodeThreads.Worker(workerSource(true), { eval: true, workerData: data });
        w.unref(); // an idle pool must not keep a script running
        w.on("error", (e) => (failed ??= e.message));
        workers.push(w);
      } else {
        const url = URL.createObjectURL(new Blob([workerSource(false)], { type: "text/javascript" }));
        const w = new Worker(url);
        w.onerror = (e) => (failed ??= e.message);
        w.postMessage(data);
        workers.push(w);
      }
    }
    // Each worker copies slot[0] into slot[1] once it has instantiated the module.
    const deadline = Date.now() + 10_000;
    for (let index = 1; index < count; index++) {
      while (Atomics.load(ctl, index * SLOT + 1) !== 0) {
        if (failed !== null || Date.now() > deadline) {
          for (const w of workers) void w.terminate();
          throw new Error(`seqlab: worker threads did not start: ${failed ?? "no answer within 10 s"}`);
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    return new ThreadPool(ctl, workers);
  }

  /**
   * Worker t's job slot (1 ≤ t < size): [kernel index, up to 13 arguments]. The caller fills
   * the slots, calls `dispatch`, runs its own share, then `wait`s: no allocation per job.
   */
  job(t: number): Int32Array {
    return this.slots[t]!;
  }

  /** Sets the counter `gemmChunks` takes its chunks from. */
  resetChunks(): void {
    Atomics.store(this.ctl, CHUNK_COUNTER, 0);
  }

  /** The control block, for the caller's own share of a `gemmChunks` job. */
  get control(): Int32Array {
    return this.ctl;
  }

  /** Starts workers 1 … n−1 on what their job slots hold. */
  dispatch(n: number): void {
    const seq = ++this.seq;
    for (let t = 1; t < n; t++) {
      Atomics.store(this.ctl, t * SLOT, seq);
      Atomics.notify(this.ctl, t * SLOT);
    }
  }

  /** Returns once workers 1 … n−1 have finished the last dispatch (spinning briefly, then sleeping where allowed). */
  wait(n: number): void {
    for (let t = 1; t < n; t++) {
      const at = t * SLOT + 1;
      let spins = 0;
      while (Atomics.load(this.ctl, at) !== this.seq) {
        if (this.canBlock && ++spins > 10000) Atomics.wait(this.ctl, at, Atomics.load(this.ctl, at), 1);
      }
    }
  }

  /** Stops every worker (between jobs: `run` has always returned by then). */
  stop(): void {
    for (const w of this.workers) void w.terminate();
  }
}
