//! Indexing: `x[...]` (ints, slices, None, Ellipsis, integer and bool index tensors with
//! PyTorch's broadcasting and placement rules), index_put(_), gather, scatter(_), scatter_add,
//! index_select, index_add, masked_fill(_), masked_select and nonzero.
//!
//! Basic indexing returns views (SelectBackward0 / SliceBackward0 / UnsqueezeBackward0);
//! advanced indexing copies (IndexBackward0, whose backward is index_put with accumulate, so
//! repeated indices accumulate). Every index is validated before use: bad input is an `Err`
//! with PyTorch's message, never a panic.

use super::kernel_dtype_name;
use super::views::{copy_offsets, istrides, offsets_of, put_offsets, raw_contiguous};
use crate::autograd::grad_mode::no_grad;
use crate::dtype::DType;
use crate::error::fmt_shape;
use crate::shape::{broadcast_shapes, broadcast_strides, normalize_dim, numel, Layout};
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};

/// One item of `x[...]`.
#[derive(Clone)]
pub enum TensorIndex {
    /// An integer: selects (removes the dim). Negative wraps.
    Int(isize),
    /// `start:stop:step` with Python's clamping; `step` must be positive.
    Slice {
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    },
    /// `None`: a new axis of size 1.
    NewAxis,
    /// `...`: as many full slices as needed.
    Ellipsis,
    /// An int64/int32 (advanced) or bool (mask) index tensor.
    Tensor(Tensor),
}

/// The values of an integer tensor as i64, row-major.
fn int_values(t: &Tensor) -> Vec<i64> {
    t.to_f64_vec().into_iter().map(|v| v as i64).collect()
}

fn check_index_dtype(t: &Tensor) -> Result<()> {
    match t.dtype() {
        DType::I64 | DType::I32 | DType::Bool => Ok(()),
        _ => bail!("tensors used as indices must be long, int, byte or bool tensors"),
    }
}

/// Where advanced indexing reads (or index_put writes): the result shape and the storage offset
/// of every result element, row-major.
struct AdvPlan {
    shape: Vec<usize>,
    offsets: Vec<usize>,
}

#[allow(clippy::needless_range_loop)]
/// Plan `aten::index(self, indices)` over a tensor with layout `l`. `indices` has one entry per
/// dim (bool masks cover as many dims as they have); missing trailing entries are full slices.
fn adv_plan(l: &Layout, indices: &[Option<Tensor>]) -> Result<AdvPlan> {
    let nd = l.shape.len();
    // Expand masks into one int64 index per covered dim (nonzero's columns).
    let mut per_dim: Vec<Option<(Vec<i64>, Vec<usize>)>> = Vec::with_capacity(nd);
    for t in indices {
        match t {
            None => per_dim.push(None),
            Some(t) => {
                check_index_dtype(t)?;
                if t.dtype() == DType::Bool {
                    let at = per_dim.len();
                    let k = t.ndim();
                    if at + k > nd {
                        bail!(
                            "too many indices for tensor of dimension {} (got {})",
                            nd,
                            at + k
                        );
                    }
                    for j in 0..k {
                        if t.shape()[j] != l.shape[at + j] {
                            bail!(
                                "The shape of the mask {} at index {} does not match the shape of the indexed tensor {} at index {}",
                                fmt_shape(t.shape()),
                                j,
                                fmt_shape(&l.shape),
                                at + j
                            );
                        }
                    }
                    let mask = t.to_f64_vec();
                    let strides = crate::shape::contiguous_strides(t.shape());
                    let hits: Vec<usize> = (0..mask.len()).filter(|&i| mask[i] != 0.0).collect();
                    if k == 0 {
                        // A 0-d mask adds no dims here (callers unsqueeze first).
                        continue;
                    }
                    for j in 0..k {
                        let col: Vec<i64> = hits
                            .iter()
                            .map(|&i| ((i / strides[j].max(1)) % t.shape()[j].max(1)) as i64)
                            .collect();
                        per_dim.push(Some((col, vec![hits.len()])));
                    }
                } else {
                    per_dim.push(Some((int_values(t), t.shape().to_vec())));
                }
            }
        }
    }
    if per_dim.len() > nd {
        bail!(
            "too many indices for tensor of dimension {} (got {})",
            nd,
            per_dim.len()
        );
    }
    per_dim.resize(nd, None);
    let idx_dims: Vec<usize> = (0..nd).filter(|&d| per_dim[d].is_some()).collect();
    // Broadcast the index shapes together.
    let mut b: Vec<usize> = Vec::new();
    for &d in &idx_dims {
        let s = &per_dim[d].as_ref().map(|p| p.1.clone()).unwrap_or_default();
        b = broadcast_shapes(&b, s).map_err(|_| {
            let shapes: Vec<String> = idx_dims
                .iter()
                .filter_map(|&d| per_dim[d].as_ref().map(|p| fmt_shape(&p.1)))
                .collect();
            crate::Error::new(format!(
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                shapes.join(", ")
            ))
        })?;
    }
    let nb = numel(&b);
    let mut idx_off = vec![0usize; nb];
    for &d in &idx_dims {
        let Some((vals, shape)) = &per_dim[d] else {
            continue;
        };
        let bs = broadcast_strides(&Layout::contiguous(shape.clone()), &b)?;
        let offs = offsets_of(&b, &bs.iter().map(|&s| s as isize).collect::<Vec<_>>(), 0);
        let size = l.shape[d] as i64;
        for (k, &o) in offs.iter().enumerate() {
            let v = vals[o];
            if v < -size || v >= size {
                bail!(
                    "index {} is out of bounds for dimension {} with size {}",
                    v,
                    d,
                    size
                );
            }
            let v = if v < 0 { v + size } else { v } as usize;
            idx_off[k] += v * l.strides[d];
        }
    }
    // Adjacent index dims keep their place; otherwise the indexed dims go first.
    let adjacent = idx_dims.windows(2).all(|w| w[1] == w[0] + 1);
    let first = if adjacent {
        idx_dims.first().copied().unwrap_or(0)
    } else {
        0
    };
    let before: Vec<usize> = (0..first).filter(|d| !idx_dims.contains(d)).collect();
    let after: Vec<usize> = (first..nd).filter(|d| !idx_dims.contains(d)).collect();
    let sub = |dims: &[usize]| {
        let shape: Vec<usize> = dims.iter().map(|&d| l.shape[d]).collect();
        let strides: Vec<isize> = dims.iter().map(|&d| l.strides[d] as isize).collect();
        (offsets_of(&shape, &strides, 0), shape)
    };
    let (bo, bshape) = sub(&before);
    let (ao, ashape) = sub(&after);
    let mut shape = bshape;
    shape.extend_from_slice(&b);
    shape.extend_from_slice(&ashape);
    let mut offsets = Vec::with_capacity(bo.len() * nb * ao.len());
    for &x in &bo {
        for &y in &idx_off {
            for &z in &ao {
                offsets.push(l.offset + x + y + z);
            }
        }
    }
    Ok(AdvPlan { shape, offsets })
}

/// Offsets of every element of a tensor shaped `shape` whose coordinate along `dim` is mapped
/// through `map`, read from a layout with `strides`/`base`.
fn mapped_offsets(
    shape: &[usize],
    strides: &[usize],
    base: usize,
    dim: usize,
    map: &[usize],
) -> Vec<usize> {
    let mut st: Vec<isize> = strides.iter().map(|&s| s as isize).collect();
    st[dim] = 0;
    let offs = offsets_of(shape, &st, base as isize);
    let inner: usize = shape[dim + 1..].iter().product();
    let n = shape[dim].max(1);
    offs.into_iter()
        .enumerate()
        .map(|(i, o)| o + map[(i / inner.max(1)) % n] * strides[dim])
        .collect()
}

fn detached(indices: &[Option<Tensor>]) -> Vec<Option<Tensor>> {
    indices
        .iter()
        .map(|t| t.as_ref().map(|t| t.detach()))
        .collect()
}

impl Tensor {
    /// `x[items]`: basic indexing (ints, slices, None, Ellipsis) gives a view; index tensors
    /// then index the result (IndexBackward0). 0-d integer tensors select, as in PyTorch.
    pub fn index(&self, items: &[TensorIndex]) -> Result<Tensor> {
        let nd = self.ndim();
        let mut consumed = 0;
        let mut ellipses = 0;
        for it in items {
            match it {
                TensorIndex::Int(_) | TensorIndex::Slice { .. } => consumed += 1,
                TensorIndex::Tensor(t) => {
                    consumed += if t.dtype() == DType::Bool {
                        t.ndim()
                    } else {
                        1
                    }
                }
                TensorIndex::Ellipsis => ellipses += 1,
                TensorIndex::NewAxis => {}
            }
        }
        if ellipses > 1 {
            bail!("an index can only have a single ellipsis ('...')");
        }
        if consumed > nd {
            if nd == 0 {
                bail!("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
            }
            bail!("too many indices for tensor of dimension {}", nd);
        }
        let mut result = self.clone();
        let mut dim = 0usize;
        let mut tensors: Vec<Option<Tensor>> = Vec::new();
        let mut any_tensor = false;
        for it in items {
            match it {
                TensorIndex::Int(i) => result = self_select(&result, dim, *i as i64)?,
                TensorIndex::Slice { start, stop, step } => {
                    result = result.slice(dim as isize, *start, *stop, *step)?;
                    dim += 1;
                }
                TensorIndex::NewAxis => {
                    result = result.unsqueeze(dim as isize)?;
                    dim += 1;
                }
                TensorIndex::Ellipsis => dim += nd - consumed,
                TensorIndex::Tensor(t) => {
                    check_index_dtype(t)?;
                    if t.ndim() == 0 && t.dtype() != DType::Bool {
                        result = self_select(&result, dim, t.item()? as i64)?;
                        continue;
                    }
                    let t = if t.ndim() == 0 {
                        // x[True] / x[False]: a new axis indexed by [0] or by nothing.
                        result = result.unsqueeze(dim as isize)?;
                        let n = if t.item()? != 0.0 { 1 } else { 0 };
                        Tensor::zeros(&[n], DType::I64)
                    } else {
                        t.clone()
                    };
                    tensors.resize(dim, None);
                    dim += if t.dtype() == DType::Bool {
                        t.ndim()
                    } else {
                        1
                    };
                    tensors.push(Some(t));
                    any_tensor = true;
                }
            }
        }
        if !any_tensor {
            if items.is_empty() || result.same(self) {
                // `x[...]` / `x[()]`: an alias of the whole tensor.
                return result.view_with_layout_alias();
            }
            return Ok(result);
        }
        result.index_tensors(&tensors)
    }

    fn view_with_layout_alias(&self) -> Result<Tensor> {
        let out = self.view_with_layout(self.layout().clone());
        record1("AliasBackward0", &[self], out, false, |_, g| {
            Ok(vec![Some(g.clone())])
        })
    }

    /// `aten::index(self, indices)`: advanced indexing with one optional index tensor per dim
    /// (IndexBackward0). A copy.
    pub fn index_tensors(&self, indices: &[Option<Tensor>]) -> Result<Tensor> {
        let plan = adv_plan(self.layout(), indices)?;
        let out = copy_offsets(self, &plan.offsets, plan.shape)?;
        let idx = detached(indices);
        let in_shape = self.shape().to_vec();
        record1("IndexBackward0", &[self], out, false, move |_, g| {
            let z = Tensor::zeros(&in_shape, g.dtype());
            Ok(vec![Some(z.index_put(&idx, g, true)?)])
        })
    }

    /// `index_put(indices, values, accumulate)`: a copy with `values` (broadcast) written at
    /// the indexed positions, or added with `accumulate` (IndexPutBackward0).
    pub fn index_put(
        &self,
        indices: &[Option<Tensor>],
        values: &Tensor,
        accumulate: bool,
    ) -> Result<Tensor> {
        if values.dtype() != self.dtype() {
            bail!(
                "Index put requires the source and destination dtypes match, got {} for the destination and {} for the source.",
                kernel_dtype_name(self.dtype()),
                kernel_dtype_name(values.dtype())
            );
        }
        let out = raw_contiguous(self)?;
        let plan = adv_plan(out.layout(), indices)?;
        if broadcast_strides(values.layout(), &plan.shape).is_err() {
            bail!(
                "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
                fmt_shape(values.shape()),
                fmt_shape(&plan.shape)
            );
        }
        let vals = no_grad(|| values.expand_to(&plan.shape))?;
        put_offsets(&out, &plan.offsets, &vals, accumulate)?;
        let idx = detached(indices);
        let vshape = values.shape().to_vec();
        record1(
            "IndexPutBackward0",
            &[self, values],
            out,
            false,
            move |ctx, g| {
                let gs = if !ctx.needs_input_grad(0) {
                    None
                } else if accumulate {
                    Some(g.clone())
                } else {
                    Some(g.index_put(&idx, &Tensor::scalar(0.0, g.dtype()), false)?)
                };
                let gv = ctx.grad_if(1, || g.index_tensors(&idx)?.sum_to(&vshape))?;
                Ok(vec![gs, gv])
            },
        )
    }

    /// `index_put_(indices, values, accumulate)`, in place.
    pub fn index_put_(
        &self,
        indices: &[Option<Tensor>],
        values: &Tensor,
        accumulate: bool,
    ) -> Result<&Tensor> {
        let out = self.index_put(indices, values, accumulate)?;
        self.copy_(&out)
    }

    /// `gather(dim, index)`: `out[i][j] = self[index[i][j]][j]` for dim 0 (GatherBackward0).
    pub fn gather(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        if index.dtype() != DType::I64 {
            bail!("gather(): Expected dtype int64 for index");
        }
        let d = normalize_dim(dim, self.ndim())?;
        if self.ndim() == 0 || index.ndim() == 0 {
            if index.ndim().max(1) != self.ndim().max(1) {
                bail!("Index tensor must have the same number of dimensions as input tensor");
            }
            let s = self.reshape_usize(&[1])?;
            let i = index.reshape_usize(&[index.numel()])?;
            return s.gather(0, &i)?.reshape_usize(index.shape());
        }
        let offs = scatter_gather_offsets(self.layout(), d, index, "gather", None)?;
        let out = copy_offsets(self, &offs, index.shape().to_vec())?;
        let idx = index.detach();
        let in_shape = self.shape().to_vec();
        record1("GatherBackward0", &[self], out, false, move |_, g| {
            let z = Tensor::zeros(&in_shape, g.dtype());
            Ok(vec![Some(z.scatter_add(d as isize, &idx, g)?)])
        })
    }

    fn scatter_impl(
        &self,
        dim: isize,
        index: &Tensor,
        src: &Tensor,
        accumulate: bool,
        op: &str,
    ) -> Result<(Tensor, usize)> {
        if index.dtype() != DType::I64 {
            bail!("{}(): Expected dtype int64 for index", op);
        }
        if src.dtype() != self.dtype() {
            bail!("{}(): Expected self.dtype to be equal to src.dtype", op);
        }
        let d = normalize_dim(dim, self.ndim())?;
        let out = raw_contiguous(self)?;
        if self.ndim() == 0 || index.ndim() == 0 {
            if index.ndim().max(1) != self.ndim().max(1) {
                bail!("Index tensor must have the same number of dimensions as self tensor");
            }
            let o = out.reshape_raw(vec![1]);
            let i = index.reshape_raw_any(vec![index.numel()])?;
            let s = src.reshape_raw_any(vec![src.numel()])?;
            let offs = scatter_gather_offsets(o.layout(), 0, &i, op, Some(s.layout()))?;
            let vals = copy_offsets(
                &s,
                &offset_of_src(s.layout(), i.shape()),
                i.shape().to_vec(),
            )?;
            put_offsets(&o, &offs, &vals, accumulate)?;
            return Ok((out, d));
        }
        let offs = scatter_gather_offsets(out.layout(), d, index, op, Some(src.layout()))?;
        let vals = copy_offsets(
            src,
            &offset_of_src(src.layout(), index.shape()),
            index.shape().to_vec(),
        )?;
        put_offsets(&out, &offs, &vals, accumulate)?;
        Ok((out, d))
    }

    /// `scatter(dim, index, src)`: a copy with `self[index[i][j]][j] = src[i][j]` for dim 0
    /// (ScatterBackward0).
    pub fn scatter(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        let (out, d) = self.scatter_impl(dim, index, src, false, "scatter")?;
        let idx = index.detach();
        record1(
            "ScatterBackward0",
            &[self, src],
            out,
            false,
            move |ctx, g| {
                let gs = ctx.grad_if(0, || g.scatter_value(d as isize, &idx, 0.0))?;
                let gsrc = ctx.grad_if(1, || g.gather(d as isize, &idx))?;
                Ok(vec![gs, gsrc])
            },
        )
    }

    /// `scatter(dim, index, value)` with a number (ScatterBackward1).
    pub fn scatter_value(&self, dim: isize, index: &Tensor, value: f64) -> Result<Tensor> {
        let src = Tensor::full(index.shape(), value, self.dtype());
        let (out, d) = self.scatter_impl(dim, index, &src, false, "scatter")?;
        let idx = index.detach();
        record1("ScatterBackward1", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.scatter_value(d as isize, &idx, 0.0)?)])
        })
    }

    /// `scatter_(dim, index, src)`, in place.
    pub fn scatter_(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<&Tensor> {
        let out = self.scatter(dim, index, src)?;
        self.copy_(&out)
    }

    /// `scatter_(dim, index, value)`, in place.
    pub fn scatter_value_(&self, dim: isize, index: &Tensor, value: f64) -> Result<&Tensor> {
        let out = self.scatter_value(dim, index, value)?;
        self.copy_(&out)
    }

    /// `scatter_add(dim, index, src)`: repeated indices accumulate (ScatterAddBackward0:
    /// self `g`, src `g.gather(dim, index)`).
    pub fn scatter_add(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        let (out, d) = self.scatter_impl(dim, index, src, true, "scatter_add")?;
        let idx = index.detach();
        record1(
            "ScatterAddBackward0",
            &[self, src],
            out,
            false,
            move |ctx, g| {
                let gsrc = ctx.grad_if(1, || g.gather(d as isize, &idx))?;
                Ok(vec![Some(g.clone()), gsrc])
            },
        )
    }

    /// `scatter_add_(dim, index, src)`, in place.
    pub fn scatter_add_(&self, dim: isize, index: &Tensor, src: &Tensor) -> Result<&Tensor> {
        let out = self.scatter_add(dim, index, src)?;
        self.copy_(&out)
    }

    /// Validated positions of a 1-D (or 0-d) index into a dim of size `n`.
    fn vector_index(index: &Tensor, n: usize, op: &str) -> Result<Vec<usize>> {
        if !matches!(index.dtype(), DType::I64 | DType::I32) {
            bail!("{}(): Expected dtype int32 or int64 for index", op);
        }
        if index.ndim() > 1 {
            bail!("{}(): Index is supposed to be a vector", op);
        }
        int_values(index)
            .into_iter()
            .map(|v| {
                if v < 0 || v as usize >= n {
                    bail!("index out of range in self");
                }
                Ok(v as usize)
            })
            .collect()
    }

    /// `index_select(dim, index)`: the slices at `index` along `dim` (IndexSelectBackward0).
    pub fn index_select(&self, dim: isize, index: &Tensor) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        if self.ndim() == 0 {
            let map = Tensor::vector_index(index, 1, "index_select")?;
            let s = self.reshape_usize(&[1])?;
            let out = s.index_select(0, &index.reshape_raw_any(vec![map.len()])?)?;
            return if index.ndim() == 0 {
                out.reshape_usize(&[])
            } else {
                Ok(out)
            };
        }
        let map = Tensor::vector_index(index, self.shape()[d], "index_select")?;
        let mut shape = self.shape().to_vec();
        shape[d] = map.len();
        let l = self.layout();
        let offs = mapped_offsets(&shape, &l.strides, l.offset, d, &map);
        let out = copy_offsets(self, &offs, shape)?;
        let idx = index.detach();
        let in_shape = self.shape().to_vec();
        record1("IndexSelectBackward0", &[self], out, false, move |_, g| {
            let z = Tensor::zeros(&in_shape, g.dtype());
            Ok(vec![Some(z.index_add(d as isize, &idx, g, 1.0)?)])
        })
    }

    /// `index_add(dim, index, source, alpha)`: a copy with `alpha * source` added at `index`
    /// along `dim`; repeats accumulate (IndexAddBackward0: self `g`, source
    /// `alpha * g.index_select(dim, index)`).
    pub fn index_add(
        &self,
        dim: isize,
        index: &Tensor,
        source: &Tensor,
        alpha: f64,
    ) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        if source.dtype() != self.dtype() {
            bail!(
                "index_add_(): self ({}) and source ({}) must have the same scalar type",
                kernel_dtype_name(self.dtype()),
                kernel_dtype_name(source.dtype())
            );
        }
        let n = if self.ndim() == 0 { 1 } else { self.shape()[d] };
        let map = Tensor::vector_index(index, n, "index_add_")?;
        let src_n = if source.ndim() == 0 {
            1
        } else if d < source.ndim() {
            source.shape()[d]
        } else {
            0
        };
        if map.len() != src_n {
            bail!(
                "index_add_(): Number of indices ({}) should be equal to source.size(dim) ({})",
                map.len(),
                src_n
            );
        }
        let self_1d: Vec<usize> = if self.ndim() == 0 {
            vec![1]
        } else {
            self.shape().to_vec()
        };
        let src_1d: Vec<usize> = if source.ndim() == 0 {
            vec![1]
        } else {
            source.shape().to_vec()
        };
        if src_1d.len() != self_1d.len()
            || (0..self_1d.len()).any(|k| k != d && src_1d[k] != self_1d[k])
        {
            bail!(
                "index_add_(): source {} must have the same shape as self {} apart from dimension {}",
                fmt_shape(source.shape()),
                fmt_shape(self.shape()),
                d
            );
        }
        let out = raw_contiguous(self)?;
        let ol = Layout::contiguous(self_1d);
        let offs = mapped_offsets(&src_1d, &ol.strides, 0, d, &map);
        let scaled = no_grad(|| {
            if alpha == 1.0 {
                Ok(source.clone())
            } else {
                source.mul_scalar(alpha)?.to_dtype(self.dtype())
            }
        })?;
        put_offsets(&out, &offs, &scaled, true)?;
        let idx = index.detach();
        let sshape = source.shape().to_vec();
        record1(
            "IndexAddBackward0",
            &[self, source],
            out,
            false,
            move |ctx, g| {
                let gsrc = ctx.grad_if(1, || {
                    let mut s = g.index_select(d as isize, &idx)?;
                    if alpha != 1.0 {
                        s = s.mul_scalar(alpha)?;
                    }
                    s.reshape_usize(&sshape)
                })?;
                Ok(vec![Some(g.clone()), gsrc])
            },
        )
    }

    /// `index_add_(dim, index, source, alpha)`, in place.
    pub fn index_add_(
        &self,
        dim: isize,
        index: &Tensor,
        source: &Tensor,
        alpha: f64,
    ) -> Result<&Tensor> {
        let out = self.index_add(dim, index, source, alpha)?;
        self.copy_(&out)
    }

    fn masked_fill_forward(&self, mask: &Tensor, value: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            bail!(
                "masked_fill_ only supports boolean masks, but got mask with dtype {}",
                super::meta_name(mask.dtype())
            );
        }
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        let base = no_grad(|| self.expand_to(&shape))?;
        let out = raw_contiguous(&base)?;
        let m = no_grad(|| mask.expand_to(&shape))?.to_f64_vec();
        let at: Vec<usize> = (0..m.len()).filter(|&i| m[i] != 0.0).collect();
        let v = no_grad(|| value.to_dtype(self.dtype()))?.item()?;
        put_offsets(
            &out,
            &at,
            &Tensor::full(&[at.len()], v, self.dtype()),
            false,
        )?;
        Ok(out)
    }

    /// `masked_fill(mask, value)`: `value` where `mask` is true (MaskedFillBackward0: 0 at the
    /// masked positions).
    pub fn masked_fill(&self, mask: &Tensor, value: f64) -> Result<Tensor> {
        let out = self.masked_fill_forward(mask, &Tensor::scalar(value, DType::F64))?;
        let m = mask.detach();
        let in_shape = self.shape().to_vec();
        record1("MaskedFillBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.masked_fill(&m, 0.0)?.sum_to(&in_shape)?)])
        })
    }

    /// `masked_fill(mask, value)` with a 0-d tensor value (MaskedFillBackward1: the value's
    /// gradient is the sum of the gradient over the mask).
    pub fn masked_fill_tensor(&self, mask: &Tensor, value: &Tensor) -> Result<Tensor> {
        if value.ndim() != 0 {
            bail!(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                value.ndim()
            );
        }
        let out = self.masked_fill_forward(mask, value)?;
        let m = mask.detach();
        let in_shape = self.shape().to_vec();
        record1(
            "MaskedFillBackward1",
            &[self, value],
            out,
            false,
            move |ctx, g| {
                let gs = ctx.grad_if(0, || g.masked_fill(&m, 0.0)?.sum_to(&in_shape))?;
                let gv = ctx.grad_if(1, || {
                    let zero = Tensor::scalar(0.0, g.dtype());
                    Tensor::where_(&m, g, &zero)?.sum()
                })?;
                Ok(vec![gs, gv])
            },
        )
    }

    /// `masked_fill_(mask, value)`, in place (the mask must broadcast to self).
    pub fn masked_fill_(&self, mask: &Tensor, value: f64) -> Result<&Tensor> {
        let out = self.masked_fill(mask, value)?;
        self.copy_(&out)
    }

    /// `masked_fill_(mask, value)` with a 0-d tensor value, in place.
    pub fn masked_fill_tensor_(&self, mask: &Tensor, value: &Tensor) -> Result<&Tensor> {
        let out = self.masked_fill_tensor(mask, value)?;
        self.copy_(&out)
    }

    /// `masked_select(mask)`: the elements where `mask` (broadcast) is true, as a 1-D tensor
    /// (MaskedSelectBackward0).
    pub fn masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            bail!("masked_select: expected BoolTensor for mask");
        }
        let shape = broadcast_shapes(self.shape(), mask.shape())?;
        let x = no_grad(|| self.expand_to(&shape))?;
        let m = no_grad(|| mask.expand_to(&shape))?.to_f64_vec();
        let l = x.layout();
        let all = offsets_of(&l.shape, &istrides(l), l.offset as isize);
        let offs: Vec<usize> = all
            .into_iter()
            .zip(&m)
            .filter(|(_, &b)| b != 0.0)
            .map(|(o, _)| o)
            .collect();
        let n = offs.len();
        let out = copy_offsets(&x, &offs, vec![n])?;
        let mb = no_grad(|| mask.expand_to(&shape))?.detach();
        let in_shape = self.shape().to_vec();
        record1("MaskedSelectBackward0", &[self], out, false, move |_, g| {
            let z = Tensor::zeros(&shape, g.dtype());
            Ok(vec![Some(
                z.index_put(&[Some(mb.clone())], g, true)?
                    .sum_to(&in_shape)?,
            )])
        })
    }

    #[allow(clippy::needless_range_loop)]
    /// `nonzero()`: the int64 indices of the nonzero elements, shape `[n, ndim]`.
    pub fn nonzero(&self) -> Result<Tensor> {
        let v = self.to_f64_vec();
        let nd = self.ndim();
        let strides = crate::shape::contiguous_strides(self.shape());
        let mut out = Vec::new();
        let mut n = 0;
        for (i, &x) in v.iter().enumerate() {
            if x != 0.0 {
                n += 1;
                for d in 0..nd {
                    out.push(((i / strides[d].max(1)) % self.shape()[d].max(1)) as i64);
                }
            }
        }
        Tensor::from_vec(out, vec![n, nd])
    }

    /// `nonzero(as_tuple=True)`: one int64 index vector per dim.
    pub fn nonzero_tuple(&self) -> Result<Vec<Tensor>> {
        let nz = if self.ndim() == 0 {
            self.reshape_raw_any(vec![1])?.nonzero()?
        } else {
            self.nonzero()?
        };
        (0..nz.shape()[1])
            .map(|d| {
                raw_contiguous(&nz.view_with_layout(Layout {
                    shape: vec![nz.shape()[0]],
                    strides: vec![nz.shape()[1]],
                    offset: d,
                }))
            })
            .collect()
    }

    /// A reshaped no-graph copy (for index and source tensors).
    fn reshape_raw_any(&self, shape: Vec<usize>) -> Result<Tensor> {
        Ok(raw_contiguous(self)?.reshape_raw(shape))
    }
}

/// `x[i]` inside `index()`: IndexError wording, then a select view.
fn self_select(t: &Tensor, dim: usize, i: i64) -> Result<Tensor> {
    let n = t.shape()[dim] as i64;
    if i < -n || i >= n {
        bail!(
            "index {} is out of bounds for dimension {} with size {}",
            i,
            dim,
            n
        );
    }
    t.select(dim as isize, i as isize)
}

/// Offsets (row-major over the index shape) of the src elements at the index's positions.
fn offset_of_src(src: &Layout, index_shape: &[usize]) -> Vec<usize> {
    offsets_of(index_shape, &istrides(src), src.offset as isize)
}

/// For gather/scatter: the offset in `l` (the self tensor) of every index position, with the
/// `dim` coordinate replaced by the index value. Shapes and values validated as PyTorch does.
fn scatter_gather_offsets(
    l: &Layout,
    dim: usize,
    index: &Tensor,
    op: &str,
    src: Option<&Layout>,
) -> Result<Vec<usize>> {
    let nd = l.shape.len();
    if index.ndim() != nd {
        bail!(
            "Index tensor must have the same number of dimensions as {} tensor",
            if op == "gather" { "input" } else { "self" }
        );
    }
    let is = index.shape();
    match src {
        None => {
            for k in 0..nd {
                if k != dim && is[k] > l.shape[k] {
                    bail!(
                        "Size does not match at dimension {} expected index {} to be smaller than self {} apart from dimension {}",
                        k,
                        fmt_shape(is),
                        fmt_shape(&l.shape),
                        dim
                    );
                }
            }
        }
        Some(s) => {
            let bad_self = (0..nd).any(|k| k != dim && is[k] > l.shape[k]);
            let bad_src = s.shape.len() != nd || (0..nd).any(|k| is[k] > s.shape[k]);
            if bad_self || bad_src {
                bail!(
                    "Expected index {} to be smaller than self {} apart from dimension {} and to be smaller size than src {}",
                    fmt_shape(is),
                    fmt_shape(&l.shape),
                    dim,
                    fmt_shape(&s.shape)
                );
            }
        }
    }
    let vals = int_values(index);
    let size = l.shape[dim] as i64;
    for &v in &vals {
        if v < 0 || v >= size {
            bail!(
                "index {} is out of bounds for dimension {} with size {}",
                v,
                dim,
                size
            );
        }
    }
    let mut st = istrides(l);
    st[dim] = 0;
    let base = offsets_of(is, &st, l.offset as isize);
    Ok(base
        .into_iter()
        .zip(vals)
        .map(|(o, v)| o + v as usize * l.strides[dim])
        .collect())
}

use super::registry::{fixed, input, Domain::*, Grad, OpSpec};

fn long(v: &[i64], shape: &[usize]) -> Result<Tensor> {
    Tensor::from_vec(v.to_vec(), shape.to_vec())
}

fn mask(v: &[bool], shape: &[usize]) -> Result<Tensor> {
    Tensor::from_vec(v.to_vec(), shape.to_vec())
}

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![
        OpSpec { name: "__getitem__ (basic)", js: "index", grad_fn: "SliceBackward0", dtypes: "all", grad: D2, notes: "`x.index([0, slice(1, null), null, \"...\"])`: ints select, slices slice, null adds a dim, `\"...\"` fills; a view", inputs: vec![input(&[3, 4, 2], Any)], run: |x| x[0].index(&[TensorIndex::Int(-1), TensorIndex::NewAxis, TensorIndex::Ellipsis, TensorIndex::Slice { start: Some(0), stop: None, step: 1 }, TensorIndex::Slice { start: None, stop: None, step: 2 }]) },
        OpSpec { name: "__getitem__ (advanced)", js: "index", grad_fn: "IndexBackward0", dtypes: "all", grad: D2, notes: "int64/int32 index tensors broadcast together; adjacent ones keep their place, separated ones go first; bool masks select like nonzero; repeated indices accumulate in the gradient", inputs: vec![input(&[3, 4, 2], Any)], run: |x| x[0].index(&[TensorIndex::Tensor(long(&[2, 0, 2], &[3])?), TensorIndex::Slice { start: None, stop: None, step: 1 }, TensorIndex::Tensor(long(&[1, -1, 0], &[3])?)]) },
        OpSpec { name: "__getitem__ (bool mask)", js: "index", grad_fn: "IndexBackward0", dtypes: "all", grad: D2, notes: "", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].index(&[TensorIndex::Tensor(mask(&[true, false, true], &[3])?), TensorIndex::Slice { start: Some(1), stop: None, step: 1 }]) },
        OpSpec { name: "index_put", js: "indexPut / indexPut_", grad_fn: "IndexPutBackward0", dtypes: "all (values must match)", grad: D2, notes: "`accumulate=false` overwrites (self grad 0 there), `true` adds; values broadcast; in place via `indexPut_`", inputs: vec![input(&[3, 4], Any), input(&[2, 4], Any)], run: |x| x[0].index_put(&[Some(long(&[2, 0], &[2])?)], &x[1], false) },
        OpSpec { name: "index_put (accumulate)", js: "indexPut", grad_fn: "IndexPutBackward0", dtypes: "all", grad: D2, notes: "", inputs: vec![input(&[3, 4], Any), input(&[4], Any)], run: |x| x[0].index_put(&[Some(long(&[1, 1, 0], &[3])?)], &x[1], true) },
        OpSpec { name: "gather", js: "gather", grad_fn: "GatherBackward0", dtypes: "all (index int64)", grad: D2, notes: "the gradient scatter-adds, so repeated indices accumulate", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].gather(1, &long(&[0, 3, 3, 1, 2, 0], &[3, 2])?) },
        OpSpec { name: "scatter", js: "scatter / scatter_", grad_fn: "ScatterBackward0", dtypes: "all (index int64)", grad: D2, notes: "src or a number (ScatterBackward1); self grad 0 at the written positions, src grad `g.gather`", inputs: vec![input(&[3, 4], Any), input(&[2, 4], Any)], run: |x| x[0].scatter(0, &long(&[2, 0, 1, 0, 1, 2, 0, 2], &[2, 4])?, &x[1]) },
        OpSpec { name: "scatter (value)", js: "scatter", grad_fn: "ScatterBackward1", dtypes: "all", grad: D2, notes: "", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].scatter_value(1, &long(&[0, 3, 1], &[3, 1])?, 2.5) },
        OpSpec { name: "scatter_add", js: "scatterAdd / scatterAdd_", grad_fn: "ScatterAddBackward0", dtypes: "all (index int64)", grad: D2, notes: "repeated indices accumulate; self grad `g`, src grad `g.gather`", inputs: vec![input(&[3, 4], Any), input(&[2, 4], Any)], run: |x| x[0].scatter_add(0, &long(&[2, 2, 1, 0, 2, 2, 0, 0], &[2, 4])?, &x[1]) },
        OpSpec { name: "index_select", js: "indexSelect", grad_fn: "IndexSelectBackward0", dtypes: "all (index int64/int32)", grad: D2, notes: "the gradient index-adds, so repeats accumulate", inputs: vec![input(&[3, 4], Any)], run: |x| x[0].index_select(1, &long(&[3, 0, 3], &[3])?) },
        OpSpec { name: "index_add", js: "indexAdd / indexAdd_", grad_fn: "IndexAddBackward0", dtypes: "all (source must match)", grad: D2, notes: "`{ alpha }`; self grad `g`, source `alpha * g.indexSelect`", inputs: vec![input(&[3, 4], Any), input(&[3, 4], Any)], run: |x| x[0].index_add(0, &long(&[2, 0, 2], &[3])?, &x[1], 0.5) },
        OpSpec { name: "masked_fill", js: "maskedFill / maskedFill_", grad_fn: "MaskedFillBackward0", dtypes: "all (mask bool)", grad: D2, notes: "a number value; masked positions get grad 0; self and mask broadcast", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].masked_fill(&mask(&[true, false, true], &[3])?, -1.0) },
        OpSpec { name: "masked_fill (tensor value)", js: "maskedFill", grad_fn: "MaskedFillBackward1", dtypes: "all", grad: D2, notes: "a 0-d value tensor gets the sum of the gradient over the mask", inputs: vec![input(&[2, 3], Any), input(&[], Any)], run: |x| x[0].masked_fill_tensor(&mask(&[true, false, true, false, false, true], &[2, 3])?, &x[1]) },
        OpSpec { name: "masked_select", js: "maskedSelect", grad_fn: "MaskedSelectBackward0", dtypes: "all (mask bool)", grad: D2, notes: "1-D result in row-major order; self and mask broadcast", inputs: vec![input(&[2, 3], Any)], run: |x| x[0].masked_select(&mask(&[true, false, true], &[3])?) },
        OpSpec { name: "nonzero", js: "nonzero", grad_fn: "", dtypes: "all", grad: Grad::None, notes: "int64 `[n, ndim]`; `{ asTuple: true }` gives one vector per dim", inputs: vec![fixed(&[2, 3])], run: |x| x[0].nonzero() },
    ]
}
