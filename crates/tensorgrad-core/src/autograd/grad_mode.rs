//! Global (per-thread) grad mode: `no_grad`, `enable_grad`, `set_grad_enabled`.

use std::cell::Cell;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
    static INFERENCE: Cell<bool> = const { Cell::new(false) };
}

/// Inference mode: no graph is recorded, and tensors created inside can never be saved for
/// backward later (PyTorch's `torch.inference_mode`).
pub fn is_inference_mode() -> bool {
    INFERENCE.with(|g| g.get())
}

/// Run `f` in inference mode (grad mode off too); restores both afterwards.
pub fn inference_mode<R>(enabled: bool, f: impl FnOnce() -> R) -> R {
    let prev = INFERENCE.with(|g| g.replace(enabled));
    let _g = GradModeGuard::new(if enabled { false } else { is_grad_enabled() });
    let r = f();
    INFERENCE.with(|g| g.set(prev));
    r
}

pub fn set_inference_mode(enabled: bool) -> bool {
    INFERENCE.with(|g| g.replace(enabled))
}

pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

pub fn set_grad_enabled(enabled: bool) {
    GRAD_ENABLED.with(|g| g.set(enabled));
}

/// Restores the previous grad mode when dropped.
pub struct GradModeGuard {
    prev: bool,
}

impl GradModeGuard {
    pub fn new(enabled: bool) -> Self {
        let prev = is_grad_enabled();
        set_grad_enabled(enabled);
        GradModeGuard { prev }
    }
}

impl GradModeGuard {
    /// Run `f` while this guard's mode is active.
    pub fn then<R>(self, f: impl FnOnce() -> R) -> R {
        let r = f();
        drop(self);
        r
    }
}

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        set_grad_enabled(self.prev);
    }
}

/// Run `f` with gradients disabled.
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    let _g = GradModeGuard::new(false);
    f()
}
