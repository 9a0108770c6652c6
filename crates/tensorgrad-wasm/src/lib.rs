//! wasm-bindgen bindings of tensorgrad-core. Bindings only: every method forwards to the core
//! and turns its `Result` into a thrown JS `Error`, so no Rust panic is needed to report bad
//! input (a panic would abort the instance). Handles are freed by `free()` or, with
//! `--weak-refs`, when the JS object is garbage-collected.

use tensorgrad_core::autograd::grad as autograd_grad;
use tensorgrad_core::{manual_seed, DType, Tensor};
use wasm_bindgen::prelude::*;

type JsResult<T> = Result<T, JsError>;

fn err(e: tensorgrad_core::Error) -> JsError {
    JsError::new(e.message())
}

fn dtype(s: &str) -> JsResult<DType> {
    DType::parse(s).ok_or_else(|| JsError::new(&format!("unknown dtype '{}'", s)))
}

fn shape(s: &[u32]) -> Vec<usize> {
    s.iter().map(|&d| d as usize).collect()
}

fn dims(d: &[i32]) -> Vec<isize> {
    d.iter().map(|&x| x as isize).collect()
}

/// A tensor handle owned by JavaScript.
#[wasm_bindgen]
pub struct RawTensor {
    t: Tensor,
}

fn wrap(r: tensorgrad_core::Result<Tensor>) -> JsResult<RawTensor> {
    r.map(|t| RawTensor { t }).map_err(err)
}

#[wasm_bindgen]
impl RawTensor {
    // ---- creation ------------------------------------------------------------------------
    #[wasm_bindgen(js_name = fromF32)]
    pub fn from_f32(data: &[f32], shape_: &[u32]) -> JsResult<RawTensor> {
        wrap(Tensor::from_vec(data.to_vec(), shape(shape_)))
    }
    #[wasm_bindgen(js_name = fromF64)]
    pub fn from_f64(data: &[f64], shape_: &[u32], dtype_: &str) -> JsResult<RawTensor> {
        wrap(Tensor::from_f64_slice(data, shape(shape_), dtype(dtype_)?))
    }
    pub fn full(shape_: &[u32], value: f64, dtype_: &str) -> JsResult<RawTensor> {
        Ok(RawTensor {
            t: Tensor::full(&shape(shape_), value, dtype(dtype_)?),
        })
    }
    pub fn randn(shape_: &[u32], dtype_: &str) -> JsResult<RawTensor> {
        wrap(Tensor::randn(&shape(shape_), dtype(dtype_)?))
    }
    pub fn rand(shape_: &[u32], dtype_: &str) -> JsResult<RawTensor> {
        wrap(Tensor::rand(&shape(shape_), dtype(dtype_)?))
    }

    // ---- metadata ------------------------------------------------------------------------
    pub fn shape(&self) -> Vec<u32> {
        self.t.shape().iter().map(|&d| d as u32).collect()
    }
    pub fn ndim(&self) -> u32 {
        self.t.ndim() as u32
    }
    pub fn numel(&self) -> f64 {
        self.t.numel() as f64
    }
    pub fn dtype(&self) -> String {
        self.t.dtype().name().to_string()
    }
    #[wasm_bindgen(js_name = requiresGrad)]
    pub fn requires_grad(&self) -> bool {
        self.t.requires_grad()
    }
    #[wasm_bindgen(js_name = setRequiresGrad)]
    pub fn set_requires_grad(&self, flag: bool) -> JsResult<()> {
        self.t.set_requires_grad(flag).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = isLeaf)]
    pub fn is_leaf(&self) -> bool {
        self.t.is_leaf()
    }
    pub fn grad(&self) -> Option<RawTensor> {
        self.t.grad().map(|t| RawTensor { t })
    }
    #[wasm_bindgen(js_name = setGrad)]
    pub fn set_grad(&self, g: Option<RawTensor>) -> JsResult<()> {
        self.t.set_grad(g.map(|g| g.t)).map_err(err)
    }
    #[wasm_bindgen(js_name = gradFnName)]
    pub fn grad_fn_name(&self) -> Option<String> {
        self.t.grad_fn().map(|n| n.name().to_string())
    }
    #[wasm_bindgen(js_name = isContiguous)]
    pub fn is_contiguous(&self) -> bool {
        self.t.is_contiguous()
    }
    pub fn version(&self) -> f64 {
        self.t.version() as f64
    }
    #[wasm_bindgen(js_name = sharesStorage)]
    pub fn shares_storage(&self, other: &RawTensor) -> bool {
        self.t.shares_storage(&other.t)
    }

    // ---- data ----------------------------------------------------------------------------
    #[wasm_bindgen(js_name = toF64)]
    pub fn to_f64(&self) -> Vec<f64> {
        self.t.to_f64_vec()
    }
    #[wasm_bindgen(js_name = toF32)]
    pub fn to_f32(&self) -> Vec<f32> {
        self.t.to_f64_vec().into_iter().map(|v| v as f32).collect()
    }
    pub fn item(&self) -> JsResult<f64> {
        self.t.item().map_err(err)
    }
    pub fn repr(&self) -> String {
        self.t.to_repr()
    }

    // ---- ops -----------------------------------------------------------------------------
    pub fn add(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.add(&o.t))
    }
    pub fn sub(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.sub(&o.t))
    }
    pub fn mul(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.mul(&o.t))
    }
    pub fn div(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.div(&o.t))
    }
    pub fn pow(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.pow(&o.t))
    }
    #[wasm_bindgen(js_name = addScalar)]
    pub fn add_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.add_scalar(s))
    }
    #[wasm_bindgen(js_name = subScalar)]
    pub fn sub_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.sub_scalar(s))
    }
    #[wasm_bindgen(js_name = rsubScalar)]
    pub fn rsub_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.rsub_scalar(s))
    }
    #[wasm_bindgen(js_name = mulScalar)]
    pub fn mul_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.mul_scalar(s))
    }
    #[wasm_bindgen(js_name = divScalar)]
    pub fn div_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.div_scalar(s))
    }
    #[wasm_bindgen(js_name = rdivScalar)]
    pub fn rdiv_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.rdiv_scalar(s))
    }
    #[wasm_bindgen(js_name = powScalar)]
    pub fn pow_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.pow_scalar(s))
    }
    #[wasm_bindgen(js_name = rpowScalar)]
    pub fn rpow_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.rpow_scalar(s))
    }
    pub fn neg(&self) -> JsResult<RawTensor> {
        wrap(self.t.neg())
    }
    pub fn exp(&self) -> JsResult<RawTensor> {
        wrap(self.t.exp())
    }
    pub fn log(&self) -> JsResult<RawTensor> {
        wrap(self.t.log())
    }
    pub fn sum(&self) -> JsResult<RawTensor> {
        wrap(self.t.sum())
    }
    #[wasm_bindgen(js_name = sumDims)]
    pub fn sum_dims(&self, d: &[i32], keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.sum_dims(&dims(d), keepdim))
    }
    pub fn mean(&self) -> JsResult<RawTensor> {
        wrap(self.t.mean())
    }
    #[wasm_bindgen(js_name = meanDims)]
    pub fn mean_dims(&self, d: &[i32], keepdim: bool) -> JsResult<RawTensor> {
        wrap(self.t.mean_dims(&dims(d), keepdim))
    }
    pub fn matmul(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.matmul(&o.t))
    }
    pub fn mm(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.mm(&o.t))
    }
    pub fn reshape(&self, s: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.reshape(&dims(s)))
    }
    pub fn view(&self, s: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.view(&dims(s)))
    }
    pub fn expand(&self, s: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.expand(&dims(s)))
    }
    pub fn transpose(&self, d0: i32, d1: i32) -> JsResult<RawTensor> {
        wrap(self.t.transpose(d0 as isize, d1 as isize))
    }
    pub fn t(&self) -> JsResult<RawTensor> {
        wrap(self.t.t())
    }
    pub fn unsqueeze(&self, d: i32) -> JsResult<RawTensor> {
        wrap(self.t.unsqueeze(d as isize))
    }
    #[wasm_bindgen(js_name = squeezeDims)]
    pub fn squeeze_dims(&self, d: &[i32]) -> JsResult<RawTensor> {
        wrap(self.t.squeeze_dims(&dims(d)))
    }
    pub fn contiguous(&self) -> JsResult<RawTensor> {
        wrap(self.t.contiguous())
    }
    #[wasm_bindgen(js_name = cloneTensor)]
    pub fn clone_tensor(&self) -> JsResult<RawTensor> {
        wrap(self.t.clone_tensor())
    }
    #[wasm_bindgen(js_name = toDtype)]
    pub fn to_dtype(&self, d: &str) -> JsResult<RawTensor> {
        wrap(self.t.to_dtype(dtype(d)?))
    }
    pub fn detach(&self) -> RawTensor {
        RawTensor { t: self.t.detach() }
    }
    /// Another handle to the same tensor (JS wrappers that must not share a handle).
    pub fn alias(&self) -> RawTensor {
        RawTensor { t: self.t.clone() }
    }

    // ---- autograd ------------------------------------------------------------------------
    /// Takes ownership of `gradient`: pass an `alias()`.
    pub fn backward(
        &self,
        gradient: Option<RawTensor>,
        retain_graph: bool,
        create_graph: bool,
    ) -> JsResult<()> {
        let g = gradient.map(|g| g.t);
        self.t
            .backward(g.as_ref(), retain_graph, create_graph)
            .map_err(err)
    }
}

/// An ordered list of optional tensor handles, for calls that take or return several.
#[wasm_bindgen]
#[derive(Default)]
pub struct RawTensorList {
    items: Vec<Option<Tensor>>,
}

#[wasm_bindgen]
impl RawTensorList {
    #[wasm_bindgen(constructor)]
    pub fn new() -> RawTensorList {
        RawTensorList::default()
    }
    /// Takes ownership of the handle: pass `t.alias()` to keep using `t`.
    pub fn push(&mut self, t: Option<RawTensor>) {
        self.items.push(t.map(|t| t.t));
    }
    pub fn len(&self) -> u32 {
        self.items.len() as u32
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn get(&self, i: u32) -> Option<RawTensor> {
        self.items
            .get(i as usize)
            .cloned()
            .flatten()
            .map(|t| RawTensor { t })
    }
}

fn required(list: &RawTensorList, what: &str) -> JsResult<Vec<Tensor>> {
    list.items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.clone()
                .ok_or_else(|| JsError::new(&format!("{} {} is None", what, i)))
        })
        .collect()
}

/// `torch.autograd.grad`.
#[wasm_bindgen(js_name = autogradGrad)]
pub fn autograd_grad_js(
    outputs: &RawTensorList,
    inputs: &RawTensorList,
    grad_outputs: &RawTensorList,
    retain_graph: bool,
    create_graph: bool,
    allow_unused: bool,
) -> JsResult<RawTensorList> {
    let outs = required(outputs, "output")?;
    let ins = required(inputs, "input")?;
    let res = autograd_grad(
        &outs,
        &ins,
        &grad_outputs.items,
        retain_graph,
        create_graph,
        allow_unused,
    )
    .map_err(err)?;
    Ok(RawTensorList { items: res })
}

#[wasm_bindgen(js_name = manualSeed)]
pub fn manual_seed_js(seed: f64) -> JsResult<()> {
    if !(seed.is_finite() && seed >= 0.0 && seed.fract() == 0.0) {
        return Err(JsError::new(&format!(
            "manualSeed expects a non-negative integer, got {}",
            seed
        )));
    }
    manual_seed(seed as u64);
    Ok(())
}

#[wasm_bindgen(js_name = isGradEnabled)]
pub fn is_grad_enabled() -> bool {
    tensorgrad_core::is_grad_enabled()
}

#[wasm_bindgen(js_name = setGradEnabled)]
pub fn set_grad_enabled(enabled: bool) {
    tensorgrad_core::set_grad_enabled(enabled)
}

#[wasm_bindgen]
pub fn version() -> String {
    tensorgrad_core::version().to_string()
}
