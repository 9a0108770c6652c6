//! The op table: one entry per public op, with what the docs and the test suite need.
//! `tests/op_table.rs` gradchecks (first and, where claimed, second order) every
//! differentiable entry against finite differences, and `docs/ops.md` is generated from it,
//! so an op without a working gradient, or a stale doc, fails the build.

use crate::{Result, Tensor};

/// Where sample inputs are drawn from, so finite differences stay away from kinks and poles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// Values in about [-1.5, 1.5], away from 0 and from each other.
    Any,
    /// Values in about [0.3, 2.0].
    Positive,
    /// Values in about (-0.9, 0.9).
    Unit,
    /// Values in about [1.2, 3.0] (acosh).
    AboveOne,
    /// Not differentiated: an index, mask or integer input built by the op itself.
    Fixed,
}

#[derive(Clone, Copy, Debug)]
pub struct InputSpec {
    pub shape: &'static [usize],
    pub domain: Domain,
    /// Whether the gradient with respect to this input is checked.
    pub grad: bool,
}

pub const fn input(shape: &'static [usize], domain: Domain) -> InputSpec {
    InputSpec {
        shape,
        domain,
        grad: true,
    }
}

pub const fn fixed(shape: &'static [usize]) -> InputSpec {
    InputSpec {
        shape,
        domain: Domain::Fixed,
        grad: false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Grad {
    /// Gradient checked against finite differences; `double` also checks second order.
    Differentiable { double: bool },
    /// Piecewise constant (floor, sign, ...): the gradient is zero everywhere.
    Zero,
    /// Returns integers or booleans: no gradient flows.
    None,
    /// Dtype casts: the gradient passes through, cast back to the input's dtype (finite
    /// differences cannot see through a float32 rounding, so this is checked exactly).
    Cast,
}

pub struct OpSpec {
    /// PyTorch's name (`log_softmax`).
    pub name: &'static str,
    /// tensorgrad's JavaScript name (`logSoftmax`).
    pub js: &'static str,
    /// The grad_fn name the output carries (`LogSoftmaxBackward0`), "" when none.
    pub grad_fn: &'static str,
    pub dtypes: &'static str,
    pub grad: Grad,
    pub notes: &'static str,
    pub inputs: Vec<InputSpec>,
    /// Apply the op to sample inputs (float64, built from `inputs`).
    pub run: fn(&[Tensor]) -> Result<Tensor>,
}

/// Every op, in documentation order.
pub fn all_ops() -> Vec<OpSpec> {
    let mut v = Vec::new();
    v.extend(super::binary::specs());
    v.extend(super::unary::specs());
    v.extend(super::pointwise::specs());
    v.extend(super::reduce::specs());
    v.extend(super::reductions::specs());
    v.extend(super::softmax::specs());
    v.extend(super::linalg::specs());
    v.extend(super::linalg_ext::specs());
    v.extend(super::shape::specs());
    v.extend(super::inplace::specs());
    v.extend(super::views::specs());
    v.extend(super::indexing::specs());
    v.extend(super::nn::specs());
    v.extend(super::conv::specs());
    v
}

/// The markdown table in `docs/ops.md`.
pub fn ops_markdown() -> String {
    let mut s = String::from(
        "# Ops\n\nGenerated from the op table (`crates/tensorgrad-core/src/ops/registry.rs`) by \
         `UPDATE_DOCS=1 cargo test -p tensorgrad-core --test op_table`; a test fails when this \
         file is stale. Every differentiable op is gradchecked against central finite \
         differences in float64, and second-order checked where the table says so.\n\n\
         | op (PyTorch) | tensorgrad | dtypes | gradient | double backward | notes |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for op in all_ops() {
        let (g, gg) = match op.grad {
            Grad::Differentiable { double } => (
                format!("`{}`", op.grad_fn),
                if double { "yes" } else { "no" }.to_string(),
            ),
            Grad::Zero => (format!("zero (`{}`)", op.grad_fn), "yes".to_string()),
            Grad::None => ("not differentiable".to_string(), "-".to_string()),
            Grad::Cast => (
                format!("`{}` (passes through, cast back)", op.grad_fn),
                "yes".to_string(),
            ),
        };
        s.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} | {} |\n",
            op.name, op.js, op.dtypes, g, gg, op.notes
        ));
    }
    s
}
