//! Elementwise binary ops with broadcasting and type promotion, their scalar forms, and the
//! comparisons and `where` that backward rules use for masks.

use super::{arith_dtype, with_slice};
use crate::autograd::saved::Saved;
use crate::dtype::DType;
use crate::element::Float;
use crate::kernels;
use crate::kernels::provider::{kernel_provider, BinaryKind};
use crate::shape::{broadcast_shapes, Layout};
use crate::storage::Buffer;
use crate::tensor::{record1, Tensor};
use crate::{bail, float_dispatch, Result};

/// Promote both operands to their common floating dtype.
fn promote(a: &Tensor, b: &Tensor) -> Result<(Tensor, Tensor, DType)> {
    let d = arith_dtype(a.dtype(), b.dtype());
    Ok((a.to_dtype(d)?, b.to_dtype(d)?, d))
}

/// Offer a same-shape contiguous f32 op to the external provider.
fn try_provider<T: Float>(
    kind: Option<BinaryKind>,
    a: &[T],
    la: &Layout,
    b: &[T],
    lb: &Layout,
    shape: &[usize],
) -> Option<Vec<T>> {
    let kind = kind?;
    if la.shape.as_slice() != shape || lb.shape.as_slice() != shape {
        return None;
    }
    let p = kernel_provider()?;
    let sa = T::as_f32(kernels::contiguous_slice(a, la)?)?;
    let sb = T::as_f32(kernels::contiguous_slice(b, lb)?)?;
    T::from_f32_vec(p.binary_f32(kind, sa, sb).filter(|v| v.len() == sa.len())?)
}

macro_rules! binary_forward {
    ($a:expr, $b:expr, $op:expr, $kind:expr, |$x:ident, $y:ident| $e:expr) => {{
        let (a, b, d) = promote($a, $b)?;
        let shape = broadcast_shapes(a.shape(), b.shape())?;
        float_dispatch!(d, $op, T => {
            let ba = a.buffer();
            let bb = b.buffer();
            let (Some(da), Some(db)) = (<T as Float>::slice(&ba), <T as Float>::slice(&bb)) else {
                bail!("internal dtype mismatch in {}", $op);
            };
            let v = match try_provider($kind, da, a.layout(), db, b.layout(), &shape) {
                Some(v) => v,
                None => kernels::binary(da, a.layout(), db, b.layout(), &shape, |$x: T, $y: T| $e)?,
            };
            drop(ba);
            drop(bb);
            Tensor::from_vec(v, shape)
        })
    }};
}

/// Tensor ⊙ scalar in the tensor's dtype (PyTorch's wrapped-number rule: a Python scalar
/// does not promote a floating tensor).
macro_rules! scalar_forward {
    ($a:expr, $s:expr, $op:expr, |$x:ident, $c:ident| $e:expr) => {{
        let a = if $a.dtype().is_floating_point() { $a.clone() } else { $a.to_dtype(DType::F32)? };
        float_dispatch!(a.dtype(), $op, T => {
            let $c = <T as Float>::from_f64($s);
            let v = with_slice(&a, |d: &[T]| kernels::unary(d, a.layout(), |$x: T| $e))?;
            Tensor::from_vec(v, a.shape().to_vec())
        })
    }};
}

impl Tensor {
    /// `self + other` (AddBackward0).
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        let out = binary_forward!(self, other, "add", Some(BinaryKind::Add), |x, y| x + y)?;
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        record1("AddBackward0", &[self, other], out, false, move |_, g| {
            Ok(vec![Some(g.sum_to(&sa)?), Some(g.sum_to(&sb)?)])
        })
    }

    /// `self - other` (SubBackward0).
    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        let out = binary_forward!(self, other, "sub", Some(BinaryKind::Sub), |x, y| x - y)?;
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        record1("SubBackward0", &[self, other], out, false, move |_, g| {
            Ok(vec![Some(g.sum_to(&sa)?), Some(g.neg()?.sum_to(&sb)?)])
        })
    }

    /// `self * other` (MulBackward0).
    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        let out = binary_forward!(self, other, "mul", Some(BinaryKind::Mul), |x, y| x * y)?;
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        // Each input's gradient needs only the other input.
        let a = if other.requires_grad() {
            Some(Saved::new(self))
        } else {
            None
        };
        let b = if self.requires_grad() {
            Some(Saved::new(other))
        } else {
            None
        };
        record1("MulBackward0", &[self, other], out, false, move |ctx, g| {
            let ga = match (&b, ctx.needs_input_grad(0)) {
                (Some(b), true) => Some(g.mul(b.get()?)?.sum_to(&sa)?),
                _ => None,
            };
            let gb = match (&a, ctx.needs_input_grad(1)) {
                (Some(a), true) => Some(g.mul(a.get()?)?.sum_to(&sb)?),
                _ => None,
            };
            Ok(vec![ga, gb])
        })
    }

    /// `self / other` (DivBackward0). Division by zero gives inf/nan as in IEEE.
    pub fn div(&self, other: &Tensor) -> Result<Tensor> {
        let out = binary_forward!(self, other, "div", Some(BinaryKind::Div), |x, y| x / y)?;
        let (a, b) = (Saved::new(self), Saved::new(other));
        record1("DivBackward0", &[self, other], out, false, move |ctx, g| {
            let (a, b) = (a.get()?, b.get()?);
            // PyTorch: self: g/other; other: -g * ((self/other)/other)
            let ga = if ctx.needs_input_grad(0) {
                Some(g.div(b)?.sum_to(a.shape())?)
            } else {
                None
            };
            let gb = if ctx.needs_input_grad(1) {
                Some(g.neg()?.mul(&a.div(b)?.div(b)?)?.sum_to(b.shape())?)
            } else {
                None
            };
            Ok(vec![ga, gb])
        })
    }

    /// `self ** other` with tensor exponent (PowBackward1).
    pub fn pow(&self, other: &Tensor) -> Result<Tensor> {
        let out = binary_forward!(self, other, "pow", None::<BinaryKind>, |x, y| x.powf(y))?;
        let (a, b) = (Saved::new(self), Saved::new(other));
        record1("PowBackward1", &[self, other], out, true, move |ctx, g| {
            let (a, b) = (a.get()?, b.get()?);
            // base: where(y == 0, 0, g * y * x^(y-1))
            let zero = Tensor::scalar(0.0, g.dtype());
            let ga = Tensor::where_(
                &b.eq_scalar(0.0)?,
                &zero,
                &g.mul(&b.mul(&a.pow(&b.sub_scalar(1.0)?)?)?)?,
            )?
            .sum_to(a.shape())?;
            // exponent: where(x == 0 & y >= 0, 0, g * result * log(x))
            let cond = a.eq_scalar(0.0)?.logical_and(&b.ge_scalar(0.0)?)?;
            let result = ctx.output(0)?;
            let gb = g
                .mul(&Tensor::where_(&cond, &zero, &result.mul(&a.log()?)?)?)?
                .sum_to(b.shape())?;
            Ok(vec![Some(ga), Some(gb)])
        })
    }

    /// `self + s` (AddBackward1).
    pub fn add_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(self, s, "add", |x, c| x + c)?;
        record1("AddBackward1", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// `self - s` (SubBackward1).
    pub fn sub_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(self, s, "sub", |x, c| x - c)?;
        record1("SubBackward1", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// `s - self` (RsubBackward1).
    pub fn rsub_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(self, s, "rsub", |x, c| c - x)?;
        record1("RsubBackward1", &[self], out, false, |_, g| {
            Ok(vec![Some(g.neg()?)])
        })
    }

    /// `self * s` (MulBackward0, as PyTorch wraps the scalar into a tensor).
    pub fn mul_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(self, s, "mul", |x, c| x * c)?;
        record1("MulBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.mul_scalar(s)?)])
        })
    }

    /// `self / s` (DivBackward0).
    pub fn div_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(self, s, "div", |x, c| x / c)?;
        record1("DivBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.div_scalar(s)?)])
        })
    }

    /// `s / self` (DivBackward0 in PyTorch: `s * self.reciprocal()`), gradient `-g*s/x²`.
    pub fn rdiv_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(self, s, "div", |x, c| c / x)?;
        let x = Saved::new(self);
        record1("DivBackward0", &[self], out, false, move |_, g| {
            let x = x.get()?;
            Ok(vec![Some(g.neg()?.mul_scalar(s)?.div(&x.mul(x)?)?)])
        })
    }

    /// `self ** c` (PowBackward0): `c == 0` gives a zero gradient, else `g*c*x^(c-1)`.
    pub fn pow_scalar(&self, c: f64) -> Result<Tensor> {
        let out = scalar_forward!(self, c, "pow", |x, e| x.powf(e))?;
        let x = Saved::new(self);
        record1("PowBackward0", &[self], out, false, move |_, g| {
            let x = x.get()?;
            if c == 0.0 {
                return Ok(vec![Some(x.zeros_like().to_dtype(g.dtype())?)]);
            }
            Ok(vec![Some(g.mul(&x.pow_scalar(c - 1.0)?.mul_scalar(c)?)?)])
        })
    }

    /// `base ** self` for a scalar base (PowBackward2): `g * result * ln(base)`, and 0 where
    /// `base == 0 && self >= 0`.
    pub fn rpow_scalar(&self, base: f64) -> Result<Tensor> {
        let out = scalar_forward!(self, base, "pow", |x, b| b.powf(x))?;
        let y = Saved::new(self);
        record1("PowBackward2", &[self], out, true, move |ctx, g| {
            let y = y.get()?;
            let result = ctx.output(0)?;
            let gx = if base == 0.0 {
                let zero = Tensor::scalar(0.0, g.dtype());
                let val = g.mul(&result)?.mul_scalar(f64::NEG_INFINITY)?;
                Tensor::where_(&y.ge_scalar(0.0)?, &zero, &val)?
            } else {
                g.mul(&result)?.mul_scalar(base.ln())?
            };
            Ok(vec![Some(gx)])
        })
    }

    // ---- masks (not differentiable) ------------------------------------------------------

    fn compare_scalar(&self, s: f64, op: &'static str, f: fn(f64, f64) -> bool) -> Result<Tensor> {
        let v = {
            let buf = self.buffer();
            let l = self.layout();
            match &*buf {
                Buffer::F32(d) => kernels::unary(d, l, |x| f(x as f64, s)),
                Buffer::F64(d) => kernels::unary(d, l, |x| f(x, s)),
                Buffer::Bool(d) => kernels::unary(d, l, |x| f(x as u8 as f64, s)),
            }
        };
        let _ = op;
        Tensor::from_buffer(Buffer::Bool(v), self.shape().to_vec())
    }

    fn compare(&self, other: &Tensor, op: &'static str, f: fn(f64, f64) -> bool) -> Result<Tensor> {
        let d = DType::promote(self.dtype(), other.dtype());
        let (a, b) = (self.to_dtype(d)?, other.to_dtype(d)?);
        let shape = broadcast_shapes(a.shape(), b.shape())?;
        let (ba, bb) = (a.buffer(), b.buffer());
        let v = match (&*ba, &*bb) {
            (Buffer::F32(x), Buffer::F32(y)) => {
                kernels::binary(x, a.layout(), y, b.layout(), &shape, |p, q| {
                    f(p as f64, q as f64)
                })?
            }
            (Buffer::F64(x), Buffer::F64(y)) => {
                kernels::binary(x, a.layout(), y, b.layout(), &shape, f)?
            }
            (Buffer::Bool(x), Buffer::Bool(y)) => {
                kernels::binary(x, a.layout(), y, b.layout(), &shape, |p, q| {
                    f(p as u8 as f64, q as u8 as f64)
                })?
            }
            _ => bail!("internal dtype mismatch in {}", op),
        };
        drop((ba, bb));
        Tensor::from_buffer(Buffer::Bool(v), shape)
    }

    pub fn eq_scalar(&self, s: f64) -> Result<Tensor> {
        self.compare_scalar(s, "eq", |x, y| x == y)
    }
    pub fn ge_scalar(&self, s: f64) -> Result<Tensor> {
        self.compare_scalar(s, "ge", |x, y| x >= y)
    }
    pub fn eq(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, "eq", |x, y| x == y)
    }
    pub fn ge(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, "ge", |x, y| x >= y)
    }
    pub fn gt(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, "gt", |x, y| x > y)
    }

    pub fn logical_and(&self, other: &Tensor) -> Result<Tensor> {
        let (a, b) = (self.to_dtype(DType::Bool)?, other.to_dtype(DType::Bool)?);
        let shape = broadcast_shapes(a.shape(), b.shape())?;
        let (ba, bb) = (a.buffer(), b.buffer());
        let v = match (&*ba, &*bb) {
            (Buffer::Bool(x), Buffer::Bool(y)) => {
                kernels::binary(x, a.layout(), y, b.layout(), &shape, |p, q| p && q)?
            }
            _ => bail!("internal dtype mismatch in logical_and"),
        };
        drop((ba, bb));
        Tensor::from_buffer(Buffer::Bool(v), shape)
    }

    /// `where(cond, a, b)` (WhereBackward0): gradients `where(cond, g, 0)` / `where(cond, 0, g)`.
    pub fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        if cond.dtype() != DType::Bool {
            bail!(
                "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
                kernel_name(cond.dtype())
            );
        }
        let (a2, b2, d) = promote(a, b)?;
        let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), a2.shape())?, b2.shape())?;
        let out = {
            let bc = cond.buffer();
            let Buffer::Bool(c) = &*bc else {
                bail!("internal dtype mismatch in where")
            };
            float_dispatch!(d, "where", T => {
                let (ba, bb) = (a2.buffer(), b2.buffer());
                let (Some(x), Some(y)) = (<T as Float>::slice(&ba), <T as Float>::slice(&bb)) else {
                    bail!("internal dtype mismatch in where");
                };
                let v = kernels::select(c, cond.layout(), x, a2.layout(), y, b2.layout(), &shape)?;
                Tensor::from_vec(v, shape)?
            })
        };
        let (c, sa, sb) = (Saved::new(cond), a.shape().to_vec(), b.shape().to_vec());
        record1("WhereBackward0", &[a, b], out, false, move |_, g| {
            let c = c.get()?;
            let zero = Tensor::scalar(0.0, g.dtype());
            Ok(vec![
                Some(Tensor::where_(c, g, &zero)?.sum_to(&sa)?),
                Some(Tensor::where_(c, &zero, g)?.sum_to(&sb)?),
            ])
        })
    }
}

fn kernel_name(d: DType) -> &'static str {
    super::kernel_dtype_name(d)
}
