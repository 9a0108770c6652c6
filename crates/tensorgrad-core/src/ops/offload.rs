//! Offering ops to the external kernel provider (`kernels/provider.rs`). Operands are the
//! storage's device copy when the provider takes handles and the op reads the whole storage,
//! else host slices; results may come back as device handles, which become device-only
//! storages (`storage.rs`). Only float32 is ever offered. Every helper returns `None` when the
//! op is not offered or the provider declined, and the caller runs its CPU kernel.

use crate::dtype::DType;
use crate::kernels::provider::{
    kernel_provider_for, BinaryKind, ConvGeometry, ConvKind, DeviceHandle, KernelProvider, Offer,
    Operand, Output, UnaryKind,
};
use crate::shape::{numel, Layout};
use crate::storage::{Buffer, Storage};
use crate::tensor::Tensor;
use std::cell::Ref;
use std::ops::Range;
use std::rc::Rc;

/// An operand borrowed for one provider call.
pub(crate) enum Arg<'t> {
    Host(Ref<'t, Buffer>, Range<usize>),
    Device(DeviceHandle),
}

impl Arg<'_> {
    pub(crate) fn operand(&self) -> Operand<'_> {
        match self {
            Arg::Host(b, r) => match &**b {
                Buffer::F32(v) => Operand::Host(&v[r.clone()]),
                _ => Operand::Host(&[]), // unreachable: arg() admits float32 only
            },
            Arg::Device(h) => Operand::Device(h),
        }
    }
}

/// The provider, for float32 data only (float64 never leaves the core), if it takes `op`.
pub(crate) fn provider_for(dtype: DType, op: Offer) -> Option<Rc<dyn KernelProvider>> {
    if dtype == DType::F32 {
        kernel_provider_for(op)
    } else {
        None
    }
}

/// Elements `span` of `t`'s storage as an operand (the caller checked that its layout reads
/// them in the order the provider expects): the device copy when the provider takes handles
/// and `span` is the whole storage, else the host slice (a device-only storage downloads once).
pub(crate) fn arg<'t>(
    p: &dyn KernelProvider,
    t: &'t Tensor,
    span: Range<usize>,
) -> Option<Arg<'t>> {
    let st = t.storage();
    if st.dtype() != DType::F32 || span.end > st.len() {
        return None;
    }
    if p.takes_device() && span.start == 0 && span.end == st.len() {
        if let Some(h) = st.device() {
            return Some(Arg::Device(h));
        }
    }
    Some(Arg::Host(t.buffer(), span))
}

/// A contiguous tensor's operand; `None` when it is strided.
pub(crate) fn contiguous_arg<'t>(p: &dyn KernelProvider, t: &'t Tensor) -> Option<Arg<'t>> {
    arg(p, t, t.layout().contiguous_range()?)
}

/// A provider's result as a fresh contiguous tensor of `shape` (`None` if its length is wrong).
pub(crate) fn output_tensor(out: Output, shape: Vec<usize>) -> Option<Tensor> {
    if out.len() != numel(&shape) {
        return None;
    }
    match out {
        Output::Host(v) => Tensor::from_vec(v, shape).ok(),
        Output::Device(h) => Some(Tensor::from_parts(
            Rc::new(Storage::from_device(h)),
            Layout::contiguous(shape),
        )),
    }
}

/// Whether a layout reads one element only (every dim of size 1 or stride 0).
fn reads_one(l: &Layout) -> bool {
    l.numel() > 0
        && l.strides
            .iter()
            .zip(&l.shape)
            .all(|(&s, &d)| s == 0 || d == 1)
}

/// `a ⊙ b` (already cast to float32, broadcast to `shape`): equally shaped contiguous operands
/// go to `binary`, a single broadcast value on either side to `scalar`.
pub(crate) fn binary(kind: BinaryKind, a: &Tensor, b: &Tensor, shape: &[usize]) -> Option<Tensor> {
    if b.dtype() != DType::F32 {
        return None;
    }
    let (same_a, same_b) = (a.shape() == shape, b.shape() == shape);
    if same_a && same_b {
        let p = provider_for(a.dtype(), Offer::Binary)?;
        let (x, y) = (contiguous_arg(&*p, a)?, contiguous_arg(&*p, b)?);
        let out = p.binary_f32(kind, x.operand(), y.operand())?;
        return output_tensor(out, shape.to_vec());
    }
    let (x, s, scalar_first) = if same_a && reads_one(b.layout()) {
        (a, b, false)
    } else if same_b && reads_one(a.layout()) {
        (b, a, true)
    } else {
        return None;
    };
    let p = provider_for(a.dtype(), Offer::Scalar)?;
    let c = s.buffer().get_f64(s.layout().offset) as f32;
    let xa = contiguous_arg(&*p, x)?;
    let out = p.scalar_f32(kind, xa.operand(), c, scalar_first)?;
    output_tensor(out, shape.to_vec())
}

/// `x ⊙ c` (or `c ⊙ x`) for a float32 tensor and a float32 scalar.
pub(crate) fn scalar(kind: BinaryKind, x: &Tensor, c: f32, scalar_first: bool) -> Option<Tensor> {
    let p = provider_for(x.dtype(), Offer::Scalar)?;
    let xa = contiguous_arg(&*p, x)?;
    let out = p.scalar_f32(kind, xa.operand(), c, scalar_first)?;
    output_tensor(out, x.shape().to_vec())
}

pub(crate) fn unary(kind: UnaryKind, x: &Tensor) -> Option<Tensor> {
    let p = provider_for(x.dtype(), Offer::Unary)?;
    let xa = contiguous_arg(&*p, x)?;
    let out = p.unary_f32(kind, xa.operand())?;
    output_tensor(out, x.shape().to_vec())
}

/// The full sum of a contiguous float32 tensor, shaped `out_shape` (one element).
pub(crate) fn sum(x: &Tensor, out_shape: Vec<usize>) -> Option<Tensor> {
    let p = provider_for(x.dtype(), Offer::Sum)?;
    let xa = contiguous_arg(&*p, x)?;
    let out = p.sum_f32(xa.operand())?;
    output_tensor(out, out_shape)
}

/// How a `[1, r, c]` layout (a matrix in the batched product's form) can be offered: row-major
/// or transposed-contiguous (column-major), with the storage span it reads.
fn matrix_span(l: &Layout) -> Option<(bool, Range<usize>)> {
    let (r, c) = (l.shape[1], l.shape[2]);
    let (sr, sc) = (l.strides[1], l.strides[2]);
    let span = l.offset..l.offset + r * c;
    if sc == 1 && (sr == c || r == 1) {
        Some((false, span))
    } else if sr == 1 && (sc == r || c == 1) {
        Some((true, span))
    } else {
        None
    }
}

/// The outcome of offering a matrix product.
pub(crate) enum Offered {
    /// Not offered (no provider, another dtype, a batch, a layout the seam cannot express).
    No,
    /// Offered and declined: the CPU kernel runs, without offering it again.
    Declined,
    Done(Tensor),
}

/// A single (batch of one) float32 product `a·b` read through the 3-D layouts `la`, `lb`.
pub(crate) fn matmul(
    a: &Tensor,
    la: &Layout,
    b: &Tensor,
    lb: &Layout,
    out_shape: &[usize],
) -> Offered {
    let (m, k, n) = (la.shape[1], la.shape[2], lb.shape[2]);
    if la.shape[0] != 1 || lb.shape[0] != 1 || m == 0 || k == 0 || n == 0 || b.dtype() != DType::F32
    {
        return Offered::No;
    }
    let Some(p) = provider_for(a.dtype(), Offer::Matmul) else {
        return Offered::No;
    };
    let (Some((ta, sa)), Some((tb, sb))) = (matrix_span(la), matrix_span(lb)) else {
        return Offered::No;
    };
    let (Some(xa), Some(xb)) = (arg(&*p, a, sa), arg(&*p, b, sb)) else {
        return Offered::No;
    };
    match p
        .matmul_f32(xa.operand(), xb.operand(), m, k, n, ta, tb)
        .and_then(|out| output_tensor(out, out_shape.to_vec()))
    {
        Some(t) => Offered::Done(t),
        None => Offered::Declined,
    }
}

/// One of the three convolution products of contiguous float32 tensors.
pub(crate) fn conv2d(
    kind: ConvKind,
    a: &Tensor,
    b: &Tensor,
    geom: &ConvGeometry,
    out_shape: &[usize],
) -> Option<Tensor> {
    if b.dtype() != DType::F32 || geom.macs() == 0 {
        return None;
    }
    let p = provider_for(a.dtype(), Offer::Conv2d)?;
    let (la, lb, lo) = geom.lens(kind);
    if a.numel() != la || b.numel() != lb || numel(out_shape) != lo {
        return None;
    }
    let (xa, xb) = (contiguous_arg(&*p, a)?, contiguous_arg(&*p, b)?);
    let out = p.conv2d_f32(kind, xa.operand(), xb.operand(), geom)?;
    output_tensor(out, out_shape.to_vec())
}
