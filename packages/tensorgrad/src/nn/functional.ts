// nn.functional: activations, losses, normalisation, embedding, dropout, linear, pad, oneHot.
// Bindings: crates/tensorgrad-wasm/src/ops_nn.rs. PyTorch's names in camelCase, positional
// order kept, keyword arguments in a trailing options object.
import { Tensor } from "../tensor.js";
import type { RawTensor } from "../wasm.js";

/** `reduction=` of the losses. */
export type Reduction = "none" | "mean" | "sum";

/** Options of the losses. */
export interface ReductionOptions {
  /** 'none' | 'mean' (default) | 'sum'. */
  reduction?: Reduction;
}

function opt(t: Tensor | null | undefined): RawTensor | undefined {
  return t ? t._raw.alias() : undefined;
}

function red(o: ReductionOptions | undefined): Reduction {
  return o?.reduction ?? "mean";
}

// ---- activations ---------------------------------------------------------------------------
// `inplace` (PyTorch's last positional argument, or a key of the options object) overwrites
// the input and returns that same tensor, now carrying the op's grad_fn; like PyTorch, a leaf
// that requires grad is refused outside noGrad.

/** Options of the activations that only take `inplace`. */
export interface InplaceOptions {
  /** Overwrite `input` and return it (default false). */
  inplace?: boolean;
}

function flag(v: boolean | InplaceOptions | undefined): boolean {
  return typeof v === "object" ? (v.inplace ?? false) : (v ?? false);
}

/** `max(x, 0)`; the gradient at 0 is 0. */
export function relu(input: Tensor, inplace: boolean | InplaceOptions = false): Tensor {
  if (flag(inplace)) {
    input._raw.relu_();
    return input;
  }
  return input.relu();
}
/** In-place {@link relu}: `relu(input, true)`. */
export function relu_(input: Tensor): Tensor {
  return relu(input, true);
}
/** `min(max(x, 0), 6)` (= `hardtanh(x, 0, 6)`); the gradient is 0 at both bounds. */
export function relu6(input: Tensor, inplace: boolean | InplaceOptions = false): Tensor {
  if (flag(inplace)) {
    input._raw.relu6_();
    return input;
  }
  return new Tensor(input._raw.relu6());
}
/** `x` for `x > 0`, else `negativeSlope·x`; the gradient at 0 is `negativeSlope`. */
export function leakyRelu(
  input: Tensor,
  negativeSlope: number | { negativeSlope?: number; inplace?: boolean } = 0.01,
  inplace = false,
): Tensor {
  const [s, ip] =
    typeof negativeSlope === "number" ? [negativeSlope, inplace] : [negativeSlope.negativeSlope ?? 0.01, negativeSlope.inplace ?? false];
  if (ip) {
    input._raw.leakyRelu_(s);
    return input;
  }
  return new Tensor(input._raw.leakyRelu(s));
}
/** In-place {@link leakyRelu}. */
export function leakyRelu_(input: Tensor, negativeSlope = 0.01): Tensor {
  return leakyRelu(input, negativeSlope, true);
}
/** `x` for `x > 0`, else `alpha·(exp(x) - 1)`; the gradient at 0 is `alpha`. */
export function elu(input: Tensor, alpha: number | { alpha?: number; inplace?: boolean } = 1.0, inplace = false): Tensor {
  const [a, ip] = typeof alpha === "number" ? [alpha, inplace] : [alpha.alpha ?? 1.0, alpha.inplace ?? false];
  if (ip) {
    input._raw.elu_(a);
    return input;
  }
  return new Tensor(input._raw.elu(a));
}
/** In-place {@link elu}. */
export function elu_(input: Tensor, alpha = 1.0): Tensor {
  return elu(input, alpha, true);
}
/** Scaled ELU with PyTorch's constants (alpha ≈ 1.6733, scale ≈ 1.0507). */
export function selu(input: Tensor, inplace: boolean | InplaceOptions = false): Tensor {
  if (flag(inplace)) {
    input._raw.selu_();
    return input;
  }
  return new Tensor(input._raw.selu());
}
/** In-place {@link selu}. */
export function selu_(input: Tensor): Tensor {
  return selu(input, true);
}
/** `max(0, x) + min(0, alpha·(exp(x/alpha) - 1))`. */
export function celu(input: Tensor, alpha: number | { alpha?: number; inplace?: boolean } = 1.0, inplace = false): Tensor {
  const [a, ip] = typeof alpha === "number" ? [alpha, inplace] : [alpha.alpha ?? 1.0, alpha.inplace ?? false];
  if (ip) {
    input._raw.celu_(a);
    return input;
  }
  return new Tensor(input._raw.celu(a));
}
/** In-place {@link celu}. */
export function celu_(input: Tensor, alpha = 1.0): Tensor {
  return celu(input, alpha, true);
}
/** Gaussian error linear unit: exact (`approximate: 'none'`, default) or the tanh approximation. */
export function gelu(input: Tensor, options?: { approximate?: "none" | "tanh" }): Tensor {
  return new Tensor(input._raw.gelu(options?.approximate ?? "none"));
}
/** `x·sigmoid(x)`. */
export function silu(input: Tensor, inplace: boolean | InplaceOptions = false): Tensor {
  if (flag(inplace)) {
    input._raw.silu_();
    return input;
  }
  return new Tensor(input._raw.silu());
}
/** `x·tanh(softplus(x))`. */
export function mish(input: Tensor, inplace: boolean | InplaceOptions = false): Tensor {
  if (flag(inplace)) {
    input._raw.mish_();
    return input;
  }
  return new Tensor(input._raw.mish());
}
/** `log(1 + exp(beta·x))/beta`, the identity (gradient 1) where `beta·x > threshold`. */
export function softplus(
  input: Tensor,
  beta: number | { beta?: number; threshold?: number } = 1,
  threshold = 20,
): Tensor {
  if (typeof beta === "object") return new Tensor(input._raw.softplus(beta.beta ?? 1, beta.threshold ?? 20));
  return new Tensor(input._raw.softplus(beta, threshold));
}
/** `x / (1 + |x|)`. */
export function softsign(input: Tensor): Tensor {
  return new Tensor(input._raw.softsign());
}
/** Clamp to `[minVal, maxVal]`; the gradient is 0 at and beyond the bounds. */
export function hardtanh(
  input: Tensor,
  minVal: number | { minVal?: number; maxVal?: number; inplace?: boolean } = -1,
  maxVal = 1,
  inplace = false,
): Tensor {
  const [lo, hi, ip] =
    typeof minVal === "object" ? [minVal.minVal ?? -1, minVal.maxVal ?? 1, minVal.inplace ?? false] : [minVal, maxVal, inplace];
  if (ip) {
    input._raw.hardtanh_(lo, hi);
    return input;
  }
  return new Tensor(input._raw.hardtanh(lo, hi));
}
/** In-place {@link hardtanh}. */
export function hardtanh_(input: Tensor, minVal = -1, maxVal = 1): Tensor {
  return hardtanh(input, minVal, maxVal, true);
}
/** `clamp(x + 3, 0, 6) / 6`; gradient `1/6` on the open interval (-3, 3). */
export function hardsigmoid(input: Tensor, inplace: boolean | InplaceOptions = false): Tensor {
  if (flag(inplace)) {
    input._raw.hardsigmoid_();
    return input;
  }
  return new Tensor(input._raw.hardsigmoid());
}
/** `x·clamp(x + 3, 0, 6) / 6`. */
export function hardswish(input: Tensor, inplace: boolean | InplaceOptions = false): Tensor {
  if (flag(inplace)) {
    input._raw.hardswish_();
    return input;
  }
  return new Tensor(input._raw.hardswish());
}
/** 0 on `[-lambd, lambd]`, `x` elsewhere. */
export function hardshrink(input: Tensor, lambd: number | { lambd?: number } = 0.5): Tensor {
  return new Tensor(input._raw.hardshrink(typeof lambd === "number" ? lambd : (lambd.lambd ?? 0.5)));
}
/** `x ∓ lambd` outside `[-lambd, lambd]`, 0 inside. */
export function softshrink(input: Tensor, lambd: number | { lambd?: number } = 0.5): Tensor {
  return new Tensor(input._raw.softshrink(typeof lambd === "number" ? lambd : (lambd.lambd ?? 0.5)));
}
/** `log(sigmoid(x))`, computed stably. */
export function logsigmoid(input: Tensor): Tensor {
  return new Tensor(input._raw.logsigmoid());
}
/** `1 / (1 + exp(-x))`. */
export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}
/** Hyperbolic tangent. */
export function tanh(input: Tensor): Tensor {
  return input.tanh();
}
/** Softmax along `dim`. */
export function softmax(input: Tensor, dim: number | { dim: number }): Tensor {
  return input.softmax(typeof dim === "number" ? dim : dim.dim);
}
/** Log-softmax along `dim`. */
export function logSoftmax(input: Tensor, dim: number | { dim: number }): Tensor {
  return input.logSoftmax(typeof dim === "number" ? dim : dim.dim);
}

// ---- linear, dropout, embedding, pad ---------------------------------------------------------

/** `input @ weight.T + bias` (`weight`: `[out, in]`). */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return new Tensor(input._raw.linear(weight._raw, opt(bias)));
}
/** `y = x1ᵀ·W·x2 + b` with `weight`: `[out, in1, in2]`. */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return new Tensor(input1._raw.bilinear(input2._raw, weight._raw, opt(bias)));
}
/**
 * Zeroes elements with probability `p` and scales the rest by `1/(1-p)`. The mask comes from
 * the global generator (`manualSeed` makes it reproducible; it follows PyTorch's default CPU
 * bernoulli stream, which PyTorch's MKL builds on Intel CPUs do not use). Identity (the input
 * itself) when `p = 0` or `training = false`. `inplace` overwrites the input and returns it.
 */
export function dropout(
  input: Tensor,
  p: number | { p?: number; training?: boolean; inplace?: boolean } = 0.5,
  training = true,
  inplace = false,
): Tensor {
  const [prob, train, ip] = typeof p === "object" ? [p.p ?? 0.5, p.training ?? true, p.inplace ?? false] : [p, training, inplace];
  if (ip) {
    input._raw.dropout_(prob, train);
    return input;
  }
  // PyTorch returns the input itself when nothing is dropped
  if ((prob === 0 || !train) && prob >= 0 && prob <= 1) return input;
  return new Tensor(input._raw.dropout(prob, train));
}
/** Options of {@link embedding}. */
export interface EmbeddingOptions {
  /** This row gets no gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows referenced by `input` whose norm exceeds this are first rescaled in place to norm `maxNorm`. */
  maxNorm?: number | null;
  /** The p of the `maxNorm` norm (default 2). */
  normType?: number;
  /** Divide each row's gradient by how often its index occurs in `input`. */
  scaleGradByFreq?: boolean;
  /** Not supported (tensorgrad has no sparse tensors): `true` throws. */
  sparse?: boolean;
}
/** @internal The error for `sparse: true` of embedding and nn.Embedding. */
export function sparseEmbeddingError(): Error {
  return new Error(
    "embedding: sparse=true is not supported: tensorgrad has no sparse tensors, so sparse gradients are not supported (use sparse: false for a dense gradient)",
  );
}
/**
 * Rows of `weight` picked by the int64/int32 `input`; the `paddingIdx` row gets no gradient.
 * PyTorch's `maxNorm`: every row `input` references whose `normType`-norm exceeds `maxNorm`
 * is first scaled in place (no gradient) by `maxNorm / (norm + 1e-7)`, so `weight` changes.
 * `scaleGradByFreq` divides each row's gradient by its index's count in `input`.
 */
export function embedding(
  input: Tensor,
  weight: Tensor,
  paddingIdx?: number | null | EmbeddingOptions,
  maxNorm?: number | null,
  normType = 2.0,
  scaleGradByFreq = false,
  sparse = false,
): Tensor {
  const o: EmbeddingOptions =
    typeof paddingIdx === "object" && paddingIdx !== null ? paddingIdx : { paddingIdx, maxNorm, normType, scaleGradByFreq, sparse };
  if (o.sparse) throw sparseEmbeddingError();
  if (o.maxNorm !== null && o.maxNorm !== undefined) {
    weight._raw.embeddingRenorm_(input._raw, o.maxNorm, o.normType ?? 2.0);
  }
  return new Tensor(input._raw.embedding(weight._raw, o.paddingIdx ?? undefined, o.scaleGradByFreq ?? false));
}
/** One-hot encoding (int64) of an int64 tensor, with a trailing class dim (`-1` infers `max + 1`). */
export function oneHot(tensor: Tensor, numClasses: number | { numClasses?: number } = -1): Tensor {
  const n = typeof numClasses === "number" ? numClasses : (numClasses.numClasses ?? -1);
  return new Tensor(tensor._raw.oneHot(n));
}
/** Padding mode of {@link pad}. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";
/**
 * Pads the last `pad.length/2` dims: `pad = [left, right, top, bottom, ...]`, starting from the
 * last dim. `constant` (negative amounts crop), `reflect`, `replicate`, `circular`.
 */
export function pad(
  input: Tensor,
  pad: number[],
  mode: PadMode | { mode?: PadMode; value?: number | null } = "constant",
  value?: number | null,
): Tensor {
  for (const p of pad) {
    if (!Number.isInteger(p)) throw new TypeError(`pad must be a list of integers, got ${JSON.stringify(pad)}`);
  }
  let m: PadMode = "constant";
  let v = value;
  if (typeof mode === "object") {
    m = mode.mode ?? "constant";
    v = mode.value;
  } else m = mode;
  return new Tensor(input._raw.pad(Float64Array.from(pad), m, v ?? undefined));
}

// ---- normalisation ------------------------------------------------------------------------

/** Normalises over the trailing `normalizedShape` dims (biased variance), then `·weight + bias`. */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | number[],
  weight?: Tensor | null | { weight?: Tensor | null; bias?: Tensor | null; eps?: number },
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  const ns = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
  if (weight && !(weight instanceof Tensor)) {
    return new Tensor(input._raw.layerNorm(Uint32Array.from(ns), opt(weight.weight), opt(weight.bias), weight.eps ?? 1e-5));
  }
  return new Tensor(input._raw.layerNorm(Uint32Array.from(ns), opt(weight as Tensor | null | undefined), opt(bias), eps));
}
/** Options of {@link batchNorm}. */
export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}
/**
 * Batch normalisation of `[N, C, ...]`. Training uses the batch statistics and updates
 * `runningMean`/`runningVar` in place (`runningVar` with the unbiased variance); otherwise the
 * running stats are used.
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null | undefined,
  runningVar: Tensor | null | undefined,
  weight?: Tensor | null | BatchNormOptions,
  bias?: Tensor | null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (weight && !(weight instanceof Tensor)) {
    const o = weight;
    return new Tensor(
      input._raw.batchNorm(opt(runningMean), opt(runningVar), opt(o.weight), opt(o.bias), o.training ?? false, o.momentum ?? 0.1, o.eps ?? 1e-5),
    );
  }
  return new Tensor(
    input._raw.batchNorm(opt(runningMean), opt(runningVar), opt(weight as Tensor | null | undefined), opt(bias), training, momentum, eps),
  );
}
/** Group normalisation of `[N, C, ...]` over `numGroups` groups of channels. */
export function groupNorm(
  input: Tensor,
  numGroups: number,
  weight?: Tensor | null | { weight?: Tensor | null; bias?: Tensor | null; eps?: number },
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  if (!Number.isInteger(numGroups) || numGroups < 0) throw new TypeError(`num_groups must be a non-negative integer, got ${numGroups}`);
  if (weight && !(weight instanceof Tensor)) {
    return new Tensor(input._raw.groupNorm(numGroups, opt(weight.weight), opt(weight.bias), weight.eps ?? 1e-5));
  }
  return new Tensor(input._raw.groupNorm(numGroups, opt(weight as Tensor | null | undefined), opt(bias), eps));
}

// ---- losses ---------------------------------------------------------------------------------

/** Mean squared error. */
export function mseLoss(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  return new Tensor(input._raw.mseLoss(target._raw, red(options)));
}
/** Mean absolute error (`(x - y).abs()` reduced). */
export function l1Loss(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  return new Tensor(input._raw.l1Loss(target._raw, red(options)));
}
/** Smooth L1: `0.5·d²/beta` for `|d| < beta`, else `|d| - 0.5·beta`. */
export function smoothL1Loss(input: Tensor, target: Tensor, options?: ReductionOptions & { beta?: number }): Tensor {
  return new Tensor(input._raw.smoothL1Loss(target._raw, red(options), options?.beta ?? 1.0));
}
/** Huber: `0.5·d²` for `|d| < delta`, else `delta·(|d| - 0.5·delta)`. */
export function huberLoss(input: Tensor, target: Tensor, options?: ReductionOptions & { delta?: number }): Tensor {
  return new Tensor(input._raw.huberLoss(target._raw, red(options), options?.delta ?? 1.0));
}
/** Options of {@link crossEntropy} and {@link nllLoss}. */
export interface NllOptions extends ReductionOptions {
  /** Per-class weights `[C]`. */
  weight?: Tensor | null;
  /** Targets equal to this are skipped (default -100). */
  ignoreIndex?: number;
}
/**
 * Cross entropy of logits `input` (`[C]`, `[N, C]` or `[N, C, d1, ...]`) with class indices
 * (int64, `[N]` or `[N, d1, ...]`) or class probabilities (float, the input's shape).
 */
export function crossEntropy(input: Tensor, target: Tensor, options?: NllOptions & { labelSmoothing?: number }): Tensor {
  return new Tensor(
    input._raw.crossEntropy(target._raw, opt(options?.weight), options?.ignoreIndex ?? -100, red(options), options?.labelSmoothing ?? 0),
  );
}
/** Negative log-likelihood of log-probabilities; the mean divides by the summed weights of the non-ignored targets. */
export function nllLoss(input: Tensor, target: Tensor, options?: NllOptions): Tensor {
  return new Tensor(input._raw.nllLoss(target._raw, opt(options?.weight), options?.ignoreIndex ?? -100, red(options)));
}
/** Binary cross entropy of probabilities (logs clamped at -100). */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options?: ReductionOptions & { weight?: Tensor | null }): Tensor {
  return new Tensor(input._raw.binaryCrossEntropy(target._raw, opt(options?.weight), red(options)));
}
/** Binary cross entropy of logits, with optional `weight` and `posWeight` (positive-class weight, broadcast over the last dim). */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options?: ReductionOptions & { weight?: Tensor | null; posWeight?: Tensor | null },
): Tensor {
  return new Tensor(input._raw.binaryCrossEntropyWithLogits(target._raw, opt(options?.weight), opt(options?.posWeight), red(options)));
}
/** KL divergence with log-probability `input`; `reduction` also accepts 'batchmean'. */
export function klDiv(
  input: Tensor,
  target: Tensor,
  options?: { reduction?: Reduction | "batchmean"; logTarget?: boolean },
): Tensor {
  return new Tensor(input._raw.klDiv(target._raw, options?.reduction ?? "mean", options?.logTarget ?? false));
}
/** `1 - cos(x1, x2)` where `target == 1`, `max(0, cos - margin)` where `target == -1`. */
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  options?: ReductionOptions & { margin?: number },
): Tensor {
  return new Tensor(input1._raw.cosineEmbeddingLoss(input2._raw, target._raw, options?.margin ?? 0, red(options)));
}

/** The functions of this file, merged into the public `nn.functional`. */
export const nnFunctional = {
  relu,
  relu_,
  relu6,
  leakyRelu,
  leakyRelu_,
  elu,
  elu_,
  selu,
  selu_,
  celu,
  celu_,
  gelu,
  silu,
  mish,
  softplus,
  softsign,
  hardtanh,
  hardtanh_,
  hardsigmoid,
  hardswish,
  hardshrink,
  softshrink,
  logsigmoid,
  sigmoid,
  tanh,
  softmax,
  logSoftmax,
  linear,
  bilinear,
  dropout,
  embedding,
  oneHot,
  pad,
  layerNorm,
  batchNorm,
  groupNorm,
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  crossEntropy,
  nllLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  klDiv,
  cosineEmbeddingLoss,
};
