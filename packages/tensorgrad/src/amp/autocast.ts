// amp.autocast and finfo.
import { raw } from "../wasm.js";
import type { DType } from "../tensor.js";

export interface AutocastOptions {
  /** "float16" or "bfloat16" (PyTorch's CPU default is bfloat16). */
  dtype?: "float16" | "bfloat16";
  enabled?: boolean;
  /** Accepted for PyTorch parity ("cpu"); tensorgrad computes on the CPU. */
  deviceType?: string;
}

/** An active autocast region; `exit()` (or `using`) restores the previous state. */
export interface AutocastScope {
  exit(): void;
  [Symbol.dispose]?: () => void;
}

function enter(options: AutocastOptions): AutocastScope {
  const enabled = options.enabled ?? true;
  const dtype = options.dtype ?? "bfloat16";
  if (dtype !== "float16" && dtype !== "bfloat16") {
    throw new Error(`In CPU autocast, but the target dtype is not supported. Disabling autocast.\nCPU Autocast only supports dtype of torch.bfloat16, torch.float16 currently.`);
  }
  const prev = raw.setAutocast(enabled ? dtype : undefined);
  let done = false;
  const exit = () => {
    if (done) return;
    done = true;
    raw.setAutocast(prev);
  };
  const scope: AutocastScope = { exit };
  const dispose = (Symbol as { dispose?: symbol }).dispose;
  if (dispose) (scope as unknown as Record<symbol, () => void>)[dispose] = exit;
  return scope;
}

/**
 * Mixed precision regions (PyTorch's `torch.autocast`): inside, matmul/mm/bmm/addmm/baddbmm/
 * linear/conv cast their inputs to `dtype`, and softmax, logSoftmax, exp, log, pow, sums,
 * norms and losses run in float32; backward runs each op's gradient in its forward dtype.
 * `autocast(options, fn)` runs `fn` inside; `autocast(options)` returns a scope to `exit()`.
 */
export function autocast<T>(options: AutocastOptions, fn: () => T): T;
export function autocast(options?: AutocastOptions): AutocastScope;
export function autocast<T>(options: AutocastOptions = {}, fn?: () => T): T | AutocastScope {
  const scope = enter(options);
  if (!fn) return scope;
  try {
    return fn();
  } finally {
    scope.exit();
  }
}

/** The autocast dtype in effect, or null. */
export function getAutocastDtype(): "float16" | "bfloat16" | null {
  const prev = raw.setAutocast(undefined);
  raw.setAutocast(prev);
  return (prev as "float16" | "bfloat16" | undefined) ?? null;
}

export interface FInfo {
  bits: number;
  eps: number;
  max: number;
  min: number;
  tiny: number;
  smallestNormal: number;
  resolution: number;
  dtype: string;
}

const FINFO: Record<string, FInfo> = {
  float16: { bits: 16, eps: 0.0009765625, max: 65504, min: -65504, tiny: 6.103515625e-5, smallestNormal: 6.103515625e-5, resolution: 0.001, dtype: "float16" },
  bfloat16: { bits: 16, eps: 0.0078125, max: 3.3895313892515355e38, min: -3.3895313892515355e38, tiny: 1.1754943508222875e-38, smallestNormal: 1.1754943508222875e-38, resolution: 0.01, dtype: "bfloat16" },
  float32: { bits: 32, eps: 1.1920928955078125e-7, max: 3.4028234663852886e38, min: -3.4028234663852886e38, tiny: 1.1754943508222875e-38, smallestNormal: 1.1754943508222875e-38, resolution: 1e-6, dtype: "float32" },
  float64: { bits: 64, eps: 2.220446049250313e-16, max: 1.7976931348623157e308, min: -1.7976931348623157e308, tiny: 2.2250738585072014e-308, smallestNormal: 2.2250738585072014e-308, resolution: 1e-15, dtype: "float64" },
};

/** Machine limits of a floating dtype (PyTorch's `torch.finfo`). */
export function finfo(dtype: DType = "float32"): FInfo {
  const f = FINFO[dtype];
  if (!f) throw new TypeError(`torch.finfo() requires a floating point input type. Use torch.iinfo to handle '${dtype}'`);
  return { ...f };
}
