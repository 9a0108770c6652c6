//! wasm-bindgen bindings of tensorgrad-core. Bindings only: every method forwards to the core
//! and turns its `Result` into a thrown JS `Error`, so no Rust panic is needed to report bad
//! input (a panic would abort the instance). Handles are freed by `free()` or, with
//! `--weak-refs`, when the JS object is garbage-collected.

mod amp;
mod callbacks;
mod kernels;
mod ops_conv;
mod ops_indexing;
mod ops_linalg;
mod ops_nn;
mod ops_pointwise;
mod ops_reductions;
mod ops_views;
mod threads;

use callbacks::{take_js_error, JsFn};
use std::rc::Rc;
use tensorgrad_core::autograd::grad as autograd_grad;
use tensorgrad_core::autograd::node::Node;
use tensorgrad_core::{manual_seed, DType, Tensor};
use wasm_bindgen::prelude::*;

/// Errors cross as JS values: a core error becomes an `Error` with PyTorch's message; an
/// exception thrown by a user callback (hook, custom backward) is rethrown unchanged.
pub(crate) type JsResult<T> = Result<T, JsValue>;

pub(crate) fn err(e: tensorgrad_core::Error) -> JsValue {
    take_js_error().unwrap_or_else(|| JsError::new(e.message()).into())
}

pub(crate) fn js_err(msg: &str) -> JsValue {
    JsError::new(msg).into()
}

pub(crate) fn dtype(s: &str) -> JsResult<DType> {
    DType::parse(s).ok_or_else(|| js_err(&format!("unknown dtype '{}'", s)))
}

pub(crate) fn shape(s: &[u32]) -> Vec<usize> {
    s.iter().map(|&d| d as usize).collect()
}

pub(crate) fn dims(d: &[i32]) -> Vec<isize> {
    d.iter().map(|&x| x as isize).collect()
}

/// A tensor handle owned by JavaScript.
#[wasm_bindgen]
pub struct RawTensor {
    pub(crate) t: Tensor,
}

pub(crate) fn wrap(r: tensorgrad_core::Result<Tensor>) -> JsResult<RawTensor> {
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
    /// Byte address in WASM memory of contiguous float32/float64 data, or 0: JS copies the
    /// data out with one `TypedArray.slice()` instead of two copies through a Vec.
    #[wasm_bindgen(js_name = dataPtr)]
    pub fn data_ptr(&self) -> u32 {
        if self.t.numel() == 0 {
            return 0;
        }
        self.t.contiguous_f32_f64_ptr().map_or(0, |p| p as u32)
    }
    #[wasm_bindgen(js_name = toF32)]
    pub fn to_f32(&self) -> Vec<f32> {
        // float32 data is copied as it is (no round trip through f64)
        if let Ok(v) = self.t.to_vec::<f32>() {
            return v;
        }
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

    pub fn sin(&self) -> JsResult<RawTensor> {
        wrap(self.t.sin())
    }
    pub fn cos(&self) -> JsResult<RawTensor> {
        wrap(self.t.cos())
    }
    pub fn tanh(&self) -> JsResult<RawTensor> {
        wrap(self.t.tanh())
    }
    pub fn sigmoid(&self) -> JsResult<RawTensor> {
        wrap(self.t.sigmoid())
    }
    pub fn sqrt(&self) -> JsResult<RawTensor> {
        wrap(self.t.sqrt())
    }
    pub fn eq(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.eq(&o.t))
    }
    pub fn ne(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.ne(&o.t))
    }
    pub fn lt(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.lt(&o.t))
    }
    pub fn le(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.le(&o.t))
    }
    pub fn gt(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.gt(&o.t))
    }
    pub fn ge(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.ge(&o.t))
    }
    #[wasm_bindgen(js_name = eqScalar)]
    pub fn eq_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.eq_scalar(s))
    }
    #[wasm_bindgen(js_name = neScalar)]
    pub fn ne_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.ne_scalar(s))
    }
    #[wasm_bindgen(js_name = ltScalar)]
    pub fn lt_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.lt_scalar(s))
    }
    #[wasm_bindgen(js_name = leScalar)]
    pub fn le_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.le_scalar(s))
    }
    #[wasm_bindgen(js_name = gtScalar)]
    pub fn gt_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.gt_scalar(s))
    }
    #[wasm_bindgen(js_name = geScalar)]
    pub fn ge_scalar(&self, s: f64) -> JsResult<RawTensor> {
        wrap(self.t.ge_scalar(s))
    }
    #[wasm_bindgen(js_name = logicalAnd)]
    pub fn logical_and(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.logical_and(&o.t))
    }
    #[wasm_bindgen(js_name = logicalOr)]
    pub fn logical_or(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.logical_or(&o.t))
    }
    #[wasm_bindgen(js_name = logicalXor)]
    pub fn logical_xor(&self, o: &RawTensor) -> JsResult<RawTensor> {
        wrap(self.t.logical_xor(&o.t))
    }
    #[wasm_bindgen(js_name = logicalNot)]
    pub fn logical_not(&self) -> JsResult<RawTensor> {
        wrap(self.t.logical_not())
    }
    /// `where(cond, a, b)`.
    #[wasm_bindgen(js_name = whereSelect)]
    pub fn where_select(cond: &RawTensor, a: &RawTensor, b: &RawTensor) -> JsResult<RawTensor> {
        wrap(Tensor::where_(&cond.t, &a.t, &b.t))
    }
    pub fn softmax(&self, dim: i32) -> JsResult<RawTensor> {
        wrap(self.t.softmax(dim as isize))
    }
    #[wasm_bindgen(js_name = logSoftmax)]
    pub fn log_softmax(&self, dim: i32) -> JsResult<RawTensor> {
        wrap(self.t.log_softmax(dim as isize))
    }
    #[wasm_bindgen(js_name = "add_")]
    pub fn add_js(&self, o: &RawTensor) -> JsResult<()> {
        self.t.add_(&o.t).map(|_| ()).map_err(err)
    }
    /// `add_(o, alpha)`: one in-place pass in an optimizer step (see Tensor::add_scaled_).
    #[wasm_bindgen(js_name = "addScaled_")]
    pub fn add_scaled_js(&self, o: &RawTensor, alpha: f64) -> JsResult<()> {
        self.t.add_scaled_(&o.t, alpha).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "sub_")]
    pub fn sub_js(&self, o: &RawTensor) -> JsResult<()> {
        self.t.sub_(&o.t).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "mul_")]
    pub fn mul_js(&self, o: &RawTensor) -> JsResult<()> {
        self.t.mul_(&o.t).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "div_")]
    pub fn div_js(&self, o: &RawTensor) -> JsResult<()> {
        self.t.div_(&o.t).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "pow_")]
    pub fn pow_js(&self, o: &RawTensor) -> JsResult<()> {
        self.t.pow_(&o.t).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "addScalar_")]
    pub fn add_scalar_js(&self, o: f64) -> JsResult<()> {
        self.t.add_scalar_(o).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "subScalar_")]
    pub fn sub_scalar_js(&self, o: f64) -> JsResult<()> {
        self.t.sub_scalar_(o).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "mulScalar_")]
    pub fn mul_scalar_js(&self, o: f64) -> JsResult<()> {
        self.t.mul_scalar_(o).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "divScalar_")]
    pub fn div_scalar_js(&self, o: f64) -> JsResult<()> {
        self.t.div_scalar_(o).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "powScalar_")]
    pub fn pow_scalar_js(&self, o: f64) -> JsResult<()> {
        self.t.pow_scalar_(o).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "fill_")]
    pub fn fill_js(&self, o: f64) -> JsResult<()> {
        self.t.fill_(o).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "copy_")]
    pub fn copy_js(&self, o: &RawTensor) -> JsResult<()> {
        self.t.copy_(&o.t).map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "neg_")]
    pub fn neg_js(&self) -> JsResult<()> {
        self.t.neg_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "exp_")]
    pub fn exp_js(&self) -> JsResult<()> {
        self.t.exp_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "log_")]
    pub fn log_js(&self) -> JsResult<()> {
        self.t.log_().map(|_| ()).map_err(err)
    }
    #[wasm_bindgen(js_name = "zero_")]
    pub fn zero_js(&self) -> JsResult<()> {
        self.t.zero_().map(|_| ()).map_err(err)
    }

    // ---- autograd ------------------------------------------------------------------------
    #[wasm_bindgen(js_name = "detach_")]
    pub fn detach_inplace(&self) -> JsResult<()> {
        self.t.detach_().map_err(err)
    }
    #[wasm_bindgen(js_name = retainGrad)]
    pub fn retain_grad(&self) -> JsResult<()> {
        self.t.retain_grad().map_err(err)
    }
    #[wasm_bindgen(js_name = retainsGrad)]
    pub fn retains_grad(&self) -> bool {
        self.t.retains_grad()
    }
    #[wasm_bindgen(js_name = isInference)]
    pub fn is_inference(&self) -> bool {
        self.t.is_inference()
    }
    #[wasm_bindgen(js_name = isView)]
    pub fn is_view(&self) -> bool {
        self.t.is_view()
    }
    /// `hook(grad: RawTensor)` may call `setCallbackResult` with a replacement.
    #[wasm_bindgen(js_name = registerHook)]
    pub fn register_hook(&self, hook: JsFn) -> JsResult<f64> {
        let id = self
            .t
            .register_hook(callbacks::grad_hook(hook))
            .map_err(err)?;
        Ok(id as f64)
    }
    #[wasm_bindgen(js_name = registerPostAccumulateGradHook)]
    pub fn register_post_accumulate_grad_hook(&self, hook: JsFn) -> JsResult<f64> {
        let id = self
            .t
            .register_post_accumulate_grad_hook(callbacks::post_hook(hook))
            .map_err(err)?;
        Ok(id as f64)
    }
    #[wasm_bindgen(js_name = removeHook)]
    pub fn remove_hook(&self, id: f64) -> bool {
        self.t.remove_hook(id as u64)
    }
    #[wasm_bindgen(js_name = gradFn)]
    pub fn grad_fn(&self) -> Option<RawNode> {
        self.t.grad_fn().map(|node| RawNode { node })
    }
    #[wasm_bindgen(js_name = outputNr)]
    pub fn output_nr(&self) -> u32 {
        self.t.output_nr() as u32
    }
    /// The AccumulateGrad node of a leaf that requires grad.
    #[wasm_bindgen(js_name = gradAccumulator)]
    pub fn grad_accumulator(&self) -> Option<RawNode> {
        self.t.grad_accumulator().map(|node| RawNode { node })
    }
    /// Takes ownership of `gradient`: pass an `alias()`.
    /// `backward(gradient, { inputs })`: takes ownership of `gradient` (pass an alias).
    #[wasm_bindgen(js_name = backwardInputs)]
    pub fn backward_inputs(
        &self,
        gradient: Option<RawTensor>,
        retain_graph: bool,
        create_graph: bool,
        inputs: &RawTensorList,
    ) -> JsResult<()> {
        let g = gradient.map(|g| g.t);
        let ins = required(inputs, "input")?;
        self.t
            .backward_inputs(g.as_ref(), retain_graph, create_graph, &ins)
            .map_err(err)
    }
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
    pub(crate) items: Vec<Option<Tensor>>,
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

pub(crate) fn required(list: &RawTensorList, what: &str) -> JsResult<Vec<Tensor>> {
    list.items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            t.clone()
                .ok_or_else(|| js_err(&format!("{} {} is None", what, i)))
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
        return Err(js_err(&format!(
            "manualSeed expects a non-negative integer, got {}",
            seed
        )));
    }
    manual_seed(seed as u64);
    Ok(())
}

/// A graph node (`grad_fn`), for introspection.
#[wasm_bindgen]
pub struct RawNode {
    node: Rc<Node>,
}

#[wasm_bindgen]
impl RawNode {
    pub fn name(&self) -> String {
        self.node.name().to_string()
    }
    /// A stable identity for this node while it is alive (for drawing graphs).
    pub fn id(&self) -> f64 {
        Rc::as_ptr(&self.node) as usize as f64
    }
    #[wasm_bindgen(js_name = sequenceNr)]
    pub fn sequence_nr(&self) -> f64 {
        self.node.sequence_nr() as f64
    }
    #[wasm_bindgen(js_name = numNext)]
    pub fn num_next(&self) -> u32 {
        self.node.next_edges().len() as u32
    }
    /// The node input `i` flows into (None for inputs that need no gradient).
    #[wasm_bindgen(js_name = nextNode)]
    pub fn next_node(&self, i: u32) -> Option<RawNode> {
        self.node
            .next_edges()
            .get(i as usize)
            .cloned()
            .flatten()
            .map(|e| RawNode { node: e.node })
    }
    #[wasm_bindgen(js_name = nextInputNr)]
    pub fn next_input_nr(&self, i: u32) -> u32 {
        self.node
            .next_edges()
            .get(i as usize)
            .cloned()
            .flatten()
            .map_or(0, |e| e.input_nr as u32)
    }
    /// The leaf of an AccumulateGrad node.
    pub fn variable(&self) -> Option<RawTensor> {
        self.node.variable().map(|t| RawTensor { t })
    }
    /// Where the forward op was created (recorded in anomaly mode).
    pub fn trace(&self) -> Option<String> {
        self.node.trace().map(|s| s.to_string())
    }
}

#[wasm_bindgen(js_name = setDetectAnomaly)]
pub fn set_detect_anomaly(on: bool) {
    tensorgrad_core::autograd::anomaly::set_detect_anomaly(on)
}

#[wasm_bindgen(js_name = isAnomalyEnabled)]
pub fn is_anomaly_enabled() -> bool {
    tensorgrad_core::autograd::anomaly::is_anomaly_enabled()
}

/// `f()` returns a description of where the current op is created (a JS stack).
#[wasm_bindgen(js_name = setTraceProvider)]
pub fn set_trace_provider(f: Option<JsFn>) {
    tensorgrad_core::autograd::anomaly::set_trace_provider(f.map(callbacks::trace_provider));
}

/// Enter or leave inference mode; returns the previous state.
#[wasm_bindgen(js_name = setInferenceMode)]
pub fn set_inference_mode(on: bool) -> bool {
    tensorgrad_core::autograd::grad_mode::set_inference_mode(on)
}

#[wasm_bindgen(js_name = isInferenceModeEnabled)]
pub fn is_inference_mode_enabled() -> bool {
    tensorgrad_core::autograd::grad_mode::is_inference_mode()
}

/// Attach a custom autograd node. `saved_output_idx[k] >= 0` marks saved slot k as output
/// number `idx`; otherwise the slot is `saved_inputs[k]`. `backward(needsInputGrad, saved,
/// grads)` receives lists and must call `setCallbackResult` with the input gradients.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = applyCustom)]
pub fn apply_custom(
    name: String,
    inputs: &RawTensorList,
    outputs: &RawTensorList,
    saved_inputs: &RawTensorList,
    saved_output_idx: &[i32],
    non_differentiable: &[u8],
    backward: JsFn,
) -> JsResult<RawTensorList> {
    let ins = required(inputs, "input")?;
    let outs = required(outputs, "output")?;
    let mut saved = Vec::with_capacity(saved_output_idx.len());
    for (k, &idx) in saved_output_idx.iter().enumerate() {
        if idx >= 0 {
            saved.push(Err(idx as usize));
        } else {
            let t = saved_inputs.items.get(k).cloned().flatten();
            saved.push(Ok(t.ok_or_else(|| js_err("saved tensor missing"))?));
        }
    }
    let nd: Vec<bool> = non_differentiable.iter().map(|&b| b != 0).collect();
    let res = tensorgrad_core::autograd::custom::apply_custom(
        name,
        &ins,
        &outs,
        saved,
        &nd,
        callbacks::custom_backward(backward),
    )
    .map_err(err)?;
    Ok(RawTensorList {
        items: res.into_iter().map(Some).collect(),
    })
}

/// Deposit the result of a callback (hook replacement, custom backward gradients).
#[wasm_bindgen(js_name = setCallbackResult)]
pub fn set_callback_result(list: RawTensorList) {
    callbacks::set_result(list.items);
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

/// Debug: the size of the WebAssembly linear memory in bytes (it only ever grows; a training
/// loop that reuses its memory keeps it flat).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size::<0>() as f64) * 65536.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
