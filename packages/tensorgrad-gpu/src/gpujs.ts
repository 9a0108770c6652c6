// The one place gpu.js is imported. It is CommonJS (a UMD bundle in browsers): take the
// exports from the namespace or its default, whichever the loader fills in.
import * as gpujsNamespace from "gpu.js";
import type { GPU as GPUClass, IKernelRunShortcut, Input } from "gpu.js";

type GpuJs = typeof gpujsNamespace;
const ns = gpujsNamespace as GpuJs & { default?: GpuJs };
const gpujs: GpuJs = ns.GPU ? ns : (ns.default as GpuJs);

export const GPU = gpujs.GPU;
export type GpuInstance = GPUClass;
export type GpuKernel = IKernelRunShortcut;

/** A flat array seen by a kernel with dimensions [x, y] (columns, rows). */
export function input(data: Float32Array, size: [number, number]): Input {
  // exported by gpu.js, missing from its typings
  return (gpujs as unknown as { input(value: Float32Array, size: number[]): Input }).input(data, size);
}

type KernelClass = unknown;
const KERNEL_MODES: [string, string][] = [
  ["HeadlessGLKernel", "headlessgl"],
  ["WebGL2Kernel", "webgl2"],
  ["WebGLKernel", "webgl"],
  ["WebGPUKernel", "webgpu"],
  ["WebAssemblyKernel", "webasm"],
  ["CPUKernel", "cpu"],
];

/**
 * The backend a GPU instance chose. gpu.js's own `mode` says 'gpu' for every GL backend when it
 * chose automatically, so compare its kernel class with the exported ones instead.
 */
export function backendOf(gpu: GpuInstance): string {
  const chosen = (gpu as unknown as { Kernel: KernelClass }).Kernel;
  const exported = gpujs as unknown as Record<string, KernelClass>;
  for (const [name, mode] of KERNEL_MODES) if (exported[name] && exported[name] === chosen) return mode;
  return String(gpu.mode);
}
