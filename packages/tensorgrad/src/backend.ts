// The seam for kernels supplied from JavaScript: the core offers float32 data for matmul
// (row-major or transposed operands), elementwise and scalar ops, full sums and the conv2d
// products; a provider returns the result, or undefined to let the WebAssembly kernel run.
// Float64 tensors never reach a provider.
//
// What is installed in the core composes the user's provider (the gpu.js backend), which gets
// the first pick, with the matmul thread pool (threads.ts): a product the user's provider
// declines is offered to the pool from host data (device operands downloaded first), written
// in place into the result; whatever both decline runs on the WebAssembly kernels.
//
// A `resident` provider may also return a DeviceArray (data it keeps on its device, e.g. a GPU
// texture): the tensor then holds only that array, later offered ops get it back as their
// operand instead of host data, WASM code that reads the tensor downloads it once, and its
// release() is called when the last tensor sharing it is freed (dispose, tidy or GC).
import { raw } from "./wasm.js";
import { MIN_WORK, onThreadsChange, poolMatmulInto, threadsActive } from "./threads.js";

export type BinaryOp = "add" | "sub" | "mul" | "div";
export type UnaryOp = "neg" | "exp" | "log" | "tanh";
/** The conv2d products: y = conv(x, w); the input gradient (a = g, b = w); the weight gradient (a = x, b = g). */
export type Conv2dKind = "forward" | "input" | "weight";

/** float32 data a provider keeps on its device. */
export interface DeviceArray {
  readonly length: number;
  /** A copy of the values (called at most once per storage: the core keeps the copy). */
  download(): Float32Array;
  /** Free the device memory (the last tensor holding it was freed or written to). */
  release(): void;
}

/** An operand: host data (a view of WASM memory, valid only during the call) or a DeviceArray. */
export type F32Operand = Float32Array | DeviceArray;
export type F32Result = Float32Array | DeviceArray | undefined;

/**
 * NCHW geometry: x [batch, cin, inH, inW], w [cout, cin/groups, kH, kW], y [batch, cout, outH,
 * outW]; y[n,o,oy,ox] = Σ w[o,c,i,j]·x[n, group(o)·cin/groups + c, oy·strideH + i·dilationH −
 * padH, ox·strideW + j·dilationW − padW] (zero outside x). conv1d has inH = kH = 1.
 */
export interface Conv2dGeometry {
  batch: number;
  groups: number;
  cin: number;
  cout: number;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
}

export interface KernelProvider {
  /**
   * Whether operands may be DeviceArrays this provider returned earlier. Without it, operands
   * are always Float32Arrays (device data is downloaded first) and results should be too.
   */
  resident?: boolean;
  /**
   * C[m×n] = op(A)·op(B), row-major. `a` holds A (m×k) or, with `transA`, Aᵀ stored k×m; `b`
   * holds B (k×n) or, with `transB`, Bᵀ stored n×k (the backward products `g·Bᵀ`, `Aᵀ·g`).
   */
  matmul?(a: F32Operand, b: F32Operand, m: number, k: number, n: number, transA: boolean, transB: boolean): F32Result;
  /** The sum of all elements, as a one-element array. */
  sum?(x: F32Operand): F32Result;
  /** Elementwise op on two equally shaped arrays. */
  binary?(op: BinaryOp, a: F32Operand, b: F32Operand): F32Result;
  /** `x op s`, or `s op x` when `scalarFirst` (s is a float32 value). */
  scalar?(op: BinaryOp, x: F32Operand, s: number, scalarFirst: boolean): F32Result;
  unary?(op: UnaryOp, x: F32Operand): F32Result;
  /** One conv2d product over contiguous NCHW data (see Conv2dGeometry and Conv2dKind). */
  conv2d?(kind: Conv2dKind, a: F32Operand, b: F32Operand, geometry: Conv2dGeometry): F32Result;
}

const GEOMETRY_KEYS = [
  "batch", "groups", "cin", "cout", "inH", "inW", "kH", "kW",
  "outH", "outW", "strideH", "strideW", "padH", "padW", "dilationH", "dilationW",
] as const;

let user: KernelProvider | null = null;

// A method that throws counts as declining (the core catches it).
function install(): void {
  const p = user;
  const pool = threadsActive();
  if (!p && !pool) {
    raw.setKernelProvider(undefined);
    return;
  }
  // each operand arrives as (host view, device array or undefined)
  const pick = (host: Float32Array, device: DeviceArray | undefined): F32Operand => device ?? host;
  raw.setKernelProvider({
    resident: p?.resident === true,
    // Read once by the core: absent methods (and products below a minimum) never leave WASM.
    matmulMinWork: p?.matmul ? 0 : undefined,
    matmulIntoMinWork: pool ? MIN_WORK : undefined,
    hasBinary: !!p?.binary,
    hasScalar: !!p?.scalar,
    hasUnary: !!p?.unary,
    hasSum: !!p?.sum,
    hasConv2d: !!p?.conv2d,
    matmul: (a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean, da?: DeviceArray, db?: DeviceArray) =>
      p?.matmul?.(pick(a, da), pick(b, db), m, k, n, ta, tb),
    // The pool: host views only (never a DeviceArray), C written in place.
    matmulInto: (a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): boolean =>
      pool && poolMatmulInto(a, b, c, m, k, n, ta, tb),
    sum: (x: Float32Array, dx?: DeviceArray) => p?.sum?.(pick(x, dx)),
    binary: (op: BinaryOp, a: Float32Array, b: Float32Array, da?: DeviceArray, db?: DeviceArray) =>
      p?.binary?.(op, pick(a, da), pick(b, db)),
    scalar: (op: BinaryOp, x: Float32Array, s: number, first: boolean, dx?: DeviceArray) =>
      p?.scalar?.(op, pick(x, dx), s, first),
    unary: (op: UnaryOp, x: Float32Array, dx?: DeviceArray) => p?.unary?.(op, pick(x, dx)),
    conv2d: (kind: Conv2dKind, a: Float32Array, b: Float32Array, g: Uint32Array, da?: DeviceArray, db?: DeviceArray) =>
      p?.conv2d?.(
        kind,
        pick(a, da),
        pick(b, db),
        Object.fromEntries(GEOMETRY_KEYS.map((key, i) => [key, g[i]!])) as unknown as Conv2dGeometry,
      ),
  });
}

/** Install (or with null remove) the kernel provider. A provider that throws counts as declining. */
export function setKernelProvider(provider: KernelProvider | null): void {
  user = provider;
  install();
}

onThreadsChange(install);
install();
