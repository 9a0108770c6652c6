//! The pointwise op family: elementwise unary and binary math beyond the basics in
//! `unary.rs`/`binary.rs` (abs, sign, rounding, inverse trig and hyperbolic functions, erf
//! and friends, clamp, relu, nan_to_num, maximum/fmax, fmod/remainder, lerp, addcmul, xlogy,
//! logaddexp, copysign, ...), each with PyTorch's dtype rules, edge values and gradient
//! (`derivatives.yaml`), including at the non-differentiable points.

mod special;

pub use special::{erf as erf_f64, erfc as erfc_f64, erfinv as erfinv_f64};

use super::{float_dtype, kernel_dtype_name, with_slice};
use crate::autograd::saved::Saved;
use crate::dtype::DType;
use crate::element::{Element, Numeric};
use crate::kernels;
use crate::shape::broadcast_shapes;
use crate::storage::Buffer;
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};

use super::binary::scalar_dtype;
use std::f64::consts::{FRAC_2_SQRT_PI, LN_10, LN_2};

// ---- kernels helpers -------------------------------------------------------------------

/// Apply `f` (computed in f64) to every element; integer and bool inputs compute in float32,
/// as PyTorch's float unary ops do. The result has no graph.
fn map_float(x: &Tensor, f: impl Fn(f64) -> f64) -> Result<Tensor> {
    // Half types compute in float32 and round back once.
    let half = super::is_half(x.dtype()).then(|| x.dtype());
    let compute = if half.is_some() {
        DType::F32
    } else {
        float_dtype(x.dtype())
    };
    let x = crate::no_grad(|| x.detach().to_dtype(compute))?;
    let shape = x.shape().to_vec();
    let out = match x.dtype() {
        DType::F32 => {
            let v = with_slice(&x, |d: &[f32]| {
                kernels::unary(d, x.layout(), |v| f(v as f64) as f32)
            })?;
            Tensor::from_vec(v, shape)?
        }
        _ => {
            let v = with_slice(&x, |d: &[f64]| kernels::unary(d, x.layout(), &f))?;
            Tensor::from_vec(v, shape)?
        }
    };
    match half {
        Some(d) => out.to_dtype(d),
        None => Ok(out),
    }
}

/// A dtype-keeping elementwise map: one expression for the float types, one for the integer
/// types, and optionally one for bool (refused otherwise, with PyTorch's message).
macro_rules! map_keep {
    ($x:expr, $op:expr, float: |$f:ident| $fe:expr, int: |$i:ident| $ie:expr $(, bool: |$b:ident| $be:expr)?) => {{
        let x: &Tensor = $x;
        let shape = x.shape().to_vec();
        match x.dtype() {
            DType::F32 => Tensor::from_vec(with_slice(x, |d: &[f32]| kernels::unary(d, x.layout(), |$f: f32| $fe))?, shape),
            DType::F64 => Tensor::from_vec(with_slice(x, |d: &[f64]| kernels::unary(d, x.layout(), |$f: f64| $fe))?, shape),
            DType::F16 | DType::BF16 => super::via_f32(x, |t| {
                Tensor::from_vec(with_slice(t, |d: &[f32]| kernels::unary(d, t.layout(), |$f: f32| $fe))?, shape.clone())
            }),
            DType::I32 => Tensor::from_vec(with_slice(x, |d: &[i32]| kernels::unary(d, x.layout(), |$i: i32| $ie))?, shape),
            DType::I64 => Tensor::from_vec(with_slice(x, |d: &[i64]| kernels::unary(d, x.layout(), |$i: i64| $ie))?, shape),
            $(DType::Bool => Tensor::from_vec(with_slice(x, |d: &[bool]| kernels::unary(d, x.layout(), |$b: bool| $be))?, shape),)?
            #[allow(unreachable_patterns)]
            DType::Bool => bail!("\"{}\" not implemented for 'Bool'", $op),
        }
    }};
}

/// Run `$body` with `$T` bound to the Rust type of any dtype (bool included).
macro_rules! all_dispatch {
    ($d:expr, $op:expr, $T:ident => $body:expr) => {
        match $d {
            DType::Bool => {
                type $T = bool;
                $body
            }
            d => crate::numeric_dispatch!(d, $op, $T => $body),
        }
    };
}

/// Broadcasting map over two tensors that already have element type `T`.
fn zip<T: Element, U: Element>(a: &Tensor, b: &Tensor, f: impl Fn(T, T) -> U) -> Result<Tensor> {
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    let v = {
        let (ba, bb) = (a.buffer(), b.buffer());
        let (Some(da), Some(db)) = (T::slice(&ba), T::slice(&bb)) else {
            bail!("internal dtype mismatch in a pointwise op");
        };
        kernels::binary(da, a.layout(), db, b.layout(), &shape, f)?
    };
    Tensor::from_vec(v, shape)
}

/// The values of `t` (element type `T`) broadcast to `shape`, contiguous.
fn dense<T: Element>(t: &Tensor, shape: &[usize]) -> Result<Vec<T>> {
    let e = t.detach().expand_to(shape)?;
    with_slice(&e, |d: &[T]| kernels::gather(d, e.layout()))
}

/// Broadcasting map over three tensors that already have element type `T`.
fn zip3<T: Element>(
    a: &Tensor,
    b: &Tensor,
    c: &Tensor,
    f: impl Fn(T, T, T) -> T,
) -> Result<Tensor> {
    let shape = broadcast_shapes(&broadcast_shapes(a.shape(), b.shape())?, c.shape())?;
    let (va, vb, vc) = (
        dense::<T>(a, &shape)?,
        dense::<T>(b, &shape)?,
        dense::<T>(c, &shape)?,
    );
    let v: Vec<T> = (0..va.len()).map(|i| f(va[i], vb[i], vc[i])).collect();
    Tensor::from_vec(v, shape)
}

/// Both operands converted (without graph) to `d`.
fn cast2(a: &Tensor, b: &Tensor, d: DType) -> Result<(Tensor, Tensor)> {
    Ok((a.detach().to_dtype(d)?, b.detach().to_dtype(d)?))
}

/// The dtype clamp computes in with number bounds: PyTorch's result type of the tensor and
/// the bounds (an integer tensor with a fractional bound gives float32; bool gives int64).
fn clamp_scalar_dtype(t: DType, min: Option<f64>, max: Option<f64>) -> DType {
    let mut d = t;
    for b in [min, max].into_iter().flatten() {
        let bd = scalar_dtype(t, b);
        if bd.is_floating_point() || d == DType::Bool {
            d = bd;
        }
    }
    d
}

/// The error of a float-only kernel given an integer/bool dtype.
fn float_only(d: DType, kernel: &str) -> Result<()> {
    if !d.is_floating_point() {
        bail!(
            "\"{}\" not implemented for '{}'",
            kernel,
            kernel_dtype_name(d)
        );
    }
    Ok(())
}

pub(crate) fn zero_of(g: &Tensor) -> Tensor {
    Tensor::scalar(0.0, g.dtype())
}

// ---- recording helpers -------------------------------------------------------------------

/// Record a unary op whose gradient needs the input: `bwd(g, x)`.
pub(crate) fn rec_input(
    name: &'static str,
    x: &Tensor,
    out: Tensor,
    bwd: impl Fn(&Tensor, &Tensor) -> Result<Tensor> + 'static,
) -> Result<Tensor> {
    let saved = Saved::new(x);
    record1(name, &[x], out, false, move |_, g| {
        Ok(vec![Some(bwd(g, saved.get()?)?)])
    })
}

/// Record a unary op whose gradient needs the output: `bwd(g, y)`.
fn rec_output(
    name: &'static str,
    x: &Tensor,
    out: Tensor,
    bwd: impl Fn(&Tensor, &Tensor) -> Result<Tensor> + 'static,
) -> Result<Tensor> {
    record1(name, &[x], out, true, move |ctx, g| {
        Ok(vec![Some(bwd(g, &ctx.output(0)?)?)])
    })
}

/// Record a piecewise-constant op (floor, sign, ...): the gradient is zero.
fn rec_zero(name: &'static str, x: &Tensor, out: Tensor) -> Result<Tensor> {
    record1(name, &[x], out, false, |_, g| {
        Ok(vec![Some(g.zeros_like())])
    })
}

/// Record a binary op with gradient `bwd(ctx, g, a, b) -> (ga, gb)`, summed back to the
/// input shapes.
#[allow(clippy::type_complexity)]
fn rec_binary(
    name: &'static str,
    a: &Tensor,
    b: &Tensor,
    out: Tensor,
    save_output: bool,
    bwd: impl Fn(
            &crate::autograd::node::BackwardCtx,
            &Tensor,
            &Tensor,
            &Tensor,
        ) -> Result<(Option<Tensor>, Option<Tensor>)>
        + 'static,
) -> Result<Tensor> {
    let (sa, sb) = (Saved::new(a), Saved::new(b));
    record1(name, &[a, b], out, save_output, move |ctx, g| {
        let (a, b) = (sa.get()?, sb.get()?);
        let (ga, gb) = bwd(ctx, g, a, b)?;
        let ga = match ga {
            Some(t) if ctx.needs_input_grad(0) => Some(t.sum_to(a.shape())?),
            _ => None,
        };
        let gb = match gb {
            Some(t) if ctx.needs_input_grad(1) => Some(t.sum_to(b.shape())?),
            _ => None,
        };
        Ok(vec![ga, gb])
    })
}

// ---- unary ops computed in floating point ---------------------------------------------------

macro_rules! float_unary {
    ($(
        $(#[$doc:meta])*
        $name:ident, $grad_fn:literal, $save:ident, fwd: |$v:ident| $fwd:expr, bwd: |$g:ident, $s:ident| $bwd:expr;
    )*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Result<Tensor> {
                    let out = map_float(self, |$v: f64| $fwd)?;
                    $save($grad_fn, self, out, |$g: &Tensor, $s: &Tensor| Ok($bwd))
                }
            )*
        }
    };
}

float_unary! {
    /// `2^x`; gradient `g·y·ln 2`.
    exp2, "Exp2Backward0", rec_output, fwd: |v| v.exp2(), bwd: |g, y| g.mul(&y.mul_scalar(LN_2)?)?;
    /// `e^x - 1`, accurate near 0; gradient `g·(y + 1)`.
    expm1, "Expm1Backward0", rec_output, fwd: |v| v.exp_m1(), bwd: |g, y| g.mul(&y.add_scalar(1.0)?)?;
    /// Base-2 log; gradient `g / (x·ln 2)`.
    log2, "Log2Backward0", rec_input, fwd: |v| v.log2(), bwd: |g, x| g.div(&x.mul_scalar(LN_2)?)?;
    /// Base-10 log; gradient `g / (x·ln 10)`.
    log10, "Log10Backward0", rec_input, fwd: |v| v.log10(), bwd: |g, x| g.div(&x.mul_scalar(LN_10)?)?;
    /// `ln(1 + x)`, accurate near 0; gradient `g / (x + 1)`.
    log1p, "Log1PBackward0", rec_input, fwd: |v| v.ln_1p(), bwd: |g, x| g.div(&x.add_scalar(1.0)?)?;
    /// `1/√x`; gradient `-0.5·g·y³`.
    rsqrt, "RsqrtBackward0", rec_output, fwd: |v| 1.0 / v.sqrt(), bwd: |g, y| g.mul(&y.pow_scalar(3.0)?)?.mul_scalar(-0.5)?;
    /// `1/x`; gradient `-g·y²`.
    reciprocal, "ReciprocalBackward0", rec_output, fwd: |v| 1.0 / v, bwd: |g, y| g.neg()?.mul(&y.mul(y)?)?;
    /// `tan(x)`; gradient `g·(1 + y²)`.
    tan, "TanBackward0", rec_output, fwd: |v| v.tan(), bwd: |g, y| g.mul(&y.mul(y)?.add_scalar(1.0)?)?;
    /// `asin(x)` (nan outside [-1, 1]); gradient `g / √(1 - x²)`.
    asin, "AsinBackward0", rec_input, fwd: |v| v.asin(), bwd: |g, x| g.mul(&x.mul(x)?.rsub_scalar(1.0)?.rsqrt()?)?;
    /// `acos(x)`; gradient `-g / √(1 - x²)`.
    acos, "AcosBackward0", rec_input, fwd: |v| v.acos(), bwd: |g, x| g.mul(&x.mul(x)?.rsub_scalar(1.0)?.rsqrt()?.neg()?)?;
    /// `atan(x)`; gradient `g / (x² + 1)`.
    atan, "AtanBackward0", rec_input, fwd: |v| v.atan(), bwd: |g, x| g.div(&x.mul(x)?.add_scalar(1.0)?)?;
    /// `sinh(x)`; gradient `g·cosh(x)`.
    sinh, "SinhBackward0", rec_input, fwd: |v| v.sinh(), bwd: |g, x| g.mul(&x.cosh()?)?;
    /// `cosh(x)`; gradient `g·sinh(x)`.
    cosh, "CoshBackward0", rec_input, fwd: |v| v.cosh(), bwd: |g, x| g.mul(&x.sinh()?)?;
    /// `asinh(x)`; gradient `g / √(x² + 1)`.
    asinh, "AsinhBackward0", rec_input, fwd: |v| v.asinh(), bwd: |g, x| g.mul(&x.mul(x)?.add_scalar(1.0)?.rsqrt()?)?;
    /// `acosh(x)` (nan below 1); gradient `g / √(x² - 1)`.
    acosh, "AcoshBackward0", rec_input, fwd: |v| v.acosh(), bwd: |g, x| g.mul(&x.mul(x)?.sub_scalar(1.0)?.rsqrt()?)?;
    /// `atanh(x)` (±inf at ±1); gradient `g / (1 - x²)`.
    atanh, "AtanhBackward0", rec_input, fwd: |v| v.atanh(), bwd: |g, x| g.div(&x.mul(x)?.rsub_scalar(1.0)?)?;
    /// The error function; gradient `g·2/√π·e^(-x²)`.
    erf, "ErfBackward0", rec_input, fwd: |v| special::erf(v), bwd: |g, x| g.mul(&x.mul(x)?.neg()?.exp()?.mul_scalar(FRAC_2_SQRT_PI)?)?;
    /// `1 - erf(x)`, accurate in the tail; gradient `-g·2/√π·e^(-x²)`.
    erfc, "ErfcBackward0", rec_input, fwd: |v| special::erfc(v), bwd: |g, x| g.mul(&x.mul(x)?.neg()?.exp()?.mul_scalar(-FRAC_2_SQRT_PI)?)?;
    /// The inverse error function (±inf at ±1, nan outside); gradient `g·√π/2·e^(y²)`.
    erfinv, "ErfinvBackward0", rec_output, fwd: |v| special::erfinv(v), bwd: |g, y| g.mul(&y.mul(y)?.exp()?.mul_scalar(1.0 / FRAC_2_SQRT_PI)?)?;
}

// ---- dtype-keeping unary ops ---------------------------------------------------------------

impl Tensor {
    /// `|x|` (AbsBackward0): gradient `g·sgn(x)`, so 0 at x = 0. Integers keep their dtype.
    pub fn abs(&self) -> Result<Tensor> {
        let out = map_keep!(self, "abs_cpu", float: |v| v.abs(), int: |v| v.wrapping_abs())?;
        rec_input("AbsBackward0", self, out, |g, x| g.mul(&x.sgn()?))
    }

    /// `sign(x)`: -1, 0 or 1 (0 for ±0 and nan, as PyTorch's kernel); bool stays bool.
    /// Zero gradient (SignBackward0).
    pub fn sign(&self) -> Result<Tensor> {
        let out = sign_forward(self)?;
        rec_zero("SignBackward0", self, out)
    }

    /// `sgn(x)`: `sign` for real tensors (SgnBackward0, zero gradient).
    pub fn sgn(&self) -> Result<Tensor> {
        let out = sign_forward(self)?;
        rec_zero("SgnBackward0", self, out)
    }

    /// `x²` as PyTorch's `square` (= `pow(x, 2)`, PowBackward0); bool gives int64.
    pub fn square(&self) -> Result<Tensor> {
        self.pow_scalar(2.0)
    }

    /// Round down (FloorBackward0, zero gradient); integers are returned unchanged.
    pub fn floor(&self) -> Result<Tensor> {
        let out = map_keep!(self, "floor_cpu", float: |v| v.floor(), int: |v| v)?;
        rec_zero("FloorBackward0", self, out)
    }

    /// Round up (CeilBackward0, zero gradient).
    pub fn ceil(&self) -> Result<Tensor> {
        let out = map_keep!(self, "ceil_cpu", float: |v| v.ceil(), int: |v| v)?;
        rec_zero("CeilBackward0", self, out)
    }

    /// Round to the nearest integer, halves to even (RoundBackward0, zero gradient).
    pub fn round(&self) -> Result<Tensor> {
        let out = map_keep!(self, "round_cpu", float: |v| v.round_ties_even(), int: |v| v)?;
        rec_zero("RoundBackward0", self, out)
    }

    /// `round(x, decimals)` (RoundBackward1): `nearbyint(x·10^d)/10^d`, or
    /// `nearbyint(x/10^-d)·10^-d` for negative `d`, computed in the tensor's precision.
    pub fn round_decimals(&self, decimals: i64) -> Result<Tensor> {
        if decimals == 0 {
            let out = map_keep!(self, "round_cpu", float: |v| v.round_ties_even(), int: |v| v)?;
            return rec_zero("RoundBackward1", self, out);
        }
        float_only(self.dtype(), "round_cpu")?;
        let neg = decimals < 0;
        let p = 10f64.powi(decimals.unsigned_abs().min(400) as i32);
        let out = match self.dtype() {
            DType::F32 => {
                let ten = p as f32;
                let v = with_slice(self, |d: &[f32]| {
                    kernels::unary(d, self.layout(), |v| {
                        if neg {
                            (v / ten).round_ties_even() * ten
                        } else {
                            (v * ten).round_ties_even() / ten
                        }
                    })
                })?;
                Tensor::from_vec(v, self.shape().to_vec())?
            }
            _ => {
                let ten = p;
                let v = with_slice(self, |d: &[f64]| {
                    kernels::unary(d, self.layout(), |v| {
                        if neg {
                            (v / ten).round_ties_even() * ten
                        } else {
                            (v * ten).round_ties_even() / ten
                        }
                    })
                })?;
                Tensor::from_vec(v, self.shape().to_vec())?
            }
        };
        rec_zero("RoundBackward1", self, out)
    }

    /// Round toward zero (TruncBackward0, zero gradient).
    pub fn trunc(&self) -> Result<Tensor> {
        let out = map_keep!(self, "trunc_cpu", float: |v| v.trunc(), int: |v| v)?;
        rec_zero("TruncBackward0", self, out)
    }

    /// `x - trunc(x)` (FracBackward0, gradient `g`); floating dtypes only, as PyTorch.
    pub fn frac(&self) -> Result<Tensor> {
        float_only(self.dtype(), "frac_cpu")?;
        let out = map_keep!(self, "frac_cpu", float: |v| v - v.trunc(), int: |v| v)?;
        record1("FracBackward0", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// `max(x, 0)` (ReluBackward0): gradient `where(y <= 0, 0, g)`, so 0 at x = 0, and a nan
    /// input gives nan and passes the gradient. Integers keep their dtype.
    pub fn relu(&self) -> Result<Tensor> {
        if self.dtype() == DType::Bool {
            bail!("Boolean inputs not supported for relu");
        }
        let out =
            map_keep!(self, "relu", float: |v| if v < 0.0 { 0.0 } else { v }, int: |v| v.max(0))?;
        rec_output("ReluBackward0", self, out, |g, y| {
            Tensor::where_(&y.le_scalar(0.0)?, &zero_of(g), g)
        })
    }

    /// `nan_to_num(nan, posinf, neginf)` (NanToNumBackward0, gradient `g·isfinite(x)`):
    /// nan becomes `nan` (default 0), ±inf the given values (default the dtype's largest
    /// finite values). Integer and bool tensors are returned unchanged.
    pub fn nan_to_num(
        &self,
        nan: Option<f64>,
        posinf: Option<f64>,
        neginf: Option<f64>,
    ) -> Result<Tensor> {
        let nan = nan.unwrap_or(0.0);
        let out = match self.dtype() {
            DType::F32 => {
                let (n, p, m) = (
                    nan as f32,
                    posinf.map_or(f32::MAX, |v| v as f32),
                    neginf.map_or(f32::MIN, |v| v as f32),
                );
                let v = with_slice(self, |d: &[f32]| {
                    kernels::unary(d, self.layout(), |v| nan_to_num1(v, n, p, m))
                })?;
                Tensor::from_vec(v, self.shape().to_vec())?
            }
            DType::F64 => {
                let (p, m) = (posinf.unwrap_or(f64::MAX), neginf.unwrap_or(f64::MIN));
                let v = with_slice(self, |d: &[f64]| {
                    kernels::unary(d, self.layout(), |v| nan_to_num1(v, nan, p, m))
                })?;
                Tensor::from_vec(v, self.shape().to_vec())?
            }
            _ => self.detach().clone_tensor()?,
        };
        rec_input("NanToNumBackward0", self, out, |g, x| g.mul(&x.isfinite()?))
    }

    /// `isnan(x)` (bool; never true for integers).
    pub fn isnan(&self) -> Result<Tensor> {
        bool_map(self, |v| v.is_nan())
    }
    /// `isinf(x)` (bool).
    pub fn isinf(&self) -> Result<Tensor> {
        bool_map(self, |v| v.is_infinite())
    }
    /// `isfinite(x)` (bool; always true for integers).
    pub fn isfinite(&self) -> Result<Tensor> {
        bool_map(self, |v| v.is_finite())
    }
    /// `isposinf(x)` (bool).
    pub fn isposinf(&self) -> Result<Tensor> {
        bool_map(self, |v| v == f64::INFINITY)
    }
    /// `isneginf(x)` (bool).
    pub fn isneginf(&self) -> Result<Tensor> {
        bool_map(self, |v| v == f64::NEG_INFINITY)
    }

    // ---- clamp ---------------------------------------------------------------------------

    /// `clamp(min, max)` with number bounds (ClampBackward1). `min > max` gives `max`
    /// everywhere; a nan bound (with both given) gives nan; nan input stays nan. Gradient 1
    /// where `min <= x <= max` (bounds inclusive), else 0. An integer tensor with a
    /// fractional bound computes in float32 (PyTorch's promotion).
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> Result<Tensor> {
        if min.is_none() && max.is_none() {
            bail!("torch.clamp: At least one of 'min' or 'max' must not be None");
        }
        let out = self.clamp_scalar_forward(min, max, "clamp")?;
        rec_input("ClampBackward1", self, out, move |g, x| {
            let mask = match (min, max) {
                (Some(lo), Some(hi)) => x.ge_scalar(lo)?.logical_and(&x.le_scalar(hi)?)?,
                (Some(lo), None) => x.ge_scalar(lo)?,
                (None, Some(hi)) => x.le_scalar(hi)?,
                (None, None) => return Ok(g.clone()),
            };
            Tensor::where_(&mask, g, &zero_of(g))
        })
    }

    /// `clamp_min(min)` with a number (ClampMinBackward0): gradient where `x >= min`.
    pub fn clamp_min(&self, min: f64) -> Result<Tensor> {
        let out = self.clamp_scalar_forward(Some(min), None, "clamp_min")?;
        rec_input("ClampMinBackward0", self, out, move |g, x| {
            Tensor::where_(&x.ge_scalar(min)?, g, &zero_of(g))
        })
    }

    /// `clamp_max(max)` with a number (ClampMaxBackward0): gradient where `x <= max`.
    pub fn clamp_max(&self, max: f64) -> Result<Tensor> {
        let out = self.clamp_scalar_forward(None, Some(max), "clamp_max")?;
        rec_input("ClampMaxBackward0", self, out, move |g, x| {
            Tensor::where_(&x.le_scalar(max)?, g, &zero_of(g))
        })
    }

    fn clamp_scalar_forward(&self, min: Option<f64>, max: Option<f64>, op: &str) -> Result<Tensor> {
        let d = clamp_scalar_dtype(self.dtype(), min, max);
        let x = self.detach().to_dtype(d)?;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo.is_nan() || hi.is_nan() {
                return Ok(Tensor::full(self.shape(), f64::NAN, d));
            }
        }
        crate::numeric_dispatch!(d, op, T => {
            let lo = min.map(T::from_f64);
            let hi = max.map(T::from_f64);
            let v = with_slice(&x, |s: &[T]| kernels::unary(s, x.layout(), |a: T| clamp1(a, lo, hi)))?;
            Tensor::from_vec(v, x.shape().to_vec())
        })
    }

    /// `clamp(min, max)` with tensor bounds (ClampBackward0), broadcasting all three. Only
    /// `min`: nan-propagating maximum; only `max`: minimum. Gradients (PyTorch's
    /// `clamp_backward` / `clamp_backward_min_max`): self where `min <= x <= max`; min where
    /// `x < min` and `min < max`; max where `x > max` or `max < min`.
    pub fn clamp_tensor(&self, min: Option<&Tensor>, max: Option<&Tensor>) -> Result<Tensor> {
        let out = match (min, max) {
            (None, None) => {
                bail!("torch.clamp: At least one of 'min' or 'max' must not be None")
            }
            (Some(lo), None) => max_forward(self, lo, "clamp")?,
            (None, Some(hi)) => min_forward(self, hi, "clamp")?,
            (Some(lo), Some(hi)) => {
                let d = crate::dtype::result_type(&[
                    (self.dtype(), self.ndim()),
                    (lo.dtype(), lo.ndim()),
                    (hi.dtype(), hi.ndim()),
                ]);
                if d == DType::Bool {
                    bail!("\"clamp_cpu\" not implemented for 'Bool'");
                }
                let (x, l, h) = (
                    self.detach().to_dtype(d)?,
                    lo.detach().to_dtype(d)?,
                    hi.detach().to_dtype(d)?,
                );
                crate::numeric_dispatch!(d, "clamp_cpu", T => zip3(&x, &l, &h, |a: T, l: T, h: T| {
                    if l != l || h != h { T::from_f64(f64::NAN) } else { clamp1(a, Some(l), Some(h)) }
                })?)
            }
        };
        let mut inputs = vec![self];
        inputs.extend(min);
        inputs.extend(max);
        let sx = Saved::new(self);
        let smin = min.map(Saved::new);
        let smax = max.map(Saved::new);
        record1("ClampBackward0", &inputs, out, false, move |ctx, g| {
            let x = sx.get()?;
            let lo = smin.as_ref().map(|s| s.get()).transpose()?;
            let hi = smax.as_ref().map(|s| s.get()).transpose()?;
            let zero = zero_of(g);
            let mut grads = Vec::new();
            if ctx.needs_input_grad(0) {
                let mask = match (lo, hi) {
                    (Some(l), Some(h)) => x.ge(l)?.logical_and(&x.le(h)?)?,
                    (Some(l), None) => x.ge(l)?,
                    (None, Some(h)) => x.le(h)?,
                    (None, None) => unreachable!("clamp without bounds is refused"),
                };
                grads.push(Some(Tensor::where_(&mask, g, &zero)?.sum_to(x.shape())?));
            } else {
                grads.push(None);
            }
            if let Some(l) = lo {
                let i = grads.len();
                grads.push(ctx.grad_if(i, || {
                    let mask = match hi {
                        Some(h) => x.lt(l)?.logical_and(&l.lt(h)?)?,
                        None => x.lt(l)?,
                    };
                    Tensor::where_(&mask, g, &zero)?.sum_to(l.shape())
                })?);
            }
            if let Some(h) = hi {
                let i = grads.len();
                grads.push(ctx.grad_if(i, || {
                    let mask = match lo {
                        Some(l) => x.gt(h)?.logical_or(&h.lt(l)?)?,
                        None => x.gt(h)?,
                    };
                    Tensor::where_(&mask, g, &zero)?.sum_to(h.shape())
                })?);
            }
            Ok(grads)
        })
    }

    /// `clamp_min(min)` with a tensor bound (ClampMinBackward1): self where `x >= min`,
    /// min where `x < min`.
    pub fn clamp_min_tensor(&self, min: &Tensor) -> Result<Tensor> {
        let out = max_forward(self, min, "clamp_min")?;
        rec_binary("ClampMinBackward1", self, min, out, false, |_, g, x, m| {
            let zero = zero_of(g);
            Ok((
                Some(Tensor::where_(&x.ge(m)?, g, &zero)?),
                Some(Tensor::where_(&x.lt(m)?, g, &zero)?),
            ))
        })
    }

    /// `clamp_max(max)` with a tensor bound (ClampMaxBackward1): self where `x <= max`,
    /// max where `x > max`.
    pub fn clamp_max_tensor(&self, max: &Tensor) -> Result<Tensor> {
        let out = min_forward(self, max, "clamp_max")?;
        rec_binary("ClampMaxBackward1", self, max, out, false, |_, g, x, m| {
            let zero = zero_of(g);
            Ok((
                Some(Tensor::where_(&x.le(m)?, g, &zero)?),
                Some(Tensor::where_(&x.gt(m)?, g, &zero)?),
            ))
        })
    }

    /// In-place `clamp_(min, max)` with number bounds.
    /// An integer tensor with a fractional bound is refused (no type-promoting in-place op).
    pub fn clamp_(&self, min: Option<f64>, max: Option<f64>) -> Result<&Tensor> {
        let d = clamp_scalar_dtype(self.dtype(), min, max);
        if d != self.dtype() {
            bail!(
                "result type {} can't be cast to the desired output type {}",
                kernel_dtype_name(d),
                super::meta_name(self.dtype())
            );
        }
        self.apply_inplace(|x| x.clamp(min, max))
    }

    /// In-place `clamp_(min, max)` with tensor bounds.
    pub fn clamp_tensor_(&self, min: Option<&Tensor>, max: Option<&Tensor>) -> Result<&Tensor> {
        let d = [min, max]
            .into_iter()
            .flatten()
            .fold(self.dtype(), |d, t| DType::promote(d, t.dtype()));
        if d != self.dtype() && !(d.is_floating_point() && self.dtype().is_floating_point()) {
            bail!(
                "result type {} can't be cast to the desired output type {}",
                kernel_dtype_name(d),
                kernel_dtype_name(self.dtype())
            );
        }
        self.apply_inplace(|x| x.clamp_tensor(min, max))
    }

    // ---- binary ops --------------------------------------------------------------------------

    /// `maximum(self, other)` (MaximumBackward0): nan propagates; ties split the gradient
    /// in half between the two sides.
    pub fn maximum(&self, other: &Tensor) -> Result<Tensor> {
        let out = max_forward(self, other, "maximum")?;
        rec_binary("MaximumBackward0", self, other, out, false, |_, g, a, b| {
            let zero = zero_of(g);
            let base = Tensor::where_(&a.eq(b)?, &g.div_scalar(2.0)?, g)?;
            Ok((
                Some(Tensor::where_(&a.lt(b)?, &zero, &base)?),
                Some(Tensor::where_(&a.gt(b)?, &zero, &base)?),
            ))
        })
    }

    /// `minimum(self, other)` (MinimumBackward0): nan propagates; ties split in half.
    pub fn minimum(&self, other: &Tensor) -> Result<Tensor> {
        let out = min_forward(self, other, "minimum")?;
        rec_binary("MinimumBackward0", self, other, out, false, |_, g, a, b| {
            let zero = zero_of(g);
            let base = Tensor::where_(&a.eq(b)?, &g.div_scalar(2.0)?, g)?;
            Ok((
                Some(Tensor::where_(&a.gt(b)?, &zero, &base)?),
                Some(Tensor::where_(&a.lt(b)?, &zero, &base)?),
            ))
        })
    }

    /// `fmax(self, other)` (FmaxBackward0): a nan operand is ignored; the gradient goes to
    /// self where `self >= other` or other is nan (so ties go all to self), else to other.
    pub fn fmax(&self, other: &Tensor) -> Result<Tensor> {
        let out = fmax_forward(self, other, true)?;
        rec_binary("FmaxBackward0", self, other, out, false, |_, g, a, b| {
            let zero = zero_of(g);
            let to_self = a.ge(b)?.logical_or(&b.isnan()?)?;
            Ok((
                Some(Tensor::where_(&to_self, g, &zero)?),
                Some(Tensor::where_(&to_self, &zero, g)?),
            ))
        })
    }

    /// `fmin(self, other)` (FminBackward0): nan-ignoring minimum; ties go all to self.
    pub fn fmin(&self, other: &Tensor) -> Result<Tensor> {
        let out = fmax_forward(self, other, false)?;
        rec_binary("FminBackward0", self, other, out, false, |_, g, a, b| {
            let zero = zero_of(g);
            let to_self = a.le(b)?.logical_or(&b.isnan()?)?;
            Ok((
                Some(Tensor::where_(&to_self, g, &zero)?),
                Some(Tensor::where_(&to_self, &zero, g)?),
            ))
        })
    }

    /// `atan2(self, other)` (Atan2Backward0): integers compute in float32. Gradients
    /// `g·other/(self² + other²)` and `-g·self/(self² + other²)` (nan at (0, 0)).
    pub fn atan2(&self, other: &Tensor) -> Result<Tensor> {
        let d = float_dtype(super::result_type(self, other));
        let out = float_zip(self, other, d, "atan2_cpu", |a, b| a.atan2(b))?;
        rec_binary("Atan2Backward0", self, other, out, false, |_, g, a, b| {
            let recip = a.mul(a)?.add(&b.mul(b)?)?.reciprocal()?;
            Ok((
                Some(g.mul(b)?.mul(&recip)?),
                Some(g.mul(&a.neg()?)?.mul(&recip)?),
            ))
        })
    }

    /// `hypot(self, other)` = `√(self² + other²)` (HypotBackward0): gradients `g·self/y`
    /// and `g·other/y`. Floating dtypes only.
    pub fn hypot(&self, other: &Tensor) -> Result<Tensor> {
        let d = super::result_type(self, other);
        float_only(d, "hypot_cpu")?;
        let out = float_zip(self, other, d, "hypot_cpu", |a, b| a.hypot(b))?;
        rec_binary("HypotBackward0", self, other, out, true, |ctx, g, a, b| {
            let y = ctx.output(0)?;
            Ok((Some(g.mul(a)?.div(&y)?), Some(g.mul(b)?.div(&y)?)))
        })
    }

    /// `fmod(self, other)`: C's remainder, with the sign of the dividend (FmodBackward1):
    /// self gets `g`, other `-g·trunc(self/other)`. Integer division by zero is an error.
    pub fn fmod(&self, other: &Tensor) -> Result<Tensor> {
        let out = rem_forward(self, other, false)?;
        rec_binary("FmodBackward1", self, other, out, false, |_, g, a, b| {
            Ok((Some(g.clone()), Some(g.neg()?.mul(&a.div(b)?.trunc()?)?)))
        })
    }

    /// `fmod(self, s)` with a number divisor (FmodBackward0, gradient `g`).
    pub fn fmod_scalar(&self, s: f64) -> Result<Tensor> {
        let other = Tensor::scalar(s, scalar_dtype(self.dtype(), s));
        let out = rem_forward(self, &other, false)?;
        record1("FmodBackward0", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// `remainder(self, other)`: Python's modulus, with the sign of the divisor
    /// (RemainderBackward1): self gets `g`, other `-g·floor(self/other)`.
    pub fn remainder(&self, other: &Tensor) -> Result<Tensor> {
        let out = rem_forward(self, other, true)?;
        rec_binary(
            "RemainderBackward1",
            self,
            other,
            out,
            false,
            |_, g, a, b| Ok((Some(g.clone()), Some(g.neg()?.mul(&a.div(b)?.floor()?)?))),
        )
    }

    /// `remainder(self, s)` with a number divisor (RemainderBackward0, gradient `g`).
    pub fn remainder_scalar(&self, s: f64) -> Result<Tensor> {
        let other = Tensor::scalar(s, scalar_dtype(self.dtype(), s));
        let out = rem_forward(self, &other, true)?;
        record1("RemainderBackward0", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// `lerp(end, weight)` with a number weight (LerpBackward0): `self + w·(end - self)`,
    /// computed as PyTorch does (from `end` when `|w| >= 0.5`). Gradients `g·(1-w)`, `g·w`.
    pub fn lerp(&self, end: &Tensor, weight: f64) -> Result<Tensor> {
        check_same_dtype(self, end, "end")?;
        float_only(self.dtype(), "lerp_kernel_scalar")?;
        let out = crate::float_dispatch!(self.dtype(), "lerp_kernel_scalar", T => {
            let w = T::from_f64(weight);
            let (a, b) = cast2(self, end, self.dtype())?;
            zip(&a, &b, move |s: T, e: T| lerp1(s, e, w))?
        });
        rec_binary("LerpBackward0", self, end, out, false, move |_, g, _, _| {
            Ok((
                Some(g.mul_scalar(1.0 - weight)?),
                Some(g.mul_scalar(weight)?),
            ))
        })
    }

    /// `lerp(end, weight)` with a tensor weight (LerpBackward1), broadcasting all three:
    /// gradients `g·(1-w)`, `g·w`, and `g·(end - self)` for the weight.
    pub fn lerp_tensor(&self, end: &Tensor, weight: &Tensor) -> Result<Tensor> {
        check_same_dtype(self, end, "end")?;
        check_same_dtype(self, weight, "weight")?;
        float_only(self.dtype(), "lerp_kernel_tensor")?;
        let out = crate::float_dispatch!(self.dtype(), "lerp_kernel_tensor", T => {
            zip3(self, end, weight, |s: T, e: T, w: T| lerp1(s, e, w))?
        });
        let (ss, se, sw) = (Saved::new(self), Saved::new(end), Saved::new(weight));
        record1(
            "LerpBackward1",
            &[self, end, weight],
            out,
            false,
            move |ctx, g| {
                let (s, e, w) = (ss.get()?, se.get()?, sw.get()?);
                let gs = ctx.grad_if(0, || g.mul(&w.rsub_scalar(1.0)?)?.sum_to(s.shape()))?;
                let ge = ctx.grad_if(1, || g.mul(w)?.sum_to(e.shape()))?;
                let gw = ctx.grad_if(2, || g.mul(&e.sub(s)?)?.sum_to(w.shape()))?;
                Ok(vec![gs, ge, gw])
            },
        )
    }

    /// `addcmul(t1, t2, value)` = `self + value·t1·t2` (AddcmulBackward0), broadcasting.
    pub fn addcmul(&self, t1: &Tensor, t2: &Tensor, value: f64) -> Result<Tensor> {
        let d = match crate::dtype::result_type(&[
            (self.dtype(), self.ndim()),
            (t1.dtype(), t1.ndim()),
            (t2.dtype(), t2.ndim()),
        ]) {
            DType::Bool => DType::I64,
            d => d,
        };
        if d.is_integer() && value.fract() != 0.0 {
            bail!(
                "For integral input tensors, argument value must not be a floating point number."
            );
        }
        let (s, a, b) = (
            self.detach().to_dtype(d)?,
            t1.detach().to_dtype(d)?,
            t2.detach().to_dtype(d)?,
        );
        let out = crate::numeric_dispatch!(d, "addcmul_cpu_out", T => {
            let v = T::from_f64(value);
            zip3(&s, &a, &b, move |s: T, x: T, y: T| s.nadd(v.nmul(x).nmul(y)))?
        });
        let (s0, s1, s2) = (Saved::new(self), Saved::new(t1), Saved::new(t2));
        record1(
            "AddcmulBackward0",
            &[self, t1, t2],
            out,
            false,
            move |ctx, g| {
                let (s, a, b) = (s0.get()?, s1.get()?, s2.get()?);
                Ok(vec![
                    ctx.grad_if(0, || g.sum_to(s.shape()))?,
                    ctx.grad_if(1, || g.mul(&b.mul_scalar(value)?)?.sum_to(a.shape()))?,
                    ctx.grad_if(2, || g.mul(&a.mul_scalar(value)?)?.sum_to(b.shape()))?,
                ])
            },
        )
    }

    /// `addcdiv(t1, t2, value)` = `self + value·t1/t2` (AddcdivBackward0), broadcasting.
    /// Integer `t1` and `t2` are refused, as in PyTorch.
    pub fn addcdiv(&self, t1: &Tensor, t2: &Tensor, value: f64) -> Result<Tensor> {
        if !t1.dtype().is_floating_point() && !t2.dtype().is_floating_point() {
            bail!("Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.");
        }
        let d = crate::dtype::result_type(&[
            (self.dtype(), self.ndim()),
            (t1.dtype(), t1.ndim()),
            (t2.dtype(), t2.ndim()),
        ]);
        let (s, a, b) = (
            self.detach().to_dtype(d)?,
            t1.detach().to_dtype(d)?,
            t2.detach().to_dtype(d)?,
        );
        let out = crate::float_dispatch!(d, "addcdiv_cpu_out", T => {
            let v = T::from_f64(value);
            zip3(&s, &a, &b, move |s: T, x: T, y: T| s + v * x / y)?
        });
        let (s0, s1, s2) = (Saved::new(self), Saved::new(t1), Saved::new(t2));
        record1(
            "AddcdivBackward0",
            &[self, t1, t2],
            out,
            false,
            move |ctx, g| {
                let (s, a, b) = (s0.get()?, s1.get()?, s2.get()?);
                Ok(vec![
                    ctx.grad_if(0, || g.sum_to(s.shape()))?,
                    ctx.grad_if(1, || g.mul(&b.rdiv_scalar(value)?)?.sum_to(a.shape()))?,
                    ctx.grad_if(2, || {
                        g.neg()?
                            .mul_scalar(value)?
                            .mul(a)?
                            .div(&b.mul(b)?)?
                            .sum_to(b.shape())
                    })?,
                ])
            },
        )
    }

    /// `xlogy(self, other)` = `self·ln(other)`, 0 where `self == 0` (unless other is nan)
    /// (XlogyBackward0): self gets `g·xlogy(self != 0, other)` (so 0 where self is 0,
    /// whatever other is), other gets `g·self/other`. Integers compute in float32.
    pub fn xlogy(&self, other: &Tensor) -> Result<Tensor> {
        let d = float_dtype(super::result_type(self, other));
        let out = float_zip(self, other, d, "xlogy_cpu", |x, y| {
            if y.is_nan() {
                f64::NAN
            } else if x == 0.0 {
                0.0
            } else {
                x * y.ln()
            }
        })?;
        rec_binary("XlogyBackward0", self, other, out, false, |_, g, a, b| {
            Ok((
                Some(g.mul(&a.ne_scalar(0.0)?.xlogy(b)?)?),
                Some(g.mul(a)?.div(b)?),
            ))
        })
    }

    /// `logaddexp(self, other)` = `ln(e^self + e^other)`, stably (LogaddexpBackward0):
    /// gradients `g/(1 + e^(other-self))` and `g/(1 + e^(self-other))`. Floats only.
    pub fn logaddexp(&self, other: &Tensor) -> Result<Tensor> {
        let d = super::result_type(self, other);
        float_only(d, "logaddexp_cpu")?;
        let out = float_zip(self, other, d, "logaddexp_cpu", |a, b| {
            if a.is_infinite() && a == b {
                a
            } else {
                let m = if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                };
                m + (-(a - b).abs()).exp().ln_1p()
            }
        })?;
        rec_binary(
            "LogaddexpBackward0",
            self,
            other,
            out,
            false,
            |_, g, a, b| {
                Ok((
                    Some(g.div(&b.sub(a)?.exp()?.add_scalar(1.0)?)?),
                    Some(g.div(&a.sub(b)?.exp()?.add_scalar(1.0)?)?),
                ))
            },
        )
    }

    /// `logaddexp2(self, other)` = `log2(2^self + 2^other)` (Logaddexp2Backward0):
    /// gradients `g/(1 + 2^(other-self))` and `g/(1 + 2^(self-other))`. Floats only.
    pub fn logaddexp2(&self, other: &Tensor) -> Result<Tensor> {
        let d = super::result_type(self, other);
        float_only(d, "logaddexp2_cpu")?;
        let out = float_zip(self, other, d, "logaddexp2_cpu", |a, b| {
            if a.is_infinite() && a == b {
                a
            } else {
                let m = if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                };
                m + (-(a - b).abs()).exp2().ln_1p() / LN_2
            }
        })?;
        rec_binary(
            "Logaddexp2Backward0",
            self,
            other,
            out,
            false,
            |_, g, a, b| {
                Ok((
                    Some(g.div(&b.sub(a)?.exp2()?.add_scalar(1.0)?)?),
                    Some(g.div(&a.sub(b)?.exp2()?.add_scalar(1.0)?)?),
                ))
            },
        )
    }

    /// `copysign(self, other)`: |self| with the sign of other (CopysignBackward0):
    /// self gets `g·y/self` (0 where self is 0), other a zero gradient. Integers give float32.
    pub fn copysign(&self, other: &Tensor) -> Result<Tensor> {
        let d = float_dtype(super::result_type(self, other));
        let out = float_zip(self, other, d, "copysign_cpu", |a, b| a.copysign(b))?;
        rec_binary(
            "CopysignBackward0",
            self,
            other,
            out,
            true,
            |ctx, g, a, b| {
                let y = ctx.output(0)?;
                let ratio = Tensor::where_(&a.eq_scalar(0.0)?, &zero_of(g), &y.div(a)?)?;
                Ok((
                    Some(g.mul(&ratio)?),
                    Some(b.zeros_like().to_dtype(g.dtype())?),
                ))
            },
        )
    }

    /// `copysign(self, s)` with a number (CopysignBackward1).
    pub fn copysign_scalar(&self, s: f64) -> Result<Tensor> {
        let d = float_dtype(self.dtype());
        let other = Tensor::scalar(s, d);
        let out = float_zip(self, &other, d, "copysign_cpu", |a, b| a.copysign(b))?;
        let x = Saved::new(self);
        record1("CopysignBackward1", &[self], out, true, move |ctx, g| {
            let (x, y) = (x.get()?, ctx.output(0)?);
            let ratio = Tensor::where_(&x.eq_scalar(0.0)?, &zero_of(g), &y.div(x)?)?;
            Ok(vec![Some(g.mul(&ratio)?)])
        })
    }
}

// ---- element kernels -----------------------------------------------------------------------

fn sign_forward(x: &Tensor) -> Result<Tensor> {
    map_keep!(x, "sign_cpu",
        float: |v| if v > 0.0 { 1.0 } else if v < 0.0 { -1.0 } else { 0.0 },
        int: |v| v.signum(),
        bool: |v| v)
}

fn nan_to_num1<T: Copy + PartialEq + crate::element::Float>(
    v: T,
    nan: T,
    posinf: T,
    neginf: T,
) -> T {
    if v.is_nan() {
        nan
    } else if v == T::from_f64(f64::INFINITY) {
        posinf
    } else if v == T::from_f64(f64::NEG_INFINITY) {
        neginf
    } else {
        v
    }
}

/// An elementwise predicate on the values (as f64; exact for the floating types).
fn bool_map(x: &Tensor, f: impl Fn(f64) -> bool) -> Result<Tensor> {
    let v = match x.dtype() {
        DType::F32 => with_slice(x, |d: &[f32]| {
            kernels::unary(d, x.layout(), |v| f(v as f64))
        })?,
        DType::F64 => with_slice(x, |d: &[f64]| kernels::unary(d, x.layout(), &f))?,
        // integers and bools are always finite
        _ => vec![f(0.0); x.numel()],
    };
    Tensor::from_buffer(Buffer::Bool(v), x.shape().to_vec())
}

/// `min(max(a, lo), hi)` with C++'s `std::max`/`std::min` semantics (a nan input stays nan).
#[inline]
fn clamp1<T: PartialOrd + Copy>(a: T, lo: Option<T>, hi: Option<T>) -> T {
    let a = match lo {
        Some(m) if a < m => m,
        _ => a,
    };
    match hi {
        Some(m) if m < a => m,
        _ => a,
    }
}

/// nan-propagating maximum (`maximum`, `clamp_min` with a tensor), any dtype.
#[allow(clippy::eq_op)]
fn max_forward(a: &Tensor, b: &Tensor, op: &str) -> Result<Tensor> {
    let d = super::result_type(a, b);
    let (a, b) = cast2(a, b, d)?;
    all_dispatch!(d, op, T => zip(&a, &b, |x: T, y: T| {
        if x != x { x } else if y != y { y } else if x > y { x } else { y }
    }))
}

/// nan-propagating minimum.
#[allow(clippy::eq_op)]
fn min_forward(a: &Tensor, b: &Tensor, op: &str) -> Result<Tensor> {
    let d = super::result_type(a, b);
    let (a, b) = cast2(a, b, d)?;
    all_dispatch!(d, op, T => zip(&a, &b, |x: T, y: T| {
        if x != x { x } else if y != y { y } else if x < y { x } else { y }
    }))
}

/// nan-ignoring maximum (`is_max`) or minimum: `fmax`/`fmin`.
#[allow(clippy::eq_op)]
fn fmax_forward(a: &Tensor, b: &Tensor, is_max: bool) -> Result<Tensor> {
    let d = super::result_type(a, b);
    let (a, b) = cast2(a, b, d)?;
    let op = if is_max { "fmax" } else { "fmin" };
    all_dispatch!(d, op, T => zip(&a, &b, move |x: T, y: T| {
        if x != x { y } else if y != y { x } else if (x > y) == is_max { x } else { y }
    }))
}

/// A float binary op computed in f64 on operands promoted to the floating dtype `d`.
fn float_zip(
    a: &Tensor,
    b: &Tensor,
    d: DType,
    op: &str,
    f: impl Fn(f64, f64) -> f64,
) -> Result<Tensor> {
    let (a, b) = cast2(a, b, d)?;
    match d {
        DType::F32 => zip(&a, &b, |x: f32, y: f32| f(x as f64, y as f64) as f32),
        DType::F64 => zip(&a, &b, |x: f64, y: f64| f(x, y)),
        other => bail!(
            "\"{}\" not implemented for '{}'",
            op,
            kernel_dtype_name(other)
        ),
    }
}

/// fmod (`python = false`) or Python's remainder (`python = true`).
fn rem_forward(a: &Tensor, b: &Tensor, python: bool) -> Result<Tensor> {
    let d = super::result_type(a, b);
    let op = if python { "remainder_cpu" } else { "fmod_cpu" };
    if d == DType::Bool {
        bail!("\"{}\" not implemented for 'Bool'", op);
    }
    let (a, b) = cast2(a, b, d)?;
    if d.is_integer() && b.to_f64_vec().contains(&0.0) {
        bail!("ZeroDivisionError");
    }
    map_pair(&a, &b, d, python)
}

fn map_pair(a: &Tensor, b: &Tensor, d: DType, python: bool) -> Result<Tensor> {
    macro_rules! rem {
        ($T:ty, |$x:ident, $y:ident| $r:expr) => {
            zip(a, b, move |$x: $T, $y: $T| {
                let r = $r;
                if python && r != (0 as $T) && ((r < (0 as $T)) != ($y < (0 as $T))) {
                    r + $y
                } else {
                    r
                }
            })
        };
    }
    match d {
        DType::F32 => rem!(f32, |x, y| x % y),
        DType::F64 => rem!(f64, |x, y| x % y),
        DType::I32 => rem!(i32, |x, y| x.wrapping_rem(y)),
        DType::I64 => rem!(i64, |x, y| x.wrapping_rem(y)),
        DType::F16 | DType::BF16 => {
            let (a32, b32) = cast2(a, b, DType::F32)?;
            map_pair(&a32, &b32, DType::F32, python)?.to_dtype(d)
        }
        DType::Bool => bail!("\"fmod_cpu\" not implemented for 'Bool'"),
    }
}

/// PyTorch's lerp: `self + w·(end - self)` when `|w| < 0.5`, else `end - (end - self)·(1 - w)`.
#[inline]
fn lerp1<T: crate::element::Float>(s: T, e: T, w: T) -> T {
    let half = T::from_f64(0.5);
    let aw = if w < T::ZERO { -w } else { w };
    if aw < half {
        s + w * (e - s)
    } else {
        e - (e - s) * (T::ONE - w)
    }
}

fn check_same_dtype(s: &Tensor, t: &Tensor, what: &str) -> Result<()> {
    if s.dtype() != t.dtype() {
        bail!(
            "expected dtype {} for `{}` but got dtype {}",
            super::meta_name(s.dtype()),
            what,
            super::meta_name(t.dtype())
        );
    }
    Ok(())
}

// ---- op table ------------------------------------------------------------------------------

use super::registry::{input, Domain::*, Grad, OpSpec};

const D2: Grad = Grad::Differentiable { double: true };
const FLOATS: &str = "float32, float64 (integers compute in float32)";
const FLOAT_ONLY: &str = "float32, float64";
const NUMERIC: &str = "float32, float64, int32, int64 (kept)";

macro_rules! unary_spec {
    ($name:literal, $js:literal, $gf:literal, $dtypes:expr, $grad:expr, $dom:expr, $notes:literal, $run:expr) => {
        OpSpec {
            name: $name,
            js: $js,
            grad_fn: $gf,
            dtypes: $dtypes,
            grad: $grad,
            notes: $notes,
            inputs: vec![input(&[2, 3], $dom)],
            run: $run,
        }
    };
}

macro_rules! binary_spec {
    ($name:literal, $js:literal, $gf:literal, $dtypes:expr, $d0:expr, $d1:expr, $notes:literal, $run:expr) => {
        OpSpec {
            name: $name,
            js: $js,
            grad_fn: $gf,
            dtypes: $dtypes,
            grad: D2,
            notes: $notes,
            inputs: vec![input(&[2, 3], $d0), input(&[3], $d1)],
            run: $run,
        }
    };
}

pub(crate) fn specs() -> Vec<OpSpec> {
    vec![
        unary_spec!("abs", "abs", "AbsBackward0", NUMERIC, D2, Any, "`g*sgn(x)`: 0 at x = 0", |x| x[0].abs()),
        unary_spec!("sign", "sign", "SignBackward0", "all (bool stays bool)", Grad::Zero, Any, "0 for ±0 and nan", |x| x[0].sign()),
        unary_spec!("sgn", "sgn", "SgnBackward0", "all (bool stays bool)", Grad::Zero, Any, "`sign` for real tensors", |x| x[0].sgn()),
        unary_spec!("square", "square", "PowBackward0", "float32, float64, int32, int64 (bool gives int64)", D2, Any, "`pow(x, 2)`", |x| x[0].square()),
        unary_spec!("exp2", "exp2", "Exp2Backward0", FLOATS, D2, Any, "`g*y*ln2`", |x| x[0].exp2()),
        unary_spec!("expm1", "expm1", "Expm1Backward0", FLOATS, D2, Any, "`g*(y+1)`", |x| x[0].expm1()),
        unary_spec!("log2", "log2", "Log2Backward0", FLOATS, D2, Positive, "`g/(x*ln2)`", |x| x[0].log2()),
        unary_spec!("log10", "log10", "Log10Backward0", FLOATS, D2, Positive, "`g/(x*ln10)`", |x| x[0].log10()),
        unary_spec!("log1p", "log1p", "Log1PBackward0", FLOATS, D2, Positive, "`g/(x+1)`", |x| x[0].log1p()),
        unary_spec!("rsqrt", "rsqrt", "RsqrtBackward0", FLOATS, D2, Positive, "`-0.5*g*y³`; inf at 0", |x| x[0].rsqrt()),
        unary_spec!("reciprocal", "reciprocal", "ReciprocalBackward0", FLOATS, D2, Any, "`-g*y²`", |x| x[0].reciprocal()),
        unary_spec!("tan", "tan", "TanBackward0", FLOATS, D2, Unit, "`g*(1+y²)`", |x| x[0].tan()),
        unary_spec!("asin", "asin", "AsinBackward0", FLOATS, D2, Unit, "nan outside [-1, 1]", |x| x[0].asin()),
        unary_spec!("acos", "acos", "AcosBackward0", FLOATS, D2, Unit, "nan outside [-1, 1]", |x| x[0].acos()),
        unary_spec!("atan", "atan", "AtanBackward0", FLOATS, D2, Any, "", |x| x[0].atan()),
        unary_spec!("sinh", "sinh", "SinhBackward0", FLOATS, D2, Any, "", |x| x[0].sinh()),
        unary_spec!("cosh", "cosh", "CoshBackward0", FLOATS, D2, Any, "", |x| x[0].cosh()),
        unary_spec!("asinh", "asinh", "AsinhBackward0", FLOATS, D2, Any, "", |x| x[0].asinh()),
        unary_spec!("acosh", "acosh", "AcoshBackward0", FLOATS, D2, AboveOne, "nan below 1", |x| x[0].acosh()),
        unary_spec!("atanh", "atanh", "AtanhBackward0", FLOATS, D2, Unit, "±inf at ±1", |x| x[0].atanh()),
        unary_spec!("erf", "erf", "ErfBackward0", FLOATS, D2, Any, "accurate to ~1 ulp (fdlibm's algorithm)", |x| x[0].erf()),
        unary_spec!("erfc", "erfc", "ErfcBackward0", FLOATS, D2, Any, "accurate in the tail", |x| x[0].erfc()),
        unary_spec!("erfinv", "erfinv", "ErfinvBackward0", FLOATS, D2, Unit, "±inf at ±1, nan outside", |x| x[0].erfinv()),
        unary_spec!("floor", "floor", "FloorBackward0", NUMERIC, Grad::Zero, Any, "integers unchanged", |x| x[0].floor()),
        unary_spec!("ceil", "ceil", "CeilBackward0", NUMERIC, Grad::Zero, Any, "integers unchanged", |x| x[0].ceil()),
        unary_spec!("round", "round", "RoundBackward0", NUMERIC, Grad::Zero, Any, "half to even", |x| x[0].round()),
        unary_spec!("round (decimals)", "round(x, { decimals })", "RoundBackward1", FLOAT_ONLY, Grad::Zero, Any, "`nearbyint(x*10^d)/10^d`", |x| x[0].round_decimals(1)),
        unary_spec!("trunc", "trunc", "TruncBackward0", NUMERIC, Grad::Zero, Any, "integers unchanged", |x| x[0].trunc()),
        unary_spec!("frac", "frac", "FracBackward0", FLOAT_ONLY, D2, Any, "`x - trunc(x)`; gradient `g`", |x| x[0].frac()),
        unary_spec!("relu", "relu", "ReluBackward0", NUMERIC, D2, Any, "grad 0 at 0; relu(nan) = nan and passes the gradient", |x| x[0].relu()),
        unary_spec!("nan_to_num", "nanToNum", "NanToNumBackward0", "all (integers unchanged)", D2, Any, "`{ nan, posinf, neginf }`; gradient `g*isfinite(x)`", |x| x[0].nan_to_num(None, None, None)),
        unary_spec!("isnan / isinf / isfinite / isposinf / isneginf", "isnan / isinf / isfinite / isposinf / isneginf", "", "all", Grad::None, Any, "return bool", |x| x[0].isfinite()),
        unary_spec!("clamp", "clamp / clip", "ClampBackward1", NUMERIC, D2, Any, "number bounds; grad 1 at the bounds (inclusive); min > max gives max and grad 0; a fractional bound makes an integer tensor float32", |x| x[0].clamp(Some(-0.5), Some(0.7))),
        OpSpec { name: "clamp (tensor bounds)", js: "clamp / clip", grad_fn: "ClampBackward0", dtypes: NUMERIC, grad: D2, notes: "broadcasting; min grad where `x < min < max`, max grad where `x > max` or `max < min`", inputs: vec![input(&[2, 3], Any), input(&[3], Any), input(&[2, 1], Any)], run: |x| x[0].clamp_tensor(Some(&x[1]), Some(&x[2])) },
        unary_spec!("clamp_min", "clampMin", "ClampMinBackward0", NUMERIC, D2, Any, "grad where `x >= min`; a tensor bound gives ClampMinBackward1", |x| x[0].clamp_min(0.3)),
        unary_spec!("clamp_max", "clampMax", "ClampMaxBackward0", NUMERIC, D2, Any, "grad where `x <= max`; a tensor bound gives ClampMaxBackward1", |x| x[0].clamp_max(0.3)),
        binary_spec!("clamp_min (tensor)", "clampMin", "ClampMinBackward1", NUMERIC, Any, Any, "min grad where `x < min`", |x| x[0].clamp_min_tensor(&x[1])),
        binary_spec!("clamp_max (tensor)", "clampMax", "ClampMaxBackward1", NUMERIC, Any, Any, "max grad where `x > max`", |x| x[0].clamp_max_tensor(&x[1])),
        binary_spec!("maximum", "maximum", "MaximumBackward0", "all", Any, Any, "nan propagates; ties split the gradient in half", |x| x[0].maximum(&x[1])),
        binary_spec!("minimum", "minimum", "MinimumBackward0", "all", Any, Any, "nan propagates; ties split the gradient in half", |x| x[0].minimum(&x[1])),
        binary_spec!("fmax", "fmax", "FmaxBackward0", "all", Any, Any, "nan ignored; ties give all to self", |x| x[0].fmax(&x[1])),
        binary_spec!("fmin", "fmin", "FminBackward0", "all", Any, Any, "nan ignored; ties give all to self", |x| x[0].fmin(&x[1])),
        binary_spec!("atan2", "atan2 / arctan2", "Atan2Backward0", FLOATS, Any, Any, "", |x| x[0].atan2(&x[1])),
        binary_spec!("hypot", "hypot", "HypotBackward0", FLOAT_ONLY, Any, Any, "", |x| x[0].hypot(&x[1])),
        binary_spec!("fmod", "fmod", "FmodBackward1", NUMERIC, Positive, Positive, "sign of the dividend; other's grad `-g*trunc(self/other)`; a number divisor gives FmodBackward0; integer division by zero raises", |x| x[0].mul_scalar(3.0)?.fmod(&x[1])),
        binary_spec!("remainder", "remainder", "RemainderBackward1", NUMERIC, Any, Positive, "sign of the divisor (Python's %); other's grad `-g*floor(self/other)`; a number divisor gives RemainderBackward0", |x| x[0].mul_scalar(3.0)?.remainder(&x[1])),
        OpSpec { name: "lerp", js: "lerp", grad_fn: "LerpBackward0", dtypes: FLOAT_ONLY, grad: D2, notes: "number weight; `end` must have self's dtype", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| x[0].lerp(&x[1], 0.3) },
        OpSpec { name: "lerp (tensor weight)", js: "lerp", grad_fn: "LerpBackward1", dtypes: FLOAT_ONLY, grad: D2, notes: "weight grad `g*(end-self)`", inputs: vec![input(&[2, 3], Any), input(&[3], Any), input(&[2, 1], Any)], run: |x| x[0].lerp_tensor(&x[1], &x[2]) },
        OpSpec { name: "addcmul", js: "addcmul", grad_fn: "AddcmulBackward0", dtypes: NUMERIC, grad: D2, notes: "`self + value*t1*t2`; `{ value }`", inputs: vec![input(&[2, 3], Any), input(&[3], Any), input(&[2, 1], Any)], run: |x| x[0].addcmul(&x[1], &x[2], 0.7) },
        OpSpec { name: "addcdiv", js: "addcdiv", grad_fn: "AddcdivBackward0", dtypes: FLOAT_ONLY, grad: D2, notes: "`self + value*t1/t2`; integer t1 and t2 refused", inputs: vec![input(&[2, 3], Any), input(&[3], Any), input(&[2, 1], Positive)], run: |x| x[0].addcdiv(&x[1], &x[2], 0.7) },
        binary_spec!("xlogy", "xlogy", "XlogyBackward0", FLOATS, Any, Positive, "0 where self is 0 (nan if other is nan); self grad 0 where self is 0", |x| x[0].xlogy(&x[1])),
        binary_spec!("logaddexp", "logaddexp", "LogaddexpBackward0", FLOAT_ONLY, Any, Any, "stable; equal infinities give themselves", |x| x[0].logaddexp(&x[1])),
        binary_spec!("logaddexp2", "logaddexp2", "Logaddexp2Backward0", FLOAT_ONLY, Any, Any, "", |x| x[0].logaddexp2(&x[1])),
        binary_spec!("copysign", "copysign", "CopysignBackward0", FLOATS, Any, Any, "other's grad is zero; a number gives CopysignBackward1", |x| x[0].copysign(&x[1])),
    ]
}
