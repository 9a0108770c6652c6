// gpu.js's WebGPU backend behind tensorgrad's synchronous kernel seam, in Node.
//
// WebGPU reads results back asynchronously (mapAsync), so gpu.js's webgpu kernels return
// Promises, while the seam must answer each offered op before returning. A worker thread
// (src/webgpu-worker.js) owns the gpu.js GPU and Dawn; each op here copies its operands into a
// SharedArrayBuffer, posts the request through a control Int32Array, blocks in Atomics.wait until
// the worker (whose event loop resolves the Promises) signals completion, and copies the result
// out. Every failure — a timeout, the worker dying, a kernel that throws — surfaces as an
// exception, which the provider turns into a decline (the WASM kernel runs).
//
// Browsers: a page's main thread may not block (Atomics.wait throws there), so this is Node only.
//
// Node built-ins are reached through process.getBuiltinModule, never imported, so that bundling
// tensorgrad-gpu for a browser pulls none of this in.
import type { BinaryOp, Conv2dGeometry, Conv2dKind, UnaryOp } from "tensorgrad";
import {
  binarySource,
  conv2dConstants,
  conv2dOutput,
  conv2dSource,
  kernelSettings,
  matmulSource,
  scalarSource,
  SUM_CHUNK,
  sumSource,
  unarySource,
} from "./kernels.js";

type WorkerThreads = typeof import("node:worker_threads");
type WorkerInstance = import("node:worker_threads").Worker;

// ctrl slots, mirrored in webgpu-worker.js
const SEQ = 0;
const DONE = 1;
const STATUS = 2;
const LEN = 3;
const GEN = 4;
const STATE = 5;
const DEAD = 2;
/** Bytes at the start of the data buffer for the request / answer JSON. */
const JSON_AREA = 65536;
const INITIAL_DATA_BYTES = JSON_AREA + (1 << 20);

/** What the worker runs kernels on: Dawn's WebGPU, or (tests, no GPU) gpu.js's CPU backend. */
export type BridgeBackend = "webgpu" | "cpu";

export interface BridgeOptions {
  backend?: BridgeBackend;
  /** Longest wait for one op's answer before it is declined (ms). Default 60 000. */
  timeoutMs?: number;
  /** Longest wait for the worker to come up (webgpu: Dawn and an adapter; cpu: a first kernel; ms). Default 30 000. */
  startTimeoutMs?: number;
  /** Kernels kept compiled in the worker (per op and shape); least recently used destroyed past it. Default 64. */
  cacheSize?: number;
}

/** Whether gpu.js's webgpu mode can run here behind the synchronous seam, and on what. */
export interface WebGpuSupport {
  available: boolean;
  /** The adapter Dawn found, e.g. "nvidia / NVIDIA H100 80GB HBM3". */
  adapter: string | null;
  /** Why not, when not available. */
  reason: string | null;
}

interface NodeProcess {
  versions?: { node?: string };
  execArgv?: string[];
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcess | null {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : null;
}

function builtin<T>(id: string): T | null {
  const p = nodeProcess();
  return p?.getBuiltinModule ? ((p.getBuiltinModule(id) as T | undefined) ?? null) : null;
}

const BROWSER_REASON =
  "not in Node: WebGPU's read-back is asynchronous and a browser page's main thread cannot block (Atomics.wait) for it, " +
  "so tensorgrad-gpu does not offer webgpu behind its synchronous kernel seam in browsers";

/** The worker script: next to this module in src/ (tests) and in dist/ (the build copies it). */
export function workerUrl(): URL {
  return new URL("./webgpu-worker.js", import.meta.url);
}

/**
 * A kernel argument: an array (host data or a kept buffer) with the dimensions ([x] or [x, y]:
 * columns, rows) the kernel reads it with, or a number (a scalar argument; dims ignored).
 */
export interface BridgeArg {
  value: Float32Array | BridgeArray | number;
  dims: number[];
}

/** What BridgeKernels reads: host data (copied through shared memory) or a buffer kept in the worker. */
export type BridgeInput = Float32Array | BridgeArray;

/** A kernel's definition: gpu.js source text and settings (output, constants, precision, ...). */
export interface KernelDef {
  source: string;
  settings: Record<string, unknown>;
}

/**
 * float32 data kept in the worker (a gpu.js WebGPU buffer; a copy for the CPU stand-in), for
 * device-resident storage: the shape of tensorgrad's DeviceArray (length, download, release).
 */
export class BridgeArray {
  private released = false;
  /** The bridge's session it belongs to: disableGpu() frees every buffer of a session. */
  private readonly epoch: number;
  constructor(
    private readonly bridge: WorkerBridge,
    readonly id: number,
    readonly length: number,
  ) {
    this.epoch = bridge.epoch;
  }

  /** A copy of the values (one round trip to the worker). */
  download(): Float32Array {
    if (this.isReleased) throw new Error("BridgeArray was released");
    return this.bridge.download(this);
  }

  /** Frees the worker's buffer (sent with the next request; flush() to send it now). */
  release(): void {
    if (this.isReleased) return;
    this.released = true;
    this.bridge.release(this.id);
  }

  get isReleased(): boolean {
    return this.released || this.epoch !== this.bridge.epoch;
  }

  /** Whether it lives in that bridge's worker. */
  of(bridge: WorkerBridge): boolean {
    return this.bridge === bridge;
  }
}

interface Answer {
  error?: string;
  fatal?: boolean;
  h?: number;
  ok?: boolean;
  adapter?: string | null;
  [key: string]: unknown;
}

/** The main thread's end of one worker: the shared memory protocol, kernels by id, kept buffers. */
export class WorkerBridge {
  readonly backend: BridgeBackend;
  readonly adapter: string | null;
  /** Longest wait for one answer (ms). */
  timeoutMs: number;
  /** Kernels kept defined in the worker. */
  capacity: number;
  /** Why the worker is unusable (it died, or was terminated); null while it works. */
  failed: string | null = null;
  /** Requests answered; timeouts; times the shared data buffer grew (since start or park). */
  stats = { requests: 0, timeouts: 0, grown: 0 };
  /** Incremented by park(): BridgeArrays of earlier sessions count as released. */
  epoch = 0;

  private readonly worker: WorkerInstance;
  private readonly ctrl: Int32Array;
  private data: SharedArrayBuffer;
  private generation = 0;
  private seq = 1;
  /** A request that timed out and that the worker has not answered yet: nothing else may be sent. */
  private stale = 0;
  /** Whether that request keeps its result in the worker (its buffer is freed once it is answered). */
  private staleKeep = false;
  private readonly kernels = new Map<string, number>();
  private nextKernel = 1;
  private drops: number[] = [];
  private releases: number[] = [];
  private closing: Promise<void> | null = null;
  private closed = false;
  compiled = 0;
  evicted = 0;

  private constructor(worker: WorkerInstance, ctrl: Int32Array, data: SharedArrayBuffer, backend: BridgeBackend, adapter: string | null, capacity: number, timeoutMs: number) {
    this.capacity = capacity;
    this.worker = worker;
    this.ctrl = ctrl;
    this.data = data;
    this.backend = backend;
    this.adapter = adapter;
    this.timeoutMs = timeoutMs;
    worker.on("error", (e: Error) => this.fail(`webgpu worker failed: ${e.message}`));
    worker.on("exit", (code: number) => this.fail(`webgpu worker exited (code ${code})`));
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // Node stops worker threads after 'exit' (also on process.exit()): close Dawn first
      (globalThis as { process?: { on(e: string, f: () => void): void } }).process?.on("exit", () => {
        for (const b of [...live]) b.closeSync();
      });
    }
  }

  /**
   * Starts a worker and waits (blocking, up to startTimeoutMs) until its backend is up (webgpu:
   * Dawn loaded and an adapter found; cpu: a first kernel ran). Throws with the reason when it
   * cannot: not Node, the script missing, Dawn not loading, no adapter, a timeout.
   */
  static start(options: BridgeOptions = {}): WorkerBridge {
    const backend = options.backend ?? "webgpu";
    const p = nodeProcess();
    if (!p) throw new Error(BROWSER_REASON);
    const wt = builtin<WorkerThreads>("node:worker_threads");
    if (!wt) throw new Error(`needs Node >= 20.16 (process.getBuiltinModule) for worker threads; this is Node ${p.versions?.node}`);
    const url = workerUrl();
    const fs = builtin<typeof import("node:fs")>("node:fs");
    const urlMod = builtin<typeof import("node:url")>("node:url");
    if (url.protocol === "file:" && fs && urlMod && !fs.existsSync(urlMod.fileURLToPath(url))) {
      // a missing script would only show as an 'error' event, which a blocked thread never sees
      throw new Error(`the webgpu worker script is missing: ${urlMod.fileURLToPath(url)} (packages/tensorgrad-gpu/scripts/build.mjs copies it into dist/)`);
    }
    const ctrl = new Int32Array(new SharedArrayBuffer(8 * 4));
    const data = new SharedArrayBuffer(INITIAL_DATA_BYTES);
    Atomics.store(ctrl, SEQ, 1); // request 1: the hello
    const workerData = { ctrl: ctrl.buffer, data, backend };
    const execArgv = workerExecArgv(p.execArgv ?? []);
    let worker: WorkerInstance;
    try {
      worker = new wt.Worker(url, { workerData, execArgv });
    } catch (e) {
      // per-process options (--expose-gc, ...) may be inherited but not passed explicitly; they
      // apply to the worker anyway
      if ((e as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw e;
      worker = new wt.Worker(url, { workerData, execArgv: [] });
    }
    worker.unref(); // an idle worker never keeps the process alive
    const startTimeout = options.startTimeoutMs ?? 30_000;
    const ok = waitFor(ctrl, 1, startTimeout);
    const hello = ok ? (readJson(ctrl, data) as Answer) : null;
    if (!hello || !hello.ok) {
      void worker.terminate();
      throw new Error(hello ? String(hello.error) : `the webgpu worker (${backend}) did not come up within ${startTimeout} ms`);
    }
    return new WorkerBridge(worker, ctrl, data, backend, (hello.adapter as string | null) ?? null, options.cacheSize ?? DEFAULT_CACHE_SIZE, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  private fail(reason: string): void {
    if (!this.failed) this.failed = reason;
  }

  get alive(): boolean {
    return this.failed === null && Atomics.load(this.ctrl, STATE) !== DEAD;
  }

  /** Bytes of shared memory the operands and results travel through. */
  get dataBytes(): number {
    return this.data.byteLength;
  }

  get cachedKernels(): number {
    return this.kernels.size;
  }

  kernelKeys(): string[] {
    return [...this.kernels.keys()];
  }

  /**
   * Sends one request and blocks until its answer. `inputs` go into shared memory at 16-byte
   * aligned offsets after the JSON area (their offsets are handed to `build`), `outLength`
   * floats are reserved after them; returns the answer and the result (copied out).
   */
  private call(
    build: (offsets: number[], out: number) => Record<string, unknown>,
    inputs: Float32Array[],
    outLength: number,
    { keep = false, waitStale = false }: { keep?: boolean; waitStale?: boolean } = {},
  ): { answer: Answer; result: Float32Array | null } {
    if (this.failed) throw new Error(this.failed);
    if (Atomics.load(this.ctrl, STATE) === DEAD) {
      this.fail(String((readJson(this.ctrl, this.data) as Answer).error ?? "webgpu worker died"));
      throw new Error(this.failed!);
    }
    if (this.stale) {
      // an op may give up on a stalled worker (it runs on WASM); a download may not (the values
      // are only there), so it waits once more
      if (Atomics.load(this.ctrl, DONE) < this.stale && !(waitStale && waitFor(this.ctrl, this.stale, this.timeoutMs))) {
        throw new Error(`the webgpu worker is still busy with a request that timed out after ${this.timeoutMs} ms`);
      }
      if (this.staleKeep && Atomics.load(this.ctrl, STATUS) === 0 && Atomics.load(this.ctrl, STATE) !== DEAD) {
        // nobody holds the buffer the late answer kept: free it with this request
        const late = readJson(this.ctrl, this.data) as Answer;
        if (typeof late.h === "number") this.releases.push(late.h);
      }
      this.stale = 0;
      this.staleKeep = false;
    }
    const offsets: number[] = [];
    let end = JSON_AREA;
    for (const x of inputs) {
      offsets.push(end);
      end += align16(x.length * 4);
    }
    const out = end;
    end += outLength * 4;
    this.ensureData(end);
    for (let i = 0; i < inputs.length; i++) new Float32Array(this.data, offsets[i], inputs[i]!.length).set(inputs[i]!);
    const req = build(offsets, out);
    if (this.drops.length) req.drop = this.drops.splice(0);
    if (this.releases.length) req.rel = this.releases.splice(0);
    const bytes = new TextEncoder().encode(JSON.stringify(req));
    if (bytes.length > JSON_AREA) throw new Error(`webgpu bridge: request of ${bytes.length} bytes exceeds the ${JSON_AREA}-byte JSON area`);
    new Uint8Array(this.data, 0, bytes.length).set(bytes);
    Atomics.store(this.ctrl, LEN, bytes.length);
    const seq = ++this.seq;
    Atomics.store(this.ctrl, SEQ, seq);
    Atomics.notify(this.ctrl, SEQ);
    if (!waitFor(this.ctrl, seq, this.timeoutMs)) {
      this.stale = seq;
      this.staleKeep = keep;
      this.stats.timeouts++;
      throw new Error(`the webgpu worker did not answer within ${this.timeoutMs} ms (the op ran on WASM)`);
    }
    const answer = readJson(this.ctrl, this.data) as Answer;
    if (Atomics.load(this.ctrl, STATUS) !== 0) {
      if (answer.fatal || Atomics.load(this.ctrl, STATE) === DEAD) this.fail(String(answer.error));
      throw new Error(String(answer.error ?? "webgpu worker: request failed"));
    }
    this.stats.requests++;
    // slice: a fresh, unshared copy (the shared buffer is reused by the next request)
    const result = outLength > 0 ? new Float32Array(this.data, out, outLength).slice() : null;
    return { answer, result };
  }

  private ensureData(bytes: number): void {
    if (bytes <= this.data.byteLength) return;
    const size = Math.max(bytes, 2 * this.data.byteLength);
    const data = new SharedArrayBuffer(align16(size));
    this.generation++;
    // posted before the request that needs it; the worker waits for it when the generations differ
    this.worker.postMessage({ t: "data", sab: data, gen: this.generation });
    Atomics.store(this.ctrl, GEN, this.generation);
    this.data = data;
    this.stats.grown++;
  }

  /** The worker-side id of a kernel, defining it there on first use; least recently used dropped past capacity. */
  private kernelId(key: string, def: () => KernelDef): { id: number; def?: KernelDef } {
    const hit = this.kernels.get(key);
    if (hit !== undefined) {
      this.kernels.delete(key);
      this.kernels.set(key, hit);
      return { id: hit };
    }
    const id = this.nextKernel++;
    this.kernels.set(key, id);
    this.compiled++;
    while (this.kernels.size > this.capacity) {
      const [oldest, oldId] = this.kernels.entries().next().value as [string, number];
      this.kernels.delete(oldest);
      this.drops.push(oldId);
      this.evicted++;
    }
    return { id, def: def() };
  }

  /**
   * Runs a kernel on the worker. Arguments are host data (copied through shared memory) or
   * BridgeArrays (already there). Returns the result read back, or with `keep` a BridgeArray
   * left in the worker.
   */
  run(key: string, def: () => KernelDef, args: BridgeArg[], outLength: number, keep: true): BridgeArray;
  run(key: string, def: () => KernelDef, args: BridgeArg[], outLength: number, keep?: false): Float32Array;
  run(key: string, def: () => KernelDef, args: BridgeArg[], outLength: number, keep: boolean): Float32Array | BridgeArray;
  run(key: string, def: () => KernelDef, args: BridgeArg[], outLength: number, keep = false): Float32Array | BridgeArray {
    for (const a of args) {
      if (a.value instanceof BridgeArray) {
        if (a.value.isReleased) throw new Error("webgpu bridge: a released BridgeArray was passed to a kernel");
        if (!a.value.of(this)) throw new Error("webgpu bridge: a BridgeArray of another worker was passed to a kernel");
      }
    }
    const { id, def: d } = this.kernelId(key, def);
    const host: Float32Array[] = [];
    for (const a of args) if (a.value instanceof Float32Array) host.push(a.value);
    let called: { answer: Answer; result: Float32Array | null };
    try {
      called = this.call(
      (offsets, out) => {
        let i = 0;
        return {
          t: "run",
          k: id,
          ...(d ? { def: d } : {}),
          args: args.map((a) =>
            typeof a.value === "number"
              ? scalarSpec(a.value)
              : a.value instanceof BridgeArray
                ? { h: a.value.id, d: a.dims }
                : { o: offsets[i], n: host[i++]!.length, d: a.dims },
          ),
          out: keep ? { keep: true } : { o: out, n: outLength },
        };
      },
        host,
        keep ? 0 : outLength,
        { keep },
      );
    } catch (e) {
      if (d) {
        // the definition may never have reached the worker: define it again next time (and
        // drop whatever the worker did get)
        this.kernels.delete(key);
        this.drops.push(id);
      }
      throw e;
    }
    const { answer, result } = called;
    return keep ? new BridgeArray(this, answer.h!, outLength) : result!;
  }

  /** Puts host data into a worker-side buffer (through an identity kernel: gpu.js owns the buffer). */
  upload(x: Float32Array): BridgeArray {
    const n = x.length;
    return this.run(`copy:${n}`, () => ({ source: "function (a) {\n  return a[this.thread.x];\n}", settings: kernelSettings([n], {}) }), [{ value: x, dims: [n] }], n, true);
  }

  download(a: BridgeArray): Float32Array {
    return this.call((_, out) => ({ t: "download", h: a.id, o: out, n: a.length }), [], a.length, { waitStale: true }).result ?? new Float32Array(0);
  }

  release(id: number): void {
    this.releases.push(id);
  }

  /** Sends queued releases and kernel drops now. */
  flush(): void {
    if (this.alive && !this.stale && (this.releases.length || this.drops.length)) this.call(() => ({ t: "stats" }), [], 0);
  }

  /** Worker-side counts: kernel definitions and kept buffers (after sending queued releases). */
  workerStats(): { kernels: number; buffers: number; adapter: string | null } {
    return this.call(() => ({ t: "stats" }), [], 0).answer as unknown as { kernels: number; buffers: number; adapter: string | null };
  }

  /**
   * Test hooks: a stalled request (`sleep`), a request that throws, a worker that exits, a
   * stand-in for Dawn's self-rescheduling event pump (`pump`) and its tick count (`ticks`).
   */
  debug(action: "sleep" | "throw" | "exit" | "pump" | "ticks", ms = 0): number {
    return Number(this.call(() => ({ t: "debug", action, ms }), [], 0).answer.ticks ?? 0);
  }

  /** One housekeeping request (park, close) with its own timeout; false when it could not be done. */
  private housekeeping(t: "park" | "close"): boolean {
    if (this.failed || Atomics.load(this.ctrl, STATE) === DEAD) return false;
    // a request that timed out is still running there: give it a moment to finish first
    if (this.stale && !waitFor(this.ctrl, this.stale, CLOSE_TIMEOUT_MS)) return false;
    this.stale = 0;
    const timeout = this.timeoutMs;
    this.timeoutMs = CLOSE_TIMEOUT_MS;
    try {
      this.call(() => ({ t }), [], 0);
      return true;
    } catch {
      return false;
    } finally {
      this.timeoutMs = timeout;
    }
  }

  /**
   * Frees every kernel and buffer in the worker and starts a new session (disableGpu() with the
   * Dawn worker, which is kept: see startBridge). BridgeArrays of the old session are released.
   */
  park(): void {
    this.housekeeping("park");
    this.kernels.clear();
    this.drops = [];
    this.releases = [];
    this.epoch++;
    this.compiled = 0;
    this.evicted = 0;
    this.stats = { requests: 0, timeouts: 0, grown: 0 };
  }

  /**
   * Asks the worker to free everything, destroy its device, stop Dawn's event pump and end its
   * thread, and waits (blocking, a few seconds at most) for the answer. Stopping a thread while
   * Dawn's pump is scheduled aborts the process, so this runs before any Dawn worker's thread is
   * stopped — at process exit too. Idempotent; the bridge is unusable after it.
   */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    live.delete(this);
    this.housekeeping("close");
    this.fail("the webgpu worker was closed");
  }

  /** Closes the worker (closeSync) and stops its thread. The promise resolves when the thread is gone. */
  terminate(): Promise<void> {
    if (!this.closing) {
      this.closeSync();
      this.closing = this.worker.terminate().then(
        () => undefined,
        () => undefined,
      );
    }
    return this.closing;
  }
}

/** Bridges not yet closed: closed synchronously when the process exits. */
const live = new Set<WorkerBridge>();
let exitHookInstalled = false;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_CACHE_SIZE = 64;
/** Longest wait for the worker to free its device when closing (ms). */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The process's Node options for the worker, less those about the main script's source: a
 * worker inheriting `--input-type` (set by `node --input-type=module -e ...`) fails to start
 * ("--input-type can only be used with string input"), and a blocked main thread never sees
 * that 'error' event — it would only time out. undefined when there is nothing to drop.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let dropped = false;
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === "-e" || a === "--eval" || a === "-p" || a === "--print" || a === "--input-type") {
      i++; // and its value
      dropped = true;
      continue;
    }
    if (a.startsWith("--input-type=") || a.startsWith("--eval=") || a.startsWith("--print=")) {
      dropped = true;
      continue;
    }
    out.push(a);
  }
  return dropped ? out : undefined; // undefined: inherit them all (Node's default)
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

/** Blocks until the worker has answered request `seq` or died; false on timeout. */
function waitFor(ctrl: Int32Array, seq: number, timeoutMs: number): boolean {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const done = Atomics.load(ctrl, DONE);
    if (done >= seq || Atomics.load(ctrl, STATE) === DEAD) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(ctrl, DONE, done, left);
  }
}

function readJson(ctrl: Int32Array, data: SharedArrayBuffer): unknown {
  const len = Atomics.load(ctrl, LEN);
  // TextDecoder does not take views of shared memory: copy first (the JSON is small)
  const text = new TextDecoder().decode(new Uint8Array(data, 0, len).slice());
  try {
    return JSON.parse(text);
  } catch {
    return { error: `webgpu bridge: unreadable answer from the worker: ${text.slice(0, 200)}` };
  }
}

/**
 * A number argument as JSON: -0 survives (JSON writes it as 0); non-finite values never get
 * here (the provider declines them in webgpu mode, as WGSL leaves their arithmetic undefined).
 */
function scalarSpec(v: number): { v: number; z?: 1 } {
  if (!Number.isFinite(v)) throw new Error(`webgpu bridge: a scalar argument must be finite, got ${v}`);
  return Object.is(v, -0) ? { v: 0, z: 1 } : { v };
}

/**
 * The provider's kernels through a WorkerBridge: the same kernel sources, settings and cache
 * keys (less the operand kinds: the worker compiles a variant per kind) as KernelCache, so the
 * WebGPU results are the kernels every other mode runs. With `keep` (residency) results stay in
 * the worker as BridgeArrays; without it they are read back at once (one round trip per op).
 */
export class BridgeKernels {
  constructor(
    readonly bridge: WorkerBridge,
    readonly keep = false,
  ) {}

  get size(): number {
    return this.bridge.cachedKernels;
  }
  get compiled(): number {
    return this.bridge.compiled;
  }
  get evicted(): number {
    return this.bridge.evicted;
  }
  keys(): string[] {
    return this.bridge.kernelKeys();
  }

  private run(key: string, source: () => string, output: number[], constants: Record<string, number>, args: BridgeArg[], length: number, keep = this.keep): Float32Array | BridgeArray {
    return this.bridge.run(key, () => ({ source: source(), settings: kernelSettings(output, constants) }), args, length, keep);
  }

  /** Kernels read every array by flat (row-major) index: each is passed as one dimension. */
  private static flat(x: BridgeInput): BridgeArg {
    return { value: x, dims: [x.length] };
  }

  matmul(a: BridgeInput, b: BridgeInput, m: number, k: number, n: number, transA = false, transB = false): Float32Array | BridgeArray {
    const key = `matmul:${m}x${k}x${n}:${transA ? "T" : "N"}${transB ? "T" : "N"}`;
    return this.run(key, () => matmulSource(transA, transB), [n, m], { m, k, n }, [BridgeKernels.flat(a), BridgeKernels.flat(b)], m * n);
  }

  binary(op: BinaryOp, a: BridgeInput, b: BridgeInput, n: number): Float32Array | BridgeArray {
    return this.run(`${op}:${n}`, () => binarySource(op), [n], {}, [BridgeKernels.flat(a), BridgeKernels.flat(b)], n);
  }

  scalar(op: BinaryOp, x: BridgeInput, s: number, scalarFirst: boolean, n: number): Float32Array | BridgeArray {
    const key = `${op}${scalarFirst ? "<-s" : "->s"}:${n}`;
    return this.run(key, () => scalarSource(op, scalarFirst), [n], {}, [BridgeKernels.flat(x), { value: s, dims: [] }], n);
  }

  unary(op: UnaryOp, x: BridgeInput, n: number): Float32Array | BridgeArray {
    return this.run(`${op}:${n}`, () => unarySource(op), [n], {}, [BridgeKernels.flat(x)], n);
  }

  /**
   * Sum of all `n` elements in the worker, as KernelCache does it: passes of partial sums over
   * chunks of SUM_CHUNK until one value is left. Intermediate passes stay in the worker (freed
   * here); the last one is kept or read back as the other results are.
   */
  sum(x: BridgeInput, n: number): Float32Array | BridgeArray {
    let cur: BridgeInput = x;
    let len = n;
    try {
      for (;;) {
        const parts = Math.ceil(len / SUM_CHUNK);
        const next = this.run(`sum:${len}`, sumSource, [parts], { chunk: SUM_CHUNK, n: len }, [BridgeKernels.flat(cur)], parts, parts > 1 || this.keep);
        if (cur !== x && cur instanceof BridgeArray) cur.release();
        cur = next;
        len = parts;
        if (len === 1) return cur;
      }
    } catch (e) {
      if (cur !== x && cur instanceof BridgeArray) cur.release();
      throw e;
    }
  }

  conv2d(kind: Conv2dKind, a: BridgeInput, b: BridgeInput, g: Conv2dGeometry): Float32Array | BridgeArray {
    const c = conv2dConstants(g);
    const output = conv2dOutput(kind, g);
    const key = `conv2d-${kind}:${Object.values(c).join(",")}`;
    return this.run(key, () => conv2dSource(kind), output, c, [BridgeKernels.flat(a), BridgeKernels.flat(b)], output[0] * output[1] * output[2]);
  }

  private released: Promise<void> | null = null;

  /** Gives the worker back (releaseBridge: parked if it is the Dawn worker, else terminated); `closed` resolves after. */
  destroy(): void {
    this.released ??= releaseBridge(this.bridge);
  }

  get closed(): Promise<void> {
    return this.released ?? Promise.resolve();
  }
}

// ---------------------------------------------------------------- support probe
let support: WebGpuSupport | null = null;
/**
 * The process's one Dawn worker. Dawn's Node binding cannot be started a second time in one
 * process: on the H100 machine a fresh worker loading it after the first one had been terminated
 * aborted the process (napi_throw in AsyncRunner::ScheduleProcessEvents). So the probe's worker
 * is the one enableGpu({ mode: 'webgpu' }) uses, disableGpu() parks it (kernels and buffers
 * freed, device kept) instead of terminating it, and it is closed when the process exits.
 */
let dawn: WorkerBridge | null = null;
let dawnInUse = false;

/** Default wait for the probe (Dawn's start and adapter). */
export const PROBE_TIMEOUT_MS = 30_000;

/**
 * Whether webgpu works here: Dawn loads in a worker and finds an adapter (gpu.js creates the
 * device at the first kernel). Probed once per process (blocking, up to PROBE_TIMEOUT_MS) and
 * cached; never in a browser. The probe's worker stays for the process's lifetime (idle: Dawn's
 * event pump slowed to a 10 ms timer) and is the one enableGpu({ mode: 'webgpu' }) uses.
 */
export function webGpuSupport(): WebGpuSupport {
  if (support?.available && dawn && !dawn.alive) {
    support = {
      available: false,
      adapter: null,
      reason: `this process's Dawn worker has ended (${dawn.failed ?? "it died"}); Dawn is started once per process`,
    };
  }
  if (support) return support;
  if (!nodeProcess()) return (support = { available: false, adapter: null, reason: BROWSER_REASON });
  try {
    dawn = WorkerBridge.start({ backend: "webgpu", startTimeoutMs: PROBE_TIMEOUT_MS });
    support = { available: true, adapter: dawn.adapter, reason: null };
  } catch (e) {
    support = { available: false, adapter: null, reason: e instanceof Error ? e.message : String(e) };
  }
  return support;
}

/**
 * A bridge for enableGpu({ mode: 'webgpu' }): the Dawn worker (backend 'webgpu'), or a new worker
 * for the CPU stand-in. Throws with the reason webgpu is unavailable.
 */
export function startBridge(options: BridgeOptions = {}): WorkerBridge {
  if ((options.backend ?? "webgpu") !== "webgpu") return WorkerBridge.start(options);
  const s = webGpuSupport();
  if (!s.available || !dawn) throw new Error(`gpu.js mode 'webgpu' is not available here: ${s.reason}`);
  if (dawnInUse) throw new Error("gpu.js mode 'webgpu' is already enabled (its worker is in use)");
  dawnInUse = true;
  dawn.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  dawn.capacity = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  return dawn;
}

/** Gives a bridge back: the Dawn worker is parked for the next enableGpu, any other terminated. */
export function releaseBridge(bridge: WorkerBridge): Promise<void> {
  if (bridge === dawn) {
    bridge.park();
    dawnInUse = false;
    return Promise.resolve();
  }
  return bridge.terminate();
}
