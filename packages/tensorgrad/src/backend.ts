// The seam for kernels supplied from JavaScript: the core offers contiguous float32 data for
// matmul (row-major or transposed operands), elementwise ops and full sums. What is installed
// in the core composes the user's provider (the gpu.js backend), which gets the first pick,
// with the matmul thread pool (threads.ts); whatever both decline runs on the WebAssembly
// kernels. Float64 tensors never reach a provider.
import { raw, wasmMemory } from "./wasm.js";
import { MIN_WORK, onThreadsChange, poolMatmulInto, threadsActive } from "./threads.js";

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

let user: KernelProvider | null = null;

/** A provider that throws counts as declining. */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function install(): void {
  const p = user;
  const pool = threadsActive();
  if (!p && !pool) {
    raw.setKernelProvider(undefined);
    return;
  }
  raw.setKernelProvider({
    // Read once by the core: smaller products (and absent elementwise kernels) never leave WASM.
    matmulMinWork: p?.matmul ? 0 : pool ? MIN_WORK : undefined,
    hasBinary: !!p?.binary,
    hasUnary: !!p?.unary,
    hasSum: !!p?.sum,
    matmulInto(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): boolean {
      if (p?.matmul) {
        const [aAddr, aLen, bAddr, bLen, cAddr] = [a.byteOffset, a.length, b.byteOffset, b.length, c.byteOffset];
        const r = attempt(() => p.matmul!(a, b, m, k, n, ta, tb));
        // The provider may have grown WASM memory, which detaches the views: address it afresh.
        const mem = wasmMemory().buffer;
        c = new Float32Array(mem, cAddr, m * n);
        if (r instanceof Float32Array && r.length === m * n) {
          c.set(r);
          return true;
        }
        a = new Float32Array(mem, aAddr, aLen);
        b = new Float32Array(mem, bAddr, bLen);
      }
      return pool && poolMatmulInto(a, b, c, m, k, n, ta, tb);
    },
    sum: (x: Float32Array) => attempt(() => p?.sum?.(x)),
    binary: (op: BinaryOp, a: Float32Array, b: Float32Array) => attempt(() => p?.binary?.(op, a, b)),
    unary: (op: UnaryOp, x: Float32Array) => attempt(() => p?.unary?.(op, x)),
  });
}

/** Install (or with null remove) the kernel provider. A provider that throws counts as declining. */
export function setKernelProvider(provider: KernelProvider | null): void {
  user = provider;
  install();
}

onThreadsChange(install);
install();
