// enableGpu / disableGpu / gpuInfo: the gpu.js kernels installed into tensorgrad's kernel seam.
import {
  setKernelProvider,
  type BinaryOp,
  type Conv2dGeometry,
  type Conv2dKind,
  type DeviceArray,
  type F32Operand,
  type KernelProvider,
  type UnaryOp,
} from "tensorgrad";
import { CROSSOVER } from "./crossover.js";
import {
  decide,
  GPU_MODES,
  OPS,
  opSize,
  thresholdsFor,
  type GpuMode,
  type GpuOp,
  type GpuPolicy,
  type Path,
  type Thresholds,
} from "./dispatch.js";
import { flatten, isTexture, KernelCache, type GpuTexture, type KernelInput, type KernelOutput } from "./kernels.js";
import { backendOf, GPU, type GpuInstance } from "./gpujs.js";
import { BridgeArray, BridgeKernels, startBridge, webGpuSupport, type BridgeBackend, type WebGpuSupport, type WorkerBridge } from "./webgpu-bridge.js";

/** Global switch read at every offered op (like torch.backends flags). */
export const config: { gpu: GpuPolicy } = { gpu: "auto" };

export interface EnableGpuOptions {
  /** Sets `config.gpu`; default: leave it as it is ('auto' unless changed). */
  policy?: GpuPolicy;
  /**
   * The gpu.js backend: 'auto' (default) lets gpu.js choose (headlessgl → webgl2 → webgl →
   * webasm → cpu); a mode name insists on it and throws if it is unavailable. 'webgpu' (Node
   * only) runs gpu.js's WebGPU backend (Dawn) in a worker thread behind the synchronous seam.
   */
  mode?: GpuMode | "auto";
  /** webgpu: longest wait for one op's answer from the worker before the op runs on WASM (ms). Default 60 000. */
  timeoutMs?: number;
  /**
   * webgpu: what the worker runs the kernels on. 'webgpu' (default); 'cpu' runs the same worker
   * bridge on gpu.js's JavaScript backend — a stand-in for tests on machines without a GPU.
   */
  workerBackend?: BridgeBackend;
  /** Per-op-class thresholds on top of the measured crossover table of the active mode. */
  thresholds?: Partial<Thresholds>;
  /** Most kernels kept compiled (one per op, shape and operand kind); the least recently used are destroyed. Default 64. */
  cacheSize?: number;
  /** A canvas for gpu.js's WebGL context (browsers); default: gpu.js makes its own. */
  canvas?: object;
  /**
   * Keep results on the device (default true): an offloaded op's result stays in a GPU texture
   * (gpu.js's output array in the cpu/webasm modes; a buffer in the worker in webgpu mode) that
   * the next offloaded op reads directly; it is downloaded only when WASM code or the user reads
   * the tensor, and freed with the tensor. false: every result is read back at once (the
   * behaviour before residency).
   */
  resident?: boolean;
}

export type OpCounts = Record<GpuOp, Record<Path, number>>;

/** Device memory and what crossed the seam. */
export interface MemoryInfo {
  /** Device arrays currently held by tensors. */
  live: number;
  liveBytes: number;
  /** Of those, the ones backed by a GPU texture (the GL modes; 0 in cpu/webasm). */
  textures: number;
  /**
   * Of those, the ones kept in the webgpu worker (a WebGPU buffer; a copy in the worker with
   * the cpu stand-in). The worker frees a released one with the next request it gets.
   */
  workerBuffers: number;
  /** Device arrays made and released since the package loaded. */
  created: number;
  released: number;
  /** Host data given to kernels (in the GL modes: uploaded to textures), since enabling or resetCounts. */
  uploadedBytes: number;
  /** Results read back: results returned as host data and device arrays downloaded by the core. */
  downloadedBytes: number;
  downloads: number;
}

export interface GpuInfo {
  /** Whether the provider is installed in tensorgrad. */
  enabled: boolean;
  /** `config.gpu`. */
  policy: GpuPolicy;
  /** The active gpu.js backend, or null when not enabled. */
  mode: GpuMode | null;
  /** Whether that backend runs on a GPU (webgl2, webgl, headlessgl, webgpu) rather than the CPU (webasm, cpu). */
  onGpu: boolean;
  /** Whether results stay on the device (enableGpu's `resident`). */
  resident: boolean;
  /** webgpu: the adapter the worker's kernels run on, e.g. "nvidia / NVIDIA H100 80GB HBM3"; else null. */
  adapter: string | null;
  /** Whether webgpu works in this process (Dawn loads in a worker and finds an adapter), and why not. */
  webgpu: WebGpuSupport;
  /** webgpu: the worker bridge (its backend, the shared memory operands travel through, requests, timeouts). */
  bridge: { backend: BridgeBackend; dataBytes: number; requests: number; timeouts: number; grown: number; failed: string | null } | null;
  /** What gpu.js reports this platform supports, probed without enabling. */
  supported: Record<GpuMode, boolean>;
  /** The thresholds in force (size at which ops go to the GPU path; null: never, under 'auto'). */
  thresholds: Thresholds;
  /** Where the crossover for this mode was measured, if it was. */
  measured: string | null;
  /** Per op: how many offered calls ran on each path since enabling (or resetCounts). */
  counts: OpCounts;
  /** gpu.js calls that threw (the op then ran on WASM, counted there too). */
  errors: number;
  lastError: string | null;
  kernels: { cached: number; compiled: number; evicted: number };
  memory: MemoryInfo;
}

/** What the active mode's kernels read: host data, a texture (GL modes) or a worker buffer (webgpu). */
type Operand = KernelInput | BridgeArray;
type Output = KernelOutput | BridgeArray;

/**
 * The kernels of a mode: KernelCache (gpu.js in this thread) or BridgeKernels (the webgpu
 * worker). Each takes only its own kind of device data; run() checks that before calling.
 */
interface Kernels {
  readonly size: number;
  readonly compiled: number;
  readonly evicted: number;
  matmul(a: Operand, b: Operand, m: number, k: number, n: number, transA: boolean, transB: boolean): Output;
  binary(op: BinaryOp, a: Operand, b: Operand, n: number): Output;
  scalar(op: BinaryOp, x: Operand, s: number, scalarFirst: boolean, n: number): Output;
  unary(op: UnaryOp, x: Operand, n: number): Output;
  sum(x: Operand, n: number): Output;
  conv2d(kind: Conv2dKind, a: Operand, b: Operand, g: Conv2dGeometry): Output;
  destroy(): void;
}

interface State {
  /** null for webgpu (the GPU lives in the worker). */
  gpu: GpuInstance | null;
  mode: GpuMode;
  cache: Kernels;
  /** The worker bridge in webgpu mode. */
  bridge: WorkerBridge | null;
  onGpu: boolean;
  adapter: string | null;
  thresholds: Thresholds;
  measured: string | null;
  resident: boolean;
}

let state: State | null = null;
let counts: OpCounts = zeroCounts();
let errors = 0;
let lastError: string | null = null;
const memory = { live: 0, liveBytes: 0, textures: 0, workerBuffers: 0, created: 0, released: 0, uploadedBytes: 0, downloadedBytes: 0, downloads: 0 };
/** Arrays alive on a texture or in the webgpu worker, moved to host memory before their context or worker session ends. */
const onDevice = new Set<GpuArray>();

function zeroCounts(): OpCounts {
  return Object.fromEntries(OPS.map((op) => [op, { gpu: 0, wasm: 0 }])) as OpCounts;
}

/** Zeroes the per-op counts, errors and transfer counters (not the live device arrays). */
export function resetCounts(): void {
  counts = zeroCounts();
  errors = 0;
  lastError = null;
  memory.uploadedBytes = 0;
  memory.downloadedBytes = 0;
  memory.downloads = 0;
}

/**
 * A result kept on the device: a gpu.js texture in the GL modes, gpu.js's output array in the
 * cpu/webasm modes, a BridgeArray (a buffer kept in the worker) in webgpu mode. tensorgrad
 * holds it as a tensor's storage, passes it back as an operand, calls download() when WASM
 * code reads the tensor and release() when the last tensor sharing it is freed.
 */
export class GpuArray implements DeviceArray {
  private value: GpuTexture | Float32Array | BridgeArray | null;

  constructor(
    value: KernelOutput | BridgeArray,
    readonly length: number,
  ) {
    this.value = value;
    memory.live++;
    memory.created++;
    memory.liveBytes += length * 4;
    if (value instanceof BridgeArray) {
      memory.workerBuffers++;
      onDevice.add(this);
    } else if (isTexture(value)) {
      memory.textures++;
      onDevice.add(this);
    }
  }

  /** What a kernel reads, or null once released. */
  get input(): Operand | null {
    return this.value;
  }

  /** Whether the values are in a GPU texture (rather than host memory). */
  get onTexture(): boolean {
    return isTexture(this.value);
  }

  /** Whether the values are in the webgpu worker. */
  get inWorker(): boolean {
    return this.value instanceof BridgeArray;
  }

  get released(): boolean {
    return this.value === null;
  }

  download(): Float32Array {
    const v = this.value;
    if (v === null) throw new Error("tensorgrad-gpu: download() of a released device array");
    memory.downloads++;
    memory.downloadedBytes += this.length * 4;
    // a copy either way: the array in cpu/webasm modes is still what later kernels read
    if (v instanceof Float32Array) return v.slice();
    if (v instanceof BridgeArray) return v.download();
    return flatten(v.toArray(), this.length);
  }

  release(): void {
    const v = this.value;
    if (v === null) return;
    this.value = null;
    memory.live--;
    memory.released++;
    memory.liveBytes -= this.length * 4;
    this.drop(v);
  }

  /** Moves the values into host memory (its GL context or worker session is about to end). */
  evacuate(): void {
    const v = this.value;
    if (v === null || v instanceof Float32Array) return;
    let data: Float32Array;
    try {
      data = v instanceof BridgeArray ? v.download() : flatten(v.toArray(), this.length);
    } catch {
      // a lost context or a dead worker: the values are gone
      data = new Float32Array(this.length).fill(Number.NaN);
    }
    memory.downloads++;
    memory.downloadedBytes += this.length * 4;
    this.value = data;
    this.drop(v);
  }

  /** Frees the device side of a value this array no longer holds. */
  private drop(v: GpuTexture | Float32Array | BridgeArray): void {
    if (v instanceof BridgeArray) {
      memory.workerBuffers--;
      onDevice.delete(this);
      v.release(); // queued: sent with the bridge's next request (no blocking in a finalizer)
    } else if (isTexture(v)) {
      memory.textures--;
      onDevice.delete(this);
      deleteTexture(v);
    }
  }
}

function deleteTexture(t: GpuTexture): void {
  try {
    t.delete();
  } catch {
    // a lost context has nothing left to free
  }
}

/**
 * What gpu.js says this platform supports (cheap feature probes), except webgpu: true only where
 * it works behind the synchronous seam — Node, with Dawn loading in a worker and finding an
 * adapter (probed once per process, see webGpuSupport()); never in browsers.
 */
export function supportedModes(): Record<GpuMode, boolean> {
  const probe = (f: () => boolean) => {
    try {
      return Boolean(f());
    } catch {
      return false;
    }
  };
  return {
    webgl2: probe(() => GPU.isWebGL2Supported),
    webgl: probe(() => GPU.isWebGLSupported),
    headlessgl: probe(() => GPU.isHeadlessGLSupported),
    webgpu: webGpuSupport().available,
    webasm: probe(() => GPU.isWebAssemblySupported),
    cpu: true,
  };
}

/** True when the host inputs hold only finite values (and, for div/log, a valid domain). */
function finiteInputs(op: GpuOp, a: Operand | undefined, b?: Operand, divisor: "a" | "b" = "b"): boolean {
  // GLSL (and WGSL) leave inf/NaN arithmetic, x/0 and log(x ≤ 0) undefined; WASM is IEEE. The
  // GL and webgpu backends decline such host inputs so that results match the reference exactly
  // in those cases. Data already on the device cannot be scanned without reading it back: it is
  // not guarded.
  const scan = (x: Operand | undefined, isDivisor: boolean) => {
    if (!(x instanceof Float32Array)) return true;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (!Number.isFinite(v) || (op === "log" && v <= 0) || (isDivisor && v === 0)) return false;
    }
    return true;
  };
  return scan(a, op === "div" && divisor === "a") && scan(b, op === "div" && divisor === "b");
}

/** The GL modes: kernels run in pipeline mode, results are textures. */
function isGl(mode: GpuMode): boolean {
  return mode === "webgl2" || mode === "webgl" || mode === "headlessgl";
}

/**
 * Modes whose kernels read device memory (host operands are copied there) and whose shading
 * language leaves IEEE special values undefined: GLSL, and WGSL in webgpu mode (also with the
 * worker's cpu stand-in, so that it declines what Dawn would).
 */
function onDeviceMemory(mode: GpuMode): boolean {
  return isGl(mode) || mode === "webgpu";
}

/** An operand as a kernel input: host data, or a device array of this package (null: decline). */
function resolve(x: F32Operand): Operand | null {
  if (x instanceof Float32Array) return x;
  if (x instanceof GpuArray) return x.input;
  return null; // another provider's device array: let the core download it
}

/** Whether the active kernels can read this input: a worker buffer only in its own worker's mode, a texture never there. */
function fits(s: State, x: Operand): boolean {
  if (x instanceof Float32Array) return true;
  if (x instanceof BridgeArray) return s.bridge !== null && x.of(s.bridge) && !x.isReleased;
  return s.bridge === null;
}

/**
 * Runs one offered op: decides the path, resolves operands, runs `f` and wraps its result as a
 * device array (resident) or host data. Declining (undefined) lets the WASM kernel run.
 */
function run(
  op: GpuOp,
  size: number,
  operands: F32Operand[],
  length: number,
  f: (s: State, inputs: Operand[]) => Output,
  guard?: (inputs: Operand[]) => boolean,
): Float32Array | GpuArray | undefined {
  const s = state;
  const inputs = operands.map(resolve);
  // an operand that lives with gpu.js pulls the op there under 'auto' (WASM would download it)
  const resident = operands.some((x) => x instanceof GpuArray && !x.released);
  const path = s ? decide(op, size, s.mode, config.gpu, s.thresholds, resident) : "wasm";
  const ok = s !== null && inputs.every((x): x is Operand => x !== null && fits(s, x));
  if (!s || !ok || path === "wasm" || size === 0 || (guard && onDeviceMemory(s.mode) && !guard(inputs as Operand[]))) {
    counts[op].wasm++;
    return undefined;
  }
  try {
    const out = f(s, inputs as Operand[]);
    // host data given to a kernel (in the GL and webgpu modes also a device array moved to host
    // memory by disableGpu and offered again: it is copied to the device again)
    operands.forEach((x, i) => {
      if (x instanceof Float32Array || (onDeviceMemory(s.mode) && inputs[i] instanceof Float32Array)) memory.uploadedBytes += x.length * 4;
    });
    counts[op].gpu++;
    if (s.resident) return new GpuArray(out, length);
    memory.downloads++;
    memory.downloadedBytes += length * 4;
    // not resident: BridgeKernels read results back already (no BridgeArray here)
    if (out instanceof BridgeArray) {
      try {
        return out.download();
      } finally {
        out.release();
      }
    }
    if (!isTexture(out)) return out;
    try {
      return flatten(out.toArray(), length);
    } finally {
      deleteTexture(out);
    }
  } catch (e) {
    errors++;
    lastError = e instanceof Error ? e.message : String(e);
    counts[op].wasm++;
    return undefined; // declining: the WASM kernel runs
  }
}

const CONV_OP: Record<Conv2dKind, GpuOp> = { forward: "conv2d", input: "conv2dInput", weight: "conv2dWeight" };
const BINARY_OPS: readonly string[] = ["add", "sub", "mul", "div"];
const UNARY_OPS: readonly string[] = ["neg", "exp", "log", "tanh"];

function convLengths(kind: Conv2dKind, g: Conv2dGeometry): [number, number, number] {
  const x = g.batch * g.cin * g.inH * g.inW;
  const w = ((g.cout * g.cin) / g.groups) * g.kH * g.kW;
  const y = g.batch * g.cout * g.outH * g.outW;
  return kind === "forward" ? [x, w, y] : kind === "input" ? [y, w, x] : [x, y, w];
}

/**
 * The provider installed into tensorgrad. Operands are Float32Arrays or GpuArrays (results of
 * earlier calls); results are GpuArrays while residency is on, else Float32Arrays. In webgpu
 * mode every op goes through the worker bridge, with the same kernels.
 */
export interface GpuKernelProvider extends KernelProvider {
  readonly resident: boolean;
  matmul(a: F32Operand, b: F32Operand, m: number, k: number, n: number, transA?: boolean, transB?: boolean): Float32Array | GpuArray | undefined;
  binary(op: BinaryOp, a: F32Operand, b: F32Operand): Float32Array | GpuArray | undefined;
  scalar(op: BinaryOp, x: F32Operand, s: number, scalarFirst?: boolean): Float32Array | GpuArray | undefined;
  unary(op: UnaryOp, x: F32Operand): Float32Array | GpuArray | undefined;
  /** Sum of all elements, one element. */
  sum(x: F32Operand): Float32Array | GpuArray | undefined;
  conv2d(kind: Conv2dKind, a: F32Operand, b: F32Operand, geometry: Conv2dGeometry): Float32Array | GpuArray | undefined;
}

export const provider: GpuKernelProvider = {
  get resident() {
    return state?.resident ?? true;
  },
  matmul(a, b, m, k, n, transA = false, transB = false) {
    if (a.length !== m * k || b.length !== k * n) return undefined;
    return run("matmul", opSize("matmul", { m, k, n }), [a, b], m * n, (s, [x, y]) => s.cache.matmul(x!, y!, m, k, n, transA, transB));
  },
  binary(op, a, b) {
    if (!BINARY_OPS.includes(op) || a.length !== b.length) return undefined; // an op this package has no kernel for
    const n = a.length;
    return run(op, n, [a, b], n, (s, [x, y]) => s.cache.binary(op, x!, y!, n), ([x, y]) => finiteInputs(op, x, y));
  },
  scalar(op, x, c, scalarFirst = false) {
    if (!BINARY_OPS.includes(op)) return undefined;
    const n = x.length;
    return run(
      op,
      n,
      [x],
      n,
      (s, [v]) => s.cache.scalar(op, v!, c, scalarFirst, n),
      ([v]) => Number.isFinite(c) && !(op === "div" && !scalarFirst && c === 0) && finiteInputs(op, v, undefined, scalarFirst ? "a" : "b"),
    );
  },
  unary(op, x) {
    if (!UNARY_OPS.includes(op)) return undefined;
    const n = x.length;
    return run(op, n, [x], n, (s, [v]) => s.cache.unary(op, v!, n), ([v]) => finiteInputs(op, v));
  },
  sum(x) {
    const n = x.length;
    return run("sum", n, [x], 1, (s, [v]) => s.cache.sum(v!, n), ([v]) => finiteInputs("sum", v));
  },
  conv2d(kind, a, b, g) {
    const op = CONV_OP[kind];
    if (!op || g.groups < 1 || g.cin % g.groups !== 0 || g.cout % g.groups !== 0) return undefined;
    const [la, lb, lo] = convLengths(kind, g);
    if (a.length !== la || b.length !== lb) return undefined;
    const macs = g.batch * g.cout * g.outH * g.outW * (g.cin / g.groups) * g.kH * g.kW;
    return run(op, macs, [a, b], lo, (s, [x, y]) => s.cache.conv2d(kind, x!, y!, g), ([x, y]) => finiteInputs(op, x, y));
  },
};

/**
 * Creates the gpu.js context and installs the provider into tensorgrad. Calling it again
 * replaces the previous context (destroyed first). Returns gpuInfo(). 'webgpu' (Node only):
 * gpu.js's WebGPU backend in a worker thread (webgpu-bridge.ts); throws with the reason where
 * Dawn does not load or finds no adapter.
 */
export function enableGpu(options: EnableGpuOptions = {}): GpuInfo {
  if (state) destroyState();
  if (options.policy) config.gpu = options.policy;
  const requested = options.mode ?? "auto";
  const resident = options.resident ?? true;
  if (requested === "webgpu") {
    const bridge = startBridge({ backend: options.workerBackend, timeoutMs: options.timeoutMs, cacheSize: options.cacheSize });
    install(
      { gpu: null, mode: "webgpu", cache: new BridgeKernels(bridge, resident), bridge, onGpu: bridge.backend === "webgpu", adapter: bridge.adapter, resident },
      options,
    );
    return gpuInfo();
  }
  const gpu = new GPU({
    ...(requested === "auto" ? {} : { mode: requested }),
    ...(options.canvas ? { canvas: options.canvas } : {}),
  }) as GpuInstance;
  const mode = backendOf(gpu) as GpuMode;
  if (requested !== "auto" && mode !== requested) {
    void gpu.destroy();
    throw new Error(`gpu.js mode '${requested}' is not available here (got '${mode}')`);
  }
  install(
    { gpu, mode, cache: new KernelCache(gpu, options.cacheSize ?? 64, isGl(mode)), bridge: null, onGpu: GPU_MODES.includes(mode), adapter: null, resident },
    options,
  );
  return gpuInfo();
}

function install(s: Omit<State, "thresholds" | "measured">, options: EnableGpuOptions): void {
  const entry = CROSSOVER.modes[s.mode];
  state = {
    ...s,
    thresholds: thresholdsFor(s.mode, CROSSOVER, options.thresholds),
    measured: entry ? `${entry.environment}; ${entry.machine}; ${entry.measuredAt}` : null,
  };
  resetCounts();
  setKernelProvider(provider);
}

function destroyState(): Promise<void> {
  const s = state;
  state = null;
  if (!s) return Promise.resolve();
  // tensors may outlive the context (or the worker's session): their textures and worker
  // buffers move to host memory first
  for (const a of [...onDevice]) a.evacuate();
  try {
    s.bridge?.flush(); // the worker frees the buffers just released
  } catch {
    // a worker that does not answer: parking or terminating it frees them anyway
  }
  s.cache.destroy();
  if (s.cache instanceof BridgeKernels) return s.cache.closed;
  return s.gpu!.destroy().catch(() => undefined);
}

/**
 * Removes the provider (every op runs on WASM again) and frees the GPU resources: tensors'
 * textures (webgpu: worker buffers) are read back into host memory, the cached kernels
 * destroyed synchronously, the gpu.js context when the returned promise resolves. webgpu: the
 * worker's kernels and buffers are freed; the worker itself (Dawn, the device) is kept for the
 * next enableGpu, since Dawn cannot be started twice in one process, and closed at exit.
 */
export function disableGpu(): Promise<void> {
  if (state) setKernelProvider(null);
  return destroyState();
}

/** webgpu: the active worker bridge (its kernels, kept buffers, debug hooks); null in other modes. */
export function activeBridge(): WorkerBridge | null {
  return state?.bridge ?? null;
}

/** The active mode, where ops ran, the thresholds in force, device memory and transfers. */
export function gpuInfo(): GpuInfo {
  const s = state;
  return {
    enabled: s !== null,
    policy: config.gpu,
    mode: s?.mode ?? null,
    onGpu: s?.onGpu ?? false,
    resident: s?.resident ?? false,
    adapter: s?.adapter ?? null,
    webgpu: webGpuSupport(),
    bridge: s?.bridge
      ? { backend: s.bridge.backend, dataBytes: s.bridge.dataBytes, ...s.bridge.stats, failed: s.bridge.failed }
      : null,
    supported: supportedModes(),
    thresholds: s?.thresholds ?? thresholdsFor(null),
    measured: s?.measured ?? null,
    counts: structuredClone(counts),
    errors,
    lastError,
    kernels: s ? { cached: s.cache.size, compiled: s.cache.compiled, evicted: s.cache.evicted } : { cached: 0, compiled: 0, evicted: 0 },
    memory: { ...memory },
  };
}
