#!/usr/bin/env node
// Checks tensorgrad-gpu's webgpu mode on this machine: gpu.js's WebGPU kernels (Dawn) in a worker
// thread behind tensorgrad's synchronous kernel seam. Every op against the WASM kernels (matmul
// in all four transposition variants, add/sub/mul/div/neg/exp/log/tanh, the scalar forms, sum,
// conv2d forward and both gradients), an MLP's gradients, residency (results kept in the worker:
// a chain downloads nothing until read, buffers freed with their tensors), buffers kept in the
// worker, per-op round-trip cost, chained products on worker buffers, idle CPU, a second
// enableGpu (the parked worker), and that the process then exits on its own (the worker is
// unref'd and closed at exit).
//
//   node bench/gpu/webgpu-check.mjs                  # needs Dawn: glibc >= 2.38 and a Vulkan GPU
//   node bench/gpu/webgpu-check.mjs --backend cpu    # the same checks on the CPU stand-in (any machine)
// Exit code: 0 all passed, 1 a check failed, 2 webgpu not available here.
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { backend: { type: "string", default: "webgpu" }, large: { type: "string", default: "512" } } });
const backend = values.backend;
const started = performance.now();
const log = (...a) => console.log(`[webgpu-check ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s]`, ...a);
const tg = await import("tensorgrad");
const gpu = await import("tensorgrad-gpu");

let failures = 0;
async function check(name, f) {
  try {
    const note = await f();
    log(`ok   ${name}${note ? `: ${note}` : ""}`);
  } catch (e) {
    failures++;
    log(`FAIL ${name}: ${e?.stack ?? e}`);
  }
}

const rand = (n, seed, lo = -1, hi = 1) => {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
};
const t2 = (d, r, c) => tg.tensor(d).reshape(r, c);
const onWasm = (f) => {
  tg.setKernelProvider(null);
  try {
    return f();
  } finally {
    tg.setKernelProvider(gpu.provider);
  }
};
/** A provider result as host data: a device array (a buffer kept in the worker) is downloaded and released. */
function hostOf(r) {
  if (!r || r instanceof Float32Array) return r;
  try {
    return r.download();
  } finally {
    r.release();
  }
}
/** Largest |got − want| − (atol + rtol·|want|); ≤ 0 means within tolerance. */
function excess(result, want, rtol, atol) {
  const got = hostOf(result);
  if (!got) throw new Error("declined (undefined): " + gpu.gpuInfo().lastError);
  if (got.length !== want.length) throw new Error(`length ${got.length}, want ${want.length}`);
  let worst = -Infinity;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) - (atol + rtol * Math.abs(want[i]));
    if (!(e <= worst)) {
      worst = e;
      at = i;
    }
  }
  if (worst > 0 || Number.isNaN(worst)) throw new Error(`index ${at}: got ${got[at]}, want ${want[at]}`);
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
  return maxAbs;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

let t = performance.now();
const support = gpu.webGpuSupport();
log(`probe (${(performance.now() - t).toFixed(0)} ms): ${JSON.stringify(support)}`);
log(`supportedModes: ${JSON.stringify(gpu.supportedModes())}`);
if (backend === "webgpu" && !support.available) {
  log("webgpu is not available here: nothing to check");
  process.exit(2);
}

t = performance.now();
const info = gpu.enableGpu({ mode: "webgpu", workerBackend: backend, policy: "force" });
log(`enableGpu (${(performance.now() - t).toFixed(0)} ms): mode ${info.mode}, onGpu ${info.onGpu}, adapter ${JSON.stringify(info.adapter)}, bridge ${JSON.stringify(info.bridge)}`);

const large = Number(values.large);
for (const [m, k, n] of [
  [1, 1, 1],
  [3, 5, 7],
  [33, 64, 65],
  [128, 256, 64],
  [large, large, large],
]) {
  await check(`matmul ${m}x${k}x${n}, 4 transposition variants`, () => {
    const a = rand(m * k, m + k);
    const b = rand(k * n, k + n + 1);
    const tol = [1e-5, 2e-7 * k + 1e-6];
    const notes = [];
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const want = onWasm(() => {
        const A = ta ? t2(a, k, m).t() : t2(a, m, k);
        const B = tb ? t2(b, n, k).t() : t2(b, k, n);
        return A.matmul(B).toTypedArray();
      });
      notes.push(excess(gpu.provider.matmul(a, b, m, k, n, ta, tb), want, ...tol).toExponential(1));
    }
    return `max |diff| ${notes.join(" ")}`;
  });
}

for (const n of [1, 1023, 1 << 20]) {
  await check(`add sub mul div neg exp log tanh, ${n} elements`, () => {
    const a = rand(n, n);
    const b = rand(n, n + 1, 0.5, 2);
    const pos = rand(n, n + 2, 1e-3, 10);
    const notes = [];
    for (const op of ["add", "sub", "mul", "div"]) {
      const want = onWasm(() => tg.tensor(a)[op](tg.tensor(b)).toTypedArray());
      notes.push(excess(gpu.provider.binary(op, a, b), want, 1e-5, 1e-6));
    }
    for (const op of ["neg", "exp", "log", "tanh"]) {
      const x = op === "log" ? pos : a;
      const want = onWasm(() => tg.tensor(x)[op]().toTypedArray());
      notes.push(excess(gpu.provider.unary(op, x), want, op === "tanh" ? 2e-6 : 1e-5, 1e-6));
    }
    return `max |diff| ${notes.map((d) => d.toExponential(1)).join(" ")}`;
  });
  await check(`scalar forms (x*0.3, 1-x, 2/x, x/3, x+1.5), ${n} elements`, () => {
    const a = rand(n, n + 3);
    const nz = rand(n, n + 4, 0.5, 2);
    const cases = [
      ["mul", a, Math.fround(0.3), false, () => tg.tensor(a).mul(0.3)],
      ["sub", a, 1, true, () => tg.tensor(1).sub(tg.tensor(a))],
      ["div", nz, 2, true, () => tg.tensor(2).div(tg.tensor(nz))],
      ["div", a, 3, false, () => tg.tensor(a).div(3)],
      ["add", a, 1.5, false, () => tg.tensor(a).add(1.5)],
    ];
    const notes = cases.map(([op, x, c, first, ref]) => excess(gpu.provider.scalar(op, x, c, first), onWasm(() => ref().toTypedArray()), 1e-5, 1e-6));
    return `max |diff| ${notes.map((d) => d.toExponential(1)).join(" ")}`;
  });
}

for (const [xs, ws, stride, padding, dilation, groups] of [
  [[2, 3, 7, 6], [4, 3, 3, 3], [1, 1], [0, 0], [1, 1], 1],
  [[2, 4, 8, 8], [6, 2, 3, 3], [2, 2], [2, 1], [2, 1], 2],
  [[8, 16, 32, 32], [16, 16, 3, 3], [1, 1], [1, 1], [1, 1], 1],
]) {
  await check(`conv2d forward and both gradients, x ${xs.join("x")} w ${ws.join("x")} stride ${stride} padding ${padding} dilation ${dilation} groups ${groups}`, () => {
    const F = tg.nn.functional;
    const run = () => {
      const x = tg.tensor(rand(xs.reduce((p, v) => p * v), 7)).reshape(...xs).requiresGrad_();
      const w = tg.tensor(rand(ws.reduce((p, v) => p * v), 11)).reshape(...ws).requiresGrad_();
      const y = F.conv2d(x, w, null, { stride, padding, dilation, groups });
      const g = tg.tensor(rand(y.numel(), 13)).reshape(...y.shape);
      const [gx, gw] = tg.autograd.grad(y, [x, w], { gradOutputs: g });
      return [y, gx, gw].map((t) => t.toTypedArray());
    };
    gpu.resetCounts();
    const got = run();
    const counts = gpu.gpuInfo().counts;
    for (const op of ["conv2d", "conv2dInput", "conv2dWeight"]) if (counts[op].gpu !== 1) throw new Error(`${op}: ${JSON.stringify(counts[op])}`);
    const want = onWasm(run);
    const k = ws[1] * ws[2] * ws[3] * xs[0] * xs[2] * xs[3];
    return `max |diff| ${got.map((g, i) => excess(g, want[i], 1e-5, 2e-7 * k + 1e-6).toExponential(1)).join(" ")}`;
  });
}

for (const n of [1, 257, 1 << 20]) {
  await check(`sum of ${n} elements`, () => {
    const x = rand(n, 3 * n);
    const want = onWasm(() => tg.tensor(x).sum().item());
    const got = hostOf(gpu.provider.sum(x));
    if (!got) throw new Error("declined: " + gpu.gpuInfo().lastError);
    const d = Math.abs(got[0] - want);
    if (!(d <= 1e-6 * n + 1e-6)) throw new Error(`got ${got[0]}, want ${want}`);
    return `|diff| ${d.toExponential(1)}`;
  });
}

await check("MLP loss and gradients, forward and backward through the seam", () => {
  const grads = (withGpu) => {
    tg.setKernelProvider(withGpu ? gpu.provider : null);
    const x = t2(rand(64 * 100, 21), 64, 100);
    const y = t2(rand(64 * 10, 22), 64, 10);
    const W1 = t2(rand(100 * 128, 23, -0.1, 0.1), 100, 128).requiresGrad_();
    const W2 = t2(rand(128 * 10, 24, -0.1, 0.1), 128, 10).requiresGrad_();
    const d = x.matmul(W1).tanh().matmul(W2).sub(y);
    const loss = d.mul(d).mean();
    loss.backward();
    return [loss, W1.grad, W2.grad].map((g) => g.toTypedArray());
  };
  gpu.resetCounts();
  const got = grads(true);
  const counts = gpu.gpuInfo().counts;
  const want = grads(false);
  tg.setKernelProvider(gpu.provider);
  const diffs = got.map((g, i) => excess(g, want[i], 1e-4, 1e-6).toExponential(1));
  if (counts.matmul.gpu < 4) throw new Error(`only ${counts.matmul.gpu} matmuls offloaded`);
  return `max |diff| ${diffs.join(" ")}; offloaded ${Object.entries(counts).filter(([, c]) => c.gpu).map(([op, c]) => `${op}×${c.gpu}`).join(" ")}`;
});

await check("residency: a.matmul(b).add(c).exp().sum() stays in the worker until item()", () => {
  const a = t2(rand(256 * 128, 31), 256, 128);
  const b = t2(rand(128 * 64, 32), 128, 64);
  const c = t2(rand(256 * 64, 33), 256, 64);
  const want = onWasm(() => a.matmul(b).add(c).exp().sum().item());
  gpu.resetCounts();
  const live0 = gpu.gpuInfo().memory.live;
  const s = tg.tidy(() => a.matmul(b).add(c).exp().sum());
  const m = gpu.gpuInfo().memory;
  if (m.downloads !== 0) throw new Error(`${m.downloads} downloads before item()`);
  if (m.live - live0 !== 1) throw new Error(`${m.live - live0} device arrays live after tidy, want 1`);
  const workerBuffers = gpu.activeBridge().workerStats().buffers;
  if (workerBuffers !== m.workerBuffers) throw new Error(`the worker holds ${workerBuffers} buffers, gpuInfo says ${m.workerBuffers}`);
  const got = s.item();
  if (!(Math.abs(got - want) <= 1e-4 * Math.abs(want))) throw new Error(`got ${got}, want ${want}`);
  s.dispose();
  const after = gpu.activeBridge().workerStats().buffers;
  if (after !== gpu.gpuInfo().memory.workerBuffers) throw new Error(`after dispose the worker holds ${after}`);
  return `downloads ${gpu.gpuInfo().memory.downloads} (${gpu.gpuInfo().memory.downloadedBytes} bytes), uploaded ${m.uploadedBytes} bytes, worker buffers ${workerBuffers} -> ${after}`;
});

await check("buffers kept in the worker (the bridge's own API)", () => {
  const bridge = gpu.activeBridge();
  const kernels = new gpu.BridgeKernels(bridge);
  const a = bridge.upload(Float32Array.of(1, 2, 3, 4, 5, 6));
  const b = bridge.upload(Float32Array.of(1, 0, 0, 1, 1, 1));
  const c = kernels.matmul(a, b, 2, 3, 2);
  if (c.join() !== "4,5,10,11") throw new Error(`matmul of kept buffers gave ${c.join()}`);
  const kept = bridge.run(
    "check-add",
    () => ({ source: "function (a, b) {\n  return a[this.thread.x] + b[this.thread.x];\n}", settings: { output: [6], precision: "single" } }),
    [{ value: a, dims: [6] }, { value: b, dims: [6] }],
    6,
    true,
  );
  const down = kept.download();
  if (down.join() !== "2,2,3,5,6,7") throw new Error(`kept add gave ${down.join()}`);
  const before = bridge.workerStats().buffers;
  for (const x of [a, b, kept]) x.release();
  const after = bridge.workerStats().buffers;
  if (after !== before - 3) throw new Error(`released 3 buffers: ${before} -> ${after}`);
  return `${before} -> ${after} buffers after release`;
});

await check("cost per op (round trip through the worker)", () => {
  const a = Float32Array.of(1, 2, 3, 4);
  const times = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) gpu.provider.binary("add", a, a)?.release?.();
    times.push(((performance.now() - t0) / 100) * 1000);
  }
  const n = 1024;
  const A = t2(rand(n * n, 1), n, n);
  const B = t2(rand(n * n, 2), n, n);
  A.matmul(B).toTypedArray(); // compile
  const mm = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    A.matmul(B).toTypedArray();
    mm.push(performance.now() - t0);
  }
  const ms = median(mm);
  // four chained products on worker buffers, one readback (A and B uploaded per use)
  const chain = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    tg.tidy(() => A.matmul(B).matmul(B).matmul(B).matmul(B).sum().item());
    chain.push(performance.now() - t0);
  }
  const cms = median(chain);
  return `add of 4 floats: ${median(times).toFixed(0)} µs; matmul 1024 through the seam: ${ms.toFixed(1)} ms = ${((2 * n ** 3) / ms / 1e6).toFixed(0)} GFLOP/s; four chained 1024 products (resident) and a sum: ${cms.toFixed(1)} ms = ${((8 * n ** 3) / cms / 1e6).toFixed(0)} GFLOP/s (medians of 5)`;
});

await check("CPU time of the whole process while webgpu is enabled and idle (1 s)", async () => {
  const u0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 1000));
  const u = process.cpuUsage(u0);
  return `${((u.user + u.system) / 1000).toFixed(0)} ms of CPU per second (all threads)`;
});

log(`gpuInfo: errors ${gpu.gpuInfo().errors}, lastError ${JSON.stringify(gpu.gpuInfo().lastError)}, bridge ${JSON.stringify(gpu.gpuInfo().bridge)}, kernels ${JSON.stringify(gpu.gpuInfo().kernels)}`);
t = performance.now();
await gpu.disableGpu();
log(`disableGpu (${(performance.now() - t).toFixed(0)} ms)`);

await check("enableGpu again: the same worker (parked by disableGpu: Dawn starts once per process)", async () => {
  const t0 = performance.now();
  const again = gpu.enableGpu({ mode: "webgpu", workerBackend: backend, policy: "force" });
  const ms = performance.now() - t0;
  const a = rand(64 * 64, 5);
  const want = onWasm(() => t2(a, 64, 64).matmul(t2(a, 64, 64)).toTypedArray());
  const d = excess(gpu.provider.matmul(a, a, 64, 64, 64, false, false), want, 1e-5, 2e-7 * 64 + 1e-6);
  const kernels = gpu.gpuInfo().kernels.compiled;
  await gpu.disableGpu();
  return `enabled in ${ms.toFixed(0)} ms, adapter ${JSON.stringify(again.adapter)}, max |diff| ${d.toExponential(1)}, ${kernels} kernel(s) compiled in this session`;
});

await check("CPU time of the whole process with webgpu disabled (the parked worker, 1 s)", async () => {
  const u0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 1000));
  const u = process.cpuUsage(u0);
  return `${((u.user + u.system) / 1000).toFixed(0)} ms of CPU per second (all threads)`;
});

log(failures ? `${failures} check(s) FAILED` : "all checks passed");
log("exiting (the process should end now, without process.exit)");
process.exitCode = failures ? 1 : 0;
