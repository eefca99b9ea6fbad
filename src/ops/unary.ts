/**
 * Unary elementwise functions y = f(x). Each is written as its forward f and its local
 * derivative dy/dx, given both x and y because many derivatives are cheapest from the output
 * (tanh' = 1 − y², σ' = y(1 − y), exp' = y).
 */
import { allocate, recordOp, Tensor } from "../tensor.js";

/** Which of x and y a derivative reads, so backward can check that they did not change. */
type Reads = "x" | "y" | "none";

function unaryOp(name: string, a: Tensor, reads: Reads, f: (x: number) => number, dfdx: (x: number, y: number) => number): Tensor {
  const x = a.data;
  const out = new Tensor(allocate(a.dtype, a.size), a.shape);
  const y = out.data;
  for (let k = 0; k < y.length; k++) y[k] = f(x[k]!);

  recordOp(name, [a], [out], reads === "x" ? [a] : reads === "y" ? [out] : [], ([g]) => {
    const dy = g!;
    const dx = allocate(a.dtype, a.size);
    for (let k = 0; k < dx.length; k++) dx[k] = dy[k]! * dfdx(x[k]!, y[k]!);
    return [dx];
  });
  return out;
}

/** −x (`torch.neg`). */
export function neg(a: Tensor): Tensor {
  return unaryOp("neg", a, "none", (x) => -x, () => -1);
}

/**
 * x ** p for a number p (`torch.pow(x, p)`). As in PyTorch, the gradient p·x^(p−1) is
 * infinite at x = 0 when p < 1, and non-integer powers of negative numbers are NaN.
 */
export function pow(a: Tensor, p: number): Tensor {
  return unaryOp("pow", a, "x", (x) => x ** p, (x) => (p === 0 ? 0 : p * x ** (p - 1)));
}

/** √x (`torch.sqrt`). */
export function sqrt(a: Tensor): Tensor {
  return unaryOp("sqrt", a, "y", Math.sqrt, (_x, y) => 0.5 / y);
}

/** eˣ (`torch.exp`). */
export function exp(a: Tensor): Tensor {
  return unaryOp("exp", a, "y", Math.exp, (_x, y) => y);
}

/** Natural logarithm (`torch.log`). */
export function log(a: Tensor): Tensor {
  return unaryOp("log", a, "x", Math.log, (x) => 1 / x);
}

/** Hyperbolic tangent (`torch.tanh`). */
export function tanh(a: Tensor): Tensor {
  return unaryOp("tanh", a, "y", Math.tanh, (_x, y) => 1 - y * y);
}

/**
 * The logistic function σ(x) = 1 / (1 + e⁻ˣ) (`torch.sigmoid`). For x < 0 it computes
 * eˣ / (1 + eˣ) instead, so e⁻ˣ never overflows for large negative x.
 */
export function sigmoid(a: Tensor): Tensor {
  return unaryOp("sigmoid", a, "y", stableSigmoid, (_x, y) => y * (1 - y));
}

function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** max(x, 0) (`torch.relu`). The gradient at exactly 0 is 0, as in PyTorch. */
export function relu(a: Tensor): Tensor {
  return unaryOp("relu", a, "x", (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
}
