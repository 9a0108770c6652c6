//! An external kernel provider implemented in JavaScript (the gpu.js backend): the core offers
//! it contiguous float32 data for matmul (row-major or transposed operands), large elementwise
//! ops and full sums; the provider returns a `Float32Array` of the result, or `undefined` to let
//! the WASM kernel run. A provider that throws is treated as declining, so a broken GPU context
//! never breaks a computation.

use std::rc::Rc;
use tensorgrad_core::{set_kernel_provider, BinaryKind, KernelProvider, UnaryKind};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `{ matmul(a, b, m, k, n, transA, transB), binary(op, a, b), unary(op, x), sum(x) }`; the
    /// array arguments are views of WASM memory, valid only during the call (copy them).
    pub type JsKernels;
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(method, catch, js_name = matmul)]
    fn matmul_js(
        this: &JsKernels,
        a: &[f32],
        b: &[f32],
        m: u32,
        k: u32,
        n: u32,
        trans_a: bool,
        trans_b: bool,
    ) -> Result<Option<Vec<f32>>, JsValue>;
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
}

struct JsProvider {
    k: JsKernels,
}

impl KernelProvider for JsProvider {
    fn matmul_f32(
        &self,
        a: &[f32],
        b: &[f32],
        m: usize,
        k: usize,
        n: usize,
        ta: bool,
        tb: bool,
    ) -> Option<Vec<f32>> {
        self.k
            .matmul_js(a, b, m as u32, k as u32, n as u32, ta, tb)
            .ok()
            .flatten()
    }
    fn binary_f32(&self, op: BinaryKind, a: &[f32], b: &[f32]) -> Option<Vec<f32>> {
        self.k.binary_js(op.name(), a, b).ok().flatten()
    }
    fn unary_f32(&self, op: UnaryKind, x: &[f32]) -> Option<Vec<f32>> {
        self.k.unary_js(op.name(), x).ok().flatten()
    }
    fn sum_f32(&self, x: &[f32]) -> Option<f32> {
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
    set_kernel_provider(kernels.map(|k| Rc::new(JsProvider { k }) as Rc<dyn KernelProvider>));
}
