import { describe, expect, it } from "vitest";
import {
  tensor,
  abs,
  sign,
  square,
  erf,
  erfinv,
  round,
  nanToNum,
  isnan,
  relu,
  clamp,
  clip,
  clampMin,
  maximum,
  minimum,
  fmax,
  fmin,
  atan2,
  hypot,
  fmod,
  remainder,
  lerp,
  addcmul,
  addcdiv,
  xlogy,
  logaddexp,
  logaddexp2,
  copysign,
  log1p,
  autograd,
  type Tensor,
} from "tensorgrad";

/** Gradient of `sum(f(x))` at `x` (float64). */
function grad1(f: (x: Tensor) => Tensor, x: number[]): number[] {
  const t = tensor(x, { dtype: "float64", requiresGrad: true });
  f(t).sum().backward();
  return t.grad!.tolist() as number[];
}

describe("pointwise unary ops", () => {
  it("abs / sign / square keep integer dtypes", () => {
    const i = tensor([-3, 0, 4], { dtype: "int64" });
    expect(abs(i).dtype).toBe("int64");
    expect(abs(i).tolist()).toEqual([3, 0, 4]);
    expect(i.sign().tolist()).toEqual([-1, 0, 1]);
    expect(square(i).tolist()).toEqual([9, 0, 16]);
    expect(square(i).dtype).toBe("int64");
    expect(sign(tensor([-2, 0, NaN, 5])).tolist()).toEqual([-1, 0, 0, 1]);
    expect(tensor([-1.5]).absolute().tolist()).toEqual([1.5]);
  });

  it("gradients at the non-differentiable points follow PyTorch", () => {
    expect(grad1((x) => x.abs(), [-2, 0, 3])).toEqual([-1, 0, 1]);
    expect(grad1((x) => x.relu(), [-1, 0, 2, NaN])).toEqual([0, 0, 1, 1]);
    expect(grad1((x) => x.sign(), [-1, 0, 2])).toEqual([0, 0, 0]);
    expect(grad1((x) => x.floor(), [1.5])).toEqual([0]);
    expect(grad1((x) => x.clamp(-1, 1), [-2, -1, 0, 1, 2])).toEqual([0, 1, 1, 1, 0]);
    expect(grad1((x) => x.clamp(1, -1), [0])).toEqual([0]);
    expect(grad1((x) => x.nanToNum(), [NaN, Infinity, 2])).toEqual([0, 0, 1]);
  });

  it("float functions: values, promotion and grad_fn names", () => {
    const x = tensor([0, 0.5, 1], { dtype: "float64" });
    const e = erf(x).tolist() as number[];
    expect(e[0]).toBe(0);
    expect(e[1]).toBeCloseTo(0.5204998778130465, 15);
    expect(erfinv(tensor([1, -1, 0.5], { dtype: "float64" })).tolist()).toEqual([Infinity, -Infinity, 0.4769362762044699]);
    expect(tensor([1, 2], { dtype: "int64" }).erf().dtype).toBe("float32");
    expect(log1p(tensor([-1])).tolist()).toEqual([-Infinity]);
    expect(tensor([8]).log2().tolist()).toEqual([3]);
    expect(tensor([1]).atanh().tolist()).toEqual([Infinity]);
    expect(tensor([0]).rsqrt().tolist()).toEqual([Infinity]);
    const y = tensor([0.5], { requiresGrad: true });
    expect(y.log1p().gradFn!.name).toBe("Log1PBackward0");
    expect(y.erfinv().gradFn!.name).toBe("ErfinvBackward0");
    expect(y.arcsin().gradFn!.name).toBe("AsinBackward0");
    expect(y.square().gradFn!.name).toBe("PowBackward0");
  });

  it("rounding: half to even, decimals, integer passthrough, errors", () => {
    expect(tensor([0.5, 1.5, 2.5, -0.5, -2.6]).round().tolist()).toEqual([0, 2, 2, -0, -3]);
    expect(round(tensor([1.2345, 1234.5], { dtype: "float64" }), { decimals: 2 }).tolist()).toEqual([1.23, 1234.5]);
    expect(tensor([1250], { dtype: "float64" }).round({ decimals: -2 }).tolist()).toEqual([1200]);
    expect(tensor([-1.5]).trunc().tolist()).toEqual([-1]);
    expect(tensor([-1.5]).fix().tolist()).toEqual([-1]);
    expect(tensor([-1.25]).frac().tolist()).toEqual([-0.25]);
    expect(tensor([3], { dtype: "int32" }).floor().dtype).toBe("int32");
    expect(() => tensor([3], { dtype: "int64" }).frac()).toThrow(`"frac_cpu" not implemented for 'Long'`);
    expect(() => tensor([1.5]).round({ decimals: 0.5 })).toThrow("decimals must be an integer");
  });

  it("nanToNum and the predicates", () => {
    const x = tensor([NaN, Infinity, -Infinity, 1], { dtype: "float64" });
    expect(nanToNum(x).tolist()).toEqual([0, Number.MAX_VALUE, -Number.MAX_VALUE, 1]);
    expect(x.nanToNum({ nan: 1, posinf: 2, neginf: -2 }).tolist()).toEqual([1, 2, -2, 1]);
    expect(x.nanToNum(5, 6).tolist()).toEqual([5, 6, -Number.MAX_VALUE, 1]);
    expect(isnan(x).tolist()).toEqual([true, false, false, false]);
    expect(x.isinf().tolist()).toEqual([false, true, true, false]);
    expect(x.isfinite().dtype).toBe("bool");
    expect(x.isposinf().tolist()).toEqual([false, true, false, false]);
    expect(x.isneginf().tolist()).toEqual([false, false, true, false]);
  });

  it("relu", () => {
    expect(relu(tensor([-1, 0, 2, NaN])).tolist()).toEqual([0, 0, 2, NaN]);
    expect(relu(tensor([-3, 4], { dtype: "int32" })).dtype).toBe("int32");
    expect(() => tensor([true]).relu()).toThrow("Boolean inputs not supported for relu");
  });
});

describe("clamp", () => {
  it("number bounds, keyword form, nulls, min > max", () => {
    const x = tensor([-2, -1, 0, 1, 2, NaN]);
    expect(x.clamp(-1, 1).tolist()).toEqual([-1, -1, 0, 1, 1, NaN]);
    expect(clamp(x, { min: 0 }).tolist()).toEqual([0, 0, 0, 1, 2, NaN]);
    expect(x.clamp(null, 0).tolist()).toEqual([-2, -1, 0, 0, 0, NaN]);
    expect(clip(x, 1, -1).tolist()).toEqual([-1, -1, -1, -1, -1, NaN]);
    expect(clampMin(x, 1).tolist()).toEqual([1, 1, 1, 1, 2, NaN]);
    expect(x.clampMax(-1).tolist()).toEqual([-2, -1, -1, -1, -1, NaN]);
    expect(() => x.clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
    const i = tensor([-5, 5], { dtype: "int64" });
    expect(i.clamp(-2, 2).dtype).toBe("int64");
    expect(i.clamp(-2.5).dtype).toBe("float32");
  });

  it("tensor bounds broadcast and get gradients", () => {
    const x = tensor([-2, 0, 2, 0.5, 5], { dtype: "float64", requiresGrad: true });
    const lo = tensor([-1, 0, -1, 1, 1], { dtype: "float64", requiresGrad: true });
    const hi = tensor([1, 1, 2, 0, 0], { dtype: "float64", requiresGrad: true });
    const y = x.clamp(lo, hi);
    expect(y.gradFn!.name).toBe("ClampBackward0");
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 1, 1, 0, 0]);
    expect(lo.grad!.tolist()).toEqual([1, 0, 0, 0, 0]);
    expect(hi.grad!.tolist()).toEqual([0, 0, 0, 1, 1]);
    // mixed tensor and number bounds
    const z = tensor([-3, 0, 3]).clamp(tensor([-1]), 1);
    expect(z.tolist()).toEqual([-1, 0, 1]);
    expect(tensor([[1], [5]]).clamp(tensor([2, 3])).shape).toEqual([2, 2]);
    const m = tensor([-1, 2], { dtype: "float64", requiresGrad: true });
    const b = tensor([0, 0], { dtype: "float64", requiresGrad: true });
    m.clampMin(b).sum().backward();
    expect(m.grad!.tolist()).toEqual([0, 1]);
    expect(b.grad!.tolist()).toEqual([1, 0]);
  });

  it("in place", () => {
    const x = tensor([-2, 0.5, 2]);
    const v = x.version;
    expect(x.clamp_(-1, 1)).toBe(x);
    expect(x.tolist()).toEqual([-1, 0.5, 1]);
    expect(x.version).toBeGreaterThan(v);
    x.clip_({ max: tensor(0) });
    expect(x.tolist()).toEqual([-1, 0, 0]);
    expect(() => tensor([1], { dtype: "int64" }).clamp_(0.5)).toThrow("result type Float can't be cast to the desired output type long int");
    const leaf = tensor([1], { requiresGrad: true });
    expect(() => leaf.clamp_(0, 1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    const y = leaf.mul(3);
    y.clamp_(0, 2);
    expect(y.gradFn!.name).toBe("ClampBackward1");
    y.sum().backward();
    expect(leaf.grad!.tolist()).toEqual([0]);
  });
});

describe("pointwise binary ops", () => {
  it("maximum / minimum: nan propagates, ties split the gradient", () => {
    expect(maximum(tensor([1, NaN, 3]), tensor([2, 1, NaN])).tolist()).toEqual([2, NaN, NaN]);
    expect(minimum(tensor([1, 5]), 2).tolist()).toEqual([1, 2]);
    expect(maximum(tensor([1, 5], { dtype: "int64" }), tensor([3, 2], { dtype: "int32" })).dtype).toBe("int64");
    const a = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
    const b = tensor([2, 2, 1], { dtype: "float64", requiresGrad: true });
    a.maximum(b).sum().backward();
    expect(a.grad!.tolist()).toEqual([0, 0.5, 1]);
    expect(b.grad!.tolist()).toEqual([1, 0.5, 0]);
  });

  it("fmax / fmin: nan ignored, ties all to self", () => {
    expect(fmax(tensor([1, NaN, 3]), tensor([2, 1, NaN])).tolist()).toEqual([2, 1, 3]);
    expect(fmin(tensor([1, NaN, 3]), tensor([2, 1, NaN])).tolist()).toEqual([1, 1, 3]);
    const a = tensor([2, 2], { dtype: "float64", requiresGrad: true });
    const b = tensor([2, 1], { dtype: "float64", requiresGrad: true });
    a.fmin(b).sum().backward();
    expect(a.grad!.tolist()).toEqual([1, 0]);
    expect(b.grad!.tolist()).toEqual([0, 1]);
  });

  it("fmod and remainder signs, integer division by zero", () => {
    const a = tensor([-3, 3, -3], { dtype: "float64" });
    const b = tensor([2, -2, -2], { dtype: "float64" });
    expect(fmod(a, b).tolist()).toEqual([-1, 1, -1]);
    expect(remainder(a, b).tolist()).toEqual([1, -1, -1]);
    expect(a.remainder(2).tolist()).toEqual([1, 1, 1]);
    expect(a.fmod(2).tolist()).toEqual([-1, 1, -1]);
    const i = tensor([-7, 7], { dtype: "int64" });
    expect(i.remainder(3).tolist()).toEqual([2, 1]);
    expect(i.remainder(3).dtype).toBe("int64");
    expect(() => i.fmod(0)).toThrow("ZeroDivisionError");
    const x = tensor([-7], { dtype: "float64", requiresGrad: true });
    const y = tensor([2], { dtype: "float64", requiresGrad: true });
    x.remainder(y).sum().backward();
    expect(y.grad!.tolist()).toEqual([4]);
    expect(tensor([1], { requiresGrad: true }).fmod(2).gradFn!.name).toBe("FmodBackward0");
  });

  it("atan2, hypot, copysign, logaddexp", () => {
    expect(atan2(tensor([0, -0, 1], { dtype: "float64" }), tensor([-1, -1, 0], { dtype: "float64" })).tolist()).toEqual([
      Math.PI,
      -Math.PI,
      Math.PI / 2,
    ]);
    expect((tensor([1]).arctan2(tensor([1])).tolist() as number[])[0]).toBeCloseTo(Math.PI / 4, 6);
    expect(hypot(tensor([3]), tensor([4])).tolist()).toEqual([5]);
    expect(() => hypot(tensor([3], { dtype: "int64" }), tensor([4], { dtype: "int64" }))).toThrow(
      `"hypot_cpu" not implemented for 'Long'`,
    );
    expect(copysign(tensor([1, -2, 3]), tensor([-1, 1, -0])).tolist()).toEqual([-1, 2, -3]);
    expect(tensor([2]).copysign(-1).tolist()).toEqual([-2]);
    const l = logaddexp(tensor([-Infinity, 1000]), tensor([-Infinity, 1000])).tolist() as number[];
    expect(l[0]).toBe(-Infinity);
    expect(l[1]).toBeCloseTo(1000 + Math.LN2, 3);
    expect(logaddexp2(tensor([3]), tensor([3])).tolist()).toEqual([4]);
  });

  it("lerp, addcmul, addcdiv", () => {
    const s = tensor([0, 1]);
    const e = tensor([10, 3]);
    expect(lerp(s, e, 0.25).tolist()).toEqual([2.5, 1.5]);
    expect(s.lerp(e, tensor([0, 0.5])).tolist()).toEqual([0, 2]);
    expect(() => s.lerp(tensor([1], { dtype: "float64" }), 0.5)).toThrow("expected dtype float for `end` but got dtype double");
    expect(addcmul(tensor([1, 2]), tensor([3, 4]), tensor([2, 0]), { value: 0.5 }).tolist()).toEqual([4, 2]);
    expect(addcdiv(tensor([1]), tensor([3]), tensor([2])).tolist()).toEqual([2.5]);
    const i = tensor([1], { dtype: "int64" });
    expect(() => i.addcdiv(i, i)).toThrow("Integer division with addcdiv is no longer supported");
    const a = tensor([3], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const y = tensor([1]).addcdiv(a, b, { value: 0.5 });
    expect(y.gradFn!.name).toBe("AddcdivBackward0");
    y.sum().backward();
    expect(a.grad!.tolist()).toEqual([0.25]);
    expect(b.grad!.tolist()).toEqual([-0.375]);
  });

  it("xlogy: 0 where self is 0, self grad 0 there", () => {
    expect(xlogy(tensor([0, 0, 0, 2]), tensor([0, -1, NaN, 1])).tolist()).toEqual([0, 0, NaN, 0]);
    expect(xlogy(0, tensor([5])).tolist()).toEqual([0]);
    const a = tensor([0, 2], { dtype: "float64", requiresGrad: true });
    const b = tensor([-1, 4], { dtype: "float64", requiresGrad: true });
    a.xlogy(b).sum().backward();
    expect(a.grad!.tolist()).toEqual([0, Math.log(4)]);
    expect(b.grad!.tolist()).toEqual([-0, 0.5]);
  });

  it("gradients pass gradcheck through the public API", () => {
    const x = tensor([0.3, -0.7, 1.2], { dtype: "float64", requiresGrad: true });
    const y = tensor([0.9, 0.4, -1.1], { dtype: "float64", requiresGrad: true });
    expect(autograd.gradcheck((a: Tensor, b: Tensor) => a.atan2(b).add(a.logaddexp(b)).add(a.hypot(b)), [x, y])).toBe(true);
    expect(autograd.gradcheck((a: Tensor) => a.erf().add(a.asinh()).add(a.tan()), [x])).toBe(true);
    expect(autograd.gradgradcheck((a: Tensor, b: Tensor) => a.maximum(b).mul(a.expm1()), [x, y])).toBe(true);
  });
});
