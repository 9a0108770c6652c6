//! Cache-blocked, register-tiled matrix product for f32 and f64 (`C += A·B`).
//!
//! Operands are read through (row stride, column stride) pairs, so row-major, transposed
//! (column-major) and other strided views need no copy beyond the packing every blocked GEMM
//! does: for each `KC`-deep slice of `k`, an `NC`-wide block of B is packed into `NR`-column
//! panels and an `MC`-high block of A into `MR`-row panels (zero-padded at the edges), then a
//! micro-kernel keeps an `MR×NR` tile of C in registers over the whole slice.
//!
//! f32 uses a 4×8 tile whose A panel is packed *pre-splatted* (every A value stored as a
//! 4-lane vector). That shape and layout are what V8 compiles well on x86: wasm SIMD128 has no
//! FMA, so every step is a `mul` plus an `add` through a temporary, and V8 hoists all of a
//! step's loads to its top. 8 accumulators + 2 B vectors + 4 A vectors + 1 temporary = 15 of
//! the 16 xmm registers (V8 keeps one as scratch): no spills, where 6×8 (12 accumulators) spills.
//! `v128.load32_splat` would save the packing, but V8 gives it no addressing-mode offset
//! (an extra `lea` per load) and it costs a shuffle µop on some cores; a plain `v128.load` of
//! a pre-splatted value folds its offset (with `wasm-opt --low-memory-unused`, see
//! scripts/build-wasm.sh) and is a pure load. The packing costs one 16-byte store per A
//! element per `NC` columns of C, about 1% of the product at N=1024.
//!
//! The same f32 kernel is written over a 4-lane vector type that is `v128` on wasm32+simd128
//! and a `[f32; 4]` elsewhere, so the native tests run the exact packing and tiling the wasm
//! build runs. f64 uses a portable 4×4 kernel over arrays that LLVM vectorises.
//! `kernels::reference_matmul` is the unblocked kernel the tests compare against.

use std::any::TypeId;

/// Depth of a packed slice: a 4×`KC` pre-splatted A micro-panel (16 KiB) and an `KC`×8 B
/// micro-panel (8 KiB) stay in a 32 KiB L1 during one micro-kernel call.
const KC: usize = 256;
/// Rows of A packed at once (the packing buffer, `MC`×`KC` values ×4 for splats = 256 KiB).
const MC: usize = 64;
/// Columns of B packed at once: the `KC`×`NC` block (256 KiB) is reused by every A panel
/// and stays in L2.
const NC: usize = 256;

/// Element types with a blocked kernel: the tile shape and the micro-kernel.
pub trait GemmScalar:
    Copy + Default + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> + 'static
{
    const MR: usize;
    const NR: usize;
    /// Copies of each A value in the packed A panel (4: stored as a splatted f32x4).
    const A_REP: usize;
    /// Store `A_REP` copies of `*src` at `dst`.
    ///
    /// # Safety
    /// `src` is valid for one read, `dst` for `A_REP` writes.
    #[inline(always)]
    unsafe fn put_a(dst: *mut Self, src: *const Self) {
        for r in 0..Self::A_REP {
            *dst.add(r) = *src;
        }
    }
    /// Pack a full `NR`-column panel of a B whose columns are contiguous: element (p, j)
    /// is `src[j*ld + p]`, written to `panel[p*NR + j]` for `p < kc`.
    ///
    /// # Safety
    /// `panel` is valid for `kc*NR` writes and `src` for reads of `kc` values at each
    /// `j*ld`, `j < NR`.
    #[inline(always)]
    unsafe fn pack_b_colmajor(panel: *mut Self, src: *const Self, ld: usize, kc: usize) {
        for j in 0..Self::NR {
            for p in 0..kc {
                *panel.add(p * Self::NR + j) = *src.add(j * ld + p);
            }
        }
    }
    /// `c[i*ldc + j] += Σ_p ap[(p*MR + i)*A_REP] * bp[p*NR + j]` for `i < mr`, `j < nr` (the
    /// panels are zero-padded to `MR`/`NR`).
    ///
    /// # Safety
    /// `ap` holds `kc*MR*A_REP` values, `bp` `kc*NR`, and `c` is valid for the `mr×nr` tile
    /// at `ldc`.
    unsafe fn micro(
        kc: usize,
        ap: *const Self,
        bp: *const Self,
        c: *mut Self,
        ldc: usize,
        mr: usize,
        nr: usize,
    );
}

/// Portable micro-kernel: an `MR×NR` accumulator array; LLVM turns the `j` loops into vectors.
#[inline(always)]
unsafe fn micro_portable<T: GemmScalar, const MR: usize, const NR: usize>(
    kc: usize,
    ap: *const T,
    bp: *const T,
    c: *mut T,
    ldc: usize,
    mr: usize,
    nr: usize,
) {
    let mut acc = [[T::default(); NR]; MR];
    for p in 0..kc {
        let a = std::slice::from_raw_parts(ap.add(p * MR), MR);
        let b = std::slice::from_raw_parts(bp.add(p * NR), NR);
        for i in 0..MR {
            let ai = a[i];
            for j in 0..NR {
                acc[i][j] = acc[i][j] + ai * b[j];
            }
        }
    }
    for i in 0..mr {
        for j in 0..nr {
            let cij = c.add(i * ldc + j);
            *cij = *cij + acc[i][j];
        }
    }
}

impl GemmScalar for f64 {
    const MR: usize = 4;
    const NR: usize = 4;
    const A_REP: usize = 1;
    unsafe fn micro(
        kc: usize,
        ap: *const f64,
        bp: *const f64,
        c: *mut f64,
        ldc: usize,
        mr: usize,
        nr: usize,
    ) {
        micro_portable::<f64, 4, 4>(kc, ap, bp, c, ldc, mr, nr)
    }
}

impl GemmScalar for f32 {
    const MR: usize = 4;
    const NR: usize = 8;
    const A_REP: usize = 4;
    #[inline(always)]
    unsafe fn put_a(dst: *mut f32, src: *const f32) {
        lanes::store(dst, lanes::load_splat(src))
    }
    #[inline(always)]
    unsafe fn pack_b_colmajor(panel: *mut f32, src: *const f32, ld: usize, kc: usize) {
        // 4×4 blocks: four vector loads down four columns, a register transpose, four
        // vector stores along the panel's rows.
        let mut p = 0;
        while p + 4 <= kc {
            for h in 0..2 {
                let s = src.add(4 * h * ld + p);
                let r = lanes::transpose4([
                    lanes::load(s),
                    lanes::load(s.add(ld)),
                    lanes::load(s.add(2 * ld)),
                    lanes::load(s.add(3 * ld)),
                ]);
                for (q, v) in r.into_iter().enumerate() {
                    lanes::store(panel.add((p + q) * 8 + 4 * h), v);
                }
            }
            p += 4;
        }
        for p in p..kc {
            for j in 0..8 {
                *panel.add(p * 8 + j) = *src.add(j * ld + p);
            }
        }
    }
    unsafe fn micro(
        kc: usize,
        ap: *const f32,
        bp: *const f32,
        c: *mut f32,
        ldc: usize,
        mr: usize,
        nr: usize,
    ) {
        micro_f32_4x8(kc, ap, bp, c, ldc, mr, nr)
    }
}

/// Four f32 lanes: wasm SIMD128 where the build has it, a plain array elsewhere.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::*;
    pub type V = v128;
    #[inline(always)]
    pub fn zero() -> V {
        f32x4_splat(0.0)
    }
    #[inline(always)]
    pub fn mul_add(acc: V, a: V, b: V) -> V {
        f32x4_add(acc, f32x4_mul(a, b))
    }
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        f32x4_add(a, b)
    }
    /// # Safety
    /// `p` is valid for 4 reads (any alignment).
    #[inline(always)]
    pub unsafe fn load(p: *const f32) -> V {
        v128_load(p as *const v128)
    }
    /// # Safety
    /// `p` is valid for one read.
    #[inline(always)]
    pub unsafe fn load_splat(p: *const f32) -> V {
        v128_load32_splat(p as *const u32)
    }
    /// Rows of a 4×4 block to its columns.
    #[inline(always)]
    pub fn transpose4([r0, r1, r2, r3]: [V; 4]) -> [V; 4] {
        let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
        let t1 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
        let t2 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
        let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
        [
            i64x2_shuffle::<0, 2>(t0, t2),
            i64x2_shuffle::<1, 3>(t0, t2),
            i64x2_shuffle::<0, 2>(t1, t3),
            i64x2_shuffle::<1, 3>(t1, t3),
        ]
    }
    /// # Safety
    /// `p` is valid for 4 writes (any alignment).
    #[inline(always)]
    pub unsafe fn store(p: *mut f32, v: V) {
        v128_store(p as *mut v128, v)
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    pub type V = [f32; 4];
    #[inline(always)]
    pub fn zero() -> V {
        [0.0; 4]
    }
    #[inline(always)]
    pub fn mul_add(acc: V, a: V, b: V) -> V {
        std::array::from_fn(|l| acc[l] + a[l] * b[l])
    }
    #[inline(always)]
    pub fn add(a: V, b: V) -> V {
        std::array::from_fn(|l| a[l] + b[l])
    }
    /// # Safety
    /// `p` is valid for 4 reads (any alignment).
    #[inline(always)]
    pub unsafe fn load(p: *const f32) -> V {
        (p as *const V).read_unaligned()
    }
    /// # Safety
    /// `p` is valid for one read.
    #[inline(always)]
    pub unsafe fn load_splat(p: *const f32) -> V {
        [*p; 4]
    }
    /// Rows of a 4×4 block to its columns.
    #[inline(always)]
    pub fn transpose4(r: [V; 4]) -> [V; 4] {
        std::array::from_fn(|i| std::array::from_fn(|j| r[j][i]))
    }
    /// # Safety
    /// `p` is valid for 4 writes (any alignment).
    #[inline(always)]
    pub unsafe fn store(p: *mut f32, v: V) {
        (p as *mut V).write_unaligned(v)
    }
}

/// 4×8 f32 tile: 8 accumulators (two f32x4 per row); per step two B vectors and four
/// pre-splatted A vectors, all plain loads at constant offsets from two pointers.
#[inline(never)]
unsafe fn micro_f32_4x8(
    kc: usize,
    ap: *const f32,
    bp: *const f32,
    c: *mut f32,
    ldc: usize,
    mr: usize,
    nr: usize,
) {
    use lanes::*;
    let (mut c00, mut c01, mut c10, mut c11) = (zero(), zero(), zero(), zero());
    let (mut c20, mut c21, mut c30, mut c31) = (zero(), zero(), zero(), zero());
    let mut a = ap;
    let mut b = bp;
    for _ in 0..kc {
        let b0 = load(b);
        let b1 = load(b.add(4));
        let a0 = load(a);
        c00 = mul_add(c00, a0, b0);
        c01 = mul_add(c01, a0, b1);
        let a1 = load(a.add(4));
        c10 = mul_add(c10, a1, b0);
        c11 = mul_add(c11, a1, b1);
        let a2 = load(a.add(8));
        c20 = mul_add(c20, a2, b0);
        c21 = mul_add(c21, a2, b1);
        let a3 = load(a.add(12));
        c30 = mul_add(c30, a3, b0);
        c31 = mul_add(c31, a3, b1);
        a = a.add(16);
        b = b.add(8);
    }
    let rows = [(c00, c01), (c10, c11), (c20, c21), (c30, c31)];
    if nr == 8 {
        for (i, &(lo, hi)) in rows.iter().enumerate().take(mr) {
            let p = c.add(i * ldc);
            store(p, add(load(p), lo));
            store(p.add(4), add(load(p.add(4)), hi));
        }
    } else {
        // Edge tile: spill the accumulators and add the valid part.
        let mut tile = [0f32; 32];
        for (i, &(lo, hi)) in rows.iter().enumerate() {
            store(tile.as_mut_ptr().add(i * 8), lo);
            store(tile.as_mut_ptr().add(i * 8 + 4), hi);
        }
        for i in 0..mr {
            for j in 0..nr {
                *c.add(i * ldc + j) += tile[i * 8 + j];
            }
        }
    }
}

/// A strided read-only matrix: element (i, j) is `data[i*rs + j*cs]`.
#[derive(Clone, Copy)]
pub struct MatRef<'a, T> {
    pub data: &'a [T],
    pub rs: usize,
    pub cs: usize,
}

/// Pack rows `r0..r0+mc`, columns `p0..p0+kc` of `a` into `MR`-row panels (`p`-major inside,
/// each value repeated `A_REP` times, rows past `mc` zero).
fn pack_a<T: GemmScalar>(dst: &mut [T], a: MatRef<T>, r0: usize, mc: usize, p0: usize, kc: usize) {
    let (mr, rep) = (T::MR, T::A_REP);
    let panels = mc.div_ceil(mr);
    let dst = &mut dst[..panels * kc * mr * rep];
    // Bounds: the last element read is ((r0+mc-1)*rs + (p0+kc-1)*cs), checked once here so
    // the loops below index without per-element checks.
    let last = (r0 + mc - 1) * a.rs + (p0 + kc - 1) * a.cs;
    assert!(last < a.data.len(), "gemm: A view out of bounds");
    let src = a.data.as_ptr();
    let out = dst.as_mut_ptr();
    let zero = [T::default()];
    // SAFETY (both loops): writes stay inside `dst` (sliced above) and every read is an
    // element (r0+ir+i, p0+p) with ir+i < mc, p < kc, so at most `last` (asserted above).
    for (panel, ir) in (0..mc).step_by(mr).enumerate() {
        let rows = mr.min(mc - ir);
        let o = unsafe { out.add(panel * kc * mr * rep) };
        if a.cs == 1 && rows == mr {
            // Row-major A: read each row contiguously.
            for i in 0..mr {
                let row = unsafe { src.add((r0 + ir + i) * a.rs + p0) };
                for p in 0..kc {
                    unsafe { T::put_a(o.add((p * mr + i) * rep), row.add(p)) };
                }
            }
        } else {
            // Transposed or otherwise strided A (the MR values of one column are adjacent
            // when rs == 1), and the last, zero-padded panel.
            for p in 0..kc {
                let col = (r0 + ir) * a.rs + (p0 + p) * a.cs;
                for i in 0..mr {
                    let v = if i < rows {
                        unsafe { src.add(col + i * a.rs) }
                    } else {
                        zero.as_ptr()
                    };
                    unsafe { T::put_a(o.add((p * mr + i) * rep), v) };
                }
            }
        }
    }
}

/// Pack rows `p0..p0+kc`, columns `c0..c0+nc` of `b` into `NR`-column panels (`p`-major inside).
fn pack_b<T: GemmScalar>(dst: &mut [T], b: MatRef<T>, p0: usize, kc: usize, c0: usize, nc: usize) {
    let nr = T::NR;
    let mut o = 0;
    for jr in (0..nc).step_by(nr) {
        let cols = nr.min(nc - jr);
        if b.cs == 1 {
            for p in 0..kc {
                let s = (p0 + p) * b.rs + c0 + jr;
                let d = &mut dst[o..o + nr];
                if cols == nr {
                    // A constant-length copy: inlined as vector moves (a variable-length
                    // one becomes a `memory.copy` call, slow at 32 bytes).
                    d.copy_from_slice(&b.data[s..s + T::NR]);
                } else {
                    let src = &b.data[s..s + cols];
                    for (j, v) in d.iter_mut().enumerate() {
                        *v = if j < cols { src[j] } else { T::default() };
                    }
                }
                o += nr;
            }
        } else if b.rs == 1 && cols == nr {
            // A transposed B (columns contiguous along p), full panel.
            let panel = &mut dst[o..o + kc * nr];
            let s = p0 + (c0 + jr) * b.cs;
            assert!(
                s + (nr - 1) * b.cs + kc <= b.data.len(),
                "gemm: B view out of bounds"
            );
            // SAFETY: the panel holds kc*NR values; the NR columns of kc values starting at
            // `s`, `b.cs` apart, lie inside `b.data` (asserted above).
            unsafe { T::pack_b_colmajor(panel.as_mut_ptr(), b.data.as_ptr().add(s), b.cs, kc) };
            o += kc * nr;
        } else {
            // Other strides, and the last panel of a transposed B: walk the columns in the
            // outer loop so the reads stream; the writes stride by NR inside the panel.
            let panel = &mut dst[o..o + kc * nr];
            for j in 0..cols {
                let s = p0 * b.rs + (c0 + jr + j) * b.cs;
                // (strides may be 0: an expanded operand such as the gradient of a sum)
                let col = &b.data[s..s + (kc - 1) * b.rs + 1];
                for p in 0..kc {
                    panel[p * nr + j] = col[p * b.rs];
                }
            }
            if cols < nr {
                for p in 0..kc {
                    for v in &mut panel[p * nr + cols..(p + 1) * nr] {
                        *v = T::default();
                    }
                }
            }
            o += kc * nr;
        }
    }
}

/// `C[m×n] += A[m×k] · B[k×n]`, C row-major with leading dimension `ldc`.
pub fn gemm<T: GemmScalar>(
    m: usize,
    n: usize,
    k: usize,
    a: MatRef<T>,
    b: MatRef<T>,
    c: &mut [T],
    ldc: usize,
) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(c.len() >= (m - 1) * ldc + n, "gemm: C too small");
    let (mr, nr, rep) = (T::MR, T::NR, T::A_REP);
    let kc_max = KC.min(k);
    let nc_max = NC.min(n).div_ceil(nr) * nr;
    let mc_max = MC.min(m).div_ceil(mr) * mr;
    let mut bpack = vec![T::default(); kc_max * nc_max];
    let mut apack = vec![T::default(); kc_max * mc_max * rep];
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            pack_b(&mut bpack, b, pc, kc, jc, nc);
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                pack_a(&mut apack, a, ic, mc, pc, kc);
                // One A micro-panel against every B micro-panel of the block: the A panel
                // stays in L1 and C is walked along its rows.
                for ir in (0..mc).step_by(mr) {
                    let nrows = mr.min(mc - ir);
                    let ap = apack[(ir / mr) * mr * rep * kc..].as_ptr();
                    for jr in (0..nc).step_by(nr) {
                        let ncols = nr.min(nc - jr);
                        let bp = bpack[(jr / nr) * nr * kc..].as_ptr();
                        let off = (ic + ir) * ldc + jc + jr;
                        // SAFETY: the panels hold kc*MR*A_REP / kc*NR values (zero-padded);
                        // the nrows×ncols tile at `off` lies inside C (checked by the assert).
                        unsafe { T::micro(kc, ap, bp, c.as_mut_ptr().add(off), ldc, nrows, ncols) };
                    }
                }
            }
        }
    }
}

/// `&[T]` as `&[U]` when `T` and `U` are the same type.
pub(crate) fn same_type<T: 'static, U: 'static>(s: &[T]) -> Option<&[U]> {
    if TypeId::of::<T>() == TypeId::of::<U>() {
        // SAFETY: T and U are the same type.
        Some(unsafe { std::slice::from_raw_parts(s.as_ptr() as *const U, s.len()) })
    } else {
        None
    }
}

pub(crate) fn same_type_mut<T: 'static, U: 'static>(s: &mut [T]) -> Option<&mut [U]> {
    if TypeId::of::<T>() == TypeId::of::<U>() {
        // SAFETY: T and U are the same type.
        Some(unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr() as *mut U, s.len()) })
    } else {
        None
    }
}

/// Run the blocked kernel when `T` is f32 or f64: `C += A·B` over strided operands; false
/// (nothing done) for other element types.
#[allow(clippy::too_many_arguments)]
pub(crate) fn try_gemm<T: 'static>(
    m: usize,
    n: usize,
    k: usize,
    a: &[T],
    (rsa, csa): (usize, usize),
    b: &[T],
    (rsb, csb): (usize, usize),
    c: &mut [T],
    ldc: usize,
) -> bool {
    fn go<U: GemmScalar>(
        m: usize,
        n: usize,
        k: usize,
        a: &[U],
        sa: (usize, usize),
        b: &[U],
        sb: (usize, usize),
        c: &mut [U],
        ldc: usize,
    ) {
        let a = MatRef {
            data: a,
            rs: sa.0,
            cs: sa.1,
        };
        let b = MatRef {
            data: b,
            rs: sb.0,
            cs: sb.1,
        };
        gemm(m, n, k, a, b, c, ldc)
    }
    if let (Some(a), Some(b)) = (same_type::<T, f32>(a), same_type::<T, f32>(b)) {
        let c = same_type_mut::<T, f32>(c).expect("same element type");
        go(m, n, k, a, (rsa, csa), b, (rsb, csb), c, ldc);
        return true;
    }
    if let (Some(a), Some(b)) = (same_type::<T, f64>(a), same_type::<T, f64>(b)) {
        let c = same_type_mut::<T, f64>(c).expect("same element type");
        go(m, n, k, a, (rsa, csa), b, (rsb, csb), c, ldc);
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(m: usize, n: usize, k: usize, a: MatRef<f64>, b: MatRef<f64>) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0;
                for p in 0..k {
                    s += a.data[i * a.rs + p * a.cs] * b.data[p * b.rs + j * b.cs];
                }
                c[i * n + j] = s;
            }
        }
        c
    }

    fn data(len: usize, seed: u64) -> Vec<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..len)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 33) as f64 / (1u64 << 31) as f64) * 2.0 - 1.0
            })
            .collect()
    }

    /// Every combination of row-major / transposed operands on sizes around the tile and
    /// block edges, f32 and f64, against the unblocked reference.
    #[test]
    fn matches_reference_on_odd_sizes_and_layouts() {
        let sizes = [
            (1, 1, 1),
            (1, 7, 3),
            (5, 1, 9),
            (3, 5, 0),
            (7, 9, 11),
            (6, 8, 1),
            (13, 17, 300),
            (65, 33, 257),
            (70, 1030, 5),
        ];
        for &(m, n, k) in &sizes {
            let ad = data(m * k + 3, 1);
            let bd = data(k * n + 3, 2);
            for &ta in &[false, true] {
                for &tb in &[false, true] {
                    // offset 3 into the data: views need not start at 0
                    let a = MatRef {
                        data: &ad[3..],
                        rs: if ta { 1 } else { k },
                        cs: if ta { m } else { 1 },
                    };
                    let b = MatRef {
                        data: &bd[3..],
                        rs: if tb { 1 } else { n },
                        cs: if tb { k } else { 1 },
                    };
                    let want = reference(m, n, k, a, b);
                    let mut c = vec![0.0f64; m * n];
                    gemm(m, n, k, a, b, &mut c, n);
                    for (x, y) in c.iter().zip(&want) {
                        assert!(
                            (x - y).abs() <= 1e-12 * (k as f64 + 1.0),
                            "f64 {m}x{n}x{k} ta={ta} tb={tb}: {x} vs {y}"
                        );
                    }
                    let af: Vec<f32> = ad.iter().map(|&v| v as f32).collect();
                    let bf: Vec<f32> = bd.iter().map(|&v| v as f32).collect();
                    let a32 = MatRef {
                        data: &af[3..],
                        rs: a.rs,
                        cs: a.cs,
                    };
                    let b32 = MatRef {
                        data: &bf[3..],
                        rs: b.rs,
                        cs: b.cs,
                    };
                    let mut c32 = vec![0.0f32; m * n];
                    gemm(m, n, k, a32, b32, &mut c32, n);
                    for (x, y) in c32.iter().zip(&want) {
                        assert!(
                            ((*x as f64) - y).abs() <= 1e-5 * (k as f64 + 1.0),
                            "f32 {m}x{n}x{k} ta={ta} tb={tb}: {x} vs {y}"
                        );
                    }
                }
            }
        }
    }

    /// Padded and non-unit strides on both operands (sub-matrix views, every other column,
    /// transposed views with a leading dimension larger than the extent), on sizes that cross
    /// the KC/MC/NC blocks and leave partial tiles and partial 4-deep transpose blocks.
    #[test]
    fn matches_reference_on_strided_views() {
        let sizes = [
            (5, 9, 7),
            (131, 37, 301),
            (9, 521, 66),
            (4, 8, 4),
            (3, 13, 259),
        ];
        for &(m, n, k) in &sizes {
            // (row stride, column stride, elements needed) for A [m×k] and B [k×n]
            let a_layouts = [
                (k + 5, 1),     // row-major with padding
                (1, m + 3),     // column-major with padding
                (2 * k + 1, 2), // every other column of a wider matrix
                (3, 3 * m + 1), // neither stride 1
                (0, 1),         // one row repeated (an expanded operand)
                (0, 0),         // one value repeated
            ];
            let b_layouts = [(n + 3, 1), (1, k + 2), (2, 2 * k + 3), (2 * n, 2), (0, 0)];
            for (ai, &(rsa, csa)) in a_layouts.iter().enumerate() {
                for (bi, &(rsb, csb)) in b_layouts.iter().enumerate() {
                    let ad = data((m - 1) * rsa + (k - 1) * csa + 1, 10 + ai as u64);
                    let bd = data((k - 1) * rsb + (n - 1) * csb + 1, 20 + bi as u64);
                    let a = MatRef {
                        data: &ad[..],
                        rs: rsa,
                        cs: csa,
                    };
                    let b = MatRef {
                        data: &bd[..],
                        rs: rsb,
                        cs: csb,
                    };
                    let want = reference(m, n, k, a, b);
                    let af: Vec<f32> = ad.iter().map(|&v| v as f32).collect();
                    let bf: Vec<f32> = bd.iter().map(|&v| v as f32).collect();
                    let mut c32 = vec![0.0f32; m * n];
                    gemm(
                        m,
                        n,
                        k,
                        MatRef {
                            data: &af[..],
                            rs: rsa,
                            cs: csa,
                        },
                        MatRef {
                            data: &bf[..],
                            rs: rsb,
                            cs: csb,
                        },
                        &mut c32,
                        n,
                    );
                    let mut c64 = vec![0.0f64; m * n];
                    gemm(m, n, k, a, b, &mut c64, n);
                    for i in 0..m * n {
                        let tol = 1e-5 * (k as f64 + 1.0);
                        assert!(
                            (c32[i] as f64 - want[i]).abs() <= tol,
                            "f32 {m}x{n}x{k} A{ai} B{bi} at {i}: {} vs {}",
                            c32[i],
                            want[i]
                        );
                        assert!((c64[i] - want[i]).abs() <= 1e-12 * (k as f64 + 1.0));
                    }
                }
            }
        }
    }

    #[test]
    fn accumulates_into_c_with_leading_dimension() {
        let (m, n, k) = (5, 3, 4);
        let ad = data(m * k, 3);
        let bd = data(k * n, 4);
        let a = MatRef {
            data: &ad[..],
            rs: k,
            cs: 1,
        };
        let b = MatRef {
            data: &bd[..],
            rs: n,
            cs: 1,
        };
        let want = reference(m, n, k, a, b);
        let ldc = 7;
        let mut c = vec![1.0f64; m * ldc];
        gemm(m, n, k, a, b, &mut c, ldc);
        for i in 0..m {
            for j in 0..ldc {
                let expect = if j < n { 1.0 + want[i * n + j] } else { 1.0 };
                assert!((c[i * ldc + j] - expect).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn only_floats_take_the_blocked_path() {
        let mut c = vec![0i32; 1];
        assert!(!try_gemm(
            1,
            1,
            1,
            &[2i32],
            (1, 1),
            &[3i32],
            (1, 1),
            &mut c,
            1
        ));
        let mut c = vec![0f32; 1];
        assert!(try_gemm(
            1,
            1,
            1,
            &[2f32],
            (1, 1),
            &[3f32],
            (1, 1),
            &mut c,
            1
        ));
        assert_eq!(c[0], 6.0);
    }
}
