//! Shape ops. Views share storage (no copy) where PyTorch's do.

use crate::error::fmt_shape;
use crate::shape::{infer_shape, normalize_dim, normalize_dims, view_strides, Layout};
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};

impl Tensor {
    /// `view(shape)`: fails when the strides do not allow a view (PyTorch's message).
    pub fn view(&self, shape: &[isize]) -> Result<Tensor> {
        let new_shape = infer_shape(shape, self.numel())?;
        let Some(strides) = view_strides(self.layout(), &new_shape) else {
            bail!("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
        };
        self.view_as_shape(new_shape, strides)
    }

    fn view_as_shape(&self, new_shape: Vec<usize>, strides: Vec<usize>) -> Result<Tensor> {
        let out = self.view_with_layout(Layout {
            shape: new_shape,
            strides,
            offset: self.layout().offset,
        });
        let in_shape = self.shape().to_vec();
        record1("ViewBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.reshape_usize(&in_shape)?)])
        })
    }

    /// `reshape(shape)`: a view when possible, otherwise a copy. One `-1` is inferred.
    pub fn reshape(&self, shape: &[isize]) -> Result<Tensor> {
        let new_shape = infer_shape(shape, self.numel())?;
        self.reshape_usize(&new_shape)
    }

    pub(crate) fn reshape_usize(&self, new_shape: &[usize]) -> Result<Tensor> {
        if new_shape.iter().product::<usize>() != self.numel() {
            bail!(
                "shape '{}' is invalid for input of size {}",
                fmt_shape(new_shape),
                self.numel()
            );
        }
        if new_shape == self.shape() {
            // PyTorch returns a view (alias) even here; keep the graph node so grad_fn matches.
            return self.view_as_shape(new_shape.to_vec(), self.strides().to_vec());
        }
        match view_strides(self.layout(), new_shape) {
            Some(strides) => self.view_as_shape(new_shape.to_vec(), strides),
            None => {
                // Copy, then view: PyTorch records _unsafe_view over a clone.
                let c = self.clone_tensor()?;
                let strides = crate::shape::contiguous_strides(new_shape);
                let out = c.view_with_layout(Layout {
                    shape: new_shape.to_vec(),
                    strides,
                    offset: 0,
                });
                let in_shape = self.shape().to_vec();
                record1("UnsafeViewBackward0", &[&c], out, false, move |_, g| {
                    Ok(vec![Some(g.reshape_usize(&in_shape)?)])
                })
            }
        }
    }

    /// `expand(shape)` (ExpandBackward0): size-1 dims broadcast with stride 0; -1 keeps a dim.
    pub fn expand(&self, shape: &[isize]) -> Result<Tensor> {
        let nd = shape.len();
        if nd < self.ndim() {
            bail!(
                "expand(torch.FloatTensor{{{}}}, size=[{}]): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
                fmt_shape(self.shape()).trim_matches(|c| c == '[' || c == ']'),
                shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
                nd,
                self.ndim()
            );
        }
        let off = nd - self.ndim();
        let mut target = Vec::with_capacity(nd);
        for (i, &d) in shape.iter().enumerate() {
            if d == -1 {
                if i < off {
                    bail!("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {}", i);
                }
                target.push(self.shape()[i - off]);
            } else if d < 0 {
                bail!("invalid shape dimension {}", d);
            } else {
                target.push(d as usize);
            }
        }
        self.expand_to(&target)
    }

    pub(crate) fn expand_to(&self, target: &[usize]) -> Result<Tensor> {
        let strides = crate::shape::broadcast_strides(self.layout(), target)?;
        if target == self.shape() {
            return Ok(self.clone());
        }
        let out = self.view_with_layout(Layout {
            shape: target.to_vec(),
            strides,
            offset: self.layout().offset,
        });
        let in_shape = self.shape().to_vec();
        record1("ExpandBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.sum_to(&in_shape)?)])
        })
    }

    /// Sum a broadcast gradient back to `shape` (PyTorch's `at::sum_to`).
    pub fn sum_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let nd = self.ndim();
        if shape.len() > nd {
            bail!(
                "sum_to: size {} is not expandable to {}",
                fmt_shape(shape),
                fmt_shape(self.shape())
            );
        }
        let lead = nd - shape.len();
        let mut dims: Vec<isize> = (0..lead as isize).collect();
        for (i, &d) in shape.iter().enumerate() {
            let have = self.shape()[lead + i];
            if d == 1 && have != 1 {
                dims.push((lead + i) as isize);
            } else if d != have {
                bail!(
                    "sum_to: size {} is not expandable to {}",
                    fmt_shape(shape),
                    fmt_shape(self.shape())
                );
            }
        }
        let s = if dims.is_empty() {
            self.clone()
        } else {
            self.sum_dims(&dims, true)?
        };
        if s.shape() == shape {
            return Ok(s);
        }
        s.reshape_usize(shape)
    }

    /// `transpose(dim0, dim1)` (TransposeBackward0), a view.
    pub fn transpose(&self, dim0: isize, dim1: isize) -> Result<Tensor> {
        let nd = self.ndim();
        let (a, b) = (normalize_dim(dim0, nd)?, normalize_dim(dim1, nd)?);
        if nd == 0 {
            return Ok(self.clone());
        }
        let mut l = self.layout().clone();
        l.shape.swap(a, b);
        l.strides.swap(a, b);
        let out = self.view_with_layout(l);
        record1("TransposeBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.transpose(a as isize, b as isize)?)])
        })
    }

    /// `t()` (TBackward0): transpose of a tensor with at most 2 dims.
    pub fn t(&self) -> Result<Tensor> {
        if self.ndim() > 2 {
            bail!(
                "t() expects a tensor with <= 2 dimensions, but self is {}D",
                self.ndim()
            );
        }
        if self.ndim() < 2 {
            return Ok(self.clone());
        }
        let mut l = self.layout().clone();
        l.shape.swap(0, 1);
        l.strides.swap(0, 1);
        let out = self.view_with_layout(l);
        record1("TBackward0", &[self], out, false, |_, g| {
            Ok(vec![Some(g.t()?)])
        })
    }

    /// `unsqueeze(dim)` (UnsqueezeBackward0).
    pub fn unsqueeze(&self, dim: isize) -> Result<Tensor> {
        let nd = self.ndim();
        let d = normalize_dim(dim, nd + 1)?;
        let mut l = self.layout().clone();
        let stride = if d < nd { l.strides[d] * l.shape[d] } else { 1 };
        l.shape.insert(d, 1);
        l.strides.insert(d, stride);
        let out = self.view_with_layout(l);
        record1("UnsqueezeBackward0", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.squeeze_dims(&[d as isize])?)])
        })
    }

    /// `squeeze(dims)`: drop the listed size-1 dims (others are left alone, as in PyTorch).
    pub fn squeeze_dims(&self, dims: &[isize]) -> Result<Tensor> {
        let nd = self.ndim();
        let dims = normalize_dims(dims, nd)?;
        let mut l = Layout {
            shape: vec![],
            strides: vec![],
            offset: self.layout().offset,
        };
        for i in 0..nd {
            if !(dims.contains(&i) && self.shape()[i] == 1) {
                l.shape.push(self.shape()[i]);
                l.strides.push(self.strides()[i]);
            }
        }
        if l.shape.len() == nd {
            return Ok(self.clone());
        }
        let out = self.view_with_layout(l);
        let in_shape = self.shape().to_vec();
        record1("SqueezeBackward1", &[self], out, false, move |_, g| {
            Ok(vec![Some(g.reshape_usize(&in_shape)?)])
        })
    }
}

use super::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![
        OpSpec {
            name: "reshape",
            js: "reshape",
            grad_fn: "ViewBackward0",
            dtypes: "all",
            grad: D2,
            notes: "a view when strides allow, else a copy (UnsafeViewBackward0); one -1 inferred",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].reshape(&[3, -1]),
        },
        OpSpec {
            name: "view",
            js: "view",
            grad_fn: "ViewBackward0",
            dtypes: "all",
            grad: D2,
            notes: "fails when the strides do not allow a view",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].view(&[6]),
        },
        OpSpec {
            name: "expand",
            js: "expand",
            grad_fn: "ExpandBackward0",
            dtypes: "all",
            grad: D2,
            notes: "stride-0 view; gradient summed back",
            inputs: vec![input(&[3, 1], Any)],
            run: |x| x[0].expand(&[2, 3, 4]),
        },
        OpSpec {
            name: "transpose",
            js: "transpose",
            grad_fn: "TransposeBackward0",
            dtypes: "all",
            grad: D2,
            notes: "a view",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].transpose(0, 1),
        },
        OpSpec {
            name: "t",
            js: "t",
            grad_fn: "TBackward0",
            dtypes: "all",
            grad: D2,
            notes: "<= 2-D",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].t(),
        },
        OpSpec {
            name: "unsqueeze",
            js: "unsqueeze",
            grad_fn: "UnsqueezeBackward0",
            dtypes: "all",
            grad: D2,
            notes: "",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].unsqueeze(1),
        },
        OpSpec {
            name: "squeeze",
            js: "squeeze",
            grad_fn: "SqueezeBackward1",
            dtypes: "all",
            grad: D2,
            notes: "only size-1 dims are removed",
            inputs: vec![input(&[2, 1, 3], Any)],
            run: |x| x[0].squeeze_dims(&[1]),
        },
        OpSpec {
            name: "contiguous / clone",
            js: "contiguous / clone",
            grad_fn: "CloneBackward0",
            dtypes: "all",
            grad: D2,
            notes: "",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].t()?.clone_tensor(),
        },
        OpSpec {
            name: "to",
            js: "to / float / double / long / bool",
            grad_fn: "ToCopyBackward0",
            dtypes: "all",
            grad: Grad::Cast,
            notes: "float to integer truncates (nan gives 0)",
            inputs: vec![input(&[2, 3], Any)],
            run: |x| x[0].to_dtype(crate::DType::F32),
        },
    ]
}
