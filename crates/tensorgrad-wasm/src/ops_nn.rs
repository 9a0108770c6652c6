//! Bindings of the nn op family (`nn.functional`): activations, linear/bilinear, dropout,
//! embedding, one_hot, pad, losses, normalisation. Optional tensors cross as
//! `Option<RawTensor>` (pass `t.alias()`); reductions as strings.

#[allow(unused_imports)]
use crate::{dims, err, wrap, JsResult, RawTensor, RawTensorList};
use tensorgrad_core::ops::nn::Reduction;
use tensorgrad_core::Tensor;
#[allow(unused_imports)]
use wasm_bindgen::prelude::*;

fn red(s: &str) -> JsResult<Reduction> {
    Reduction::parse(s).map_err(err)
}

fn opt(t: &Option<RawTensor>) -> Option<&Tensor> {
    t.as_ref().map(|r| &r.t)
}

#[wasm_bindgen]
impl RawTensor {
    // ---- activations ---------------------------------------------------------------------
    pub fn hardtanh(&self, min_val: f64, max_val: f64) -> JsResult<RawTensor> {
        wrap(self.t.hardtanh(min_val, max_val))
    }
    pub fn relu6(&self) -> JsResult<RawTensor> {
        wrap(self.t.relu6())
    }
    #[wasm_bindgen(js_name = leakyRelu)]
    pub fn leaky_relu(&self, negative_slope: f64) -> JsResult<RawTensor> {
        wrap(self.t.leaky_relu(negative_slope))
    }
    pub fn elu(&self, alpha: f64) -> JsResult<RawTensor> {
        wrap(self.t.elu(alpha))
    }
    pub fn selu(&self) -> JsResult<RawTensor> {
        wrap(self.t.selu())
    }
    pub fn celu(&self, alpha: f64) -> JsResult<RawTensor> {
        wrap(self.t.celu(alpha))
    }
    pub fn gelu(&self, approximate: &str) -> JsResult<RawTensor> {
        wrap(self.t.gelu(approximate))
    }
    pub fn silu(&self) -> JsResult<RawTensor> {
        wrap(self.t.silu())
    }
    pub fn mish(&self) -> JsResult<RawTensor> {
        wrap(self.t.mish())
    }
    pub fn softplus(&self, beta: f64, threshold: f64) -> JsResult<RawTensor> {
        wrap(self.t.softplus(beta, threshold))
    }
    pub fn softsign(&self) -> JsResult<RawTensor> {
        wrap(self.t.softsign())
    }
    pub fn hardsigmoid(&self) -> JsResult<RawTensor> {
        wrap(self.t.hardsigmoid())
    }
    pub fn hardswish(&self) -> JsResult<RawTensor> {
        wrap(self.t.hardswish())
    }
    pub fn hardshrink(&self, lambd: f64) -> JsResult<RawTensor> {
        wrap(self.t.hardshrink(lambd))
    }
    pub fn softshrink(&self, lambd: f64) -> JsResult<RawTensor> {
        wrap(self.t.softshrink(lambd))
    }
    pub fn logsigmoid(&self) -> JsResult<RawTensor> {
        wrap(self.t.logsigmoid())
    }

    // ---- in-place activations (`inplace: true`) ----------------------------------------------
    #[wasm_bindgen(js_name = "relu6_")]
    pub fn relu6_js(&self) -> JsResult<()> {
        self.t.relu6_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "leakyRelu_")]
    pub fn leaky_relu_js(&self, negative_slope: f64) -> JsResult<()> {
        self.t.leaky_relu_(negative_slope).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "elu_")]
    pub fn elu_js(&self, alpha: f64) -> JsResult<()> {
        self.t.elu_(alpha).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "selu_")]
    pub fn selu_js(&self) -> JsResult<()> {
        self.t.selu_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "celu_")]
    pub fn celu_js(&self, alpha: f64) -> JsResult<()> {
        self.t.celu_(alpha).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "silu_")]
    pub fn silu_js(&self) -> JsResult<()> {
        self.t.silu_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "mish_")]
    pub fn mish_js(&self) -> JsResult<()> {
        self.t.mish_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "hardsigmoid_")]
    pub fn hardsigmoid_js(&self) -> JsResult<()> {
        self.t.hardsigmoid_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "hardswish_")]
    pub fn hardswish_js(&self) -> JsResult<()> {
        self.t.hardswish_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "hardtanh_")]
    pub fn hardtanh_js(&self, min_val: f64, max_val: f64) -> JsResult<()> {
        self.t.hardtanh_(min_val, max_val).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "dropout_")]
    pub fn dropout_js(&self, p: f64, training: bool) -> JsResult<()> {
        self.t.dropout_(p, training).map(|_| ()).map_err(err)
    }

    // ---- layers --------------------------------------------------------------------------
    pub fn linear(&self, weight: &RawTensor, bias: Option<RawTensor>) -> JsResult<RawTensor> {
        wrap(self.t.linear(&weight.t, opt(&bias)))
    }
    pub fn bilinear(
        &self,
        input2: &RawTensor,
        weight: &RawTensor,
        bias: Option<RawTensor>,
    ) -> JsResult<RawTensor> {
        wrap(Tensor::bilinear(&self.t, &input2.t, &weight.t, opt(&bias)))
    }
    pub fn dropout(&self, p: f64, training: bool) -> JsResult<RawTensor> {
        wrap(self.t.dropout(p, training))
    }
    /// `self` holds the indices.
    pub fn embedding(
        &self,
        weight: &RawTensor,
        padding_idx: Option<f64>,
        scale_grad_by_freq: bool,
    ) -> JsResult<RawTensor> {
        wrap(Tensor::embedding(
            &self.t,
            &weight.t,
            padding_idx.map(|p| p as i64),
            scale_grad_by_freq,
        ))
    }
    /// `self` is the weight; renormalises the rows `indices` references, in place.
    #[wasm_bindgen(js_name = "embeddingRenorm_")]
    pub fn embedding_renorm_js(
        &self,
        indices: &RawTensor,
        max_norm: f64,
        norm_type: f64,
    ) -> JsResult<()> {
        self.t
            .embedding_renorm_(&indices.t, max_norm, norm_type)
            .map(|_| ())
            .map_err(err)
    }
    #[wasm_bindgen(js_name = oneHot)]
    pub fn one_hot(&self, num_classes: f64) -> JsResult<RawTensor> {
        wrap(self.t.one_hot(num_classes as i64))
    }
    pub fn pad(&self, pad: &[f64], mode: &str, value: Option<f64>) -> JsResult<RawTensor> {
        let p: Vec<i64> = pad.iter().map(|&v| v as i64).collect();
        wrap(self.t.pad(&p, mode, value))
    }

    // ---- losses --------------------------------------------------------------------------
    #[wasm_bindgen(js_name = mseLoss)]
    pub fn mse_loss(&self, target: &RawTensor, reduction: &str) -> JsResult<RawTensor> {
        wrap(self.t.mse_loss(&target.t, red(reduction)?))
    }
    #[wasm_bindgen(js_name = l1Loss)]
    pub fn l1_loss(&self, target: &RawTensor, reduction: &str) -> JsResult<RawTensor> {
        wrap(self.t.l1_loss(&target.t, red(reduction)?))
    }
    #[wasm_bindgen(js_name = smoothL1Loss)]
    pub fn smooth_l1_loss(
        &self,
        target: &RawTensor,
        reduction: &str,
        beta: f64,
    ) -> JsResult<RawTensor> {
        wrap(self.t.smooth_l1_loss(&target.t, red(reduction)?, beta))
    }
    #[wasm_bindgen(js_name = huberLoss)]
    pub fn huber_loss(
        &self,
        target: &RawTensor,
        reduction: &str,
        delta: f64,
    ) -> JsResult<RawTensor> {
        wrap(self.t.huber_loss(&target.t, red(reduction)?, delta))
    }
    #[wasm_bindgen(js_name = binaryCrossEntropy)]
    pub fn binary_cross_entropy(
        &self,
        target: &RawTensor,
        weight: Option<RawTensor>,
        reduction: &str,
    ) -> JsResult<RawTensor> {
        wrap(
            self.t
                .binary_cross_entropy(&target.t, opt(&weight), red(reduction)?),
        )
    }
    #[wasm_bindgen(js_name = binaryCrossEntropyWithLogits)]
    pub fn binary_cross_entropy_with_logits(
        &self,
        target: &RawTensor,
        weight: Option<RawTensor>,
        pos_weight: Option<RawTensor>,
        reduction: &str,
    ) -> JsResult<RawTensor> {
        wrap(self.t.binary_cross_entropy_with_logits(
            &target.t,
            opt(&weight),
            opt(&pos_weight),
            red(reduction)?,
        ))
    }
    #[wasm_bindgen(js_name = klDiv)]
    pub fn kl_div(
        &self,
        target: &RawTensor,
        reduction: &str,
        log_target: bool,
    ) -> JsResult<RawTensor> {
        wrap(self.t.kl_div(&target.t, reduction, log_target))
    }
    #[wasm_bindgen(js_name = cosineEmbeddingLoss)]
    pub fn cosine_embedding_loss(
        &self,
        input2: &RawTensor,
        target: &RawTensor,
        margin: f64,
        reduction: &str,
    ) -> JsResult<RawTensor> {
        wrap(
            self.t
                .cosine_embedding_loss(&input2.t, &target.t, margin, red(reduction)?),
        )
    }
    #[wasm_bindgen(js_name = nllLoss)]
    pub fn nll_loss(
        &self,
        target: &RawTensor,
        weight: Option<RawTensor>,
        ignore_index: f64,
        reduction: &str,
    ) -> JsResult<RawTensor> {
        wrap(self.t.nll_loss(
            &target.t,
            opt(&weight),
            red(reduction)?,
            ignore_index as i64,
        ))
    }
    #[wasm_bindgen(js_name = crossEntropy)]
    pub fn cross_entropy(
        &self,
        target: &RawTensor,
        weight: Option<RawTensor>,
        ignore_index: f64,
        reduction: &str,
        label_smoothing: f64,
    ) -> JsResult<RawTensor> {
        wrap(self.t.cross_entropy(
            &target.t,
            opt(&weight),
            ignore_index as i64,
            red(reduction)?,
            label_smoothing,
        ))
    }

    // ---- normalisation -------------------------------------------------------------------
    #[wasm_bindgen(js_name = layerNorm)]
    pub fn layer_norm(
        &self,
        normalized_shape: &[u32],
        weight: Option<RawTensor>,
        bias: Option<RawTensor>,
        eps: f64,
    ) -> JsResult<RawTensor> {
        let ns: Vec<usize> = normalized_shape.iter().map(|&d| d as usize).collect();
        wrap(self.t.layer_norm(&ns, opt(&weight), opt(&bias), eps))
    }
    #[wasm_bindgen(js_name = groupNorm)]
    pub fn group_norm(
        &self,
        num_groups: u32,
        weight: Option<RawTensor>,
        bias: Option<RawTensor>,
        eps: f64,
    ) -> JsResult<RawTensor> {
        wrap(
            self.t
                .group_norm(num_groups as usize, opt(&weight), opt(&bias), eps),
        )
    }
    #[wasm_bindgen(js_name = batchNorm)]
    #[allow(clippy::too_many_arguments)]
    pub fn batch_norm(
        &self,
        running_mean: Option<RawTensor>,
        running_var: Option<RawTensor>,
        weight: Option<RawTensor>,
        bias: Option<RawTensor>,
        training: bool,
        momentum: f64,
        eps: f64,
    ) -> JsResult<RawTensor> {
        wrap(self.t.batch_norm(
            opt(&running_mean),
            opt(&running_var),
            opt(&weight),
            opt(&bias),
            training,
            momentum,
            eps,
        ))
    }
}
