// npm run bench [-- --json] [--libs=tensorgrad,tfjs-wasm,...] [--workloads=W1,W4] [--reps=7] [--quick]
//
// Runs each library in its own Node process (one after another, never in parallel), prints a
// table with tensorgrad's column, each peer's, and tensorgrad's speedup over each peer
// (x > 1: tensorgrad is faster), plus W1 against native single-threaded OpenBLAS sgemm when
// libopenblas-dev is installed, and the W3 memory figure. --json prints the raw results instead.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
const cfg = {
  workloads: args.workloads ? String(args.workloads).split(",") : ["W1", "W2", "W3", "W4", "W5"],
  w1Sizes: args.sizes ? String(args.sizes).split(",").map(Number) : [256, 512, 1024],
  n: 1_000_000,
  chain: 1000,
  mlp: { batch: 64, inF: 784, hidden: 256, classes: 10, lr: 0.01 },
  warmup: 2,
  reps: Math.max(quick ? 3 : 7, Number(args.reps ?? 7)),
  targetMs: quick ? 20 : 40,
  memSteps: quick ? 200 : 1000,
  // One warm-up call only: js-pytorch's N=1024 matmul takes seconds.
  slow: ["js-pytorch", "tfjs-cpu"],
};
if (quick) cfg.reps = Number(args.reps ?? 3);

const log = (s) => process.stderr.write(`${s}\n`);
const results = {};
for (const lib of libs) {
  log(`[bench] ${lib} ...`);
  const r = spawnSync(process.execPath, [join(here, "lib/worker.mjs"), lib, JSON.stringify(cfg)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  const line = r.stdout.trim().split("\n").pop();
  if (r.status !== 0 || !line) {
    log(`[bench] ${lib} failed (exit ${r.status})`);
    results[lib] = { lib, error: `exit ${r.status}`, results: {} };
    continue;
  }
  results[lib] = JSON.parse(line);
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

const env = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, reps: cfg.reps };
if (args.json) {
  process.stdout.write(JSON.stringify({ env, config: cfg, results, openblas: blas }, null, 2) + "\n");
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
console.log(`tensorgrad bench: node ${env.node}, ${env.cpus} x ${env.cpu}; medians of ${cfg.reps} repetitions`);
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
const mem = results.tensorgrad?.results.memory;
if (mem) {
  const mib = (b) => (b / 1048576).toFixed(1);
  const growth = (a, b) => (a === b ? "flat" : `+${mib(b - a)} MiB`);
  console.log(`tensorgrad WASM memory, ${mem.steps} W3 steps after warm-up, yielding to the event loop each step: ${mib(mem.beforeBytes)} MiB -> ${mib(mem.afterBytes)} MiB (${growth(mem.beforeBytes, mem.afterBytes)})`);
  console.log(`  then ${mem.steps} steps in one synchronous loop (handles are freed by GC finalizers, which cannot run inside it): -> ${mib(mem.afterSyncBytes)} MiB (${growth(mem.afterBytes, mem.afterSyncBytes)})`);
}
const ce = results.tensorgrad?.info?.crossEntropy;
if (ce) console.log(`tensorgrad W3 loss: ${ce}`);
for (const [lib, r] of Object.entries(results)) if (r.error) console.log(`${lib}: failed (${r.error})`);
