/**
 * Shrinking long sequences for display: a 10,000-step trace has more steps than a picture has
 * pixels, so builders replace runs of consecutive steps by their mean (a bucket), and say so.
 */

/** Start index of each of `buckets` equal-as-possible runs over `n` items (plus n at the end). */
export function bucketBounds(n: number, buckets: number): number[] {
  if (n === 0) return [0];
  const k = Math.max(1, Math.min(n, buckets));
  return Array.from({ length: k + 1 }, (_, j) => Math.round((j * n) / k));
}

/** Mean of the non-null values in `values[from..to)`, or null if there are none. */
function meanOf(values: readonly (number | null)[], from: number, to: number): number | null {
  let sum = 0;
  let count = 0;
  for (let j = from; j < to; j++) {
    const v = values[j];
    if (v !== null && v !== undefined && Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count ? sum / count : null;
}

/** A series shortened to at most `max` points by bucket means (unchanged if already short). */
export function bucketMeans(values: readonly (number | null)[], max: number): (number | null)[] {
  if (values.length <= max) return [...values];
  const b = bucketBounds(values.length, max);
  return b.slice(0, -1).map((from, j) => meanOf(values, from, b[j + 1]!));
}

/**
 * Rows of a matrix (`z[row][col]`, rows are time steps) shortened to at most `max` rows: each
 * new row is the per-column mean of a bucket of consecutive rows. Also returns each bucket's
 * first row index, so labels can follow.
 */
export function downsampleRows(z: readonly (readonly (number | null)[])[], max: number): { z: (number | null)[][]; starts: number[] } {
  if (z.length <= max) return { z: z.map((row) => [...row]), starts: z.map((_, t) => t) };
  const b = bucketBounds(z.length, max);
  const cols = z[0]?.length ?? 0;
  const out = b.slice(0, -1).map((from, j) => {
    const to = b[j + 1]!;
    return Array.from({ length: cols }, (_, c) => meanOf(z.slice(from, to).map((row) => row[c] ?? null), 0, to - from));
  });
  return { z: out, starts: b.slice(0, -1) };
}
