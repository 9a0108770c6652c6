//! Tensor hooks: `register_hook` (leaves and non-leaves), `retain_grad`, and
//! `register_post_accumulate_grad_hook`. Leaf hooks live on the tensor (its AccumulateGrad
//! node is only weakly held); non-leaf hooks live on the tensor's grad_fn, per output.

use super::node::{GradHook, PostAccumulateHook};
use crate::bail;
use crate::error::Result;
use crate::tensor::Tensor;
use std::cell::Cell;
use std::rc::Rc;

thread_local! {
    static NEXT_HOOK: Cell<u64> = const { Cell::new(1) };
}

fn next_id() -> u64 {
    NEXT_HOOK.with(|c| {
        let v = c.get();
        c.set(v + 1);
        v
    })
}

impl Tensor {
    /// Register `hook(grad)`, called with the gradient of this tensor each time it is computed;
    /// returning `Some(g)` replaces the gradient. Returns an id for `remove_hook`.
    pub fn register_hook(&self, hook: GradHook) -> Result<u64> {
        if !self.requires_grad() {
            bail!("cannot register a hook on a tensor that doesn't require gradient");
        }
        let id = next_id();
        match self.grad_fn() {
            Some(node) => node
                .pre_hooks
                .borrow_mut()
                .push((self.output_nr(), id, hook)),
            None => self.0.meta.borrow_mut().hooks.push((id, hook)),
        }
        Ok(id)
    }

    /// Called with the leaf after its `.grad` has been accumulated.
    pub fn register_post_accumulate_grad_hook(&self, hook: PostAccumulateHook) -> Result<u64> {
        if !self.requires_grad() {
            bail!("cannot register a hook on a tensor that doesn't require gradient");
        }
        if !self.is_leaf() {
            bail!("post accumulate grad hooks cannot be registered on non-leaf tensors");
        }
        let id = next_id();
        self.0
            .meta
            .borrow_mut()
            .post_accumulate_hooks
            .push((id, hook));
        Ok(id)
    }

    /// Remove a hook registered on this tensor; false if it was not there.
    pub fn remove_hook(&self, id: u64) -> bool {
        let mut m = self.0.meta.borrow_mut();
        let before = m.hooks.len() + m.post_accumulate_hooks.len();
        m.hooks.retain(|(h, _)| *h != id);
        m.post_accumulate_hooks.retain(|(h, _)| *h != id);
        let mut removed = before != m.hooks.len() + m.post_accumulate_hooks.len();
        if let Some(node) = &m.grad_fn {
            let mut hooks = node.pre_hooks.borrow_mut();
            let n = hooks.len();
            hooks.retain(|(_, h, _)| *h != id);
            removed |= n != hooks.len();
        }
        removed
    }

    /// Keep `.grad` on this non-leaf tensor during backward (a no-op on leaves).
    pub fn retain_grad(&self) -> Result<()> {
        if !self.requires_grad() {
            bail!("can't retain_grad on Tensor that has requires_grad=False");
        }
        if self.is_leaf() || self.retains_grad() {
            return Ok(());
        }
        let node = self.grad_fn().expect("non-leaf has grad_fn");
        node.retained
            .borrow_mut()
            .push((self.output_nr(), Rc::downgrade(&self.0)));
        self.0.meta.borrow_mut().retains_grad = true;
        Ok(())
    }

    pub(crate) fn leaf_hooks(&self) -> Vec<GradHook> {
        self.0
            .meta
            .borrow()
            .hooks
            .iter()
            .map(|(_, h)| h.clone())
            .collect()
    }

    pub(crate) fn post_accumulate_hooks(&self) -> Vec<PostAccumulateHook> {
        self.0
            .meta
            .borrow()
            .post_accumulate_hooks
            .iter()
            .map(|(_, h)| h.clone())
            .collect()
    }
}
