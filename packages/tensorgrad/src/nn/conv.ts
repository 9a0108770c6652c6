// nn.functional convolution and pooling: conv1d, conv2d, convTranspose1d, convTranspose2d,
// maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d.
// Bindings: crates/tensorgrad-wasm/src/ops_conv.rs; PyTorch's checks, messages and gradients
// live in the Rust core (crates/tensorgrad-core/src/ops/conv.rs).
//
// Arguments are PyTorch's, in PyTorch's positional order. The argument after the last
// tensor may instead be an options object with the remaining (camelCase) keyword arguments:
// `conv2d(x, w, b, { stride: 2, padding: "same" })`, `maxPool2d(x, 2, { returnIndices: true })`.
import { Tensor } from "../tensor.js";

/** An int, or one int per spatial dim (`[h, w]` for the 2-D ops). */
export type IntOrList = number | number[];
/** `padding` of conv1d/conv2d: sizes, or 'valid' (none) / 'same' (output size = input size). */
export type ConvPaddingArg = IntOrList | "valid" | "same";

export interface ConvOptions {
  stride?: IntOrList;
  padding?: ConvPaddingArg;
  dilation?: IntOrList;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: IntOrList;
  padding?: IntOrList;
  outputPadding?: IntOrList;
  groups?: number;
  dilation?: IntOrList;
}

export interface MaxPoolOptions {
  /** Defaults to `kernelSize`. */
  stride?: IntOrList | null;
  padding?: IntOrList;
  dilation?: IntOrList;
  ceilMode?: boolean;
  returnIndices?: boolean;
}

export interface AvgPoolOptions {
  /** Defaults to `kernelSize`. */
  stride?: IntOrList | null;
  padding?: IntOrList;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  /** avgPool2d only: divide every window sum by this instead. */
  divisorOverride?: number | null;
}

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor);
}

/** An int-or-list argument as an Int32Array (PyTorch's own length checks run in the core). */
function ints(v: IntOrList | null | undefined, name: string, fn: string): Int32Array {
  if (v === null || v === undefined) return new Int32Array(0);
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list)) {
    throw new TypeError(`${fn}(): argument '${name}' must be tuple of ints, not ${typeof v}`);
  }
  list.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isInteger(x) || Math.abs(x) > 2147483647) {
      throw new TypeError(
        `${fn}(): argument '${name}' must be tuple of ints, but found element of type ${typeof x === "number" ? "float" : typeof x} at pos ${i}`,
      );
    }
  });
  return Int32Array.from(list);
}

function int(v: number, name: string, fn: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || Math.abs(v) > 2147483647) {
    throw new TypeError(`${fn}(): argument '${name}' must be int, not ${typeof v === "number" ? "float" : typeof v}`);
  }
  return v;
}

function tensorArg(t: unknown, name: string, fn: string): Tensor {
  if (!(t instanceof Tensor)) {
    throw new TypeError(`${fn}(): argument '${name}' must be Tensor, not ${t === null ? "None" : typeof t}`);
  }
  return t;
}

function biasArg(b: Tensor | null | undefined, fn: string) {
  if (b === null || b === undefined) return undefined;
  return tensorArg(b, "bias", fn)._raw.alias();
}

function convNd(
  fn: "conv1d" | "conv2d",
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  stride: IntOrList | ConvOptions | undefined,
  padding: ConvPaddingArg | undefined,
  dilation: IntOrList | undefined,
  groups: number | undefined,
): Tensor {
  let o: ConvOptions = { stride: stride as IntOrList | undefined, padding, dilation, groups };
  if (isOptions(stride)) o = stride as ConvOptions;
  const x = tensorArg(input, "input", fn);
  const w = tensorArg(weight, "weight", fn);
  const pad = o.padding ?? 0;
  const mode = typeof pad === "string" ? pad : undefined;
  const padSizes = typeof pad === "string" ? new Int32Array(0) : ints(pad, "padding", fn);
  const args = [
    w._raw,
    biasArg(bias, fn),
    ints(o.stride ?? 1, "stride", fn),
    padSizes,
    mode,
    ints(o.dilation ?? 1, "dilation", fn),
    int(o.groups ?? 1, "groups", fn),
  ] as const;
  return new Tensor(fn === "conv1d" ? x._raw.conv1d(...args) : x._raw.conv2d(...args));
}

/**
 * `conv1d(input, weight, bias?, stride=1, padding=0, dilation=1, groups=1)`: input
 * `[N, Cin, L]` (or unbatched `[Cin, L]`), weight `[Cout, Cin/groups, k]`, bias `[Cout]`.
 * `padding` may be 'valid' or 'same'. Gradient: ConvolutionBackward0 (differentiable again).
 */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride?: IntOrList | ConvOptions,
  padding?: ConvPaddingArg,
  dilation?: IntOrList,
  groups?: number,
): Tensor {
  return convNd("conv1d", input, weight, bias, stride, padding, dilation, groups);
}

/**
 * `conv2d(input, weight, bias?, stride=1, padding=0, dilation=1, groups=1)`: input
 * `[N, Cin, H, W]` (or unbatched `[Cin, H, W]`), weight `[Cout, Cin/groups, kh, kw]`, bias
 * `[Cout]`; stride/padding/dilation an int or `[h, w]`, padding also 'valid' | 'same'.
 * float16/bfloat16 accumulate in float32; under autocast the inputs are cast down.
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride?: IntOrList | ConvOptions,
  padding?: ConvPaddingArg,
  dilation?: IntOrList,
  groups?: number,
): Tensor {
  return convNd("conv2d", input, weight, bias, stride, padding, dilation, groups);
}

function convTransposeNd(
  fn: "conv_transpose1d" | "conv_transpose2d",
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  stride: IntOrList | ConvTransposeOptions | undefined,
  padding: IntOrList | undefined,
  outputPadding: IntOrList | undefined,
  groups: number | undefined,
  dilation: IntOrList | undefined,
): Tensor {
  let o: ConvTransposeOptions = { stride: stride as IntOrList | undefined, padding, outputPadding, groups, dilation };
  if (isOptions(stride)) o = stride as ConvTransposeOptions;
  const x = tensorArg(input, "input", fn);
  const w = tensorArg(weight, "weight", fn);
  const args = [
    w._raw,
    biasArg(bias, fn),
    ints(o.stride ?? 1, "stride", fn),
    ints(o.padding ?? 0, "padding", fn),
    ints(o.outputPadding ?? 0, "output_padding", fn),
    int(o.groups ?? 1, "groups", fn),
    ints(o.dilation ?? 1, "dilation", fn),
  ] as const;
  return new Tensor(fn === "conv_transpose1d" ? x._raw.convTranspose1d(...args) : x._raw.convTranspose2d(...args));
}

/**
 * `conv_transpose1d(input, weight, bias?, stride=1, padding=0, output_padding=0, groups=1,
 * dilation=1)`: the gradient of conv1d with respect to its input; weight `[Cin, Cout/groups, k]`.
 */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride?: IntOrList | ConvTransposeOptions,
  padding?: IntOrList,
  outputPadding?: IntOrList,
  groups?: number,
  dilation?: IntOrList,
): Tensor {
  return convTransposeNd("conv_transpose1d", input, weight, bias, stride, padding, outputPadding, groups, dilation);
}

/**
 * `conv_transpose2d(input, weight, bias?, stride=1, padding=0, output_padding=0, groups=1,
 * dilation=1)`: weight `[Cin, Cout/groups, kh, kw]`; output size
 * `(in-1)*stride - 2*padding + dilation*(k-1) + output_padding + 1`.
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  stride?: IntOrList | ConvTransposeOptions,
  padding?: IntOrList,
  outputPadding?: IntOrList,
  groups?: number,
  dilation?: IntOrList,
): Tensor {
  return convTransposeNd("conv_transpose2d", input, weight, bias, stride, padding, outputPadding, groups, dilation);
}

function maxPoolNd(
  fn: "max_pool1d" | "max_pool2d",
  input: Tensor,
  kernelSize: IntOrList,
  stride: IntOrList | null | undefined | MaxPoolOptions,
  padding: IntOrList | undefined,
  dilation: IntOrList | undefined,
  ceilMode: boolean | undefined,
  returnIndices: boolean | undefined,
): Tensor | [Tensor, Tensor] {
  let o: MaxPoolOptions = { stride: stride as IntOrList | null | undefined, padding, dilation, ceilMode, returnIndices };
  if (isOptions(stride)) o = stride as MaxPoolOptions;
  const x = tensorArg(input, "input", fn);
  const args = [
    ints(kernelSize, "kernel_size", fn),
    ints(o.stride, "stride", fn),
    ints(o.padding ?? 0, "padding", fn),
    ints(o.dilation ?? 1, "dilation", fn),
    Boolean(o.ceilMode),
  ] as const;
  if (o.returnIndices) {
    const l = fn === "max_pool1d" ? x._raw.maxPool1dWithIndices(...args) : x._raw.maxPool2dWithIndices(...args);
    return [new Tensor(l.get(0)!), new Tensor(l.get(1)!)];
  }
  return new Tensor(fn === "max_pool1d" ? x._raw.maxPool1d(...args) : x._raw.maxPool2d(...args));
}

/**
 * `max_pool2d(input, kernel_size, stride=kernel_size, padding=0, dilation=1, ceil_mode=false,
 * return_indices=false)` over the last two dims of a 3-D or 4-D input. The gradient goes to the
 * first maximum of each window (MaxPool2DWithIndicesBackward0). With `returnIndices` the result
 * is `[values, indices]`, indices flat within each `H*W` plane (int64).
 */
export function maxPool2d(input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrList,
  stride: IntOrList | null | undefined,
  padding: IntOrList | undefined,
  dilation: IntOrList | undefined,
  ceilMode: boolean | undefined,
  returnIndices: true,
): [Tensor, Tensor];
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrList,
  stride?: IntOrList | null | (MaxPoolOptions & { returnIndices?: false }),
  padding?: IntOrList,
  dilation?: IntOrList,
  ceilMode?: boolean,
  returnIndices?: false,
): Tensor;
/** `returnIndices` known only at run time: `[values, indices]` when true. */
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrList,
  stride?: IntOrList | null | MaxPoolOptions,
  padding?: IntOrList,
  dilation?: IntOrList,
  ceilMode?: boolean,
  returnIndices?: boolean,
): Tensor | [Tensor, Tensor];
export function maxPool2d(
  input: Tensor,
  kernelSize: IntOrList,
  stride?: IntOrList | null | MaxPoolOptions,
  padding?: IntOrList,
  dilation?: IntOrList,
  ceilMode?: boolean,
  returnIndices?: boolean,
): Tensor | [Tensor, Tensor] {
  return maxPoolNd("max_pool2d", input, kernelSize, stride, padding, dilation, ceilMode, returnIndices);
}

/** `max_pool1d(...)`: max_pool2d over the last dim of a 2-D or 3-D input. */
export function maxPool1d(input: Tensor, kernelSize: IntOrList, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrList,
  stride: IntOrList | null | undefined,
  padding: IntOrList | undefined,
  dilation: IntOrList | undefined,
  ceilMode: boolean | undefined,
  returnIndices: true,
): [Tensor, Tensor];
export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrList,
  stride?: IntOrList | null | (MaxPoolOptions & { returnIndices?: false }),
  padding?: IntOrList,
  dilation?: IntOrList,
  ceilMode?: boolean,
  returnIndices?: false,
): Tensor;
/** `returnIndices` known only at run time: `[values, indices]` when true. */
export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrList,
  stride?: IntOrList | null | MaxPoolOptions,
  padding?: IntOrList,
  dilation?: IntOrList,
  ceilMode?: boolean,
  returnIndices?: boolean,
): Tensor | [Tensor, Tensor];
export function maxPool1d(
  input: Tensor,
  kernelSize: IntOrList,
  stride?: IntOrList | null | MaxPoolOptions,
  padding?: IntOrList,
  dilation?: IntOrList,
  ceilMode?: boolean,
  returnIndices?: boolean,
): Tensor | [Tensor, Tensor] {
  return maxPoolNd("max_pool1d", input, kernelSize, stride, padding, dilation, ceilMode, returnIndices);
}

/**
 * `avg_pool2d(input, kernel_size, stride=kernel_size, padding=0, ceil_mode=false,
 * count_include_pad=true, divisor_override=null)` (AvgPool2DBackward0).
 */
export function avgPool2d(
  input: Tensor,
  kernelSize: IntOrList,
  stride?: IntOrList | null | AvgPoolOptions,
  padding?: IntOrList,
  ceilMode?: boolean,
  countIncludePad?: boolean,
  divisorOverride?: number | null,
): Tensor {
  let o: AvgPoolOptions = { stride: stride as IntOrList | null | undefined, padding, ceilMode, countIncludePad, divisorOverride };
  if (isOptions(stride)) o = stride as AvgPoolOptions;
  const x = tensorArg(input, "input", "avg_pool2d");
  const d = o.divisorOverride;
  return new Tensor(
    x._raw.avgPool2d(
      ints(kernelSize, "kernel_size", "avg_pool2d"),
      ints(o.stride, "stride", "avg_pool2d"),
      ints(o.padding ?? 0, "padding", "avg_pool2d"),
      Boolean(o.ceilMode),
      o.countIncludePad ?? true,
      d === null || d === undefined ? undefined : int(d, "divisor_override", "avg_pool2d"),
    ),
  );
}

/** `avg_pool1d(input, kernel_size, stride=kernel_size, padding=0, ceil_mode=false, count_include_pad=true)`. */
export function avgPool1d(
  input: Tensor,
  kernelSize: IntOrList,
  stride?: IntOrList | null | AvgPoolOptions,
  padding?: IntOrList,
  ceilMode?: boolean,
  countIncludePad?: boolean,
): Tensor {
  let o: AvgPoolOptions = { stride: stride as IntOrList | null | undefined, padding, ceilMode, countIncludePad };
  if (isOptions(stride)) o = stride as AvgPoolOptions;
  const x = tensorArg(input, "input", "avg_pool1d");
  return new Tensor(
    x._raw.avgPool1d(
      ints(kernelSize, "kernel_size", "avg_pool1d"),
      ints(o.stride, "stride", "avg_pool1d"),
      ints(o.padding ?? 0, "padding", "avg_pool1d"),
      Boolean(o.ceilMode),
      o.countIncludePad ?? true,
    ),
  );
}

/**
 * `adaptive_avg_pool2d(input, output_size)`: `output_size` an int or `[h, w]`, where `null`
 * keeps that input size. Window `i` of `n` over a size `L` is `[floor(i*L/n), ceil((i+1)*L/n))`.
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | (number | null)[]): Tensor {
  const x = tensorArg(input, "input", "adaptive_avg_pool2d");
  const list = typeof outputSize === "number" ? [outputSize] : outputSize;
  if (!Array.isArray(list)) throw new TypeError("adaptive_avg_pool2d(): argument 'output_size' must be tuple of ints");
  const keep = Uint8Array.from(list.map((v) => (v === null ? 1 : 0)));
  const sizes = ints(
    list.map((v) => (v === null ? 0 : v)),
    "output_size",
    "adaptive_avg_pool2d",
  );
  return new Tensor(x._raw.adaptiveAvgPool2d(sizes, keep));
}

/** `adaptive_avg_pool1d(input, output_size)`. */
export function adaptiveAvgPool1d(input: Tensor, outputSize: IntOrList): Tensor {
  const x = tensorArg(input, "input", "adaptive_avg_pool1d");
  return new Tensor(x._raw.adaptiveAvgPool1d(ints(outputSize, "output_size", "adaptive_avg_pool1d")));
}

/** The functions of this file, merged into the public `nn.functional`. */
export const convFunctional = {
  conv1d,
  conv2d,
  convTranspose1d,
  convTranspose2d,
  maxPool1d,
  maxPool2d,
  avgPool1d,
  avgPool2d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
};
