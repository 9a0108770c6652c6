//! Views and copies that rearrange elements: flatten/unflatten, permute/movedim, expand_as /
//! broadcast_to, repeat/tile, flip, roll, narrow/select/diagonal (views), tril/triu,
//! split/chunk/unbind (views), cat and stack.
//!
//! Views share storage with their base (no copy) exactly where PyTorch's do. Each backward rule
//! is written with differentiable ops, so double backward works: the backward of a view is an
//! "embed into zeros" op whose own backward is the same view again.

use crate::autograd::grad_mode::no_grad;
use crate::dtype::DType;
use crate::error::fmt_shape;
use crate::shape::{normalize_dim, normalize_dims, numel, Layout};
use crate::storage::Buffer;
use crate::tensor::{record, record1, Tensor};
use crate::{bail, Error, Result};

// ---- raw helpers shared with the indexing family --------------------------------------------

/// Storage offsets of every element of a strided view (row-major), strides possibly negative.
pub(crate) fn offsets_of(shape: &[usize], strides: &[isize], base: isize) -> Vec<usize> {
    let n = numel(shape);
    let mut out = Vec::with_capacity(n);
    if n == 0 {
        return out;
    }
    let nd = shape.len();
    let mut idx = vec![0usize; nd];
    let mut off = base;
    loop {
        out.push(off as usize);
        let mut d = nd;
        loop {
            if d == 0 {
                return out;
            }
            d -= 1;
            idx[d] += 1;
            off += strides[d];
            if idx[d] < shape[d] {
                break;
            }
            off -= strides[d] * shape[d] as isize;
            idx[d] = 0;
        }
    }
}

pub(crate) fn istrides(l: &Layout) -> Vec<isize> {
    l.strides.iter().map(|&s| s as isize).collect()
}

/// A new contiguous tensor of `src`'s dtype holding the storage elements at `offsets`.
pub(crate) fn copy_offsets(src: &Tensor, offsets: &[usize], shape: Vec<usize>) -> Result<Tensor> {
    let buf = {
        let b = src.buffer();
        let len = b.len();
        if offsets.iter().any(|&o| o >= len) {
            bail!("internal: offset out of range");
        }
        crate::map_buffer!(&*b, v => offsets.iter().map(|&o| v[o]).collect())
    };
    Tensor::from_buffer(buf, shape)
}

/// The elements of `src` (converted to `dtype`) in row-major order, as a buffer.
fn values_buffer(src: &Tensor, dtype: DType) -> Result<Buffer> {
    let s = no_grad(|| src.to_dtype(dtype))?;
    let b = s.buffer();
    Ok(crate::map_buffer!(&*b, v => crate::kernels::gather(v, s.layout())))
}

/// Write (or with `accumulate`, add) the values of `src` (row-major, converted to `dst`'s dtype)
/// into `dst`'s storage at `offsets`. No graph. Bool accumulation is a logical or.
pub(crate) fn put_offsets(
    dst: &Tensor,
    offsets: &[usize],
    src: &Tensor,
    accumulate: bool,
) -> Result<()> {
    if src.numel() != offsets.len() {
        bail!(
            "internal: {} values for {} positions",
            src.numel(),
            offsets.len()
        );
    }
    let vals = values_buffer(src, dst.dtype())?;
    let mut buf = dst.storage().write();
    let len = buf.len();
    if offsets.iter().any(|&o| o >= len) {
        bail!("internal: offset out of range");
    }
    use crate::element::Numeric;
    fn go<T: Numeric>(d: &mut [T], offs: &[usize], v: &[T], acc: bool) {
        for (&o, &x) in offs.iter().zip(v) {
            d[o] = if acc { d[o].nadd(x) } else { x };
        }
    }
    match (&mut *buf, &vals) {
        (Buffer::F32(d), Buffer::F32(v)) => go(d, offsets, v, accumulate),
        (Buffer::F64(d), Buffer::F64(v)) => go(d, offsets, v, accumulate),
        (Buffer::I32(d), Buffer::I32(v)) => go(d, offsets, v, accumulate),
        (Buffer::I64(d), Buffer::I64(v)) => go(d, offsets, v, accumulate),
        (Buffer::Bool(d), Buffer::Bool(v)) => {
            for (&o, &x) in offsets.iter().zip(v) {
                d[o] = if accumulate { d[o] || x } else { x };
            }
        }
        _ => bail!("internal dtype mismatch in put_offsets"),
    }
    Ok(())
}

/// Copy `src` (same shape) into the strided view `dst`, no graph.
pub(crate) fn write_into(dst: &Tensor, src: &Tensor) -> Result<()> {
    if dst.shape() != src.shape() {
        bail!(
            "internal: write of {} into {}",
            fmt_shape(src.shape()),
            fmt_shape(dst.shape())
        );
    }
    let l = dst.layout();
    let offs = offsets_of(&l.shape, &istrides(l), l.offset as isize);
    put_offsets(dst, &offs, src, false)
}

/// A contiguous copy with no graph.
pub(crate) fn raw_contiguous(t: &Tensor) -> Result<Tensor> {
    let buf = {
        let b = t.buffer();
        crate::map_buffer!(&*b, v => crate::kernels::gather(v, t.layout()))
    };
    Tensor::from_buffer(buf, t.shape().to_vec())
}

// ---- views with an embedding backward -------------------------------------------------------

/// A strided view of one input dim (or two, for diagonal), recorded so that its backward can
/// embed the gradient into zeros and the backward of that is the same view again.
#[derive(Clone, Debug)]
pub(crate) enum ViewSpec {
    Select {
        dim: usize,
        index: usize,
    },
    Slice {
        dim: usize,
        start: usize,
        len: usize,
        step: usize,
    },
    Diagonal {
        offset: isize,
        dim1: usize,
        dim2: usize,
    },
}

impl ViewSpec {
    fn layout(&self, l: &Layout) -> Layout {
        let mut out = l.clone();
        match *self {
            ViewSpec::Select { dim, index } => {
                out.offset += index * l.strides[dim];
                out.shape.remove(dim);
                out.strides.remove(dim);
            }
            ViewSpec::Slice {
                dim,
                start,
                len,
                step,
            } => {
                out.offset += start * l.strides[dim];
                out.shape[dim] = len;
                out.strides[dim] = l.strides[dim] * step;
            }
            ViewSpec::Diagonal { offset, dim1, dim2 } => {
                let (n1, n2) = (l.shape[dim1] as isize, l.shape[dim2] as isize);
                let len = if offset >= 0 {
                    n1.min(n2 - offset)
                } else {
                    (n1 + offset).min(n2)
                }
                .max(0) as usize;
                if len > 0 {
                    out.offset += if offset >= 0 {
                        offset as usize * l.strides[dim2]
                    } else {
                        (-offset) as usize * l.strides[dim1]
                    };
                }
                let stride = l.strides[dim1] + l.strides[dim2];
                let (hi, lo) = (dim1.max(dim2), dim1.min(dim2));
                out.shape.remove(hi);
                out.strides.remove(hi);
                out.shape.remove(lo);
                out.strides.remove(lo);
                out.shape.push(len);
                out.strides.push(stride);
            }
        }
        if numel(&out.shape) == 0 {
            // An empty view reads nothing; keep its offset inside the storage.
            out.offset = 0;
        }
        out
    }
    fn grad_fn(&self) -> &'static str {
        match self {
            ViewSpec::Select { .. } => "SelectBackward0",
            ViewSpec::Slice { .. } => "SliceBackward0",
            ViewSpec::Diagonal { .. } => "DiagonalBackward0",
        }
    }
    fn backward_name(&self) -> &'static str {
        match self {
            ViewSpec::Select { .. } => "SelectBackwardBackward0",
            ViewSpec::Slice { .. } => "SliceBackwardBackward0",
            ViewSpec::Diagonal { .. } => "DiagonalBackwardBackward0",
        }
    }
}

/// `select_backward` / `slice_backward` / `diagonal_backward`: zeros of `in_shape` with `g`
/// written into the view; differentiable (its backward is the view of the incoming gradient).
fn view_backward(g: &Tensor, in_shape: &[usize], spec: ViewSpec) -> Result<Tensor> {
    let out = Tensor::zeros(in_shape, g.dtype());
    let v = out.view_with_layout(spec.layout(out.layout()));
    write_into(&v, g)?;
    record1(spec.backward_name(), &[g], out, false, move |_, gg| {
        Ok(vec![Some(gg.apply_view(&spec)?)])
    })
}

fn python_slice(
    n: usize,
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
) -> Result<(usize, usize)> {
    if step == 0 {
        bail!("slice step cannot be zero");
    }
    if step < 0 {
        bail!("step must be greater than zero");
    }
    let n = n as isize;
    let wrap = |v: isize| if v < 0 { (v + n).max(0) } else { v.min(n) };
    let s = start.map(wrap).unwrap_or(0);
    let e = stop.map(wrap).unwrap_or(n).max(s);
    let len = (e - s + step - 1) / step;
    Ok((s as usize, len as usize))
}

impl Tensor {
    /// Apply a recorded view (SelectBackward0 / SliceBackward0 / DiagonalBackward0).
    pub(crate) fn apply_view(&self, spec: &ViewSpec) -> Result<Tensor> {
        let out = self.view_with_layout(spec.layout(self.layout()));
        let in_shape = self.shape().to_vec();
        let s = spec.clone();
        record1(spec.grad_fn(), &[self], out, false, move |_, g| {
            Ok(vec![Some(view_backward(g, &in_shape, s.clone())?)])
        })
    }

    /// `select(dim, index)`: a view with `dim` removed (SelectBackward0). Negative index wraps.
    pub fn select(&self, dim: isize, index: isize) -> Result<Tensor> {
        if self.ndim() == 0 {
            bail!("select() cannot be applied to a 0-dim tensor.");
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = self.shape()[d] as isize;
        if index < -n || index >= n {
            bail!(
                "select(): index {} out of range for tensor of size {} at dimension {}",
                index,
                fmt_shape(self.shape()),
                d
            );
        }
        let index = if index < 0 { index + n } else { index } as usize;
        self.apply_view(&ViewSpec::Select { dim: d, index })
    }

    /// `narrow(dim, start, length)`: a view of `length` elements from `start` (SliceBackward0).
    pub fn narrow(&self, dim: isize, start: isize, length: isize) -> Result<Tensor> {
        if self.ndim() == 0 {
            bail!("narrow() cannot be applied to a 0-dim tensor.");
        }
        if length < 0 {
            bail!("narrow(): length must be non-negative.");
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = self.shape()[d] as isize;
        if start < -n || start > n {
            bail!(
                "start out of range (expected to be in range of [{}, {}], but got {})",
                -n,
                n,
                start
            );
        }
        let start = if start < 0 { start + n } else { start };
        if start > n - length {
            bail!(
                "start ({}) + length ({}) exceeds dimension size ({}).",
                start,
                length,
                n
            );
        }
        self.apply_view(&ViewSpec::Slice {
            dim: d,
            start: start as usize,
            len: length as usize,
            step: 1,
        })
    }

    /// `x[start:stop:step]` along `dim` with Python's clamping (SliceBackward0), a view.
    pub fn slice(
        &self,
        dim: isize,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Result<Tensor> {
        if self.ndim() == 0 {
            bail!("slice() cannot be applied to a 0-dim tensor.");
        }
        let d = normalize_dim(dim, self.ndim())?;
        let (s, len) = python_slice(self.shape()[d], start, stop, step)?;
        self.apply_view(&ViewSpec::Slice {
            dim: d,
            start: s,
            len,
            step: step as usize,
        })
    }

    /// `diagonal(offset, dim1, dim2)`: a view with the diagonal as the last dim (DiagonalBackward0).
    pub fn diagonal(&self, offset: isize, dim1: isize, dim2: isize) -> Result<Tensor> {
        let nd = self.ndim();
        let (a, b) = (normalize_dim(dim1, nd)?, normalize_dim(dim2, nd)?);
        if a == b {
            bail!("diagonal dimensions cannot be identical {}, {}", dim1, dim2);
        }
        if nd < 2 {
            bail!("diagonal dimensions cannot be identical {}, {}", dim1, dim2);
        }
        self.apply_view(&ViewSpec::Diagonal {
            offset,
            dim1: a,
            dim2: b,
        })
    }

    // ---- reshaping views ------------------------------------------------------------------

    /// `flatten(start_dim, end_dim)`: reshape of the dims in between into one.
    pub fn flatten(&self, start_dim: isize, end_dim: isize) -> Result<Tensor> {
        let nd = self.ndim();
        if nd == 0 {
            return self.reshape_usize(&[1]);
        }
        let (s, e) = (normalize_dim(start_dim, nd)?, normalize_dim(end_dim, nd)?);
        if s > e {
            bail!("flatten() has invalid args: start_dim cannot come after end_dim");
        }
        if s == e {
            return Ok(self.clone());
        }
        let sh = self.shape();
        let mut shape: Vec<usize> = sh[..s].to_vec();
        shape.push(numel(&sh[s..=e]));
        shape.extend_from_slice(&sh[e + 1..]);
        self.reshape_usize(&shape)
    }

    /// `unflatten(dim, sizes)`: split one dim into `sizes` (one -1 inferred), a view.
    pub fn unflatten(&self, dim: isize, sizes: &[isize]) -> Result<Tensor> {
        if sizes.is_empty() {
            bail!("unflatten: sizes must be non-empty");
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = if self.ndim() == 0 { 1 } else { self.shape()[d] };
        let inferred = crate::shape::infer_shape(sizes, n).map_err(|e| {
            if e.message().contains("is invalid for input of size") {
                let parts: Vec<String> = sizes.iter().map(|v| v.to_string()).collect();
                Error::new(format!(
                    "unflatten: Provided sizes [{}] don't multiply up to the size of dim {} ({}) in the input tensor",
                    parts.join(", "),
                    dim,
                    n
                ))
            } else {
                e
            }
        })?;
        let mut shape: Vec<usize> = self.shape()[..d.min(self.ndim())].to_vec();
        shape.extend(inferred);
        if self.ndim() > 0 {
            shape.extend_from_slice(&self.shape()[d + 1..]);
        }
        let s: Vec<isize> = shape.iter().map(|&v| v as isize).collect();
        self.view(&s)
    }

    /// `permute(dims)` (PermuteBackward0), a view.
    pub fn permute(&self, dims: &[isize]) -> Result<Tensor> {
        let nd = self.ndim();
        if dims.len() != nd {
            bail!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                nd,
                dims.len()
            );
        }
        let mut perm = Vec::with_capacity(nd);
        for &d in dims {
            let d = normalize_dim(d, nd)?;
            if perm.contains(&d) {
                bail!("permute(): duplicate dims are not allowed.");
            }
            perm.push(d);
        }
        let l = self.layout();
        let out = self.view_with_layout(Layout {
            shape: perm.iter().map(|&p| l.shape[p]).collect(),
            strides: perm.iter().map(|&p| l.strides[p]).collect(),
            offset: l.offset,
        });
        let mut inv = vec![0isize; nd];
        for (i, &p) in perm.iter().enumerate() {
            inv[p] = i as isize;
        }
        record1("PermuteBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.permute(&inv)?)])
        })
    }

    /// `movedim(source, destination)`: move dims to new positions, the others keep their order
    /// (PermuteBackward0).
    pub fn movedim(&self, source: &[isize], destination: &[isize]) -> Result<Tensor> {
        let nd = self.ndim();
        let list = |v: &[isize]| {
            format!(
                "[{}]",
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        if source.len() != destination.len() {
            bail!(
                "movedim: Invalid source or destination dims: source ({} dims) should contain the same number of dims as destination ({} dims)",
                list(source),
                list(destination)
            );
        }
        let src = normalize_dims(source, nd).map_err(|e| {
            if e.message().contains("appears multiple times") {
                Error::new(format!(
                    "movedim: repeated dim in `source` ({})",
                    list(source)
                ))
            } else {
                e
            }
        })?;
        let dst = normalize_dims(destination, nd).map_err(|e| {
            if e.message().contains("appears multiple times") {
                Error::new(format!(
                    "movedim: repeated dim in `destination` ({})",
                    list(destination)
                ))
            } else {
                e
            }
        })?;
        if nd == 0 {
            return Ok(self.clone());
        }
        let mut order: Vec<Option<usize>> = vec![None; nd];
        for (&s, &d) in src.iter().zip(&dst) {
            order[d] = Some(s);
        }
        let mut rest = (0..nd).filter(|d| !src.contains(d));
        let perm: Vec<isize> = order
            .into_iter()
            .map(|o| o.or_else(|| rest.next()).unwrap_or(0) as isize)
            .collect();
        self.permute(&perm)
    }

    /// `expand_as(other)` (ExpandBackward0).
    pub fn expand_as(&self, other: &Tensor) -> Result<Tensor> {
        let s: Vec<isize> = other.shape().iter().map(|&v| v as isize).collect();
        self.expand(&s)
    }

    /// `broadcast_to(shape)` (ExpandBackward0).
    pub fn broadcast_to(&self, shape: &[isize]) -> Result<Tensor> {
        self.expand(shape)
    }

    // ---- copies ---------------------------------------------------------------------------

    /// `repeat(sizes)`: tile copies of the tensor (RepeatBackward0: the sum of the copies).
    pub fn repeat(&self, sizes: &[isize]) -> Result<Tensor> {
        let nd = self.ndim();
        if sizes.len() < nd {
            bail!("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        }
        if sizes.iter().any(|&s| s < 0) {
            let pad = sizes.len() - nd;
            let target: Vec<String> = sizes
                .iter()
                .enumerate()
                .map(|(i, &r)| {
                    let s = if i < pad {
                        1
                    } else {
                        self.shape()[i - pad] as isize
                    };
                    (r * s).to_string()
                })
                .collect();
            let neg = sizes
                .iter()
                .enumerate()
                .find(|(_, &r)| r < 0)
                .map(|(i, &r)| {
                    let s = if i < pad {
                        1
                    } else {
                        self.shape()[i - pad] as isize
                    };
                    r * s
                });
            bail!(
                "Trying to create tensor with negative dimension {}: [{}]",
                neg.unwrap_or(-1),
                target.join(", ")
            );
        }
        let reps: Vec<usize> = sizes.iter().map(|&s| s as usize).collect();
        let pad = reps.len() - nd;
        let padded: Vec<usize> = (0..reps.len())
            .map(|i| if i < pad { 1 } else { self.shape()[i - pad] })
            .collect();
        let out_shape: Vec<usize> = reps.iter().zip(&padded).map(|(r, s)| r * s).collect();
        // Interleaved [r0, s0, r1, s1, ...]: the input broadcast along the r's.
        let mut inter = Vec::with_capacity(2 * reps.len());
        let mut inter_strides = Vec::with_capacity(2 * reps.len());
        let mut src_strides = vec![0usize; reps.len()];
        src_strides[pad..].copy_from_slice(self.strides());
        for i in 0..reps.len() {
            inter.push(reps[i]);
            inter_strides.push(0isize);
            inter.push(padded[i]);
            inter_strides.push(src_strides[i] as isize);
        }
        let offs = offsets_of(&inter, &inter_strides, self.layout().offset as isize);
        let out = copy_offsets(self, &offs, out_shape)?;
        let in_shape = self.shape().to_vec();
        record1("RepeatBackward0", &[self], out, false, move |_, g| {
            // g viewed as [r0, s0, r1, s1, ...], summed over the r's.
            let dims: Vec<isize> = (0..reps.len()).map(|i| 2 * i as isize).collect();
            if dims.is_empty() {
                return Ok(vec![Some(g.clone())]);
            }
            let s = g.reshape_usize(&inter)?.sum_dims(&dims, false)?;
            Ok(vec![Some(s.reshape_usize(&in_shape)?)])
        })
    }

    /// `tile(dims)`: `repeat` with `dims` padded with leading ones (RepeatBackward0).
    pub fn tile(&self, dims: &[isize]) -> Result<Tensor> {
        let nd = self.ndim();
        let mut reps: Vec<isize> = vec![1; nd.saturating_sub(dims.len())];
        reps.extend_from_slice(dims);
        self.repeat(&reps)
    }

    /// `flip(dims)`: a copy with the order reversed along `dims` (FlipBackward0).
    pub fn flip(&self, dims: &[isize]) -> Result<Tensor> {
        let nd = self.ndim();
        let dims = normalize_dims(dims, nd)?;
        let l = self.layout();
        let mut strides = istrides(l);
        let mut base = l.offset as isize;
        for &d in dims.iter().filter(|&&d| d < nd) {
            if l.shape[d] > 0 {
                base += (l.shape[d] as isize - 1) * strides[d];
            }
            strides[d] = -strides[d];
        }
        let offs = offsets_of(&l.shape, &strides, base);
        let out = copy_offsets(self, &offs, l.shape.clone())?;
        let dd: Vec<isize> = dims.iter().map(|&d| d as isize).collect();
        record1("FlipBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.flip(&dd)?)])
        })
    }

    /// `roll(shifts, dims)`: a circular shift (RollBackward0: the inverse shift). With no dims
    /// the flattened tensor is rolled.
    pub fn roll(&self, shifts: &[isize], dims: &[isize]) -> Result<Tensor> {
        if shifts.is_empty() {
            bail!("`shifts` required");
        }
        if dims.is_empty() && shifts.len() == 1 {
            let flat = no_grad(|| self.reshape_usize(&[self.numel()]))?;
            let rolled = no_grad(|| flat.roll(shifts, &[0]))?;
            let out = raw_contiguous(&rolled)?.reshape_raw(self.shape().to_vec());
            let s = shifts[0];
            let in_shape = self.shape().to_vec();
            return record1("RollBackward0", &[self], out, false, move |_, g| {
                let n = g.numel();
                Ok(vec![Some(
                    g.reshape_usize(&[n])?
                        .roll(&[-s], &[])?
                        .reshape_usize(&in_shape)?,
                )])
            });
        }
        if shifts.len() != dims.len() {
            bail!(
                "shifts and dimensions must align. shifts: {}, dims:{}",
                shifts.len(),
                dims.len()
            );
        }
        let nd = self.ndim();
        let mut norm = Vec::with_capacity(dims.len());
        for &d in dims {
            norm.push(normalize_dim(d, nd)?);
        }
        let l = self.layout();
        let shape = l.shape.clone();
        // The source index along each dim for every output index.
        let mut shift_by = vec![0usize; shape.len()];
        for (&d, &s) in norm.iter().zip(shifts) {
            if d < shape.len() && shape[d] > 0 {
                let n = shape[d] as isize;
                shift_by[d] = (((shift_by[d] as isize + s) % n + n) % n) as usize;
            }
        }
        let out_n = numel(&shape);
        let mut offs = Vec::with_capacity(out_n);
        let mut idx = vec![0usize; shape.len()];
        for _ in 0..out_n {
            let mut o = l.offset;
            for d in 0..shape.len() {
                let n = shape[d];
                let src = (idx[d] + n - shift_by[d]) % n;
                o += src * l.strides[d];
            }
            offs.push(o);
            for d in (0..shape.len()).rev() {
                idx[d] += 1;
                if idx[d] < shape[d] {
                    break;
                }
                idx[d] = 0;
            }
        }
        let out = copy_offsets(self, &offs, shape)?;
        let neg: Vec<isize> = shifts.iter().map(|s| -s).collect();
        let dd: Vec<isize> = dims.to_vec();
        record1("RollBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.roll(&neg, &dd)?)])
        })
    }

    fn tri(&self, k: isize, lower: bool) -> Result<Tensor> {
        let name = if lower { "tril" } else { "triu" };
        if self.ndim() < 2 {
            bail!("{}: input tensor must have at least 2 dimensions", name);
        }
        let out = raw_contiguous(self)?;
        let nd = self.ndim();
        let (r, c) = (self.shape()[nd - 2], self.shape()[nd - 1]);
        let mut zero_at = Vec::new();
        for i in 0..out.numel() {
            let col = (i % c) as isize;
            let row = ((i / c.max(1)) % r.max(1)) as isize;
            let keep = if lower {
                col - row <= k
            } else {
                col - row >= k
            };
            if !keep {
                zero_at.push(i);
            }
        }
        put_offsets(
            &out,
            &zero_at,
            &Tensor::zeros(&[zero_at.len()], self.dtype()),
            false,
        )?;
        let fname = if lower {
            "TrilBackward0"
        } else {
            "TriuBackward0"
        };
        record1(fname, &[self], out, false, move |_, g| {
            Ok(vec![Some(g.tri(k, lower)?)])
        })
    }

    /// `tril(diagonal)`: zero the elements above the `diagonal`-th diagonal (TrilBackward0).
    pub fn tril(&self, diagonal: isize) -> Result<Tensor> {
        self.tri(diagonal, true)
    }

    /// `triu(diagonal)`: zero the elements below the `diagonal`-th diagonal (TriuBackward0).
    pub fn triu(&self, diagonal: isize) -> Result<Tensor> {
        self.tri(diagonal, false)
    }

    // ---- split / cat ----------------------------------------------------------------------

    fn split_views(&self, d: usize, sizes: &[usize], name: &'static str) -> Result<Vec<Tensor>> {
        let mut outs = Vec::with_capacity(sizes.len());
        let mut start = 0;
        for &len in sizes {
            let spec = ViewSpec::Slice {
                dim: d,
                start,
                len,
                step: 1,
            };
            outs.push(self.view_with_layout(spec.layout(self.layout())));
            start += len;
        }
        record(name, &[self], outs, false, move |_, gs| {
            Ok(vec![Some(Tensor::cat(gs, d as isize)?)])
        })
    }

    /// `split(split_size, dim)`: views of `split_size` elements along `dim`, the last smaller
    /// (SplitBackward0).
    pub fn split(&self, split_size: isize, dim: isize) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            bail!("split expects at least a 1-dimensional tensor");
        }
        if split_size < 0 {
            bail!(
                "split expects split_size be non-negative, but got split_size={}",
                split_size
            );
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = self.shape()[d];
        if split_size == 0 && n != 0 {
            bail!(
                "split_size can only be 0 if dimension size is 0, but got dimension size of {}",
                n
            );
        }
        let ss = split_size as usize;
        let num = if ss == 0 { 1 } else { n.div_ceil(ss).max(1) };
        let mut sizes = vec![ss; num];
        sizes[num - 1] = n - ss * (num - 1);
        self.split_views(d, &sizes, "SplitBackward0")
    }

    /// `split(split_sizes: list, dim)` (SplitWithSizesBackward0).
    pub fn split_with_sizes(&self, sizes: &[isize], dim: isize) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            bail!("split expects at least a 1-dimensional tensor");
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = self.shape()[d];
        if sizes.iter().any(|&s| s < 0) {
            bail!(
                "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[{}]",
                sizes.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
            );
        }
        let total: isize = sizes.iter().sum();
        if total != n as isize {
            bail!(
                "split_with_sizes expects split_sizes to sum exactly to {} (input tensor's size at dimension {}), but got split_sizes=[{}]",
                n,
                d,
                sizes.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
            );
        }
        let s: Vec<usize> = sizes.iter().map(|&v| v as usize).collect();
        self.split_views(d, &s, "SplitWithSizesBackward0")
    }

    /// `chunk(chunks, dim)`: at most `chunks` views of equal size (the last smaller).
    pub fn chunk(&self, chunks: isize, dim: isize) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            bail!("chunk expects at least a 1-dimensional tensor");
        }
        if chunks <= 0 {
            bail!(
                "chunk expects `chunks` to be greater than 0, got: {}",
                chunks
            );
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = self.shape()[d];
        let split_size = n.div_ceil(chunks as usize);
        if split_size == 0 && n == 0 {
            let sizes = vec![0isize; chunks as usize];
            return self.split_with_sizes(&sizes, dim);
        }
        self.split(split_size as isize, dim)
    }

    /// `unbind(dim)`: the slices along `dim`, as views (UnbindBackward0).
    pub fn unbind(&self, dim: isize) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            bail!("Dimension specified as 0 but tensor has no dimensions");
        }
        let d = normalize_dim(dim, self.ndim())?;
        let outs: Vec<Tensor> = (0..self.shape()[d])
            .map(|i| {
                self.view_with_layout(ViewSpec::Select { dim: d, index: i }.layout(self.layout()))
            })
            .collect();
        let in_shape = self.shape().to_vec();
        let dtype = self.dtype();
        record("UnbindBackward0", &[self], outs, false, move |_, gs| {
            if gs.is_empty() {
                return Ok(vec![Some(Tensor::zeros(&in_shape, dtype))]);
            }
            Ok(vec![Some(Tensor::stack(gs, d as isize)?)])
        })
    }

    /// `cat(tensors, dim)`: concatenation with dtype promotion (CatBackward0: narrow of the
    /// gradient). 1-D empty tensors are skipped, as in PyTorch.
    pub fn cat(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        if tensors.is_empty() {
            bail!("torch.cat(): expected a non-empty list of Tensors");
        }
        for (i, t) in tensors.iter().enumerate() {
            if t.ndim() == 0 {
                bail!(
                    "zero-dimensional tensor (at position {}) cannot be concatenated",
                    i
                );
            }
        }
        let dtype = tensors
            .iter()
            .map(|t| t.dtype())
            .reduce(DType::promote)
            .unwrap_or(DType::F32);
        let skip = |t: &Tensor| t.ndim() == 1 && t.numel() == 0;
        let Some(first) = tensors.iter().position(|t| !skip(t)) else {
            let out = Tensor::zeros(&[0], dtype);
            let refs: Vec<&Tensor> = tensors.iter().collect();
            let n = tensors.len();
            return record1("CatBackward0", &refs, out, false, move |_, g| {
                Ok((0..n)
                    .map(|_| Some(Tensor::zeros(&[0], g.dtype())))
                    .collect())
            });
        };
        let r = &tensors[first];
        let d = normalize_dim(dim, r.ndim())?;
        let mut total = 0;
        for (i, t) in tensors.iter().enumerate() {
            if skip(t) {
                continue;
            }
            if t.ndim() != r.ndim() {
                bail!(
                    "Tensors must have same number of dimensions: got {} and {}",
                    r.ndim(),
                    t.ndim()
                );
            }
            for k in 0..r.ndim() {
                if k != d && t.shape()[k] != r.shape()[k] {
                    bail!(
                        "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} in the list.",
                        d,
                        r.shape()[k],
                        t.shape()[k],
                        i
                    );
                }
            }
            total += t.shape()[d];
        }
        let mut shape = r.shape().to_vec();
        shape[d] = total;
        let out = Tensor::zeros(&shape, dtype);
        let mut ranges = Vec::with_capacity(tensors.len());
        let mut start = 0;
        for t in tensors {
            if skip(t) {
                ranges.push(None);
                continue;
            }
            let len = t.shape()[d];
            let spec = ViewSpec::Slice {
                dim: d,
                start,
                len,
                step: 1,
            };
            write_into(&out.view_with_layout(spec.layout(out.layout())), t)?;
            ranges.push(Some((start, len)));
            start += len;
        }
        let refs: Vec<&Tensor> = tensors.iter().collect();
        record1("CatBackward0", &refs, out, false, move |ctx, g| {
            ranges
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    if !ctx.needs_input_grad(i) {
                        return Ok(None);
                    }
                    Ok(Some(match r {
                        None => Tensor::zeros(&[0], g.dtype()),
                        Some((s, l)) => g.narrow(d as isize, *s as isize, *l as isize)?,
                    }))
                })
                .collect()
        })
    }

    /// `stack(tensors, dim)`: join along a new dim (StackBackward0: select of the gradient).
    pub fn stack(tensors: &[Tensor], dim: isize) -> Result<Tensor> {
        if tensors.is_empty() {
            bail!("stack expects a non-empty TensorList");
        }
        let s0 = tensors[0].shape();
        for (i, t) in tensors.iter().enumerate().skip(1) {
            if t.shape() != s0 {
                bail!(
                    "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {}",
                    fmt_shape(s0),
                    fmt_shape(t.shape()),
                    i
                );
            }
        }
        let d = normalize_dim(dim, tensors[0].ndim() + 1)?;
        let out = no_grad(|| {
            let us: Result<Vec<Tensor>> = tensors.iter().map(|t| t.unsqueeze(d as isize)).collect();
            Tensor::cat(&us?, d as isize)
        })?;
        let out = out.detach();
        let refs: Vec<&Tensor> = tensors.iter().collect();
        let n = tensors.len();
        record1("StackBackward0", &refs, out, false, move |ctx, g| {
            (0..n)
                .map(|i| ctx.grad_if(i, || g.select(d as isize, i as isize)))
                .collect()
        })
    }
}

use super::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![
        OpSpec { name: "flatten", js: "flatten", grad_fn: "ViewBackward0", dtypes: "all", grad: D2, notes: "`flatten(startDim=0, endDim=-1)`; a view when strides allow (else a copy, UnsafeViewBackward0); start == end returns the input", inputs: vec![input(&[2, 3, 2], Any)], run: |x| x[0].flatten(1, -1) },
        OpSpec { name: "unflatten", js: "unflatten", grad_fn: "ViewBackward0", dtypes: "all", grad: D2, notes: "`unflatten(dim, sizes)`, one -1 inferred; a view", inputs: vec![input(&[2, 6], Any)], run: |x| x[0].unflatten(1, &[3, -1]) },
        OpSpec { name: "permute", js: "permute", grad_fn: "PermuteBackward0", dtypes: "all", grad: D2, notes: "a view; the gradient is permuted back", inputs: vec![input(&[2, 3, 4], Any)], run: |x| x[0].permute(&[2, 0, 1]) },
        OpSpec { name: "movedim", js: "movedim", grad_fn: "PermuteBackward0", dtypes: "all", grad: D2, notes: "`movedim(source, destination)`, ints or lists; a view", inputs: vec![input(&[2, 3, 4], Any)], run: |x| x[0].movedim(&[0], &[-1]) },
        OpSpec { name: "expand_as", js: "expandAs", grad_fn: "ExpandBackward0", dtypes: "all", grad: D2, notes: "a view; the gradient is summed over broadcast dims", inputs: vec![input(&[3, 1], Any)], run: |x| x[0].expand_as(&Tensor::zeros(&[2, 3, 4], crate::DType::F64)) },
        OpSpec { name: "broadcast_to", js: "broadcastTo", grad_fn: "ExpandBackward0", dtypes: "all", grad: D2, notes: "a view", inputs: vec![input(&[1, 3], Any)], run: |x| x[0].broadcast_to(&[2, 2, 3]) },
        OpSpec { name: "repeat", js: "repeat", grad_fn: "RepeatBackward0", dtypes: "all", grad: D2, notes: "a copy; the gradient is the sum of the copies", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].repeat(&[2, 1, 2]) },
        OpSpec { name: "tile", js: "tile", grad_fn: "RepeatBackward0", dtypes: "all", grad: D2, notes: "`repeat` with the sizes padded by leading ones", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].tile(&[2]) },
        OpSpec { name: "flip", js: "flip", grad_fn: "FlipBackward0", dtypes: "all", grad: D2, notes: "a copy (no negative strides, as in PyTorch); the gradient is flipped", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].flip(&[0, 1]) },
        OpSpec { name: "roll", js: "roll", grad_fn: "RollBackward0", dtypes: "all", grad: D2, notes: "`roll(shifts, dims?)`; no dims rolls the flattened tensor; the gradient is the inverse shift", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].roll(&[1, -4], &[0, 1]) },
        OpSpec { name: "narrow", js: "narrow", grad_fn: "SliceBackward0", dtypes: "all", grad: D2, notes: "a view; negative start wraps", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].narrow(1, 1, 2) },
        OpSpec { name: "select", js: "select", grad_fn: "SelectBackward0", dtypes: "all", grad: D2, notes: "a view; negative index wraps", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].select(0, -1) },
        OpSpec { name: "diagonal", js: "diagonal", grad_fn: "DiagonalBackward0", dtypes: "all", grad: D2, notes: "`diagonal(offset=0, dim1=0, dim2=1)`, a view with the diagonal last", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].diagonal(1, 0, 1) },
        OpSpec { name: "tril", js: "tril", grad_fn: "TrilBackward0", dtypes: "all", grad: D2, notes: "`tril(diagonal=0)`, over the last two dims", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].tril(0) },
        OpSpec { name: "triu", js: "triu", grad_fn: "TriuBackward0", dtypes: "all", grad: D2, notes: "`triu(diagonal=0)`, over the last two dims", inputs: vec![input(&[2, 3, 3], Any)], run: |x| x[0].triu(1) },
        OpSpec { name: "split", js: "split", grad_fn: "SplitBackward0", dtypes: "all", grad: D2, notes: "views; an int size (SplitBackward0) or a list of sizes (SplitWithSizesBackward0); the gradient is the cat of the pieces' gradients", inputs: vec![input(&[5, 2], Any)], run: |x| Ok(x[0].split(2, 0)?.swap_remove(2)) },
        OpSpec { name: "split (sizes)", js: "split", grad_fn: "SplitWithSizesBackward0", dtypes: "all", grad: D2, notes: "", inputs: vec![input(&[2, 5], Any)], run: |x| Ok(x[0].split_with_sizes(&[1, 3, 1], 1)?.swap_remove(1)) },
        OpSpec { name: "chunk", js: "chunk", grad_fn: "SplitBackward0", dtypes: "all", grad: D2, notes: "views; at most `chunks` pieces of size ceil(n/chunks)", inputs: vec![input(&[5, 2], Any)], run: |x| Ok(x[0].chunk(3, 0)?.swap_remove(0)) },
        OpSpec { name: "unbind", js: "unbind", grad_fn: "UnbindBackward0", dtypes: "all", grad: D2, notes: "views; returns an array", inputs: vec![input(&[3, 2], Any)], run: |x| Ok(x[0].unbind(1)?.swap_remove(1)) },
        OpSpec { name: "cat", js: "cat", grad_fn: "CatBackward0", dtypes: "all (promoted)", grad: D2, notes: "`cat([a, b], dim)`; 1-D empty tensors are skipped; the gradient is narrowed back", inputs: vec![input(&[2, 3], Any), input(&[2, 2], Any)], run: |x| Tensor::cat(&[x[0].clone(), x[1].clone()], 1) },
        OpSpec { name: "stack", js: "stack", grad_fn: "StackBackward0", dtypes: "all (promoted)", grad: D2, notes: "`stack([a, b], dim)`; the gradient is selected back", inputs: vec![input(&[2, 3], Any), input(&[2, 3], Any)], run: |x| Tensor::stack(&[x[0].clone(), x[1].clone()], 2) },
    ]
}
