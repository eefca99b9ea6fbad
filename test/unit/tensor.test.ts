import { describe, expect, it } from "vitest";
import { ShapeError, Tensor, manualSeed, randn, tensor, zeros } from "../../src/index.js";

describe("Tensor basics", () => {
  it("infers shape from nested arrays and round-trips toArray", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("rejects ragged arrays naming where", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/index \[1\]/);
  });

  it("rejects data that does not fill the shape, naming both", () => {
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow(/5 elements.*\(2, 3\).*6/);
  });

  it("randn is reproducible under manualSeed and roughly standard normal", () => {
    manualSeed(42);
    const a = randn([2000], { dtype: "float64" });
    manualSeed(42);
    const b = randn([2000], { dtype: "float64" });
    expect(a.toList()).toEqual(b.toList());
    const mean = a.toList().reduce((s, v) => s + v, 0) / a.size;
    const variance = a.toList().reduce((s, v) => s + (v - mean) ** 2, 0) / a.size;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.1);
  });

  it("item() needs exactly one element", () => {
    expect(zeros([1]).item()).toBe(0);
    expect(() => zeros([2]).item()).toThrow(/\(2,\)/);
  });
});
