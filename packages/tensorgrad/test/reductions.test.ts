import { describe, expect, it } from "vitest";
import * as torch from "tensorgrad";
import {
  all,
  amax,
  any,
  argmax,
  autograd,
  cumprod,
  cumsum,
  linalgReductions,
  logsumexp,
  max,
  min,
  norm,
  prod,
  std,
  stdMean,
  tensor,
  Tensor,
  varMean,
  vectorNorm,
} from "tensorgrad";

const f64 = { dtype: "float64" as const };
const leaf = (v: number[] | number[][]) => tensor(v, { ...f64, requiresGrad: true });
const close = (t: Tensor | number[], want: number[], eps = 1e-6) => {
  const got = Array.isArray(t) ? t : Array.from(t.toTypedArray());
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) expect(g).toBeNaN();
    else if (!Number.isFinite(w)) expect(g).toBe(w);
    else expect(Math.abs(g - w)).toBeLessThan(eps * (1 + Math.abs(w)));
  });
};

describe("prod", () => {
  it("reduces all or one dim; ints give int64", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.prod().item()).toBe(720);
    expect(x.prod(1).tolist()).toEqual([6, 120]);
    expect(x.prod(0, true).shape).toEqual([1, 3]);
    expect(prod(x, -1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(tensor([2, 3], { dtype: "int32" }).prod().dtype).toBe("int64");
    expect(tensor([true, true]).prod().dtype).toBe("int64");
    x.requiresGrad_();
    expect(x.prod().gradFn!.name).toBe("ProdBackward0");
    expect(x.prod(0).gradFn!.name).toBe("ProdBackward1");
  });

  it("gives zeros the product of the others", () => {
    const x = leaf([2, 0, 3, 4]);
    x.prod().backward();
    expect(x.grad!.tolist()).toEqual([0, 24, 0, 0]);
    const y = leaf([2, 0, 3, 0]);
    y.prod().backward();
    expect(y.grad!.tolist()).toEqual([0, 0, 0, 0]);
  });
});

describe("max / min", () => {
  it("full reduction splits the gradient among ties", () => {
    const x = leaf([1, 3, 3, -2]);
    const m = x.max();
    expect(m.item()).toBe(3);
    expect(m.gradFn!.name).toBe("MaxBackward1");
    m.backward();
    expect(x.grad!.tolist()).toEqual([0, 0.5, 0.5, 0]);
    expect(min(x).item()).toBe(-2);
    const n = leaf([1, NaN, 2]);
    n.max().backward();
    expect(n.grad!.tolist()).toEqual([0, 1, 0]);
  });

  it("over a dim returns { values, indices } and routes the grad to the first extremum", () => {
    const x = leaf([[1, 4, 4], [7, -1, 7]]);
    const r = x.max(1);
    expect(r.values.tolist()).toEqual([4, 7]);
    expect(r.indices.tolist()).toEqual([1, 0]);
    expect(r.indices.dtype).toBe("int64");
    expect(r.values.gradFn!.name).toBe("MaxBackward0");
    r.values.sum().backward();
    expect(x.grad!.tolist()).toEqual([[0, 1, 0], [1, 0, 0]]);
    const [values, indices] = x.min(0, true);
    expect(values!.shape).toEqual([1, 3]);
    expect(indices!.tolist()).toEqual([[0, 1, 0]]);
    expect(values!.gradFn!.name).toBe("MinBackward0");
    const { values: v2 } = max(x, -1, { keepdim: true });
    expect(v2.shape).toEqual([2, 1]);
    expect(x.max(1, { keepdim: true }).indices.shape).toEqual([2, 1]);
  });

  it("max(other) delegates to the elementwise maximum when present", () => {
    const a = tensor([1, 5]);
    const b = tensor([3, 2]);
    const proto = Tensor.prototype as unknown as { maximum?: unknown };
    if (typeof proto.maximum === "function") {
      expect(a.max(b).tolist()).toEqual([3, 5]);
      expect(a.min(b).tolist()).toEqual([1, 2]);
    } else {
      expect(() => a.max(b)).toThrow("max(other): elementwise maximum is not available");
    }
  });

  it("raises PyTorch's errors on empty inputs and bad dims", () => {
    expect(() => tensor([]).max()).toThrow(
      "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    );
    expect(() => torch.zeros(0, 3).max(0)).toThrow("max(): Expected reduction dim 0 to have non-zero size.");
    expect(torch.zeros(0, 3).min(1).values.shape).toEqual([0]);
    expect(() => tensor([[1, 2]]).max(2)).toThrow("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => tensor([1, 2]).max(0.5)).toThrow(TypeError);
  });
});

describe("amax / amin / argmax / argmin", () => {
  it("amax splits ties per slice", () => {
    const x = leaf([[1, 5, 5], [2, 2, -3]]);
    const a = x.amax(1);
    expect(a.tolist()).toEqual([5, 2]);
    expect(a.gradFn!.name).toBe("AmaxBackward0");
    a.sum().backward();
    expect(x.grad!.tolist()).toEqual([[0, 0.5, 0.5], [0.5, 0.5, 0]]);
    expect(amax(x).item()).toBe(5);
    expect(x.amin([0, 1], true).shape).toEqual([1, 1]);
    expect(x.amin([0, 1], true).gradFn!.name).toBe("AminBackward0");
    expect(tensor([3, 1], { dtype: "int64" }).amax().dtype).toBe("int64");
    expect(() => tensor([]).amax()).toThrow("amax(): Expected reduction dim to be specified for input.numel() == 0.");
  });

  it("argmax/argmin: int64, first occurrence, flattened without dim", () => {
    const x = tensor([[1, 7, 7], [9, -1, 9]]);
    expect(x.argmax().item()).toBe(3);
    expect(x.argmax().dtype).toBe("int64");
    expect(x.argmax(null, true).shape).toEqual([1, 1]);
    expect(x.argmax(1).tolist()).toEqual([1, 0]);
    expect(argmax(x, 0, true).tolist()).toEqual([[1, 0, 1]]);
    expect(x.argmin(-1).tolist()).toEqual([0, 1]);
    expect(tensor([1, NaN, 3]).argmax().item()).toBe(1);
    expect(() => tensor([true]).argmax()).toThrow(`"argmax_cpu" not implemented for 'Bool'`);
    expect(() => tensor([]).argmin()).toThrow("argmin(): Expected reduction dim to be specified for input.numel() == 0.");
  });
});

describe("var / std", () => {
  it("uses correction (default 1) and keepdim options", () => {
    const x = tensor([[1, 2, 3], [4, 6, 8]], f64);
    close(x.var(), [6.8]);
    close(x.var(1), [1, 4]);
    close(x.var(1, { correction: 0 }), [2 / 3, 8 / 3]);
    expect(x.var(1, { correction: 0, keepdim: true }).shape).toEqual([2, 1]);
    close(x.var({ correction: 0 }), [34 / 6]);
    close(x.std([0, 1]), [Math.sqrt(6.8)]);
    close(std(x, 0), [Math.sqrt(4.5), Math.sqrt(8), Math.sqrt(12.5)]);
    close(torch.var(x, -1), [1, 4]);
    expect(Number.isNaN(tensor([3]).var().item() as number)).toBe(true);
    expect(tensor([1, 2]).var({ correction: 2 }).item()).toBe(Infinity);
    expect(() => tensor([1, 2], { dtype: "int64" }).var()).toThrow("std and var only support floating point and complex dtypes");
    expect(() => x.var(0, true as unknown as object)).toThrow(TypeError);
  });

  it("gradients: var_backward, std masked where std is 0", () => {
    const x = leaf([1, 2, 4]);
    x.var().backward();
    close(x.grad!, [(2 / 2) * (1 - 7 / 3), (2 / 2) * (2 - 7 / 3), (2 / 2) * (4 - 7 / 3)]);
    expect(x.var().gradFn!.name).toBe("VarBackward0");
    const c = leaf([2, 2, 2]);
    c.std().backward();
    expect(c.grad!.tolist()).toEqual([0, 0, 0]);
    expect(c.std().gradFn!.name).toBe("StdBackward0");
    const y = leaf([1, 2, 3]);
    y.var(null, { correction: 3 }).backward();
    close(y.grad!, [Infinity, NaN, Infinity]);
    const z = leaf([[0.5, -1.2, 2.0], [0.7, 1.5, -0.3]]);
    expect(autograd.gradcheck((t) => t.std(1, { correction: 0 }), [z])).toBe(true);
    expect(autograd.gradgradcheck((t) => t.var(0), [z])).toBe(true);
  });

  it("varMean / stdMean return [stat, mean]", () => {
    const x = tensor([[1, 2, 3], [4, 6, 8]], f64);
    const [v, m] = varMean(x, 1);
    close(v, [1, 4]);
    close(m, [2, 6]);
    const [s, m2] = stdMean(x, { correction: 0, keepdim: true });
    expect(s.shape).toEqual([1, 1]);
    close(m2, [4]);
    const z = leaf([[0.5, -1.2, 2.0], [0.7, 1.5, -0.3]]);
    const [vv, mm] = varMean(z, 0);
    expect(vv.gradFn!.name).toBe("VarMeanBackward0");
    vv.sum().add(mm.sum()).backward();
    expect(z.grad!.shape).toEqual([2, 3]);
    expect(autograd.gradcheck((t) => { const [a, b] = stdMean(t, 1); return a.add(b.mul(2)); }, [z])).toBe(true);
  });
});

describe("logsumexp", () => {
  it("is stable, and follows PyTorch at infinities", () => {
    const x = tensor([[1, 2, 3], [1000, 1000, -1000]], f64);
    close(x.logsumexp(1), [3.40760596444438, 1000.6931471805599]);
    expect(logsumexp(x, [0, 1], true).shape).toEqual([1, 1]);
    const y = leaf([[-Infinity, -Infinity], [Infinity, 1]]);
    const l = y.logsumexp(1);
    close(l, [-Infinity, Infinity]);
    expect(l.gradFn!.name).toBe("LogsumexpBackward0");
    l.sum().backward();
    close(y.grad!, [NaN, NaN, NaN, 0]);
    expect(tensor([0, 0], { dtype: "int64" }).logsumexp(0).dtype).toBe("float32");
    expect(() => (x.logsumexp as unknown as () => Tensor)()).toThrow("logsumexp(): argument 'dim' is required");
  });
});

describe("cumsum / cumprod", () => {
  it("values, dtypes, gradients", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.cumsum(1).tolist()).toEqual([[1, 3, 6], [4, 9, 15]]);
    expect(cumsum(x, 0).tolist()).toEqual([[1, 2, 3], [5, 7, 9]]);
    expect(cumprod(x, -1).tolist()).toEqual([[1, 2, 6], [4, 20, 120]]);
    expect(tensor([1, 2], { dtype: "int32" }).cumsum(0).dtype).toBe("int64");
    expect(tensor([true, true]).cumsum(0).tolist()).toEqual([1, 2]);
    const w = leaf([1, 2, 3]);
    const c = w.cumsum(0);
    expect(c.gradFn!.name).toBe("CumsumBackward0");
    c.sum().backward();
    expect(w.grad!.tolist()).toEqual([3, 2, 1]);
  });

  it("cumprod's gradient is exact with zeros", () => {
    const x = leaf([2, 0, 3, 4]);
    const c = x.cumprod(0);
    expect(c.gradFn!.name).toBe("CumprodBackward0");
    c.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 32, 0, 0]);
    const z = leaf([[2, 0, 3], [-1.5, 0.5, 0]]);
    expect(autograd.gradcheck((t) => t.cumprod(1), [z])).toBe(true);
    expect(autograd.gradgradcheck((t) => t.cumprod(1), [z])).toBe(true);
  });
});

describe("norms", () => {
  it("linalg.vectorNorm for every ord", () => {
    const x = tensor([[3, -4, 0], [1, -2, 2]], f64);
    close(vectorNorm(x), [Math.sqrt(34)]);
    close(vectorNorm(x, 2, 1), [5, 3]);
    close(linalgReductions.vectorNorm(x, 1, 1, true), [7, 5]);
    expect(vectorNorm(x, 1, 1, { keepdim: true }).shape).toEqual([2, 1]);
    close(vectorNorm(x, Infinity, 0), [3, 4, 2]);
    close(vectorNorm(x, -Infinity), [0]);
    close(vectorNorm(x, 0, [1]), [2, 3]);
    close(vectorNorm(x, 3, 1), [Math.cbrt(91), Math.cbrt(17)]);
    expect(vectorNorm(x).gradFn).toBeNull();
    expect(() => vectorNorm(tensor([1, 2], { dtype: "int64" }))).toThrow(
      "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    );
    expect(() => vectorNorm(torch.zeros(0), Infinity)).toThrow(
      "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity",
    );
  });

  it("Tensor.norm: 'fro' or a number", () => {
    const x = tensor([[3, -4], [0, 0]], f64);
    close(x.norm(), [5]);
    close(x.norm("fro", 1), [5, 0]);
    close(norm(x, 1), [7]);
    close(x.norm(Infinity, [0, 1], true), [4]);
    expect(() => x.norm("nuc")).toThrow("nuclear norm");
  });

  it("gradient conventions", () => {
    const z = leaf([[0, 0], [3, 4]]);
    const n = vectorNorm(z, 2, 1);
    expect(n.gradFn!.name).toBe("LinalgVectorNormBackward0");
    n.sum().backward();
    close(z.grad!, [0, 0, 0.6, 0.8]);
    const a = leaf([-2, 0, 3]);
    vectorNorm(a, 1).backward();
    expect(a.grad!.tolist()).toEqual([-1, 0, 1]);
    const b = leaf([-3, 1, 3, 2]);
    b.norm(Infinity).backward();
    expect(b.grad!.tolist()).toEqual([-0.5, 0, 0.5, 0]);
    const c = leaf([1, 0, 2]);
    vectorNorm(c, 0).backward();
    expect(c.grad).toBeNull();
    const w = leaf([[0.5, -1.2, 2.0], [0.7, 1.5, -0.3]]);
    expect(autograd.gradgradcheck((t) => vectorNorm(t, 3, 1), [w])).toBe(true);
  });
});

describe("all / any", () => {
  it("bool results over dims or everything", () => {
    const x = tensor([[1, 0, 2], [3, NaN, -1]]);
    expect(x.all().item()).toBe(false);
    expect(x.any().item()).toBe(true);
    expect(x.all().dtype).toBe("bool");
    expect(x.all(1).tolist()).toEqual([false, true]);
    expect(any(x, 0, true).tolist()).toEqual([[true, true, true]]);
    expect(all(x, [0, 1]).item()).toBe(false);
    expect(x.all(null, true).shape).toEqual([1, 1]);
    expect(tensor([]).all().item()).toBe(true);
    expect(tensor([]).any().item()).toBe(false);
    expect(tensor([0, 0], { dtype: "int64" }).any().item()).toBe(false);
  });
});
