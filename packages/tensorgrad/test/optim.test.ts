import { describe, expect, it } from "vitest";
import { nn, optim, tensor, Tensor } from "tensorgrad";

describe("optim.SGD", () => {
  it("follows PyTorch's update with momentum, dampening, weight decay", () => {
    const p = new nn.Parameter(tensor([1.0, -2.0], { dtype: "float64" }));
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 });
    // step 1: d = g + wd*p; buf = d; p -= lr*buf
    p.grad = tensor([0.5, 0.5], { dtype: "float64" });
    opt.step();
    const d1 = [0.5 + 0.01 * 1, 0.5 + 0.01 * -2];
    const p1 = [1 - 0.1 * d1[0]!, -2 - 0.1 * d1[1]!];
    (p.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(p1[i]!, 14));
    // step 2: buf = 0.9*buf + (1-0.1)*d
    p.grad = tensor([0.5, 0.5], { dtype: "float64" });
    opt.step();
    const d2 = [0.5 + 0.01 * p1[0]!, 0.5 + 0.01 * p1[1]!];
    const buf = [0.9 * d1[0]! + 0.9 * d2[0]!, 0.9 * d1[1]! + 0.9 * d2[1]!];
    const p2 = [p1[0]! - 0.1 * buf[0]!, p1[1]! - 0.1 * buf[1]!];
    (p.tolist() as number[]).forEach((v, i) => expect(v).toBeCloseTo(p2[i]!, 14));
  });

  it("nesterov and maximize", () => {
    const p = new nn.Parameter(tensor([1.0], { dtype: "float64" }));
    const opt = new optim.SGD([p], { lr: 0.5, momentum: 0.5, nesterov: true, maximize: true });
    p.grad = tensor([2.0], { dtype: "float64" });
    opt.step(); // d = -2; buf = -2; d = d + 0.5*buf = -3; p = 1 + 1.5
    expect(p.tolist()).toEqual([2.5]);
    expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow("Nesterov momentum requires a momentum and zero dampening");
    expect(() => new optim.SGD([p], { lr: -1 })).toThrow("Invalid learning rate: -1");
  });

  it("zeroGrad sets .grad to null by default, or zeros", () => {
    const p = new nn.Parameter(tensor([1.0, 2.0]));
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.mul(p).sum().backward();
    opt.zeroGrad({ setToNone: false });
    expect(p.grad!.tolist()).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it("trains a tiny linear fit", () => {
    const w = new nn.Parameter(tensor([0.0]));
    const x = tensor([1, 2, 3, 4]);
    const y = x.mul(3);
    const opt = new optim.SGD([w], { lr: 0.02, momentum: 0.5 });
    for (let i = 0; i < 100; i++) {
      opt.zeroGrad();
      x.mul(w).sub(y).pow(2).mean().backward();
      opt.step();
    }
    expect(w.item() as number).toBeCloseTo(3, 3);
  });
});

describe("nn.Module", () => {
  class Affine extends nn.Module {
    weight = new nn.Parameter(tensor([[1, 2], [3, 4]]));
    bias = new nn.Parameter(tensor([0.5, -0.5]));
    forward(x: Tensor): Tensor {
      return x.matmul(this.weight.t()).add(this.bias);
    }
  }
  class Net extends nn.Module {
    fc1 = new Affine();
    fc2 = new Affine();
    forward(x: Tensor): Tensor {
      return this.fc2.forward(this.fc1.forward(x).tanh());
    }
  }

  it("finds parameters in definition order and zeroes grads", () => {
    const net = new Net();
    expect([...net.namedParameters()].map(([n]) => n)).toEqual(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
    (net.call(tensor([[1, 1]])) as Tensor).sum().backward();
    expect([...net.parameters()].every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad();
    expect([...net.parameters()].every((p) => p.grad === null)).toBe(true);
    net.eval();
    expect([...net.modules()].every((m) => !m.training)).toBe(true);
  });
});

describe("backward(inputs)", () => {
  it("accumulates only into the given tensors", () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const h = a.mul(b);
    const y = h.mul(3).sum();
    y.backward(null, { inputs: [a, h] });
    expect(a.grad!.tolist()).toEqual([6]);
    expect(b.grad).toBeNull();
    expect(h.grad!.tolist()).toEqual([3]);
  });
});
