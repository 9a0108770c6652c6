//! CPU kernels. They work on raw slices plus a [`Layout`], never on tensors, and know nothing
//! of autograd. Contiguous fast paths are plain loops over slices that LLVM vectorises
//! (SIMD128 on wasm); the general path walks strided/broadcast offsets.
//!
//! The loop-carrying kernels are `#[inline(never)]`, and scripts/build-wasm.sh keeps wasm-opt
//! from inlining anything in this module: inlined into an op's dtype dispatch they end up in
//! functions of 100+ KB, where V8's register allocator spills the loop's pointers and
//! counters to the stack on every iteration (2x slower elementwise loops were measured).

pub mod gemm;
pub mod math;
pub mod provider;

use crate::element::{Float, Numeric};
use crate::shape::{broadcast_strides, for_each_offset, numel, Layout};
use crate::Result;

/// Copy the elements of a (possibly strided) view into a new contiguous vector.
#[inline(never)]
pub fn gather<T: Copy>(data: &[T], layout: &Layout) -> Vec<T> {
    if let Some(r) = layout.contiguous_range() {
        return data[r].to_vec();
    }
    let mut out = Vec::with_capacity(layout.numel());
    for_each_offset(&layout.shape, [&layout.strides], [layout.offset], |[o]| {
        out.push(data[o])
    });
    out
}

/// Borrow the contiguous slice of a view when it has one.
pub fn contiguous_slice<'a, T>(data: &'a [T], layout: &Layout) -> Option<&'a [T]> {
    layout.contiguous_range().map(|r| &data[r])
}

/// Whether a layout reads one element only (every dim of size 1 or stride 0: an expanded scalar).
fn reads_one(l: &Layout) -> bool {
    l.numel() > 0
        && l.strides
            .iter()
            .zip(&l.shape)
            .all(|(&s, &d)| s == 0 || d == 1)
}

#[inline(never)]
pub fn unary<T: Copy, U: Clone>(x: &[T], lx: &Layout, f: impl Fn(T) -> U) -> Vec<U> {
    if let Some(s) = contiguous_slice(x, lx) {
        return s.iter().map(|&v| f(v)).collect();
    }
    if reads_one(lx) {
        return vec![f(x[lx.offset]); lx.numel()];
    }
    let mut out = Vec::with_capacity(lx.numel());
    for_each_offset(&lx.shape, [&lx.strides], [lx.offset], |[o]| {
        out.push(f(x[o]))
    });
    out
}

/// Whether `l`'s shape, leading 1s aside, is a non-empty proper suffix of `out_shape` with at
/// least one element: broadcasting repeats it as whole rows.
fn is_trailing_row(l: &Layout, out_shape: &[usize]) -> bool {
    let first = l
        .shape
        .iter()
        .position(|&d| d != 1)
        .unwrap_or(l.shape.len());
    let s = &l.shape[first..];
    !s.is_empty() && s.len() < out_shape.len() && out_shape.ends_with(s) && l.numel() > 0
}

/// Elementwise binary op with broadcasting to `out_shape` (already validated).
#[inline(never)]
pub fn binary<T: Copy, U>(
    a: &[T],
    la: &Layout,
    b: &[T],
    lb: &Layout,
    out_shape: &[usize],
    f: impl Fn(T, T) -> U,
) -> Result<Vec<U>> {
    let n = numel(out_shape);
    let same_a = la.shape.as_slice() == out_shape;
    let same_b = lb.shape.as_slice() == out_shape;
    if let (Some(sa), Some(sb)) = (contiguous_slice(a, la), contiguous_slice(b, lb)) {
        if same_a && same_b {
            return Ok(sa.iter().zip(sb).map(|(&x, &y)| f(x, y)).collect());
        }
        if same_a && sb.len() == 1 {
            let y = sb[0];
            return Ok(sa.iter().map(|&x| f(x, y)).collect());
        }
        if same_b && sa.len() == 1 {
            let x = sa[0];
            return Ok(sb.iter().map(|&y| f(x, y)).collect());
        }
    }
    // One operand repeats along the leading dims (a bias row added to a batch): row by row.
    if let (true, Some(sa)) = (same_a, contiguous_slice(a, la)) {
        if let Some(sb) = contiguous_slice(b, lb).filter(|_| is_trailing_row(lb, out_shape)) {
            let mut out = Vec::with_capacity(n);
            for ra in sa.chunks_exact(sb.len()) {
                out.extend(ra.iter().zip(sb).map(|(&x, &y)| f(x, y)));
            }
            return Ok(out);
        }
    }
    if let (true, Some(sb)) = (same_b, contiguous_slice(b, lb)) {
        if let Some(sa) = contiguous_slice(a, la).filter(|_| is_trailing_row(la, out_shape)) {
            let mut out = Vec::with_capacity(n);
            for rb in sb.chunks_exact(sa.len()) {
                out.extend(sa.iter().zip(rb).map(|(&x, &y)| f(x, y)));
            }
            return Ok(out);
        }
    }
    // One operand reads a single element (a number, or an expanded view such as the gradient
    // of a sum): a scalar loop over the other one when it is contiguous.
    if let (true, Some(sb)) = (reads_one(la), contiguous_slice(b, lb)) {
        if same_b {
            let x = a[la.offset];
            return Ok(sb.iter().map(|&y| f(x, y)).collect());
        }
    }
    if let (true, Some(sa)) = (reads_one(lb), contiguous_slice(a, la)) {
        if same_a {
            let y = b[lb.offset];
            return Ok(sa.iter().map(|&x| f(x, y)).collect());
        }
    }
    let sa = broadcast_strides(la, out_shape)?;
    let sb = broadcast_strides(lb, out_shape)?;
    let mut out = Vec::with_capacity(n);
    for_each_offset(out_shape, [&sa, &sb], [la.offset, lb.offset], |[i, j]| {
        out.push(f(a[i], b[j]))
    });
    Ok(out)
}

/// `cond ? a : b` with three-way broadcasting.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn select<T: Copy>(
    c: &[bool],
    lc: &Layout,
    a: &[T],
    la: &Layout,
    b: &[T],
    lb: &Layout,
    out_shape: &[usize],
) -> Result<Vec<T>> {
    // Contiguous condition and operands, or an operand that is one value (a number, as in
    // the backward of relu: `where(y <= 0, 0, g)`): one flat pass.
    if let Some(cs) = contiguous_slice(c, lc).filter(|_| lc.shape.as_slice() == out_shape) {
        /// The operand's contiguous data, or its one value.
        fn flat<'s, T: Copy>(
            x: &'s [T],
            l: &Layout,
            out_shape: &[usize],
        ) -> Option<std::result::Result<&'s [T], T>> {
            if l.shape.as_slice() == out_shape {
                if let Some(s) = contiguous_slice(x, l) {
                    return Some(Ok(s));
                }
            }
            reads_one(l).then(|| Err(x[l.offset]))
        }
        match (flat(a, la, out_shape), flat(b, lb, out_shape)) {
            (Some(Ok(xa)), Some(Ok(xb))) => {
                return Ok(cs
                    .iter()
                    .zip(xa.iter().zip(xb))
                    .map(|(&k, (&x, &y))| if k { x } else { y })
                    .collect());
            }
            (Some(Err(x)), Some(Ok(xb))) => {
                return Ok(cs
                    .iter()
                    .zip(xb)
                    .map(|(&k, &y)| if k { x } else { y })
                    .collect());
            }
            (Some(Ok(xa)), Some(Err(y))) => {
                return Ok(cs
                    .iter()
                    .zip(xa)
                    .map(|(&k, &x)| if k { x } else { y })
                    .collect());
            }
            _ => {}
        }
    }
    let sc = broadcast_strides(lc, out_shape)?;
    let sa = broadcast_strides(la, out_shape)?;
    let sb = broadcast_strides(lb, out_shape)?;
    let mut out = Vec::with_capacity(numel(out_shape));
    for_each_offset(
        out_shape,
        [&sc, &sa, &sb],
        [lc.offset, la.offset, lb.offset],
        |[k, i, j]| out.push(if c[k] { a[i] } else { b[j] }),
    );
    Ok(out)
}

/// Sum of a contiguous slice: 8 independent lanes (vectorisable) over blocks, block totals
/// accumulated in f64, so 1e6-element f32 sums stay accurate.
#[inline(never)]
pub fn sum_slice<T: Float>(x: &[T]) -> T {
    const BLOCK: usize = 1024;
    let mut total = 0.0f64;
    for block in x.chunks(BLOCK) {
        let mut lanes = [T::ZERO; 8];
        let mut chunks = block.chunks_exact(8);
        for c in &mut chunks {
            for l in 0..8 {
                lanes[l] += c[l];
            }
        }
        let mut s = T::ZERO;
        for &v in chunks.remainder() {
            s += v;
        }
        for l in lanes {
            s += l;
        }
        total += s.to_f64();
    }
    T::from_f64(total)
}

/// Sum over `dims` (sorted, unique). Returns data in the kept-dims shape (keepdim layout).
#[inline(never)]
pub fn sum_dims<T: Float>(x: &[T], lx: &Layout, dims: &[usize]) -> Vec<T> {
    let nd = lx.ndim();
    let out_shape: Vec<usize> = (0..nd)
        .map(|d| if dims.contains(&d) { 1 } else { lx.shape[d] })
        .collect();
    let out_n = numel(&out_shape);
    if out_n == 1 {
        let total = match contiguous_slice(x, lx) {
            Some(s) => sum_slice(s),
            None => sum_slice(&gather(x, lx)),
        };
        return vec![total];
    }
    // Reducing only trailing dims of a contiguous tensor: one contiguous run per output.
    let trailing = dims.iter().all(|&d| d >= nd - dims.len());
    if trailing {
        if let Some(s) = contiguous_slice(x, lx) {
            let run = numel(&lx.shape[nd - dims.len()..]);
            if run > 0 {
                return s.chunks(run).map(sum_slice).collect();
            }
        }
    }
    // Reducing only leading dims of a contiguous tensor (a bias gradient: the sum over the
    // batch): add whole rows into an f64 accumulator row.
    let leading = dims.iter().enumerate().all(|(i, &d)| d == i);
    if leading && out_n > 0 {
        if let Some(s) = contiguous_slice(x, lx) {
            let mut acc = vec![0.0f64; out_n];
            for row in s.chunks_exact(out_n) {
                for (a, &v) in acc.iter_mut().zip(row) {
                    *a += v.to_f64();
                }
            }
            return acc.into_iter().map(T::from_f64).collect();
        }
    }
    let out_strides: Vec<usize> = {
        let c = crate::shape::contiguous_strides(&out_shape);
        (0..nd)
            .map(|d| if dims.contains(&d) { 0 } else { c[d] })
            .collect()
    };
    let mut acc = vec![0.0f64; out_n];
    for_each_offset(
        &lx.shape,
        [&lx.strides, &out_strides],
        [lx.offset, 0],
        |[i, o]| acc[o] += x[i].to_f64(),
    );
    acc.into_iter().map(T::from_f64).collect()
}

/// Sum over `dims` in the element type itself (integers wrap, as in PyTorch).
#[inline(never)]
pub fn sum_dims_exact<T: Numeric>(x: &[T], lx: &Layout, dims: &[usize]) -> Vec<T> {
    let nd = lx.ndim();
    let out_shape: Vec<usize> = (0..nd)
        .map(|d| if dims.contains(&d) { 1 } else { lx.shape[d] })
        .collect();
    let out_strides: Vec<usize> = {
        let c = crate::shape::contiguous_strides(&out_shape);
        (0..nd)
            .map(|d| if dims.contains(&d) { 0 } else { c[d] })
            .collect()
    };
    let mut acc = vec![T::ZERO; numel(&out_shape)];
    for_each_offset(
        &lx.shape,
        [&lx.strides, &out_strides],
        [lx.offset, 0],
        |[i, o]| acc[o] = acc[o].nadd(x[i]),
    );
    acc
}

/// C[m,n] = A[m,k] · B[k,n], all row-major contiguous.
pub fn matmul<T: Numeric>(a: &[T], b: &[T], m: usize, k: usize, n: usize) -> Vec<T> {
    let mut c = vec![T::ZERO; m * n];
    if m == 0 || n == 0 {
        return c;
    }
    // i-p-j order: the inner loop is an axpy over a contiguous row of B and C.
    for i in 0..m {
        let crow = &mut c[i * n..(i + 1) * n];
        for p in 0..k {
            let av = a[i * k + p];
            let brow = &b[p * n..(p + 1) * n];
            for (cv, &bv) in crow.iter_mut().zip(brow) {
                *cv = cv.nadd(av.nmul(bv));
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_small() {
        let c = matmul(&[1.0f64, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0], 2, 2, 2);
        assert_eq!(c, vec![19.0, 22.0, 43.0, 50.0]);
    }

    #[test]
    fn sum_dims_middle() {
        let x: Vec<f64> = (0..24).map(|v| v as f64).collect();
        let l = Layout::contiguous(vec![2, 3, 4]);
        let s = sum_dims(&x, &l, &[1]);
        assert_eq!(s[..4], [12.0, 15.0, 18.0, 21.0]);
    }

    #[test]
    fn sum_dims_leading() {
        let x: Vec<f32> = (0..24).map(|v| v as f32).collect();
        let l = Layout::contiguous(vec![2, 3, 4]);
        let s0 = sum_dims(&x, &l, &[0]);
        let want0: Vec<f32> = (0..12).map(|i| (i + (i + 12)) as f32).collect();
        assert_eq!(s0, want0);
        let s01 = sum_dims(&x, &l, &[0, 1]);
        let want01: Vec<f32> = (0..4)
            .map(|j| (0..6).map(|r| (r * 4 + j) as f32).sum())
            .collect();
        assert_eq!(s01, want01);
        // a zero-size kept dim, and zero rows
        assert!(sum_dims::<f32>(&[], &Layout::contiguous(vec![3, 0]), &[0]).is_empty());
        assert_eq!(
            sum_dims::<f32>(&[], &Layout::contiguous(vec![0, 2]), &[0]),
            vec![0.0, 0.0]
        );
    }

    #[test]
    fn select_flat_paths_match_the_strided_walk() {
        let c = [true, false, false, true, true, false];
        let a = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [-1.0f64, -2.0, -3.0, -4.0, -5.0, -6.0];
        let l = Layout::contiguous(vec![2, 3]);
        let one = Layout {
            shape: vec![],
            strides: vec![],
            offset: 0,
        };
        let got = select(&c, &l, &a, &l, &b, &l, &[2, 3]).unwrap();
        assert_eq!(got, vec![1.0, -2.0, -3.0, 4.0, 5.0, -6.0]);
        let got = select(&c, &l, &[0.0], &one, &b, &l, &[2, 3]).unwrap();
        assert_eq!(got, vec![0.0, -2.0, -3.0, 0.0, 0.0, -6.0]);
        let got = select(&c, &l, &a, &l, &[0.0], &one, &[2, 3]).unwrap();
        assert_eq!(got, vec![1.0, 0.0, 0.0, 4.0, 5.0, 0.0]);
        // a transposed (non-contiguous) operand takes the strided walk
        let t = Layout {
            shape: vec![2, 3],
            strides: vec![1, 2],
            offset: 0,
        };
        let got = select(&c, &l, &a, &t, &b, &l, &[2, 3]).unwrap();
        assert_eq!(got, vec![1.0, -2.0, -3.0, 2.0, 4.0, -6.0]);
    }

    #[test]
    fn binary_with_a_broadcast_row() {
        let a: Vec<f64> = (0..6).map(|v| v as f64).collect();
        let la = Layout::contiguous(vec![2, 3]);
        let b = [10.0f64, 20.0, 30.0];
        for lb in [Layout::contiguous(vec![3]), Layout::contiguous(vec![1, 3])] {
            let out = binary(&a, &la, &b, &lb, &[2, 3], |x, y| x - y).unwrap();
            assert_eq!(out, vec![-10.0, -19.0, -28.0, -7.0, -16.0, -25.0]);
            let out = binary(&b, &lb, &a, &la, &[2, 3], |x, y| x - y).unwrap();
            assert_eq!(out, vec![10.0, 19.0, 28.0, 7.0, 16.0, 25.0]);
        }
        // a column ([2, 1]) is not a row: the strided walk
        let c = [1.0f64, 2.0];
        let out = binary(
            &a,
            &la,
            &c,
            &Layout::contiguous(vec![2, 1]),
            &[2, 3],
            |x, y| x * y,
        )
        .unwrap();
        assert_eq!(out, vec![0.0, 1.0, 2.0, 6.0, 8.0, 10.0]);
    }

    #[test]
    fn binary_with_an_expanded_scalar() {
        let a = [2.0f64];
        let la = Layout {
            shape: vec![2, 3],
            strides: vec![0, 0],
            offset: 0,
        };
        let b: Vec<f64> = (0..6).map(|v| v as f64).collect();
        let lb = Layout::contiguous(vec![2, 3]);
        let out = binary(&a, &la, &b, &lb, &[2, 3], |x, y| x - y).unwrap();
        assert_eq!(out, vec![2.0, 1.0, 0.0, -1.0, -2.0, -3.0]);
        let out = binary(&b, &lb, &a, &la, &[2, 3], |x, y| x - y).unwrap();
        assert_eq!(out, vec![-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]);
        assert_eq!(unary(&a, &la, |x| x * 3.0), vec![6.0; 6]);
    }

    #[test]
    fn f32_sum_is_accurate() {
        let x = vec![0.1f32; 1_000_000];
        let s = sum_slice(&x) as f64;
        assert!((s - 100000.0).abs() < 1.0, "{s}");
    }
}
