// gpu.js kernels for the ops the core offers, compiled per shape and operand kind, and cached.
//
// Kernel sources are strings, not functions: gpu.js parses the source text, and a bundler's
// minifier must not be able to rewrite it into a form gpu.js cannot parse.
//
// Every kernel reads its inputs by flat (row-major) index, so an input may be a Float32Array
// (uploaded by gpu.js) or a texture that another kernel produced, whatever that kernel's output
// dimensions were: gpu.js lays every output out in the same flat order. In the GL modes the
// kernels run in pipeline mode and return textures (`immutable`, so each result is its own
// texture, freed with `delete()`); in gpu.js's cpu/webasm modes they return arrays.
import type { BinaryOp, Conv2dGeometry, Conv2dKind, UnaryOp } from "tensorgrad";
import type { GpuInstance, GpuKernel } from "./gpujs.js";

/** Elements each thread of a sum pass adds up. */
export const SUM_CHUNK = 256;

/** A gpu.js texture (the result of a pipeline kernel in the GL modes). */
export interface GpuTexture {
  /** Texture size in texels [width, height]; part of a consuming kernel's compiled source. */
  size: ArrayLike<number>;
  output: number[];
  toArray(): unknown;
  delete(): void;
}

export type KernelInput = Float32Array | GpuTexture;
/** A kernel's result: a texture in pipeline (GL) modes, else a fresh Float32Array. */
export type KernelOutput = Float32Array | GpuTexture;

export function isTexture(x: unknown): x is GpuTexture {
  return typeof x === "object" && x !== null && !(x instanceof Float32Array) && typeof (x as GpuTexture).delete === "function";
}

const BINARY_OP: Record<BinaryOp, string> = { add: "+", sub: "-", mul: "*", div: "/" };

export function matmulSource(transA: boolean, transB: boolean): string {
  const aRead = transA ? "a[p * this.constants.m + this.thread.y]" : "a[this.thread.y * this.constants.k + p]";
  const bRead = transB ? "b[this.thread.x * this.constants.k + p]" : "b[p * this.constants.n + this.thread.x]";
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
  return a[this.thread.x] ${BINARY_OP[op]} b[this.thread.x];
}`;
}

/** `x op s` or, with `scalarFirst`, `s op x`; the scalar is an argument (one kernel for every value). */
export function scalarSource(op: BinaryOp, scalarFirst: boolean): string {
  const expr = scalarFirst ? `s ${BINARY_OP[op]} a[this.thread.x]` : `a[this.thread.x] ${BINARY_OP[op]} s`;
  return `function (a, s) {
  return ${expr};
}`;
}

// tanh: the rational approximation the WASM kernel uses (kernels/math.rs: Eigen's
// generic_fast_tanh_float, clamped to ±9.1, x itself below 4e-4), here in float32.
const TANH_BODY = `const x = a[this.thread.x];
  const c = Math.min(Math.max(x, -9.1), 9.1);
  const x2 = c * c;
  let p = -2.76076847742355e-16;
  p = p * x2 + 2.00018790482477e-13;
  p = p * x2 + -8.60467152213735e-11;
  p = p * x2 + 5.12229709037114e-8;
  p = p * x2 + 1.48572235717979e-5;
  p = p * x2 + 6.37261928875436e-4;
  p = p * x2 + 4.89352455891786e-3;
  p = p * c;
  let q = 1.19825839466702e-6;
  q = q * x2 + 1.18534705686654e-4;
  q = q * x2 + 2.268434632439e-3;
  q = q * x2 + 4.89352518554385e-3;
  let r = p / q;
  if (x > 9.1) {
    r = 1;
  }
  if (x < -9.1) {
    r = -1;
  }
  if (Math.abs(x) < 0.0004) {
    r = x;
  }
  return r;`;

const UNARY_BODY: Record<UnaryOp, string> = {
  neg: "return -a[this.thread.x];",
  exp: "return Math.exp(a[this.thread.x]);",
  log: "return Math.log(a[this.thread.x]);",
  tanh: TANH_BODY,
};

export function unarySource(op: UnaryOp): string {
  return `function (a) {
  ${UNARY_BODY[op]}
}`;
}

/** One pass of a sum: thread x adds elements [x·chunk, (x+1)·chunk) that exist. */
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

// conv2d: one thread per output element, reading by flat NCHW index. Integer quotients are
// floor((v + 0.5) / d): exact for the sizes here even with GLSL's approximate division.
const C = "this.constants.";

/** y[n,o,oy,ox]; output [outW, outH, batch·cout]. */
function convForwardSource(): string {
  return `function (x, w) {
  const z = this.thread.z;
  const nb = Math.floor((z + 0.5) / ${C}cout);
  const co = z - nb * ${C}cout;
  const grp = Math.floor((co + 0.5) / ${C}cog);
  let acc = 0;
  for (let c = 0; c < ${C}cig; c++) {
    for (let i = 0; i < ${C}kh; i++) {
      const iy = this.thread.y * ${C}sh + i * ${C}dh - ${C}ph;
      for (let j = 0; j < ${C}kw; j++) {
        const ix = this.thread.x * ${C}sw + j * ${C}dw - ${C}pw;
        if (iy >= 0 && iy < ${C}h && ix >= 0 && ix < ${C}w) {
          acc += w[((co * ${C}cig + c) * ${C}kh + i) * ${C}kw + j] * x[((nb * ${C}cin + grp * ${C}cig + c) * ${C}h + iy) * ${C}w + ix];
        }
      }
    }
  }
  return acc;
}`;
}

/** dx[n,c,iy,ix] = Σ over taps that read it; output [inW, inH, batch·cin]. */
function convInputSource(): string {
  return `function (g, w) {
  const z = this.thread.z;
  const nb = Math.floor((z + 0.5) / ${C}cin);
  const ci = z - nb * ${C}cin;
  const grp = Math.floor((ci + 0.5) / ${C}cig);
  const c = ci - grp * ${C}cig;
  let acc = 0;
  for (let ol = 0; ol < ${C}cog; ol++) {
    const co = grp * ${C}cog + ol;
    for (let i = 0; i < ${C}kh; i++) {
      const ty = this.thread.y + ${C}ph - i * ${C}dh;
      const oy = Math.floor((ty + 0.5) / ${C}sh);
      for (let j = 0; j < ${C}kw; j++) {
        const tx = this.thread.x + ${C}pw - j * ${C}dw;
        const ox = Math.floor((tx + 0.5) / ${C}sw);
        if (ty >= 0 && tx >= 0 && oy * ${C}sh == ty && ox * ${C}sw == tx && oy < ${C}oh && ox < ${C}ow) {
          acc += g[((nb * ${C}cout + co) * ${C}oh + oy) * ${C}ow + ox] * w[((co * ${C}cig + c) * ${C}kh + i) * ${C}kw + j];
        }
      }
    }
  }
  return acc;
}`;
}

/** dw[o,c,i,j] = Σ_{n,oy,ox} g·x; output [kW, kH, cout·cin/groups]. */
function convWeightSource(): string {
  return `function (x, g) {
  const z = this.thread.z;
  const co = Math.floor((z + 0.5) / ${C}cig);
  const c = z - co * ${C}cig;
  const grp = Math.floor((co + 0.5) / ${C}cog);
  let acc = 0;
  for (let nb = 0; nb < ${C}batch; nb++) {
    for (let oy = 0; oy < ${C}oh; oy++) {
      const iy = oy * ${C}sh + this.thread.y * ${C}dh - ${C}ph;
      for (let ox = 0; ox < ${C}ow; ox++) {
        const ix = ox * ${C}sw + this.thread.x * ${C}dw - ${C}pw;
        if (iy >= 0 && iy < ${C}h && ix >= 0 && ix < ${C}w) {
          acc += g[((nb * ${C}cout + co) * ${C}oh + oy) * ${C}ow + ox] * x[((nb * ${C}cin + grp * ${C}cig + c) * ${C}h + iy) * ${C}w + ix];
        }
      }
    }
  }
  return acc;
}`;
}

export function conv2dSource(kind: Conv2dKind): string {
  return kind === "forward" ? convForwardSource() : kind === "input" ? convInputSource() : convWeightSource();
}

/** The kernel constants of a conv2d geometry. */
export function conv2dConstants(g: Conv2dGeometry): Record<string, number> {
  return {
    batch: g.batch,
    cin: g.cin,
    cout: g.cout,
    cig: g.cin / g.groups,
    cog: g.cout / g.groups,
    h: g.inH,
    w: g.inW,
    kh: g.kH,
    kw: g.kW,
    oh: g.outH,
    ow: g.outW,
    sh: g.strideH,
    sw: g.strideW,
    ph: g.padH,
    pw: g.padW,
    dh: g.dilationH,
    dw: g.dilationW,
  };
}

/** Output dimensions ([x, y, z]) of a conv2d product. */
export function conv2dOutput(kind: Conv2dKind, g: Conv2dGeometry): [number, number, number] {
  if (kind === "forward") return [g.outW, g.outH, g.batch * g.cout];
  if (kind === "input") return [g.inW, g.inH, g.batch * g.cin];
  return [g.kW, g.kH, (g.cout * g.cin) / g.groups];
}

/**
 * The gpu.js settings every kernel is compiled with (here and, through the WebGPU bridge, in its
 * worker): float32, highp, no packed float memory. Pipeline mode is added per mode.
 */
export function kernelSettings(output: number[], constants: Record<string, number>): Record<string, unknown> {
  return {
    output,
    constants,
    precision: "single",
    tactic: "precision",
    optimizeFloatMemory: false,
    // every loop bound is a constant; this only caps gpu.js's fallback for dynamic bounds
    loopMaxIterations: Math.max(1000, ...Object.values(constants)),
  };
}

/** The part of a kernel's cache key that its input's kind fixes (gpu.js compiles texture sizes in). */
function argKey(x: KernelInput): string {
  return x instanceof Float32Array ? "H" : `T${x.size[0]}x${x.size[1]}`;
}

/** A kernel as called here: textures, arrays and numbers in, a texture or arrays out. */
type RunKernel = (...args: (KernelInput | number)[]) => unknown;

interface Entry {
  kernel: GpuKernel;
  uses: number;
}

/**
 * Per-shape kernel cache, least recently used evicted (and destroyed) past `capacity`.
 * `destroy()` frees every kernel it holds, synchronously. With `pipeline` (the GL modes)
 * results are textures owned by the caller, who must `delete()` them.
 */
export class KernelCache {
  private readonly entries = new Map<string, Entry>();
  compiled = 0;
  evicted = 0;

  constructor(
    private readonly gpu: GpuInstance,
    readonly capacity = 64,
    readonly pipeline = false,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  private get(key: string, source: string, output: number[], constants: Record<string, number>): RunKernel {
    const hit = this.entries.get(key);
    if (hit) {
      // re-insert: Map iteration order is the LRU order
      this.entries.delete(key);
      this.entries.set(key, hit);
      hit.uses++;
      return hit.kernel as unknown as RunKernel;
    }
    const kernel = this.gpu.createKernel(source, {
      ...kernelSettings(output, constants),
      pipeline: this.pipeline,
      immutable: this.pipeline,
    } as never);
    this.compiled++;
    this.entries.set(key, { kernel, uses: 1 });
    while (this.entries.size > this.capacity) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.evicted++;
      destroyKernel(entry.kernel);
    }
    return kernel as unknown as RunKernel;
  }

  private result(out: unknown, length: number): KernelOutput {
    if (this.pipeline && isTexture(out)) return out;
    return flatten(out, length);
  }

  matmul(a: KernelInput, b: KernelInput, m: number, k: number, n: number, transA = false, transB = false): KernelOutput {
    const key = `matmul:${m}x${k}x${n}:${transA ? "T" : "N"}${transB ? "T" : "N"}:${argKey(a)}${argKey(b)}`;
    const kernel = this.get(key, matmulSource(transA, transB), [n, m], { m, k, n });
    return this.result(kernel(a, b), m * n);
  }

  binary(op: BinaryOp, a: KernelInput, b: KernelInput, n: number): KernelOutput {
    const kernel = this.get(`${op}:${n}:${argKey(a)}${argKey(b)}`, binarySource(op), [n], {});
    return this.result(kernel(a, b), n);
  }

  scalar(op: BinaryOp, x: KernelInput, s: number, scalarFirst: boolean, n: number): KernelOutput {
    const key = `${op}${scalarFirst ? "<-s" : "->s"}:${n}:${argKey(x)}`;
    const kernel = this.get(key, scalarSource(op, scalarFirst), [n], {});
    return this.result(kernel(x, s), n);
  }

  unary(op: UnaryOp, x: KernelInput, n: number): KernelOutput {
    const kernel = this.get(`${op}:${n}:${argKey(x)}`, unarySource(op), [n], {});
    return this.result(kernel(x), n);
  }

  /**
   * Sum of all `n` elements, on the device: passes of partial sums over chunks of SUM_CHUNK
   * until one value is left (a one-element result; intermediate textures are freed here).
   */
  sum(x: KernelInput, n: number): KernelOutput {
    let cur: KernelInput = x;
    let len = n;
    do {
      const parts = Math.ceil(len / SUM_CHUNK);
      const kernel = this.get(`sum:${len}:${argKey(cur)}`, sumSource(), [parts], { chunk: SUM_CHUNK, n: len });
      const next = this.result(kernel(cur), parts);
      if (cur !== x && isTexture(cur)) cur.delete();
      cur = next;
      len = parts;
    } while (len > 1);
    return cur;
  }

  conv2d(kind: Conv2dKind, a: KernelInput, b: KernelInput, g: Conv2dGeometry): KernelOutput {
    const c = conv2dConstants(g);
    const output = conv2dOutput(kind, g);
    const key = `conv2d-${kind}:${Object.values(c).join(",")}:${argKey(a)}${argKey(b)}`;
    const kernel = this.get(key, conv2dSource(kind), output, c);
    return this.result(kernel(a, b), output[0] * output[1] * output[2]);
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

/** A kernel result (a Float32Array, or nested rows of them for 2-D/3-D outputs) as one fresh Float32Array. */
export function flatten(result: unknown, length: number): Float32Array {
  if (result instanceof Float32Array) {
    // gpu.js may hand back a view of a buffer it reuses, or a longer padded array
    return result.length === length ? result.slice() : result.slice(0, length);
  }
  if (Array.isArray(result)) {
    const out = new Float32Array(length);
    let offset = 0;
    const walk = (rows: unknown[]): void => {
      for (const row of rows) {
        if (Array.isArray(row)) walk(row);
        else if (row instanceof Float32Array) {
          out.set(row.subarray(0, Math.min(row.length, length - offset)), offset);
          offset += row.length;
        } else if (typeof row === "number") out[offset++] = row;
        else throw new Error(`gpu.js returned ${Object.prototype.toString.call(row)} inside an array`);
      }
    };
    walk(result);
    if (offset !== length) throw new Error(`gpu.js returned ${offset} values, expected ${length}`);
    return out;
  }
  throw new Error(`gpu.js returned ${Object.prototype.toString.call(result)}, expected a Float32Array`);
}
