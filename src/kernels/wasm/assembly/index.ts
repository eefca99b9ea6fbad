// AssemblyScript entry: everything the WebAssembly backend exports (see src/kernels/wasm.ts).
export { gemm, gemmPacked, packRight, packedFloats, GEMM_WORK_FLOATS } from "./gemm";
export { peakMulAdd } from "./peak";
export { mapUnary } from "./math";
export { lstmForward, lstmBackward } from "./lstm";
export { rnnForward, rnnBackward } from "./rnn";
export { gruForwardRZ, gruForwardN, gruBackwardNZ, gruBackwardBefore, gruBackwardR } from "./gru";
export { addRowVector, addColumnSums } from "./rows";
export { rowMaxSumExp, scaledSoftmax } from "./softmax";
export { adamStep } from "./adam";
