//! Activation functions of `torch.nn.functional` with PyTorch's CPU kernels' formulas and
//! their backward conventions at the kinks (`aten/src/ATen/native/cpu/Activation.cpp`).
//! Forwards are dedicated elementwise kernels (computed in f64, rounded to the dtype; half
//! types via float32); backwards are written with differentiable tensor ops, so second
//! derivatives work.

use super::super::{kernel_dtype_name, via_f32, with_slice};
use crate::dtype::DType;
use crate::kernels;
use crate::ops::pointwise::{rec_input, zero_of};
use crate::tensor::Tensor;
use crate::{bail, Result};
use std::f64::consts::{FRAC_1_SQRT_2, FRAC_2_SQRT_PI, SQRT_2};

/// Apply `f` elementwise to a floating tensor (no graph); integer/bool inputs are refused
/// with PyTorch's "not implemented" message naming `kernel`.
pub(crate) fn map_act(x: &Tensor, kernel: &str, f: &dyn Fn(f64) -> f64) -> Result<Tensor> {
    let shape = x.shape().to_vec();
    match x.dtype() {
        DType::F32 => {
            let v = with_slice(x, |d: &[f32]| {
                kernels::unary(d, x.layout(), |v| f(v as f64) as f32)
            })?;
            Tensor::from_vec(v, shape)
        }
        DType::F64 => {
            let v = with_slice(x, |d: &[f64]| kernels::unary(d, x.layout(), f))?;
            Tensor::from_vec(v, shape)
        }
        DType::F16 | DType::BF16 => via_f32(x, |t| map_act(t, kernel, f)),
        d => bail!(
            "\"{}\" not implemented for '{}'",
            kernel,
            kernel_dtype_name(d)
        ),
    }
}

/// `sigmoid` of a tensor through the differentiable op.
fn sig(x: &Tensor) -> Result<Tensor> {
    x.sigmoid()
}

const SELU_ALPHA: f64 = 1.673_263_242_354_377_284_817_042_991_671_7;
const SELU_SCALE: f64 = 1.050_700_987_355_480_493_419_334_985_294_6;

impl Tensor {
    /// `F.hardtanh(x, min_val, max_val)` (HardtanhBackward0): clamp; the gradient is 0 at
    /// and beyond the bounds (`x <= min || x >= max`), as PyTorch's kernel.
    pub fn hardtanh(&self, min_val: f64, max_val: f64) -> Result<Tensor> {
        let out = map_act(self, "hardtanh", &|v| {
            if v.is_nan() {
                v
            } else if v < min_val {
                min_val
            } else if v > max_val {
                max_val
            } else {
                v
            }
        })?;
        rec_input("HardtanhBackward0", self, out, move |g, x| {
            let mask = x.le_scalar(min_val)?.logical_or(&x.ge_scalar(max_val)?)?;
            Tensor::where_(&mask, &zero_of(g), g)
        })
    }

    /// `F.relu6(x)` = `hardtanh(x, 0, 6)` (HardtanhBackward0).
    pub fn relu6(&self) -> Result<Tensor> {
        self.hardtanh(0.0, 6.0)
    }

    /// `F.leaky_relu(x, negative_slope)` (LeakyReluBackward0): gradient `slope` at 0.
    pub fn leaky_relu(&self, negative_slope: f64) -> Result<Tensor> {
        self.leaky_relu_impl(negative_slope, false)
    }

    /// `inplace`: the node of PyTorch's `leaky_relu_` (LeakyReluBackward1), whose backward
    /// reads the result and so refuses a negative slope.
    pub(crate) fn leaky_relu_impl(&self, negative_slope: f64, inplace: bool) -> Result<Tensor> {
        let out = map_act(self, "leaky_relu_cpu", &|v| {
            if v > 0.0 {
                v
            } else {
                v * negative_slope
            }
        })?;
        let name = if inplace {
            "LeakyReluBackward1"
        } else {
            "LeakyReluBackward0"
        };
        rec_input(name, self, out, move |g, x| {
            if inplace && negative_slope < 0.0 {
                bail!("In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward calculation with negative slope");
            }
            Tensor::where_(&x.gt_scalar(0.0)?, g, &g.mul_scalar(negative_slope)?)
        })
    }

    /// PyTorch's `elu(x, alpha, scale, input_scale)` (EluBackward0): the negative branch
    /// (`x <= 0`, so the gradient at 0 is `alpha·scale·input_scale`).
    pub fn elu_full(&self, alpha: f64, scale: f64, input_scale: f64) -> Result<Tensor> {
        self.elu_impl(alpha, scale, input_scale, false)
    }

    /// `inplace`: the node of PyTorch's `elu_` (EluBackward1), whose backward reads the
    /// result and so refuses a negative alpha.
    pub(crate) fn elu_impl(
        &self,
        alpha: f64,
        scale: f64,
        input_scale: f64,
        inplace: bool,
    ) -> Result<Tensor> {
        let out = map_act(self, "elu_cpu", &|v| {
            if v > 0.0 {
                v * scale
            } else {
                ((v * input_scale).exp() - 1.0) * alpha * scale
            }
        })?;
        let name = if inplace {
            "EluBackward1"
        } else {
            "EluBackward0"
        };
        rec_input(name, self, out, move |g, x| {
            if inplace && alpha < 0.0 {
                bail!("In-place elu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead.");
            }
            let neg = g.mul(
                &x.mul_scalar(input_scale)?
                    .exp()?
                    .mul_scalar(input_scale * alpha * scale)?,
            )?;
            Tensor::where_(&x.le_scalar(0.0)?, &neg, &g.mul_scalar(scale)?)
        })
    }

    /// `F.elu(x, alpha)` (EluBackward0).
    pub fn elu(&self, alpha: f64) -> Result<Tensor> {
        self.elu_full(alpha, 1.0, 1.0)
    }

    /// `F.selu(x)` = `elu(x, α, scale)` with PyTorch's constants (EluBackward0).
    pub fn selu(&self) -> Result<Tensor> {
        self.selu_impl(false)
    }

    /// `F.celu(x, alpha)` = `elu(x, alpha, 1, 1/alpha)` (EluBackward0).
    pub fn celu(&self, alpha: f64) -> Result<Tensor> {
        self.celu_impl(alpha, false)
    }

    pub(crate) fn celu_impl(&self, alpha: f64, inplace: bool) -> Result<Tensor> {
        if alpha == 0.0 {
            bail!("ZeroDivisionError");
        }
        self.elu_impl(alpha, 1.0, 1.0 / alpha, inplace)
    }

    pub(crate) fn selu_impl(&self, inplace: bool) -> Result<Tensor> {
        self.elu_impl(SELU_ALPHA, SELU_SCALE, 1.0, inplace)
    }

    /// `F.gelu(x, approximate)` (GeluBackward0), `approximate` "none" (erf) or "tanh".
    pub fn gelu(&self, approximate: &str) -> Result<Tensor> {
        let tanh = match approximate {
            "none" => false,
            "tanh" => true,
            other => bail!(
                "approximate argument must be either none or tanh. Got {}",
                other
            ),
        };
        const K_BETA: f64 = SQRT_2 * FRAC_2_SQRT_PI * 0.5;
        const K_KAPPA: f64 = 0.044715;
        let out = if tanh {
            map_act(self, "GeluKernelImpl", &|x| {
                let inner = K_BETA * (x + K_KAPPA * x * x * x);
                0.5 * x * (1.0 + inner.tanh())
            })?
        } else {
            map_act(self, "GeluKernelImpl", &|x| {
                x * 0.5 * (1.0 + super::super::pointwise::erf_f64(x * FRAC_1_SQRT_2))
            })?
        };
        rec_input("GeluBackward0", self, out, move |g, x| {
            if tanh {
                let x2 = x.mul(x)?;
                let inner = x
                    .add(&x2.mul(x)?.mul_scalar(K_KAPPA)?)?
                    .mul_scalar(K_BETA)?;
                let t = inner.tanh()?;
                let left_d = t.add_scalar(1.0)?.mul_scalar(0.5)?;
                let inner_d = x2
                    .mul_scalar(3.0 * K_KAPPA)?
                    .add_scalar(1.0)?
                    .mul_scalar(K_BETA)?;
                let right_d = x
                    .mul_scalar(0.5)?
                    .mul(&t.mul(&t)?.rsub_scalar(1.0)?)?
                    .mul(&inner_d)?;
                g.mul(&left_d.add(&right_d)?)
            } else {
                let cdf = x
                    .mul_scalar(FRAC_1_SQRT_2)?
                    .erf()?
                    .add_scalar(1.0)?
                    .mul_scalar(0.5)?;
                let pdf = x
                    .mul(x)?
                    .mul_scalar(-0.5)?
                    .exp()?
                    .mul_scalar(FRAC_2_SQRT_PI * FRAC_1_SQRT_2 * 0.5)?;
                g.mul(&cdf.add(&x.mul(&pdf)?)?)
            }
        })
    }

    /// `F.silu(x)` = `x·σ(x)` (SiluBackward0): gradient `σ(x)·(1 + x·(1 - σ(x)))`.
    pub fn silu(&self) -> Result<Tensor> {
        let out = map_act(self, "silu_cpu", &|x| x / (1.0 + (-x).exp()))?;
        rec_input("SiluBackward0", self, out, |g, x| {
            let s = sig(x)?;
            g.mul(&s.mul(&x.mul(&s.rsub_scalar(1.0)?)?.add_scalar(1.0)?)?)
        })
    }

    /// `F.mish(x)` = `x·tanh(softplus(x))` (MishBackward0).
    pub fn mish(&self) -> Result<Tensor> {
        let out = map_act(self, "mish_cpu", &|x| x * x.exp().ln_1p().tanh())?;
        rec_input("MishBackward0", self, out, |g, x| {
            let t = x.softplus(1.0, 20.0)?.tanh()?;
            let s = sig(x)?;
            g.mul(&t.add(&x.mul(&s)?.mul(&t.mul(&t)?.rsub_scalar(1.0)?)?)?)
        })
    }

    /// `F.softplus(x, beta, threshold)` (SoftplusBackward0): `x` itself (gradient exactly 1)
    /// where `x·beta > threshold`, else `log1p(exp(βx))/β`.
    pub fn softplus(&self, beta: f64, threshold: f64) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.softplus(beta, threshold);
        }
        let out = map_act(self, "softplus_cpu", &|x| {
            if x * beta > threshold {
                x
            } else {
                (x * beta).exp().ln_1p() / beta
            }
        })?;
        rec_input("SoftplusBackward0", self, out, move |g, x| {
            let bx = x.mul_scalar(beta)?;
            let inner = g.mul(&bx.sigmoid()?)?;
            Tensor::where_(&bx.gt_scalar(threshold)?, g, &inner)
        })
    }

    /// `F.softsign(x)` = `x / (1 + |x|)`, composed as PyTorch does (DivBackward0).
    pub fn softsign(&self) -> Result<Tensor> {
        self.div(&self.abs()?.add_scalar(1.0)?)
    }

    /// `F.hardsigmoid(x)` = `clamp(x + 3, 0, 6) / 6` (HardsigmoidBackward0): gradient `g/6`
    /// only on the open interval (-3, 3).
    pub fn hardsigmoid(&self) -> Result<Tensor> {
        let out = map_act(self, "hardsigmoid_cpu", &|x| {
            if x.is_nan() {
                x
            } else {
                (x + 3.0).clamp(0.0, 6.0) / 6.0
            }
        })?;
        rec_input("HardsigmoidBackward0", self, out, |g, x| {
            let inside = x.gt_scalar(-3.0)?.logical_and(&x.lt_scalar(3.0)?)?;
            Tensor::where_(&inside, &g.div_scalar(6.0)?, &zero_of(g))
        })
    }

    /// `F.hardswish(x)` = `x·clamp(x + 3, 0, 6)/6` (HardswishBackward0): gradient 0 below -3,
    /// `x/3 + 0.5` on [-3, 3], 1 above.
    pub fn hardswish(&self) -> Result<Tensor> {
        let out = map_act(self, "hardswish_cpu", &|x| {
            if x.is_nan() {
                x
            } else {
                x * (x + 3.0).clamp(0.0, 6.0) / 6.0
            }
        })?;
        rec_input("HardswishBackward0", self, out, |g, x| {
            let mid = g.mul(&x.div_scalar(3.0)?.add_scalar(0.5)?)?;
            let upper = Tensor::where_(&x.le_scalar(3.0)?, &mid, g)?;
            Tensor::where_(&x.lt_scalar(-3.0)?, &zero_of(g), &upper)
        })
    }

    /// `F.hardshrink(x, lambd)` (HardshrinkBackward0): 0 on `[-λ, λ]` (zero gradient
    /// there), `x` elsewhere.
    pub fn hardshrink(&self, lambd: f64) -> Result<Tensor> {
        let out = map_act(self, "hardshrink_cpu", &|x| {
            if x >= -lambd && x <= lambd {
                0.0
            } else {
                x
            }
        })?;
        rec_input("HardshrinkBackward0", self, out, move |g, x| {
            shrink_grad(g, x, lambd)
        })
    }

    /// `F.softshrink(x, lambd)` (SoftshrinkBackward0): `x ∓ λ` outside `[-λ, λ]`, 0 inside
    /// (zero gradient on the closed interval).
    pub fn softshrink(&self, lambd: f64) -> Result<Tensor> {
        if lambd < 0.0 {
            bail!(
                "lambda must be greater or equal to 0, but found to be {}.",
                lambd
            );
        }
        let out = map_act(self, "softshrink_cpu", &|x| {
            if x > lambd {
                x - lambd
            } else if x < -lambd {
                x + lambd
            } else {
                x * 0.0
            }
        })?;
        rec_input("SoftshrinkBackward0", self, out, move |g, x| {
            shrink_grad(g, x, lambd)
        })
    }

    /// `F.logsigmoid(x)` = `min(x, 0) - log1p(exp(-|x|))` (LogSigmoidBackward0), gradient
    /// `g·σ(-x)`.
    pub fn logsigmoid(&self) -> Result<Tensor> {
        let out = map_act(self, "log_sigmoid_cpu", &|x| {
            x.min(0.0) - (-x.abs()).exp().ln_1p()
        })?;
        rec_input("LogSigmoidBackward0", self, out, |g, x| {
            g.mul(&x.neg()?.sigmoid()?)
        })
    }
}

fn shrink_grad(g: &Tensor, x: &Tensor, lambd: f64) -> Result<Tensor> {
    let inside = x.ge_scalar(-lambd)?.logical_and(&x.le_scalar(lambd)?)?;
    Tensor::where_(&inside, &zero_of(g), g)
}
