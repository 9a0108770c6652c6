//! Bindings of the indexing op family (tensorgrad-core `ops/indexing.rs`).

use crate::{err, js_err, wrap, JsResult, RawTensor, RawTensorList};
use tensorgrad_core::ops::indexing::TensorIndex;
use wasm_bindgen::prelude::*;

fn opt(v: f64) -> Option<isize> {
    if v.is_nan() {
        None
    } else {
        Some(v as isize)
    }
}

#[wasm_bindgen]
impl RawTensor {
    /// `x[items]`. `kinds`: 0 int (one number), 1 slice (start, stop, step; NaN for none),
    /// 2 None, 3 Ellipsis, 4 tensor (the next one in `tensors`).
    pub fn index(
        &self,
        kinds: &[u8],
        nums: &[f64],
        tensors: &RawTensorList,
    ) -> JsResult<RawTensor> {
        let mut items = Vec::with_capacity(kinds.len());
        let (mut n, mut t) = (0usize, 0usize);
        let num = |i: usize| {
            nums.get(i)
                .copied()
                .ok_or_else(|| js_err("index: missing number"))
        };
        for &k in kinds {
            items.push(match k {
                0 => {
                    n += 1;
                    TensorIndex::Int(num(n - 1)? as isize)
                }
                1 => {
                    n += 3;
                    TensorIndex::Slice {
                        start: opt(num(n - 3)?),
                        stop: opt(num(n - 2)?),
                        step: opt(num(n - 1)?).unwrap_or(1),
                    }
                }
                2 => TensorIndex::NewAxis,
                3 => TensorIndex::Ellipsis,
                _ => {
                    t += 1;
                    let x = tensors
                        .items
                        .get(t - 1)
                        .cloned()
                        .flatten()
                        .ok_or_else(|| js_err("index: missing tensor"))?;
                    TensorIndex::Tensor(x)
                }
            });
        }
        wrap(self.t.index(&items))
    }
    #[wasm_bindgen(js_name = indexPut)]
    pub fn index_put(
        &self,
        indices: &RawTensorList,
        values: &RawTensor,
        accumulate: bool,
    ) -> JsResult<RawTensor> {
        wrap(self.t.index_put(&indices.items, &values.t, accumulate))
    }
    #[wasm_bindgen(js_name = "indexPut_")]
    pub fn index_put_js(
        &self,
        indices: &RawTensorList,
        values: &RawTensor,
        accumulate: bool,
    ) -> JsResult<()> {
        self.t
            .index_put_(&indices.items, &values.t, accumulate)
            .map(|_| ())
            .map_err(err)
    }
    pub fn gather(&self, dim: i32, index: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.gather(dim as isize, &index.t))
    }
    pub fn scatter(&self, dim: i32, index: &RawTensor, src: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.scatter(dim as isize, &index.t, &src.t))
    }
    #[wasm_bindgen(js_name = scatterValue)]
    pub fn scatter_value(&self, dim: i32, index: &RawTensor, value: f64) -> JsResult<RawTensor> {
        wrap(self.t.scatter_value(dim as isize, &index.t, value))
    }
    #[wasm_bindgen(js_name = "scatter_")]
    pub fn scatter_js(&self, dim: i32, index: &RawTensor, src: &RawTensor) -> JsResult<()> {
        self.t
            .scatter_(dim as isize, &index.t, &src.t)
            .map(|_| ())
            .map_err(err)
    }
    #[wasm_bindgen(js_name = "scatterValue_")]
    pub fn scatter_value_js(&self, dim: i32, index: &RawTensor, value: f64) -> JsResult<()> {
        self.t
            .scatter_value_(dim as isize, &index.t, value)
            .map(|_| ())
            .map_err(err)
    }
    #[wasm_bindgen(js_name = scatterAdd)]
    pub fn scatter_add(&self, dim: i32, index: &RawTensor, src: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.scatter_add(dim as isize, &index.t, &src.t))
    }
    #[wasm_bindgen(js_name = "scatterAdd_")]
    pub fn scatter_add_js(&self, dim: i32, index: &RawTensor, src: &RawTensor) -> JsResult<()> {
        self.t
            .scatter_add_(dim as isize, &index.t, &src.t)
            .map(|_| ())
            .map_err(err)
    }
    #[wasm_bindgen(js_name = indexSelect)]
    pub fn index_select(&self, dim: i32, index: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.index_select(dim as isize, &index.t))
    }
    #[wasm_bindgen(js_name = indexAdd)]
    pub fn index_add(
        &self,
        dim: i32,
        index: &RawTensor,
        source: &RawTensor,
        alpha: f64,
    ) -> JsResult<RawTensor> {
        wrap(self.t.index_add(dim as isize, &index.t, &source.t, alpha))
    }
    #[wasm_bindgen(js_name = "indexAdd_")]
    pub fn index_add_js(
        &self,
        dim: i32,
        index: &RawTensor,
        source: &RawTensor,
        alpha: f64,
    ) -> JsResult<()> {
        self.t
            .index_add_(dim as isize, &index.t, &source.t, alpha)
            .map(|_| ())
            .map_err(err)
    }
    #[wasm_bindgen(js_name = maskedFill)]
    pub fn masked_fill(&self, mask: &RawTensor, value: f64) -> JsResult<RawTensor> {
        wrap(self.t.masked_fill(&mask.t, value))
    }
    #[wasm_bindgen(js_name = maskedFillTensor)]
    pub fn masked_fill_tensor(&self, mask: &RawTensor, value: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.masked_fill_tensor(&mask.t, &value.t))
    }
    #[wasm_bindgen(js_name = "maskedFill_")]
    pub fn masked_fill_js(&self, mask: &RawTensor, value: f64) -> JsResult<()> {
        self.t.masked_fill_(&mask.t, value).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "maskedFillTensor_")]
    pub fn masked_fill_tensor_js(&self, mask: &RawTensor, value: &RawTensor) -> JsResult<()> {
        self.t
            .masked_fill_tensor_(&mask.t, &value.t)
            .map(|_| ())
            .map_err(err)
    }
    #[wasm_bindgen(js_name = maskedSelect)]
    pub fn masked_select(&self, mask: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.masked_select(&mask.t))
    }
    pub fn nonzero(&self) -> JsResult<RawTensor> {
        wrap(self.t.nonzero())
    }
    #[wasm_bindgen(js_name = nonzeroTuple)]
    pub fn nonzero_tuple(&self) -> JsResult<RawTensorList> {
        self.t
            .nonzero_tuple()
            .map(|v| RawTensorList {
                items: v.into_iter().map(Some).collect(),
            })
            .map_err(err)
    }
}
