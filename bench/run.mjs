// npm run bench [-- --json] [--libs=tensorgrad,tfjs-wasm,...] [--workloads=W1,W4] [--reps=7]
//                [--rounds=3] [--slow-rounds=1] [--clock=wall|cpu] [--quick]
//
// Runs every library in its own Node process, never two at once, in interleaved rounds: each
// round runs one process per library, and the order alternates between rounds (forward, then
// reversed, ...), so a noisy neighbour on this shared machine during one process skews one
// round of one library rather than its whole column. The slow peers (tfjs-cpu, js-pytorch:
// 10-300x slower, one N=1024 matmul of js-pytorch takes seconds) run in the first
// --slow-rounds rounds only (default 1): their ratios are far from any target, and three
// rounds of them would triple the run. Each cell is the median over the rounds
// of that process's own median over its repetitions. Prints a table with tensorgrad's column,
// each peer's, and tensorgrad's speedup over each peer (x > 1: tensorgrad is faster), plus W1
// against native single-threaded OpenBLAS sgemm when libopenblas-dev is installed, and the W3
// memory figure (measured in the first round only). --json prints the raw results (every
// round, and the medians) instead.
//
// Times are wall-clock by default. Every cell also records the process's on-CPU share while
// it was timed (CPU time / wall time); the table's footer lists the lowest per library, so a
// run disturbed by other processes shows it; tensorgrad's threaded W1 cells get their own line
// (CPU time / wall time, at most the thread count: well below it when other processes held
// cores, or when the threads wait for each other). --clock=cpu reports the process's CPU time
// instead of wall time: on a shared machine it leaves out the time other processes held the
// core, but it also counts every thread, so use it for single-threaded comparisons only: under
// it tensorgrad's threaded W1 rows still use wall clock and its W2-W5 run on one thread (by
// default they run in its default thread configuration, as W3's products use the pool).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./lib/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k, v ?? true];
  }),
);
const ALL_LIBS = ["tensorgrad", "tfjs-wasm", "tfjs-cpu", "js-pytorch"];
const libs = args.libs ? String(args.libs).split(",") : ALL_LIBS;
const quick = Boolean(args.quick);
const rounds = Math.max(1, Number(args.rounds ?? (quick ? 1 : 3)));
const slowRounds = Math.max(1, Number(args["slow-rounds"] ?? 1));
const cfg = {
  workloads: args.workloads ? String(args.workloads).split(",") : ["W1", "W2", "W3", "W4", "W5"],
  w1Sizes: args.sizes ? String(args.sizes).split(",").map(Number) : [256, 512, 1024],
  n: 1_000_000,
  chain: 1000,
  mlp: { batch: 64, inF: 784, hidden: 256, classes: 10, lr: 0.01 },
  warmup: 2,
  // ... and at least this long (see lib/harness.mjs: WebAssembly tier-up).
  warmupMs: quick ? 150 : 300,
  reps: Math.max(quick ? 3 : 7, Number(args.reps ?? 7)),
  targetMs: quick ? 20 : 40,
  memSteps: quick ? 200 : 1000,
  // One warm-up call only: js-pytorch's N=1024 matmul takes seconds.
  slow: ["js-pytorch", "tfjs-cpu"],
  clock: args.clock ? String(args.clock) : "wall",
};
if (!["wall", "cpu"].includes(cfg.clock)) throw new Error(`--clock must be wall or cpu, not ${cfg.clock}`);
if (quick) cfg.reps = Number(args.reps ?? 3);

const log = (s) => process.stderr.write(`${s}\n`);
function runLib(lib, round) {
  // The W3 memory figure takes ~2000 extra training steps: first round only.
  const c = round === 0 ? cfg : { ...cfg, memSteps: 0 };
  log(`[bench] round ${round + 1}/${rounds}: ${lib} ...`);
  const r = spawnSync(process.execPath, [join(here, "lib/worker.mjs"), lib, JSON.stringify(c)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  const line = r.stdout.trim().split("\n").pop();
  if (r.status !== 0 || !line) {
    log(`[bench] ${lib} failed (exit ${r.status})`);
    return { lib, error: `exit ${r.status}`, results: {} };
  }
  return JSON.parse(line);
}

// perRound[lib][r] = that round's worker output
const perRound = Object.fromEntries(libs.map((l) => [l, []]));
for (let round = 0; round < rounds; round++) {
  const order = (round % 2 === 0 ? libs : [...libs].reverse()).filter(
    (l) => round < slowRounds || !cfg.slow.includes(l),
  );
  for (const lib of order) perRound[lib].push(runLib(lib, round));
}

// Median over rounds, per cell; memory and info from the first round that has them.
const results = {};
for (const lib of libs) {
  const runs = perRound[lib];
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) {
    results[lib] = { lib, error: runs[0].error, results: {} };
    continue;
  }
  const cells = {};
  for (const key of new Set(ok.flatMap((r) => Object.keys(r.results)))) {
    if (key === "memory") continue;
    const vals = ok.map((r) => r.results[key]?.value).filter((v) => v !== undefined);
    const shares = ok.map((r) => r.results[key]?.cpuShare).filter((v) => v !== undefined);
    const perWall = ok.map((r) => r.results[key]?.cpuPerWall).filter((v) => v !== undefined);
    cells[key] = {
      ...ok[0].results[key],
      value: median(vals),
      rounds: vals,
      ...(shares.length ? { cpuShare: Math.min(...shares) } : {}),
      ...(perWall.length ? { cpuPerWall: Math.min(...perWall) } : {}),
    };
  }
  const mem = ok.find((r) => r.results.memory)?.results.memory;
  if (mem) cells.memory = mem;
  const failed = runs.length - ok.length;
  results[lib] = { lib, info: ok[0].info, results: cells, ...(failed ? { failedRounds: failed } : {}) };
}

// Native OpenBLAS single-threaded sgemm (only when libopenblas-dev and a C compiler exist).
function openblas() {
  if (!cfg.workloads.includes("W1") || args["no-blas"]) return null;
  const hdr = ["/usr/include/x86_64-linux-gnu/cblas.h", "/usr/include/cblas.h", "/usr/include/openblas/cblas.h", "/usr/include/aarch64-linux-gnu/cblas.h"];
  if (!hdr.some(existsSync)) return { skipped: "libopenblas-dev not installed (apt-get install libopenblas-dev)" };
  const dir = mkdtempSync(join(tmpdir(), "tg-sgemm-"));
  try {
    const exe = join(dir, "sgemm");
    const cc = spawnSync("cc", ["-O3", "-o", exe, join(here, "sgemm.c"), "-lopenblas"], { encoding: "utf8" });
    if (cc.status !== 0) return { skipped: `cc failed: ${(cc.stderr || cc.error?.message || "").trim().split("\n")[0]}` };
    log("[bench] OpenBLAS sgemm (1 thread) ...");
    const run = spawnSync(exe, [String(cfg.reps), ...cfg.w1Sizes.map(String)], {
      encoding: "utf8",
      env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
    });
    if (run.status !== 0) return { skipped: `sgemm exited ${run.status}` };
    return { gflops: JSON.parse(run.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const blas = openblas();

const env = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, reps: cfg.reps, rounds, slowRounds };
if (args.json) {
  process.stdout.write(JSON.stringify({ env, config: cfg, results, rounds: perRound, openblas: blas }, null, 2) + "\n");
  process.exit(0);
}

// ---- table --------------------------------------------------------------------------------
// [key, label, unit, higher is better, the peers' key (default: key)]
const rows = [
  ...cfg.w1Sizes.map((n) => [`W1_${n}`, `W1 matmul f32 N=${n}`, "GFLOP/s", true]),
  // tensorgrad with its default thread pool against the same (single-threaded) peer figures
  ...cfg.w1Sizes.map((n) => [`W1T_${n}`, `W1 N=${n} threads (default)`, "GFLOP/s", true, `W1_${n}`]),
  ["W2", "W2 tanh(x*a+b).sum() 1e6 f32 fwd", "ms", false],
  ["W3", "W3 MLP 784-256-10 fwd+bwd+SGD b=64", "steps/s", true],
  ["W4", "W4 1000x(x*1.0001+0.0001) scalar f+b", "us/op", false],
  ["W5", "W5 (x*x).sum() f+b 1e6 f32", "ms", false],
].filter(([k]) => cfg.workloads.includes(k.slice(0, 2)));
const peers = libs.filter((l) => l !== "tensorgrad");
const fmt = (v) => (v === undefined ? "-" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const head = ["workload", "unit", "tensorgrad", ...peers, ...peers.map((p) => `x vs ${p}`)];
const body = rows.map(([k, label, unit, higher, peerKey = k]) => {
  const tg = results.tensorgrad?.results[k]?.value;
  const vals = peers.map((p) => results[p]?.results[peerKey]?.value);
  const ratios = vals.map((v) => (tg === undefined || v === undefined ? undefined : higher ? tg / v : v / tg));
  return [label, unit, fmt(tg), ...vals.map(fmt), ...ratios.map((r) => (r === undefined ? "-" : `${fmt(r)}x`))];
});
const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
const line = (cells) => "| " + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
console.log(
  `tensorgrad bench: node ${env.node}, ${env.cpus} x ${env.cpu}; each cell: median over ${rounds} interleaved round${rounds > 1 ? "s" : ""} ` +
    (rounds > slowRounds && libs.some((l) => cfg.slow.includes(l))
      ? `(${cfg.slow.filter((l) => libs.includes(l)).join(", ")}: ${slowRounds}) `
      : "") +
    `(one process per library per round, order alternating) of the median of ${cfg.reps} repetitions after >= ${cfg.warmupMs} ms of warm-up` +
    (cfg.clock === "cpu" ? "; times are process CPU time (tensorgrad's threaded W1 rows: wall clock)" : ""),
);
console.log(`speedup columns: tensorgrad over the peer (> 1 = tensorgrad faster)`);
console.log(line(head));
console.log("|" + widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|");
for (const r of body) console.log(line(r));
if (blas?.gflops) {
  const parts = cfg.w1Sizes.map((n) => {
    const tg = results.tensorgrad?.results[`W1_${n}`]?.value;
    const b = blas.gflops[n];
    return `N=${n}: OpenBLAS ${fmt(b)} GFLOP/s, tensorgrad ${tg === undefined ? "-" : `${((100 * tg) / b).toFixed(0)}%`}`;
  });
  console.log(`native OpenBLAS sgemm, 1 thread: ${parts.join("; ")}`);
} else if (blas?.skipped) console.log(`native OpenBLAS sgemm: skipped (${blas.skipped})`);
{
  // The lowest on-CPU share of any timed cell, per library (see the header comment).
  const parts = libs
    .map((l) => {
      const shares = Object.values(results[l]?.results ?? {})
        .map((c) => c.cpuShare)
        .filter((v) => typeof v === "number" && Number.isFinite(v));
      return shares.length ? `${l} ${Math.min(...shares).toFixed(2)}` : null;
    })
    .filter(Boolean);
  if (parts.length)
    console.log(`lowest on-CPU share while timing (CPU time / wall time; < 0.9: other processes took the core): ${parts.join(", ")}`);
}
{
  const t = Object.entries(results.tensorgrad?.results ?? {}).filter(([k]) => k.startsWith("W1T_"));
  if (t.length)
    console.log(
      `tensorgrad threaded W1, lowest CPU time / wall time (of ${t[0][1].threads} threads): ` +
        t.map(([k, c]) => `N=${k.slice(4)} ${c.cpuPerWall?.toFixed(2) ?? "-"}`).join(", "),
    );
}
const mem = results.tensorgrad?.results.memory;
if (mem) {
  const mib = (b) => (b / 1048576).toFixed(1);
  const growth = (a, b) => (a === b ? "flat" : `+${mib(b - a)} MiB`);
  console.log(`tensorgrad WASM memory, ${mem.steps} W3 steps after warm-up, yielding to the event loop each step: ${mib(mem.beforeBytes)} MiB -> ${mib(mem.afterBytes)} MiB (${growth(mem.beforeBytes, mem.afterBytes)})`);
  console.log(`  then ${mem.steps} steps in one synchronous loop (handles are freed by GC finalizers, which cannot run inside it): -> ${mib(mem.afterSyncBytes)} MiB (${growth(mem.afterBytes, mem.afterSyncBytes)})`);
}
const ce = results.tensorgrad?.info?.crossEntropy;
if (ce) console.log(`tensorgrad W3 loss: ${ce}`);
const w3Threads = results.tensorgrad?.results.W3?.threads;
if (w3Threads) console.log(`tensorgrad W2-W5 threads (matmul pool): ${w3Threads}`);
for (const [lib, r] of Object.entries(results)) {
  if (r.error) console.log(`${lib}: failed (${r.error})`);
  else if (r.failedRounds) console.log(`${lib}: ${r.failedRounds} of its rounds failed (medians over the others)`);
}
