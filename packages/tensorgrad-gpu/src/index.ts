// tensorgrad-gpu: gpu.js kernels for tensorgrad's float32 matmul, element-wise ops, sums and
// conv2d, offered through tensorgrad's kernel seam and dispatched by size; results stay on the
// GPU across chained ops. In Node also gpu.js's WebGPU backend (Dawn) in a worker thread. The
// WebAssembly kernels stay the fallback and the reference.
export { activeBridge, config, disableGpu, enableGpu, GpuArray, gpuInfo, provider, resetCounts, supportedModes } from "./provider.js";
export type { EnableGpuOptions, GpuInfo, GpuKernelProvider, MemoryInfo, OpCounts } from "./provider.js";
export { decide, GPU_MODES, NEVER, opClass, OPS, opSize, thresholdsFor } from "./dispatch.js";
export type { GpuMode, GpuOp, GpuPolicy, OpClass, Path, Thresholds } from "./dispatch.js";
export { CROSSOVER } from "./crossover.js";
export type { CrossoverEntry, CrossoverSample, CrossoverTable } from "./crossover-types.js";
export { BridgeArray, BridgeKernels, webGpuSupport, WorkerBridge } from "./webgpu-bridge.js";
export type { BridgeArg, BridgeBackend, BridgeOptions, KernelDef, WebGpuSupport } from "./webgpu-bridge.js";
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
