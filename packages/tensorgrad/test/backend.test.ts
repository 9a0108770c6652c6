import { afterEach, describe, expect, it } from "vitest";
import { setKernelProvider, tensor } from "tensorgrad";

afterEach(() => setKernelProvider(null));

describe("kernel provider seam", () => {
  it("routes float32 matmul and elementwise ops to the provider, forward and backward", () => {
    const calls: string[] = [];
    setKernelProvider({
      matmul(a, b, m, k, n, ta, tb) {
        calls.push(`matmul ${m}x${k}x${n}${ta ? " Aᵀ" : ""}${tb ? " Bᵀ" : ""}`);
        const A = (i: number, p: number) => (ta ? a[p * m + i]! : a[i * k + p]!);
        const B = (p: number, j: number) => (tb ? b[j * k + p]! : b[p * n + j]!);
        const c = new Float32Array(m * n);
        for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j]! += A(i, p) * B(p, j);
        return c;
      },
      sum(x) {
        calls.push("sum");
        return Float32Array.of(x.reduce((s, v) => s + v, 0));
      },
      binary(op, a, b) {
        calls.push(op);
        return op === "mul" ? a.map((v, i) => v * b[i]!) : undefined; // declines the others
      },
    });
    const A = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const B = tensor([[5, 6], [7, 8]]);
    const y = A.matmul(B).mul(tensor([[1, 1], [1, 1]])).sum();
    y.backward();
    expect(A.grad!.tolist()).toEqual([[11, 15], [11, 15]]);
    expect(calls).toContain("matmul 2x2x2"); // forward
    expect(calls).toContain("matmul 2x2x2 Bᵀ"); // dA = g · Bᵀ
    expect(calls).toContain("sum");
    expect(calls).toContain("mul");
    const B2 = tensor([[5, 6], [7, 8]], { requiresGrad: true });
    const A2 = tensor([[1, 2], [3, 4]]);
    A2.matmul(B2).mul(tensor([[1, 1], [1, 1]])).sum().backward();
    expect(B2.grad!.tolist()).toEqual([[4, 4], [6, 6]]);
    expect(calls, calls.join(", ")).toContain("matmul 2x2x2 Aᵀ"); // dB = Aᵀ · g
  });

  it("falls back to WASM when the provider throws, and never sees float64", () => {
    let seen = 0;
    setKernelProvider({
      matmul() {
        seen++;
        throw new Error("lost GPU context");
      },
    });
    expect(tensor([[1, 2]]).matmul(tensor([[3], [4]])).tolist()).toEqual([[11]]);
    expect(seen).toBe(1);
    tensor([[1, 2]], { dtype: "float64" }).matmul(tensor([[3], [4]], { dtype: "float64" }));
    expect(seen).toBe(1);
  });
});
