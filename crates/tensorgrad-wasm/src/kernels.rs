//! An external kernel provider implemented in JavaScript: `packages/tensorgrad/src/backend.ts`
//! composes the user's provider (the gpu.js backend) with the matmul thread pool and installs
//! the result here. The core offers it float32 operands for matmul (row-major or transposed), elementwise and scalar ops, full
//! sums and the conv2d products; the provider returns a `Float32Array` of the result, a device
//! array (an object with `length`, `download()` and `release()`, e.g. wrapping a GPU texture),
//! or `undefined` to let the WASM kernel run. A provider that throws is treated as declining,
//! so a broken GPU context never breaks a computation.
//!
//! Each operand is passed twice: as a view of WASM memory (empty when the data lives on the
//! device only) and as the device array it lives in (`undefined` for host data). A device
//! array returned by the provider becomes the tensor's storage; when the last tensor sharing
//! it is freed (dispose, tidy, or the garbage collector's finalizer) its `release()` is called.
//!
//! A product the user's provider declines is offered once more to `matmulInto` (the pool) with
//! host views only and the output to write in place; it never sees a device array.
//!
//! Which methods exist (`has*`) and the smallest products worth offering (`matmulMinWork`,
//! `matmulIntoMinWork`) are read once, at install (`offers`): with only the pool installed (the
//! default when threads are on), elementwise ops are not even prepared for a provider, and
//! small products never cross into JavaScript.

use std::any::Any;
use std::rc::Rc;
use tensorgrad_core::{
    set_kernel_provider, BinaryKind, ConvGeometry, ConvKind, DeviceData, DeviceHandle,
    KernelProvider, Offer, Operand, Output, UnaryKind,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `{ resident, matmul, matmulInto, binary, scalar, unary, sum, conv2d, matmulMinWork,
    /// matmulIntoMinWork, hasBinary, hasScalar, hasUnary, hasSum, hasConv2d }` (see
    /// packages/tensorgrad's backend.ts); the array arguments are views of WASM memory, valid
    /// only during the call (`matmulInto`'s `c` is written in place).
    pub type JsKernels;
    #[wasm_bindgen(method, getter)]
    fn resident(this: &JsKernels) -> bool;
    #[wasm_bindgen(method, getter, js_name = matmulMinWork)]
    fn matmul_min_work(this: &JsKernels) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = matmulIntoMinWork)]
    fn matmul_into_min_work(this: &JsKernels) -> Option<f64>;
    #[wasm_bindgen(method, getter, js_name = hasBinary)]
    fn has_binary(this: &JsKernels) -> bool;
    #[wasm_bindgen(method, getter, js_name = hasScalar)]
    fn has_scalar(this: &JsKernels) -> bool;
    #[wasm_bindgen(method, getter, js_name = hasUnary)]
    fn has_unary(this: &JsKernels) -> bool;
    #[wasm_bindgen(method, getter, js_name = hasSum)]
    fn has_sum(this: &JsKernels) -> bool;
    #[wasm_bindgen(method, getter, js_name = hasConv2d)]
    fn has_conv2d(this: &JsKernels) -> bool;
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
        da: &JsValue,
        db: &JsValue,
    ) -> Result<JsValue, JsValue>;
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
        da: &JsValue,
        db: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = scalar)]
    fn scalar_js(
        this: &JsKernels,
        op: &str,
        x: &[f32],
        s: f32,
        scalar_first: bool,
        dx: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = unary)]
    fn unary_js(this: &JsKernels, op: &str, x: &[f32], dx: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = sum)]
    fn sum_js(this: &JsKernels, x: &[f32], dx: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = conv2d)]
    fn conv2d_js(
        this: &JsKernels,
        kind: &str,
        a: &[f32],
        b: &[f32],
        geom: &[u32],
        da: &JsValue,
        db: &JsValue,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = Float32Array)]
    type JsFloat32Array;
    /// `subarray(0)`: the whole array, copied into a Vec by the binding.
    #[wasm_bindgen(method, js_name = subarray)]
    fn all(this: &JsFloat32Array, begin: u32) -> Vec<f32>;

    /// A provider's device array.
    type JsDeviceArray;
    #[wasm_bindgen(method, getter)]
    fn length(this: &JsDeviceArray) -> f64;
    #[wasm_bindgen(method, catch)]
    fn download(this: &JsDeviceArray) -> Result<Option<Vec<f32>>, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn release(this: &JsDeviceArray) -> Result<(), JsValue>;
}

/// A device array held by a tensor storage; dropping it releases the device memory.
struct JsDevice {
    handle: JsDeviceArray,
    len: usize,
}

impl DeviceData for JsDevice {
    fn len(&self) -> usize {
        self.len
    }
    fn download(&self) -> Option<Vec<f32>> {
        self.handle.download().ok().flatten()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for JsDevice {
    fn drop(&mut self) {
        let _ = self.handle.release();
    }
}

struct JsProvider {
    k: JsKernels,
    resident: bool,
    /// None: no such method; otherwise the smallest m·k·n offered to JavaScript.
    matmul_min_work: Option<f64>,
    matmul_into_min_work: Option<f64>,
    binary: bool,
    scalar: bool,
    unary: bool,
    sum: bool,
    conv2d: bool,
}

/// Whether an m·k·n product reaches `min` (None: the method is absent).
fn offered(min: Option<f64>, m: usize, k: usize, n: usize) -> bool {
    min.is_some_and(|w| (m as f64) * (k as f64) * (n as f64) >= w)
}

/// An operand's host view (empty when it lives on the device) and its device array.
fn split(x: Operand<'_>) -> Option<(&[f32], JsValue)> {
    match x {
        Operand::Host(s) => Some((s, JsValue::UNDEFINED)),
        Operand::Device(d) => {
            let js = d.as_any().downcast_ref::<JsDevice>()?;
            Some((&[], js.handle.clone().into()))
        }
    }
}

/// A provider's answer: undefined/null declines, a Float32Array is host data, anything else a
/// device array (its `length` must be a non-negative integer).
fn output(r: Result<JsValue, JsValue>) -> Option<Output> {
    let v = r.ok()?;
    if v.is_undefined() || v.is_null() {
        return None;
    }
    if let Some(a) = v.dyn_ref::<JsFloat32Array>() {
        return Some(Output::Host(a.all(0)));
    }
    if !v.is_object() {
        return None;
    }
    let handle: JsDeviceArray = v.unchecked_into();
    let len = handle.length();
    if !(len >= 0.0 && len.fract() == 0.0 && len <= u32::MAX as f64) {
        return None;
    }
    let d: DeviceHandle = Rc::new(JsDevice {
        handle,
        len: len as usize,
    });
    Some(Output::Device(d))
}

impl KernelProvider for JsProvider {
    fn matmul_f32(
        &self,
        a: Operand,
        b: Operand,
        m: usize,
        k: usize,
        n: usize,
        ta: bool,
        tb: bool,
    ) -> Option<Output> {
        if !offered(self.matmul_min_work, m, k, n) {
            return None;
        }
        let ((a, da), (b, db)) = (split(a)?, split(b)?);
        let r = self
            .k
            .matmul_js(a, b, m as u32, k as u32, n as u32, ta, tb, &da, &db);
        output(r)
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
        if !offered(self.matmul_into_min_work, m, k, n) {
            return false;
        }
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
    fn binary_f32(&self, op: BinaryKind, a: Operand, b: Operand) -> Option<Output> {
        if !self.binary {
            return None;
        }
        let ((a, da), (b, db)) = (split(a)?, split(b)?);
        output(self.k.binary_js(op.name(), a, b, &da, &db))
    }
    fn scalar_f32(&self, op: BinaryKind, x: Operand, s: f32, first: bool) -> Option<Output> {
        if !self.scalar {
            return None;
        }
        let (x, dx) = split(x)?;
        output(self.k.scalar_js(op.name(), x, s, first, &dx))
    }
    fn unary_f32(&self, op: UnaryKind, x: Operand) -> Option<Output> {
        if !self.unary {
            return None;
        }
        let (x, dx) = split(x)?;
        output(self.k.unary_js(op.name(), x, &dx))
    }
    fn sum_f32(&self, x: Operand) -> Option<Output> {
        if !self.sum {
            return None;
        }
        let (x, dx) = split(x)?;
        output(self.k.sum_js(x, &dx))
    }
    fn conv2d_f32(
        &self,
        kind: ConvKind,
        a: Operand,
        b: Operand,
        g: &ConvGeometry,
    ) -> Option<Output> {
        if !self.conv2d {
            return None;
        }
        let ((a, da), (b, db)) = (split(a)?, split(b)?);
        let geom: Vec<u32> = [
            g.batch,
            g.groups,
            g.cin,
            g.cout,
            g.in_size[0],
            g.in_size[1],
            g.kernel[0],
            g.kernel[1],
            g.out_size[0],
            g.out_size[1],
            g.stride[0],
            g.stride[1],
            g.pad[0],
            g.pad[1],
            g.dilation[0],
            g.dilation[1],
        ]
        .iter()
        .map(|&v| v as u32)
        .collect();
        output(self.k.conv2d_js(kind.name(), a, b, &geom, &da, &db))
    }
    fn takes_device(&self) -> bool {
        self.resident
    }
    fn offers(&self, op: Offer) -> bool {
        match op {
            Offer::Matmul => self.matmul_min_work.is_some(),
            Offer::Binary => self.binary,
            Offer::Scalar => self.scalar,
            Offer::Unary => self.unary,
            Offer::Sum => self.sum,
            Offer::Conv2d => self.conv2d,
        }
    }
}

/// Install a JavaScript kernel provider, or remove it with `undefined`.
#[wasm_bindgen(js_name = setKernelProvider)]
pub fn set_kernel_provider_js(kernels: Option<JsKernels>) {
    set_kernel_provider(kernels.map(|k| {
        Rc::new(JsProvider {
            resident: k.resident(),
            matmul_min_work: k.matmul_min_work(),
            matmul_into_min_work: k.matmul_into_min_work(),
            binary: k.has_binary(),
            scalar: k.has_scalar(),
            unary: k.has_unary(),
            sum: k.has_sum(),
            conv2d: k.has_conv2d(),
            k,
        }) as Rc<dyn KernelProvider>
    }));
}
