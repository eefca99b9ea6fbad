/**
 * The gate kernels: the elementwise part of one RNN, LSTM or GRU step on B batch rows of H
 * units (everything but the matrix products). Each kernel is declared once, in GATE_KERNELS:
 * its name, its arguments after (B, H) in the order of its AssemblyScript signature
 * (src/kernels/wasm/assembly/{lstm,gru,rnn}.ts; a test compares the two), and how far each
 * argument moves from one batch row to the next. From that one declaration come
 *   - the typed arguments of the TypeScript call (`GateArgs`: named, so no call matches by position),
 *   - the WebAssembly call (the addresses in declaration order),
 *   - the split of the rows between threads (threads.ts reads the strides).
 *
 * A step file defines each kernel's TypeScript reference next to its equations and wraps it with
 * `gateKernel` (backend.ts), which picks WebAssembly when the step's buffers live in its memory
 * and the reference otherwise. This file imports nothing at run time, so threads.ts can read it.
 */
import type { TypedData } from "../tensor.js";

/**
 * How an argument moves per batch row, in units of H values: 4 for a row of four gate blocks,
 * 1 for a state row, 0 for a vector every row shares (a bias, or none); "flag" is a 0/1 switch.
 */
export type ArgStride = number | "flag";

export const GATE_KERNELS = {
  lstmForward: { gx: 4, gh: 4, bias: 0, cPrev: 1, cNext: 1, saved: 4, m: 1 },
  lstmBackward: { saved: 4, cPrev: 1, cNext: 1, dm: 1, dcNext: 1, dGx: 4, dcPrev: 1 },
  rnnForward: { gx: 1, gh: 1, bias: 0, saved: 1, h: 1, relu: "flag" },
  rnnBackward: { saved: 1, h: 1, dh: 1, dGx: 1, relu: "flag" },
  gruForwardRZ: { gx: 3, ghRZ: 2, bias: 0, hPrev: 1, saved: 4, q: 1, resetAfter: "flag" },
  gruForwardN: { gx: 3, ghN: 1, bias: 0, hPrev: 1, saved: 4, hNext: 1, resetAfter: "flag", zKeepsOld: "flag" },
  gruBackwardNZ: {
    saved: 4, hPrev: 1, dhNext: 1, dhPrev: 1, dGx: 3, dGhRZ: 2, dGhN: 1, dr: 1, q: 1, resetAfter: "flag", zKeepsOld: "flag",
  },
  gruBackwardBefore: { saved: 4, hPrev: 1, dq: 1, dr: 1, dhPrev: 1 },
  gruBackwardR: { saved: 4, dr: 1, dGx: 3, dGhRZ: 2 },
} as const satisfies Record<string, Record<string, ArgStride>>;

export type GateName = keyof typeof GATE_KERNELS;

/** The most arguments a gate kernel takes after (B, H) (a thread's job slot holds that many). */
export const MAX_GATE_ARGS = 11;

/**
 * Where a kernel argument's first row starts: [array, offset]. A shared vector (stride 0) is an
 * array or null (none: a layer without biases).
 */
export type Rows = readonly [TypedData, number];

type ArgValue<S> = S extends "flag" ? boolean : S extends 0 ? TypedData | null : Rows;

/** The named arguments of gate kernel N, typed from its declaration. */
export type GateArgs<N extends GateName> = { readonly [A in keyof (typeof GATE_KERNELS)[N]]: ArgValue<(typeof GATE_KERNELS)[N][A]> };

/** A gate kernel as the steps call it (and as its TypeScript reference is written). */
export type GateKernel<N extends GateName> = (B: number, H: number, args: GateArgs<N>) => void;

/** A kernel's row strides in declaration order (null for a flag), for the thread split. */
export function rowStrides(name: GateName): readonly (number | null)[] {
  return Object.values(GATE_KERNELS[name] as Record<string, ArgStride>).map((s) => (s === "flag" ? null : s));
}
