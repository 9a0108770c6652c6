//! layer_norm, group_norm and batch_norm. Forwards normalise with the biased variance and
//! `rstd = 1/√(var + eps)`; backwards recompute the statistics from the saved input with
//! differentiable ops (the standard input/weight/bias VJP), so second derivatives work.

use crate::autograd::saved::Saved;
use crate::dtype::DType;
use crate::error::fmt_shape;
use crate::tensor::{record, Tensor};
use crate::{bail, no_grad, Result};

fn fp32(t: &Tensor) -> Result<Tensor> {
    if crate::autocast::autocast_dtype().is_some() {
        crate::autocast::fp32(t)
    } else {
        Ok(t.clone())
    }
}

/// `(x - mean)·rstd` over `dims` (keepdim), with the statistics; differentiable.
fn normalize(x: &Tensor, dims: &[isize], eps: f64) -> Result<(Tensor, Tensor)> {
    let mean = x.mean_dims(dims, true)?;
    let xc = x.sub(&mean)?;
    let var = xc.mul(&xc)?.mean_dims(dims, true)?;
    let rstd = var.add_scalar(eps)?.rsqrt()?;
    Ok((xc.mul(&rstd)?, rstd))
}

/// The input gradient of a normalisation over `dims` given `gxhat = dL/dxhat`.
fn norm_input_grad(gxhat: &Tensor, xhat: &Tensor, rstd: &Tensor, dims: &[isize]) -> Result<Tensor> {
    let a = gxhat.mean_dims(dims, true)?;
    let b = gxhat.mul(xhat)?.mean_dims(dims, true)?;
    rstd.mul(&gxhat.sub(&a)?.sub(&xhat.mul(&b)?)?)
}

/// Compute in float32 for half inputs (no graph), rounding the result back.
fn compute<F: Fn(&Tensor) -> Result<Tensor>>(x: &Tensor, f: F) -> Result<Tensor> {
    if crate::ops::is_half(x.dtype()) {
        let d = x.dtype();
        no_grad(|| f(&x.to_dtype(DType::F32)?)?.to_dtype(d))
    } else {
        no_grad(|| f(x))
    }
}

fn f32_if_half(t: &Tensor, half: bool) -> Result<Tensor> {
    if half {
        t.to_dtype(DType::F32)
    } else {
        Ok(t.clone())
    }
}

/// Record a normalisation node over inputs `[x, weight?, bias?]`; `bwd(g, x, w)` returns
/// `(gx, gw, gb)`.
#[allow(clippy::type_complexity)]
fn record_norm(
    name: &'static str,
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    out: Tensor,
    bwd: impl Fn(&Tensor, &Tensor, Option<&Tensor>, [bool; 3]) -> Result<[Option<Tensor>; 3]> + 'static,
) -> Result<Tensor> {
    let mut inputs: Vec<&Tensor> = vec![x];
    let wi = weight.map(|w| {
        inputs.push(w);
        inputs.len() - 1
    });
    let bi = bias.map(|b| {
        inputs.push(b);
        inputs.len() - 1
    });
    let sx = Saved::new(x);
    let sw = weight.map(Saved::new);
    let mut outs = record(name, &inputs, vec![out], false, move |ctx, g| {
        let x = sx.get()?;
        let w = match &sw {
            Some(s) => Some(s.get()?.clone()),
            None => None,
        };
        let need = [
            ctx.needs_input_grad(0),
            wi.is_some_and(|i| ctx.needs_input_grad(i)),
            bi.is_some_and(|i| ctx.needs_input_grad(i)),
        ];
        let [gx, gw, gb] = bwd(&g[0], x, w.as_ref(), need)?;
        let mut v = vec![if need[0] { gx } else { None }];
        if wi.is_some() {
            v.push(if need[1] { gw } else { None });
        }
        if bi.is_some() {
            v.push(if need[2] { gb } else { None });
        }
        Ok(v)
    })?;
    Ok(outs.remove(0))
}

impl Tensor {
    /// `F.layer_norm(input, normalized_shape, weight, bias, eps)` (NativeLayerNormBackward0):
    /// normalise over the trailing `normalized_shape` dims with the biased variance.
    pub fn layer_norm(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        let x = fp32(self)?;
        let w = weight.map(fp32).transpose()?;
        let b = bias.map(fp32).transpose()?;
        let k = normalized_shape.len();
        if k == 0 {
            bail!("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []");
        }
        if let Some(w) = &w {
            if w.shape() != normalized_shape {
                bail!("Expected weight to be of same shape as normalized_shape, but got weight of shape {} and normalized_shape = {}", fmt_shape(w.shape()), fmt_shape(normalized_shape));
            }
        }
        if let Some(b) = &b {
            if b.shape() != normalized_shape {
                bail!("Expected bias to be of same shape as normalized_shape, but got bias of shape {} and normalized_shape = {}", fmt_shape(b.shape()), fmt_shape(normalized_shape));
            }
        }
        let xs = x.shape().to_vec();
        if xs.len() < k || xs[xs.len() - k..] != *normalized_shape {
            let dims: String = normalized_shape
                .iter()
                .map(|d| format!(", {}", d))
                .collect();
            bail!(
                "Given normalized_shape={}, expected input with shape [*{}], but got input of size{}",
                fmt_shape(normalized_shape),
                dims,
                fmt_shape(&xs)
            );
        }
        let dims: Vec<isize> = (0..k).map(|i| -(i as isize) - 1).collect();
        let half = crate::ops::is_half(x.dtype());
        let (wd, bd) = (
            w.as_ref().map(|t| t.detach()),
            b.as_ref().map(|t| t.detach()),
        );
        let out = compute(&x.detach(), |xx| {
            let (mut y, _) = normalize(xx, &dims, eps)?;
            if let Some(w) = &wd {
                y = y.mul(&f32_if_half(w, half)?)?;
            }
            if let Some(b) = &bd {
                y = y.add(&f32_if_half(b, half)?)?;
            }
            Ok(y)
        })?;
        let lead = xs.len() - k;
        let red: Vec<isize> = (0..lead as isize).collect();
        let ns = normalized_shape.to_vec();
        record_norm(
            "NativeLayerNormBackward0",
            &x,
            w.as_ref(),
            b.as_ref(),
            out,
            move |g, x, w, need| {
                let (xhat, rstd) = normalize(x, &dims, eps)?;
                let gxhat = match w {
                    Some(w) => g.mul(w)?,
                    None => g.clone(),
                };
                let gx = if need[0] {
                    Some(norm_input_grad(&gxhat, &xhat, &rstd, &dims)?)
                } else {
                    None
                };
                let gw = if need[1] {
                    Some(g.mul(&xhat)?.sum_to(&ns)?)
                } else {
                    None
                };
                let gb = if need[2] { Some(g.sum_to(&ns)?) } else { None };
                let _ = &red;
                Ok([gx, gw, gb])
            },
        )
    }

    /// `F.group_norm(input, num_groups, weight, bias, eps)` (NativeGroupNormBackward0):
    /// `[N, C, *]` normalised over each group of `C/num_groups` channels and the spatial dims.
    pub fn group_norm(
        &self,
        num_groups: usize,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        let x = fp32(self)?;
        let w = weight.map(fp32).transpose()?;
        let b = bias.map(fp32).transpose()?;
        let xs = x.shape().to_vec();
        if xs.len() < 2 {
            bail!(
                "Expected at least 2 dimensions for input tensor but received {}",
                xs.len()
            );
        }
        let (n, c) = (xs[0], xs[1]);
        if num_groups == 0 || c % num_groups != 0 {
            bail!("Expected number of channels in input to be divisible by num_groups, but got input of shape {} and num_groups={}", fmt_shape(&xs), num_groups);
        }
        for (t, what) in [(&w, "weight"), (&b, "bias")] {
            if let Some(t) = t {
                if t.ndim() != 1 || t.numel() != c {
                    bail!("Expected {} to be a vector of size equal to the number of channels in input, but got {} of shape {} and input of shape {}", what, what, fmt_shape(t.shape()), fmt_shape(&xs));
                }
            }
        }
        let mut aff = vec![1isize; xs.len()];
        aff[1] = c as isize;
        let grouped = [n as isize, num_groups as isize, -1];
        let xs_i: Vec<isize> = xs.iter().map(|&d| d as isize).collect();
        let half = crate::ops::is_half(x.dtype());
        let (wd, bd) = (
            w.as_ref().map(|t| t.detach()),
            b.as_ref().map(|t| t.detach()),
        );
        let (aff2, xs2) = (aff.clone(), xs_i.clone());
        let out = compute(&x.detach(), move |xx| {
            if xx.numel() == 0 {
                return Ok(xx.clone());
            }
            let (y, _) = normalize(&xx.reshape(&grouped)?, &[-1], eps)?;
            let mut y = y.reshape(&xs2)?;
            if let Some(w) = &wd {
                y = y.mul(&f32_if_half(w, half)?.view(&aff2)?)?;
            }
            if let Some(b) = &bd {
                y = y.add(&f32_if_half(b, half)?.view(&aff2)?)?;
            }
            Ok(y)
        })?;
        let cshape = [c];
        record_norm(
            "NativeGroupNormBackward0",
            &x,
            w.as_ref(),
            b.as_ref(),
            out,
            move |g, x, w, need| {
                let (xhat, rstd) = normalize(&x.reshape(&grouped)?, &[-1], eps)?;
                let gxhat = match w {
                    Some(w) => g.mul(&w.view(&aff)?)?,
                    None => g.clone(),
                };
                let gx = if need[0] {
                    let gg = gxhat.reshape(&grouped)?;
                    Some(norm_input_grad(&gg, &xhat, &rstd, &[-1])?.reshape(&xs_i)?)
                } else {
                    None
                };
                let gw = if need[1] {
                    Some(
                        g.mul(&xhat.reshape(&xs_i)?)?
                            .sum_to(&aff_usize(&aff))?
                            .reshape(&[c as isize])?,
                    )
                } else {
                    None
                };
                let gb = if need[2] {
                    Some(g.sum_to(&aff_usize(&aff))?.reshape(&[c as isize])?)
                } else {
                    None
                };
                let _ = cshape;
                Ok([gx, gw, gb])
            },
        )
    }

    /// `F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)`
    /// (NativeBatchNormBackward0). Training normalises with the batch statistics (biased
    /// variance) and updates the running stats in place (`running_var` with the unbiased
    /// variance); evaluation uses the running stats.
    #[allow(clippy::too_many_arguments)]
    pub fn batch_norm(
        &self,
        running_mean: Option<&Tensor>,
        running_var: Option<&Tensor>,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        training: bool,
        momentum: f64,
        eps: f64,
    ) -> Result<Tensor> {
        let x = fp32(self)?;
        let w = weight.map(fp32).transpose()?;
        let b = bias.map(fp32).transpose()?;
        let xs = x.shape().to_vec();
        if xs.len() < 2 {
            bail!("batch_norm: expected input with at least 2 dimensions (N, C, ...), got input of size {}", fmt_shape(&xs));
        }
        let c = xs[1];
        for (t, what) in [
            (&running_mean, "running_mean"),
            (&running_var, "running_var"),
            (&w.as_ref(), "weight"),
            (&b.as_ref(), "bias"),
        ] {
            if let Some(t) = t {
                if t.numel() != c {
                    bail!("{} should contain {} elements not {}", what, c, t.numel());
                }
            }
        }
        let mut aff = vec![1isize; xs.len()];
        aff[1] = c as isize;
        let red: Vec<isize> = (0..xs.len() as isize).filter(|&d| d != 1).collect();
        let count = x.numel() / c.max(1);
        if training && count <= 1 {
            bail!(
                "Expected more than 1 value per channel when training, got input size {}",
                fmt_shape(&xs)
            );
        }
        if !training && (running_mean.is_none() || running_var.is_none()) {
            bail!("running_mean and running_var must be defined in evaluation mode");
        }
        let half = crate::ops::is_half(x.dtype());
        let (wd, bd) = (
            w.as_ref().map(|t| t.detach()),
            b.as_ref().map(|t| t.detach()),
        );
        let (rm, rv) = (
            running_mean.map(|t| t.detach()),
            running_var.map(|t| t.detach()),
        );
        let (red2, aff2) = (red.clone(), aff.clone());
        let out = compute(&x.detach(), |xx| {
            let (mut y, _) = if training {
                normalize(xx, &red2, eps)?
            } else {
                let m = f32_if_half(rm.as_ref().unwrap(), half)?
                    .to_dtype(xx.dtype())?
                    .view(&aff2)?;
                let v = f32_if_half(rv.as_ref().unwrap(), half)?
                    .to_dtype(xx.dtype())?
                    .view(&aff2)?;
                (xx.sub(&m)?.mul(&v.add_scalar(eps)?.rsqrt()?)?, m)
            };
            if let Some(w) = &wd {
                y = y.mul(&f32_if_half(w, half)?.view(&aff2)?)?;
            }
            if let Some(b) = &bd {
                y = y.add(&f32_if_half(b, half)?.view(&aff2)?)?;
            }
            Ok(y)
        })?;
        if training {
            no_grad(|| -> Result<()> {
                let xd = x.detach();
                let mean = xd.mean_dims(&red, false)?;
                let var = xd.var(Some(&red), 1.0, false)?;
                if let Some(rm) = &rm {
                    let new = rm
                        .mul_scalar(1.0 - momentum)?
                        .add(&mean.mul_scalar(momentum)?.to_dtype(rm.dtype())?)?;
                    rm.copy_(&new)?;
                }
                if let Some(rv) = &rv {
                    let new = rv
                        .mul_scalar(1.0 - momentum)?
                        .add(&var.mul_scalar(momentum)?.to_dtype(rv.dtype())?)?;
                    rv.copy_(&new)?;
                }
                Ok(())
            })?;
        }
        // eval mode: the running stats are constants of the graph
        let stats = if training {
            None
        } else {
            Some((rm.unwrap().view(&aff)?, rv.unwrap().view(&aff)?))
        };
        record_norm(
            "NativeBatchNormBackward0",
            &x,
            w.as_ref(),
            b.as_ref(),
            out,
            move |g, x, w, need| {
                let (xhat, rstd) = match &stats {
                    None => normalize(x, &red, eps)?,
                    Some((m, v)) => {
                        let rstd = v.to_dtype(x.dtype())?.add_scalar(eps)?.rsqrt()?;
                        (x.sub(&m.to_dtype(x.dtype())?)?.mul(&rstd)?, rstd)
                    }
                };
                let gxhat = match w {
                    Some(w) => g.mul(&w.view(&aff)?)?,
                    None => g.clone(),
                };
                let gx = if need[0] {
                    Some(match &stats {
                        None => norm_input_grad(&gxhat, &xhat, &rstd, &red)?,
                        Some(_) => gxhat.mul(&rstd)?,
                    })
                } else {
                    None
                };
                let gw = if need[1] {
                    Some(
                        g.mul(&xhat)?
                            .sum_to(&aff_usize(&aff))?
                            .reshape(&[c as isize])?,
                    )
                } else {
                    None
                };
                let gb = if need[2] {
                    Some(g.sum_to(&aff_usize(&aff))?.reshape(&[c as isize])?)
                } else {
                    None
                };
                Ok([gx, gw, gb])
            },
        )
    }
}

fn aff_usize(a: &[isize]) -> Vec<usize> {
    a.iter().map(|&d| d as usize).collect()
}
