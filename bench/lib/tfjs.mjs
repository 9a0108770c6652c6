// tfjs runner: @tensorflow/tfjs-core with the cpu or the wasm (SIMD, single-threaded) backend.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { register } from "node:module";
import { randomData, randomLabels } from "./harness.mjs";

// Gradients are registered by tfjs-core's ES modules only (the @tensorflow/tfjs bundle imports them).
register("./esm-ext-hook.mjs", import.meta.url);
await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");

export let name = "tfjs";

export async function setup(backend) {
  name = `tfjs-${backend}`;
  if (backend === "wasm") {
    const dist = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
    const file = (f) => join(dist, f);
    // Node: file paths into node_modules; no threaded binary, so the single-threaded SIMD one runs.
    setWasmPaths({
      "tfjs-backend-wasm.wasm": file("tfjs-backend-wasm.wasm"),
      "tfjs-backend-wasm-simd.wasm": file("tfjs-backend-wasm-simd.wasm"),
      "tfjs-backend-wasm-threaded-simd.wasm": file("tfjs-backend-wasm-threaded-simd.wasm"),
    });
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
}

export const info = () => ({
  version: tf.version_core,
  backend: tf.getBackend(),
  simd: tf.getBackend() === "wasm" ? tf.env().getBool("WASM_HAS_SIMD_SUPPORT") : undefined,
  threads: tf.getBackend() === "wasm" ? tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") : undefined,
});

export function w1(n) {
  const a = tf.tensor2d(randomData(n * n, 1), [n, n]);
  const b = tf.tensor2d(randomData(n * n, 2), [n, n]);
  return () => {
    const c = tf.matMul(a, b);
    const v = c.dataSync();
    c.dispose();
    return v;
  };
}

export function w2(n) {
  const x = tf.tensor1d(randomData(n, 3));
  return () => {
    const s = tf.tidy(() => tf.sum(tf.tanh(tf.add(tf.mul(x, 0.5), 0.1))));
    const v = s.dataSync()[0];
    s.dispose();
    return v;
  };
}

export function w3({ batch, inF, hidden, classes, lr }) {
  const x = tf.tensor2d(randomData(batch * inF, 4), [batch, inF]);
  const labels = randomLabels(batch, classes);
  const y = tf.oneHot(tf.tensor1d(labels, "int32"), classes);
  const W1 = tf.variable(tf.tensor2d(randomData(inF * hidden, 5).map((v) => v * 0.05), [inF, hidden]));
  const b1 = tf.variable(tf.zeros([hidden]));
  const W2 = tf.variable(tf.tensor2d(randomData(hidden * classes, 6).map((v) => v * 0.1), [hidden, classes]));
  const b2 = tf.variable(tf.zeros([classes]));
  const opt = tf.train.sgd(lr);
  return () => {
    const cost = opt.minimize(
      () => {
        const h = tf.relu(tf.add(tf.matMul(x, W1), b1));
        const logits = tf.add(tf.matMul(h, W2), b2);
        return tf.losses.softmaxCrossEntropy(y, logits);
      },
      true,
      [W1, b1, W2, b2],
    );
    const v = cost.dataSync()[0];
    cost.dispose();
    return v;
  };
}

export function w4(len) {
  const x = tf.scalar(1.0);
  const g = tf.grad((x) => {
    let y = x;
    for (let i = 0; i < len; i++) y = tf.add(tf.mul(y, 1.0001), 0.0001);
    return y;
  });
  return () => {
    const d = tf.tidy(() => g(x));
    const v = d.dataSync()[0];
    d.dispose();
    return v;
  };
}

export function w5(n) {
  const x = tf.tensor1d(randomData(n, 8));
  const vg = tf.valueAndGrad((x) => tf.sum(tf.mul(x, x)));
  return () => {
    const { value, grad } = vg(x);
    const v = value.dataSync()[0] + grad.dataSync().length;
    value.dispose();
    grad.dispose();
    return v;
  };
}
