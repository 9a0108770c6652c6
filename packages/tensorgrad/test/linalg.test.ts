import { describe, expect, it } from "vitest";
import {
  addmm,
  autograd,
  baddbmm,
  bmm,
  dot,
  einsum,
  empty,
  emptyLike,
  eye,
  ger,
  linalgCore,
  linspace,
  logspace,
  manualSeed,
  matmul,
  mv,
  outer,
  randint,
  randintLike,
  randLike,
  randn,
  randperm,
  tensor,
  trace,
  zeros,
} from "tensorgrad";

const seq = (...shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const t = tensor(Array.from({ length: n }, (_, i) => i * 0.5 - 1), { dtype: "float64" });
  return t.reshape(shape);
};

const close = (a: unknown, b: unknown, tol = 1e-6) => {
  const fa = [a].flat(Infinity as 1) as number[];
  const fb = [b].flat(Infinity as 1) as number[];
  expect(fa.length).toBe(fb.length);
  fa.forEach((v, i) => expect(Math.abs(v - fb[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(fb[i]!))));
};

describe("matmul (PyTorch's rules)", () => {
  it("picks dot / mv / mm / folded / batched with PyTorch's grad_fn", () => {
    const v = tensor([1, 2, 3], { requiresGrad: true });
    const m23 = tensor([[1, 0, -1], [2, 1, 0]], { requiresGrad: true });
    const m32 = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    expect(v.matmul(v).gradFn?.name).toBe("DotBackward0");
    expect(m23.matmul(v).gradFn?.name).toBe("MvBackward0");
    expect(v.matmul(m32).gradFn?.name).toBe("SqueezeBackward4");
    expect(m23.matmul(m32).gradFn?.name).toBe("MmBackward0");
    const b = randn(4, 2, 3).requiresGrad_();
    expect(b.matmul(m32).gradFn?.name).toBe("UnsafeViewBackward0");
    expect(b.matmul(randn(4, 3, 5)).gradFn?.name).toBe("UnsafeViewBackward0");
  });

  it("broadcasts batch dims and sums their gradients back", () => {
    const a = randn([2, 1, 2, 3], { dtype: "float64" }).requiresGrad_();
    const b = randn([3, 3, 4], { dtype: "float64" }).requiresGrad_();
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 2, 4]);
    c.sum().backward();
    expect(a.grad!.shape).toEqual([2, 1, 2, 3]);
    expect(b.grad!.shape).toEqual([3, 3, 4]);
    // grad of sum(a @ b) w.r.t. a is ones @ b^T summed over the broadcast batch
    const want = b.sum(-1).sum(0).reshape(1, 1, 1, 3).expand(2, 1, 2, 3);
    close(a.grad!.tolist(), want.tolist());
    expect(autograd.gradcheck((x, y) => x!.matmul(y!), [seq(2, 1, 2, 3).requiresGrad_(), seq(3, 3, 2).requiresGrad_()])).toBe(true);
    expect(autograd.gradgradcheck((x, y) => x!.matmul(y!), [seq(3).requiresGrad_(), seq(2, 3, 2).requiresGrad_()])).toBe(true);
  });

  it("values for vector and batched cases", () => {
    expect(tensor([1, 2, 3]).matmul(tensor([4, 5, 6])).item()).toBe(32);
    expect(tensor([1, 2]).matmul(tensor([[1, 2], [3, 4]])).tolist()).toEqual([7, 10]);
    const x = tensor([[[1, 2], [3, 4]], [[0, 1], [1, 0]]]);
    expect(x.matmul(tensor([1, 1])).tolist()).toEqual([[3, 7], [1, 1]]);
    expect(x.matmul(x).tolist()).toEqual([[[7, 10], [15, 22]], [[1, 0], [0, 1]]]);
    const i = tensor([[1, 2], [3, 4]], { dtype: "int64" });
    const r = i.matmul(i);
    expect(r.dtype).toBe("int64");
    expect(r.tolist()).toEqual([[7, 10], [15, 22]]);
  });

  it("throws PyTorch's errors", () => {
    expect(() => tensor(1).matmul(tensor([1]))).toThrow("both arguments to matmul need to be at least 1D, but they are 0D and 1D");
    expect(() => zeros(2, 3).matmul(zeros(4, 5))).toThrow("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
    expect(() => zeros(2, 3, 4).matmul(zeros(2, 5, 6))).toThrow(
      "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].",
    );
    expect(() => zeros(2, 3, 4).matmul(zeros(3, 4, 6))).toThrow(
      "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
    );
    expect(() => zeros(2, 3).matmul(zeros(4))).toThrow("size mismatch, got input (2), mat (2x3), vec (4)");
  });
});

describe("products", () => {
  it("dot / mv / outer / ger", () => {
    expect(dot(tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
    expect(() => dot(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(
      "inconsistent tensor size, expected tensor [2] and src [3] to have the same number of elements, but got 2 and 3 elements respectively",
    );
    expect(() => dot(tensor([1]), tensor([1], { dtype: "float64" }))).toThrow(
      "dot : expected both vectors to have same dtype, but found Float and Double",
    );
    expect(mv(tensor([[1, 2, 3], [4, 5, 6]]), tensor([1, 2, 3])).tolist()).toEqual([14, 32]);
    expect(() => mv(tensor([1, 2]), tensor([1, 2]))).toThrow("vector + matrix @ vector expected, got 1, 1, 1");
    expect(outer(tensor([1, 2]), tensor([1, -1, 0])).tolist()).toEqual([[1, -1, 0], [2, -2, 0]]);
    expect(ger(tensor([1, 2]), tensor([3])).shape).toEqual([2, 1]);
    expect(tensor([1, 2]).ger(tensor([3])).tolist()).toEqual([[3], [6]]);
    expect(() => outer(tensor([[1]]), tensor([1]))).toThrow("outer: Expected 1-D argument self, but got 2-D");
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4, 5], { requiresGrad: true });
    const o = a.outer(b);
    expect(o.gradFn?.name).toBe("MulBackward0");
    o.sum().backward();
    expect(a.grad!.tolist()).toEqual([12, 12]);
    expect(b.grad!.tolist()).toEqual([3, 3, 3]);
  });

  it("bmm / addmm / baddbmm", () => {
    const a = tensor([[[1, 2]], [[3, 4]]]);
    const b = tensor([[[1], [1]], [[2], [0]]]);
    expect(bmm(a, b).tolist()).toEqual([[[3]], [[6]]]);
    expect(a.bmm(b).gradFn).toBeNull();
    expect(() => bmm(a, zeros(3, 2, 1))).toThrow("Expected size for first two dimensions of batch2 tensor to be: [2, 2] but got: [3, 2].");
    expect(() => bmm(zeros(2, 2), a)).toThrow("batch1 must be a 3D tensor");
    const m1 = tensor([[1, 2], [3, 4]]);
    const eye2 = eye(2);
    expect(addmm(tensor([10, 20]), m1, eye2).tolist()).toEqual([[11, 22], [13, 24]]);
    expect(addmm(tensor([10, 20]), m1, eye2, { beta: 0.5, alpha: 2 }).tolist()).toEqual([[7, 14], [11, 18]]);
    expect(tensor([NaN, Infinity]).addmm(m1, eye2, { beta: 0 }).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(() => addmm(tensor([1]), tensor([1, 2]), eye2)).toThrow("mat1 must be a matrix, got 1-D tensor");
    const inp = tensor([[1, 2]], { requiresGrad: true });
    const out = baddbmm(inp, a, b.reshape(2, 2, 1).expand(2, 2, 2).contiguous(), { beta: 2, alpha: -1 });
    expect(out.shape).toEqual([2, 1, 2]);
    expect(out.gradFn?.name).toBe("BaddbmmBackward0");
    expect(out.tolist()).toEqual([[[-1, 1]], [[-4, -2]]]);
    out.sum().backward();
    expect(inp.grad!.tolist()).toEqual([[4, 4]]);
    expect(
      autograd.gradcheck((x, y, z) => x!.addmm(y!, z!, { beta: 0.5, alpha: 2 }), [seq(3).requiresGrad_(), seq(2, 4).requiresGrad_(), seq(4, 3).requiresGrad_()]),
    ).toBe(true);
  });

  it("trace", () => {
    expect(trace(tensor([[1, 2], [3, 4]])).item()).toBe(5);
    const it = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" }).trace();
    expect(it.dtype).toBe("int64");
    expect(it.item()).toBe(6);
    expect(() => trace(tensor([1, 2]))).toThrow("trace: expected a matrix, but got tensor with dim 1");
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    x.trace().backward();
    expect(x.grad!.tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  it("linalgCore.matmul and vecdot", () => {
    expect(linalgCore.matmul(tensor([1, 2]), tensor([3, 4])).item()).toBe(11);
    expect(linalgCore.vecdot(tensor([[1, 2], [3, 4]]), tensor([1, 1])).tolist()).toEqual([3, 7]);
    expect(linalgCore.vecdot(tensor([[1, 2], [3, 4]]), tensor([[1], [1]]), { dim: 0 }).tolist()).toEqual([4, 6]);
  });
});

describe("einsum", () => {
  const a = seq(2, 3);
  const b = seq(3, 4);
  it("matches the ops it stands for", () => {
    close(einsum("ij,jk->ik", a, b).tolist(), a.mm(b).tolist());
    close(einsum("ij,jk", [a, b]).tolist(), a.mm(b).tolist());
    close(einsum("i,i", seq(3), seq(3)).tolist(), seq(3).dot(seq(3)).tolist());
    close(einsum("i,j->ij", seq(3), seq(2)).tolist(), seq(3).outer(seq(2)).tolist());
    close(einsum("ii->i", seq(3, 3)).tolist(), [-1, 1, 3]);
    close(einsum("ii", seq(3, 3)).tolist(), seq(3, 3).trace().tolist());
    close(einsum("ij->ji", a).tolist(), a.t().tolist());
    const x = seq(2, 2, 3);
    const y = seq(2, 3, 4);
    close(einsum("bij,bjk->bik", x, y).tolist(), x.bmm(y).tolist());
    close(einsum("...ij,...jk", x, y).tolist(), x.bmm(y).tolist());
    expect(einsum("bij,bjk->bik", x, y).shape).toEqual([2, 2, 4]);
  });

  it("is differentiable", () => {
    expect(autograd.gradcheck((p, q) => einsum("bij,bjk->bik", p!, q!), [seq(2, 2, 3).requiresGrad_(), seq(2, 3, 2).requiresGrad_()])).toBe(true);
    expect(autograd.gradcheck((p) => einsum("ii->i", p!), [seq(3, 3).requiresGrad_()])).toBe(true);
    expect(autograd.gradgradcheck((p, q) => einsum("ij,jk", p!, q!), [seq(2, 3).requiresGrad_(), seq(3, 2).requiresGrad_()])).toBe(true);
  });

  it("throws PyTorch's errors", () => {
    expect(() => einsum("ij,jk", a)).toThrow("einsum(): fewer operands were provided than specified in the equation");
    expect(() => einsum("ij,jk", a, a)).toThrow(
      "einsum(): subscript j has size 2 for operand 1 which does not broadcast with previously seen size 3",
    );
    expect(() => einsum("ij->k", a)).toThrow("einsum(): output subscript k does not appear in the equation for any input operand");
    expect(() => einsum("i", a)).toThrow(
      "einsum(): the number of subscripts in the equation (1) does not match the number of dimensions (2) for operand 0 and no ellipsis was given",
    );
  });
});

describe("creation", () => {
  it("empty / eye / linspace / logspace", () => {
    expect(empty(2, 3).shape).toEqual([2, 3]);
    expect(empty([2], { dtype: "int64" }).dtype).toBe("int64");
    expect(emptyLike(tensor([[1, 2]], { dtype: "float64" })).dtype).toBe("float64");
    expect(eye(2).tolist()).toEqual([[1, 0], [0, 1]]);
    expect(eye(2, 3).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eye(2, { dtype: "int64" }).dtype).toBe("int64");
    expect(() => eye(-1)).toThrow("n must be greater or equal to 0, got -1");
    expect(linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(String(linspace(-10, 10, 5))).toBe("tensor([-10.,  -5.,   0.,   5.,  10.])");
    expect(linspace(0, 10, 4, { dtype: "int64" }).tolist()).toEqual([0, 3, 6, 10]);
    expect(linspace(3, 10, 1).tolist()).toEqual([3]);
    expect(() => linspace(0, 1, -1)).toThrow("number of steps must be non-negative");
    close(logspace(0, 3, 4).tolist(), [1, 10, 100, 1000]);
    expect(logspace(0, 2, 3, 2).tolist()).toEqual([1, 2, 4]);
    expect(logspace(0, 2, 3, { dtype: "float64" }).dtype).toBe("float64");
  });

  it("randint / randperm reproduce PyTorch's CPU streams", () => {
    manualSeed(0);
    const r = randint(0, 10, [5]);
    expect(r.dtype).toBe("int64");
    expect(r.tolist()).toEqual([4, 9, 3, 0, 3]);
    manualSeed(42);
    expect(randint(100, [10]).tolist()).toEqual([42, 67, 76, 14, 26, 35, 20, 24, 50, 13]);
    manualSeed(0);
    expect(randperm(10).tolist()).toEqual([4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
    manualSeed(0);
    expect(String(randperm(5))).toBe("tensor([4, 0, 1, 3, 2])");
    expect(randint(0, 3, [2, 2], { dtype: "float32" }).dtype).toBe("float32");
    expect(() => randint(5, 5, [2])).toThrow("random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
    expect(() => randint(0, 5, [-1])).toThrow("negative dimension");
  });

  it("randLike / randintLike", () => {
    const base = zeros(2, 3, { dtype: "float64" });
    const r = randLike(base);
    expect(r.shape).toEqual([2, 3]);
    expect(r.dtype).toBe("float64");
    manualSeed(0);
    const ri = randintLike(base, 10);
    expect(ri.dtype).toBe("float64");
    expect(ri.tolist()).toEqual([[4, 9, 3], [0, 3, 9]]);
    const rl = randintLike(zeros([4], { dtype: "int64" }), -2, 2);
    expect(rl.dtype).toBe("int64");
    for (const v of rl.tolist() as number[]) expect(v >= -2 && v < 2).toBe(true);
  });
});
