//! In-place ops (`add_`, `mul_`, `zero_`, `fill_`, ...). Each computes its result with the
//! out-of-place op, writes it into this tensor's storage (bumping the version counter that
//! saved tensors check), and, when recording, makes this tensor the output of the new node
//! (PyTorch's "rebase history").

use crate::autograd::grad_mode::is_grad_enabled;
use crate::dtype::DType;
use crate::error::fmt_shape;
use crate::shape::for_each_offset;
use crate::storage::Buffer;
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};

/// Write contiguous `vals` into the strided view `l` of `dst`.
fn scatter<T: Copy>(dst: &mut [T], l: &crate::shape::Layout, vals: &[T]) {
    if let Some(r) = l.contiguous_range() {
        let n = r.len();
        dst[r].copy_from_slice(&vals[..n]);
        return;
    }
    let mut i = 0;
    for_each_offset(&l.shape, [&l.strides], [l.offset], |[o]| {
        dst[o] = vals[i];
        i += 1;
    });
}

impl Tensor {
    pub(crate) fn apply_inplace(
        &self,
        f: impl FnOnce(&Tensor) -> Result<Tensor>,
    ) -> Result<&Tensor> {
        let recording = is_grad_enabled() && self.requires_grad();
        if is_grad_enabled() && self.is_leaf() && self.requires_grad() {
            bail!("a leaf Variable that requires grad is being used in an in-place operation.");
        }
        // The op must see the old values even after we overwrite them: under autograd, give it
        // a differentiable copy; otherwise the tensor itself.
        let input = if recording {
            self.clone_tensor()?
        } else {
            self.detach()
        };
        let new = f(&input)?;
        let records = is_grad_enabled() && new.requires_grad();
        if records && self.is_view() {
            bail!("in-place operations on views that require grad are not supported yet; use the out-of-place op (e.g. x = x.add(y))");
        }
        if new.shape() != self.shape() {
            bail!(
                "output with shape {} doesn't match the broadcast shape {}",
                fmt_shape(self.shape()),
                fmt_shape(new.shape())
            );
        }
        let new = if new.dtype() != self.dtype() {
            new.to_dtype(self.dtype())?
        } else {
            new
        };
        self.write_from(&new)?;
        if records {
            let mut m = self.0.meta.borrow_mut();
            m.grad_fn = new.grad_fn();
            m.output_nr = new.output_nr();
        }
        Ok(self)
    }

    /// Overwrite this tensor's elements with `src`'s (same shape), no graph.
    fn write_from(&self, src: &Tensor) -> Result<()> {
        // A source aliasing this storage is copied first (it cannot be read while written).
        let src = crate::no_grad(|| {
            let s = src.to_dtype(self.dtype())?;
            if s.shares_storage(self) {
                s.clone_tensor()
            } else {
                s.contiguous()
            }
        })?;
        let l = self.layout().clone();
        let sbuf = src.buffer();
        let off = src.layout().offset;
        let mut buf = self.storage().write();
        match (&mut *buf, &*sbuf) {
            (Buffer::F32(d), Buffer::F32(v)) => scatter(d, &l, &v[off..]),
            (Buffer::F64(d), Buffer::F64(v)) => scatter(d, &l, &v[off..]),
            (Buffer::F16(d), Buffer::F16(v)) => scatter(d, &l, &v[off..]),
            (Buffer::BF16(d), Buffer::BF16(v)) => scatter(d, &l, &v[off..]),
            (Buffer::I32(d), Buffer::I32(v)) => scatter(d, &l, &v[off..]),
            (Buffer::I64(d), Buffer::I64(v)) => scatter(d, &l, &v[off..]),
            (Buffer::Bool(d), Buffer::Bool(v)) => scatter(d, &l, &v[off..]),
            _ => bail!("internal dtype mismatch in an in-place op"),
        }
        Ok(())
    }

    pub fn add_(&self, other: &Tensor) -> Result<&Tensor> {
        self.apply_inplace(|x| x.add(other))
    }
    /// `self.add_(other, alpha=alpha)`: `self += alpha·other`. Outside autograd recording
    /// (an optimizer step) and for same-shape contiguous float32/float64 operands that do not
    /// overlap, one in-place pass `x + y·alpha` (rounded like the two ops, so bit-identical);
    /// otherwise the in-place add of `other * alpha`.
    pub fn add_scaled_(&self, other: &Tensor, alpha: f64) -> Result<&Tensor> {
        let records = is_grad_enabled() && (self.requires_grad() || other.requires_grad());
        if !records
            && matches!(self.dtype(), DType::F32 | DType::F64)
            && self.dtype() == other.dtype()
            && self.shape() == other.shape()
            && self.is_contiguous()
            && other.is_contiguous()
            && !self.shares_storage(other)
        {
            let (ro, lo) = (other.layout().offset, self.layout().offset);
            let n = self.numel();
            let src = other.buffer();
            match (&mut *self.storage().write(), &*src) {
                (Buffer::F32(d), Buffer::F32(v)) => {
                    let a = alpha as f32;
                    for (x, &y) in d[lo..lo + n].iter_mut().zip(&v[ro..ro + n]) {
                        *x += y * a;
                    }
                    return Ok(self);
                }
                (Buffer::F64(d), Buffer::F64(v)) => {
                    for (x, &y) in d[lo..lo + n].iter_mut().zip(&v[ro..ro + n]) {
                        *x += y * alpha;
                    }
                    return Ok(self);
                }
                _ => {}
            }
        }
        if alpha == 1.0 {
            return self.add_(other);
        }
        self.add_(&other.mul_scalar(alpha)?)
    }
    pub fn add_scalar_(&self, s: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.add_scalar(s))
    }
    pub fn sub_(&self, other: &Tensor) -> Result<&Tensor> {
        self.apply_inplace(|x| x.sub(other))
    }
    pub fn sub_scalar_(&self, s: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.sub_scalar(s))
    }
    pub fn mul_(&self, other: &Tensor) -> Result<&Tensor> {
        self.apply_inplace(|x| x.mul(other))
    }
    pub fn mul_scalar_(&self, s: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.mul_scalar(s))
    }
    pub fn div_(&self, other: &Tensor) -> Result<&Tensor> {
        self.apply_inplace(|x| x.div(other))
    }
    pub fn div_scalar_(&self, s: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.div_scalar(s))
    }
    pub fn pow_(&self, other: &Tensor) -> Result<&Tensor> {
        self.apply_inplace(|x| x.pow(other))
    }
    pub fn pow_scalar_(&self, s: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.pow_scalar(s))
    }
    pub fn neg_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.neg())
    }
    pub fn exp_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.exp())
    }
    pub fn log_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.log())
    }
    // In-place activations and dropout (`relu_`, `F.elu(x, inplace=True)`, ...): the
    // out-of-place op written back, so values and gradients are the out-of-place ones. The
    // tensor carries the op's grad_fn, except where PyTorch's in-place op has its own node
    // (leaky_relu_: LeakyReluBackward1; elu_, selu_, celu_: EluBackward1), which also refuses
    // a negative slope/alpha in backward, as PyTorch.
    pub fn relu_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.relu())
    }
    pub fn relu6_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.relu6())
    }
    pub fn leaky_relu_(&self, negative_slope: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.leaky_relu_impl(negative_slope, true))
    }
    pub fn elu_(&self, alpha: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.elu_impl(alpha, 1.0, 1.0, true))
    }
    pub fn selu_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.selu_impl(true))
    }
    pub fn celu_(&self, alpha: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.celu_impl(alpha, true))
    }
    pub fn silu_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.silu())
    }
    pub fn mish_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.mish())
    }
    pub fn hardsigmoid_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.hardsigmoid())
    }
    pub fn hardswish_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| x.hardswish())
    }
    pub fn hardtanh_(&self, min_val: f64, max_val: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| x.hardtanh(min_val, max_val))
    }
    /// `dropout_(p, training)`: PyTorch returns the input untouched (no in-place op, so no
    /// leaf check) when nothing is dropped.
    pub fn dropout_(&self, p: f64, training: bool) -> Result<&Tensor> {
        if !(0.0..=1.0).contains(&p) {
            bail!(
                "dropout probability has to be between 0 and 1, but got {}",
                p
            );
        }
        if p == 0.0 || !training || self.numel() == 0 {
            return Ok(self);
        }
        self.apply_inplace(|x| x.dropout(p, training))
    }
    /// `fill_(v)` (FillBackward0: the gradient to the old values is zero).
    pub fn fill_(&self, v: f64) -> Result<&Tensor> {
        self.apply_inplace(|x| {
            let out = Tensor::full(x.shape(), v, x.dtype());
            record1("FillBackward0", &[x], out, false, |_, g| {
                Ok(vec![Some(g.zeros_like())])
            })
        })
    }
    /// `zero_()` (ZeroBackward0).
    pub fn zero_(&self) -> Result<&Tensor> {
        self.apply_inplace(|x| {
            let out = Tensor::zeros(x.shape(), x.dtype());
            record1("ZeroBackward0", &[x], out, false, |_, g| {
                Ok(vec![Some(g.zeros_like())])
            })
        })
    }
    /// `copy_(src)`: broadcast `src` into this tensor (CopyBackwards: the gradient goes to src).
    pub fn copy_(&self, src: &Tensor) -> Result<&Tensor> {
        let shape = self.shape().to_vec();
        self.apply_inplace(|x| {
            let out = src
                .expand_to(&shape)?
                .to_dtype(x.dtype())?
                .contiguous()?
                .detach();
            let src_shape = src.shape().to_vec();
            let src_dtype = src.dtype();
            record1("CopyBackwards", &[x, src], out, false, move |_, g| {
                Ok(vec![
                    Some(g.zeros_like()),
                    Some(g.sum_to(&src_shape)?.to_dtype(src_dtype)?),
                ])
            })
        })
    }
}

use super::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![
        OpSpec { name: "fill_", js: "fill_", grad_fn: "FillBackward0", dtypes: "all", grad: Grad::Zero, notes: "in place; the old values get a zero gradient", inputs: vec![input(&[2, 3], Any)], run: |x| { let y = x[0].mul_scalar(1.0)?; y.fill_(2.0)?; Ok(y) } },
        OpSpec { name: "zero_", js: "zero_", grad_fn: "ZeroBackward0", dtypes: "all", grad: Grad::Zero, notes: "in place", inputs: vec![input(&[2, 3], Any)], run: |x| { let y = x[0].mul_scalar(1.0)?; y.zero_()?; Ok(y) } },
        OpSpec { name: "copy_", js: "copy_", grad_fn: "CopyBackwards", dtypes: "all", grad: D2, notes: "in place, broadcasting `src`; the gradient goes to `src`, the old values get zero", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| { let y = x[0].mul_scalar(1.0)?; y.copy_(&x[1])?; Ok(y) } },
        OpSpec { name: "relu_", js: "relu_", grad_fn: "ReluBackward0", dtypes: "float32, float64, int32, int64", grad: D2, notes: "in place (also `nn.functional.relu_` and `relu(x, true)`); refused on leaves that require grad unless under noGrad", inputs: vec![input(&[2, 3], Any)], run: |x| { let y = x[0].mul_scalar(1.0)?; y.relu_()?; Ok(y) } },
        OpSpec { name: "leaky_relu_ / elu_ / selu_ / celu_ / hardtanh_ / relu6_ / silu_ / mish_ / hardsigmoid_ / hardswish_ / dropout_", js: "nn.functional.* (inplace: true)", grad_fn: "LeakyReluBackward1", dtypes: "as the out-of-place op", grad: D2, notes: "`inplace: true` of the activations and dropout (also `nn.functional.leakyRelu_ / elu_ / selu_ / celu_ / hardtanh_`): the input itself is returned, carrying the out-of-place op's grad_fn, except PyTorch's own in-place nodes LeakyReluBackward1 (checked here) and EluBackward1 (elu_, selu_, celu_), which refuse a negative slope/alpha in backward; refused on leaves that require grad unless under noGrad", inputs: vec![input(&[2, 3], Any)], run: |x| { let y = x[0].mul_scalar(1.0)?; y.leaky_relu_(0.2)?; Ok(y) } },
        OpSpec { name: "add_ / sub_ / mul_ / div_ / pow_ / neg_ / exp_ / log_", js: "add_ / sub_ / mul_ / div_ / pow_ / neg_ / exp_ / log_", grad_fn: "MulBackward0", dtypes: "as the out-of-place op", grad: D2, notes: "in place: the tensor becomes the output of the op's node (version counter bumped); refused on leaves that require grad unless under noGrad", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| { let y = x[0].mul_scalar(1.0)?; y.mul_(&x[1])?; Ok(y) } },
    ]
}
