// npm run bench:threads [-- --rounds=7 --json]
//
// tensorgrad's matmul thread pool against one thread and tfjs-backend-wasm (single-threaded
// SIMD), in ONE process, interleaved: every round times each variant once on each shape
// (threads, one thread, tfjs-wasm, in that order), and the table gives the median GFLOP/s over
// the rounds. Shapes: W1 (N×N·N×N) and the W3 MLP's first-layer products (x·W1 forward, and the
// backward products xᵀ·g and g·W1ᵀ, which read transposed operands).
import * as tg from "tensorgrad";
import * as tf from "@tensorflow/tfjs-core";
import { setup } from "./lib/tfjs.mjs";
import { median, randomData, tick } from "./lib/harness.mjs";
import { performance } from "node:perf_hooks";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const rounds = Number(args.rounds ?? 7);
const targetMs = Number(args.targetMs ?? 60);
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

/** ms per call: calls repeated for about targetMs. */
function time(fn) {
  let t0 = performance.now();
  fn();
  const one = performance.now() - t0;
  const inner = Math.max(1, Math.round(targetMs / Math.max(one, 0.01)));
  t0 = performance.now();
  for (let i = 0; i < inner; i++) fn();
  return (performance.now() - t0) / inner;
}

/** Switch tensorgrad's thread count and warm the pool up (workers start lazily). */
async function useThreads(n, warm) {
  tg.setNumThreads(n);
  if (n === 1) return;
  for (let i = 0; i < 100 && (tg._threads?.stats().workersReady ?? n - 1) < n - 1; i++) {
    warm();
    await new Promise((r) => setTimeout(r, 10));
  }
}

const samples = {};
const variants = ["threads", "single", "tfjs-wasm"];
for (const s of SHAPES) for (const v of variants) samples[`${s[0]}|${v}`] = [];
const cases = SHAPES.map((s) => ({ s, tgf: tgCase(s), tff: tfCase(s) }));
const big = tgCase(SHAPES[1]);
for (let r = 0; r < rounds; r++) {
  for (const { s, tgf, tff } of cases) {
    const flop = 2 * s[1] * s[2] * s[3];
    await useThreads(defaultThreads, big);
    tgf();
    samples[`${s[0]}|threads`].push(flop / time(tgf) / 1e6);
    await useThreads(1);
    tgf();
    samples[`${s[0]}|single`].push(flop / time(tgf) / 1e6);
    tff();
    samples[`${s[0]}|tfjs-wasm`].push(flop / time(tff) / 1e6);
    await tick();
  }
  process.stderr.write(`[bench:threads] round ${r + 1}/${rounds}\n`);
}
tg.setNumThreads(defaultThreads);

const rows = SHAPES.map(([name]) => {
  const med = Object.fromEntries(variants.map((v) => [v, median(samples[`${name}|${v}`])]));
  return { name, ...med, threadsVsSingle: med.threads / med.single, threadsVsTfjs: med.threads / med["tfjs-wasm"], singleVsTfjs: med.single / med["tfjs-wasm"] };
});
if (args.json) {
  console.log(JSON.stringify({ node: process.version, threads: defaultThreads, rounds, rows, samples }, null, 2));
} else {
  console.log(`tensorgrad matmul threads: node ${process.version}, ${defaultThreads} threads by default; medians of ${rounds} interleaved rounds, GFLOP/s`);
  console.log("| shape | tensorgrad threads | tensorgrad 1 thread | tfjs-wasm | threads/1 thread | threads/tfjs | 1 thread/tfjs |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  const f = (x) => x.toFixed(1);
  for (const r of rows) {
    console.log(`| ${r.name} | ${f(r.threads)} | ${f(r.single)} | ${f(r["tfjs-wasm"])} | ${r.threadsVsSingle.toFixed(2)}x | ${r.threadsVsTfjs.toFixed(2)}x | ${r.singleVsTfjs.toFixed(2)}x |`);
  }
}
