import { describe, expect, it } from "vitest";
import { arange, cat, chunk, concat, flatten, flip, movedim, roll, split, stack, tensor, tril, triu, unbind, zeros } from "tensorgrad";

describe("views", () => {
  it("flatten / unflatten / permute / movedim share storage", () => {
    const x = arange(24).reshape(2, 3, 4);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(flatten(x, 0, 1).shape).toEqual([6, 4]);
    expect(x.unflatten(2, [2, -1]).shape).toEqual([2, 3, 2, 2]);
    const p = x.permute(2, 0, 1);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(x.permute([2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(p._raw.sharesStorage(x._raw)).toBe(true);
    expect(x.movedim(0, -1).shape).toEqual([3, 4, 2]);
    expect(movedim(x, [0, 1], [2, 0]).shape).toEqual([3, 4, 2]);
    expect(() => x.flatten(2, 1)).toThrow("flatten() has invalid args: start_dim cannot come after end_dim");
    expect(() => x.permute(0, 1)).toThrow("input.dim() = 3 is not equal to len(dims) = 2");
  });

  it("expandAs / broadcastTo / repeat / tile", () => {
    const x = tensor([[1], [2]]);
    expect(x.expandAs(zeros(2, 3)).tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(x.broadcastTo(2, 2).shape).toEqual([2, 2]);
    expect(tensor([1, 2]).repeat(2, 2).tolist()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(x.tile([2]).shape).toEqual([2, 2]);
    const w = tensor([1, 2], { requiresGrad: true });
    w.repeat(3).mul(tensor([1, 2, 3, 4, 5, 6])).sum().backward();
    expect(w.grad!.tolist()).toEqual([9, 12]);
    expect(w.repeat(3).gradFn!.name).toBe("RepeatBackward0");
  });

  it("flip / roll", () => {
    const x = tensor([[0, 1, 2], [3, 4, 5]]);
    expect(x.flip(0).tolist()).toEqual([[3, 4, 5], [0, 1, 2]]);
    expect(flip(x, [0, 1]).tolist()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(x.roll(1, 1).tolist()).toEqual([[2, 0, 1], [5, 3, 4]]);
    expect(roll(x, 1).tolist()).toEqual([[5, 0, 1], [2, 3, 4]]);
    expect(x.roll([1, 1], [0, 1]).tolist()).toEqual([[5, 3, 4], [2, 0, 1]]);
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const r = w.roll(1);
    expect(r.gradFn!.name).toBe("RollBackward0");
    r.mul(tensor([1, 2, 3])).sum().backward();
    expect(w.grad!.tolist()).toEqual([2, 3, 1]);
  });

  it("narrow / select / diagonal / tril / triu", () => {
    const x = arange(12).reshape(3, 4);
    expect(x.narrow(1, 1, 2).tolist()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(x.select(0, -1).tolist()).toEqual([8, 9, 10, 11]);
    expect(x.diagonal().tolist()).toEqual([0, 5, 10]);
    expect(x.diagonal(1).tolist()).toEqual([1, 6, 11]);
    expect(x.select(0, 1)._raw.sharesStorage(x._raw)).toBe(true);
    expect(() => x.select(0, 3)).toThrow("select(): index 3 out of range for tensor of size [3, 4] at dimension 0");
    expect(() => x.narrow(0, 2, 2)).toThrow("start (2) + length (2) exceeds dimension size (3).");
    const m = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(m.tril().tolist()).toEqual([[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    expect(triu(m, 1).tolist()).toEqual([[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    expect(tril(m, -1).tolist()).toEqual([[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    w.diagonal().sum().backward();
    expect(w.grad!.tolist()).toEqual([[1, 0], [0, 1]]);
  });

  it("split / chunk / unbind return arrays of views", () => {
    const x = arange(5);
    const s = x.split(2);
    expect(s.map((t) => t.shape[0])).toEqual([2, 2, 1]);
    expect(split(x, [1, 4])[1]!.tolist()).toEqual([1, 2, 3, 4]);
    expect(chunk(x, 3).length).toBe(3);
    const u = unbind(arange(6).reshape(2, 3), 1);
    expect(u.map((t) => t.tolist())).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(s[0]!._raw.sharesStorage(x._raw)).toBe(true);
    expect(() => x.split([1, 1])).toThrow(
      "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 0), but got split_sizes=[1, 1]",
    );
    const w = tensor([1, 2, 3, 4], { requiresGrad: true });
    const [a, b] = w.chunk(2);
    expect(a!.gradFn!.name).toBe("SplitBackward0");
    a!.add(b!.mul(2)).sum().backward();
    expect(w.grad!.tolist()).toEqual([1, 1, 2, 2]);
  });

  it("cat / stack", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5], [6]]);
    expect(cat([a, b], 1).tolist()).toEqual([[1, 2, 5], [3, 4, 6]]);
    expect(concat([a, a]).shape).toEqual([4, 2]);
    expect(() => cat([a, tensor([[1, 2, 3]])], 1)).toThrow(
      "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 1 for tensor number 1 in the list.",
    );
    expect(() => cat([a, b], 0)).toThrow(
      "Sizes of tensors must match except in dimension 0. Expected size 2 but got size 1 for tensor number 1 in the list.",
    );
    const i = tensor([1, 2], { dtype: "int64" });
    const d = tensor([0.5], { dtype: "float64" });
    expect(cat([i, d]).dtype).toBe("float64");
    expect(stack([a, a]).shape).toEqual([2, 2, 2]);
    expect(stack([a, a], -1).shape).toEqual([2, 2, 2]);
    expect(() => stack([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(
      "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1",
    );
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tensor([3, 4, 5], { requiresGrad: true });
    const c = cat([x, y]);
    expect(c.gradFn!.name).toBe("CatBackward0");
    c.mul(tensor([1, 2, 3, 4, 5])).sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 2]);
    expect(y.grad!.tolist()).toEqual([3, 4, 5]);
    // a is still usable after being passed in a list
    expect(a.shape).toEqual([2, 2]);
  });
});
