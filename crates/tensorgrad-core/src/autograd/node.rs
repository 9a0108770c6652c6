//! Graph nodes (PyTorch's `grad_fn`s). A node owns its backward closure and the tensors it
//! saved; edges point at the nodes of its inputs. Leaves that require grad are reached through
//! an `AccumulateGrad` node that holds a weak reference back to the leaf.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::{Tensor, TensorImpl};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

/// The vector-Jacobian product of one op: given the gradient of every output (missing ones
/// materialised as zeros), return the gradient of every input (None where it has none).
/// Rules are written with differentiable tensor ops, so `create_graph` works for every op.
pub type BackwardFn = Box<dyn Fn(&BackwardCtx, &[Tensor]) -> Result<Vec<Option<Tensor>>>>;

#[derive(Clone)]
pub struct Edge {
    pub node: Rc<Node>,
    pub input_nr: usize,
}

#[derive(Clone, Debug)]
pub struct TensorMeta {
    pub shape: Vec<usize>,
    pub dtype: DType,
}

pub(crate) enum NodeKind {
    Op {
        backward: RefCell<Option<BackwardFn>>,
        /// Outputs saved for backward with their version, stored without their grad_fn (no
        /// reference cycle); `BackwardCtx::output` reattaches this node.
        saved_outputs: RefCell<Vec<(Tensor, u64)>>,
    },
    AccumulateGrad {
        leaf: Weak<TensorImpl>,
    },
}

/// A function that sees (and may replace) a gradient flowing into a tensor.
pub type GradHook = Rc<dyn Fn(&Tensor) -> Result<Option<Tensor>>>;
/// A function called with a leaf after its `.grad` was updated.
pub type PostAccumulateHook = Rc<dyn Fn(&Tensor) -> Result<()>>;

pub struct Node {
    pub(crate) name: Cow<'static, str>,
    pub(crate) kind: NodeKind,
    pub(crate) next_edges: Vec<Option<Edge>>,
    /// Shape/dtype of every input, to validate and cast the gradients a rule returns.
    pub(crate) input_meta: Vec<Option<TensorMeta>>,
    /// Shape/dtype of every output, to materialise missing output gradients as zeros.
    pub(crate) output_meta: Vec<TensorMeta>,
    /// Creation order; later nodes run first when the topological order ties.
    pub(crate) seq: u64,
    /// Hooks registered on the outputs of this node (non-leaf `register_hook`), per output.
    pub(crate) pre_hooks: RefCell<Vec<(usize, u64, GradHook)>>,
    /// Non-leaf outputs that called `retain_grad()`.
    pub(crate) retained: RefCell<Vec<(usize, Weak<TensorImpl>)>>,
    /// Where the forward op was created (anomaly mode only).
    pub(crate) trace: Option<String>,
}

thread_local! {
    static NEXT_SEQ: Cell<u64> = const { Cell::new(0) };
}

pub(crate) fn next_seq() -> u64 {
    NEXT_SEQ.with(|s| {
        let v = s.get();
        s.set(v + 1);
        v
    })
}

impl Node {
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Where the forward op was created, when anomaly detection was on.
    pub fn trace(&self) -> Option<&str> {
        self.trace.as_deref()
    }
    pub fn next_edges(&self) -> &[Option<Edge>] {
        &self.next_edges
    }
    pub fn is_accumulate_grad(&self) -> bool {
        matches!(self.kind, NodeKind::AccumulateGrad { .. })
    }
    /// The leaf of an AccumulateGrad node, if it is still alive.
    pub fn variable(&self) -> Option<Tensor> {
        match &self.kind {
            NodeKind::AccumulateGrad { leaf } => leaf.upgrade().map(Tensor::from_impl),
            _ => None,
        }
    }
    pub(crate) fn new_accumulate(leaf: &Rc<TensorImpl>, meta: TensorMeta) -> Rc<Node> {
        Rc::new(Node {
            name: Cow::Borrowed("AccumulateGrad"),
            kind: NodeKind::AccumulateGrad {
                leaf: Rc::downgrade(leaf),
            },
            next_edges: Vec::new(),
            input_meta: vec![Some(meta)],
            output_meta: Vec::new(),
            seq: next_seq(),
            pre_hooks: RefCell::new(Vec::new()),
            retained: RefCell::new(Vec::new()),
            trace: None,
        })
    }
    /// Drop the closure and everything it saved (`retain_graph=false`).
    pub(crate) fn release(&self) {
        if let NodeKind::Op {
            backward,
            saved_outputs,
        } = &self.kind
        {
            backward.borrow_mut().take();
            saved_outputs.borrow_mut().clear();
        }
    }
    /// Creation order of this node (PyTorch's `sequence_nr`).
    pub fn sequence_nr(&self) -> u64 {
        self.seq
    }
}

pub(crate) fn freed_error() -> Error {
    Error::new(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
    )
}

/// What a backward closure can ask of the engine.
pub struct BackwardCtx<'a> {
    pub(crate) node: &'a Rc<Node>,
}

impl BackwardCtx<'_> {
    /// Number of inputs of this node.
    pub fn num_inputs(&self) -> usize {
        self.node.next_edges.len()
    }
    /// Whether input `i` takes part in the graph (PyTorch's `needs_input_grad`).
    pub fn needs_input_grad(&self, i: usize) -> bool {
        matches!(self.node.next_edges.get(i), Some(Some(_)))
    }
    /// The gradient for input `i` computed by `f`, or `None` without calling it when that input
    /// takes no part in the graph (the usual shape of a backward rule's per-input branch).
    pub fn grad_if(&self, i: usize, f: impl FnOnce() -> Result<Tensor>) -> Result<Option<Tensor>> {
        if self.needs_input_grad(i) {
            f().map(Some)
        } else {
            Ok(None)
        }
    }

    /// Output `i` of this node, reattached to the node so double-backward sees it.
    pub fn output(&self, i: usize) -> Result<Tensor> {
        match &self.node.kind {
            NodeKind::Op { saved_outputs, .. } => {
                let saved = saved_outputs.borrow();
                let (t, version) = saved.get(i).ok_or_else(freed_error)?;
                let t = t.with_grad_fn(self.node.clone(), i);
                super::saved::check_version(&t, *version)?;
                Ok(t)
            }
            _ => Err(freed_error()),
        }
    }
}
