// nn layers (Linear, Conv2d, ...), built on nn.functional, with PyTorch's parameter names,
// default initialisation (same draws, same order as each `reset_parameters`), and reprs.
import { Tensor, type DType } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { tensor, zeros, ones } from "../creation.js";
import { Module, Parameter } from "./module.js";
import * as init from "./init.js";
import * as F from "./functional.js";
import * as C from "./conv.js";
import "../ops/views.js";
import "../ops/indexing.js";

// ---- repr helpers: Python's formatting of floats, bools, tuples, strings -------------------

/** Python's `repr(float)`: shortest digits, fixed for 1e-4 <= |x| < 1e16, else `1e-05`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expS] = x.toExponential().split("e") as [string, string];
  const exp = Number(expS);
  if (exp < -4 || exp >= 16) {
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${mant}e${exp < 0 ? "-" : "+"}${e}`;
  }
  const s = String(x); // fixed notation for 1e-4 <= |x| < 1e16 in JS too
  return s.includes(".") ? s : `${s}.0`;
}
function pyBool(b: boolean): string {
  return b ? "True" : "False";
}
function pyTuple(t: readonly number[]): string {
  return t.length === 1 ? `(${t[0]},)` : `(${t.join(", ")})`;
}
function pyValue(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return pyBool(v);
  if (Array.isArray(v)) return pyTuple(v as number[]);
  return String(v);
}

function ntuple(v: number | number[], n: number, name = "value"): number[] {
  if (Array.isArray(v)) {
    if (v.length !== n) throw new Error(`${name} must be an int or a tuple of ${n} ints, got ${JSON.stringify(v)}`);
    return [...v];
  }
  return Array.from({ length: n }, () => v);
}

/** Options every parameterised layer accepts (PyTorch's `dtype=` factory keyword). */
export interface FactoryOptions {
  dtype?: DType;
}

function empty(shape: number[], dtype: DType | undefined): Tensor {
  return zeros(shape, { dtype: dtype ?? "float32" });
}

// ---- containers ------------------------------------------------------------------------------

/** Modules run one after another; indexable (`seq.at(0)`, `seq.get(-1)`), `append`, `length`. */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Map<string, Module>] | [Record<string, Module>]) {
    super();
    if (modules.length === 1 && !(modules[0] instanceof Module)) {
      const m = modules[0] as Map<string, Module> | Record<string, Module>;
      for (const [k, v] of m instanceof Map ? m : Object.entries(m)) this.addModule(k, v);
    } else {
      (modules as Module[]).forEach((m, i) => this.addModule(String(i), m));
    }
  }
  /** @internal */
  _mods(): [string, Module][] {
    return [...this._registered.entries()].filter((e): e is [string, Module] => e[1] instanceof Module);
  }
  get length(): number {
    return this._mods().length;
  }
  /** The module at `idx` (negative counts from the end), PyTorch's `seq[idx]`. */
  at(idx: number): Module {
    const mods = this._mods();
    const n = mods.length;
    if (!Number.isInteger(idx) || idx < -n || idx >= n) throw new Error(`index ${idx} is out of range`);
    return mods[idx < 0 ? idx + n : idx]![1];
  }
  get(idx: number): Module {
    return this.at(idx);
  }
  /** A new Sequential of the modules in `[start, end)`, keeping their names. */
  slice(start?: number, end?: number): Sequential {
    const s = new Sequential();
    for (const [k, m] of this._mods().slice(start, end)) s.addModule(k, m);
    return s;
  }
  append(module: Module): this {
    this.addModule(String(this.length), module);
    return this;
  }
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  insert(index: number, module: Module): this {
    const mods = this._mods().map(([, m]) => m);
    const n = mods.length;
    if (!Number.isInteger(index) || index < -n || index > n) throw new Error(`Index out of range: ${index}`);
    mods.splice(index < 0 ? index + n : index, 0, module);
    this._registered.clear();
    this._moduleSlots.clear();
    mods.forEach((m, i) => this.addModule(String(i), m));
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this._mods().map(([, m]) => m)[Symbol.iterator]();
  }
  forward(input: unknown): unknown {
    let x = input;
    for (const [, m] of this._mods()) x = m.call(x);
    return x;
  }
}

/** A list of modules, registered as `0`, `1`, ... (no forward). */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  /** @internal */
  _mods(): Module[] {
    return [...this._registered.values()].filter((m): m is Module => m instanceof Module);
  }
  get length(): number {
    return this._mods().length;
  }
  at(idx: number): Module {
    const mods = this._mods();
    const n = mods.length;
    if (!Number.isInteger(idx) || idx < -n || idx >= n) throw new Error(`index ${idx} is out of range`);
    return mods[idx < 0 ? idx + n : idx]!;
  }
  get(idx: number): Module {
    return this.at(idx);
  }
  append(module: Module): this {
    this.addModule(String(this.length), module);
    return this;
  }
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  insert(index: number, module: Module): this {
    const mods = this._mods();
    const n = mods.length;
    mods.splice(index < 0 ? Math.max(0, index + n) : Math.min(index, n), 0, module);
    this._registered.clear();
    this._moduleSlots.clear();
    mods.forEach((m, i) => this.addModule(String(i), m));
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this._mods()[Symbol.iterator]();
  }
  forward(): unknown {
    throw new Error("Module [ModuleList] is missing the required \"forward\" function");
  }
  /** PyTorch's ModuleList repr, which folds runs of identical modules: `(0-2): 3 x Linear(...)`. */
  toString(): string {
    const reprs = this._mods().map((m) => m.toString());
    if (reprs.length === 0) return `${this._getName()}()`;
    const blocks: [number, number, string][] = [[0, 0, reprs[0]!]];
    for (let i = 1; i < reprs.length; i++) {
      const last = blocks[blocks.length - 1]!;
      if (reprs[i] === last[2]) last[1] = i;
      else blocks.push([i, i, reprs[i]!]);
    }
    const lines = blocks.map(([s, e, r]) => {
      const local = s === e ? `(${s}): ${r}` : `(${s}-${e}): ${e - s + 1} x ${r}`;
      const parts = local.split("\n");
      return [parts[0], ...parts.slice(1).map((l) => `  ${l}`)].join("\n");
    });
    return `${this._getName()}(\n  ${lines.join("\n  ")}\n)`;
  }
}

/** A name -> module map, registered in insertion order (no forward). */
export class ModuleDict extends Module {
  constructor(modules: Map<string, Module> | Record<string, Module> = {}) {
    super();
    this.update(modules);
  }
  get(key: string): Module {
    const m = this._registered.get(key);
    if (!(m instanceof Module)) throw new Error(`KeyError: '${key}'`);
    return m;
  }
  set(key: string, module: Module): this {
    this.addModule(key, module);
    return this;
  }
  has(key: string): boolean {
    return this._registered.get(key) instanceof Module;
  }
  delete(key: string): Module {
    const m = this.get(key);
    this._registered.delete(key);
    this._moduleSlots.delete(key);
    return m;
  }
  keys(): string[] {
    return [...this._registered.keys()];
  }
  values(): Module[] {
    return [...this._registered.values()] as Module[];
  }
  items(): [string, Module][] {
    return [...this._registered.entries()] as [string, Module][];
  }
  get length(): number {
    return this._registered.size;
  }
  update(modules: Map<string, Module> | Record<string, Module>): this {
    for (const [k, v] of modules instanceof Map ? modules : Object.entries(modules)) this.addModule(k, v);
    return this;
  }
  forward(): unknown {
    throw new Error("Module [ModuleDict] is missing the required \"forward\" function");
  }
}

// ---- linear layers -----------------------------------------------------------------------------

/** `y = x Wᵀ + b`; weight `[out, in]` kaiming-uniform (a=√5), bias `U(-1/√in, 1/√in)`. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(inFeatures: number, outFeatures: number, bias: boolean | (FactoryOptions & { bias?: boolean }) = true, options: FactoryOptions = {}) {
    super();
    const o = typeof bias === "object" ? bias : { ...options, bias };
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(empty([outFeatures, inFeatures], o.dtype));
    this.bias = o.bias ?? true ? new Parameter(empty([outFeatures], o.dtype)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }
  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }
  extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** `y = x1ᵀ A x2 + b`; weight `[out, in1, in2]` and bias `U(-1/√in1, 1/√in1)`. */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;
  constructor(in1: number, in2: number, out: number, bias: boolean | (FactoryOptions & { bias?: boolean }) = true, options: FactoryOptions = {}) {
    super();
    const o = typeof bias === "object" ? bias : { ...options, bias };
    this.in1Features = in1;
    this.in2Features = in2;
    this.outFeatures = out;
    this.weight = new Parameter(empty([out, in1, in2], o.dtype));
    this.bias = o.bias ?? true ? new Parameter(empty([out], o.dtype)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.size(1));
    init.uniform_(this.weight, -bound, bound);
    if (this.bias) init.uniform_(this.bias, -bound, bound);
  }
  forward(input1: Tensor, input2: Tensor): Tensor {
    return F.bilinear(input1, input2, this.weight, this.bias);
  }
  extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input;
  }
}

/** Flatten dims `startDim..endDim` (default 1..-1). */
export class Flatten extends Module {
  constructor(
    readonly startDim: number = 1,
    readonly endDim: number = -1,
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }
  extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Expand dim `dim` into `unflattenedSize` (PyTorch's nn.Unflatten). */
export class Unflatten extends Module {
  constructor(
    readonly dim: number,
    readonly unflattenedSize: number[],
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattenedSize);
  }
  extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=(${this.unflattenedSize.join(", ")}${this.unflattenedSize.length === 1 ? "," : ""})`;
  }
}

// ---- convolution -------------------------------------------------------------------------------

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvOptions extends FactoryOptions {
  stride?: number | number[];
  padding?: number | number[] | "same" | "valid";
  dilation?: number | number[];
  groups?: number;
  bias?: boolean;
  paddingMode?: PaddingMode;
}

abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** @internal */
  readonly _reversedPaddingRepeatedTwice: number[];
  weight: Parameter;
  bias: Parameter | null;

  constructor(n: number, inChannels: number, outChannels: number, kernelSize: number | number[], args: unknown[]) {
    super();
    // positional (stride, padding, dilation, groups, bias, paddingMode) or one options object
    const o: ConvOptions =
      args.length === 1 && typeof args[0] === "object" && !Array.isArray(args[0])
        ? (args[0] as ConvOptions)
        : {
            stride: args[0] as number,
            padding: args[1] as number,
            dilation: args[2] as number,
            groups: args[3] as number,
            bias: args[4] as boolean,
            paddingMode: args[5] as PaddingMode,
            ...((args[6] as FactoryOptions) ?? {}),
          };
    const groups = o.groups ?? 1;
    if (groups <= 0) throw new Error("groups must be a positive integer");
    if (inChannels % groups !== 0) throw new Error("in_channels must be divisible by groups");
    if (outChannels % groups !== 0) throw new Error("out_channels must be divisible by groups");
    const padding = o.padding ?? 0;
    const stride = ntuple(o.stride ?? 1, n, "stride");
    const dilation = ntuple(o.dilation ?? 1, n, "dilation");
    const k = ntuple(kernelSize, n, "kernel_size");
    if (typeof padding === "string") {
      if (padding !== "same" && padding !== "valid") throw new Error(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
      if (padding === "same" && stride.some((s) => s !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
    }
    const mode = o.paddingMode ?? "zeros";
    if (!["zeros", "reflect", "replicate", "circular"].includes(mode)) {
      throw new Error(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${mode}'`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = k;
    this.stride = stride;
    this.padding = typeof padding === "string" ? padding : ntuple(padding, n, "padding");
    this.dilation = dilation;
    this.groups = groups;
    this.paddingMode = mode;
    const rev: number[] = [];
    if (this.padding === "same") {
      for (let i = n - 1; i >= 0; i--) {
        const total = dilation[i]! * (k[i]! - 1);
        const left = Math.floor(total / 2);
        rev.push(left, total - left);
      }
    } else if (this.padding === "valid") {
      for (let i = 0; i < n; i++) rev.push(0, 0);
    } else {
      for (let i = n - 1; i >= 0; i--) rev.push(this.padding[i]!, this.padding[i]!);
    }
    this._reversedPaddingRepeatedTwice = rev;
    this.weight = new Parameter(empty([outChannels, inChannels / groups, ...k], o.dtype));
    this.bias = o.bias ?? true ? new Parameter(empty([outChannels], o.dtype)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    init.kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }
  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === "string" || p.some((v) => v !== 0)) s += `, padding=${typeof p === "string" ? p : pyTuple(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
  /** @internal */
  protected convForward(fn: "conv1d" | "conv2d", input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    if (this.paddingMode !== "zeros") {
      const padded = F.pad(input, this._reversedPaddingRepeatedTwice, this.paddingMode);
      return C[fn](padded, weight, bias, this.stride, this.kernelSize.map(() => 0), this.dilation, this.groups);
    }
    if (typeof this.padding === "string") {
      // 'valid' is no padding; 'same' pads d*(k-1) per dim, the odd element on the right
      // (PyTorch's `_conv_forward` pads asymmetric 'same' the same way).
      const rev = this._reversedPaddingRepeatedTwice;
      const n = this.kernelSize.length;
      const sym: number[] = [];
      let symmetric = true;
      for (let i = 0; i < n; i++) {
        const [l, r] = [rev[2 * (n - 1 - i)]!, rev[2 * (n - 1 - i) + 1]!];
        sym.push(l);
        if (l !== r) symmetric = false;
      }
      if (symmetric) return C[fn](input, weight, bias, this.stride, sym, this.dilation, this.groups);
      const padded = F.pad(input, rev, "constant", 0);
      return C[fn](padded, weight, bias, this.stride, sym.map(() => 0), this.dilation, this.groups);
    }
    return C[fn](input, weight, bias, this.stride, this.padding, this.dilation, this.groups);
  }
}

/** 1-D convolution over `[N, C, L]`; weight `[out, in/groups, k]`. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: unknown[]) {
    super(1, inChannels, outChannels, kernelSize, args);
  }
  forward(input: Tensor): Tensor {
    return this.convForward("conv1d", input, this.weight, this.bias);
  }
}

/** 2-D convolution over `[N, C, H, W]`; weight `[out, in/groups, kH, kW]`. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: unknown[]) {
    super(2, inChannels, outChannels, kernelSize, args);
  }
  forward(input: Tensor): Tensor {
    return this.convForward("conv2d", input, this.weight, this.bias);
  }
}

// ---- embedding ---------------------------------------------------------------------------------

export interface EmbeddingOptions extends FactoryOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  _weight?: Tensor | null;
  _freeze?: boolean;
}

/**
 * A lookup table `[num, dim]`, initialised `N(0, 1)` (the padding row zero). `maxNorm`
 * renormalises the looked-up rows of `weight` in place on every forward (as PyTorch);
 * `sparse: true` throws (no sparse gradients).
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  weight: Parameter;
  constructor(numEmbeddings: number, embeddingDim: number, paddingIdx: number | null | EmbeddingOptions = null, options: EmbeddingOptions = {}) {
    super();
    const o: EmbeddingOptions = typeof paddingIdx === "object" && paddingIdx !== null ? paddingIdx : { ...options, paddingIdx };
    let pad = o.paddingIdx ?? null;
    if (pad !== null) {
      if (pad > 0) {
        if (pad >= numEmbeddings) throw new Error("Padding_idx must be within num_embeddings");
      } else if (pad < 0) {
        if (pad < -numEmbeddings) throw new Error("Padding_idx must be within num_embeddings");
        pad = numEmbeddings + pad;
      }
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    this.maxNorm = o.maxNorm ?? null;
    this.normType = o.normType ?? 2.0;
    this.scaleGradByFreq = o.scaleGradByFreq ?? false;
    this.sparse = o.sparse ?? false;
    // no sparse tensors: refuse here rather than train with a dense gradient unasked
    if (this.sparse) throw F.sparseEmbeddingError();
    if (o._weight) {
      const s = o._weight.shape;
      if (s.length !== 2 || s[0] !== numEmbeddings || s[1] !== embeddingDim) {
        throw new Error("Shape of weight does not match num_embeddings and embedding_dim");
      }
      this.weight = new Parameter(o._weight, !(o._freeze ?? false));
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], o.dtype), !(o._freeze ?? false));
      this.resetParameters();
    }
  }
  resetParameters(): void {
    init.normal_(this.weight);
    this.fillPaddingIdxWithZero();
  }
  /** @internal */
  protected fillPaddingIdxWithZero(): void {
    if (this.paddingIdx === null) return;
    const w = this.weight;
    const row = tensor([this.paddingIdx], { dtype: "int64" });
    noGrad(() => w.indexPut_([row], 0));
  }
  /** An Embedding holding `embeddings` (frozen by default), PyTorch's `from_pretrained`. */
  static fromPretrained(embeddings: Tensor, freeze: boolean | (EmbeddingOptions & { freeze?: boolean }) = true, options: EmbeddingOptions = {}): Embedding {
    const o = typeof freeze === "object" ? freeze : { ...options, freeze };
    if (embeddings.dim() !== 2) throw new Error("Embeddings parameter is expected to be 2-dimensional");
    const [rows, cols] = embeddings.shape as [number, number];
    return new Embedding(rows, cols, { ...o, _weight: embeddings, _freeze: o.freeze ?? true });
  }
  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.paddingIdx, this.maxNorm, this.normType, this.scaleGradByFreq, this.sparse);
  }
  extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += ", scale_grad_by_freq=True";
    return s;
  }
}

// ---- normalisation -----------------------------------------------------------------------------

export interface LayerNormOptions extends FactoryOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  bias?: boolean;
}

/** Normalise over the trailing `normalizedShape` dims; weight ones, bias zeros. */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(normalizedShape: number | number[], eps: number | LayerNormOptions = 1e-5, elementwiseAffine = true, options: LayerNormOptions = {}) {
    super();
    const o: LayerNormOptions = typeof eps === "object" ? eps : { ...options, eps, elementwiseAffine };
    this.normalizedShape = Array.isArray(normalizedShape) ? [...normalizedShape] : [normalizedShape];
    this.eps = o.eps ?? 1e-5;
    this.elementwiseAffine = o.elementwiseAffine ?? true;
    if (this.elementwiseAffine) {
      this.weight = new Parameter(ones(this.normalizedShape, { dtype: o.dtype ?? "float32" }));
      this.bias = o.bias ?? true ? new Parameter(zeros(this.normalizedShape, { dtype: o.dtype ?? "float32" })) : null;
    } else {
      this.weight = null;
      this.bias = null;
    }
  }
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(numFeatures: number, eps: number | BatchNormOptions, momentum: number | null, affine: boolean, trackRunningStats: boolean, options: BatchNormOptions) {
    super();
    const o: BatchNormOptions = typeof eps === "object" ? eps : { ...options, eps, momentum, affine, trackRunningStats };
    this.numFeatures = numFeatures;
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    const dtype = o.dtype ?? "float32";
    if (this.affine) {
      this.weight = new Parameter(ones([numFeatures], { dtype }));
      this.bias = new Parameter(zeros([numFeatures], { dtype }));
    } else {
      this.weight = null;
      this.bias = null;
    }
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", tensor(0, { dtype: "int64" }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
  }
  get runningMean(): Tensor | null {
    return (this._registered.get("running_mean") as Tensor | null) ?? null;
  }
  get runningVar(): Tensor | null {
    return (this._registered.get("running_var") as Tensor | null) ?? null;
  }
  get numBatchesTracked(): Tensor | null {
    return (this._registered.get("num_batches_tracked") as Tensor | null) ?? null;
  }
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.runningMean!.zero_();
      this.runningVar!.fill_(1);
      this.numBatchesTracked!.zero_();
    });
  }
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }
  /** @internal */
  abstract checkInputDim(input: Tensor): void;
  forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0.0;
    if (this.training && this.trackRunningStats) {
      const nbt = this.numBatchesTracked;
      if (nbt !== null) {
        noGrad(() => nbt.add_(1));
        factor = this.momentum === null ? 1.0 / (nbt.item() as number) : this.momentum;
      }
    }
    const bnTraining = this.training ? true : this.runningMean === null && this.runningVar === null;
    const useStats = !this.training || this.trackRunningStats;
    return F.batchNorm(
      input,
      useStats ? this.runningMean : null,
      useStats ? this.runningVar : null,
      this.weight,
      this.bias,
      bnTraining,
      factor,
      this.eps,
    );
  }
  extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Batch norm over `[N, C]` or `[N, C, L]`, with running statistics (momentum 0.1). */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, eps: number | BatchNormOptions = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true, options: BatchNormOptions = {}) {
    super(numFeatures, eps, momentum, affine, trackRunningStats, options);
  }
  checkInputDim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new Error(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/** Batch norm over `[N, C, H, W]`, with running statistics (momentum 0.1). */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, eps: number | BatchNormOptions = 1e-5, momentum: number | null = 0.1, affine = true, trackRunningStats = true, options: BatchNormOptions = {}) {
    super(numFeatures, eps, momentum, affine, trackRunningStats, options);
  }
  checkInputDim(input: Tensor): void {
    if (input.dim() !== 4) throw new Error(`expected 4D input (got ${input.dim()}D input)`);
  }
}

/** Group norm: channels in `numGroups` groups, per-channel affine (ones/zeros). */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  constructor(numGroups: number, numChannels: number, eps: number | (FactoryOptions & { eps?: number; affine?: boolean }) = 1e-5, affine = true, options: FactoryOptions = {}) {
    super();
    const o = typeof eps === "object" ? eps : { ...options, eps, affine };
    if (numChannels % numGroups !== 0) throw new Error("num_channels must be divisible by num_groups");
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    const dtype = o.dtype ?? "float32";
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  forward(input: Tensor): Tensor {
    return F.groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }
  extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/** Zero elements with probability `p` in training (scaling the rest by `1/(1-p)`); identity in eval. */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(p: number | { p?: number; inplace?: boolean } = 0.5, inplace = false) {
    super();
    const [prob, ip] = typeof p === "object" ? [p.p ?? 0.5, p.inplace ?? false] : [p, inplace];
    if (prob < 0 || prob > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${prob}`);
    this.p = prob;
    this.inplace = ip;
  }
  forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training, this.inplace);
  }
  extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

// ---- activations -------------------------------------------------------------------------------
// `inplace` is positional (PyTorch's order) or a key of an options object in first position:
// `new nn.ReLU(true)`, `new nn.ReLU({ inplace: true })`, `new nn.LeakyReLU({ negativeSlope: 0.2, inplace: true })`.

function inplaceOnly(inplace: boolean): string {
  return inplace ? "inplace=True" : "";
}

function inplaceArg(v: boolean | F.InplaceOptions): boolean {
  return typeof v === "object" ? (v.inplace ?? false) : v;
}

/** A module whose only argument is `inplace`. */
abstract class InplaceActivation extends Module {
  readonly inplace: boolean;
  constructor(inplace: boolean | F.InplaceOptions = false) {
    super();
    this.inplace = inplaceArg(inplace);
  }
  extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

export class ReLU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }
}

export class ReLU6 extends InplaceActivation {
  readonly minVal = 0.0;
  readonly maxVal = 6.0;
  forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal, this.inplace);
  }
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  readonly inplace: boolean;
  constructor(negativeSlope: number | { negativeSlope?: number; inplace?: boolean } = 0.01, inplace = false) {
    super();
    const o = typeof negativeSlope === "object" ? negativeSlope : { negativeSlope, inplace };
    this.negativeSlope = o.negativeSlope ?? 0.01;
    this.inplace = o.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope, this.inplace);
  }
  extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

export class ELU extends Module {
  readonly alpha: number;
  readonly inplace: boolean;
  constructor(alpha: number | { alpha?: number; inplace?: boolean } = 1.0, inplace = false) {
    super();
    const o = typeof alpha === "object" ? alpha : { alpha, inplace };
    this.alpha = o.alpha ?? 1.0;
    this.inplace = o.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, this.inplace);
  }
  extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

export class SELU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.selu(input, this.inplace);
  }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(approximate: "none" | "tanh" | { approximate?: "none" | "tanh" } = "none") {
    super();
    this.approximate = typeof approximate === "object" ? (approximate.approximate ?? "none") : approximate;
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class SiLU extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.silu(input, this.inplace);
  }
}

export class Mish extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.mish(input, this.inplace);
  }
}

export class Hardswish extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.hardswish(input, this.inplace);
  }
  extraRepr(): string {
    return "";
  }
}

export class Hardsigmoid extends InplaceActivation {
  forward(input: Tensor): Tensor {
    return F.hardsigmoid(input, this.inplace);
  }
  extraRepr(): string {
    return "";
  }
}

export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  readonly inplace: boolean;
  constructor(minVal: number | { minVal?: number; maxVal?: number; inplace?: boolean } = -1.0, maxVal = 1.0, inplace = false) {
    super();
    const o = typeof minVal === "object" ? minVal : { minVal, maxVal, inplace };
    this.minVal = o.minVal ?? -1.0;
    this.maxVal = o.maxVal ?? 1.0;
    this.inplace = o.inplace ?? false;
    if (this.maxVal <= this.minVal) throw new Error(`max_val must be greater than min_val`);
  }
  forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal, this.inplace);
  }
  extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${this.inplace ? ", inplace=True" : ""}`;
  }
}

export class Softplus extends Module {
  constructor(
    readonly beta = 1.0,
    readonly threshold = 20.0,
  ) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }
  extraRepr(): string {
    return `beta=${pyFloat(this.beta)}, threshold=${pyFloat(this.threshold)}`;
  }
}

export class Softsign extends Module {
  forward(input: Tensor): Tensor {
    return F.softsign(input);
  }
}

export class Hardshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.hardshrink(input, this.lambd);
  }
  extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

export class Softshrink extends Module {
  constructor(readonly lambd = 0.5) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.softshrink(input, this.lambd);
  }
  extraRepr(): string {
    return pyFloat(this.lambd);
  }
}

export class LogSigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.logsigmoid(input);
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** PyTorch's `_get_softmax_dim` for `dim=None` (deprecated implicit choice). */
function softmaxDim(name: string, ndim: number): number {
  console.warn(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

export class Softmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = typeof dim === "object" && dim !== null ? (dim.dim ?? null) : dim;
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim ?? softmaxDim("softmax", input.dim()));
  }
  extraRepr(): string {
    return `dim=${pyValue(this.dim)}`;
  }
}

export class LogSoftmax extends Module {
  readonly dim: number | null;
  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = typeof dim === "object" && dim !== null ? (dim.dim ?? null) : dim;
  }
  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim ?? softmaxDim("log_softmax", input.dim()));
  }
  extraRepr(): string {
    return `dim=${pyValue(this.dim)}`;
  }
}

// ---- losses --------------------------------------------------------------------------------------

export type Reduction = "none" | "mean" | "sum";

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(reduction: Reduction = "mean") {
    super();
    this.reduction = reduction;
  }
  abstract forward(input: Tensor, target: Tensor): Tensor;
}

/** The weight of a weighted loss is a buffer named `weight`, as in PyTorch. */
abstract class WeightedLoss extends Loss {
  constructor(weight: Tensor | null | undefined, reduction: Reduction) {
    super(reduction);
    this.registerBuffer("weight", weight ?? null);
  }
  get weight(): Tensor | null {
    return (this._registered.get("weight") as Tensor | null) ?? null;
  }
}

export class MSELoss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class L1Loss extends Loss {
  constructor(options: { reduction?: Reduction } = {}) {
    super(options.reduction);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: { reduction?: Reduction; beta?: number } = {}) {
    super(options.reduction);
    this.beta = options.beta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: { reduction?: Reduction; delta?: number } = {}) {
    super(options.reduction);
    this.delta = options.delta ?? 1.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(options: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) {
    super(options.weight, options.reduction ?? "mean");
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0.0;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(options: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    super(options.weight, options.reduction ?? "mean");
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class BCELoss extends WeightedLoss {
  constructor(options: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(options.weight, options.reduction ?? "mean");
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  constructor(options: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    super(options.reduction ?? "mean");
    this.registerBuffer("weight", options.weight ?? null);
    this.registerBuffer("pos_weight", options.posWeight ?? null);
  }
  get weight(): Tensor | null {
    return (this._registered.get("weight") as Tensor | null) ?? null;
  }
  get posWeight(): Tensor | null {
    return (this._registered.get("pos_weight") as Tensor | null) ?? null;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, reduction: this.reduction, posWeight: this.posWeight });
  }
}

export class KLDivLoss extends Loss {
  readonly logTarget: boolean;
  constructor(options: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}) {
    super((options.reduction ?? "mean") as Reduction);
    this.logTarget = options.logTarget ?? false;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

// ---- pooling -------------------------------------------------------------------------------------

type IntOr2 = number | [number, number];

export class MaxPool2d extends Module {
  readonly kernelSize: IntOr2;
  readonly stride: IntOr2;
  readonly padding: IntOr2;
  readonly dilation: IntOr2;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;
  constructor(
    kernelSize: IntOr2,
    stride: IntOr2 | null | { stride?: IntOr2 | null; padding?: IntOr2; dilation?: IntOr2; returnIndices?: boolean; ceilMode?: boolean } = null,
    padding: IntOr2 = 0,
    dilation: IntOr2 = 1,
    returnIndices = false,
    ceilMode = false,
  ) {
    super();
    const o = stride !== null && typeof stride === "object" && !Array.isArray(stride) ? stride : { stride, padding, dilation, returnIndices, ceilMode };
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = o.returnIndices ?? false;
    this.ceilMode = o.ceilMode ?? false;
  }
  /** The pooled tensor, or `[values, indices]` with `returnIndices`. */
  forward(input: Tensor): Tensor | [Tensor, Tensor] {
    return C.maxPool2d(input, this.kernelSize, this.stride, this.padding, this.dilation, this.ceilMode, this.returnIndices);
  }
  extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}, dilation=${pyValue(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

export class AvgPool2d extends Module {
  readonly kernelSize: IntOr2;
  readonly stride: IntOr2;
  readonly padding: IntOr2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(
    kernelSize: IntOr2,
    stride: IntOr2 | null | { stride?: IntOr2 | null; padding?: IntOr2; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number | null } = null,
    padding: IntOr2 = 0,
    ceilMode = false,
    countIncludePad = true,
    divisorOverride: number | null = null,
  ) {
    super();
    const o = stride !== null && typeof stride === "object" && !Array.isArray(stride) ? stride : { stride, padding, ceilMode, countIncludePad, divisorOverride };
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = o.ceilMode ?? false;
    this.countIncludePad = o.countIncludePad ?? true;
    this.divisorOverride = o.divisorOverride ?? null;
  }
  forward(input: Tensor): Tensor {
    return C.avgPool2d(input, this.kernelSize, this.stride, this.padding, this.ceilMode, this.countIncludePad, this.divisorOverride);
  }
  extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | [number | null, number | null]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return C.adaptiveAvgPool2d(input, this.outputSize);
  }
  extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${Array.isArray(o) ? `(${o.map((v) => (v === null ? "None" : v)).join(", ")})` : o}`;
  }
}

/** The module classes of this file, merged into the public `nn`. */
export const layers = {
  Sequential,
  ModuleList,
  ModuleDict,
  Linear,
  Bilinear,
  Identity,
  Flatten,
  Unflatten,
  Conv1d,
  Conv2d,
  Embedding,
  LayerNorm,
  BatchNorm1d,
  BatchNorm2d,
  GroupNorm,
  Dropout,
  ReLU,
  ReLU6,
  LeakyReLU,
  ELU,
  SELU,
  GELU,
  SiLU,
  Mish,
  Hardswish,
  Hardsigmoid,
  Hardtanh,
  Softplus,
  Softsign,
  Hardshrink,
  Softshrink,
  LogSigmoid,
  Tanh,
  Sigmoid,
  Softmax,
  LogSoftmax,
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  CrossEntropyLoss,
  NLLLoss,
  BCELoss,
  BCEWithLogitsLoss,
  KLDivLoss,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
};
