//! tensorgrad-core: tensors, CPU kernels and PyTorch-style reverse-mode autograd in pure Rust.
//! Knows nothing of wasm or JavaScript; the bindings live in `tensorgrad-wasm`.

pub mod amp;
pub mod autocast;
pub mod autograd;
pub mod dtype;
pub mod element;
pub mod error;
pub mod format;
pub mod half;
pub mod kernels;
pub mod ops;
pub mod random;
pub mod shape;
pub mod storage;
pub mod tensor;

pub use autograd::grad_mode::{is_grad_enabled, no_grad, set_grad_enabled, GradModeGuard};
pub use dtype::DType;
pub use error::{Error, Result};
pub use kernels::provider::{
    set_kernel_provider, BinaryKind, ConvGeometry, ConvKind, DeviceData, DeviceHandle,
    KernelProvider, Offer, Operand, Output, UnaryKind,
};
pub use random::manual_seed;
pub use tensor::Tensor;

pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
