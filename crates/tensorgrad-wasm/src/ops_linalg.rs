//! Bindings of the linalg op family: products, einsum, and the creation ops eye, linspace,
//! logspace, randint and randperm (forwarding to tensorgrad-core).

use crate::{dtype, js_err, required, shape, wrap, JsResult, RawTensor, RawTensorList};
use tensorgrad_core::Tensor;
use wasm_bindgen::prelude::*;

/// A JS number that must be an integer (sizes, bounds), as i64.
fn int_arg(v: f64, what: &str) -> JsResult<i64> {
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > 9.007_199_254_740_992e15 {
        return Err(js_err(&format!("{} must be an integer, got {}", what, v)));
    }
    Ok(v as i64)
}

#[wasm_bindgen]
impl RawTensor {
    pub fn dot(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.dot(&o.t))
    }
    pub fn mv(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.mv(&o.t))
    }
    pub fn outer(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.outer(&o.t))
    }
    pub fn bmm(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.bmm(&o.t))
    }
    pub fn addmm(
        &self,
        mat1: &RawTensor,
        mat2: &RawTensor,
        beta: f64,
        alpha: f64,
    ) -> JsResult<RawTensor> {
        wrap(self.t.addmm(&mat1.t, &mat2.t, beta, alpha))
    }
    pub fn baddbmm(
        &self,
        batch1: &RawTensor,
        batch2: &RawTensor,
        beta: f64,
        alpha: f64,
    ) -> JsResult<RawTensor> {
        wrap(self.t.baddbmm(&batch1.t, &batch2.t, beta, alpha))
    }
    pub fn trace(&self) -> JsResult<RawTensor> {
        wrap(self.t.trace())
    }
    #[wasm_bindgen(js_name = linalgVecdot)]
    pub fn linalg_vecdot(&self, o: &RawTensor, dim: i32) -> JsResult<RawTensor> {
        wrap(self.t.linalg_vecdot(&o.t, dim as isize))
    }
    /// `einsum(equation, operands)`.
    pub fn einsum(equation: &str, operands: &RawTensorList) -> JsResult<RawTensor> {
        let ops = required(operands, "einsum(): operand")?;
        wrap(Tensor::einsum(equation, &ops))
    }

    // ---- creation ------------------------------------------------------------------------
    pub fn eye(n: f64, m: f64, dtype_: &str) -> JsResult<RawTensor> {
        let (n, m) = (int_arg(n, "n")?, int_arg(m, "m")?);
        if n < 0 {
            return Err(js_err(&format!(
                "n must be greater or equal to 0, got {}",
                n
            )));
        }
        if m < 0 {
            return Err(js_err(&format!(
                "m must be greater or equal to 0, got {}",
                m
            )));
        }
        wrap(Tensor::eye(n as usize, m as usize, dtype(dtype_)?))
    }
    pub fn linspace(start: f64, end: f64, steps: f64, dtype_: &str) -> JsResult<RawTensor> {
        let steps = int_arg(steps, "steps")?;
        wrap(Tensor::linspace(start, end, steps, dtype(dtype_)?))
    }
    pub fn logspace(
        start: f64,
        end: f64,
        steps: f64,
        base: f64,
        dtype_: &str,
    ) -> JsResult<RawTensor> {
        let steps = int_arg(steps, "steps")?;
        wrap(Tensor::logspace(start, end, steps, base, dtype(dtype_)?))
    }
    pub fn randint(low: f64, high: f64, shape_: &[u32], dtype_: &str) -> JsResult<RawTensor> {
        let (low, high) = (int_arg(low, "low")?, int_arg(high, "high")?);
        wrap(Tensor::randint(low, high, &shape(shape_), dtype(dtype_)?))
    }
    pub fn randperm(n: f64, dtype_: &str) -> JsResult<RawTensor> {
        let n = int_arg(n, "n")?;
        wrap(Tensor::randperm(n, dtype(dtype_)?))
    }
}
