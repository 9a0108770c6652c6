// Bad input must give a JS Error, never abort the WebAssembly instance (a Rust panic would
// trap as a RuntimeError): random calls of every Tensor method on odd shapes and dtypes.
import { describe, expect, it } from "vitest";
import * as tg from "tensorgrad";

const shapes = [[], [0], [1], [3], [2, 3], [3, 1], [2, 0, 3], [4, 2, 3]];
const dtypes = ["float32", "float64", "int64", "bool", "float16"] as const;

describe("robustness", () => {
  it("random calls on odd shapes and dtypes raise Errors, never trap, and the library keeps working", () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const make = () => {
      const s = shapes[rnd(shapes.length)]!;
      const n = s.reduce((a, b) => a * b, 1);
      return tg.tensor(Array.from({ length: n }, (_, i) => (i % 5) - 2), { dtype: dtypes[rnd(dtypes.length)] }).reshape(s);
    };
    const skip = new Set(["constructor", "dispose", "backward", "registerHook", "registerPostAccumulateGradHook"]);
    const methods = Object.getOwnPropertyNames(tg.Tensor.prototype).filter(
      (m) => !skip.has(m) && typeof Object.getOwnPropertyDescriptor(tg.Tensor.prototype, m)!.value === "function",
    );
    const argSets = () => [[], [make()], [rnd(4) - 2], [rnd(4) - 2, rnd(2) === 0], [make(), make()], [[rnd(3), rnd(3)]], [0.5], [-1, 2]][rnd(8)]!;
    let ok = 0;
    let errors = 0;
    for (let i = 0; i < 4000; i++) {
      const m = methods[rnd(methods.length)]!;
      const args = argSets();
      try {
        tg.tidy(() => {
          const x = make();
          if (x.dtype.startsWith("float") && rnd(2)) x.requiresGrad_(true);
          const y = (x as unknown as Record<string, (...a: unknown[]) => unknown>)[m]!(...args);
          if (y instanceof tg.Tensor && y.requiresGrad) y.sum().backward();
        });
        ok++;
      } catch (e) {
        expect(e, `${m}: ${String(e)}`).toBeInstanceOf(Error);
        expect(e).not.toBeInstanceOf(WebAssembly.RuntimeError);
        expect((e as Error).message.length).toBeGreaterThan(0);
        errors++;
      }
    }
    expect(ok).toBeGreaterThan(1000);
    expect(errors).toBeGreaterThan(100);
    const A = tg.tensor([5.0], { requiresGrad: true });
    A.mul(5).backward();
    expect(String(A.grad)).toBe("tensor([5.])");
  });
});
