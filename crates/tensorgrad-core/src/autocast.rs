//! Autocast (`torch.autocast`): inside, ops on the lower-precision list cast their floating
//! inputs to the autocast dtype, and ops on the float32 list cast lower-precision inputs to
//! float32. The casts are ordinary graph ops, so each op's backward runs in the dtype its
//! forward used. Backward itself runs with autocast off.

use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;
use std::cell::Cell;

thread_local! {
    static STATE: Cell<Option<DType>> = const { Cell::new(None) };
}

/// The active autocast dtype, if any.
pub fn autocast_dtype() -> Option<DType> {
    STATE.with(|s| s.get())
}

/// Enter (Some(dtype)) or leave (None) autocast; returns the previous state.
pub fn set_autocast(dtype: Option<DType>) -> Option<DType> {
    STATE.with(|s| s.replace(dtype))
}

/// Restores the previous autocast state when dropped.
pub struct AutocastGuard(Option<DType>);

impl AutocastGuard {
    pub fn new(dtype: Option<DType>) -> Self {
        AutocastGuard(set_autocast(dtype))
    }
}

impl Drop for AutocastGuard {
    fn drop(&mut self) {
        set_autocast(self.0);
    }
}

/// For ops on the lower-precision list (mm, matmul, bmm, addmm, baddbmm, linear, conv): the
/// floating inputs cast to the autocast dtype; others unchanged.
pub(crate) fn lower(t: &Tensor) -> Result<Tensor> {
    match autocast_dtype() {
        Some(d) if t.dtype().is_floating_point() && t.dtype() != d && t.dtype() != DType::F64 => {
            let _off = AutocastGuard::new(None);
            t.to_dtype(d)
        }
        _ => Ok(t.clone()),
    }
}

/// For ops on the float32 list (softmax, log_softmax, exp, log, pow, sums, norms, losses,
/// layer norm): 16-bit float inputs cast to float32.
pub(crate) fn fp32(t: &Tensor) -> Result<Tensor> {
    match autocast_dtype() {
        Some(_) if matches!(t.dtype(), DType::F16 | DType::BF16) => {
            let _off = AutocastGuard::new(None);
            t.to_dtype(DType::F32)
        }
        _ => Ok(t.clone()),
    }
}
