/**
 * Principal component analysis down to two dimensions, for drawing hidden states as points.
 *
 * Center the rows, form the covariance, take its top two eigenvectors by power iteration
 * (the second after deflating the first), project. When there are fewer points than
 * dimensions the same is done on the smaller Gram matrix X Xᵀ, whose eigenvectors map to the
 * covariance's through Xᵀ. Every product goes through the kernel layer's gemm.
 *
 * Sign convention (an eigenvector's sign is arbitrary): the entry of largest magnitude of each
 * component is positive, so the same states always give the same picture.
 */
import { gemm } from "../kernels/gemm.js";

export interface PCA2 {
  /** points[n] = [pc1, pc2]: row n projected onto the two components. */
  points: [number, number][];
  /** The two unit-length principal directions (each of the input's dimension). */
  components: [number[], number[]];
  /** Fraction of the total variance along each component (0 when there is none). */
  explained: [number, number];
  /** The mean that was subtracted. */
  mean: number[];
}

const MAX_ITERATIONS = 2000;
const TOLERANCE = 1e-12;

function norm2(v: Float64Array): number {
  let sq = 0;
  for (const x of v) sq += x * x;
  return Math.sqrt(sq);
}

/** Top eigenvector and eigenvalue of a symmetric positive semi-definite n×n matrix S. */
function topEigen(S: Float64Array, n: number): { vector: Float64Array; value: number } {
  // Start from S's largest column: non-zero whenever S is, and deterministic.
  let best = 0;
  let bestNorm = 0;
  for (let j = 0; j < n; j++) {
    let sq = 0;
    for (let i = 0; i < n; i++) sq += S[i * n + j]! ** 2;
    if (sq > bestNorm) [best, bestNorm] = [j, sq];
  }
  if (bestNorm === 0) return { vector: new Float64Array(n), value: 0 };
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = S[i * n + best]! / Math.sqrt(bestNorm);
  const next = new Float64Array(n);
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    gemm(n, 1, n, S, 0, false, v, 0, false, next, 0, false);
    const norm = norm2(next);
    if (norm === 0) return { vector: new Float64Array(n), value: 0 };
    let change = 0;
    for (let i = 0; i < n; i++) {
      const w = next[i]! / norm;
      change = Math.max(change, Math.abs(w - v[i]!));
      next[i] = w;
    }
    v.set(next);
    if (change < TOLERANCE) break;
  }
  gemm(n, 1, n, S, 0, false, v, 0, false, next, 0, false);
  let value = 0;
  for (let i = 0; i < n; i++) value += v[i]! * next[i]!;
  return { vector: v, value };
}

/** S ← S − λ v vᵀ: removes a found component so power iteration finds the next one. */
function deflate(S: Float64Array, n: number, v: Float64Array, value: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] -= value * v[i]! * v[j]!;
}

/** Flips v so that its entry of largest magnitude is positive. */
function fixSign(v: Float64Array): void {
  let k = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]!) > Math.abs(v[k]!)) k = i;
  if (v[k]! < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i]!;
}

/** Projects the rows (N points × D dimensions) onto their top two principal components. */
export function pca2(rows: readonly (readonly number[])[]): PCA2 {
  const N = rows.length;
  if (N === 0) throw new RangeError("pca2: no points to project");
  const D = rows[0]!.length;
  for (const [n, row] of rows.entries()) {
    if (row.length !== D) throw new RangeError(`pca2: row ${n} has ${row.length} values; row 0 has ${D}`);
    for (const v of row) if (!Number.isFinite(v)) throw new RangeError(`pca2: row ${n} holds ${v}; PCA needs finite values`);
  }
  const mean = Array.from({ length: D }, (_, d) => rows.reduce((s, row) => s + row[d]!, 0) / N);
  const X = new Float64Array(N * D);
  rows.forEach((row, n) => row.forEach((v, d) => (X[n * D + d] = v - mean[d]!)));

  // Eigen-decompose the smaller of Xᵀ X (D×D) and X Xᵀ (N×N); the scale 1/(N−1) is left out
  // because only directions and variance ratios are needed.
  const gram = N < D;
  const n = gram ? N : D;
  const S = new Float64Array(n * n);
  if (gram) gemm(N, N, D, X, 0, false, X, 0, true, S, 0, false);
  else gemm(D, D, N, X, 0, true, X, 0, false, S, 0, false);
  let total = 0;
  for (let i = 0; i < n; i++) total += S[i * n + i]!;

  const components: Float64Array[] = [];
  const values: number[] = [];
  for (let k = 0; k < 2; k++) {
    const { vector, value } = topEigen(S, n);
    deflate(S, n, vector, value);
    let direction = vector;
    if (gram) {
      // u is an eigenvector of X Xᵀ; Xᵀ u is the matching covariance eigenvector.
      direction = new Float64Array(D);
      gemm(D, 1, N, X, 0, true, vector, 0, false, direction, 0, false);
      const norm = norm2(direction);
      if (norm > 0) for (let d = 0; d < D; d++) direction[d] = direction[d]! / norm;
    }
    fixSign(direction);
    components.push(direction);
    values.push(Math.max(0, value));
  }

  const P = new Float64Array(N * 2);
  const W = new Float64Array(D * 2);
  for (let d = 0; d < D; d++) [W[d * 2], W[d * 2 + 1]] = [components[0]![d]!, components[1]![d]!];
  gemm(N, 2, D, X, 0, false, W, 0, false, P, 0, false);
  return {
    points: Array.from({ length: N }, (_, i) => [P[i * 2]!, P[i * 2 + 1]!] as [number, number]),
    components: [Array.from(components[0]!), Array.from(components[1]!)],
    explained: total > 0 ? [values[0]! / total, values[1]! / total] : [0, 0],
    mean,
  };
}
