// Agreement of the gpu.js kernels with tensorgrad's WebAssembly kernels, in every gpu.js mode
// that works here (cpu always; webasm in Node; headlessgl when the native `gl` module is built
// and a display is available, e.g. under xvfb-run; webgpu through its worker bridge, with
// gpu.js's cpu backend in the worker).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { autograd, nn, setKernelProvider, tensor, type Tensor } from "tensorgrad";
import { disableGpu, enableGpu, gpuInfo, provider } from "../src/index.js";
import { expectClose, host, onWasm, randomArray, t2, testConfigs } from "./helpers.js";

const MATMUL_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [3, 5, 7],
  [17, 13, 11],
  [33, 64, 65],
  [2, 129, 3],
];

/** Tolerance for a k-term float32 dot product of values in [-1, 1). */
function dotTol(k: number) {
  return { rtol: 1e-5, atol: 2e-7 * k + 1e-6 };
}

describe.each(testConfigs())("gpu.js $name mode against the WASM kernels", ({ options }) => {
  beforeAll(() => {
    const info = enableGpu({ ...options, policy: "force" });
    expect(info.mode).toBe(options.mode);
  });
  afterAll(async () => {
    await disableGpu();
  });
  afterEach(() => setKernelProvider(provider)); // a test that ran onWasm() leaves it removed

  it.each(MATMUL_SHAPES)("matmul %ix%ix%i", (m, k, n) => {
    const a = randomArray(m * k, m * 1000 + k);
    const b = randomArray(k * n, k * 1000 + n);
    const want = onWasm(() => t2(a, m, k).matmul(t2(b, k, n)).toTypedArray());
    const got = host(provider.matmul(a, b, m, k, n));
    expectClose(got, want, dotTol(k));
  });

  it.each(MATMUL_SHAPES.slice(2))("matmul with transposed operands %ix%ix%i (the backward products)", (m, k, n) => {
    const a = randomArray(m * k, 7 + m);
    const b = randomArray(k * n, 11 + n);
    // transA: a holds Aᵀ (k×m); transB: b holds Bᵀ (n×k)
    const wantTA = onWasm(() => t2(a, k, m).t().matmul(t2(b, k, n)).toTypedArray());
    expectClose(host(provider.matmul(a, b, m, k, n, true, false)), wantTA, dotTol(k));
    const wantTB = onWasm(() => t2(a, m, k).matmul(t2(b, n, k).t()).toTypedArray());
    expectClose(host(provider.matmul(a, b, m, k, n, false, true)), wantTB, dotTol(k));
    const wantTT = onWasm(() => t2(a, k, m).t().matmul(t2(b, n, k).t()).toTypedArray());
    expectClose(host(provider.matmul(a, b, m, k, n, true, true)), wantTT, dotTol(k));
  });

  it.each([1, 5, 1023, 4097])("elementwise binary and unary ops, %i elements", (n) => {
    const a = randomArray(n, n);
    const b = randomArray(n, n + 1, 0.5, 2); // away from zero for div
    const pos = randomArray(n, n + 2, 1e-3, 10); // log's domain
    const ref = onWasm(() => ({
      add: tensor(a).add(tensor(b)).toTypedArray(),
      sub: tensor(a).sub(tensor(b)).toTypedArray(),
      mul: tensor(a).mul(tensor(b)).toTypedArray(),
      div: tensor(a).div(tensor(b)).toTypedArray(),
      neg: tensor(a).neg().toTypedArray(),
      exp: tensor(a).exp().toTypedArray(),
      log: tensor(pos).log().toTypedArray(),
    }));
    expectClose(host(provider.binary("add", a, b)), ref.add);
    expectClose(host(provider.binary("sub", a, b)), ref.sub);
    expectClose(host(provider.binary("mul", a, b)), ref.mul);
    expectClose(host(provider.binary("div", a, b)), ref.div);
    expectClose(host(provider.unary("neg", a)), ref.neg, { rtol: 0, atol: 0 });
    expectClose(host(provider.unary("exp", a)), ref.exp, { rtol: 4e-7 * 4, atol: 0 });
    expectClose(host(provider.unary("log", pos)), ref.log, { rtol: 1e-6, atol: 1e-6 });
  });

  it.each([1, 1023, 4097])("tanh and the scalar forms, %i elements", (n) => {
    const a = randomArray(n, 5 * n, -4, 4);
    const nz = randomArray(n, 5 * n + 1, 0.5, 2);
    const ref = onWasm(() => ({
      tanh: tensor(a).tanh().toTypedArray(),
      mul: tensor(a).mul(0.3).toTypedArray(),
      rsub: tensor(1).sub(tensor(a)).toTypedArray(),
      rdiv: tensor(2).div(tensor(nz)).toTypedArray(),
      div: tensor(a).div(3).toTypedArray(),
      add: tensor(a).add(1.5).toTypedArray(),
    }));
    expectClose(host(provider.unary("tanh", a)), ref.tanh, { rtol: 2e-6, atol: 1e-7 });
    expectClose(host(provider.scalar("mul", a, Math.fround(0.3), false)), ref.mul);
    expectClose(host(provider.scalar("sub", a, 1, true)), ref.rsub);
    expectClose(host(provider.scalar("div", nz, 2, true)), ref.rdiv);
    expectClose(host(provider.scalar("div", a, 3, false)), ref.div);
    expectClose(host(provider.scalar("add", a, 1.5, false)), ref.add);
    // through tensorgrad: the scalar forms reach the provider
    setKernelProvider(provider);
    const before = gpuInfo().counts.mul.gpu;
    expectClose(tensor(a).mul(0.3).toTypedArray(), ref.mul);
    expect(gpuInfo().counts.mul.gpu).toBe(before + 1);
  });

  // [x shape, w shape, stride, padding, dilation, groups]
  const CONVS: [number[], number[], number[], number[], number[], number][] = [
    [[2, 3, 7, 6], [4, 3, 3, 3], [1, 1], [0, 0], [1, 1], 1],
    [[1, 2, 9, 8], [3, 2, 3, 2], [2, 3], [1, 2], [1, 1], 1],
    [[2, 4, 8, 8], [6, 2, 3, 3], [2, 2], [2, 1], [2, 1], 2],
    [[1, 1, 5, 5], [1, 1, 5, 5], [1, 1], [4, 4], [1, 1], 1],
  ];
  it.each(CONVS)("conv2d forward and both gradients, x %j w %j stride %j padding %j dilation %j groups %i", (xs, ws, stride, padding, dilation, groups) => {
    const F = nn.functional;
    const run = () => {
      const x = tensor(randomArray(xs.reduce((p, v) => p * v), xs.length * 7)).reshape(...xs).requiresGrad_();
      const w = tensor(randomArray(ws.reduce((p, v) => p * v), ws.length * 11)).reshape(...ws).requiresGrad_();
      const b = tensor(randomArray(ws[0]!, 3));
      const y = F.conv2d(x, w, b, { stride, padding, dilation, groups });
      const g = tensor(randomArray(y.numel(), 13)).reshape(...y.shape);
      const [gx, gw] = autograd.grad(y, [x, w], { gradOutputs: g });
      return [y, gx!, gw!].map((t) => t.toTypedArray());
    };
    const before = gpuInfo().counts;
    const got = run();
    const after = gpuInfo().counts;
    expect(after.conv2d.gpu - before.conv2d.gpu).toBe(1);
    expect(after.conv2dInput.gpu - before.conv2dInput.gpu).toBe(1);
    expect(after.conv2dWeight.gpu - before.conv2dWeight.gpu).toBe(1);
    const want = onWasm(run);
    const k = (ws[1]! * ws[2]! * ws[3]!) * Math.max(1, xs[0]! * xs[2]! * xs[3]!);
    for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, dotTol(k));
  });

  it("conv1d goes through the conv2d products", () => {
    const F = nn.functional;
    const x = tensor(randomArray(2 * 3 * 10, 41)).reshape(2, 3, 10);
    const w = tensor(randomArray(4 * 3 * 3, 42)).reshape(4, 3, 3);
    const before = gpuInfo().counts.conv2d.gpu;
    const got = F.conv1d(x, w, null, { stride: 2, padding: 1 }).toTypedArray();
    expect(gpuInfo().counts.conv2d.gpu).toBe(before + 1);
    expectClose(got, onWasm(() => F.conv1d(x, w, null, { stride: 2, padding: 1 }).toTypedArray()), dotTol(9));
  });

  it.each([1, 255, 256, 257, 100_003])("sum of %i elements", (n) => {
    const x = randomArray(n, 3 * n);
    const want = onWasm(() => tensor(x).sum().item());
    const got = host(provider.sum(x));
    expect(got).toHaveLength(1);
    // both accumulate in a different order; bound by the sum of |x|
    expect(Math.abs(got[0]! - want)).toBeLessThanOrEqual(1e-6 * n + 1e-6);
  });

  it("runs tensor ops through the seam, forward and backward, and counts them", () => {
    const before = gpuInfo().counts;
    const A = t2(randomArray(6 * 5, 1), 6, 5, true);
    const B = t2(randomArray(5 * 4, 2), 5, 4, true);
    const C = A.matmul(B).exp().mul(A.matmul(B)).sum();
    C.backward();
    const after = gpuInfo().counts;
    expect(after.matmul.gpu).toBeGreaterThan(before.matmul.gpu);
    expect(after.exp.gpu).toBeGreaterThan(before.exp.gpu);
    expect(after.mul.gpu).toBeGreaterThan(before.mul.gpu);
    const grads = [A.grad!.toTypedArray(), B.grad!.toTypedArray()];
    const ref = onWasm(() => {
      const A0 = A.detach().requiresGrad_();
      const B0 = B.detach().requiresGrad_();
      A0.matmul(B0).exp().mul(A0.matmul(B0)).sum().backward();
      return [A0.grad!.toTypedArray(), B0.grad!.toTypedArray()];
    });
    expectClose(grads[0]!, ref[0]!, dotTol(20));
    expectClose(grads[1]!, ref[1]!, dotTol(20));
  });

  it("gives the same gradients for a small MLP with and without the provider", () => {
    const grads = (withGpu: boolean): Float32Array[] => {
      setKernelProvider(withGpu ? provider : null);
      const x = t2(randomArray(16 * 9, 21), 16, 9);
      const y = t2(randomArray(16 * 3, 22), 16, 3);
      const W1 = t2(randomArray(9 * 12, 23, -0.5, 0.5), 9, 12, true);
      const W2 = t2(randomArray(12 * 3, 24, -0.5, 0.5), 12, 3, true);
      const params: Tensor[] = [W1, W2];
      const h = x.matmul(W1).tanh();
      const out = h.matmul(W2);
      const diff = out.sub(y);
      const loss = diff.mul(diff).mean();
      loss.backward();
      return [loss.toTypedArray(), ...params.map((p) => p.grad!.toTypedArray())];
    };
    const before = gpuInfo().counts;
    const gpu = grads(true);
    const counts = gpuInfo().counts;
    // the forward products and the two backward products of each layer went to gpu.js
    expect(counts.matmul.gpu - before.matmul.gpu).toBeGreaterThanOrEqual(2);
    expect(counts.sub.gpu - before.sub.gpu).toBeGreaterThanOrEqual(1);
    const wasm = grads(false);
    for (let i = 0; i < wasm.length; i++) expectClose(gpu[i]!, wasm[i]!, { rtol: 1e-5, atol: 1e-6 });
  });
});

describe("declining", () => {
  afterAll(async () => {
    await disableGpu();
  });

  it("never sees float64, and with config.gpu = 'off' declines everything", () => {
    enableGpu({ mode: "cpu", policy: "force" });
    tensor([[1, 2]], { dtype: "float64" }).matmul(tensor([[3], [4]], { dtype: "float64" }));
    expect(gpuInfo().counts.matmul).toEqual({ gpu: 0, wasm: 0 });
    enableGpu({ mode: "cpu", policy: "off" });
    expect(tensor([[1, 2]]).matmul(tensor([[3], [4]])).tolist()).toEqual([[11]]);
    expect(gpuInfo().counts.matmul).toEqual({ gpu: 0, wasm: 1 });
  });

  it("keeps IEEE special values in cpu mode (JavaScript arithmetic)", () => {
    enableGpu({ mode: "cpu", policy: "force" });
    const x = Float32Array.of(-1, 0, Infinity, Number.NaN, 2);
    const want = onWasm(() => tensor(x).log().toTypedArray());
    setKernelProvider(provider);
    expectClose(host(provider.unary("log", x)), want);
  });
});
