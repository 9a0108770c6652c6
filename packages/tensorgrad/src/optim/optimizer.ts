// optim.Optimizer and optim.SGD, with PyTorch's update formulas.
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { keep } from "../memory.js";
import { tensor } from "../creation.js";
import { zeroGrads } from "../nn/module.js";
import "../ops/pointwise.js";

/**
 * An optimizer's state in PyTorch's layout: `state` keyed by parameter index (the order of
 * the parameters across all groups), and `param_groups` holding each group's options with
 * `params` as those indices. State tensors are copies (PyTorch's `step` is a float32 0-d
 * tensor); the option names are this library's (camelCase).
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, unknown>>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

function cloneValue(v: unknown): unknown {
  if (v instanceof Tensor) return v.detach().clone();
  if (Array.isArray(v)) return v.map(cloneValue);
  return v;
}

/** A number as Python's `str(float)` prints it (`1.0`, `0.5`, `inf`). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}

export type ParamGroup<O> = { params: Tensor[] } & O;
export type Params<O> = Iterable<Tensor> | (Partial<O> & { params: Iterable<Tensor> })[];

export abstract class Optimizer<O extends object> {
  readonly defaults: O;
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (momentum buffers, Adam moments, ...). */
  state: Map<Tensor, Record<string, unknown>> = new Map();

  constructor(params: Params<O>, defaults: O) {
    this.defaults = defaults;
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new Error("optimizer got an empty parameter list");
    const groups: (Partial<O> & { params: Iterable<Tensor> })[] =
      list[0] instanceof Tensor ? [{ params: list as Tensor[] } as Partial<O> & { params: Tensor[] }] : (list as (Partial<O> & { params: Iterable<Tensor> })[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Add a group of parameters with its own options (the rest from the defaults). */
  addParamGroup(group: Partial<O> & { params: Iterable<Tensor> }): void {
    const params = [...group.params];
    for (const p of params) {
      if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
      if (this.paramGroups.some((g) => g.params.includes(p))) {
        throw new Error("some parameters appear in more than one parameter group");
      }
    }
    this.paramGroups.push({ ...this.defaults, ...group, params } as ParamGroup<O>);
  }

  /** Reset gradients: to null by default (PyTorch's `set_to_none=True`), else to zeros. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    zeroGrads(this.paramGroups.flatMap((g) => g.params), options.setToNone ?? true);
  }

  /** One update; `closure` re-evaluates the loss when an algorithm needs it. */
  abstract step(closure?: () => Tensor): Tensor | undefined;

  /**
   * The state in PyTorch's layout (see {@link OptimizerStateDict}): `state[i]` belongs to the
   * i-th parameter counting through the groups in order.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const groups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[k] = Array.isArray(v) ? [...v] : v;
      packed.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, next++);
        return index.get(p)!;
      });
      return packed as Record<string, unknown> & { params: number[] };
    });
    const state: Record<number, Record<string, unknown>> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(st)) out[k] = k === "step" && typeof v === "number" ? tensor(v) : cloneValue(v);
      state[i] = out;
    }
    return { state, param_groups: groups };
  }

  /**
   * Restore a state from {@link stateDict} (this optimizer's parameters keep their identity;
   * floating state tensors are cast to each parameter's dtype, as PyTorch does).
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length) {
      throw new Error("loaded state dict has a different number of parameter groups");
    }
    const lens = this.paramGroups.map((g) => g.params.length);
    if (saved.some((g, i) => g.params.length !== lens[i])) {
      throw new Error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idToParam = new Map<number, Tensor>();
    saved.forEach((g, gi) => g.params.forEach((id, j) => idToParam.set(id, this.paramGroups[gi]!.params[j]!)));
    this.state = new Map();
    for (const [k, st] of Object.entries(stateDict.state)) {
      const p = idToParam.get(Number(k));
      if (!p) continue;
      const out: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(st)) {
        if (name === "step") out[name] = v instanceof Tensor ? (v.item() as number) : v;
        else if (v instanceof Tensor) {
          const floating = v.dtype === "float32" || v.dtype === "float64" || v.dtype === "float16" || v.dtype === "bfloat16";
          out[name] = floating ? v.detach().to(p.dtype).clone() : v.detach().clone();
        } else out[name] = cloneValue(v);
      }
      this.state.set(p, keptState(out));
    }
    this.paramGroups = saved.map((g, i) => {
      const ng: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") ng[k] = Array.isArray(v) ? [...v] : v;
      ng.params = this.paramGroups[i]!.params;
      return ng as ParamGroup<O>;
    });
  }

  /** @internal */
  protected stateOf(p: Tensor): Record<string, unknown> {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = keptState({})));
    return s;
  }
}

/** Optimizer state whose tensors are never released by an enclosing `tidy`. */
function keptState(obj: Record<string, unknown>): Record<string, unknown> {
  for (const v of Object.values(obj)) if (v instanceof Tensor) keep(v);
  return new Proxy(obj, {
    set(target, key, value) {
      if (value instanceof Tensor) keep(value);
      target[key as string] = value;
      return true;
    },
  });
}

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** Stochastic gradient descent, exactly `torch.optim.SGD`'s update. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    const o: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options };
    if (o.lr < 0) throw new Error(`Invalid learning rate: ${o.lr}`);
    if (o.momentum < 0) throw new Error(`Invalid momentum value: ${o.momentum}`);
    if (o.weightDecay < 0) throw new Error(`Invalid weight_decay value: ${o.weightDecay}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new Error("Nesterov momentum requires a momentum and zero dampening");
    }
    super(params, o);
  }

  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure ? closure() : undefined;
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          const grad = p.grad;
          if (!grad) continue;
          let d = g.maximize ? grad.neg() : grad;
          if (g.weightDecay !== 0) d = d.add(p, { alpha: g.weightDecay });
          if (g.momentum !== 0) {
            const st = this.stateOf(p);
            let buf = st.momentum_buffer as Tensor | undefined;
            if (!buf) {
              buf = d.clone().detach();
              st.momentum_buffer = buf;
            } else {
              buf.mul_(g.momentum).add_(d, { alpha: 1 - g.dampening });
            }
            d = g.nesterov ? d.add(buf, { alpha: g.momentum }) : buf;
          }
          p.add_(d, { alpha: -g.lr });
        }
      }
    });
    return loss;
  }
}

/** Replace the data of `dst` by `src` (same shape), in place. */
function set(dst: Tensor, src: Tensor): void {
  dst.copy_(src);
}

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW's decoupled weight decay (`param *= 1 - lr * weightDecay`) instead of L2 in the gradient. */
  decoupledWeightDecay: boolean;
}

/**
 * Adam, PyTorch's single-tensor update: `m = lerp(m, g, 1-β1)`, `v = β2·v + (1-β2)·g²`,
 * `denom = sqrt(v) / sqrt(1-β2^t) + eps`, `p -= lr / (1-β1^t) · m / denom` (amsgrad uses the
 * running maximum of `v`).
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    const o: AdamOptions = {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      decoupledWeightDecay: false,
      ...options,
    };
    Adam.validate(o);
    super(params, o);
  }
  /** @internal */
  static validate(o: AdamOptions): void {
    if (!(o.lr >= 0)) throw new Error(`Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new Error(`Invalid epsilon value: ${o.eps}`);
    if (!(o.betas[0] >= 0 && o.betas[0] < 1)) throw new Error(`Invalid beta parameter at index 0: ${pyFloat(o.betas[0])}`);
    if (!(o.betas[1] >= 0 && o.betas[1] < 1)) throw new Error(`Invalid beta parameter at index 1: ${pyFloat(o.betas[1])}`);
    if (!(o.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${o.weightDecay}`);
  }

  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure ? closure() : undefined;
    noGrad(() => {
      for (const g of this.paramGroups) {
        const [beta1, beta2] = g.betas;
        for (const p of g.params) {
          if (!p.grad) continue;
          let grad = g.maximize ? p.grad.neg() : p.grad;
          const st = this.stateOf(p);
          if (st.step === undefined) {
            st.step = 0;
            st.exp_avg = p.detach().mul(0);
            st.exp_avg_sq = p.detach().mul(0);
            if (g.amsgrad) st.max_exp_avg_sq = p.detach().mul(0);
          }
          st.step = (st.step as number) + 1;
          const step = st.step as number;
          if (g.weightDecay !== 0) {
            if (g.decoupledWeightDecay) p.mul_(1 - g.lr * g.weightDecay);
            else grad = grad.add(p.detach().mul(g.weightDecay));
          }
          const expAvg = st.exp_avg as Tensor;
          const expAvgSq = st.exp_avg_sq as Tensor;
          set(expAvg, expAvg.lerp(grad, 1 - beta1));
          set(expAvgSq, expAvgSq.mul(beta2).addcmul(grad, grad, { value: 1 - beta2 }));
          const biasCorrection1 = 1 - beta1 ** step;
          const biasCorrection2 = 1 - beta2 ** step;
          const stepSize = g.lr / biasCorrection1;
          const biasCorrection2Sqrt = biasCorrection2 ** 0.5;
          let v = expAvgSq;
          if (g.amsgrad) {
            const mx = st.max_exp_avg_sq as Tensor;
            set(mx, mx.maximum(expAvgSq));
            v = mx;
          }
          const denom = v.sqrt().div(biasCorrection2Sqrt).add(g.eps);
          set(p, p.detach().addcdiv(expAvg, denom, { value: -stepSize }));
        }
      }
    });
    return loss;
  }
}

/** AdamW: Adam with decoupled weight decay (default 1e-2), PyTorch's `torch.optim.AdamW`. */
export class AdamW extends Adam {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...options, decoupledWeightDecay: true });
  }
}

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** RMSprop, PyTorch's single-tensor update (centered and momentum variants). */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    const o: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...options };
    if (!(o.lr >= 0)) throw new Error(`Invalid learning rate: ${o.lr}`);
    if (!(o.eps >= 0)) throw new Error(`Invalid epsilon value: ${o.eps}`);
    if (!(o.momentum >= 0)) throw new Error(`Invalid momentum value: ${o.momentum}`);
    if (!(o.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.alpha >= 0)) throw new Error(`Invalid alpha value: ${o.alpha}`);
    super(params, o);
  }

  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure ? closure() : undefined;
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          if (!p.grad) continue;
          let grad = g.maximize ? p.grad.neg() : p.grad;
          const st = this.stateOf(p);
          if (st.step === undefined) {
            st.step = 0;
            st.square_avg = p.detach().mul(0);
            if (g.momentum > 0) st.momentum_buffer = p.detach().mul(0);
            if (g.centered) st.grad_avg = p.detach().mul(0);
          }
          st.step = (st.step as number) + 1;
          if (g.weightDecay !== 0) grad = grad.add(p.detach().mul(g.weightDecay));
          const sq = st.square_avg as Tensor;
          set(sq, sq.mul(g.alpha).addcmul(grad, grad, { value: 1 - g.alpha }));
          let avg: Tensor;
          if (g.centered) {
            const ga = st.grad_avg as Tensor;
            set(ga, ga.lerp(grad, 1 - g.alpha));
            avg = sq.addcmul(ga, ga, { value: -1 }).sqrt();
          } else avg = sq.sqrt();
          avg = avg.add(g.eps);
          if (g.momentum > 0) {
            const buf = st.momentum_buffer as Tensor;
            set(buf, buf.mul(g.momentum).addcdiv(grad, avg));
            p.sub_(buf.mul(g.lr));
          } else set(p, p.detach().addcdiv(grad, avg, { value: -g.lr }));
        }
      }
    });
    return loss;
  }
}

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** Adagrad, PyTorch's single-tensor update: `clr = lr / (1 + (t-1)·lrDecay)`, `sum += g²`, `p -= clr·g/(sqrt(sum)+eps)`. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    const o: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...options };
    if (!(o.lr >= 0)) throw new Error(`Invalid learning rate: ${o.lr}`);
    if (!(o.lrDecay >= 0)) throw new Error(`Invalid lr_decay value: ${o.lrDecay}`);
    if (!(o.weightDecay >= 0)) throw new Error(`Invalid weight_decay value: ${o.weightDecay}`);
    if (!(o.initialAccumulatorValue >= 0)) throw new Error(`Invalid initial_accumulator_value value: ${o.initialAccumulatorValue}`);
    if (!(o.eps >= 0)) throw new Error(`Invalid epsilon value: ${o.eps}`);
    super(params, o);
    // PyTorch creates Adagrad's state in the constructor.
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const st = this.stateOf(p);
        st.step = 0;
        st.sum = noGrad(() => p.detach().mul(0).add(g.initialAccumulatorValue));
      }
    }
  }

  step(closure?: () => Tensor): Tensor | undefined {
    const loss = closure ? closure() : undefined;
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          if (!p.grad) continue;
          const st = this.stateOf(p);
          if (st.step === undefined) {
            st.step = 0;
            st.sum = p.detach().mul(0).add(g.initialAccumulatorValue);
          }
          st.step = (st.step as number) + 1;
          const step = st.step as number;
          let grad = g.maximize ? p.grad.neg() : p.grad;
          if (g.weightDecay !== 0) grad = grad.add(p.detach().mul(g.weightDecay));
          const clr = g.lr / (1 + (step - 1) * g.lrDecay);
          const sum = st.sum as Tensor;
          set(sum, sum.addcmul(grad, grad, { value: 1 }));
          const std = sum.sqrt().add(g.eps);
          set(p, p.detach().addcdiv(grad, std, { value: -clr }));
        }
      }
    });
    return loss;
  }
}
