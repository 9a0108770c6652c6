//! Cache-blocked, register-tiled matrix product for f32 and f64 (`C += A·B`).
//!
//! Operands are read through (row stride, column stride) pairs, so row-major, transposed
//! (column-major) and other strided views need no copy beyond the packing every blocked GEMM
//! does: for each `KC`-deep slice of `k`, an `NC`-wide block of B is packed into `NR`-column
//! panels and an `MC`-high block of A into `MR`-row panels (zero-padded at the edges), then a
//! micro-kernel keeps an `MR×NR` tile of C in registers over the whole slice.
//!
//! The f32 micro-kernel uses wasm SIMD128 intrinsics when built for wasm32 with `simd128`
//! (the project's wasm build enables it); elsewhere, and for f64, a portable kernel over
//! fixed-size arrays that LLVM vectorises. `kernels::reference_matmul` is the unblocked kernel
//! the tests compare against.

use std::any::TypeId;

const KC: usize = 256;
const MC: usize = 64;
const NC: usize = 256;

/// Element types with a blocked kernel: the tile shape and the micro-kernel.
pub trait GemmScalar:
    Copy + Default + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> + 'static
{
    const MR: usize;
    const NR: usize;
    /// `c[i*ldc + j] += Σ_p ap[p*MR + i] * bp[p*NR + j]` for `i < mr`, `j < nr` (the panels
    /// are zero-padded to `MR`/`NR`).
    ///
    /// # Safety
    /// `ap` holds `kc*MR` values, `bp` `kc*NR`, and `c` is valid for the `mr×nr` tile at `ldc`.
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

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl GemmScalar for f32 {
    const MR: usize = 4;
    const NR: usize = 16;
    unsafe fn micro(
        kc: usize,
        ap: *const f32,
        bp: *const f32,
        c: *mut f32,
        ldc: usize,
        mr: usize,
        nr: usize,
    ) {
        micro_portable::<f32, 4, 16>(kc, ap, bp, c, ldc, mr, nr)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl GemmScalar for f32 {
    const MR: usize = 6;
    const NR: usize = 8;
    unsafe fn micro(
        kc: usize,
        ap: *const f32,
        bp: *const f32,
        c: *mut f32,
        ldc: usize,
        mr: usize,
        nr: usize,
    ) {
        simd::micro_6x8(kc, ap, bp, c, ldc, mr, nr)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    /// 6×8 f32 tile: 12 accumulators (two f32x4 per row), B rows loaded as two vectors, each A
    /// value splatted from memory. 16 live vectors fit the 16 xmm registers V8 allocates.
    #[inline(always)]
    pub(super) unsafe fn micro_6x8(
        kc: usize,
        ap: *const f32,
        bp: *const f32,
        c: *mut f32,
        ldc: usize,
        mr: usize,
        nr: usize,
    ) {
        let z = f32x4_splat(0.0);
        let (mut c00, mut c01, mut c10, mut c11, mut c20, mut c21) = (z, z, z, z, z, z);
        let (mut c30, mut c31, mut c40, mut c41, mut c50, mut c51) = (z, z, z, z, z, z);
        let mut a = ap;
        let mut b = bp;
        for _ in 0..kc {
            let b0 = v128_load(b as *const v128);
            let b1 = v128_load(b.add(4) as *const v128);
            let a0 = v128_load32_splat(a as *const u32);
            let a1 = v128_load32_splat(a.add(1) as *const u32);
            c00 = f32x4_add(c00, f32x4_mul(a0, b0));
            c01 = f32x4_add(c01, f32x4_mul(a0, b1));
            c10 = f32x4_add(c10, f32x4_mul(a1, b0));
            c11 = f32x4_add(c11, f32x4_mul(a1, b1));
            let a2 = v128_load32_splat(a.add(2) as *const u32);
            let a3 = v128_load32_splat(a.add(3) as *const u32);
            c20 = f32x4_add(c20, f32x4_mul(a2, b0));
            c21 = f32x4_add(c21, f32x4_mul(a2, b1));
            c30 = f32x4_add(c30, f32x4_mul(a3, b0));
            c31 = f32x4_add(c31, f32x4_mul(a3, b1));
            let a4 = v128_load32_splat(a.add(4) as *const u32);
            let a5 = v128_load32_splat(a.add(5) as *const u32);
            c40 = f32x4_add(c40, f32x4_mul(a4, b0));
            c41 = f32x4_add(c41, f32x4_mul(a4, b1));
            c50 = f32x4_add(c50, f32x4_mul(a5, b0));
            c51 = f32x4_add(c51, f32x4_mul(a5, b1));
            a = a.add(6);
            b = b.add(8);
        }
        let rows = [
            (c00, c01),
            (c10, c11),
            (c20, c21),
            (c30, c31),
            (c40, c41),
            (c50, c51),
        ];
        if nr == 8 {
            for (i, &(lo, hi)) in rows.iter().enumerate().take(mr) {
                let p = c.add(i * ldc);
                v128_store(p as *mut v128, f32x4_add(v128_load(p as *const v128), lo));
                let q = p.add(4);
                v128_store(q as *mut v128, f32x4_add(v128_load(q as *const v128), hi));
            }
        } else {
            let mut tile = [0f32; 48];
            for (i, &(lo, hi)) in rows.iter().enumerate() {
                v128_store(tile.as_mut_ptr().add(i * 8) as *mut v128, lo);
                v128_store(tile.as_mut_ptr().add(i * 8 + 4) as *mut v128, hi);
            }
            for i in 0..mr {
                for j in 0..nr {
                    *c.add(i * ldc + j) += tile[i * 8 + j];
                }
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

/// Pack rows `r0..r0+mc`, columns `p0..p0+kc` of `a` into `MR`-row panels (`p`-major inside).
fn pack_a<T: GemmScalar>(dst: &mut [T], a: MatRef<T>, r0: usize, mc: usize, p0: usize, kc: usize) {
    let mr = T::MR;
    let mut o = 0;
    for ir in (0..mc).step_by(mr) {
        let rows = mr.min(mc - ir);
        for p in 0..kc {
            let col = (p0 + p) * a.cs;
            for i in 0..rows {
                dst[o + i] = a.data[(r0 + ir + i) * a.rs + col];
            }
            for i in rows..mr {
                dst[o + i] = T::default();
            }
            o += mr;
        }
    }
}

/// Pack rows `p0..p0+kc`, columns `c0..c0+nc` of `b` into `NR`-column panels (`p`-major inside).
fn pack_b<T: GemmScalar>(dst: &mut [T], b: MatRef<T>, p0: usize, kc: usize, c0: usize, nc: usize) {
    let nr = T::NR;
    let mut o = 0;
    for jr in (0..nc).step_by(nr) {
        let cols = nr.min(nc - jr);
        for p in 0..kc {
            let row = (p0 + p) * b.rs;
            if b.cs == 1 {
                let s = row + c0 + jr;
                dst[o..o + cols].copy_from_slice(&b.data[s..s + cols]);
            } else {
                for j in 0..cols {
                    dst[o + j] = b.data[row + (c0 + jr + j) * b.cs];
                }
            }
            for j in cols..nr {
                dst[o + j] = T::default();
            }
            o += nr;
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
    let (mr, nr) = (T::MR, T::NR);
    let kc_max = KC.min(k);
    let nc_max = NC.min(n).div_ceil(nr) * nr;
    let mc_max = MC.min(m).div_ceil(mr) * mr;
    let mut bpack = vec![T::default(); kc_max * nc_max];
    let mut apack = vec![T::default(); kc_max * mc_max];
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            pack_b(&mut bpack, b, pc, kc, jc, nc);
            for ic in (0..m).step_by(MC) {
                let mc = MC.min(m - ic);
                pack_a(&mut apack, a, ic, mc, pc, kc);
                for jr in (0..nc).step_by(nr) {
                    let ncols = nr.min(nc - jr);
                    let bp = bpack[(jr / nr) * nr * kc..].as_ptr();
                    for ir in (0..mc).step_by(mr) {
                        let nrows = mr.min(mc - ir);
                        let ap = apack[(ir / mr) * mr * kc..].as_ptr();
                        let off = (ic + ir) * ldc + jc + jr;
                        // SAFETY: the panels hold kc*MR / kc*NR values (zero-padded); the
                        // nrows×ncols tile at `off` lies inside C (checked by the assert).
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
