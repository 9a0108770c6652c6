// The wasm build's own kernels (SIMD128 GEMM micro-kernel, fast float32 tanh, expanded-scalar
// fast path) against plain JavaScript references. The Rust tests cover the portable versions.
import { describe, expect, it } from "vitest";
import { memoryBytes, tensor } from "tensorgrad";

function data(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** C = A·B for row-major A [m,k] and B [k,n], in float64. */
function ref(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j]! += av * b[p * n + j]!;
    }
  return c;
}

function expectClose(got: Float32Array | Float64Array, want: Float64Array, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst).toBeLessThan(tol);
}

describe("blocked matmul kernel", () => {
  const sizes: [number, number, number][] = [
    [7, 9, 70],
    [6, 8, 64],
    [13, 17, 300],
    [65, 33, 257],
    [70, 130, 5],
    [1, 300, 20],
    // across the KC (256) / MC (64) / NC (256) blocks, with partial tiles and k % 4 != 0
    [131, 37, 301],
    [9, 521, 66],
    [3, 13, 259],
  ];
  for (const [m, n, k] of sizes) {
    it(`matches a reference at ${m}x${k} @ ${k}x${n}, with transposed operands`, () => {
      const ad = data(m * k, 1);
      const bd = data(k * n, 2);
      const want = ref(ad, bd, m, k, n);
      const a = tensor(ad).reshape([m, k]);
      const b = tensor(bd).reshape([k, n]);
      const at = tensor(ad).reshape([m, k]).t().contiguous().t(); // column-major view of A
      const bt = tensor(bd).reshape([k, n]).t().contiguous().t(); // column-major view of B
      const tol = 1e-4 * Math.sqrt(k + 1);
      for (const [x, y] of [
        [a, b],
        [at, b],
        [a, bt],
        [at, bt],
      ] as const) {
        expectClose(x.matmul(y).toTypedArray(), want, tol);
      }
      const d = new Float64Array(want);
      expectClose(a.double().matmul(b.double()).toTypedArray(), d, 1e-9 * (k + 1));
    });
  }

  it("reads padded sub-matrix views in place (row-major and transposed)", () => {
    for (const [m, n, k] of [
      [5, 9, 7],
      [67, 263, 130],
      [4, 8, 4],
    ] as [number, number, number][]) {
      const ad = data(m * k, 5);
      const bd = data(k * n, 6);
      const want = ref(ad, bd, m, k, n);
      // A: columns 2..2+k of an [m, k+5] matrix (row stride k+5, offset 2)
      const wideA = new Float32Array(m * (k + 5));
      for (let i = 0; i < m; i++) wideA.set(ad.subarray(i * k, (i + 1) * k), i * (k + 5) + 2);
      const a = tensor(wideA).reshape([m, k + 5]).narrow(1, 2, k);
      // B: the transpose of rows 1..1+n of an [n+2, k+3] matrix holding Bᵀ (column stride k+3)
      const wideBt = new Float32Array((n + 2) * (k + 3));
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) wideBt[(j + 1) * (k + 3) + p] = bd[p * n + j]!;
      const b = tensor(wideBt).reshape([n + 2, k + 3]).narrow(0, 1, n).narrow(1, 0, k).t();
      expectClose(a.matmul(b).toTypedArray(), want, 1e-4 * Math.sqrt(k + 1));
      expectClose(a.double().matmul(b.double()).toTypedArray(), new Float64Array(want), 1e-9 * (k + 1));
    }
  });

  it("runs batched products and their gradients through it", () => {
    const [bs, m, k, n] = [3, 20, 30, 25];
    const ad = data(bs * m * k, 3);
    const bd = data(bs * k * n, 4);
    const a = tensor(ad).reshape([bs, m, k]).requiresGrad_();
    const b = tensor(bd).reshape([bs, k, n]).requiresGrad_();
    const out = a.bmm(b);
    const got = out.toTypedArray();
    for (let i = 0; i < bs; i++) {
      const want = ref(ad.subarray(i * m * k, (i + 1) * m * k), bd.subarray(i * k * n, (i + 1) * k * n), m, k, n);
      expectClose(got.subarray(i * m * n, (i + 1) * m * n), want, 1e-4 * k);
    }
    out.sum().backward();
    // d(sum(A·B))/dA[i,p] = Σ_j B[p,j]
    const ga = a.grad!.toTypedArray();
    for (let i = 0; i < bs; i++)
      for (let p = 0; p < k; p++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += bd[i * k * n + p * n + j]!;
        expect(Math.abs(ga[i * m * k + 3 * k + p]! - s)).toBeLessThan(1e-4 * n);
      }
  });
});

describe("float32 fast paths", () => {
  it("tanh stays within a few ulp of Math.tanh", () => {
    const n = 200001;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -20 + (40 * i) / (n - 1);
    const y = tensor(x).tanh().toTypedArray();
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = Math.fround(Math.tanh(x[i]!));
      const ulp = Math.max(Math.abs(want) * 2 ** -23, 2 ** -149);
      worst = Math.max(worst, Math.abs(y[i]! - want) / ulp);
    }
    expect(worst).toBeLessThanOrEqual(3);
    const special = tensor([0, -0, Infinity, -Infinity, NaN, 1e-30]).tanh().toTypedArray();
    expect(Array.from(special)).toEqual([0, -0, 1, -1, NaN, Math.fround(1e-30)]);
  });

  it("multiplies by an expanded scalar (the gradient of a sum)", () => {
    const x = tensor([1, 2, 3, 4]).reshape([2, 2]).requiresGrad_();
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.toTypedArray())).toEqual([2, 4, 6, 8]);
    const e = tensor(3).expand([2, 2]);
    expect(Array.from(e.sub(tensor([1, 2, 3, 4]).reshape([2, 2])).toTypedArray())).toEqual([2, 1, 0, -1]);
  });

  it("reports the WebAssembly memory size", () => {
    expect(memoryBytes()).toBeGreaterThan(0);
    expect(memoryBytes() % 65536).toBe(0);
  });
});
