// Backward refuses to run when a tensor it needs was changed after the forward pass (PyTorch's
// version counter, done here by digests because seqlab's data is a plain typed array).
import { describe, expect, it } from "vitest";
import { AutogradError, LSTM, Linear, SGD, manualSeed, randn, tensor } from "../../src/index.js";

describe("backward checks the tensors it saved", () => {
  it("refuses when an input that backward reads was written in place (the issue's a.data[0] = 100)", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([4, 5, 6], { requiresGrad: true });
    const y = a.mul(b).sum();
    a.data[0] = 100;
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward()).toThrow(/input 1 of mul \(float32, shape \(3,\)\) was changed after the forward pass/);
    // Nothing was accumulated by the refused backward.
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it("notices a change to any one element, whichever lane of the digest it falls in, and a swap of two", () => {
    for (let at = 0; at < 7; at++) {
      const a = tensor([1, 2, 3, 4, 5, 6, 7], { requiresGrad: true });
      const y = a.mul(a).sum();
      a.data[at] = a.data[at]! + 1e-6;
      expect(() => y.backward(), `element ${at}`).toThrow(/input 1 of mul/);
    }
    const a = tensor([1, 2, 3, 4, 5, 6, 7, 8], { requiresGrad: true });
    const y = a.mul(a).sum();
    [a.data[0], a.data[1]] = [a.data[1]!, a.data[0]!];
    expect(() => y.backward()).toThrow(/was changed after the forward pass/);
  });

  it("names an output changed in place (tanh's backward reads y)", () => {
    const x = tensor([[0.1, 0.2], [0.3, 0.4]], { dtype: "float64", requiresGrad: true });
    const y = x.tanh();
    const loss = y.sum();
    y.data[3] = 5;
    expect(() => loss.backward()).toThrow(/the output of tanh \(float64, shape \(2, 2\)\) was changed/);
  });

  it("does not refuse when the changed tensor is one backward does not read (add), and the gradient is right", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const y = a.add(b).sum();
    a.data[0] = -7;
    y.backward();
    expect(a.grad!.toList()).toEqual([1, 1]);
    expect(b.grad!.toList()).toEqual([1, 1]);
  });

  it("catches an optimizer step between forward and backward (the weight a linear layer saved)", () => {
    manualSeed(0);
    const lin = new Linear({ inFeatures: 3, outFeatures: 2 });
    const opt = new SGD(lin.parameters(), { lr: 0.1 });
    const loss = lin.forward(randn([4, 3])).pow(2).sum();
    loss.backward(undefined, { retainGraph: true }); // a first backward is fine
    expect(lin.weight.grad).not.toBeNull();
    opt.step();
    expect(() => loss.backward()).toThrow(/input 2 of linear \(float32, shape \(2, 3\)\) was changed/);
  });

  it("catches a change to an LSTM's input between forward and backward", () => {
    manualSeed(1);
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, batchFirst: true });
    const x = randn([1, 5, 2]);
    const [output] = lstm.forward(x);
    const loss = output.sum();
    x.data[7] += 1;
    expect(() => loss.backward()).toThrow(/input 1 of LSTM \(float32, shape \(1, 5, 2\)\) was changed/);
  });
});
