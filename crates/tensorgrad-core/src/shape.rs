//! Shapes, strides and broadcasting. Strides are in elements, row-major, never negative
//! (flip copies, as in PyTorch).

use crate::bail;
use crate::error::{fmt_shape, Result};

pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut strides = vec![0; shape.len()];
    let mut acc = 1;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc *= shape[i].max(1);
    }
    strides
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub shape: Vec<usize>,
    pub strides: Vec<usize>,
    pub offset: usize,
}

impl Layout {
    pub fn contiguous(shape: Vec<usize>) -> Self {
        let strides = contiguous_strides(&shape);
        Layout {
            shape,
            strides,
            offset: 0,
        }
    }
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    pub fn numel(&self) -> usize {
        numel(&self.shape)
    }
    /// Row-major contiguous (size-1 dims may have any stride, as in PyTorch).
    pub fn is_contiguous(&self) -> bool {
        let mut expected = 1;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] == 1 {
                continue;
            }
            if self.strides[i] != expected {
                return false;
            }
            expected *= self.shape[i];
        }
        true
    }
    /// The storage range this layout touches when contiguous.
    pub fn contiguous_range(&self) -> Option<std::ops::Range<usize>> {
        if self.is_contiguous() {
            Some(self.offset..self.offset + self.numel())
        } else {
            None
        }
    }
}

/// Wrap a possibly negative dim into `0..ndim` with PyTorch's error.
pub fn normalize_dim(dim: isize, ndim: usize) -> Result<usize> {
    // A 0-d tensor accepts dims -1 and 0, like PyTorch.
    let n = ndim.max(1) as isize;
    if dim < -n || dim >= n {
        bail!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {})",
            -n,
            n - 1,
            dim
        );
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

/// Normalise a list of dims, rejecting repeats (`dim 0 appears multiple times in the list of dims`).
pub fn normalize_dims(dims: &[isize], ndim: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let d = normalize_dim(d, ndim)?;
        if out.contains(&d) {
            bail!("dim {} appears multiple times in the list of dims", d);
        }
        out.push(d);
    }
    Ok(out)
}

/// NumPy/PyTorch broadcasting of two shapes.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db {
            da
        } else if da == 1 {
            db
        } else if db == 1 {
            da
        } else {
            bail!(
                "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
                da,
                db,
                i
            );
        };
    }
    Ok(out)
}

/// Strides that read `layout` as if it had shape `target` (stride 0 on broadcast dims).
pub fn broadcast_strides(layout: &Layout, target: &[usize]) -> Result<Vec<usize>> {
    let n = target.len();
    let k = layout.shape.len();
    if k > n {
        bail!(
            "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension 0.  Target sizes: {}.  Tensor sizes: {}",
            n,
            k,
            fmt_shape(target),
            fmt_shape(&layout.shape)
        );
    }
    let mut strides = vec![0; n];
    for i in 0..k {
        let t = n - k + i;
        let d = layout.shape[i];
        if d == target[t] {
            strides[t] = if d == 1 { 0 } else { layout.strides[i] };
        } else if d == 1 {
            strides[t] = 0;
        } else {
            bail!(
                "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {}.  Tensor sizes: {}",
                target[t],
                d,
                t,
                fmt_shape(target),
                fmt_shape(&layout.shape)
            );
        }
    }
    Ok(strides)
}

/// Calls `f(offsets)` for every index of `shape` in row-major order, where `offsets[k]` is the
/// element offset of operand k (its base offset plus index·strides). The innermost dimension
/// runs as a tight loop.
pub fn for_each_offset<const K: usize>(
    shape: &[usize],
    strides: [&[usize]; K],
    base: [usize; K],
    mut f: impl FnMut([usize; K]),
) {
    let n = numel(shape);
    if n == 0 {
        return;
    }
    if shape.is_empty() {
        f(base);
        return;
    }
    let nd = shape.len();
    let inner = shape[nd - 1];
    let inner_strides: [usize; K] = std::array::from_fn(|k| strides[k][nd - 1]);
    let mut idx = vec![0usize; nd];
    let mut offs = base;
    loop {
        let mut o = offs;
        for _ in 0..inner {
            f(o);
            for k in 0..K {
                o[k] += inner_strides[k];
            }
        }
        // advance the outer odometer
        let mut d = nd - 1;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            for k in 0..K {
                offs[k] += strides[k][d];
            }
            if idx[d] < shape[d] {
                break;
            }
            for k in 0..K {
                offs[k] -= strides[k][d] * shape[d];
            }
            idx[d] = 0;
        }
    }
}

/// Infer a `-1` entry of a requested shape; PyTorch's messages for bad shapes.
pub fn infer_shape(requested: &[isize], numel_in: usize) -> Result<Vec<usize>> {
    let mut infer_at = None;
    let mut known = 1usize;
    for (i, &d) in requested.iter().enumerate() {
        if d == -1 {
            if infer_at.is_some() {
                bail!("only one dimension can be inferred");
            }
            infer_at = Some(i);
        } else if d < 0 {
            bail!("invalid shape dimension {}", d);
        } else {
            known *= d as usize;
        }
    }
    let shape_str = || {
        let parts: Vec<String> = requested.iter().map(|d| d.to_string()).collect();
        format!("[{}]", parts.join(", "))
    };
    let mut out: Vec<usize> = requested.iter().map(|&d| d.max(0) as usize).collect();
    match infer_at {
        Some(i) => {
            if known == 0 || numel_in % known != 0 {
                bail!(
                    "shape '{}' is invalid for input of size {}",
                    shape_str(),
                    numel_in
                );
            }
            out[i] = numel_in / known;
        }
        None => {
            if known != numel_in {
                bail!(
                    "shape '{}' is invalid for input of size {}",
                    shape_str(),
                    numel_in
                );
            }
        }
    }
    Ok(out)
}

/// Strides for viewing `layout` with `new_shape` without copying, if possible
/// (PyTorch's `computeStride`). None means a copy is needed.
pub fn view_strides(layout: &Layout, new_shape: &[usize]) -> Option<Vec<usize>> {
    let old_shape = &layout.shape;
    let old_strides = &layout.strides;
    if layout.numel() == 0 {
        return Some(contiguous_strides(new_shape));
    }
    if layout.is_contiguous() {
        return Some(contiguous_strides(new_shape));
    }
    let mut new_strides = vec![0usize; new_shape.len()];
    let mut view_d = new_shape.len() as isize - 1;
    let mut chunk_base_stride = *old_strides.last().unwrap_or(&1);
    let mut tensor_numel = 1usize;
    let mut view_numel = 1usize;
    for tensor_d in (0..old_shape.len()).rev() {
        tensor_numel *= old_shape[tensor_d];
        if tensor_d == 0
            || (old_shape[tensor_d - 1] != 1
                && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)
        {
            while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1) {
                new_strides[view_d as usize] = view_numel * chunk_base_stride;
                view_numel *= new_shape[view_d as usize];
                view_d -= 1;
            }
            if view_numel != tensor_numel {
                return None;
            }
            if tensor_d > 0 {
                chunk_base_stride = old_strides[tensor_d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    if view_d != -1 {
        return None;
    }
    Some(new_strides)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast_shapes(&[3, 1], &[4]).unwrap(), vec![3, 4]);
        assert_eq!(broadcast_shapes(&[], &[2, 2]).unwrap(), vec![2, 2]);
        let e = broadcast_shapes(&[3], &[4]).unwrap_err();
        assert_eq!(
            e.message(),
            "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0"
        );
    }

    #[test]
    fn dims_wrap_and_fail_like_pytorch() {
        assert_eq!(normalize_dim(-1, 3).unwrap(), 2);
        assert_eq!(
            normalize_dim(3, 3).unwrap_err().message(),
            "Dimension out of range (expected to be in range of [-3, 2], but got 3)"
        );
    }

    #[test]
    fn infer_minus_one() {
        assert_eq!(infer_shape(&[-1, 2], 6).unwrap(), vec![3, 2]);
        assert_eq!(
            infer_shape(&[4, 2], 6).unwrap_err().message(),
            "shape '[4, 2]' is invalid for input of size 6"
        );
    }

    #[test]
    fn odometer_visits_strided_offsets() {
        let mut seen = vec![];
        // a transposed 2x3 view of a 3x2 buffer
        for_each_offset(&[2, 3], [&[1, 2]], [0], |[o]| seen.push(o));
        assert_eq!(seen, vec![0, 2, 4, 1, 3, 5]);
    }

    #[test]
    fn views_of_transposed_need_copy() {
        let l = Layout {
            shape: vec![3, 2],
            strides: vec![1, 3],
            offset: 0,
        };
        assert!(view_strides(&l, &[6]).is_none());
        assert_eq!(
            view_strides(&l, &[3, 2, 1]).map(|s| s[..2].to_vec()),
            Some(vec![1, 3])
        );
    }
}
