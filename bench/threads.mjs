// npm run threads -w @tensorgrad/bench [-- --samples=7 --minutes=20 --json]
//
// tensorgrad's matmul thread pool against one thread and tfjs-backend-wasm (single-threaded
// SIMD), in ONE process, interleaved: every round times each variant once on each shape
// (threads, one thread, tfjs-wasm), and the table gives the median GFLOP/s over the rounds.
// Shapes: W1 (N×N·N×N) and the W3 MLP's first-layer products (x·W1 forward, and the backward
// products xᵀ·g and g·W1ᵀ, which read transposed operands).
//
// Threads only pay when the cores are free: on Linux a sample is dropped when other processes
// used more than 10% of a core while it ran (from /proc/stat and /proc/self/stat); rounds go on
// until every shape has --samples clean samples of each variant, or --minutes have passed.
import * as tg from "tensorgrad";
import * as tf from "@tensorflow/tfjs-core";
import { setup } from "./lib/tfjs.mjs";
import { median, randomData, tick } from "./lib/harness.mjs";
import { performance } from "node:perf_hooks";
import { readFileSync } from "node:fs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const wanted = Number(args.samples ?? 7);
const deadline = performance.now() + 60_000 * Number(args.minutes ?? 20);
const targetMs = Number(args.targetMs ?? 150);
await setup("wasm");

const SHAPES = [
  // name, m, k, n, transA, transB
  ["W1 N=256", 256, 256, 256, false, false],
  ["W1 N=512", 512, 512, 512, false, false],
  ["W1 N=1024", 1024, 1024, 1024, false, false],
  ["W3 x·W1 64x784x256", 64, 784, 256, false, false],
  ["W3 xᵀ·g 784x64x256", 784, 64, 256, true, false],
  ["W3 g·W1ᵀ 64x256x784", 64, 256, 784, false, true],
];

const defaultThreads = tg.getNumThreads();

function tgCase([, m, k, n, ta, tb]) {
  // Stored as the product reads them: Aᵀ is a k×m tensor, Bᵀ an n×k one (transposed views).
  const A = ta ? tg.tensor(randomData(m * k, 1)).reshape([k, m]).t() : tg.tensor(randomData(m * k, 1)).reshape([m, k]);
  const B = tb ? tg.tensor(randomData(k * n, 2)).reshape([n, k]).t() : tg.tensor(randomData(k * n, 2)).reshape([k, n]);
  return () => tg.tidy(() => A.matmul(B).toTypedArray());
}

function tfCase([, m, k, n, ta, tb]) {
  const A = tf.tensor2d(randomData(m * k, 1), ta ? [k, m] : [m, k]);
  const B = tf.tensor2d(randomData(k * n, 2), tb ? [n, k] : [k, n]);
  return () => {
    const c = tf.matMul(A, B, ta, tb);
    const v = c.dataSync();
    c.dispose();
    return v;
  };
}

// CPU time (in clock ticks) of all processes, and of this one: what others used in between.
const HZ = 100;
function cpuTicks() {
  try {
    const all = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = all[0] + all[1] + all[2] + all[5] + all[6]; // user nice system irq softirq
    const self = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return { busy, self: Number(self[11]) + Number(self[12]) };
  } catch {
    return null;
  }
}

/** ms per call (calls repeated for about targetMs), or null when other processes took the CPU meanwhile. */
function time(fn) {
  let t0 = performance.now();
  fn();
  const one = performance.now() - t0;
  const inner = Math.max(1, Math.round(targetMs / Math.max(one, 0.01)));
  const c0 = cpuTicks();
  t0 = performance.now();
  for (let i = 0; i < inner; i++) fn();
  const ms = (performance.now() - t0) / inner;
  const c1 = cpuTicks();
  if (c0 && c1) {
    const others = (c1.busy - c0.busy - (c1.self - c0.self)) / HZ; // seconds of CPU
    if (others > 0.1 * ((ms * inner) / 1000) + 1 / HZ) return null;
  }
  return ms;
}

/** Switch tensorgrad's thread count; with threads, run `warm` until the (lazily started) pool is up and warm. */
async function useThreads(n, warm) {
  tg.setNumThreads(n);
  if (n === 1) return;
  for (let i = 0; i < 100 && (tg._threads?.stats().workersReady ?? n - 1) < n - 1; i++) {
    warm();
    await new Promise((r) => setTimeout(r, 10));
  }
  for (let i = 0; i < 3; i++) warm();
}

const samples = {};
const variants = ["threads", "single", "tfjs-wasm"];
for (const s of SHAPES) for (const v of variants) samples[`${s[0]}|${v}`] = [];
const cases = SHAPES.map((s) => ({ s, tgf: tgCase(s), tff: tfCase(s) }));
let dropped = 0;
let rounds = 0;
const need = (name) => variants.some((v) => samples[`${name}|${v}`].length < wanted);
while (cases.some(({ s }) => need(s[0])) && performance.now() < deadline) {
  rounds++;
  for (const { s, tgf, tff } of cases) {
    if (!need(s[0])) continue;
    const flop = 2 * s[1] * s[2] * s[3];
    const keep = (v, ms) => (ms === null ? dropped++ : samples[`${s[0]}|${v}`].push(flop / ms / 1e6));
    await useThreads(defaultThreads, tgf);
    keep("threads", time(tgf));
    await useThreads(1);
    tgf();
    keep("single", time(tgf));
    tff();
    keep("tfjs-wasm", time(tff));
    await tick();
  }
  process.stderr.write(`[bench:threads] round ${rounds} (${dropped} samples dropped so far)\n`);
}
tg.setNumThreads(defaultThreads);

const rows = SHAPES.map(([name]) => {
  const med = Object.fromEntries(variants.map((v) => [v, samples[`${name}|${v}`].length ? median(samples[`${name}|${v}`]) : NaN]));
  const kept = Math.min(...variants.map((v) => samples[`${name}|${v}`].length));
  return { name, kept, ...med, threadsVsSingle: med.threads / med.single, threadsVsTfjs: med.threads / med["tfjs-wasm"], singleVsTfjs: med.single / med["tfjs-wasm"] };
});
if (args.json) {
  console.log(JSON.stringify({ node: process.version, threads: defaultThreads, rounds, dropped, rows, samples }, null, 2));
} else {
  console.log(`tensorgrad matmul threads: node ${process.version}, ${defaultThreads} threads by default; GFLOP/s, medians of the clean samples of ${rounds} interleaved rounds`);
  console.log(`(${dropped} samples dropped: other processes used the CPU meanwhile)`);
  console.log("| shape | tensorgrad threads | tensorgrad 1 thread | tfjs-wasm | threads/1 thread | threads/tfjs | 1 thread/tfjs | samples |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  const f = (x) => x.toFixed(1);
  for (const r of rows) {
    console.log(`| ${r.name} | ${f(r.threads)} | ${f(r.single)} | ${f(r["tfjs-wasm"])} | ${r.threadsVsSingle.toFixed(2)}x | ${r.threadsVsTfjs.toFixed(2)}x | ${r.singleVsTfjs.toFixed(2)}x | ${r.kept} |`);
  }
}
