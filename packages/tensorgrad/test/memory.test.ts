import { describe, expect, it } from "vitest";
import { manualSeed, memoryBytes, nn, optim, randn, tensor, tidy, keep, dispose, Tensor } from "tensorgrad";

describe("tidy / keep / dispose", () => {
  it("releases what it created except the result, and never frees data still in use", () => {
    const w = new nn.Parameter(tensor([1, 2]));
    let inner!: Tensor;
    const out = tidy(() => {
      inner = w.mul(3);
      const y = inner.add(1);
      y.sum().backward();
      return { y, list: [w.grad!] };
    });
    expect(out.y.tolist()).toEqual([4, 7]); // returned: alive
    expect(() => inner.tolist()).toThrow(); // created inside, not returned: released
    expect(w.tolist()).toEqual([1, 2]); // parameters are kept
    expect(w.grad!.tolist()).toEqual([3, 3]); // .grad lives on in the leaf
    expect(out.list[0]!.tolist()).toEqual([3, 3]);
    const k = tidy(() => keep(w.mul(2)));
    expect(k.tolist()).toEqual([2, 4]);
    dispose([k, out]);
    expect(() => k.tolist()).toThrow();
    k.dispose(); // a second dispose is harmless
    expect(() => tidy(() => Promise.resolve(1))).toThrow("tidy() cannot be used with asynchronous functions");
  });

  it("keeps WASM memory flat over a training loop, optimizer state included", () => {
    manualSeed(0);
    const X = randn(64, 32);
    const y = tensor(Array.from({ length: 64 }, (_, i) => i % 10), { dtype: "int64" });
    const model = new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const step = () =>
      tidy(() => {
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(model.call(X) as Tensor, y);
        loss.backward();
        opt.step();
        return loss.item() as number;
      });
    for (let i = 0; i < 50; i++) step();
    const before = memoryBytes();
    let last = 0;
    for (let i = 0; i < 300; i++) last = step();
    expect(memoryBytes()).toBe(before);
    expect(Number.isFinite(last)).toBe(true);
  });
});
