import { describe, expect, it } from "vitest";
import { arange, gather, index, indexSelect, maskedFill, maskedSelect, nonzero, scatterAdd, slice, tensor, zeros } from "tensorgrad";

const long = (v: number[] | number[][]) => tensor(v, { dtype: "int64" });

describe("x.index([...])", () => {
  it("basic indexing returns views", () => {
    const x = arange(24).reshape(2, 3, 4);
    expect(x.index(1).shape).toEqual([3, 4]);
    expect(x.index([-1, slice(), slice(1, null, 2)]).tolist()).toEqual([[13, 15], [17, 19], [21, 23]]);
    expect(x.index(["...", 0]).shape).toEqual([2, 3]);
    expect(x.index([null, "...", null]).shape).toEqual([1, 2, 3, 4, 1]);
    expect(x.index([0, { start: 1 }]).shape).toEqual([2, 4]);
    expect(index(arange(5), slice(3)).tolist()).toEqual([0, 1, 2]);
    expect(arange(5).index(slice(-2, null)).tolist()).toEqual([3, 4]);
    expect(x.index(0)._raw.sharesStorage(x._raw)).toBe(true);
    const z = zeros(2, 2);
    z.index(0).fill_(5);
    expect(z.tolist()).toEqual([[5, 5], [0, 0]]);
    expect(() => x.index(2)).toThrow("index 2 is out of bounds for dimension 0 with size 2");
    expect(() => x.index([0, 0, 0, 0])).toThrow("too many indices for tensor of dimension 3");
    expect(() => arange(3).index(slice(null, null, -1))).toThrow("step must be greater than zero");
  });

  it("advanced indexing copies, with PyTorch's placement", () => {
    const x = arange(24).reshape(2, 3, 4);
    expect(x.index(long([1, 0, 1])).shape).toEqual([3, 3, 4]);
    expect(x.index([slice(), long([0, 2]), long([1, 3])]).tolist()).toEqual([[1, 11], [13, 23]]);
    expect(x.index([long([0, 1]), slice(), long([3, 0])]).shape).toEqual([2, 3]);
    expect(x.index([[0, 1]]).shape).toEqual([2, 3, 4]);
    expect(x.index([0, slice(), [0, 1]]).shape).toEqual([3, 2]);
    const m = arange(6).reshape(2, 3);
    expect(m.index(m.gt(2)).tolist()).toEqual([3, 4, 5]);
    expect(m.index([slice(), [true, false, true]]).tolist()).toEqual([[0, 2], [3, 5]]);
    expect(() => m.index(long([0, 2]))).toThrow("index 2 is out of bounds for dimension 0 with size 2");
    expect(() => m.index(tensor([0, 1]))).toThrow("tensors used as indices must be long, int, byte or bool tensors");
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const y = w.index(long([0, 2, 0, 0]));
    expect(y.gradFn!.name).toBe("IndexBackward0");
    y.sum().backward();
    expect(w.grad!.tolist()).toEqual([3, 0, 1]);
  });

  it("indexPut_ / indexPut", () => {
    const x = zeros(3);
    x.indexPut_([long([0, 2])], tensor([1, 2]));
    expect(x.tolist()).toEqual([1, 0, 2]);
    x.indexPut_([long([0, 0])], 1, true);
    expect(x.tolist()).toEqual([3, 0, 2]);
    const m = zeros(2, 2);
    m.indexPut_([tensor([[true, false], [false, true]])], 7);
    expect(m.tolist()).toEqual([[7, 0], [0, 7]]);
    expect(zeros(3).indexPut([[1, 1]], tensor([1, 2]), true).tolist()).toEqual([0, 3, 0]);
    expect(() => zeros(3).indexPut_([long([3])], 1)).toThrow("index 3 is out of bounds for dimension 0 with size 3");
  });
});

describe("gather / scatter / index_select / index_add", () => {
  it("values", () => {
    const x = arange(6).reshape(2, 3);
    expect(x.gather(1, long([[2, 0], [1, 1]])).tolist()).toEqual([[2, 0], [4, 4]]);
    expect(gather(x, 0, long([[1, 0, 1]])).tolist()).toEqual([[3, 1, 5]]);
    expect(zeros(2, 3).scatter(1, long([[2, 0], [1, 1]]), x.add(1)).tolist()).toEqual([[2, 0, 1], [0, 5, 0]]);
    expect(zeros(3).scatter(0, long([2]), 9).tolist()).toEqual([0, 0, 9]);
    expect(scatterAdd(zeros(3), 0, long([1, 1, 0]), tensor([1, 2, 3])).tolist()).toEqual([3, 3, 0]);
    const t = zeros(3);
    t.scatter_(0, long([1]), 4).scatterAdd_(0, long([1, 2]), tensor([1, 1]));
    expect(t.tolist()).toEqual([0, 5, 1]);
    expect(indexSelect(x, 1, long([2, 0])).tolist()).toEqual([[2, 0], [5, 3]]);
    expect(zeros(3, 2).indexAdd(0, long([0, 2, 0]), tensor([[1, 1], [1, 1], [1, 1]]), { alpha: 2 }).tolist()).toEqual([
      [4, 4],
      [0, 0],
      [2, 2],
    ]);
    expect(() => x.gather(1, long([[3]]))).toThrow("index 3 is out of bounds for dimension 1 with size 3");
    expect(() => x.gather(1, tensor([[0]], { dtype: "int32" }))).toThrow("gather(): Expected dtype int64 for index");
    expect(() => x.indexSelect(1, long([5]))).toThrow("index out of range in self");
  });

  it("gradients accumulate over repeated indices", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const g = w.gather(0, long([2, 2, 0]));
    expect(g.gradFn!.name).toBe("GatherBackward0");
    g.sum().backward();
    expect(w.grad!.tolist()).toEqual([1, 0, 2]);
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const s = tensor([5, 6], { requiresGrad: true });
    const r = a.indexAdd(0, long([2, 2]), s, { alpha: 3 });
    expect(r.gradFn!.name).toBe("IndexAddBackward0");
    r.mul(tensor([1, 2, 3])).sum().backward();
    expect(a.grad!.tolist()).toEqual([1, 2, 3]);
    expect(s.grad!.tolist()).toEqual([9, 9]);
  });
});

describe("masked ops and nonzero", () => {
  it("maskedFill / maskedSelect / nonzero", () => {
    const x = arange(6).reshape(2, 3);
    const m = tensor([true, false, true]);
    expect(x.maskedFill(m, -1).tolist()).toEqual([[-1, 1, -1], [-1, 4, -1]]);
    expect(maskedFill(x, m, tensor(2.5)).tolist()).toEqual([[2.5, 1, 2.5], [2.5, 4, 2.5]]);
    expect(maskedSelect(x, m).tolist()).toEqual([0, 2, 3, 5]);
    const y = zeros(3);
    y.maskedFill_(m, 1);
    expect(y.tolist()).toEqual([1, 0, 1]);
    expect(() => x.maskedFill(long([1, 0, 1]), 0)).toThrow("masked_fill_ only supports boolean masks");
    const nz = tensor([[0, 1, 0], [2, 0, 0]]).nonzero();
    expect(nz.dtype).toBe("int64");
    expect(nz.tolist()).toEqual([[0, 1], [1, 0]]);
    const tup = nonzero(tensor([[0, 1, 0], [2, 0, 0]]), { asTuple: true });
    expect(tup.map((t) => t.tolist())).toEqual([[0, 1], [1, 0]]);
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const v = tensor(4, { requiresGrad: true });
    const r = w.maskedFill(m, v);
    expect(r.gradFn!.name).toBe("MaskedFillBackward1");
    r.mul(tensor([1, 2, 3])).sum().backward();
    expect(w.grad!.tolist()).toEqual([0, 2, 0]);
    expect(v.grad!.item()).toBe(4);
  });
});
