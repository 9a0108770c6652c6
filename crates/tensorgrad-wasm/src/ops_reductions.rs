//! Bindings of the reductions op family (prod, max/min, amax/amin, argmax/argmin, var/std,
//! logsumexp, cumsum/cumprod, vector_norm/norm, all/any). Optional dims cross as
//! `Option<Vec<i32>>` (None = every dim).

#[allow(unused_imports)]
use crate::{dims, err, wrap, JsResult, RawTensor, RawTensorList};
#[allow(unused_imports)]
use wasm_bindgen::prelude::*;

fn pair(
    r: tensorgrad_core::Result<(tensorgrad_core::Tensor, tensorgrad_core::Tensor)>,
) -> JsResult<RawTensorList> {
    let (a, b) = r.map_err(err)?;
    Ok(RawTensorList {
        items: vec![Some(a), Some(b)],
    })
}

fn opt_dims(d: &Option<Vec<i32>>) -> Option<Vec<isize>> {
    d.as_ref().map(|d| dims(d))
}

#[wasm_bindgen]
impl RawTensor {
    pub fn prod(&self) -> JsResult<RawTensor> {
        wrap(self.t.prod())
    }
    #[wasm_bindgen(js_name = prodDim)]
    pub fn prod_dim(&self, dim: i32, keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.prod_dim(dim as isize, keepdim))
    }
    pub fn max(&self) -> JsResult<RawTensor> {
        wrap(self.t.max())
    }
    pub fn min(&self) -> JsResult<RawTensor> {
        wrap(self.t.min())
    }
    /// `[values, indices]`.
    #[wasm_bindgen(js_name = maxDim)]
    pub fn max_dim(&self, dim: i32, keepdim: bool) -> JsResult<RawTensorList> {
        pair(self.t.max_dim(dim as isize, keepdim))
    }
    /// `[values, indices]`.
    #[wasm_bindgen(js_name = minDim)]
    pub fn min_dim(&self, dim: i32, keepdim: bool) -> JsResult<RawTensorList> {
        pair(self.t.min_dim(dim as isize, keepdim))
    }
    pub fn amax(&self, d: &[i32], keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.amax(&dims(d), keepdim))
    }
    pub fn amin(&self, d: &[i32], keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.amin(&dims(d), keepdim))
    }
    pub fn argmax(&self, dim: Option<i32>, keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.argmax(dim.map(|d| d as isize), keepdim))
    }
    pub fn argmin(&self, dim: Option<i32>, keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.argmin(dim.map(|d| d as isize), keepdim))
    }
    pub fn var(&self, d: Option<Vec<i32>>, correction: f64, keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.var(opt_dims(&d).as_deref(), correction, keepdim))
    }
    pub fn std(&self, d: Option<Vec<i32>>, correction: f64, keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.std(opt_dims(&d).as_deref(), correction, keepdim))
    }
    /// `[var, mean]`.
    #[wasm_bindgen(js_name = varMean)]
    pub fn var_mean(
        &self,
        d: Option<Vec<i32>>,
        correction: f64,
        keepdim: bool,
    ) -> JsResult<RawTensorList> {
        pair(
            self.t
                .var_mean(opt_dims(&d).as_deref(), correction, keepdim),
        )
    }
    /// `[std, mean]`.
    #[wasm_bindgen(js_name = stdMean)]
    pub fn std_mean(
        &self,
        d: Option<Vec<i32>>,
        correction: f64,
        keepdim: bool,
    ) -> JsResult<RawTensorList> {
        pair(
            self.t
                .std_mean(opt_dims(&d).as_deref(), correction, keepdim),
        )
    }
    pub fn logsumexp(&self, d: &[i32], keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.logsumexp(&dims(d), keepdim))
    }
    pub fn cumsum(&self, dim: i32) -> JsResult<RawTensor> {
        wrap(self.t.cumsum(dim as isize))
    }
    pub fn cumprod(&self, dim: i32) -> JsResult<RawTensor> {
        wrap(self.t.cumprod(dim as isize))
    }
    #[wasm_bindgen(js_name = vectorNorm)]
    pub fn vector_norm(&self, ord: f64, d: Option<Vec<i32>>, keepdim: bool) -> JsResult<RawTensor> {
        wrap(
            self.t
                .linalg_vector_norm(ord, opt_dims(&d).as_deref(), keepdim),
        )
    }
    /// `Tensor.norm`: `p == None` is `'fro'`.
    pub fn norm(&self, p: Option<f64>, d: Option<Vec<i32>>, keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.norm(p, opt_dims(&d).as_deref(), keepdim))
    }
    pub fn all(&self) -> JsResult<RawTensor> {
        wrap(self.t.all())
    }
    #[wasm_bindgen(js_name = allDims)]
    pub fn all_dims(&self, d: &[i32], keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.all_dims(&dims(d), keepdim))
    }
    pub fn any(&self) -> JsResult<RawTensor> {
        wrap(self.t.any())
    }
    #[wasm_bindgen(js_name = anyDims)]
    pub fn any_dims(&self, d: &[i32], keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.any_dims(&dims(d), keepdim))
    }
}
