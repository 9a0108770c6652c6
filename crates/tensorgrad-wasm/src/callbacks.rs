//! JavaScript callbacks called from inside the core (hooks, custom backward functions, the
//! anomaly trace provider). A callback hands its result back through `setCallbackResult`;
//! an exception it throws is kept and rethrown unchanged at the wasm boundary.

use crate::{RawTensor, RawTensorList};
use std::cell::RefCell;
use std::rc::Rc;
use tensorgrad_core::autograd::custom::{CustomBackward, CustomCtx};
use tensorgrad_core::autograd::node::{GradHook, PostAccumulateHook};
use tensorgrad_core::{Error, Tensor};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Any JavaScript function.
    pub type JsFn;
    #[wasm_bindgen(method, catch, js_name = call)]
    fn call0(this: &JsFn, this_arg: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = call)]
    fn call1(this: &JsFn, this_arg: &JsValue, a: JsValue) -> Result<JsValue, JsValue>;
    /// `backward(needsInputGrad: Uint8Array, saved: RawTensorList, grads: RawTensorList)`
    #[wasm_bindgen(method, catch, js_name = call)]
    fn call_backward(
        this: &JsFn,
        this_arg: &JsValue,
        needs: Vec<u8>,
        saved: RawTensorList,
        grads: RawTensorList,
    ) -> Result<JsValue, JsValue>;
}

thread_local! {
    static RESULT: RefCell<Option<Vec<Option<Tensor>>>> = const { RefCell::new(None) };
    static JS_ERROR: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

pub(crate) fn set_result(items: Vec<Option<Tensor>>) {
    RESULT.with(|r| *r.borrow_mut() = Some(items));
}

fn take_result() -> Option<Vec<Option<Tensor>>> {
    RESULT.with(|r| r.borrow_mut().take())
}

pub(crate) fn take_js_error() -> Option<JsValue> {
    JS_ERROR.with(|e| e.borrow_mut().take())
}

/// Keep the thrown value for the boundary; the core sees a plain error.
fn thrown(e: JsValue) -> Error {
    JS_ERROR.with(|slot| *slot.borrow_mut() = Some(e));
    Error::new("a JavaScript callback threw")
}

fn handle(t: &Tensor) -> JsValue {
    RawTensor { t: t.clone() }.into()
}

pub(crate) fn grad_hook(f: JsFn) -> GradHook {
    Rc::new(move |g: &Tensor| {
        take_result();
        f.call1(&JsValue::NULL, handle(g)).map_err(thrown)?;
        Ok(take_result().and_then(|mut v| v.pop().flatten()))
    })
}

pub(crate) fn post_hook(f: JsFn) -> PostAccumulateHook {
    Rc::new(move |t: &Tensor| {
        f.call1(&JsValue::NULL, handle(t)).map_err(thrown)?;
        Ok(())
    })
}

pub(crate) fn trace_provider(f: JsFn) -> Box<dyn Fn() -> String> {
    Box::new(move || {
        f.call0(&JsValue::NULL)
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    })
}

pub(crate) fn custom_backward(f: JsFn) -> CustomBackward {
    Box::new(move |ctx: &CustomCtx, grads: &[Tensor]| {
        let n_inputs = ctx.inner.num_inputs();
        let needs: Vec<u8> = (0..n_inputs)
            .map(|i| ctx.needs_input_grad(i) as u8)
            .collect();
        let saved = RawTensorList {
            items: ctx.saved_tensors()?.into_iter().map(Some).collect(),
        };
        let gl = RawTensorList {
            items: grads.iter().cloned().map(Some).collect(),
        };
        take_result();
        f.call_backward(&JsValue::NULL, needs, saved, gl)
            .map_err(thrown)?;
        take_result().ok_or_else(|| Error::new("custom backward returned no gradients"))
    })
}
