// Residency: results stay with gpu.js across chained offloaded ops (textures in the GL modes,
// gpu.js's output arrays in cpu/webasm), are downloaded only when read, and are freed with their
// tensors. In the cpu and webasm modes "the device" is gpu.js's JavaScript memory, so these
// tests check the residency logic (what crosses the seam, what is live) in CI; the playground's
// Chromium e2e checks the same with real WebGL2 textures. In webgpu mode (here with gpu.js's cpu
// backend in the worker) results stay in the worker as BridgeArrays.
import { spawnSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { autograd, nn, setKernelProvider, tensor, tidy, type Tensor } from "tensorgrad";
import { config, disableGpu, enableGpu, gpuInfo, provider, resetCounts } from "../src/index.js";
import { expectClose, onWasm, randomArray, t2, testConfigs } from "./helpers.js";

const mem = () => gpuInfo().memory;

describe.each(testConfigs())("residency in gpu.js $name mode", ({ options }) => {
  beforeAll(() => {
    enableGpu({ ...options, policy: "force" });
  });
  afterAll(async () => {
    await disableGpu();
  });
  afterEach(() => {
    config.gpu = "force";
    setKernelProvider(provider);
  });

  const inputs = () => ({
    a: t2(randomArray(8 * 6, 1), 8, 6),
    b: t2(randomArray(6 * 5, 2), 6, 5),
    c: t2(randomArray(8 * 5, 3), 8, 5),
  });

  it("a chain a.matmul(b).add(c).exp().sum() downloads nothing until it is read", () => {
    const { a, b, c } = inputs();
    const want = onWasm(() => a.matmul(b).add(c).exp().sum().item());
    setKernelProvider(provider);
    const live0 = mem().live;
    resetCounts();
    const s = tidy(() => a.matmul(b).add(c).exp().sum());
    const m = mem();
    expect(m.downloads, "no intermediate was downloaded").toBe(0);
    expect(m.downloadedBytes).toBe(0);
    expect(m.uploadedBytes, "a, b and c were uploaded once each").toBe((8 * 6 + 6 * 5 + 8 * 5) * 4);
    expect(m.live - live0, "tidy freed the intermediates' device arrays; the sum's is live").toBe(1);
    const counts = gpuInfo().counts;
    for (const op of ["matmul", "add", "exp", "sum"] as const) expect(counts[op]).toEqual({ gpu: 1, wasm: 0 });
    expect(Math.abs(s.item() - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want));
    expect(mem().downloadedBytes, "item() downloaded the one value").toBe(4);
    s.item();
    expect(mem().downloads, "downloaded once, then read from the host copy").toBe(1);
    s.dispose();
    expect(mem().live, "dispose() freed it").toBe(live0);
  });

  it("dispose and tidy free device arrays deterministically", () => {
    const { a, b } = inputs();
    const live0 = mem().live;
    const y = a.matmul(b);
    const z = y.exp();
    expect(mem().live - live0).toBe(2);
    expect(mem().liveBytes).toBeGreaterThanOrEqual(2 * 8 * 5 * 4);
    const v = y.reshape(5, 8); // a view shares the storage
    y.dispose();
    expect(mem().live - live0, "the view keeps the storage").toBe(2);
    v.dispose();
    z.dispose();
    expect(mem().live).toBe(live0);
    tidy(() => {
      a.matmul(b).tanh().neg();
      expect(mem().live - live0).toBe(3);
    });
    expect(mem().live).toBe(live0);
  });

  it("reads, views and printing of resident tensors agree with WASM", () => {
    const { a, b } = inputs();
    const want = onWasm(() => a.matmul(b));
    setKernelProvider(provider);
    const y = a.matmul(b);
    resetCounts();
    const t = y.t();
    const row = y.select(0, 3);
    expect(mem().downloads, "views read nothing").toBe(0);
    expect(y.toString()).toBe(want.toString());
    expectClose(t.toTypedArray(), want.t().toTypedArray());
    expectClose(row.toTypedArray(), want.select(0, 3).toTypedArray());
    expectClose((y.tolist() as number[][]).flat(), (want.tolist() as number[][]).flat());
    expect(mem().downloads, "one download for all of them").toBe(1);
  });

  it("a transposed view of a resident result is a device operand (no download)", () => {
    const { a, b } = inputs();
    const want = onWasm(() => a.matmul(b).t().matmul(a).toTypedArray());
    setKernelProvider(provider);
    const y = a.matmul(b);
    resetCounts();
    const z = y.t().matmul(a);
    expect(mem().downloads).toBe(0);
    expect(mem().uploadedBytes).toBe(8 * 6 * 4); // a again, not y
    expectClose(z.toTypedArray(), want, { rtol: 1e-5, atol: 1e-5 });
  });

  it("in-place ops on a resident tensor: correct values, the stale device copy is freed", () => {
    const { a, b, c } = inputs();
    const want = onWasm(() => a.matmul(b).add_(c).mul_(2).toTypedArray());
    setKernelProvider(provider);
    const live0 = mem().live;
    const y = a.matmul(b);
    const view = y.narrow(1, 0, 2);
    expect(mem().live - live0).toBe(1);
    y.add_(c); // y + c on the device, written into y's storage (downloads it)
    expect(mem().live - live0, "the write dropped y's device copy").toBe(0);
    y.mul_(2);
    expectClose(y.toTypedArray(), want);
    expectClose(view.toTypedArray(), onWasm(() => tensor(want).reshape(8, 5).narrow(1, 0, 2).toTypedArray()));
    // the next op uploads the new host data, never the stale array
    setKernelProvider(provider);
    expectClose(y.neg().toTypedArray(), want.map((v) => -v));
  });

  it("a saved tensor modified in place is still detected in backward", () => {
    const x = t2(randomArray(12, 4), 3, 4, true);
    const y = x.exp(); // resident, saved for ExpBackward
    y.detach().mul_(2);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it("an MLP step keeps activations resident and its gradients agree with WASM", () => {
    const step = () =>
      tidy(() => {
        const x = t2(randomArray(16 * 9, 21), 16, 9);
        const y = t2(randomArray(16 * 3, 22), 16, 3);
        const W1 = t2(randomArray(9 * 12, 23, -0.5, 0.5), 9, 12, true);
        const W2 = t2(randomArray(12 * 3, 24, -0.5, 0.5), 12, 3, true);
        const h = x.matmul(W1).tanh();
        const d = h.matmul(W2).sub(y);
        const loss = d.mul(d).mean();
        const [g1, g2] = autograd.grad(loss, [W1, W2]);
        return [loss, g1!, g2!].map((t) => t.toTypedArray());
      });
    const want = onWasm(step);
    setKernelProvider(provider);
    resetCounts();
    const got = step();
    const counts = gpuInfo().counts;
    for (const op of ["matmul", "tanh", "sub", "mul", "sum", "div"] as const) expect(counts[op].gpu, op).toBeGreaterThan(0);
    expect(counts.matmul.gpu).toBe(2 + 3); // forward ×2; backward: dW2, dH, dW1
    // downloads: the three results read here, nothing else
    expect(mem().downloads).toBe(3);
    for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, { rtol: 1e-5, atol: 1e-6 });
  });

  it("conv2d forward and backward stay resident between the products", () => {
    const F = nn.functional;
    const run = () =>
      tidy(() => {
        const x = tensor(randomArray(2 * 3 * 8 * 8, 31)).reshape(2, 3, 8, 8).requiresGrad_();
        const w = tensor(randomArray(4 * 3 * 9, 32)).reshape(4, 3, 3, 3).requiresGrad_();
        const y = F.conv2d(x, w, null, { padding: 1 }).tanh();
        const loss = y.mul(y).sum();
        const [gx, gw] = autograd.grad(loss, [x, w]);
        return [loss, gx!, gw!].map((t) => t.toTypedArray());
      });
    const want = onWasm(run);
    setKernelProvider(provider);
    resetCounts();
    const got = run();
    expect(mem().downloads).toBe(3);
    const counts = gpuInfo().counts;
    for (const op of ["conv2d", "conv2dInput", "conv2dWeight"] as const) expect(counts[op]).toEqual({ gpu: 1, wasm: 0 });
    for (let i = 0; i < 3; i++) expectClose(got[i]!, want[i]!, { rtol: 1e-5, atol: 1e-5 });
  });

  it("under 'auto', an op whose operand is resident follows it to the device", async () => {
    enableGpu({ ...options, policy: "auto", thresholds: { matmul: 1, binary: 1e12, unary: null } });
    try {
      const { a, b, c } = inputs();
      const y = a.matmul(b); // over the matmul threshold: offloaded, resident
      const z = y.add(c); // below the binary threshold, but y lives on the device
      const e = z.exp(); // unary: never (null) — z is downloaded
      const host = a.add(a); // host operands below the threshold: WASM
      const counts = gpuInfo().counts;
      expect(counts.matmul.gpu).toBe(1);
      expect(counts.add).toEqual({ gpu: 1, wasm: 1 });
      expect(counts.exp).toEqual({ gpu: 0, wasm: 1 });
      expect(mem().downloads).toBe(1);
      const want = onWasm(() => a.matmul(b).add(c).exp().toTypedArray());
      expectClose(e.toTypedArray(), want);
      host.dispose();
    } finally {
      enableGpu({ ...options, policy: "force" });
    }
  });

  it("disableGpu() moves live results to host memory; they stay readable", async () => {
    const { a, b } = inputs();
    const want = onWasm(() => a.matmul(b).toTypedArray());
    enableGpu({ ...options, policy: "force" });
    const y = a.matmul(b);
    await disableGpu();
    expect(mem().textures).toBe(0);
    expect(mem().workerBuffers).toBe(0);
    expectClose(y.toTypedArray(), want);
    y.dispose();
    enableGpu({ ...options, policy: "force" });
  });

  it("with resident: false every result is read back at once", () => {
    enableGpu({ ...options, policy: "force", resident: false });
    try {
      const { a, b } = inputs();
      const live0 = mem().live;
      const r = provider.matmul(a.toTypedArray(), b.toTypedArray(), 8, 6, 5);
      expect(r).toBeInstanceOf(Float32Array);
      const y: Tensor = a.matmul(b).exp();
      expect(mem().live).toBe(live0);
      expect(mem().downloads).toBe(3);
      expectClose(y.toTypedArray(), onWasm(() => a.matmul(b).exp().toTypedArray()));
    } finally {
      enableGpu({ ...options, policy: "force" });
    }
  });
});

describe("the garbage collector", () => {
  it("frees device arrays of tensors that were never disposed (FinalizationRegistry)", () => {
    // a child process with --expose-gc, on the built packages (npm test builds first)
    const script = `
      import { tensor } from "tensorgrad";
      import { enableGpu, gpuInfo } from "tensorgrad-gpu";
      enableGpu({ mode: "cpu", policy: "force" });
      const a = tensor(new Float32Array(64).fill(0.5)).reshape(8, 8);
      (() => { for (let i = 0; i < 50; i++) a.matmul(a).exp(); })();
      const before = gpuInfo().memory.live;
      for (let i = 0; i < 10 && gpuInfo().memory.live > 0; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(JSON.stringify({ before, after: gpuInfo().memory.live }));`;
    const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8", cwd: import.meta.dirname });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ before: 100, after: 0 });
  });
});
