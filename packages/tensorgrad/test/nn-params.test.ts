// PyTorch's extra arguments of nn.functional and the layers: `inplace` of the activations and
// dropout, Embedding's maxNorm / normType / scaleGradByFreq / sparse, MaxPool2d's returnIndices.
// Expected values are PyTorch's semantics worked out by hand.
import { describe, expect, it } from "vitest";
import { manualSeed, nn, noGrad, tensor, Tensor } from "tensorgrad";

const F = nn.functional;
const f64 = { dtype: "float64" as const };
const long = (v: number[] | number[][]) => tensor(v, { dtype: "int64" });
const vals = (t: Tensor) => Array.from(t.toTypedArray(), Number);
const close = (t: Tensor | number[], want: number[], eps = 1e-12) => {
  const got = Array.isArray(t) ? t : vals(t);
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(eps * (1 + Math.abs(want[i]!))));
};
const sig = (v: number) => 1 / (1 + Math.exp(-v));
const SELU_A = 1.6732632423543772;
const SELU_S = 1.0507009873554805;

const X = [-2, -0.5, 0.5, 3];
type Case = {
  name: string;
  run: (x: Tensor, inplace: boolean) => Tensor;
  runOpts: (x: Tensor) => Tensor;
  want: number[];
  gradFn: string;
};
// want: the activation of X, by hand
const CASES: Case[] = [
  { name: "relu", run: (x, ip) => F.relu(x, ip), runOpts: (x) => F.relu(x, { inplace: true }), want: [0, 0, 0.5, 3], gradFn: "ReluBackward0" },
  { name: "relu6", run: (x, ip) => F.relu6(x, ip), runOpts: (x) => F.relu6(x, { inplace: true }), want: [0, 0, 0.5, 3], gradFn: "HardtanhBackward0" },
  {
    name: "leakyRelu",
    run: (x, ip) => F.leakyRelu(x, 0.1, ip),
    runOpts: (x) => F.leakyRelu(x, { negativeSlope: 0.1, inplace: true }),
    want: [-0.2, -0.05, 0.5, 3],
    gradFn: "LeakyReluBackward1",
  },
  {
    name: "elu",
    run: (x, ip) => F.elu(x, 2, ip),
    runOpts: (x) => F.elu(x, { alpha: 2, inplace: true }),
    want: [2 * Math.expm1(-2), 2 * Math.expm1(-0.5), 0.5, 3],
    gradFn: "EluBackward1",
  },
  {
    name: "selu",
    run: (x, ip) => F.selu(x, ip),
    runOpts: (x) => F.selu(x, { inplace: true }),
    want: [SELU_S * SELU_A * Math.expm1(-2), SELU_S * SELU_A * Math.expm1(-0.5), SELU_S * 0.5, SELU_S * 3],
    gradFn: "EluBackward1",
  },
  {
    name: "celu",
    run: (x, ip) => F.celu(x, 2, ip),
    runOpts: (x) => F.celu(x, { alpha: 2, inplace: true }),
    want: [2 * Math.expm1(-1), 2 * Math.expm1(-0.25), 0.5, 3],
    gradFn: "EluBackward1",
  },
  { name: "silu", run: (x, ip) => F.silu(x, ip), runOpts: (x) => F.silu(x, { inplace: true }), want: X.map((v) => v * sig(v)), gradFn: "SiluBackward0" },
  {
    name: "mish",
    run: (x, ip) => F.mish(x, ip),
    runOpts: (x) => F.mish(x, { inplace: true }),
    want: X.map((v) => v * Math.tanh(Math.log1p(Math.exp(v)))),
    gradFn: "MishBackward0",
  },
  {
    name: "hardsigmoid",
    run: (x, ip) => F.hardsigmoid(x, ip),
    runOpts: (x) => F.hardsigmoid(x, { inplace: true }),
    want: [1 / 6, 2.5 / 6, 3.5 / 6, 1],
    gradFn: "HardsigmoidBackward0",
  },
  {
    name: "hardswish",
    run: (x, ip) => F.hardswish(x, ip),
    runOpts: (x) => F.hardswish(x, { inplace: true }),
    want: [-2 / 6, (-0.5 * 2.5) / 6, (0.5 * 3.5) / 6, 3],
    gradFn: "HardswishBackward0",
  },
  {
    name: "hardtanh",
    run: (x, ip) => F.hardtanh(x, -1, 1, ip),
    runOpts: (x) => F.hardtanh(x, { minVal: -1, maxVal: 1, inplace: true }),
    want: [-1, -0.5, 0.5, 1],
    gradFn: "HardtanhBackward0",
  },
];

describe("inplace activations", () => {
  for (const c of CASES) {
    it(`${c.name}: overwrites the input and returns it, as the out-of-place op`, () => {
      const x = tensor(X, f64);
      const out = c.run(x, false);
      expect(out).not.toBe(x);
      close(out, c.want);
      close(x, X); // untouched

      const y = c.run(x, true);
      expect(y).toBe(x);
      close(x, c.want);

      const z = tensor(X, f64);
      expect(c.runOpts(z)).toBe(z);
      close(z, c.want);
    });

    it(`${c.name}: gradient and grad_fn of the in-place op`, () => {
      const a = tensor(X, { ...f64, requiresGrad: true });
      const b = tensor(X, { ...f64, requiresGrad: true });
      const h = a.mul(1);
      const y = c.run(h, true);
      expect(y).toBe(h);
      expect(h.gradFn!.name).toBe(c.gradFn);
      const w = tensor([1, 2, 3, 4], f64);
      y.mul(w).sum().backward();
      c.run(b.mul(1), false).mul(w).sum().backward();
      close(a.grad!, vals(b.grad!));
    });

    it(`${c.name}: refuses a leaf that requires grad, allowed under noGrad`, () => {
      const leaf = tensor(X, { ...f64, requiresGrad: true });
      expect(() => c.run(leaf, true)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
      close(leaf, X);
      noGrad(() => c.run(leaf, true));
      close(leaf, c.want);
      expect(leaf.gradFn).toBeNull();
    });
  }

  it("bumps the version, so a saved tensor modified in place is caught in backward", () => {
    const a = tensor([-1, 2], { ...f64, requiresGrad: true });
    const e = a.exp(); // ExpBackward0 saves its result
    const v = e.version;
    F.relu(e, true);
    expect(e.version).toBeGreaterThan(v);
    expect(() => e.sum().backward()).toThrow("one of the variables needed for gradient computation has been modified by an inplace operation");
  });

  it("relu_ / Tensor.relu_ and the functional in-place aliases", () => {
    const x = tensor([-1, 2]);
    expect(x.relu_()).toBe(x);
    close(x, [0, 2]);
    const i = tensor([-3, 4], { dtype: "int64" });
    expect(F.relu(i, true)).toBe(i);
    expect(vals(i)).toEqual([0, 4]);
    const t = () => tensor([-2, 0.5, 3], f64);
    let y = t();
    expect(F.relu_(y)).toBe(y);
    close(y, [0, 0.5, 3]);
    y = t();
    expect(F.leakyRelu_(y, 0.5)).toBe(y);
    close(y, [-1, 0.5, 3]);
    y = t();
    expect(F.elu_(y)).toBe(y);
    close(y, [Math.expm1(-2), 0.5, 3]);
    y = t();
    expect(F.selu_(y)).toBe(y);
    close(y, [SELU_S * SELU_A * Math.expm1(-2), SELU_S * 0.5, SELU_S * 3]);
    y = t();
    expect(F.celu_(y, 0.5)).toBe(y);
    close(y, [0.5 * Math.expm1(-4), 0.5, 3]);
    y = t();
    expect(F.hardtanh_(y, 0, 1)).toBe(y);
    close(y, [0, 0.5, 1]);
  });

  it("a negative slope or alpha in place fails in backward, as PyTorch's result-based formulas", () => {
    const a = tensor([-1, 2], { ...f64, requiresGrad: true });
    const y = F.leakyRelu(a.mul(1), -0.5, true);
    close(y, [0.5, 2]);
    expect(() => y.sum().backward()).toThrow("In-place leakyReLu backward calculation is triggered with a negative slope which is not supported.");
    const z = F.elu(a.mul(1), -1, true);
    expect(() => z.sum().backward()).toThrow("In-place elu backward calculation is triggered with a negative slope which is not supported.");
    // the out-of-place ops take them
    F.leakyRelu(a, -0.5).sum().backward();
    close(a.grad!, [-0.5, 1]);
  });

  it("the layers pass inplace through, positional or as an options object", () => {
    const mods: [InstanceType<typeof nn.Module>, number[], string][] = [
      [new nn.ReLU(true), [0, 0, 0.5, 3], "ReLU(inplace=True)"],
      [new nn.ReLU({ inplace: true }), [0, 0, 0.5, 3], "ReLU(inplace=True)"],
      [new nn.ReLU6(true), [0, 0, 0.5, 3], "ReLU6(inplace=True)"],
      [new nn.LeakyReLU(0.1, true), [-0.2, -0.05, 0.5, 3], "LeakyReLU(negative_slope=0.1, inplace=True)"],
      [new nn.LeakyReLU({ negativeSlope: 0.1, inplace: true }), [-0.2, -0.05, 0.5, 3], "LeakyReLU(negative_slope=0.1, inplace=True)"],
      [new nn.ELU(2, true), CASES[3]!.want, "ELU(alpha=2.0, inplace=True)"],
      [new nn.ELU({ alpha: 2, inplace: true }), CASES[3]!.want, "ELU(alpha=2.0, inplace=True)"],
      [new nn.SELU(true), CASES[4]!.want, "SELU(inplace=True)"],
      [new nn.SiLU(true), CASES[6]!.want, "SiLU(inplace=True)"],
      [new nn.Mish({ inplace: true }), CASES[7]!.want, "Mish(inplace=True)"],
      [new nn.Hardsigmoid(true), CASES[8]!.want, "Hardsigmoid()"],
      [new nn.Hardswish(true), CASES[9]!.want, "Hardswish()"],
      [new nn.Hardtanh(-1, 1, true), CASES[10]!.want, "Hardtanh(min_val=-1.0, max_val=1.0, inplace=True)"],
      [new nn.Hardtanh({ minVal: -0.5, maxVal: 0.5, inplace: true }), [-0.5, -0.5, 0.5, 0.5], "Hardtanh(min_val=-0.5, max_val=0.5, inplace=True)"],
    ];
    for (const [m, want, repr] of mods) {
      const x = tensor(X, f64);
      expect(m.call(x)).toBe(x);
      close(x, want);
      expect(m.toString()).toBe(repr);
    }
    // default: out of place
    const x = tensor(X, f64);
    const y = new nn.ReLU().call(x) as Tensor;
    expect(y).not.toBe(x);
    close(x, X);
    expect(() => new nn.Hardtanh({ minVal: 1, maxVal: 1 })).toThrow("max_val must be greater than min_val");
  });
});

describe("inplace dropout", () => {
  it("drops the same elements as the out-of-place op, into the input", () => {
    const x = tensor(Array.from({ length: 40 }, (_, i) => i + 1), f64);
    manualSeed(7);
    const want = vals(F.dropout(x, 0.4));
    expect(want.filter((v) => v === 0).length).toBeGreaterThan(0);
    want.forEach((v, i) => expect(v === 0 || Math.abs(v - (i + 1) / 0.6) < 1e-12).toBe(true));
    manualSeed(7);
    const h = tensor(vals(x), { ...f64, requiresGrad: true });
    const y = h.mul(1);
    expect(F.dropout(y, 0.4, true, true)).toBe(y);
    close(y, want);
    expect(y.gradFn!.name).toBe("MulBackward0");
    y.sum().backward();
    close(h.grad!, want.map((v) => (v === 0 ? 0 : 1 / 0.6)));
    manualSeed(7);
    const z = tensor(vals(x), f64);
    expect(F.dropout(z, { p: 0.4, inplace: true })).toBe(z);
    close(z, want);
  });

  it("nothing dropped: the input untouched (even a leaf that requires grad); bad p refused", () => {
    const leaf = tensor([1, 2], { ...f64, requiresGrad: true });
    expect(F.dropout(leaf, 0.5, false, true)).toBe(leaf);
    expect(F.dropout(leaf, 0, true, true)).toBe(leaf);
    close(leaf, [1, 2]);
    expect(() => F.dropout(leaf, 0.5, true, true)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    expect(() => F.dropout(leaf, 1.5, false, true)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
    const x = tensor([1, 2, 3], f64);
    expect(F.dropout(x, 1, true, true)).toBe(x);
    close(x, [0, 0, 0]);
  });

  it("nn.Dropout(p, inplace) in training and eval", () => {
    for (const d of [new nn.Dropout(1, true), new nn.Dropout({ p: 1, inplace: true })]) {
      expect(d.toString()).toBe("Dropout(p=1.0, inplace=True)");
      const x = tensor([1, 2], f64);
      expect(d.call(x)).toBe(x);
      close(x, [0, 0]);
      d.eval();
      const z = tensor([1, 2], f64);
      expect(d.call(z)).toBe(z);
      close(z, [1, 2]);
    }
    expect(() => new nn.Dropout({ p: 2 })).toThrow("dropout probability has to be between 0 and 1, but got 2");
  });
});

describe("embedding: maxNorm, normType, scaleGradByFreq, sparse", () => {
  const s = (norm: number, maxNorm = 1) => maxNorm / (norm + 1e-7); // torch.embedding_renorm_'s scale

  it("maxNorm renormalises the referenced rows of weight in place, like torch.embedding_renorm_", () => {
    // row norms 5, 0.5, 10, 1: rows 0 and 3 referenced (0 twice), maxNorm 1
    const w = tensor([[3, 4], [0.3, 0.4], [6, 8], [1, 0]], { ...f64, requiresGrad: true });
    const v = w.version;
    const y = F.embedding(long([0, 3, 0]), w, { maxNorm: 1 });
    const r0 = [3 * s(5), 4 * s(5)];
    close(w, [...r0, 0.3, 0.4, 6, 8, 1, 0]); // row 0 scaled once; 1 (unreferenced) and 2 kept; 3 (norm 1, not > 1) kept
    close(y, [...r0, 1, 0, ...r0]);
    expect(w.version).toBeGreaterThan(v);
    expect(w.gradFn).toBeNull();
    expect(y.gradFn!.name).toBe("EmbeddingBackward0");
    y.sum().backward();
    close(w.grad!, [2, 2, 0, 0, 0, 0, 1, 1]);
    // positional: (input, weight, paddingIdx, maxNorm, normType)
    const w2 = tensor([[0.3, 0.4], [6, 8]], f64);
    F.embedding(long([1, 0]), w2, null, 2);
    close(w2, [0.3, 0.4, 6 * s(10, 2), 8 * s(10, 2)]);
  });

  it("normType: p-norms, inf", () => {
    let w = tensor([[3, -4]], f64);
    F.embedding(long([0]), w, { maxNorm: 3.5, normType: 1 }); // |3| + |-4| = 7
    close(w, [3 * s(7, 3.5), -4 * s(7, 3.5)]);
    w = tensor([[3, -4]], f64);
    F.embedding(long([0]), w, null, 1, Infinity); // max |x| = 4
    close(w, [3 * s(4), -4 * s(4)]);
    w = tensor([[3, -4]], f64);
    const n3 = Math.cbrt(27 + 64);
    F.embedding(long([0]), w, { maxNorm: 1, normType: 3 });
    close(w, [3 * s(n3), -4 * s(n3)]);
    // float32 weight: the norm in float32, then the same rule
    const w32 = tensor([[3, 4]]);
    F.embedding(long([0]), w32, { maxNorm: 1 });
    close(w32, [0.6, 0.8], 1e-6);
  });

  it("scaleGradByFreq divides each row's gradient by its index's count in the mini-batch", () => {
    // index 2 occurs 3 times: ([1, 2] + [5, 6] + [7, 8]) / 3; index 0 once
    const w = tensor([[0, 1], [2, 3], [4, 5]], { ...f64, requiresGrad: true });
    const y = F.embedding(long([[2, 0], [2, 2]]), w, { scaleGradByFreq: true });
    close(y, [4, 5, 0, 1, 4, 5, 4, 5]);
    y.mul(tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], f64)).sum().backward();
    close(w.grad!, [3, 4, 0, 0, 13 / 3, 16 / 3]);
    // positional, with a padding index: padded positions count but get nothing
    const w2 = tensor([[0, 1], [2, 3], [4, 5]], { ...f64, requiresGrad: true });
    F.embedding(long([1, 1, 0, 2, 2, 2, 2]), w2, 0, null, 2, true).sum().backward();
    close(w2.grad!, [0, 0, 1, 1, 1, 1]);
    // off: plain accumulation
    const w3 = tensor([[0, 1], [2, 3], [4, 5]], { ...f64, requiresGrad: true });
    F.embedding(long([2, 2, 2]), w3).sum().backward();
    close(w3.grad!, [0, 0, 0, 0, 3, 3]);
  });

  it("sparse: true is refused (no sparse tensors)", () => {
    const w = tensor([[0, 1]], f64);
    const msg = "sparse gradients are not supported";
    expect(() => F.embedding(long([0]), w, { sparse: true })).toThrow(msg);
    expect(() => F.embedding(long([0]), w, null, null, 2, false, true)).toThrow(msg);
    expect(() => new nn.Embedding(3, 2, { sparse: true })).toThrow(msg);
    expect(() => nn.Embedding.fromPretrained(w, { sparse: true })).toThrow(msg);
    expect(F.embedding(long([0]), w, { sparse: false }).shape).toEqual([1, 2]);
  });

  it("errors of the renorm: index range, index dtype", () => {
    const w = tensor([[3, 4]], f64);
    expect(() => F.embedding(long([1]), w, { maxNorm: 1 })).toThrow("index out of range in self");
    expect(() => F.embedding(tensor([0], f64), w, { maxNorm: 1 })).toThrow(
      "Expected tensor for argument #2 'indices' to have one of the following scalar types: Long, Int",
    );
    close(w, [3, 4]);
  });

  it("nn.Embedding passes maxNorm / normType / scaleGradByFreq through", () => {
    const e = nn.Embedding.fromPretrained(tensor([[3, 4], [0.3, 0.4], [6, 8]], f64), { freeze: false, maxNorm: 2, scaleGradByFreq: true });
    expect(e.toString()).toBe("Embedding(3, 2, max_norm=2.0, scale_grad_by_freq=True)");
    const y = e.call(long([0, 0, 1])) as Tensor;
    close(e.weight, [3 * s(5, 2), 4 * s(5, 2), 0.3, 0.4, 6, 8]);
    close(y, [3 * s(5, 2), 4 * s(5, 2), 3 * s(5, 2), 4 * s(5, 2), 0.3, 0.4]);
    y.sum().backward();
    close(e.weight.grad!, [1, 1, 1, 1, 0, 0]); // row 0: (1 + 1) / 2
    const e1 = new nn.Embedding(2, 2, null, { maxNorm: 1, normType: 1 });
    expect(e1.toString()).toBe("Embedding(2, 2, max_norm=1.0, norm_type=1.0)");
    e1.call(long([0, 1]));
    for (const row of e1.weight.tolist() as number[][]) expect(Math.abs(row[0]!) + Math.abs(row[1]!)).toBeLessThanOrEqual(1 + 1e-6);
  });
});

describe("maxPool2d returnIndices", () => {
  const img = () => tensor([Array.from({ length: 4 }, (_, r) => Array.from({ length: 4 }, (_, c) => r * 4 + c + 1))], f64).unsqueeze(0);

  it("nn.MaxPool2d returns [values, indices], positional or options", () => {
    for (const pool of [new nn.MaxPool2d(2, { returnIndices: true }), new nn.MaxPool2d(2, null, 0, 1, true)]) {
      const out = pool.call(img()) as [Tensor, Tensor];
      expect(Array.isArray(out)).toBe(true);
      close(out[0], [6, 8, 14, 16]);
      expect(out[1].dtype).toBe("int64");
      expect(vals(out[1])).toEqual([5, 7, 13, 15]);
      expect(pool.toString()).toBe("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    }
    const plain = new nn.MaxPool2d(2).call(img());
    expect(plain).toBeInstanceOf(Tensor);
  });

  it("a run-time boolean picks the result form", () => {
    for (const ri of [true, false]) {
      const r = F.maxPool2d(img(), 2, null, 0, 1, false, ri);
      expect(Array.isArray(r)).toBe(ri);
      const r1 = F.maxPool1d(img().flatten(0, 2), 2, { returnIndices: ri });
      expect(Array.isArray(r1)).toBe(ri);
    }
  });
});
