export interface Example {
  id: string;
  title: string;
  code: string;
}

export const SEED = `import { tensor } from "tensorgrad";
const A = tensor([5.0], { requiresGrad: true });
const loss = A.mul(5);
loss.backward();
console.log(String(A.grad)); // tensor([5.])
`;

export const EXAMPLES: Example[] = [
  { id: "seed", title: "Gradient of A * 5", code: SEED },
  {
    id: "second-derivative",
    title: "Second derivative (createGraph)",
    code: `import { tensor, autograd } from "tensorgrad";
// y = x^3:  dy/dx = 3x^2 = 12,  d2y/dx2 = 6x = 12 at x = 2
const x = tensor([2.0], { requiresGrad: true });
const y = x.pow(3).sum();
// createGraph: true makes dy differentiable in turn
const [dy] = autograd.grad([y], [x], { createGraph: true });
const [d2y] = autograd.grad([dy.sum()], [x]);
console.log("dy/dx   =", String(dy));
console.log("d2y/dx2 =", String(d2y));
`,
  },
  {
    id: "matmul",
    title: "Matmul gradient",
    code: `import * as tg from "tensorgrad";
// loss = mean((X @ W)^2) over the 6 entries of Y;  dloss/dW = X^T @ (2 (X @ W)) / 6
const X = tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
const W = tg.tensor([[0.5, -1.0], [0.25, 2.0]], { requiresGrad: true });
const Y = X.matmul(W);
const loss = Y.pow(2).mean();
loss.backward();
console.log("Y =", String(Y));
console.log("loss =", String(loss));
console.log("W.grad =", String(W.grad));
`,
  },
  {
    id: "unscaled-gradients",
    title: "Unscaled gradients (float16 + GradScaler)",
    code: `import { amp, manualSeed, nn, optim, randn } from "tensorgrad";
// A small model whose gradients (~1e-8) are below float16's smallest subnormal (6e-8).
manualSeed(0);
const X = randn(16, 8), T = randn(16, 4);
const W1init = randn(8, 16).mul(0.3), W2init = randn(16, 4).mul(0.3);
function model() {
  const W1 = new nn.Parameter(W1init.clone()), W2 = new nn.Parameter(W2init.clone());
  const loss = () => X.matmul(W1).tanh().matmul(W2).sub(T).pow(2).mean().mul(1e-7);
  return { W1, W2, loss };
}
const maxAbs = (t) => Math.max(...Array.from(t.toTypedArray(), Math.abs));

// 1. float32 reference gradients
const ref = model();
ref.loss().backward();
console.log("float32 grad max |dW2|:", maxAbs(ref.W2.grad).toExponential(4));

// 2. float16 autocast, no scaler: the gradients underflow to zero
const plain = model();
amp.autocast({ dtype: "float16" }, () => plain.loss()).backward();
console.log("float16, no scaler:    ", maxAbs(plain.W2.grad));

// 3. float16 autocast with GradScaler: scale the loss, then unscale_ to true values
const m = model();
const opt = new optim.SGD([m.W1, m.W2], { lr: 0.1 });
const scaler = new amp.GradScaler();
scaler.scale(amp.autocast({ dtype: "float16" }, () => m.loss())).backward();
console.log("scaled grad max |dW2|: ", maxAbs(m.W2.grad).toExponential(4), "(scale", scaler.getScale() + ")");
scaler.unscale_(opt);  // now clip or inspect the true gradients
console.log("unscaled max |dW2|:    ", maxAbs(m.W2.grad).toExponential(4));
const rel = maxAbs(m.W2.grad.sub(ref.W2.grad)) / maxAbs(ref.W2.grad);
console.log("max difference vs float32, relative:", rel.toExponential(2));
scaler.step(opt);
scaler.update();
`,
  },
  {
    id: "train-digits",
    title: "Train an MLP on the 8x8 digits",
    code: `import { manualSeed, nn, noGrad, optim, tensor, tidy } from "tensorgrad";
import { loadDigits, permutation } from "@tensorgrad/datasets";
// The same run as \`tensorgrad train\`: 1797 handwritten digits, 80/20 split, Adam.
manualSeed(0);
const d = await loadDigits();
const perm = permutation(d.count, 1), nTest = Math.round(d.count * 0.2);
const split = (idx) => ({
  x: tensor(Array.from(idx, (k) => Array.from(d.images.subarray(k * 64, k * 64 + 64), (v) => v / 16))),
  y: tensor(Array.from(idx, (k) => d.labels[k]), { dtype: "int64" }),
});
const test = split(perm.subarray(0, nTest)), train = split(perm.subarray(nTest));
const model = new nn.Sequential(new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 10));
const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
const accuracy = (s) => noGrad(() => model.call(s.x).argmax(1).eq(s.y).sum().item() / s.y.numel());
const n = train.y.numel();
for (let epoch = 1; epoch <= 10; epoch++) {
  const order = tensor(Array.from(permutation(n, epoch)), { dtype: "int64" });
  let total = 0;
  for (let b = 0; b < n; b += 32) {
    total += tidy(() => {  // releases the step's tensors right away
      const idx = order.narrow(0, b, Math.min(32, n - b));
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.call(train.x.indexSelect(0, idx)), train.y.indexSelect(0, idx));
      loss.backward();
      opt.step();
      return loss.item() * idx.numel();
    });
  }
  console.log(\`epoch \${epoch}  loss \${(total / n).toFixed(4)}  test accuracy \${(100 * accuracy(test)).toFixed(1)}%\`);
}
console.log(String(model));
`,
  },
  {
    id: "gpu",
    title: "MLP gradients on the GPU (tensorgrad-gpu)",
    code: `import { manualSeed, randn } from "tensorgrad";
import { disableGpu, enableGpu, gpuInfo } from "tensorgrad-gpu";
// A two-layer MLP's gradients twice: on the WebAssembly kernels, then with matmul and the
// element-wise ops offloaded to gpu.js ("force": every offered op, whatever its size). On the
// GPU path the activations stay in GPU textures between ops; only what is read comes back.
manualSeed(0);
const X = randn(64, 32), T = randn(64, 8);
const W1 = randn(32, 64).mul(0.2), W2 = randn(64, 8).mul(0.2);
function gradients() {
  const w1 = W1.detach().requiresGrad_(), w2 = W2.detach().requiresGrad_();
  const d = X.matmul(w1).tanh().matmul(w2).sub(T);
  const loss = d.mul(d).mean();
  loss.backward();
  return [loss, w1.grad, w2.grad];
}
const maxAbs = (t) => Math.max(...Array.from(t.toTypedArray(), Math.abs));

await disableGpu();
const wasm = gradients();
const info = enableGpu({ policy: "force" });
console.log("gpu.js mode:", info.mode, info.onGpu ? "(a GPU context)" : "(no GPU context: gpu.js computes on the CPU)");
const gpu = gradients();
const used = Object.entries(gpuInfo().counts).filter(([, c]) => c.gpu > 0);
console.log("ran on gpu.js:", used.map(([op, c]) => op + " x" + c.gpu).join(", "));
console.log("loss:", gpu[0].item().toFixed(6), "(WASM " + wasm[0].item().toFixed(6) + ")");
console.log("max |dW1 - dW1 on WASM|:", maxAbs(gpu[1].sub(wasm[1])).toExponential(2));
console.log("max |dW2 - dW2 on WASM|:", maxAbs(gpu[2].sub(wasm[2])).toExponential(2));
const mem = gpuInfo().memory;
console.log("results read back from gpu.js:", mem.downloads, "(" + mem.downloadedBytes + " bytes); device arrays alive:", mem.live);
`,
  },
];
