// optim.lrScheduler: PyTorch's learning-rate schedulers, in their chainable (recursive) forms,
// so each step multiplies or moves the group's current `lr` exactly as torch.optim.lr_scheduler.
import type { Optimizer } from "./optimizer.js";

type Group = Record<string, unknown> & { lr: number };

/** Python's `%` (the result has the divisor's sign). */
function pyMod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** Base class: `step()` advances `lastEpoch` and writes `getLr()` into the optimizer's groups. */
export abstract class LRScheduler {
  readonly optimizer: Optimizer<object>;
  baseLrs: number[];
  lastEpoch: number;
  /** @internal */
  _stepCount = 0;
  /** @internal */
  _lastLr: number[] = [];

  constructor(optimizer: Optimizer<object>, lastEpoch = -1) {
    this.optimizer = optimizer;
    const groups = this.groups();
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** @internal subclasses call this at the end of their constructor (PyTorch's `_initial_step`). */
  protected initialStep(): void {
    this._stepCount = 0;
    this.step();
  }

  /** @internal */
  protected groups(): Group[] {
    return this.optimizer.paramGroups as unknown as Group[];
  }

  /** The learning rates for the current `lastEpoch`, from the groups' current values. */
  abstract getLr(): number[];

  /** Advance one epoch (or step) and set the groups' learning rates. */
  step(): void {
    this._stepCount += 1;
    this.lastEpoch += 1;
    const values = this.getLr();
    this.groups().forEach((g, i) => (g.lr = values[i]!));
    this._lastLr = this.groups().map((g) => g.lr);
  }

  /** The learning rates the last `step()` set. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /** Everything but the optimizer (PyTorch's `state_dict`). */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === "optimizer") continue;
      out[k] = Array.isArray(v) ? [...v] : v instanceof Map ? new Map(v) : v;
    }
    return out;
  }
  loadStateDict(state: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(state)) {
      if (k === "optimizer") continue;
      (this as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v instanceof Map ? new Map(v) : v;
    }
  }
}

/** Multiply the lr by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: Optimizer<object>, stepSize: number, gamma: number | { gamma?: number; lastEpoch?: number } = 0.1, lastEpoch = -1) {
    const o = typeof gamma === "object" ? gamma : { gamma, lastEpoch };
    super(optimizer, o.lastEpoch ?? -1);
    this.stepSize = stepSize;
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }
  getLr(): number[] {
    const gs = this.groups();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return gs.map((g) => g.lr);
    return gs.map((g) => g.lr * this.gamma);
  }
}

/** Multiply the lr by `gamma` at each milestone (a repeated milestone multiplies by `gamma^count`). */
export class MultiStepLR extends LRScheduler {
  milestones: Map<number, number>;
  gamma: number;
  constructor(optimizer: Optimizer<object>, milestones: number[], gamma: number | { gamma?: number; lastEpoch?: number } = 0.1, lastEpoch = -1) {
    const o = typeof gamma === "object" ? gamma : { gamma, lastEpoch };
    super(optimizer, o.lastEpoch ?? -1);
    this.milestones = new Map();
    for (const m of milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = o.gamma ?? 0.1;
    this.initialStep();
  }
  getLr(): number[] {
    const gs = this.groups();
    const c = this.milestones.get(this.lastEpoch);
    if (c === undefined) return gs.map((g) => g.lr);
    return gs.map((g) => g.lr * this.gamma ** c);
  }
}

/** Multiply the lr by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: Optimizer<object>, gamma: number, lastEpoch: number | { lastEpoch?: number } = -1) {
    super(optimizer, typeof lastEpoch === "object" ? (lastEpoch.lastEpoch ?? -1) : lastEpoch);
    this.gamma = gamma;
    this.initialStep();
  }
  getLr(): number[] {
    const gs = this.groups();
    if (this.lastEpoch === 0) return gs.map((g) => g.lr);
    return gs.map((g) => g.lr * this.gamma);
  }
}

/** Cosine annealing from the base lr to `etaMin` over `TMax` epochs (PyTorch's recursive form). */
export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;
  constructor(optimizer: Optimizer<object>, TMax: number, etaMin: number | { etaMin?: number; lastEpoch?: number } = 0.0, lastEpoch = -1) {
    const o = typeof etaMin === "object" ? etaMin : { etaMin, lastEpoch };
    super(optimizer, o.lastEpoch ?? -1);
    this.TMax = TMax;
    this.etaMin = o.etaMin ?? 0;
    this.initialStep();
  }
  getLr(): number[] {
    const gs = this.groups();
    const { TMax, etaMin, lastEpoch: e } = this;
    if (e === 0) return gs.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / TMax))) / 2);
    }
    if (pyMod(e - 1 - TMax, 2 * TMax) === 0) {
      return gs.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / TMax))) / 2);
    }
    return gs.map(
      (g) => ((1 + Math.cos((Math.PI * e) / TMax)) / (1 + Math.cos((Math.PI * (e - 1)) / TMax))) * (g.lr - etaMin) + etaMin,
    );
  }
}

/** Scale the lr linearly from `startFactor` to `endFactor` over `totalIters` epochs. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(
    optimizer: Optimizer<object>,
    startFactor: number | { startFactor?: number; endFactor?: number; totalIters?: number; lastEpoch?: number } = 1.0 / 3,
    endFactor = 1.0,
    totalIters = 5,
    lastEpoch = -1,
  ) {
    const o = typeof startFactor === "object" ? startFactor : { startFactor, endFactor, totalIters, lastEpoch };
    const sf = o.startFactor ?? 1.0 / 3;
    const ef = o.endFactor ?? 1.0;
    if (sf > 1.0 || sf <= 0) throw new Error("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    if (ef > 1.0 || ef < 0) throw new Error("Ending multiplicative factor expected to be between 0 and 1.");
    super(optimizer, o.lastEpoch ?? -1);
    this.startFactor = sf;
    this.endFactor = ef;
    this.totalIters = o.totalIters ?? 5;
    this.initialStep();
  }
  getLr(): number[] {
    const gs = this.groups();
    const { startFactor: s, endFactor: f, totalIters: n, lastEpoch: e } = this;
    if (e === 0) return gs.map((g) => g.lr * s);
    if (e > n) return gs.map((g) => g.lr);
    return gs.map((g) => g.lr * (1.0 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
}

export interface OneCycleLROptions {
  totalSteps?: number | null;
  epochs?: number | null;
  stepsPerEpoch?: number | null;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
  lastEpoch?: number;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/** The 1cycle policy (warm up to `maxLr`, anneal to `initialLr / finalDivFactor`), cycling momentum or beta1 inversely. */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  /** @internal */
  _schedulePhases: Phase[];
  /** @internal */
  _annealFuncType: "cos" | "linear";
  cycleMomentum: boolean;
  useBeta1: boolean;

  constructor(optimizer: Optimizer<object>, maxLr: number | number[], options: OneCycleLROptions = {}) {
    const o = {
      pctStart: 0.3,
      annealStrategy: "cos" as const,
      cycleMomentum: true,
      baseMomentum: 0.85,
      maxMomentum: 0.95,
      divFactor: 25.0,
      finalDivFactor: 1e4,
      threePhase: false,
      lastEpoch: -1,
      ...options,
    };
    let total: number;
    if (o.totalSteps !== undefined && o.totalSteps !== null) {
      if (o.totalSteps <= 0 || !Number.isInteger(o.totalSteps)) throw new Error(`Expected positive integer total_steps, but got ${o.totalSteps}`);
      total = o.totalSteps;
    } else if (o.epochs != null && o.stepsPerEpoch != null) {
      if (!Number.isInteger(o.epochs) || o.epochs <= 0) throw new Error(`Expected positive integer epochs, but got ${o.epochs}`);
      if (!Number.isInteger(o.stepsPerEpoch) || o.stepsPerEpoch <= 0) throw new Error(`Expected positive integer steps_per_epoch, but got ${o.stepsPerEpoch}`);
      total = o.epochs * o.stepsPerEpoch;
    } else {
      throw new Error("You must define either total_steps OR (epochs AND steps_per_epoch)");
    }
    const pct = o.pctStart;
    const phases: Phase[] = o.threePhase
      ? [
          { endStep: pct * total - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: 2 * pct * total - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
          { endStep: total - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
        ]
      : [
          { endStep: pct * total - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: total - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        ];
    if (pct < 0 || pct > 1) throw new Error(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    if (o.annealStrategy !== "cos" && o.annealStrategy !== "linear") {
      throw new Error(`anneal_strategy must be one of 'cos' or 'linear', instead got ${o.annealStrategy}`);
    }
    const groups = optimizer.paramGroups as unknown as Group[];
    const fmt = (name: string, v: number | number[]): number[] => {
      if (Array.isArray(v)) {
        if (v.length !== groups.length) throw new Error(`${name} must have the same length as optimizer.param_groups. optimizer.param_groups has ${groups.length} values, ${name} has ${v.length} values.`);
        return v;
      }
      return groups.map(() => v);
    };
    const maxLrs = fmt("max_lr", maxLr);
    if (o.lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / o.divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = (g.initialLr as number) / o.finalDivFactor;
      });
    }
    const defaults = optimizer.defaults as Record<string, unknown>;
    let useBeta1 = false;
    if (o.cycleMomentum) {
      if (!("momentum" in defaults) && !("betas" in defaults)) {
        throw new Error("optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
      }
      useBeta1 = "betas" in defaults;
      const maxM = fmt("max_momentum", o.maxMomentum);
      const baseM = fmt("base_momentum", o.baseMomentum);
      if (o.lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxM[i]!, ...(g.betas as number[]).slice(1)];
          else g.momentum = maxM[i]!;
          g.maxMomentum = maxM[i]!;
          g.baseMomentum = baseM[i]!;
        });
      }
    }
    super(optimizer, o.lastEpoch);
    this.totalSteps = total;
    this._schedulePhases = phases;
    this._annealFuncType = o.annealStrategy;
    this.cycleMomentum = o.cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  /** @internal */
  _anneal(start: number, end: number, pct: number): number {
    if (this._annealFuncType === "cos") {
      const cosOut = Math.cos(Math.PI * pct) + 1;
      return end + ((start - end) / 2.0) * cosOut;
    }
    return (end - start) * pct + start;
  }

  getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(`Tried to step ${step} times. The specified number of total steps is ${this.totalSteps}`);
    }
    return this.groups().map((g) => {
      let startStep = 0.0;
      let lr = 0;
      let mom = 0;
      for (let i = 0; i < this._schedulePhases.length; i++) {
        const ph = this._schedulePhases[i]!;
        if (step <= ph.endStep || i === this._schedulePhases.length - 1) {
          const pct = (step - startStep) / (ph.endStep - startStep);
          lr = this._anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) mom = this._anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        startStep = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [mom, ...(g.betas as number[]).slice(1)];
        else g.momentum = mom;
      }
      return lr;
    });
  }
}

/** `torch.optim.lr_scheduler`. */
export const lrScheduler = { LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, OneCycleLR };
