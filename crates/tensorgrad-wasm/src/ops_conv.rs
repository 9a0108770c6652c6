//! Bindings of the conv op family: conv1d/conv2d, conv_transpose1d/2d, max/avg/adaptive
//! pooling (forwarding to tensorgrad-core). Size arguments arrive as Int32Arrays already
//! expanded and checked for being integers by the TS layer; PyTorch's own checks (and
//! messages) are in the core. Optional tensors are consumed handles: pass aliases.

use crate::{wrap, JsResult, RawTensor, RawTensorList};
use tensorgrad_core::ops::conv::ConvPadding;
use wasm_bindgen::prelude::*;

fn v64(v: &[i32]) -> Vec<i64> {
    v.iter().map(|&x| x as i64).collect()
}

fn conv_padding(padding: &[i32], mode: Option<String>) -> JsResult<ConvPadding> {
    match mode {
        Some(m) => ConvPadding::parse(&m).map_err(crate::err),
        None => Ok(ConvPadding::Explicit(v64(padding))),
    }
}

fn pair_list(a: tensorgrad_core::Tensor, b: tensorgrad_core::Tensor) -> RawTensorList {
    RawTensorList {
        items: vec![Some(a), Some(b)],
    }
}

#[wasm_bindgen]
impl RawTensor {
    /// `conv1d(input, weight, bias, stride, padding, dilation, groups)`; `padding_mode` is
    /// 'valid' / 'same' (then `padding` is ignored).
    #[allow(clippy::too_many_arguments)]
    pub fn conv1d(
        &self,
        weight: &RawTensor,
        bias: Option<RawTensor>,
        stride: &[i32],
        padding: &[i32],
        padding_mode: Option<String>,
        dilation: &[i32],
        groups: i32,
    ) -> JsResult<RawTensor> {
        let p = conv_padding(padding, padding_mode)?;
        wrap(self.t.conv1d(
            &weight.t,
            bias.as_ref().map(|b| &b.t),
            &v64(stride),
            &p,
            &v64(dilation),
            groups as i64,
        ))
    }

    /// `conv2d(input, weight, bias, stride, padding, dilation, groups)`.
    #[allow(clippy::too_many_arguments)]
    pub fn conv2d(
        &self,
        weight: &RawTensor,
        bias: Option<RawTensor>,
        stride: &[i32],
        padding: &[i32],
        padding_mode: Option<String>,
        dilation: &[i32],
        groups: i32,
    ) -> JsResult<RawTensor> {
        let p = conv_padding(padding, padding_mode)?;
        wrap(self.t.conv2d(
            &weight.t,
            bias.as_ref().map(|b| &b.t),
            &v64(stride),
            &p,
            &v64(dilation),
            groups as i64,
        ))
    }

    /// `conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups,
    /// dilation)`.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = convTranspose1d)]
    pub fn conv_transpose1d(
        &self,
        weight: &RawTensor,
        bias: Option<RawTensor>,
        stride: &[i32],
        padding: &[i32],
        output_padding: &[i32],
        groups: i32,
        dilation: &[i32],
    ) -> JsResult<RawTensor> {
        wrap(self.t.conv_transpose1d(
            &weight.t,
            bias.as_ref().map(|b| &b.t),
            &v64(stride),
            &v64(padding),
            &v64(output_padding),
            groups as i64,
            &v64(dilation),
        ))
    }

    /// `conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
    /// dilation)`.
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(js_name = convTranspose2d)]
    pub fn conv_transpose2d(
        &self,
        weight: &RawTensor,
        bias: Option<RawTensor>,
        stride: &[i32],
        padding: &[i32],
        output_padding: &[i32],
        groups: i32,
        dilation: &[i32],
    ) -> JsResult<RawTensor> {
        wrap(self.t.conv_transpose2d(
            &weight.t,
            bias.as_ref().map(|b| &b.t),
            &v64(stride),
            &v64(padding),
            &v64(output_padding),
            groups as i64,
            &v64(dilation),
        ))
    }

    /// `max_pool2d(...)`; an empty `stride` means `kernel_size`.
    #[wasm_bindgen(js_name = maxPool2d)]
    pub fn max_pool2d(
        &self,
        kernel_size: &[i32],
        stride: &[i32],
        padding: &[i32],
        dilation: &[i32],
        ceil_mode: bool,
    ) -> JsResult<RawTensor> {
        wrap(self.t.max_pool2d(
            &v64(kernel_size),
            &v64(stride),
            &v64(padding),
            &v64(dilation),
            ceil_mode,
        ))
    }

    /// `max_pool2d(..., return_indices=True)`: `[values, indices]`.
    #[wasm_bindgen(js_name = maxPool2dWithIndices)]
    pub fn max_pool2d_with_indices(
        &self,
        kernel_size: &[i32],
        stride: &[i32],
        padding: &[i32],
        dilation: &[i32],
        ceil_mode: bool,
    ) -> JsResult<RawTensorList> {
        let (v, i) = self
            .t
            .max_pool2d_with_indices(
                &v64(kernel_size),
                &v64(stride),
                &v64(padding),
                &v64(dilation),
                ceil_mode,
            )
            .map_err(crate::err)?;
        Ok(pair_list(v, i))
    }

    #[wasm_bindgen(js_name = maxPool1d)]
    pub fn max_pool1d(
        &self,
        kernel_size: &[i32],
        stride: &[i32],
        padding: &[i32],
        dilation: &[i32],
        ceil_mode: bool,
    ) -> JsResult<RawTensor> {
        wrap(self.t.max_pool1d(
            &v64(kernel_size),
            &v64(stride),
            &v64(padding),
            &v64(dilation),
            ceil_mode,
        ))
    }

    #[wasm_bindgen(js_name = maxPool1dWithIndices)]
    pub fn max_pool1d_with_indices(
        &self,
        kernel_size: &[i32],
        stride: &[i32],
        padding: &[i32],
        dilation: &[i32],
        ceil_mode: bool,
    ) -> JsResult<RawTensorList> {
        let (v, i) = self
            .t
            .max_pool1d_with_indices(
                &v64(kernel_size),
                &v64(stride),
                &v64(padding),
                &v64(dilation),
                ceil_mode,
            )
            .map_err(crate::err)?;
        Ok(pair_list(v, i))
    }

    /// `avg_pool2d(...)`; an empty `stride` means `kernel_size`.
    #[wasm_bindgen(js_name = avgPool2d)]
    pub fn avg_pool2d(
        &self,
        kernel_size: &[i32],
        stride: &[i32],
        padding: &[i32],
        ceil_mode: bool,
        count_include_pad: bool,
        divisor_override: Option<i32>,
    ) -> JsResult<RawTensor> {
        wrap(self.t.avg_pool2d(
            &v64(kernel_size),
            &v64(stride),
            &v64(padding),
            ceil_mode,
            count_include_pad,
            divisor_override.map(|d| d as i64),
        ))
    }

    #[wasm_bindgen(js_name = avgPool1d)]
    pub fn avg_pool1d(
        &self,
        kernel_size: &[i32],
        stride: &[i32],
        padding: &[i32],
        ceil_mode: bool,
        count_include_pad: bool,
    ) -> JsResult<RawTensor> {
        wrap(self.t.avg_pool1d(
            &v64(kernel_size),
            &v64(stride),
            &v64(padding),
            ceil_mode,
            count_include_pad,
        ))
    }

    /// `adaptive_avg_pool2d(input, output_size)`: `keep[i]` set means None (the input size).
    #[wasm_bindgen(js_name = adaptiveAvgPool2d)]
    pub fn adaptive_avg_pool2d(&self, output_size: &[i32], keep: &[u8]) -> JsResult<RawTensor> {
        let os: Vec<Option<i64>> = output_size
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                if keep.get(i).copied().unwrap_or(0) != 0 {
                    None
                } else {
                    Some(v as i64)
                }
            })
            .collect();
        wrap(self.t.adaptive_avg_pool2d(&os))
    }

    #[wasm_bindgen(js_name = adaptiveAvgPool1d)]
    pub fn adaptive_avg_pool1d(&self, output_size: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.adaptive_avg_pool1d(&v64(output_size)))
    }
}
