//! Bindings of the pointwise op family (tensorgrad-core `ops/pointwise.rs`).

#[allow(unused_imports)]
use crate::{dims, err, wrap, JsResult, RawTensor, RawTensorList};
#[allow(unused_imports)]
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl RawTensor {
    pub fn abs(&self) -> JsResult<RawTensor> {
        wrap(self.t.abs())
    }
    pub fn sign(&self) -> JsResult<RawTensor> {
        wrap(self.t.sign())
    }
    pub fn sgn(&self) -> JsResult<RawTensor> {
        wrap(self.t.sgn())
    }
    pub fn square(&self) -> JsResult<RawTensor> {
        wrap(self.t.square())
    }
    pub fn exp2(&self) -> JsResult<RawTensor> {
        wrap(self.t.exp2())
    }
    pub fn expm1(&self) -> JsResult<RawTensor> {
        wrap(self.t.expm1())
    }
    pub fn log2(&self) -> JsResult<RawTensor> {
        wrap(self.t.log2())
    }
    pub fn log10(&self) -> JsResult<RawTensor> {
        wrap(self.t.log10())
    }
    pub fn log1p(&self) -> JsResult<RawTensor> {
        wrap(self.t.log1p())
    }
    pub fn rsqrt(&self) -> JsResult<RawTensor> {
        wrap(self.t.rsqrt())
    }
    pub fn reciprocal(&self) -> JsResult<RawTensor> {
        wrap(self.t.reciprocal())
    }
    pub fn tan(&self) -> JsResult<RawTensor> {
        wrap(self.t.tan())
    }
    pub fn asin(&self) -> JsResult<RawTensor> {
        wrap(self.t.asin())
    }
    pub fn acos(&self) -> JsResult<RawTensor> {
        wrap(self.t.acos())
    }
    pub fn atan(&self) -> JsResult<RawTensor> {
        wrap(self.t.atan())
    }
    pub fn sinh(&self) -> JsResult<RawTensor> {
        wrap(self.t.sinh())
    }
    pub fn cosh(&self) -> JsResult<RawTensor> {
        wrap(self.t.cosh())
    }
    pub fn asinh(&self) -> JsResult<RawTensor> {
        wrap(self.t.asinh())
    }
    pub fn acosh(&self) -> JsResult<RawTensor> {
        wrap(self.t.acosh())
    }
    pub fn atanh(&self) -> JsResult<RawTensor> {
        wrap(self.t.atanh())
    }
    pub fn erf(&self) -> JsResult<RawTensor> {
        wrap(self.t.erf())
    }
    pub fn erfc(&self) -> JsResult<RawTensor> {
        wrap(self.t.erfc())
    }
    pub fn erfinv(&self) -> JsResult<RawTensor> {
        wrap(self.t.erfinv())
    }
    pub fn floor(&self) -> JsResult<RawTensor> {
        wrap(self.t.floor())
    }
    pub fn ceil(&self) -> JsResult<RawTensor> {
        wrap(self.t.ceil())
    }
    pub fn round(&self) -> JsResult<RawTensor> {
        wrap(self.t.round())
    }
    pub fn trunc(&self) -> JsResult<RawTensor> {
        wrap(self.t.trunc())
    }
    pub fn frac(&self) -> JsResult<RawTensor> {
        wrap(self.t.frac())
    }
    pub fn relu(&self) -> JsResult<RawTensor> {
        wrap(self.t.relu())
    }
    pub fn isnan(&self) -> JsResult<RawTensor> {
        wrap(self.t.isnan())
    }
    pub fn isinf(&self) -> JsResult<RawTensor> {
        wrap(self.t.isinf())
    }
    pub fn isfinite(&self) -> JsResult<RawTensor> {
        wrap(self.t.isfinite())
    }
    pub fn isposinf(&self) -> JsResult<RawTensor> {
        wrap(self.t.isposinf())
    }
    pub fn isneginf(&self) -> JsResult<RawTensor> {
        wrap(self.t.isneginf())
    }
    pub fn maximum(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.maximum(&o.t))
    }
    pub fn minimum(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.minimum(&o.t))
    }
    pub fn fmax(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.fmax(&o.t))
    }
    pub fn fmin(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.fmin(&o.t))
    }
    pub fn atan2(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.atan2(&o.t))
    }
    pub fn hypot(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.hypot(&o.t))
    }
    pub fn fmod(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.fmod(&o.t))
    }
    pub fn remainder(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.remainder(&o.t))
    }
    pub fn xlogy(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.xlogy(&o.t))
    }
    pub fn logaddexp(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.logaddexp(&o.t))
    }
    pub fn logaddexp2(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.logaddexp2(&o.t))
    }
    pub fn copysign(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.copysign(&o.t))
    }
    #[wasm_bindgen(js_name = clampMinTensor)]
    pub fn clamp_min_tensor(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.clamp_min_tensor(&o.t))
    }
    #[wasm_bindgen(js_name = clampMaxTensor)]
    pub fn clamp_max_tensor(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.clamp_max_tensor(&o.t))
    }
    #[wasm_bindgen(js_name = fmodScalar)]
    pub fn fmod_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.fmod_scalar(s))
    }
    #[wasm_bindgen(js_name = remainderScalar)]
    pub fn remainder_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.remainder_scalar(s))
    }
    #[wasm_bindgen(js_name = copysignScalar)]
    pub fn copysign_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.copysign_scalar(s))
    }
    #[wasm_bindgen(js_name = clampMin)]
    pub fn clamp_min(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.clamp_min(s))
    }
    #[wasm_bindgen(js_name = clampMax)]
    pub fn clamp_max(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.clamp_max(s))
    }
    #[wasm_bindgen(js_name = roundDecimals)]
    pub fn round_decimals(&self, decimals: i32) -> JsResult<RawTensor> {
        wrap(self.t.round_decimals(decimals as i64))
    }
    #[wasm_bindgen(js_name = nanToNum)]
    pub fn nan_to_num(
        &self,
        nan: Option<f64>,
        posinf: Option<f64>,
        neginf: Option<f64>,
    ) -> JsResult<RawTensor> {
        wrap(self.t.nan_to_num(nan, posinf, neginf))
    }
    /// `clamp(min, max)` with number bounds (either may be undefined).
    pub fn clamp(&self, min: Option<f64>, max: Option<f64>) -> JsResult<RawTensor> {
        wrap(self.t.clamp(min, max))
    }
    /// `clamp(min, max)` with tensor bounds (handles are consumed: pass aliases).
    #[wasm_bindgen(js_name = clampTensor)]
    pub fn clamp_tensor(
        &self,
        min: Option<RawTensor>,
        max: Option<RawTensor>,
    ) -> JsResult<RawTensor> {
        wrap(
            self.t
                .clamp_tensor(min.as_ref().map(|m| &m.t), max.as_ref().map(|m| &m.t)),
        )
    }
    #[wasm_bindgen(js_name = "relu_")]
    pub fn relu_js(&self) -> JsResult<()> {
        self.t.relu_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "clamp_")]
    pub fn clamp_js(&self, min: Option<f64>, max: Option<f64>) -> JsResult<()> {
        self.t.clamp_(min, max).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "clampTensor_")]
    pub fn clamp_tensor_js(&self, min: Option<RawTensor>, max: Option<RawTensor>) -> JsResult<()> {
        self.t
            .clamp_tensor_(min.as_ref().map(|m| &m.t), max.as_ref().map(|m| &m.t))
            .map(|_| ())
            .map_err(err)
    }
    pub fn lerp(&self, end: &RawTensor, weight: f64) -> JsResult<RawTensor> {
        wrap(self.t.lerp(&end.t, weight))
    }
    #[wasm_bindgen(js_name = lerpTensor)]
    pub fn lerp_tensor(&self, end: &RawTensor, weight: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.lerp_tensor(&end.t, &weight.t))
    }
    pub fn addcmul(&self, t1: &RawTensor, t2: &RawTensor, value: f64) -> JsResult<RawTensor> {
        wrap(self.t.addcmul(&t1.t, &t2.t, value))
    }
    pub fn addcdiv(&self, t1: &RawTensor, t2: &RawTensor, value: f64) -> JsResult<RawTensor> {
        wrap(self.t.addcdiv(&t1.t, &t2.t, value))
    }
}
