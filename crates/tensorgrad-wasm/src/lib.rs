use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn version() -> String {
    tensorgrad_core::version().to_string()
}
