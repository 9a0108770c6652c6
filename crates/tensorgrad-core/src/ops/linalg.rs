//! Matrix products: `mm`, and the strided (batched) product kernel that `mm`, `mv`, `bmm`,
//! `addmm` and `baddbmm` share. The kernel reads transposed and other strided views in place,
//! so backward rules such as `g.mm(b.t())` never copy the transpose. The rest of the family
//! (matmul, dot, mv, bmm, einsum, ...) is in `linalg_ext.rs`.

use super::with_slice;
use crate::autograd::saved::Saved;
use crate::element::Numeric;
use crate::kernels::provider::{
    kernel_provider, kernel_provider_for, KernelProvider, Offer, Operand, Output,
};
use crate::shape::Layout;
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};

impl Tensor {
    /// `mm(other)` (MmBackward0): 2-D matrix product.
    pub fn mm(&self, other: &Tensor) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() {
            let (a, b) = (
                crate::autocast::lower(self)?,
                crate::autocast::lower(other)?,
            );
            let _off = crate::autocast::AutocastGuard::new(None);
            return a.mm(&b);
        }
        if self.ndim() != 2 {
            bail!("self must be a matrix");
        }
        if other.ndim() != 2 {
            bail!("mat2 must be a matrix");
        }
        let (m, k) = (self.shape()[0], self.shape()[1]);
        let (k2, n) = (other.shape()[0], other.shape()[1]);
        if k != k2 {
            bail!(
                "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
                m,
                k,
                k2,
                n
            );
        }
        if self.dtype() != other.dtype() {
            bail!(
                "expected m1 and m2 to have the same dtype, but got: {} != {}",
                super::meta_name(self.dtype()),
                super::meta_name(other.dtype())
            );
        }
        if super::is_half(self.dtype()) {
            // float32 accumulation, rounded to the half type once
            let d = self.dtype();
            let out = crate::no_grad(|| {
                self.to_dtype(crate::DType::F32)?
                    .mm(&other.to_dtype(crate::DType::F32)?)?
                    .to_dtype(d)
            })?;
            return self.record_mm(other, out);
        }
        let out = product(
            self,
            lift3(self.layout()),
            other,
            lift3(other.layout()),
            vec![m, n],
            "addmm_impl_cpu_",
        )?;
        self.record_mm(other, out)
    }

    fn record_mm(&self, other: &Tensor, out: Tensor) -> Result<Tensor> {
        let sa = other.requires_grad().then(|| Saved::new(self));
        let sb = self.requires_grad().then(|| Saved::new(other));
        record1("MmBackward0", &[self, other], out, false, move |ctx, g| {
            let ga = match (&sb, ctx.needs_input_grad(0)) {
                (Some(b), true) => Some(g.mm(&b.get()?.t()?)?),
                _ => None,
            };
            let gb = match (&sa, ctx.needs_input_grad(1)) {
                (Some(a), true) => Some(a.get()?.t()?.mm(g)?),
                _ => None,
            };
            Ok(vec![ga, gb])
        })
    }
}

/// A 2-D layout seen as a batch of one (batch stride 0); 3-D layouts are returned as they are.
pub(crate) fn lift3(l: &Layout) -> Layout {
    if l.shape.len() == 3 {
        return l.clone();
    }
    let mut shape = vec![1];
    shape.extend_from_slice(&l.shape);
    let mut strides = vec![0];
    strides.extend_from_slice(&l.strides);
    Layout {
        shape,
        strides,
        offset: l.offset,
    }
}

/// The batched product of `a` (read through the 3-D layout `la`) and `b` (through `lb`), as a
/// fresh contiguous tensor of shape `out_shape` (same number of elements as `[bs, m, n]`).
/// Both tensors must have the same dtype (callers check, with their own messages).
pub(crate) fn product(
    a: &Tensor,
    la: Layout,
    b: &Tensor,
    lb: Layout,
    out_shape: Vec<usize>,
    op: &str,
) -> Result<Tensor> {
    // A single float32 product goes to the external provider first, with operands that may
    // live on its device; batches are offered per matrix from host data in `bmm_strided`.
    // If it declines, `bmm_strided` offers the product again from host data (device operands
    // are downloaded by `with_slice`) to be written in place: the thread pool's entry.
    let offer_new = match super::offload::matmul(a, &la, b, &lb, &out_shape) {
        super::offload::Offered::Done(t) => return Ok(t),
        super::offload::Offered::Declined => false,
        // (a provider without `matmul_f32`, such as the pool alone, is not asked again)
        super::offload::Offered::No => kernel_provider_for(Offer::Matmul).is_some(),
    };
    let provider = kernel_provider();
    crate::numeric_dispatch!(a.dtype(), op, T => {
        let v = with_slice(a, |da: &[T]| {
            with_slice(b, |db: &[T]| {
                bmm_strided(da, &la, db, &lb, provider.as_deref(), offer_new)
            })
        })??;
        Tensor::from_vec(v, out_shape)
    })
}

/// `C[b] = A[b] · B[b]` over 3-D strided views (shape `[bs, m, k]` and `[bs, k, n]`), into a
/// contiguous `[bs, m, n]` vector. f32 and f64 run the blocked kernel of `kernels::gemm`
/// (which packs panels from any strides, so transposed views are never materialised); other
/// types and tiny products run the loops below, which are also the reference the blocked
/// kernel is tested against: row-major `B` as row axpys, column-major `B` with row-major `A`
/// (a transposed view) as dot products, anything else by strided reads.
/// Products smaller than this (m·n·k) skip the blocked kernel's packing.
const GEMM_MIN_WORK: usize = 4096;

pub(crate) fn bmm_strided<T: Numeric>(
    a: &[T],
    la: &Layout,
    b: &[T],
    lb: &Layout,
    provider: Option<&dyn KernelProvider>,
    offer_new: bool,
) -> Vec<T> {
    let (bs, m, k) = (la.shape[0], la.shape[1], la.shape[2]);
    let n = lb.shape[2];
    let mut c = vec![T::ZERO; bs * m * n];
    if bs == 0 || m == 0 || n == 0 || k == 0 {
        return c;
    }
    let (sab, sam, sak) = (la.strides[0], la.strides[1], la.strides[2]);
    let (sbb, sbk, sbn) = (lb.strides[0], lb.strides[1], lb.strides[2]);
    for bi in 0..bs {
        let ao = la.offset + bi * sab;
        let bo = lb.offset + bi * sbb;
        let cb = &mut c[bi * m * n..(bi + 1) * m * n];
        // The provider takes each operand row-major or transposed-contiguous (the backward
        // products read `Bᵀ` and `Aᵀ` as transposed views of contiguous tensors).
        let a_rowmajor = sak == 1 && (sam == k || m == 1);
        let a_colmajor = sam == 1 && (sak == m || k == 1);
        let b_rowmajor = sbn == 1 && (sbk == n || k == 1);
        let b_colmajor = sbk == 1 && (sbn == k || n == 1);
        let a_ok = a_rowmajor || a_colmajor;
        let b_ok = b_rowmajor || b_colmajor;
        if let (Some(p), true) = (
            provider,
            a_ok && b_ok && ao + m * k <= a.len() && bo + k * n <= b.len(),
        ) {
            let (sa, sb) = (&a[ao..ao + m * k], &b[bo..bo + k * n]);
            if let (Some(fa), Some(fb)) = (T::as_f32(sa), T::as_f32(sb)) {
                // First `matmul_f32` (unless `product` already offered it this product), then
                // `matmul_into_f32`, which writes C in place (float32 only: as_f32 is None
                // otherwise) — the thread pool answers there.
                if offer_new {
                    let v = p
                        .matmul_f32(
                            Operand::Host(fa),
                            Operand::Host(fb),
                            m,
                            k,
                            n,
                            !a_rowmajor,
                            !b_rowmajor,
                        )
                        .and_then(|out| match out {
                            Output::Host(v) => Some(v),
                            // one matrix of a batch: its rows are copied into the batch result
                            Output::Device(d) => d.download(),
                        })
                        .filter(|v| v.len() == m * n);
                    if let Some(v) = v.and_then(T::from_f32_vec) {
                        cb.copy_from_slice(&v);
                        continue;
                    }
                }
                if let Some(fc) = crate::kernels::gemm::same_type_mut::<T, f32>(cb) {
                    if p.matmul_into_f32(fa, fb, m, k, n, !a_rowmajor, !b_rowmajor, fc) {
                        continue;
                    }
                }
            }
        }
        if m * n * k >= GEMM_MIN_WORK
            && crate::kernels::gemm::try_gemm(
                m,
                n,
                k,
                &a[ao..],
                (sam, sak),
                &b[bo..],
                (sbk, sbn),
                cb,
                n,
            )
        {
            // f32/f64: the cache-blocked, register-tiled kernel (reads any strides in place).
            continue;
        }
        if sbn == 1 || n == 1 {
            // i-p-j: the inner loop is an axpy over a contiguous row of B and C.
            for i in 0..m {
                let crow = &mut cb[i * n..(i + 1) * n];
                for p in 0..k {
                    let av = a[ao + i * sam + p * sak];
                    let start = bo + p * sbk;
                    let brow = &b[start..start + n];
                    for (cv, &bv) in crow.iter_mut().zip(brow) {
                        *cv = cv.nadd(av.nmul(bv));
                    }
                }
            }
        } else if sbk == 1 && sak == 1 {
            // B is column-major (a transposed view) and A row-major: dot products.
            for i in 0..m {
                let arow = &a[ao + i * sam..ao + i * sam + k];
                for j in 0..n {
                    let bcol = &b[bo + j * sbn..bo + j * sbn + k];
                    let mut acc = T::ZERO;
                    for (&x, &y) in arow.iter().zip(bcol) {
                        acc = acc.nadd(x.nmul(y));
                    }
                    cb[i * n + j] = acc;
                }
            }
        } else {
            for i in 0..m {
                for p in 0..k {
                    let av = a[ao + i * sam + p * sak];
                    let bbase = bo + p * sbk;
                    for j in 0..n {
                        let cv = &mut cb[i * n + j];
                        *cv = cv.nadd(av.nmul(b[bbase + j * sbn]));
                    }
                }
            }
        }
    }
    c
}

use super::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![OpSpec {
        name: "mm",
        js: "mm",
        grad_fn: "MmBackward0",
        dtypes: "float32, float64, int32, int64",
        grad: D2,
        notes: "`g@Bᵀ`, `Aᵀ@g` (transposes are strided views, never copied)",
        inputs: vec![input(&[2, 3], Any), input(&[3, 2], Any)],
        run: |x| x[0].mm(&x[1]),
    }]
}
