// Dispatch by size: which path (gpu.js kernel or the WebAssembly kernel) an offered op takes.
// Pure functions over the crossover table, so the decisions are testable without a GPU.
import { CROSSOVER, type CrossoverTable } from "./crossover.js";

/** The gpu.js backends. `webgpu` runs in a worker thread behind the synchronous seam (Node only: webgpu-bridge.ts). */
export type GpuMode = "webgl2" | "webgl" | "headlessgl" | "webgpu" | "webasm" | "cpu";
/** `config.gpu`: 'auto' follows the measured crossover, 'off' never offloads, 'force' offloads every offered op. */
export type GpuPolicy = "auto" | "off" | "force";
/**
 * The ops a provider can be offered. Scalar forms (`x * 2`, `1 - x`) count under their binary
 * op; conv2d's three products are `conv2d` (forward), `conv2dInput` and `conv2dWeight`.
 */
export type GpuOp =
  | "matmul"
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "neg"
  | "exp"
  | "log"
  | "tanh"
  | "sum"
  | "conv2d"
  | "conv2dInput"
  | "conv2dWeight";
export type Path = "gpu" | "wasm";

export const OPS: readonly GpuOp[] = [
  "matmul",
  "add",
  "sub",
  "mul",
  "div",
  "neg",
  "exp",
  "log",
  "tanh",
  "sum",
  "conv2d",
  "conv2dInput",
  "conv2dWeight",
];

/** Modes whose kernels run on a GPU (the others run on the CPU: gpu.js's webasm and cpu backends). */
export const GPU_MODES: readonly GpuMode[] = ["webgl2", "webgl", "headlessgl", "webgpu"];

/** The threshold family an op belongs to in the crossover table. */
export type OpClass = "matmul" | "binary" | "unary" | "sum" | "conv2d";
export function opClass(op: GpuOp): OpClass {
  if (op === "matmul") return "matmul";
  if (op === "add" || op === "sub" || op === "mul" || op === "div") return "binary";
  if (op === "sum") return "sum";
  if (op === "conv2d" || op === "conv2dInput" || op === "conv2dWeight") return "conv2d";
  return "unary";
}

/**
 * Thresholds of one mode: the smallest size at which the gpu.js path was measured faster than
 * WASM (and stayed faster at every larger size measured); null: never faster, never dispatched.
 * The size is m·k·n for matmul, multiply-adds for conv2d, and the element count otherwise.
 */
export type Thresholds = Record<OpClass, number | null>;

export const NEVER: Thresholds = { matmul: null, binary: null, unary: null, sum: null, conv2d: null };

/** The thresholds for a mode: the measured table's entry, with overrides on top; never for unmeasured modes. */
export function thresholdsFor(mode: GpuMode | null, table: CrossoverTable = CROSSOVER, overrides?: Partial<Thresholds>): Thresholds {
  const measured = mode ? table.modes[mode]?.thresholds : undefined;
  return { ...NEVER, ...(measured ?? {}), ...(overrides ?? {}) };
}

/** Size of an op for the thresholds (conv2d: pass its multiply-adds as `n`). */
export function opSize(op: GpuOp, dims: { m?: number; k?: number; n: number }): number {
  return op === "matmul" ? (dims.m ?? 1) * (dims.k ?? 1) * dims.n : dims.n;
}

/**
 * The path for one offered op. 'force' takes the GPU path in any mode (cpu and webasm included:
 * that is how CI exercises the kernels; webgpu through its worker bridge); 'auto' takes it at or
 * above the measured threshold of the active mode — or at any size when an operand already lives
 * on the device (`resident`) and the op class has a threshold at all, since the WASM path would
 * first download it; 'off' never. A mode without a measured table (webgpu so far) has no
 * thresholds, so 'auto' never picks it.
 */
export function decide(
  op: GpuOp,
  size: number,
  mode: GpuMode | null,
  policy: GpuPolicy,
  thresholds: Thresholds,
  resident = false,
): Path {
  if (policy === "off" || mode === null) return "wasm";
  if (policy === "force") return "gpu";
  const t = thresholds[opClass(op)];
  return t !== null && (size >= t || resident) ? "gpu" : "wasm";
}
