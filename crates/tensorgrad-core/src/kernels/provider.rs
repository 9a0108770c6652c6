//! The seam for kernels supplied from outside the core (the gpu.js backend provides them from
//! JavaScript through the wasm bindings). A provider sees float32 operands — host slices, or
//! device handles it produced earlier — and may decline any call by returning `None`; the CPU
//! kernel then runs. The core never knows who answered.
//!
//! Device residency: a provider may answer with a [`DeviceHandle`] instead of host data. The
//! result tensor's storage then holds only that handle (see `storage.rs`); the next offered op
//! gets the handle back as its operand, so chained offloaded ops never copy through the host.
//! CPU code that reads the storage downloads it once; writing to it drops the device copy.
//! Dropping the last tensor or view of the storage drops the handle, which frees the device
//! memory (the wasm bindings call the JS handle's `release()`).
//!
//! Matmul is offered twice: `matmul_f32` first (operands may be device handles, the answer a
//! new buffer or handle), then, if that declined, `matmul_into_f32` with host data and the
//! output buffer to fill in place (the wasm bindings answer it with the matmul thread pool).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The op families offered to a provider (see [`KernelProvider::offers`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// `matmul_f32` (`matmul_into_f32`, the second offer of a product, is always made).
    Matmul,
    Binary,
    Scalar,
    Unary,
    Sum,
    Conv2d,
}

impl Offer {
    pub const ALL: [Offer; 6] = [
        Offer::Matmul,
        Offer::Binary,
        Offer::Scalar,
        Offer::Unary,
        Offer::Sum,
        Offer::Conv2d,
    ];
    fn bit(self) -> u8 {
        1 << self as u8
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryKind {
    Neg,
    Exp,
    Log,
    Tanh,
}

impl UnaryKind {
    pub fn name(self) -> &'static str {
        match self {
            UnaryKind::Neg => "neg",
            UnaryKind::Exp => "exp",
            UnaryKind::Log => "log",
            UnaryKind::Tanh => "tanh",
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

/// Which of the three convolution products (see [`ConvGeometry`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvKind {
    /// `y = conv(x, w)`: `a` = x, `b` = w, result y-shaped.
    Forward,
    /// The input gradient `dx = convᵀ(g, w)`: `a` = g (y-shaped), `b` = w, result x-shaped.
    GradInput,
    /// The weight gradient `dw`: `a` = x, `b` = g (y-shaped), result w-shaped.
    GradWeight,
}

impl ConvKind {
    pub fn name(self) -> &'static str {
        match self {
            ConvKind::Forward => "forward",
            ConvKind::GradInput => "input",
            ConvKind::GradWeight => "weight",
        }
    }
}

/// A 2-D convolution over contiguous NCHW data: x `[batch, cin, in_h, in_w]`, w `[cout,
/// cin/groups, k_h, k_w]`, y `[batch, cout, out_h, out_w]` with
/// `y[n,o,oy,ox] = Σ_{c,i,j} w[o,c,i,j] · x[n, grp(o)·cin/groups + c, oy·stride₀ + i·dil₀ − pad₀,
/// ox·stride₁ + j·dil₁ − pad₁]` (zero outside the input). conv1d is the case `in_h = k_h = 1`;
/// transposed convolutions use the same three products with the roles swapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    pub batch: usize,
    pub groups: usize,
    pub cin: usize,
    pub cout: usize,
    pub in_size: [usize; 2],
    pub kernel: [usize; 2],
    pub out_size: [usize; 2],
    pub stride: [usize; 2],
    pub pad: [usize; 2],
    pub dilation: [usize; 2],
}

impl ConvGeometry {
    pub fn x_len(&self) -> usize {
        self.batch * self.cin * self.in_size[0] * self.in_size[1]
    }
    pub fn w_len(&self) -> usize {
        self.cout * (self.cin / self.groups.max(1)) * self.kernel[0] * self.kernel[1]
    }
    pub fn y_len(&self) -> usize {
        self.batch * self.cout * self.out_size[0] * self.out_size[1]
    }
    /// Multiply-adds of each of the three products (the size the dispatcher compares).
    pub fn macs(&self) -> usize {
        self.y_len() * (self.cin / self.groups.max(1)) * self.kernel[0] * self.kernel[1]
    }
    /// Element counts of (a, b, result) for `kind`.
    pub fn lens(&self, kind: ConvKind) -> (usize, usize, usize) {
        match kind {
            ConvKind::Forward => (self.x_len(), self.w_len(), self.y_len()),
            ConvKind::GradInput => (self.y_len(), self.w_len(), self.x_len()),
            ConvKind::GradWeight => (self.x_len(), self.y_len(), self.w_len()),
        }
    }
}

/// float32 data held by an external device (a GPU texture), produced by a provider. The core
/// never looks inside: it hands the handle back to the provider as an operand and downloads it
/// when CPU code needs the values. Dropping the last reference must free the device memory.
pub trait DeviceData {
    /// Number of float32 elements (known without downloading).
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Copy the values to the host; `None` when the device lost them (e.g. a lost GPU context).
    fn download(&self) -> Option<Vec<f32>>;
    /// For the provider that made it (downcasting to its own handle type).
    fn as_any(&self) -> &dyn Any;
}

pub type DeviceHandle = Rc<dyn DeviceData>;

/// One operand as offered: a host slice, or the device copy of the whole storage.
#[derive(Clone, Copy)]
pub enum Operand<'a> {
    Host(&'a [f32]),
    Device(&'a DeviceHandle),
}

impl Operand<'_> {
    pub fn len(&self) -> usize {
        match self {
            Operand::Host(s) => s.len(),
            Operand::Device(d) => d.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn is_device(&self) -> bool {
        matches!(self, Operand::Device(_))
    }
}

/// A provider's answer: values on the host, or a handle to values it keeps on its device.
pub enum Output {
    Host(Vec<f32>),
    Device(DeviceHandle),
}

impl Output {
    pub fn len(&self) -> usize {
        match self {
            Output::Host(v) => v.len(),
            Output::Device(d) => d.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub trait KernelProvider {
    /// C[m,n] = op(A)·op(B) into a row-major result. `a` holds A (m×k, row-major) or, with
    /// `trans_a`, Aᵀ stored row-major as k×m; `b` holds B (k×n) or, with `trans_b`, Bᵀ (n×k).
    /// The transposed forms are what the backward products `g·Bᵀ` and `Aᵀ·g` read.
    #[allow(clippy::too_many_arguments)]
    fn matmul_f32(
        &self,
        a: Operand,
        b: Operand,
        m: usize,
        k: usize,
        n: usize,
        trans_a: bool,
        trans_b: bool,
    ) -> Option<Output>;
    /// A second offer of a float32 product that `matmul_f32` declined (or that was not offered
    /// there): host operands only — device operands were downloaded first, so an in-place
    /// provider (the thread pool) never sees a handle — with the result written into `c` (m×n
    /// row-major, zero-filled on entry). Writing in place saves the result's copies. False
    /// declines and must leave `c` zero-filled; the CPU kernel then runs. Same operand forms
    /// as `matmul_f32`.
    #[allow(clippy::too_many_arguments)]
    fn matmul_into_f32(
        &self,
        _a: &[f32],
        _b: &[f32],
        _m: usize,
        _k: usize,
        _n: usize,
        _trans_a: bool,
        _trans_b: bool,
        _c: &mut [f32],
    ) -> bool {
        false
    }
    /// The sum of all elements (full reductions of contiguous float32 data), one element.
    fn sum_f32(&self, _x: Operand) -> Option<Output> {
        None
    }
    /// Elementwise op on equally shaped contiguous float32 data.
    fn binary_f32(&self, op: BinaryKind, a: Operand, b: Operand) -> Option<Output>;
    /// `x op s`, or `s op x` with `scalar_first` (also offered when one operand of a binary op
    /// is a single broadcast value, such as the gradient of a sum).
    fn scalar_f32(
        &self,
        _op: BinaryKind,
        _x: Operand,
        _s: f32,
        _scalar_first: bool,
    ) -> Option<Output> {
        None
    }
    fn unary_f32(&self, op: UnaryKind, x: Operand) -> Option<Output>;
    /// One of the three convolution products over contiguous data (see [`ConvGeometry`]).
    fn conv2d_f32(
        &self,
        _kind: ConvKind,
        _a: Operand,
        _b: Operand,
        _geom: &ConvGeometry,
    ) -> Option<Output> {
        None
    }
    /// Whether operands may be device handles. When false the core downloads device-only
    /// storages first and offers host slices only.
    fn takes_device(&self) -> bool {
        false
    }
    /// Whether ops of this family may be offered at all (asked once, at install): the others
    /// are never prepared for the provider, so one that only computes products in place (the
    /// thread pool, installed by default) costs elementwise ops nothing.
    fn offers(&self, _op: Offer) -> bool {
        true
    }
}

thread_local! {
    static PROVIDER: RefCell<Option<Rc<dyn KernelProvider>>> = const { RefCell::new(None) };
    /// Bit `op as u8` set: the installed provider offers that family.
    static OFFERS: Cell<u8> = const { Cell::new(0) };
}

/// Install (or with `None`, remove) the external kernel provider.
pub fn set_kernel_provider(p: Option<Rc<dyn KernelProvider>>) {
    let mask = p.as_ref().map_or(0, |p| {
        Offer::ALL
            .iter()
            .filter(|&&op| p.offers(op))
            .fold(0, |m, op| m | op.bit())
    });
    OFFERS.with(|c| c.set(mask));
    PROVIDER.with(|cell| *cell.borrow_mut() = p);
}

pub fn kernel_provider() -> Option<Rc<dyn KernelProvider>> {
    PROVIDER.with(|cell| cell.borrow().clone())
}

/// The installed provider, if it takes ops of family `op`.
pub fn kernel_provider_for(op: Offer) -> Option<Rc<dyn KernelProvider>> {
    if OFFERS.with(|c| c.get()) & op.bit() == 0 {
        return None;
    }
    kernel_provider()
}
