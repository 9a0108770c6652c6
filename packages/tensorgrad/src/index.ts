/**
 * tensorgrad: PyTorch-style tensors and automatic differentiation for TypeScript, on a Rust
 * core compiled to WebAssembly. Importing this module loads the core (top-level await); there
 * is no init step.
 *
 * ```ts
 * import { tensor } from "tensorgrad";
 * const A = tensor([5.0], { requiresGrad: true });
 * const loss = A.mul(5);
 * loss.backward();
 * console.log(String(A.grad)); // tensor([5.])
 * ```
 */
export { Tensor, GradFn } from "./tensor.js";
export type { DType, NestedArray, TensorLike, BackwardOptions, ReduceOptions, ShapeArgs } from "./tensor.js";
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  rand,
  randn,
  randnLike,
  manualSeed,
} from "./creation.js";
export type { TensorOptions } from "./creation.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, inferenceMode, isInferenceModeEnabled } from "./autograd.js";
export type { GradOptions } from "./autograd.js";
export type { RemovableHandle } from "./tensor.js";
export { FunctionCtx } from "./function.js";
export type { GradcheckOptions } from "./gradcheck.js";
import { grad, detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from "./autograd.js";
import { Function } from "./function.js";
import { gradcheck, gradgradcheck } from "./gradcheck.js";

/** `torch.autograd`: grad, Function, gradcheck, gradgradcheck, anomaly detection. */
export const autograd = { grad, Function, gradcheck, gradgradcheck, detectAnomaly, setDetectAnomaly, isAnomalyEnabled };
export * from "./functional.js";
export * from "./ops/pointwise.js";
export * from "./ops/reductions.js";
export * from "./ops/views.js";
export * from "./ops/indexing.js";
export * from "./ops/linalg.js";
export * from "./nn/conv.js";
import { raw } from "./wasm.js";

import { Module, Parameter } from "./nn/module.js";
import { utils } from "./nn/utils.js";
import { nnFunctional } from "./nn/functional.js";
import { convFunctional } from "./nn/conv.js";
import { layers } from "./nn/layers.js";
import { init } from "./nn/init.js";
import { optimizers } from "./optim/index.js";
export type { SGDOptions, ParamGroup, Params } from "./optim/optimizer.js";
export type { AdamOptions, RMSpropOptions, AdagradOptions, OptimizerStateDict } from "./optim/optimizer.js";
export type { StateDict, IncompatibleKeys, Module, Parameter } from "./nn/module.js";
export { safetensors } from "./safetensors.js";

/** `torch.nn`: modules, parameters, `functional`, `init`, `utils`. */
export const nn = { Module, Parameter, utils, init, functional: { ...nnFunctional, ...convFunctional }, ...layers };
/** `torch.optim`: optimizers and `lr_scheduler`. */
export const optim = { ...optimizers };

import { GradScaler } from "./amp/grad_scaler.js";
import { autocast, getAutocastDtype } from "./amp/autocast.js";
export type { GradScalerOptions, GradScalerState } from "./amp/grad_scaler.js";
export type { AutocastOptions, AutocastScope, FInfo } from "./amp/autocast.js";
export { finfo } from "./amp/autocast.js";
/** `torch.amp`: mixed precision (autocast, GradScaler). */
export const amp = { GradScaler, autocast, getAutocastDtype };

import { linalgCore } from "./ops/linalg.js";
import { linalgReductions } from "./ops/reductions.js";
/** `torch.linalg`: matmul, vecdot, vectorNorm. */
export const linalg = { ...linalgCore, ...linalgReductions };

export { tidy, keep, dispose } from "./memory.js";
export { setKernelProvider } from "./backend.js";
export type { KernelProvider, BinaryOp, UnaryOp, Conv2dKind, Conv2dGeometry, DeviceArray, F32Operand, F32Result } from "./backend.js";
export { setNumThreads, getNumThreads } from "./threads.js";
import { _breakWorkersForTest, _threadsStats } from "./threads.js";
/** @internal Test hooks of the matmul thread pool. */
export const _threads = { breakNext: _breakWorkersForTest, stats: _threadsStats };

/** The version of the WebAssembly core. */
export const version: string = raw.version();

/** Debug: the size in bytes of the WebAssembly memory the core runs in (it grows, never shrinks). */
export function memoryBytes(): number {
  return raw.memoryBytes();
}
