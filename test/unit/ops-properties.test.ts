/**
 * Property tests (fast-check) of the shape rules: broadcasting, reshape/permute round trips,
 * reductions, softmax invariants, matmul against a naive triple loop, cat/narrow.
 * The reference computations here are written index by index, independently of src/ops.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Generator, ShapeError, Tensor, add, broadcastShapes, cat, expand, logSoftmax, matmul, mul, narrow, permute, randn,
  reshape, softmax, sum, tensor,
} from "../../src/index.js";

const runs = { numRuns: 150 };
/** Small shapes: up to 4 dims of size 1..4. */
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

const numel = (shape: readonly number[]): number => shape.reduce((p, q) => p * q, 1);
const randTensor = (shape: readonly number[], seed: number): Tensor =>
  randn(shape, { dtype: "float64", generator: new Generator(seed) });

/** The multi-index of flat position k in a row-major array of `shape`. */
function unravel(k: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return index;
}

/** The flat position of a multi-index in a row-major array of `shape`. */
function ravel(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((flat, i, d) => flat * shape[d]! + i, 0);
}

/** NumPy's rule, spelled out: pad with leading 1s, then each pair is equal or contains a 1. */
function numpyBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const pa = [...new Array<number>(n - a.length).fill(1), ...a];
  const pb = [...new Array<number>(n - b.length).fill(1), ...b];
  const out: number[] = [];
  for (let d = 0; d < n; d++) {
    if (pa[d] === pb[d] || pb[d] === 1) out.push(pa[d]!);
    else if (pa[d] === 1) out.push(pb[d]!);
    else return null;
  }
  return out;
}

/** Repeats `t` to `shape` by reading, for every output index, the input index with size-1 dims pinned to 0. */
function expandNaive(t: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - t.ndim;
  const data = Float64Array.from({ length: numel(shape) }, (_, k) => {
    const index = unravel(k, shape).slice(lead).map((i, d) => (t.shape[d] === 1 ? 0 : i));
    return t.data[ravel(index, t.shape)]!;
  });
  return tensor(data, { shape });
}

function expectAllClose(actual: Tensor, expected: Tensor, tol = 1e-12): void {
  expect([...actual.shape]).toEqual([...expected.shape]);
  for (let k = 0; k < actual.size; k++) expect(Math.abs(actual.data[k]! - expected.data[k]!)).toBeLessThanOrEqual(tol);
}

/** Two shapes that broadcast: both derived from one base shape by dropping leading dims and setting some sizes to 1. */
const compatiblePairArb = shapeArb.chain((base) =>
  fc.tuple(
    ...[0, 1].map(() =>
      fc.tuple(fc.integer({ min: 0, max: base.length }), fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }))
        .map(([drop, ones]) => base.map((n, d) => (ones[d] ? 1 : n)).slice(drop)),
    ),
  ),
);

describe("broadcasting", () => {
  it("broadcastShapes equals NumPy's rule, is symmetric, and throws exactly when NumPy would", () => {
    fc.assert(
      fc.property(shapeArb, shapeArb, (a, b) => {
        const expected = numpyBroadcast(a, b);
        if (expected === null) {
          expect(() => broadcastShapes(a, b)).toThrow(ShapeError);
          expect(() => broadcastShapes(b, a)).toThrow(ShapeError);
        } else {
          expect(broadcastShapes(a, b)).toEqual(expected);
          expect(broadcastShapes(b, a)).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("add with broadcasting equals add of explicitly expanded tensors (both orders)", () => {
    fc.assert(
      fc.property(compatiblePairArb, seedArb, ([sa, sb], seed) => {
        const a = randTensor(sa, seed);
        const b = randTensor(sb, seed + 1);
        const shape = numpyBroadcast(sa, sb)!;
        const explicit = add(expandNaive(a, shape), expandNaive(b, shape));
        expectAllClose(add(a, b), explicit, 0);
        expectAllClose(add(b, a), explicit, 0);
        expectAllClose(expand(a, shape), expandNaive(a, shape), 0);
      }),
      runs,
    );
  });

  it("the gradient of a broadcast operand is the output gradient summed over its broadcast dims", () => {
    fc.assert(
      fc.property(compatiblePairArb, seedArb, ([sa, sb], seed) => {
        const a = randTensor(sa, seed).requiresGrad_();
        const b = randTensor(sb, seed + 1);
        const shape = numpyBroadcast(sa, sb)!;
        const R = randTensor(shape, seed + 2);
        sum(mul(add(a, b), R)).backward();
        // Σ over every output position that reads a given element of a.
        const lead = shape.length - sa.length;
        const expected = new Float64Array(a.size);
        for (let k = 0; k < R.size; k++) {
          const index = unravel(k, shape).slice(lead).map((i, d) => (sa[d] === 1 ? 0 : i));
          expected[ravel(index, sa)]! += R.data[k]!;
        }
        expectAllClose(a.grad!, tensor(expected, { shape: sa }), 1e-12);
      }),
      runs,
    );
  });
});

describe("shape round trips", () => {
  it("permute then the inverse permutation gives the input back, and moves elements to permuted indices", () => {
    const arb = shapeArb.chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape.map((_, d) => d), { minLength: shape.length }), seedArb));
    fc.assert(
      fc.property(arb, ([shape, order, seed]) => {
        const x = randTensor(shape, seed);
        const p = permute(x, order);
        expect([...p.shape]).toEqual(order.map((d) => shape[d]));
        const inverse = order.map((_, d) => order.indexOf(d));
        expectAllClose(permute(p, inverse), x, 0);
        for (let k = 0; k < p.size; k++) {
          const out = unravel(k, p.shape);
          const index = shape.map((_, d) => out[order.indexOf(d)]!);
          expect(p.data[k]).toBe(x.data[ravel(index, shape)]);
        }
      }),
      runs,
    );
  });

  it("reshape to any shape with the same size (with or without -1) and back is the identity", () => {
    const arb = fc.tuple(shapeArb, shapeArb, fc.nat(), seedArb).filter(([a, b]) => numel(a) % numel(b) === 0);
    fc.assert(
      fc.property(arb, ([shape, part, slot, seed]) => {
        const x = randTensor(shape, seed);
        // A shape with the same number of elements: `part`'s sizes plus one -1 for the rest.
        const at = slot % (part.length + 1);
        const y = reshape(x, [...part.slice(0, at), -1, ...part.slice(at)]);
        expect([...y.shape]).toEqual([...part.slice(0, at), numel(shape) / numel(part), ...part.slice(at)]);
        expect(y.toList()).toEqual(x.toList());
        expectAllClose(reshape(y, shape), x, 0);
      }),
      runs,
    );
  });

  it("cat then narrow gives back the parts", () => {
    const arb = shapeArb
      .filter((s) => s.length > 0)
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.integer({ min: -shape.length, max: shape.length - 1 }),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
          seedArb,
        ),
      );
    fc.assert(
      fc.property(arb, ([shape, dim, sizes, seed]) => {
        const d = dim < 0 ? dim + shape.length : dim;
        const parts = sizes.map((n, k) => randTensor(shape.map((s, j) => (j === d ? n : s)), seed + k));
        const whole = cat(parts, dim);
        expect(whole.shape[d]).toBe(sizes.reduce((p, q) => p + q, 0));
        let start = 0;
        for (const [k, part] of parts.entries()) {
          expectAllClose(narrow(whole, dim, start, sizes[k]!), part, 0);
          start += sizes[k]!;
        }
      }),
      runs,
    );
  });
});

describe("reductions and softmax", () => {
  it("sum over all dims equals the sum of sums over one dim, over a dim list, and of plain values", () => {
    const arb = shapeArb.filter((s) => s.length > 0).chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), seedArb));
    fc.assert(
      fc.property(arb, ([shape, dim, seed]) => {
        const x = randTensor(shape, seed);
        const total = x.toList().reduce((p, q) => p + q, 0);
        expect(Math.abs(sum(x).item() - total)).toBeLessThan(1e-12);
        expect(Math.abs(sum(sum(x, dim)).item() - total)).toBeLessThan(1e-12);
        expect(Math.abs(sum(sum(x, dim - shape.length, true)).item() - total)).toBeLessThan(1e-12);
        expect(Math.abs(sum(x, shape.map((_, d) => d)).item() - total)).toBeLessThan(1e-12);
        const kept = sum(x, dim, true);
        expect([...kept.shape]).toEqual(shape.map((n, d) => (d === dim ? 1 : n)));
      }),
      runs,
    );
  });

  it("softmax lines sum to 1, are invariant to adding a constant, and exp(logSoftmax) = softmax", () => {
    const arb = shapeArb
      .filter((s) => s.length > 0)
      .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: -shape.length, max: shape.length - 1 }), fc.double({ min: -500, max: 500, noNaN: true }), seedArb));
    fc.assert(
      fc.property(arb, ([shape, dim, c, seed]) => {
        const x = mul(randTensor(shape, seed), 10);
        const p = softmax(x, dim);
        for (const v of sum(p, dim).toList()) expect(Math.abs(v - 1)).toBeLessThan(1e-12);
        expectAllClose(softmax(add(x, c), dim), p, 1e-12);
        const lp = logSoftmax(x, dim);
        for (let k = 0; k < p.size; k++) expect(Math.abs(Math.exp(lp.data[k]!) - p.data[k]!)).toBeLessThan(1e-12);
      }),
      runs,
    );
  });
});

describe("matmul", () => {
  /** (..., M, K) @ (..., K, N) by three nested loops, batch dims broadcast as in NumPy. */
  function naiveMatmul(a: Tensor, b: Tensor): Tensor {
    const [M, K] = a.shape.slice(-2) as [number, number];
    const N = b.shape[b.ndim - 1]!;
    const batch = numpyBroadcast(a.shape.slice(0, -2), b.shape.slice(0, -2))!;
    const shape = [...batch, M, N];
    const out = new Float64Array(numel(shape));
    const pick = (t: Tensor, index: number[]): number => {
      const lead = index.length - t.ndim;
      return t.data[ravel(index.slice(lead).map((i, d) => (t.shape[d] === 1 && d < t.ndim - 2 ? 0 : i)), t.shape)]!;
    };
    for (let k = 0; k < out.length; k++) {
      const index = unravel(k, shape);
      const bi = index.slice(0, -2);
      const [i, j] = index.slice(-2) as [number, number];
      let s = 0;
      for (let l = 0; l < K; l++) s += pick(a, [...bi, i, l]) * pick(b, [...bi, l, j]);
      out[k] = s;
    }
    return tensor(out, { shape });
  }

  it("agrees with a naive triple loop, including broadcast batch dims", () => {
    const dims = fc.integer({ min: 1, max: 4 });
    const arb = fc.tuple(compatiblePairArb.filter(([p, q]) => p.length <= 2 && q.length <= 2), dims, dims, dims, seedArb);
    fc.assert(
      fc.property(arb, ([[ba, bb], M, K, N, seed]) => {
        const a = randTensor([...ba, M, K], seed);
        const b = randTensor([...bb, K, N], seed + 1);
        expectAllClose(matmul(a, b), naiveMatmul(a, b), 1e-12);
      }),
      runs,
    );
  });

  it("treats a 1-D operand as a row (first) or column (second) and drops that dim", () => {
    const dims = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(shapeArb.filter((s) => s.length <= 2), dims, dims, seedArb, (batch, K, N, seed) => {
        const v = randTensor([K], seed);
        const m = randTensor([...batch, K, N], seed + 1);
        expectAllClose(matmul(v, m), reshape(naiveMatmul(reshape(v, [1, K]), m), [...batch, N]), 1e-12);
        const w = randTensor([N], seed + 2);
        const mt = randTensor([...batch, K, N], seed + 3);
        expectAllClose(matmul(mt, w), reshape(naiveMatmul(mt, reshape(w, [N, 1])), [...batch, K]), 1e-12);
      }),
      runs,
    );
  });
});
