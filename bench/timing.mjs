/**
 * How every JavaScript side of the bench times a closure (seqlab in run.mjs, TensorFlow.js in
 * peer-tfjs.mjs; peer-pytorch.py does the same in Python): a warm-up of at least WARMUP_CALLS
 * calls and WARMUP_MS, so the JIT has optimised the hot loops, then the median of the timed
 * calls: at least n of them, and as many as fit in MIN_TIMED_MS. A fast workload thus gets
 * thousands of samples; this machine has phases of tens of milliseconds in which everything
 * runs up to 3× slower, and 20 calls of 0.04 ms can fall inside one.
 */
export const WARMUP_CALLS = 2;
export const WARMUP_MS = 500;
export const DEFAULT_ITERATIONS = 20;
export const MIN_TIMED_MS = 1000;

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median ms of `fn` over at least n timed calls (and at least MIN_TIMED_MS of them), after the warm-up. */
export function time(fn, n) {
  const start = performance.now();
  for (let k = 0; k < WARMUP_CALLS || performance.now() - start < WARMUP_MS; k++) fn();
  const ms = [];
  const timed = performance.now();
  for (let k = 0; k < n || performance.now() - timed < MIN_TIMED_MS; k++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}
