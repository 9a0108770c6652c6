import { describe, expect, it } from "vitest";
import { autograd, noGrad, enableGrad, isGradEnabled, tensor, ones, Tensor } from "tensorgrad";

const vals = (t: Tensor | null) => Array.from(t!.toTypedArray());

describe("backward", () => {
  it("accumulates into .grad across calls and can be reset", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    x.mul(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 8, 12]);
    x.grad = null;
    expect(x.grad).toBeNull();
    x.sum().backward();
    expect(x.grad!.tolist()).toEqual([1, 1, 1]);
  });

  it("takes a gradient for non-scalar outputs and refuses without one", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow("grad can be implicitly created only for scalar outputs");
    y.backward(tensor([1, 0.5, 2]));
    expect(x.grad!.tolist()).toEqual([2, 1, 4]);
    const z = x.mul(2);
    expect(() => z.backward(tensor([1, 2]))).toThrow(
      "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3]).",
    );
  });

  it("refuses tensors that do not require grad", () => {
    expect(() => tensor([1]).mul(2).sum().backward()).toThrow(
      "element 0 of tensors does not require grad and does not have a grad_fn",
    );
  });

  it("frees the graph unless retainGraph", () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    expect(vals(x.grad)[0]).toBeCloseTo(2 * Math.exp(2), 4);
    expect(() => y.backward()).toThrow("Trying to backward through the graph a second time");
  });

  it("marks leaves and grad_fn names like PyTorch", () => {
    const a = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = tensor([[1], [1]]);
    expect(a.isLeaf).toBe(true);
    expect(a.gradFn).toBeNull();
    const c = a.matmul(b);
    expect(c.isLeaf).toBe(false);
    expect(c.gradFn!.name).toBe("MmBackward0");
    expect(a.add(1).gradFn!.name).toBe("AddBackward1");
    expect(a.add(a).gradFn!.name).toBe("AddBackward0");
    expect(a.sum().gradFn!.name).toBe("SumBackward0");
    expect(a.sum(0).gradFn!.name).toBe("SumBackward1");
    expect(a.mean().gradFn!.name).toBe("MeanBackward0");
    expect(a.pow(2).gradFn!.name).toBe("PowBackward0");
    expect(a.reshape(4).gradFn!.name).toBe("ViewBackward0");
    expect(String(tensor([1, 2], { requiresGrad: true }))).toBe("tensor([1., 2.], requires_grad=True)");
    expect(() => {
      c.requiresGrad = false;
    }).toThrow("you can only change requires_grad flags of leaf variables");
  });

  it("sums broadcast gradients back to each input's shape", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    a.mul(b).sum().backward();
    expect(a.grad!.tolist()).toEqual([[10, 20, 30], [10, 20, 30]]);
    expect(b.grad!.tolist()).toEqual([5, 7, 9]);
  });

  it("differentiates matmul", () => {
    const A = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const B = tensor([[5, 6], [7, 8]], { requiresGrad: true });
    A.matmul(B).sum().backward();
    expect(A.grad!.tolist()).toEqual([[11, 15], [11, 15]]);
    expect(B.grad!.tolist()).toEqual([[4, 4], [6, 6]]);
  });
});

describe("higher-order gradients", () => {
  it("differentiates x^3 three times", () => {
    const x = tensor(2.0, { requiresGrad: true });
    const [g1] = autograd.grad(x.pow(3), x, { createGraph: true });
    const [g2] = autograd.grad(g1!, x, { createGraph: true });
    const [g3] = autograd.grad(g2!, x);
    expect(g1!.item()).toBe(12);
    expect(g2!.item()).toBe(12);
    expect(g3!.item()).toBe(6);
  });

  it("backward with createGraph leaves a differentiable .grad", () => {
    const x = tensor([1.5], { requiresGrad: true, dtype: "float64" });
    x.exp().sum().backward(null, { createGraph: true });
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    const [gg] = autograd.grad(g.sum(), x);
    expect(gg!.item()).toBeCloseTo(Math.exp(1.5), 12);
  });
});

describe("autograd.grad", () => {
  it("does not touch .grad and handles unused inputs", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tensor([3, 4], { requiresGrad: true });
    const out = x.mul(x).sum();
    expect(() => autograd.grad(out, [x, y], { retainGraph: true })).toThrow(
      "One of the differentiated Tensors appears to not have been used in the graph",
    );
    const [gx, gy] = autograd.grad(out, [x, y], { allowUnused: true, retainGraph: true });
    expect(gx!.tolist()).toEqual([2, 4]);
    expect(gy).toBeNull();
    const [, gz] = autograd.grad(out, [x, y], { materializeGrads: true });
    expect(gz!.tolist()).toEqual([0, 0]);
    expect(x.grad).toBeNull();
  });

  it("uses gradOutputs for non-scalar outputs", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const [g] = autograd.grad(x.mul(3), x, { gradOutputs: [tensor([1, 2, 3])] });
    expect(g!.tolist()).toEqual([3, 6, 9]);
  });
});

describe("grad mode", () => {
  it("noGrad records nothing and restores the mode", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.gradFn!.name).toBe("MulBackward0");
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
  });

  it("detach cuts the graph and shares data", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.tolist()).toEqual([2, 4]);
    const y = x.mul(d).sum();
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 4]);
  });

  it("ones() leaves do not require grad by default", () => {
    expect(ones(2).requiresGrad).toBe(false);
  });
});
