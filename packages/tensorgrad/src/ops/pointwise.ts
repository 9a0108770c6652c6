// The pointwise op family: Tensor methods (added to Tensor.prototype, typed by declaration
// merging) and their function forms. Bindings: crates/tensorgrad-wasm/src/ops_pointwise.rs.
import { Tensor, asTensor, type TensorLike } from "../tensor.js";

/** Options of {@link Tensor.nanToNum}: the replacements for nan, +inf and -inf. */
export interface NanToNumOptions {
  /** Replaces nan (default 0). */
  nan?: number | null;
  /** Replaces +inf (default: the dtype's largest finite value). */
  posinf?: number | null;
  /** Replaces -inf (default: the dtype's lowest finite value). */
  neginf?: number | null;
}

/** Options of {@link Tensor.round}. */
export interface RoundOptions {
  /** Number of decimal places (negative rounds to tens, hundreds, ...). */
  decimals?: number;
}

/** Keyword bounds of {@link Tensor.clamp}: `x.clamp({ min: 0 })`. */
export interface ClampOptions {
  min?: TensorLike | null;
  max?: TensorLike | null;
}

/** Options of {@link Tensor.addcmul} and {@link Tensor.addcdiv}. */
export interface AddcOptions {
  /** Multiplier of the product/quotient (default 1). */
  value?: number;
}

declare module "../tensor.js" {
  interface Tensor {
    /** `|x|`; gradient `g·sgn(x)` (0 at 0). Integers keep their dtype. */
    abs(): Tensor;
    /** Alias of {@link Tensor.abs}. */
    absolute(): Tensor;
    /** -1, 0 or 1 (0 for ±0 and nan); zero gradient. */
    sign(): Tensor;
    /** `sign` for real tensors (PyTorch's `sgn`). */
    sgn(): Tensor;
    /** `x²` (`pow(x, 2)`); integers stay integers, bool gives int64. */
    square(): Tensor;
    /** `2^x`. */
    exp2(): Tensor;
    /** `e^x - 1`, accurate near 0. */
    expm1(): Tensor;
    /** Base-2 logarithm. */
    log2(): Tensor;
    /** Base-10 logarithm. */
    log10(): Tensor;
    /** `ln(1 + x)`, accurate near 0. */
    log1p(): Tensor;
    /** `1/√x`. */
    rsqrt(): Tensor;
    /** `1/x` (integers give float32). */
    reciprocal(): Tensor;
    /** Tangent. */
    tan(): Tensor;
    /** Arcsine (nan outside [-1, 1]). */
    asin(): Tensor;
    /** Alias of {@link Tensor.asin}. */
    arcsin(): Tensor;
    /** Arccosine (nan outside [-1, 1]). */
    acos(): Tensor;
    /** Alias of {@link Tensor.acos}. */
    arccos(): Tensor;
    /** Arctangent. */
    atan(): Tensor;
    /** Alias of {@link Tensor.atan}. */
    arctan(): Tensor;
    /** Hyperbolic sine. */
    sinh(): Tensor;
    /** Hyperbolic cosine. */
    cosh(): Tensor;
    /** Inverse hyperbolic sine. */
    asinh(): Tensor;
    /** Alias of {@link Tensor.asinh}. */
    arcsinh(): Tensor;
    /** Inverse hyperbolic cosine (nan below 1). */
    acosh(): Tensor;
    /** Alias of {@link Tensor.acosh}. */
    arccosh(): Tensor;
    /** Inverse hyperbolic tangent (±inf at ±1). */
    atanh(): Tensor;
    /** Alias of {@link Tensor.atanh}. */
    arctanh(): Tensor;
    /** The error function. */
    erf(): Tensor;
    /** `1 - erf(x)`, accurate in the tail. */
    erfc(): Tensor;
    /** The inverse error function (±inf at ±1, nan outside [-1, 1]). */
    erfinv(): Tensor;
    /** Round down; zero gradient; integers unchanged. */
    floor(): Tensor;
    /** Round up; zero gradient; integers unchanged. */
    ceil(): Tensor;
    /** Round half to even, optionally to `{ decimals }` places; zero gradient. */
    round(options?: RoundOptions): Tensor;
    /** Round toward zero; zero gradient. */
    trunc(): Tensor;
    /** Alias of {@link Tensor.trunc}. */
    fix(): Tensor;
    /** `x - trunc(x)` (floating dtypes only). */
    frac(): Tensor;
    /**
     * Replace nan, +inf and -inf (defaults: 0 and the dtype's extreme finite values), given
     * positionally as in PyTorch or as `{ nan, posinf, neginf }`. Gradient `g·isfinite(x)`.
     */
    nanToNum(nan?: number | null | NanToNumOptions, posinf?: number | null, neginf?: number | null): Tensor;
    /** Elementwise nan test (bool). */
    isnan(): Tensor;
    /** Elementwise ±inf test (bool). */
    isinf(): Tensor;
    /** Elementwise finiteness test (bool). */
    isfinite(): Tensor;
    /** Elementwise +inf test (bool). */
    isposinf(): Tensor;
    /** Elementwise -inf test (bool). */
    isneginf(): Tensor;
    /** `max(x, 0)`; gradient 0 at 0; nan stays nan and passes the gradient. */
    relu(): Tensor;
    /** In-place {@link Tensor.relu} (ReluBackward0); refused on a leaf that requires grad outside noGrad. */
    relu_(): this;
    /**
     * Clamp into `[min, max]` (either may be null/omitted; numbers or tensors, broadcast), or
     * `clamp({ min, max })`. Gradient 1 on the closed interval; `min > max` gives `max`.
     */
    clamp(min?: TensorLike | null | ClampOptions, max?: TensorLike | null): Tensor;
    /** Alias of {@link Tensor.clamp}. */
    clip(min?: TensorLike | null | ClampOptions, max?: TensorLike | null): Tensor;
    /** `clamp(min, null)`; gradient where `x >= min`. */
    clampMin(min: TensorLike): Tensor;
    /** `clamp(null, max)`; gradient where `x <= max`. */
    clampMax(max: TensorLike): Tensor;
    /** In-place {@link Tensor.clamp}. */
    clamp_(min?: TensorLike | null | ClampOptions, max?: TensorLike | null): this;
    /** Alias of {@link Tensor.clamp_}. */
    clip_(min?: TensorLike | null | ClampOptions, max?: TensorLike | null): this;
    /** Elementwise maximum (nan propagates; ties split the gradient in half). */
    maximum(other: TensorLike): Tensor;
    /** Elementwise minimum (nan propagates; ties split the gradient in half). */
    minimum(other: TensorLike): Tensor;
    /** Elementwise maximum ignoring nan (ties: all gradient to self). */
    fmax(other: TensorLike): Tensor;
    /** Elementwise minimum ignoring nan (ties: all gradient to self). */
    fmin(other: TensorLike): Tensor;
    /** `atan2(self, other)`, the angle of (other, self). */
    atan2(other: TensorLike): Tensor;
    /** Alias of {@link Tensor.atan2}. */
    arctan2(other: TensorLike): Tensor;
    /** `√(self² + other²)` (floating dtypes only). */
    hypot(other: TensorLike): Tensor;
    /** C-style remainder, with the sign of the dividend. */
    fmod(other: TensorLike): Tensor;
    /** Python-style remainder, with the sign of the divisor. */
    remainder(other: TensorLike): Tensor;
    /** `self + weight·(end - self)`; `end` (and a tensor weight) must have self's dtype. */
    lerp(end: Tensor, weight: TensorLike): Tensor;
    /** `self + value·tensor1·tensor2`. */
    addcmul(tensor1: Tensor, tensor2: Tensor, options?: AddcOptions): Tensor;
    /** `self + value·tensor1/tensor2`. */
    addcdiv(tensor1: Tensor, tensor2: Tensor, options?: AddcOptions): Tensor;
    /** `self·ln(other)`, 0 where self is 0. */
    xlogy(other: TensorLike): Tensor;
    /** `ln(e^self + e^other)`, computed stably. */
    logaddexp(other: TensorLike): Tensor;
    /** `log2(2^self + 2^other)`, computed stably. */
    logaddexp2(other: TensorLike): Tensor;
    /** `|self|` with the sign of `other`. */
    copysign(other: TensorLike): Tensor;
  }
}

type UnaryName =
  | "abs"
  | "sign"
  | "sgn"
  | "square"
  | "exp2"
  | "expm1"
  | "log2"
  | "log10"
  | "log1p"
  | "rsqrt"
  | "reciprocal"
  | "tan"
  | "asin"
  | "acos"
  | "atan"
  | "sinh"
  | "cosh"
  | "asinh"
  | "acosh"
  | "atanh"
  | "erf"
  | "erfc"
  | "erfinv"
  | "floor"
  | "ceil"
  | "trunc"
  | "frac"
  | "isnan"
  | "isinf"
  | "isfinite"
  | "isposinf"
  | "isneginf"
  | "relu";

const UNARY: UnaryName[] = [
  "abs",
  "sign",
  "sgn",
  "square",
  "exp2",
  "expm1",
  "log2",
  "log10",
  "log1p",
  "rsqrt",
  "reciprocal",
  "tan",
  "asin",
  "acos",
  "atan",
  "sinh",
  "cosh",
  "asinh",
  "acosh",
  "atanh",
  "erf",
  "erfc",
  "erfinv",
  "floor",
  "ceil",
  "trunc",
  "frac",
  "isnan",
  "isinf",
  "isfinite",
  "isposinf",
  "isneginf",
  "relu",
];

for (const name of UNARY) {
  (Tensor.prototype as unknown as Record<string, (this: Tensor) => Tensor>)[name] = function (this: Tensor) {
    return new Tensor(this._raw[name]());
  };
}

Tensor.prototype.relu_ = function <T extends Tensor>(this: T): T {
  this._raw.relu_();
  return this;
};

const ALIASES: [string, string][] = [
  ["absolute", "abs"],
  ["arcsin", "asin"],
  ["arccos", "acos"],
  ["arctan", "atan"],
  ["arcsinh", "asinh"],
  ["arccosh", "acosh"],
  ["arctanh", "atanh"],
  ["fix", "trunc"],
  ["clip", "clamp"],
  ["clip_", "clamp_"],
  ["arctan2", "atan2"],
];

Tensor.prototype.round = function (this: Tensor, options?: RoundOptions) {
  const decimals = options?.decimals;
  if (decimals === undefined) return new Tensor(this._raw.round());
  if (!Number.isInteger(decimals)) throw new TypeError(`round(): decimals must be an integer, got ${decimals}`);
  return new Tensor(this._raw.roundDecimals(decimals));
};

function isOptions(v: unknown): v is NanToNumOptions {
  return typeof v === "object" && v !== null && !(v instanceof Tensor);
}

Tensor.prototype.nanToNum = function (
  this: Tensor,
  nan?: number | null | NanToNumOptions,
  posinf?: number | null,
  neginf?: number | null,
) {
  const o: NanToNumOptions = isOptions(nan) ? nan : { nan, posinf, neginf };
  return new Tensor(this._raw.nanToNum(o.nan ?? undefined, o.posinf ?? undefined, o.neginf ?? undefined));
};

/** Normalise clamp's arguments: positional bounds or a `{ min, max }` object. */
function clampBounds(
  min: TensorLike | null | ClampOptions | undefined,
  max: TensorLike | null | undefined,
): [TensorLike | null, TensorLike | null] {
  if (typeof min === "object" && min !== null && !(min instanceof Tensor)) {
    return [min.min ?? null, min.max ?? null];
  }
  return [min ?? null, max ?? null];
}

Tensor.prototype.clamp = function (this: Tensor, min?: TensorLike | null | ClampOptions, max?: TensorLike | null) {
  const [lo, hi] = clampBounds(min, max);
  if (lo instanceof Tensor || hi instanceof Tensor) {
    const l = lo === null ? undefined : asTensor(lo, this)._raw.alias();
    const h = hi === null ? undefined : asTensor(hi, this)._raw.alias();
    return new Tensor(this._raw.clampTensor(l, h));
  }
  return new Tensor(this._raw.clamp(lo ?? undefined, hi ?? undefined));
};

Tensor.prototype.clamp_ = function <T extends Tensor>(this: T, min?: TensorLike | null | ClampOptions, max?: TensorLike | null): T {
  const [lo, hi] = clampBounds(min, max);
  if (lo instanceof Tensor || hi instanceof Tensor) {
    const l = lo === null ? undefined : asTensor(lo, this)._raw.alias();
    const h = hi === null ? undefined : asTensor(hi, this)._raw.alias();
    this._raw.clampTensor_(l, h);
  } else {
    this._raw.clamp_(lo ?? undefined, hi ?? undefined);
  }
  return this;
};

Tensor.prototype.clampMin = function (this: Tensor, min: TensorLike) {
  return new Tensor(typeof min === "number" ? this._raw.clampMin(min) : this._raw.clampMinTensor(min._raw));
};

Tensor.prototype.clampMax = function (this: Tensor, max: TensorLike) {
  return new Tensor(typeof max === "number" ? this._raw.clampMax(max) : this._raw.clampMaxTensor(max._raw));
};

type BinaryName =
  | "maximum"
  | "minimum"
  | "fmax"
  | "fmin"
  | "atan2"
  | "hypot"
  | "xlogy"
  | "logaddexp"
  | "logaddexp2";

const BINARY: BinaryName[] = ["maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "xlogy", "logaddexp", "logaddexp2"];

for (const name of BINARY) {
  (Tensor.prototype as unknown as Record<string, (this: Tensor, other: TensorLike) => Tensor>)[name] = function (
    this: Tensor,
    other: TensorLike,
  ) {
    return new Tensor(this._raw[name](asTensor(other, this)._raw));
  };
}

Tensor.prototype.fmod = function (this: Tensor, other: TensorLike) {
  return new Tensor(typeof other === "number" ? this._raw.fmodScalar(other) : this._raw.fmod(other._raw));
};

Tensor.prototype.remainder = function (this: Tensor, other: TensorLike) {
  return new Tensor(typeof other === "number" ? this._raw.remainderScalar(other) : this._raw.remainder(other._raw));
};

Tensor.prototype.copysign = function (this: Tensor, other: TensorLike) {
  return new Tensor(typeof other === "number" ? this._raw.copysignScalar(other) : this._raw.copysign(other._raw));
};

Tensor.prototype.lerp = function (this: Tensor, end: Tensor, weight: TensorLike) {
  return new Tensor(typeof weight === "number" ? this._raw.lerp(end._raw, weight) : this._raw.lerpTensor(end._raw, weight._raw));
};

Tensor.prototype.addcmul = function (this: Tensor, tensor1: Tensor, tensor2: Tensor, options?: AddcOptions) {
  return new Tensor(this._raw.addcmul(tensor1._raw, tensor2._raw, options?.value ?? 1));
};

Tensor.prototype.addcdiv = function (this: Tensor, tensor1: Tensor, tensor2: Tensor, options?: AddcOptions) {
  return new Tensor(this._raw.addcdiv(tensor1._raw, tensor2._raw, options?.value ?? 1));
};

for (const [alias, target] of ALIASES) {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  proto[alias] = proto[target];
}

// ---- function forms (`torch.abs(x)` -> `abs(x)`) ---------------------------------------------

/** `|input|`. */
export function abs(input: Tensor): Tensor {
  return input.abs();
}
/** Alias of {@link abs}. */
export function absolute(input: Tensor): Tensor {
  return input.abs();
}
/** -1, 0 or 1 elementwise. */
export function sign(input: Tensor): Tensor {
  return input.sign();
}
/** `sign` for real tensors. */
export function sgn(input: Tensor): Tensor {
  return input.sgn();
}
/** `input²`. */
export function square(input: Tensor): Tensor {
  return input.square();
}
/** `2^input`. */
export function exp2(input: Tensor): Tensor {
  return input.exp2();
}
/** `e^input - 1`. */
export function expm1(input: Tensor): Tensor {
  return input.expm1();
}
/** Base-2 logarithm. */
export function log2(input: Tensor): Tensor {
  return input.log2();
}
/** Base-10 logarithm. */
export function log10(input: Tensor): Tensor {
  return input.log10();
}
/** `ln(1 + input)`. */
export function log1p(input: Tensor): Tensor {
  return input.log1p();
}
/** `1/√input`. */
export function rsqrt(input: Tensor): Tensor {
  return input.rsqrt();
}
/** `1/input`. */
export function reciprocal(input: Tensor): Tensor {
  return input.reciprocal();
}
/** Tangent. */
export function tan(input: Tensor): Tensor {
  return input.tan();
}
/** Arcsine. */
export function asin(input: Tensor): Tensor {
  return input.asin();
}
/** Alias of {@link asin}. */
export function arcsin(input: Tensor): Tensor {
  return input.asin();
}
/** Arccosine. */
export function acos(input: Tensor): Tensor {
  return input.acos();
}
/** Alias of {@link acos}. */
export function arccos(input: Tensor): Tensor {
  return input.acos();
}
/** Arctangent. */
export function atan(input: Tensor): Tensor {
  return input.atan();
}
/** Alias of {@link atan}. */
export function arctan(input: Tensor): Tensor {
  return input.atan();
}
/** Hyperbolic sine. */
export function sinh(input: Tensor): Tensor {
  return input.sinh();
}
/** Hyperbolic cosine. */
export function cosh(input: Tensor): Tensor {
  return input.cosh();
}
/** Inverse hyperbolic sine. */
export function asinh(input: Tensor): Tensor {
  return input.asinh();
}
/** Alias of {@link asinh}. */
export function arcsinh(input: Tensor): Tensor {
  return input.asinh();
}
/** Inverse hyperbolic cosine. */
export function acosh(input: Tensor): Tensor {
  return input.acosh();
}
/** Alias of {@link acosh}. */
export function arccosh(input: Tensor): Tensor {
  return input.acosh();
}
/** Inverse hyperbolic tangent. */
export function atanh(input: Tensor): Tensor {
  return input.atanh();
}
/** Alias of {@link atanh}. */
export function arctanh(input: Tensor): Tensor {
  return input.atanh();
}
/** The error function. */
export function erf(input: Tensor): Tensor {
  return input.erf();
}
/** `1 - erf(input)`. */
export function erfc(input: Tensor): Tensor {
  return input.erfc();
}
/** The inverse error function. */
export function erfinv(input: Tensor): Tensor {
  return input.erfinv();
}
/** Round down. */
export function floor(input: Tensor): Tensor {
  return input.floor();
}
/** Round up. */
export function ceil(input: Tensor): Tensor {
  return input.ceil();
}
/** Round half to even, optionally to `{ decimals }` places. */
export function round(input: Tensor, options?: RoundOptions): Tensor {
  return input.round(options);
}
/** Round toward zero. */
export function trunc(input: Tensor): Tensor {
  return input.trunc();
}
/** Alias of {@link trunc}. */
export function fix(input: Tensor): Tensor {
  return input.trunc();
}
/** `input - trunc(input)`. */
export function frac(input: Tensor): Tensor {
  return input.frac();
}
/** Replace nan/±inf: `nanToNum(x, nan?, posinf?, neginf?)` or `nanToNum(x, { nan, posinf, neginf })`. */
export function nanToNum(
  input: Tensor,
  nan?: number | null | NanToNumOptions,
  posinf?: number | null,
  neginf?: number | null,
): Tensor {
  return input.nanToNum(nan, posinf, neginf);
}
/** Elementwise nan test. */
export function isnan(input: Tensor): Tensor {
  return input.isnan();
}
/** Elementwise ±inf test. */
export function isinf(input: Tensor): Tensor {
  return input.isinf();
}
/** Elementwise finiteness test. */
export function isfinite(input: Tensor): Tensor {
  return input.isfinite();
}
/** Elementwise +inf test. */
export function isposinf(input: Tensor): Tensor {
  return input.isposinf();
}
/** Elementwise -inf test. */
export function isneginf(input: Tensor): Tensor {
  return input.isneginf();
}
/** `max(input, 0)`. */
export function relu(input: Tensor): Tensor {
  return input.relu();
}
/** In-place `max(input, 0)`; returns `input`. */
export function relu_(input: Tensor): Tensor {
  return input.relu_();
}
/** Clamp into `[min, max]` (numbers or tensors; either may be null), or `clamp(x, { min, max })`. */
export function clamp(input: Tensor, min?: TensorLike | null | ClampOptions, max?: TensorLike | null): Tensor {
  return input.clamp(min, max);
}
/** Alias of {@link clamp}. */
export function clip(input: Tensor, min?: TensorLike | null | ClampOptions, max?: TensorLike | null): Tensor {
  return input.clamp(min, max);
}
/** `clamp(input, min, null)`. */
export function clampMin(input: Tensor, min: TensorLike): Tensor {
  return input.clampMin(min);
}
/** `clamp(input, null, max)`. */
export function clampMax(input: Tensor, max: TensorLike): Tensor {
  return input.clampMax(max);
}
/** Elementwise maximum (nan propagates). */
export function maximum(input: Tensor, other: TensorLike): Tensor {
  return input.maximum(other);
}
/** Elementwise minimum (nan propagates). */
export function minimum(input: Tensor, other: TensorLike): Tensor {
  return input.minimum(other);
}
/** Elementwise maximum ignoring nan. */
export function fmax(input: Tensor, other: TensorLike): Tensor {
  return input.fmax(other);
}
/** Elementwise minimum ignoring nan. */
export function fmin(input: Tensor, other: TensorLike): Tensor {
  return input.fmin(other);
}
/** `atan2(input, other)`. */
export function atan2(input: Tensor, other: TensorLike): Tensor {
  return input.atan2(other);
}
/** Alias of {@link atan2}. */
export function arctan2(input: Tensor, other: TensorLike): Tensor {
  return input.atan2(other);
}
/** `√(input² + other²)`. */
export function hypot(input: Tensor, other: TensorLike): Tensor {
  return input.hypot(other);
}
/** C-style remainder (sign of the dividend). */
export function fmod(input: Tensor, other: TensorLike): Tensor {
  return input.fmod(other);
}
/** Python-style remainder (sign of the divisor). */
export function remainder(input: Tensor, other: TensorLike): Tensor {
  return input.remainder(other);
}
/** `input + weight·(end - input)`. */
export function lerp(input: Tensor, end: Tensor, weight: TensorLike): Tensor {
  return input.lerp(end, weight);
}
/** `input + value·tensor1·tensor2`. */
export function addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, options?: AddcOptions): Tensor {
  return input.addcmul(tensor1, tensor2, options);
}
/** `input + value·tensor1/tensor2`. */
export function addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, options?: AddcOptions): Tensor {
  return input.addcdiv(tensor1, tensor2, options);
}
/** `input·ln(other)`, 0 where input is 0 (either may be a number). */
export function xlogy(input: TensorLike, other: TensorLike): Tensor {
  return asTensor(input, other instanceof Tensor ? other : undefined).xlogy(other);
}
/** `ln(e^input + e^other)`. */
export function logaddexp(input: Tensor, other: TensorLike): Tensor {
  return input.logaddexp(other);
}
/** `log2(2^input + 2^other)`. */
export function logaddexp2(input: Tensor, other: TensorLike): Tensor {
  return input.logaddexp2(other);
}
/** `|input|` with the sign of `other`. */
export function copysign(input: Tensor, other: TensorLike): Tensor {
  return input.copysign(other);
}
