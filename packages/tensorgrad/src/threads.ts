// The matmul thread pool: large float32 matmuls are split across the calling thread and
// `getNumThreads() - 1` workers (Node worker_threads, or module Web Workers in a
// cross-origin-isolated page). The main WebAssembly memory is not shared, so each worker runs
// the same compiled core in its own instance (threads-worker.ts): the main thread copies the
// operands a worker needs into a SharedArrayBuffer, wakes the worker through a shared control
// array (Atomics.notify; no message per call), computes its own share in place with the core's
// GEMM, then waits for the workers (Atomics.wait in Node and workers, a spin on a browser main
// thread, where waiting is not allowed) and copies their rows or columns of C back. The copies
// are O(n²) against O(n³) work, so only products above MIN_WORK are split. Every element of C
// is computed by the same blocked kernel with the same order of operations as on one thread,
// so the result is identical. A failed worker never breaks a computation: its share is computed
// on the calling thread and the pool falls back to one thread.
import { raw, wasmMemory, wasmModule } from "./wasm.js";

// ---- the control array: one slot of SLOT Int32s per worker (threads-worker.ts repeats these) --
const SLOT = 32;
const SEQ = 0;
const CMD = 1;
const DONE = 2;
const STATUS = 3;
const READY = 4;
const GEN = 5;
const P = 8;
const CMD_JOB = 1;
const CMD_MESSAGE = 2;
const CMD_EXIT = 3;

/** Products (m·k·n) below this run on one thread: the copies and the wake-up would not pay. */
export const MIN_WORK = 64 * 64 * 64 * 4;
/** Each participating thread gets at least this much work (m·k·n). */
const MIN_WORK_PER_THREAD = MIN_WORK / 2;
/** Shares are rounded to these multiples (whole register tiles of the GEMM). */
const ROW_ALIGN = 24;
const COL_ALIGN = 16;
/** The default never starts more threads than this, however many cores there are. */
const MAX_DEFAULT_THREADS = 8;

interface AnyWorker {
  postMessage(msg: unknown): void;
  terminate(): unknown;
}
type NodeWorkerCtor = new (url: URL, options: { execArgv: string[] }) => AnyWorker & {
  unref(): void;
  on(ev: "error" | "exit", f: (e: unknown) => void): void;
};

const isNode = typeof process !== "undefined" && !!process.versions?.node;
let NodeWorker: NodeWorkerCtor | null = null;
let hardwareThreads = 1;
if (isNode) {
  // Hidden from bundlers: Node only.
  const osName = "node:os";
  const wtName = "node:worker_threads";
  try {
    const os = (await import(/* @vite-ignore */ osName)) as typeof import("node:os");
    hardwareThreads = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    NodeWorker = ((await import(/* @vite-ignore */ wtName)) as { Worker: NodeWorkerCtor }).Worker;
  } catch {
    NodeWorker = null;
  }
} else if (typeof navigator !== "undefined") {
  hardwareThreads = navigator.hardwareConcurrency || 1;
}

/** Whether worker threads with shared memory exist here (browsers: only when cross-origin isolated). */
export const threadsAvailable: boolean =
  typeof SharedArrayBuffer === "function" &&
  typeof Atomics === "object" &&
  (isNode
    ? NodeWorker !== null
    : typeof Worker === "function" && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);

/** Atomics.wait is allowed everywhere but on a browser's main thread. */
const canBlock = isNode || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";

let numThreads = threadsAvailable ? Math.max(1, Math.min(hardwareThreads, MAX_DEFAULT_THREADS)) : 1;
let pool: Pool | null = null;
let warned = false;
let listener: () => void = () => undefined;

/** backend.ts re-installs the kernel provider when threads turn on or off. */
export function onThreadsChange(f: () => void): void {
  listener = f;
}

/** Whether matmuls may be offered to the pool (more than one thread). */
export function threadsActive(): boolean {
  return numThreads > 1;
}

/**
 * The number of threads large float32 matmuls use, like `torch.get_num_threads()`: by default
 * the available cores (at most 8) in Node, and in browsers when the page is cross-origin
 * isolated (COOP/COEP headers; else 1).
 */
export function getNumThreads(): number {
  return numThreads;
}

/**
 * Sets the number of threads large float32 matmuls use (the calling thread plus `n - 1`
 * workers), like `torch.set_num_threads(n)`. `setNumThreads(1)` terminates the workers. Where
 * threads are unavailable (a browser page that is not cross-origin isolated) it stays 1.
 * Workers start with the first large matmul after this call and never keep Node alive.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${String(n)}`);
  const next = threadsAvailable ? n : 1;
  if (next === numThreads) return;
  shutdown();
  numThreads = next;
  listener();
}

function shutdown(): void {
  const p = pool;
  pool = null;
  p?.close();
}

function fail(why: string): void {
  shutdown();
  numThreads = 1;
  if (!warned) {
    warned = true;
    console.warn(`tensorgrad: matmul worker failed (${why}); continuing on one thread`);
  }
  listener();
}

/** @internal Test hook: make the next job's workers fail (simulates a broken worker). */
export function _breakWorkersForTest(how: "status" | "timeout"): void {
  breakNext = how;
}
let breakNext: "status" | "timeout" | null = null;
let jobsRun = 0;

/** @internal What the pool has done: split matmuls so far, workers ready now. */
export function _threadsStats(): { available: boolean; threads: number; workersReady: number; jobs: number } {
  return { available: threadsAvailable, threads: numThreads, workersReady: pool ? pool.ready().length : 0, jobs: jobsRun };
}

// ---- a job ---------------------------------------------------------------------------------

/** One thread's share: rows [lo, hi) of C (split "rows") or columns [lo, hi) (split "cols"). */
interface Part {
  lo: number;
  hi: number;
}

interface Plan {
  split: "rows" | "cols";
  parts: Part[]; // parts[0] is the calling thread's
  /** Where the workers' operands start in the data buffer, and what is copied there. */
  aSrc: [number, number]; // range of `a` copied (elements)
  bSrc: [number, number];
  floats: number; // data buffer size the job needs
  copied: number; // elements copied in all (for choosing the split)
}

function bounds(len: number, parts: number, align: number): Part[] {
  const out: Part[] = [];
  let lo = 0;
  for (let i = 0; i < parts; i++) {
    let hi = i === parts - 1 ? len : Math.round(((i + 1) * len) / parts / align) * align;
    hi = Math.min(len, Math.max(hi, lo));
    out.push({ lo, hi });
    lo = hi;
  }
  return out.filter((p) => p.hi > p.lo);
}

function plan(split: "rows" | "cols", m: number, k: number, n: number, ta: boolean, tb: boolean, threads: number): Plan {
  const parts = split === "rows" ? bounds(m, threads, ROW_ALIGN) : bounds(n, threads, COL_ALIGN);
  const first = parts.length > 1 ? parts[1]!.lo : split === "rows" ? m : n;
  let aSrc: [number, number];
  let bSrc: [number, number];
  let perWorker = 0;
  if (split === "rows") {
    // A's rows are contiguous when it is row-major; Aᵀ (k×m) is copied whole.
    aSrc = ta ? [0, m * k] : [first * k, m * k];
    bSrc = [0, k * n];
    for (const p of parts.slice(1)) perWorker += (ta ? (k - 1) * m + (p.hi - p.lo) : (p.hi - p.lo) * k) + k * n;
  } else {
    // Bᵀ's rows (C's columns) are contiguous; a row-major B is copied whole.
    aSrc = [0, m * k];
    bSrc = tb ? [first * k, n * k] : [0, k * n];
    for (const p of parts.slice(1)) perWorker += m * k + (tb ? (p.hi - p.lo) * k : (k - 1) * n + (p.hi - p.lo));
  }
  const cFloats = split === "rows" ? (m - first) * n : m * (n - first);
  const main = aSrc[1] - aSrc[0] + (bSrc[1] - bSrc[0]);
  return { split, parts, aSrc, bSrc, floats: main + cFloats, copied: main + perWorker + 2 * cFloats };
}

class Pool {
  readonly ctrl: Int32Array;
  readonly workers: AnyWorker[] = [];
  data: SharedArrayBuffer;
  f32: Float32Array;
  gen = 1;
  broken: string | null = null;
  private seq = 0;

  constructor(nWorkers: number, floats: number) {
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * SLOT * nWorkers));
    this.data = new SharedArrayBuffer(4 * floats);
    this.f32 = new Float32Array(this.data);
    const module = wasmModule();
    for (let w = 0; w < nWorkers; w++) {
      const worker = spawn((e) => {
        this.broken ??= `worker error: ${e instanceof Error ? e.message : String(e)}`;
      });
      this.workers.push(worker);
      worker.postMessage({ module, ctrl: this.ctrl.buffer, base: w * SLOT, data: this.data, gen: this.gen });
    }
  }

  /** Indices of the workers that are instantiated and hold the current data buffer. */
  ready(): number[] {
    const out: number[] = [];
    for (let w = 0; w < this.workers.length; w++) {
      const r = Atomics.load(this.ctrl, w * SLOT + READY);
      if (r < 0) this.broken ??= "a worker could not instantiate the WebAssembly module";
      else if (r === 1 && Atomics.load(this.ctrl, w * SLOT + GEN) === this.gen) out.push(w);
    }
    return out;
  }

  /** Replace the data buffer with one of `floats` (the workers get it by message); false on timeout. */
  grow(floats: number, workers: number[]): boolean {
    this.data = new SharedArrayBuffer(4 * floats);
    this.f32 = new Float32Array(this.data);
    this.gen++;
    for (const w of workers) {
      this.workers[w]!.postMessage({ data: this.data, gen: this.gen });
      this.command(w, CMD_MESSAGE);
    }
    return workers.every((w) => waitFor(this.ctrl, w * SLOT + GEN, this.gen, 5000));
  }

  command(w: number, cmd: number): number {
    const base = w * SLOT;
    this.ctrl[base + CMD] = cmd;
    const seq = ++this.seq;
    Atomics.store(this.ctrl, base + SEQ, seq);
    Atomics.notify(this.ctrl, base + SEQ);
    return seq;
  }

  close(): void {
    for (let w = 0; w < this.workers.length; w++) {
      try {
        this.command(w, CMD_EXIT);
        void this.workers[w]!.terminate();
      } catch {
        // already gone
      }
    }
  }
}

function spawn(onError: (e: unknown) => void): AnyWorker {
  if (NodeWorker) {
    // A computed specifier, so bundlers do not copy this file as an asset for the Node branch.
    const file = "./threads-worker.js";
    // execArgv: [] - the worker needs none of the process's flags, and some (--input-type,
    // loaders such as tsx) would break or slow its start.
    const w = new NodeWorker(new URL(file, import.meta.url), { execArgv: [] });
    w.unref(); // never keeps a Node process alive
    w.on("error", onError);
    return w;
  }
  // The literal `new Worker(new URL(...), { type: "module" })` is what bundlers (Vite,
  // webpack) recognise to bundle the worker and rewrite its URL.
  const w = new Worker(new URL("./threads-worker.js", import.meta.url), { type: "module" });
  w.onerror = onError;
  return w;
}

/** Wait until ctrl[i] === want, up to timeoutMs; Atomics.wait where allowed, else a spin. */
function waitFor(ctrl: Int32Array, i: number, want: number, timeoutMs: number): boolean {
  const t0 = performance.now();
  for (;;) {
    const v = Atomics.load(ctrl, i);
    if (v === want) return true;
    const left = timeoutMs - (performance.now() - t0);
    if (left <= 0) return false;
    if (canBlock) Atomics.wait(ctrl, i, v, left);
  }
}

/** C (m×n) += op(A)·op(B) for one part, in the main instance's memory (byte addresses). */
function gemmPart(
  split: "rows" | "cols", part: Part, aAddr: number, bAddr: number, cAddr: number,
  m: number, k: number, n: number, ta: boolean, tb: boolean,
): void {
  const [rsa, csa] = ta ? [1, m] : [k, 1];
  const [rsb, csb] = tb ? [1, k] : [n, 1];
  const len = part.hi - part.lo;
  const ok =
    split === "rows"
      ? raw.gemmF32Raw(len, n, k, aAddr + 4 * part.lo * rsa, rsa, csa, bAddr, rsb, csb, cAddr + 4 * part.lo * n, n)
      : raw.gemmF32Raw(m, len, k, aAddr, rsa, csa, bAddr + 4 * part.lo * csb, rsb, csb, cAddr + 4 * part.lo, n);
  if (!ok) throw new Error("tensorgrad: internal error: gemmF32Raw rejected a share");
}

/**
 * Offered every float32 matmul with m·k·n ≥ MIN_WORK (by backend.ts): computes C in place
 * across the pool and returns true, or returns false (C untouched) to let the core's kernel run.
 * `a`, `b`, `c` are views of the main WebAssembly memory.
 */
export function poolMatmulInto(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, ta: boolean, tb: boolean,
): boolean {
  if (numThreads < 2) return false;
  const work = m * k * n;
  if (work < MIN_WORK) return false;
  const threads = Math.min(numThreads, Math.floor(work / MIN_WORK_PER_THREAD));
  if (threads < 2) return false;
  const rows = plan("rows", m, k, n, ta, tb, threads);
  const cols = plan("cols", m, k, n, ta, tb, threads);
  const pl = rows.parts.length < 2 || (cols.parts.length >= 2 && cols.copied < rows.copied) ? cols : rows;
  if (pl.parts.length < 2) return false;
  if (!pool) {
    // Started lazily, by the first product large enough; it runs on this thread while the
    // workers start (they never block the caller).
    try {
      pool = new Pool(numThreads - 1, Math.max(1 << 20, 2 * pl.floats));
    } catch (e) {
      fail(`cannot start workers: ${e instanceof Error ? e.message : String(e)}`);
    }
    return false;
  }
  const p = pool;
  if (p.broken) {
    fail(p.broken);
    return false;
  }
  let ready = p.ready();
  if (p.broken) {
    fail(p.broken);
    return false;
  }
  if (ready.length === 0) return false; // still starting
  ready = ready.slice(0, pl.parts.length - 1);
  // Fewer workers ready than planned: re-plan for the threads there are.
  const plan2 = ready.length + 1 === pl.parts.length ? pl : plan(pl.split, m, k, n, ta, tb, ready.length + 1);
  if (plan2.parts.length < 2) return false;
  if (plan2.floats > p.f32.length && !p.grow(Math.max(2 * p.f32.length, plan2.floats), ready)) {
    fail("a worker did not take the new buffer in time");
    return false;
  }
  return runJob(p, plan2, ready, a, b, c, m, k, n, ta, tb);
}

function runJob(
  p: Pool, pl: Plan, ready: number[],
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, ta: boolean, tb: boolean,
): boolean {
  const { split, parts, aSrc, bSrc } = pl;
  const f32 = p.f32;
  const prof = (globalThis as { __tgProf?: number[] }).__tgProf;
  const t0 = prof ? performance.now() : 0;
  const aOff0 = 0;
  const bOff0 = aSrc[1] - aSrc[0];
  const cOff0 = bOff0 + (bSrc[1] - bSrc[0]);
  f32.set(a.subarray(aSrc[0], aSrc[1]), aOff0);
  f32.set(b.subarray(bSrc[0], bSrc[1]), bOff0);
  const [aAddr, bAddr, cAddr] = [a.byteOffset, b.byteOffset, c.byteOffset];
  const [rsa, csa] = ta ? [1, m] : [k, 1];
  const [rsb, csb] = tb ? [1, k] : [n, 1];
  const jobs: { w: number; seq: number; part: Part; cOff: number }[] = [];
  let cOff = cOff0;
  const breaking = breakNext;
  breakNext = null;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    const w = ready[i - 1]!;
    const len = part.hi - part.lo;
    let prm: number[];
    if (split === "rows") {
      // Worker's op(A) rows start at element `lo·rsa` of A, which sits at aOff0 + that − aSrc[0].
      const aStart = aOff0 + part.lo * rsa - aSrc[0];
      const aLen = (len - 1) * rsa + (k - 1) * csa + 1;
      prm = [len, n, k, aStart, aLen, rsa, csa, bOff0, k * n, rsb, csb, cOff];
      cOff += len * n;
    } else {
      const bStart = bOff0 + part.lo * csb - bSrc[0];
      const bLen = (k - 1) * rsb + (len - 1) * csb + 1;
      prm = [m, len, k, aOff0, m * k, rsa, csa, bStart, bLen, rsb, csb, cOff];
      cOff += m * len;
    }
    if (breaking === "status") prm[0] = 0x7fffffff; // an impossible share: the worker reports failure
    p.ctrl.set(prm, w * SLOT + P);
    const seq = breaking === "timeout" ? -1 : p.command(w, CMD_JOB);
    jobs.push({ w, seq, part, cOff: cOff - (split === "rows" ? len * n : m * len) });
  }
  // This thread's share, computed in place (re-entrant call into the core: it touches no
  // tensor or graph state). It may grow memory, which detaches the views: use addresses.
  const t1 = prof ? performance.now() : 0;
  gemmPart(split, parts[0]!, aAddr, bAddr, cAddr, m, k, n, ta, tb);
  const t2 = prof ? performance.now() : 0;
  let tw = 0;
  let failed: string | null = null;
  for (const j of jobs) {
    const expectMs = (2 * m * k * n) / parts.length / 1e6; // at 1 GFLOP/s
    const ok = j.seq >= 0 && waitFor(p.ctrl, j.w * SLOT + DONE, j.seq, 10_000 + 20 * expectMs);
    const status = ok ? p.ctrl[j.w * SLOT + STATUS] : -1;
    if (prof) tw = performance.now();
    if (ok && status === 0) {
      const out = new Float32Array(wasmMemory().buffer, cAddr, m * n);
      const len = j.part.hi - j.part.lo;
      if (split === "rows") out.set(f32.subarray(j.cOff, j.cOff + len * n), j.part.lo * n);
      else for (let i = 0; i < m; i++) out.set(f32.subarray(j.cOff + i * len, j.cOff + (i + 1) * len), i * n + j.part.lo);
    } else {
      failed ??= ok ? "a worker's share failed" : "a worker did not answer";
      gemmPart(split, j.part, aAddr, bAddr, cAddr, m, k, n, ta, tb);
    }
  }
  jobsRun++;
  if (prof) {
    const t3 = performance.now();
    (prof as unknown as number[][]).push([t1 - t0, t2 - t1, tw - t2, t3 - tw]);
  }
  if (failed) fail(failed);
  return true;
}
