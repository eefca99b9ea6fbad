import { describe, expect, it } from "vitest";
import {
  buildVocab, corpus, decode, encode, longRangeTask, nextTokenData, oneHot, recallTask, sentimentTask, splitSentences,
  taggingTask, tokenize,
} from "../../src/index.js";

describe("corpus", () => {
  it("tokenizes the lecture's corpus with '.' as its own token, vocabulary in first-occurrence order", () => {
    const c = corpus("I like pizza. I like cake.");
    expect(c.tokens).toEqual(["I", "like", "pizza", ".", "I", "like", "cake", "."]);
    expect(c.vocab).toEqual(["I", "like", "pizza", ".", "cake"]);
    expect(c.ids).toEqual([0, 1, 2, 3, 0, 1, 4, 3]);
    expect(decode(c.ids, c.vocab)).toEqual(c.tokens);
    expect(tokenize("  a,b!  c? ")).toEqual(["a", ",", "b", "!", "c", "?"]);
    expect(buildVocab(["b", "a", "b"])).toEqual(["b", "a"]);
  });

  it("encode/decode reject unknown tokens and ids, naming them", () => {
    expect(() => encode(["I", "hate"], ["I", "like"])).toThrow(/"hate" is not in the vocabulary \[I, like\]/);
    expect(() => decode([2], ["I", "like"])).toThrow(/id 2 is not in \[0, 1\]/);
  });

  it("splits sentences at '.'", () => {
    expect(splitSentences(tokenize("I like pizza. I like cake. I"))).toEqual([["I", "like", "pizza", "."], ["I", "like", "cake", "."], ["I"]]);
  });

  it("oneHot puts one 1 per id, rows of different tokens are orthogonal", () => {
    const t = oneHot([[0, 2], [1, 0]], 3);
    expect(t.shape).toEqual([2, 2, 3]);
    expect(t.toArray()).toEqual([[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [1, 0, 0]]]);
    expect(oneHot(1, 2).toArray()).toEqual([0, 1]);
    expect(oneHot([0], 2, { dtype: "float64" }).dtype).toBe("float64");
    expect(() => oneHot([0, 3], 3)).toThrow(/id 3 at flat position 1 is not in \[0, 2\]/);
    expect(() => oneHot([[0], [1, 2]], 3)).toThrow(/ragged/);
  });

  it("nextTokenData shifts by one and pads shorter sentences with −100 targets and zero inputs", () => {
    const { x, y, lengths } = nextTokenData([[0, 1, 2, 3], [0, 1]], 4);
    expect(lengths).toEqual([3, 1]);
    expect(x.shape).toEqual([2, 3, 4]);
    expect(y.toArray()).toEqual([[1, 2, 3], [1, -100, -100]]);
    expect(x.toArray()).toEqual([
      [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],
      [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
    ]);
    expect(() => nextTokenData([[0]], 2)).toThrow(/at least 2 tokens/);
  });
});

/** Token ids back from the one-hot x. */
const idsOf = (x: { shape: readonly number[]; data: ArrayLike<number> }): number[][] => {
  const [n, T, V] = x.shape as [number, number, number];
  return Array.from({ length: n }, (_, b) => Array.from({ length: T }, (_, t) => {
    const row = Array.from({ length: V }, (_, v) => x.data[(b * T + t) * V + v]!);
    expect(row.reduce((a, c) => a + c, 0)).toBe(1);
    return row.indexOf(1);
  }));
};

describe("tasks", () => {
  it("recallTask: the target is the token lag steps before the last; x is the one-hot of tokens", () => {
    const task = recallTask({ lag: 3, length: 7, vocab: 5, n: 50, seed: 1 });
    expect(task.x.shape).toEqual([50, 7, 5]);
    expect(task.y.shape).toEqual([50]);
    expect(idsOf(task.x)).toEqual(task.tokens);
    task.tokens.forEach((s, b) => expect(task.y.data[b]).toBe(s[7 - 1 - 3]));
    expect(recallTask({ lag: 4 }).x.shape).toEqual([256, 5, 4]);
    // Uniform tokens: every class shows up, chance near 1/vocab.
    expect(task.chance).toBeLessThan(0.45);
    expect(() => recallTask({ lag: 3, length: 3 })).toThrow(/length must be an integer ≥ lag \+ 1 = 4/);
  });

  it("tasks are deterministic in their seed and differ across seeds", () => {
    expect(recallTask({ lag: 2, seed: 5 }).tokens).toEqual(recallTask({ lag: 2, seed: 5 }).tokens);
    expect(recallTask({ lag: 2, seed: 5 }).tokens).not.toEqual(recallTask({ lag: 2, seed: 6 }).tokens);
    expect(taggingTask({ seed: 3 }).tokens).toEqual(taggingTask({ seed: 3 }).tokens);
    expect(sentimentTask({ seed: 3 }).tokens).toEqual(sentimentTask({ seed: 3 }).tokens);
    expect(longRangeTask({ distractors: 5, seed: 3 }).tokens).toEqual(longRangeTask({ distractors: 5, seed: 3 }).tokens);
  });

  it("longRangeTask: the first token, then distractors from the same set; label = the first token", () => {
    const task = longRangeTask({ distractors: 10, numClasses: 3, n: 40, seed: 2 });
    expect(task.x.shape).toEqual([40, 11, 3]);
    expect(task.classes).toEqual(["a", "b", "c"]);
    task.tokens.forEach((s, b) => expect(s[0]).toBe(task.y.data[b]));
    expect(task.tokens).toEqual(recallTask({ lag: 10, vocab: 3, n: 40, seed: 2 }).tokens);
  });

  it("taggingTask: every name is followed by a cue that decides PER or LOC; all else is O", () => {
    const task = taggingTask({ length: 9, entities: 2, n: 100 });
    expect(task.y.shape).toEqual([100, 9]);
    expect(task.classes).toEqual(["O", "PER", "LOC"]);
    const names = ["Jordan", "Georgia", "Paris", "Florence"];
    let perCount = 0;
    task.tokens.forEach((s, b) => {
      let entities = 0;
      s.forEach((id, t) => {
        const label = task.y.data[b * 9 + t]!;
        const entity = task.yEntities.data[b * 9 + t]!;
        if (names.includes(task.vocab[id]!)) {
          entities++;
          const cue = task.vocab[s[t + 1]!]!;
          expect(label).toBe(["said", "smiled"].includes(cue) ? 1 : 2);
          expect(["said", "smiled", "borders", "exports"]).toContain(cue);
          expect(entity).toBe(label);
          if (label === 1) perCount++;
        } else {
          expect(label).toBe(0);
          expect(entity).toBe(-100);
        }
      });
      expect(entities).toBe(2);
    });
    // Both readings occur, so the name alone cannot tell.
    expect(perCount).toBeGreaterThan(50);
    expect(perCount).toBeLessThan(150);
  });

  it("sentimentTask: polarity early, a final 'not' flips it", () => {
    const task = sentimentTask({ length: 10, n: 200 });
    expect(task.x.shape).toEqual([200, 10, task.vocab.length]);
    let negated = 0;
    task.tokens.forEach((s, b) => {
      const words = s.map((id) => task.vocab[id]!);
      const polar = words.slice(0, 3).filter((w) => ["good", "great", "fun", "bad", "dull", "awful"].includes(w));
      expect(polar).toHaveLength(1);
      const positive = ["good", "great", "fun"].includes(polar[0]!);
      const not = words[9] === "not";
      if (not) negated++;
      expect(words.slice(0, 9)).not.toContain("not");
      expect(task.y.data[b]).toBe(positive !== not ? 1 : 0);
    });
    expect(negated).toBeGreaterThan(60);
    expect(negated).toBeLessThan(140);
  });
});
