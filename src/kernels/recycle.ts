/**
 * Large float32 arrays given back by their owner, to be handed out again. On machines like the
 * one the bench runs on, a fresh array of many megabytes costs far more than filling it: the
 * first write to each page faults (measured: 25 ms to fill a fresh 10 MB array, 0.6 ms to fill
 * a reused one). The recurrent layers keep every step's gates and states for backward, 8–25 MB
 * per layer for the bench's bigger models, and give them back here once backward has run.
 *
 * Contents of a taken array are whatever was there: the caller overwrites all of it.
 */

/** Smaller arrays come from the allocator cheaply enough (measured: no page faults at 1 MB). */
const MIN_FLOATS = 1 << 18;
/** At most this many bytes wait here; beyond it, given-back arrays are left to the GC. */
const MAX_BYTES = 128 * 1024 * 1024;

const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;
const stats = { taken: 0, reused: 0 };

/** An array of n float32 values, reused when one of that length was given back. Not zeroed. */
export function takeFloat32(n: number): Float32Array {
  stats.taken++;
  const reused = n >= MIN_FLOATS ? free.get(n)?.pop() : undefined;
  if (reused) {
    pooledBytes -= reused.byteLength;
    stats.reused++;
    return reused;
  }
  return new Float32Array(n);
}

/**
 * Gives `a` back. The caller must hold the only reference to it (no views of it elsewhere)
 * and never touch it again. Arrays too small, of another type, or beyond the cap are ignored.
 */
export function recycle(a: ArrayBufferView): void {
  // Length first: reading .buffer of a small array makes V8 move it out of its heap.
  if (!(a instanceof Float32Array) || a.length < MIN_FLOATS || !(a.buffer instanceof ArrayBuffer)) return;
  // Only a whole array: a view's buffer may be in use around it.
  if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
  if (pooledBytes + a.byteLength > MAX_BYTES) return;
  const list = free.get(a.length) ?? [];
  if (list.includes(a)) throw new Error("internal: an array was given back twice");
  list.push(a);
  free.set(a.length, list);
  pooledBytes += a.byteLength;
}

/** How many arrays were taken and how many of those were reused (for the tests). */
export function recycleStats(): { taken: number; reused: number } {
  return { ...stats };
}
