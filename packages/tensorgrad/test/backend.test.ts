import { afterEach, describe, expect, it } from "vitest";
import { setKernelProvider, tensor } from "tensorgrad";

afterEach(() => setKernelProvider(null));

describe("kernel provider seam", () => {
  it("routes float32 matmul and elementwise ops to the provider, forward and backward", () => {
    const calls: string[] = [];
    setKernelProvider({
      matmul(a, b, m, k, n) {
        calls.push(`matmul ${m}x${k}x${n}`);
        const c = new Float32Array(m * n);
        for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
        return c;
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
    expect(calls).toContain("matmul 2x2x2");
    expect(calls).toContain("mul");
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
