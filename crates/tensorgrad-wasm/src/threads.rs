//! Raw exports for the matmul thread pool (`packages/tensorgrad/src/threads.ts`). Each worker
//! instantiates this same module and runs the core's blocked GEMM on its own memory; the main
//! thread runs its share in place, re-entrantly from inside the kernel-provider callback (these
//! functions touch no tensor, graph or thread-local state, so that is safe). Addresses are byte
//! offsets into this instance's memory; strides and lengths count float32 elements.

use std::alloc::{alloc, dealloc, Layout};
use tensorgrad_core::kernels::gemm::{gemm, MatRef};
use wasm_bindgen::prelude::*;

fn memory_len() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size::<0>() as u64 * 65536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// The byte range `[start, end)` of a strided `rows×cols` f32 matrix at `addr`, if it lies in
/// memory and is aligned.
fn extent(addr: u32, rows: u32, cols: u32, rs: u32, cs: u32) -> Option<(u64, u64)> {
    if addr % 4 != 0 {
        return None;
    }
    let last = (rows as u64 - 1) * rs as u64 + (cols as u64 - 1) * cs as u64;
    let end = addr as u64 + (last + 1) * 4;
    (end <= memory_len()).then_some((addr as u64, end))
}

/// `C[m×n] += op(A)·op(B)` where `op(A)[i,p]` is at `a + 4·(i·rsa + p·csa)`, `op(B)[p,j]` at
/// `b + 4·(p·rsb + j·csb)` and `C[i,j]` at `c + 4·(i·ldc + j)`. Returns false (memory untouched)
/// when a matrix falls outside memory or C overlaps A or B.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = gemmF32Raw)]
pub fn gemm_f32_raw(
    m: u32,
    n: u32,
    k: u32,
    a: u32,
    rsa: u32,
    csa: u32,
    b: u32,
    rsb: u32,
    csb: u32,
    c: u32,
    ldc: u32,
) -> bool {
    if m == 0 || n == 0 || k == 0 {
        return true;
    }
    if ldc < n {
        return false;
    }
    let (Some(ra), Some(rb), Some(rc)) = (
        extent(a, m, k, rsa, csa),
        extent(b, k, n, rsb, csb),
        extent(c, m, n, ldc, 1),
    ) else {
        return false;
    };
    let disjoint = |x: (u64, u64), y: (u64, u64)| x.1 <= y.0 || y.1 <= x.0;
    if !disjoint(rc, ra) || !disjoint(rc, rb) {
        return false;
    }
    let len = |r: (u64, u64)| ((r.1 - r.0) / 4) as usize;
    // SAFETY: the ranges were checked to lie inside linear memory, aligned, with C disjoint
    // from A and B. The caller (the pool) owns these regions for the duration of the call; on
    // the main thread C is the output slice the core handed to the provider.
    unsafe {
        let da = std::slice::from_raw_parts(a as usize as *const f32, len(ra));
        let db = std::slice::from_raw_parts(b as usize as *const f32, len(rb));
        let dc = std::slice::from_raw_parts_mut(c as usize as *mut f32, len(rc));
        let ma = MatRef {
            data: da,
            rs: rsa as usize,
            cs: csa as usize,
        };
        let mb = MatRef {
            data: db,
            rs: rsb as usize,
            cs: csb as usize,
        };
        gemm(m as usize, n as usize, k as usize, ma, mb, dc, ldc as usize);
    }
    true
}

fn layout(bytes: u32) -> Option<Layout> {
    Layout::from_size_align(bytes.max(16) as usize, 16).ok()
}

/// A 16-byte-aligned scratch block of `bytes` for a worker's operands; 0 when out of memory.
#[wasm_bindgen(js_name = threadsAlloc)]
pub fn threads_alloc(bytes: u32) -> u32 {
    match layout(bytes) {
        // SAFETY: the layout has a non-zero size.
        Some(l) => unsafe { alloc(l) as usize as u32 },
        None => 0,
    }
}

/// Free a block from `threadsAlloc` (same `bytes`).
#[wasm_bindgen(js_name = threadsFree)]
pub fn threads_free(ptr: u32, bytes: u32) {
    if let (Some(l), true) = (layout(bytes), ptr != 0) {
        // SAFETY: `ptr` came from threads_alloc with this layout (the pool's contract).
        unsafe { dealloc(ptr as usize as *mut u8, l) }
    }
}
