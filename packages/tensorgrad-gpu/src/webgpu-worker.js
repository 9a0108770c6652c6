// The worker side of the WebGPU bridge (src/webgpu-bridge.ts): owns a gpu.js GPU and runs the
// kernels the main thread sends, so that gpu.js's Promise-returning webgpu kernels can be used
// behind tensorgrad's synchronous kernel seam. The main thread blocks in Atomics.wait; this
// thread's own event loop resolves the Promises (mapAsync read-back).
//
// Plain JavaScript on purpose: it is loaded as is from src/ (tests) and from dist/ (the build
// copies it), imports nothing but Node built-ins and ./dawn-navigator.js statically, and receives every kernel's source
// text from the main thread (the same text tensorgrad-gpu compiles in every other mode).
//
// Protocol (the constants are mirrored in webgpu-bridge.ts):
//   ctrl  Int32Array over a small SharedArrayBuffer: SEQ (the main thread's last request),
//         DONE (the last request answered), STATUS (0 ok, 1 error), LEN (bytes of JSON in the
//         data buffer), GEN (generation of the data buffer), STATE (1 alive, 2 dead).
//   data  SharedArrayBuffer: a JSON area (the request, then the answer) followed by float32
//         operands and results at offsets the request names. The main thread replaces it with
//         a larger one when needed (posted with its generation before the request that needs it).
// Request 1 is the hello: this thread answers it once the backend is up (or failed to come up).
// Then: {t: "run", k, def?, args, out} runs kernel k (defined by `def` on first use) on shared
// data ({o, n, d}), kept buffers ({h, d}) or numbers ({v, z?}: z marks -0, which JSON loses),
// writing the result at out.o or keeping it
// (out.keep: answers {h}); "download" copies a kept buffer out; "park" frees all kernels and
// buffers (disableGpu); "close" also destroys the device and ends the thread (process exit);
// "stats"; "debug" (test hooks).
// Any request may carry `drop` (kernel ids to destroy) and `rel` (kept buffers to free).
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import { installNavigatorGpu } from "./dawn-navigator.js";

const SEQ = 0;
const DONE = 1;
const STATUS = 2;
const LEN = 3;
const GEN = 4;
const STATE = 5;
const JSON_AREA = 65536;

const ctrl = new Int32Array(workerData.ctrl);
let data = workerData.data;
let generation = 0;
const dataWaiters = new Map();
const backendName = workerData.backend;
const require = createRequire(import.meta.url);

// A fatal error or an exit must wake a main thread that is blocked waiting for an answer.
let current = 1;
/** Set by "close": the thread ends right after answering it. */
let closing = false;
function die(message) {
  try {
    writeJson({ error: message, fatal: true });
    Atomics.store(ctrl, STATUS, 1);
    Atomics.store(ctrl, STATE, 2);
    Atomics.store(ctrl, DONE, current);
    Atomics.notify(ctrl, DONE);
  } catch {
    // nothing left to report through
  }
}
process.on("uncaughtException", (e) => {
  die(`webgpu worker: uncaught ${e?.stack ?? e}`);
  process.exit(1);
});
process.on("unhandledRejection", (e) => {
  die(`webgpu worker: unhandled rejection ${e?.stack ?? e}`);
  process.exit(1);
});
process.on("exit", (code) => {
  if (closing) Atomics.store(ctrl, STATE, 2); // the close was answered: nothing to report
  else if (Atomics.load(ctrl, STATE) !== 2) die(`webgpu worker exited (code ${code})`);
});

// Dawn's Node binding pumps its event queue (ProcessEvents) through the global setImmediate, for
// as long as anything is pending — on the H100 machine that kept a core busy (1.2 s of CPU per
// second) while the worker sat idle. Between requests the pump is slowed to a timer; a request
// runs it at full speed (mapAsync resolves through it). On close it is stopped for good: a
// thread stopped while the pump is scheduled aborts the whole process (napi_throw in
// AsyncRunner::ScheduleProcessEvents, seen there). Installed before Dawn is loaded.
const IDLE_PUMP_MS = 10;
const realSetImmediate = globalThis.setImmediate;
let busy = false;
let pumpStopped = false;
const deferred = new Set();
globalThis.setImmediate = function (fn, ...args) {
  if (pumpStopped) return undefined;
  if (busy) return realSetImmediate(fn, ...args);
  const entry = { fn, args, timer: null };
  entry.timer = setTimeout(() => {
    deferred.delete(entry);
    fn(...args);
  }, IDLE_PUMP_MS);
  deferred.add(entry);
  return entry.timer;
};
function setBusy(b) {
  busy = b;
  if (!b) return;
  for (const e of deferred) {
    clearTimeout(e.timer);
    realSetImmediate(e.fn, ...e.args);
  }
  deferred.clear();
}
function stopPump() {
  pumpStopped = true;
  for (const e of deferred) clearTimeout(e.timer);
  deferred.clear();
}

parentPort.on("message", (msg) => {
  if (msg && msg.t === "data") {
    data = msg.sab;
    generation = msg.gen;
    dataWaiters.get(msg.gen)?.();
    dataWaiters.delete(msg.gen);
  }
});

function writeJson(obj) {
  let bytes = new TextEncoder().encode(JSON.stringify(obj));
  if (bytes.length > JSON_AREA) {
    bytes = new TextEncoder().encode(JSON.stringify({ error: String(obj.error ?? "answer too long").slice(0, 8000) }));
  }
  new Uint8Array(data, 0, bytes.length).set(bytes);
  Atomics.store(ctrl, LEN, bytes.length);
}

function readJson() {
  const len = Atomics.load(ctrl, LEN);
  // TextDecoder does not take views of shared memory: copy first (the JSON is small)
  return JSON.parse(new TextDecoder().decode(new Uint8Array(data, 0, len).slice()));
}

// ---------------------------------------------------------------- the backend
let GPU;
let input;
let gpu = null;
let adapterName = null;
let dawn = null; // keeps Dawn's instance referenced for the worker's lifetime
/** Devices Dawn handed gpu.js: destroyed on "close" so that Dawn has nothing pending at teardown. */
const devices = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Where `webgpu` (Dawn for Node) is: gpu.js's own dependency, else wherever Node finds it. */
function resolveWebgpu() {
  const gpujsDir = require.resolve("gpu.js").replace(/src[\\/]index\.js$/, "");
  try {
    return createRequire(gpujsDir + "package.json").resolve("webgpu");
  } catch {
    return require.resolve("webgpu");
  }
}

function glibcNote() {
  try {
    const v = process.report?.getReport?.()?.header?.glibcVersionRuntime;
    return v ? `; this system has glibc ${v}` : "";
  } catch {
    return "";
  }
}

const describeAdapter = (ai) =>
  [ai?.vendor, ai?.architecture, ai?.device, ai?.description].filter(Boolean).join(" / ") || "(no adapter info)";

/**
 * Installs Dawn's WebGPU into this thread the way bench/gpu/webgpu.mjs does on the GPU machine:
 * Dawn's globals on globalThis, a `navigator.gpu`, and a device whose `onuncapturederror` gpu.js
 * may assign (Dawn's binding rejects that assignment).
 */
async function installDawn() {
  let path;
  try {
    path = resolveWebgpu();
  } catch (e) {
    throw new Error(`the 'webgpu' package (Dawn for Node, a dependency of gpu.js) is not installed: ${e.message}`);
  }
  let mod;
  try {
    mod = await import(path);
  } catch (e) {
    const msg = String(e?.message ?? e);
    const hint = /GLIBC|GLIBCXX/.test(msg)
      ? ` (the prebuilt dawn.node needs glibc >= 2.38 and libstdc++ from GCC >= 13${glibcNote()})`
      : "";
    throw new Error(`Dawn (dawn.node) could not be loaded${hint}: ${msg}`);
  }
  const { create, globals } = mod;
  Object.assign(globalThis, globals);
  const flags = (process.env.TENSORGRAD_DAWN_FLAGS ?? "").split(/\s+/).filter(Boolean);
  const gpuApi = create(flags);
  dawn = gpuApi;
  installNavigatorGpu(gpuApi, (device) => devices.push(device));
  const adapter = await gpuApi.requestAdapter();
  if (!adapter) throw new Error("Dawn loaded but found no WebGPU adapter (no Vulkan driver for a GPU? set VK_DRIVER_FILES to the driver's ICD json)");
  const ai = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  adapterName = describeAdapter(ai);
}

async function start() {
  const gpujs = require("gpu.js");
  GPU = gpujs.GPU;
  input = gpujs.input;
  if (backendName === "webgpu") await installDawn();
  gpu = new GPU({ mode: backendName });
  // webgpu: up once Dawn has an adapter; gpu.js creates the device at the first kernel, so that
  // probing (supportedModes) holds no device
  if (backendName === "webgpu") return;
  // prove the backend end to end (build, upload, run, read back) before saying it is up
  const k = gpu.createKernel("function (a, b) { return a[this.thread.x] + b[this.thread.x]; }", { output: [4], precision: "single" });
  const got = flat(await k(Float32Array.of(1, 2, 3, 4), Float32Array.of(10, 20, 30, 40)), 4);
  k.destroy?.();
  if (got.join() !== "11,22,33,44") throw new Error(`the ${backendName} backend computed ${got.join()} for 1..4 + 10..40`);
}

// ---------------------------------------------------------------- kernels and buffers
/** Kernel definitions by the main thread's id; compiled lazily per argument kinds and result kind. */
const defs = new Map();
/** Buffers kept on this side (a gpu.js pipeline result, or a Float32Array for CPU backends). */
const handles = new Map();
let nextHandle = 1;

function kernelFor(id, argKinds, keep) {
  const def = defs.get(id);
  if (!def) throw new Error(`webgpu worker: unknown kernel ${id}`);
  // a gpu.js webgpu kernel fixes each argument's kind (array or buffer) at its first build
  const key = `${argKinds}:${keep ? "P" : "H"}`;
  let k = def.variants.get(key);
  if (!k) {
    const settings = keep ? { ...def.settings, pipeline: true, immutable: true } : def.settings;
    k = gpu.createKernel(def.source, settings);
    def.variants.set(key, k);
  }
  return k;
}

function dropKernel(id) {
  const def = defs.get(id);
  if (!def) return;
  defs.delete(id);
  for (const k of def.variants.values()) {
    try {
      k.destroy?.(true);
    } catch {
      // a lost device has nothing left to free
    }
  }
}

/** A kernel argument from its spec: shared-memory data ({o, n, d}), a kept buffer ({h, d}) or a number ({v}). */
function argument(spec, temps) {
  if (spec.v !== undefined) return spec.z ? -0 : spec.v;
  const dims = spec.d;
  if (spec.h === undefined) {
    const view = new Float32Array(data, spec.o, spec.n);
    return dims.length === 1 ? view : input(view, dims);
  }
  const h = handles.get(spec.h);
  if (!h) throw new Error(`webgpu worker: unknown buffer ${spec.h}`);
  if (h instanceof Float32Array) return dims.length === 1 ? h : input(h, dims);
  // a gpu.js buffer result: the same buffer seen with the dimensions this kernel reads it with
  if (h.output.length === dims.length && h.output.every((v, i) => v === dims[i])) return h;
  const view = new h.constructor({ buffer: h.buffer, output: dims, componentCount: 1, context: h.context, kernel: h.kernel });
  temps.push(view);
  return view;
}

/** Copies a kernel result (a Float32Array, or rows of them: 2-D, or planes of rows: 3-D) into `dst`. */
function flatInto(result, dst) {
  if (result instanceof Float32Array) {
    if (result.length < dst.length) throw new Error(`kernel returned ${result.length} values, expected ${dst.length}`);
    dst.set(result.length === dst.length ? result : result.subarray(0, dst.length));
    return;
  }
  if (Array.isArray(result)) {
    const first = result[0];
    const last = result[result.length - 1];
    // gpu.js's memory-optimized 2-D results are row views of one contiguous array
    if (first instanceof Float32Array && last instanceof Float32Array && first.buffer === last.buffer &&
        last.byteOffset + last.byteLength - first.byteOffset === dst.length * 4) {
      dst.set(new Float32Array(first.buffer, first.byteOffset, dst.length));
      return;
    }
    let offset = 0;
    const walk = (rows) => {
      for (const row of rows) {
        if (Array.isArray(row)) {
          walk(row);
          continue;
        }
        if (typeof row === "number") {
          if (offset >= dst.length) throw new Error(`kernel returned more than ${dst.length} values`);
          dst[offset++] = row;
          continue;
        }
        if (offset + row.length > dst.length) throw new Error(`kernel returned more than ${dst.length} values`);
        if (row instanceof Float32Array) dst.set(row, offset);
        else for (let i = 0; i < row.length; i++) dst[offset + i] = row[i];
        offset += row.length;
      }
    };
    walk(result);
    if (offset !== dst.length) throw new Error(`kernel returned ${offset} values, expected ${dst.length}`);
    return;
  }
  throw new Error(`kernel returned ${Object.prototype.toString.call(result)}, expected a Float32Array`);
}

function flat(result, length) {
  const out = new Float32Array(length);
  flatInto(result, out);
  return out;
}

const lengthOf = (dims) => dims.reduce((a, b) => a * b, 1);

async function run(req) {
  if (req.def) defs.set(req.k, { source: req.def.source, settings: req.def.settings, variants: new Map() });
  const argKinds = req.args.map((a) => (a.v !== undefined ? "n" : a.h === undefined ? "a" : "b")).join("");
  const keep = req.out.keep === true;
  const kernel = kernelFor(req.k, argKinds, keep);
  const temps = [];
  try {
    const args = req.args.map((spec) => argument(spec, temps));
    const result = await kernel(...args);
    if (keep) {
      const id = nextHandle++;
      // CPU backends have no device buffers: keep a copy of the values instead
      handles.set(id, typeof result?.toArray === "function" ? result : flat(result, lengthOf(defs.get(req.k).settings.output)));
      return { h: id };
    }
    flatInto(result, new Float32Array(data, req.out.o, req.out.n));
    return {};
  } finally {
    for (const t of temps) t.delete();
  }
}

function release(ids) {
  for (const id of ids) {
    const h = handles.get(id);
    handles.delete(id);
    if (h && !(h instanceof Float32Array)) h.delete();
  }
}

async function handle(req) {
  if (req.drop) for (const id of req.drop) dropKernel(id);
  if (req.rel) release(req.rel);
  switch (req.t) {
    case "run":
      return run(req);
    case "download": {
      const h = handles.get(req.h);
      if (!h) throw new Error(`webgpu worker: unknown buffer ${req.h}`);
      const dst = new Float32Array(data, req.o, req.n);
      flatInto(h instanceof Float32Array ? h : await h.toArray(), dst);
      return {};
    }
    case "park":
      // disableGpu(): free the kernels and buffers, keep Dawn and the device for the next enableGpu
      for (const id of [...defs.keys()]) dropKernel(id);
      release([...handles.keys()]);
      return {};
    case "close":
      await close();
      closing = true; // exits right after answering
      return {};
    case "stats":
      return { kernels: defs.size, buffers: handles.size, adapter: adapterName };
    case "debug":
      // test hooks: a stalled device, a kernel that throws, a worker that dies, and a stand-in
      // for Dawn's event pump (a callback that reschedules itself through setImmediate)
      if (req.action === "sleep") await new Promise((r) => setTimeout(r, req.ms));
      else if (req.action === "pump") {
        const tick = () => {
          pumpTicks++;
          setImmediate(tick);
        };
        setImmediate(tick);
      } else if (req.action === "ticks") return { ticks: pumpTicks };
      else if (req.action === "throw") throw new Error("webgpu worker: debug error");
      else if (req.action === "exit") process.exit(3);
      return {};
    default:
      throw new Error(`webgpu worker: unknown request '${req.t}'`);
  }
}

/**
 * Before this thread ends (the process exits): free everything, destroy the device, stop Dawn's
 * pump and let what it had queued run out, so that nothing of Dawn's runs while the thread stops.
 */
async function close() {
  for (const id of [...defs.keys()]) dropKernel(id);
  release([...handles.keys()]);
  try {
    await gpu?.destroy?.();
  } catch {
    // already gone
  }
  for (const device of devices.splice(0)) {
    try {
      const lost = device.lost;
      device.destroy();
      await Promise.race([lost, sleep(2000)]);
    } catch {
      // a device that is already lost
    }
  }
  stopPump();
  await sleep(20); // immediates already queued run; their reschedules are dropped
}

let pumpTicks = 0;

function answer(seq, body, failed) {
  writeJson(body);
  Atomics.store(ctrl, STATUS, failed ? 1 : 0);
  Atomics.store(ctrl, DONE, seq);
  Atomics.notify(ctrl, DONE);
}

// ---------------------------------------------------------------- main loop
busy = true;
try {
  await start();
  busy = false;
  answer(1, { ok: true, backend: backendName, adapter: adapterName }, false);
} catch (e) {
  // the main thread terminates this thread next: nothing of Dawn's may be scheduled then
  stopPump();
  await sleep(20);
  answer(1, { ok: false, error: String(e?.message ?? e) }, true);
}

let last = 1;
for (;;) {
  const w = Atomics.waitAsync(ctrl, SEQ, last);
  if (w.async) await w.value;
  const seq = Atomics.load(ctrl, SEQ);
  if (seq === last) continue;
  last = seq;
  current = seq;
  const gen = Atomics.load(ctrl, GEN);
  if (gen !== generation) await new Promise((r) => dataWaiters.set(gen, r));
  setBusy(true);
  try {
    const body = await handle(readJson());
    setBusy(false);
    answer(seq, body, false);
  } catch (e) {
    setBusy(false);
    answer(seq, { error: String(e?.message ?? e) }, true);
  }
  // closed: end this thread from inside, in this same task (Dawn has nothing scheduled now)
  if (closing) process.exit(0);
}
