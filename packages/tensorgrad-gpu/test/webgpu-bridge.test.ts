// The WebGPU worker bridge (src/webgpu-bridge.ts + src/webgpu-worker.js). Dawn needs a GPU and
// glibc >= 2.38, so here the same bridge runs gpu.js's cpu backend in the worker: the shared
// memory protocol, its growth, transposed operands, kept buffers (residency), errors, timeouts,
// declines and termination are what these tests cover; the kernels are the ones every mode
// compiles. kernels.test.ts and resident.test.ts run all their cases through the bridge too.
import { spawnSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setKernelProvider, tensor, tidy, type Tensor } from "tensorgrad";
import { activeBridge, config, disableGpu, enableGpu, GpuArray, gpuInfo, provider, resetCounts, supportedModes } from "../src/index.js";
import { BridgeArray, BridgeKernels, webGpuSupport, WorkerBridge, workerExecArgv, workerUrl } from "../src/webgpu-bridge.js";
import { expectClose, host, onWasm, randomArray, t2 } from "./helpers.js";

function dotTol(k: number) {
  return { rtol: 1e-5, atol: 2e-7 * k + 1e-6 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("webgpu support probe", () => {
  it("tells the truth: available with an adapter, or not with the reason", () => {
    const s = webGpuSupport();
    expect(supportedModes().webgpu).toBe(s.available);
    expect(gpuInfo().webgpu).toEqual(s);
    if (s.available) {
      expect(s.adapter).toBeTruthy();
      expect(s.reason).toBeNull();
    } else {
      expect(s.adapter).toBeNull();
      expect(s.reason).toMatch(/\w/);
      // asking for it anyway is a clear error carrying the reason, and leaves nothing enabled
      expect(() => enableGpu({ mode: "webgpu" })).toThrow(`gpu.js mode 'webgpu' is not available here: ${s.reason}`);
      expect(gpuInfo().enabled).toBe(false);
    }
  });

  it("the worker script sits next to the bridge module (dist/ gets a copy at build)", () => {
    expect(workerUrl().pathname).toMatch(/\/webgpu-worker\.js$/);
  });

  it("the worker gets the process's Node options less those about an evaluated main script", () => {
    expect(workerExecArgv(["--expose-gc"])).toBeUndefined(); // inherited as is
    expect(workerExecArgv(["--expose-gc", "--input-type=module", "-e", "code"])).toEqual(["--expose-gc"]);
    expect(workerExecArgv(["--input-type", "module", "--eval=code", "--conditions=x"])).toEqual(["--conditions=x"]);
  });
});

describe("webgpu mode through the worker bridge (cpu stand-in), against the WASM kernels", () => {
  beforeAll(() => {
    const info = enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
    expect(info.mode).toBe("webgpu");
    expect(info.onGpu).toBe(false); // the stand-in runs on the CPU
    expect(info.bridge?.backend).toBe("cpu");
  });
  afterAll(async () => {
    await disableGpu();
  });
  afterEach(() => setKernelProvider(provider));

  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [17, 13, 11],
    [33, 64, 65],
  ])("matmul %ix%ix%i, all four transposition variants", (m, k, n) => {
    const a = randomArray(m * k, m * 100 + k);
    const b = randomArray(k * n, k * 100 + n);
    const want = onWasm(() => t2(a, m, k).matmul(t2(b, k, n)).toTypedArray());
    const got = (r: ReturnType<typeof provider.matmul>) => {
      // resident: the result is a device array holding a buffer in the worker
      expect(r).toBeInstanceOf(GpuArray);
      expect((r as GpuArray).inWorker).toBe(true);
      const h = host(r);
      (r as GpuArray).release();
      return h;
    };
    expectClose(got(provider.matmul(a, b, m, k, n)), want, dotTol(k));
    const wantTA = onWasm(() => t2(a, k, m).t().matmul(t2(b, k, n)).toTypedArray());
    expectClose(got(provider.matmul(a, b, m, k, n, true, false)), wantTA, dotTol(k));
    const wantTB = onWasm(() => t2(a, m, k).matmul(t2(b, n, k).t()).toTypedArray());
    expectClose(got(provider.matmul(a, b, m, k, n, false, true)), wantTB, dotTol(k));
    const wantTT = onWasm(() => t2(a, k, m).t().matmul(t2(b, n, k).t()).toTypedArray());
    expectClose(got(provider.matmul(a, b, m, k, n, true, true)), wantTT, dotTol(k));
  });

  it.each([1, 5, 1023, 4097])("add sub mul div neg exp log, %i elements", (n) => {
    const a = randomArray(n, n);
    const b = randomArray(n, n + 1, 0.5, 2);
    const pos = randomArray(n, n + 2, 1e-3, 10);
    const ref = onWasm(() => ({
      add: tensor(a).add(tensor(b)).toTypedArray(),
      sub: tensor(a).sub(tensor(b)).toTypedArray(),
      mul: tensor(a).mul(tensor(b)).toTypedArray(),
      div: tensor(a).div(tensor(b)).toTypedArray(),
      neg: tensor(a).neg().toTypedArray(),
      exp: tensor(a).exp().toTypedArray(),
      log: tensor(pos).log().toTypedArray(),
    }));
    setKernelProvider(provider);
    const before = gpuInfo().counts;
    expectClose(tensor(a).add(tensor(b)).toTypedArray(), ref.add);
    expectClose(tensor(a).sub(tensor(b)).toTypedArray(), ref.sub);
    expectClose(tensor(a).mul(tensor(b)).toTypedArray(), ref.mul);
    expectClose(tensor(a).div(tensor(b)).toTypedArray(), ref.div);
    expectClose(tensor(a).neg().toTypedArray(), ref.neg, { rtol: 0, atol: 0 });
    expectClose(tensor(a).exp().toTypedArray(), ref.exp, { rtol: 4e-7 * 4, atol: 0 });
    expectClose(tensor(pos).log().toTypedArray(), ref.log, { rtol: 1e-6, atol: 1e-6 });
    const after = gpuInfo().counts;
    for (const op of ["add", "sub", "mul", "div", "neg", "exp", "log"] as const) {
      expect(after[op].gpu - before[op].gpu, op).toBe(1);
    }
  });

  it.each([1, 255, 257, 100_003])("sum of %i elements", (n) => {
    const x = randomArray(n, 5 * n);
    const want = onWasm(() => tensor(x).sum().item());
    setKernelProvider(provider);
    const before = gpuInfo().counts.sum.gpu;
    const got = tensor(x).sum().item();
    expect(gpuInfo().counts.sum.gpu).toBe(before + 1);
    expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * n + 1e-6);
  });

  it("grows the shared memory for large operands and keeps working after", () => {
    const grownBefore = gpuInfo().bridge!.grown;
    const bytesBefore = gpuInfo().bridge!.dataBytes;
    const [m, k, n] = [600, 400, 200]; // 960 KB + 320 KB in: past the first 1 MiB (the result stays in the worker)
    const a = randomArray(m * k, 31);
    const b = randomArray(k * n, 32);
    const want = onWasm(() => t2(a, m, k).matmul(t2(b, k, n)).toTypedArray());
    setKernelProvider(provider);
    expectClose(t2(a, m, k).matmul(t2(b, k, n)).toTypedArray(), want, dotTol(k));
    const info = gpuInfo().bridge!;
    expect(info.grown).toBeGreaterThan(grownBefore);
    expect(info.dataBytes).toBeGreaterThan(bytesBefore);
    expect(info.dataBytes).toBeGreaterThanOrEqual((m * k + k * n) * 4);
    // a small op after the growth still reads and writes the new buffer
    expectClose(host(provider.binary("add", Float32Array.of(1, 2), Float32Array.of(3, 4))), [4, 6], { rtol: 0, atol: 0 });
  });

  it("declines special values like the GL modes (WGSL leaves them undefined), so results stay WASM's", () => {
    const x = Float32Array.of(-1, 0, Infinity, Number.NaN, 2);
    const before = gpuInfo().counts;
    expect(provider.unary("log", x)).toBeUndefined();
    expect(provider.binary("div", Float32Array.of(1, 2), Float32Array.of(0, 1))).toBeUndefined();
    expect(provider.sum(Float32Array.of(1, Infinity))).toBeUndefined();
    const after = gpuInfo().counts;
    expect(after.log.wasm - before.log.wasm).toBe(1);
    expect(after.div.wasm - before.div.wasm).toBe(1);
    expect(after.sum.wasm - before.sum.wasm).toBe(1);
    const want = onWasm(() => tensor(x).log().toTypedArray());
    setKernelProvider(provider);
    expectClose(tensor(x).log().toTypedArray(), want);
  });

  it("runs forward and backward through the seam (backward products transposed) with WASM's gradients", () => {
    const before = gpuInfo().counts;
    const A = t2(randomArray(6 * 5, 1), 6, 5, true);
    const B = t2(randomArray(5 * 4, 2), 5, 4, true);
    const C = A.matmul(B).exp().mul(A.matmul(B)).sum();
    C.backward();
    const after = gpuInfo().counts;
    // two forward products, and dA = g·Bᵀ, dB = Aᵀ·g for each
    expect(after.matmul.gpu - before.matmul.gpu).toBeGreaterThanOrEqual(4);
    expect(after.exp.gpu).toBeGreaterThan(before.exp.gpu);
    expect(after.mul.gpu).toBeGreaterThan(before.mul.gpu);
    const grads = [C.toTypedArray(), A.grad!.toTypedArray(), B.grad!.toTypedArray()];
    const ref = onWasm(() => {
      const A0 = A.detach().requiresGrad_();
      const B0 = B.detach().requiresGrad_();
      const C0 = A0.matmul(B0).exp().mul(A0.matmul(B0)).sum();
      C0.backward();
      return [C0.toTypedArray(), A0.grad!.toTypedArray(), B0.grad!.toTypedArray()];
    });
    for (let i = 0; i < 3; i++) expectClose(grads[i]!, ref[i]!, dotTol(20));
    expect(gpuInfo().errors).toBe(0);
  });

  it("gives the same MLP loss and gradients as WASM", () => {
    const grads = (withGpu: boolean): Float32Array[] => {
      setKernelProvider(withGpu ? provider : null);
      const x = t2(randomArray(16 * 9, 21), 16, 9);
      const y = t2(randomArray(16 * 3, 22), 16, 3);
      const W1 = t2(randomArray(9 * 12, 23, -0.5, 0.5), 9, 12, true);
      const W2 = t2(randomArray(12 * 3, 24, -0.5, 0.5), 12, 3, true);
      const params: Tensor[] = [W1, W2];
      const out = x.matmul(W1).tanh().matmul(W2);
      const diff = out.sub(y);
      const loss = diff.mul(diff).mean();
      loss.backward();
      return [loss.toTypedArray(), ...params.map((p) => p.grad!.toTypedArray())];
    };
    const before = gpuInfo().counts;
    const gpu = grads(true);
    const counts = gpuInfo().counts;
    expect(counts.matmul.gpu - before.matmul.gpu).toBeGreaterThanOrEqual(4);
    expect(counts.sub.gpu - before.sub.gpu).toBeGreaterThanOrEqual(1);
    const wasm = grads(false);
    for (let i = 0; i < wasm.length; i++) expectClose(gpu[i]!, wasm[i]!, { rtol: 1e-5, atol: 1e-6 });
  });

  it("keeps float64 off the bridge and declines everything under config.gpu = 'off'", () => {
    const before = gpuInfo().bridge!.requests;
    tensor([[1, 2]], { dtype: "float64" }).matmul(tensor([[3], [4]], { dtype: "float64" }));
    config.gpu = "off";
    try {
      expect(tensor([[1, 2]]).matmul(tensor([[3], [4]])).tolist()).toEqual([[11]]);
    } finally {
      config.gpu = "force";
    }
    expect(gpuInfo().bridge!.requests).toBe(before);
  });
});

describe("webgpu mode: residency through the worker bridge (cpu stand-in)", () => {
  beforeAll(() => {
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
  });
  afterAll(async () => {
    await disableGpu();
  });
  afterEach(() => setKernelProvider(provider));

  const mem = () => gpuInfo().memory;
  /** The worker's own count of kept buffers, after it got the queued releases. */
  const workerBuffers = () => activeBridge()!.workerStats().buffers;

  it("a.matmul(b).add(c).exp().sum() moves only the inputs to the worker and downloads nothing until item()", () => {
    const a = t2(randomArray(8 * 6, 1), 8, 6);
    const b = t2(randomArray(6 * 5, 2), 6, 5);
    const c = t2(randomArray(8 * 5, 3), 8, 5);
    const want = onWasm(() => a.matmul(b).add(c).exp().sum().item());
    setKernelProvider(provider);
    resetCounts();
    const requests0 = gpuInfo().bridge!.requests;
    const live0 = mem().live;
    const buffers0 = mem().workerBuffers;
    const s = tidy(() => a.matmul(b).add(c).exp().sum());
    expect(mem().downloads).toBe(0);
    expect(mem().uploadedBytes).toBe((8 * 6 + 6 * 5 + 8 * 5) * 4);
    expect(mem().live - live0).toBe(1);
    expect(mem().workerBuffers - buffers0).toBe(1);
    // one request per op (40 elements: one sum pass), nothing read back
    expect(gpuInfo().bridge!.requests - requests0).toBe(4);
    expect(workerBuffers(), "tidy's releases reached the worker").toBe(mem().workerBuffers);
    expect(Math.abs(s.item() - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want));
    expect(mem().downloads).toBe(1);
    expect(mem().downloadedBytes).toBe(4);
    s.item();
    expect(mem().downloads).toBe(1);
    s.dispose();
    expect(mem().live).toBe(live0);
    expect(workerBuffers()).toBe(mem().workerBuffers);
  });

  it("a large sum keeps its partial-sum passes in the worker and frees them", () => {
    const n = 100_003; // three passes: 100003 → 391 → 2 → 1
    const x = randomArray(n, 7);
    const want = onWasm(() => tensor(x).sum().item());
    setKernelProvider(provider);
    const before = workerBuffers();
    const requests0 = gpuInfo().bridge!.requests;
    const s = tensor(x).exp().sum();
    expect(gpuInfo().bridge!.requests - requests0).toBe(1 + 3); // exp, three passes
    expect(workerBuffers() - before).toBe(2); // exp's result and the sum's: no pass left behind
    expect(Math.abs(s.item() - onWasm(() => tensor(x).exp().sum().item()))).toBeLessThanOrEqual(1e-6 * n * 3);
    setKernelProvider(provider);
    expect(Math.abs(tensor(x).sum().item() - want)).toBeLessThanOrEqual(1e-6 * n + 1e-6);
  });

  it("scalar ops pass their number to the worker exactly (-0 included) and tanh runs there", () => {
    const x = Float32Array.of(1, 2, -3);
    const r = host(provider.scalar("mul", x, -0, false));
    expect(Object.is(r[0], -0) && Object.is(r[1], -0) && Object.is(r[2], 0)).toBe(true);
    expectClose(host(provider.scalar("sub", x, 0.5, true)), [-0.5, -1.5, 3.5], { rtol: 0, atol: 0 });
    expect(provider.scalar("div", x, 0, false), "x/0 declined (undefined in WGSL)").toBeUndefined();
    expect(provider.scalar("add", x, Number.NaN, false)).toBeUndefined();
    const y = tensor(randomArray(64, 9, -4, 4));
    const want = onWasm(() => y.tanh().mul(2).toTypedArray());
    setKernelProvider(provider);
    const before = gpuInfo().counts;
    expectClose(y.tanh().mul(2).toTypedArray(), want, { rtol: 2e-6, atol: 1e-7 });
    expect(gpuInfo().counts.tanh.gpu - before.tanh.gpu).toBe(1);
    expect(gpuInfo().counts.mul.gpu - before.mul.gpu).toBe(1);
  });

  it("disableGpu() downloads the worker's buffers into host memory; the tensors stay readable", async () => {
    const a = t2(randomArray(12, 5), 3, 4);
    const want = onWasm(() => a.exp().toTypedArray());
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
    const y = a.exp();
    expect(mem().workerBuffers).toBeGreaterThan(0);
    const bridge = activeBridge()!;
    await disableGpu();
    expect(bridge.alive).toBe(false); // the stand-in's worker ends (Dawn's would be parked)
    expect(mem().workerBuffers).toBe(0);
    expectClose(y.toTypedArray(), want);
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
    // y (now host data) is uploaded to the new worker like any host tensor
    setKernelProvider(provider);
    expectClose(y.neg().toTypedArray(), want.map((v) => -v), { rtol: 0, atol: 0 });
  });

  it("a worker buffer from another session is not given to a kernel (the op declines, the core downloads)", () => {
    const stale = new GpuArray(activeBridge()!.upload(Float32Array.of(1, 2)), 2);
    const other = WorkerBridge.start({ backend: "cpu" });
    try {
      const foreign = new GpuArray(other.upload(Float32Array.of(5, 6)), 2);
      expect(provider.binary("add", stale, foreign)).toBeUndefined();
      expect(host(provider.binary("add", stale, Float32Array.of(1, 1)))).toEqual(Float32Array.of(2, 3));
      foreign.release();
    } finally {
      stale.release();
      void other.terminate();
    }
  });

  it("resident: false reads every result back in the same request", () => {
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force", resident: false });
    try {
      const r = provider.matmul(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 0, 0, 1), 2, 2, 2);
      expect(r).toEqual(Float32Array.of(1, 2, 3, 4));
      expect(mem().workerBuffers).toBe(0);
      expect(workerBuffers()).toBe(0);
      expect(host(provider.sum(randomArray(1000, 3))).length).toBe(1);
      expect(workerBuffers(), "no sum pass left behind").toBe(0);
    } finally {
      enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
    }
  });

  it("the garbage collector frees worker buffers of tensors never disposed", () => {
    // a child process with --expose-gc, on the built packages (npm test builds first)
    const script = `
      import { tensor } from "tensorgrad";
      import { activeBridge, enableGpu, gpuInfo } from "tensorgrad-gpu";
      enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
      const a = tensor(new Float32Array(64).fill(0.5)).reshape(8, 8);
      (() => { for (let i = 0; i < 20; i++) a.matmul(a).exp(); })();
      const before = [gpuInfo().memory.workerBuffers, activeBridge().workerStats().buffers];
      for (let i = 0; i < 10 && gpuInfo().memory.live > 0; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      const after = [gpuInfo().memory.workerBuffers, activeBridge().workerStats().buffers];
      console.log(JSON.stringify({ before, after }));`;
    const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8", cwd: import.meta.dirname });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ before: [40, 40], after: [0, 0] });
  });
});

describe("webgpu mode: an op the worker does not answer in time is declined", () => {
  afterAll(async () => {
    await disableGpu();
  });

  it("with a zero timeout every op runs on WASM, with the same results, and the errors are reported", () => {
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force", timeoutMs: 0 });
    const A = t2(randomArray(8 * 6, 3), 8, 6, true);
    const B = t2(randomArray(6 * 5, 4), 6, 5, true);
    const loss = A.matmul(B).exp().sum();
    loss.backward();
    const got = [loss.toTypedArray(), A.grad!.toTypedArray(), B.grad!.toTypedArray()];
    const info = gpuInfo();
    expect(info.counts.matmul.gpu).toBe(0);
    expect(info.counts.matmul.wasm).toBeGreaterThanOrEqual(3);
    expect(info.errors).toBeGreaterThan(0);
    expect(info.lastError).toMatch(/did not answer within 0 ms|still busy with a request that timed out/);
    expect(info.bridge!.timeouts).toBeGreaterThan(0);
    const ref = onWasm(() => {
      const A0 = A.detach().requiresGrad_();
      const B0 = B.detach().requiresGrad_();
      const l = A0.matmul(B0).exp().sum();
      l.backward();
      return [l.toTypedArray(), A0.grad!.toTypedArray(), B0.grad!.toTypedArray()];
    });
    for (let i = 0; i < 3; i++) expect(got[i]).toEqual(ref[i]); // WASM both times: bit-identical
  });

  it("a result kept by a request that timed out is freed once the worker answers it", async () => {
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force", timeoutMs: 60_000 });
    const bridge = activeBridge()!;
    bridge.timeoutMs = 0;
    expect(tensor([1, 2]).exp().tolist()).toHaveLength(2); // declined: ran on WASM
    expect(gpuInfo().memory.workerBuffers).toBe(0);
    bridge.timeoutMs = 60_000;
    // the worker kept the late result; the first request after its answer frees it
    for (let i = 0; i < 100; i++) {
      try {
        expect(bridge.workerStats().buffers).toBe(0);
        return;
      } catch (e) {
        expect(String(e)).toMatch(/still busy/);
        await sleep(50);
      }
    }
    throw new Error("the worker did not answer the late request");
  });

  it("reading a resident tensor waits for a request that timed out instead of failing", () => {
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
    const bridge = activeBridge()!;
    const y = tensor([1, 2, 3]).neg(); // kept in the worker
    bridge.timeoutMs = 20;
    expect(() => bridge.debug("sleep", 300)).toThrow(/did not answer within 20 ms/);
    bridge.timeoutMs = 5_000;
    expect(y.tolist()).toEqual([-1, -2, -3]); // the download waits for the stalled request
  });
});

describe("WorkerBridge protocol (cpu backend)", () => {
  let bridge: WorkerBridge;
  beforeAll(() => {
    bridge = WorkerBridge.start({ backend: "cpu", cacheSize: 3 });
  });
  afterAll(async () => {
    await bridge.terminate();
  });

  const addDef = () => ({
    source: "function (a, b) {\n  return a[this.thread.x] + b[this.thread.x];\n}",
    settings: { output: [4], precision: "single" },
  });

  it("runs kernels on host data and caches them by key, least recently used dropped", () => {
    const kernels = new BridgeKernels(bridge);
    const compiled = bridge.compiled;
    expect(kernels.binary("add", Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6), 3)).toEqual(Float32Array.of(5, 7, 9));
    expect(kernels.binary("add", Float32Array.of(1, 1, 1), Float32Array.of(1, 2, 3), 3)).toEqual(Float32Array.of(2, 3, 4));
    expect(bridge.compiled).toBe(compiled + 1); // same key: compiled once
    for (const n of [1, 2, 4, 5]) kernels.unary("neg", new Float32Array(n).fill(1), n);
    expect(kernels.size).toBe(3);
    expect(kernels.evicted).toBeGreaterThanOrEqual(2);
    expect(kernels.keys()).toEqual(["neg:2", "neg:4", "neg:5"]);
    // the drops travel with the next request: the worker holds what the main side holds
    expect(bridge.workerStats().kernels).toBe(3);
  });

  it("keeps results in the worker as BridgeArrays, feeds them to kernels (reshaped), downloads and releases them", () => {
    const kernels = new BridgeKernels(bridge);
    const a = bridge.upload(Float32Array.of(1, 2, 3, 4, 5, 6)); // 2×3
    const b = bridge.upload(Float32Array.of(1, 0, 0, 1, 1, 1)); // 3×2
    expect(a).toBeInstanceOf(BridgeArray);
    expect(a.length).toBe(6);
    expect(a.download()).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
    // 1-D buffers read as 2-D operands, from either side
    expect(kernels.matmul(a, b, 2, 3, 2)).toEqual(Float32Array.of(4, 5, 10, 11));
    expect(kernels.matmul(a, Float32Array.of(1, 0, 0, 1, 1, 1), 2, 3, 2)).toEqual(Float32Array.of(4, 5, 10, 11));
    expect(kernels.matmul(a, b, 3, 2, 3, true, true)).toEqual(onWasm(() => t2(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3).t().matmul(t2(Float32Array.of(1, 0, 0, 1, 1, 1), 3, 2).t()).toTypedArray()));
    const c = bridge.run("add4", addDef, [{ value: a, dims: [4] }, { value: Float32Array.of(10, 20, 30, 40), dims: [4] }], 4, true);
    expect(c.download()).toEqual(Float32Array.of(11, 22, 33, 44));
    expect(kernels.sum(c, 4)).toEqual(Float32Array.of(110));
    // kept results feed kept results (residency), numbers travel as arguments
    const kept = new BridgeKernels(bridge, true);
    const d = kept.scalar("mul", c, 0.5, false, 4) as BridgeArray;
    expect(d).toBeInstanceOf(BridgeArray);
    expect((kept.sum(d, 4) as BridgeArray).download()).toEqual(Float32Array.of(55));
    const buffers = bridge.workerStats().buffers;
    for (const x of [a, b, c, d]) x.release();
    expect(bridge.workerStats().buffers).toBe(buffers - 4);
    expect(() => a.download()).toThrow(/released/);
    expect(() => kernels.unary("neg", c, 4)).toThrow(/released/);
  });

  it("grows the shared buffer and hands the new one to the worker before the request that needs it", () => {
    const bytes = bridge.dataBytes;
    const n = (bytes / 4) * 1.5;
    const x = randomArray(n, 9);
    const y = new BridgeKernels(bridge).unary("neg", x, n) as Float32Array;
    expect(bridge.dataBytes).toBeGreaterThan(bytes);
    expect(y).toHaveLength(n);
    for (let i = 0; i < n; i += 997) expect(y[i]).toBe(-x[i]!);
    const kept = bridge.upload(x);
    expect(kept.download()).toEqual(x);
    kept.release();
  });

  it("park() frees every kernel and buffer of the session and leaves the worker ready for the next", () => {
    const kernels = new BridgeKernels(bridge);
    const kept = bridge.upload(Float32Array.of(1, 2, 3));
    kernels.unary("exp", Float32Array.of(0), 1);
    const before = bridge.workerStats();
    expect(before.buffers).toBeGreaterThan(0);
    expect(before.kernels).toBeGreaterThan(0);
    bridge.park();
    expect(kept.isReleased).toBe(true); // a buffer of the previous session
    expect(() => kept.download()).toThrow(/released/);
    expect(kernels.size).toBe(0);
    expect(bridge.compiled).toBe(0);
    expect(bridge.workerStats()).toMatchObject({ kernels: 0, buffers: 0 });
    expect(kernels.unary("neg", Float32Array.of(2), 1)).toEqual(Float32Array.of(-2));
    kept.release(); // a no-op for an old session's buffer
    expect(bridge.workerStats().buffers).toBe(0);
  });

  it("reports a kernel that throws, and keeps working", () => {
    expect(() => bridge.debug("throw")).toThrow("webgpu worker: debug error");
    expect(() => bridge.run("bad", () => ({ source: "function (a) { return a[this.thread.x] +; }", settings: { output: [1] } }), [{ value: Float32Array.of(1), dims: [1] }], 1)).toThrow();
    expect(bridge.alive).toBe(true);
    expect(new BridgeKernels(bridge).binary("mul", Float32Array.of(2), Float32Array.of(3), 1)).toEqual(Float32Array.of(6));
  });

  it("a request past the timeout is given up; nothing else is sent until the worker has answered it", async () => {
    const timeout = bridge.timeoutMs;
    bridge.timeoutMs = 20;
    try {
      expect(() => bridge.debug("sleep", 1500)).toThrow("did not answer within 20 ms");
      expect(bridge.stats.timeouts).toBe(1);
      expect(() => new BridgeKernels(bridge).unary("neg", Float32Array.of(1), 1)).toThrow(/still busy/);
    } finally {
      bridge.timeoutMs = timeout;
    }
    // the worker finishes the stalled request on its own; then the bridge is usable again
    for (let i = 0; i < 100; i++) {
      await sleep(100);
      try {
        expect(new BridgeKernels(bridge).unary("neg", Float32Array.of(1), 1)).toEqual(Float32Array.of(-1));
        return;
      } catch (e) {
        expect(String(e)).toMatch(/still busy/);
      }
    }
    throw new Error("the bridge did not recover after the stalled request");
  });
});

describe("Dawn's event pump in the worker (a stand-in: a callback rescheduling itself with setImmediate)", () => {
  it("runs at full speed during a request and is slowed to a 10 ms timer between requests", async () => {
    const bridge = WorkerBridge.start({ backend: "cpu" });
    try {
      bridge.debug("pump");
      const t0 = bridge.debug("ticks");
      bridge.debug("sleep", 200); // a request: the pump runs freely while it waits
      const t1 = bridge.debug("ticks");
      await sleep(300); // idle: one tick per 10 ms at most
      const t2 = bridge.debug("ticks");
      expect(t1 - t0).toBeGreaterThan(1000); // free-running: tens of thousands in 200 ms
      expect(t2 - t1).toBeLessThan(100); // throttled: about 30 in 300 ms, not tens of thousands
      expect(t2 - t1).toBeGreaterThan(0); // but not stopped
    } finally {
      bridge.closeSync();
      await bridge.terminate();
    }
  });
});

describe("WorkerBridge failures", () => {
  it("a worker that dies wakes the waiting thread with the reason; later calls fail at once", async () => {
    const bridge = WorkerBridge.start({ backend: "cpu" });
    expect(() => bridge.debug("exit")).toThrow(/exited \(code 3\)/);
    expect(bridge.alive).toBe(false);
    expect(() => bridge.upload(Float32Array.of(1))).toThrow(/exited/);
    await bridge.terminate();
  });

  it("closeSync() frees the worker's device and ends its thread from inside (how a Dawn worker ends at exit)", async () => {
    const bridge = WorkerBridge.start({ backend: "cpu" });
    expect(bridge.upload(Float32Array.of(1)).download()).toEqual(Float32Array.of(1));
    bridge.closeSync();
    expect(bridge.alive).toBe(false);
    expect(bridge.failed).toMatch(/closed/);
    expect(() => bridge.upload(Float32Array.of(1))).toThrow(/closed/);
    await bridge.terminate(); // resolves: the thread is gone
  });

  it("terminate() stops the worker; calls after it fail instead of waiting", async () => {
    const bridge = WorkerBridge.start({ backend: "cpu" });
    await bridge.terminate();
    expect(bridge.alive).toBe(false);
    expect(() => bridge.upload(Float32Array.of(1))).toThrow(/closed/);
  });

  it("through the provider: after the worker dies every op declines to WASM and gpuInfo says why", async () => {
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
    expect(tensor([1, 2]).add(tensor([3, 4])).tolist()).toEqual([4, 6]);
    expect(gpuInfo().counts.add.gpu).toBe(1);
    expect(() => activeBridge()!.debug("exit")).toThrow(/exited/);
    expect(tensor([1, 2]).add(tensor([3, 4])).tolist()).toEqual([4, 6]);
    expect(tensor([[1, 2]]).matmul(tensor([[3], [4]])).tolist()).toEqual([[11]]);
    const info = gpuInfo();
    expect(info.counts.add).toEqual({ gpu: 1, wasm: 1 });
    expect(info.counts.matmul).toEqual({ gpu: 0, wasm: 1 });
    expect(info.errors).toBe(2);
    expect(info.lastError).toMatch(/exited \(code 3\)/);
    expect(info.bridge!.failed).toMatch(/exited \(code 3\)/);
    await disableGpu();
    expect(activeBridge()).toBeNull();
  });

  it("disableGpu() terminates the stand-in's worker (the Dawn worker is parked instead: Dawn starts once per process)", async () => {
    enableGpu({ mode: "webgpu", workerBackend: "cpu", policy: "force" });
    const bridge = activeBridge()!;
    expect(bridge.alive).toBe(true);
    await disableGpu();
    expect(bridge.alive).toBe(false);
    expect(bridge.failed).toMatch(/closed/);
    expect(tensor([1, 2]).add(tensor([3, 4])).tolist()).toEqual([4, 6]);
  });
});
