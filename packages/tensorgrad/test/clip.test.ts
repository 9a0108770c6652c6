import { describe, expect, it } from "vitest";
import { amp, nn, optim, tensor } from "tensorgrad";

describe("nn.utils gradient clipping", () => {
  it("clipGradNorm_ returns the total norm and scales to maxNorm", () => {
    const a = new nn.Parameter(tensor([3.0, 0.0], { dtype: "float64" }));
    const b = new nn.Parameter(tensor([4.0], { dtype: "float64" }));
    a.grad = tensor([3.0, 0.0], { dtype: "float64" });
    b.grad = tensor([4.0], { dtype: "float64" });
    const total = nn.utils.clipGradNorm_([a, b], 1.0);
    expect(total.item()).toBe(5);
    const coef = (1 / (5 + 1e-6)) * 1.0;
    expect((a.grad!.tolist() as number[])[0]).toBeCloseTo(3 * coef, 12);
    expect((b.grad!.tolist() as number[])[0]).toBeCloseTo(4 * coef, 12);
    // below the threshold nothing changes (coefficient clamped to 1)
    const t2 = nn.utils.clipGradNorm_([a, b], 10.0);
    expect(t2.item()).toBeCloseTo(1, 5);
    expect((b.grad!.tolist() as number[])[0]).toBeCloseTo(4 * coef, 12);
    // inf norm
    a.grad = tensor([-7.0, 1.0], { dtype: "float64" });
    expect(nn.utils.getTotalNorm([a.grad, b.grad!], Infinity).item()).toBe(7);
  });

  it("errorIfNonfinite raises on nan/inf", () => {
    const p = new nn.Parameter(tensor([1.0]));
    p.grad = tensor([Infinity]);
    expect(() => nn.utils.clipGradNorm_([p], 1.0, 2.0, { errorIfNonfinite: true })).toThrow(
      "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it cannot be clipped.",
    );
  });

  it("clipGradValue_ clamps elementwise", () => {
    const p = new nn.Parameter(tensor([1.0, 2.0, 3.0]));
    p.grad = tensor([-5, 0.5, 5]);
    nn.utils.clipGradValue_([p], 1.0);
    expect(p.grad!.tolist()).toEqual([-1, 0.5, 1]);
  });

  it("clips unscaled gradients after GradScaler.unscale_", () => {
    const w = new nn.Parameter(tensor([3.0, 4.0]));
    const opt = new optim.SGD([w], { lr: 1 });
    const scaler = new amp.GradScaler({ initScale: 1024 });
    scaler.scale(w.mul(w).sum().div(2)).backward(); // grad = w = [3, 4], scaled ×1024
    scaler.unscale_(opt);
    const norm = nn.utils.clipGradNorm_([w], 1.0);
    expect(norm.item()).toBeCloseTo(5, 5); // the true norm, not 5120
    scaler.step(opt);
    scaler.update();
    const [x, y] = w.tolist() as number[];
    expect(x).toBeCloseTo(3 - 0.6, 4);
    expect(y).toBeCloseTo(4 - 0.8, 4);
  });
});
