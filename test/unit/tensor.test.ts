import { describe, expect, it } from "vitest";
import { ShapeError, Tensor, full, manualSeed, randn, tensor, zeros } from "../../src/index.js";

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

describe("tensor() and friends name what they got, and where", () => {
  it.each([
    ["a string", () => tensor("abc" as never), /tensor: expected numbers \(or nested lists of them\), got the string "abc"/],
    ["a null inside", () => tensor([1, null] as never), /tensor: expected numbers \(or nested lists of them\) at index \[1\], got null/],
    ["null", () => tensor(null as never), /got null/],
    ["an object", () => tensor({ a: 1 } as never), /got an object/],
    ["a boolean", () => tensor([true] as never), /at index \[0\], got the boolean true/],
    ["a bigint", () => tensor([1n] as never), /at index \[0\], got the bigint 1n/],
    ["a ragged list", () => tensor([[1, 2], [3]]), /ragged nested array: expected a list of 2 at index \[1\], got 1 elements/],
    ["a BigInt64Array", () => tensor(new BigInt64Array(2) as never), /a BigInt64Array holds 64-bit integers/],
    ["5,000-deep nesting", () => tensor(Array.from({ length: 5000 }).reduce<unknown>((inner) => [inner], 1) as never), /deeper than 64 levels/],
    ["an int32 dtype", () => tensor([1.7, 2], { dtype: "int32" as "float32" }), /dtype must be "float32" or "float64", got "int32"/],
    ["full with a string", () => full([2], "x" as never), /full: the fill value must be a number, got the string "x"/],
    ["manualSeed(NaN)", () => manualSeed(NaN), /manualSeed: the seed must be a whole number, got NaN/],
    ["manualSeed(\"abc\")", () => manualSeed("abc" as never), /manualSeed: the seed must be a whole number, got "abc"/],
  ] as [string, () => unknown, RegExp][])("%s", (_, make, message) => {
    expect(make).toThrow(message);
  });

  it("any numeric typed array is taken as a flat list, as torch.tensor takes it", () => {
    expect(tensor(new Int32Array([1, -2, 3])).toList()).toEqual([1, -2, 3]);
    expect(tensor(new Uint8Array([4, 5]), { dtype: "float64" }).toList()).toEqual([4, 5]);
  });
});
