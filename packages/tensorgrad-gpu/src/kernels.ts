// gpu.js kernels for the ops the core offers, compiled per shape and cached.
//
// Kernel sources are strings, not functions: gpu.js parses the source text, and a bundler's
// minifier must not be able to rewrite it into a form gpu.js cannot parse.
import type { BinaryOp, UnaryOp } from "tensorgrad";
import { input, type GpuInstance, type GpuKernel } from "./gpujs.js";

/** Elements each thread of the sum kernel adds up (first pass; the partial sums finish in JS). */
export const SUM_CHUNK = 256;

const BINARY_EXPR: Record<BinaryOp, string> = {
  add: "a[this.thread.x] + b[this.thread.x]",
  sub: "a[this.thread.x] - b[this.thread.x]",
  mul: "a[this.thread.x] * b[this.thread.x]",
  div: "a[this.thread.x] / b[this.thread.x]",
};

const UNARY_EXPR: Record<UnaryOp, string> = {
  neg: "-a[this.thread.x]",
  exp: "Math.exp(a[this.thread.x])",
  log: "Math.log(a[this.thread.x])",
};

/**
 * C[m×n] = op(A)·op(B), row-major, with op(A) = Aᵀ when transA (A stored k×m), op(B) = Bᵀ when
 * transB (B stored n×k). Output is [n, m] in gpu.js's (x, y) order: thread.x is the column.
 *
 * "Tiled where gpu.js allows": a WebGL fragment shader has no workgroup-shared memory, so the
 * classic shared-memory tile is not expressible in gpu.js; each output is one thread and the
 * texture cache does the reuse. The inner loop's bound is a compile-time constant (the kernel is
 * compiled per shape), which lets the GLSL compiler unroll it.
 */
export function matmulSource(transA: boolean, transB: boolean): string {
  const aRead = transA ? "a[p][this.thread.y]" : "a[this.thread.y][p]";
  const bRead = transB ? "b[this.thread.x][p]" : "b[p][this.thread.x]";
  return `function (a, b) {
  let acc = 0;
  for (let p = 0; p < this.constants.k; p++) {
    acc += ${aRead} * ${bRead};
  }
  return acc;
}`;
}

export function binarySource(op: BinaryOp): string {
  return `function (a, b) {
  return ${BINARY_EXPR[op]};
}`;
}

export function unarySource(op: UnaryOp): string {
  return `function (a) {
  return ${UNARY_EXPR[op]};
}`;
}

/** Partial sums: thread x adds elements [x·chunk, (x+1)·chunk) that exist. */
export function sumSource(): string {
  return `function (a) {
  let acc = 0;
  for (let i = 0; i < this.constants.chunk; i++) {
    const idx = this.thread.x * this.constants.chunk + i;
    if (idx < this.constants.n) {
      acc += a[idx];
    }
  }
  return acc;
}`;
}

interface Entry {
  kernel: GpuKernel;
  uses: number;
}

/**
 * Per-shape kernel cache, least recently used evicted (and destroyed) past `capacity`.
 * `destroy()` frees every kernel it holds, synchronously.
 */
export class KernelCache {
  private readonly entries = new Map<string, Entry>();
  compiled = 0;
  evicted = 0;

  constructor(
    private readonly gpu: GpuInstance,
    readonly capacity = 64,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  private get(key: string, build: () => GpuKernel): GpuKernel {
    const hit = this.entries.get(key);
    if (hit) {
      // re-insert: Map iteration order is the LRU order
      this.entries.delete(key);
      this.entries.set(key, hit);
      hit.uses++;
      return hit.kernel;
    }
    const kernel = build();
    this.compiled++;
    this.entries.set(key, { kernel, uses: 1 });
    while (this.entries.size > this.capacity) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.evicted++;
      destroyKernel(entry.kernel);
    }
    return kernel;
  }

  private settings(output: number[], constants: Record<string, number>) {
    return {
      output,
      constants,
      precision: "single" as const,
      tactic: "precision" as const,
      // every loop bound is a constant; this only caps gpu.js's fallback for dynamic bounds
      loopMaxIterations: Math.max(1000, ...Object.values(constants)),
    };
  }

  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA = false, transB = false): Float32Array {
    const key = `matmul:${m}x${k}x${n}:${transA ? "T" : "N"}${transB ? "T" : "N"}`;
    const kernel = this.get(key, () =>
      this.gpu.createKernel(matmulSource(transA, transB), this.settings([n, m], { k })),
    );
    // gpu.js dims are [x, y]: a row-major r×c array is input(data, [c, r])
    const A = transA ? input(a, [m, k]) : input(a, [k, m]);
    const B = transB ? input(b, [k, n]) : input(b, [n, k]);
    return flatten(kernel(A, B), m * n);
  }

  binary(op: BinaryOp, a: Float32Array, b: Float32Array): Float32Array {
    const n = a.length;
    const kernel = this.get(`${op}:${n}`, () => this.gpu.createKernel(binarySource(op), this.settings([n], {})));
    return flatten(kernel(a, b), n);
  }

  unary(op: UnaryOp, x: Float32Array): Float32Array {
    const n = x.length;
    const kernel = this.get(`${op}:${n}`, () => this.gpu.createKernel(unarySource(op), this.settings([n], {})));
    return flatten(kernel(x), n);
  }

  /** Sum of all elements: partial sums on the GPU, the last (n/256 values) in float64 here. */
  sum(x: Float32Array): number {
    const n = x.length;
    const parts = Math.ceil(n / SUM_CHUNK);
    const kernel = this.get(`sum:${n}`, () =>
      this.gpu.createKernel(sumSource(), this.settings([parts], { chunk: SUM_CHUNK, n })),
    );
    const partial = flatten(kernel(x), parts);
    let acc = 0;
    for (let i = 0; i < parts; i++) acc += partial[i]!;
    return Math.fround(acc);
  }

  /** Destroys every cached kernel (their textures and programs), synchronously. */
  destroy(): void {
    for (const { kernel } of this.entries.values()) destroyKernel(kernel);
    this.entries.clear();
  }
}

function destroyKernel(kernel: GpuKernel): void {
  try {
    kernel.destroy(true);
  } catch {
    // a lost context has nothing left to free
  }
}

/** A kernel result (a Float32Array, or rows of them for a 2-D output) as one fresh Float32Array. */
export function flatten(result: unknown, length: number): Float32Array {
  if (result instanceof Float32Array) {
    // gpu.js may hand back a view of a buffer it reuses, or a longer padded array
    return result.length === length ? result.slice() : result.slice(0, length);
  }
  if (Array.isArray(result)) {
    const out = new Float32Array(length);
    let offset = 0;
    for (const row of result as ArrayLike<number>[]) {
      if (row instanceof Float32Array) out.set(row, offset);
      else for (let i = 0; i < row.length; i++) out[offset + i] = row[i]!;
      offset += row.length;
    }
    if (offset !== length) throw new Error(`gpu.js returned ${offset} values, expected ${length}`);
    return out;
  }
  throw new Error(`gpu.js returned ${Object.prototype.toString.call(result)}, expected a Float32Array`);
}
