// tensorgrad runner: the public API only, as a user writes it.
import * as tg from "tensorgrad";
import { randomData, randomLabels } from "./harness.mjs";

const { tensor } = tg;

function fromData(data, shape, requiresGrad = false) {
  const t = tensor(data).reshape(shape);
  return requiresGrad ? t.detach().requiresGrad_(true) : t;
}

/** softmax cross-entropy, mean over the batch: nn.functional.crossEntropy when it exists. */
function crossEntropyOf() {
  const ce = tg.nn?.functional?.crossEntropy;
  if (typeof ce === "function") return { name: "nn.functional.crossEntropy", fn: (logits, y) => ce(logits, y) };
  return {
    name: "logSoftmax(1).gather(1, y).mean().neg()",
    fn: (logits, _y, y2) => logits.logSoftmax(1).gather(1, y2).mean().neg(),
  };
}

export const name = "tensorgrad";
export const info = () => ({ version: tg.version, crossEntropy: crossEntropyOf().name });
export const memoryBytes = () => (typeof tg.memoryBytes === "function" ? tg.memoryBytes() : null);

// Each repetition runs inside tg.tidy, as the tfjs runner uses tf.tidy/dispose: the handles
// created in a step are released when it returns instead of waiting for the garbage collector.
const tidy = (fn) => () => tg.tidy(fn);

// The thread count a user gets (the matmul pool; 1 where there are no threads).
const defaultThreads = typeof tg.getNumThreads === "function" ? tg.getNumThreads() : 1;

/** W1 on one thread (setNumThreads(1)), the figure compared with single-threaded tfjs-wasm. */
export function w1(n) {
  tg.setNumThreads?.(1);
  return w1Step(n);
}

/**
 * W1 in the default configuration (threads allowed). The workers start with the first large
 * matmul; they are given ~0.2 s to come up first, as in any application that runs for a while.
 */
export async function w1Threads(n) {
  tg.setNumThreads?.(defaultThreads);
  const step = w1Step(n);
  for (let i = 0; i < 20; i++) {
    step();
    await new Promise((r) => setTimeout(r, 10));
  }
  return step;
}
w1Threads.threads = defaultThreads;

/** Threads for the workloads after W1 ("default" or a count); returns the count now in use. */
export function setThreads(n) {
  tg.setNumThreads?.(n === "default" ? defaultThreads : n);
  return typeof tg.getNumThreads === "function" ? tg.getNumThreads() : 1;
}

function w1Step(n) {
  const a = fromData(randomData(n * n, 1), [n, n]);
  const b = fromData(randomData(n * n, 2), [n, n]);
  return tidy(() => a.matmul(b).toTypedArray());
}

export function w2(n) {
  const x = fromData(randomData(n, 3), [n]);
  return tidy(() => x.mul(0.5).add(0.1).tanh().sum().item());
}

export function w3({ batch, inF, hidden, classes, lr }) {
  const x = fromData(randomData(batch * inF, 4), [batch, inF]);
  const labels = randomLabels(batch, classes);
  const y = tensor(Array.from(labels), { dtype: "int64" });
  const y2 = y.reshape([batch, 1]);
  const W1 = fromData(randomData(inF * hidden, 5).map((v) => v * 0.05), [inF, hidden], true);
  const b1 = fromData(new Float32Array(hidden), [hidden], true);
  const W2 = fromData(randomData(hidden * classes, 6).map((v) => v * 0.1), [hidden, classes], true);
  const b2 = fromData(new Float32Array(classes), [classes], true);
  const opt = new tg.optim.SGD([W1, b1, W2, b2], { lr });
  const ce = crossEntropyOf().fn;
  return tidy(() => {
    opt.zeroGrad();
    const h = x.matmul(W1).add(b1).relu();
    const logits = h.matmul(W2).add(b2);
    const loss = ce(logits, y, y2);
    loss.backward();
    opt.step();
    return loss.item();
  });
}

export function w4(len) {
  const x = tensor(1.0, { requiresGrad: true });
  return tidy(() => {
    x.grad = null;
    let y = x;
    for (let i = 0; i < len; i++) y = y.mul(1.0001).add(0.0001);
    y.backward();
    return x.grad.item();
  });
}

export function w5(n) {
  const x = fromData(randomData(n, 8), [n], true);
  return tidy(() => {
    x.grad = null;
    const loss = x.mul(x).sum();
    loss.backward();
    return loss.item() + x.grad.toTypedArray().length;
  });
}
