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
