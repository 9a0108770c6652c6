//! Elementwise binary ops with broadcasting and type promotion, their scalar forms, and the
//! comparisons and `where` that backward rules use for masks.

use super::{arith_type, float_dtype, result_type, with_slice};
use crate::autograd::saved::Saved;
use crate::dtype::DType;
#[allow(unused_imports)]
use crate::element::{Element, Float, Numeric};
use crate::kernels;
use crate::kernels::provider::BinaryKind;
use crate::shape::broadcast_shapes;
use crate::storage::Buffer;
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};

/// Promote both operands to `d`.
fn cast_both(a: &Tensor, b: &Tensor, d: DType) -> Result<(Tensor, Tensor)> {
    Ok((a.to_dtype(d)?, b.to_dtype(d)?))
}

/// Broadcasting elementwise op computed in dtype `$d` with `$dispatch` (float or numeric).
macro_rules! binary_forward {
    ($a:expr, $b:expr, $d:expr, $dispatch:ident, $op:expr, $kind:expr, |$x:ident, $y:ident| $e:expr) => {{
        let (a, b) = cast_both($a, $b, $d)?;
        let shape = broadcast_shapes(a.shape(), b.shape())?;
        // float32 goes to the external provider first (before any host borrow, so operands
        // that live on its device are not downloaded).
        let kind: Option<BinaryKind> = $kind;
        match kind.and_then(|k| super::offload::binary(k, &a, &b, &shape)) {
            Some(t) => Ok(t),
            None => $crate::$dispatch!($d, $op, T => {
                let ba = a.buffer();
                let bb = b.buffer();
                let (Some(da), Some(db)) = (<T as Element>::slice(&ba), <T as Element>::slice(&bb)) else {
                    bail!("internal dtype mismatch in {}", $op);
                };
                let v = kernels::binary(da, a.layout(), db, b.layout(), &shape, |$x: T, $y: T| $e)?;
                drop(ba);
                drop(bb);
                Tensor::from_vec(v, shape)
            }),
        }
    }};
}

/// The dtype `tensor ⊙ scalar` computes in: PyTorch's wrapped-number rule (a scalar never
/// widens a tensor of the same category; a fractional scalar makes an integer tensor float).
pub(crate) fn scalar_dtype(t: DType, s: f64) -> DType {
    if t.is_floating_point() {
        t
    } else if s.fract() == 0.0 && s.is_finite() {
        if t == DType::Bool {
            DType::I64
        } else {
            t
        }
    } else {
        DType::F32
    }
}

/// Tensor ⊙ scalar computed in dtype `$d`.
macro_rules! scalar_forward {
    ($a:expr, $s:expr, $d:expr, $dispatch:ident, $op:expr, $kind:expr, |$x:ident, $c:ident| $e:expr) => {{
        // Half types compute in float32 with a float32 scalar ("opmath"), then round once,
        // as PyTorch's CPU kernels do: x * 1e-8 keeps the scalar's precision.
        let target: DType = $d;
        let compute = if super::is_half(target) { DType::F32 } else { target };
        let a = $crate::no_grad(|| $a.to_dtype(compute))?;
        // float32 tensor and scalar: the external provider first (`(kind, scalar first)`).
        let kind: Option<(BinaryKind, bool)> = $kind;
        let offered = match (kind, compute == target) {
            (Some((k, first)), true) => super::offload::scalar(k, &a, <f32 as Element>::from_f64($s), first),
            _ => None,
        };
        let out = match offered {
            Some(t) => t,
            None => $crate::$dispatch!(compute, $op, T => {
                let $c = <T as Element>::from_f64($s);
                let v = with_slice(&a, |d: &[T]| kernels::unary(d, a.layout(), |$x: T| $e))?;
                Tensor::from_vec(v, a.shape().to_vec())
            })?,
        };
        if compute == target { Ok(out) } else { out.to_dtype(target) }
    }};
}

#[derive(Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

fn cmp_fn<T: PartialOrd>(op: Cmp) -> impl Fn(T, T) -> bool {
    move |x, y| match op {
        Cmp::Eq => x == y,
        Cmp::Ne => x != y,
        Cmp::Lt => x < y,
        Cmp::Le => x <= y,
        Cmp::Gt => x > y,
        Cmp::Ge => x >= y,
    }
}

impl Tensor {
    /// `self + other` (AddBackward0).
    pub fn add(&self, other: &Tensor) -> Result<Tensor> {
        let out = binary_forward!(
            self,
            other,
            arith_type(self, other),
            numeric_dispatch,
            "add",
            Some(BinaryKind::Add),
            |x, y| x.nadd(y)
        )?;
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        record1("AddBackward0", &[self, other], out, false, move |_, g| {
            Ok(vec![Some(g.sum_to(&sa)?), Some(g.sum_to(&sb)?)])
        })
    }

    /// `self - other` (SubBackward0).
    pub fn sub(&self, other: &Tensor) -> Result<Tensor> {
        let out = binary_forward!(
            self,
            other,
            self.sub_dtype(other)?,
            numeric_dispatch,
            "sub",
            Some(BinaryKind::Sub),
            |x, y| x.nsub(y)
        )?;
        let (sa, sb) = (self.shape().to_vec(), other.shape().to_vec());
        record1("SubBackward0", &[self, other], out, false, move |_, g| {
            Ok(vec![Some(g.sum_to(&sa)?), Some(g.neg()?.sum_to(&sb)?)])
        })
    }

    /// `self * other` (MulBackward0).
    pub fn mul(&self, other: &Tensor) -> Result<Tensor> {
        let out = binary_forward!(
            self,
            other,
            arith_type(self, other),
            numeric_dispatch,
            "mul",
            Some(BinaryKind::Mul),
            |x, y| x.nmul(y)
        )?;
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
        // `x * x` (one tensor twice): both gradients flow into the same edge, so send their
        // sum `2·g·x` once instead of two products and an accumulation.
        let square = self.same(other);
        record1("MulBackward0", &[self, other], out, false, move |ctx, g| {
            if let (true, Some(b), true) = (square, &b, ctx.needs_input_grad(0)) {
                // Not recording (no create_graph) and `g` one broadcast value (the gradient
                // of a sum): one pass `x·(2g)`, bit-identical to `(g·x)·2` in float32/64.
                if !crate::is_grad_enabled() && matches!(g.dtype(), DType::F32 | DType::F64) {
                    if let Some(c) = g.expanded_scalar() {
                        return Ok(vec![Some(b.get()?.mul_scalar(2.0 * c)?.sum_to(&sa)?), None]);
                    }
                }
                return Ok(vec![
                    Some(g.mul(b.get()?)?.mul_scalar(2.0)?.sum_to(&sa)?),
                    None,
                ]);
            }
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
        let out = binary_forward!(
            self,
            other,
            float_dtype(result_type(self, other)),
            float_dispatch,
            "div",
            Some(BinaryKind::Div),
            |x, y| x / y
        )?;
        let (a, b) = (Saved::new(self), Saved::new(other));
        record1("DivBackward0", &[self, other], out, false, move |ctx, g| {
            let (a, b) = (a.get()?, b.get()?);
            // PyTorch: self: g/other; other: -g * ((self/other)/other)
            let ga = ctx.grad_if(0, || g.div(b)?.sum_to(a.shape()))?;
            let gb = ctx.grad_if(1, || g.neg()?.mul(&a.div(b)?.div(b)?)?.sum_to(b.shape()))?;
            Ok(vec![ga, gb])
        })
    }

    /// `self ** other` with tensor exponent (PowBackward1).
    pub fn pow(&self, other: &Tensor) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.pow(other);
        }
        let out = self.pow_forward(other)?;
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
        let out = scalar_forward!(
            self,
            s,
            scalar_dtype(self.dtype(), s),
            numeric_dispatch,
            "add",
            Some((BinaryKind::Add, false)),
            |x, c| x.nadd(c)
        )?;
        record1("AddBackward1", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// `self - s` (SubBackward1).
    pub fn sub_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(
            self,
            s,
            scalar_dtype(self.dtype(), s),
            numeric_dispatch,
            "sub",
            Some((BinaryKind::Sub, false)),
            |x, c| x.nsub(c)
        )?;
        record1("SubBackward1", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// `s - self` (RsubBackward1).
    pub fn rsub_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(
            self,
            s,
            scalar_dtype(self.dtype(), s),
            numeric_dispatch,
            "rsub",
            Some((BinaryKind::Sub, true)),
            |x, c| c.nsub(x)
        )?;
        record1("RsubBackward1", &[self], out, false, |_, g| {
            Ok(vec![Some(g.neg()?)])
        })
    }

    /// `self * s` (MulBackward0, as PyTorch wraps the scalar into a tensor).
    pub fn mul_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(
            self,
            s,
            scalar_dtype(self.dtype(), s),
            numeric_dispatch,
            "mul",
            Some((BinaryKind::Mul, false)),
            |x, c| x.nmul(c)
        )?;
        record1("MulBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.mul_scalar(s)?)])
        })
    }

    /// `self / s` (DivBackward0).
    pub fn div_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(
            self,
            s,
            float_dtype(self.dtype()),
            float_dispatch,
            "div",
            Some((BinaryKind::Div, false)),
            |x, c| x / c
        )?;
        record1("DivBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.div_scalar(s)?)])
        })
    }

    /// `s / self` (DivBackward0 in PyTorch: `s * self.reciprocal()`), gradient `-g*s/x²`.
    pub fn rdiv_scalar(&self, s: f64) -> Result<Tensor> {
        let out = scalar_forward!(
            self,
            s,
            float_dtype(self.dtype()),
            float_dispatch,
            "div",
            Some((BinaryKind::Div, true)),
            |x, c| c / x
        )?;
        let x = Saved::new(self);
        record1("DivBackward0", &[self], out, false, move |_, g| {
            let x = x.get()?;
            Ok(vec![Some(g.neg()?.mul_scalar(s)?.div(&x.mul(x)?)?)])
        })
    }

    /// `self ** c` (PowBackward0): `c == 0` gives a zero gradient, else `g*c*x^(c-1)`.
    pub fn pow_scalar(&self, c: f64) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.pow_scalar(c);
        }
        let out = self.pow_scalar_forward(c)?;
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
        let out = scalar_forward!(
            self,
            base,
            float_dtype(self.dtype()),
            float_dispatch,
            "pow",
            None,
            |x, b| b.powf(x)
        )?;
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

    fn compare(&self, other: &Tensor, op: Cmp) -> Result<Tensor> {
        let d = result_type(self, other);
        let (a, b) = cast_both(self, other, d)?;
        let shape = broadcast_shapes(a.shape(), b.shape())?;
        let v = {
            let (ba, bb) = (a.buffer(), b.buffer());
            match (&*ba, &*bb) {
                (Buffer::F32(x), Buffer::F32(y)) => {
                    kernels::binary(x, a.layout(), y, b.layout(), &shape, cmp_fn(op))?
                }
                (Buffer::F64(x), Buffer::F64(y)) => {
                    kernels::binary(x, a.layout(), y, b.layout(), &shape, cmp_fn(op))?
                }
                (Buffer::F16(x), Buffer::F16(y)) => {
                    kernels::binary(x, a.layout(), y, b.layout(), &shape, cmp_fn(op))?
                }
                (Buffer::BF16(x), Buffer::BF16(y)) => {
                    kernels::binary(x, a.layout(), y, b.layout(), &shape, cmp_fn(op))?
                }
                (Buffer::I32(x), Buffer::I32(y)) => {
                    kernels::binary(x, a.layout(), y, b.layout(), &shape, cmp_fn(op))?
                }
                (Buffer::I64(x), Buffer::I64(y)) => {
                    kernels::binary(x, a.layout(), y, b.layout(), &shape, cmp_fn(op))?
                }
                (Buffer::Bool(x), Buffer::Bool(y)) => {
                    kernels::binary(x, a.layout(), y, b.layout(), &shape, cmp_fn(op))?
                }
                _ => bail!("internal dtype mismatch in comparison"),
            }
        };
        Tensor::from_buffer(Buffer::Bool(v), shape)
    }

    fn compare_scalar(&self, s: f64, op: Cmp) -> Result<Tensor> {
        let other = Tensor::scalar(s, scalar_dtype(self.dtype(), s));
        self.compare(&other, op)
    }

    pub fn eq(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, Cmp::Eq)
    }
    pub fn ne(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, Cmp::Ne)
    }
    pub fn lt(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, Cmp::Lt)
    }
    pub fn le(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, Cmp::Le)
    }
    pub fn gt(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, Cmp::Gt)
    }
    pub fn ge(&self, other: &Tensor) -> Result<Tensor> {
        self.compare(other, Cmp::Ge)
    }
    pub fn eq_scalar(&self, s: f64) -> Result<Tensor> {
        self.compare_scalar(s, Cmp::Eq)
    }
    pub fn ne_scalar(&self, s: f64) -> Result<Tensor> {
        self.compare_scalar(s, Cmp::Ne)
    }
    pub fn lt_scalar(&self, s: f64) -> Result<Tensor> {
        self.compare_scalar(s, Cmp::Lt)
    }
    pub fn le_scalar(&self, s: f64) -> Result<Tensor> {
        self.compare_scalar(s, Cmp::Le)
    }
    pub fn gt_scalar(&self, s: f64) -> Result<Tensor> {
        self.compare_scalar(s, Cmp::Gt)
    }
    pub fn ge_scalar(&self, s: f64) -> Result<Tensor> {
        self.compare_scalar(s, Cmp::Ge)
    }

    fn logical(&self, other: &Tensor, f: fn(bool, bool) -> bool) -> Result<Tensor> {
        let (a, b) = (self.to_dtype(DType::Bool)?, other.to_dtype(DType::Bool)?);
        let shape = broadcast_shapes(a.shape(), b.shape())?;
        let v = {
            let (ba, bb) = (a.buffer(), b.buffer());
            let (Buffer::Bool(x), Buffer::Bool(y)) = (&*ba, &*bb) else {
                bail!("internal dtype mismatch in logical op")
            };
            kernels::binary(x, a.layout(), y, b.layout(), &shape, f)?
        };
        Tensor::from_buffer(Buffer::Bool(v), shape)
    }

    pub fn logical_and(&self, other: &Tensor) -> Result<Tensor> {
        self.logical(other, |p, q| p && q)
    }
    pub fn logical_or(&self, other: &Tensor) -> Result<Tensor> {
        self.logical(other, |p, q| p || q)
    }
    pub fn logical_xor(&self, other: &Tensor) -> Result<Tensor> {
        self.logical(other, |p, q| p != q)
    }
    pub fn logical_not(&self) -> Result<Tensor> {
        let a = self.to_dtype(DType::Bool)?;
        let v = with_slice(&a, |d: &[bool]| kernels::unary(d, a.layout(), |x| !x))?;
        Tensor::from_buffer(Buffer::Bool(v), a.shape().to_vec())
    }

    /// Subtraction's dtype; bool - bool is refused as in PyTorch.
    fn sub_dtype(&self, other: &Tensor) -> Result<DType> {
        if self.dtype() == DType::Bool && other.dtype() == DType::Bool {
            bail!("Subtraction, the `-` operator, with two bool tensors is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        }
        Ok(arith_type(self, other))
    }

    /// pow forward: integers stay integers (negative exponents refused), floats use powf.
    fn pow_forward(&self, other: &Tensor) -> Result<Tensor> {
        let d = arith_type(self, other);
        if d.is_integer() {
            if other.to_f64_vec().iter().any(|&e| e < 0.0) {
                bail!("Integers to negative integer powers are not allowed.");
            }
            return binary_forward!(
                self,
                other,
                d,
                numeric_dispatch,
                "pow",
                None::<BinaryKind>,
                |x, y| int_pow(x, y)
            );
        }
        binary_forward!(
            self,
            other,
            d,
            float_dispatch,
            "pow",
            None::<BinaryKind>,
            |x, y| x.powf(y)
        )
    }

    fn pow_scalar_forward(&self, c: f64) -> Result<Tensor> {
        let d = scalar_dtype(self.dtype(), c);
        if d.is_integer() {
            if c < 0.0 {
                bail!("Integers to negative integer powers are not allowed.");
            }
            return scalar_forward!(self, c, d, numeric_dispatch, "pow", None, |x, e| int_pow(
                x, e
            ));
        }
        scalar_forward!(self, c, d, float_dispatch, "pow", None, |x, e| x.powf(e))
    }

    /// `where(cond, a, b)` (WhereBackward0): gradients `where(cond, g, 0)` / `where(cond, 0, g)`.
    pub fn where_(cond: &Tensor, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        if cond.dtype() != DType::Bool {
            bail!(
                "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
                kernel_name(cond.dtype())
            );
        }
        let d = result_type(a, b);
        let (a2, b2) = cast_both(a, b, d)?;
        let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), a2.shape())?, b2.shape())?;
        let out = {
            let bc = cond.buffer();
            let Buffer::Bool(c) = &*bc else {
                bail!("internal dtype mismatch in where")
            };
            crate::numeric_dispatch!(d, "where", T => {
                let (ba, bb) = (a2.buffer(), b2.buffer());
                let (Some(x), Some(y)) = (<T as Element>::slice(&ba), <T as Element>::slice(&bb)) else {
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

/// `x^e` by squaring for integer types (wrapping); for floats it is only reached with
/// integer dtypes, but must typecheck for every numeric type.
fn int_pow<T: Numeric>(x: T, e: T) -> T {
    let mut n = e.to_f64() as u64;
    let mut base = x;
    let mut acc = T::ONE;
    while n > 0 {
        if n & 1 == 1 {
            acc = acc.nmul(base);
        }
        base = base.nmul(base);
        n >>= 1;
    }
    acc
}

use super::registry::{fixed, input, Domain::*, Grad, OpSpec};

const D2: Grad = Grad::Differentiable { double: true };
const FLOATS: &str = "float32, float64";
const NUMERIC: &str = "float32, float64, int32, int64";

pub(crate) fn specs() -> Vec<OpSpec> {
    vec![
        OpSpec { name: "add", js: "add", grad_fn: "AddBackward0", dtypes: NUMERIC, grad: D2, notes: "broadcasting; a number operand gives AddBackward1; `alpha` option", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| x[0].add(&x[1]) },
        OpSpec { name: "sub", js: "sub", grad_fn: "SubBackward0", dtypes: NUMERIC, grad: D2, notes: "bool - bool is refused as in PyTorch", inputs: vec![input(&[2, 3], Any), input(&[2, 1], Any)], run: |x| x[0].sub(&x[1]) },
        OpSpec { name: "rsub", js: "rsub", grad_fn: "RsubBackward1", dtypes: NUMERIC, grad: D2, notes: "`other - self`", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].rsub_scalar(2.5) },
        OpSpec { name: "mul", js: "mul", grad_fn: "MulBackward0", dtypes: NUMERIC, grad: D2, notes: "", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| x[0].mul(&x[1]) },
        OpSpec { name: "div", js: "div", grad_fn: "DivBackward0", dtypes: FLOATS, grad: D2, notes: "true division (integers give float32); x/0 is ±inf or nan; other's grad is `-g*((self/other)/other)`", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| x[0].div(&x[1]) },
        OpSpec { name: "pow", js: "pow", grad_fn: "PowBackward1", dtypes: NUMERIC, grad: D2, notes: "base grad 0 where exponent == 0; exponent grad 0 where base == 0 and exponent >= 0; integers to negative powers are refused", inputs: vec![input(&[2, 3], Positive), input(&[3], Any)], run: |x| x[0].pow(&x[1]) },
        OpSpec { name: "pow (scalar exponent)", js: "pow", grad_fn: "PowBackward0", dtypes: NUMERIC, grad: D2, notes: "`c == 0` gives a zero gradient, else `g*c*x^(c-1)`", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].pow_scalar(3.0) },
        OpSpec { name: "pow (scalar base)", js: "pow", grad_fn: "PowBackward2", dtypes: FLOATS, grad: D2, notes: "`tensor(b).pow(x)`; base 0 with exponent >= 0 gives 0", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].rpow_scalar(1.7) },
        OpSpec { name: "where", js: "where", grad_fn: "WhereBackward0", dtypes: NUMERIC, grad: D2, notes: "`where(cond, a, b)`: grads `where(cond, g, 0)` and `where(cond, 0, g)`", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| Tensor::where_(&x[0].gt_scalar(0.0)?, &x[0], &x[1]) },
        OpSpec { name: "eq / ne / lt / le / gt / ge", js: "eq / ne / lt / le / gt / ge", grad_fn: "", dtypes: "all", grad: Grad::None, notes: "return bool; broadcasting and promotion", inputs: vec![fixed(&[2, 3])], run: |x| x[0].lt_scalar(0.5) },
        OpSpec { name: "logical_and / or / xor / not", js: "logicalAnd / logicalOr / logicalXor / logicalNot", grad_fn: "", dtypes: "all", grad: Grad::None, notes: "nonzero is true; return bool", inputs: vec![fixed(&[2, 3])], run: |x| x[0].logical_not() },
    ]
}
