// The seam for kernels supplied from JavaScript (the gpu.js backend): the core offers
// contiguous float32 data for matmul (row-major or transposed operands), elementwise ops and
// full sums; a provider returns the result, or
// undefined to let the WebAssembly kernel run. Float64 tensors never reach a provider.
import { raw } from "./wasm.js";

export type BinaryOp = "add" | "sub" | "mul" | "div";
export type UnaryOp = "neg" | "exp" | "log";

export interface KernelProvider {
  /**
   * C[m×n] = op(A)·op(B), row-major. `a` holds A (m×k) or, with `transA`, Aᵀ stored k×m; `b`
   * holds B (k×n) or, with `transB`, Bᵀ stored n×k (the backward products `g·Bᵀ`, `Aᵀ·g`).
   * `a` and `b` are views valid only during the call.
   */
  matmul?(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float32Array | undefined;
  /** The sum of all elements, as a one-element array. */
  sum?(x: Float32Array): Float32Array | undefined;
  /** Elementwise op on two equally shaped arrays. */
  binary?(op: BinaryOp, a: Float32Array, b: Float32Array): Float32Array | undefined;
  unary?(op: UnaryOp, x: Float32Array): Float32Array | undefined;
}

/** Install (or with null remove) the kernel provider. A provider that throws counts as declining. */
export function setKernelProvider(provider: KernelProvider | null): void {
  if (!provider) {
    raw.setKernelProvider(undefined);
    return;
  }
  raw.setKernelProvider({
    matmul: (a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean) =>
      provider.matmul?.(a, b, m, k, n, ta, tb),
    sum: (x: Float32Array) => provider.sum?.(x),
    binary: (op: BinaryOp, a: Float32Array, b: Float32Array) => provider.binary?.(op, a, b),
    unary: (op: UnaryOp, x: Float32Array) => provider.unary?.(op, x),
  });
}
