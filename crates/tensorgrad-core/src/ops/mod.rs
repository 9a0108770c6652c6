//! Differentiable ops. Each op lives in one place: its forward (calling a kernel) and its
//! backward rule, written with these same ops so the gradient is itself differentiable.

pub mod binary;
pub mod conv;
pub mod indexing;
pub mod inplace;
pub mod linalg;
pub mod linalg_ext;
pub mod nn;
pub(crate) mod offload;
pub mod pointwise;
pub mod reduce;
pub mod reductions;
pub mod registry;
pub mod shape;
pub mod softmax;
pub mod unary;
pub mod views;

use crate::dtype::DType;
use crate::element::Element;
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
            $crate::DType::F16 => {
                type $T = $crate::half::F16;
                $body
            }
            $crate::DType::BF16 => {
                type $T = $crate::half::BF16;
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

/// Run `$body` with `$T` bound to the Rust type of a numeric (float or integer) dtype.
#[macro_export]
#[doc(hidden)]
macro_rules! numeric_dispatch {
    ($dtype:expr, $op:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            other => $crate::float_dispatch!(other, $op, $T => $body),
        }
    };
}

/// Whether a dtype is a 16-bit float (computed in float32 by ops that accumulate).
pub(crate) fn is_half(d: DType) -> bool {
    matches!(d, DType::F16 | DType::BF16)
}

/// Run `f` on this tensor upcast to float32 and cast the result back to the half dtype, with
/// no graph: for kernels that must accumulate in float32 (sums, matmul, softmax).
pub(crate) fn via_f32(x: &Tensor, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let d = x.dtype();
    crate::no_grad(|| f(&x.to_dtype(DType::F32)?)?.to_dtype(d))
}

/// PyTorch's `TypeMeta` names ("float", "double", "long int"), used by `dtype()` in messages.
pub(crate) fn meta_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "float",
        DType::F64 => "double",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::Bool => "bool",
    }
}

/// PyTorch's kernel-dispatch names ("Float", "Double", "Bool") used in its dtype errors.
pub fn kernel_dtype_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::F16 => "Half",
        DType::BF16 => "BFloat16",
        DType::I32 => "Int",
        DType::I64 => "Long",
        DType::Bool => "Bool",
    }
}

/// Borrow the typed, possibly strided data of a tensor as `&[T]` inside `f`.
pub(crate) fn with_slice<T: Element, R>(t: &Tensor, f: impl FnOnce(&[T]) -> R) -> Result<R> {
    let buf = t.buffer();
    match T::slice(&buf) {
        Some(s) => Ok(f(s)),
        None => bail!("internal dtype mismatch: tensor is {}", t.dtype()),
    }
}

/// The dtype add/sub/mul compute in: the promoted type, bool counted as int64.
#[allow(dead_code)]
pub(crate) fn arith_dtype(a: DType, b: DType) -> DType {
    match DType::promote(a, b) {
        DType::Bool => DType::I64,
        d => d,
    }
}

/// PyTorch's result type of two tensor operands (0-dim tensors rank below dimensioned ones).
pub(crate) fn result_type(a: &Tensor, b: &Tensor) -> DType {
    crate::dtype::result_type(&[(a.dtype(), a.ndim()), (b.dtype(), b.ndim())])
}

/// The dtype add/sub/mul of two tensors compute in (bool counted as int64).
pub(crate) fn arith_type(a: &Tensor, b: &Tensor) -> DType {
    match result_type(a, b) {
        DType::Bool => DType::I64,
        d => d,
    }
}

/// The floating dtype of ops that always produce floats (true division, exp, ...): the
/// promoted type when floating, else the default float32.
pub(crate) fn float_dtype(a: DType) -> DType {
    if a.is_floating_point() {
        a
    } else {
        DType::F32
    }
}

impl Tensor {
    /// `to(dtype)`: a copy converted to `dtype` (the same tensor when it already has it).
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if self.dtype() == dtype {
            return Ok(self.clone());
        }
        let out = {
            let buf = self.buffer();
            let l = self.layout();
            crate::with_buffer!(&*buf, v => convert(v, l, dtype))
        };
        let out = Tensor::from_buffer(out, self.shape().to_vec())?;
        if !dtype.is_floating_point() || !self.dtype().is_floating_point() {
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
        let out = {
            let buf = self.buffer();
            let l = self.layout();
            crate::map_buffer!(&*buf, v => crate::kernels::gather(v, l))
        };
        let out = Tensor::from_buffer(out, self.shape().to_vec())?;
        record1("CloneBackward0", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }
}

/// Convert a strided view of `v` into a contiguous buffer of `dtype` (C-style casts, as
/// PyTorch's `to`: float to int truncates, nonzero is true).
fn convert<T: Element>(v: &[T], l: &crate::shape::Layout, dtype: DType) -> crate::storage::Buffer {
    use crate::kernels::unary;
    use crate::storage::Buffer as B;
    match dtype {
        DType::F32 => B::F32(unary(v, l, |x| x.to_f64() as f32)),
        DType::F64 => B::F64(unary(v, l, |x| x.to_f64())),
        // via float32, as c10::Half(double) does
        DType::F16 => B::F16(unary(v, l, |x| {
            crate::half::F16::from_f32(x.to_f64() as f32)
        })),
        DType::BF16 => B::BF16(unary(v, l, |x| {
            crate::half::BF16::from_f32(x.to_f64() as f32)
        })),
        DType::I32 => B::I32(unary(v, l, |x| cast_int(x.to_f64()) as i32)),
        DType::I64 => B::I64(unary(v, l, |x| cast_int(x.to_f64()))),
        DType::Bool => B::Bool(unary(v, l, |x| x.to_f64() != 0.0)),
    }
}

/// Float to integer conversion without panics (nan -> 0, saturating at the bounds).
fn cast_int(x: f64) -> i64 {
    x as i64
}
