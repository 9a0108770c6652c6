import { describe, expect, it } from "vitest";
import { amp, finfo, manualSeed, nn, optim, randn, tensor, Tensor } from "tensorgrad";

describe("float16 / bfloat16", () => {
  it("convert with round-to-nearest-even, overflow to inf, subnormals and NaN", () => {
    const h = (v: number[]) => tensor(v, { dtype: "float16" }).tolist() as number[];
    expect(h([65504, 65519, 65520, 1e6, -1e6])).toEqual([65504, 65504, Infinity, Infinity, -Infinity]);
    expect(h([6.103515625e-5, 5.960464477539063e-8, 2.9802322387695312e-8, 3e-8])).toEqual([
      6.103515625e-5, 5.960464477539063e-8, 0, 5.960464477539063e-8,
    ]);
    expect(h([1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1])).toEqual([1, 1 + 2 ** -9, 0.0999755859375]);
    expect(Number.isNaN(h([NaN])[0])).toBe(true);
    const b = (v: number[]) => tensor(v, { dtype: "bfloat16" }).tolist() as number[];
    expect(b([1 + 2 ** -8, 1 + 3 * 2 ** -8, 0.1])).toEqual([1, 1 + 2 ** -6, 0.10009765625]);
    expect(String(tensor([1, 2], { dtype: "float16" }))).toBe("tensor([1., 2.], dtype=torch.float16)");
    expect(tensor([1.5]).half().dtype).toBe("float16");
    expect(tensor([1.5]).bfloat16().float().tolist()).toEqual([1.5]);
  });

  it("finfo matches PyTorch", () => {
    expect(finfo("float16")).toMatchObject({ eps: 0.0009765625, max: 65504, tiny: 6.103515625e-5 });
    expect(finfo("bfloat16").eps).toBe(0.0078125);
    expect(finfo("float32").eps).toBe(1.1920928955078125e-7);
    expect(finfo().max).toBe(3.4028234663852886e38);
    expect(() => finfo("int64")).toThrow("requires a floating point input type");
  });
});

describe("amp.autocast", () => {
  it("casts per op list and restores the previous state", () => {
    const w = tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true });
    const x = tensor([[1, 2]]);
    const [h, p, s] = amp.autocast({ dtype: "float16" }, () => {
      const h = x.matmul(w);
      return [h, h.softmax(1), h.sum()];
    });
    expect([h.dtype, p.dtype, s.dtype]).toEqual(["float16", "float32", "float32"]);
    expect(amp.getAutocastDtype()).toBeNull();
    p.sum().add(s).backward();
    expect(w.grad!.dtype).toBe("float32");
    const scope = amp.autocast({ dtype: "bfloat16" });
    expect(x.matmul(w).dtype).toBe("bfloat16");
    scope.exit();
    expect(x.matmul(w).dtype).toBe("float32");
    expect(amp.autocast({ enabled: false }, () => x.matmul(w).dtype)).toBe("float32");
  });
});

describe("float16 training with GradScaler", () => {
  // A small MLP whose loss is scaled down so that its gradients (~1e-8) fall below float16's
  // smallest subnormal (6e-8): without loss scaling they underflow to zero in the float16
  // backward; with GradScaler they survive, and unscale_ gives back the true values.
  manualSeed(0);
  const X = randn(16, 8);
  const T = randn(16, 4);
  const W1init = randn(8, 16).mul(0.3);
  const W2init = randn(16, 4).mul(0.3);
  const SMALL = 1e-7;

  function model() {
    const W1 = new nn.Parameter(W1init.clone());
    const W2 = new nn.Parameter(W2init.clone());
    const loss = () => X.matmul(W1).tanh().matmul(W2).sub(T).pow(2).mean().mul(SMALL);
    return { W1, W2, loss };
  }
  const grads = (ps: Tensor[]) => ps.map((p) => Float64Array.from(p.grad ? p.grad.toTypedArray() : []));

  it("underflows without a scaler, and the unscaled gradients match float32 with one", () => {
    const ref = model();
    ref.loss().backward();
    const gRef = grads([ref.W1, ref.W2]);
    expect(Math.max(...gRef[0]!.map(Math.abs))).toBeLessThan(6e-8); // below float16's subnormals

    const plain = model();
    amp.autocast({ dtype: "float16" }, () => plain.loss()).backward();
    const gPlain = grads([plain.W1, plain.W2]);
    expect(gPlain.every((g) => g.every((v) => v === 0))).toBe(true); // all underflowed

    const scaled = model();
    const opt = new optim.SGD([scaled.W1, scaled.W2], { lr: 0.1 });
    const scaler = new amp.GradScaler();
    scaler.scale(amp.autocast({ dtype: "float16" }, () => scaled.loss())).backward();
    scaler.unscale_(opt);
    const gScaled = grads([scaled.W1, scaled.W2]);
    for (let k = 0; k < 2; k++) {
      const ref = gRef[k]!;
      const got = gScaled[k]!;
      const scale = Math.max(...ref.map(Math.abs));
      for (let i = 0; i < ref.length; i++) {
        // half precision: ~3 significant digits, relative to the tensor's largest entry
        expect(Math.abs(got[i]! - ref[i]!)).toBeLessThan(1e-2 * scale);
      }
    }
  });

  it("trains: the loss falls with scaled float16 steps", () => {
    const m = model();
    const opt = new optim.SGD([m.W1, m.W2], { lr: 0.05 / SMALL });
    const scaler = new amp.GradScaler();
    const first = (m.loss().item() as number) / SMALL;
    for (let i = 0; i < 30; i++) {
      opt.zeroGrad();
      const loss = amp.autocast({ dtype: "float16" }, () => m.loss());
      scaler.scale(loss).backward();
      scaler.step(opt);
      scaler.update();
    }
    const last = (m.loss().item() as number) / SMALL;
    expect(last).toBeLessThan(0.7 * first);
  });
});
