//! softmax and log_softmax along one dim, max-shifted for stability. A row of all -inf gives
//! nan, as in PyTorch; a single -inf logit gives probability 0 (log-probability -inf).

use super::with_slice;
use crate::autograd::grad_mode::no_grad;
use crate::element::Float;
use crate::shape::normalize_dim;
use crate::tensor::{record1, Tensor};
use crate::{float_dispatch, Result};

/// Apply `f(row_in, row_out)` to every line along `dim` of a contiguous [outer, n, inner] view.
fn along_dim<T: Float>(x: &[T], outer: usize, n: usize, inner: usize, log: bool) -> Vec<T> {
    let mut out = vec![T::ZERO; x.len()];
    let mut row = vec![T::ZERO; n];
    for o in 0..outer {
        for i in 0..inner {
            let base = o * n * inner + i;
            let mut max = T::from_f64(f64::NEG_INFINITY);
            for k in 0..n {
                let v = x[base + k * inner];
                row[k] = v;
                if v > max || v.is_nan() {
                    max = v;
                }
            }
            // PyTorch replaces an infinite max by 0 only in logsumexp; softmax of all -inf is nan.
            let mut sum = T::ZERO;
            for v in row.iter_mut() {
                *v = *v - max;
                sum += v.exp();
            }
            let lse = sum.ln();
            for k in 0..n {
                out[base + k * inner] = if log {
                    row[k] - lse
                } else {
                    row[k].exp() / sum
                };
            }
        }
    }
    out
}

impl Tensor {
    fn softmax_forward(&self, dim: usize, log: bool) -> Result<Tensor> {
        if super::is_half(self.dtype()) {
            return super::via_f32(self, |t| t.softmax_forward(dim, log));
        }
        let x = no_grad(|| self.contiguous())?;
        let shape = x.shape().to_vec();
        let n = shape.get(dim).copied().unwrap_or(1);
        let outer: usize = shape[..dim.min(shape.len())].iter().product();
        let inner: usize = if shape.is_empty() {
            1
        } else {
            shape[dim + 1..].iter().product()
        };
        let off = x.layout().offset;
        let len = x.numel();
        float_dispatch!(x.dtype(), if log { "log_softmax" } else { "softmax" }, T => {
            let v = with_slice(&x, |d: &[T]| along_dim(&d[off..off + len], outer, n, inner, log))?;
            Tensor::from_vec(v, shape)
        })
    }

    /// `softmax(dim)` (SoftmaxBackward0): gradient `y·(g - Σ(g·y))` along `dim`.
    pub fn softmax(&self, dim: isize) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.softmax(dim);
        }
        let d = normalize_dim(dim, self.ndim())?;
        let out = self.softmax_forward(d, false)?;
        let nd = self.ndim();
        record1("SoftmaxBackward0", &[self], out, true, move |ctx, g| {
            let y = ctx.output(0)?;
            let gy = g.mul(&y)?;
            let s = if nd == 0 {
                gy.clone()
            } else {
                gy.sum_dims(&[d as isize], true)?
            };
            Ok(vec![Some(y.mul(&g.sub(&s)?)?)])
        })
    }

    /// `log_softmax(dim)` (LogSoftmaxBackward0): gradient `g - exp(y)·Σg` along `dim`.
    pub fn log_softmax(&self, dim: isize) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.log_softmax(dim);
        }
        let d = normalize_dim(dim, self.ndim())?;
        let out = self.softmax_forward(d, true)?;
        let nd = self.ndim();
        record1("LogSoftmaxBackward0", &[self], out, true, move |ctx, g| {
            let y = ctx.output(0)?;
            let s = if nd == 0 {
                g.clone()
            } else {
                g.sum_dims(&[d as isize], true)?
            };
            Ok(vec![Some(g.sub(&y.exp()?.mul(&s)?)?)])
        })
    }
}

use super::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![
        OpSpec {
            name: "softmax",
            js: "softmax",
            grad_fn: "SoftmaxBackward0",
            dtypes: "float32, float64",
            grad: D2,
            notes: "max-shifted; -inf logits get probability 0; `y*(g-Σg·y)`",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].softmax(1),
        },
        OpSpec {
            name: "log_softmax",
            js: "logSoftmax",
            grad_fn: "LogSoftmaxBackward0",
            dtypes: "float32, float64",
            grad: D2,
            notes: "`g-exp(y)·Σg`",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].log_softmax(0),
        },
    ]
}
