// The linalg op family: Tensor methods (added to Tensor.prototype, typed by declaration
// merging) and their function forms, einsum, the `linalgCore` namespace (merged into the
// public `linalg` by the package), and the creation ops empty/eye/linspace/logspace/randint/
// randperm and the *Like variants. Bindings: crates/tensorgrad-wasm/src/ops_linalg.rs.
// `matmul` and `mm` themselves are Tensor methods in tensor.ts (with function forms in
// functional.ts); their PyTorch rules live in the Rust core.
import { raw } from "../wasm.js";
import { Tensor, type DType } from "../tensor.js";
import { rand, type TensorOptions } from "../creation.js";

/** `beta` and `alpha` of `addmm`/`baddbmm`: `beta * input + alpha * (product)`. */
export interface AddmmOptions {
  beta?: number;
  alpha?: number;
}

declare module "../tensor.js" {
  interface Tensor {
    /** Inner product of two 1-D tensors of one dtype (`torch.dot`). */
    dot(other: Tensor): Tensor;
    /** Matrix (2-D) times vector (1-D) (`torch.mv`). */
    mv(vec: Tensor): Tensor;
    /** Outer product of two 1-D tensors (`torch.outer`), with type promotion. */
    outer(vec2: Tensor): Tensor;
    /** Alias of {@link Tensor.outer} (`torch.ger`). */
    ger(vec2: Tensor): Tensor;
    /** Batched matrix product of `[b, n, m]` and `[b, m, p]` (`torch.bmm`). */
    bmm(mat2: Tensor): Tensor;
    /** `beta * this + alpha * (mat1 @ mat2)`, `this` broadcast to the product (`torch.addmm`). */
    addmm(mat1: Tensor, mat2: Tensor, options?: AddmmOptions): Tensor;
    /** `beta * this + alpha * bmm(batch1, batch2)`, `this` broadcast (`torch.baddbmm`). */
    baddbmm(batch1: Tensor, batch2: Tensor, options?: AddmmOptions): Tensor;
    /** Sum of the main diagonal of a 2-D tensor; integer inputs give int64 (`torch.trace`). */
    trace(): Tensor;
  }
}

function scalars(options: AddmmOptions | undefined, what: string): [number, number] {
  const beta = options?.beta ?? 1;
  const alpha = options?.alpha ?? 1;
  if (typeof beta !== "number" || typeof alpha !== "number") {
    throw new TypeError(`${what}(): beta and alpha must be numbers`);
  }
  return [beta, alpha];
}

Tensor.prototype.dot = function (this: Tensor, other: Tensor): Tensor {
  return new Tensor(this._raw.dot(other._raw));
};
Tensor.prototype.mv = function (this: Tensor, vec: Tensor): Tensor {
  return new Tensor(this._raw.mv(vec._raw));
};
Tensor.prototype.outer = function (this: Tensor, vec2: Tensor): Tensor {
  return new Tensor(this._raw.outer(vec2._raw));
};
Tensor.prototype.ger = function (this: Tensor, vec2: Tensor): Tensor {
  return new Tensor(this._raw.outer(vec2._raw));
};
Tensor.prototype.bmm = function (this: Tensor, mat2: Tensor): Tensor {
  return new Tensor(this._raw.bmm(mat2._raw));
};
Tensor.prototype.addmm = function (this: Tensor, mat1: Tensor, mat2: Tensor, options?: AddmmOptions): Tensor {
  const [beta, alpha] = scalars(options, "addmm");
  return new Tensor(this._raw.addmm(mat1._raw, mat2._raw, beta, alpha));
};
Tensor.prototype.baddbmm = function (this: Tensor, batch1: Tensor, batch2: Tensor, options?: AddmmOptions): Tensor {
  const [beta, alpha] = scalars(options, "baddbmm");
  return new Tensor(this._raw.baddbmm(batch1._raw, batch2._raw, beta, alpha));
};
Tensor.prototype.trace = function (this: Tensor): Tensor {
  return new Tensor(this._raw.trace());
};

// ---- function forms ---------------------------------------------------------------------

/** `dot(input, other)`: inner product of two 1-D tensors. */
export function dot(input: Tensor, other: Tensor): Tensor {
  return input.dot(other);
}
/** `mv(input, vec)`: matrix times vector. */
export function mv(input: Tensor, vec: Tensor): Tensor {
  return input.mv(vec);
}
/** `outer(input, vec2)`: outer product of two 1-D tensors. */
export function outer(input: Tensor, vec2: Tensor): Tensor {
  return input.outer(vec2);
}
/** `ger(input, vec2)`: alias of {@link outer}. */
export function ger(input: Tensor, vec2: Tensor): Tensor {
  return input.outer(vec2);
}
/** `bmm(input, mat2)`: batched matrix product. */
export function bmm(input: Tensor, mat2: Tensor): Tensor {
  return input.bmm(mat2);
}
/** `addmm(input, mat1, mat2, { beta, alpha })`: `beta * input + alpha * (mat1 @ mat2)`. */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options?: AddmmOptions): Tensor {
  return input.addmm(mat1, mat2, options);
}
/** `baddbmm(input, batch1, batch2, { beta, alpha })`: `beta * input + alpha * bmm(batch1, batch2)`. */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options?: AddmmOptions): Tensor {
  return input.baddbmm(batch1, batch2, options);
}
/** `trace(input)`: sum of the main diagonal of a matrix. */
export function trace(input: Tensor): Tensor {
  return input.trace();
}

/**
 * `einsum(equation, ...operands)` (or `einsum(equation, [operands])`), with PyTorch's rules:
 * implicit output (`"ij,jk"`: ellipsis dims, then the subscripts seen once, alphabetically) or
 * explicit `->`, repeated subscripts take diagonals (`"ii->i"`, `"ii"`), `...` broadcasts.
 * Differentiable through the ops it is built from (permute, diagonal, sum, bmm).
 */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  if (typeof equation !== "string") throw new TypeError("einsum(): the equation must be a string");
  const ops: Tensor[] = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : (operands as Tensor[]);
  const list = new raw.RawTensorList();
  try {
    for (const t of ops) {
      if (!(t instanceof Tensor)) throw new TypeError("einsum(): operands must be tensors");
      list.push(t._raw.alias());
    }
    return new Tensor(raw.RawTensor.einsum(equation, list));
  } finally {
    list.free();
  }
}

/** `torch.linalg.vecdot(x, y, { dim = -1 })`: `(x * y).sum(dim)` with broadcasting. */
function vecdot(x: Tensor, y: Tensor, options: { dim?: number } = {}): Tensor {
  const dim = options.dim ?? -1;
  if (!Number.isInteger(dim)) throw new TypeError(`vecdot(): dim must be an integer, got ${dim}`);
  return new Tensor(x._raw.linalgVecdot(y._raw, dim));
}

/** `torch.linalg` ops of this family (merged into the public `linalg` namespace). */
export const linalgCore = {
  /** `linalg.matmul(input, other)`: alias of `matmul`. */
  matmul(input: Tensor, other: Tensor): Tensor {
    return input.matmul(other);
  },
  vecdot,
};

// ---- creation -----------------------------------------------------------------------------

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function isOptions(v: unknown): v is TensorOptions {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sizeArray(size: number[], what: string): Uint32Array {
  if (!Array.isArray(size)) throw new TypeError(`${what}(): size must be a list of integers, got ${JSON.stringify(size)}`);
  for (const d of size) {
    if (!Number.isInteger(d)) throw new TypeError(`${what}(): size must be a list of integers, got ${JSON.stringify(size)}`);
    if (d < 0) throw new Error(`Trying to create tensor with negative dimension ${d}: [${size.join(", ")}]`);
  }
  return Uint32Array.from(size);
}

function intArg(v: unknown, name: string, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new TypeError(`${what}(): argument '${name}' must be an integer, got ${String(v)}`);
  }
  return v;
}

/**
 * `empty(2, 3)` or `empty([2, 3], { dtype })`. PyTorch leaves the memory uninitialised;
 * tensorgrad fills it with zeros.
 */
export function empty(...args: (number | number[] | TensorOptions)[]): Tensor {
  let opts: TensorOptions = {};
  if (args.length > 0 && isOptions(args[args.length - 1])) opts = args.pop() as TensorOptions;
  const shape = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
  const dims = sizeArray(shape, "empty");
  return finish(new Tensor(raw.RawTensor.full(dims, 0, opts.dtype ?? "float32")), opts);
}

/** `emptyLike(input)`: an (zero-filled) tensor with the shape and dtype of `input`. */
export function emptyLike(input: Tensor, options: TensorOptions = {}): Tensor {
  return empty(input.shape, { dtype: input.dtype, ...options });
}

/** `eye(n, m = n)`: a 2-D tensor with ones on the diagonal. */
export function eye(n: number, m?: number | TensorOptions, options?: TensorOptions): Tensor {
  let opts: TensorOptions = options ?? {};
  if (isOptions(m)) [opts, m] = [m, undefined];
  const rows = intArg(n, "n", "eye");
  const cols = m === undefined ? rows : intArg(m, "m", "eye");
  return finish(new Tensor(raw.RawTensor.eye(rows, cols, opts.dtype ?? "float32")), opts);
}

/**
 * `linspace(start, end, steps)`: `steps` evenly spaced values from `start` to `end`
 * inclusive, computed with PyTorch's CPU formula (float32 unless `dtype` says otherwise).
 */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  const n = intArg(steps, "steps", "linspace");
  return finish(new Tensor(raw.RawTensor.linspace(start, end, n, options.dtype ?? "float32")), options);
}

/** `logspace(start, end, steps, base = 10)`: `base ** linspace(start, end, steps)`. */
export function logspace(start: number, end: number, steps: number, base?: number | TensorOptions, options?: TensorOptions): Tensor {
  let opts: TensorOptions = options ?? {};
  if (isOptions(base)) [opts, base] = [base, undefined];
  const n = intArg(steps, "steps", "logspace");
  const b = base ?? 10;
  return finish(new Tensor(raw.RawTensor.logspace(start, end, n, b, opts.dtype ?? "float32")), opts);
}

/**
 * `randint(high, size)` or `randint(low, high, size)`: integers uniform in `[low, high)`,
 * int64 unless `dtype` says otherwise. `manualSeed(s)` reproduces PyTorch's CPU stream
 * (`manualSeed(0); randint(0, 10, [5])` is `[4, 9, 3, 0, 3]`).
 */
export function randint(high: number, size: number[], options?: TensorOptions): Tensor;
export function randint(low: number, high: number, size: number[], options?: TensorOptions): Tensor;
export function randint(a: number, b: number | number[], c?: number[] | TensorOptions, d?: TensorOptions): Tensor {
  let low: number, high: number, size: number[], opts: TensorOptions;
  if (Array.isArray(b)) {
    [low, high, size, opts] = [0, a, b, isOptions(c) ? c : {}];
  } else {
    if (!Array.isArray(c)) throw new TypeError("randint(): size must be a list of integers");
    [low, high, size, opts] = [a, b, c, d ?? {}];
  }
  const dims = sizeArray(size, "randint");
  const t = new Tensor(raw.RawTensor.randint(intArg(low, "low", "randint"), intArg(high, "high", "randint"), dims, opts.dtype ?? "int64"));
  return finish(t, opts);
}

/**
 * `randperm(n)`: a random permutation of `0..n-1` (int64 by default), PyTorch's CPU
 * algorithm (`manualSeed(0); randperm(10)` is `[4, 1, 7, 5, 3, 9, 0, 8, 6, 2]`).
 */
export function randperm(n: number, options: TensorOptions = {}): Tensor {
  return finish(new Tensor(raw.RawTensor.randperm(intArg(n, "n", "randperm"), options.dtype ?? "int64")), options);
}

/** `randLike(input)`: uniform samples on [0, 1) with the shape (and dtype) of `input`. */
export function randLike(input: Tensor, options: TensorOptions = {}): Tensor {
  return rand(input.shape, { dtype: input.dtype, ...options });
}

/**
 * `randintLike(input, high)` or `randintLike(input, low, high)`: integers in `[low, high)`
 * with the shape of `input` and, unless `dtype` says otherwise, its dtype.
 */
export function randintLike(input: Tensor, high: number, options?: TensorOptions): Tensor;
export function randintLike(input: Tensor, low: number, high: number, options?: TensorOptions): Tensor;
export function randintLike(input: Tensor, a: number, b?: number | TensorOptions, c?: TensorOptions): Tensor {
  let low = 0;
  let high = a;
  let opts: TensorOptions = c ?? {};
  if (typeof b === "number") [low, high] = [a, b];
  else if (isOptions(b)) opts = b;
  const dtype: DType = opts.dtype ?? input.dtype;
  return randint(low, high, input.shape, { ...opts, dtype });
}
