// nn.init: PyTorch's initialisations (torch/nn/init.py), in place and without recording
// gradients. `uniform_` and `normal_` draw from the global generator the way PyTorch's CPU
// kernels do, so `manualSeed(s)` followed by an init reproduces PyTorch's values.
import { Tensor, type DType } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { rand, randn, tensor } from "../creation.js";
import "../ops/pointwise.js";

function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64" || d === "float16" || d === "bfloat16";
}

/** Replace the data of `t` with `values` (row-major), cast to its dtype. */
function fillWith(t: Tensor, values: Float64Array | Float32Array, dtype: "float32" | "float64"): Tensor {
  const src = tensor(values, { dtype }).reshape(t.shape);
  noGrad(() => t.copy_(t.dtype === dtype ? src : src.to(t.dtype)));
  return t;
}

/** `float(x)` as C++'s `static_cast<at::Half>` / `<BFloat16>` would round it, back as a number. */
function roundTo(v: number, dtype: DType): number {
  if (dtype === "float32") return Math.fround(v);
  if (dtype === "float16" || dtype === "bfloat16") return (tensor([v], { dtype: "float64" }).to(dtype).to("float64").tolist() as number[])[0]!;
  return v;
}

/**
 * `tensor.uniform_(from, to)` as PyTorch's CPU kernel: `uniform_real_distribution<scalar_t>`,
 * i.e. `x * (to - from) + from` in the accumulation type (float for float32/half/bfloat16,
 * double for float64), with `x` from 24 (float), 53 (double), 11 (half) or 8 (bfloat16)
 * random bits of the same engine draws `rand` uses.
 */
export function uniform_(t: Tensor, a = 0.0, b = 1.0): Tensor {
  const dt = t.dtype;
  if (!isFloat(dt)) throw new Error(`"check_uniform_bounds" not implemented for '${dt === "int64" ? "Long" : dt === "int32" ? "Int" : "Bool"}'`);
  if (!(a <= b)) throw new Error(`uniform_ expects to return a [from, to) range, but found from=${a} > to=${b}`);
  const n = t.numel();
  if (dt === "float64") {
    const x = rand([n], { dtype: "float64" }).toTypedArray();
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = x[i]! * (b - a) + a;
    return fillWith(t, out, "float64");
  }
  const from = Math.fround(roundTo(a, dt));
  const to = Math.fround(roundTo(b, dt));
  const range = Math.fround(to - from);
  const x = rand([n], { dtype: "float32" }).toTypedArray();
  const digits = dt === "float16" ? 11 : dt === "bfloat16" ? 8 : 24;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let u = x[i]!;
    if (digits < 24) u = ((Math.round(u * 16777216) & ((1 << digits) - 1)) as number) / (1 << digits);
    out[i] = Math.fround(Math.fround(u * range) + from);
  }
  return fillWith(t, out, "float32");
}

/**
 * `tensor.normal_(mean, std)`: PyTorch's CPU stream (the 16-at-a-time Box-Muller fill for 16+
 * elements, the cached double Box-Muller below that), `value * std + mean`.
 */
export function normal_(t: Tensor, mean = 0.0, std = 1.0): Tensor {
  const dt = t.dtype;
  if (!isFloat(dt)) throw new Error(`"normal_kernel_cpu" not implemented for '${dt}'`);
  if (!(std >= 0)) throw new Error(`normal expects std >= 0.0, but found std ${std}`);
  const n = t.numel();
  if (dt === "float64" || n < 16) {
    // double samples, transformed in double and cast (PyTorch's `normal_distribution<double>`)
    const z = randn([n], { dtype: "float64" }).toTypedArray();
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = z[i]! * std + mean;
    return fillWith(t, out, "float64");
  }
  const z = randn([n], { dtype: "float32" }).toTypedArray();
  const s = Math.fround(std);
  const m = Math.fround(mean);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(Math.fround(z[i]! * s) + m);
  return fillWith(t, out, "float32");
}

export function constant_(t: Tensor, val: number): Tensor {
  noGrad(() => t.fill_(val));
  return t;
}
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}
export function zeros_(t: Tensor): Tensor {
  noGrad(() => t.zero_());
  return t;
}

/** The identity matrix (2-D tensors only). */
export function eye_(t: Tensor): Tensor {
  if (t.dim() !== 2) throw new Error("Only tensors with 2 dimensions are supported");
  const [r, c] = t.shape as [number, number];
  const v = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) v[i * c + i] = 1;
  return fillWith(t, v, "float64");
}

/** `_calculate_fan_in_and_fan_out`: dim 1 times the receptive field, dim 0 times it. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.dim() < 2) throw new Error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const s = t.shape;
  const receptive = s.slice(2).reduce((x, y) => x * y, 1);
  return [s[1]! * receptive, s[0]! * receptive];
}

function correctFan(t: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") throw new Error(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return m === "fan_in" ? fanIn : fanOut;
}

export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

/** The recommended gain for a nonlinearity (`param` is leaky_relu's negative slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  const linear = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"];
  if (linear.includes(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    let slope: number;
    if (param === undefined || param === null) slope = 0.01;
    else if (typeof param === "number") slope = param;
    else throw new Error(`negative_slope ${param} not a valid number`);
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new Error(`Unsupported nonlinearity ${nonlinearity}`);
}

export interface KaimingOptions {
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
}

function kaimingArgs(a: number | KaimingOptions | undefined, mode?: string, nonlinearity?: string): [number, string, string] {
  if (typeof a === "object") return [a.a ?? 0, a.mode ?? "fan_in", a.nonlinearity ?? "leaky_relu"];
  return [a ?? 0, mode ?? "fan_in", nonlinearity ?? "leaky_relu"];
}

function zeroElement(t: Tensor): boolean {
  if (t.shape.includes(0)) {
    console.warn("Initializing zero-element tensors is a no-op");
    return true;
  }
  return false;
}

/** `U(-bound, bound)` with `bound = gain * sqrt(3 / fan)`; `kaimingUniform_(w, Math.sqrt(5))` is Linear's init. */
export function kaimingUniform_(t: Tensor, a?: number | KaimingOptions, mode?: "fan_in" | "fan_out", nonlinearity?: Nonlinearity): Tensor {
  if (zeroElement(t)) return t;
  const [sl, md, nl] = kaimingArgs(a, mode, nonlinearity);
  const fan = correctFan(t, md);
  const gain = calculateGain(nl, sl);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3.0) * std;
  return uniform_(t, -bound, bound);
}

/** `N(0, std²)` with `std = gain / sqrt(fan)`. */
export function kaimingNormal_(t: Tensor, a?: number | KaimingOptions, mode?: "fan_in" | "fan_out", nonlinearity?: Nonlinearity): Tensor {
  if (zeroElement(t)) return t;
  const [sl, md, nl] = kaimingArgs(a, mode, nonlinearity);
  const fan = correctFan(t, md);
  const gain = calculateGain(nl, sl);
  const std = gain / Math.sqrt(fan);
  return normal_(t, 0, std);
}

function gainOf(g: number | { gain?: number } | undefined): number {
  return typeof g === "object" ? (g.gain ?? 1.0) : (g ?? 1.0);
}

/** `U(-a, a)` with `a = gain * sqrt(6 / (fan_in + fan_out))`. */
export function xavierUniform_(t: Tensor, gain?: number | { gain?: number }): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gainOf(gain) * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(t, -a, a);
}

/** `N(0, std²)` with `std = gain * sqrt(2 / (fan_in + fan_out))`. */
export function xavierNormal_(t: Tensor, gain?: number | { gain?: number }): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gainOf(gain) * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(t, 0, std);
}

function erfScalar(x: number): number {
  return tensor([x], { dtype: "float64" }).erf().item() as number;
}

/**
 * A normal distribution truncated to `[a, b]`, PyTorch's way: uniform on
 * `[2Φ(a)-1, 2Φ(b)-1]`, then `erfinv`, `* std * √2`, `+ mean`, clamped to `[a, b]`.
 */
export function truncNormal_(
  t: Tensor,
  mean: number | { mean?: number; std?: number; a?: number; b?: number } = 0.0,
  std = 1.0,
  a = -2.0,
  b = 2.0,
): Tensor {
  if (typeof mean === "object") return truncNormal_(t, mean.mean ?? 0, mean.std ?? 1, mean.a ?? -2, mean.b ?? 2);
  if (mean < a - 2 * std || mean > b + 2 * std) {
    console.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
  }
  const cdf = (x: number): number => (1.0 + erfScalar(x / Math.sqrt(2.0))) / 2.0;
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  uniform_(t, 2 * l - 1, 2 * u - 1);
  noGrad(() => {
    t.copy_(t.erfinv());
    t.mul_(std * Math.sqrt(2.0));
    t.add_(mean);
    t.clamp_(a, b);
  });
  return t;
}

/** `torch.nn.init`. */
export const init = {
  uniform_,
  normal_,
  constant_,
  ones_,
  zeros_,
  eye_,
  xavierUniform_,
  xavierNormal_,
  kaimingUniform_,
  kaimingNormal_,
  truncNormal_,
  trunc_normal_: truncNormal_,
  calculateGain,
  _calculateFanInAndFanOut: calculateFanInAndFanOut,
};
