//! Tensors saved for backward remember the storage version they were saved at; using one
//! after an in-place op changed it raises PyTorch's error instead of giving a wrong gradient.

use crate::error::{fmt_shape, Error, Result};
use crate::tensor::Tensor;
use crate::DType;

pub struct Saved {
    t: Tensor,
    version: u64,
}

/// PyTorch's legacy type names, used in its in-place error.
pub(crate) fn legacy_type_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "torch.FloatTensor",
        DType::F64 => "torch.DoubleTensor",
        DType::F16 => "torch.HalfTensor",
        DType::BF16 => "torch.BFloat16Tensor",
        DType::I32 => "torch.IntTensor",
        DType::I64 => "torch.LongTensor",
        DType::Bool => "torch.BoolTensor",
    }
}

impl Saved {
    pub fn new(t: &Tensor) -> Saved {
        Saved {
            t: t.clone(),
            version: t.version(),
        }
    }

    pub fn get(&self) -> Result<&Tensor> {
        check_version(&self.t, self.version)?;
        Ok(&self.t)
    }
}

pub(crate) fn check_version(t: &Tensor, saved_version: u64) -> Result<()> {
    let now = t.version();
    if now == saved_version {
        return Ok(());
    }
    let what = match t.grad_fn() {
        Some(f) => format!(", which is output {} of {},", t.output_nr(), f.name()),
        None => String::new(),
    };
    Err(Error::new(format!(
        "one of the variables needed for gradient computation has been modified by an inplace operation: [{} {}]{} is at version {}; expected version {} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with autograd.setDetectAnomaly(true).",
        legacy_type_name(t.dtype()),
        fmt_shape(t.shape()),
        what,
        now,
        saved_version
    )))
}
