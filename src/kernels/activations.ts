/**
 * Scalar activations shared by the kernels. The recurrent cells apply them element by element
 * inside their step functions, so they take and return plain numbers.
 */

/** σ(a) = 1 / (1 + e^(−a)), written so that e^(…) never overflows for large |a|. */
export function sigmoid(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** max(a, 0). */
export function relu(a: number): number {
  return a > 0 ? a : 0;
}
