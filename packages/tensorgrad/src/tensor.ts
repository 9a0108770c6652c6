// The Tensor class: a thin, typed skin over the wasm handle. All math, autograd and printing
// happen in the Rust core; this layer maps PyTorch's Python signatures onto JavaScript
// (camelCase names, positional order kept, keyword arguments in a trailing options object).
import { raw, wasmMemory, type RawNode, type RawTensor } from "./wasm.js";
import { track } from "./memory.js";

/**
 * Element types. `float32` is the default, as in PyTorch. JavaScript has one number type, so
 * numeric data defaults to float32 (`tensor([5.0])` and `tensor([5])` are the same); ask for
 * `int64`/`int32` explicitly. Index-producing ops return int64, as in PyTorch.
 */
export type DType = "float32" | "float64" | "float16" | "bfloat16" | "int32" | "int64" | "bool";
/** Nested JavaScript arrays of numbers or booleans, as accepted by {@link tensor}. */
export type NestedArray = number | boolean | NestedArray[];
/** A tensor or a plain number (a "wrapped scalar" that does not promote the dtype). */
export type TensorLike = Tensor | number;
/** A shape given either as separate numbers or as one array, as PyTorch accepts both. */
export type ShapeArgs = number[] | [number[]];

export interface BackwardOptions {
  /** Keep the graph's saved tensors so backward can run through it again. Defaults to `createGraph`. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again. */
  createGraph?: boolean;
  /** Accumulate only into the `.grad` of these tensors (leaves or not). */
  inputs?: Tensor[] | Tensor;
}

export interface ReduceOptions {
  keepdim?: boolean;
}

/** The node that produced a non-leaf tensor (PyTorch's `grad_fn`); walk the graph with `nextFunctions`. */
export class GradFn {
  /** @internal */
  readonly _node: RawNode;
  /** @internal */
  constructor(node: RawNode) {
    this._node = node;
  }
  /** The node's type name, e.g. `MulBackward0` or `AccumulateGrad`. */
  get name(): string {
    return this._node.name();
  }
  /** The nodes gradients flow to next, one per input: `[node, inputNr]`, null for inputs without gradient. */
  get nextFunctions(): [GradFn | null, number][] {
    const out: [GradFn | null, number][] = [];
    const n = this._node.numNext();
    for (let i = 0; i < n; i++) {
      const next = this._node.nextNode(i);
      out.push([next ? new GradFn(next) : null, this._node.nextInputNr(i)]);
    }
    return out;
  }
  /** The leaf tensor of an `AccumulateGrad` node. */
  get variable(): Tensor | null {
    const v = this._node.variable();
    return v ? new Tensor(v) : null;
  }
  /** A number identifying this node while it is alive (equal for two handles of one node). */
  get id(): number {
    return this._node.id();
  }
  /** Where the forward op was created, recorded while anomaly detection is on. */
  get trace(): string | null {
    return this._node.trace() ?? null;
  }
  toString(): string {
    return `<${this.name} object>`;
  }
}

/** Returned by `registerHook`: call `remove()` to unregister. */
export interface RemovableHandle {
  remove(): void;
}

let warnedNonLeafGrad = false;

const inspect = Symbol.for("nodejs.util.inspect.custom");

/** @internal */
export function shapeFromArgs(args: ShapeArgs): number[] {
  const dims = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
  for (const d of dims) {
    if (!Number.isInteger(d)) throw new TypeError(`shape must be a list of integers, got ${JSON.stringify(dims)}`);
  }
  return dims;
}

function dimList(dim: number | number[]): Int32Array {
  const dims = Array.isArray(dim) ? dim : [dim];
  for (const d of dims) {
    if (!Number.isInteger(d)) throw new TypeError(`dim must be an integer or a list of integers, got ${JSON.stringify(dim)}`);
  }
  return Int32Array.from(dims);
}

function keepdimOf(k: boolean | ReduceOptions | undefined, opts?: ReduceOptions): boolean {
  if (typeof k === "boolean") return k;
  return Boolean(k?.keepdim ?? opts?.keepdim ?? false);
}

/** @internal wrap a number as a 0-d tensor: the tensor's dtype, or float32 when the number is fractional and the tensor is not floating (PyTorch's wrapped-number rule). */
function scalarTensor(v: number, dtype: DType): Tensor {
  const floating = dtype === "float32" || dtype === "float64" || dtype === "float16" || dtype === "bfloat16";
  const d: DType = floating ? dtype : Number.isInteger(v) ? (dtype === "bool" ? "int64" : dtype) : "float32";
  return new Tensor(raw.RawTensor.fromF64(Float64Array.of(v), new Uint32Array(0), d));
}

/** A multi-dimensional array that records operations for automatic differentiation. */
export class Tensor {
  /** @internal */
  readonly _raw: RawTensor;

  /** @internal Use {@link tensor} and the other factory functions. */
  constructor(handle: RawTensor) {
    this._raw = handle;
    track(this);
  }

  // ---- metadata ---------------------------------------------------------------------------

  /** The size of every dimension. */
  get shape(): number[] {
    return Array.from(this._raw.shape());
  }
  /** `size()` is the shape; `size(dim)` one dimension (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const s = this.shape;
    if (dim === undefined) return s;
    const n = Math.max(s.length, 1);
    if (!Number.isInteger(dim) || dim < -n || dim >= n) {
      throw new Error(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
    }
    return s[dim < 0 ? dim + s.length : dim] ?? 1;
  }
  get ndim(): number {
    return this._raw.ndim();
  }
  dim(): number {
    return this._raw.ndim();
  }
  numel(): number {
    return this._raw.numel();
  }
  get dtype(): DType {
    return this._raw.dtype() as DType;
  }
  /** Whether gradients are computed for this tensor. Only leaves may be changed. */
  get requiresGrad(): boolean {
    return this._raw.requiresGrad();
  }
  set requiresGrad(flag: boolean) {
    this._raw.setRequiresGrad(flag);
  }
  /** In-place `requires_grad_`; returns this tensor. */
  requiresGrad_(flag = true): this {
    this._raw.setRequiresGrad(flag);
    return this;
  }
  /** True for tensors created by the user (not by a recorded op). */
  get isLeaf(): boolean {
    return this._raw.isLeaf();
  }
  /**
   * The accumulated gradient, or null before any backward reached this tensor. Non-leaf
   * tensors only keep one after {@link retainGrad} (PyTorch warns otherwise, and so do we, once).
   */
  get grad(): Tensor | null {
    const g = this._raw.grad();
    if (!g && !this._raw.isLeaf() && !this._raw.retainsGrad() && !warnedNonLeafGrad) {
      warnedNonLeafGrad = true;
      console.warn(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retainGrad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.",
      );
    }
    return g ? new Tensor(g) : null;
  }
  set grad(g: Tensor | null) {
    this._raw.setGrad(g ? g._raw.alias() : undefined);
  }
  /** The function that created this tensor, or null for leaves. */
  get gradFn(): GradFn | null {
    const node = this._raw.gradFn();
    return node ? new GradFn(node) : null;
  }
  /** Keep `.grad` on this non-leaf tensor during backward (a no-op on leaves). */
  retainGrad(): void {
    this._raw.retainGrad();
  }
  /** Whether this non-leaf tensor keeps its `.grad`. */
  get retainsGrad(): boolean {
    return this._raw.retainsGrad();
  }
  /** Whether this tensor was created in inference mode. */
  isInference(): boolean {
    return this._raw.isInference();
  }
  /**
   * Call `hook(grad)` each time the gradient of this tensor is computed; a returned tensor
   * replaces the gradient. Works on leaves (before accumulation) and non-leaves.
   */
  registerHook(hook: (grad: Tensor) => Tensor | void | null | undefined): RemovableHandle {
    const id = this._raw.registerHook((g: RawTensor) => {
      const out = hook(new Tensor(g));
      if (out instanceof Tensor) {
        const l = new raw.RawTensorList();
        l.push(out._raw.alias());
        raw.setCallbackResult(l);
      }
    });
    return { remove: () => void this._raw.removeHook(id) };
  }
  /** Call `hook(tensor)` after this leaf's `.grad` was updated by backward. */
  registerPostAccumulateGradHook(hook: (tensor: Tensor) => void): RemovableHandle {
    const id = this._raw.registerPostAccumulateGradHook((t: RawTensor) => hook(new Tensor(t)));
    return { remove: () => void this._raw.removeHook(id) };
  }
  isContiguous(): boolean {
    return this._raw.isContiguous();
  }

  // ---- arithmetic (broadcasting, PyTorch type promotion) --------------------------------

  /** `self + alpha * other`. */
  add(other: TensorLike, options?: { alpha?: number }): Tensor {
    const alpha = options?.alpha ?? 1;
    if (typeof other === "number") return new Tensor(this._raw.addScalar(other * alpha));
    const o = alpha === 1 ? other : other.mul(alpha);
    return new Tensor(this._raw.add(o._raw));
  }
  /** `self - alpha * other`. */
  sub(other: TensorLike, options?: { alpha?: number }): Tensor {
    const alpha = options?.alpha ?? 1;
    if (typeof other === "number") return new Tensor(this._raw.subScalar(other * alpha));
    const o = alpha === 1 ? other : other.mul(alpha);
    return new Tensor(this._raw.sub(o._raw));
  }
  /** `other - alpha * self` (PyTorch's `rsub`). */
  rsub(other: TensorLike, options?: { alpha?: number }): Tensor {
    const alpha = options?.alpha ?? 1;
    const s = alpha === 1 ? this : this.mul(alpha);
    if (typeof other === "number") return new Tensor(s._raw.rsubScalar(other));
    return other.sub(s);
  }
  mul(other: TensorLike): Tensor {
    if (typeof other === "number") return new Tensor(this._raw.mulScalar(other));
    return new Tensor(this._raw.mul(other._raw));
  }
  div(other: TensorLike): Tensor {
    if (typeof other === "number") return new Tensor(this._raw.divScalar(other));
    return new Tensor(this._raw.div(other._raw));
  }
  /** `self ** exponent`. */
  pow(exponent: TensorLike): Tensor {
    if (typeof exponent === "number") return new Tensor(this._raw.powScalar(exponent));
    return new Tensor(this._raw.pow(exponent._raw));
  }
  neg(): Tensor {
    return new Tensor(this._raw.neg());
  }
  exp(): Tensor {
    return new Tensor(this._raw.exp());
  }
  log(): Tensor {
    return new Tensor(this._raw.log());
  }
  sin(): Tensor {
    return new Tensor(this._raw.sin());
  }
  cos(): Tensor {
    return new Tensor(this._raw.cos());
  }
  tanh(): Tensor {
    return new Tensor(this._raw.tanh());
  }
  sigmoid(): Tensor {
    return new Tensor(this._raw.sigmoid());
  }
  sqrt(): Tensor {
    return new Tensor(this._raw.sqrt());
  }
  /** Softmax along `dim`. */
  softmax(dim: number): Tensor {
    return new Tensor(this._raw.softmax(dim));
  }
  /** Log-softmax along `dim`, computed stably. */
  logSoftmax(dim: number): Tensor {
    return new Tensor(this._raw.logSoftmax(dim));
  }

  // ---- in-place (bump the version counter; refused on leaves that require grad) ---------

  add_(other: TensorLike, options?: { alpha?: number }): this {
    const alpha = options?.alpha ?? 1;
    if (typeof other === "number") this._raw.addScalar_(other * alpha);
    else if (alpha === 1) this._raw.add_(other._raw);
    else this._raw.addScaled_(other._raw, alpha);
    return this;
  }
  sub_(other: TensorLike, options?: { alpha?: number }): this {
    const alpha = options?.alpha ?? 1;
    if (typeof other === "number") this._raw.subScalar_(other * alpha);
    else this._raw.sub_((alpha === 1 ? other : other.mul(alpha))._raw);
    return this;
  }
  mul_(other: TensorLike): this {
    if (typeof other === "number") this._raw.mulScalar_(other);
    else this._raw.mul_(other._raw);
    return this;
  }
  div_(other: TensorLike): this {
    if (typeof other === "number") this._raw.divScalar_(other);
    else this._raw.div_(other._raw);
    return this;
  }
  pow_(exponent: TensorLike): this {
    if (typeof exponent === "number") this._raw.powScalar_(exponent);
    else this._raw.pow_(exponent._raw);
    return this;
  }
  neg_(): this {
    this._raw.neg_();
    return this;
  }
  exp_(): this {
    this._raw.exp_();
    return this;
  }
  log_(): this {
    this._raw.log_();
    return this;
  }
  zero_(): this {
    this._raw.zero_();
    return this;
  }
  fill_(value: number): this {
    this._raw.fill_(value);
    return this;
  }
  /** Copy `src` (broadcast) into this tensor. */
  copy_(src: Tensor): this {
    this._raw.copy_(src._raw);
    return this;
  }
  /** The version counter of this tensor's storage (bumped by in-place ops). */
  get version(): number {
    return this._raw.version();
  }

  // ---- reductions -----------------------------------------------------------------------

  /** Sum of all elements, or over `dim` (a dim or a list of dims), keeping them with `keepdim`. */
  sum(dim?: number | number[] | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor {
    if (dim === undefined || dim === null) {
      return keepdimOf(keepdim, options)
        ? new Tensor(this._raw.sumDims(new Int32Array(0), true))
        : new Tensor(this._raw.sum());
    }
    return new Tensor(this._raw.sumDims(dimList(dim), keepdimOf(keepdim, options)));
  }
  /** Mean of all elements, or over `dim`, keeping them with `keepdim`. */
  mean(dim?: number | number[] | null, keepdim?: boolean | ReduceOptions, options?: ReduceOptions): Tensor {
    if (dim === undefined || dim === null) {
      return keepdimOf(keepdim, options)
        ? new Tensor(this._raw.meanDims(new Int32Array(0), true))
        : new Tensor(this._raw.mean());
    }
    return new Tensor(this._raw.meanDims(dimList(dim), keepdimOf(keepdim, options)));
  }

  // ---- linear algebra -------------------------------------------------------------------

  /** Matrix product with PyTorch's 1-D/2-D rules (dot, mv, vm, mm). */
  matmul(other: Tensor): Tensor {
    return new Tensor(this._raw.matmul(other._raw));
  }
  mm(other: Tensor): Tensor {
    return new Tensor(this._raw.mm(other._raw));
  }

  // ---- shapes -----------------------------------------------------------------------------

  /** A view when the strides allow it, otherwise a copy. One dimension may be -1. */
  reshape(...shape: ShapeArgs): Tensor {
    return new Tensor(this._raw.reshape(Int32Array.from(shapeFromArgs(shape))));
  }
  /** A view sharing storage; fails when the strides do not allow one (use reshape). */
  view(...shape: ShapeArgs): Tensor {
    return new Tensor(this._raw.view(Int32Array.from(shapeFromArgs(shape))));
  }
  /** Broadcast size-1 dims to `shape` without copying (-1 keeps a dim). */
  expand(...shape: ShapeArgs): Tensor {
    return new Tensor(this._raw.expand(Int32Array.from(shapeFromArgs(shape))));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return new Tensor(this._raw.transpose(dim0, dim1));
  }
  /** Transpose of a tensor with at most 2 dims. */
  t(): Tensor {
    return new Tensor(this._raw.t());
  }
  unsqueeze(dim: number): Tensor {
    return new Tensor(this._raw.unsqueeze(dim));
  }
  /** Remove size-1 dims (all of them, or the given ones). */
  squeeze(dim?: number | number[]): Tensor {
    if (dim === undefined) {
      const all = this.shape.map((_, i) => i);
      return new Tensor(this._raw.squeezeDims(Int32Array.from(all)));
    }
    return new Tensor(this._raw.squeezeDims(dimList(dim)));
  }
  contiguous(): Tensor {
    return new Tensor(this._raw.contiguous());
  }
  /** A copy with its own storage; differentiable. */
  clone(): Tensor {
    return new Tensor(this._raw.cloneTensor());
  }

  // ---- dtype ------------------------------------------------------------------------------

  /** Convert to `dtype` (this tensor when it already has it). */
  to(dtype: DType): Tensor {
    return new Tensor(this._raw.toDtype(dtype));
  }
  float(): Tensor {
    return this.to("float32");
  }
  double(): Tensor {
    return this.to("float64");
  }
  bool(): Tensor {
    return this.to("bool");
  }
  long(): Tensor {
    return this.to("int64");
  }
  /** float16 (IEEE half: 16-bit storage, float32 arithmetic rounded to half). */
  half(): Tensor {
    return this.to("float16");
  }
  bfloat16(): Tensor {
    return this.to("bfloat16");
  }
  int(): Tensor {
    return this.to("int32");
  }

  // ---- comparisons and logic (bool results, not differentiable) -------------------------

  eq(other: TensorLike): Tensor {
    return new Tensor(typeof other === "number" ? this._raw.eqScalar(other) : this._raw.eq(other._raw));
  }
  ne(other: TensorLike): Tensor {
    return new Tensor(typeof other === "number" ? this._raw.neScalar(other) : this._raw.ne(other._raw));
  }
  lt(other: TensorLike): Tensor {
    return new Tensor(typeof other === "number" ? this._raw.ltScalar(other) : this._raw.lt(other._raw));
  }
  le(other: TensorLike): Tensor {
    return new Tensor(typeof other === "number" ? this._raw.leScalar(other) : this._raw.le(other._raw));
  }
  gt(other: TensorLike): Tensor {
    return new Tensor(typeof other === "number" ? this._raw.gtScalar(other) : this._raw.gt(other._raw));
  }
  ge(other: TensorLike): Tensor {
    return new Tensor(typeof other === "number" ? this._raw.geScalar(other) : this._raw.ge(other._raw));
  }
  logicalAnd(other: Tensor): Tensor {
    return new Tensor(this._raw.logicalAnd(other._raw));
  }
  logicalOr(other: Tensor): Tensor {
    return new Tensor(this._raw.logicalOr(other._raw));
  }
  logicalXor(other: Tensor): Tensor {
    return new Tensor(this._raw.logicalXor(other._raw));
  }
  logicalNot(): Tensor {
    return new Tensor(this._raw.logicalNot());
  }
  /** `self.where(condition, other)`: elements of self where `condition`, else of `other`. */
  where(condition: Tensor, other: TensorLike): Tensor {
    return new Tensor(raw.RawTensor.whereSelect(condition._raw, this._raw, asTensor(other, this)._raw));
  }

  // ---- autograd ---------------------------------------------------------------------------

  /**
   * Accumulate the gradient of this tensor into the `.grad` of every leaf that requires grad.
   * A tensor with more than one element needs `gradient` (same shape), as in PyTorch.
   */
  backward(gradient?: Tensor | null, options?: BackwardOptions): void {
    const createGraph = options?.createGraph ?? false;
    const retainGraph = options?.retainGraph ?? createGraph;
    const g = gradient ? gradient._raw.alias() : undefined;
    if (options?.inputs !== undefined) {
      const ins = Array.isArray(options.inputs) ? options.inputs : [options.inputs];
      const list = new raw.RawTensorList();
      for (const t of ins) list.push(t._raw.alias());
      try {
        this._raw.backwardInputs(g, retainGraph, createGraph, list);
      } finally {
        list.free();
      }
      return;
    }
    this._raw.backward(g, retainGraph, createGraph);
  }
  /** A tensor sharing this one's data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this._raw.detach());
  }
  /** Cut this tensor itself from the graph; it becomes a leaf that does not require grad. */
  detach_(): this {
    this._raw.detach_();
    return this;
  }

  // ---- data -------------------------------------------------------------------------------

  /** The value of a one-element tensor. */
  item(): number | boolean {
    const v = this._raw.item();
    return this.dtype === "bool" ? v !== 0 : v;
  }
  /** The data as nested JavaScript arrays (a number for a 0-d tensor). */
  tolist(): NestedArray {
    const d = this.dtype;
    const flat = Array.from(d === "float32" || d === "float64" ? this.toTypedArray() : this._raw.toF64());
    const vals: (number | boolean)[] = this.dtype === "bool" ? flat.map((v) => v !== 0) : flat;
    const shape = this.shape;
    if (shape.length === 0) return vals[0]!;
    const build = (d: number, off: number): NestedArray[] => {
      const n = shape[d]!;
      const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(d === shape.length - 1 ? vals[off + i]! : build(d + 1, off + i * stride));
      return out;
    };
    return build(0, 0);
  }
  /** A copy of the data in row-major order (Float32Array for float32, else Float64Array). */
  toTypedArray(): Float32Array | Float64Array {
    const d = this.dtype;
    if (d === "float32" || d === "float64") {
      // Contiguous data: one copy straight out of WASM memory.
      const ptr = this._raw.dataPtr();
      if (ptr !== 0) {
        const n = this._raw.numel();
        const buf = wasmMemory().buffer;
        return d === "float32" ? new Float32Array(buf, ptr, n).slice() : new Float64Array(buf, ptr, n).slice();
      }
    }
    return d === "float32" ? this._raw.toF32() : this._raw.toF64();
  }
  /** Printed exactly as PyTorch prints it, e.g. `tensor([5.])`. */
  toString(): string {
    return this._raw.repr();
  }
  [inspect](): string {
    return this._raw.repr();
  }
  /** Free the memory now instead of waiting for garbage collection. The tensor is unusable afterwards. */
  dispose(): void {
    // A second dispose is a no-op (wasm-bindgen zeroes the pointer on free).
    if ((this._raw as unknown as { __wbg_ptr: number }).__wbg_ptr !== 0) this._raw.free();
  }
}

/** @internal */
export function asTensor(v: TensorLike, like?: Tensor): Tensor {
  return typeof v === "number" ? scalarTensor(v, like?.dtype ?? "float32") : v;
}
