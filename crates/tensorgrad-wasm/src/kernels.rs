//! An external kernel provider implemented in JavaScript: `packages/tensorgrad/src/backend.ts`
//! composes the user's provider (the gpu.js backend) with the matmul thread pool and installs
//! the result here. The core offers it contiguous float32 data for matmul (row-major or
//! transposed operands; C is written in place), large elementwise ops and full sums; each
//! method may decline. A provider that throws is treated as declining, so a broken GPU context
//! or worker never breaks a computation.

use std::rc::Rc;
use tensorgrad_core::{set_kernel_provider, BinaryKind, KernelProvider, UnaryKind};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `{ matmulInto(a, b, c, m, k, n, transA, transB), binary(op, a, b), unary(op, x), sum(x),
    /// matmulMinWork, hasBinary, hasUnary, hasSum }`. The array arguments are views of WASM
    /// memory, valid only during the call (`c` is written in place). The `has*` flags and
    /// `matmulMinWork` (the smallest m·k·n worth offering) are read once, at install, so a
    /// provider without elementwise kernels costs elementwise ops nothing.
    pub type JsKernels;
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(method, catch, js_name = matmulInto)]
    fn matmul_into_js(
        this: &JsKernels,
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        m: u32,
        k: u32,
        n: u32,
        trans_a: bool,
        trans_b: bool,
    ) -> Result<bool, JsValue>;
    #[wasm_bindgen(method, catch, js_name = binary)]
    fn binary_js(
        this: &JsKernels,
        op: &str,
        a: &[f32],
        b: &[f32],
    ) -> Result<Option<Vec<f32>>, JsValue>;
    #[wasm_bindgen(method, catch, js_name = unary)]
    fn unary_js(this: &JsKernels, op: &str, x: &[f32]) -> Result<Option<Vec<f32>>, JsValue>;
    #[wasm_bindgen(method, catch, js_name = sum)]
    fn sum_js(this: &JsKernels, x: &[f32]) -> Result<Option<Vec<f32>>, JsValue>;
    #[wasm_bindgen(method, getter, js_name = matmulMinWork)]
    fn matmul_min_work(this: &JsKernels) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = hasBinary)]
    fn has_binary(this: &JsKernels) -> bool;
    #[wasm_bindgen(method, getter, js_name = hasUnary)]
    fn has_unary(this: &JsKernels) -> bool;
    #[wasm_bindgen(method, getter, js_name = hasSum)]
    fn has_sum(this: &JsKernels) -> bool;
}

struct JsProvider {
    k: JsKernels,
    /// None: no matmul; otherwise the smallest m·k·n offered to JavaScript.
    matmul_min_work: Option<f64>,
    binary: bool,
    unary: bool,
    sum: bool,
}

impl KernelProvider for JsProvider {
    fn matmul_f32(
        &self,
        _a: &[f32],
        _b: &[f32],
        _m: usize,
        _k: usize,
        _n: usize,
        _ta: bool,
        _tb: bool,
    ) -> Option<Vec<f32>> {
        None // the core asks for matmul_into_f32; this form is never offered to JavaScript
    }
    fn matmul_into_f32(
        &self,
        a: &[f32],
        b: &[f32],
        m: usize,
        k: usize,
        n: usize,
        ta: bool,
        tb: bool,
        c: &mut [f32],
    ) -> bool {
        match self.matmul_min_work {
            Some(w) if (m as f64) * (k as f64) * (n as f64) >= w => {
                let ok = self
                    .k
                    .matmul_into_js(a, b, c, m as u32, k as u32, n as u32, ta, tb)
                    .unwrap_or(false);
                if !ok {
                    // The CPU kernel accumulates into C: undo anything written before declining.
                    c.fill(0.0);
                }
                ok
            }
            _ => false,
        }
    }
    fn binary_f32(&self, op: BinaryKind, a: &[f32], b: &[f32]) -> Option<Vec<f32>> {
        if !self.binary {
            return None;
        }
        self.k.binary_js(op.name(), a, b).ok().flatten()
    }
    fn unary_f32(&self, op: UnaryKind, x: &[f32]) -> Option<Vec<f32>> {
        if !self.unary {
            return None;
        }
        self.k.unary_js(op.name(), x).ok().flatten()
    }
    fn sum_f32(&self, x: &[f32]) -> Option<f32> {
        if !self.sum {
            return None;
        }
        self.k
            .sum_js(x)
            .ok()
            .flatten()
            .filter(|v| v.len() == 1)
            .map(|v| v[0])
    }
}

/// Install a JavaScript kernel provider, or remove it with `undefined`.
#[wasm_bindgen(js_name = setKernelProvider)]
pub fn set_kernel_provider_js(kernels: Option<JsKernels>) {
    set_kernel_provider(kernels.map(|k| {
        Rc::new(JsProvider {
            matmul_min_work: k.matmul_min_work(),
            binary: k.has_binary(),
            unary: k.has_unary(),
            sum: k.has_sum(),
            k,
        }) as Rc<dyn KernelProvider>
    }));
}
