//! Matrix products.

use super::with_slice;
use crate::autograd::saved::Saved;
use crate::element::Numeric;
use crate::kernels;
use crate::kernels::provider::kernel_provider;
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
                self.dtype().name(),
                other.dtype().name()
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
        let a = self.contiguous_data()?;
        let b = other.contiguous_data()?;
        let out = crate::numeric_dispatch!(self.dtype(), "addmm_impl_cpu_", T => {
            let (oa, ob) = (a.layout().offset, b.layout().offset);
            let v = with_slice(&a, |da: &[T]| {
                with_slice(&b, |db: &[T]| matmul_kernel(&da[oa..oa + m * k], &db[ob..ob + k * n], m, k, n))
            })??;
            Tensor::from_vec(v, vec![m, n])?
        });
        self.record_mm(other, out)
    }

    fn record_mm(&self, other: &Tensor, out: Tensor) -> Result<Tensor> {
        let sa = if other.requires_grad() {
            Some(Saved::new(self))
        } else {
            None
        };
        let sb = if self.requires_grad() {
            Some(Saved::new(other))
        } else {
            None
        };
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

    /// `matmul(other)`: for now the 1-D/2-D cases (dot, mv, vm, mm); batched matmul comes with
    /// the broader op set.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        match (self.ndim(), other.ndim()) {
            (2, 2) => self.mm(other),
            (1, 2) => self.unsqueeze(0)?.mm(other)?.squeeze_dims(&[0]),
            (2, 1) => self.mm(&other.unsqueeze(1)?)?.squeeze_dims(&[1]),
            (1, 1) => {
                if self.shape()[0] != other.shape()[0] {
                    bail!(
                        "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                        self.shape()[0], other.shape()[0], self.shape()[0], other.shape()[0]
                    );
                }
                self.unsqueeze(0)?
                    .mm(&other.unsqueeze(1)?)?
                    .reshape_usize(&[])
            }
            (a, b) if a == 0 || b == 0 => bail!(
                "both arguments to matmul need to be at least 1D, but they are {}D and {}D",
                a,
                b
            ),
            (a, b) => bail!("matmul of {}D and {}D tensors is not supported yet", a, b),
        }
    }

    /// The data of this tensor in contiguous row-major order, without graph.
    fn contiguous_data(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.detach());
        }
        crate::autograd::grad_mode::no_grad(|| self.clone_tensor())
    }
}

fn matmul_kernel<T: Numeric>(a: &[T], b: &[T], m: usize, k: usize, n: usize) -> Vec<T> {
    if let (Some(p), Some(fa), Some(fb)) = (kernel_provider(), T::as_f32(a), T::as_f32(b)) {
        let v = p.matmul_f32(fa, fb, m, k, n).filter(|v| v.len() == m * n);
        if let Some(v) = v.and_then(T::from_f32_vec) {
            return v;
        }
    }
    kernels::matmul(a, b, m, k, n)
}

use super::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![
        OpSpec {
            name: "mm",
            js: "mm",
            grad_fn: "MmBackward0",
            dtypes: "float32, float64, int32, int64",
            grad: D2,
            notes: "`g@Bᵀ`, `Aᵀ@g`",
            inputs: vec![input(&[2, 3], Any), input(&[3, 2], Any)],
            run: |x| x[0].mm(&x[1]),
        },
        OpSpec {
            name: "matmul",
            js: "matmul",
            grad_fn: "MmBackward0",
            dtypes: "float32, float64, int32, int64",
            grad: D2,
            notes: "2-D case shown; 1-D operands get a dim prepended/appended and removed",
            inputs: vec![input(&[2, 3], Any), input(&[3, 2], Any)],
            run: |x| x[0].matmul(&x[1]),
        },
    ]
}
