import { describe, expect, it } from "vitest";
import { arange, full, manualSeed, ones, rand, randn, tensor, zeros, matmul, exp, add, version } from "tensorgrad";

describe("creation and metadata", () => {
  it("infers shapes and dtypes from nested arrays", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.numel()).toBe(6);
    expect(t.size(-1)).toBe(3);
    expect(tensor([true, false]).dtype).toBe("bool");
    expect(tensor(3).shape).toEqual([]);
    expect(() => tensor([[1, 2], [3]])).toThrow("expected sequence of length 2 at dim 1 (got 1)");
  });

  it("zeros/ones/full/arange", () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(ones([2], { dtype: "float64" }).dtype).toBe("float64");
    expect(full([2], 7).tolist()).toEqual([7, 7]);
    expect(arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).tolist()).toEqual([1, 1.25, 1.5, 1.75]);
  });

  it("reproduces PyTorch's random streams", () => {
    manualSeed(0);
    expect(String(randn(3))).toBe("tensor([ 1.5410, -0.2934, -2.1788])");
    manualSeed(0);
    expect(String(rand(2))).toBe("tensor([0.4963, 0.7682])");
  });

  it("has a version", () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("printing", () => {
  it("matches PyTorch", () => {
    expect(String(tensor([1.5, -2.25, 3]))).toBe("tensor([ 1.5000, -2.2500,  3.0000])");
    expect(String(tensor([[1, 2], [3, 4]]))).toBe("tensor([[1., 2.],\n        [3., 4.]])");
    expect(String(tensor([1, 2], { dtype: "float64" }))).toBe("tensor([1., 2.], dtype=torch.float64)");
    expect(String(tensor([1e-5, 1]))).toBe("tensor([1.0000e-05, 1.0000e+00])");
    expect(String(zeros(0))).toBe("tensor([])");
  });
});

describe("ops", () => {
  it("computes forward values with broadcasting and promotion", () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(a.add(tensor([10, 20])).tolist()).toEqual([[11, 22], [13, 24]]);
    expect(a.sub(1).tolist()).toEqual([[0, 1], [2, 3]]);
    expect(a.rsub(1).tolist()).toEqual([[0, -1], [-2, -3]]);
    expect(a.div(2).tolist()).toEqual([[0.5, 1], [1.5, 2]]);
    expect(a.pow(2).tolist()).toEqual([[1, 4], [9, 16]]);
    expect(a.add(tensor([1], { dtype: "float64" })).dtype).toBe("float64");
    expect(a.sum(0).tolist()).toEqual([4, 6]);
    expect(a.sum(1, true).tolist()).toEqual([[3], [7]]);
    expect(a.mean(1, { keepdim: false }).tolist()).toEqual([1.5, 3.5]);
    expect(a.mean().item()).toBe(2.5);
    expect(matmul(a, tensor([1, 1])).tolist()).toEqual([3, 7]);
    expect(exp(tensor([0])).tolist()).toEqual([1]);
    expect(add(tensor([1]), 2).tolist()).toEqual([3]);
    expect(tensor([1, Math.E]).log().tolist()[1]).toBeCloseTo(1, 6);
  });

  it("reshape/view/transpose share storage where PyTorch does", () => {
    const a = arange(6).reshape(2, 3);
    expect(a.t().shape).toEqual([3, 2]);
    expect(a.t().isContiguous()).toBe(false);
    expect(a.t().reshape(6).tolist()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(() => a.t().view(6)).toThrow("view size is not compatible with input tensor's size and stride");
    expect(a.reshape(-1, 2).shape).toEqual([3, 2]);
    expect(() => a.reshape(4, 2)).toThrow("shape '[4, 2]' is invalid for input of size 6");
    expect(a.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(a.unsqueeze(0).squeeze().shape).toEqual([2, 3]);
    expect(tensor([1, 2]).unsqueeze(1).expand(2, 3).tolist()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });
});

describe("errors keep the library usable", () => {
  it("throws PyTorch's messages and keeps working", () => {
    expect(() => tensor([[1, 2]]).matmul(tensor([[1, 2]]))).toThrow(
      "mat1 and mat2 shapes cannot be multiplied (1x2 and 1x2)",
    );
    expect(() => tensor([1, 2, 3]).add(tensor([1, 2]))).toThrow(
      "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0",
    );
    expect(() => tensor([[1, 2]]).sum(2)).toThrow(
      "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    );
    expect(() => tensor([1, 2]).item()).toThrow("a Tensor with 2 elements cannot be converted to Scalar");
    const A = tensor([5.0], { requiresGrad: true });
    A.mul(5).backward();
    expect(String(A.grad)).toBe("tensor([5.])");
  });

  it("dispose frees a tensor; others are unaffected", () => {
    const a = tensor([1, 2]);
    const b = a.mul(2);
    a.dispose();
    expect(b.tolist()).toEqual([2, 4]);
  });
});

describe("integer and bool dtypes", () => {
  it("follow PyTorch's promotion and printing", () => {
    const i = tensor([1, 2, 3], { dtype: "int64" });
    expect(String(i)).toBe("tensor([1, 2, 3])");
    expect(String(tensor([1, 2], { dtype: "int32" }))).toBe("tensor([1, 2], dtype=torch.int32)");
    expect(i.add(1).dtype).toBe("int64");
    expect(i.mul(0.5).dtype).toBe("float32");
    expect(i.div(2).tolist()).toEqual([0.5, 1, 1.5]);
    expect(i.sum().dtype).toBe("int64");
    expect(i.add(tensor([0.5])).dtype).toBe("float32");
    expect(() => i.requiresGrad_()).toThrow("only Tensors of floating point dtype can require gradients");
    expect(() => i.mean()).toThrow("mean(): could not infer output dtype.");
    expect(tensor([-1.7, 2.9]).long().tolist()).toEqual([-1, 2]);
  });

  it("comparisons and logical ops return bool", () => {
    const x = tensor([1, 2, 3]);
    expect(String(x.gt(1.5))).toBe("tensor([False,  True,  True])");
    expect(x.eq(tensor([1, 0, 3])).tolist()).toEqual([true, false, true]);
    expect(x.le(2).logicalAnd(x.ge(2)).tolist()).toEqual([false, true, false]);
    expect(x.lt(2).logicalNot().tolist()).toEqual([false, true, true]);
    expect(x.where(x.gt(1), 0).tolist()).toEqual([0, 2, 3]);
    expect(() => tensor([true]).sub(tensor([true]))).toThrow("Subtraction, the `-` operator, with two bool tensors is not supported.");
  });
});
