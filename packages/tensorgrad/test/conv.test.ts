import { describe, expect, it } from "vitest";
import { amp, autograd, nn, ones, tensor, zeros, type Tensor } from "tensorgrad";

const F = nn.functional;

const seq = (...shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, i) => i), { dtype: "float64" }).reshape(shape);
};

const flat = (t: Tensor) => [t.tolist()].flat(Infinity as 1) as number[];

const close = (a: number[], b: number[], tol = 1e-6) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!))));
};

describe("conv1d / conv2d", () => {
  it("computes stride, padding, dilation and groups", () => {
    const x = seq(1, 1, 3, 3).add(1);
    const w = ones([1, 1, 2, 2], { dtype: "float64" });
    expect(F.conv2d(x, w).tolist()).toEqual([[[[12, 16], [24, 28]]]]);
    expect(flat(F.conv2d(x, w, null, 2, 1))).toEqual([1, 5, 11, 28]);
    expect(flat(F.conv2d(x, w, null, { stride: [1, 2], padding: [0, 1] }))).toEqual([5, 16, 11, 28]);
    expect(flat(F.conv2d(seq(1, 1, 4, 4), w, undefined, 1, 0, 2))).toEqual([20, 24, 36, 40]);
    const xg = seq(1, 2, 2, 2);
    const wg = tensor([2, 3], { dtype: "float64" }).reshape([2, 1, 1, 1]);
    const b = tensor([1, -1], { dtype: "float64" });
    expect(flat(F.conv2d(xg, wg, b, 1, 0, 1, 2))).toEqual([1, 3, 5, 7, 11, 14, 17, 20]);
  });

  it("supports 'same' / 'valid', conv1d and unbatched input", () => {
    const x = tensor([[[1, 2, 3, 4, 5]]]);
    const w = tensor([[[1, 0, -1]]]);
    expect(flat(F.conv1d(x, w, null, 1, "same"))).toEqual([-2, -2, -2, -2, 4]);
    expect(flat(F.conv1d(x, w, null, { padding: "valid" }))).toEqual([-2, -2, -2]);
    expect(F.conv1d(tensor([[1, 2, 3, 4]]), tensor([[[1, 1]]]), null, 1, "same").tolist()).toEqual([[3, 5, 7, 4]]);
    const y = F.conv2d(seq(1, 3, 3).requiresGrad_(), ones([2, 1, 2, 2], { dtype: "float64" }));
    expect(y.shape).toEqual([2, 2, 2]);
    expect(y.gradFn?.name).toBe("SqueezeBackward1");
    expect(() => F.conv1d(x, w, null, 1, "full" as "same")).toThrow("Invalid padding string: 'full'");
  });

  it("has ConvolutionBackward0 gradients that are differentiable again", () => {
    const x = seq(1, 1, 3, 3).add(1).requiresGrad_();
    const w = ones([1, 1, 2, 2], { dtype: "float64" }).requiresGrad_();
    const b = tensor([0.5], { dtype: "float64" }).requiresGrad_();
    const y = F.conv2d(x, w, b);
    expect(y.gradFn?.name).toBe("ConvolutionBackward0");
    y.sum().backward();
    expect(flat(x.grad!)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
    expect(flat(w.grad!)).toEqual([12, 16, 24, 28]);
    expect(flat(b.grad!)).toEqual([4]);
    const xs = tensor([0.3, -0.7, 1.1, 0.4, -0.2, 0.9, -1.3, 0.5, 0.8, -0.6, 0.2, 1.4], { dtype: "float64" })
      .reshape([1, 2, 2, 3])
      .requiresGrad_();
    const ws = tensor([0.5, -0.4, 0.3, 0.9, -1.1, 0.7, 0.2, -0.6], { dtype: "float64" })
      .reshape([2, 1, 2, 2])
      .requiresGrad_();
    const f = (a: Tensor, c: Tensor) => F.conv2d(a, c, null, 1, [1, 0], 1, 2);
    expect(autograd.gradcheck(f, [xs, ws])).toBe(true);
    expect(autograd.gradgradcheck(f, [xs, ws])).toBe(true);
    const ft = (a: Tensor, c: Tensor) => F.convTranspose2d(a, c, null, 2, 0, 1, 2);
    expect(autograd.gradcheck(ft, [xs, ws])).toBe(true);
    expect(autograd.gradgradcheck(ft, [xs, ws])).toBe(true);
  });

  it("convTranspose values", () => {
    const x = tensor([[[1, 2]]]);
    const w = tensor([[[1, 1, 1]]]);
    expect(flat(F.convTranspose1d(x, w, null, 2))).toEqual([1, 1, 3, 2, 2]);
    expect(flat(F.convTranspose1d(x, w, null, 2, 1, 1))).toEqual([1, 3, 2, 2]);
    expect(flat(F.convTranspose1d(x, w, tensor([10]), { stride: 1 }))).toEqual([11, 13, 13, 12]);
    expect(F.convTranspose2d(zeros([1, 4, 3, 3]), zeros([4, 2, 3, 3]), null, 2, 1, 1).shape).toEqual([1, 2, 6, 6]);
  });

  it("throws PyTorch's errors", () => {
    expect(() => F.conv2d(zeros([1, 2, 8, 8]), zeros([4, 3, 3, 3]))).toThrow(
      "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 8, 8] to have 3 channels, but got 2 channels instead",
    );
    expect(() => F.conv2d(zeros([1, 3, 2, 2]), zeros([4, 3, 3, 3]))).toThrow(
      "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size",
    );
    expect(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([4, 3, 3, 3]), null, 2, "same")).toThrow(
      "padding='same' is not supported for strided convolutions",
    );
    expect(() => F.conv2d(zeros([8, 8]), zeros([4, 3, 3, 3]))).toThrow(
      "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 8]",
    );
    expect(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([4, 3, 3, 3]), null, 1.5)).toThrow(TypeError);
  });

  it("computes half types in float32 and runs under autocast", () => {
    const x = seq(1, 2, 4, 4).div(10);
    const w = seq(3, 2, 3, 3).div(50);
    const want = flat(F.conv2d(x, w, null, 1, 1));
    const yh = F.conv2d(x.half(), w.half(), null, 1, 1);
    expect(yh.dtype).toBe("float16");
    close(flat(yh), want, 1e-2);
    const yb = amp.autocast({ dtype: "bfloat16" }, () => F.conv2d(x.float(), w.float(), null, 1, 1));
    expect(yb.dtype).toBe("bfloat16");
    close(flat(yb), want, 2e-2);
  });
});

describe("pooling", () => {
  it("maxPool2d values, indices and ties", () => {
    const x = seq(1, 1, 4, 4);
    expect(flat(F.maxPool2d(x, 2))).toEqual([5, 7, 13, 15]);
    const [v, i] = F.maxPool2d(x, 2, null, 0, 1, false, true);
    expect(flat(v)).toEqual([5, 7, 13, 15]);
    expect(i.dtype).toBe("int64");
    expect(flat(i)).toEqual([5, 7, 13, 15]);
    expect(flat(F.maxPool2d(x, 2, 1, 0, 2))).toEqual([10, 11, 14, 15]);
    expect(F.maxPool2d(seq(1, 1, 5, 5), 2, { ceilMode: true }).shape).toEqual([1, 1, 3, 3]);
    const t = ones([1, 1, 2, 2], { dtype: "float64" }).requiresGrad_();
    const [tv, ti] = F.maxPool2d(t, 2, { returnIndices: true });
    expect(flat(ti)).toEqual([0]);
    expect(tv.gradFn?.name).toBe("MaxPool2DWithIndicesBackward0");
    tv.sum().backward();
    expect(flat(t.grad!)).toEqual([1, 0, 0, 0]);
  });

  it("maxPool1d, avgPool1d/2d, adaptive pools", () => {
    const x = tensor([[1, 3, 2, 5, 4]]);
    expect(flat(F.maxPool1d(x, 2))).toEqual([3, 5]);
    const [, idx] = F.maxPool1d(x, 2, { returnIndices: true });
    expect(flat(idx)).toEqual([1, 3]);
    expect(flat(F.avgPool1d(x, 2, null, 0, true))).toEqual([2, 3.5, 4]);
    const y = seq(1, 1, 3, 3).add(1);
    expect(flat(F.avgPool2d(y, 2, 1))).toEqual([3, 4, 6, 7]);
    expect(flat(F.avgPool2d(y, 2, 2, 1))).toEqual([0.25, 1.25, 2.75, 7]);
    expect(flat(F.avgPool2d(y, 2, 2, 1, false, false))).toEqual([1, 2.5, 5.5, 7]);
    expect(flat(F.avgPool2d(y, 2, { stride: 2, padding: 1, divisorOverride: 2 }))).toEqual([0.5, 2.5, 5.5, 14]);
    const a = tensor([[[[1, 2, 3, 4, 5]]]], { dtype: "float64" }).requiresGrad_();
    const p = F.adaptiveAvgPool2d(a, [1, 3]);
    expect(flat(p)).toEqual([1.5, 3, 4.5]);
    expect(p.gradFn?.name).toBe("AdaptiveAvgPool2DBackward0");
    expect(F.adaptiveAvgPool2d(a, [null, 2]).shape).toEqual([1, 1, 1, 2]);
    expect(F.adaptiveAvgPool2d(a, 1).gradFn?.name).toBe("MeanBackward1");
    expect(flat(F.adaptiveAvgPool1d(tensor([[1, 2]]), 3))).toEqual([1, 1.5, 2]);
    const f = (t: Tensor) => F.avgPool2d(t, [2, 1], 1, 0, true, false);
    const g = (t: Tensor) => F.maxPool2d(t, 2, 1, 1);
    const s = tensor([0.3, -0.7, 1.1, 0.4, -0.2, 0.9, -1.3, 0.5, 0.8], { dtype: "float64" })
      .reshape([1, 3, 3])
      .requiresGrad_();
    expect(autograd.gradgradcheck(f, [s])).toBe(true);
    expect(autograd.gradgradcheck(g, [s])).toBe(true);
  });

  it("throws PyTorch's pooling errors", () => {
    expect(() => F.maxPool2d(zeros([1, 1, 4, 4]), 3, 1, 2, 2)).toThrow(
      "pad should be smaller than or equal to half of kernel size, but got padW = 2, padH = 2, kW = 3, kH = 3",
    );
    expect(() => F.maxPool2d(zeros([1, 1, 2, 2]), 3)).toThrow(
      "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small",
    );
    expect(() => F.avgPool2d(zeros([4, 4]), 2)).toThrow("non-empty 3D or 4D (batch mode) tensor expected for input");
    expect(() => F.adaptiveAvgPool2d(zeros([4, 4]), 2)).toThrow(
      "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [4, 4]",
    );
  });
});
