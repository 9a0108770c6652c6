// tensorgrad-gpu: gpu.js kernels for tensorgrad's float32 matmul and element-wise ops, offered
// through tensorgrad's kernel seam and dispatched by size; the WebAssembly kernels stay the
// fallback and the reference.
export { activeBridge, config, disableGpu, enableGpu, gpuInfo, provider, resetCounts, supportedModes } from "./provider.js";
export type { EnableGpuOptions, GpuInfo, GpuKernelProvider, OpCounts } from "./provider.js";
export { decide, GPU_MODES, NEVER, opClass, OPS, opSize, thresholdsFor } from "./dispatch.js";
export type { GpuMode, GpuOp, GpuPolicy, OpClass, Path, Thresholds } from "./dispatch.js";
export { CROSSOVER } from "./crossover.js";
export type { CrossoverEntry, CrossoverSample, CrossoverTable } from "./crossover-types.js";
export { BridgeArray, BridgeKernels, webGpuSupport, WorkerBridge } from "./webgpu-bridge.js";
export type { BridgeArg, BridgeBackend, BridgeOptions, KernelDef, WebGpuSupport } from "./webgpu-bridge.js";
export { KernelCache, SUM_CHUNK, binarySource, matmulSource, sumSource, unarySource } from "./kernels.js";
