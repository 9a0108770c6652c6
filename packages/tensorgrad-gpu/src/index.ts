// tensorgrad-gpu: gpu.js kernels for tensorgrad's float32 matmul, element-wise ops, sums and
// conv2d, offered through tensorgrad's kernel seam and dispatched by size; results stay on the
// GPU across chained ops. The WebAssembly kernels stay the fallback and the reference.
export { config, disableGpu, enableGpu, GpuArray, gpuInfo, provider, resetCounts, supportedModes } from "./provider.js";
export type { EnableGpuOptions, GpuInfo, GpuKernelProvider, MemoryInfo, OpCounts } from "./provider.js";
export { decide, GPU_MODES, NEVER, opClass, OPS, opSize, thresholdsFor } from "./dispatch.js";
export type { GpuMode, GpuOp, GpuPolicy, OpClass, Path, Thresholds } from "./dispatch.js";
export { CROSSOVER } from "./crossover.js";
export type { CrossoverEntry, CrossoverSample, CrossoverTable } from "./crossover-types.js";
export {
  KernelCache,
  SUM_CHUNK,
  binarySource,
  conv2dOutput,
  conv2dSource,
  isTexture,
  matmulSource,
  scalarSource,
  sumSource,
  unarySource,
} from "./kernels.js";
export type { GpuTexture, KernelInput, KernelOutput } from "./kernels.js";
