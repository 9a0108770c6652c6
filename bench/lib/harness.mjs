// Timing helpers shared by every library's runner: warm-up, >= 7 timed repetitions, medians.
import { performance } from "node:perf_hooks";

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Time `fn` (one call = one unit of work) after a warm-up (see below). Each timed repetition runs `fn` `inner` times, where
 * `inner` is chosen from the warm-up so that a repetition lasts about `targetMs` (at least once):
 * fast workloads are not dominated by timer resolution, slow ones still get `reps` repetitions.
 * Returns the median time of one call in ms (wall clock, or CPU time after setClock("cpu")),
 * both medians, the on-CPU share, and every repetition's per-call time.
 * `fn` must read its result back (so lazy or asynchronous backends cannot skip work); its return
 * value is kept in a sink. Between repetitions (untimed) the event loop gets a turn, as it does
 * between the steps of a real application, so finalizers of garbage-collected handles can run.
 */
export async function measure(fn, { warmup = 2, warmupMs = 0, reps = 7, targetMs = 40 } = {}) {
  let sink = 0;
  const consume = (v) => {
    if (typeof v === "number") sink += v;
    else if (v && typeof v.length === "number") sink += v.length;
  };
  // At least `warmup` calls and at least `warmupMs` of them: V8 compiles WebAssembly with a
  // baseline compiler first and moves hot functions to the optimizing one in the background,
  // which on a busy 2-core machine can take a few hundred ms; a fixed count of calls could
  // end the warm-up (and start timing) before that, for any of the WebAssembly libraries.
  let one = Infinity;
  const w0 = performance.now();
  for (let i = 0; i < Math.max(1, warmup) || performance.now() - w0 < warmupMs; i++) {
    const t0 = performance.now();
    consume(fn());
    one = Math.min(one, performance.now() - t0);
    if (i % 8 === 7) await tick();
  }
  const inner = Math.max(1, Math.min(10000, Math.round(targetMs / Math.max(one, 1e-3))));
  const samples = [];
  const cpuSamples = [];
  for (let r = 0; r < reps; r++) {
    await tick();
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) consume(fn());
    samples.push((performance.now() - t0) / inner);
    cpuSamples.push((cpuMs() - c0) / inner);
  }
  globalThis.__benchSink = sink;
  const wallMs = median(samples);
  const cpu = median(cpuSamples);
  return {
    ms: clock === "cpu" ? cpu : wallMs,
    wallMs,
    cpuMs: cpu,
    // CPU time of this process over wall time while timing: ~1 for a single-threaded library
    // that had its core to itself, lower when other processes took turns on it.
    cpuShare: median(samples.map((w, i) => cpuSamples[i] / w)),
    samples: clock === "cpu" ? cpuSamples : samples,
    inner,
  };
}

/** The clock `measure` reports: "wall" (default) or "cpu" (this process's CPU time, all threads). */
let clock = "wall";
export function setClock(c) {
  if (c !== "wall" && c !== "cpu") throw new Error(`--clock must be wall or cpu, not ${c}`);
  clock = c;
}
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A deterministic pseudo-random Float32Array (the same data for every library). */
export function randomData(n, seed = 1) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export function randomLabels(n, classes, seed = 7) {
  const r = randomData(n, seed);
  return Int32Array.from(r, (v) => Math.min(classes - 1, Math.floor(((v + 1) / 2) * classes)));
}
