// Runs every workload for one library in this process and prints one JSON line on stdout:
//   node lib/worker.mjs <tensorgrad|tfjs-wasm|tfjs-cpu|js-pytorch> '<config json>'
import { measure, setClock, tick } from "./harness.mjs";

const [lib, cfgJson] = process.argv.slice(2);
const cfg = JSON.parse(cfgJson);
setClock(cfg.clock ?? "wall");

let m;
if (lib === "tensorgrad") m = await import("./tensorgrad.mjs");
else if (lib === "tfjs-wasm" || lib === "tfjs-cpu") {
  m = await import("./tfjs.mjs");
  await m.setup(lib.slice(5));
} else if (lib === "js-pytorch") m = await import("./jspytorch.mjs");
else throw new Error(`unknown library ${lib}`);

const slow = cfg.slow?.includes(lib);
const opts = { warmup: slow ? 1 : cfg.warmup, warmupMs: cfg.warmupMs ?? 0, reps: cfg.reps, targetMs: cfg.targetMs };
const results = {};
const log = (s) => process.stderr.write(`[bench ${lib}] ${s}\n`);
const want = (w) => cfg.workloads.includes(w);

if (want("W1")) {
  for (const n of cfg.w1Sizes) {
    const r = await measure(m.w1(n), opts);
    results[`W1_${n}`] = { value: (2 * n ** 3) / (r.ms * 1e6), unit: "GFLOP/s", ms: r.ms, cpuShare: r.cpuShare, reps: r.samples.length, inner: r.inner };
    log(`W1 N=${n}: ${results[`W1_${n}`].value.toFixed(2)} GFLOP/s`);
    if (m.w1Threads) {
      // tensorgrad's default configuration: the matmul thread pool
      // Always wall clock: --clock=cpu sums the CPU time of every thread. Its CPU time / wall
      // time (up to the thread count) is kept apart from the single-threaded cells' cpuShare.
      const th = m.w1Threads.threads;
      const t = await measure(await m.w1Threads(n), opts);
      results[`W1T_${n}`] = { value: (2 * n ** 3) / (t.wallMs * 1e6), unit: "GFLOP/s", ms: t.wallMs, clock: "wall", cpuPerWall: t.cpuShare, reps: t.samples.length, inner: t.inner, threads: th };
      log(`W1 N=${n}, ${th} threads: ${results[`W1T_${n}`].value.toFixed(2)} GFLOP/s (CPU time / wall time ${t.cpuShare.toFixed(2)})`);
    }
  }
}
// The other workloads in tensorgrad's default thread configuration (what a user gets: W3's
// products are large enough for the pool), but on one thread under --clock=cpu, whose CPU time
// would sum over the workers.
const threads = m.setThreads ? m.setThreads(cfg.clock === "cpu" ? 1 : "default") : undefined;
if (want("W2")) {
  const r = await measure(m.w2(cfg.n), opts);
  results.W2 = { value: r.ms, unit: "ms", cpuShare: r.cpuShare, reps: r.samples.length, inner: r.inner };
  log(`W2: ${r.ms.toFixed(2)} ms`);
}
if (want("W3")) {
  const step = m.w3(cfg.mlp);
  const r = await measure(step, { ...opts, warmup: Math.max(opts.warmup, 3) });
  results.W3 = { value: 1000 / r.ms, unit: "steps/s", ms: r.ms, cpuShare: r.cpuShare, reps: r.samples.length, inner: r.inner, ...(threads ? { threads } : {}) };
  log(`W3: ${results.W3.value.toFixed(1)} steps/s`);
  if (m.memoryBytes && m.memoryBytes() !== null && cfg.memSteps > 0) {
    // Memory after warm-up, then after memSteps more training steps (no explicit gc, no
    // dispose): once yielding to the event loop after every step (as an application that
    // stays responsive does), once in one synchronous loop (finalizers cannot run inside it).
    for (let i = 0; i < 50; i++) {
      step();
      await tick();
    }
    const before = m.memoryBytes();
    for (let i = 0; i < cfg.memSteps; i++) {
      step();
      await tick();
    }
    const after = m.memoryBytes();
    for (let i = 0; i < cfg.memSteps; i++) step();
    const afterSync = m.memoryBytes();
    results.memory = { steps: cfg.memSteps, beforeBytes: before, afterBytes: after, afterSyncBytes: afterSync };
    log(`memory: ${before} -> ${after} bytes over ${cfg.memSteps} W3 steps yielding, -> ${afterSync} after as many in a synchronous loop`);
  }
}
if (want("W4")) {
  const r = await measure(m.w4(cfg.chain), opts);
  results.W4 = { value: (r.ms * 1000) / (2 * cfg.chain), unit: "us/op", ms: r.ms, cpuShare: r.cpuShare, reps: r.samples.length, inner: r.inner };
  log(`W4: ${results.W4.value.toFixed(2)} us/op`);
}
if (want("W5")) {
  const r = await measure(m.w5(cfg.n), opts);
  results.W5 = { value: r.ms, unit: "ms", cpuShare: r.cpuShare, reps: r.samples.length, inner: r.inner };
  log(`W5: ${r.ms.toFixed(2)} ms`);
}

process.stdout.write(JSON.stringify({ lib, info: m.info(), results }) + "\n");
