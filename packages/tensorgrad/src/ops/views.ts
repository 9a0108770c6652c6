// The views op family: Tensor methods (added to Tensor.prototype, typed by declaration
// merging) and their function forms. Bindings: crates/tensorgrad-wasm/src/ops_views.rs.
// Views (flatten, unflatten, permute, movedim, expandAs, broadcastTo, narrow, select,
// diagonal, split, chunk, unbind) share storage with their input, as in PyTorch.
import { Tensor, shapeFromArgs, type ShapeArgs } from "../tensor.js";
import { raw } from "../wasm.js";

declare module "../tensor.js" {
  interface Tensor {
    /** Flatten dims `startDim..endDim` (inclusive) into one; a view when the strides allow. */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** Split dim `dim` into `sizes` (one may be -1); a view. */
    unflatten(dim: number, sizes: number[]): Tensor;
    /** Reorder the dims; a view. `x.permute(2, 0, 1)` or `x.permute([2, 0, 1])`. */
    permute(...dims: ShapeArgs): Tensor;
    /** Move dims `source` to positions `destination` (ints or lists); the rest keep their order. */
    movedim(source: number | number[], destination: number | number[]): Tensor;
    /** Alias of `movedim`. */
    moveaxis(source: number | number[], destination: number | number[]): Tensor;
    /** `expand` to `other`'s shape; a view. */
    expandAs(other: Tensor): Tensor;
    /** Broadcast to `shape`; a view. */
    broadcastTo(...shape: ShapeArgs): Tensor;
    /** Tile copies along each dim (`sizes` may add leading dims); a copy. */
    repeat(...sizes: ShapeArgs): Tensor;
    /** `repeat` with `dims` padded by leading ones when shorter than the tensor's dims. */
    tile(...dims: ShapeArgs): Tensor;
    /** Reverse the order along `dims`; a copy. */
    flip(...dims: ShapeArgs): Tensor;
    /** Circular shift by `shifts` along `dims`; without dims the flattened tensor is rolled. */
    roll(shifts: number | number[], dims?: number | number[]): Tensor;
    /** `length` elements of `dim` from `start`; a view. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** The slice at `index` of `dim`, with that dim removed; a view. */
    select(dim: number, index: number): Tensor;
    /** The diagonal of dims `dim1`, `dim2` as the last dim; a view. */
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    /** Lower triangle of the last two dims (elements above the `diagonal`-th diagonal zeroed). */
    tril(diagonal?: number): Tensor;
    /** Upper triangle of the last two dims (elements below the `diagonal`-th diagonal zeroed). */
    triu(diagonal?: number): Tensor;
    /** Views of `splitSize` elements along `dim` (the last smaller), or of the given sizes. */
    split(splitSizeOrSections: number | number[], dim?: number): Tensor[];
    /** At most `chunks` views of equal size along `dim` (the last smaller). */
    chunk(chunks: number, dim?: number): Tensor[];
    /** The slices along `dim`, as views. */
    unbind(dim?: number): Tensor[];
  }
}

function ints(v: number | number[], what: string): Int32Array {
  const a = Array.isArray(v) ? v : [v];
  for (const d of a) {
    if (!Number.isInteger(d)) throw new TypeError(`${what} must be an integer or a list of integers, got ${JSON.stringify(v)}`);
  }
  return Int32Array.from(a);
}

function int(v: number, what: string): number {
  if (!Number.isInteger(v)) throw new TypeError(`${what} must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

function fromList(l: InstanceType<typeof raw.RawTensorList>): Tensor[] {
  const out: Tensor[] = [];
  const n = l.len();
  for (let i = 0; i < n; i++) out.push(new Tensor(l.get(i)!));
  l.free();
  return out;
}

function toList(ts: Tensor[]): InstanceType<typeof raw.RawTensorList> {
  if (!Array.isArray(ts)) throw new TypeError("expected an array of tensors");
  const l = new raw.RawTensorList();
  for (const t of ts) {
    if (!(t instanceof Tensor)) throw new TypeError("expected an array of tensors");
    l.push(t._raw.alias());
  }
  return l;
}

Tensor.prototype.flatten = function (this: Tensor, startDim = 0, endDim = -1) {
  return new Tensor(this._raw.flatten(int(startDim, "startDim"), int(endDim, "endDim")));
};
Tensor.prototype.unflatten = function (this: Tensor, dim: number, sizes: number[]) {
  return new Tensor(this._raw.unflatten(int(dim, "dim"), ints(sizes, "sizes")));
};
Tensor.prototype.permute = function (this: Tensor, ...dims: ShapeArgs) {
  return new Tensor(this._raw.permute(Int32Array.from(shapeFromArgs(dims))));
};
Tensor.prototype.movedim = function (this: Tensor, source: number | number[], destination: number | number[]) {
  return new Tensor(this._raw.movedim(ints(source, "source"), ints(destination, "destination")));
};
Tensor.prototype.moveaxis = Tensor.prototype.movedim;
Tensor.prototype.expandAs = function (this: Tensor, other: Tensor) {
  return new Tensor(this._raw.expandAs(other._raw));
};
Tensor.prototype.broadcastTo = function (this: Tensor, ...shape: ShapeArgs) {
  return new Tensor(this._raw.broadcastTo(Int32Array.from(shapeFromArgs(shape))));
};
Tensor.prototype.repeat = function (this: Tensor, ...sizes: ShapeArgs) {
  return new Tensor(this._raw.repeat(Int32Array.from(shapeFromArgs(sizes))));
};
Tensor.prototype.tile = function (this: Tensor, ...dims: ShapeArgs) {
  return new Tensor(this._raw.tile(Int32Array.from(shapeFromArgs(dims))));
};
Tensor.prototype.flip = function (this: Tensor, ...dims: ShapeArgs) {
  return new Tensor(this._raw.flip(Int32Array.from(shapeFromArgs(dims))));
};
Tensor.prototype.roll = function (this: Tensor, shifts: number | number[], dims?: number | number[]) {
  return new Tensor(this._raw.roll(ints(shifts, "shifts"), dims === undefined ? new Int32Array(0) : ints(dims, "dims")));
};
Tensor.prototype.narrow = function (this: Tensor, dim: number, start: number, length: number) {
  return new Tensor(this._raw.narrow(int(dim, "dim"), int(start, "start"), int(length, "length")));
};
Tensor.prototype.select = function (this: Tensor, dim: number, index: number) {
  return new Tensor(this._raw.select(int(dim, "dim"), int(index, "index")));
};
Tensor.prototype.diagonal = function (this: Tensor, offset = 0, dim1 = 0, dim2 = 1) {
  return new Tensor(this._raw.diagonal(int(offset, "offset"), int(dim1, "dim1"), int(dim2, "dim2")));
};
Tensor.prototype.tril = function (this: Tensor, diagonal = 0) {
  return new Tensor(this._raw.tril(int(diagonal, "diagonal")));
};
Tensor.prototype.triu = function (this: Tensor, diagonal = 0) {
  return new Tensor(this._raw.triu(int(diagonal, "diagonal")));
};
Tensor.prototype.split = function (this: Tensor, splitSizeOrSections: number | number[], dim = 0) {
  if (Array.isArray(splitSizeOrSections)) {
    return fromList(this._raw.splitWithSizes(ints(splitSizeOrSections, "split_size_or_sections"), int(dim, "dim")));
  }
  return fromList(this._raw.split(int(splitSizeOrSections, "split_size"), int(dim, "dim")));
};
Tensor.prototype.chunk = function (this: Tensor, chunks: number, dim = 0) {
  return fromList(this._raw.chunk(int(chunks, "chunks"), int(dim, "dim")));
};
Tensor.prototype.unbind = function (this: Tensor, dim = 0) {
  return fromList(this._raw.unbind(int(dim, "dim")));
};

/** Concatenate along `dim` (dtypes promote; 1-D empty tensors are skipped). `cat([a, b], 0)`. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  return new Tensor(raw.RawTensor.cat(toList(tensors), int(dim, "dim")));
}
/** Alias of {@link cat}. */
export const concat = cat;
/** Alias of {@link cat}. */
export const concatenate = cat;
/** Join equally shaped tensors along a new dim `dim`. `stack([a, b], 0)`. */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return new Tensor(raw.RawTensor.stack(toList(tensors), int(dim, "dim")));
}
/** `input.flatten(startDim, endDim)`. */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  return input.flatten(startDim, endDim);
}
/** `input.unflatten(dim, sizes)`. */
export function unflatten(input: Tensor, dim: number, sizes: number[]): Tensor {
  return input.unflatten(dim, sizes);
}
/** `input.permute(dims)`. */
export function permute(input: Tensor, dims: number[]): Tensor {
  return input.permute(dims);
}
/** `input.movedim(source, destination)`. */
export function movedim(input: Tensor, source: number | number[], destination: number | number[]): Tensor {
  return input.movedim(source, destination);
}
/** Alias of {@link movedim}. */
export const moveaxis = movedim;
/** `input.broadcastTo(shape)`. */
export function broadcastTo(input: Tensor, shape: number[]): Tensor {
  return input.broadcastTo(shape);
}
/** `input.tile(dims)`. */
export function tile(input: Tensor, dims: number[]): Tensor {
  return input.tile(dims);
}
/** `input.flip(dims)`. */
export function flip(input: Tensor, dims: number[]): Tensor {
  return input.flip(dims);
}
/** `input.roll(shifts, dims)`. */
export function roll(input: Tensor, shifts: number | number[], dims?: number | number[]): Tensor {
  return input.roll(shifts, dims);
}
/** `input.narrow(dim, start, length)`. */
export function narrow(input: Tensor, dim: number, start: number, length: number): Tensor {
  return input.narrow(dim, start, length);
}
/** `input.select(dim, index)`. */
export function select(input: Tensor, dim: number, index: number): Tensor {
  return input.select(dim, index);
}
/** `input.diagonal(offset, dim1, dim2)`. */
export function diagonal(input: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  return input.diagonal(offset, dim1, dim2);
}
/** `input.tril(diagonal)`. */
export function tril(input: Tensor, diagonal = 0): Tensor {
  return input.tril(diagonal);
}
/** `input.triu(diagonal)`. */
export function triu(input: Tensor, diagonal = 0): Tensor {
  return input.triu(diagonal);
}
/** `input.split(splitSizeOrSections, dim)`. */
export function split(input: Tensor, splitSizeOrSections: number | number[], dim = 0): Tensor[] {
  return input.split(splitSizeOrSections, dim);
}
/** `input.chunk(chunks, dim)`. */
export function chunk(input: Tensor, chunks: number, dim = 0): Tensor[] {
  return input.chunk(chunks, dim);
}
/** `input.unbind(dim)`. */
export function unbind(input: Tensor, dim = 0): Tensor[] {
  return input.unbind(dim);
}
