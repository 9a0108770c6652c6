#!/usr/bin/env node
// gpu.js's WebGPU backend (Dawn in Node, through the `webgpu` package gpu.js depends on) on a
// naive one-thread-per-output matmul kernel (the shape of tensorgrad-gpu's, with 2-D reads),
// against tensorgrad's WASM matmul.
//
// The raw kernels, outside tensorgrad (whose graph reaches them through tensorgrad-gpu's worker
// bridge, enableGpu({ mode: 'webgpu' }): measured by run.mjs). Two timings per size: "round trip" (upload, run, read back: what a synchronous seam would pay
// per op) and "resident" (10 chained runs on GPU buffers, one read-back at the end).
//
//   node bench/gpu/webgpu.mjs [--sizes 512,1024,2048]
// Needs a Vulkan driver Dawn can find (VK_DRIVER_FILES=... for NVIDIA's ICD) and glibc >= 2.38
// (the prebuilt dawn.node).
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { installNavigatorGpu } from "tensorgrad-gpu/dawn-navigator";

const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { sizes: { type: "string", default: "512,1024,2048" } } });
const sizes = values.sizes.split(",").map(Number);

// `webgpu` is gpu.js's own dependency: resolve it from gpu.js's folder.
const gpujsDir = require.resolve("gpu.js").replace(/src[\\/]index\.js$/, "");
const webgpuPath = createRequire(gpujsDir + "package.json").resolve("webgpu");
const { create, globals } = await import(webgpuPath);
Object.assign(globalThis, globals);
const gpuApi = create([]);
installNavigatorGpu(gpuApi); // gpu.js's navigator.gpu, with a device whose onuncapturederror Dawn accepts
const adapter = await gpuApi.requestAdapter();
if (!adapter) {
  console.log("[webgpu] no WebGPU adapter (Dawn found no Vulkan device)");
  process.exit(0);
}
const ai = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
console.log(`[webgpu] adapter: ${[ai.vendor, ai.architecture, ai.device, ai.description].filter(Boolean).join(" / ") || "(no info)"}`);

const { GPU, input } = require("gpu.js");
const tg = await import("tensorgrad");
const gpu = new GPU({ mode: "webgpu" });

const rand = (n, seed) => {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s >>> 8) / 2 ** 24) * 2 - 1;
  }
  return out;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now();
// one thread per output element, like packages/tensorgrad-gpu/src/kernels.ts (which reads by flat index)
const SRC = `function (a, b) {
  let acc = 0;
  for (let p = 0; p < this.constants.k; p++) {
    acc += a[this.thread.y][p] * b[p][this.thread.x];
  }
  return acc;
}`;

const flat = (r) => (r instanceof Float32Array ? r : Float32Array.from(r.flatMap ? r.flatMap((row) => Array.from(row)) : r));
console.log(`${"size".padEnd(8)}${"WASM ms".padStart(10)}${"WASM GF/s".padStart(11)}${"RT ms".padStart(10)}${"RT GF/s".padStart(10)}${"res ms".padStart(10)}${"res GF/s".padStart(10)}  max rel diff`);
for (const n of sizes) {
  try {
    await one(n);
  } catch (e) {
    console.log(`${String(n).padEnd(8)}failed: ${e?.stack ?? e}`);
  }
}
async function one(n) {
  const a = rand(n * n, n);
  const b = rand(n * n, n + 7);
  const flop = 2 * n * n * n;
  const ta = tg.tensor(a).reshape(n, n);
  const tb = tg.tensor(b).reshape(n, n);
  const ref = ta.matmul(tb).toTypedArray();
  const wasm = [];
  for (let i = 0; i < 3; i++) {
    const t0 = now();
    ta.matmul(tb).toTypedArray();
    wasm.push(now() - t0);
  }
  const k = gpu.createKernel(SRC, { output: [n, n], constants: { k: n }, precision: "single", tactic: "precision" });
  const A = input(a, [n, n]);
  const B = input(b, [n, n]);
  const got = flat(await k(A, B)); // compile + first run
  const rt = [];
  for (let i = 0; i < 5; i++) {
    const t0 = now();
    await k(A, B);
    rt.push(now() - t0);
  }
  // resident: operands uploaded once into GPU buffers, 10 chained runs, one read-back
  const up = gpu.createKernel("function (a) { return a[this.thread.y][this.thread.x]; }", {
    output: [n, n], precision: "single", pipeline: true, immutable: true,
  });
  const gA = await up(A);
  const gB = await up(B);
  const kp = gpu.createKernel(SRC, { output: [n, n], constants: { k: n }, precision: "single", tactic: "precision", pipeline: true });
  await (await kp(gA, gB)).toArray(); // compile
  const res = [];
  for (let rep = 0; rep < 3; rep++) {
    const t0 = now();
    let last;
    for (let i = 0; i < 10; i++) last = await kp(gA, gB);
    await last.toArray();
    res.push((now() - t0) / 10);
  }
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(got[i] - ref[i]) / (1 + Math.abs(ref[i])));
  const w = median(wasm), r = median(rt), s = median(res);
  console.log(
    `${String(n).padEnd(8)}${w.toFixed(1).padStart(10)}${(flop / w / 1e6).toFixed(1).padStart(11)}${r.toFixed(1).padStart(10)}${(flop / r / 1e6).toFixed(1).padStart(10)}${s.toFixed(2).padStart(10)}${(flop / s / 1e6).toFixed(1).padStart(10)}  ${m.toExponential(1)}`,
  );
  gA.delete?.();
  gB.delete?.();
  for (const x of [k, kp, up]) x.destroy?.();
}
console.log("[webgpu] RT = round trip per call (upload, run, read back); res = resident (10 chained runs, one read-back)");
await gpu.destroy?.();
process.exit(0);
