import { expect } from "vitest";
import { setKernelProvider, tensor, type Tensor } from "tensorgrad";
import { supportedModes, type EnableGpuOptions, type GpuMode } from "../src/index.js";

/** Deterministic uniform values in [-1, 1) (an LCG: tests must not depend on a seed elsewhere). */
export function randomArray(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  }
  return out;
}

export function t2(data: Float32Array, rows: number, cols: number, requiresGrad = false): Tensor {
  return tensor(data, { requiresGrad }).reshape(rows, cols).detach().requiresGrad_(requiresGrad);
}

/** Runs f with no provider installed: the WebAssembly reference. */
export function onWasm<T>(f: () => T): T {
  setKernelProvider(null);
  return f();
}

/**
 * float32 agreement: |got − want| ≤ atol + rtol·|want| elementwise, with `scale` (e.g. the sum of
 * |terms| of a dot product) widening atol for accumulations in a different order.
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, { rtol = 1e-5, atol = 1e-6 } = {}): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w)) {
      expect(Number.isNaN(g), `index ${i}: want NaN, got ${g}`).toBe(true);
      continue;
    }
    if (!Number.isFinite(w)) {
      expect(g, `index ${i}`).toBe(w);
      continue;
    }
    const excess = Math.abs(g - w) - (atol + rtol * Math.abs(w));
    if (excess > worst) {
      worst = excess;
      at = i;
    }
  }
  expect(at, at >= 0 ? `index ${at}: got ${got[at]}, want ${want[at]}` : "").toBe(-1);
}

/** The gpu.js modes these tests run in here: cpu always; webasm and headlessgl where they work. */
export function testModes(): GpuMode[] {
  const s = supportedModes();
  const only = process.env.TENSORGRAD_GPU_TEST_MODES;
  const modes: GpuMode[] = ["cpu"];
  if (s.webasm) modes.push("webasm");
  if (s.headlessgl) modes.push("headlessgl");
  return only ? modes.filter((m) => only.split(",").includes(m)) : modes;
}

/**
 * The configurations the per-mode suites run in: testModes(), and webgpu through its worker
 * bridge with gpu.js's cpu backend in the worker (Dawn needs a GPU and glibc >= 2.38): the
 * bridge, its kept buffers and the worker's kernels from the sources every mode compiles.
 * TENSORGRAD_GPU_TEST_MODES filters by mode name ("webgpu" for the stand-in).
 */
export function testConfigs(): { name: string; options: EnableGpuOptions & { mode: GpuMode } }[] {
  const only = process.env.TENSORGRAD_GPU_TEST_MODES;
  const configs: { name: string; options: EnableGpuOptions & { mode: GpuMode } }[] = testModes().map((mode) => ({ name: mode, options: { mode } }));
  if (!only || only.split(",").includes("webgpu")) {
    configs.push({ name: "webgpu (worker bridge, cpu stand-in)", options: { mode: "webgpu", workerBackend: "cpu" } });
  }
  return configs;
}

/** A provider result as host data (a device array is downloaded); fails on a declined call. */
export function host(r: Float32Array | { download(): Float32Array } | undefined): Float32Array {
  expect(r, "the provider declined").toBeDefined();
  return r instanceof Float32Array ? r : r!.download();
}
