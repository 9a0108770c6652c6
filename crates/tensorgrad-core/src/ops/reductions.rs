//! Reductions beyond sum/mean (those live in `reduce.rs`): prod, max/min (over everything, or
//! over a dim with indices), amax/amin, argmax/argmin, var/std (and var_mean/std_mean),
//! logsumexp, cumsum/cumprod, linalg.vector_norm/norm, all/any.
//!
//! Forwards gather the input so that the elements reduced into one output are a contiguous run
//! (kept dims first, reduced dims last, each in order), reduce each run, and build a fresh
//! tensor. Backward rules follow PyTorch's `derivatives.yaml`/`FunctionsManual.cpp` and are
//! written with differentiable tensor ops, so `createGraph` works; masks (ties, argmax
//! positions, zeros) are constants, as they are in PyTorch.

use super::{kernel_dtype_name, with_slice};
use crate::autograd::grad_mode::is_grad_enabled;
use crate::autograd::saved::Saved;
use crate::dtype::DType;
use crate::element::{Element, Numeric};
use crate::shape::{contiguous_strides, for_each_offset, normalize_dim, normalize_dims, Layout};
use crate::tensor::{record, record1, Tensor};
use crate::{bail, Result};

/// Run `$body` with `$T` bound to the Rust type of any dtype (bool included).
macro_rules! any_dispatch {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            DType::F32 => {
                type $T = f32;
                $body
            }
            DType::F64 => {
                type $T = f64;
                $body
            }
            DType::F16 => {
                type $T = crate::half::F16;
                $body
            }
            DType::BF16 => {
                type $T = crate::half::BF16;
                $body
            }
            DType::I32 => {
                type $T = i32;
                $body
            }
            DType::I64 => {
                type $T = i64;
                $body
            }
            DType::Bool => {
                type $T = bool;
                $body
            }
        }
    };
}

// ---- layout helpers ----------------------------------------------------------------------

/// Reduced dims, sorted and unique: every dim when `dims` is empty. A 0-d tensor accepts dim
/// 0/-1 and reduces nothing (as in PyTorch).
fn reduced_dims(x: &Tensor, dims: &[isize]) -> Result<Vec<usize>> {
    let mut d = if dims.is_empty() {
        (0..x.ndim()).collect()
    } else {
        normalize_dims(dims, x.ndim())?
    };
    d.retain(|&k| k < x.ndim());
    d.sort_unstable();
    Ok(d)
}

/// Output shape of a reduction over `dims`.
fn reduced_shape(shape: &[usize], dims: &[usize], keepdim: bool) -> Vec<usize> {
    (0..shape.len())
        .filter_map(|d| {
            if !dims.contains(&d) {
                Some(shape[d])
            } else if keepdim {
                Some(1)
            } else {
                None
            }
        })
        .collect()
}

/// Copy `x` into a vector in the row-major order of its dims permuted by `perm`.
fn gather_perm<T: Element>(x: &Tensor, perm: &[usize]) -> Result<Vec<T>> {
    let l = x.layout();
    let pl = Layout {
        shape: perm.iter().map(|&p| l.shape[p]).collect(),
        strides: perm.iter().map(|&p| l.strides[p]).collect(),
        offset: l.offset,
    };
    with_slice(x, |d: &[T]| crate::kernels::gather(d, &pl))
}

/// Inverse of [`gather_perm`]: data in permuted order back to the contiguous order of `shape`.
fn scatter_perm<T: Copy + Default>(v: &[T], shape: &[usize], perm: &[usize]) -> Vec<T> {
    let cs = contiguous_strides(shape);
    let pshape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let pstrides: Vec<usize> = perm.iter().map(|&p| cs[p]).collect();
    let mut out = vec![T::default(); v.len()];
    let mut k = 0;
    for_each_offset(&pshape, [&pstrides], [0], |[o]| {
        out[o] = v[k];
        k += 1;
    });
    out
}

/// A reduction over `dims`: `outer` outputs, each reducing a run of `run` elements.
struct Plan {
    dims: Vec<usize>,
    perm: Vec<usize>,
    outer: usize,
    run: usize,
    out_shape: Vec<usize>,
}

fn plan(x: &Tensor, dims: Vec<usize>, keepdim: bool) -> Plan {
    let shape = x.shape();
    let kept: Vec<usize> = (0..x.ndim()).filter(|d| !dims.contains(d)).collect();
    let perm: Vec<usize> = kept.iter().chain(dims.iter()).copied().collect();
    Plan {
        outer: kept.iter().map(|&d| shape[d]).product(),
        run: dims.iter().map(|&d| shape[d]).product(),
        out_shape: reduced_shape(shape, &dims, keepdim),
        perm,
        dims,
    }
}

impl Plan {
    /// `f(run)` for every output, in output order.
    fn apply<T: Element, U>(&self, x: &Tensor, mut f: impl FnMut(&[T]) -> U) -> Result<Vec<U>> {
        let data = gather_perm::<T>(x, &self.perm)?;
        Ok((0..self.outer)
            .map(|o| f(&data[o * self.run..(o + 1) * self.run]))
            .collect())
    }

    fn dims_isize(&self) -> Vec<isize> {
        self.dims.iter().map(|&d| d as isize).collect()
    }
}

/// Put back the reduced dims of a non-keepdim gradient so it broadcasts against the input.
fn unsqueeze_back(g: &Tensor, dims: &[usize], keepdim: bool) -> Result<Tensor> {
    if keepdim || dims.is_empty() {
        return Ok(g.clone());
    }
    let mut shape = g.shape().to_vec();
    for &d in dims {
        shape.insert(d, 1);
    }
    g.reshape_usize(&shape)
}

/// A bool tensor of shape `[1, .., n, .., 1]` (n at `dim`) with `f(k)` at position k.
fn dim_mask(ndim: usize, dim: usize, n: usize, f: impl Fn(usize) -> bool) -> Result<Tensor> {
    let mut shape = vec![1; ndim];
    if ndim > 0 {
        shape[dim] = n;
    }
    Tensor::from_vec((0..n).map(f).collect::<Vec<bool>>(), shape)
}

/// `sgn(x)` as a constant (no graph): -1, 0 or 1 (nan gives 0).
fn sign_const(x: &Tensor) -> Result<Tensor> {
    let v: Vec<f64> = x
        .to_f64_vec()
        .into_iter()
        .map(|a| ((0.0 < a) as i32 - (a < 0.0) as i32) as f64)
        .collect();
    Tensor::from_f64_slice(&v, x.shape().to_vec(), x.dtype())
}

fn zero_like_scalar(g: &Tensor) -> Tensor {
    Tensor::scalar(0.0, g.dtype())
}

fn any_zero(x: &Tensor) -> bool {
    x.to_f64_vec().contains(&0.0)
}

fn require_float(x: &Tensor, msg: &str) -> Result<()> {
    if !x.dtype().is_floating_point() {
        bail!("{}", msg);
    }
    Ok(())
}

/// PyTorch's `zero_numel_check_dims` for max/min/amax/argmax over given dims.
fn check_nonzero_dims(x: &Tensor, dims: &[usize], name: &str) -> Result<()> {
    if x.numel() == 0 {
        for &d in dims {
            if x.shape()[d] == 0 {
                bail!(
                    "{}: Expected reduction dim {} to have non-zero size.",
                    name,
                    d
                );
            }
        }
    }
    Ok(())
}

// ---- kernels -----------------------------------------------------------------------------

/// The first extremal element of a non-empty run and its index; nan wins (first nan).
fn extremum<T: Element + PartialOrd>(run: &[T], max: bool) -> (T, usize) {
    let mut best = run[0];
    let mut bi = 0;
    #[allow(clippy::eq_op)]
    if best != best {
        return (best, 0);
    }
    for (i, &v) in run.iter().enumerate().skip(1) {
        #[allow(clippy::eq_op)]
        if v != v {
            return (v, i);
        }
        if (max && v > best) || (!max && v < best) {
            best = v;
            bi = i;
        }
    }
    (best, bi)
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Scan {
    Sum,
    Prod,
}

/// Inclusive scan of a line (from the end when `reverse`), accumulating in f64 for floats
/// (PyTorch's CPU accumulate type) and wrapping for int64.
fn scan_line<T: Element>(inp: &[T], out: &mut [T], kind: Scan, reverse: bool, float: bool) {
    let n = inp.len();
    let idx = |k: usize| if reverse { n - 1 - k } else { k };
    if float {
        let mut acc = if kind == Scan::Sum { 0.0 } else { 1.0 };
        for k in 0..n {
            let i = idx(k);
            let v = inp[i].to_f64();
            acc = if kind == Scan::Sum { acc + v } else { acc * v };
            out[i] = T::from_f64(acc);
        }
    } else {
        // Only reached for int64 (integers are promoted first); go through i64 exactly.
        let mut acc: i64 = if kind == Scan::Sum { 0 } else { 1 };
        for k in 0..n {
            let i = idx(k);
            let v = inp[i].to_f64() as i64;
            acc = if kind == Scan::Sum {
                acc.wrapping_add(v)
            } else {
                acc.wrapping_mul(v)
            };
            out[i] = T::from_f64(acc as f64);
        }
    }
}

/// Apply `f(line_in, line_out)` to every line of `x` along `dim`; the result is contiguous in
/// `x`'s shape. A 0-d tensor is one line of length 1.
fn map_lines<T: Element>(
    x: &Tensor,
    dim: usize,
    mut f: impl FnMut(&[T], &mut [T]),
) -> Result<Vec<T>> {
    if x.ndim() == 0 {
        let v = x.to_vec::<T>()?;
        let mut out = vec![T::default(); 1];
        f(&v, &mut out);
        return Ok(out);
    }
    let perm: Vec<usize> = (0..x.ndim()).filter(|&d| d != dim).chain([dim]).collect();
    let data = gather_perm::<T>(x, &perm)?;
    let n = x.shape()[dim];
    let mut out = vec![T::default(); data.len()];
    if n > 0 {
        for (i, o) in data.chunks(n).zip(out.chunks_mut(n)) {
            f(i, o);
        }
    }
    Ok(scatter_perm(&out, x.shape(), &perm))
}

/// Exact cumprod gradient of one line with zeros (O(n), no graph): before the first zero
/// `Σ_{j>=k} g_j·out_j / x_k`; at the first zero the product of the other factors times g,
/// summed over the outputs it reaches; after it 0.
fn cumprod_grad_line(x: &[f64], g: &[f64]) -> Vec<f64> {
    let n = x.len();
    let z = x.iter().position(|&v| v == 0.0).unwrap_or(n);
    let mut out = vec![0.0; n];
    // prefix products before the first zero
    let mut prefix = vec![1.0; z + 1];
    for k in 0..z {
        prefix[k + 1] = prefix[k] * x[k];
    }
    let mut s = 0.0;
    for k in (0..z).rev() {
        s += g[k] * prefix[k + 1];
        out[k] = s / x[k];
    }
    if z < n {
        let mut r = prefix[z];
        let mut acc = g[z] * r;
        for j in z + 1..n {
            r *= x[j];
            acc += g[j] * r;
        }
        out[z] = acc;
    }
    out
}

// ---- differentiable building blocks (private) ---------------------------------------------

/// Inclusive scan along `dim` (CumsumBackward0 / CumprodBackward0); integers and bools scan in
/// int64, as in PyTorch.
fn scan_op(x: &Tensor, dim: usize, kind: Scan, reverse: bool) -> Result<Tensor> {
    let float = x.dtype().is_floating_point();
    let xin = if float {
        x.clone()
    } else {
        x.to_dtype(DType::I64)?
    };
    let out = any_dispatch!(xin.dtype(), T => {
        let v = map_lines::<T>(&xin, dim, |i, o| scan_line(i, o, kind, reverse, float))?;
        Tensor::from_vec(v, x.shape().to_vec())?
    });
    match kind {
        Scan::Sum => record1("CumsumBackward0", &[x], out, false, move |_, g| {
            Ok(vec![Some(scan_op(g, dim, Scan::Sum, !reverse)?)])
        }),
        Scan::Prod => {
            let xs = Saved::new(x);
            record1("CumprodBackward0", &[x], out, true, move |ctx, g| {
                let out = ctx.output(0)?;
                Ok(vec![Some(cumprod_backward(
                    g,
                    xs.get()?,
                    &out,
                    dim,
                    reverse,
                )?)])
            })
        }
    }
}

/// PyTorch's `cumprod_backward`: without zeros `reversed_cumsum(g·out)/x`; with zeros an
/// exact O(n) kernel, or (when the backward itself is recorded) an O(n²) composition of
/// differentiable ops (each position's product of the other factors).
fn cumprod_backward(
    g: &Tensor,
    x: &Tensor,
    out: &Tensor,
    dim: usize,
    reverse: bool,
) -> Result<Tensor> {
    if x.numel() <= 1 || x.ndim() == 0 || x.shape()[dim] == 1 {
        return Ok(g.clone());
    }
    if !any_zero(x) {
        return scan_op(&g.mul(out)?, dim, Scan::Sum, !reverse)?.div(x);
    }
    let n = x.shape()[dim];
    if !is_grad_enabled() {
        let gd = g.to_dtype(x.dtype())?;
        let perm: Vec<usize> = (0..x.ndim()).filter(|&d| d != dim).chain([dim]).collect();
        let xv = gather_perm_f64(x, &perm)?;
        let gv = gather_perm_f64(&gd.expand_to(x.shape())?, &perm)?;
        let mut res = vec![0.0; xv.len()];
        for ((xl, gl), rl) in xv.chunks(n).zip(gv.chunks(n)).zip(res.chunks_mut(n)) {
            if reverse {
                let xr: Vec<f64> = xl.iter().rev().copied().collect();
                let gr: Vec<f64> = gl.iter().rev().copied().collect();
                for (o, v) in rl
                    .iter_mut()
                    .zip(cumprod_grad_line(&xr, &gr).into_iter().rev())
                {
                    *o = v;
                }
            } else {
                rl.copy_from_slice(&cumprod_grad_line(xl, gl));
            }
        }
        let v = scatter_perm(&res, x.shape(), &perm);
        return Tensor::from_f64_slice(&v, x.shape().to_vec(), x.dtype());
    }
    let nd = x.ndim();
    let one = Tensor::scalar(1.0, x.dtype());
    let zero = zero_like_scalar(g);
    let mut total: Option<Tensor> = None;
    for k in 0..n {
        let at_k = dim_mask(nd, dim, n, |j| j == k)?;
        let reached = dim_mask(nd, dim, n, |j| if reverse { j <= k } else { j >= k })?;
        let xk = Tensor::where_(&at_k, &one, x)?;
        let ck = scan_op(&xk, dim, Scan::Prod, reverse)?;
        let contrib =
            Tensor::where_(&reached, &g.mul(&ck)?, &zero)?.sum_dims(&[dim as isize], true)?;
        let term = Tensor::where_(&at_k, &contrib, &zero)?;
        total = Some(match total {
            None => term,
            Some(t) => t.add(&term)?,
        });
    }
    total.ok_or_else(|| crate::Error::new("internal: empty cumprod"))
}

fn gather_perm_f64(x: &Tensor, perm: &[usize]) -> Result<Vec<f64>> {
    crate::float_dispatch!(x.dtype(), "cumprod_backward", T => {
        Ok(gather_perm::<T>(x, perm)?.into_iter().map(|v| v.to_f64()).collect())
    })
}

/// `cat([fill, x[..n-1]])` along `dim` (or `cat([x[1..], fill])` when `reverse`), differentiable.
fn shift_op(x: &Tensor, dim: usize, reverse: bool, fill: f64) -> Result<Tensor> {
    let out = any_dispatch!(x.dtype(), T => {
        let f = T::from_f64(fill);
        let v = map_lines::<T>(x, dim, |i, o| {
            let n = i.len();
            if n == 0 {
                return;
            }
            if reverse {
                o[..n - 1].copy_from_slice(&i[1..]);
                o[n - 1] = f;
            } else {
                o[1..].copy_from_slice(&i[..n - 1]);
                o[0] = f;
            }
        })?;
        Tensor::from_vec(v, x.shape().to_vec())?
    });
    record1("CatBackward0", &[x], out, false, move |_, g| {
        Ok(vec![Some(shift_op(g, dim, !reverse, 0.0)?)])
    })
}

/// PyTorch's `prod_safe_zeros_backward`: `g · (exclusive cumprod) · (reverse exclusive cumprod)`.
fn prod_safe_zeros_backward(g: &Tensor, x: &Tensor, dim: usize) -> Result<Tensor> {
    if x.numel() == 0 {
        return g.expand_to(x.shape());
    }
    let normal = scan_op(&shift_op(x, dim, false, 1.0)?, dim, Scan::Prod, false)?;
    let rev = scan_op(&shift_op(x, dim, true, 1.0)?, dim, Scan::Prod, true)?;
    g.mul(&normal.mul(&rev)?)
}

/// PyTorch's `var_backward`. `dims == None` is the full reduction (dim not given).
fn var_backward(
    g: &Tensor,
    x: &Tensor,
    dims: Option<&[usize]>,
    correction: f64,
    keepdim: bool,
) -> Result<Tensor> {
    match dims {
        Some(dims) if x.ndim() > 0 => {
            let g = unsqueeze_back(g, dims, keepdim)?;
            let n: usize = dims.iter().map(|&d| x.shape()[d]).product();
            let di: Vec<isize> = dims.iter().map(|&d| d as isize).collect();
            g.mul_scalar(2.0 / (n as f64 - correction))?
                .mul(&x.sub(&x.mean_dims(&di, true)?)?)
        }
        _ => {
            let dof = x.numel() as f64 - correction;
            if dof <= 0.0 {
                let w = Tensor::where_(
                    &x.eq(&x.mean()?)?,
                    &Tensor::scalar(f64::NAN, x.dtype()),
                    &Tensor::scalar(f64::INFINITY, x.dtype()),
                )?;
                g.mul(&w)
            } else {
                g.mul_scalar(2.0 / dof)?.mul(&x.sub(&x.mean()?)?)
            }
        }
    }
}

/// PyTorch's `std_backward`: `var_backward(where(std == 0, 0, g / (2·std)))`.
fn std_backward(
    g: &Tensor,
    std: &Tensor,
    x: &Tensor,
    dims: Option<&[usize]>,
    correction: f64,
    keepdim: bool,
) -> Result<Tensor> {
    let gv = Tensor::where_(
        &std.eq_scalar(0.0)?,
        &zero_like_scalar(g),
        &g.div(&std.mul_scalar(2.0)?)?,
    )?;
    var_backward(&gv, x, dims, correction, keepdim)
}

fn mean_backward(g: &Tensor, x: &Tensor, dims: &[usize], keepdim: bool) -> Result<Tensor> {
    let n: usize = dims.iter().map(|&d| x.shape()[d]).product();
    unsqueeze_back(g, dims, keepdim)?
        .expand_to(x.shape())?
        .div_scalar(n as f64)
}

/// PyTorch's `norm_backward` for `vector_norm(x, p)`; `norm`/`g` already unsqueezed.
fn norm_backward(
    g: &Tensor,
    x: &Tensor,
    norm: &Tensor,
    p: f64,
    dims: &[usize],
) -> Result<Option<Tensor>> {
    let zero = zero_like_scalar(g);
    let sgn = sign_const(x)?;
    let abs = x.mul(&sgn)?; // |x|, differentiable with gradient sgn(x)
    let r = if p == 0.0 {
        return Ok(None);
    } else if p == 1.0 {
        sgn.mul(g)?
    } else if p == 2.0 {
        g.mul(&Tensor::where_(
            &norm.eq_scalar(0.0)?,
            &zero,
            &x.div(norm)?,
        )?)?
    } else if p.is_infinite() {
        let abs_c = abs.detach();
        let mask = abs_c
            .eq(&norm.detach())?
            .logical_or(&abs_c.ne(&abs_c)?)?
            .to_dtype(g.dtype())?;
        let di: Vec<isize> = dims.iter().map(|&d| d as isize).collect();
        let count = if di.is_empty() {
            mask.clone()
        } else {
            mask.sum_dims(&di, true)?
        };
        sgn.mul(&g.div(&count)?.mul(&mask)?)?
    } else if p < 1.0 {
        let scaled = Tensor::where_(
            &x.eq_scalar(0.0)?,
            &zero,
            &sgn.mul(&abs.pow_scalar(p - 1.0)?)?,
        )?;
        scaled.mul(g)?.mul(&norm.pow_scalar(1.0 - p)?)?
    } else {
        let scaled = if p < 2.0 {
            sgn.mul(&abs.pow_scalar(p - 1.0)?)?
        } else {
            x.mul(&abs.pow_scalar(p - 2.0)?)?
        };
        let scale = Tensor::where_(
            &norm.eq_scalar(0.0)?,
            &zero,
            &g.div(&norm.pow_scalar(p - 1.0)?)?,
        )?;
        scaled.mul(&scale)?
    };
    Ok(Some(r))
}

// ---- public ops ---------------------------------------------------------------------------

impl Tensor {
    /// `prod()` of all elements (ProdBackward0); integers and bools multiply in int64.
    pub fn prod(&self) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.prod();
        }
        let dims: Vec<usize> = (0..self.ndim()).collect();
        let out = prod_forward(self, dims, false)?;
        let xs = Saved::new(self);
        record1("ProdBackward0", &[self], out, true, move |ctx, g| {
            let x = xs.get()?;
            if x.ndim() == 0 {
                return Ok(vec![Some(g.clone())]);
            }
            let result = ctx.output(0)?;
            if !any_zero(x) {
                return Ok(vec![Some(g.mul(&result.div(x)?)?)]);
            }
            let flat = x.reshape_usize(&[x.numel()])?;
            let gx = prod_safe_zeros_backward(g, &flat, 0)?.reshape_usize(x.shape())?;
            Ok(vec![Some(gx)])
        })
    }

    /// `prod(dim, keepdim)` (ProdBackward1). Zeros get the product of the other elements.
    pub fn prod_dim(&self, dim: isize, keepdim: bool) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.prod_dim(dim, keepdim);
        }
        let d = normalize_dim(dim, self.ndim())?;
        let dims: Vec<usize> = if self.ndim() == 0 { vec![] } else { vec![d] };
        let out = prod_forward(self, dims.clone(), keepdim)?;
        let xs = Saved::new(self);
        record1("ProdBackward1", &[self], out, true, move |ctx, g| {
            let x = xs.get()?;
            if x.ndim() == 0 {
                return Ok(vec![Some(g.clone())]);
            }
            let g = unsqueeze_back(g, &dims, keepdim)?;
            let result = unsqueeze_back(&ctx.output(0)?, &dims, keepdim)?;
            if !any_zero(x) {
                return Ok(vec![Some(g.mul(&result.div(x)?)?)]);
            }
            Ok(vec![Some(prod_safe_zeros_backward(&g, x, d)?)])
        })
    }

    /// `max()` of all elements (MaxBackward1): the gradient is split evenly among ties, and goes
    /// to the nan positions when the result is nan.
    pub fn max(&self) -> Result<Tensor> {
        self.extreme_all(true)
    }

    /// `min()` of all elements (MinBackward1).
    pub fn min(&self) -> Result<Tensor> {
        self.extreme_all(false)
    }

    fn extreme_all(&self, max: bool) -> Result<Tensor> {
        let name = if max { "max" } else { "min" };
        if self.numel() == 0 {
            bail!("{}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.", name);
        }
        let p = plan(self, (0..self.ndim()).collect(), false);
        let (out, value) = any_dispatch!(self.dtype(), T => {
            let v = p.apply(self, |r: &[T]| extremum(r, max).0)?;
            let value = v[0].to_f64();
            (Tensor::from_vec(v, vec![])?, value)
        });
        let xs = Saved::new(self);
        let grad_fn = if max { "MaxBackward1" } else { "MinBackward1" };
        record1(grad_fn, &[self], out, false, move |_, g| {
            let x = xs.get()?;
            let mask = if value.is_nan() {
                x.ne(x)?
            } else {
                x.eq(&Tensor::scalar(value, x.dtype()))?
            };
            let count = mask.to_f64_vec().iter().filter(|&&b| b != 0.0).count();
            let gx = Tensor::where_(&mask, &g.div_scalar(count as f64)?, &zero_like_scalar(g))?;
            Ok(vec![Some(gx)])
        })
    }

    /// `max(dim, keepdim)` → `(values, indices)` (MaxBackward0): the first maximal element of
    /// each slice (nan counts as maximal); the whole gradient goes to the returned index.
    pub fn max_dim(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extreme_dim(dim, keepdim, true)
    }

    /// `min(dim, keepdim)` → `(values, indices)` (MinBackward0).
    pub fn min_dim(&self, dim: isize, keepdim: bool) -> Result<(Tensor, Tensor)> {
        self.extreme_dim(dim, keepdim, false)
    }

    fn extreme_dim(&self, dim: isize, keepdim: bool, max: bool) -> Result<(Tensor, Tensor)> {
        let name = if max { "max()" } else { "min()" };
        let d = normalize_dim(dim, self.ndim())?;
        let dims: Vec<usize> = if self.ndim() == 0 { vec![] } else { vec![d] };
        check_nonzero_dims(self, &dims, name)?;
        let p = plan(self, dims.clone(), keepdim);
        let (values, idx) = any_dispatch!(self.dtype(), T => {
            let r = p.apply(self, |r: &[T]| extremum(r, max))?;
            let vals: Vec<T> = r.iter().map(|x| x.0).collect();
            let idx: Vec<i64> = r.iter().map(|x| x.1 as i64).collect();
            (Tensor::from_vec(vals, p.out_shape.clone())?, idx)
        });
        let indices = Tensor::from_vec(idx.clone(), p.out_shape.clone())?;
        let shape = self.shape().to_vec();
        let (perm, run) = (p.perm.clone(), p.run);
        let grad_fn = if max { "MaxBackward0" } else { "MinBackward0" };
        let values = record1(grad_fn, &[self], values, false, move |_, g| {
            // value_selecting_reduction_backward: scatter g to the selected positions.
            let mut sel = vec![false; idx.len() * run];
            for (o, &i) in idx.iter().enumerate() {
                sel[o * run + i as usize] = true;
            }
            let mask = Tensor::from_vec(scatter_perm(&sel, &shape, &perm), shape.clone())?;
            let g = unsqueeze_back(g, &dims, keepdim)?;
            Ok(vec![Some(Tensor::where_(
                &mask,
                &g,
                &zero_like_scalar(&g),
            )?)])
        })?;
        Ok((values, indices))
    }

    /// `amax(dims, keepdim)` (AmaxBackward0); an empty `dims` reduces everything. The gradient
    /// is split evenly among the maximal elements of each slice.
    pub fn amax(&self, dims: &[isize], keepdim: bool) -> Result<Tensor> {
        self.a_extreme(dims, keepdim, true)
    }

    /// `amin(dims, keepdim)` (AminBackward0).
    pub fn amin(&self, dims: &[isize], keepdim: bool) -> Result<Tensor> {
        self.a_extreme(dims, keepdim, false)
    }

    fn a_extreme(&self, dims: &[isize], keepdim: bool, max: bool) -> Result<Tensor> {
        let name = if max { "amax()" } else { "amin()" };
        let rd = reduced_dims(self, dims)?;
        if self.numel() == 0 && dims.is_empty() {
            bail!("{}: Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.", name);
        }
        check_nonzero_dims(self, &rd, name)?;
        let p = plan(self, rd, keepdim);
        let out = any_dispatch!(self.dtype(), T => {
            let v = p.apply(self, |r: &[T]| extremum(r, max).0)?;
            Tensor::from_vec(v, p.out_shape.clone())?
        });
        let xs = Saved::new(self);
        let grad_fn = if max {
            "AmaxBackward0"
        } else {
            "AminBackward0"
        };
        let (dims, di) = (p.dims.clone(), p.dims_isize());
        record1(grad_fn, &[self], out, true, move |ctx, g| {
            let x = xs.get()?;
            let result = unsqueeze_back(&ctx.output(0)?.detach(), &dims, keepdim)?;
            let mask = x.eq(&result)?.to_dtype(g.dtype())?;
            let count = if di.is_empty() {
                mask.clone()
            } else {
                mask.sum_dims(&di, true)?
            };
            let g = unsqueeze_back(g, &dims, keepdim)?;
            Ok(vec![Some(g.div(&count)?.mul(&mask)?)])
        })
    }

    /// `argmax(dim, keepdim)`: int64 index of the first maximal element (nan counts as
    /// maximal); without `dim`, the index into the flattened tensor.
    pub fn argmax(&self, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg_extreme(dim, keepdim, true)
    }

    /// `argmin(dim, keepdim)`.
    pub fn argmin(&self, dim: Option<isize>, keepdim: bool) -> Result<Tensor> {
        self.arg_extreme(dim, keepdim, false)
    }

    fn arg_extreme(&self, dim: Option<isize>, keepdim: bool, max: bool) -> Result<Tensor> {
        let name = if max { "argmax()" } else { "argmin()" };
        let p = match dim {
            Some(dim) => {
                let d = normalize_dim(dim, self.ndim())?;
                let dims: Vec<usize> = if self.ndim() == 0 { vec![] } else { vec![d] };
                check_nonzero_dims(self, &dims, name)?;
                plan(self, dims, keepdim)
            }
            None => {
                if self.numel() == 0 {
                    bail!(
                        "{}: Expected reduction dim to be specified for input.numel() == 0.",
                        name
                    );
                }
                plan(self, (0..self.ndim()).collect(), keepdim)
            }
        };
        if self.dtype() == DType::Bool {
            bail!(
                "\"{}_cpu\" not implemented for '{}'",
                if max { "argmax" } else { "argmin" },
                kernel_dtype_name(DType::Bool)
            );
        }
        let idx: Vec<i64> = any_dispatch!(self.dtype(), T => {
            p.apply(self, |r: &[T]| extremum(r, max).1 as i64)?
        });
        Tensor::from_vec(idx, p.out_shape)
    }

    /// `var(dim, correction, keepdim)` (VarBackward0). `dims == None` reduces everything;
    /// `correction` defaults to 1 in PyTorch. Divides by `max(0, N - correction)`, so a
    /// non-positive dof gives inf (or nan when all deviations are 0).
    pub fn var(&self, dims: Option<&[isize]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        let (out, _, p, full) = self.var_forward(dims, correction, keepdim, false, false)?;
        let xs = Saved::new(self);
        let dims = p.dims;
        record1("VarBackward0", &[self], out, false, move |_, g| {
            let d = if full { None } else { Some(&dims[..]) };
            Ok(vec![Some(var_backward(
                g,
                xs.get()?,
                d,
                correction,
                keepdim,
            )?)])
        })
    }

    /// `std(dim, correction, keepdim)` (StdBackward0): the gradient is 0 where std is 0.
    pub fn std(&self, dims: Option<&[isize]>, correction: f64, keepdim: bool) -> Result<Tensor> {
        let (out, _, p, full) = self.var_forward(dims, correction, keepdim, true, false)?;
        let xs = Saved::new(self);
        let dims = p.dims;
        record1("StdBackward0", &[self], out, true, move |ctx, g| {
            let d = if full { None } else { Some(&dims[..]) };
            let std = ctx.output(0)?;
            Ok(vec![Some(std_backward(
                g,
                &std,
                xs.get()?,
                d,
                correction,
                keepdim,
            )?)])
        })
    }

    /// `torch.var_mean(x, dim, correction, keepdim)` → `(var, mean)` (VarMeanBackward0).
    pub fn var_mean(
        &self,
        dims: Option<&[isize]>,
        correction: f64,
        keepdim: bool,
    ) -> Result<(Tensor, Tensor)> {
        self.stat_mean(dims, correction, keepdim, false)
    }

    /// `torch.std_mean(x, dim, correction, keepdim)` → `(std, mean)` (StdMeanBackward0).
    pub fn std_mean(
        &self,
        dims: Option<&[isize]>,
        correction: f64,
        keepdim: bool,
    ) -> Result<(Tensor, Tensor)> {
        self.stat_mean(dims, correction, keepdim, true)
    }

    fn stat_mean(
        &self,
        dims: Option<&[isize]>,
        correction: f64,
        keepdim: bool,
        std: bool,
    ) -> Result<(Tensor, Tensor)> {
        let (out, mean, p, full) = self.var_forward(dims, correction, keepdim, std, true)?;
        let mean = mean.ok_or_else(|| crate::Error::new("internal: var_mean lost its mean"))?;
        let xs = Saved::new(self);
        let dims = p.dims;
        let name = if std {
            "StdMeanBackward0"
        } else {
            "VarMeanBackward0"
        };
        let mut outs = record(name, &[self], vec![out, mean], std, move |ctx, g| {
            let x = xs.get()?;
            let d = if full { None } else { Some(&dims[..]) };
            let gs = if std {
                std_backward(&g[0], &ctx.output(0)?, x, d, correction, keepdim)?
            } else {
                var_backward(&g[0], x, d, correction, keepdim)?
            };
            let gm = mean_backward(&g[1], x, &dims, keepdim)?;
            Ok(vec![Some(gs.add(&gm)?)])
        })?;
        let mean = outs.pop();
        let stat = outs.pop();
        match (stat, mean) {
            (Some(s), Some(m)) => Ok((s, m)),
            _ => bail!("internal: var_mean lost an output"),
        }
    }

    /// Shared forward of var/std(/_mean): two-pass in f64 per slice.
    #[allow(clippy::type_complexity)]
    fn var_forward(
        &self,
        dims: Option<&[isize]>,
        correction: f64,
        keepdim: bool,
        std: bool,
        with_mean: bool,
    ) -> Result<(Tensor, Option<Tensor>, Plan, bool)> {
        require_float(
            self,
            "std and var only support floating point and complex dtypes",
        )?;
        let full = dims.is_none_or(|d| d.is_empty());
        let rd = reduced_dims(self, dims.unwrap_or(&[]))?;
        let p = plan(self, rd, keepdim);
        let (out, mean) = crate::float_dispatch!(self.dtype(), "var", T => {
            let r = p.apply(self, |run: &[T]| {
                let n = run.len() as f64;
                let mean = run.iter().map(|v| v.to_f64()).sum::<f64>() / n;
                let m2: f64 = run.iter().map(|v| (v.to_f64() - mean).powi(2)).sum();
                let var = m2 / (n - correction).max(0.0);
                (T::from_f64(if std { var.sqrt() } else { var }), T::from_f64(mean))
            })?;
            let out = Tensor::from_vec(r.iter().map(|x| x.0).collect::<Vec<T>>(), p.out_shape.clone())?;
            let mean = if with_mean {
                Some(Tensor::from_vec(r.iter().map(|x| x.1).collect::<Vec<T>>(), p.out_shape.clone())?)
            } else {
                None
            };
            (out, mean)
        });
        Ok((out, mean, p, full))
    }

    /// `logsumexp(dims, keepdim)` (LogsumexpBackward0): max-shifted, with an infinite max
    /// replaced by 0; gradient `g·exp(x - result)`. Integers compute in float32.
    pub fn logsumexp(&self, dims: &[isize], keepdim: bool) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.logsumexp(dims, keepdim);
        }
        let x = if self.dtype().is_floating_point() {
            self.clone()
        } else {
            self.to_dtype(DType::F32)?
        };
        let rd = reduced_dims(&x, dims)?;
        let p = plan(&x, rd, keepdim);
        let out = crate::float_dispatch!(x.dtype(), "logsumexp", T => {
            let v = p.apply(&x, |run: &[T]| {
                let mut m = f64::NEG_INFINITY;
                for v in run {
                    let v = v.to_f64();
                    if v > m || v.is_nan() {
                        m = v;
                    }
                }
                if m.is_infinite() {
                    m = 0.0;
                }
                let s: f64 = run.iter().map(|v| (v.to_f64() - m).exp()).sum();
                T::from_f64(s.ln() + m)
            })?;
            Tensor::from_vec(v, p.out_shape.clone())?
        });
        let xs = Saved::new(self);
        let dims = p.dims;
        record1("LogsumexpBackward0", &[self], out, true, move |ctx, g| {
            let g = unsqueeze_back(g, &dims, keepdim)?;
            let result = unsqueeze_back(&ctx.output(0)?, &dims, keepdim)?;
            Ok(vec![Some(g.mul(&xs.get()?.sub(&result)?.exp()?)?)])
        })
    }

    /// `cumsum(dim)` (CumsumBackward0); integers and bools accumulate in int64.
    pub fn cumsum(&self, dim: isize) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.cumsum(dim);
        }
        let d = normalize_dim(dim, self.ndim())?;
        scan_op(self, d, Scan::Sum, false)
    }

    /// `cumprod(dim)` (CumprodBackward0); the gradient is exact with zeros (PyTorch's
    /// `cumprod_backward`).
    pub fn cumprod(&self, dim: isize) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.cumprod(dim);
        }
        let d = normalize_dim(dim, self.ndim())?;
        scan_op(self, d, Scan::Prod, false)
    }

    /// `torch.linalg.vector_norm(x, ord, dim, keepdim)` (LinalgVectorNormBackward0): ord 2, 1,
    /// ±inf, 0 or any p. `dims == None` (or empty) reduces everything.
    pub fn linalg_vector_norm(
        &self,
        ord: f64,
        dims: Option<&[isize]>,
        keepdim: bool,
    ) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() && super::is_half(self.dtype()) {
            return crate::autocast::fp32(self)?.linalg_vector_norm(ord, dims, keepdim);
        }
        if !self.dtype().is_floating_point() {
            bail!(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
                kernel_dtype_name(self.dtype())
            );
        }
        let given: &[isize] = dims.unwrap_or(&[]);
        let rd = reduced_dims(self, given)?;
        if self.numel() == 0 && (ord < 0.0 || ord == f64::INFINITY) {
            if given.is_empty() {
                bail!("linalg.vector_norm cannot compute the {} norm on an empty tensor because the operation does not have an identity", ord);
            }
            for &d in given {
                let k = normalize_dim(d, self.ndim())?;
                if self.ndim() > 0 && self.shape()[k] == 0 {
                    bail!("linalg.vector_norm cannot compute the {} norm on the dimension {}because this dimension is empty and the operation does not have an identity", ord, d);
                }
            }
        }
        let p = plan(self, rd, keepdim);
        let out = crate::float_dispatch!(self.dtype(), "linalg_vector_norm", T => {
            let v = p.apply(self, |run: &[T]| T::from_f64(vector_norm_run(run.iter().map(|v| v.to_f64().abs()), ord)))?;
            Tensor::from_vec(v, p.out_shape.clone())?
        });
        let xs = Saved::new(self);
        let dims = p.dims;
        record1(
            "LinalgVectorNormBackward0",
            &[self],
            out,
            true,
            move |ctx, g| {
                let g = unsqueeze_back(g, &dims, keepdim)?;
                let norm = unsqueeze_back(&ctx.output(0)?, &dims, keepdim)?;
                Ok(vec![norm_backward(&g, xs.get()?, &norm, ord, &dims)?])
            },
        )
    }

    /// `Tensor.norm(p, dim, keepdim)`: `p == None` is `'fro'` (the 2-norm of the flattened
    /// dims); both forward to `linalg.vector_norm`, as `torch.norm` does.
    pub fn norm(&self, p: Option<f64>, dims: Option<&[isize]>, keepdim: bool) -> Result<Tensor> {
        if p.is_none() {
            if let Some(d) = dims {
                if d.len() > 2 {
                    let s: Vec<String> = d.iter().map(|v| v.to_string()).collect();
                    bail!(
                        "linalg.matrix_norm: dim must be a 2-tuple. Got {}",
                        s.join(" ")
                    );
                }
            }
        }
        self.linalg_vector_norm(p.unwrap_or(2.0), dims, keepdim)
    }

    /// `all()`: whether every element is nonzero (bool, 0-d); true when empty.
    pub fn all(&self) -> Result<Tensor> {
        self.all_dims(&[], false)
    }

    /// `all(dims, keepdim)` (bool); an empty `dims` reduces everything.
    pub fn all_dims(&self, dims: &[isize], keepdim: bool) -> Result<Tensor> {
        self.bool_reduce(dims, keepdim, true)
    }

    /// `any()`: whether some element is nonzero; false when empty.
    pub fn any(&self) -> Result<Tensor> {
        self.any_dims(&[], false)
    }

    /// `any(dims, keepdim)` (bool).
    pub fn any_dims(&self, dims: &[isize], keepdim: bool) -> Result<Tensor> {
        self.bool_reduce(dims, keepdim, false)
    }

    fn bool_reduce(&self, dims: &[isize], keepdim: bool, all: bool) -> Result<Tensor> {
        let rd = reduced_dims(self, dims)?;
        let p = plan(self, rd, keepdim);
        let v: Vec<bool> = any_dispatch!(self.dtype(), T => {
            p.apply(self, |run: &[T]| {
                if all {
                    run.iter().all(|v| v.to_f64() != 0.0)
                } else {
                    run.iter().any(|v| v.to_f64() != 0.0)
                }
            })?
        });
        Tensor::from_vec(v, p.out_shape)
    }
}

/// The forward of `prod` over `dims` (no graph).
fn prod_forward(x: &Tensor, dims: Vec<usize>, keepdim: bool) -> Result<Tensor> {
    let p = plan(x, dims, keepdim);
    if x.dtype().is_floating_point() {
        crate::float_dispatch!(x.dtype(), "prod", T => {
            let v = p.apply(x, |r: &[T]| {
                let mut acc = T::ONE;
                for &v in r {
                    acc = acc * v;
                }
                acc
            })?;
            Tensor::from_vec(v, p.out_shape)
        })
    } else {
        let xi = x.to_dtype(DType::I64)?;
        let v = p.apply(&xi, |r: &[i64]| {
            r.iter().fold(1i64, |a, &b| a.wrapping_mul(b))
        })?;
        Tensor::from_vec(v, p.out_shape)
    }
}

/// `vector_norm` of one run of absolute values, in f64.
fn vector_norm_run(abs: impl Iterator<Item = f64>, ord: f64) -> f64 {
    if ord.is_infinite() {
        let max = ord > 0.0;
        let mut best = if max {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        let mut any = false;
        for a in abs {
            any = true;
            if a.is_nan() {
                return a;
            }
            if (max && a > best) || (!max && a < best) {
                best = a;
            }
        }
        if any {
            best
        } else {
            0.0
        }
    } else if ord == 0.0 {
        abs.filter(|&a| a != 0.0).count() as f64
    } else if ord == 1.0 {
        abs.sum()
    } else if ord == 2.0 {
        abs.map(|a| a * a).sum::<f64>().sqrt()
    } else {
        abs.map(|a| a.powf(ord)).sum::<f64>().powf(1.0 / ord)
    }
}

use super::registry::{fixed, input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    const FLOATS: &str = "float32, float64";
    const ALL: &str = "all (keeps the dtype)";
    vec![
        OpSpec { name: "prod", js: "prod", grad_fn: "ProdBackward1", dtypes: "all (integers and bool multiply in int64)", grad: D2, notes: "over all (ProdBackward0) or `prod(dim, keepdim)`; with zeros the gradient is the product of the other elements (exact with 1 or 2+ zeros)", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].prod_dim(1, false) },
        OpSpec { name: "prod (all)", js: "prod", grad_fn: "ProdBackward0", dtypes: "all (integers and bool multiply in int64)", grad: D2, notes: "", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].prod() },
        OpSpec { name: "max", js: "max", grad_fn: "MaxBackward1", dtypes: ALL, grad: D2, notes: "over all: the gradient is split evenly among ties, and goes to the nan positions when the result is nan; `max(other)` is `maximum`", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].max() },
        OpSpec { name: "max (dim)", js: "max", grad_fn: "MaxBackward0", dtypes: ALL, grad: D2, notes: "`max(dim, keepdim)` returns `{ values, indices }` (int64, first maximal element); the whole gradient goes to that index", inputs: vec![input(&[2, 3], Any)], run: |x| Ok(x[0].max_dim(1, false)?.0) },
        OpSpec { name: "min", js: "min", grad_fn: "MinBackward1", dtypes: ALL, grad: D2, notes: "as `max`", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].min() },
        OpSpec { name: "min (dim)", js: "min", grad_fn: "MinBackward0", dtypes: ALL, grad: D2, notes: "as `max(dim)`", inputs: vec![input(&[2, 3], Any)], run: |x| Ok(x[0].min_dim(0, true)?.0) },
        OpSpec { name: "amax", js: "amax", grad_fn: "AmaxBackward0", dtypes: ALL, grad: D2, notes: "over dims (all by default); gradient split evenly among the ties of each slice", inputs: vec![input(&[2, 3, 2], Any)], run: |x| x[0].amax(&[0, 2], false) },
        OpSpec { name: "amin", js: "amin", grad_fn: "AminBackward0", dtypes: ALL, grad: D2, notes: "as `amax`", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].amin(&[1], true) },
        OpSpec { name: "argmax", js: "argmax", grad_fn: "", dtypes: "float32, float64, int32, int64 (bool refused as in PyTorch)", grad: Grad::None, notes: "int64, first maximal element; without `dim` an index into the flattened tensor", inputs: vec![fixed(&[2, 3])], run: |x| x[0].argmax(Some(1), false) },
        OpSpec { name: "argmin", js: "argmin", grad_fn: "", dtypes: "float32, float64, int32, int64 (bool refused as in PyTorch)", grad: Grad::None, notes: "as `argmax`", inputs: vec![fixed(&[2, 3])], run: |x| x[0].argmin(None, false) },
        OpSpec { name: "var", js: "var", grad_fn: "VarBackward0", dtypes: FLOATS, grad: D2, notes: "`{ correction, keepdim }` (correction 1 by default); `2/(N-c)·g·(x-mean)`; dof <= 0 gives inf/nan", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].var(Some(&[1]), 1.0, false) },
        OpSpec { name: "std", js: "std", grad_fn: "StdBackward0", dtypes: FLOATS, grad: D2, notes: "gradient 0 where std is 0", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].std(None, 0.0, false) },
        OpSpec { name: "var_mean", js: "varMean", grad_fn: "VarMeanBackward0", dtypes: FLOATS, grad: D2, notes: "returns `[var, mean]`", inputs: vec![input(&[2, 3], Any)], run: |x| Ok(x[0].var_mean(Some(&[0]), 1.0, true)?.0) },
        OpSpec { name: "std_mean", js: "stdMean", grad_fn: "StdMeanBackward0", dtypes: FLOATS, grad: D2, notes: "returns `[std, mean]`", inputs: vec![input(&[2, 3], Any)], run: |x| Ok(x[0].std_mean(Some(&[1]), 1.0, false)?.0) },
        OpSpec { name: "logsumexp", js: "logsumexp", grad_fn: "LogsumexpBackward0", dtypes: "float32, float64 (integers compute in float32)", grad: D2, notes: "max-shifted (an infinite max is replaced by 0); `g·exp(x-result)`", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].logsumexp(&[1], false) },
        OpSpec { name: "cumsum", js: "cumsum", grad_fn: "CumsumBackward0", dtypes: "all (integers and bool accumulate in int64)", grad: D2, notes: "gradient is the reversed cumsum", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].cumsum(1) },
        OpSpec { name: "cumprod", js: "cumprod", grad_fn: "CumprodBackward0", dtypes: "all (integers and bool multiply in int64)", grad: D2, notes: "exact with zeros (PyTorch's `cumprod_backward`)", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].cumprod(-1) },
        OpSpec { name: "linalg.vector_norm", js: "linalg.vectorNorm", grad_fn: "LinalgVectorNormBackward0", dtypes: FLOATS, grad: D2, notes: "ord 2 (default), 1, inf, -inf, 0, any p; gradient 0 at the zero vector (p=2), `sgn` (p=1), split among ties of \\|x\\| (inf)", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].linalg_vector_norm(2.0, Some(&[1]), false) },
        OpSpec { name: "linalg.vector_norm (ord=1)", js: "linalg.vectorNorm", grad_fn: "LinalgVectorNormBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].linalg_vector_norm(1.0, None, false) },
        OpSpec { name: "linalg.vector_norm (ord=inf)", js: "linalg.vectorNorm", grad_fn: "LinalgVectorNormBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].linalg_vector_norm(f64::INFINITY, Some(&[1]), true) },
        OpSpec { name: "linalg.vector_norm (ord=-inf)", js: "linalg.vectorNorm", grad_fn: "LinalgVectorNormBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].linalg_vector_norm(f64::NEG_INFINITY, None, false) },
        OpSpec { name: "linalg.vector_norm (ord=3)", js: "linalg.vectorNorm", grad_fn: "LinalgVectorNormBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].linalg_vector_norm(3.0, Some(&[0]), false) },
        OpSpec { name: "linalg.vector_norm (ord=1.5)", js: "linalg.vectorNorm", grad_fn: "LinalgVectorNormBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].linalg_vector_norm(1.5, None, false) },
        OpSpec { name: "linalg.vector_norm (ord=0.5)", js: "linalg.vectorNorm", grad_fn: "LinalgVectorNormBackward0", dtypes: FLOATS, grad: D2, notes: "", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].linalg_vector_norm(0.5, Some(&[1]), false) },
        OpSpec { name: "norm", js: "norm", grad_fn: "LinalgVectorNormBackward0", dtypes: FLOATS, grad: D2, notes: "`Tensor.norm(p='fro'|number, dim, keepdim)`, forwards to `linalg.vector_norm` as `torch.norm` does ('nuc' is not supported)", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].norm(None, None, false) },
        OpSpec { name: "all / any", js: "all / any", grad_fn: "", dtypes: "all", grad: Grad::None, notes: "bool results, over dims or all; nonzero (and nan) is true", inputs: vec![fixed(&[2, 3])], run: |x| x[0].all_dims(&[1], false) },
    ]
}
