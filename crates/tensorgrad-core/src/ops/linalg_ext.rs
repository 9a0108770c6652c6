//! The linalg op family: `matmul` with PyTorch's full rules (`_matmul_impl` in
//! aten/src/ATen/native/LinearAlgebra.cpp: dot, mv, mm, folding into mm/mv, batched bmm with
//! broadcast batch dims), `dot`, `mv`, `outer`/`ger`, `bmm`, `addmm`, `baddbmm`, `trace`,
//! `linalg.vecdot`, `einsum` (PyTorch's algorithm: diagonals for repeated subscripts, permute
//! into one order, pairwise contraction through bmm), and the creation ops `eye`,
//! `linspace`, `logspace`, `randint`, `randperm` (PyTorch's CPU streams).
//!
//! Backward rules follow derivatives.yaml and are written with these same ops, so they are
//! differentiable again; transposes in them are strided views that the product kernel reads
//! in place.

use super::linalg::{lift3, product};
use super::meta_name;
use super::{kernel_dtype_name as kname, with_slice};
use crate::autograd::saved::Saved;
use crate::dtype::DType;
use crate::element::{Element, Numeric};
use crate::error::fmt_shape;
use crate::random::with_generator;
use crate::shape::{broadcast_shapes, contiguous_strides, for_each_offset, numel, Layout};
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};
use std::collections::VecDeque;

// ---- private view helpers (named so they cannot clash with other op families) -------------

/// A view of contiguous `t` with shape `shape`, recorded as `name` (PyTorch's `_unsafe_view`
/// is UnsafeViewBackward0, an in-place `squeeze_(dim)` SqueezeBackward4); the gradient is
/// reshaped back. A non-contiguous `t` falls back to `reshape`.
fn named_view(t: &Tensor, shape: &[usize], name: &'static str) -> Result<Tensor> {
    if numel(shape) != t.numel() {
        bail!(
            "shape '{}' is invalid for input of size {}",
            fmt_shape(shape),
            t.numel()
        );
    }
    if !t.is_contiguous() {
        return t.reshape_usize(shape);
    }
    let out = t.view_with_layout(Layout {
        shape: shape.to_vec(),
        strides: contiguous_strides(shape),
        offset: t.layout().offset,
    });
    let in_shape = t.shape().to_vec();
    record1(name, &[t], out, false, move |_, g| {
        Ok(vec![Some(g.reshape_usize(&in_shape)?)])
    })
}

/// `permute(perm)` (PermuteBackward0), a view; `perm` must be a permutation of the dims.
fn permute_view(t: &Tensor, perm: &[usize]) -> Result<Tensor> {
    let l = t.layout();
    let out = t.view_with_layout(Layout {
        shape: perm.iter().map(|&p| l.shape[p]).collect(),
        strides: perm.iter().map(|&p| l.strides[p]).collect(),
        offset: l.offset,
    });
    let mut inv = vec![0; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    record1("PermuteBackward0", &[t], out, false, move |_, g| {
        Ok(vec![Some(permute_view(g, &inv)?)])
    })
}

/// `movedim(-1, to)` as a permute.
fn move_last_to(t: &Tensor, to: usize) -> Result<Tensor> {
    let nd = t.ndim();
    let mut perm: Vec<usize> = (0..nd - 1).collect();
    perm.insert(to, nd - 1);
    permute_view(t, &perm)
}

/// Shape and strides of the main diagonal over dims `d1 < d2`: the other dims in order, then
/// the diagonal (stride `s1 + s2`).
fn diagonal_layout(
    shape: &[usize],
    strides: &[usize],
    d1: usize,
    d2: usize,
) -> (Vec<usize>, Vec<usize>) {
    let mut s = Vec::with_capacity(shape.len() - 1);
    let mut st = Vec::with_capacity(shape.len() - 1);
    for i in 0..shape.len() {
        if i != d1 && i != d2 {
            s.push(shape[i]);
            st.push(strides[i]);
        }
    }
    s.push(shape[d1].min(shape[d2]));
    st.push(strides[d1] + strides[d2]);
    (s, st)
}

/// `diagonal(0, d1, d2)` (DiagonalBackward0), a view.
fn diagonal_view(t: &Tensor, d1: usize, d2: usize) -> Result<Tensor> {
    let l = t.layout();
    let (shape, strides) = diagonal_layout(&l.shape, &l.strides, d1, d2);
    let out = t.view_with_layout(Layout {
        shape,
        strides,
        offset: l.offset,
    });
    let in_shape = t.shape().to_vec();
    record1("DiagonalBackward0", &[t], out, false, move |_, g| {
        Ok(vec![Some(diagonal_backward(g, &in_shape, d1, d2)?)])
    })
}

/// Zeros of `in_shape` with `g` written on the diagonal over `d1, d2`
/// (DiagonalBackwardBackward0, whose gradient is the diagonal again).
fn diagonal_backward(g: &Tensor, in_shape: &[usize], d1: usize, d2: usize) -> Result<Tensor> {
    let strides = contiguous_strides(in_shape);
    let (dshape, dstrides) = diagonal_layout(in_shape, &strides, d1, d2);
    if dshape.as_slice() != g.shape() {
        bail!(
            "internal: diagonal gradient has shape {}",
            fmt_shape(g.shape())
        );
    }
    let out = crate::numeric_dispatch!(g.dtype(), "diagonal_backward", T => {
        let mut v = vec![T::ZERO; numel(in_shape)];
        let gl = g.layout();
        with_slice(g, |gs: &[T]| {
            for_each_offset(&dshape, [dstrides.as_slice(), gl.strides.as_slice()], [0, gl.offset], |[o, go]| v[o] = gs[go])
        })?;
        Tensor::from_vec(v, in_shape.to_vec())?
    });
    record1(
        "DiagonalBackwardBackward0",
        &[g],
        out,
        false,
        move |_, gg| Ok(vec![Some(diagonal_view(gg, d1, d2)?)]),
    )
}

/// `maybe_multiply` of FunctionsManual.cpp: `t` unchanged when `s == 1`, else `t * s`.
fn maybe_multiply(t: &Tensor, s: f64) -> Result<Tensor> {
    if s == 1.0 {
        Ok(t.clone())
    } else {
        t.mul_scalar(s)
    }
}

/// `beta * input + alpha * prod` for the add*mm ops (`input` already expanded to the output
/// shape; with `beta == 0` it is ignored, so nan/inf in it do not propagate).
fn scale_add(prod: &Tensor, input: &Tensor, beta: f64, alpha: f64, op: &str) -> Result<Tensor> {
    crate::numeric_dispatch!(prod.dtype(), op, T => {
        let mut out: Vec<T> = prod.to_vec::<T>()?;
        if alpha != 1.0 {
            let a = T::from_f64(alpha);
            for v in out.iter_mut() {
                *v = a.nmul(*v);
            }
        }
        if beta != 0.0 {
            let b = T::from_f64(beta);
            let li = input.layout();
            with_slice(input, |d: &[T]| {
                let mut i = 0;
                for_each_offset(&li.shape, [li.strides.as_slice()], [li.offset], |[o]| {
                    let x = if beta == 1.0 { d[o] } else { b.nmul(d[o]) };
                    out[i] = x.nadd(out[i]);
                    i += 1;
                });
            })?;
        }
        Tensor::from_vec(out, prod.shape().to_vec())
    })
}

/// Integer tensors take integral `beta`/`alpha` only (PyTorch's check in add*mm).
fn check_int_scalars(d: DType, beta: f64, alpha: f64) -> Result<()> {
    if !d.is_floating_point() {
        if beta.fract() != 0.0 || !beta.is_finite() {
            bail!("For integral input tensors, argument beta must not be a floating point number.");
        }
        if alpha.fract() != 0.0 || !alpha.is_finite() {
            bail!(
                "For integral input tensors, argument alpha must not be a floating point number."
            );
        }
    }
    Ok(())
}

fn check_1d(t: &Tensor, arg: &str, f: &str) -> Result<()> {
    if t.ndim() != 1 {
        bail!(
            "{}: Expected 1-D argument {}, but got {}-D",
            f,
            arg,
            t.ndim()
        );
    }
    Ok(())
}

/// `common_checks_baddbmm_bmm`: 3-D operands with matching batch and contraction sizes.
fn check_bmm(b1: &Tensor, b2: &Tensor) -> Result<()> {
    if b1.ndim() != 3 {
        bail!("batch1 must be a 3D tensor");
    }
    if b2.ndim() != 3 {
        bail!("batch2 must be a 3D tensor");
    }
    let (bs, k) = (b1.shape()[0], b1.shape()[2]);
    if b2.shape()[0] != bs || b2.shape()[1] != k {
        bail!(
            "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
            bs,
            k,
            b2.shape()[0],
            b2.shape()[1]
        );
    }
    Ok(())
}

/// Whether `_matmul_impl` folds the batch of the larger operand into an mm/mv
/// (`should_fold`).
fn should_fold(t1: &Tensor, t2: &Tensor) -> bool {
    let larger = t1.ndim() >= t2.ndim();
    let (mut shape, mut strides) = if larger {
        (t1.shape().to_vec(), t1.strides().to_vec())
    } else {
        (t2.shape().to_vec(), t2.strides().to_vec())
    };
    let dim_t1 = shape.len();
    if !larger && dim_t1 >= 2 {
        shape.swap(dim_t1 - 2, dim_t1 - 1);
        strides.swap(dim_t1 - 2, dim_t1 - 1);
    }
    let dim_t2 = if larger { t2.ndim() } else { t1.ndim() };
    if !(dim_t1 >= 3 && dim_t2 <= 2) {
        return false;
    }
    let small_requires_grad = if larger {
        t2.requires_grad()
    } else {
        t1.requires_grad()
    };
    if small_requires_grad {
        return true;
    }
    if t1.ndim() == 2 {
        return false;
    }
    if numel(&shape) == 0 {
        return true;
    }
    (0..dim_t1 - 2).all(|i| strides[i] == strides[i + 1] * shape[i + 1])
}

impl Tensor {
    /// `matmul(other)` with PyTorch's rules: 1-D·1-D is `dot` (DotBackward0), 2-D·1-D `mv`
    /// (MvBackward0), 1-D·2-D a row `mm` squeezed (SqueezeBackward4), 2-D·2-D `mm`
    /// (MmBackward0); with a 3+-D operand the batch is folded into an mm/mv when PyTorch does
    /// (UnsafeViewBackward0), otherwise batch dims broadcast and run through `bmm`
    /// (UnsafeViewBackward0); broadcast batch gradients are summed back.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        let (d1, d2) = (self.ndim(), other.ndim());
        if d1 == 0 || d2 == 0 {
            bail!(
                "both arguments to matmul need to be at least 1D, but they are {}D and {}D",
                d1,
                d2
            );
        }
        match (d1, d2) {
            (1, 1) => return self.dot(other),
            (2, 1) => return self.mv(other),
            (1, 2) => {
                let r = self.unsqueeze(0)?.mm(other)?;
                let n = r.shape()[1];
                return named_view(&r, &[n], "SqueezeBackward4");
            }
            (2, 2) => return self.mm(other),
            _ => {}
        }
        if should_fold(self, other) {
            let transpose = d2 > d1;
            let t1 = if transpose {
                other.transpose(-2, -1)?
            } else {
                self.clone()
            };
            let t2 = if !transpose {
                other.clone()
            } else if d1 == 2 {
                self.t()?
            } else {
                self.clone()
            };
            let sizes1 = t1.shape().to_vec();
            let last = sizes1[sizes1.len() - 1];
            let mut out_shape = sizes1[..sizes1.len() - 1].to_vec();
            let folded: usize = out_shape.iter().product();
            let t2_is_matrix = t2.ndim() == 2;
            if t2_is_matrix {
                out_shape.push(t2.shape()[1]);
            }
            let t1f = t1.reshape_usize(&[folded, last])?;
            if t2_is_matrix {
                let out = named_view(&t1f.mm(&t2)?, &out_shape, "UnsafeViewBackward0")?;
                return if transpose {
                    out.transpose(-2, -1)?.contiguous()
                } else {
                    Ok(out)
                };
            }
            return named_view(&t1f.mv(&t2)?, &out_shape, "UnsafeViewBackward0");
        }
        let n = if d1 > 1 { self.shape()[d1 - 2] } else { 1 };
        let m1 = self.shape()[d1 - 1];
        let batch1 = &self.shape()[..d1.saturating_sub(2)];
        let m2 = if d2 > 1 {
            other.shape()[d2 - 2]
        } else {
            other.shape()[0]
        };
        let p = if d2 > 1 { other.shape()[d2 - 1] } else { 1 };
        let batch2 = &other.shape()[..d2.saturating_sub(2)];
        if d1 == 3 && d2 == 3 && batch1[0] != batch2[0] {
            // A size-1 batch that requires grad is dropped instead of expanded, so its
            // gradient is not a large sum (PyTorch does the same).
            if batch1[0] == 1 && self.requires_grad() {
                return self.squeeze_dims(&[0])?.matmul(other);
            }
            if batch2[0] == 1 && other.requires_grad() {
                return self.matmul(&other.squeeze_dims(&[0])?);
            }
        }
        let mut out_shape = broadcast_shapes(batch1, batch2)?;
        let bprod: usize = out_shape.iter().product();
        let mut e1 = out_shape.clone();
        e1.extend_from_slice(&[n, m1]);
        let t1e = self.expand_to(&e1)?.reshape_usize(&[bprod, n, m1])?;
        let vector_rhs = d2 == 1;
        let mut e2 = out_shape.clone();
        let t2e = if vector_rhs {
            e2.push(m2);
            other
                .expand_to(&e2)?
                .reshape_usize(&[bprod, m2])?
                .unsqueeze(2)?
        } else {
            e2.extend_from_slice(&[m2, p]);
            other.expand_to(&e2)?.reshape_usize(&[bprod, m2, p])?
        };
        if d1 > 1 {
            out_shape.push(n);
        }
        if d2 > 1 {
            out_shape.push(p);
        }
        let r = t1e.bmm(&t2e)?;
        let r = if vector_rhs {
            r.squeeze_dims(&[-1])?
        } else {
            r
        };
        named_view(&r, &out_shape, "UnsafeViewBackward0")
    }

    /// `dot(other)` (DotBackward0): inner product of two 1-D tensors of one dtype.
    pub fn dot(&self, other: &Tensor) -> Result<Tensor> {
        if self.ndim() != 1 || other.ndim() != 1 {
            bail!(
                "1D tensors expected, but got {}D and {}D tensors",
                self.ndim(),
                other.ndim()
            );
        }
        if self.dtype() != other.dtype() {
            bail!(
                "dot : expected both vectors to have same dtype, but found {} and {}",
                kname(self.dtype()),
                kname(other.dtype())
            );
        }
        let (n, n2) = (self.numel(), other.numel());
        if n != n2 {
            bail!(
                "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                n, n2, n, n2
            );
        }
        // A [1, n] row times an [n, 1] column.
        let (la, lb) = (self.layout(), other.layout());
        let a3 = Layout {
            shape: vec![1, 1, n],
            strides: vec![0, 0, la.strides[0]],
            offset: la.offset,
        };
        let b3 = Layout {
            shape: vec![1, n, 1],
            strides: vec![0, lb.strides[0], 1],
            offset: lb.offset,
        };
        let out = product(self, a3, other, b3, vec![], "dot")?;
        let sa = other.requires_grad().then(|| Saved::new(self));
        let sb = self.requires_grad().then(|| Saved::new(other));
        record1("DotBackward0", &[self, other], out, false, move |ctx, g| {
            let ga = match (&sb, ctx.needs_input_grad(0)) {
                (Some(b), true) => Some(g.mul(b.get()?)?),
                _ => None,
            };
            let gb = match (&sa, ctx.needs_input_grad(1)) {
                (Some(a), true) => Some(g.mul(a.get()?)?),
                _ => None,
            };
            Ok(vec![ga, gb])
        })
    }

    /// `mv(vec)` (MvBackward0): matrix times vector. Gradients `g ⊗ vec` and `selfᵀ·g`.
    pub fn mv(&self, vec: &Tensor) -> Result<Tensor> {
        if self.ndim() == 0 {
            bail!("Dimension specified as 0 but tensor has no dimensions");
        }
        if !(self.ndim() == 2 && vec.ndim() == 1) {
            bail!(
                "vector + matrix @ vector expected, got 1, {}, {}",
                self.ndim(),
                vec.ndim()
            );
        }
        let (m, k) = (self.shape()[0], self.shape()[1]);
        if vec.shape()[0] != k {
            bail!(
                "size mismatch, got input ({}), mat ({}x{}), vec ({})",
                m,
                m,
                k,
                vec.shape()[0]
            );
        }
        if self.dtype() != vec.dtype() {
            bail!(
                "expected scalar type {} but found {}",
                kname(vec.dtype()),
                kname(self.dtype())
            );
        }
        let lv = vec.layout();
        let b3 = Layout {
            shape: vec![1, k, 1],
            strides: vec![0, lv.strides[0], 1],
            offset: lv.offset,
        };
        let out = product(
            self,
            lift3(self.layout()),
            vec,
            b3,
            vec![m],
            "addmv_impl_cpu",
        )?;
        let sa = vec.requires_grad().then(|| Saved::new(self));
        let sb = self.requires_grad().then(|| Saved::new(vec));
        record1("MvBackward0", &[self, vec], out, false, move |ctx, g| {
            let ga = match (&sb, ctx.needs_input_grad(0)) {
                (Some(v), true) => Some(g.outer(v.get()?)?),
                _ => None,
            };
            let gb = match (&sa, ctx.needs_input_grad(1)) {
                (Some(a), true) => Some(a.get()?.t()?.mv(g)?),
                _ => None,
            };
            Ok(vec![ga, gb])
        })
    }

    /// `outer(vec2)`: `self.reshape(n, 1) * vec2` as in PyTorch (so MulBackward0, with type
    /// promotion).
    pub fn outer(&self, vec2: &Tensor) -> Result<Tensor> {
        check_1d(self, "self", "outer")?;
        check_1d(vec2, "vec2", "outer")?;
        self.reshape_usize(&[self.shape()[0], 1])?.mul(vec2)
    }

    /// `ger(vec2)`: alias of [`Tensor::outer`].
    pub fn ger(&self, vec2: &Tensor) -> Result<Tensor> {
        self.outer(vec2)
    }

    /// `bmm(mat2)` (BmmBackward0): batched product of `[b, n, m]` and `[b, m, p]`.
    pub fn bmm(&self, mat2: &Tensor) -> Result<Tensor> {
        check_bmm(self, mat2)?;
        if self.dtype() != mat2.dtype() {
            bail!(
                "expected scalar type {} but found {}",
                kname(self.dtype()),
                kname(mat2.dtype())
            );
        }
        let shape = vec![self.shape()[0], self.shape()[1], mat2.shape()[2]];
        let out = product(
            self,
            self.layout().clone(),
            mat2,
            mat2.layout().clone(),
            shape,
            "bmm",
        )?;
        let sa = mat2.requires_grad().then(|| Saved::new(self));
        let sb = self.requires_grad().then(|| Saved::new(mat2));
        record1("BmmBackward0", &[self, mat2], out, false, move |ctx, g| {
            let ga = match (&sb, ctx.needs_input_grad(0)) {
                (Some(b), true) => Some(g.bmm(&b.get()?.transpose(1, 2)?)?),
                _ => None,
            };
            let gb = match (&sa, ctx.needs_input_grad(1)) {
                (Some(a), true) => Some(a.get()?.transpose(1, 2)?.bmm(g)?),
                _ => None,
            };
            Ok(vec![ga, gb])
        })
    }

    /// `addmm(mat1, mat2, beta, alpha)` (AddmmBackward0): `beta*self + alpha*(mat1 @ mat2)`,
    /// `self` broadcast to the product's shape. `beta == 0` ignores `self` (nan in it does not
    /// propagate) and gives it a zero gradient.
    pub fn addmm(&self, mat1: &Tensor, mat2: &Tensor, beta: f64, alpha: f64) -> Result<Tensor> {
        if self.dtype() != mat2.dtype() {
            bail!(
                "self and mat2 must have the same dtype, but got {} and {}",
                kname(self.dtype()),
                kname(mat2.dtype())
            );
        }
        if mat1.dtype() != mat2.dtype() {
            bail!(
                "mat1 and mat2 must have the same dtype, but got {} and {}",
                kname(mat1.dtype()),
                kname(mat2.dtype())
            );
        }
        if mat1.ndim() != 2 {
            bail!("mat1 must be a matrix, got {}-D tensor", mat1.ndim());
        }
        if mat2.ndim() != 2 {
            bail!("mat2 must be a matrix, got {}-D tensor", mat2.ndim());
        }
        let (m, k) = (mat1.shape()[0], mat1.shape()[1]);
        let (k2, n) = (mat2.shape()[0], mat2.shape()[1]);
        if k != k2 {
            bail!(
                "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
                m,
                k,
                k2,
                n
            );
        }
        check_int_scalars(self.dtype(), beta, alpha)?;
        let input = self.detach().expand_to(&[m, n])?;
        let prod = product(
            mat1,
            lift3(mat1.layout()),
            mat2,
            lift3(mat2.layout()),
            vec![m, n],
            "addmm_impl_cpu_",
        )?;
        let out = scale_add(&prod, &input, beta, alpha, "addmm_impl_cpu_")?;
        let in_shape = self.shape().to_vec();
        let s1 = mat2.requires_grad().then(|| Saved::new(mat1));
        let s2 = mat1.requires_grad().then(|| Saved::new(mat2));
        record1(
            "AddmmBackward0",
            &[self, mat1, mat2],
            out,
            false,
            move |ctx, g| {
                let gi = ctx.grad_if(0, || maybe_multiply(g, beta)?.sum_to(&in_shape))?;
                let g1 = match (&s2, ctx.needs_input_grad(1)) {
                    (Some(b), true) => Some(maybe_multiply(&g.mm(&b.get()?.t()?)?, alpha)?),
                    _ => None,
                };
                let g2 = match (&s1, ctx.needs_input_grad(2)) {
                    (Some(a), true) => Some(maybe_multiply(&a.get()?.t()?.mm(g)?, alpha)?),
                    _ => None,
                };
                Ok(vec![gi, g1, g2])
            },
        )
    }

    /// `baddbmm(batch1, batch2, beta, alpha)` (BaddbmmBackward0):
    /// `beta*self + alpha*bmm(batch1, batch2)`, `self` broadcast to `[b, n, p]`.
    pub fn baddbmm(
        &self,
        batch1: &Tensor,
        batch2: &Tensor,
        beta: f64,
        alpha: f64,
    ) -> Result<Tensor> {
        if batch1.ndim() != 3 {
            bail!("batch1 must be a 3D tensor");
        }
        if batch2.ndim() != 3 {
            bail!("batch2 must be a 3D tensor");
        }
        let target = [batch1.shape()[0], batch1.shape()[1], batch2.shape()[2]];
        let input = self.detach().expand_to(&target)?;
        if self.dtype() != batch1.dtype() || batch1.dtype() != batch2.dtype() {
            bail!(
                "Input dtypes must be the same, got: input {}, batch1: {}, batch2: {}",
                meta_name(self.dtype()),
                meta_name(batch1.dtype()),
                meta_name(batch2.dtype())
            );
        }
        check_bmm(batch1, batch2)?;
        check_int_scalars(self.dtype(), beta, alpha)?;
        let prod = product(
            batch1,
            batch1.layout().clone(),
            batch2,
            batch2.layout().clone(),
            target.to_vec(),
            "baddbmm",
        )?;
        let out = scale_add(&prod, &input, beta, alpha, "baddbmm")?;
        let in_shape = self.shape().to_vec();
        let s1 = batch2.requires_grad().then(|| Saved::new(batch1));
        let s2 = batch1.requires_grad().then(|| Saved::new(batch2));
        record1(
            "BaddbmmBackward0",
            &[self, batch1, batch2],
            out,
            false,
            move |ctx, g| {
                let gi = ctx.grad_if(0, || maybe_multiply(g, beta)?.sum_to(&in_shape))?;
                let g1 = match (&s2, ctx.needs_input_grad(1)) {
                    (Some(b), true) => {
                        Some(maybe_multiply(&g.bmm(&b.get()?.transpose(1, 2)?)?, alpha)?)
                    }
                    _ => None,
                };
                let g2 = match (&s1, ctx.needs_input_grad(2)) {
                    (Some(a), true) => {
                        Some(maybe_multiply(&a.get()?.transpose(1, 2)?.bmm(g)?, alpha)?)
                    }
                    _ => None,
                };
                Ok(vec![gi, g1, g2])
            },
        )
    }

    /// `trace()` (TraceBackward0): sum of the main diagonal of a matrix; integer inputs give
    /// int64. The gradient is `g` on the diagonal (`g * eye(n, m)`).
    pub fn trace(&self) -> Result<Tensor> {
        if self.ndim() != 2 {
            bail!(
                "trace: expected a matrix, but got tensor with dim {}",
                self.ndim()
            );
        }
        if self.dtype() == DType::Bool {
            bail!("\"trace\" not implemented for 'Bool'");
        }
        let (n, m) = (self.shape()[0], self.shape()[1]);
        let x = if self.dtype().is_floating_point() {
            self.detach()
        } else {
            self.to_dtype(DType::I64)?
        };
        let out = crate::numeric_dispatch!(x.dtype(), "trace", T => {
            let l = x.layout();
            let s = with_slice(&x, |d: &[T]| {
                let mut acc = T::ZERO;
                for i in 0..n.min(m) {
                    acc = acc.nadd(d[l.offset + i * (l.strides[0] + l.strides[1])]);
                }
                acc
            })?;
            Tensor::from_vec(vec![s], vec![])?
        });
        record1("TraceBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.mul(&Tensor::eye(n, m, g.dtype())?)?)])
        })
    }

    /// `torch.linalg.vecdot(x, y, dim=dim)`: `(x * y).sum(dim)` with broadcasting
    /// (SumBackward1), for operands of one dtype.
    pub fn linalg_vecdot(&self, y: &Tensor, dim: isize) -> Result<Tensor> {
        if self.dtype() != y.dtype() {
            bail!(
                "linalg.vecdot: Expected x and y to have the same dtype, but found x of type {} and y of type {} instead",
                kname(self.dtype()),
                kname(y.dtype())
            );
        }
        self.mul(y)?.sum_dims(&[dim], false)
    }

    /// `einsum(equation, operands)` with PyTorch's rules: implicit output (ellipsis dims, then
    /// the subscripts seen once, in alphabetical order with upper case first) or explicit
    /// `->`, repeated subscripts in one operand take diagonals, `...` broadcasts, size-1 dims
    /// broadcast. Contractions run pairwise left to right through `bmm`, so the result is
    /// differentiable through the ops it is built from.
    pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
        einsum_impl(equation, operands)
    }

    // ---- creation ----------------------------------------------------------------------

    /// `eye(n, m)`: ones on the main diagonal.
    pub fn eye(n: usize, m: usize, dtype: DType) -> Result<Tensor> {
        let mut v = vec![0.0; n * m];
        for i in 0..n.min(m) {
            v[i * m + i] = 1.0;
        }
        Tensor::from_f64_slice(&v, vec![n, m], dtype)
    }

    /// `linspace(start, end, steps)`: PyTorch's CPU formula (`start + step*i` for the first
    /// half, `end - step*(steps-1-i)` for the rest, in the output dtype; integer outputs use a
    /// double step and truncate).
    pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType) -> Result<Tensor> {
        if steps < 0 {
            bail!("number of steps must be non-negative");
        }
        let steps = steps as usize;
        let v: Vec<f64> = match dtype {
            DType::F32 => {
                let (s, e) = (start as f32, end as f32);
                let step = if steps > 1 {
                    (e - s) / (steps - 1) as f32
                } else {
                    0.0
                };
                (0..steps)
                    .map(|i| {
                        if steps == 1 {
                            s as f64
                        } else if i < steps / 2 {
                            (s + step * i as f32) as f64
                        } else {
                            (e - step * (steps - 1 - i) as f32) as f64
                        }
                    })
                    .collect()
            }
            DType::Bool => bail!("\"linspace_cpu\" not implemented for 'Bool'"),
            _ => {
                let (s, e) = if dtype.is_integer() {
                    (start.trunc(), end.trunc())
                } else {
                    (start, end)
                };
                let step = if steps > 1 {
                    (e - s) / (steps - 1) as f64
                } else {
                    0.0
                };
                (0..steps)
                    .map(|i| {
                        if steps == 1 {
                            s
                        } else if i < steps / 2 {
                            s + step * i as f64
                        } else {
                            e - step * (steps - 1 - i) as f64
                        }
                    })
                    .collect()
            }
        };
        Tensor::from_f64_slice(&v, vec![steps], dtype)
    }

    /// `logspace(start, end, steps, base)`: `base ** linspace(start, end, steps)` (PyTorch's
    /// two-sided formula for the exponent).
    pub fn logspace(start: f64, end: f64, steps: i64, base: f64, dtype: DType) -> Result<Tensor> {
        if steps < 0 {
            bail!("number of steps must be non-negative");
        }
        if dtype == DType::Bool {
            bail!("\"logspace_cpu\" not implemented for 'Bool'");
        }
        let exps = Tensor::linspace(start, end, steps, DType::F64)?.to_f64_vec();
        let v: Vec<f64> = exps.iter().map(|&x| base.powf(x)).collect();
        Tensor::from_f64_slice(&v, vec![steps as usize], dtype)
    }

    /// `randint(low, high, size)`: uniform integers in `[low, high)` from PyTorch's CPU stream
    /// (`random() % range + low`, 64-bit draws for ranges of 2^28 and more), so
    /// `manual_seed(0); randint(0, 10, [5])` gives PyTorch's `[4, 9, 3, 0, 3]`.
    pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType) -> Result<Tensor> {
        if low >= high {
            bail!(
                "random_ expects 'from' to be less than 'to', but got from={} >= to={}",
                low,
                high
            );
        }
        if dtype == DType::Bool {
            bail!("\"random_from_to_kernel_cpu\" not implemented for 'Bool'");
        }
        let range = (high as i128 - low as i128) as u64;
        let n = numel(shape);
        let v: Vec<i64> = with_generator(|g| {
            (0..n)
                .map(|_| {
                    let r = if range >= 1 << 28 {
                        g.random64() % range
                    } else {
                        (g.random() as u64) % range
                    };
                    (r as i64).wrapping_add(low)
                })
                .collect()
        });
        let t = Tensor::from_vec(v, shape.to_vec())?;
        if dtype == DType::I64 {
            Ok(t)
        } else {
            t.to_dtype(dtype)
        }
    }

    /// `randperm(n)`: a random permutation of `0..n`, PyTorch's CPU algorithm for
    /// `n < 2^32/20` (for each `i`, swap with `i + random() % (n - i)`).
    pub fn randperm(n: i64, dtype: DType) -> Result<Tensor> {
        if n < 0 {
            bail!("n must be non-negative, got{}", n);
        }
        if dtype == DType::Bool {
            bail!("\"randperm_cpu\" not implemented for 'Bool'");
        }
        if n >= (u32::MAX / 20) as i64 {
            bail!(
                "randperm: n = {} is too large (at most {})",
                n,
                u32::MAX / 20 - 1
            );
        }
        let n = n as usize;
        let mut v: Vec<i64> = (0..n as i64).collect();
        with_generator(|g| {
            for i in 0..n.saturating_sub(1) {
                let z = (g.random() as usize) % (n - i);
                v.swap(i, z + i);
            }
        });
        let t = Tensor::from_vec(v, vec![n])?;
        if dtype == DType::I64 {
            Ok(t)
        } else {
            t.to_dtype(dtype)
        }
    }
}

// ---- einsum ------------------------------------------------------------------------------

const NUM_LABELS: usize = 52;
const ELLIPSIS: usize = NUM_LABELS;
const UNSET: usize = usize::MAX;

fn label_index(c: u8) -> usize {
    if c.is_ascii_uppercase() {
        (c - b'A') as usize
    } else {
        (c - b'a') as usize + 26
    }
}

fn label_char(s: usize) -> char {
    if s < 26 {
        (b'A' + s as u8) as char
    } else {
        (b'a' + (s - 26) as u8) as char
    }
}

fn einsum_impl(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
    if operands.is_empty() {
        bail!("einsum(): must provide at least one operand");
    }
    let num_ops = operands.len();
    let bytes = equation.as_bytes();
    let arrow = equation.find("->");
    let lhs = &bytes[..arrow.unwrap_or(bytes.len())];

    // 1. Parse the subscripts of each operand.
    let mut op_labels: Vec<Vec<usize>> = vec![Vec::new(); num_ops];
    let mut ell_in_input = false;
    let mut curr = 0usize;
    let mut i = 0;
    while i < lhs.len() {
        match lhs[i] {
            b' ' => {}
            b'.' => {
                if ell_in_input {
                    bail!(
                        "einsum(): found '.' for operand {} for which an ellipsis was already found",
                        curr
                    );
                }
                if !(i + 2 < lhs.len() && lhs[i + 1] == b'.' && lhs[i + 2] == b'.') {
                    bail!(
                        "einsum(): found '.' for operand {} that is not part of any ellipsis",
                        curr
                    );
                }
                i += 2;
                op_labels[curr].push(ELLIPSIS);
                ell_in_input = true;
            }
            b',' => {
                curr += 1;
                if curr >= num_ops {
                    bail!("einsum(): fewer operands were provided than specified in the equation");
                }
                ell_in_input = false;
            }
            c if c.is_ascii_alphabetic() => op_labels[curr].push(label_index(c)),
            _ => bail!(
                "einsum(): invalid subscript given at index {} in the equation string, subscripts must be in [a-zA-Z]",
                i
            ),
        }
        i += 1;
    }
    if curr != num_ops - 1 {
        bail!("einsum(): more operands were provided than specified in the equation");
    }

    // 2. Count subscripts and the dims covered by ellipses.
    let mut label_count = [0usize; NUM_LABELS];
    let mut ell_num_dim = 0usize;
    for (k, op) in operands.iter().enumerate() {
        let ndims = op.ndim();
        let mut nlabels = op_labels[k].len();
        let mut has_ell = false;
        for &l in &op_labels[k] {
            if l == ELLIPSIS {
                nlabels -= 1;
                has_ell = true;
            } else {
                label_count[l] += 1;
            }
        }
        if has_ell {
            if nlabels > ndims {
                bail!(
                    "einsum(): the number of subscripts in the equation ({}) is more than the number of dimensions ({}) for operand {}",
                    nlabels, ndims, k
                );
            }
            ell_num_dim = ell_num_dim.max(ndims - nlabels);
        } else if nlabels != ndims {
            bail!(
                "einsum(): the number of subscripts in the equation ({}) does not match the number of dimensions ({}) for operand {} and no ellipsis was given",
                nlabels, ndims, k
            );
        }
    }

    // 3. Where each subscript goes: output dims first, then contracted dims.
    let mut label_perm_index = [UNSET; NUM_LABELS];
    let mut perm_index = 0usize;
    let mut ell_index = 0usize;
    let mut ell_in_output = false;
    match arrow {
        None => {
            perm_index = ell_num_dim;
            ell_in_output = true;
            for l in 0..NUM_LABELS {
                if label_count[l] == 1 {
                    label_perm_index[l] = perm_index;
                    perm_index += 1;
                }
            }
        }
        Some(pos) => {
            let rhs = &bytes[pos + 2..];
            let mut i = 0;
            while i < rhs.len() {
                match rhs[i] {
                    b' ' => {}
                    b'.' => {
                        if ell_in_output {
                            bail!("einsum(): found '.' for output but an ellipsis (...) was already found");
                        }
                        if !(i + 2 < rhs.len() && rhs[i + 1] == b'.' && rhs[i + 2] == b'.') {
                            bail!("einsum(): found '.' for output that is not part of any ellipsis (...)");
                        }
                        i += 2;
                        ell_index = perm_index;
                        perm_index += ell_num_dim;
                        ell_in_output = true;
                    }
                    c if c.is_ascii_alphabetic() => {
                        let idx = label_index(c);
                        if !(label_count[idx] > 0 && label_perm_index[idx] == UNSET) {
                            bail!(
                                "einsum(): output subscript {}{}",
                                c as char,
                                if label_perm_index[idx] != UNSET {
                                    " appears more than once in the output"
                                } else {
                                    " does not appear in the equation for any input operand"
                                }
                            );
                        }
                        label_perm_index[idx] = perm_index;
                        perm_index += 1;
                    }
                    _ => bail!(
                        "einsum(): invalid subscript given at index {} in the equation string, subscripts must be in [a-zA-Z]",
                        lhs.len() + 2 + i
                    ),
                }
                i += 1;
            }
        }
    }
    let out_num_dim = perm_index;
    if !ell_in_output {
        ell_index = perm_index;
        perm_index += ell_num_dim;
    }
    for l in 0..NUM_LABELS {
        if label_count[l] > 0 && label_perm_index[l] == UNSET {
            label_perm_index[l] = perm_index;
            perm_index += 1;
        }
    }

    // 4. Check sizes, take diagonals, unsqueeze missing dims and permute into one order.
    let mut label_size = [1usize; NUM_LABELS];
    let mut ell_sizes = vec![1usize; ell_num_dim];
    let mut dim_counts = vec![0usize; perm_index];
    let mut ops: VecDeque<Tensor> = VecDeque::new();
    for (k, operand) in operands.iter().enumerate() {
        let mut op = operand.clone();
        let mut permutation = vec![UNSET; perm_index];
        let mut dim = 0usize;
        for &s in &op_labels[k] {
            if s == ELLIPSIS {
                let ndim = operand.ndim() - (op_labels[k].len() - 1);
                for j in ell_num_dim - ndim..ell_num_dim {
                    let sz = op.shape()[dim];
                    if sz != 1 {
                        if !(ell_sizes[j] == 1 || ell_sizes[j] == sz) {
                            bail!(
                                "einsum(): dimension {} covered by ellipsis in operand {}has size {} which does not broadcast with previously seen ellipsis with size {} for the respective dimension",
                                dim, k, sz, ell_sizes[j]
                            );
                        }
                        ell_sizes[j] = sz;
                        dim_counts[ell_index + j] += 1;
                    }
                    permutation[ell_index + j] = dim;
                    dim += 1;
                }
            } else if permutation[label_perm_index[s]] == UNSET {
                let sz = op.shape()[dim];
                if sz != 1 {
                    if !(label_size[s] == 1 || label_size[s] == sz) {
                        bail!(
                            "einsum(): subscript {} has size {} for operand {} which does not broadcast with previously seen size {}",
                            label_char(s), sz, k, label_size[s]
                        );
                    }
                    label_size[s] = sz;
                    dim_counts[label_perm_index[s]] += 1;
                }
                permutation[label_perm_index[s]] = dim;
                dim += 1;
            } else {
                // A repeated subscript: take the diagonal, keep it at the first position.
                let prev = permutation[label_perm_index[s]];
                let (a, b) = (op.shape()[dim], op.shape()[prev]);
                if a != b {
                    bail!(
                        "einsum(): subscript {} is repeated for operand {} but the sizes don't match, {} != {}",
                        label_char(s), k, a, b
                    );
                }
                op = move_last_to(&diagonal_view(&op, prev, dim)?, prev)?;
            }
        }
        for p in permutation.iter_mut() {
            if *p == UNSET {
                op = op.unsqueeze(dim as isize)?;
                *p = dim;
                dim += 1;
            }
        }
        ops.push_back(permute_view(&op, &permutation)?);
    }

    // 5. Contract left to right.
    while ops.len() > 1 {
        let (Some(mut a), Some(mut b)) = (ops.pop_front(), ops.pop_front()) else {
            bail!("internal: einsum lost an operand");
        };
        let mut sum_dims = Vec::new();
        let mut a_sum: Vec<isize> = Vec::new();
        let mut b_sum: Vec<isize> = Vec::new();
        for (d, count) in dim_counts.iter_mut().enumerate().skip(out_num_dim) {
            let (sa, sb) = (a.shape()[d], b.shape()[d]);
            if sa != 1 && sb != 1 {
                *count = count.saturating_sub(1);
                if *count == 1 {
                    sum_dims.push(d);
                    *count = 0;
                }
            } else if *count == 1 {
                if sa != 1 {
                    a_sum.push(d as isize);
                    *count = 0;
                } else if sb != 1 {
                    b_sum.push(d as isize);
                    *count = 0;
                }
            }
        }
        if !a_sum.is_empty() {
            a = a.sum_dims(&a_sum, true)?;
        }
        if !b_sum.is_empty() {
            b = b.sum_dims(&b_sum, true)?;
        }
        ops.push_front(sumproduct_pair(&a, &b, &sum_dims)?);
    }
    let Some(result) = ops.pop_front() else {
        bail!("internal: einsum lost its result");
    };

    // 6. Sum out (or drop, when already contracted to size 1) the contraction dims.
    if perm_index > out_num_dim {
        if num_ops > 1 {
            let sizes = result.shape()[..out_num_dim].to_vec();
            return result.reshape_usize(&sizes);
        }
        let dims: Vec<isize> = (out_num_dim..perm_index).map(|d| d as isize).collect();
        return result.sum_dims(&dims, false);
    }
    Ok(result)
}

/// `(left * right).sum(sum_dims, keepdim=True)` through permute, reshape and bmm (PyTorch's
/// `sumproduct_pair`); both operands have the same number of dims, broadcasting size 1.
fn sumproduct_pair(left: &Tensor, right: &Tensor, sum_dims: &[usize]) -> Result<Tensor> {
    if sum_dims.is_empty() {
        return left.mul(right);
    }
    let dim = left.ndim();
    let mut left = left.clone();
    let mut right = right.clone();
    let (mut lro, mut lo, mut ro) = (Vec::new(), Vec::new(), Vec::new());
    let (mut lro_size, mut lo_size, mut ro_size, mut sum_size) = (1usize, 1usize, 1usize, 1usize);
    for i in 0..dim {
        let sl = left.shape()[i] != 1;
        let sr = right.shape()[i] != 1;
        if sum_dims.contains(&i) {
            if sl && sr {
                if left.shape()[i] != right.shape()[i] {
                    bail!("non-broadcast dimensions must match");
                }
                sum_size *= left.shape()[i];
            } else if sl {
                left = left.sum_dims(&[i as isize], true)?;
            } else if sr {
                right = right.sum_dims(&[i as isize], true)?;
            }
        } else if sl && sr {
            if left.shape()[i] != right.shape()[i] {
                bail!("non-broadcast dimensions must match");
            }
            lro.push(i);
            lro_size *= left.shape()[i];
        } else if sl {
            lo.push(i);
            lo_size *= left.shape()[i];
        } else {
            ro.push(i);
            ro_size *= right.shape()[i];
        }
    }
    let mut out_size = Vec::with_capacity(dim);
    out_size.extend(lro.iter().map(|&d| left.shape()[d]));
    out_size.extend(lo.iter().map(|&d| left.shape()[d]));
    out_size.extend(sum_dims.iter().map(|_| 1));
    out_size.extend(ro.iter().map(|&d| right.shape()[d]));

    let lperm: Vec<usize> = [&lro[..], &lo[..], sum_dims, &ro[..]].concat();
    let rperm: Vec<usize> = [&lro[..], sum_dims, &ro[..], &lo[..]].concat();
    let mut operm = vec![0usize; dim];
    for (i, &d) in lperm.iter().enumerate() {
        operm[d] = i;
    }
    let l3 = permute_view(&left, &lperm)?.reshape_usize(&[lro_size, lo_size, sum_size])?;
    let r3 = permute_view(&right, &rperm)?.reshape_usize(&[lro_size, sum_size, ro_size])?;
    let r = l3.bmm(&r3)?.reshape_usize(&out_size)?;
    permute_view(&r, &operm)
}

// ---- op table -----------------------------------------------------------------------------

use super::registry::{fixed, input, Domain::*, Grad, OpSpec};

#[rustfmt::skip]
pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    const NUMERIC: &str = "float32, float64, int32, int64";
    const FLOATS: &str = "float32, float64";
    vec![
        OpSpec { name: "matmul", js: "matmul", grad_fn: "MmBackward0", dtypes: NUMERIC, grad: D2, notes: "2-D @ 2-D is `mm`", inputs: vec![input(&[2, 3], Any), input(&[3, 2], Any)], run: |x| x[0].matmul(&x[1]) },
        OpSpec { name: "matmul (1-D @ 1-D)", js: "matmul", grad_fn: "DotBackward0", dtypes: NUMERIC, grad: D2, notes: "`dot`", inputs: vec![input(&[3], Any), input(&[3], Any)], run: |x| x[0].matmul(&x[1]) },
        OpSpec { name: "matmul (2-D @ 1-D)", js: "matmul", grad_fn: "MvBackward0", dtypes: NUMERIC, grad: D2, notes: "`mv`", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| x[0].matmul(&x[1]) },
        OpSpec { name: "matmul (1-D @ 2-D)", js: "matmul", grad_fn: "SqueezeBackward4", dtypes: NUMERIC, grad: D2, notes: "a row `mm`, squeezed", inputs: vec![input(&[3], Any), input(&[3, 2], Any)], run: |x| x[0].matmul(&x[1]) },
        OpSpec { name: "matmul (3-D @ 2-D)", js: "matmul", grad_fn: "UnsafeViewBackward0", dtypes: NUMERIC, grad: D2, notes: "batch folded into one `mm` (PyTorch's `should_fold`)", inputs: vec![input(&[2, 2, 3], Any), input(&[3, 2], Any)], run: |x| x[0].matmul(&x[1]) },
        OpSpec { name: "matmul (batched, broadcast)", js: "matmul", grad_fn: "UnsafeViewBackward0", dtypes: NUMERIC, grad: D2, notes: "batch dims broadcast, `bmm`; broadcast grads summed back", inputs: vec![input(&[2, 1, 2, 3], Any), input(&[3, 3, 2], Any)], run: |x| x[0].matmul(&x[1]) },
        OpSpec { name: "matmul (3-D @ 1-D)", js: "matmul", grad_fn: "UnsafeViewBackward0", dtypes: NUMERIC, grad: D2, notes: "folded into one `mv`", inputs: vec![input(&[2, 2, 3], Any), input(&[3], Any)], run: |x| x[0].matmul(&x[1]) },
        OpSpec { name: "dot", js: "dot", grad_fn: "DotBackward0", dtypes: NUMERIC, grad: D2, notes: "1-D, same dtype; `g*other`, `g*self`", inputs: vec![input(&[4], Any), input(&[4], Any)], run: |x| x[0].dot(&x[1]) },
        OpSpec { name: "mv", js: "mv", grad_fn: "MvBackward0", dtypes: NUMERIC, grad: D2, notes: "`g ⊗ vec`, `selfᵀ·g`", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| x[0].mv(&x[1]) },
        OpSpec { name: "outer / ger", js: "outer / ger", grad_fn: "MulBackward0", dtypes: NUMERIC, grad: D2, notes: "`self.reshape(n, 1) * vec2`, as in PyTorch", inputs: vec![input(&[3], Any), input(&[2], Any)], run: |x| x[0].outer(&x[1]) },
        OpSpec { name: "bmm", js: "bmm", grad_fn: "BmmBackward0", dtypes: NUMERIC, grad: D2, notes: "3-D, same batch; transposes are strided views", inputs: vec![input(&[2, 2, 3], Any), input(&[2, 3, 2], Any)], run: |x| x[0].bmm(&x[1]) },
        OpSpec { name: "addmm", js: "addmm", grad_fn: "AddmmBackward0", dtypes: NUMERIC, grad: D2, notes: "`beta*input + alpha*(mat1@mat2)`, input broadcast; beta=0 ignores input", inputs: vec![input(&[3], Any), input(&[2, 4], Any), input(&[4, 3], Any)], run: |x| x[0].addmm(&x[1], &x[2], 0.5, 2.0) },
        OpSpec { name: "baddbmm", js: "baddbmm", grad_fn: "BaddbmmBackward0", dtypes: NUMERIC, grad: D2, notes: "`beta*input + alpha*bmm(b1, b2)`", inputs: vec![input(&[2, 1, 2], Any), input(&[2, 3, 2], Any), input(&[2, 2, 2], Any)], run: |x| x[0].baddbmm(&x[1], &x[2], 1.5, -0.5) },
        OpSpec { name: "trace", js: "trace", grad_fn: "TraceBackward0", dtypes: NUMERIC, grad: D2, notes: "2-D; integers give int64; grad `g` on the diagonal", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].trace() },
        OpSpec { name: "linalg.vecdot", js: "linalg.vecdot", grad_fn: "SumBackward1", dtypes: NUMERIC, grad: D2, notes: "`(x*y).sum(dim)`, broadcasting", inputs: vec![input(&[2, 3], Any), input(&[3], Any)], run: |x| x[0].linalg_vecdot(&x[1], -1) },
        OpSpec { name: "einsum (bij,bjk->bik)", js: "einsum", grad_fn: "ViewBackward0", dtypes: NUMERIC, grad: D2, notes: "PyTorch's algorithm: pairwise `bmm` contractions", inputs: vec![input(&[2, 2, 3], Any), input(&[2, 3, 2], Any)], run: |x| Tensor::einsum("bij,bjk->bik", x) },
        OpSpec { name: "einsum (ii->i)", js: "einsum", grad_fn: "PermuteBackward0", dtypes: NUMERIC, grad: D2, notes: "repeated subscripts take the diagonal", inputs: vec![input(&[3, 3], Any)], run: |x| Tensor::einsum("ii->i", x) },
        OpSpec { name: "einsum (...ij,...j)", js: "einsum", grad_fn: "ViewBackward0", dtypes: NUMERIC, grad: D2, notes: "ellipsis broadcasting, implicit output", inputs: vec![input(&[2, 2, 3], Any), input(&[3], Any)], run: |x| Tensor::einsum("...ij,...j", x) },
        OpSpec { name: "eye / linspace / logspace / empty", js: "eye / linspace / logspace / empty", grad_fn: "", dtypes: NUMERIC, grad: Grad::None, notes: "linspace uses PyTorch's two-sided formula", inputs: vec![fixed(&[1])], run: |_| Tensor::linspace(0.0, 1.0, 5, DType::F32) },
        OpSpec { name: "randint / randperm", js: "randint / randperm", grad_fn: "", dtypes: "int64 (default), any numeric", grad: Grad::None, notes: "PyTorch's CPU streams (`random() % range + low`; Fisher-Yates swaps)", inputs: vec![fixed(&[1])], run: |_| Tensor::randint(0, 10, &[5], DType::I64) },
        OpSpec { name: "rand_like / randint_like", js: "randLike / randintLike", grad_fn: "", dtypes: FLOATS, grad: Grad::None, notes: "shape (and dtype) of the input", inputs: vec![fixed(&[2])], run: |x| Tensor::rand(x[0].shape(), DType::F64) },
    ]
}
