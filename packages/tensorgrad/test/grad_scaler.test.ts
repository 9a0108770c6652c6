import { describe, expect, it } from "vitest";
import { amp, nn, optim, tensor, Tensor } from "tensorgrad";

function setup(lr = 0.1) {
  const w = new nn.Parameter(tensor([1.0, 2.0]));
  const opt = new optim.SGD([w], { lr });
  return { w, opt };
}

/** One iteration: loss = sum(w * x); returns the unscaled grad seen after unscale_. */
function iteration(scaler: InstanceType<typeof amp.GradScaler>, w: Tensor, opt: optim.SGD, x: Tensor) {
  opt.zeroGrad();
  scaler.scale(w.mul(x).sum()).backward();
  scaler.unscale_(opt);
  const g = w.grad!.tolist() as number[];
  scaler.step(opt);
  scaler.update();
  return g;
}

describe("amp.GradScaler", () => {
  it("has PyTorch's defaults", () => {
    const s = new amp.GradScaler();
    expect(s.getScale()).toBe(65536);
    expect(s.getGrowthFactor()).toBe(2);
    expect(s.getBackoffFactor()).toBe(0.5);
    expect(s.getGrowthInterval()).toBe(2000);
    expect(s.isEnabled()).toBe(true);
    expect(() => new amp.GradScaler({ growthFactor: 1 })).toThrow("The growth factor must be > 1.0.");
    expect(() => new amp.GradScaler({ backoffFactor: 1 })).toThrow("The backoff factor must be < 1.0.");
  });

  it("scales the loss and unscales gradients to their true values", () => {
    const { w, opt } = setup();
    const s = new amp.GradScaler({ initScale: 1024 });
    const loss = s.scale(w.mul(tensor([5, 5])).sum());
    expect(loss.item()).toBe(15 * 1024);
    expect(loss.gradFn!.name).toBe("MulBackward0");
    loss.backward();
    expect(w.grad!.tolist()).toEqual([5120, 5120]); // scaled
    s.unscale_(opt);
    expect(w.grad!.tolist()).toEqual([5, 5]); // unscaled
    expect(() => s.unscale_(opt)).toThrow("unscale_() has already been called on this optimizer since the last update().");
    s.step(opt);
    expect(w.tolist()).toEqual([0.5, 1.5]); // the step used the unscaled gradient
    expect(() => s.step(opt)).toThrow("step() has already been called since the last update().");
    expect(() => s.unscale_(opt)).toThrow("unscale_() is being called after step().");
    s.update();
    expect(s.getScale()).toBe(1024);
    // scale applies to nested arrays too
    const [a, [b]] = s.scale([tensor([1]), [tensor([2])]]) as [Tensor, [Tensor]];
    expect([a.item(), b.item()]).toEqual([1024, 2048]);
  });

  it("grows after exactly growthInterval clean steps", () => {
    const { w, opt } = setup(0);
    const s = new amp.GradScaler({ initScale: 8, growthInterval: 2000 });
    const x = tensor([1, 1]);
    for (let i = 0; i < 1999; i++) iteration(s, w, opt, x);
    expect(s.getScale()).toBe(8);
    expect(s.getGrowthTracker()).toBe(1999);
    iteration(s, w, opt, x);
    expect(s.getScale()).toBe(16);
    expect(s.getGrowthTracker()).toBe(0);
  });

  for (const bad of [Infinity, NaN]) {
    it(`backs off and skips the step on ${bad}`, () => {
      const { w, opt } = setup();
      const s = new amp.GradScaler({ initScale: 4 });
      iteration(s, w, opt, tensor([1, 1]));
      expect(s.getGrowthTracker()).toBe(1);
      const before = w.tolist();
      const g = iteration(s, w, opt, tensor([bad, 1]));
      expect(Number.isFinite(g[0]!)).toBe(false);
      expect(w.tolist()).toEqual(before); // optimizer.step() skipped
      expect(s.getScale()).toBe(2);
      expect(s.getGrowthTracker()).toBe(0);
    });
  }

  it("step without unscale_ unscales first and returns what step returned", () => {
    const { w, opt } = setup();
    const s = new amp.GradScaler({ initScale: 2 });
    s.scale(w.sum()).backward();
    expect(s.step(opt)).toBeUndefined(); // SGD.step returns the closure's loss: none here
    expect(w.tolist()).toEqual([Math.fround(0.9), Math.fround(1.9)]);
    expect(() => s.step(opt, () => w.sum())).toThrow();
  });

  it("is a pass-through when disabled", () => {
    const { w, opt } = setup();
    const s = new amp.GradScaler({ enabled: false });
    const loss = w.sum();
    expect(s.scale(loss)).toBe(loss);
    loss.backward();
    s.unscale_(opt);
    s.step(opt);
    s.update();
    expect(w.tolist()).toEqual([Math.fround(0.9), Math.fround(1.9)]);
    expect(s.getScale()).toBe(1);
    expect(s.stateDict()).toEqual({});
  });

  it("round-trips its state", () => {
    const { w, opt } = setup();
    const s = new amp.GradScaler({ initScale: 16, growthInterval: 3 });
    iteration(s, w, opt, tensor([1, 1]));
    const sd = s.stateDict();
    expect(sd).toEqual({ scale: 16, growth_factor: 2, backoff_factor: 0.5, growth_interval: 3, _growth_tracker: 1 });
    const t = new amp.GradScaler();
    t.loadStateDict(sd);
    expect(t.getScale()).toBe(16);
    expect(t.getGrowthTracker()).toBe(1);
    expect(() => t.loadStateDict({})).toThrow("The source state dict is empty");
    expect(() => new amp.GradScaler().update()).toThrow("Attempted update but _scale is None.");
  });

  it("update(newScale) sets the scale", () => {
    const { w, opt } = setup();
    const s = new amp.GradScaler();
    iteration(s, w, opt, tensor([1, 1]));
    s.update(123.5);
    expect(s.getScale()).toBe(123.5);
  });
});
