//! Bindings of the views op family (tensorgrad-core `ops/views.rs`).

use crate::{dims, err, required, wrap, JsResult, RawTensor, RawTensorList};
use tensorgrad_core::Tensor;
use wasm_bindgen::prelude::*;

fn list(r: tensorgrad_core::Result<Vec<Tensor>>) -> JsResult<RawTensorList> {
    r.map(|v| RawTensorList {
        items: v.into_iter().map(Some).collect(),
    })
    .map_err(err)
}

#[wasm_bindgen]
impl RawTensor {
    pub fn flatten(&self, start: i32, end: i32) -> JsResult<RawTensor> {
        wrap(self.t.flatten(start as isize, end as isize))
    }
    pub fn unflatten(&self, dim: i32, sizes: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.unflatten(dim as isize, &dims(sizes)))
    }
    pub fn permute(&self, d: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.permute(&dims(d)))
    }
    pub fn movedim(&self, src: &[i32], dst: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.movedim(&dims(src), &dims(dst)))
    }
    #[wasm_bindgen(js_name = expandAs)]
    pub fn expand_as(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.expand_as(&o.t))
    }
    #[wasm_bindgen(js_name = broadcastTo)]
    pub fn broadcast_to(&self, s: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.broadcast_to(&dims(s)))
    }
    pub fn repeat(&self, s: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.repeat(&dims(s)))
    }
    pub fn tile(&self, s: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.tile(&dims(s)))
    }
    pub fn flip(&self, d: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.flip(&dims(d)))
    }
    pub fn roll(&self, shifts: &[i32], d: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.roll(&dims(shifts), &dims(d)))
    }
    pub fn narrow(&self, dim: i32, start: i32, length: i32) -> JsResult<RawTensor> {
        wrap(self.t.narrow(dim as isize, start as isize, length as isize))
    }
    pub fn select(&self, dim: i32, index: i32) -> JsResult<RawTensor> {
        wrap(self.t.select(dim as isize, index as isize))
    }
    pub fn diagonal(&self, offset: i32, dim1: i32, dim2: i32) -> JsResult<RawTensor> {
        wrap(
            self.t
                .diagonal(offset as isize, dim1 as isize, dim2 as isize),
        )
    }
    pub fn tril(&self, k: i32) -> JsResult<RawTensor> {
        wrap(self.t.tril(k as isize))
    }
    pub fn triu(&self, k: i32) -> JsResult<RawTensor> {
        wrap(self.t.triu(k as isize))
    }
    pub fn split(&self, size: i32, dim: i32) -> JsResult<RawTensorList> {
        list(self.t.split(size as isize, dim as isize))
    }
    #[wasm_bindgen(js_name = splitWithSizes)]
    pub fn split_with_sizes(&self, sizes: &[i32], dim: i32) -> JsResult<RawTensorList> {
        list(self.t.split_with_sizes(&dims(sizes), dim as isize))
    }
    pub fn chunk(&self, chunks: i32, dim: i32) -> JsResult<RawTensorList> {
        list(self.t.chunk(chunks as isize, dim as isize))
    }
    pub fn unbind(&self, dim: i32) -> JsResult<RawTensorList> {
        list(self.t.unbind(dim as isize))
    }
    pub fn cat(tensors: &RawTensorList, dim: i32) -> JsResult<RawTensor> {
        wrap(Tensor::cat(&required(tensors, "tensor")?, dim as isize))
    }
    pub fn stack(tensors: &RawTensorList, dim: i32) -> JsResult<RawTensor> {
        wrap(Tensor::stack(&required(tensors, "tensor")?, dim as isize))
    }
}
