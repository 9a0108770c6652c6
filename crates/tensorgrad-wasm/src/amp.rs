//! Bindings of the mixed-precision kernels (GradScaler's unscale and scale update).

use crate::{err, required, JsResult, RawTensorList};
use wasm_bindgen::prelude::*;

/// Unscale gradients in place by `inv_scale`; true when any element was inf or nan.
#[wasm_bindgen(js_name = ampNonFiniteCheckAndUnscale)]
pub fn amp_non_finite_check_and_unscale(grads: &RawTensorList, inv_scale: f32) -> JsResult<bool> {
    let gs = required(grads, "grad")?;
    tensorgrad_core::amp::non_finite_check_and_unscale_(&gs, inv_scale).map_err(err)
}

/// `_amp_update_scale_`: returns `[newScale, newGrowthTracker]`.
#[wasm_bindgen(js_name = ampUpdateScale)]
pub fn amp_update_scale(
    scale: f32,
    growth_tracker: i32,
    found_inf: bool,
    growth_factor: f64,
    backoff_factor: f64,
    growth_interval: i32,
) -> Vec<f64> {
    let (s, t) = tensorgrad_core::amp::update_scale(
        scale,
        growth_tracker,
        found_inf,
        growth_factor,
        backoff_factor,
        growth_interval,
    );
    vec![s as f64, t as f64]
}

/// Enter autocast with `dtype` ("float16" / "bfloat16"), or leave it with `undefined`;
/// returns the previous dtype name (or undefined).
#[wasm_bindgen(js_name = setAutocast)]
pub fn set_autocast(dtype: Option<String>) -> JsResult<Option<String>> {
    let d = match dtype {
        Some(s) => Some(crate::dtype(&s)?),
        None => None,
    };
    Ok(tensorgrad_core::autocast::set_autocast(d).map(|d| d.name().to_string()))
}
