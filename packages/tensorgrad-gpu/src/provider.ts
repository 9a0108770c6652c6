// enableGpu / disableGpu / gpuInfo: the gpu.js kernels installed into tensorgrad's kernel seam.
import { setKernelProvider, type BinaryOp, type KernelProvider, type UnaryOp } from "tensorgrad";
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
import { KernelCache } from "./kernels.js";
import { backendOf, GPU, type GpuInstance } from "./gpujs.js";
import { BridgeKernels, startBridge, webGpuSupport, type BridgeBackend, type WebGpuSupport, type WorkerBridge } from "./webgpu-bridge.js";

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
  /** Most kernels kept compiled (one per op and shape); the least recently used are destroyed. Default 64. */
  cacheSize?: number;
  /** A canvas for gpu.js's WebGL context (browsers); default: gpu.js makes its own. */
  canvas?: object;
}

export type OpCounts = Record<GpuOp, Record<Path, number>>;

export interface GpuInfo {
  /** Whether the provider is installed in tensorgrad. */
  enabled: boolean;
  /** `config.gpu`. */
  policy: GpuPolicy;
  /** The active gpu.js backend, or null when not enabled. */
  mode: GpuMode | null;
  /** Whether that backend runs on a GPU (webgl2, webgl, headlessgl, webgpu) rather than the CPU (webasm, cpu). */
  onGpu: boolean;
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
}

interface State {
  /** null for webgpu (the GPU lives in the worker). */
  gpu: GpuInstance | null;
  mode: GpuMode;
  cache: KernelCache | BridgeKernels;
  onGpu: boolean;
  adapter: string | null;
  thresholds: Thresholds;
  measured: string | null;
}

let state: State | null = null;
let counts: OpCounts = zeroCounts();
let errors = 0;
let lastError: string | null = null;

function zeroCounts(): OpCounts {
  return Object.fromEntries(OPS.map((op) => [op, { gpu: 0, wasm: 0 }])) as OpCounts;
}

export function resetCounts(): void {
  counts = zeroCounts();
  errors = 0;
  lastError = null;
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

/** True when the element-wise inputs hold only finite values (and, for div/log, a valid domain). */
function guarded(op: GpuOp, a: Float32Array, b?: Float32Array): boolean {
  // GLSL leaves inf/NaN arithmetic, x/0 and log(x ≤ 0) undefined; WASM is IEEE. The GL backends
  // decline such inputs so that results match the reference exactly in those cases.
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v) || (op === "log" && v <= 0)) return false;
  }
  if (b) {
    for (let i = 0; i < b.length; i++) {
      const v = b[i]!;
      if (!Number.isFinite(v) || (op === "div" && v === 0)) return false;
    }
  }
  return true;
}

function run<T>(op: GpuOp, size: number, f: (s: State) => T | undefined, guard?: () => boolean): T | undefined {
  const s = state;
  const path = s ? decide(op, size, s.mode, config.gpu, s.thresholds) : "wasm";
  if (!s || path === "wasm" || size === 0 || (guard && !guard())) {
    counts[op].wasm++;
    return undefined;
  }
  try {
    const out = f(s);
    counts[op][out === undefined ? "wasm" : "gpu"]++;
    return out;
  } catch (e) {
    errors++;
    lastError = e instanceof Error ? e.message : String(e);
    counts[op].wasm++;
    return undefined; // declining: the WASM kernel runs
  }
}

/** Modes whose shading language leaves IEEE special values undefined (GLSL; WGSL likewise). */
function isGl(mode: GpuMode): boolean {
  return mode === "webgl2" || mode === "webgl" || mode === "headlessgl" || mode === "webgpu";
}

/**
 * The provider installed into tensorgrad. Its methods take the seam's arguments and the
 * extensions the core is expected to offer next: transposed matmul operands (the backward
 * products, dA = dC·Bᵀ and dB = Aᵀ·dC, without materializing the transposes) and `sum`.
 */
export interface GpuKernelProvider extends KernelProvider {
  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA?: boolean, transB?: boolean): Float32Array | undefined;
  binary(op: BinaryOp, a: Float32Array, b: Float32Array): Float32Array | undefined;
  unary(op: UnaryOp, x: Float32Array): Float32Array | undefined;
  /** Sum of all elements, as a 1-element array (the core's convention for results), or undefined. */
  sum(x: Float32Array): Float32Array | undefined;
}

export const provider: GpuKernelProvider = {
  matmul(a, b, m, k, n, transA = false, transB = false) {
    return run("matmul", opSize("matmul", { m, k, n }), (s) => s.cache.matmul(a, b, m, k, n, transA, transB));
  },
  binary(op, a, b) {
    if (!OPS.includes(op) || a.length !== b.length) return undefined; // an op this package has no kernel for
    return run(op, a.length, (s) => s.cache.binary(op, a, b), () => !isGl(state!.mode) || guarded(op, a, b));
  },
  unary(op, x) {
    if (!OPS.includes(op)) return undefined;
    return run(op, x.length, (s) => s.cache.unary(op, x), () => !isGl(state!.mode) || guarded(op, x));
  },
  sum(x) {
    return run("sum", x.length, (s) => Float32Array.of(s.cache.sum(x)), () => !isGl(state!.mode) || guarded("sum", x));
  },
};

/**
 * Creates the gpu.js context and installs the provider into tensorgrad. Calling it again
 * replaces the previous context (destroyed first). Returns gpuInfo().
 */
export function enableGpu(options: EnableGpuOptions = {}): GpuInfo {
  if (state) destroyState();
  if (options.policy) config.gpu = options.policy;
  const requested = options.mode ?? "auto";
  if (requested === "webgpu") {
    // gpu.js's webgpu kernels in a worker thread, behind the synchronous seam (webgpu-bridge.ts)
    const bridge = startBridge({ backend: options.workerBackend, timeoutMs: options.timeoutMs, cacheSize: options.cacheSize });
    install({ gpu: null, mode: "webgpu", cache: new BridgeKernels(bridge), onGpu: bridge.backend === "webgpu", adapter: bridge.adapter }, options);
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
  install({ gpu, mode, cache: new KernelCache(gpu, options.cacheSize ?? 64), onGpu: GPU_MODES.includes(mode), adapter: null }, options);
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
  s.cache.destroy();
  if (s.cache instanceof BridgeKernels) return s.cache.closed;
  return s.gpu!.destroy().catch(() => undefined);
}

/**
 * Removes the provider (every op runs on WASM again) and frees the GPU resources: the cached
 * kernels synchronously, the gpu.js context when the returned promise resolves. webgpu: the
 * worker's kernels and buffers are freed; the worker itself (Dawn, the device) is kept for the
 * next enableGpu, since Dawn cannot be started twice in one process, and closed at exit.
 */
export function disableGpu(): Promise<void> {
  if (state) setKernelProvider(null);
  return destroyState();
}

/** webgpu: the active worker bridge (its kernels, kept buffers, debug hooks); null in other modes. */
export function activeBridge(): WorkerBridge | null {
  return state && state.cache instanceof BridgeKernels ? state.cache.bridge : null;
}

/** The active mode, where ops ran, the thresholds in force. */
export function gpuInfo(): GpuInfo {
  const s = state;
  return {
    enabled: s !== null,
    policy: config.gpu,
    mode: s?.mode ?? null,
    onGpu: s?.onGpu ?? false,
    adapter: s?.adapter ?? null,
    webgpu: webGpuSupport(),
    bridge:
      s && s.cache instanceof BridgeKernels
        ? {
            backend: s.cache.bridge.backend,
            dataBytes: s.cache.bridge.dataBytes,
            ...s.cache.bridge.stats,
            failed: s.cache.bridge.failed,
          }
        : null,
    supported: supportedModes(),
    thresholds: s?.thresholds ?? thresholdsFor(null),
    measured: s?.measured ?? null,
    counts: structuredClone(counts),
    errors,
    lastError,
    kernels: s ? { cached: s.cache.size, compiled: s.cache.compiled, evicted: s.cache.evicted } : { cached: 0, compiled: 0, evicted: 0 },
  };
}
