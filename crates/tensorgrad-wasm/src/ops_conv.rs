//! Bindings of the conv op family (filled in with the family's ops in tensorgrad-core).

#[allow(unused_imports)]
use crate::{dims, err, wrap, JsResult, RawTensor, RawTensorList};
#[allow(unused_imports)]
use wasm_bindgen::prelude::*;
