/**
 * Binary elementwise arithmetic with NumPy/PyTorch broadcasting: add, sub, mul, div.
 *
 * Forward reads each operand through its broadcast offsets; backward scatter-adds through the
 * same offsets, which sums the gradient over every dim the operand was broadcast along.
 */
import { allocate, assertSameDType, recordOp, Tensor, type TypedData } from "../tensor.js";
import { broadcastOffsets, broadcastShapes } from "./layout.js";

/** A tensor, or a plain number that acts as a constant 0-d tensor of the other operand's dtype. */
export type Operand = Tensor | number;

/** A scalar as a 0-d constant tensor, so numbers go through the same broadcasting code. */
function asTensor(b: Operand, like: Tensor): Tensor {
  if (b instanceof Tensor) return b;
  const data = allocate(like.dtype, 1);
  data[0] = b;
  return new Tensor(data, []);
}

/** ∂out/∂x or ∂out/∂y at one element, given the operand values and the output. */
type Partial = (x: number, y: number, out: number) => number;

/** The tensors a pair of partials reads, so backward can check that they did not change. */
type Reads = (a: Tensor, b: Tensor, out: Tensor) => Tensor[];
const NOTHING: Reads = () => [];

function binaryOp(name: string, a: Tensor, bIn: Operand, reads: Reads, f: (x: number, y: number) => number, dfdx: Partial, dfdy: Partial): Tensor {
  const b = asTensor(bIn, a);
  assertSameDType(a, b, name);
  const shape = broadcastShapes(a.shape, b.shape, name);
  const ia = broadcastOffsets(a.shape, shape);
  const ib = broadcastOffsets(b.shape, shape);
  const x = a.data;
  const y = b.data;
  const out = new Tensor(allocate(a.dtype, ia.length), shape);
  const z = out.data;
  for (let k = 0; k < z.length; k++) z[k] = f(x[ia[k]!]!, y[ib[k]!]!);

  recordOp(name, [a, b], [out], reads(a, b, out), ([g]) => {
    const dz = g!;
    let da: TypedData | null = null;
    let db: TypedData | null = null;
    if (a.requiresGrad) {
      da = allocate(a.dtype, a.size);
      for (let k = 0; k < dz.length; k++) da[ia[k]!]! += dz[k]! * dfdx(x[ia[k]!]!, y[ib[k]!]!, z[k]!);
    }
    if (b.requiresGrad) {
      db = allocate(b.dtype, b.size);
      for (let k = 0; k < dz.length; k++) db[ib[k]!]! += dz[k]! * dfdy(x[ia[k]!]!, y[ib[k]!]!, z[k]!);
    }
    return [da, db];
  });
  return out;
}

/**
 * a + b with broadcasting (`torch.add`). `b` may be a number. Both tensors must have the same
 * dtype: seqlab never promotes float32 to float64 behind your back, it throws a DTypeError.
 */
export function add(a: Tensor, b: Operand): Tensor {
  return binaryOp("add", a, b, NOTHING, (x, y) => x + y, () => 1, () => 1);
}

/** a − b with broadcasting (`torch.sub`). `b` may be a number; dtypes must match (no promotion). */
export function sub(a: Tensor, b: Operand): Tensor {
  return binaryOp("sub", a, b, NOTHING, (x, y) => x - y, () => 1, () => -1);
}

/** a ⊙ b, elementwise with broadcasting (`torch.mul`). `b` may be a number; dtypes must match (no promotion). */
export function mul(a: Tensor, b: Operand): Tensor {
  return binaryOp("mul", a, b, (x, y) => [x, y], (x, y) => x * y, (_x, y) => y, (x) => x);
}

/** a / b, elementwise with broadcasting (`torch.div`). `b` may be a number; dtypes must match (no promotion). */
export function div(a: Tensor, b: Operand): Tensor {
  return binaryOp("div", a, b, (_x, y, out) => [y, out], (x, y) => x / y, (_x, y) => 1 / y, (_x, y, out) => -out / y);
}
