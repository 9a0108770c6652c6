//! Anomaly detection (`autograd.detect_anomaly`): backward checks every gradient a node
//! produces for NaN, and nodes remember where their forward op was created, when the host
//! can tell (the wasm bindings supply the JavaScript stack).

use std::cell::{Cell, RefCell};

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
    static TRACE: RefCell<Option<Box<dyn Fn() -> String>>> = const { RefCell::new(None) };
}

pub fn set_detect_anomaly(on: bool) {
    ENABLED.with(|e| e.set(on));
}

pub fn is_anomaly_enabled() -> bool {
    ENABLED.with(|e| e.get())
}

/// Install the function that describes where the current op is being created.
pub fn set_trace_provider(f: Option<Box<dyn Fn() -> String>>) {
    TRACE.with(|t| *t.borrow_mut() = f);
}

pub(crate) fn capture_trace() -> Option<String> {
    if !is_anomaly_enabled() {
        return None;
    }
    TRACE.with(|t| t.borrow().as_ref().map(|f| f()))
}
