//! Elementwise unary ops, generated from one table: name, grad_fn name, forward per element,
//! and the backward rule in tensor ops (`g` = grad of the output, `x` = input, `y` = output).

use crate::kernels;
use crate::kernels::provider::UnaryKind;
use crate::tensor::{record1, Tensor};
use crate::Result;

/// Forward of a float unary op: provider first (f32, contiguous), else the CPU kernel.
fn unary_forward(
    x: &Tensor,
    op: &'static str,
    kind: Option<UnaryKind>,
    f32f: impl Fn(f32) -> f32,
    f64f: impl Fn(f64) -> f64,
) -> Result<Tensor> {
    let shape = x.shape().to_vec();
    match x.dtype() {
        crate::DType::F32 => {
            // The external provider first, before borrowing the host data (so an input that
            // lives on its device is not downloaded).
            if let Some(t) = kind.and_then(|k| super::offload::unary(k, x)) {
                return Ok(t);
            }
            let buf = x.buffer();
            let data = <f32 as crate::element::Element>::slice(&buf).unwrap_or(&[][..]);
            let v = kernels::unary(data, x.layout(), f32f);
            drop(buf);
            Tensor::from_vec(v, shape)
        }
        crate::DType::F64 => {
            let v = super::with_slice(x, |d: &[f64]| kernels::unary(d, x.layout(), f64f))?;
            Tensor::from_vec(v, shape)
        }
        // Half types compute in float32 and round back.
        crate::DType::F16 | crate::DType::BF16 => super::via_f32(x, |t| t.unary_forward_again(op)),
        // Integers and bools compute in the default float dtype, as in PyTorch.
        _ => crate::no_grad(|| x.to_dtype(crate::DType::F32)?.unary_forward_again(op)),
    }
}

/// Unary ops on autocast's float32 list.
const AUTOCAST_FP32: &[&str] = &["exp", "log"];

macro_rules! unary_ops {
    ($(
        $(#[$doc:meta])*
        $name:ident, $grad_fn:literal, $kind:expr, save_input: $save_in:literal, save_output: $save:literal,
        fwd: |$v:ident| $fwd:expr,
        bwd: |$g:ident, $x:ident, $y:ident| $bwd:expr;
    )*) => {
        impl Tensor {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Result<Tensor> {
                    if crate::autocast::autocast_dtype().is_some()
                        && super::is_half(self.dtype())
                        && AUTOCAST_FP32.contains(&stringify!($name))
                    {
                        return crate::autocast::fp32(self)?.$name();
                    }
                    let out = unary_forward(self, stringify!($name), $kind, |$v: f32| $fwd, |$v: f64| $fwd)?;
                    let saved_x = if $save_in { Some(crate::autograd::saved::Saved::new(self)) } else { None };
                    record1($grad_fn, &[self], out, $save, move |_ctx, $g| {
                        #[allow(unused_variables)]
                        let $x = || saved_x.as_ref().ok_or_else(crate::autograd::node::freed_error).and_then(|s| s.get());
                        #[allow(unused_variables)]
                        let $y = || _ctx.output(0);
                        Ok(vec![Some($bwd)])
                    })
                }
            )*

            /// Re-run a unary op by name (used after promoting a bool input).
            fn unary_forward_again(&self, op: &str) -> Result<Tensor> {
                match op {
                    $(stringify!($name) => self.$name(),)*
                    _ => crate::bail!("unknown unary op {}", op),
                }
            }
        }

        /// Names of the generated unary ops (for the op table in docs and tests).
        pub const UNARY_OPS: &[(&str, &str)] = &[$((stringify!($name), $grad_fn)),*];
    };
}

unary_ops! {
    /// `-x`
    neg, "NegBackward0", Some(UnaryKind::Neg), save_input: false, save_output: false,
        fwd: |v| -v,
        bwd: |g, x, y| g.neg()?;
    /// `e^x`; the gradient reuses the output.
    exp, "ExpBackward0", Some(UnaryKind::Exp), save_input: false, save_output: true,
        fwd: |v| v.exp(),
        bwd: |g, x, y| g.mul(&y()?)?;
    /// Natural log; `log(0) = -inf`, negative input gives nan, the gradient is `g/x` regardless.
    log, "LogBackward0", Some(UnaryKind::Log), save_input: true, save_output: false,
        fwd: |v| v.ln(),
        bwd: |g, x, y| g.div(x()?)?;
    /// `sin(x)`, gradient `g·cos(x)`.
    sin, "SinBackward0", None, save_input: true, save_output: false,
        fwd: |v| v.sin(),
        bwd: |g, x, y| g.mul(&x()?.cos()?)?;
    /// `cos(x)`, gradient `-g·sin(x)`.
    cos, "CosBackward0", None, save_input: true, save_output: false,
        fwd: |v| v.cos(),
        bwd: |g, x, y| g.mul(&x()?.sin()?)?.neg()?;
    /// `tanh(x)`, gradient `g·(1 - y²)` from the output.
    tanh, "TanhBackward0", Some(UnaryKind::Tanh), save_input: false, save_output: true,
        fwd: |v| crate::kernels::math::Tanh::tanh_kernel(v),
        bwd: |g, x, y| { let y = y()?; g.mul(&y.mul(&y)?.rsub_scalar(1.0)?)? };
    /// Logistic sigmoid, gradient `g·y·(1 - y)`.
    sigmoid, "SigmoidBackward0", None, save_input: false, save_output: true,
        fwd: |v| 1.0 / (1.0 + (-v).exp()),
        bwd: |g, x, y| { let y = y()?; g.mul(&y.mul(&y.rsub_scalar(1.0)?)?)? };
    /// `sqrt(x)`, gradient `g / (2·y)` (inf at 0, as PyTorch).
    sqrt, "SqrtBackward0", None, save_input: false, save_output: true,
        fwd: |v| v.sqrt(),
        bwd: |g, x, y| g.div(&y()?.mul_scalar(2.0)?)?;
}

use super::registry::{input, Domain::*, Grad, OpSpec};

const D2: Grad = Grad::Differentiable { double: true };
const FLOATS: &str = "float32, float64 (integers compute in float32)";

pub(crate) fn specs() -> Vec<OpSpec> {
    vec![
        OpSpec {
            name: "neg",
            js: "neg",
            grad_fn: "NegBackward0",
            dtypes: "float32, float64, int32, int64",
            grad: D2,
            notes: "",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].neg(),
        },
        OpSpec {
            name: "exp",
            js: "exp",
            grad_fn: "ExpBackward0",
            dtypes: FLOATS,
            grad: D2,
            notes: "gradient reuses the output",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].exp(),
        },
        OpSpec {
            name: "log",
            js: "log",
            grad_fn: "LogBackward0",
            dtypes: FLOATS,
            grad: D2,
            notes: "`g/x`: inf at 0; finite at negative x though the value is nan",
            inputs: vec![input(&[2, 3], Positive)],
            run: |x| x[0].log(),
        },
        OpSpec {
            name: "sin",
            js: "sin",
            grad_fn: "SinBackward0",
            dtypes: FLOATS,
            grad: D2,
            notes: "",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].sin(),
        },
        OpSpec {
            name: "cos",
            js: "cos",
            grad_fn: "CosBackward0",
            dtypes: FLOATS,
            grad: D2,
            notes: "",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].cos(),
        },
        OpSpec {
            name: "tanh",
            js: "tanh",
            grad_fn: "TanhBackward0",
            dtypes: FLOATS,
            grad: D2,
            notes: "`g*(1-y²)`",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].tanh(),
        },
        OpSpec {
            name: "sigmoid",
            js: "sigmoid",
            grad_fn: "SigmoidBackward0",
            dtypes: FLOATS,
            grad: D2,
            notes: "`g*y*(1-y)`",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].sigmoid(),
        },
        OpSpec {
            name: "sqrt",
            js: "sqrt",
            grad_fn: "SqrtBackward0",
            dtypes: FLOATS,
            grad: D2,
            notes: "`g/(2y)`: inf at 0, nan when g is 0 there",
            inputs: vec![input(&[2, 3], Positive)],
            run: |x| x[0].sqrt(),
        },
    ]
}
