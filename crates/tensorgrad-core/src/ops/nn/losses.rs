//! Loss functions of `torch.nn.functional`, with PyTorch's reductions, checks, messages and
//! backward formulas (`aten/src/ATen/native/Loss.cpp`, `LossNLL.cpp`, `FunctionsManual.cpp`).
//! Ops that PyTorch composes from other ops (l1_loss, kl_div, cross_entropy with label
//! smoothing or probability targets, cosine_embedding_loss) are composed the same way here,
//! so their grad_fn names and gradients match.

use crate::autograd::saved::Saved;
use crate::dtype::DType;
use crate::error::fmt_shape;
use crate::tensor::{record1, Tensor};
use crate::{bail, no_grad, Result};

/// `reduction=`: 'none' | 'mean' | 'sum'.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    None,
    Mean,
    Sum,
}

impl Reduction {
    pub fn parse(s: &str) -> Result<Reduction> {
        match s {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            other => bail!("{} is not a valid value for reduction", other),
        }
    }
}

fn apply_reduction(t: &Tensor, r: Reduction) -> Result<Tensor> {
    match r {
        Reduction::None => Ok(t.clone()),
        Reduction::Mean => t.mean(),
        Reduction::Sum => t.sum(),
    }
}

/// Inputs on autocast's float32 list.
fn fp32(t: &Tensor) -> Result<Tensor> {
    if crate::autocast::autocast_dtype().is_some() {
        crate::autocast::fp32(t)
    } else {
        Ok(t.clone())
    }
}

fn fp32_opt(t: Option<&Tensor>) -> Result<Option<Tensor>> {
    t.map(fp32).transpose()
}

/// `torch.Size([2, 3])`, as Python prints sizes in F.* messages.
fn torch_size(s: &[usize]) -> String {
    let parts: Vec<String> = s.iter().map(|d| d.to_string()).collect();
    format!("torch.Size([{}])", parts.join(", "))
}

/// Broadcast input and target as `F.mse_loss`/`F.l1_loss` do (`torch.broadcast_tensors`).
fn broadcast_pair(x: &Tensor, y: &Tensor) -> Result<(Tensor, Tensor)> {
    if x.shape() == y.shape() {
        return Ok((x.clone(), y.clone()));
    }
    let s = crate::shape::broadcast_shapes(x.shape(), y.shape())?;
    let si: Vec<isize> = s.iter().map(|&d| d as isize).collect();
    let x = if x.shape() == s.as_slice() {
        x.clone()
    } else {
        x.expand(&si)?
    };
    let y = if y.shape() == s.as_slice() {
        y.clone()
    } else {
        y.expand(&si)?
    };
    Ok((x, y))
}

/// The gradient scale of a reduction: `g/N` for mean (a 0-d tensor broadcasting over the
/// elements), `g` otherwise.
fn scale_grad(g: &Tensor, r: Reduction, n: usize) -> Result<Tensor> {
    match r {
        Reduction::Mean => g.div_scalar(n as f64),
        _ => Ok(g.clone()),
    }
}

/// Record a pointwise loss `loss(x, y)` with gradients `(dx(g, x, y), dy(g, x, y))`, where
/// `g` is already divided by N for the mean.
#[allow(clippy::type_complexity)]
fn pointwise_loss(
    name: &'static str,
    x: &Tensor,
    y: &Tensor,
    r: Reduction,
    fwd: impl Fn(&Tensor, &Tensor) -> Result<Tensor>,
    dx: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor> + 'static,
    dy: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor> + 'static,
) -> Result<Tensor> {
    let (x, y) = broadcast_pair(x, y)?;
    let out = no_grad(|| apply_reduction(&fwd(&x.detach(), &y.detach())?, r))?;
    let n = x.numel();
    let (sx, sy) = (Saved::new(&x), Saved::new(&y));
    record1(name, &[&x, &y], out, false, move |ctx, g| {
        let (x, y) = (sx.get()?, sy.get()?);
        let g = scale_grad(g, r, n)?;
        let gx = ctx.grad_if(0, || dx(&g, x, y))?;
        let gy = ctx.grad_if(1, || dy(&g, x, y))?;
        Ok(vec![gx, gy])
    })
}

impl Tensor {
    /// `F.mse_loss(input, target, reduction)` (MseLossBackward0): `(x-y)²`, gradient
    /// `2(x-y)·g/N`.
    pub fn mse_loss(&self, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
        let (x, y) = (fp32(self)?, fp32(target)?);
        pointwise_loss(
            "MseLossBackward0",
            &x,
            &y,
            reduction,
            |x, y| {
                let d = x.sub(y)?;
                d.mul(&d)
            },
            |g, x, y| g.mul(&x.sub(y)?.mul_scalar(2.0)?),
            |g, x, y| g.mul(&x.sub(y)?.mul_scalar(-2.0)?),
        )
    }

    /// `F.l1_loss(input, target, reduction)` = `(x - y).abs()` reduced (AbsBackward0,
    /// MeanBackward0, SumBackward0), so the gradient is 0 at an exact match.
    pub fn l1_loss(&self, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
        let (x, y) = broadcast_pair(&fp32(self)?, &fp32(target)?)?;
        apply_reduction(&x.sub(&y)?.abs()?, reduction)
    }

    /// `F.smooth_l1_loss(input, target, reduction, beta)` (SmoothL1LossBackward0):
    /// `0.5·d²/β` for `|d| < β`, else `|d| - 0.5β`; `beta == 0` is `l1_loss`.
    pub fn smooth_l1_loss(
        &self,
        target: &Tensor,
        reduction: Reduction,
        beta: f64,
    ) -> Result<Tensor> {
        if beta < 0.0 {
            bail!("smooth_l1_loss does not support negative values for beta.");
        }
        if beta == 0.0 {
            return self.l1_loss(target, reduction);
        }
        let (x, y) = (fp32(self)?, fp32(target)?);
        let grad = move |g: &Tensor, x: &Tensor, y: &Tensor| -> Result<Tensor> {
            let d = x.sub(y)?;
            let mid = g.mul(&d.div_scalar(beta)?)?;
            let neg = g.neg()?.expand_as(&d)?;
            let pos = g.expand_as(&d)?;
            Tensor::where_(
                &d.le_scalar(-beta)?,
                &neg,
                &Tensor::where_(&d.ge_scalar(beta)?, &pos, &mid)?,
            )
        };
        pointwise_loss(
            "SmoothL1LossBackward0",
            &x,
            &y,
            reduction,
            move |x, y| {
                let d = x.sub(y)?;
                let a = d.abs()?;
                Tensor::where_(
                    &a.lt_scalar(beta)?,
                    &d.mul(&d)?.mul_scalar(0.5 / beta)?,
                    &a.sub_scalar(0.5 * beta)?,
                )
            },
            grad,
            move |g, x, y| grad(g, x, y)?.neg(),
        )
    }

    /// `F.huber_loss(input, target, reduction, delta)` (HuberLossBackward0): `0.5·d²` for
    /// `|d| < δ`, else `δ(|d| - 0.5δ)`; gradient `±δ·g` outside.
    pub fn huber_loss(&self, target: &Tensor, reduction: Reduction, delta: f64) -> Result<Tensor> {
        if delta <= 0.0 {
            bail!("huber_loss does not support non-positive values for delta.");
        }
        let (x, y) = (fp32(self)?, fp32(target)?);
        let grad = move |g: &Tensor, x: &Tensor, y: &Tensor| -> Result<Tensor> {
            let d = x.sub(y)?;
            let mid = g.mul(&d)?;
            let neg = g.mul_scalar(-delta)?.expand_as(&d)?;
            let pos = g.mul_scalar(delta)?.expand_as(&d)?;
            Tensor::where_(
                &d.le_scalar(-delta)?,
                &neg,
                &Tensor::where_(&d.ge_scalar(delta)?, &pos, &mid)?,
            )
        };
        pointwise_loss(
            "HuberLossBackward0",
            &x,
            &y,
            reduction,
            move |x, y| {
                let d = x.sub(y)?;
                let a = d.abs()?;
                Tensor::where_(
                    &a.lt_scalar(delta)?,
                    &d.mul(&d)?.mul_scalar(0.5)?,
                    &a.sub_scalar(0.5 * delta)?.mul_scalar(delta)?,
                )
            },
            grad,
            move |g, x, y| grad(g, x, y)?.neg(),
        )
    }

    /// `F.binary_cross_entropy(input, target, weight, reduction)`
    /// (BinaryCrossEntropyBackward0): `-w(y·log x + (1-y)·log(1-x))` with each log clamped
    /// at -100; gradient `g·w(x-y)/max(x(1-x), 1e-12)`, target gradient `-g·w·logit(x)`.
    pub fn binary_cross_entropy(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        reduction: Reduction,
    ) -> Result<Tensor> {
        if target.shape() != self.shape() {
            bail!("Using a target size ({}) that is different to the input size ({}) is deprecated. Please ensure they have the same size.", torch_size(target.shape()), torch_size(self.shape()));
        }
        let (x, y) = (fp32(self)?, fp32(target)?);
        let w = match fp32_opt(weight)? {
            Some(w) => {
                let s: Vec<isize> = x.shape().iter().map(|&d| d as isize).collect();
                Some(w.detach().expand(&s)?)
            }
            None => None,
        };
        let xv = x.to_f64_vec();
        if xv.iter().any(|&v| !(0.0..=1.0).contains(&v)) {
            bail!("all elements of input should be between 0 and 1");
        }
        let out = no_grad(|| -> Result<Tensor> {
            let (xd, yd) = (x.detach(), y.detach());
            let lx = xd.log()?.clamp_min(-100.0)?;
            let l1x = xd.rsub_scalar(1.0)?.log()?.clamp_min(-100.0)?;
            // (y - 1)·log(1 - x) - y·log(x)
            let mut l = yd.sub_scalar(1.0)?.mul(&l1x)?.sub(&yd.mul(&lx)?)?;
            if let Some(w) = &w {
                l = l.mul(w)?;
            }
            apply_reduction(&l, reduction)
        })?;
        let n = x.numel();
        let (sx, sy) = (Saved::new(&x), Saved::new(&y));
        record1(
            "BinaryCrossEntropyBackward0",
            &[&x, &y],
            out,
            false,
            move |ctx, g| {
                let (x, y) = (sx.get()?, sy.get()?);
                let mut g = scale_grad(g, reduction, n)?;
                if let Some(w) = &w {
                    g = g.mul(w)?;
                }
                let gx = ctx.grad_if(0, || {
                    let den = x.mul(&x.rsub_scalar(1.0)?)?.clamp_min(1e-12)?;
                    g.mul(&x.sub(y)?)?.div(&den)
                })?;
                let gy = ctx.grad_if(1, || {
                    let logit = x.log()?.sub(&x.rsub_scalar(1.0)?.log()?)?;
                    g.mul(&logit)?.neg()
                })?;
                Ok(vec![gx, gy])
            },
        )
    }

    /// `F.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)`
    /// (BinaryCrossEntropyWithLogitsBackward0): `(1-y)x - (1+(pw-1)y)·logsigmoid(x)`, times
    /// `weight`; gradient `((pw·y+1-y)σ(x) - pw·y)·g·w`, target gradient
    /// `(logsigmoid(-x) - pw·logsigmoid(x))·g·w` (`-x·g·w` without pos_weight).
    pub fn binary_cross_entropy_with_logits(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        pos_weight: Option<&Tensor>,
        reduction: Reduction,
    ) -> Result<Tensor> {
        if target.shape() != self.shape() {
            bail!(
                "Target size ({}) must be the same as input size ({})",
                torch_size(target.shape()),
                torch_size(self.shape())
            );
        }
        let (x, y) = (fp32(self)?, fp32(target)?);
        let w = fp32_opt(weight)?.map(|w| w.detach());
        let pw = fp32_opt(pos_weight)?.map(|w| w.detach());
        let loss_of = |x: &Tensor, y: &Tensor| -> Result<Tensor> {
            let ls = x.logsigmoid()?;
            let base = y.rsub_scalar(1.0)?.mul(x)?;
            let mut l = match &pw {
                Some(pw) => base.sub(&pw.sub_scalar(1.0)?.mul(y)?.add_scalar(1.0)?.mul(&ls)?)?,
                None => base.sub(&ls)?,
            };
            if let Some(w) = &w {
                l = l.mul(w)?;
            }
            Ok(l)
        };
        let out = no_grad(|| apply_reduction(&loss_of(&x.detach(), &y.detach())?, reduction))?;
        let n = x.numel();
        let (sx, sy) = (Saved::new(&x), Saved::new(&y));
        let (xs, ys) = (x.shape().to_vec(), y.shape().to_vec());
        record1(
            "BinaryCrossEntropyWithLogitsBackward0",
            &[&x, &y],
            out,
            false,
            move |ctx, g| {
                let (x, y) = (sx.get()?, sy.get()?);
                let mut g = scale_grad(g, reduction, n)?;
                if let Some(w) = &w {
                    g = g.mul(w)?;
                }
                let gx = ctx.grad_if(0, || {
                    let d = match &pw {
                        Some(pw) => {
                            let t = pw.mul(y)?;
                            t.add_scalar(1.0)?.sub(y)?.mul(&x.sigmoid()?)?.sub(&t)?
                        }
                        None => x.sigmoid()?.sub(y)?,
                    };
                    d.mul(&g)?.sum_to(&xs)
                })?;
                let gy = ctx.grad_if(1, || {
                    let d = match &pw {
                        Some(pw) => x.neg()?.logsigmoid()?.sub(&x.logsigmoid()?.mul(pw)?)?,
                        None => x.neg()?,
                    };
                    d.mul(&g)?.sum_to(&ys)
                })?;
                Ok(vec![gx, gy])
            },
        )
    }

    /// `F.kl_div(input, target, reduction, log_target)`, composed as PyTorch:
    /// `xlogy(y, y) - y·x` (or `exp(y)·(y - x)` with `log_target`), reduced; "batchmean" is
    /// the sum divided by the batch size.
    pub fn kl_div(&self, target: &Tensor, reduction: &str, log_target: bool) -> Result<Tensor> {
        let (x, y) = (fp32(self)?, fp32(target)?);
        let out = if log_target {
            y.exp()?.mul(&y.sub(&x)?)?
        } else {
            y.xlogy(&y)?.sub(&y.mul(&x)?)?
        };
        match reduction {
            "batchmean" => {
                let s = out.sum()?;
                if x.ndim() == 0 {
                    Ok(s)
                } else {
                    s.div_scalar(x.shape()[0] as f64)
                }
            }
            r => apply_reduction(&out, Reduction::parse(r)?),
        }
    }

    /// `F.cosine_embedding_loss(x1, x2, y, margin, reduction)`, composed as PyTorch:
    /// `1 - cos` where `y == 1`, `max(0, cos - margin)` where `y == -1`.
    pub fn cosine_embedding_loss(
        &self,
        input2: &Tensor,
        target: &Tensor,
        margin: f64,
        reduction: Reduction,
    ) -> Result<Tensor> {
        let td = target.ndim();
        if td > 1 {
            bail!("0D or 1D target tensor expected, multi-target not supported");
        }
        if td == 1 && (self.ndim() != 2 || input2.ndim() != 2) {
            bail!(
                "1D target tensor expects 2D input tensors, but found inputs with sizes {} and {}.",
                fmt_shape(self.shape()),
                fmt_shape(input2.shape())
            );
        }
        if td == 0 && (self.ndim() != 1 || input2.ndim() != 1) {
            bail!(
                "0D target tensor expects 1D input tensors, but found inputs with sizes {} and {}.",
                fmt_shape(self.shape()),
                fmt_shape(input2.shape())
            );
        }
        const EPS: f64 = 1e-12;
        let d = td as isize;
        let prod = self.mul(input2)?.sum_dims(&[d], false)?;
        let m1 = self.mul(self)?.sum_dims(&[d], false)?.add_scalar(EPS)?;
        let m2 = input2.mul(input2)?.sum_dims(&[d], false)?.add_scalar(EPS)?;
        let cos = prod.div(&m1.mul(&m2)?.sqrt()?)?;
        let zeros = Tensor::zeros(cos.shape(), cos.dtype());
        let pos = cos.rsub_scalar(1.0)?;
        let neg = cos.sub_scalar(margin)?.clamp_min(0.0)?;
        let out = Tensor::where_(&target.eq_scalar(1.0)?, &pos, &zeros)?.add(&Tensor::where_(
            &target.eq_scalar(-1.0)?,
            &neg,
            &zeros,
        )?)?;
        apply_reduction(&out, reduction)
    }

    /// `F.nll_loss(input, target, weight, ignore_index, reduction)` (NllLossBackward0 for
    /// 1-D/2-D input, NllLoss2DBackward0 for 4-D, and 3-D/5+-D folded into the 2-D form as
    /// PyTorch's `nll_loss_nd`). The mean divides by the summed weights of the non-ignored
    /// targets (nan when all are ignored).
    pub fn nll_loss(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        reduction: Reduction,
        ignore_index: i64,
    ) -> Result<Tensor> {
        let x = fp32(self)?;
        let w = fp32_opt(weight)?;
        let nd = x.ndim();
        if nd < 1 {
            bail!("Expected 1 or more dimensions (got {})", nd);
        }
        if nd != 1 && target.ndim() >= 1 && x.shape()[0] != target.shape()[0] {
            bail!(
                "Expected input batch_size ({}) to match target batch_size ({}).",
                x.shape()[0],
                target.shape()[0]
            );
        }
        if target.dtype() != DType::I64 {
            bail!(
                "expected scalar type Long but found {}",
                crate::ops::kernel_dtype_name(target.dtype())
            );
        }
        match nd {
            1 | 2 => {
                if target.ndim() > 1 {
                    bail!("0D or 1D target tensor expected, multi-target not supported");
                }
                let no_batch = nd == 1 && target.ndim() == 0;
                if !no_batch && x.shape()[0] != target.shape().first().copied().unwrap_or(1) {
                    bail!(
                        "size mismatch (got input: {}, target: {})",
                        fmt_shape(x.shape()),
                        fmt_shape(target.shape())
                    );
                }
                nll_core(
                    &x,
                    target,
                    w.as_ref(),
                    reduction,
                    ignore_index,
                    "NllLossBackward0",
                )
            }
            4 => {
                if target.ndim() != 3 {
                    bail!("only batches of spatial targets supported (3D tensors) but got targets of dimension: {}", target.ndim());
                }
                let (xs, ts) = (x.shape(), target.shape());
                if xs[0] != ts[0] || xs[2] != ts[1] || xs[3] != ts[2] {
                    bail!(
                        "size mismatch (got input: {}, target: {})",
                        fmt_shape(xs),
                        fmt_shape(ts)
                    );
                }
                nll_core(
                    &x,
                    target,
                    w.as_ref(),
                    reduction,
                    ignore_index,
                    "NllLoss2DBackward0",
                )
            }
            _ => {
                let (xs, ts) = (x.shape().to_vec(), target.shape().to_vec());
                let mut out_size = vec![xs[0]];
                out_size.extend_from_slice(&xs[2..]);
                if ts.is_empty() || ts[1..] != xs[2..] {
                    bail!(
                        "Expected target size {}, got {}",
                        fmt_shape(&out_size),
                        fmt_shape(&ts)
                    );
                }
                let (n, c) = (xs[0] as isize, xs[1] as isize);
                let x4 = if x.numel() > 0 {
                    x.contiguous()?.view(&[n, c, 1, -1])?
                } else {
                    x.contiguous()?.reshape(&[n, c, 0, 0])?
                };
                let t3 = if target.numel() > 0 {
                    target.contiguous()?.view(&[n, 1, -1])?
                } else {
                    target.contiguous()?.reshape(&[n, 0, 0])?
                };
                let out = nll_core(
                    &x4,
                    &t3,
                    w.as_ref(),
                    reduction,
                    ignore_index,
                    "NllLoss2DBackward0",
                )?;
                if reduction == Reduction::None {
                    let s: Vec<isize> = out_size.iter().map(|&d| d as isize).collect();
                    out.view(&s)
                } else {
                    Ok(out)
                }
            }
        }
    }

    /// `F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)`:
    /// class-index targets (int64, `[N]` or `[N, d1, ...]`, classes in dim 1) go through
    /// `log_softmax` + `nll_loss` (plus PyTorch's label-smoothing term); a floating target of
    /// the input's shape holds class probabilities.
    pub fn cross_entropy(
        &self,
        target: &Tensor,
        weight: Option<&Tensor>,
        ignore_index: i64,
        reduction: Reduction,
        label_smoothing: f64,
    ) -> Result<Tensor> {
        let x = fp32(self)?;
        let w = fp32_opt(weight)?;
        if !(0.0..=1.0).contains(&label_smoothing) {
            bail!(
                "label_smoothing must be between 0.0 and 1.0. Got: {}",
                label_smoothing
            );
        }
        let class_dim: isize = if x.ndim() == 1 { 0 } else { 1 };
        if x.ndim() == 0 {
            bail!("Expected 1 or more dimensions (got 0)");
        }
        let n_classes = x.shape()[class_dim as usize];
        let wshape = |w: &Tensor| -> Result<Tensor> {
            if x.ndim() > 1 {
                let mut s = vec![1isize; x.ndim()];
                s[1] = n_classes as isize;
                w.view(&s)
            } else {
                Ok(w.clone())
            }
        };
        if x.shape() == target.shape() {
            if !target.dtype().is_floating_point() {
                bail!(
                    "Expected floating point type for target with class probabilities, got {}",
                    crate::ops::kernel_dtype_name(target.dtype())
                );
            }
            if let Some(w) = &w {
                if w.ndim() != 1 || w.numel() != n_classes {
                    bail!("cross_entropy: weight tensor should be defined either for all {} classes or no classes but got weight tensor of shape: {}", n_classes, fmt_shape(w.shape()));
                }
            }
            let logp = x.log_softmax(class_dim)?;
            let y = fp32(target)?;
            let y = if label_smoothing > 0.0 {
                y.mul_scalar(1.0 - label_smoothing)?
                    .add_scalar(label_smoothing / n_classes as f64)?
            } else {
                y
            };
            let mut prod = logp.mul(&y)?;
            if let Some(w) = &w {
                prod = prod.mul(&wshape(w)?)?;
            }
            return match reduction {
                Reduction::Mean => {
                    let s = prod.sum()?.neg()?;
                    if x.numel() == 0 {
                        s.mul_scalar(f64::NAN)
                    } else {
                        s.div_scalar((x.numel() / n_classes) as f64)
                    }
                }
                Reduction::Sum => prod.sum()?.neg(),
                Reduction::None => prod.sum_dims(&[class_dim], false)?.neg(),
            };
        }
        let logp = x.log_softmax(class_dim)?;
        if label_smoothing <= 0.0 {
            return logp.nll_loss(target, w.as_ref(), reduction, ignore_index);
        }
        let nll = logp.nll_loss(target, w.as_ref(), reduction, ignore_index)?;
        let ignore = target.eq_scalar(ignore_index as f64)?;
        let smooth = match &w {
            Some(w) => logp
                .mul(&wshape(w)?)?
                .sum_dims(&[class_dim], false)?
                .neg()?,
            None => logp.sum_dims(&[class_dim], false)?.neg()?,
        };
        let smooth = smooth.masked_fill(&ignore, 0.0)?;
        let ret = match reduction {
            Reduction::Mean => match &w {
                Some(w) => {
                    let keep = ignore.logical_not()?;
                    let t = target.masked_select(&keep)?.flatten(0, -1)?;
                    smooth.sum()?.div(&w.gather(0, &t)?.sum()?)?
                }
                None => {
                    let cnt = ignore.logical_not()?.to_dtype(DType::I64)?.sum()?;
                    smooth.sum()?.div(&cnt)?
                }
            },
            Reduction::Sum => smooth.sum()?,
            Reduction::None => smooth,
        };
        nll.mul_scalar(1.0 - label_smoothing)?
            .add(&ret.mul_scalar(label_smoothing / n_classes as f64)?)
    }
}

/// The nll kernel on `[N, C, ...]` (or `[C]`) input and `[N, ...]` (or `[]`) int64 target.
fn nll_core(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    ignore_index: i64,
    name: &'static str,
) -> Result<Tensor> {
    let xs = x.shape().to_vec();
    let (n, c, s) = if xs.len() == 1 {
        (1, xs[0], 1)
    } else {
        (xs[0], xs[1], xs[2..].iter().product::<usize>())
    };
    if let Some(w) = weight {
        if w.ndim() != 1 || w.numel() != c {
            bail!("weight tensor should be defined either for all {} classes or no classes but got weight tensor of shape: {}", c, fmt_shape(w.shape()));
        }
    }
    let wv: Vec<f64> = match weight {
        Some(w) => w.to_f64_vec(),
        None => vec![1.0; c],
    };
    let xv = x.to_f64_vec();
    let tv: Vec<i64> = target.contiguous()?.to_vec::<i64>()?;
    let mut per = vec![0.0; n * s];
    let mut coef = vec![0.0; xv.len()];
    let mut total_w = 0.0;
    let mut sum = 0.0;
    for b in 0..n {
        for k in 0..s {
            let t = tv[b * s + k];
            if t == ignore_index {
                continue;
            }
            if t < 0 || t as usize >= c {
                bail!("Target {} is out of bounds.", t);
            }
            let wt = wv[t as usize];
            let pos = (b * c + t as usize) * s + k;
            let l = -wt * xv[pos];
            per[b * s + k] = l;
            coef[pos] = -wt;
            total_w += wt;
            sum += l;
        }
    }
    let d = x.dtype();
    let out = match reduction {
        Reduction::None => {
            let shape = if xs.len() == 1 {
                vec![]
            } else {
                target.shape().to_vec()
            };
            Tensor::from_f64_slice(&per, shape, d)?
        }
        Reduction::Sum => Tensor::scalar(sum, d),
        Reduction::Mean => Tensor::scalar(sum / total_w, d),
    };
    if reduction == Reduction::Mean {
        // only the non-ignored targets' entries: the rest stay 0 (no nan when all ignored)
        for v in coef.iter_mut().filter(|v| **v != 0.0) {
            *v /= total_w;
        }
    }
    let coef = Tensor::from_f64_slice(&coef, xs.clone(), d)?;
    let batched = xs.len() >= 2;
    record1(name, &[x], out, false, move |_, g| {
        let g = if reduction == Reduction::None && batched {
            g.unsqueeze(1)?
        } else {
            g.clone()
        };
        Ok(vec![Some(coef.to_dtype(g.dtype())?.mul(&g)?)])
    })
}
