//! Reverse-mode automatic differentiation: graph nodes, grad mode, and the engine.

pub mod anomaly;
pub mod custom;
pub mod engine;
pub mod grad_mode;
pub mod hooks;
pub mod node;
pub mod saved;

use crate::bail;
use crate::error::{fmt_shape, Result};
use crate::tensor::Tensor;
use engine::{run_backward, BackwardOptions};

impl Tensor {
    /// `backward(gradient, retain_graph, create_graph)`. `retain_graph` defaults to
    /// `create_graph` at the API layer, as in PyTorch.
    pub fn backward(
        &self,
        gradient: Option<&Tensor>,
        retain_graph: bool,
        create_graph: bool,
    ) -> Result<()> {
        let g = root_grad(self, gradient, 0)?;
        run_backward(
            std::slice::from_ref(self),
            vec![g],
            &BackwardOptions {
                retain_graph,
                create_graph,
            },
            &[],
            true,
        )?;
        Ok(())
    }

    /// `backward(gradient, inputs=...)`: accumulate only into the `.grad` of `inputs` (leaves
    /// or not), as PyTorch does.
    pub fn backward_inputs(
        &self,
        gradient: Option<&Tensor>,
        retain_graph: bool,
        create_graph: bool,
        inputs: &[Tensor],
    ) -> Result<()> {
        if inputs.is_empty() {
            bail!("'inputs' argument to backward() cannot be empty.");
        }
        let g = root_grad(self, gradient, 0)?;
        let captured = run_backward(
            std::slice::from_ref(self),
            vec![g],
            &BackwardOptions {
                retain_graph,
                create_graph,
            },
            inputs,
            true,
        )?;
        // Leaves were accumulated by their AccumulateGrad nodes; non-leaves get theirs here.
        for (t, g) in inputs.iter().zip(captured) {
            if let (false, Some(g)) = (t.is_leaf(), g) {
                let g = if create_graph { g } else { g.detach_copy()? };
                let prev = t.grad();
                let new = match prev {
                    None => g,
                    Some(p) => grad_mode::GradModeGuard::new(create_graph).then(|| p.add(&g))?,
                };
                t.0.meta.borrow_mut().grad = Some(new);
            }
        }
        Ok(())
    }

    /// A contiguous copy with no graph; steals the storage when nothing else can see it.
    pub(crate) fn detach_copy(&self) -> Result<Tensor> {
        let unique = std::rc::Rc::strong_count(&self.0) == 1
            && std::rc::Rc::strong_count(self.storage()) == 1
            && self.is_contiguous()
            && self.layout().offset == 0
            && self.storage().len() == self.numel();
        if unique {
            return Ok(self.detach());
        }
        grad_mode::no_grad(|| self.clone_tensor()).map(|t| t.detach())
    }

    /// `self += other` on the raw data, no graph; bumps the version counter.
    pub(crate) fn add_assign_raw(&self, other: &Tensor) -> Result<()> {
        if other.dtype() != self.dtype() || other.shape() != self.shape() {
            bail!(
                "in-place add: cannot add a {} tensor of shape {} into a {} tensor of shape {}",
                other.dtype(),
                fmt_shape(other.shape()),
                self.dtype(),
                fmt_shape(self.shape())
            );
        }
        let src = other.to_f64_vec_if_aliased(self)?;
        let l = self.layout().clone();
        let ol = other.layout().clone();
        let mut buf = self.storage().write();
        macro_rules! go {
            ($dst:expr, $T:ty) => {{
                match &src {
                    Some(v) => {
                        let mut i = 0;
                        crate::shape::for_each_offset(&l.shape, [&l.strides], [l.offset], |[o]| {
                            $dst[o] += v[i] as $T;
                            i += 1;
                        });
                    }
                    None => {
                        let ob = other.buffer();
                        let Some(s) = <$T as crate::element::Element>::slice(&ob) else {
                            bail!("dtype mismatch")
                        };
                        crate::shape::for_each_offset(
                            &l.shape,
                            [&l.strides, &ol.strides],
                            [l.offset, ol.offset],
                            |[o, p]| {
                                $dst[o] += s[p];
                            },
                        );
                    }
                }
            }};
        }
        match &mut *buf {
            crate::storage::Buffer::F32(d) => go!(d, f32),
            crate::storage::Buffer::F64(d) => go!(d, f64),
            _ => bail!("in-place gradient accumulation needs a floating tensor"),
        }
        Ok(())
    }

    /// When `self` shares storage with `dst`, a copy of its values (so an in-place update
    /// cannot read what it just wrote, and the storage is not borrowed twice).
    fn to_f64_vec_if_aliased(&self, dst: &Tensor) -> Result<Option<Vec<f64>>> {
        Ok(if self.shares_storage(dst) {
            Some(self.to_f64_vec())
        } else {
            None
        })
    }
}

/// The seed gradient for output `i`: ones for a one-element output, else the given one.
pub(crate) fn root_grad(out: &Tensor, gradient: Option<&Tensor>, i: usize) -> Result<Tensor> {
    match gradient {
        None => {
            if out.numel() != 1 {
                bail!("grad can be implicitly created only for scalar outputs");
            }
            if !out.dtype().is_floating_point() {
                bail!(
                    "grad can be implicitly created only for real scalar outputs but got {}",
                    out.dtype()
                );
            }
            Ok(Tensor::ones(out.shape(), out.dtype()))
        }
        Some(g) => {
            if g.shape() != out.shape() {
                bail!(
                    "Mismatch in shape: grad_output[{}] has a shape of torch.Size({}) and output[{}] has a shape of torch.Size({}).",
                    i,
                    fmt_shape(g.shape()),
                    i,
                    fmt_shape(out.shape())
                );
            }
            if g.dtype() != out.dtype() {
                return g.to_dtype(out.dtype());
            }
            Ok(g.clone())
        }
    }
}

/// `torch.autograd.grad`: gradients of `outputs` with respect to `inputs`, without touching
/// `.grad`. Unused inputs give `None` when `allow_unused`, else an error.
pub fn grad(
    outputs: &[Tensor],
    inputs: &[Tensor],
    grad_outputs: &[Option<Tensor>],
    retain_graph: bool,
    create_graph: bool,
    allow_unused: bool,
) -> Result<Vec<Option<Tensor>>> {
    if inputs.is_empty() {
        bail!("grad requires non-empty inputs.");
    }
    if !grad_outputs.is_empty() && grad_outputs.len() != outputs.len() {
        bail!(
            "grad_outputs must have the same length as outputs ({} vs {})",
            grad_outputs.len(),
            outputs.len()
        );
    }
    let mut seeds = Vec::with_capacity(outputs.len());
    for (i, o) in outputs.iter().enumerate() {
        seeds.push(root_grad(
            o,
            grad_outputs.get(i).and_then(|g| g.as_ref()),
            i,
        )?);
    }
    let res = run_backward(
        outputs,
        seeds,
        &BackwardOptions {
            retain_graph,
            create_graph,
        },
        inputs,
        false,
    )?;
    if !allow_unused {
        if let Some(i) = res.iter().position(|g| g.is_none()) {
            bail!("One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior. (input {})", i);
        }
    }
    Ok(res)
}
