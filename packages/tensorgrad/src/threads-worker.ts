// A worker of the matmul thread pool (threads.ts), in Node (worker_threads) and in browsers
// (a module Web Worker). It instantiates the core's compiled module with stub imports (the raw
// GEMM export calls none of them), then blocks on the shared control array: the calling thread
// writes a job there and wakes every worker with one Atomics.notify (no message per matmul);
// each claims chunks of C until none is left, copying the operands it needs from the shared
// data buffer into its own memory and its chunks of C back. Layout: threads-layout.ts.
import {
  BOUNDS, CDONE, claim, CMD, CMD_EXIT, CMD_JOB, CMD_MESSAGE, FAULT, GEN, JOB_GEN, NCHUNK, PARAMS, READY, SEQ,
  TAG_MASK, WORKERS, WSLOT,
} from "./threads-layout.js";

interface RawGemm {
  memory: WebAssembly.Memory;
  gemmF32Raw(m: number, n: number, k: number, a: number, rsa: number, csa: number, b: number, rsb: number, csb: number, c: number, ldc: number): number;
  threadsAlloc(bytes: number): number;
  threadsFree(ptr: number, bytes: number): void;
}

/** The first message carries everything; later ones only a new data buffer. */
interface Message {
  module?: WebAssembly.Module;
  ctrl?: SharedArrayBuffer;
  index?: number;
  data: SharedArrayBuffer;
  gen: number;
}

let ctrl: Int32Array;
let slot = 0;
let data: Float32Array | null = null;
let gen = 0;
let ex: RawGemm | null = null;
let scratch = 0;
let scratchBytes = 0;
let lastSeq = 0;
let close: () => void = () => undefined;

function instantiate(module: WebAssembly.Module): RawGemm {
  const imports: Record<string, Record<string, () => never>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") throw new Error(`unexpected ${imp.kind} import ${imp.module}.${imp.name}`);
    (imports[imp.module] ??= {})[imp.name] = () => {
      throw new Error(`tensorgrad matmul worker: ${imp.module}.${imp.name} is not available here`);
    };
  }
  return new WebAssembly.Instance(module, imports).exports as unknown as RawGemm;
}

function signal(i: number, v: number): void {
  Atomics.store(ctrl, i, v);
  Atomics.notify(ctrl, i);
}

/** A scratch block of at least `floats` in this instance's memory (its address). */
function reserve(floats: number): number {
  const bytes = 4 * floats;
  if (!(bytes >= 0 && bytes < 2 ** 31)) throw new Error(`a matmul share of ${floats} floats does not fit a worker`);
  if (bytes > scratchBytes) {
    if (scratch) ex!.threadsFree(scratch, scratchBytes);
    scratchBytes = 0;
    scratch = ex!.threadsAlloc(bytes);
    if (!scratch) throw new Error(`out of memory for a matmul share of ${floats} floats`);
    scratchBytes = bytes;
  }
  return scratch;
}

/** Copy data[from, from + len) to byte address `to` of this instance (views made after any growth). */
function load(to: number, from: number, len: number): void {
  new Float32Array(ex!.memory.buffer, to, len).set(data!.subarray(from, from + len));
}

/** Claim and compute chunks of the job tagged `tag` until none is left. */
function work(tag: number): void {
  const [split, m, n, k, ta, tb, aShift, bShift, cShift] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ctrl[PARAMS + i]!) as number[];
  const fault = ctrl[FAULT];
  const rows = split === 0;
  const [rsa, csa] = ta ? [1, m] : [k, 1];
  const [rsb, csb] = tb ? [1, k] : [n, 1];
  // A row-major A (rows split) or a Bᵀ (columns split) is copied per chunk; the rest whole, once.
  const sliceA = rows && !ta;
  const sliceB = !rows && tb;
  let ready = false;
  let aWhole = 0;
  let bWhole = 0;
  let slice = 0;
  let out = 0;
  for (let idx = claim(ctrl, tag); idx >= 0; idx = claim(ctrl, tag)) {
    if (fault === 2) continue; // test hook: claimed, never finished
    try {
      if (fault === 1) throw new Error("test fault");
      if (!ready) {
        let maxLen = 0;
        for (let c = 0; c < ctrl[NCHUNK]!; c++) maxLen = Math.max(maxLen, ctrl[BOUNDS + c + 1]! - ctrl[BOUNDS + c]!);
        const wholeA = sliceA ? 0 : m * k;
        const wholeB = sliceB ? 0 : k * n;
        const sliceLen = sliceA || sliceB ? maxLen * k : 0;
        const outLen = rows ? maxLen * n : m * maxLen;
        const base = reserve(wholeA + wholeB + sliceLen + outLen);
        aWhole = base;
        bWhole = aWhole + 4 * wholeA;
        slice = bWhole + 4 * wholeB;
        out = slice + 4 * sliceLen;
        if (!sliceA) load(aWhole, aShift, wholeA);
        if (!sliceB) load(bWhole, bShift, wholeB);
        ready = true;
      }
      const lo = ctrl[BOUNDS + idx]!;
      const len = ctrl[BOUNDS + idx + 1]! - lo;
      let a: number, b: number, cLen: number, cAt: number, ok: number;
      if (rows) {
        if (sliceA) load((a = slice), aShift + lo * k, len * k);
        else a = aWhole + 4 * lo * rsa;
        b = bWhole;
        cLen = len * n;
        cAt = cShift + lo * n;
        new Float32Array(ex!.memory.buffer, out, cLen).fill(0);
        ok = ex!.gemmF32Raw(len, n, k, a, rsa, csa, b, rsb, csb, out, n);
      } else {
        if (sliceB) load((b = slice), bShift + lo * k, len * k);
        else b = bWhole + 4 * lo * csb;
        a = aWhole;
        cLen = m * len;
        cAt = cShift + m * lo;
        new Float32Array(ex!.memory.buffer, out, cLen).fill(0);
        ok = ex!.gemmF32Raw(m, len, k, a, rsa, csa, b, rsb, csb, out, len);
      }
      if (!ok) throw new Error("gemmF32Raw rejected its arguments");
      data!.set(new Float32Array(ex!.memory.buffer, out, cLen), cAt);
      signal(CDONE + idx, tag);
    } catch {
      signal(CDONE + idx, -tag);
    }
  }
}

/** Serve jobs until told to exit or to return to the event loop (to receive a message). */
function serve(): void {
  for (;;) {
    Atomics.wait(ctrl, SEQ, lastSeq);
    const seq = Atomics.load(ctrl, SEQ);
    if (seq === lastSeq) continue;
    lastSeq = seq;
    const cmd = ctrl[CMD];
    if (cmd === CMD_EXIT) return close();
    if (cmd === CMD_MESSAGE) return;
    // A job whose operands are in a data buffer this worker does not hold yet: sit it out.
    if (cmd === CMD_JOB && ctrl[JOB_GEN] === gen) work(seq & TAG_MASK);
  }
}

function onMessage(msg: Message): void {
  if (msg.module && msg.ctrl) {
    ctrl = new Int32Array(msg.ctrl);
    slot = WORKERS + WSLOT * (msg.index ?? 0);
    lastSeq = Atomics.load(ctrl, SEQ);
    try {
      ex = instantiate(msg.module);
    } catch {
      signal(slot + READY, -1);
      return close();
    }
    signal(slot + READY, 1);
  }
  data = new Float32Array(msg.data);
  gen = msg.gen;
  signal(slot + GEN, gen);
  serve();
}

type Port = { on(ev: "message", f: (m: Message) => void): void; close(): void };
const inBrowser = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";
if (inBrowser) {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent) => void) | null; close(): void };
  scope.onmessage = (e) => onMessage(e.data);
  close = () => scope.close();
} else {
  // Hidden from bundlers: this branch only runs in Node. No top-level await: bundlers emit
  // workers as classic scripts by default (Vite: worker.format "iife").
  const wtName = "node:worker_threads";
  void import(/* @vite-ignore */ wtName).then(({ parentPort }: { parentPort: Port }) => {
    parentPort.on("message", onMessage);
    close = () => parentPort.close();
  });
}
