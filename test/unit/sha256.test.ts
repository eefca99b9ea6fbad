import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/sha256.js";

describe("sha256", () => {
  it("equals Node's SHA-256 on the padding edges and on random UTF-8 text", () => {
    const node = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) expect(sha256("x".repeat(n))).toBe(node("x".repeat(n)));
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (s) => sha256(s) === node(s)));
  });
});
