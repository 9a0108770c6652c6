//! The seam for kernels supplied from outside the core (the gpu.js backend provides them from
//! JavaScript through the wasm bindings). A provider sees contiguous f32 data and may decline
//! any call by returning `None`; the CPU kernel then runs. The core never knows who answered.

use std::cell::RefCell;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryKind {
    Neg,
    Exp,
    Log,
}

impl UnaryKind {
    pub fn name(self) -> &'static str {
        match self {
            UnaryKind::Neg => "neg",
            UnaryKind::Exp => "exp",
            UnaryKind::Log => "log",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryKind {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryKind {
    pub fn name(self) -> &'static str {
        match self {
            BinaryKind::Add => "add",
            BinaryKind::Sub => "sub",
            BinaryKind::Mul => "mul",
            BinaryKind::Div => "div",
        }
    }
}

pub trait KernelProvider {
    /// C[m,n] = op(A)·op(B) into a row-major result. `a` holds A (m×k, row-major) or, with
    /// `trans_a`, Aᵀ stored row-major as k×m; `b` holds B (k×n) or, with `trans_b`, Bᵀ (n×k).
    /// The transposed forms are what the backward products `g·Bᵀ` and `Aᵀ·g` read.
    #[allow(clippy::too_many_arguments)]
    fn matmul_f32(
        &self,
        a: &[f32],
        b: &[f32],
        m: usize,
        k: usize,
        n: usize,
        trans_a: bool,
        trans_b: bool,
    ) -> Option<Vec<f32>>;
    /// The same product written into `c` (m×n row-major, zero-filled on entry); false declines
    /// and leaves `c` for the CPU kernel. A provider that computes in place (the thread pool)
    /// saves the result's copies; the default goes through [`KernelProvider::matmul_f32`].
    #[allow(clippy::too_many_arguments)]
    fn matmul_into_f32(
        &self,
        a: &[f32],
        b: &[f32],
        m: usize,
        k: usize,
        n: usize,
        trans_a: bool,
        trans_b: bool,
        c: &mut [f32],
    ) -> bool {
        match self.matmul_f32(a, b, m, k, n, trans_a, trans_b) {
            Some(v) if v.len() == c.len() => {
                c.copy_from_slice(&v);
                true
            }
            _ => false,
        }
    }
    /// The sum of all elements (full reductions of contiguous float32 data).
    fn sum_f32(&self, _x: &[f32]) -> Option<f32> {
        None
    }
    /// Elementwise op on equally shaped contiguous float32 data.
    fn binary_f32(&self, op: BinaryKind, a: &[f32], b: &[f32]) -> Option<Vec<f32>>;
    fn unary_f32(&self, op: UnaryKind, x: &[f32]) -> Option<Vec<f32>>;
}

thread_local! {
    static PROVIDER: RefCell<Option<Rc<dyn KernelProvider>>> = const { RefCell::new(None) };
}

/// Install (or with `None`, remove) the external kernel provider.
pub fn set_kernel_provider(p: Option<Rc<dyn KernelProvider>>) {
    PROVIDER.with(|cell| *cell.borrow_mut() = p);
}

pub fn kernel_provider() -> Option<Rc<dyn KernelProvider>> {
    PROVIDER.with(|cell| cell.borrow().clone())
}
