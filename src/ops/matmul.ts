/**
 * Matrix product with `torch.matmul` semantics, through the `gemm` kernel only.
 *
 * Both operands are seen as stacks of matrices, a: (..., M, K) and b: (..., K, N); the stack
 * ("batch") dims broadcast. A 1-D a is a row (1, K) and a 1-D b a column (K, 1), and that
 * extra dim is dropped from the result. For C = A·B the gradients are
 *   dA = dC · Bᵀ   and   dB = Aᵀ · dC,
 * summed over any batch entries where A or B was broadcast.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { gemm } from "../kernels/gemm.js";
import { allocate, assertSameDType, recordOp, Tensor, type TypedData } from "../tensor.js";
import { broadcastOffsets, tryBroadcastShapes } from "./layout.js";

/**
 * Matrix product of `a` and `b` (`torch.matmul`, the `@` operator): dot product for two 1-D
 * tensors, matrix product for 2-D, and batched products with broadcast batch dims beyond.
 * Dtypes must match (seqlab does not promote).
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertSameDType(a, b, "matmul");
  // A function, not a string: formatting two shapes at every product costs a small model's step time.
  const shapes = (): string => `${fmtShape(a.shape)} and ${fmtShape(b.shape)}`;
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dim, got shapes ${shapes()}`);
  }
  const aShape = a.ndim === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.ndim === 1 ? [b.shape[0]!, 1] : b.shape;
  const [M, K] = aShape.slice(-2) as [number, number];
  const [Kb, N] = bShape.slice(-2) as [number, number];
  if (K !== Kb) {
    throw new ShapeError(`matmul: shapes ${shapes()} cannot be multiplied (${K} columns in the first, ${Kb} rows in the second)`);
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batch = tryBroadcastShapes(aBatch, bBatch);
  if (!batch) {
    throw new ShapeError(`matmul: batch dims ${fmtShape(aBatch)} and ${fmtShape(bBatch)} of shapes ${shapes()} cannot broadcast`);
  }
  // Which matrix of a (and of b) each matrix of the result reads.
  const aMat = broadcastOffsets(aBatch, batch);
  const bMat = broadcastOffsets(bBatch, batch);
  const count = aMat.length;

  const shape = [...batch, ...(a.ndim === 1 ? [] : [M]), ...(b.ndim === 1 ? [] : [N])];
  const out = new Tensor(allocate(a.dtype, count * M * N), shape);
  for (let m = 0; m < count; m++) {
    gemm(M, N, K, a.data, aMat[m]! * M * K, false, b.data, bMat[m]! * K * N, false, out.data, m * M * N, false);
  }

  recordOp("matmul", [a, b], [out], [a, b], ([g]) => {
    const dC = g!;
    let dA: TypedData | null = null;
    let dB: TypedData | null = null;
    if (a.requiresGrad) {
      dA = allocate(a.dtype, a.size);
      for (let m = 0; m < count; m++) {
        gemm(M, K, N, dC, m * M * N, false, b.data, bMat[m]! * K * N, true, dA, aMat[m]! * M * K, true);
      }
    }
    if (b.requiresGrad) {
      dB = allocate(b.dtype, b.size);
      for (let m = 0; m < count; m++) {
        gemm(K, N, M, a.data, aMat[m]! * M * K, true, dC, m * M * N, false, dB, bMat[m]! * K * N, true);
      }
    }
    return [dA, dB];
  });
  return out;
}
