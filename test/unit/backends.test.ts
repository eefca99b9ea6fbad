/**
 * The two kernel backends, held against each other: the WebAssembly SIMD kernels (gemm, the
 * LSTM/GRU/RNN gate kernels, e^x/σ/tanh) against the TypeScript reference kernels, plus the
 * arena's safety rules. The PyTorch fixture suites run under both backends (vitest projects
 * "unit" with SEQLAB_BACKEND=wasm and "unit-js" with SEQLAB_BACKEND=js); the first test here
 * checks that this process really runs what its project says.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  Adam, AdamW, GRU, LSTM, RNN, Generator, crossEntropy, getBackend, getThreads, randn, setBackend, setThreads, sum, usingWasm, type BackendName, type Tensor,
} from "../../src/index.js";
import { gemm, gemmJs, productCounts } from "../../src/kernels/gemm.js";
import { recycleStats } from "../../src/kernels/recycle.js";
import { splitSpec, wasmRuntime, type KernelExports, type WasmRuntime } from "../../src/kernels/wasm.js";

const startedWith = getBackend();
afterEach(() => setBackend(startedWith));

function runtime(): WasmRuntime {
  const rt = wasmRuntime();
  if (!rt) throw new Error("the WebAssembly kernels did not load in Node");
  return rt;
}

it("runs on the backend its vitest project names (the fixture suites run under both)", () => {
  const env = process.env["SEQLAB_BACKEND"];
  expect(["wasm", "js"]).toContain(env);
  expect(getBackend()).toBe(env);
  expect(usingWasm()).toBe(env === "wasm");
});

it("setBackend rejects unknown names and switches the kernels", () => {
  expect(() => setBackend("gpu" as BackendName)).toThrow(TypeError);
  expect(() => setBackend("gpu" as BackendName)).toThrow('expected "auto", "wasm" or "js", got "gpu"');
  setBackend("js");
  expect(usingWasm()).toBe(false);
  setBackend("wasm");
  expect(usingWasm()).toBe(true);
  setBackend("auto");
  expect(usingWasm()).toBe(true);
});

/** Random float32 data from a seeded generator. */
function data(n: number, seed: number): Float32Array {
  const gen = new Generator(seed);
  const out = new Float32Array(n);
  for (let q = 0; q < n; q++) out[q] = gen.normal();
  return out;
}

describe("gemm: WebAssembly against the TypeScript reference", () => {
  /** Both products of one case, and the float32 error bound Σ_k |a||b| · 2⁻²² (roundings of a K-term sum). */
  function compare(M: number, N: number, K: number, transA: boolean, transB: boolean, accumulate: boolean, seed: number) {
    const aOff = 3, bOff = 5, cOff = 7; // offsets, as the time loops use them
    const A = data(aOff + M * K, seed), B = data(bOff + K * N, seed + 1), C0 = data(cOff + M * N, seed + 2);
    const ref = C0.slice(), got = C0.slice(), bound = new Float64Array(C0.length);
    gemmJs(M, N, K, A, aOff, transA, B, bOff, transB, ref, cOff, accumulate);
    setBackend("wasm");
    gemm(M, N, K, A, aOff, transA, B, bOff, transB, got, cOff, accumulate);
    const absA = A.map(Math.abs), absB = B.map(Math.abs);
    gemmJs(M, N, K, absA, aOff, transA, absB, bOff, transB, bound, cOff, false);
    let worst = 0;
    for (let q = 0; q < C0.length; q++) {
      const tol = (bound[q]! + (accumulate ? Math.abs(C0[q]!) : 0)) * 2 ** -21 + 1e-30;
      worst = Math.max(worst, Math.abs(got[q]! - ref[q]!) / tol);
    }
    return { got, ref, worst };
  }

  it("agrees to float32 rounding on random shapes, layouts and offsets (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 41 }), fc.integer({ min: 1, max: 300 }),
        fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1000 }),
        (M, N, K, tA, tB, acc, seed) => compare(M, N, K, tA, tB, acc, seed).worst <= 1,
      ),
      { numRuns: 150 },
    );
  });

  it("handles the blocking edges: K past one 256-row panel, N past one 512-column block, ragged tiles", () => {
    for (const [M, N, K] of [[5, 530, 300], [64, 1030, 513], [3, 9, 257]] as const) {
      for (const tB of [false, true]) {
        const { worst, got } = compare(M, N, K, false, tB, true, M + N + K);
        expect(worst, `${M}×${N}×${K} transB=${tB}`).toBeLessThanOrEqual(1);
        expect(got.every(Number.isFinite)).toBe(true);
      }
    }
  });

  it("K = 0 writes zeros (or leaves C) like the reference", () => {
    const C = new Float32Array(12).fill(5);
    setBackend("wasm");
    gemm(3, 4, 0, new Float32Array(0), 0, false, new Float32Array(0), 0, false, C, 0, true);
    expect([...C]).toEqual(Array(12).fill(5));
    gemm(3, 4, 0, new Float32Array(0), 0, false, new Float32Array(0), 0, false, C, 0, false);
    expect([...C]).toEqual(Array(12).fill(0));
  });
});

describe("e^x, σ and tanh on four lanes", () => {
  const grid: number[] = [0, -0, 1e-8, -1e-8, 1e-3, -0.3, 0.6249, 0.6251, -0.6251, 2, -5, 9.5, 20, -30, 87, -87, 88.5, -100, 100];
  for (let x = -12; x <= 12; x += 0.0625) grid.push(x);
  while (grid.length % 4) grid.push(0);

  function map(f: number, xs: readonly number[]): Float32Array {
    const rt = runtime();
    return rt.scope(2 * xs.length, () => {
      const src = rt.alloc(xs.length), dst = rt.alloc(xs.length);
      src.set(xs);
      rt.exports.mapUnary(xs.length, rt.addr(src), rt.addr(dst), f);
      return dst.slice();
    });
  }

  it("σ and tanh are within 2 float32 ulps of the double-precision values; tanh keeps tiny inputs' digits", () => {
    const sig = map(1, grid), th = map(2, grid);
    grid.forEach((x0, q) => {
      const x = Math.fround(x0);
      const s = 1 / (1 + Math.exp(-x)), t = Math.tanh(x);
      expect(Math.abs(sig[q]! - s), `σ(${x})`).toBeLessThanOrEqual(2 * 2 ** -24 * Math.max(Math.abs(s), 2 ** -30) + 1e-38);
      expect(Math.abs(th[q]! - t), `tanh(${x})`).toBeLessThanOrEqual(2 * 2 ** -24 * Math.max(Math.abs(t), 2 ** -126));
    });
  });

  it("e^x is within 2 ulps on [−87, 88] and NaN stays NaN", () => {
    const xs = grid.filter((x) => x >= -87 && x <= 88);
    while (xs.length % 4) xs.push(0);
    const e = map(0, xs);
    xs.forEach((x0, q) => {
      const want = Math.exp(Math.fround(x0));
      expect(Math.abs(e[q]! - want) / want, `exp(${x0})`).toBeLessThanOrEqual(2 * 2 ** -24);
    });
    const nan = map(1, [NaN, 1, NaN, -1]);
    expect(Number.isNaN(nan[0])).toBe(true);
    expect(nan[1]).toBeCloseTo(0.7311, 4);
    expect(Number.isNaN(map(2, [NaN, 0, 0, 0])[0])).toBe(true);
  });
});

describe("recurrent layers: WebAssembly gate kernels against the TypeScript cells", () => {
  type Build = () => LSTM | GRU | RNN;
  const cases: [string, Build, { lengths?: number[] }][] = [
    ["LSTM", () => new LSTM({ inputSize: 5, hiddenSize: 8 }), {}],
    ["LSTM projSize, 2 layers, bidirectional, lengths", () => new LSTM({ inputSize: 5, hiddenSize: 12, projSize: 4, numLayers: 2, bidirectional: true }), { lengths: [7, 3, 5] }],
    ["GRU (PyTorch)", () => new GRU({ inputSize: 5, hiddenSize: 8 }), {}],
    ["GRU reset before", () => new GRU({ inputSize: 5, hiddenSize: 8, resetPosition: "before" }), {}],
    ["GRU textbook update", () => new GRU({ inputSize: 5, hiddenSize: 8, updateConvention: "textbook" }), {}],
    ["GRU both variants, bidirectional, lengths", () => new GRU({ inputSize: 5, hiddenSize: 8, resetPosition: "before", updateConvention: "textbook", bidirectional: true }), { lengths: [2, 7, 6] }],
    ["RNN tanh, 2 layers", () => new RNN({ inputSize: 5, hiddenSize: 16, numLayers: 2 }), {}],
    ["RNN relu, no bias", () => new RNN({ inputSize: 5, hiddenSize: 8, nonlinearity: "relu", bias: false }), {}],
  ];

  /** Output, h_n and every gradient of a fixed weighted loss, on one backend. */
  function run(build: Build, opts: { lengths?: number[] }, backend: BackendName): Map<string, Float32Array> {
    setBackend(backend);
    const m = build();
    const gen = new Generator(3);
    for (const p of m.parameters()) for (let q = 0; q < p.size; q++) p.data[q] = gen.normal() * 0.4;
    const x = randn([7, 3, 5], { generator: gen, requiresGrad: true });
    // One call shape for the three layer types (their forward overloads differ only in the state type).
    const forward = m.forward.bind(m) as unknown as (x: Tensor, h0: null, o: { lengths?: number[] }) => [Tensor, Tensor | [Tensor, Tensor]];
    const [out, state] = forward(x, null, opts);
    const hN = Array.isArray(state) ? state[0] : state;
    const R = randn(out.shape, { generator: gen });
    sum(out.mul(R)).add(sum(hN.mul(hN))).backward();
    const result = new Map<string, Float32Array>([["output", out.data as Float32Array], ["h_n", hN.data as Float32Array], ["grad x", x.grad!.data as Float32Array]]);
    for (const [name, p] of m.namedParameters()) result.set(`grad ${name}`, p.grad!.data as Float32Array);
    return result;
  }

  /** Counts calls of the runtime's kernels while `fn` runs. */
  function countKernelCalls(fn: () => void): Record<string, number> {
    const rt = runtime();
    const original = rt.exports;
    const counts: Record<string, number> = {};
    const counting = Object.fromEntries(Object.entries(original).map(([name, v]) => [
      name, typeof v === "function" ? (...args: number[]) => { counts[name] = (counts[name] ?? 0) + 1; return (v as (...a: number[]) => unknown)(...args); } : v,
    ])) as unknown as KernelExports;
    Object.defineProperty(rt, "exports", { value: counting, configurable: true });
    try {
      fn();
    } finally {
      Object.defineProperty(rt, "exports", { value: original, configurable: true });
    }
    return counts;
  }

  for (const [name, build, opts] of cases) {
    it(`${name}: output, h_n and all gradients agree to float32 rounding`, () => {
      let wasm!: Map<string, Float32Array>;
      const calls = countKernelCalls(() => { wasm = run(build, opts, "wasm"); });
      const kind = name.slice(0, name.indexOf(" ") < 0 ? name.length : name.indexOf(" ")).toLowerCase();
      // The layer really ran on the WebAssembly gate kernels, forward and backward.
      expect(Object.keys(calls).filter((k) => k.startsWith(kind) && k.includes("Forward")).length).toBeGreaterThan(0);
      expect(Object.keys(calls).filter((k) => k.startsWith(kind) && k.includes("Backward")).length).toBeGreaterThan(0);
      expect(calls["gemm"]).toBeGreaterThan(0);
      const js = run(build, opts, "js");
      expect([...wasm.keys()]).toEqual([...js.keys()]);
      for (const [key, w] of wasm) {
        const j = js.get(key)!;
        let worst = 0, scale = 0;
        for (let q = 0; q < w.length; q++) {
          worst = Math.max(worst, Math.abs(w[q]! - j[q]!));
          scale = Math.max(scale, Math.abs(j[q]!));
        }
        expect(worst, `${key} (largest value ${scale.toFixed(3)})`).toBeLessThanOrEqual(2e-6 * Math.max(1, scale));
      }
    });
  }

  it("NaN in the input comes out as NaN, not as finite garbage", () => {
    setBackend("wasm");
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 8 });
    const x = randn([4, 1, 2]);
    x.data[2] = NaN; // step 1
    const [out] = lstm.forward(x);
    const values = [...out.data];
    expect(values.slice(0, 8).every(Number.isFinite)).toBe(true);
    expect(values.slice(8).every(Number.isNaN)).toBe(true);
  });
});

describe("W_hh packed once per time loop", () => {
  // Each step's hidden-side products read the W_hh blocks the loop packed (the numbers are
  // those of the unpacked product: same strips, same micro-kernel; the PyTorch fixture suites
  // above run through this path). Counted per product: LSTM and RNN make one forward and one
  // backward per step, the GRU two of each (r and z together, then n).
  for (const [name, make, perStep] of [
    ["LSTM", (bidirectional: boolean) => new LSTM({ inputSize: 3, hiddenSize: 8, bidirectional }), 1],
    ["RNN", (bidirectional: boolean) => new RNN({ inputSize: 3, hiddenSize: 8, bidirectional }), 1],
    ["GRU", (bidirectional: boolean) => new GRU({ inputSize: 3, hiddenSize: 8, bidirectional }), 2],
    ["GRU, reset before", (bidirectional: boolean) => new GRU({ inputSize: 3, hiddenSize: 8, bidirectional, resetPosition: "before" }), 2],
  ] as const) {
    it(`${name}: every step's hidden product forward and backward reads the packed W_hh, in each direction`, () => {
      setBackend("wasm");
      const T = 7;
      for (const bidirectional of [false, true]) {
        const x = randn([T, 4, 3], { generator: new Generator(5), requiresGrad: true });
        const before = productCounts().packed;
        const layer: { forward(x: Tensor): [Tensor, ...unknown[]] } = make(bidirectional);
        const [out] = layer.forward(x);
        const forward = productCounts().packed - before;
        sum(out.mul(out)).backward();
        const all = productCounts().packed - before;
        const D = bidirectional ? 2 : 1;
        expect(forward).toBe(D * perStep * T);
        expect(all).toBe(2 * D * perStep * T);
      }
    });
  }

  it("on the TypeScript kernels nothing is packed", () => {
    setBackend("js");
    const before = productCounts().packed;
    const [out] = new LSTM({ inputSize: 3, hiddenSize: 8 }).forward(randn([5, 2, 3], { requiresGrad: true }));
    sum(out).backward();
    expect(productCounts().packed).toBe(before);
  });
});

describe("Adam and AdamW: the WebAssembly step against the TypeScript loop", () => {
  /** Five steps of `Opt` on three float32 parameters (one of a ragged length), on `backend`: the parameters and moments after. */
  function steps(backend: BackendName, Opt: typeof Adam, opts: ConstructorParameters<typeof Adam>[1]): Float32Array[] {
    setBackend(backend);
    const params = [4099, 64, 3].map((n, k) => {
      const p = randn([n], { generator: new Generator(60 + k), requiresGrad: true });
      return p;
    });
    const opt = new Opt(params, opts);
    const gen = new Generator(70);
    for (let t = 0; t < 5; t++) {
      for (const p of params) p.grad = randn([p.size], { generator: gen });
      opt.step();
    }
    return params.flatMap((p) => {
      const s = opt.state.get(p)!;
      return [p.data, s.expAvg.data, s.expAvgSq.data] as Float32Array[];
    });
  }

  for (const [name, Opt, opts] of [
    ["Adam", Adam, { lr: 0.01 }],
    ["Adam with weight decay", Adam, { lr: 0.01, weightDecay: 0.1, betas: [0.8, 0.99] as [number, number] }],
    ["AdamW", AdamW, { lr: 0.01, weightDecay: 0.05 }],
  ] as const) {
    it(`${name}: parameters and both moments agree to float32 rounding after five steps`, () => {
      const wasm = steps("wasm", Opt, opts);
      const js = steps("js", Opt, opts);
      // Float32 rounding at each array's scale: a parameter that passes near 0 keeps the
      // rounding error of the larger values it came from, in either implementation.
      wasm.forEach((a, i) => {
        let worst = 0, scale = 0;
        for (let q = 0; q < a.length; q++) {
          worst = Math.max(worst, Math.abs(a[q]! - js[i]![q]!));
          scale = Math.max(scale, Math.abs(js[i]![q]!));
        }
        expect(worst / scale, `array ${i}`).toBeLessThan(1e-6);
      });
      // The step moved the parameters (a test that would pass on a no-op would prove nothing).
      expect(wasm[0]!.some((v, q) => Math.abs(v - randn([4099], { generator: new Generator(60) }).data[q]!) > 1e-3)).toBe(true);
    });
  }

  it("under auto a small parameter stays on the TypeScript loop and a large one goes to WebAssembly: the same numbers either way", () => {
    const auto = steps("auto", Adam, { lr: 0.01 });
    const js = steps("js", Adam, { lr: 0.01 });
    // The 3-value parameter ran the very same TypeScript loop: bit for bit.
    for (const i of [6, 7, 8]) expect(auto[i]!.every((v, q) => Object.is(v, js[i]![q]))).toBe(true);
    for (let q = 0; q < auto[0]!.length; q++) expect(Math.abs(auto[0]![q]! - js[0]![q]!)).toBeLessThan(1e-5 * (1 + Math.abs(js[0]![q]!)));
  });
});

describe("cross-entropy: WebAssembly log-sum-exp and softmax against the TypeScript reference", () => {
  for (const [N, C] of [[300, 65], [257, 7], [64, 4]] as const) {
    it(`N = ${N}, C = ${C} (an ignored target, one row of huge logits): loss and gradient to float32 rounding`, () => {
      const run = (backend: BackendName): [number, Float32Array] => {
        setBackend(backend);
        const gen = new Generator(N + C);
        const logits = randn([N, C], { generator: gen, requiresGrad: true });
        for (let c = 0; c < C; c++) logits.data[5 * C + c] = 80 + c; // e^80 overflows float32 without the max shift
        const targets = Array.from({ length: N }, (_, i) => (i === 3 ? -100 : gen.randint(C)));
        const loss = crossEntropy(logits, targets);
        loss.backward();
        return [loss.item(), logits.grad!.data as Float32Array];
      };
      const [lw, gw] = run("wasm");
      const [lj, gj] = run("js");
      expect(Number.isFinite(lw)).toBe(true);
      expect(Math.abs(lw - lj)).toBeLessThanOrEqual(1e-6 * Math.abs(lj));
      let worst = 0;
      for (let q = 0; q < gj.length; q++) worst = Math.max(worst, Math.abs(gw[q]! - gj[q]!));
      expect(worst).toBeLessThanOrEqual(1e-8);
      expect([...gw.subarray(3 * C, 4 * C)].every((v) => v === 0)).toBe(true); // the ignored row
    });
  }
});

describe("the arena in WebAssembly memory", () => {
  it("training memory grows linearly with T and with B", () => {
    const rt = runtime();
    setBackend("wasm");
    const peak = (T: number, B: number): number => {
      const lstm = new LSTM({ inputSize: 8, hiddenSize: 32 });
      const x = randn([T, B, 8], { requiresGrad: true });
      rt.resetPeak();
      sum(lstm.forward(x)[0]).backward();
      return rt.peakBytes;
    };
    const base = peak(40, 8);
    // Doubling T or B doubles every per-step buffer; only the weights' share stays the same.
    for (const grown of [peak(80, 8), peak(40, 16)]) {
      expect(grown / base).toBeGreaterThan(1.7);
      expect(grown / base).toBeLessThanOrEqual(2.0);
    }
  });

  it("a product that finds no reserved room inside a scope falls back to TypeScript, with the right result", () => {
    const rt = runtime();
    setBackend("wasm");
    const A = data(40 * 30, 1), B = data(30 * 20, 2), C = new Float32Array(40 * 20), ref = new Float32Array(40 * 20);
    gemmJs(40, 20, 30, A, 0, false, B, 0, false, ref, 0, false);
    const before = rt.fallbacks;
    rt.scope(0, () => {
      rt.alloc(rt.room()); // use up every page already there
      gemm(40, 20, 30, A, 0, false, B, 0, false, C, 0, false);
    });
    expect(rt.fallbacks).toBe(before + 1);
    expect([...C]).toEqual([...ref]);
  });

  it("allocating past a scope's reservation is an error, never a view of detached memory", () => {
    const rt = runtime();
    expect(() => rt.scope(16, () => {
      rt.alloc(rt.room());
      rt.alloc(64);
    })).toThrow("beyond its reservation");
  });
});

describe("kept steps: given back after backward, as PyTorch frees saved tensors", () => {
  // T·B·4H = 64·32·4·128 floats of gates, (T + 1)·B·H of h and of c: each above the size worth reusing.
  const make = (): { lstm: LSTM; x: Tensor } => {
    const gen = new Generator(3);
    return { lstm: new LSTM({ inputSize: 8, hiddenSize: 128 }), x: randn([64, 32, 8], { generator: gen }) };
  };

  it("a second training step reuses the first step's arrays, with the same gradients as fresh ones", () => {
    setBackend("wasm");
    const { lstm, x } = make();
    const grads = (): number[] => {
      lstm.zeroGrad();
      sum(lstm.forward(x)[0]).backward();
      return [...lstm.parameters()[1]!.grad!.data];
    };
    const first = grads();
    const before = recycleStats();
    const second = grads();
    const after = recycleStats();
    // saved (i, f, g, o), h and c: three large arrays kept, all three reused.
    expect(after.reused - before.reused).toBe(3);
    expect(second).toEqual(first);
  });

  it("a second backward through the same forward pass is an error unless the first retained the graph", () => {
    for (const backend of ["wasm", "js"] as const) {
      setBackend(backend);
      const { lstm, x } = make();
      const loss = sum(lstm.forward(x)[0]);
      loss.backward();
      expect(() => loss.backward()).toThrow("the steps it saved were freed by the first backward (as in PyTorch); pass { retainGraph: true }");
      lstm.zeroGrad();
      const again = sum(lstm.forward(x)[0]);
      again.backward(undefined, { retainGraph: true });
      const once = [...lstm.parameters()[1]!.grad!.data];
      again.backward();
      // Gradients accumulate: twice the first.
      lstm.parameters()[1]!.grad!.data.forEach((g, k) => expect(g).toBeCloseTo(2 * once[k]!, 5));
    }
  });
});

describe("threads (Node worker threads on the shared WebAssembly memory)", () => {
  /** One training-sized LSTM forward and backward: every output and gradient, as arrays. */
  function lstmRun(): Float32Array[] {
    setBackend("wasm");
    const gen = new Generator(11);
    const lstm = new LSTM({ inputSize: 24, hiddenSize: 96 });
    for (const p of lstm.parameters()) for (let q = 0; q < p.size; q++) p.data[q] = gen.normal() * 0.2;
    const x = randn([10, 32, 24], { generator: gen, requiresGrad: true });
    const [out] = lstm.forward(x);
    sum(out.mul(out)).backward();
    return [out.data as Float32Array, x.grad!.data as Float32Array, ...lstm.parameters().map((p) => p.grad!.data as Float32Array)];
  }

  it("setThreads(2) starts a worker; results are bit-for-bit those of one thread; setThreads(1) goes back", async () => {
    const one = lstmRun();
    expect(await setThreads(2)).toBe(2);
    expect(getThreads()).toBe(2);
    const two = lstmRun();
    // Products big enough to split really were split: compare a large one too.
    const A = data(300 * 200, 5), B = data(200 * 170, 6), C1 = new Float32Array(300 * 170), C2 = new Float32Array(300 * 170);
    gemm(300, 170, 200, A, 0, false, B, 0, true, C2, 0, false);
    expect(await setThreads(1)).toBe(1);
    expect(getThreads()).toBe(1);
    gemm(300, 170, 200, A, 0, false, B, 0, true, C1, 0, false);
    expect(two.length).toBe(one.length);
    two.forEach((a, i) => expect(a.every((v, q) => Object.is(v, one[i]![q])), `array ${i}`).toBe(true));
    expect(C2.every((v, q) => Object.is(v, C1[q]))).toBe(true);
  });

  it("splits a product along C's longer side, in whole micro-kernel tiles, and not at all when C is too small", () => {
    // Wide C (a time step's h·W_hhᵀ, 32×1024): chunks of whole 8-column strips, 4 per thread.
    expect(splitSpec(32, 1024, 2)).toBe(128);
    // Tall C (dW_ih = dGxᵀ·x of char-medium's first layer, 1024×32): chunks of whole 4-row tiles.
    expect(splitSpec(1024, 32, 2)).toBe(-128);
    // Ragged sizes still give whole tiles, and the chunks cover C.
    const cols = splitSpec(30, 170, 2);
    expect(cols % 8).toBe(0);
    expect(cols * 8).toBeGreaterThanOrEqual(170);
    const rows = -splitSpec(301, 20, 2);
    expect(rows % 4).toBe(0);
    expect(rows * 8).toBeGreaterThanOrEqual(301);
    // Too narrow for one strip per thread and too short for one tile per thread: one thread.
    expect(splitSpec(6, 12, 2)).toBe(0);
  });

  it("split by rows and by columns, ragged, accumulating or not, products are bit-for-bit those of one thread", async () => {
    const shapes: [number, number, number, boolean, boolean][] = [
      [1030, 36, 300, true, false], // tall: split by rows (dGxᵀ·x)
      [36, 1030, 300, false, true], // wide: split by columns (h·W_hhᵀ)
      [301, 298, 77, false, false], // square and ragged
    ];
    setBackend("wasm");
    const run = (): Float32Array[] => shapes.map(([M, N, K, tA, tB], s) => {
      const C = data(M * N, 40 + s);
      gemm(M, N, K, data(M * K, 20 + s), 0, tA, data(K * N, 30 + s), 0, tB, C, 0, s === 1);
      return C;
    });
    const one = run();
    expect(await setThreads(2)).toBe(2);
    const two = run();
    expect(await setThreads(1)).toBe(1);
    two.forEach((c, s) => expect(c.every((v, q) => Object.is(v, one[s]![q])), `shape ${s}`).toBe(true));
    // And they are the products: against the TypeScript reference to float32 rounding.
    shapes.forEach(([M, N, K, tA, tB], s) => {
      const C = data(M * N, 40 + s);
      gemmJs(M, N, K, data(M * K, 20 + s), 0, tA, data(K * N, 30 + s), 0, tB, C, 0, s === 1);
      let worst = 0;
      for (let q = 0; q < C.length; q++) worst = Math.max(worst, Math.abs(C[q]! - one[s]![q]!) / (1 + Math.abs(C[q]!)));
      expect(worst, `shape ${s}`).toBeLessThan(1e-4);
    });
  });

  it("rejects a thread count below 1", async () => {
    await expect(setThreads(0)).rejects.toThrow("setThreads: expected a count ≥ 1, got 0");
    await expect(setThreads(Number.NaN)).rejects.toThrow(RangeError);
  });
});
