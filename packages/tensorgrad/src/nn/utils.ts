// nn.utils: gradient clipping on (unscaled) gradients, as torch.nn.utils.clip_grad.
import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd.js";
import { tensor } from "../creation.js";
import { vectorNorm } from "../ops/reductions.js";
import { stack } from "../ops/views.js";

type Params = Tensor | Iterable<Tensor>;

function list(p: Params): Tensor[] {
  return p instanceof Tensor ? [p] : [...p];
}

/**
 * The norm of all gradients together: `vectorNorm(stack(norms of each), normType)`, as
 * PyTorch's `get_total_norm`. `normType` may be `Infinity`.
 */
export function getTotalNorm(tensors: Params, normType = 2.0, options: { errorIfNonfinite?: boolean } = {}): Tensor {
  const ts = list(tensors);
  if (ts.length === 0) return tensor(0.0);
  return noGrad(() => {
    const norms = ts.map((g) => vectorNorm(g, normType));
    const total = vectorNorm(stack(norms), normType);
    if (options.errorIfNonfinite && !Number.isFinite(total.item() as number)) {
      throw new Error(
        `The total norm of order ${Number.isFinite(normType) ? normType.toFixed(1) : normType === Infinity ? "inf" : "-inf"} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite: false\``,
      );
    }
    return total;
  });
}

/** Scale gradients in place by `min(1, maxNorm / (totalNorm + 1e-6))`. */
export function clipGradsWithNorm_(parameters: Params, maxNorm: number, totalNorm: Tensor): void {
  const grads = list(parameters).map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return;
  noGrad(() => {
    // Python's `max_norm / t` is `t.reciprocal() * max_norm` (Tensor.__rtruediv__).
    const coef = totalNorm.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1.0);
    for (const g of grads) g.mul_(coef.to(g.dtype));
  });
}

/**
 * Clip the gradients of `parameters` so their total norm is at most `maxNorm`; returns the
 * total norm before clipping (PyTorch's `clip_grad_norm_`). Use it after
 * `GradScaler.unscale_` so the threshold applies to the true gradients.
 */
export function clipGradNorm_(
  parameters: Params,
  maxNorm: number,
  normType = 2.0,
  options: { errorIfNonfinite?: boolean; foreach?: boolean | null } = {},
): Tensor {
  const ps = list(parameters);
  const grads = ps.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  const total = getTotalNorm(grads, normType, options);
  clipGradsWithNorm_(ps, maxNorm, total);
  return total;
}

/** Clamp every gradient element to `[-clipValue, clipValue]` in place (PyTorch's `clip_grad_value_`). */
export function clipGradValue_(parameters: Params, clipValue: number, _options: { foreach?: boolean | null } = {}): void {
  noGrad(() => {
    for (const p of list(parameters)) if (p.grad) p.grad.clamp_(-clipValue, clipValue);
  });
}

export const utils = { clipGradNorm_, clipGradValue_, getTotalNorm, clipGradsWithNorm_ };
