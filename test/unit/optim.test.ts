import { describe, expect, it } from "vitest";
import {
  Adam, AdamW, Linear, NonFiniteError, SGD, Tensor, assertFinite, clipGradNorm, gradNorm, tensor,
  type DType, type Optimizer,
} from "../../src/index.js";
import { findNonFinite } from "../../src/optim/finite.js";
import { expectClose, fromFixture, loadFixture, type Fixture } from "./pytorch-fixtures.js";

const DTYPES: DType[] = ["float64", "float32"];

function makeOptimizer(run: Fixture, named: [string, Tensor][]): Optimizer {
  const h = run.hyperparams;
  switch (run.optimizer) {
    case "SGD":
      return new SGD(named, { lr: h.lr, momentum: h.momentum, dampening: h.dampening, nesterov: h.nesterov, weightDecay: h.weight_decay });
    case "Adam":
      return new Adam(named, { lr: h.lr, betas: h.betas, eps: h.eps, weightDecay: h.weight_decay });
    case "AdamW":
      return new AdamW(named, { lr: h.lr, betas: h.betas, eps: h.eps, weightDecay: h.weight_decay });
    default:
      throw new Error(`unknown optimizer ${run.optimizer}`);
  }
}

describe("optimisers match PyTorch 1.13 (optim_sgd_adam_adamw)", () => {
  const f = loadFixture("optim_sgd_adam_adamw");
  it("has every run the README lists", () => {
    expect(f.runs.map((r: Fixture) => r.optimizer)).toEqual(["SGD", "SGD", "SGD", "SGD", "SGD", "Adam", "Adam", "AdamW", "AdamW"]);
  });

  for (const run of f.runs as Fixture[]) {
    for (const dtype of DTYPES) {
      it(`${run.name} (${dtype}): params after each step and state after the last`, () => {
        const names: string[] = f.param_names;
        const named = names.map((n): [string, Tensor] => [n, fromFixture(f.params0[n], dtype, true)]);
        const opt = makeOptimizer(run, named);
        const steps: Fixture[] = dtype === "float64" ? run.params_after_step : run.float32.params_after_step;
        expect(steps.length).toBe(f.steps);
        steps.forEach((expected, k) => {
          for (const [n, p] of named) p.grad = fromFixture(f.grads[n], dtype);
          expect(opt.step()).toBe(true);
          for (const [n, p] of named) expectClose(p, expected[n], dtype, `${n} after step ${k + 1}`);
        });
        if (dtype === "float32") return; // the float32 section records parameters only
        for (const [n, p] of named) {
          const ref = run.state_after_last_step[n];
          const state = opt.state.get(p) as Record<string, unknown>;
          if ("momentum_buffer" in ref) {
            if (ref.momentum_buffer === null) expect(state.momentumBuffer).toBeNull();
            else expectClose(state.momentumBuffer as Tensor, ref.momentum_buffer, dtype, `${n} momentumBuffer`);
          } else {
            expect(state.step).toBe(ref.step);
            expectClose(state.expAvg as Tensor, ref.exp_avg, dtype, `${n} expAvg`);
            expectClose(state.expAvgSq as Tensor, ref.exp_avg_sq, dtype, `${n} expAvgSq`);
          }
        }
      });
    }
  }

  it("AdamW defaults to weightDecay 1e-2, Adam to 0", () => {
    const p = tensor([1], { requiresGrad: true });
    expect(new AdamW([p]).weightDecay).toBe(1e-2);
    expect(new Adam([p]).weightDecay).toBe(0);
    expect(new Adam([p]).lr).toBe(1e-3);
  });
});

describe("clipGradNorm matches PyTorch (clip_grad_norm)", () => {
  const f = loadFixture("clip_grad_norm");
  it("has a clipped and an unchanged case", () => {
    expect(f.cases.map((c: Fixture) => c.clipped)).toEqual([true, false]);
  });
  for (const c of f.cases as Fixture[]) {
    for (const dtype of DTYPES) {
      it(`${c.name} (${dtype}): total norm before clipping and grads after`, () => {
        const ref = dtype === "float64" ? c : c.float32;
        const params = (f.param_names as string[]).map((n) => {
          const p = fromFixture(f.cases[0].grads_before[n], dtype, true); // values unused; shape matters
          p.grad = fromFixture(c.grads_before[n], dtype);
          return p;
        });
        const total = clipGradNorm(params, c.max_norm, c.norm_type);
        expect(Math.abs(total - ref.total_norm) / ref.total_norm).toBeLessThanOrEqual(dtype === "float64" ? 1e-12 : 1e-6);
        (f.param_names as string[]).forEach((n, k) => expectClose(params[k]!.grad, ref.grads_after[n], dtype, `grad ${n}`));
        expect(gradNorm(params)).toBeCloseTo(c.clipped ? c.max_norm : c.total_norm, 5);
      });
    }
  }

  it("skips parameters without a gradient and supports the max norm", () => {
    const a = tensor([3, -4], { dtype: "float64", requiresGrad: true });
    const b = tensor([1], { dtype: "float64", requiresGrad: true });
    a.grad = tensor([3, -4], { dtype: "float64" });
    expect(gradNorm([a, b])).toBe(5);
    expect(gradNorm([a, b], Infinity)).toBe(4);
  });
});

describe("a step never trains on NaN/Inf", () => {
  function model(): { layer: Linear; opt: Optimizer; before: number[][] } {
    const layer = new Linear({ inFeatures: 2, outFeatures: 2, dtype: "float64" });
    for (const p of layer.parameters()) p.grad = tensor(new Float64Array(p.size).fill(0.5), { shape: p.shape });
    return { layer, opt: new Adam(layer, { lr: 0.1 }), before: layer.parameters().map((p) => p.toList()) };
  }

  it("throws NonFiniteError naming the parameter and step, leaving every parameter unchanged", () => {
    const { layer, opt, before } = model();
    opt.step();
    const afterFirst = layer.parameters().map((p) => p.toList());
    expect(afterFirst).not.toEqual(before);
    layer.bias!.grad!.data[1] = NaN;
    expect(() => opt.step()).toThrow(NonFiniteError);
    expect(() => opt.step()).toThrow(/step 3: the gradient of bias is NaN at flat index 1/);
    expect(layer.parameters().map((p) => p.toList())).toEqual(afterFirst);
    expect((opt.state.get(layer.weight) as { step: number }).step).toBe(1);
  });

  it("finds NaN, Infinity and -Infinity at every position (each of the scan's four lanes and the tail), and the first of two", () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (let at = 0; at < 11; at++) {
        const data = new Float32Array(11).fill(1e38);
        data[at] = bad;
        expect(findNonFinite(data), `${bad} at ${at}`).toEqual({ index: at, value: bad });
      }
    }
    const two = new Float64Array([0, 1, Infinity, 3, NaN]);
    expect(findNonFinite(two)).toEqual({ index: 2, value: Infinity });
    expect(findNonFinite(new Float32Array([-3.4e38, 3.4e38, 0, -0, 1e-45]))).toBeNull();
    expect(findNonFinite(new Float32Array(0))).toBeNull();
  });

  it("names plain-array parameters by position", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    p.grad = tensor([Infinity, 0]);
    expect(() => new SGD([p], { lr: 1 }).step()).toThrow(/params\[0\] is Infinity/);
  });

  it('onNonFinite: "skip" skips the step and reports it', () => {
    const { layer, before } = model();
    const opt = new SGD(layer.namedParameters(), { lr: 0.1, momentum: 0.9, onNonFinite: "skip" });
    layer.weight.grad!.data[3] = -Infinity;
    expect(opt.step()).toBe(false);
    expect(opt.skippedSteps).toBe(1);
    expect(opt.lastSkipReason).toMatch(/step 1: the gradient of weight is -Infinity at flat index 3/);
    expect(layer.parameters().map((p) => p.toList())).toEqual(before);
    layer.weight.grad!.data[3] = 0.5;
    expect(opt.step()).toBe(true);
    expect(layer.parameters().map((p) => p.toList())).not.toEqual(before);
    expect(opt.skippedSteps).toBe(1);
  });

  it("assertFinite names the tensor that is not finite", () => {
    expect(() => assertFinite(tensor(Infinity), "loss")).toThrow(NonFiniteError);
    expect(() => assertFinite(tensor(Infinity), "loss")).toThrow(/loss is Infinity/);
    expect(() => assertFinite(tensor([1, NaN]), "logits")).toThrow(/logits is NaN at flat index 1 of shape \(2,\)/);
    const ok = tensor(2);
    expect(assertFinite(ok, "loss")).toBe(ok);
  });
});
