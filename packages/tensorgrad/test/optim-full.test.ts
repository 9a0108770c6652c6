import { describe, expect, it } from "vitest";
import { nn, optim, tensor, Tensor } from "tensorgrad";

const f64 = (v: number[]) => tensor(v, { dtype: "float64" });
function param(v: number[]): Tensor {
  return new nn.Parameter(f64(v));
}
function close(actual: Tensor, want: number[], tol = 1e-12): void {
  const a = actual.tolist() as number[];
  expect(a.length).toBe(want.length);
  a.forEach((x, i) => expect(Math.abs(x - want[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]!))));
}

/** PyTorch's _single_tensor_adam on plain numbers (float64). */
function adamRef(
  p0: number[],
  grads: number[][],
  o: { lr: number; b1: number; b2: number; eps: number; wd: number; amsgrad?: boolean; maximize?: boolean; decoupled?: boolean },
): number[][] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const vmax = p.map(() => 0);
  const out: number[][] = [];
  grads.forEach((g0, t) => {
    const step = t + 1;
    for (let i = 0; i < p.length; i++) {
      let g = o.maximize ? -g0[i]! : g0[i]!;
      if (o.wd !== 0) {
        if (o.decoupled) p[i] = p[i]! * (1 - o.lr * o.wd);
        else g = g + o.wd * p[i]!;
      }
      m[i] = m[i]! + (1 - o.b1) * (g - m[i]!);
      v[i] = v[i]! * o.b2 + (1 - o.b2) * g * g;
      const bc1 = 1 - o.b1 ** step;
      const bc2 = 1 - o.b2 ** step;
      const stepSize = o.lr / bc1;
      let vv = v[i]!;
      if (o.amsgrad) {
        vmax[i] = Math.max(vmax[i]!, v[i]!);
        vv = vmax[i]!;
      }
      const denom = Math.sqrt(vv) / Math.sqrt(bc2) + o.eps;
      p[i] = p[i]! - stepSize * (m[i]! / denom);
    }
    out.push([...p]);
  });
  return out;
}

const GRADS = [
  [0.5, -1.25, 2.0],
  [-0.3, 0.75, 1.5],
  [0.1, -0.2, -3.0],
  [0.05, 0.4, 0.9],
];

describe("optim.Adam / AdamW", () => {
  const cases: [string, Record<string, unknown>, Parameters<typeof adamRef>[2]][] = [
    ["plain", {}, { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0 }],
    ["weight decay + amsgrad", { lr: 0.1, weightDecay: 0.05, amsgrad: true, betas: [0.8, 0.9] }, { lr: 0.1, b1: 0.8, b2: 0.9, eps: 1e-8, wd: 0.05, amsgrad: true }],
    ["maximize", { lr: 0.01, maximize: true, eps: 1e-6 }, { lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-6, wd: 0, maximize: true }],
  ];
  for (const [name, opts, ref] of cases) {
    it(`Adam ${name} follows PyTorch's single-tensor update`, () => {
      const p = param([1.0, -2.0, 0.5]);
      const opt = new optim.Adam([p], opts);
      const want = adamRef([1.0, -2.0, 0.5], GRADS, ref);
      GRADS.forEach((g, t) => {
        p.grad = f64(g);
        opt.step();
        close(p, want[t]!);
      });
    });
  }

  it("AdamW decays the weights decoupled, default weightDecay 1e-2", () => {
    const p = param([1.0, -2.0, 0.5]);
    const opt = new optim.AdamW([p], { lr: 0.1 });
    expect(opt.paramGroups[0]!.weightDecay).toBe(0.01);
    const want = adamRef([1.0, -2.0, 0.5], GRADS, { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01, decoupled: true });
    GRADS.forEach((g, t) => {
      p.grad = f64(g);
      opt.step();
      close(p, want[t]!);
    });
    const q = param([1.0, -2.0, 0.5]);
    const opt2 = new optim.AdamW([q], { lr: 0.1, weightDecay: 0.2, amsgrad: true });
    const want2 = adamRef([1.0, -2.0, 0.5], GRADS, { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.2, decoupled: true, amsgrad: true });
    GRADS.forEach((g, t) => {
      q.grad = f64(g);
      opt2.step();
      close(q, want2[t]!);
    });
  });

  it("first Adam step by hand: p - lr * sign(g) (almost)", () => {
    const p = param([1.0]);
    const opt = new optim.Adam([p], { lr: 0.1 });
    p.grad = f64([4.0]);
    opt.step();
    // m = 0.4, v = 0.016, bc1 = 0.1, bc2 = 0.001: p = 1 - 1.0 * 0.4 / (sqrt(0.016)/sqrt(0.001) + 1e-8)
    const m = 0.1 * 4.0;
    const v = 0.001 * 16;
    const denom = Math.sqrt(v) / Math.sqrt(1 - 0.999) + 1e-8;
    close(p, [1 - (0.1 / (1 - 0.9)) * (m / denom)]);
  });

  it("validates like PyTorch", () => {
    const p = param([1]);
    expect(() => new optim.Adam([p], { lr: -1 })).toThrow("Invalid learning rate: -1");
    expect(() => new optim.Adam([p], { betas: [1.0, 0.999] })).toThrow("Invalid beta parameter at index 0: 1.0");
    expect(() => new optim.Adam([p], { betas: [0.9, 1.5] })).toThrow("Invalid beta parameter at index 1: 1.5");
    expect(() => new optim.Adam([p], { eps: -1e-8 })).toThrow("Invalid epsilon value: -1e-8");
    expect(() => new optim.AdamW([p], { weightDecay: -0.1 })).toThrow("Invalid weight_decay value: -0.1");
    expect(() => new optim.RMSprop([p], { alpha: -0.1 })).toThrow("Invalid alpha value: -0.1");
    expect(() => new optim.RMSprop([p], { momentum: -0.1 })).toThrow("Invalid momentum value: -0.1");
    expect(() => new optim.Adagrad([p], { lrDecay: -1 })).toThrow("Invalid lr_decay value: -1");
    expect(() => new optim.Adagrad([p], { initialAccumulatorValue: -1 })).toThrow("Invalid initial_accumulator_value value: -1");
  });
});

describe("optim.RMSprop", () => {
  function ref(p0: number[], o: { lr: number; alpha: number; eps: number; wd: number; mom: number; centered: boolean }): number[][] {
    const p = [...p0];
    const sq = p.map(() => 0);
    const ga = p.map(() => 0);
    const buf = p.map(() => 0);
    return GRADS.map((g0) => {
      for (let i = 0; i < p.length; i++) {
        let g = g0[i]!;
        if (o.wd) g = g + o.wd * p[i]!;
        sq[i] = sq[i]! * o.alpha + (1 - o.alpha) * g * g;
        let avg: number;
        if (o.centered) {
          ga[i] = ga[i]! + (1 - o.alpha) * (g - ga[i]!);
          avg = Math.sqrt(sq[i]! - ga[i]! * ga[i]!);
        } else avg = Math.sqrt(sq[i]!);
        avg += o.eps;
        if (o.mom > 0) {
          buf[i] = buf[i]! * o.mom + g / avg;
          p[i] = p[i]! - o.lr * buf[i]!;
        } else p[i] = p[i]! - o.lr * (g / avg);
      }
      return [...p];
    });
  }
  for (const [name, opts, r] of [
    ["plain", {}, { lr: 1e-2, alpha: 0.99, eps: 1e-8, wd: 0, mom: 0, centered: false }],
    ["centered momentum weight decay", { lr: 0.05, alpha: 0.9, momentum: 0.8, centered: true, weightDecay: 0.1 }, { lr: 0.05, alpha: 0.9, eps: 1e-8, wd: 0.1, mom: 0.8, centered: true }],
  ] as const) {
    it(`${name} follows PyTorch's update`, () => {
      const p = param([1.0, -2.0, 0.5]);
      const opt = new optim.RMSprop([p], opts);
      const want = ref([1.0, -2.0, 0.5], r);
      GRADS.forEach((g, t) => {
        p.grad = f64(g);
        opt.step();
        close(p, want[t]!);
      });
    });
  }
});

describe("optim.Adagrad", () => {
  it("follows PyTorch's update with lrDecay, weightDecay, initialAccumulatorValue", () => {
    const p = param([1.0, -2.0, 0.5]);
    const o = { lr: 0.1, lrDecay: 0.01, weightDecay: 0.05, initialAccumulatorValue: 0.2, eps: 1e-10 };
    const opt = new optim.Adagrad([p], o);
    const q = [1.0, -2.0, 0.5];
    const sum = q.map(() => 0.2);
    GRADS.forEach((g0, t) => {
      const step = t + 1;
      const clr = o.lr / (1 + (step - 1) * o.lrDecay);
      for (let i = 0; i < 3; i++) {
        const g = g0[i]! + o.weightDecay * q[i]!;
        sum[i] = sum[i]! + g * g;
        q[i] = q[i]! - clr * (g / (Math.sqrt(sum[i]!) + o.eps));
      }
      p.grad = f64(g0);
      opt.step();
      close(p, q);
    });
  });
});

describe("Optimizer.stateDict / loadStateDict", () => {
  it("uses PyTorch's layout and resumes exactly", () => {
    const a = param([1.0, 2.0]);
    const b = param([-1.0]);
    const c = param([0.5, 0.25]);
    const opt = new optim.Adam([{ params: [a, b] }, { params: [c], lr: 0.5 }], { lr: 0.1 });
    const grads = () => {
      a.grad = f64([0.3, -0.1]);
      b.grad = f64([2.0]);
      c.grad = f64([-1.0, 1.0]);
    };
    grads();
    opt.step();
    const sd = opt.stateDict();
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0, 1], [2]]);
    expect(sd.param_groups[1]!.lr).toBe(0.5);
    expect(Object.keys(sd.state)).toEqual(["0", "1", "2"]);
    expect(Object.keys(sd.state[0]!).sort()).toEqual(["exp_avg", "exp_avg_sq", "step"]);
    const st = sd.state[2]!.step as Tensor;
    expect(st.dtype).toBe("float32");
    expect(st.item()).toBe(1);

    // a second optimizer, loaded from the dict, steps like the first
    const a2 = param(a.tolist() as number[]);
    const b2 = param(b.tolist() as number[]);
    const c2 = param(c.tolist() as number[]);
    const opt2 = new optim.Adam([{ params: [a2, b2] }, { params: [c2] }], { lr: 0.9 });
    opt2.loadStateDict(sd);
    expect(opt2.paramGroups[1]!.lr).toBe(0.5);
    expect(opt2.paramGroups[1]!.params[0]).toBe(c2);
    grads();
    opt.step();
    a2.grad = f64([0.3, -0.1]);
    b2.grad = f64([2.0]);
    c2.grad = f64([-1.0, 1.0]);
    opt2.step();
    close(a2, a.tolist() as number[], 0);
    close(c2, c.tolist() as number[], 0);
    expect(() => new optim.Adam([a2], {}).loadStateDict(sd)).toThrow("loaded state dict has a different number of parameter groups");
    expect(() => new optim.Adam([{ params: [a2] }, { params: [c2] }], {}).loadStateDict(sd)).toThrow(
      "loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
    );
  });

  it("SGD momentum buffer is `momentum_buffer`", () => {
    const p = param([1.0]);
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = f64([1.0]);
    opt.step();
    expect(Object.keys(opt.stateDict().state[0]!)).toEqual(["momentum_buffer"]);
  });
});

describe("optim.lrScheduler", () => {
  const S = optim.lrScheduler;
  const sgd = (lr = 1.0) => new optim.SGD([param([1])], { lr, momentum: 0.9 });
  function run(s: { step(): void; getLastLr(): number[] }, n: number): number[] {
    const out = [s.getLastLr()[0]!];
    for (let i = 0; i < n; i++) {
      s.step();
      out.push(s.getLastLr()[0]!);
    }
    return out;
  }
  function closeList(a: number[], b: number[]): void {
    expect(a.length).toBe(b.length);
    a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThan(1e-12));
  }

  it("StepLR, MultiStepLR, ExponentialLR", () => {
    closeList(run(new S.StepLR(sgd(), 2, 0.5), 6), [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]);
    closeList(run(new S.MultiStepLR(sgd(), [2, 4, 4], 0.1), 5), [1, 1, 0.1, 0.1, 0.1 * 0.01, 0.1 * 0.01]);
    closeList(run(new S.ExponentialLR(sgd(0.5), 0.9), 3), [0.5, 0.45, 0.405, 0.3645]);
  });

  it("CosineAnnealingLR matches the closed form within a period, and restarts like PyTorch", () => {
    const T = 4;
    const eta = 0.1;
    const got = run(new S.CosineAnnealingLR(sgd(), T, eta), 2 * T + 2);
    const closed = (e: number) => eta + ((1 - eta) * (1 + Math.cos((Math.PI * e) / T))) / 2;
    for (let e = 0; e <= 2 * T + 2; e++) expect(Math.abs(got[e]! - closed(e))).toBeLessThan(1e-12);
  });

  it("LinearLR", () => {
    const got = run(new S.LinearLR(sgd(), 0.25, 1.0, 3), 5);
    // chainable: lr_e = lr_{e-1} * (1 + (f-s)/(n*s + (e-1)(f-s)))
    const want = [0.25];
    for (let e = 1; e <= 5; e++) want.push(e > 3 ? want[e - 1]! : want[e - 1]! * (1 + 0.75 / (3 * 0.25 + (e - 1) * 0.75)));
    closeList(got, want);
    closeList(got, [0.25, 0.5, 0.75, 1, 1, 1]);
    expect(() => new S.LinearLR(sgd(), 0)).toThrow("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
  });

  it("OneCycleLR: lr and momentum by PyTorch's phases; beta1 for Adam", () => {
    const opt = sgd();
    const s = new S.OneCycleLR(opt, 1.0, { totalSteps: 10 });
    const lrs = run(s, 9);
    const init = 1.0 / 25;
    const minLr = init / 1e4;
    const cosA = (a: number, b: number, pct: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1);
    const e1 = 0.3 * 10 - 1;
    const want = lrs.map((_, k) => (k <= e1 ? cosA(init, 1.0, k / e1) : cosA(1.0, minLr, (k - e1) / (9 - e1))));
    closeList(lrs, want);
    expect(Math.abs((opt.paramGroups[0]!.momentum as number) - cosA(0.85, 0.95, (9 - e1) / (9 - e1)))).toBeLessThan(1e-12);
    expect(() => s.step()).not.toThrow(); // step 10 == total_steps is allowed
    expect(() => s.step()).toThrow("Tried to step 11 times. The specified number of total steps is 10");

    const adam = new optim.Adam([param([1])], { lr: 0.1 });
    new S.OneCycleLR(adam, 0.1, { epochs: 2, stepsPerEpoch: 5, annealStrategy: "linear" });
    expect(adam.paramGroups[0]!.betas[0]).toBeCloseTo(0.95, 15);
    expect(adam.paramGroups[0]!.lr).toBeCloseTo(0.1 / 25, 15);
    expect(() => new S.OneCycleLR(adam, 0.1)).toThrow("You must define either total_steps OR (epochs AND steps_per_epoch)");
  });

  it("stateDict holds everything but the optimizer", () => {
    const s = new S.StepLR(sgd(), 3, 0.5);
    s.step();
    const sd = s.stateDict();
    expect(sd.lastEpoch).toBe(1);
    expect(sd.baseLrs).toEqual([1]);
    expect(sd.stepSize).toBe(3);
    expect("optimizer" in sd).toBe(false);
    const s2 = new S.StepLR(sgd(), 1, 0.1);
    s2.loadStateDict(sd);
    expect(s2.lastEpoch).toBe(1);
    expect(s2.stepSize).toBe(3);
  });
});
