// The matmul thread pool: large float32 matmuls are split across the calling thread and
// `getNumThreads() - 1` workers (Node worker_threads, or module Web Workers in a
// cross-origin-isolated page). The main WebAssembly memory is not shared, so each worker runs
// the same compiled core in its own instance (threads-worker.ts).
//
// A product is cut into chunks of C's rows (or columns, when that copies less): one large chunk
// per thread for ~80% of C, then one small chunk per thread for the rest. The caller copies the
// operands the workers may need into a SharedArrayBuffer, wakes them through a shared control
// array (one Atomics.notify; no message per call) and then, like every worker, claims chunks
// from a shared counter until none is left: the caller computes its chunks in place with the
// core's GEMM, a worker copies its operands into its own memory and its chunk of C back. So a
// worker that is slow to wake or shares its core with another process takes fewer chunks
// instead of holding everyone up. Finally the caller waits for the chunks the workers claimed
// (Atomics.wait; a spin on a browser main thread, where waiting is not allowed) and copies them
// into C. The copies are O(n²) against O(n³) work, so only products of m·k·n ≥ MIN_WORK are
// split. Every element of C is computed by the same blocked kernel in the same order as on one
// thread: the result is identical. A failed worker never breaks a computation: its chunk is
// computed by the caller and the pool falls back to one thread.
import { raw, wasmMemory, wasmModule } from "./wasm.js";
import {
  BOUNDS, CDONE, claim, CMD, CMD_EXIT, CMD_JOB, CMD_MESSAGE, ctrlInts, FAULT, GEN, IDX_BITS, JOB_GEN, MAX_CHUNKS, NCHUNK,
  NEXT, PARAMS, READY, SEQ, TAG_MASK, WORKERS, WSLOT,
} from "./threads-layout.js";

/**
 * Products (m·k·n) below this run on one thread: the copies, the repacking and the wake-up do
 * not pay. Measured on 2 cores with the 4×8 GEMM (every product offered, clean interleaved
 * samples): 96³ runs at 0.65x of one thread, 128³ at 0.98x, 160³ at 1.06x, 256³ at 1.3x.
 */
export const MIN_WORK = 160 * 160 * 160;
/** Each participating thread gets at least this much work (m·k·n). */
const MIN_WORK_PER_THREAD = MIN_WORK / 2;
/** A chunk of the dynamic tail is worth at least this much work (m·k·n). */
const MIN_TAIL_CHUNK_WORK = MIN_WORK / 4;
/** Chunks are rounded to these multiples (whole 4×8 register tiles of the GEMM; 8 rows keep
 * a small product's tail chunks even). */
const ROW_ALIGN = 8;
const COL_ALIGN = 16;
/** Floats the GEMM writes per element of A it packs (f32 A panels are pre-splatted to 4 lanes). */
const A_SPLAT = 4;
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

/**
 * @internal Test hook: from the next job on, workers fail their chunks ("status") or claim them
 * and never finish ("timeout"), until the caller notices (then the pool falls back to one thread).
 */
export function _breakWorkersForTest(how: "status" | "timeout"): void {
  breakNext = how;
}
let breakNext: "status" | "timeout" | null = null;
let jobsRun = 0;
let colJobs = 0;
let workerChunks = 0;

/** @internal What the pool has done: matmuls split so far (by columns), chunks the workers computed, workers up now. */
export function _threadsStats(): { available: boolean; threads: number; workersReady: number; jobs: number; colJobs: number; workerChunks: number } {
  return { available: threadsAvailable, threads: numThreads, workersReady: pool ? pool.ready() : 0, jobs: jobsRun, colJobs, workerChunks };
}

// ---- a job ---------------------------------------------------------------------------------

type Split = "rows" | "cols";

interface Plan {
  split: Split;
  /** Chunk c covers [bounds[c], bounds[c + 1]) of C's rows or columns; the caller takes chunk 0. */
  bounds: number[];
  /** Ranges of a and b (elements) copied into the data buffer: what a worker's chunk may read. */
  aSrc: [number, number];
  bSrc: [number, number];
  /** Data buffer size (floats): the copies, then C from bounds[1] on. */
  floats: number;
  /** Elements copied or packed beyond what one thread does (to choose between the splits). */
  cost: number;
}

const roundTo = (x: number, q: number) => Math.max(q, Math.round(x / q) * q);

/** Chunk boundaries over `len`: one large chunk per thread for ~80%, then a tail of smaller ones. */
function schedule(len: number, threads: number, align: number, workPerUnit: number): number[] {
  const big = Math.min(len, roundTo((0.8 * len) / threads, align));
  const bounds = [0];
  while (bounds.length <= threads && bounds[bounds.length - 1]! < len) bounds.push(Math.min(len, bounds[bounds.length - 1]! + big));
  let left = len - bounds[bounds.length - 1]!;
  const tailChunks = Math.max(1, Math.min(threads, Math.floor((left * workPerUnit) / MIN_TAIL_CHUNK_WORK), Math.floor(left / align)));
  const small = roundTo(left / tailChunks, align);
  while (left > 0) {
    const end = Math.min(len, bounds[bounds.length - 1]! + (left < small + align ? left : small));
    bounds.push(end);
    left = len - end;
  }
  return bounds.length - 1 > MAX_CHUNKS ? [0, len] : bounds;
}

function plan(split: Split, m: number, k: number, n: number, ta: boolean, tb: boolean, threads: number): Plan {
  const rows = split === "rows";
  const bounds = rows ? schedule(m, threads, ROW_ALIGN, k * n) : schedule(n, threads, COL_ALIGN, m * k);
  const first = bounds.length > 2 ? bounds[1]! : rows ? m : n;
  // A row-major A (rows) or a Bᵀ (columns) is sliced per chunk: the caller's first chunk is
  // not copied. Every worker copies the other operand whole.
  const aSrc: [number, number] = rows && !ta ? [first * k, m * k] : [0, m * k];
  const bSrc: [number, number] = !rows && tb ? [first * k, n * k] : [0, k * n];
  const whole = rows ? k * n + (ta ? m * k : 0) : m * k + (tb ? 0 : k * n);
  const cFloats = rows ? (m - first) * n : m * (n - first);
  const main = aSrc[1] - aSrc[0] + (bSrc[1] - bSrc[0]);
  // The GEMM packs B once and A once per 256 columns of C: each extra row chunk packs B again,
  // each extra column chunk A (which matters for skinny products such as a 64-row batch). A is
  // packed pre-splatted, A_SPLAT floats per element (kernels/gemm.rs), so an A repack costs
  // that many times a B repack of as many elements.
  const chunks = bounds.length - 1;
  let aPacks = 0; // A packs of the column chunks (one per started 256 columns)
  for (let c = 0; c < chunks; c++) aPacks += Math.ceil((bounds[c + 1]! - bounds[c]!) / 256);
  const repack = rows ? (chunks - 1) * k * n : (aPacks - Math.ceil(n / 256)) * m * k * A_SPLAT;
  return { split, bounds, aSrc, bSrc, floats: main + cFloats, cost: main + (threads - 1) * whole + 2 * cFloats + repack };
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
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * ctrlInts(nWorkers)));
    this.data = new SharedArrayBuffer(4 * floats);
    this.f32 = new Float32Array(this.data);
    const module = wasmModule();
    for (let w = 0; w < nWorkers; w++) {
      const worker = spawn((e) => {
        this.broken ??= `worker error: ${e instanceof Error ? e.message : String(e)}`;
      });
      this.workers.push(worker);
      worker.postMessage({ module, ctrl: this.ctrl.buffer, index: w, data: this.data, gen: this.gen });
    }
  }

  /** How many workers are instantiated and hold the current data buffer. */
  ready(): number {
    let n = 0;
    for (let w = 0; w < this.workers.length; w++) {
      const slot = WORKERS + WSLOT * w;
      const r = Atomics.load(this.ctrl, slot + READY);
      if (r < 0) this.broken ??= "a worker could not instantiate the WebAssembly module";
      else if (r === 1 && Atomics.load(this.ctrl, slot + GEN) === this.gen) n++;
    }
    return n;
  }

  /** Replace the data buffer with one of `floats` (the workers get it by message); false on timeout. */
  grow(floats: number): boolean {
    this.data = new SharedArrayBuffer(4 * floats);
    this.f32 = new Float32Array(this.data);
    this.gen++;
    for (const w of this.workers) w.postMessage({ data: this.data, gen: this.gen });
    this.announce(CMD_MESSAGE);
    return this.workers.every((_, w) => waitFor(this.ctrl, WORKERS + WSLOT * w + GEN, this.gen, 5000));
  }

  /** Bump SEQ with a command and wake every worker; returns the job's tag. */
  announce(cmd: number, prepare?: (tag: number) => void): number {
    let seq = (this.seq + 1) | 0;
    if ((seq & TAG_MASK) === 0) seq = (seq + 1) | 0;
    this.seq = seq;
    prepare?.(seq & TAG_MASK);
    this.ctrl[CMD] = cmd;
    Atomics.store(this.ctrl, SEQ, seq);
    Atomics.notify(this.ctrl, SEQ);
    return seq & TAG_MASK;
  }

  close(): void {
    try {
      this.announce(CMD_EXIT);
    } catch {
      // nothing to wake
    }
    for (const w of this.workers) {
      try {
        void w.terminate();
      } catch {
        // already gone
      }
    }
  }
}

function spawn(onError: (e: unknown) => void): AnyWorker {
  if (NodeWorker) {
    // A computed specifier, so bundlers do not copy this file as an asset for the Node branch;
    // execArgv: [] - the worker needs none of the process's flags, and some (--input-type,
    // loaders such as tsx) would break or slow its start.
    const file = "./threads-worker.js";
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

/** Wait until ctrl[i] is one of `want`, up to timeoutMs; Atomics.wait where allowed, else a spin. */
function waitFor(ctrl: Int32Array, i: number, want: number, timeoutMs: number, orWant = want): boolean {
  const t0 = performance.now();
  for (;;) {
    const v = Atomics.load(ctrl, i);
    if (v === want || v === orWant) return true;
    const left = timeoutMs - (performance.now() - t0);
    if (left <= 0) return false;
    if (canBlock) Atomics.wait(ctrl, i, v, left);
  }
}

/** C += op(A)·op(B) for chunk [lo, hi) in the main instance's memory (byte addresses). */
function gemmChunk(
  split: Split, lo: number, hi: number, aAddr: number, bAddr: number, cAddr: number,
  m: number, k: number, n: number, ta: boolean, tb: boolean,
): void {
  const [rsa, csa] = ta ? [1, m] : [k, 1];
  const [rsb, csb] = tb ? [1, k] : [n, 1];
  const ok =
    split === "rows"
      ? raw.gemmF32Raw(hi - lo, n, k, aAddr + 4 * lo * rsa, rsa, csa, bAddr, rsb, csb, cAddr + 4 * lo * n, n)
      : raw.gemmF32Raw(m, hi - lo, k, aAddr, rsa, csa, bAddr + 4 * lo * csb, rsb, csb, cAddr + 4 * lo, n);
  if (!ok) throw new Error("tensorgrad: internal error: gemmF32Raw rejected a chunk");
}

/**
 * Offered every float32 matmul with m·k·n ≥ MIN_WORK (by backend.ts): computes C in place
 * across the pool and returns true, or returns false (C untouched) to let the core's kernel run.
 * `a`, `b`, `c` are views of the main WebAssembly memory; C is zero on entry.
 */
export function poolMatmulInto(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, ta: boolean, tb: boolean,
): boolean {
  if (numThreads < 2) return false;
  const work = m * k * n;
  if (work < MIN_WORK) return false;
  let threads = Math.min(numThreads, Math.floor(work / MIN_WORK_PER_THREAD));
  if (threads < 2) return false;
  if (!pool) {
    // Started lazily, by the first product large enough; it runs on this thread while the
    // workers start (they never block the caller).
    try {
      pool = new Pool(numThreads - 1, Math.max(1 << 20, 2 * (m * k + k * n + m * n)));
    } catch (e) {
      fail(`cannot start workers: ${e instanceof Error ? e.message : String(e)}`);
    }
    return false;
  }
  const p = pool;
  const ready = p.ready();
  if (p.broken) {
    fail(p.broken);
    return false;
  }
  if (ready === 0) return false; // still starting
  threads = Math.min(threads, ready + 1);
  const rows = plan("rows", m, k, n, ta, tb, threads);
  const cols = plan("cols", m, k, n, ta, tb, threads);
  const pl = rows.bounds.length < 3 || (cols.bounds.length >= 3 && cols.cost < rows.cost) ? cols : rows;
  if (pl.bounds.length < 3) return false;
  if (pl.floats > p.f32.length && !p.grow(Math.max(2 * p.f32.length, pl.floats))) {
    fail("a worker did not take the new buffer in time");
    return false;
  }
  runJob(p, pl, a, b, c, m, k, n, ta, tb);
  return true;
}

function runJob(
  p: Pool, pl: Plan, a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, ta: boolean, tb: boolean,
): void {
  const { split, bounds, aSrc, bSrc } = pl;
  const ctrl = p.ctrl;
  const nChunks = bounds.length - 1;
  const aOff = 0;
  const bOff = aSrc[1] - aSrc[0];
  const cOff = bOff + (bSrc[1] - bSrc[0]);
  p.f32.set(a.subarray(aSrc[0], aSrc[1]), aOff);
  p.f32.set(b.subarray(bSrc[0], bSrc[1]), bOff);
  // Data buffer index of C's chunk starting at `lo`.
  const first = bounds[1]!;
  const cAt = (lo: number) => cOff + (split === "rows" ? (lo - first) * n : m * (lo - first));
  const fault = breakNext;
  const tag = p.announce(CMD_JOB, (tag) => {
    ctrl.set([split === "rows" ? 0 : 1, m, n, k, ta ? 1 : 0, tb ? 1 : 0, aOff - aSrc[0], bOff - bSrc[0], cAt(0)], PARAMS);
    ctrl.set(bounds, BOUNDS);
    ctrl[NCHUNK] = nChunks;
    ctrl[JOB_GEN] = p.gen;
    ctrl[FAULT] = fault === "status" ? 1 : fault === "timeout" ? 2 : 0;
    // The caller's first chunk is claimed before anyone is woken: its operands are not copied.
    Atomics.store(ctrl, NEXT, (tag << IDX_BITS) | 1);
  });
  // The caller's chunks, computed in place (a re-entrant call into the core: it touches no
  // tensor or graph state). The core may grow memory, which detaches views: use addresses.
  const [aAddr, bAddr, cAddr] = [a.byteOffset, b.byteOffset, c.byteOffset];
  const mine = new Set<number>([0]);
  gemmChunk(split, 0, first, aAddr, bAddr, cAddr, m, k, n, ta, tb);
  for (let idx = claim(ctrl, tag); idx >= 0; idx = claim(ctrl, tag)) {
    mine.add(idx);
    gemmChunk(split, bounds[idx]!, bounds[idx + 1]!, aAddr, bAddr, cAddr, m, k, n, ta, tb);
  }
  // The workers' chunks: wait for each, copy it into C.
  let failed: string | null = null;
  const timeout = fault === "timeout" ? 200 : 10_000 + (40 * m * k * n) / 1e6 / nChunks; // 0.05 GFLOP/s at worst
  for (let idx = 1; idx < nChunks; idx++) {
    if (mine.has(idx)) continue;
    const [lo, hi] = [bounds[idx]!, bounds[idx + 1]!];
    const ok = waitFor(ctrl, CDONE + idx, tag, timeout, -tag) && Atomics.load(ctrl, CDONE + idx) === tag;
    if (ok) {
      workerChunks++;
      const out = new Float32Array(wasmMemory().buffer, cAddr, m * n);
      const len = hi - lo;
      const at = cAt(lo);
      if (split === "rows") out.set(p.f32.subarray(at, at + len * n), lo * n);
      else for (let i = 0; i < m; i++) out.set(p.f32.subarray(at + i * len, at + (i + 1) * len), i * n + lo);
    } else {
      failed ??= Atomics.load(ctrl, CDONE + idx) === -tag ? "a worker's chunk failed" : "a worker did not finish its chunk";
      gemmChunk(split, lo, hi, aAddr, bAddr, cAddr, m, k, n, ta, tb);
    }
  }
  jobsRun++;
  if (split === "cols") colJobs++;
  if (failed) {
    breakNext = null;
    fail(failed);
  }
}

