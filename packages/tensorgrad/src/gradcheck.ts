// gradcheck / gradgradcheck: compare analytical gradients with central finite differences,
// with PyTorch's defaults (float64 inputs, eps 1e-6, atol 1e-5, rtol 1e-3).
import { raw } from "./wasm.js";
import { Tensor } from "./tensor.js";
import { grad } from "./autograd.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw on a mismatch (default); with false, return false instead. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const r = fn(...inputs);
  return Array.isArray(r) ? r : [r];
}

function withValues(t: Tensor, values: Float64Array): Tensor {
  const h = raw.RawTensor.fromF64(values, Uint32Array.from(t.shape), t.dtype);
  return new Tensor(h);
}

function jacobianString(rows: number, cols: number, data: Float64Array): string {
  const h = raw.RawTensor.fromF64(data, Uint32Array.of(rows, cols), "float64");
  const s = h.repr();
  h.free();
  return s;
}

/**
 * Check the gradients of `fn` at `inputs` (tensors that require grad, float64 recommended)
 * against finite differences. Returns true, or throws with the mismatching Jacobians.
 */
export function gradcheck(fn: Fn, inputs: Tensor[] | Tensor, options: GradcheckOptions = {}): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const raise = options.raiseException ?? true;
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const diffIdx = ins.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
  if (diffIdx.length === 0) throw new Error("gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.");
  for (const i of diffIdx) {
    if (ins[i]!.dtype !== "float64") {
      console.warn(`Input #${i} requires gradient and is not a double precision floating point. This check will likely fail if all the inputs are not of double precision floating point.`);
    }
  }
  const outs = outputsOf(fn, ins);
  for (let o = 0; o < outs.length; o++) {
    const out = outs[o]!;
    const nOut = out.numel();
    for (const i of diffIdx) {
      const x = ins[i]!;
      const nIn = x.numel();
      const base = Float64Array.from(x.toTypedArray());
      // numerical[j][k] = d out_k / d x_j
      const numerical = new Float64Array(nIn * nOut);
      for (let j = 0; j < nIn; j++) {
        const evalAt = (delta: number): Float64Array => {
          const v = base.slice();
          v[j]! += delta;
          // Fresh leaves with the same requiresGrad, so functions that differentiate inside
          // (gradgradcheck) still work.
          const args = ins.map((t, k) => {
            const leaf = k === i ? withValues(t, v) : t.detach();
            return t.requiresGrad ? leaf.requiresGrad_(true) : leaf;
          });
          return Float64Array.from(outputsOf(fn, args)[o]!.toTypedArray());
        };
        const plus = evalAt(eps);
        const minus = evalAt(-eps);
        for (let k = 0; k < nOut; k++) numerical[j * nOut + k] = (plus[k]! - minus[k]!) / (2 * eps);
      }
      const analytical = new Float64Array(nIn * nOut);
      if (out.requiresGrad) {
        for (let k = 0; k < nOut; k++) {
          const onehot = new Float64Array(nOut);
          onehot[k] = 1;
          const [g] = grad(out, x, {
            gradOutputs: [withValues(out, onehot)],
            retainGraph: true,
            allowUnused: true,
          });
          if (g) {
            const gv = g.toTypedArray();
            for (let j = 0; j < nIn; j++) analytical[j * nOut + k] = gv[j]!;
          }
        }
      }
      for (let e = 0; e < nIn * nOut; e++) {
        const a = analytical[e]!;
        const n = numerical[e]!;
        const ok = Math.abs(a - n) <= atol + rtol * Math.abs(n) || (Number.isNaN(a) && Number.isNaN(n));
        if (!ok) {
          if (!raise) return false;
          throw new Error(
            `Jacobian mismatch for output ${o} with respect to input ${i},\nnumerical:${jacobianString(nIn, nOut, numerical)}\nanalytical:${jacobianString(nIn, nOut, analytical)}\n`,
          );
        }
      }
    }
  }
  return true;
}

/**
 * Check second derivatives: gradcheck of the map `inputs -> grad(fn(inputs), inputs, v)` with
 * `createGraph`, for fixed pseudo-random `v` (or the given `gradOutputs`).
 */
export function gradgradcheck(
  fn: Fn,
  inputs: Tensor[] | Tensor,
  gradOutputs?: Tensor[] | Tensor,
  options: GradcheckOptions = {},
): boolean {
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const outs = outputsOf(fn, ins);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const vs = gradOutputs
    ? Array.isArray(gradOutputs) ? gradOutputs : [gradOutputs]
    : outs.map((o) => withValues(o, Float64Array.from({ length: o.numel() }, rnd)));
  const diff = ins.filter((t) => t.requiresGrad);
  const second: Fn = (...xs: Tensor[]) => {
    const os = outputsOf(fn, xs);
    const grads = grad(os, xs.filter((_, k) => ins[k]!.requiresGrad), {
      gradOutputs: vs,
      createGraph: true,
      allowUnused: true,
    });
    return grads.map((g, k) => g ?? diff[k]!.mul(0));
  };
  return gradcheck(second, ins, options);
}
