// AssemblyScript entry: everything the WebAssembly backend exports (see src/kernels/wasm.ts).
export { gemm, GEMM_WORK_FLOATS } from "./gemm";
export { peakMulAdd } from "./peak";
