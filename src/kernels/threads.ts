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
import type { KernelExports } from "./wasm.js";

/** Int32 slots per thread in the control block: [sequence, done, kernel, 13 arguments]; also the most threads. */
export const SLOT = 16;
/**
 * The gate kernels, each with how far its arguments after (B, H) move per batch row, in units
 * of H floats (0: the same for every row, as a bias; null: not a pointer, a flag). With these a
 * kernel's rows can be split between threads without knowing what it computes.
 */
export const ROW_STRIDES = {
  lstmForward: [4, 4, 0, 1, 1, 4, 1],
  lstmBackward: [4, 1, 1, 1, 1, 4, 1],
  rnnForward: [1, 1, 0, 1, 1, null],
  gruForwardRZ: [3, 2, 0, 1, 4, 1, null],
  gruForwardN: [3, 1, 0, 1, 4, 1, null, null],
  gruBackwardNZ: [4, 1, 1, 1, 3, 2, 1, 1, 1, null, null],
  gruBackwardBefore: [4, 1, 1, 1, 1],
  gruBackwardR: [4, 1, 3, 2],
} as const;
export type RowKernel = keyof typeof ROW_STRIDES;

/** The kernels a job can name, by index. */
export const JOB_KERNELS: readonly string[] = ["gemm", ...Object.keys(ROW_STRIDES)];

/**
 * A worker's whole life, as one self-contained function: its source text is what the worker
 * runs (see `workerSource`), so it may use nothing from outside its own body.
 */
function workerMain(module: WebAssembly.Module, memory: WebAssembly.Memory, ctlByte: number, index: number, kernels: readonly string[]): void {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as Record<string, (...args: number[]) => unknown>;
  const ctl = new Int32Array(memory.buffer, ctlByte, 16 * 16);
  const base = index * 16;
  let seen = Atomics.load(ctl, base);
  Atomics.store(ctl, base + 1, seen); // ready
  Atomics.notify(ctl, base + 1);
  for (;;) {
    let spins = 0;
    while (Atomics.load(ctl, base) === seen) {
      if (++spins > 200000) Atomics.wait(ctl, base, seen, 50);
    }
    seen = Atomics.load(ctl, base);
    const kernel = kernels[ctl[base + 2]!]!;
    const args: number[] = [];
    for (let a = 0; a < 13; a++) args.push(ctl[base + 3 + a]!);
    exports[kernel]!(...args);
    Atomics.store(ctl, base + 1, seen);
    Atomics.notify(ctl, base + 1);
  }
}

/** The worker's script: workerMain's source and a start-up line for Node or for a browser. */
function workerSource(node: boolean): string {
  const main = `(${workerMain.toString()})`;
  return node
    ? `const { workerData: d } = require("node:worker_threads");\n${main}(d.module, d.memory, d.ctlByte, d.index, d.kernels);`
    : `onmessage = (e) => { const d = e.data; ${main}(d.module, d.memory, d.ctlByte, d.index, d.kernels); close(); };`;
}

/** What both kinds of worker look like to the pool. */
interface AnyWorker {
  terminate(): unknown;
}

/** The part of Node's worker_threads the pool uses (typed here: the library is built without Node's types). */
interface NodeWorkerThreads {
  Worker: new (source: string, opts: { eval: true; workerData: unknown }) => AnyWorker & { unref(): void };
}

/** Node's worker_threads, or null in a browser. The name is a variable so that bundlers leave it alone. */
async function nodeWorkerThreads(): Promise<NodeWorkerThreads | null> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return null;
  const name = "node:worker_threads";
  return (import(/* webpackIgnore: true */ name) as Promise<NodeWorkerThreads>).catch(() => null);
}

export interface PoolInfo {
  readonly threads: number;
  /** Why more threads were asked for than run, or null. */
  readonly limitedBy: string | null;
}

export class ThreadPool {
  private seq = 0;
  private readonly canBlock: boolean;

  private constructor(
    private readonly ctl: Int32Array,
    private readonly workers: readonly AnyWorker[],
    private readonly exports: KernelExports,
  ) {
    // A browser's main thread may not block in Atomics.wait: there the caller spins instead.
    this.canBlock = typeof (globalThis as { window?: unknown }).window === "undefined";
  }

  /** Threads in all, the caller's included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts `count − 1` workers on the shared memory and resolves once each has said it is
   * ready. Needs a shared memory; `count` is at most SLOT (16).
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, ctlByte: number, count: number, exports: KernelExports): Promise<ThreadPool> {
    const ctl = new Int32Array(memory.buffer, ctlByte, SLOT * SLOT);
    ctl.fill(-1);
    const workers: AnyWorker[] = [];
    const nodeThreads = await nodeWorkerThreads();
    for (let index = 1; index < count; index++) {
      const data = { module, memory, ctlByte, index, kernels: JOB_KERNELS };
      Atomics.store(ctl, index * SLOT, 0);
      if (nodeThreads) {
        const w = new nodeThreads.Worker(workerSource(true), { eval: true, workerData: data });
        w.unref(); // an idle pool must not keep a script running
        workers.push(w);
      } else {
        const url = URL.createObjectURL(new Blob([workerSource(false)], { type: "text/javascript" }));
        const w = new Worker(url);
        w.postMessage(data);
        workers.push(w);
      }
    }
    // Each worker copies slot[0] into slot[1] once it has instantiated the module.
    const deadline = Date.now() + 10_000;
    for (let index = 1; index < count; index++) {
      while (Atomics.load(ctl, index * SLOT + 1) !== 0) {
        if (Date.now() > deadline) {
          for (const w of workers) void w.terminate();
          throw new Error("seqlab: worker threads did not start within 10 s");
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    return new ThreadPool(ctl, workers, exports);
  }

  /**
   * Runs jobs[0] on the calling thread and jobs[t] on worker t, and returns when all are done.
   * A job is [kernel index, ...arguments]; fewer jobs than threads leave the rest idle.
   */
  run(jobs: readonly (readonly number[])[]): void {
    const seq = ++this.seq;
    for (let t = 1; t < jobs.length; t++) {
      const base = t * SLOT;
      const job = jobs[t]!;
      for (let a = 0; a < job.length; a++) this.ctl[base + 2 + a] = job[a]!;
      Atomics.store(this.ctl, base, seq);
      Atomics.notify(this.ctl, base);
    }
    const [kernel, ...args] = jobs[0]!;
    (this.exports as unknown as Record<string, (...a: number[]) => void>)[JOB_KERNELS[kernel!]!]!(...args);
    for (let t = 1; t < jobs.length; t++) {
      const at = t * SLOT + 1;
      let spins = 0;
      while (Atomics.load(this.ctl, at) !== seq) {
        if (this.canBlock && ++spins > 10000) Atomics.wait(this.ctl, at, Atomics.load(this.ctl, at), 1);
      }
    }
  }

  /** Stops every worker (between jobs: `run` has always returned by then). */
  stop(): void {
    for (const w of this.workers) void w.terminate();
  }
}
