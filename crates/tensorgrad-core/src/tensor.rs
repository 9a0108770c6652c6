//! The tensor handle: storage + layout + autograd metadata.

use crate::autograd::grad_mode::is_grad_enabled;
use crate::autograd::node::{
    next_seq, BackwardCtx, Edge, GradHook, Node, NodeKind, PostAccumulateHook, TensorMeta,
};
use crate::dtype::DType;
use crate::element::Element;
use crate::error::{fmt_shape, Result};
use crate::shape::{numel, Layout};
use crate::storage::{Buffer, Storage};
use crate::{bail, Error};
use std::cell::{Ref, RefCell};
use std::rc::{Rc, Weak};

#[derive(Default)]
pub(crate) struct AutogradMeta {
    /// Set on leaves by the user; non-leaves require grad through their grad_fn.
    pub requires_grad: bool,
    pub grad: Option<Tensor>,
    pub grad_fn: Option<Rc<Node>>,
    pub output_nr: usize,
    /// The AccumulateGrad node of a leaf, kept alive by the graphs that use it.
    pub grad_accumulator: Weak<Node>,
    /// `register_hook` on a leaf: run before the gradient is accumulated.
    pub hooks: Vec<(u64, GradHook)>,
    /// `register_post_accumulate_grad_hook` (leaves only).
    pub post_accumulate_hooks: Vec<(u64, PostAccumulateHook)>,
    /// A non-leaf that called `retain_grad()`.
    pub retains_grad: bool,
}

pub struct TensorImpl {
    pub(crate) storage: Rc<Storage>,
    pub(crate) layout: Layout,
    pub(crate) meta: RefCell<AutogradMeta>,
    /// Shares storage with the tensor it was viewed from.
    pub(crate) is_view: bool,
    /// Created in inference mode: may never be saved for backward.
    pub(crate) inference: bool,
}

/// A reference-counted tensor handle; cloning it is cheap and shares everything.
#[derive(Clone)]
pub struct Tensor(pub(crate) Rc<TensorImpl>);

impl Tensor {
    pub(crate) fn from_impl(i: Rc<TensorImpl>) -> Tensor {
        Tensor(i)
    }

    pub(crate) fn from_parts(storage: Rc<Storage>, layout: Layout) -> Tensor {
        Tensor::new_impl(storage, layout, false)
    }

    fn new_impl(storage: Rc<Storage>, layout: Layout, is_view: bool) -> Tensor {
        Tensor(Rc::new(TensorImpl {
            storage,
            layout,
            meta: RefCell::new(AutogradMeta::default()),
            is_view,
            inference: crate::autograd::grad_mode::is_inference_mode(),
        }))
    }

    /// A fresh contiguous tensor owning `buf`.
    pub fn from_buffer(buf: Buffer, shape: Vec<usize>) -> Result<Tensor> {
        let n = numel(&shape);
        if buf.len() != n {
            bail!(
                "cannot create a tensor of shape {} ({} elements) from {} values",
                fmt_shape(&shape),
                n,
                buf.len()
            );
        }
        Ok(Tensor::from_parts(
            Rc::new(Storage::new(buf)),
            Layout::contiguous(shape),
        ))
    }

    pub fn from_vec<T: Element>(v: Vec<T>, shape: Vec<usize>) -> Result<Tensor> {
        Tensor::from_buffer(T::into_buffer(v), shape)
    }

    pub fn from_f64_slice(v: &[f64], shape: Vec<usize>, dtype: DType) -> Result<Tensor> {
        Tensor::from_buffer(Buffer::from_f64s(dtype, v), shape)
    }

    pub fn scalar(v: f64, dtype: DType) -> Tensor {
        Tensor::from_f64_slice(&[v], vec![], dtype).expect("one value for a 0-d tensor")
    }

    pub fn full(shape: &[usize], v: f64, dtype: DType) -> Tensor {
        let buf = Buffer::filled(dtype, numel(shape), v);
        Tensor::from_parts(
            Rc::new(Storage::new(buf)),
            Layout::contiguous(shape.to_vec()),
        )
    }

    pub fn zeros(shape: &[usize], dtype: DType) -> Tensor {
        Tensor::full(shape, 0.0, dtype)
    }

    pub fn ones(shape: &[usize], dtype: DType) -> Tensor {
        Tensor::full(shape, 1.0, dtype)
    }

    pub fn zeros_like(&self) -> Tensor {
        Tensor::zeros(self.shape(), self.dtype())
    }

    pub fn ones_like(&self) -> Tensor {
        Tensor::ones(self.shape(), self.dtype())
    }

    // ---- metadata -------------------------------------------------------------------------

    pub fn shape(&self) -> &[usize] {
        &self.0.layout.shape
    }
    pub fn strides(&self) -> &[usize] {
        &self.0.layout.strides
    }
    pub fn layout(&self) -> &Layout {
        &self.0.layout
    }
    pub fn ndim(&self) -> usize {
        self.0.layout.shape.len()
    }
    pub fn numel(&self) -> usize {
        self.0.layout.numel()
    }
    pub fn dtype(&self) -> DType {
        self.0.storage.dtype()
    }
    pub fn is_contiguous(&self) -> bool {
        self.0.layout.is_contiguous()
    }
    pub(crate) fn storage(&self) -> &Rc<Storage> {
        &self.0.storage
    }
    pub(crate) fn buffer(&self) -> Ref<'_, Buffer> {
        self.0.storage.read()
    }
    /// The storage version counter, bumped by in-place ops.
    pub fn version(&self) -> u64 {
        self.0.storage.version()
    }
    /// Whether the storage has a current copy on an external kernel provider's device.
    pub fn is_resident(&self) -> bool {
        self.0.storage.is_resident()
    }
    /// Whether the storage has its host copy (false: reading the data downloads it first).
    pub fn has_host_data(&self) -> bool {
        self.0.storage.has_host()
    }
    /// True when both handles are the same tensor object.
    pub fn same(&self, other: &Tensor) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
    /// True when both views share one storage.
    pub fn shares_storage(&self, other: &Tensor) -> bool {
        Rc::ptr_eq(&self.0.storage, &other.0.storage)
    }
    pub(crate) fn tensor_meta(&self) -> TensorMeta {
        TensorMeta {
            shape: self.shape().to_vec(),
            dtype: self.dtype(),
        }
    }

    /// A view of this tensor's storage with another layout (no autograd).
    pub(crate) fn view_with_layout(&self, layout: Layout) -> Tensor {
        Tensor::new_impl(self.0.storage.clone(), layout, true)
    }

    /// Whether this tensor is a view of another one's storage.
    pub fn is_view(&self) -> bool {
        self.0.is_view
    }

    /// Created inside inference mode.
    pub fn is_inference(&self) -> bool {
        self.0.inference
    }

    // ---- data access ----------------------------------------------------------------------

    /// All elements in row-major order, as f64.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        let buf = self.buffer();
        let l = &self.0.layout;
        if let Some(r) = l.contiguous_range() {
            return crate::with_buffer!(&*buf, v => v[r].iter().map(|x| x.to_f64()).collect());
        }
        let mut out = Vec::with_capacity(l.numel());
        crate::shape::for_each_offset(&l.shape, [&l.strides], [l.offset], |[o]| {
            out.push(buf.get_f64(o))
        });
        out
    }

    /// Contiguous copy of the elements as `T` (fails on a dtype mismatch).
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let buf = self.buffer();
        let data = T::slice(&buf).ok_or_else(|| {
            Error::new(format!(
                "expected a tensor of another dtype, got {}",
                self.dtype()
            ))
        })?;
        Ok(crate::kernels::gather(data, &self.0.layout))
    }

    /// Address of the first element when the data is contiguous float32 or float64 (for a
    /// host that copies it out of linear memory in one go); None otherwise. Valid until the
    /// next allocation.
    pub fn contiguous_f32_f64_ptr(&self) -> Option<usize> {
        let r = self.0.layout.contiguous_range()?;
        match &*self.buffer() {
            Buffer::F32(v) => Some(v[r].as_ptr() as usize),
            Buffer::F64(v) => Some(v[r].as_ptr() as usize),
            _ => None,
        }
    }

    /// The value of a tensor whose every element is the same stored value (a 0-dim tensor
    /// expanded by stride 0, e.g. the gradient of `sum()`), if it is one.
    pub fn expanded_scalar(&self) -> Option<f64> {
        let l = &self.0.layout;
        if l.strides
            .iter()
            .zip(&l.shape)
            .all(|(&s, &d)| s == 0 || d <= 1)
            && l.numel() > 0
        {
            Some(self.buffer().get_f64(l.offset))
        } else {
            None
        }
    }

    pub fn item(&self) -> Result<f64> {
        if self.numel() != 1 {
            bail!(
                "a Tensor with {} elements cannot be converted to Scalar",
                self.numel()
            );
        }
        let l = &self.0.layout;
        Ok(self.buffer().get_f64(l.offset))
    }

    // ---- autograd metadata ----------------------------------------------------------------

    pub fn requires_grad(&self) -> bool {
        let m = self.0.meta.borrow();
        m.requires_grad || m.grad_fn.is_some()
    }

    pub fn is_leaf(&self) -> bool {
        self.0.meta.borrow().grad_fn.is_none()
    }

    pub fn grad_fn(&self) -> Option<Rc<Node>> {
        self.0.meta.borrow().grad_fn.clone()
    }

    pub fn output_nr(&self) -> usize {
        self.0.meta.borrow().output_nr
    }

    pub fn grad(&self) -> Option<Tensor> {
        self.0.meta.borrow().grad.clone()
    }

    /// Set or clear `.grad` (PyTorch checks dtype and shape).
    pub fn set_grad(&self, grad: Option<Tensor>) -> Result<()> {
        if let Some(g) = &grad {
            if g.dtype() != self.dtype() {
                bail!(
                    "assigned grad has data of a different type ({} vs {})",
                    g.dtype(),
                    self.dtype()
                );
            }
            if g.shape() != self.shape() {
                bail!(
                    "assigned grad has data of a different size ({} vs {})",
                    fmt_shape(g.shape()),
                    fmt_shape(self.shape())
                );
            }
        }
        self.0.meta.borrow_mut().grad = grad;
        Ok(())
    }

    /// `requires_grad_(flag)`: only leaves may change it, and only floating tensors require grad.
    pub fn set_requires_grad(&self, flag: bool) -> Result<&Tensor> {
        if !self.is_leaf() {
            if flag {
                return Ok(self);
            }
            bail!("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
        }
        if flag && !self.dtype().is_floating_point() {
            bail!("only Tensors of floating point dtype can require gradients");
        }
        self.0.meta.borrow_mut().requires_grad = flag;
        Ok(self)
    }

    /// A new tensor sharing storage, cut from the graph.
    pub fn detach(&self) -> Tensor {
        Tensor(Rc::new(TensorImpl {
            storage: self.0.storage.clone(),
            layout: self.0.layout.clone(),
            meta: RefCell::new(AutogradMeta::default()),
            is_view: self.0.is_view,
            inference: self.0.inference,
        }))
    }

    /// `detach_()`: cut this tensor itself from the graph (it becomes a leaf).
    pub fn detach_(&self) -> Result<()> {
        if self.is_view() && self.requires_grad() && !self.is_leaf() {
            bail!("Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
        }
        let mut m = self.0.meta.borrow_mut();
        m.grad_fn = None;
        m.output_nr = 0;
        m.requires_grad = false;
        Ok(())
    }

    /// `retains_grad`: whether a non-leaf keeps its `.grad`.
    pub fn retains_grad(&self) -> bool {
        self.0.meta.borrow().retains_grad
    }

    /// A handle to the same data that is output `output_nr` of `node`.
    pub(crate) fn with_grad_fn(&self, node: Rc<Node>, output_nr: usize) -> Tensor {
        let t = self.detach();
        {
            let mut m = t.0.meta.borrow_mut();
            m.grad_fn = Some(node);
            m.output_nr = output_nr;
        }
        t
    }

    /// The edge a gradient for this tensor flows into: its grad_fn, or its leaf accumulator.
    pub(crate) fn gradient_edge(&self) -> Option<Edge> {
        let mut m = self.0.meta.borrow_mut();
        if let Some(f) = &m.grad_fn {
            return Some(Edge {
                node: f.clone(),
                input_nr: m.output_nr,
            });
        }
        if !m.requires_grad {
            return None;
        }
        if let Some(acc) = m.grad_accumulator.upgrade() {
            return Some(Edge {
                node: acc,
                input_nr: 0,
            });
        }
        let acc = Node::new_accumulate(&self.0, self.tensor_meta());
        m.grad_accumulator = Rc::downgrade(&acc);
        Some(Edge {
            node: acc,
            input_nr: 0,
        })
    }

    /// A leaf's AccumulateGrad node (created on demand), for hooks and introspection.
    pub fn grad_accumulator(&self) -> Option<Rc<Node>> {
        if !self.is_leaf() {
            return None;
        }
        self.gradient_edge().map(|e| e.node)
    }
}

/// Attach a backward node to freshly computed `outputs` if grad mode is on and any input
/// requires grad. `save_outputs` keeps the outputs (without a cycle) for `ctx.output(i)`.
pub(crate) fn record(
    name: impl Into<std::borrow::Cow<'static, str>>,
    inputs: &[&Tensor],
    outputs: Vec<Tensor>,
    save_outputs: bool,
    backward: impl Fn(&BackwardCtx, &[Tensor]) -> Result<Vec<Option<Tensor>>> + 'static,
) -> Result<Vec<Tensor>> {
    if !is_grad_enabled() || !inputs.iter().any(|t| t.requires_grad()) {
        return Ok(outputs);
    }
    if inputs.iter().any(|t| t.is_inference()) {
        bail!("Inference tensors cannot be saved for backward. To work around you can make a clone to get a normal tensor and use it in autograd.");
    }
    let next_edges: Vec<Option<Edge>> = inputs.iter().map(|t| t.gradient_edge()).collect();
    let input_meta = inputs
        .iter()
        .zip(&next_edges)
        .map(|(t, e)| e.as_ref().map(|_| t.tensor_meta()))
        .collect();
    let output_meta = outputs.iter().map(|t| t.tensor_meta()).collect();
    let saved = if save_outputs {
        outputs.iter().map(|t| (t.detach(), t.version())).collect()
    } else {
        Vec::new()
    };
    let node = Rc::new(Node {
        name: name.into(),
        kind: NodeKind::Op {
            backward: RefCell::new(Some(Box::new(backward))),
            saved_outputs: RefCell::new(saved),
        },
        next_edges,
        input_meta,
        output_meta,
        seq: next_seq(),
        pre_hooks: RefCell::new(Vec::new()),
        retained: RefCell::new(Vec::new()),
        trace: crate::autograd::anomaly::capture_trace(),
    });
    for (i, t) in outputs.iter().enumerate() {
        let mut m = t.0.meta.borrow_mut();
        m.grad_fn = Some(node.clone());
        m.output_nr = i;
    }
    Ok(outputs)
}

/// Single-output convenience around [`record`].
pub(crate) fn record1(
    name: impl Into<std::borrow::Cow<'static, str>>,
    inputs: &[&Tensor],
    output: Tensor,
    save_output: bool,
    backward: impl Fn(&BackwardCtx, &Tensor) -> Result<Vec<Option<Tensor>>> + 'static,
) -> Result<Tensor> {
    let mut outs = record(name, inputs, vec![output], save_output, move |ctx, g| {
        backward(ctx, &g[0])
    })?;
    outs.pop()
        .ok_or_else(|| Error::new("internal: record lost its output"))
}
