/**
 * Finite-difference gradient checking, for students' own cells as much as for seqlab's tests.
 * Compares the autograd gradient of L = Σ out ⊙ R (R fixed and random) with central
 * differences (L(x + ε) − L(x − ε)) / 2ε, one input value at a time.
 */
import { DTypeError } from "../errors.js";
import { Generator } from "../random.js";
import { Tensor, assertTensor, noGrad, type TypedData } from "../tensor.js";

export interface GradcheckOptions {
  /** Step of the central difference (default 1e-6). */
  eps?: number;
  /** Allowed |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 1e-5 and 1e-3, as PyTorch). */
  atol?: number;
  rtol?: number;
  /** Seed of the random projection R (default 0). */
  seed?: number;
  /** Throw on failure (default true); otherwise just return the report. */
  raiseException?: boolean;
}

export interface GradcheckMismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** The largest |analytic − numeric| over all checked values. */
  maxAbsError: number;
  /** How many input values were perturbed. */
  checked: number;
  mismatches: GradcheckMismatch[];
}

type Outputs = Tensor | readonly Tensor[];

function asList(out: Outputs): readonly Tensor[] {
  const list: unknown[] = out instanceof Tensor ? [out] : Array.isArray(out) ? out : [out];
  list.forEach((o, k) => assertTensor("gradcheck", list.length === 1 ? "what fn returns" : `output ${k} of fn`, o));
  return list as Tensor[];
}

/**
 * Checks the gradients of `fn` with respect to every input that requires grad. Inputs must be
 * float64 (float32 differences are too coarse to mean anything). `fn` may return one tensor or
 * several (e.g. `[output, hN]`); each gets its own random projection.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Outputs, inputs: readonly Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  for (const [k, t] of inputs.entries()) {
    if (t.requiresGrad && t.dtype !== "float64") {
      throw new DTypeError(`gradcheck: input ${k} is ${t.dtype}; use float64 inputs (tensor(..., { dtype: "float64" }))`);
    }
  }

  for (const t of inputs) t.grad = null;
  const outs = asList(fn(...inputs));
  const gen = new Generator(opts.seed ?? 0);
  const projections: TypedData[] = outs.map((o) => Float64Array.from({ length: o.size }, () => gen.normal()));
  const project = (list: readonly Tensor[]): number => {
    let s = 0;
    list.forEach((o, j) => {
      for (let k = 0; k < o.size; k++) s += o.data[k]! * projections[j]![k]!;
    });
    return s;
  };

  // Analytic: backpropagate Σ_j out_j ⊙ R_j by seeding each output with its R_j.
  outs.forEach((o, j) => {
    // Several outputs share one graph: keep it for the next backward.
    if (o.requiresGrad) o.backward(new Tensor(projections[j]!.slice() as Float64Array, o.shape), { retainGraph: true });
  });

  const mismatches: GradcheckMismatch[] = [];
  let maxAbsError = 0;
  let checked = 0;
  noGrad(() => {
    inputs.forEach((t, inputIndex) => {
      if (!t.requiresGrad) return;
      const analytic = t.grad?.data;
      for (let k = 0; k < t.size; k++) {
        const saved = t.data[k]!;
        t.data[k] = saved + eps;
        const plus = project(asList(fn(...inputs)));
        t.data[k] = saved - eps;
        const minus = project(asList(fn(...inputs)));
        t.data[k] = saved;
        const numeric = (plus - minus) / (2 * eps);
        const a = analytic ? analytic[k]! : 0;
        const err = Math.abs(a - numeric);
        maxAbsError = Math.max(maxAbsError, err);
        checked++;
        if (!(err <= atol + rtol * Math.abs(numeric))) {
          mismatches.push({ input: inputIndex, index: k, analytic: a, numeric });
        }
      }
    });
  });

  const result: GradcheckResult = { ok: mismatches.length === 0, maxAbsError, checked, mismatches };
  if (!result.ok && (opts.raiseException ?? true)) {
    const first = mismatches.slice(0, 5).map((m) => `input ${m.input}[${m.index}]: analytic ${m.analytic}, numeric ${m.numeric}`);
    throw new Error(`gradcheck failed for ${mismatches.length} of ${checked} values:\n  ${first.join("\n  ")}`);
  }
  return result;
}
