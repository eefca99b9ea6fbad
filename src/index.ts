/**
 * seqlab: sequence models you can look inside. The public API, grouped as `torch` / `torch.nn`.
 */
export * from "./errors.js";
export { Generator, manualSeed, defaultGenerator } from "./random.js";
export {
  Tensor, tensor, zeros, ones, full, randn, rand, noGrad, isGradEnabled, zeroGrad,
  type DType, type TypedData, type NestedArray, type TensorOptions, type GradNode,
} from "./tensor.js";
export * from "./ops/index.js";
export { Module, type StateDict, type StateValue, type FactoryOptions } from "./nn/module.js";
export { gemm } from "./kernels/gemm.js";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./inspect/gradcheck.js";
