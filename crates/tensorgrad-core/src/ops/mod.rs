//! Differentiable ops. Each op lives in one place: its forward (calling a kernel) and its
//! backward rule, written with these same ops so the gradient is itself differentiable.

pub mod binary;
pub mod inplace;
pub mod linalg;
pub mod reduce;
pub mod shape;
pub mod softmax;
pub mod unary;

use crate::dtype::DType;
use crate::element::Float;
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};

/// Run `$body` with `$T` bound to the Rust type of a floating dtype.
#[macro_export]
#[doc(hidden)]
macro_rules! float_dispatch {
    ($dtype:expr, $op:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            other => $crate::bail!(
                "\"{}\" not implemented for '{}'",
                $op,
                $crate::ops::kernel_dtype_name(other)
            ),
        }
    };
}

/// PyTorch's kernel-dispatch names ("Float", "Double", "Bool") used in its dtype errors.
pub fn kernel_dtype_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::Bool => "Bool",
    }
}

/// Borrow the typed, possibly strided data of a tensor as `&[T]` inside `f`.
pub(crate) fn with_slice<T: Float, R>(t: &Tensor, f: impl FnOnce(&[T]) -> R) -> Result<R> {
    let buf = t.buffer();
    match T::slice(&buf) {
        Some(s) => Ok(f(s)),
        None => bail!("internal dtype mismatch: tensor is {}", t.dtype()),
    }
}

/// The floating dtype arithmetic on these operands computes in (bool counts as float32).
pub(crate) fn arith_dtype(a: DType, b: DType) -> DType {
    match DType::promote(a, b) {
        DType::Bool => DType::F32,
        d => d,
    }
}

impl Tensor {
    /// `to(dtype)`: a copy converted to `dtype` (the same tensor when it already has it).
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if self.dtype() == dtype {
            return Ok(self.clone());
        }
        let buf = self.buffer();
        let l = self.layout();
        use crate::storage::Buffer as B;
        let out = match (&*buf, dtype) {
            (B::F32(v), DType::F64) => B::F64(crate::kernels::unary(v, l, |x| x as f64)),
            (B::F64(v), DType::F32) => B::F32(crate::kernels::unary(v, l, |x| x as f32)),
            (B::Bool(v), DType::F32) => B::F32(crate::kernels::unary(v, l, |x| x as u8 as f32)),
            (B::Bool(v), DType::F64) => B::F64(crate::kernels::unary(v, l, |x| x as u8 as f64)),
            (B::F32(v), DType::Bool) => B::Bool(crate::kernels::unary(v, l, |x| x != 0.0)),
            (B::F64(v), DType::Bool) => B::Bool(crate::kernels::unary(v, l, |x| x != 0.0)),
            _ => bail!("unsupported conversion from {} to {}", self.dtype(), dtype),
        };
        drop(buf);
        let out = Tensor::from_buffer(out, self.shape().to_vec())?;
        if !dtype.is_floating_point() {
            return Ok(out);
        }
        let from = self.dtype();
        record1("ToCopyBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.to_dtype(from)?)])
        })
    }

    /// A contiguous tensor with the same values (this one when already contiguous).
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() && self.layout().offset == 0 && self.storage().len() == self.numel()
        {
            return Ok(self.clone());
        }
        self.clone_tensor()
    }

    /// `clone()`: a copy with its own storage, differentiable (CloneBackward0).
    pub fn clone_tensor(&self) -> Result<Tensor> {
        let buf = self.buffer();
        let l = self.layout();
        use crate::storage::Buffer as B;
        let out = match &*buf {
            B::F32(v) => B::F32(crate::kernels::gather(v, l)),
            B::F64(v) => B::F64(crate::kernels::gather(v, l)),
            B::Bool(v) => B::Bool(crate::kernels::gather(v, l)),
        };
        drop(buf);
        let out = Tensor::from_buffer(out, self.shape().to_vec())?;
        record1("CloneBackward0", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }
}
