// amp.GradScaler, following torch/amp/grad_scaler.py rule for rule: scale(loss) multiplies by
// the current scale; unscale_(optimizer) divides the gradients back (by the reciprocal
// computed in float64, rounded to float32) so they can be clipped or inspected at their true
// values, and records whether any was inf/nan; step(optimizer) skips optimizer.step() when
// one was; update() backs off on inf/nan and grows after `growthInterval` clean steps.
import { raw } from "../wasm.js";
import { Tensor } from "../tensor.js";
import type { Optimizer } from "../optim/optimizer.js";

const enum OptState {
  Ready,
  Unscaled,
  Stepped,
}

interface PerOptimizerState {
  stage: OptState;
  /** 1 when a non-finite gradient was found by unscale_, else 0; null before unscale_. */
  foundInf: number | null;
}

export interface GradScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  enabled?: boolean;
}

export interface GradScalerState {
  scale: number;
  growth_factor: number;
  backoff_factor: number;
  growth_interval: number;
  _growth_tracker: number;
}

type Scalable = Tensor | Scalable[];

const FIX = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.";

export class GradScaler {
  private initScale: number;
  private growthFactor: number;
  private backoffFactor: number;
  private growthInterval: number;
  private initGrowthTracker = 0;
  private readonly enabled: boolean;
  /** The float32 scale, null until first used (PyTorch initialises it lazily). */
  private scaleValue: number | null = null;
  private growthTracker: number | null = null;
  private states = new Map<Optimizer<object>, PerOptimizerState>();

  /** `new GradScaler({ initScale: 65536, growthFactor: 2, backoffFactor: 0.5, growthInterval: 2000, enabled: true })`; a device string first is accepted and ignored (CPU only). */
  constructor(deviceOrOptions?: string | GradScalerOptions, maybeOptions?: GradScalerOptions) {
    const o = (typeof deviceOrOptions === "string" ? maybeOptions : deviceOrOptions) ?? {};
    this.enabled = o.enabled ?? true;
    this.initScale = o.initScale ?? 2.0 ** 16;
    this.growthFactor = o.growthFactor ?? 2.0;
    this.backoffFactor = o.backoffFactor ?? 0.5;
    this.growthInterval = o.growthInterval ?? 2000;
    if (this.enabled) {
      if (!(this.growthFactor > 1.0)) throw new Error("The growth factor must be > 1.0.");
      if (!(this.backoffFactor < 1.0)) throw new Error("The backoff factor must be < 1.0.");
    }
  }

  private lazyInit(): void {
    this.scaleValue = Math.fround(this.initScale);
    this.growthTracker = this.initGrowthTracker;
  }

  private check(funcname: string): void {
    if (this.scaleValue === null) throw new Error(`Attempted ${funcname} but _scale is None.  ${FIX}`);
    if (this.growthTracker === null) throw new Error(`Attempted ${funcname} but _growth_tracker is None.  ${FIX}`);
  }

  private stateOf(optimizer: Optimizer<object>): PerOptimizerState {
    let s = this.states.get(optimizer);
    if (!s) this.states.set(optimizer, (s = { stage: OptState.Ready, foundInf: null }));
    return s;
  }

  /** Multiply outputs (a tensor, or nested arrays of tensors) by the scale. */
  scale<T extends Scalable>(outputs: T): T {
    if (!this.enabled) return outputs;
    if (this.scaleValue === null) this.lazyInit();
    const s = new Tensor(raw.RawTensor.fromF64(Float64Array.of(this.scaleValue!), new Uint32Array(0), "float32"));
    const apply = (v: Scalable): Scalable => {
      if (v instanceof Tensor) return v.mul(s);
      if (Array.isArray(v)) return v.map(apply);
      throw new Error("outputs must be a Tensor or an iterable of Tensors");
    };
    return apply(outputs) as T;
  }

  /**
   * Divide the optimizer's gradients by the scale, in place ("unscale"), so they can be
   * clipped or inspected; records whether any gradient was inf or nan.
   */
  unscale_(optimizer: Optimizer<object>): void {
    if (!this.enabled) return;
    this.check("unscale_");
    const st = this.stateOf(optimizer);
    if (st.stage === OptState.Unscaled) {
      throw new Error("unscale_() has already been called on this optimizer since the last update().");
    }
    if (st.stage === OptState.Stepped) throw new Error("unscale_() is being called after step().");
    // The reciprocal in float64, rounded to float32, as PyTorch.
    const invScale = Math.fround(1 / this.scaleValue!);
    const grads = new raw.RawTensorList();
    try {
      for (const g of optimizer.paramGroups) {
        for (const p of g.params) {
          const grad = p.grad;
          if (!grad) continue;
          if (grad.dtype === ("float16" as string)) throw new Error("Attempting to unscale FP16 gradients.");
          grads.push(grad._raw.alias());
        }
      }
      st.foundInf = raw.ampNonFiniteCheckAndUnscale(grads, invScale) ? 1 : 0;
    } finally {
      grads.free();
    }
    st.stage = OptState.Unscaled;
  }

  /**
   * `optimizer.step(...args)` unless unscale_ found inf/nan gradients (then the step is
   * skipped and undefined returned). Unscales first if unscale_ was not called.
   */
  step<R>(optimizer: Optimizer<object> & { step(...a: unknown[]): R }, ...args: unknown[]): R | undefined {
    if (!this.enabled) return optimizer.step(...args);
    if (args.some((a) => typeof a === "function")) {
      throw new Error("Closure use is not currently supported if GradScaler is enabled.");
    }
    this.check("step");
    const st = this.stateOf(optimizer);
    if (st.stage === OptState.Stepped) throw new Error("step() has already been called since the last update().");
    if (st.stage === OptState.Ready) this.unscale_(optimizer);
    if (st.foundInf === null) throw new Error("No inf checks were recorded for this optimizer.");
    const retval = st.foundInf === 0 ? optimizer.step(...args) : undefined;
    st.stage = OptState.Stepped;
    return retval;
  }

  /**
   * Update the scale for the next iteration: times `backoffFactor` if any optimizer saw inf/nan
   * (and the growth tracker resets), else the tracker counts clean steps and the scale grows
   * by `growthFactor` after `growthInterval` of them. `newScale` sets it directly.
   */
  update(newScale?: number | Tensor): void {
    if (!this.enabled) return;
    this.check("update");
    if (newScale !== undefined) {
      if (typeof newScale === "number") {
        this.scaleValue = Math.fround(newScale);
      } else {
        const reason = "new_scale should be a float or a 1-element torch.cuda.FloatTensor or torch.FloatTensor with requires_grad=False.";
        if (newScale.numel() !== 1 || newScale.requiresGrad) throw new Error(reason);
        this.scaleValue = Math.fround(newScale.item() as number);
      }
    } else {
      const found = [...this.states.values()].map((s) => s.foundInf).filter((f): f is number => f !== null);
      if (found.length === 0) throw new Error("No inf checks were recorded prior to update.");
      const combined = found.reduce((a, b) => a + b, 0);
      const [s, t] = raw.ampUpdateScale(
        this.scaleValue!,
        this.growthTracker!,
        combined !== 0,
        this.growthFactor,
        this.backoffFactor,
        this.growthInterval,
      );
      this.scaleValue = s!;
      this.growthTracker = t!;
    }
    this.states = new Map();
  }

  /** The current scale (the initial one before first use; 1 when disabled). */
  getScale(): number {
    if (!this.enabled) return 1.0;
    return this.scaleValue ?? this.initScale;
  }
  getGrowthFactor(): number {
    return this.growthFactor;
  }
  setGrowthFactor(v: number): void {
    this.growthFactor = v;
  }
  getBackoffFactor(): number {
    return this.backoffFactor;
  }
  setBackoffFactor(v: number): void {
    this.backoffFactor = v;
  }
  getGrowthInterval(): number {
    return this.growthInterval;
  }
  setGrowthInterval(v: number): void {
    this.growthInterval = v;
  }
  /** @internal PyTorch's `_get_growth_tracker`. */
  getGrowthTracker(): number {
    if (!this.enabled) return 0;
    return this.growthTracker ?? this.initGrowthTracker;
  }
  isEnabled(): boolean {
    return this.enabled;
  }

  /** PyTorch's state dict keys (`scale`, `growth_factor`, ..., `_growth_tracker`); empty when disabled. */
  stateDict(): GradScalerState | Record<string, never> {
    if (!this.enabled) return {};
    return {
      scale: this.getScale(),
      growth_factor: this.growthFactor,
      backoff_factor: this.backoffFactor,
      growth_interval: this.growthInterval,
      _growth_tracker: this.getGrowthTracker(),
    };
  }

  loadStateDict(state: GradScalerState | Record<string, never>): void {
    if (!this.enabled) return;
    if (Object.keys(state).length === 0) {
      throw new Error("The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.");
    }
    const s = state as GradScalerState;
    this.initScale = s.scale;
    if (this.scaleValue !== null) this.scaleValue = Math.fround(s.scale);
    this.growthFactor = s.growth_factor;
    this.backoffFactor = s.backoff_factor;
    this.growthInterval = s.growth_interval;
    this.initGrowthTracker = s._growth_tracker;
    if (this.growthTracker !== null) this.growthTracker = s._growth_tracker;
  }
}
