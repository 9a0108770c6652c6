//! The backward engine: one topological sort of the reachable graph, then one reverse pass
//! that carries a gradient buffer per node. No recursion per edge.

use super::grad_mode::GradModeGuard;
use super::node::{freed_error, Edge, Node, NodeKind};
use crate::bail;
use crate::error::{fmt_shape, Error, Result};
use crate::tensor::Tensor;
use std::collections::HashMap;
use std::rc::Rc;

type NodeKey = *const Node;

fn key(n: &Rc<Node>) -> NodeKey {
    Rc::as_ptr(n)
}

pub struct BackwardOptions {
    pub retain_graph: bool,
    pub create_graph: bool,
}

/// Nodes reachable from `roots`, parents before children (reverse post-order of an iterative
/// DFS), so every node runs after all nodes that feed it gradient.
fn topo_order(roots: &[Rc<Node>]) -> Vec<Rc<Node>> {
    let mut visited: std::collections::HashSet<NodeKey> = std::collections::HashSet::new();
    let mut post: Vec<Rc<Node>> = Vec::new();
    let mut stack: Vec<(Rc<Node>, usize)> = Vec::new();
    for r in roots {
        if !visited.insert(key(r)) {
            continue;
        }
        stack.push((r.clone(), 0));
        while let Some((node, child)) = stack.last_mut() {
            if let Some(edge) = node.next_edges.get(*child) {
                *child += 1;
                if let Some(e) = edge {
                    if visited.insert(key(&e.node)) {
                        let n = e.node.clone();
                        stack.push((n, 0));
                    }
                }
            } else {
                let (n, _) = stack.pop().expect("non-empty stack");
                post.push(n);
            }
        }
    }
    post.reverse();
    post
}

/// Check a gradient a rule returned against the input it is for; cast its dtype and reduce a
/// broadcast shape, as PyTorch's `validate_outputs` does.
fn validate(node: &Node, i: usize, g: Tensor) -> Result<Tensor> {
    let Some(Some(meta)) = node.input_meta.get(i) else {
        return Ok(g);
    };
    let mut g = g;
    if g.shape() != meta.shape.as_slice() {
        g = g.sum_to(&meta.shape).map_err(|_| {
            Error::new(format!(
                "Function {} returned an invalid gradient at index {} - got {} but expected shape compatible with {}",
                node.name,
                i,
                fmt_shape(g.shape()),
                fmt_shape(&meta.shape)
            ))
        })?;
    }
    if g.dtype() != meta.dtype {
        g = g.to_dtype(meta.dtype)?;
    }
    Ok(g)
}

/// How many gradient slots a node's input buffer has (one per output; a leaf's accumulator has one).
fn num_outputs(node: &Node) -> usize {
    match &node.kind {
        NodeKind::AccumulateGrad { .. } => 1,
        NodeKind::Op { .. } => node.output_meta.len(),
    }
}

fn accumulate_into(slot: &mut Option<Tensor>, g: Tensor) -> Result<()> {
    *slot = Some(match slot.take() {
        None => g,
        Some(prev) => prev.add(&g)?,
    });
    Ok(())
}

/// Run backward from `roots` seeded with `grad_roots`.
///
/// With `inputs` empty, gradients accumulate into the `.grad` of every leaf reached
/// (`Tensor::backward`). Otherwise the gradients reaching `inputs` are returned, and with
/// `accumulate` also added to their `.grad` (`backward(inputs=...)`), else not (`autograd.grad`).
pub fn run_backward(
    roots: &[Tensor],
    grad_roots: Vec<Tensor>,
    opts: &BackwardOptions,
    inputs: &[Tensor],
    accumulate: bool,
) -> Result<Vec<Option<Tensor>>> {
    let mut root_edges: Vec<Edge> = Vec::with_capacity(roots.len());
    for (i, r) in roots.iter().enumerate() {
        match r.gradient_edge() {
            Some(e) => root_edges.push(e),
            None => bail!(
                "element {} of tensors does not require grad and does not have a grad_fn",
                i
            ),
        }
    }
    // Where the caller wants gradients captured: (node, input_nr) for each input.
    let mut targets: Vec<Edge> = Vec::with_capacity(inputs.len());
    for (i, t) in inputs.iter().enumerate() {
        match t.gradient_edge() {
            Some(e) => targets.push(e),
            None => bail!(
                "One of the differentiated Tensors does not require grad (input {})",
                i
            ),
        }
    }
    let root_nodes: Vec<Rc<Node>> = root_edges.iter().map(|e| e.node.clone()).collect();
    let order = topo_order(&root_nodes);

    // With explicit inputs only nodes on a path to one of them run.
    let needed: Option<HashMap<NodeKey, bool>> = if targets.is_empty() {
        None
    } else {
        let mut needed: HashMap<NodeKey, bool> = HashMap::with_capacity(order.len());
        for n in order.iter().rev() {
            let is_target = targets.iter().any(|t| Rc::ptr_eq(&t.node, n));
            let child = n
                .next_edges
                .iter()
                .flatten()
                .any(|e| *needed.get(&key(&e.node)).unwrap_or(&false));
            needed.insert(key(n), is_target || child);
        }
        Some(needed)
    };
    let is_needed = |n: &Rc<Node>| {
        needed
            .as_ref()
            .map_or(true, |m| *m.get(&key(n)).unwrap_or(&false))
    };

    let mut buffers: HashMap<NodeKey, Vec<Option<Tensor>>> = HashMap::with_capacity(order.len());
    for (e, g) in root_edges.iter().zip(grad_roots) {
        let n_out = num_outputs(&e.node);
        let buf = buffers
            .entry(key(&e.node))
            .or_insert_with(|| vec![None; n_out]);
        accumulate_into(&mut buf[e.input_nr], g)?;
    }

    let _mode = GradModeGuard::new(opts.create_graph);
    let _no_autocast = crate::autocast::AutocastGuard::new(None);
    let mut captured: Vec<Option<Tensor>> = vec![None; targets.len()];
    for node in &order {
        let Some(mut grads) = buffers.remove(&key(node)) else {
            continue;
        };
        if !is_needed(node) {
            continue;
        }
        // Hooks registered on this node's outputs (tensor.register_hook on non-leaves) and
        // retain_grad see the fully accumulated gradient before the node runs.
        run_pre_hooks(node, &mut grads)?;
        let leaf = match &node.kind {
            NodeKind::AccumulateGrad { leaf } => leaf.upgrade().map(Tensor::from_impl),
            NodeKind::Op { .. } => None,
        };
        if let (Some(leaf), Some(Some(g))) = (&leaf, grads.first()) {
            let mut g = g.clone();
            for hook in leaf.leaf_hooks() {
                if let Some(new) = hook(&g)? {
                    g = new;
                }
            }
            grads[0] = Some(g);
        }
        for (ti, t) in targets.iter().enumerate() {
            if Rc::ptr_eq(&t.node, node) {
                captured[ti] = grads.get(t.input_nr).cloned().flatten();
            }
        }
        match &node.kind {
            NodeKind::AccumulateGrad { .. } => {
                if !targets.is_empty() && !accumulate {
                    continue;
                }
                if let (Some(leaf), Some(Some(g))) = (leaf, grads.into_iter().next()) {
                    accumulate_grad(&leaf, g, opts.create_graph)?;
                    for hook in leaf.post_accumulate_hooks() {
                        hook(&leaf)?;
                    }
                }
            }
            NodeKind::Op { backward, .. } => {
                if !node.next_edges.iter().flatten().any(|e| is_needed(&e.node)) {
                    continue;
                }
                let grads_in: Vec<Tensor> = grads
                    .into_iter()
                    .enumerate()
                    .map(|(i, g)| match g {
                        Some(g) => g,
                        None => {
                            let m = &node.output_meta[i];
                            Tensor::zeros(&m.shape, m.dtype)
                        }
                    })
                    .collect();
                let results = {
                    let f = backward.borrow();
                    let Some(f) = f.as_ref() else {
                        return Err(freed_error());
                    };
                    f(&super::node::BackwardCtx { node }, &grads_in)?
                };
                if results.len() != node.next_edges.len() {
                    bail!(
                        "function {} returned an incorrect number of gradients (expected {}, got {})",
                        node.name,
                        node.next_edges.len(),
                        results.len()
                    );
                }
                if super::anomaly::is_anomaly_enabled() {
                    check_nan(node, &results)?;
                }
                for (i, (edge, g)) in node.next_edges.iter().zip(results).enumerate() {
                    let (Some(edge), Some(g)) = (edge, g) else {
                        continue;
                    };
                    if !is_needed(&edge.node) {
                        continue;
                    }
                    let g = validate(node, i, g)?;
                    let n_out = num_outputs(&edge.node);
                    let buf = buffers
                        .entry(key(&edge.node))
                        .or_insert_with(|| vec![None; n_out]);
                    accumulate_into(&mut buf[edge.input_nr], g)?;
                }
                if !opts.retain_graph {
                    node.release();
                }
            }
        }
    }
    Ok(captured)
}

/// Anomaly mode: a NaN in any gradient a node produced is an error naming the node, and
/// where its forward op was created when that is known.
fn check_nan(node: &Node, results: &[Option<Tensor>]) -> Result<()> {
    for (i, g) in results.iter().enumerate() {
        let Some(g) = g else { continue };
        if g.to_f64_vec().iter().any(|v| v.is_nan()) {
            let mut msg = format!(
                "Function '{}' returned nan values in its {}th output.",
                node.name, i
            );
            if let Some(trace) = &node.trace {
                msg.push_str(&format!(" The forward op was created at:\n{}", trace));
            }
            return Err(Error::new(msg));
        }
    }
    Ok(())
}

fn run_pre_hooks(node: &Rc<Node>, grads: &mut [Option<Tensor>]) -> Result<()> {
    let hooks = node.pre_hooks.borrow().clone();
    for (nr, _id, hook) in hooks {
        if let Some(Some(g)) = grads.get(nr) {
            if let Some(new) = hook(g)? {
                grads[nr] = Some(new);
            }
        }
    }
    let retained = node.retained.borrow().clone();
    for (nr, weak) in retained {
        if let (Some(t), Some(Some(g))) = (weak.upgrade(), grads.get(nr)) {
            let t = Tensor::from_impl(t);
            let g = if t.0.meta.borrow().grad.is_some() {
                g.clone()
            } else {
                g.detach_copy()?
            };
            let mut m = t.0.meta.borrow_mut();
            m.grad = Some(match m.grad.take() {
                None => g,
                Some(prev) => crate::autograd::grad_mode::no_grad(|| prev.add(&g))?,
            });
        }
    }
    Ok(())
}

/// AccumulateGrad: the first gradient is stored (copied if anything else may alias it), later
/// ones are added in place, or out of place under `create_graph` so the sum stays differentiable.
fn accumulate_grad(leaf: &Tensor, g: Tensor, create_graph: bool) -> Result<()> {
    // Drop the undetached handle right away (a shadowed binding would live to the end of the
    // function): `detach_copy` below then sees whether anything else still references the
    // gradient's storage, and stores it without a copy when nothing does.
    let g = if create_graph {
        g
    } else {
        let d = g.detach();
        drop(g);
        d
    };
    let prev = leaf.0.meta.borrow_mut().grad.take();
    let new = match prev {
        None => {
            if create_graph {
                g
            } else {
                g.detach_copy()?
            }
        }
        Some(prev) => {
            if create_graph || prev.requires_grad() {
                prev.add(&g)?
            } else {
                prev.add_assign_raw(&g)?;
                prev
            }
        }
    };
    leaf.0.meta.borrow_mut().grad = Some(new);
    Ok(())
}
