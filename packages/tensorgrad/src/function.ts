// autograd.Function: user-defined operations with their own backward, usable with createGraph.
import { raw } from "./wasm.js";
import { Tensor } from "./tensor.js";
import { noGrad } from "./autograd.js";

type TensorOrValue = Tensor | unknown;

/** The `ctx` passed to a custom function's `forward` and `backward`. */
export class FunctionCtx {
  /** For each forward argument, whether it is a tensor that needs a gradient. */
  needsInputGrad: boolean[] = [];
  /** @internal */
  _toSave: Tensor[] = [];
  /** @internal */
  _nonDifferentiable: Tensor[] = [];
  /** @internal */
  _saved: Tensor[] | null = null;
  /** Any other attribute a forward wants to pass to backward (numbers, shapes, flags). */
  [key: string]: unknown;

  /** Keep tensors for backward (inputs or outputs); read them back with `savedTensors`. */
  saveForBackward(...tensors: Tensor[]): void {
    this._toSave = tensors;
  }
  /** The tensors given to {@link saveForBackward}, checked against in-place modification. */
  get savedTensors(): Tensor[] {
    if (this._saved === null) throw new Error("savedTensors can only be read inside backward");
    return this._saved;
  }
  /** Outputs that have no gradient (e.g. indices). */
  markNonDifferentiable(...tensors: Tensor[]): void {
    this._nonDifferentiable = tensors;
  }
}

/**
 * Base class of user-defined differentiable functions, as PyTorch's `torch.autograd.Function`:
 *
 * ```ts
 * class Exp extends autograd.Function {
 *   static forward(ctx: FunctionCtx, x: Tensor) { const y = x.exp(); ctx.saveForBackward(y); return y; }
 *   static backward(ctx: FunctionCtx, g: Tensor) { const [y] = ctx.savedTensors; return g.mul(y!); }
 * }
 * const y = Exp.apply(x);
 * ```
 * `forward` runs without recording; `backward` is recorded when `createGraph` is set, so
 * it must use tensor ops. It returns one gradient per forward argument (null for non-tensors
 * or inputs without gradient).
 */
export class Function {
  static forward(_ctx: FunctionCtx, ..._args: TensorOrValue[]): Tensor | Tensor[] {
    throw new Error("You must implement the forward function for custom autograd.Function.");
  }
  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): Tensor | null | (Tensor | null)[] {
    throw new Error("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.");
  }

  /** Run the function on `args` and record it in the graph. */
  static apply(...args: TensorOrValue[]): Tensor | Tensor[] {
    const cls = this;
    const ctx = new FunctionCtx();
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const tensorArgs: number[] = [];
    args.forEach((a, i) => {
      if (a instanceof Tensor) tensorArgs.push(i);
    });
    const result = noGrad(() => cls.forward(ctx, ...args));
    const single = !Array.isArray(result);
    const outs = single ? [result as Tensor] : (result as Tensor[]);
    for (const o of outs) {
      if (!(o instanceof Tensor)) throw new TypeError(`${cls.name}.forward must return a Tensor or an array of Tensors`);
    }
    const inputs = new raw.RawTensorList();
    for (const i of tensorArgs) inputs.push((args[i] as Tensor)._raw.alias());
    const outputs = new raw.RawTensorList();
    for (const o of outs) outputs.push(o._raw.alias());
    const savedInputs = new raw.RawTensorList();
    const savedIdx = new Int32Array(ctx._toSave.length);
    ctx._toSave.forEach((t, k) => {
      const idx = outs.indexOf(t);
      savedIdx[k] = idx;
      savedInputs.push(idx >= 0 ? undefined : t._raw.alias());
    });
    const nonDiff = Uint8Array.from(outs, (o) => (ctx._nonDifferentiable.includes(o) ? 1 : 0));
    ctx._toSave = [];
    ctx._nonDifferentiable = [];

    const backward = (needs: Uint8Array, saved: InstanceType<typeof raw.RawTensorList>, grads: InstanceType<typeof raw.RawTensorList>) => {
      const savedT: Tensor[] = [];
      for (let k = 0; k < saved.len(); k++) savedT.push(new Tensor(saved.get(k)!));
      const gradT: Tensor[] = [];
      for (let k = 0; k < grads.len(); k++) gradT.push(new Tensor(grads.get(k)!));
      saved.free();
      grads.free();
      ctx.needsInputGrad = args.map(() => false);
      tensorArgs.forEach((argIdx, j) => (ctx.needsInputGrad[argIdx] = needs[j] === 1));
      ctx._saved = savedT;
      let res: Tensor | null | (Tensor | null)[];
      try {
        res = cls.backward(ctx, ...gradT);
      } finally {
        ctx._saved = null; // do not keep tensors alive from the ctx
      }
      const arr = Array.isArray(res) ? res : [res];
      if (arr.length !== args.length) {
        throw new Error(
          `function ${cls.name}Backward returned an incorrect number of gradients (expected ${args.length}, got ${arr.length})`,
        );
      }
      const out = new raw.RawTensorList();
      for (const i of tensorArgs) {
        const g = arr[i];
        out.push(g instanceof Tensor ? g._raw.alias() : undefined);
      }
      raw.setCallbackResult(out);
    };
    let res: InstanceType<typeof raw.RawTensorList>;
    try {
      res = raw.applyCustom(`${cls.name}Backward`, inputs, outputs, savedInputs, savedIdx, nonDiff, backward);
    } finally {
      inputs.free();
      outputs.free();
      savedInputs.free();
    }
    const wrapped = outs.map((_, k) => new Tensor(res.get(k)!));
    res.free();
    return single ? wrapped[0]! : wrapped;
  }
}
