// js-pytorch runner (CPU; it keeps data as nested JavaScript arrays). It has no tanh and no SGD:
// tanh is 1 - 2/(exp(2z)+1) in its ops, and SGD is the update its own Adam uses for parameters.
import { torch } from "js-pytorch";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomData, randomLabels } from "./harness.mjs";

export const name = "js-pytorch";
export const info = () => {
  const main = createRequire(import.meta.url).resolve("js-pytorch");
  return { version: JSON.parse(readFileSync(join(dirname(main), "../package.json"), "utf8")).version };
};

function nested(data, rows, cols) {
  const out = [];
  for (let i = 0; i < rows; i++) out.push(Array.from(data.subarray(i * cols, (i + 1) * cols)));
  return out;
}

export function w1(n) {
  const a = torch.tensor(nested(randomData(n * n, 1), n, n));
  const b = torch.tensor(nested(randomData(n * n, 2), n, n));
  return () => a.matmul(b).data;
}

export function w2(n) {
  const x = torch.tensor(Array.from(randomData(n, 3)));
  return () => {
    const z = x.mul(0.5).add(0.1);
    const e = z.mul(2).exp();
    const t = e.add(1).pow(-1).mul(-2).add(1);
    return t.sum().data;
  };
}

export function w3({ batch, inF, hidden, classes, lr }) {
  const x = torch.tensor(nested(randomData(batch * inF, 4), batch, inF));
  const y = torch.tensor(Array.from(randomLabels(batch, classes)));
  const W1 = torch.tensor(nested(randomData(inF * hidden, 5).map((v) => v * 0.05), inF, hidden), true);
  const b1 = torch.zeros([hidden], true);
  const W2 = torch.tensor(nested(randomData(hidden * classes, 6).map((v) => v * 0.1), hidden, classes), true);
  const b2 = torch.zeros([classes], true);
  const params = [W1, b1, W2, b2];
  const relu = new torch.nn.ReLU();
  const lossFn = new torch.nn.CrossEntropyLoss();
  return () => {
    for (const p of params) p.zero_grad();
    const h = relu.forward(x.matmul(W1).add(b1));
    const logits = h.matmul(W2).add(b2);
    const loss = lossFn.forward(logits, y);
    loss.backward();
    for (const p of params) p._data = p.add(p._grad.mul(-lr))._data;
    return loss.data;
  };
}

export function w4(len) {
  const x = torch.tensor([1.0], true);
  return () => {
    x.zero_grad();
    let y = x;
    for (let i = 0; i < len; i++) y = y.mul(1.0001).add(0.0001);
    y.backward();
    return x._grad.data[0];
  };
}

export function w5(n) {
  const x = torch.tensor(Array.from(randomData(n, 8)), true);
  return () => {
    x.zero_grad();
    const loss = x.mul(x).sum();
    loss.backward();
    return loss.data + x._grad.data.length;
  };
}
