// Factory functions: tensor, zeros, ones, full, arange, rand, randn, and the *Like variants.
import { raw } from "./wasm.js";
import { Tensor, shapeFromArgs, type DType, type NestedArray, type ShapeArgs } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

function isOptions(v: unknown): v is TensorOptions {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Split `(...shape, options?)` the way PyTorch's `zeros(2, 3, dtype=...)` reads. */
function splitShape(args: (number | number[] | TensorOptions)[]): [number[], TensorOptions] {
  let opts: TensorOptions = {};
  if (args.length > 0 && isOptions(args[args.length - 1])) opts = args.pop() as TensorOptions;
  return [shapeFromArgs(args as ShapeArgs), opts];
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function flatten(data: NestedArray | Float32Array | Float64Array): { values: (number | boolean)[]; shape: number[] } {
  if (data instanceof Float32Array || data instanceof Float64Array) {
    return { values: Array.from(data), shape: [data.length] };
  }
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0]!;
  }
  const values: (number | boolean)[] = [];
  const walk = (v: NestedArray, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(v)) throw new Error(`expected a number at dim ${d}, got a sequence of length ${v.length}`);
      if (typeof v !== "number" && typeof v !== "boolean") {
        throw new TypeError(`tensor(): expected numbers or booleans, got ${typeof v}`);
      }
      values.push(v);
      return;
    }
    if (!Array.isArray(v)) throw new Error(`expected sequence of length ${shape[d]} at dim ${d} (got a number)`);
    if (v.length !== shape[d]) throw new Error(`expected sequence of length ${shape[d]} at dim ${d} (got ${v.length})`);
    for (const x of v) walk(x, d + 1);
  };
  walk(data, 0);
  return { values, shape };
}

/**
 * Create a tensor from (nested) arrays, a number, or a typed array.
 * Booleans give a `bool` tensor; numbers give `float32` unless `dtype` says otherwise.
 */
export function tensor(data: NestedArray | Float32Array | Float64Array, options: TensorOptions = {}): Tensor {
  const { values, shape } = flatten(data);
  const allBool = values.length > 0 && values.every((v) => typeof v === "boolean");
  const dtype: DType = options.dtype ?? (data instanceof Float64Array ? "float64" : allBool ? "bool" : "float32");
  const dims = Uint32Array.from(shape);
  let t: Tensor;
  if (dtype === "float32") {
    t = new Tensor(raw.RawTensor.fromF32(Float32Array.from(values, Number), dims));
  } else {
    t = new Tensor(raw.RawTensor.fromF64(Float64Array.from(values, Number), dims, dtype));
  }
  return finish(t, options);
}

function filled(value: number, args: (number | number[] | TensorOptions)[]): Tensor {
  const [shape, opts] = splitShape(args);
  return finish(new Tensor(raw.RawTensor.full(Uint32Array.from(shape), value, opts.dtype ?? "float32")), opts);
}

/** `zeros(2, 3)` or `zeros([2, 3], { dtype })`. */
export function zeros(...args: (number | number[] | TensorOptions)[]): Tensor {
  return filled(0, args);
}
/** `ones(2, 3)` or `ones([2, 3], { dtype })`. */
export function ones(...args: (number | number[] | TensorOptions)[]): Tensor {
  return filled(1, args);
}
/** `full(size, fillValue, options)`. */
export function full(size: number[], fillValue: number, options: TensorOptions = {}): Tensor {
  return filled(fillValue, [size, options]);
}
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...options });
}
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...options });
}
export function fullLike(t: Tensor, fillValue: number, options: TensorOptions = {}): Tensor {
  return full(t.shape, fillValue, { dtype: t.dtype, ...options });
}

/**
 * `arange(end)`, `arange(start, end, step?)`: values from `start` (inclusive) to `end`
 * (exclusive). Integer dtypes are not available yet, so the result is float32 unless
 * `dtype` says otherwise.
 */
export function arange(start: number, end?: number | TensorOptions, step?: number | TensorOptions, options?: TensorOptions): Tensor {
  let opts: TensorOptions = options ?? {};
  if (isOptions(end)) [opts, end] = [end, undefined];
  if (isOptions(step)) [opts, step] = [step, undefined];
  let lo = start;
  let hi = end as number | undefined;
  if (hi === undefined) [lo, hi] = [0, start];
  const st = (step as number | undefined) ?? 1;
  if (st === 0) throw new Error("step must be nonzero");
  if ((st > 0 && hi < lo) || (st < 0 && hi > lo)) throw new Error("upper bound and larger bound inconsistent with step sign");
  const n = Math.max(0, Math.ceil((hi - lo) / st));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = lo + i * st;
  return finish(new Tensor(raw.RawTensor.fromF64(values, Uint32Array.of(n), opts.dtype ?? "float32")), opts);
}

/** Standard normal samples; `manualSeed(s)` reproduces PyTorch's CPU stream for the same seed. */
export function randn(...args: (number | number[] | TensorOptions)[]): Tensor {
  const [shape, opts] = splitShape(args);
  return finish(new Tensor(raw.RawTensor.randn(Uint32Array.from(shape), opts.dtype ?? "float32")), opts);
}
/** Uniform samples on [0, 1); `manualSeed(s)` reproduces PyTorch's CPU stream. */
export function rand(...args: (number | number[] | TensorOptions)[]): Tensor {
  const [shape, opts] = splitShape(args);
  return finish(new Tensor(raw.RawTensor.rand(Uint32Array.from(shape), opts.dtype ?? "float32")), opts);
}
export function randnLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...options });
}
/** Seed the generator (PyTorch's `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  raw.manualSeed(seed);
}
