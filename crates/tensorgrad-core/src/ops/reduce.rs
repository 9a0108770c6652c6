//! Reductions: sum and mean, over everything or over dims with keepdim.

use super::with_slice;
use crate::dtype::DType;
use crate::kernels;
use crate::shape::normalize_dims;
use crate::tensor::{record1, Tensor};
use crate::{float_dispatch, Result};

impl Tensor {
    /// Sums of bool and integer tensors are int64, as in PyTorch.
    fn float_for_reduce(&self) -> Result<Tensor> {
        if self.dtype().is_floating_point() {
            Ok(self.clone())
        } else {
            self.to_dtype(DType::I64)
        }
    }

    /// Kept-dims sum kernel; output has size 1 at the reduced dims.
    fn sum_kernel(&self, dims: &[usize]) -> Result<Tensor> {
        if super::is_half(self.dtype()) {
            // accumulate in float32, as PyTorch's acc_type for half
            return super::via_f32(self, |t| t.sum_kernel(dims));
        }
        let x = self.float_for_reduce()?;
        let out_shape: Vec<usize> = (0..x.ndim())
            .map(|d| if dims.contains(&d) { 1 } else { x.shape()[d] })
            .collect();
        // A full reduction of contiguous float32 data may go to the external provider.
        if x.dtype() == DType::F32 && dims.len() == x.ndim() && x.numel() > 0 {
            if let Some(t) = super::offload::sum(&x, out_shape.clone()) {
                return Ok(t);
            }
        }
        if x.dtype() == DType::I64 {
            let v = with_slice(&x, |d: &[i64]| kernels::sum_dims_exact(d, x.layout(), dims))?;
            return Tensor::from_vec(v, out_shape);
        }
        float_dispatch!(x.dtype(), "sum", T => {
            let v = with_slice(&x, |d: &[T]| kernels::sum_dims(d, x.layout(), dims))?;
            Tensor::from_vec(v, out_shape)
        })
    }

    /// `sum()` of all elements, a 0-d tensor (SumBackward0).
    pub fn sum(&self) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.sum();
        }
        let all: Vec<usize> = (0..self.ndim()).collect();
        let out = self.sum_kernel(&all)?.reshape_raw(vec![]);
        let in_shape = self.shape().to_vec();
        record1("SumBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.expand_to(&in_shape)?)])
        })
    }

    /// `sum(dims, keepdim)` (SumBackward1). An empty `dims` list sums everything.
    pub fn sum_dims(&self, dims: &[isize], keepdim: bool) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.sum_dims(dims, keepdim);
        }
        let (out, dims) = self.reduce_dims(dims, keepdim)?;
        let in_shape = self.shape().to_vec();
        record1("SumBackward1", &[self], out, false, move |_, g| {
            Ok(vec![Some(
                unsqueeze_back(g, &dims, keepdim)?.expand_to(&in_shape)?,
            )])
        })
    }

    /// `mean()` (MeanBackward0).
    pub fn mean(&self) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.mean();
        }
        self.check_mean_dtype()?;
        let n = self.numel();
        let out = self
            .sum_kernel(&(0..self.ndim()).collect::<Vec<_>>())?
            .reshape_raw(vec![]);
        let out = out.div_scalar_raw(n as f64)?;
        let in_shape = self.shape().to_vec();
        record1("MeanBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.expand_to(&in_shape)?.div_scalar(n as f64)?)])
        })
    }

    /// `mean(dims, keepdim)` (MeanBackward1).
    pub fn mean_dims(&self, dims: &[isize], keepdim: bool) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.mean_dims(dims, keepdim);
        }
        self.check_mean_dtype()?;
        let (out, dims) = self.reduce_dims(dims, keepdim)?;
        let count: usize = dims.iter().map(|&d| self.shape()[d]).product();
        let out = out.div_scalar_raw(count as f64)?;
        let in_shape = self.shape().to_vec();
        record1("MeanBackward1", &[self], out, false, move |_, g| {
            Ok(vec![Some(
                unsqueeze_back(g, &dims, keepdim)?
                    .expand_to(&in_shape)?
                    .div_scalar(count as f64)?,
            )])
        })
    }

    fn check_mean_dtype(&self) -> Result<()> {
        if !self.dtype().is_floating_point() {
            crate::bail!(
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
                super::kernel_dtype_name(self.dtype())
            );
        }
        Ok(())
    }

    /// Shared by sum/mean over dims: the reduced data (no graph) and the normalised dims.
    fn reduce_dims(&self, dims: &[isize], keepdim: bool) -> Result<(Tensor, Vec<usize>)> {
        let mut dims = if dims.is_empty() {
            (0..self.ndim()).collect()
        } else {
            normalize_dims(dims, self.ndim())?
        };
        dims.retain(|&d| d < self.ndim()); // a 0-d tensor accepts dim 0/-1
        dims.sort_unstable();
        let kept = self.sum_kernel(&dims)?;
        let out = if keepdim {
            kept
        } else {
            let shape: Vec<usize> = (0..self.ndim())
                .filter(|d| !dims.contains(d))
                .map(|d| self.shape()[d])
                .collect();
            kept.reshape_raw(shape)
        };
        Ok((out, dims))
    }

    /// Same data, new contiguous shape, no graph (for freshly computed outputs).
    pub(crate) fn reshape_raw(&self, shape: Vec<usize>) -> Tensor {
        self.view_with_layout(crate::shape::Layout::contiguous(shape))
    }

    /// Divide without recording (forward of mean).
    fn div_scalar_raw(&self, s: f64) -> Result<Tensor> {
        crate::autograd::grad_mode::no_grad(|| self.div_scalar(s))
    }
}

/// Put back the reduced dims of a non-keepdim gradient so it can be expanded.
fn unsqueeze_back(g: &Tensor, dims: &[usize], keepdim: bool) -> Result<Tensor> {
    if keepdim {
        return Ok(g.clone());
    }
    let mut shape = g.shape().to_vec();
    for &d in dims {
        shape.insert(d, 1);
    }
    g.reshape_usize(&shape)
}

use super::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![
        OpSpec {
            name: "sum",
            js: "sum",
            grad_fn: "SumBackward1",
            dtypes: "all (integers and bool sum to int64)",
            grad: D2,
            notes: "over all (SumBackward0) or `sum(dim, keepdim)`; gradient expands",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].sum_dims(&[1], false),
        },
        OpSpec {
            name: "mean",
            js: "mean",
            grad_fn: "MeanBackward1",
            dtypes: "float32, float64",
            grad: D2,
            notes: "over all (MeanBackward0) or dims; integer input is refused as in PyTorch",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].mean_dims(&[0], true),
        },
    ]
}
