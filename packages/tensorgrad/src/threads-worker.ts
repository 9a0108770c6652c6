// A worker of the matmul thread pool (threads.ts), in Node (worker_threads) and in browsers
// (a module Web Worker). It instantiates the core's compiled module with stub imports (the raw
// GEMM export calls none of them), then blocks on its slot of the shared control array: the
// main thread writes a job there and wakes it with Atomics.notify, so no message is posted
// per matmul. Protocol and layout: see threads.ts (the constants are repeated below).

// ---- the control slot (Int32 indices, relative to the slot's base) -------------------------
const SEQ = 0; // the job number; the main thread bumps it to wake the worker
const CMD = 1; // 1 = run the job, 2 = go back to the event loop for a message, 3 = exit
const DONE = 2; // the last job number finished
const STATUS = 3; // 0 ok, 1 the job failed
const READY = 4; // 1 instantiated, -1 failed
const GEN = 5; // the data buffer generation installed
const P = 8; // job parameters: m, n, k, aOff, aLen, rsa, csa, bOff, bLen, rsb, csb, cOff
const CMD_JOB = 1;
const CMD_MESSAGE = 2;
const CMD_EXIT = 3;

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
  base?: number;
  data: SharedArrayBuffer;
  gen: number;
}

let ctrl: Int32Array;
let base = 0;
let data: Float32Array | null = null;
let ex: RawGemm | null = null;
let scratch = 0;
let scratchBytes = 0;
let lastSeq = 0;
let close: () => void = () => undefined;

export {}; // a module (its names stay out of the global scope)

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
  Atomics.store(ctrl, base + i, v);
  Atomics.notify(ctrl, base + i);
}

function runJob(): void {
  const p = (i: number) => ctrl[base + P + i]!;
  const [m, n, k, aOff, aLen, rsa, csa, bOff, bLen, rsb, csb, cOff] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(p) as number[];
  const cLen = m * n;
  const bytes = 4 * (aLen + bLen + cLen);
  if (!(bytes > 0 && bytes < 2 ** 31)) throw new Error(`a ${m}x${k}x${n} share does not fit this worker's memory`);
  if (bytes > scratchBytes) {
    if (scratch) ex!.threadsFree(scratch, scratchBytes);
    scratchBytes = 0;
    scratch = ex!.threadsAlloc(bytes);
    if (!scratch) throw new Error(`out of memory for a ${m}x${k}x${n} matmul share`);
    scratchBytes = bytes;
  }
  // Views are made after the allocation: growing memory replaces its buffer.
  const mem = new Float32Array(ex!.memory.buffer, scratch, aLen + bLen + cLen);
  mem.set(data!.subarray(aOff, aOff + aLen), 0);
  mem.set(data!.subarray(bOff, bOff + bLen), aLen);
  mem.fill(0, aLen + bLen);
  const a = scratch;
  const b = scratch + 4 * aLen;
  const c = b + 4 * bLen;
  if (!ex!.gemmF32Raw(m, n, k, a, rsa, csa, b, rsb, csb, c, n)) throw new Error("gemmF32Raw rejected its arguments");
  data!.set(new Float32Array(ex!.memory.buffer, c, cLen), cOff);
}

/** Serve jobs until told to exit or to return to the event loop (to receive a message). */
function serve(): void {
  for (;;) {
    Atomics.wait(ctrl, base + SEQ, lastSeq);
    const seq = Atomics.load(ctrl, base + SEQ);
    if (seq === lastSeq) continue;
    lastSeq = seq;
    const cmd = ctrl[base + CMD];
    if (cmd === CMD_EXIT) return close();
    if (cmd === CMD_MESSAGE) return;
    if (cmd !== CMD_JOB) continue;
    let status = 0;
    try {
      runJob();
    } catch {
      status = 1;
    }
    ctrl[base + STATUS] = status;
    signal(DONE, seq);
  }
}

function onMessage(msg: Message): void {
  if (msg.module && msg.ctrl) {
    ctrl = new Int32Array(msg.ctrl);
    base = msg.base ?? 0;
    lastSeq = Atomics.load(ctrl, base + SEQ);
    try {
      ex = instantiate(msg.module);
    } catch {
      signal(READY, -1);
      return close();
    }
    signal(READY, 1);
  }
  data = new Float32Array(msg.data);
  signal(GEN, msg.gen);
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
