import { describe, expect, it } from "vitest";
import { manualSeed, nn, ones, tensor, Tensor, zeros } from "tensorgrad";
import { crossEntropy as namedCrossEntropy, nnFunctional } from "../src/nn/functional.js";

const F = nn.functional;
const f64 = { dtype: "float64" as const };
const leaf = (v: number[] | number[][]) => tensor(v, { ...f64, requiresGrad: true });
const long = (v: number[] | number[][]) => tensor(v, { dtype: "int64" });
const close = (t: Tensor | number[], want: number[], eps = 1e-6) => {
  const got = Array.isArray(t) ? t : Array.from(t.toTypedArray(), Number);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) expect(g).toBeNaN();
    else if (!Number.isFinite(w)) expect(g).toBe(w);
    else expect(Math.abs(g - w)).toBeLessThan(eps * (1 + Math.abs(w)));
  });
};
const gradOfSum = (x: Tensor, y: Tensor) => {
  y.sum().backward();
  return x.grad!;
};

describe("nn.functional exports", () => {
  it("has every function, also exported by name", () => {
    for (const name of ["relu", "gelu", "linear", "crossEntropy", "layerNorm", "embedding", "dropout", "pad", "klDiv"]) {
      expect(typeof (F as Record<string, unknown>)[name]).toBe("function");
    }
    expect(nnFunctional.crossEntropy).toBe(namedCrossEntropy);
  });
});

describe("activations", () => {
  it("values", () => {
    const x = tensor([1], f64);
    close(F.gelu(x), [0.8413447460685429], 1e-12);
    close(F.gelu(x, { approximate: "tanh" }), [0.8411919906082768], 1e-12);
    close(F.silu(x), [0.7310585786300049], 1e-12);
    close(F.mish(x), [0.8650983882673103], 1e-12);
    close(F.selu(tensor([-1], f64)), [-1.1113307378125625], 1e-12);
    close(F.leakyRelu(tensor([-1, 2], f64)), [-0.01, 2]);
    close(F.leakyRelu(tensor([-1], f64), 0.2), [-0.2]);
    close(F.elu(tensor([-1], f64), 2), [2 * (Math.exp(-1) - 1)]);
    close(F.relu6(tensor([-1, 3, 7])), [0, 3, 6]);
    close(F.hardtanh(tensor([-2, 0.5, 2]), -1, 1), [-1, 0.5, 1]);
    close(F.softsign(tensor([-2, 3], f64)), [-2 / 3, 0.75]);
    close(F.softplus(tensor([0, 30], f64)), [Math.LN2, 30]);
    close(F.logsigmoid(tensor([0], f64)), [-Math.LN2]);
    close(F.hardshrink(tensor([-0.5, 1], f64)), [0, 1]);
    close(F.softshrink(tensor([-0.5, 1], f64), 0.25), [-0.25, 0.75]);
    close(F.relu(tensor([-1, 2])), [0, 2]);
    close(F.softmax(tensor([0, 0], f64), 0), [0.5, 0.5]);
    close(F.logSoftmax(tensor([0, 0], f64), { dim: 0 }), [-Math.LN2, -Math.LN2]);
    expect(F.silu(tensor([1])).dtype).toBe("float32");
  });
  it("PyTorch's gradients at the kinks", () => {
    let x = leaf([-1, -0.5, 1, 2]);
    close(gradOfSum(x, F.hardtanh(x)), [0, 1, 0, 0]);
    x = leaf([0, 6]);
    close(gradOfSum(x, F.relu6(x)), [0, 0]);
    x = leaf([0]);
    close(gradOfSum(x, F.leakyRelu(x, 0.3)), [0.3]);
    x = leaf([0]);
    close(gradOfSum(x, F.elu(x, 1.5)), [1.5]);
    x = leaf([25]);
    expect(gradOfSum(x, F.softplus(x)).tolist()).toEqual([1]);
    x = leaf([-3, 0, 3]);
    close(gradOfSum(x, F.hardsigmoid(x)), [0, 1 / 6, 0]);
    x = leaf([-4, -3, 3, 4]);
    close(gradOfSum(x, F.hardswish(x)), [0, -0.5, 1.5, 1]);
    x = leaf([-0.5, 0.5, 1]);
    close(gradOfSum(x, F.softshrink(x)), [0, 0, 1]);
    expect(F.relu6(leaf([1])).gradFn!.name).toBe("HardtanhBackward0");
    expect(F.gelu(leaf([1])).gradFn!.name).toBe("GeluBackward0");
  });
  it("errors like PyTorch", () => {
    expect(() => F.gelu(tensor([1]), { approximate: "fast" as "tanh" })).toThrow("approximate argument must be either none or tanh. Got fast");
    expect(() => F.silu(long([1]))).toThrow("not implemented for 'Long'");
  });
});

describe("linear, bilinear", () => {
  it("values and grad_fn as PyTorch dispatches", () => {
    const x = leaf([[1, 2]]);
    const w = leaf([[1, 0], [0, 1], [1, 1]]);
    const b = leaf([0.5, 0, -1]);
    const y = F.linear(x, w, b);
    close(y, [1.5, 2, 2]);
    expect(y.gradFn!.name).toBe("AddmmBackward0");
    y.sum().backward();
    close(w.grad!, [1, 2, 1, 2, 1, 2]);
    expect(F.linear(x, w).gradFn!.name).toBe("MmBackward0");
    expect(F.linear(ones([2, 2, 2], f64), w, b).gradFn!.name).toBe("ViewBackward0");
    expect(() => F.linear(ones([1, 3]), ones([3, 2]))).toThrow("mat1 and mat2 shapes cannot be multiplied (1x3 and 2x3)");
  });
  it("bilinear", () => {
    const y = F.bilinear(tensor([[1, 2]], f64), tensor([[3]], f64), tensor([[[1], [2]]], f64), tensor([0.5], f64));
    close(y, [15.5]);
    expect(y.shape).toEqual([1, 1]);
  });
});

describe("dropout", () => {
  it("is seeded, scaled, identity when off", () => {
    const x = ones([200], f64);
    expect(F.dropout(x, 0)).toBe(x);
    expect(F.dropout(x, 0.3, false)).toBe(x);
    expect(F.dropout(x, { p: 0.3, training: false })).toBe(x);
    manualSeed(1);
    const a = F.dropout(x, 0.5);
    manualSeed(1);
    const b = F.dropout(x, { p: 0.5 });
    expect(a.tolist()).toEqual(b.tolist());
    const vals = a.tolist() as number[];
    expect(vals.every((v) => v === 0 || v === 2)).toBe(true);
    close(F.dropout(x, 1), Array(200).fill(0));
    expect(() => F.dropout(x, -0.1)).toThrow("dropout probability has to be between 0 and 1, but got -0.1");
  });
});

describe("embedding, oneHot, pad", () => {
  it("embedding accumulates and skips the padding row", () => {
    const w = leaf([[0, 1], [2, 3], [4, 5]]);
    const y = F.embedding(long([[2, 0], [2, 1]]), w, { paddingIdx: 1 });
    expect(y.shape).toEqual([2, 2, 2]);
    close(y, [4, 5, 0, 1, 4, 5, 2, 3]);
    close(gradOfSum(w, y), [1, 1, 0, 0, 2, 2]);
    expect(() => F.embedding(long([3]), w)).toThrow("index out of range in self");
  });
  it("oneHot", () => {
    const o = F.oneHot(long([0, 2]));
    expect(o.dtype).toBe("int64");
    expect(o.tolist()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(F.oneHot(long([1]), 4).shape).toEqual([1, 4]);
    expect(() => F.oneHot(long([5]), 3)).toThrow("Class values must be smaller than num_classes.");
  });
  it("pad modes", () => {
    const x = tensor([[[1, 2, 3, 4]]], f64);
    close(F.pad(x, [1, 2], "constant", 9), [9, 1, 2, 3, 4, 9, 9]);
    close(F.pad(x, [1, 1]), [0, 1, 2, 3, 4, 0]);
    close(F.pad(x, [-1, 0]), [2, 3, 4]);
    close(F.pad(x, [2, 1], "reflect"), [3, 2, 1, 2, 3, 4, 3]);
    close(F.pad(x, [2, 1], { mode: "replicate" }), [1, 1, 1, 2, 3, 4, 4]);
    close(F.pad(x, [2, 1], "circular"), [3, 4, 1, 2, 3, 4, 1]);
    expect(() => F.pad(x, [1])).toThrow("Padding length must be divisible by 2");
  });
});

describe("losses", () => {
  const logits = () => leaf([[1, 2, 3], [1, 1, 1]]);
  it("crossEntropy with class indices, weights, ignoreIndex, label smoothing", () => {
    const x = logits();
    const t = long([2, 0]);
    const l = F.crossEntropy(x, t);
    close(l, [0.753109126556245], 1e-12);
    expect(l.gradFn!.name).toBe("NllLossBackward0");
    const g = gradOfSum(x, l);
    close(g, [0.09003057317038048 / 2, 0.2447284710547977 / 2, (0.665240955774822 - 1) / 2, -1 / 3, 1 / 6, 1 / 6], 1e-9);
    const w = tensor([1, 2, 3], f64);
    close(F.crossEntropy(logits(), t, { weight: w }), [0.5803575455003125], 1e-12);
    close(F.crossEntropy(logits(), long([2, -100])), [0.40760596444438], 1e-12);
    close(F.crossEntropy(logits(), long([2, -100]), { reduction: "none" }), [0.40760596444438, 0], 1e-12);
    close(F.crossEntropy(logits(), long([2, 1]), { ignoreIndex: 1, reduction: "sum" }), [0.40760596444438], 1e-12);
    close(F.crossEntropy(logits(), t, { labelSmoothing: 0.1 }), [0.8031091265562449], 1e-12);
    close(F.crossEntropy(logits(), long([2, -100]), { weight: w, labelSmoothing: 0.1 }), [0.4384635434073452], 1e-12);
    expect(F.crossEntropy(logits(), long([-100, -100])).item()).toBeNaN();
  });
  it("crossEntropy with probabilities and spatial targets", () => {
    close(F.crossEntropy(leaf([[1, 2, 3]]), tensor([[0.2, 0.3, 0.5]], f64)), [1.10760596444438], 1e-12);
    const x3 = leaf([[[1, 1], [2, 1], [3, 1]]]);
    const l = F.crossEntropy(x3, long([[2, 0]]), { reduction: "none" });
    expect(l.shape).toEqual([1, 2]);
    close(l, [0.40760596444438, 1.0986122886681098], 1e-12);
  });
  it("errors name the shapes", () => {
    const x = zeros([3, 5]);
    expect(() => F.crossEntropy(x, long([1, 2]))).toThrow("Expected input batch_size (3) to match target batch_size (2).");
    expect(() => F.crossEntropy(x, long([1, 5, 0]))).toThrow("Target 5 is out of bounds.");
    expect(() => F.mseLoss(x, x, { reduction: "avg" as "mean" })).toThrow("avg is not a valid value for reduction");
  });
  it("nllLoss mean divides by the summed weights", () => {
    const lp = leaf([[-1, -2, -3], [-0.5, -1.5, -2.5]]);
    const l = F.nllLoss(lp, long([1, 2]), { weight: tensor([1, 2, 4], f64) });
    close(l, [14 / 6], 1e-12);
    close(gradOfSum(lp, l), [0, -2 / 6, 0, 0, 0, -4 / 6], 1e-12);
  });
  it("regression losses", () => {
    let x = leaf([1, 2]);
    const l = F.mseLoss(x, tensor([0, 4], f64));
    close(l, [2.5]);
    expect(l.gradFn!.name).toBe("MseLossBackward0");
    close(gradOfSum(x, l), [1, -2]);
    x = leaf([1, 2]);
    close(gradOfSum(x, F.l1Loss(x, tensor([1, 3], f64))), [0, -0.5]);
    x = leaf([0.5, 2, -1]);
    close(F.smoothL1Loss(x, zeros([3], f64)), [(0.125 + 1.5 + 0.5) / 3]);
    close(F.smoothL1Loss(x, zeros([3], f64), { beta: 0.5, reduction: "sum" }), [0.25 + 1.75 + 0.75]);
    close(F.huberLoss(leaf([3, -1]), zeros([2], f64), { delta: 2, reduction: "sum" }), [4.5]);
  });
  it("binary cross entropy", () => {
    const x = leaf([0, 0.5]);
    const l = F.binaryCrossEntropy(x, tensor([1, 1], f64), { reduction: "none" });
    close(l, [100, Math.LN2]);
    close(gradOfSum(x, l), [-1e12, -2]);
    const z = leaf([0, 0]);
    const lw = F.binaryCrossEntropyWithLogits(z, tensor([1, 0], f64), { posWeight: tensor([2, 2], f64), reduction: "none" });
    close(lw, [2 * Math.LN2, Math.LN2]);
    close(gradOfSum(z, lw), [-1, 0.5]);
    close(F.binaryCrossEntropy(tensor([0.5], f64), tensor([1], f64), { weight: tensor([2], f64) }), [2 * Math.LN2]);
  });
  it("klDiv and cosineEmbeddingLoss", () => {
    const lp = tensor([[Math.log(0.25), Math.log(0.75)], [Math.log(0.5), Math.log(0.5)]], f64);
    const p = tensor([[0.5, 0.5], [0.5, 0.5]], f64);
    const row0 = 0.5 * Math.log(2) + 0.5 * Math.log(0.5 / 0.75);
    close(F.klDiv(lp, p, { reduction: "batchmean" }), [row0 / 2]);
    close(F.klDiv(lp, p.log(), { reduction: "sum", logTarget: true }), [row0]);
    const a = tensor([[1, 0], [1, 1]], f64);
    const b = tensor([[1, 0], [-1, 1]], f64);
    close(F.cosineEmbeddingLoss(a, b, long([-1, 1]), { margin: 0.5, reduction: "none" }), [0.5, 1]);
  });
});

describe("normalisation", () => {
  it("layerNorm", () => {
    const x = leaf([[1, 2, 3, 4]]);
    const r = 1 / Math.sqrt(1.25 + 1e-5);
    const y = F.layerNorm(x, [4]);
    close(y, [-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r]);
    expect(y.gradFn!.name).toBe("NativeLayerNormBackward0");
    const w = tensor([1, 2, 3, 4], f64);
    close(F.layerNorm(x, 4, w, null), [-1.5 * r, -1 * r, 1.5 * r, 6 * r]);
    close(F.layerNorm(x, [4], { bias: tensor([1, 1, 1, 1], f64), eps: 0 }), [-1.5, -0.5, 0.5, 1.5].map((v) => 1 + v / Math.sqrt(1.25)));
    expect(() => F.layerNorm(x, [3])).toThrow("Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[1, 4]");
  });
  it("batchNorm updates the running stats in place", () => {
    const x = leaf([[1], [3]]);
    const rm = zeros([1], f64);
    const rv = ones([1], f64);
    const y = F.batchNorm(x, rm, rv, null, null, true);
    close(y, [-1 / Math.sqrt(1 + 1e-5), 1 / Math.sqrt(1 + 1e-5)]);
    close(rm, [0.2]);
    close(rv, [1.1]);
    const e = F.batchNorm(x, rm, rv, { eps: 0 });
    close(e, [0.8 / Math.sqrt(1.1), 2.8 / Math.sqrt(1.1)]);
    expect(y.gradFn!.name).toBe("NativeBatchNormBackward0");
  });
  it("groupNorm", () => {
    const y = F.groupNorm(tensor([[[1, 3], [5, 7]]], f64), 1, null, null, 0);
    const s = 1 / Math.sqrt(5);
    close(y, [-3 * s, -s, s, 3 * s]);
    expect(() => F.groupNorm(zeros([1, 2, 2]), 3)).toThrow("Expected number of channels in input to be divisible by num_groups");
  });
});
