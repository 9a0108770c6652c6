import { describe, expect, it } from "vitest";
import { manualSeed, nn, noGrad, optim, rand, randn, safetensors, tensor, zeros, Tensor } from "tensorgrad";

const init = nn.init;

describe("nn.init", () => {
  it("uniform_ draws rand's stream: x * (b - a) + a in float32", () => {
    manualSeed(0);
    const u = rand(5).toTypedArray();
    manualSeed(0);
    const t = init.uniform_(zeros(5), -0.3, 0.7);
    const lo = Math.fround(-0.3);
    const range = Math.fround(Math.fround(0.7) - lo);
    expect(Array.from(t.toTypedArray())).toEqual(Array.from(u, (x) => Math.fround(Math.fround(x * range) + lo)));
    // float64: 53-bit uniforms, transformed in double
    manualSeed(3);
    const d = rand(4, { dtype: "float64" }).toTypedArray();
    manualSeed(3);
    const t64 = init.uniform_(zeros(4, { dtype: "float64" }), 2, 5);
    expect(t64.tolist()).toEqual(Array.from(d, (x) => x * 3 + 2));
  });

  it("normal_ reproduces randn's stream (both code paths)", () => {
    for (const n of [3, 20]) {
      manualSeed(1);
      const z = randn(n).tolist();
      manualSeed(1);
      expect(init.normal_(zeros(n)).tolist()).toEqual(z);
    }
    manualSeed(2);
    const z = randn(4, { dtype: "float64" }).toTypedArray();
    manualSeed(2);
    expect(init.normal_(zeros(4, { dtype: "float64" }), 1.5, 0.5).tolist()).toEqual(Array.from(z, (v) => v * 0.5 + 1.5));
  });

  it("calculateGain and fans as PyTorch", () => {
    expect(init.calculateGain("linear")).toBe(1);
    expect(init.calculateGain("conv2d")).toBe(1);
    expect(init.calculateGain("sigmoid")).toBe(1);
    expect(init.calculateGain("tanh")).toBe(5 / 3);
    expect(init.calculateGain("relu")).toBe(Math.sqrt(2));
    expect(init.calculateGain("leaky_relu")).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain("leaky_relu", 0)).toBe(Math.sqrt(2));
    expect(init.calculateGain("leaky_relu", Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain("selu")).toBe(0.75);
    expect(() => init.calculateGain("swish")).toThrow("Unsupported nonlinearity swish");
    expect(init._calculateFanInAndFanOut(zeros(8, 3, 5, 5))).toEqual([75, 200]);
    expect(() => init.kaimingUniform_(zeros(3))).toThrow("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    expect(() => init.kaimingUniform_(zeros(3, 3), { mode: "fan_avg" as "fan_in" })).toThrow("Mode fan_avg not supported, please use one of fan_in, fan_out");
  });

  it("kaiming/xavier bounds and standard deviations", () => {
    const w = init.kaimingUniform_(zeros(64, 100), { mode: "fan_in", nonlinearity: "relu" });
    const bound = Math.sqrt(2) * Math.sqrt(3 / 100);
    const v = w.toTypedArray();
    expect(Math.max(...v)).toBeLessThanOrEqual(bound);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...v)).toBeGreaterThan(0.9 * bound);
    const x = init.xavierUniform_(zeros(30, 50), 2.0).toTypedArray();
    const a = 2 * Math.sqrt(6 / 80);
    expect(Math.max(...x.map(Math.abs))).toBeLessThanOrEqual(a);
    const n = init.kaimingNormal_(zeros(200, 300), 0, "fan_out").toTypedArray();
    const std = Math.sqrt(n.reduce((s, e) => s + e * e, 0) / n.length);
    expect(std).toBeGreaterThan(0.95 * Math.sqrt(2 / 200));
    expect(std).toBeLessThan(1.05 * Math.sqrt(2 / 200));
    const xn = init.xavierNormal_(zeros(100, 200)).toTypedArray();
    const sx = Math.sqrt(xn.reduce((s, e) => s + e * e, 0) / xn.length);
    expect(Math.abs(sx / Math.sqrt(2 / 300) - 1)).toBeLessThan(0.05);
  });

  it("constant_, ones_, zeros_, eye_, truncNormal_", () => {
    const p = new nn.Parameter(zeros(2, 3));
    init.constant_(p, 0.25);
    expect(p.tolist()).toEqual([[0.25, 0.25, 0.25], [0.25, 0.25, 0.25]]);
    expect(p.requiresGrad).toBe(true);
    expect(init.ones_(zeros(2)).tolist()).toEqual([1, 1]);
    expect(init.zeros_(tensor([3, 4])).tolist()).toEqual([0, 0]);
    expect(init.eye_(zeros(2, 3)).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(() => init.eye_(zeros(2))).toThrow("Only tensors with 2 dimensions are supported");
    const t = init.truncNormal_(zeros(2000), 0.5, 1.0, -1.0, 1.5).toTypedArray();
    expect(Math.min(...t)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...t)).toBeLessThanOrEqual(1.5);
  });
});

describe("layers: PyTorch's default initialisation", () => {
  it("manualSeed(0); new nn.Linear(3, 2) gives PyTorch's weights", () => {
    manualSeed(0);
    const fc = new nn.Linear(3, 2);
    // torch.manual_seed(0); nn.Linear(3, 2) prints these (4 decimals)
    const w = fc.weight.tolist() as number[][];
    const want = [[-0.0043, 0.3097, -0.4752], [-0.4249, -0.2224, 0.1548]];
    w.flat().forEach((v, i) => expect(Math.abs(v - want.flat()[i]!)).toBeLessThan(5e-5));
    const b = fc.bias!.tolist() as number[];
    [-0.0114, 0.4578].forEach((v, i) => expect(Math.abs(b[i]! - v)).toBeLessThan(5e-5));
    // exactly: the weight's 6 uniforms, then the bias's 2, bound 1/sqrt(3) both times
    manualSeed(0);
    const u = rand(8).toTypedArray();
    const bound = Math.sqrt(3) * (Math.sqrt(2 / (1 + 5)) / Math.sqrt(3));
    const lo = Math.fround(-bound);
    const r = Math.fround(Math.fround(bound) - lo);
    const blo = Math.fround(-1 / Math.sqrt(3));
    const br = Math.fround(Math.fround(1 / Math.sqrt(3)) - blo);
    expect(Array.from(fc.weight.toTypedArray())).toEqual(Array.from(u.slice(0, 6), (x) => Math.fround(Math.fround(x * r) + lo)));
    expect(Array.from(fc.bias!.toTypedArray())).toEqual(Array.from(u.slice(6), (x) => Math.fround(Math.fround(x * br) + blo)));
  });

  it("Conv2d: kaiming-uniform over fan_in = in/groups * kH * kW, then the bias", () => {
    manualSeed(5);
    const conv = new nn.Conv2d(4, 6, 3, { groups: 2 });
    expect(conv.weight.shape).toEqual([6, 2, 3, 3]);
    manualSeed(5);
    const u = rand(6 * 2 * 9 + 6).toTypedArray();
    const bound = 1 / Math.sqrt(18); // gain sqrt(1/3) * sqrt(3 / 18)
    const lo = Math.fround(-bound);
    const r = Math.fround(Math.fround(bound) - lo);
    const got = Array.from(conv.weight.toTypedArray());
    const want = Array.from(u.slice(0, 108), (x) => Math.fround(Math.fround(x * r) + lo));
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-7)); // bound via sqrt(5) gain: 1 ulp
    expect(Math.max(...conv.bias!.toTypedArray().map(Math.abs))).toBeLessThanOrEqual(Math.fround(bound));
    expect(conv.bias!.shape).toEqual([6]);
  });

  it("Embedding N(0,1) with a zero padding row; LayerNorm / BatchNorm ones and zeros", () => {
    manualSeed(0);
    const e = new nn.Embedding(4, 5, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(3);
    manualSeed(0);
    const z = randn(4, 5).tolist() as number[][];
    const w = e.weight.tolist() as number[][];
    expect(w.slice(0, 3)).toEqual(z.slice(0, 3));
    expect(w[3]).toEqual([0, 0, 0, 0, 0]);
    expect(() => new nn.Embedding(4, 5, 4)).toThrow("Padding_idx must be within num_embeddings");
    const ln = new nn.LayerNorm([2, 3]);
    expect(ln.weight!.tolist()).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(ln.bias!.tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    const bn = new nn.BatchNorm2d(3);
    expect(Object.keys(bn.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    expect(bn.numBatchesTracked!.dtype).toBe("int64");
    expect(bn.runningVar!.tolist()).toEqual([1, 1, 1]);
    const pre = nn.Embedding.fromPretrained(tensor([[1, 2], [3, 4]]));
    expect(pre.weight.requiresGrad).toBe(false);
    expect(pre.toString()).toBe("Embedding(2, 2)");
  });
});

describe("nn.Module", () => {
  class Net extends nn.Module {
    fc1 = new nn.Linear(2, 3);
    bn = new nn.BatchNorm1d(3);
    head = new nn.Sequential(new nn.ReLU(), new nn.Linear(3, 1, false));
  }

  it("stateDict: PyTorch's keys and order (own params, own buffers, then children)", () => {
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual([
      "fc1.weight",
      "fc1.bias",
      "bn.weight",
      "bn.bias",
      "bn.running_mean",
      "bn.running_var",
      "bn.num_batches_tracked",
      "head.1.weight",
    ]);
    expect([...net.namedParameters()].map(([n]) => n)).toEqual(["fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "head.1.weight"]);
    expect([...net.namedBuffers()].map(([n]) => n)).toEqual(["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]);
    expect([...net.namedModules()].map(([n]) => n)).toEqual(["", "fc1", "bn", "head", "head.0", "head.1"]);
    const sd = net.stateDict();
    expect(sd["fc1.weight"]!.requiresGrad).toBe(false);
    expect(net.stateDict({ keepVars: true })["fc1.weight"]).toBe(net.fc1.weight);
  });

  it("non-persistent buffers stay out of the state dict", () => {
    const m = new nn.Module();
    m.registerBuffer("a", tensor([1]));
    m.registerBuffer("b", tensor([2]), { persistent: false });
    expect(Object.keys(m.stateDict())).toEqual(["a"]);
    expect([...m.namedBuffers()].map(([n]) => n)).toEqual(["a", "b"]);
  });

  it("loadStateDict copies in place and reports missing / unexpected keys", () => {
    const a = new Net();
    const b = new Net();
    const w = b.fc1.weight;
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.fc1.weight).toBe(w);
    expect(b.fc1.weight.tolist()).toEqual(a.fc1.weight.tolist());
    const sd = a.stateDict();
    delete sd["bn.running_var"];
    sd["extra"] = tensor([1]);
    sd["fc1.nope"] = tensor([1]);
    const r = b.loadStateDict(sd, { strict: false });
    expect(r.missingKeys).toEqual(["bn.running_var"]);
    expect(r.unexpectedKeys).toEqual(["extra", "fc1.nope"]); // the root module reports first
    expect(() => b.loadStateDict(sd)).toThrow(
      'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "bn.running_var". \n\tUnexpected key(s) in state_dict: "extra", "fc1.nope". ',
    );
  });

  it("loadStateDict raises PyTorch's size mismatch message", () => {
    const fc = new nn.Linear(2, 2);
    expect(() => fc.loadStateDict({ weight: zeros(3, 2), bias: zeros(2) })).toThrow(
      "Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape [3, 2] from checkpoint, the shape in current model is [2, 2].",
    );
    const seq = new nn.Sequential(new nn.Linear(2, 2));
    expect(() => seq.loadStateDict({ "0.weight": zeros(3, 2), "0.bias": zeros(2) })).toThrow(
      "size mismatch for 0.weight: copying a param with shape [3, 2] from checkpoint, the shape in current model is [2, 2].",
    );
  });

  it("repr strings as PyTorch prints them", () => {
    const seq = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU());
    expect(seq.toString()).toBe("Sequential(\n  (0): Linear(in_features=4, out_features=8, bias=True)\n  (1): ReLU()\n)");
    expect(String(new Net())).toBe(
      [
        "Net(",
        "  (fc1): Linear(in_features=2, out_features=3, bias=True)",
        "  (bn): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
        "  (head): Sequential(",
        "    (0): ReLU()",
        "    (1): Linear(in_features=3, out_features=1, bias=False)",
        "  )",
        ")",
      ].join("\n"),
    );
    const cases: [nn.Module, string][] = [
      [new nn.LayerNorm(4), "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"],
      [new nn.BatchNorm2d(3, { momentum: null }), "BatchNorm2d(3, eps=1e-05, momentum=None, affine=True, track_running_stats=True)"],
      [new nn.GroupNorm(2, 4), "GroupNorm(2, 4, eps=1e-05, affine=True)"],
      [new nn.Conv2d(3, 8, 3), "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))"],
      [new nn.Conv2d(3, 8, [3, 5], { stride: 2, padding: 1, bias: false }), "Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), bias=False)"],
      [new nn.Conv2d(4, 8, 3, 1, "same", 2, 2, true, "reflect"), "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2), groups=2, padding_mode=reflect)"],
      [new nn.Conv1d(2, 4, 3), "Conv1d(2, 4, kernel_size=(3,), stride=(1,))"],
      [new nn.Bilinear(2, 3, 4), "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)"],
      [new nn.Embedding(10, 3, { paddingIdx: 0 }), "Embedding(10, 3, padding_idx=0)"],
      [new nn.Dropout(), "Dropout(p=0.5, inplace=False)"],
      [new nn.Flatten(), "Flatten(start_dim=1, end_dim=-1)"],
      [new nn.Identity(), "Identity()"],
      [new nn.ReLU(true), "ReLU(inplace=True)"],
      [new nn.ReLU6(), "ReLU6()"],
      [new nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"],
      [new nn.GELU(), "GELU(approximate='none')"],
      [new nn.GELU("tanh"), "GELU(approximate='tanh')"],
      [new nn.SiLU(), "SiLU()"],
      [new nn.Mish(), "Mish()"],
      [new nn.ELU(), "ELU(alpha=1.0)"],
      [new nn.Softplus(), "Softplus(beta=1.0, threshold=20.0)"],
      [new nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"],
      [new nn.Hardswish(), "Hardswish()"],
      [new nn.Hardsigmoid(), "Hardsigmoid()"],
      [new nn.Tanh(), "Tanh()"],
      [new nn.Sigmoid(), "Sigmoid()"],
      [new nn.Softmax(1), "Softmax(dim=1)"],
      [new nn.LogSoftmax({ dim: -1 }), "LogSoftmax(dim=-1)"],
      [new nn.MSELoss(), "MSELoss()"],
      [new nn.CrossEntropyLoss(), "CrossEntropyLoss()"],
      [new nn.MaxPool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"],
      [new nn.AvgPool2d(3, { stride: 1 }), "AvgPool2d(kernel_size=3, stride=1, padding=0)"],
      [new nn.AdaptiveAvgPool2d([1, 1]), "AdaptiveAvgPool2d(output_size=(1, 1))"],
      [new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU()]), "ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n  (3): ReLU()\n)"],
      [new nn.ModuleDict({ act: new nn.Tanh() }), "ModuleDict(\n  (act): Tanh()\n)"],
    ];
    for (const [m, s] of cases) expect(m.toString()).toBe(s);
  });

  it("containers: Sequential indexing/append, ModuleList, ModuleDict", () => {
    const seq = new nn.Sequential(new nn.Identity());
    seq.append(new nn.Flatten());
    expect(seq.length).toBe(2);
    expect(seq.at(-1)).toBeInstanceOf(nn.Flatten);
    expect(seq.slice(1).toString()).toBe("Sequential(\n  (1): Flatten(start_dim=1, end_dim=-1)\n)");
    expect((seq.call(zeros(2, 3, 4)) as Tensor).shape).toEqual([2, 12]);
    const list = new nn.ModuleList([new nn.Linear(1, 1)]);
    list.append(new nn.Linear(1, 2));
    expect([...list.namedParameters()].map(([n]) => n)).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
    const d = new nn.ModuleDict({ a: new nn.Linear(1, 1) });
    d.set("b", new nn.Linear(1, 1, false));
    expect(Object.keys(d.stateDict())).toEqual(["a.weight", "a.bias", "b.weight"]);
    expect(d.keys()).toEqual(["a", "b"]);
    const named = new nn.Sequential(new Map([["first", new nn.Identity()]]));
    expect([...named.namedChildren()].map(([n]) => n)).toEqual(["first"]);
  });

  it("requiresGrad_, train/eval, half/double, getSubmodule, forward hooks", () => {
    const net = new Net();
    net.requiresGrad_(false);
    expect([...net.parameters()].every((p) => !p.requiresGrad)).toBe(true);
    net.requiresGrad_();
    expect([...net.parameters()].every((p) => p.requiresGrad)).toBe(true);
    net.eval();
    expect([...net.modules()].every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.head.at(0).training).toBe(true);
    net.double();
    expect(net.fc1.weight.dtype).toBe("float64");
    expect(net.fc1.weight).toBeInstanceOf(nn.Parameter);
    expect(net.fc1.weight.requiresGrad).toBe(true);
    expect(net.bn.runningMean!.dtype).toBe("float64");
    expect(net.bn.numBatchesTracked!.dtype).toBe("int64");
    expect(Object.values(net.stateDict()).filter((t) => t.dtype === "float64").length).toBe(7);
    net.half();
    expect(net.getParameter("head.1.weight").dtype).toBe("float16");
    net.float();
    expect(net.getBuffer("bn.running_var").dtype).toBe("float32");
    expect(net.getSubmodule("head.1")).toBeInstanceOf(nn.Linear);
    expect(() => net.getSubmodule("head.7")).toThrow("Sequential has no attribute `7`");
    const id = new nn.Identity();
    const h = id.registerForwardHook((_m, _i, out) => (out as Tensor).mul(2));
    expect((id.call(tensor([1.5])) as Tensor).tolist()).toEqual([3]);
    h.remove();
    expect((id.call(tensor([1.5])) as Tensor).tolist()).toEqual([1.5]);
  });
});

// Layer forwards (through nn.functional), checked against hand computations.
describe("layers: forward (through nn.functional)", () => {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const near = (a: Tensor, want: number | number[] | number[][], tol = 1e-5) => {
    const got = flat(a.tolist());
    const w = flat(want);
    expect(got.length).toBe(w.length);
    got.forEach((v, i) => expect(Math.abs(v - w[i]!)).toBeLessThan(tol));
  };
  const set = (p: Tensor, v: number[] | number[][] | number[][][][]) => noGrad(() => p.copy_(tensor(v as never)));

  it("Linear, Bilinear and Sequential compute by hand", () => {
    const fc = new nn.Linear(2, 2);
    set(fc.weight, [[1, 2], [3, -1]]);
    set(fc.bias!, [0.5, -0.5]);
    near(fc.call(tensor([[1, 1], [2, 0]])) as Tensor, [[3.5, 1.5], [2.5, 5.5]]);
    const seq = new nn.Sequential(fc, new nn.ReLU());
    near(seq.call(tensor([[-1, -1]])) as Tensor, [[0, 0]]);
    const bl = new nn.Bilinear(2, 1, 1);
    set(bl.weight, [[[2], [3]]] as never);
    set(bl.bias!, [1]);
    near(bl.forward(tensor([[1, 2]]), tensor([[4]])), [[1 + 4 * (2 + 6)]]);
  });

  it("BatchNorm1d: batch stats in training (running stats with momentum), running stats in eval", () => {
    const bn = new nn.BatchNorm1d(2);
    const x = tensor([[1, 2], [3, 6]]);
    const eps = 1e-5;
    near(bn.call(x) as Tensor, [[-1 / Math.sqrt(1 + eps), -2 / Math.sqrt(4 + eps)], [1 / Math.sqrt(1 + eps), 2 / Math.sqrt(4 + eps)]]);
    near(bn.runningMean!, [0.2, 0.4]);
    near(bn.runningVar!, [0.9 + 0.1 * 2, 0.9 + 0.1 * 8]); // unbiased variance
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.eval();
    near(bn.call(x) as Tensor, [[(1 - 0.2) / Math.sqrt(1.1 + eps), (2 - 0.4) / Math.sqrt(1.7 + eps)], [(3 - 0.2) / Math.sqrt(1.1 + eps), (6 - 0.4) / Math.sqrt(1.7 + eps)]]);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    // momentum null: cumulative moving average
    const cum = new nn.BatchNorm1d(1, { momentum: null });
    cum.call(tensor([[1], [3]]));
    cum.call(tensor([[5], [7]]));
    near(cum.runningMean!, [(2 + 6) / 2]);
    expect(() => bn.call(tensor([1, 2]))).toThrow("expected 2D or 3D input (got 1D input)");
  });

  it("BatchNorm2d, LayerNorm, GroupNorm", () => {
    const bn = new nn.BatchNorm2d(1);
    const y = bn.call(tensor([[[[1, 3]]], [[[5, 7]]]])) as Tensor;
    const sd = Math.sqrt(5 + 1e-5);
    near(y, [[[[-3 / sd, -1 / sd]]], [[[1 / sd, 3 / sd]]]] as never);
    const ln = new nn.LayerNorm(3);
    const s = Math.sqrt(2 / 3 + 1e-5);
    near(ln.call(tensor([[1, 2, 3]])) as Tensor, [[-1 / s, 0, 1 / s]]);
    const gn = new nn.GroupNorm(1, 2);
    near(gn.call(tensor([[[1], [3]]])) as Tensor, [[-1 / Math.sqrt(1 + 1e-5)], [1 / Math.sqrt(1 + 1e-5)]] as never);
  });

  it("Dropout: identity in eval and for p=0, zeros for p=1", () => {
    const x = tensor([1, 2, 3]);
    const d = new nn.Dropout(1.0);
    near(d.call(x) as Tensor, [0, 0, 0]);
    d.eval();
    near(d.call(x) as Tensor, [1, 2, 3]);
    near(new nn.Dropout(0).call(x) as Tensor, [1, 2, 3]);
    const half = new nn.Dropout(0.5).call(zeros(1000).add(1)) as Tensor;
    const vals = new Set(half.tolist() as number[]);
    expect([...vals].every((v) => v === 0 || v === 2)).toBe(true);
    expect(() => new nn.Dropout(1.5)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
  });

  it("Embedding and activations match their formulas", () => {
    const e = new nn.Embedding(3, 2);
    set(e.weight, [[1, 2], [3, 4], [5, 6]]);
    near(e.call(tensor([2, 0], { dtype: "int64" })) as Tensor, [[5, 6], [1, 2]]);
    const x = tensor([-2, -0.5, 0, 0.5, 2]);
    const xs = [-2, -0.5, 0, 0.5, 2];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const cases: [nn.Module, (v: number) => number][] = [
      [new nn.ReLU(), (v) => Math.max(v, 0)],
      [new nn.ReLU6(), (v) => Math.min(Math.max(v, 0), 6)],
      [new nn.LeakyReLU(0.1), (v) => (v > 0 ? v : 0.1 * v)],
      [new nn.ELU(), (v) => (v > 0 ? v : Math.exp(v) - 1)],
      [new nn.SiLU(), (v) => v * sig(v)],
      [new nn.Tanh(), Math.tanh],
      [new nn.Sigmoid(), sig],
      [new nn.Softplus(), (v) => Math.log1p(Math.exp(v))],
      [new nn.Hardtanh(), (v) => Math.min(Math.max(v, -1), 1)],
      [new nn.Mish(), (v) => v * Math.tanh(Math.log1p(Math.exp(v)))],
      [new nn.Hardswish(), (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6],
      [new nn.Hardsigmoid(), (v) => Math.min(Math.max(v + 3, 0), 6) / 6],
      [new nn.GELU("tanh"), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
    ];
    for (const [m, f] of cases) near(m.call(x) as Tensor, xs.map(f));
    const sm = new nn.Softmax(1).call(tensor([[0, Math.log(3)]])) as Tensor;
    near(sm, [[0.25, 0.75]]);
    near(new nn.LogSoftmax(-1).call(tensor([[0, Math.log(3)]])) as Tensor, [[Math.log(0.25), Math.log(0.75)]]);
  });

  it("losses by hand", () => {
    const a = tensor([1, 2]);
    const b = tensor([0, 0]);
    near(new nn.MSELoss().call(a, b) as Tensor, [2.5]);
    near(new nn.MSELoss({ reduction: "sum" }).call(a, b) as Tensor, [5]);
    near(new nn.L1Loss().call(a, b) as Tensor, [1.5]);
    near(new nn.SmoothL1Loss().call(tensor([0.5, 2]), b) as Tensor, [(0.125 + 1.5) / 2]);
    near(new nn.HuberLoss({ delta: 1 }).call(tensor([0.5, 2]), b) as Tensor, [(0.125 + 1.5) / 2]);
    const logits = tensor([[0, Math.log(3)]]);
    const target = tensor([1], { dtype: "int64" });
    near(new nn.CrossEntropyLoss().call(logits, target) as Tensor, [Math.log(4 / 3)]);
    near(new nn.NLLLoss().call(tensor([[-1, -2]]), target) as Tensor, [2]);
    near(new nn.BCELoss().call(tensor([0.25]), tensor([1])) as Tensor, [-Math.log(0.25)]);
    near(new nn.BCEWithLogitsLoss().call(tensor([0]), tensor([1])) as Tensor, [Math.log(2)]);
    near(new nn.KLDivLoss({ reduction: "sum" }).call(tensor([Math.log(0.5)]), tensor([0.25])) as Tensor, [0.25 * (Math.log(0.25) - Math.log(0.5))]);
    const w = new nn.CrossEntropyLoss({ weight: tensor([1, 2]) });
    expect(Object.keys(w.stateDict())).toEqual(["weight"]);
  });

  it("Conv1d/Conv2d (zeros, same, reflect) and pooling by hand", () => {
    const conv = new nn.Conv2d(1, 1, 2);
    set(conv.weight, [[[[1, 1], [1, 1]]]]);
    set(conv.bias!, [0.5]);
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    near(conv.call(x) as Tensor, [[[[12.5, 16.5], [24.5, 28.5]]]] as never);
    const same = new nn.Conv2d(1, 1, 3, { padding: "same", bias: false });
    set(same.weight, [[[[0, 0, 0], [0, 1, 0], [0, 0, 0]]]]);
    near(same.call(x) as Tensor, [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]] as never);
    const even = new nn.Conv1d(1, 1, 2, { padding: "same", bias: false });
    set(even.weight, [[[1, 1]]] as never);
    near(even.call(tensor([[[1, 2, 3]]])) as Tensor, [[[3, 5, 3]]] as never); // right pad
    const refl = new nn.Conv1d(1, 1, 3, { padding: 1, paddingMode: "reflect", bias: false });
    set(refl.weight, [[[1, 0, 0]]] as never);
    near(refl.call(tensor([[[1, 2, 3]]])) as Tensor, [[[2, 1, 2]]] as never);
    const img = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
    near(new nn.MaxPool2d(2).call(img) as Tensor, [[[[6, 8], [14, 16]]]] as never);
    near(new nn.AvgPool2d(2).call(img) as Tensor, [[[[3.5, 5.5], [11.5, 13.5]]]] as never);
    near(new nn.AdaptiveAvgPool2d(1).call(img) as Tensor, [[[[8.5]]]] as never);
    near(new nn.Flatten().call(new nn.AdaptiveAvgPool2d([1, 1]).call(img)) as Tensor, [[8.5]]);
  });

  it("a small MLP trains with Adam and survives a safetensors round trip", () => {
    manualSeed(0);
    const net = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 1));
    const opt = new optim.Adam(net.parameters(), { lr: 0.05 });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tensor([[0], [1], [1], [0]]);
    const lossFn = new nn.MSELoss();
    let loss = 0;
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      const l = lossFn.call(net.call(x), y) as Tensor;
      l.backward();
      opt.step();
      loss = l.item() as number;
    }
    expect(loss).toBeLessThan(0.01);
    const copy = new nn.Sequential(new nn.Linear(2, 16), new nn.Tanh(), new nn.Linear(16, 1));
    copy.loadStateDict(safetensors.load(safetensors.save(net.stateDict())));
    expect((copy.call(x) as Tensor).tolist()).toEqual((net.call(x) as Tensor).tolist());
  });
});
