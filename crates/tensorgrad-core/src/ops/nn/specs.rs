//! Op-table entries of the nn family. Integer targets, indices and running stats are built
//! inside `run`.

use super::losses::Reduction;
use crate::ops::registry::{fixed, input, Domain::*, Grad, OpSpec};
use crate::{DType, Result, Tensor};

const D2: Grad = Grad::Differentiable { double: true };
const FLOATS: &str = "float32, float64, float16, bfloat16";

fn long(v: &[i64], shape: &[usize]) -> Result<Tensor> {
    Tensor::from_vec(v.to_vec(), shape.to_vec())
}

fn f64t(v: &[f64], shape: &[usize]) -> Result<Tensor> {
    Tensor::from_f64_slice(v, shape.to_vec(), DType::F64)
}

macro_rules! act {
    ($name:literal, $js:literal, $gf:literal, $notes:literal, |$x:ident| $e:expr) => {
        OpSpec {
            name: $name,
            js: $js,
            grad_fn: $gf,
            dtypes: FLOATS,
            grad: D2,
            notes: $notes,
            inputs: vec![input(&[2, 3], Any)],
            run: |$x| $e,
        }
    };
}

pub(crate) fn specs() -> Vec<OpSpec> {
    vec![
        act!("relu6", "nn.functional.relu6", "HardtanhBackward0", "`hardtanh(x, 0, 6)`: grad 0 at the bounds", |x| x[0].mul_scalar(5.0)?.relu6()),
        act!("hardtanh", "nn.functional.hardtanh", "HardtanhBackward0", "grad 0 at and beyond the bounds (exclusive interval)", |x| x[0].hardtanh(-1.0, 1.0)),
        act!("leaky_relu", "nn.functional.leakyRelu", "LeakyReluBackward0", "grad `negative_slope` at 0", |x| x[0].leaky_relu(0.2)),
        act!("elu", "nn.functional.elu", "EluBackward0", "grad `alpha` at 0 (`x <= 0` branch)", |x| x[0].elu(1.3)),
        act!("selu", "nn.functional.selu", "EluBackward0", "`elu` with PyTorch's alpha and scale", |x| x[0].selu()),
        act!("celu", "nn.functional.celu", "EluBackward0", "`elu(x, alpha, 1, 1/alpha)`", |x| x[0].celu(0.7)),
        act!("gelu", "nn.functional.gelu", "GeluBackward0", "`approximate: 'none' | 'tanh'`; `cdf + x·pdf`", |x| x[0].gelu("none")),
        act!("gelu (tanh)", "nn.functional.gelu", "GeluBackward0", "tanh form, kBeta = √2·(2/√π)·0.5, kKappa = 0.044715", |x| x[0].gelu("tanh")),
        act!("silu", "nn.functional.silu", "SiluBackward0", "`σ(x)(1 + x(1 - σ(x)))`", |x| x[0].silu()),
        act!("mish", "nn.functional.mish", "MishBackward0", "`x·tanh(softplus(x))`", |x| x[0].mish()),
        act!("softplus", "nn.functional.softplus", "SoftplusBackward0", "`x·beta > threshold` is the identity with grad exactly 1", |x| x[0].softplus(2.0, 1.5)),
        act!("softsign", "nn.functional.softsign", "DivBackward0", "`x / (1 + |x|)`, composed as PyTorch", |x| x[0].softsign()),
        act!("hardsigmoid", "nn.functional.hardsigmoid", "HardsigmoidBackward0", "grad `g/6` only on the open interval (-3, 3)", |x| x[0].mul_scalar(2.5)?.hardsigmoid()),
        act!("hardswish", "nn.functional.hardswish", "HardswishBackward0", "grad 0 below -3, `x/3 + 0.5` on [-3, 3], 1 above", |x| x[0].mul_scalar(2.5)?.hardswish()),
        act!("hardshrink", "nn.functional.hardshrink", "HardshrinkBackward0", "zero grad on the closed interval `[-lambd, lambd]`", |x| x[0].hardshrink(0.5)),
        act!("softshrink", "nn.functional.softshrink", "SoftshrinkBackward0", "zero grad on the closed interval `[-lambd, lambd]`", |x| x[0].softshrink(0.5)),
        act!("logsigmoid", "nn.functional.logsigmoid", "LogSigmoidBackward0", "`min(x, 0) - log1p(exp(-|x|))`, grad `g·σ(-x)`", |x| x[0].logsigmoid()),
        OpSpec { name: "linear", js: "nn.functional.linear", grad_fn: "AddmmBackward0", dtypes: FLOATS, grad: D2, notes: "2-D input with bias is `addmm`; 3-D contiguous with bias is one flattened `addmm` (ViewBackward0); else `matmul` (+ AddBackward0); autocast lower-precision list", inputs: vec![input(&[3, 4], Any), input(&[2, 4], Any), input(&[2], Any)], run: |x| x[0].linear(&x[1], Some(&x[2])) },
        OpSpec { name: "linear (3-D, bias)", js: "nn.functional.linear", grad_fn: "ViewBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3, 4], Any), input(&[2, 4], Any), input(&[2], Any)], run: |x| x[0].linear(&x[1], Some(&x[2])) },
        OpSpec { name: "linear (no bias)", js: "nn.functional.linear", grad_fn: "MmBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[3, 4], Any), input(&[2, 4], Any)], run: |x| x[0].linear(&x[1], None) },
        OpSpec { name: "bilinear", js: "nn.functional.bilinear", grad_fn: "AddBackward0", dtypes: FLOATS, grad: D2, notes: "`_trilinear` (TrilinearBackward0) plus the bias", inputs: vec![input(&[3, 2], Any), input(&[3, 4], Any), input(&[5, 2, 4], Any), input(&[5], Any)], run: |x| Tensor::bilinear(&x[0], &x[1], &x[2], Some(&x[3])) },
        OpSpec { name: "dropout", js: "nn.functional.dropout", grad_fn: "MulBackward0", dtypes: FLOATS, grad: D2, notes: "`x * bernoulli(1-p)/(1-p)` from the global generator (PyTorch's default CPU bernoulli stream; MKL builds on Intel CPUs draw differently); identity when `p = 0` or not training", inputs: vec![input(&[4, 5], Any)], run: |x| { crate::manual_seed(3); x[0].dropout(0.4, true) } },
        OpSpec { name: "embedding", js: "nn.functional.embedding", grad_fn: "EmbeddingBackward0", dtypes: FLOATS, grad: D2, notes: "int64/int32 indices; repeated indices accumulate; the `paddingIdx` row gets no gradient; `scaleGradByFreq` divides each row's gradient by its index's count in the mini-batch (deliberately not the derivative, so not gradchecked); `maxNorm` first renormalises the referenced rows of `weight` in place, without gradient (`embedding_renorm_`); `sparse: true` is refused (no sparse tensors)", inputs: vec![input(&[5, 3], Any)], run: |x| Tensor::embedding(&long(&[0, 2, 2, 4, 1, 2], &[2, 3])?, &x[0], Some(3), false) },
        OpSpec { name: "one_hot", js: "nn.functional.oneHot", grad_fn: "", dtypes: "int64", grad: Grad::None, notes: "int64 result; `numClasses = -1` infers `max + 1`", inputs: vec![fixed(&[3])], run: |_| long(&[0, 2, 1], &[3])?.one_hot(-1) },
        OpSpec { name: "pad", js: "nn.functional.pad", grad_fn: "ConstantPadNdBackward0", dtypes: "all", grad: D2, notes: "constant mode (negative pads crop); reflect/replicate/circular are `index_select`s (IndexSelectBackward0)", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].pad(&[1, 2, -1, 1], "constant", Some(0.5)) },
        OpSpec { name: "pad (reflect)", js: "nn.functional.pad", grad_fn: "IndexSelectBackward0", dtypes: "all", grad: D2, notes: "", inputs: vec![input(&[1, 2, 4], Any)], run: |x| x[0].pad(&[2, 1], "reflect", None) },
        OpSpec { name: "mse_loss", js: "nn.functional.mseLoss", grad_fn: "MseLossBackward0", dtypes: FLOATS, grad: D2, notes: "`2(x-y)·g/N`; broadcasting as `F.mse_loss`", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Any)], run: |x| x[0].mse_loss(&x[1], Reduction::Mean) },
        OpSpec { name: "l1_loss", js: "nn.functional.l1Loss", grad_fn: "MeanBackward0", dtypes: FLOATS, grad: D2, notes: "`(x-y).abs()` reduced: grad 0 at an exact match", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Any)], run: |x| x[0].l1_loss(&x[1], Reduction::Mean) },
        OpSpec { name: "smooth_l1_loss", js: "nn.functional.smoothL1Loss", grad_fn: "SmoothL1LossBackward0", dtypes: FLOATS, grad: D2, notes: "`x<=-β: -g`, `x>=β: g`, else `x/β·g`; `beta = 0` is l1_loss", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Any)], run: |x| x[0].smooth_l1_loss(&x[1], Reduction::Sum, 0.5) },
        OpSpec { name: "huber_loss", js: "nn.functional.huberLoss", grad_fn: "HuberLossBackward0", dtypes: FLOATS, grad: D2, notes: "`±δ·g` outside `[-δ, δ]`", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Any)], run: |x| x[0].huber_loss(&x[1], Reduction::Mean, 0.6) },
        OpSpec { name: "binary_cross_entropy", js: "nn.functional.binaryCrossEntropy", grad_fn: "BinaryCrossEntropyBackward0", dtypes: FLOATS, grad: D2, notes: "logs clamped at -100; grad `g·w(x-y)/max(x(1-x), 1e-12)`; target grad `-g·w·logit(x)`", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Unit)], run: |x| x[0].sigmoid()?.binary_cross_entropy(&x[1], Some(&f64t(&[0.5, 1.0, 2.0], &[3])?), Reduction::Mean) },
        OpSpec { name: "binary_cross_entropy_with_logits", js: "nn.functional.binaryCrossEntropyWithLogits", grad_fn: "BinaryCrossEntropyWithLogitsBackward0", dtypes: FLOATS, grad: D2, notes: "`(1-y)x - (1+(pw-1)y)·logsigmoid(x)`; `weight`, `posWeight` (not differentiated)", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Unit)], run: |x| x[0].binary_cross_entropy_with_logits(&x[1], Some(&f64t(&[0.5, 2.0], &[2, 1])?), Some(&f64t(&[1.5, 0.5, 3.0], &[3])?), Reduction::Mean) },
        OpSpec { name: "kl_div", js: "nn.functional.klDiv", grad_fn: "DivBackward0", dtypes: FLOATS, grad: D2, notes: "`xlogy(y, y) - y·x` (`exp(y)(y - x)` with `logTarget`); 'batchmean' divides the sum by the batch size", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Positive)], run: |x| x[0].kl_div(&x[1], "batchmean", false) },
        OpSpec { name: "kl_div (log_target)", js: "nn.functional.klDiv", grad_fn: "SumBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Any)], run: |x| x[0].kl_div(&x[1], "sum", true) },
        OpSpec { name: "cosine_embedding_loss", js: "nn.functional.cosineEmbeddingLoss", grad_fn: "MeanBackward0", dtypes: FLOATS, grad: D2, notes: "`1 - cos` for y = 1, `max(0, cos - margin)` for y = -1", inputs: vec![input(&[3, 4], Any), input(&[3, 4], Any)], run: |x| x[0].cosine_embedding_loss(&x[1], &long(&[1, -1, -1], &[3])?, -0.9, Reduction::Mean) },
        OpSpec { name: "nll_loss", js: "nn.functional.nllLoss", grad_fn: "NllLossBackward0", dtypes: FLOATS, grad: D2, notes: "int64 targets; `ignoreIndex` (-100); mean divides by the summed weights of non-ignored targets", inputs: vec![input(&[4, 3], Any)], run: |x| x[0].nll_loss(&long(&[0, 2, -100, 2], &[4])?, Some(&f64t(&[0.5, 1.0, 2.0], &[3])?), Reduction::Mean, -100) },
        OpSpec { name: "nll_loss (4-D)", js: "nn.functional.nllLoss", grad_fn: "NllLoss2DBackward0", dtypes: FLOATS, grad: D2, notes: "`[N, C, H, W]` input; 3-D and 5+-D inputs are folded into this form", inputs: vec![input(&[2, 3, 2, 1], Any)], run: |x| x[0].nll_loss(&long(&[0, 2, 1, 1], &[2, 2, 1])?, None, Reduction::Sum, -100) },
        OpSpec { name: "cross_entropy", js: "nn.functional.crossEntropy", grad_fn: "NllLossBackward0", dtypes: FLOATS, grad: D2, notes: "`log_softmax` + `nll_loss` for class indices (int64, `[N]` or `[N, d1, ...]`)", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].cross_entropy(&long(&[3, 0, 1], &[3])?, Some(&f64t(&[1.0, 2.0, 0.5, 1.5], &[4])?), -100, Reduction::Mean, 0.0) },
        OpSpec { name: "cross_entropy (label smoothing)", js: "nn.functional.crossEntropy", grad_fn: "AddBackward0", dtypes: FLOATS, grad: D2, notes: "`(1-ε)·nll + ε/C·Σ_c(-w_c·logp_c)`, ignored targets masked", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].cross_entropy(&long(&[3, -100, 1], &[3])?, Some(&f64t(&[1.0, 2.0, 0.5, 1.5], &[4])?), -100, Reduction::Mean, 0.2) },
        OpSpec { name: "cross_entropy (probabilities)", js: "nn.functional.crossEntropy", grad_fn: "DivBackward0", dtypes: FLOATS, grad: D2, notes: "a float target of the input's shape holds class probabilities", inputs: vec![input(&[3, 4], Any), input(&[3, 4], Positive)], run: |x| x[0].cross_entropy(&x[1], None, -100, Reduction::Mean, 0.1) },
        OpSpec { name: "cross_entropy (3-D, none)", js: "nn.functional.crossEntropy", grad_fn: "ViewBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3, 2], Any)], run: |x| x[0].cross_entropy(&long(&[0, 2, 1, -100], &[2, 2])?, None, -100, Reduction::None, 0.0) },
        OpSpec { name: "layer_norm", js: "nn.functional.layerNorm", grad_fn: "NativeLayerNormBackward0", dtypes: FLOATS, grad: D2, notes: "biased variance, `rstd = 1/√(var+eps)`; autocast float32 list", inputs: vec![input(&[2, 3, 2], Any), input(&[3, 2], Any), input(&[3, 2], Any)], run: |x| x[0].layer_norm(&[3, 2], Some(&x[1]), Some(&x[2]), 1e-5) },
        OpSpec { name: "group_norm", js: "nn.functional.groupNorm", grad_fn: "NativeGroupNormBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 4, 3], Any), input(&[4], Any), input(&[4], Any)], run: |x| x[0].group_norm(2, Some(&x[1]), Some(&x[2]), 1e-5) },
        OpSpec { name: "batch_norm", js: "nn.functional.batchNorm", grad_fn: "NativeBatchNormBackward0", dtypes: FLOATS, grad: D2, notes: "training: batch statistics, running stats updated in place (`running_var` unbiased); eval: running stats", inputs: vec![input(&[3, 2, 2], Any), input(&[2], Any), input(&[2], Any)], run: |x| { let (rm, rv) = (Tensor::zeros(&[2], DType::F64), Tensor::ones(&[2], DType::F64)); x[0].batch_norm(Some(&rm), Some(&rv), Some(&x[1]), Some(&x[2]), true, 0.1, 1e-5) } },
        OpSpec { name: "batch_norm (eval)", js: "nn.functional.batchNorm", grad_fn: "NativeBatchNormBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[3, 2, 2], Any), input(&[2], Any), input(&[2], Any)], run: |x| { let (rm, rv) = (f64t(&[0.1, -0.2], &[2])?, f64t(&[0.5, 2.0], &[2])?); x[0].batch_norm(Some(&rm), Some(&rv), Some(&x[1]), Some(&x[2]), false, 0.1, 1e-5) } },
    ]
}
