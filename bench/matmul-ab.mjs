// tensorgrad's float32 matmul against tfjs-backend-wasm (XNNPACK, single-threaded SIMD) in ONE
// process, alternating (A B A B ...), medians: a GEMM comparison that a noisy neighbour on a
// shared machine affects the same way for both sides.
//
//   node bench/matmul-ab.mjs [shapes] [--rounds=9] [--clock=cpu|wall]
//
// shapes: comma-separated N (square N×N·N×N) and/or "w3" (the MLP step's products: forward
// 64x784·784x256, dA = g·W1ᵀ 64x256·(784x256)ᵀ, dW1 = xᵀ·g (64x784)ᵀ·64x256). Default
// "256,512,1024,w3". Each call includes reading the result back into a Float32Array, as the
// bench's W1 does. --clock=cpu (default) times this process's CPU time, which leaves out the
// time other processes held the core; --clock=wall times wall-clock time.
import { performance } from "node:perf_hooks";
import * as tf from "@tensorflow/tfjs-core";
import * as tg from "tensorgrad";
import { randomData } from "./lib/harness.mjs";
import { setup } from "./lib/tfjs.mjs";

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith("--"))
    .map((a) => {
      const [k, v] = a.slice(2).split("=");
      return [k, v ?? true];
    }),
);
const spec = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "256,512,1024,w3";
const rounds = Number(args.rounds ?? 9);
const clock =
  (args.clock ?? "cpu") === "wall"
    ? () => performance.now()
    : () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      };

await setup("wasm");
// One thread: tfjs-wasm runs single-threaded here, and --clock=cpu would sum the pool's threads.
tg.setNumThreads?.(1);

// [label, m, k, n, A transposed, B transposed]
const cases = spec.split(",").flatMap((s) =>
  s === "w3"
    ? [
        ["64x784 · 784x256", 64, 784, 256, false, false],
        ["64x256 · (784x256)ᵀ", 64, 256, 784, false, true],
        ["(64x784)ᵀ · 64x256", 784, 64, 256, true, false],
      ]
    : [[`${s}x${s} · ${s}x${s}`, Number(s), Number(s), Number(s), false, false]],
);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** ms per call: doubles the batch until it takes >= 25 ms. */
function time(f) {
  for (let inner = 1; ; inner *= 2) {
    const t0 = clock();
    for (let i = 0; i < inner; i++) f();
    const t = clock() - t0;
    if (t >= 25) return t / inner;
  }
}

console.log(`tensorgrad vs tfjs-wasm matmul, one process, ${rounds} alternating rounds, ${args.clock ?? "cpu"} clock`);
for (const [label, m, k, n, ta, tb] of cases) {
  const A = randomData(m * k, 1);
  const B = randomData(k * n, 2);
  // stored as the transposes' sources where transposed, as the backward pass sees them
  const a = ta ? tg.tensor(A).reshape([k, m]).t() : tg.tensor(A).reshape([m, k]);
  const b = tb ? tg.tensor(B).reshape([n, k]).t() : tg.tensor(B).reshape([k, n]);
  const ours = () => tg.tidy(() => a.matmul(b).toTypedArray());
  const ta_ = tf.tensor2d(A, ta ? [k, m] : [m, k]);
  const tb_ = tf.tensor2d(B, tb ? [n, k] : [k, n]);
  const theirs = () => {
    const c = tf.matMul(ta_, tb_, ta, tb);
    const v = c.dataSync();
    c.dispose();
    return v;
  };
  const x = ours();
  const y = theirs();
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i] - y[i]));
  // warm-up past V8's tier-up of both modules
  for (const f of [ours, theirs]) for (const t0 = performance.now(); performance.now() - t0 < 300; ) f();
  const to = [];
  const tt = [];
  for (let r = 0; r < rounds; r++) {
    to.push(time(ours));
    tt.push(time(theirs));
  }
  const flop = 2 * m * n * k;
  const ratio = median(to.map((t, i) => tt[i] / t));
  console.log(
    `${label.padEnd(22)} tensorgrad ${(flop / median(to) / 1e6).toFixed(1).padStart(5)} GFLOP/s  ` +
      `tfjs-wasm ${(flop / median(tt) / 1e6).toFixed(1).padStart(5)} GFLOP/s  ` +
      `ratio ${ratio.toFixed(2)}  max |diff| ${err.toExponential(1)}`,
  );
  a.dispose();
  b.dispose();
  ta_.dispose();
  tb_.dispose();
}
