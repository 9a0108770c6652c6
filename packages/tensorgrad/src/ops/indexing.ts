// The indexing op family: Tensor methods (added to Tensor.prototype, typed by declaration
// merging) and their function forms. Bindings: crates/tensorgrad-wasm/src/ops_indexing.rs.
//
// JavaScript has no `x[...]` overload, so `x[0, 1:3, None, ..., idx]` is written
// `x.index([0, slice(1, 3), null, "...", idx])`. Basic indexing (ints, slices, null, "...")
// returns a view; index tensors (int64/int32, or bool masks) make a copy (IndexBackward0).
import { Tensor, asTensor, type NestedArray, type TensorLike } from "../tensor.js";
import { tensor } from "../creation.js";
import { raw } from "../wasm.js";

/** A Python slice `start:stop:step`; `null`/`undefined` parts take their defaults. */
export class Slice {
  constructor(
    readonly start: number | null = null,
    readonly stop: number | null = null,
    readonly step: number | null = null,
  ) {}
  toString(): string {
    const s = (v: number | null) => (v === null ? "None" : String(v));
    return `slice(${s(this.start)}, ${s(this.stop)}, ${s(this.step)})`;
  }
}

/**
 * Python's `slice`: `slice()` is `:`, `slice(stop)` is `:stop`, `slice(start, stop, step?)` is
 * `start:stop:step`. Use `null` for a missing part (`slice(null, null, 2)` is `::2`).
 */
export function slice(startOrStop?: number | null, stop?: number | null, step?: number | null): Slice {
  if (stop === undefined && step === undefined) return new Slice(null, startOrStop ?? null, null);
  return new Slice(startOrStop ?? null, stop ?? null, step ?? null);
}

/**
 * One item of `x.index([...])`: an int, a {@link slice} (or `{ start, stop, step }`), `null`
 * (new axis), `"..."` (ellipsis), an index tensor (int64/int32, or bool mask), or a nested
 * array of integers or booleans (made into an int64/bool tensor, as Python lists are).
 */
export type IndexItem =
  | number
  | boolean
  | Slice
  | { start?: number | null; stop?: number | null; step?: number | null }
  | null
  | "..."
  | Tensor
  | NestedArray[];

/** Options of `indexAdd`. */
export interface IndexAddOptions {
  alpha?: number;
}

declare module "../tensor.js" {
  interface Tensor {
    /**
     * `x[indices]`: `x.index([0, slice(1, 3), null, "...", idxTensor])`, or one item `x.index(mask)`.
     * Basic indexing returns a view; index tensors broadcast together and copy (IndexBackward0).
     */
    index(indices: IndexItem | IndexItem[]): Tensor;
    /** A copy with `values` written (or with `accumulate`, added) at `indices` (`Tensor | null` per dim). */
    indexPut(indices: (Tensor | NestedArray[] | null)[], values: TensorLike, accumulate?: boolean): Tensor;
    /** In-place `indexPut` (`x[indices] = values`); repeated indices accumulate with `accumulate`. */
    indexPut_(indices: (Tensor | NestedArray[] | null)[], values: TensorLike, accumulate?: boolean): this;
    /** `out[i][j] = self[index[i][j]][j]` for dim 0; `index` is int64. */
    gather(dim: number, index: Tensor): Tensor;
    /** A copy with `src` (a tensor or number) written at `index` along `dim`. */
    scatter(dim: number, index: Tensor, src: TensorLike): Tensor;
    /** In-place `scatter`. */
    scatter_(dim: number, index: Tensor, src: TensorLike): this;
    /** A copy with `src` added at `index` along `dim`; repeated indices accumulate. */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** In-place `scatterAdd`. */
    scatterAdd_(dim: number, index: Tensor, src: Tensor): this;
    /** The slices at `index` (1-D int64/int32) along `dim`; a copy. */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** A copy with `alpha * source` added at `index` along `dim`; repeats accumulate. */
    indexAdd(dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): Tensor;
    /** In-place `indexAdd`. */
    indexAdd_(dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): this;
    /** `value` (a number or 0-d tensor) where the bool `mask` is true. */
    maskedFill(mask: Tensor, value: TensorLike): Tensor;
    /** In-place `maskedFill`. */
    maskedFill_(mask: Tensor, value: TensorLike): this;
    /** The elements where the bool `mask` is true, as a 1-D tensor. */
    maskedSelect(mask: Tensor): Tensor;
    /** Indices of the nonzero elements: int64 `[n, ndim]`, or one vector per dim with `asTuple`. */
    nonzero(): Tensor;
    nonzero(options: { asTuple: true }): Tensor[];
    nonzero(options: { asTuple?: boolean }): Tensor | Tensor[];
  }
}

/** A nested array of integers/booleans as an int64/bool index tensor. */
function asIndexTensor(v: Tensor | NestedArray[]): Tensor {
  if (v instanceof Tensor) return v;
  let leaf: unknown = v;
  while (Array.isArray(leaf) && leaf.length > 0) leaf = leaf[0];
  return tensor(v, { dtype: typeof leaf === "boolean" ? "bool" : "int64" });
}

function isSliceLike(v: unknown): v is { start?: number | null; stop?: number | null; step?: number | null } {
  return typeof v === "object" && v !== null && !(v instanceof Tensor) && !Array.isArray(v);
}

function num(v: number | null | undefined, what: string): number {
  if (v === null || v === undefined) return NaN;
  if (!Number.isInteger(v)) throw new TypeError(`slice indices must be integers or None, got ${what}=${v}`);
  return v;
}

function int(v: number, what: string): number {
  if (!Number.isInteger(v)) throw new TypeError(`${what} must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

function tensorList(ts: (Tensor | NestedArray[] | null | undefined)[]): InstanceType<typeof raw.RawTensorList> {
  if (!Array.isArray(ts)) throw new TypeError("indices must be an array of tensors (or null)");
  const l = new raw.RawTensorList();
  for (const t of ts) l.push(t === null || t === undefined ? undefined : asIndexTensor(t)._raw.alias());
  return l;
}

Tensor.prototype.index = function (this: Tensor, indices: IndexItem | IndexItem[]) {
  const items: IndexItem[] = Array.isArray(indices) ? (indices as IndexItem[]) : [indices];
  const kinds: number[] = [];
  const nums: number[] = [];
  const list = new raw.RawTensorList();
  try {
    for (const it of items) {
      if (typeof it === "number") {
        kinds.push(0);
        nums.push(int(it, "index"));
      } else if (it === null || it === undefined) {
        kinds.push(2);
      } else if (it === "...") {
        kinds.push(3);
      } else if (typeof it === "boolean") {
        kinds.push(4);
        list.push(tensor(it, { dtype: "bool" })._raw);
      } else if (it instanceof Tensor) {
        kinds.push(4);
        list.push(it._raw.alias());
      } else if (Array.isArray(it)) {
        kinds.push(4);
        list.push(asIndexTensor(it)._raw);
      } else if (it instanceof Slice || isSliceLike(it)) {
        kinds.push(1);
        nums.push(num(it.start, "start"), num(it.stop, "stop"), num(it.step, "step"));
      } else {
        throw new TypeError(
          `only integers, slices, null, "...", and integer or boolean tensors are valid indices (got ${typeof it})`,
        );
      }
    }
    return new Tensor(this._raw.index(Uint8Array.from(kinds), Float64Array.from(nums), list));
  } finally {
    list.free();
  }
};

Tensor.prototype.indexPut = function (this: Tensor, indices, values: TensorLike, accumulate = false) {
  const l = tensorList(indices);
  try {
    return new Tensor(this._raw.indexPut(l, asTensor(values, this)._raw, accumulate));
  } finally {
    l.free();
  }
};
Tensor.prototype.indexPut_ = function <T extends Tensor>(this: T, indices: (Tensor | NestedArray[] | null)[], values: TensorLike, accumulate = false): T {
  const l = tensorList(indices);
  try {
    this._raw.indexPut_(l, asTensor(values, this)._raw, accumulate);
  } finally {
    l.free();
  }
  return this;
};
Tensor.prototype.gather = function (this: Tensor, dim: number, index: Tensor) {
  return new Tensor(this._raw.gather(int(dim, "dim"), index._raw));
};
Tensor.prototype.scatter = function (this: Tensor, dim: number, index: Tensor, src: TensorLike) {
  if (typeof src === "number") return new Tensor(this._raw.scatterValue(int(dim, "dim"), index._raw, src));
  return new Tensor(this._raw.scatter(int(dim, "dim"), index._raw, src._raw));
};
Tensor.prototype.scatter_ = function <T extends Tensor>(this: T, dim: number, index: Tensor, src: TensorLike): T {
  if (typeof src === "number") this._raw.scatterValue_(int(dim, "dim"), index._raw, src);
  else this._raw.scatter_(int(dim, "dim"), index._raw, src._raw);
  return this;
};
Tensor.prototype.scatterAdd = function (this: Tensor, dim: number, index: Tensor, src: Tensor) {
  return new Tensor(this._raw.scatterAdd(int(dim, "dim"), index._raw, src._raw));
};
Tensor.prototype.scatterAdd_ = function <T extends Tensor>(this: T, dim: number, index: Tensor, src: Tensor): T {
  this._raw.scatterAdd_(int(dim, "dim"), index._raw, src._raw);
  return this;
};
Tensor.prototype.indexSelect = function (this: Tensor, dim: number, index: Tensor) {
  return new Tensor(this._raw.indexSelect(int(dim, "dim"), index._raw));
};
Tensor.prototype.indexAdd = function (this: Tensor, dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions) {
  return new Tensor(this._raw.indexAdd(int(dim, "dim"), index._raw, source._raw, options?.alpha ?? 1));
};
Tensor.prototype.indexAdd_ = function <T extends Tensor>(this: T, dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): T {
  this._raw.indexAdd_(int(dim, "dim"), index._raw, source._raw, options?.alpha ?? 1);
  return this;
};
Tensor.prototype.maskedFill = function (this: Tensor, mask: Tensor, value: TensorLike) {
  if (typeof value === "number") return new Tensor(this._raw.maskedFill(mask._raw, value));
  return new Tensor(this._raw.maskedFillTensor(mask._raw, value._raw));
};
Tensor.prototype.maskedFill_ = function <T extends Tensor>(this: T, mask: Tensor, value: TensorLike): T {
  if (typeof value === "number") this._raw.maskedFill_(mask._raw, value);
  else this._raw.maskedFillTensor_(mask._raw, value._raw);
  return this;
};
Tensor.prototype.maskedSelect = function (this: Tensor, mask: Tensor) {
  return new Tensor(this._raw.maskedSelect(mask._raw));
};
Tensor.prototype.nonzero = function (this: Tensor, options?: { asTuple?: boolean }): never {
  if (options?.asTuple) {
    const l = this._raw.nonzeroTuple();
    const out: Tensor[] = [];
    for (let i = 0; i < l.len(); i++) out.push(new Tensor(l.get(i)!));
    l.free();
    return out as never;
  }
  return new Tensor(this._raw.nonzero()) as never;
};

/** `input.index(indices)` (PyTorch's `input[indices]`). */
export function index(input: Tensor, indices: IndexItem | IndexItem[]): Tensor {
  return input.index(indices);
}
/** `input.indexPut(indices, values, accumulate)`. */
export function indexPut(input: Tensor, indices: (Tensor | NestedArray[] | null)[], values: TensorLike, accumulate = false): Tensor {
  return input.indexPut(indices, values, accumulate);
}
/** `input.gather(dim, index)`. */
export function gather(input: Tensor, dim: number, index: Tensor): Tensor {
  return input.gather(dim, index);
}
/** `input.scatter(dim, index, src)`. */
export function scatter(input: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor {
  return input.scatter(dim, index, src);
}
/** `input.scatterAdd(dim, index, src)`. */
export function scatterAdd(input: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return input.scatterAdd(dim, index, src);
}
/** `input.indexSelect(dim, index)`. */
export function indexSelect(input: Tensor, dim: number, index: Tensor): Tensor {
  return input.indexSelect(dim, index);
}
/** `input.indexAdd(dim, index, source, { alpha })`. */
export function indexAdd(input: Tensor, dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): Tensor {
  return input.indexAdd(dim, index, source, options);
}
/** `input.maskedFill(mask, value)`. */
export function maskedFill(input: Tensor, mask: Tensor, value: TensorLike): Tensor {
  return input.maskedFill(mask, value);
}
/** `input.maskedSelect(mask)`. */
export function maskedSelect(input: Tensor, mask: Tensor): Tensor {
  return input.maskedSelect(mask);
}
/** `input.nonzero()`: int64 `[n, ndim]`, or one vector per dim with `{ asTuple: true }`. */
export function nonzero(input: Tensor): Tensor;
export function nonzero(input: Tensor, options: { asTuple: true }): Tensor[];
export function nonzero(input: Tensor, options?: { asTuple?: boolean }): Tensor | Tensor[] {
  return input.nonzero(options ?? {});
}
