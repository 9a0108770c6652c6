import { describe, expect, it } from "vitest";
import { loadDigits, permutation, spirals } from "../src/index.js";

describe("datasets", () => {
  it("loads the 1797 digits with scikit-learn's first rows", async () => {
    const d = await loadDigits();
    expect(d.count).toBe(1797);
    expect(Array.from(d.images.slice(0, 8))).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
    expect(d.labels[0]).toBe(0);
    expect(d.labels[1]).toBe(1);
    expect(Math.max(...d.images)).toBe(16);
    const counts = new Array(10).fill(0);
    for (const l of d.labels) counts[l]++;
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  });

  it("permutations are deterministic and complete", () => {
    const p = permutation(100, 7);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(permutation(100, 7))).toEqual(Array.from(p));
    expect(Array.from(permutation(100, 8))).not.toEqual(Array.from(p));
  });

  it("spirals are deterministic", () => {
    const a = spirals(50, 3, 1);
    expect(a.count).toBe(150);
    expect(Array.from(spirals(50, 3, 1).points)).toEqual(Array.from(a.points));
  });
});
