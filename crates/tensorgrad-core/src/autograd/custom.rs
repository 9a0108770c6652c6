//! User-defined functions (`autograd.Function`): the host computes the outputs (in no-grad
//! mode) and supplies a backward closure; the core wires the node into the graph, keeps the
//! saved tensors with version checks, and stores saved *outputs* without a reference cycle.

use super::node::{next_seq, BackwardCtx, Node, NodeKind};
use super::saved::Saved;
use crate::error::Result;
use crate::tensor::Tensor;
use std::cell::RefCell;
use std::rc::Rc;

/// What a custom backward closure is given.
pub struct CustomCtx<'a, 'b> {
    pub inner: &'a BackwardCtx<'b>,
    saved: &'a [SavedSlot],
}

enum SavedSlot {
    Input(Saved),
    Output(usize),
}

impl CustomCtx<'_, '_> {
    /// The tensors passed to `save_for_backward`, outputs reattached to the node.
    pub fn saved_tensors(&self) -> Result<Vec<Tensor>> {
        self.saved
            .iter()
            .map(|s| match s {
                SavedSlot::Input(t) => t.get().cloned(),
                SavedSlot::Output(i) => self.inner.output(*i),
            })
            .collect()
    }
    pub fn needs_input_grad(&self, i: usize) -> bool {
        self.inner.needs_input_grad(i)
    }
}

pub type CustomBackward = Box<dyn Fn(&CustomCtx, &[Tensor]) -> Result<Vec<Option<Tensor>>>>;

/// Attach a custom node. `saved` lists the tensors to keep, each either an input-like tensor
/// or `Err(i)` for output `i`. `non_differentiable[i]` leaves output `i` without a grad_fn.
/// Returns the outputs as graph tensors (fresh handles sharing the computed data).
pub fn apply_custom(
    name: String,
    inputs: &[Tensor],
    outputs: &[Tensor],
    saved: Vec<std::result::Result<Tensor, usize>>,
    non_differentiable: &[bool],
    backward: CustomBackward,
) -> Result<Vec<Tensor>> {
    let outs: Vec<Tensor> = outputs.iter().map(|t| t.detach()).collect();
    let grad_needed = crate::is_grad_enabled() && inputs.iter().any(|t| t.requires_grad());
    if !grad_needed {
        return Ok(outs);
    }
    let mut slots = Vec::with_capacity(saved.len());
    for s in saved {
        slots.push(match s {
            Ok(t) => SavedSlot::Input(Saved::new(&t)),
            Err(i) => SavedSlot::Output(i),
        });
    }
    let next_edges = inputs.iter().map(|t| t.gradient_edge()).collect::<Vec<_>>();
    let input_meta = inputs
        .iter()
        .zip(&next_edges)
        .map(|(t, e)| e.as_ref().map(|_| t.tensor_meta()))
        .collect();
    let node = Rc::new(Node {
        name: name.into(),
        kind: NodeKind::Op {
            backward: RefCell::new(Some(Box::new(
                move |ctx: &BackwardCtx, grads: &[Tensor]| {
                    backward(
                        &CustomCtx {
                            inner: ctx,
                            saved: &slots,
                        },
                        grads,
                    )
                },
            ))),
            saved_outputs: RefCell::new(outs.iter().map(|t| (t.detach(), t.version())).collect()),
        },
        next_edges,
        input_meta,
        output_meta: outs.iter().map(|t| t.tensor_meta()).collect(),
        seq: next_seq(),
        pre_hooks: RefCell::new(Vec::new()),
        retained: RefCell::new(Vec::new()),
        trace: super::anomaly::capture_trace(),
    });
    Ok(outs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if non_differentiable.get(i).copied().unwrap_or(false) {
                t.clone()
            } else {
                t.with_grad_fn(node.clone(), i)
            }
        })
        .collect())
}
