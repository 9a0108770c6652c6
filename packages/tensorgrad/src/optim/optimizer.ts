// optim.Optimizer and optim.SGD, with PyTorch's update formulas.
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { zeroGrads } from "../nn/module.js";

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

  /** @internal */
  protected stateOf(p: Tensor): Record<string, unknown> {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }
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
            let buf = st.momentumBuffer as Tensor | undefined;
            if (!buf) {
              buf = d.clone().detach();
              st.momentumBuffer = buf;
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
