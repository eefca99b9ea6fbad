/**
 * `Optimizer`: the base of SGD, Adam and AdamW, as `torch.optim.Optimizer`. It owns the list
 * of parameters (with their state-dict names, for error messages), the per-parameter state,
 * and the NaN/Inf guard that runs before every step.
 */
import { NonFiniteError } from "../errors.js";
import { Module } from "../nn/module.js";
import { Tensor, noGrad, type TypedData } from "../tensor.js";
import { findNonFinite } from "./finite.js";
import { oneOf } from "../options.js";

/** What an optimiser accepts: a module, `model.namedParameters()`, or plain tensors. */
export type ParamsInput = Module | Iterable<Tensor> | Iterable<readonly [string, Tensor]>;

export interface OptimizerOptions {
  /**
   * What `step()` does when a gradient holds NaN or ±Infinity: "throw" (default) a
   * NonFiniteError, or "skip" the step, count it in `skippedSteps` and keep the reason in
   * `lastSkipReason`. Either way no parameter changes.
   */
  onNonFinite?: "throw" | "skip";
}

/** Names and tensors from any `ParamsInput`; plain tensors are called "params[k]". */
export function namedParams(params: ParamsInput, where = "optimiser"): [string, Tensor][] {
  if (params instanceof Module) return params.namedParameters();
  if (params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
    throw new TypeError(`${where}: expected a model, model.parameters() or model.namedParameters(), got ${params === null ? "null" : typeof params}`);
  }
  return [...params].map((p, k): [string, Tensor] => {
    if (p instanceof Tensor) return [`params[${k}]`, p];
    if (Array.isArray(p) && p.length === 2 && typeof p[0] === "string" && p[1] instanceof Tensor) return [p[0], p[1]];
    throw new TypeError(`${where}: params[${k}] must be a Tensor (model.parameters() gives them) or a [name, Tensor] pair, got ${typeof p === "object" && p !== null ? (p as object).constructor?.name ?? "an object" : `${typeof p} ${String(p)}`}`);
  });
}

/**
 * Base class: subclasses implement `update(param, grad, state)` for one parameter; `step()`
 * checks every gradient first, then updates each parameter that has a gradient.
 * `S` is the per-parameter state (momentum buffers, Adam moments), kept in `state`.
 */
export abstract class Optimizer<S = unknown> {
  readonly params: Tensor[];
  readonly paramNames: string[];
  /** Per-parameter state, as PyTorch's `optimizer.state[p]`; filled in on the first step. */
  readonly state = new Map<Tensor, S>();
  readonly onNonFinite: "throw" | "skip";
  /** How many times `step()` was called (taken or skipped). */
  stepCalls = 0;
  /** Steps skipped because of a non-finite gradient (with `onNonFinite: "skip"`). */
  skippedSteps = 0;
  /** Why the last step was skipped, or null. */
  lastSkipReason: string | null = null;

  constructor(params: ParamsInput, opts: OptimizerOptions = {}) {
    const named = namedParams(params, new.target.name);
    if (named.length === 0) throw new Error(`${this.constructor.name}: got an empty list of parameters`);
    this.paramNames = named.map(([name]) => name);
    this.params = named.map(([, p]) => p);
    this.onNonFinite = oneOf(new.target.name, "onNonFinite", opts.onNonFinite, ["throw", "skip"], "throw");
  }

  /** Clears every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /**
   * Updates every parameter that has a gradient. Returns false if the step was skipped
   * because a gradient was not finite (only with `onNonFinite: "skip"`).
   */
  step(): boolean {
    this.stepCalls++;
    const problem = this.findNonFiniteGrad();
    if (problem) {
      if (this.onNonFinite === "throw") throw new NonFiniteError(problem);
      this.skippedSteps++;
      this.lastSkipReason = problem;
      return false;
    }
    noGrad(() => {
      this.params.forEach((p) => {
        if (p.grad) this.update(p, p.grad.data, this.state.get(p) ?? this.initState(p));
      });
    });
    // Finite gradients can still give non-finite parameters (a huge lr, an overflow): say so at
    // the step that did it, not many steps later as a NaN loss.
    for (const [k, p] of this.params.entries()) {
      const bad = findNonFinite(p.data);
      if (bad) throw new NonFiniteError(`step ${this.stepCalls}: the update made ${this.paramNames[k]} ${bad.value} at flat index ${bad.index} although every gradient was finite; lower lr or check the optimiser's settings`);
    }
    return true;
  }

  /** Describes the first non-finite gradient, or returns null if all are finite. */
  private findNonFiniteGrad(): string | null {
    for (const [k, p] of this.params.entries()) {
      const bad = p.grad ? findNonFinite(p.grad.data) : null;
      if (bad) {
        return `step ${this.stepCalls}: the gradient of ${this.paramNames[k]} is ${bad.value} at flat index ${bad.index}; ` +
          "no parameter was changed";
      }
    }
    return null;
  }

  private initState(p: Tensor): S {
    const s = this.createState(p);
    this.state.set(p, s);
    return s;
  }

  /** A fresh state for parameter `p`, created at its first update. */
  protected abstract createState(p: Tensor): S;

  /** Updates `p.data` in place from its gradient `g`. */
  protected abstract update(p: Tensor, g: TypedData, state: S): void;
}
