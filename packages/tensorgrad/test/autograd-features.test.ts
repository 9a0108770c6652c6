import { describe, expect, it, vi } from "vitest";
import { autograd, FunctionCtx, inferenceMode, noGrad, tensor, Tensor } from "tensorgrad";

describe("retainGrad and non-leaf .grad", () => {
  it("keeps .grad on non-leaves that ask, warns once for others", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    expect(y.retainsGrad).toBe(true);
    const z = x.mul(3);
    y.mul(y).sum().add(z.sum()).backward();
    expect(y.grad!.tolist()).toEqual([4, 8]);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(z.grad).toBeNull();
    expect(z.grad).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain("is not a leaf Tensor is being accessed");
    warn.mockRestore();
  });
});

describe("hooks", () => {
  it("see and replace gradients on leaves and non-leaves, and can be removed", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const seen: number[][] = [];
    y.registerHook((g) => {
      seen.push(g.tolist() as number[]);
      return g.mul(10);
    });
    const h = x.registerHook((g) => g.add(1));
    y.sum().backward(null, { retainGraph: true });
    expect(seen).toEqual([[1, 1]]);
    expect(x.grad!.tolist()).toEqual([31, 31]);
    h.remove();
    x.grad = null;
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([30, 30]);
  });

  it("post-accumulate hooks run after .grad is updated", () => {
    const w = tensor([1], { requiresGrad: true });
    const grads: number[] = [];
    w.registerPostAccumulateGradHook((t) => grads.push(t.grad!.item() as number));
    w.mul(2).sum().backward();
    w.mul(2).sum().backward();
    expect(grads).toEqual([2, 4]);
  });

  it("an exception thrown in a hook reaches the caller unchanged", () => {
    const x = tensor([1], { requiresGrad: true });
    class HookError extends Error {}
    x.registerHook(() => {
      throw new HookError("from the hook");
    });
    expect(() => x.mul(2).sum().backward()).toThrow(HookError);
    // and the library still works
    const y = tensor([2], { requiresGrad: true });
    y.mul(5).sum().backward();
    expect(y.grad!.tolist()).toEqual([5]);
  });
});

describe("in-place ops", () => {
  it("bump the version and guard saved tensors", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(1);
    const w = y.mul(y);
    y.add_(1);
    expect(y.version).toBe(1);
    expect(() => w.sum().backward()).toThrow(
      "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]], which is output 0 of AddBackward1, is at version 1; expected version 0 instead.",
    );
  });

  it("are refused on leaves that require grad, allowed under noGrad", () => {
    const p = tensor([1, 2], { requiresGrad: true });
    expect(() => p.mul_(2)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    noGrad(() => p.sub_(tensor([0.5, 0.5])));
    expect(p.tolist()).toEqual([0.5, 1.5]);
    const q = tensor([1, 2, 3]);
    q.add_(tensor([1, 1, 1]), { alpha: 2 }).mul_(2);
    expect(q.tolist()).toEqual([6, 8, 10]);
    q.zero_();
    expect(q.tolist()).toEqual([0, 0, 0]);
    q.fill_(7).copy_(tensor([1]));
    expect(q.tolist()).toEqual([1, 1, 1]);
  });

  it("flow gradients through the new value", () => {
    const x = tensor([3], { requiresGrad: true });
    const a = x.mul(2);
    a.mul_(x);
    expect(a.gradFn!.name).toBe("MulBackward0");
    a.sum().backward();
    expect(x.grad!.tolist()).toEqual([12]);
  });
});

describe("custom functions", () => {
  class Exp extends autograd.Function {
    static forward(ctx: FunctionCtx, x: Tensor): Tensor {
      const y = x.exp();
      ctx.saveForBackward(y);
      return y;
    }
    static backward(ctx: FunctionCtx, g: Tensor): Tensor {
      const [y] = ctx.savedTensors;
      return g.mul(y!);
    }
  }

  it("compute gradients and support createGraph", () => {
    const x = tensor([0.5, -1], { requiresGrad: true, dtype: "float64" });
    const y = Exp.apply(x) as Tensor;
    expect(y.gradFn!.name).toBe("ExpBackward");
    const [g] = autograd.grad(y.sum(), x, { createGraph: true });
    expect((g!.tolist() as number[])[0]).toBeCloseTo(Math.exp(0.5), 12);
    const [gg] = autograd.grad(g!.sum(), x);
    expect((gg!.tolist() as number[])[1]).toBeCloseTo(Math.exp(-1), 12);
    expect(autograd.gradcheck((t) => Exp.apply(t) as Tensor, [x])).toBe(true);
  });

  it("pass non-tensor arguments and needsInputGrad", () => {
    class Scale extends autograd.Function {
      static forward(ctx: FunctionCtx, x: Tensor, k: unknown, y: Tensor): Tensor {
        ctx.k = k;
        ctx.flags = [...ctx.needsInputGrad];
        return x.mul(k as number).add(y);
      }
      static backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
        return [g.mul(ctx.k as number), null, ctx.needsInputGrad[2] ? g : null];
      }
    }
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tensor([5, 5]);
    (Scale.apply(x, 3, y) as Tensor).sum().backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it("report a wrong number of gradients", () => {
    class Bad extends autograd.Function {
      static forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
      static backward(_ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
        return [g, g];
      }
    }
    const x = tensor([1], { requiresGrad: true });
    expect(() => (Bad.apply(x) as Tensor).sum().backward()).toThrow(
      "function BadBackward returned an incorrect number of gradients (expected 1, got 2)",
    );
  });
});

describe("gradcheck", () => {
  const x = tensor([[0.3, -0.7], [1.1, 0.2]], { requiresGrad: true, dtype: "float64" });
  const w = tensor([[0.5], [-0.4]], { requiresGrad: true, dtype: "float64" });

  it("passes for correct gradients, first and second order", () => {
    expect(autograd.gradcheck((a, b) => a!.matmul(b!).tanh(), [x, w])).toBe(true);
    expect(autograd.gradgradcheck((a, b) => a!.matmul(b!).sigmoid(), [x, w])).toBe(true);
    expect(autograd.gradgradcheck((a) => a!.softmax(1), [x])).toBe(true);
    expect(autograd.gradgradcheck((a) => a!.logSoftmax(0), [x])).toBe(true);
  });

  it("raises with the Jacobians on a wrong gradient", () => {
    class Wrong extends autograd.Function {
      static forward(_ctx: FunctionCtx, a: Tensor): Tensor {
        return a.mul(2);
      }
      static backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.mul(3);
      }
    }
    const v = tensor([1.0], { requiresGrad: true, dtype: "float64" });
    expect(() => autograd.gradcheck((a) => Wrong.apply(a) as Tensor, [v])).toThrow(
      "Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor([[2.0000]], dtype=torch.float64)\nanalytical:tensor([[3.]], dtype=torch.float64)",
    );
    expect(autograd.gradcheck((a) => Wrong.apply(a) as Tensor, [v], { raiseException: false })).toBe(false);
  });
});

describe("anomaly detection and inference mode", () => {
  it("names the backward function that produced nan", () => {
    const x = tensor([0], { requiresGrad: true });
    expect(() => autograd.detectAnomaly(() => x.sqrt().mul(0).sum().backward())).toThrow(
      "Function 'SqrtBackward0' returned nan values in its 0th output. The forward op was created at:",
    );
    expect(autograd.isAnomalyEnabled()).toBe(false);
    // without anomaly mode the nan just propagates
    x.sqrt().mul(0).sum().backward();
    expect(Number.isNaN(x.grad!.item())).toBe(true);
  });

  it("inference tensors cannot be saved for backward", () => {
    const w = tensor([1], { requiresGrad: true });
    const t = inferenceMode(() => tensor([2]).mul(2));
    expect(t.isInference()).toBe(true);
    expect(t.requiresGrad).toBe(false);
    expect(() => w.mul(t)).toThrow("Inference tensors cannot be saved for backward.");
    expect(w.mul(t.clone()).requiresGrad).toBe(true);
  });
});

describe("graph introspection", () => {
  it("walks nextFunctions down to AccumulateGrad", () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2]);
    const y = a.mul(2).add(b).exp();
    const f = y.gradFn!;
    expect(f.name).toBe("ExpBackward0");
    const [[add]] = f.nextFunctions as [[NonNullable<typeof f>, number]];
    expect(add.name).toBe("AddBackward0");
    const [[mul], [none]] = add.nextFunctions;
    expect(mul!.name).toBe("MulBackward0");
    expect(none).toBeNull();
    const [[acc, nr]] = mul!.nextFunctions;
    expect(acc!.name).toBe("AccumulateGrad");
    expect(nr).toBe(0);
    expect(acc!.variable!.tolist()).toEqual([1]);
  });
});

describe("detach_", () => {
  it("turns a non-leaf into a leaf", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = x.mul(2);
    y.detach_();
    expect(y.isLeaf).toBe(true);
    expect(y.requiresGrad).toBe(false);
  });
});
