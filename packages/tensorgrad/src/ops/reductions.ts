// The reductions op family: Tensor methods (added to Tensor.prototype, typed by declaration
// merging) and their function forms. Bindings: crates/tensorgrad-wasm/src/ops_reductions.rs.
// sum and mean live on the Tensor class itself (tensor.ts).
import { Tensor, type ReduceOptions } from "../tensor.js";
import type { RawTensor } from "../wasm.js";

/** Options of var/std/varMean/stdMean: PyTorch's keyword arguments. */
export interface VarOptions {
  /** Subtracted from the number of elements in the divisor (Bessel's correction); default 1. */
  correction?: number;
  keepdim?: boolean;
}

/** `(values, indices)` of max/min over a dim, as PyTorch's `torch.return_types.max`; also iterable as `[values, indices]`. */
export interface ValuesIndices {
  readonly values: Tensor;
  readonly indices: Tensor;
  [Symbol.iterator](): Iterator<Tensor>;
}

type Dims = number | number[];

declare module "../tensor.js" {
  interface Tensor {
    /** Product of all elements, or over `dim` (integers and bools multiply in int64). */
    prod(dim?: number | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
    /** Maximum of all elements (the gradient is split among ties). */
    max(): Tensor;
    /** Maximum over `dim`: `{ values, indices }`, indices (int64) of the first maximal element. */
    max(dim: number, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): ValuesIndices;
    /** Elementwise maximum with `other` (same as `maximum`). */
    max(other: Tensor): Tensor;
    /** Minimum of all elements (the gradient is split among ties). */
    min(): Tensor;
    /** Minimum over `dim`: `{ values, indices }`, indices (int64) of the first minimal element. */
    min(dim: number, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): ValuesIndices;
    /** Elementwise minimum with `other` (same as `minimum`). */
    min(other: Tensor): Tensor;
    /** Maximum over `dim` (all dims by default); the gradient is split among the ties of each slice. */
    amax(dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
    /** Minimum over `dim` (all dims by default); the gradient is split among the ties of each slice. */
    amin(dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
    /** Index (int64) of the first maximal element over `dim`, or into the flattened tensor. */
    argmax(dim?: number | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
    /** Index (int64) of the first minimal element over `dim`, or into the flattened tensor. */
    argmin(dim?: number | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
    /** Variance over `dim` (all by default) with `{ correction = 1, keepdim }`. */
    var(dim?: Dims | null | VarOptions, options?: VarOptions): Tensor;
    /** Standard deviation over `dim` (all by default) with `{ correction = 1, keepdim }`. */
    std(dim?: Dims | null | VarOptions, options?: VarOptions): Tensor;
    /** `log(sum(exp(x)))` over `dim`, computed stably. */
    logsumexp(dim: Dims, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
    /** Cumulative sum along `dim` (integers and bools accumulate in int64). */
    cumsum(dim: number): Tensor;
    /** Cumulative product along `dim` (integers and bools multiply in int64). */
    cumprod(dim: number): Tensor;
    /** `torch.norm`: `p = 'fro'` (default) or a number, over `dim` (all by default). */
    norm(p?: "fro" | "nuc" | number | null, dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
    /** Whether every element is nonzero (bool), over `dim` or all. */
    all(dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
    /** Whether some element is nonzero (bool), over `dim` or all. */
    any(dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor;
  }
}

// ---- helpers ------------------------------------------------------------------------------

function dimList(dim: Dims): Int32Array {
  const dims = Array.isArray(dim) ? dim : [dim];
  for (const d of dims) {
    if (!Number.isInteger(d)) throw new TypeError(`dim must be an integer or a list of integers, got ${JSON.stringify(dim)}`);
  }
  return Int32Array.from(dims);
}

function intDim(dim: number, fn: string): number {
  if (!Number.isInteger(dim)) throw new TypeError(`${fn}(): dim must be an integer, got ${JSON.stringify(dim)}`);
  return dim;
}

function keepdimOf(k: boolean | ReduceOptions | undefined, opts?: ReduceOptions): boolean {
  if (typeof k === "boolean") return k;
  return Boolean(k?.keepdim ?? opts?.keepdim ?? false);
}

/** Optional dims for the bindings: undefined reduces every dim. */
function optDims(dim: Dims | null | undefined): Int32Array | undefined {
  return dim === undefined || dim === null ? undefined : dimList(dim);
}

function wrap(r: RawTensor): Tensor {
  return new Tensor(r);
}

class ValuesIndicesImpl implements ValuesIndices {
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {}
  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}

/** Unpack a two-tensor list from the bindings. */
function two(list: { get(i: number): RawTensor | undefined; free(): void }): [Tensor, Tensor] {
  const a = list.get(0);
  const b = list.get(1);
  list.free();
  if (!a || !b) throw new Error("internal: expected two tensors");
  return [wrap(a), wrap(b)];
}

function varArgs(fn: string, dim: Dims | null | VarOptions | undefined, options?: VarOptions): [Int32Array | undefined, number, boolean] {
  let dims: Dims | null | undefined;
  let opts: VarOptions | undefined = options;
  if (typeof dim === "object" && dim !== null && !Array.isArray(dim)) {
    opts = dim;
    dims = undefined;
  } else {
    dims = dim;
  }
  if (typeof (options as unknown) === "boolean") {
    throw new TypeError(`${fn}(): the legacy \`unbiased\` argument is not supported; pass { correction } (1 = unbiased, 0 = biased)`);
  }
  const correction = opts?.correction ?? 1;
  if (typeof correction !== "number") throw new TypeError(`${fn}(): correction must be a number, got ${JSON.stringify(correction)}`);
  return [optDims(dims), correction, Boolean(opts?.keepdim)];
}

type Elementwise = (this: Tensor, other: Tensor) => Tensor;

function elementwise(self: Tensor, name: "maximum" | "minimum", other: Tensor): Tensor {
  const f = (self as unknown as Record<string, Elementwise | undefined>)[name];
  if (typeof f !== "function") throw new TypeError(`${name === "maximum" ? "max" : "min"}(other): elementwise ${name} is not available`);
  return f.call(self, other);
}

// ---- methods ------------------------------------------------------------------------------

Tensor.prototype.prod = function (this: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  if (dim === undefined || dim === null) return wrap(this._raw.prod());
  return wrap(this._raw.prodDim(intDim(dim, "prod"), keepdimOf(keepdim, options)));
};

function extreme(self: Tensor, max: boolean, dim?: number | Tensor, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return elementwise(self, max ? "maximum" : "minimum", dim);
  if (dim === undefined) return wrap(max ? self._raw.max() : self._raw.min());
  const d = intDim(dim, max ? "max" : "min");
  const k = keepdimOf(keepdim, options);
  const [values, indices] = two(max ? self._raw.maxDim(d, k) : self._raw.minDim(d, k));
  return new ValuesIndicesImpl(values, indices);
}

Tensor.prototype.max = function (this: Tensor, dim?: number | Tensor, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  return extreme(this, true, dim, keepdim, options);
} as Tensor["max"];

Tensor.prototype.min = function (this: Tensor, dim?: number | Tensor, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  return extreme(this, false, dim, keepdim, options);
} as Tensor["min"];

Tensor.prototype.amax = function (this: Tensor, dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  return wrap(this._raw.amax(optDims(dim) ?? new Int32Array(0), keepdimOf(keepdim, options)));
};

Tensor.prototype.amin = function (this: Tensor, dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  return wrap(this._raw.amin(optDims(dim) ?? new Int32Array(0), keepdimOf(keepdim, options)));
};

Tensor.prototype.argmax = function (this: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  const d = dim === undefined || dim === null ? undefined : intDim(dim, "argmax");
  return wrap(this._raw.argmax(d, keepdimOf(keepdim, options)));
};

Tensor.prototype.argmin = function (this: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  const d = dim === undefined || dim === null ? undefined : intDim(dim, "argmin");
  return wrap(this._raw.argmin(d, keepdimOf(keepdim, options)));
};

Tensor.prototype.var = function (this: Tensor, dim?: Dims | null | VarOptions, options?: VarOptions) {
  const [d, c, k] = varArgs("var", dim, options);
  return wrap(this._raw.var(d, c, k));
};

Tensor.prototype.std = function (this: Tensor, dim?: Dims | null | VarOptions, options?: VarOptions) {
  const [d, c, k] = varArgs("std", dim, options);
  return wrap(this._raw.std(d, c, k));
};

Tensor.prototype.logsumexp = function (this: Tensor, dim: Dims, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  if (dim === undefined || dim === null) throw new TypeError("logsumexp(): argument 'dim' is required");
  return wrap(this._raw.logsumexp(dimList(dim), keepdimOf(keepdim, options)));
};

Tensor.prototype.cumsum = function (this: Tensor, dim: number) {
  return wrap(this._raw.cumsum(intDim(dim, "cumsum")));
};

Tensor.prototype.cumprod = function (this: Tensor, dim: number) {
  return wrap(this._raw.cumprod(intDim(dim, "cumprod")));
};

Tensor.prototype.norm = function (this: Tensor, p?: "fro" | "nuc" | number | null, dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  const k = keepdimOf(keepdim, options);
  if (p === "nuc") throw new Error("norm(): the nuclear norm ('nuc') is not supported");
  if (p === undefined || p === null || p === "fro") return wrap(this._raw.norm(undefined, optDims(dim), k));
  if (typeof p !== "number") throw new TypeError(`norm(): p must be 'fro' or a number, got ${JSON.stringify(p)}`);
  return wrap(this._raw.norm(p, optDims(dim), k));
};

Tensor.prototype.all = function (this: Tensor, dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  if (dim === undefined || dim === null) {
    return keepdimOf(keepdim, options) ? wrap(this._raw.allDims(new Int32Array(0), true)) : wrap(this._raw.all());
  }
  return wrap(this._raw.allDims(dimList(dim), keepdimOf(keepdim, options)));
};

Tensor.prototype.any = function (this: Tensor, dim?: Dims | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions) {
  if (dim === undefined || dim === null) {
    return keepdimOf(keepdim, options) ? wrap(this._raw.anyDims(new Int32Array(0), true)) : wrap(this._raw.any());
  }
  return wrap(this._raw.anyDims(dimList(dim), keepdimOf(keepdim, options)));
};

// ---- function forms -----------------------------------------------------------------------

/** `torch.prod(input, dim?, keepdim?)`. */
export function prod(input: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.prod(dim, keepdim);
}

/** `torch.max(input)`, `torch.max(input, dim, keepdim?)` → `{ values, indices }`, or `torch.max(input, other)` (elementwise). */
export function max(input: Tensor): Tensor;
export function max(input: Tensor, dim: number, keepdim?: boolean | ReduceOptions): ValuesIndices;
export function max(input: Tensor, other: Tensor): Tensor;
export function max(input: Tensor, dim?: number | Tensor, keepdim?: boolean | ReduceOptions): Tensor | ValuesIndices {
  return extreme(input, true, dim, keepdim);
}

/** `torch.min(input)`, `torch.min(input, dim, keepdim?)` → `{ values, indices }`, or `torch.min(input, other)` (elementwise). */
export function min(input: Tensor): Tensor;
export function min(input: Tensor, dim: number, keepdim?: boolean | ReduceOptions): ValuesIndices;
export function min(input: Tensor, other: Tensor): Tensor;
export function min(input: Tensor, dim?: number | Tensor, keepdim?: boolean | ReduceOptions): Tensor | ValuesIndices {
  return extreme(input, false, dim, keepdim);
}

/** `torch.amax(input, dim?, keepdim?)`. */
export function amax(input: Tensor, dim?: Dims | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.amax(dim, keepdim);
}

/** `torch.amin(input, dim?, keepdim?)`. */
export function amin(input: Tensor, dim?: Dims | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.amin(dim, keepdim);
}

/** `torch.argmax(input, dim?, keepdim?)`. */
export function argmax(input: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.argmax(dim, keepdim);
}

/** `torch.argmin(input, dim?, keepdim?)`. */
export function argmin(input: Tensor, dim?: number | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.argmin(dim, keepdim);
}

/** `torch.var(input, dim?, { correction, keepdim })`. */
function var_(input: Tensor, dim?: Dims | null | VarOptions, options?: VarOptions): Tensor {
  return input.var(dim, options);
}
export { var_ as var };

/** `torch.std(input, dim?, { correction, keepdim })`. */
export function std(input: Tensor, dim?: Dims | null | VarOptions, options?: VarOptions): Tensor {
  return input.std(dim, options);
}

/** `torch.var_mean(input, dim?, { correction, keepdim })` → `[var, mean]`. */
export function varMean(input: Tensor, dim?: Dims | null | VarOptions, options?: VarOptions): [Tensor, Tensor] {
  const [d, c, k] = varArgs("var_mean", dim, options);
  return two(input._raw.varMean(d, c, k));
}

/** `torch.std_mean(input, dim?, { correction, keepdim })` → `[std, mean]`. */
export function stdMean(input: Tensor, dim?: Dims | null | VarOptions, options?: VarOptions): [Tensor, Tensor] {
  const [d, c, k] = varArgs("std_mean", dim, options);
  return two(input._raw.stdMean(d, c, k));
}

/** `torch.logsumexp(input, dim, keepdim?)`. */
export function logsumexp(input: Tensor, dim: Dims, keepdim?: boolean | ReduceOptions): Tensor {
  return input.logsumexp(dim, keepdim);
}

/** `torch.cumsum(input, dim)`. */
export function cumsum(input: Tensor, dim: number): Tensor {
  return input.cumsum(dim);
}

/** `torch.cumprod(input, dim)`. */
export function cumprod(input: Tensor, dim: number): Tensor {
  return input.cumprod(dim);
}

/** `torch.norm(input, p='fro', dim?, keepdim?)`. */
export function norm(input: Tensor, p?: "fro" | "nuc" | number | null, dim?: Dims | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.norm(p, dim, keepdim);
}

/** `torch.all(input, dim?, keepdim?)` (bool). */
export function all(input: Tensor, dim?: Dims | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.all(dim, keepdim);
}

/** `torch.any(input, dim?, keepdim?)` (bool). */
export function any(input: Tensor, dim?: Dims | null, keepdim?: boolean | ReduceOptions): Tensor {
  return input.any(dim, keepdim);
}

/**
 * `torch.linalg.vector_norm(x, ord=2, dim=None, keepdim=False)`: ord 2, 1, ±Infinity, 0 or any
 * number, over `dim` (all dims by default).
 */
export function vectorNorm(x: Tensor, ord: number = 2, dim?: Dims | null, keepdim?: boolean | ReduceOptions): Tensor {
  if (typeof ord !== "number") throw new TypeError(`linalg.vector_norm: ord must be a number, got ${JSON.stringify(ord)}`);
  return wrap(x._raw.vectorNorm(ord, optDims(dim), keepdimOf(keepdim)));
}

/** This family's part of the `linalg` namespace (merged into the public `linalg` by the package). */
export const linalgReductions = { vectorNorm };
