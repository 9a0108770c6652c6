//! linear, bilinear, dropout, embedding, one_hot and pad of `torch.nn.functional`.

use crate::autograd::saved::Saved;
use crate::dtype::DType;
use crate::error::fmt_shape;
use crate::tensor::{record1, Tensor};
use crate::{bail, no_grad, Result};

fn isz(s: &[usize]) -> Vec<isize> {
    s.iter().map(|&d| d as isize).collect()
}

impl Tensor {
    /// `F.linear(input, weight, bias)` = `input @ weight.T + bias`, dispatched as PyTorch:
    /// 2-D input with bias is `addmm` (AddmmBackward0); contiguous 3-D input with bias is
    /// flattened into one `addmm` (ViewBackward0); otherwise `matmul` (MmBackward0,
    /// UnsafeViewBackward0, ...) plus the bias (AddBackward0). On autocast's lower-precision
    /// list.
    pub fn linear(&self, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() {
            let x = crate::autocast::lower(self)?;
            let w = crate::autocast::lower(weight)?;
            let b = bias.map(crate::autocast::lower).transpose()?;
            let _off = crate::autocast::AutocastGuard::new(None);
            return x.linear(&w, b.as_ref());
        }
        let nd = self.ndim();
        let wt = weight.t()?;
        if let Some(b) = bias {
            if nd == 2 {
                return b.addmm(self, &wt, 1.0, 1.0);
            }
            if nd == 3 && self.is_contiguous() {
                let s = self.shape().to_vec();
                let flat = self.reshape(&[(s[0] * s[1]) as isize, s[2] as isize])?;
                let r = b.addmm(&flat, &wt, 1.0, 1.0)?;
                let n = r.shape()[1];
                return r.view(&[s[0] as isize, s[1] as isize, n as isize]);
            }
        }
        let out = self.matmul(&wt)?;
        match bias {
            Some(b) => out.add(b),
            None => Ok(out),
        }
    }

    /// `F.bilinear(input1, input2, weight, bias)`: `y[n,o] = Σ x1[n,i]·W[o,i,j]·x2[n,j] + b[o]`
    /// (TrilinearBackward0 through a reshape, AddBackward0 with a bias).
    pub fn bilinear(
        input1: &Tensor,
        input2: &Tensor,
        weight: &Tensor,
        bias: Option<&Tensor>,
    ) -> Result<Tensor> {
        let (s1, s2, sw) = (input1.shape(), input2.shape(), weight.shape());
        if s1.len() != s2.len() {
            bail!(
                "bilinear(): input dimensions do not match: got {} and {}",
                s1.len(),
                s2.len()
            );
        }
        if s1.is_empty() {
            bail!("bilinear(): input dimensions must be at least 1, got 0");
        }
        for i in 0..s1.len() - 1 {
            if s1[i] != s2[i] {
                bail!(
                    "bilinear(): input batch dimensions do not match: got {} and {}",
                    fmt_shape(s1),
                    fmt_shape(s2)
                );
            }
        }
        if sw.len() != 3 {
            bail!(
                "bilinear(): weight must be three-dimensional, got {}-D",
                sw.len()
            );
        }
        let (i, j) = (s1[s1.len() - 1], s2[s2.len() - 1]);
        if i != sw[1] {
            bail!(
                "bilinear(): input1 size does not match weight size: got {} but expected {}",
                i,
                sw[1]
            );
        }
        if j != sw[2] {
            bail!(
                "bilinear(): input2 size does not match weight size: got {} but expected {}",
                j,
                sw[2]
            );
        }
        let o = sw[0];
        if let Some(b) = bias {
            if b.numel() != o || b.ndim() != 1 {
                bail!(
                    "bilinear(): bias size does not match weight size: got {} but expected {}",
                    b.shape().last().copied().unwrap_or(0),
                    o
                );
            }
        }
        let x1 = input1.reshape(&[-1, i as isize])?;
        let x2 = input2.reshape(&[-1, j as isize])?;
        let core = trilinear(&x1, &x2, weight)?;
        let mut out_shape = isz(&s1[..s1.len() - 1]);
        out_shape.push(o as isize);
        let out = core.reshape(&out_shape)?;
        match bias {
            Some(b) => out.add(b),
            None => Ok(out),
        }
    }

    /// `F.dropout(x, p, training)`: zeroes elements with probability `p` and scales the rest
    /// by `1/(1-p)` (MulBackward0, as PyTorch's CPU `_dropout`: `x * bernoulli(1-p)/(1-p)`).
    /// The mask draws one double per element from the global generator, `u < 1-p` — PyTorch's
    /// default CPU bernoulli stream (PyTorch on Intel CPUs with MKL uses MKL's stream instead).
    /// `p == 0`, `training == false` or an empty input return the input itself; `p == 1`
    /// multiplies by 0.
    pub fn dropout(&self, p: f64, training: bool) -> Result<Tensor> {
        if !(0.0..=1.0).contains(&p) {
            bail!(
                "dropout probability has to be between 0 and 1, but got {}",
                p
            );
        }
        if p == 0.0 || !training || self.numel() == 0 {
            return Ok(self.clone());
        }
        if !self.dtype().is_floating_point() {
            bail!(
                "result type Float can't be cast to the desired output type {}",
                crate::ops::kernel_dtype_name(self.dtype())
            );
        }
        if p == 1.0 {
            return self.mul(&Tensor::scalar(0.0, self.dtype()));
        }
        let q = 1.0 - p;
        let n = self.numel();
        let mask: Vec<f64> = crate::random::with_generator(|g| {
            (0..n)
                .map(|_| if g.uniform_f64() < q { 1.0 } else { 0.0 })
                .collect()
        });
        let noise =
            Tensor::from_f64_slice(&mask, self.shape().to_vec(), self.dtype())?.div_scalar(q)?;
        self.mul(&noise)
    }

    /// `F.embedding(input, weight, padding_idx, scale_grad_by_freq)` (EmbeddingBackward0):
    /// rows of `weight` picked by the int64/int32 `input`; the gradient accumulates for
    /// repeated indices and the `padding_idx` row gets none. With `scale_grad_by_freq` each
    /// row's gradient is divided by how often its index occurs in `input` (PyTorch's
    /// `embedding_dense_backward`: every occurrence adds `grad / count`).
    pub fn embedding(
        input: &Tensor,
        weight: &Tensor,
        padding_idx: Option<i64>,
        scale_grad_by_freq: bool,
    ) -> Result<Tensor> {
        check_embedding_indices(input, "embedding")?;
        if weight.ndim() != 2 {
            bail!("'weight' must be 2-D");
        }
        let (v, dmodel) = (weight.shape()[0], weight.shape()[1]);
        let pad = match padding_idx {
            None => None,
            Some(p) if p >= 0 => {
                if p as usize >= v {
                    bail!("Padding_idx must be within num_embeddings");
                }
                Some(p)
            }
            Some(p) => {
                if p < -(v as i64) {
                    bail!("Padding_idx must be within num_embeddings");
                }
                Some(v as i64 + p)
            }
        };
        let idx: Vec<f64> = input.to_f64_vec();
        if idx.iter().any(|&i| i < 0.0 || i >= v as f64) {
            bail!("index out of range in self");
        }
        let flat = Tensor::from_f64_slice(&idx, vec![idx.len()], DType::I64)?;
        let rows = no_grad(|| weight.detach().index_select(0, &flat))?;
        let mut shape = input.shape().to_vec();
        shape.push(dmodel);
        let out = rows.reshape_usize(&shape)?;
        let pad_mask = pad.map(|p| {
            let m: Vec<bool> = idx.iter().map(|&i| i as i64 == p).collect();
            Tensor::from_vec(m, vec![idx.len(), 1])
        });
        let pad_mask = pad_mask.transpose()?;
        // 1/count of each position's index, counted over the whole mini-batch.
        let inv_freq: Option<Vec<f64>> = scale_grad_by_freq.then(|| {
            let mut counts = vec![0usize; v];
            for &i in &idx {
                counts[i as usize] += 1;
            }
            idx.iter()
                .map(|&i| 1.0 / counts[i as usize] as f64)
                .collect()
        });
        record1("EmbeddingBackward0", &[weight], out, false, move |_, g| {
            let mut g2 = g.reshape(&[-1, dmodel as isize])?;
            if let Some(s) = &inv_freq {
                g2 = g2.mul(&Tensor::from_f64_slice(s, vec![s.len(), 1], g.dtype())?)?;
            }
            let g2 = match &pad_mask {
                Some(m) => g2.masked_fill(m, 0.0)?,
                None => g2,
            };
            let z = Tensor::zeros(&[v, dmodel], g.dtype());
            Ok(vec![Some(z.index_add(0, &flat, &g2, 1.0)?)])
        })
    }

    /// `torch.embedding_renorm_(weight, indices, max_norm, norm_type)`, what
    /// `F.embedding(..., max_norm=)` runs first: every row of this `weight` referenced by
    /// `indices` (each once) whose `norm_type`-norm exceeds `max_norm` is scaled in place by
    /// `max_norm / (norm + 1e-7)`. Not differentiable: PyTorch runs it under no_grad, and so
    /// does this (the version counter is still bumped, so saved copies of `weight` notice).
    pub fn embedding_renorm_(
        &self,
        indices: &Tensor,
        max_norm: f64,
        norm_type: f64,
    ) -> Result<&Tensor> {
        check_embedding_indices(indices, "embedding_renorm_")?;
        if self.ndim() != 2 {
            bail!(
                "Expected 2-dimensional tensor, but got {}-dimensional tensor for argument #1 'self' (while checking arguments for embedding_renorm_)",
                self.ndim()
            );
        }
        if !self.dtype().is_floating_point() {
            bail!(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
                crate::ops::kernel_dtype_name(self.dtype())
            );
        }
        let v = self.shape()[0];
        let mut rows: Vec<i64> = indices.to_f64_vec().iter().map(|&i| i as i64).collect();
        if rows.iter().any(|&i| i < 0 || i as usize >= v) {
            bail!("index out of range in self");
        }
        rows.sort_unstable();
        rows.dedup();
        no_grad(|| -> Result<()> {
            for r in rows {
                let row = self.select(0, r as isize)?;
                // the norm in the weight's dtype, as PyTorch's `row.norm(p).item()`
                let norm = Tensor::scalar(vector_norm(&row.to_f64_vec(), norm_type), self.dtype())
                    .to_f64_vec()[0];
                if norm > max_norm {
                    row.mul_scalar_(max_norm / (norm + 1e-7))?;
                }
            }
            Ok(())
        })?;
        Ok(self)
    }

    /// `F.one_hot(tensor, num_classes)` (int64 result with a trailing class dim; -1 infers
    /// `max + 1`).
    pub fn one_hot(&self, num_classes: i64) -> Result<Tensor> {
        if self.dtype() != DType::I64 {
            bail!("one_hot is only applicable to index tensor of type LongTensor.");
        }
        let v = self.to_f64_vec();
        let c = if num_classes == -1 {
            if v.is_empty() {
                bail!("Can not infer total number of classes from empty tensor.");
            }
            v.iter().cloned().fold(f64::NEG_INFINITY, f64::max) as i64 + 1
        } else {
            num_classes
        };
        if v.iter().any(|&x| x < 0.0) {
            bail!("Class values must be non-negative.");
        }
        if c < 0 || v.iter().any(|&x| x as i64 >= c) {
            bail!("Class values must be smaller than num_classes.");
        }
        let c = c as usize;
        let mut out = vec![0i64; v.len() * c];
        for (k, &x) in v.iter().enumerate() {
            out[k * c + x as usize] = 1;
        }
        let mut shape = self.shape().to_vec();
        shape.push(c);
        Tensor::from_vec(out, shape)
    }

    /// `constant_pad_nd(pad, value)` (ConstantPadNdBackward0): `pad` lists (left, right)
    /// pairs starting from the last dim; negative amounts crop.
    pub fn constant_pad_nd(&self, pad: &[i64], value: f64) -> Result<Tensor> {
        if !pad.len().is_multiple_of(2) {
            bail!(
                "Length of pad must be even but instead it equals {}",
                pad.len()
            );
        }
        let nd = self.ndim();
        if pad.len() / 2 > nd {
            bail!("Length of pad should be no more than twice the number of dimensions of the input. Pad length is {} while the input has {} dimensions.", pad.len(), nd);
        }
        let shape = self.shape().to_vec();
        let mut out_shape = shape.clone();
        let mut lo = vec![0i64; nd];
        for k in 0..pad.len() / 2 {
            let d = nd - 1 - k;
            let (l, r) = (pad[2 * k], pad[2 * k + 1]);
            let size = shape[d] as i64 + l + r;
            if size < 0 {
                bail!("The input size {}, plus negative padding {} and {} resulted in a negative output size, which is invalid. Check dimension {} of your input.", shape[d], l, r, d);
            }
            out_shape[d] = size as usize;
            lo[d] = l;
        }
        let out = no_grad(|| -> Result<Tensor> {
            // the part of the input that survives cropping, and where it lands
            let mut src = self.detach();
            let mut dst_off = vec![0usize; nd];
            for d in 0..nd {
                let l = lo[d];
                let keep_from = (-l).max(0) as usize;
                let dst_start = l.max(0) as usize;
                let avail = src.shape()[d].saturating_sub(keep_from);
                let room = out_shape[d].saturating_sub(dst_start);
                let len = avail.min(room);
                src = src.narrow(d as isize, keep_from as isize, len as isize)?;
                dst_off[d] = dst_start;
            }
            let out = Tensor::full(&out_shape, value, self.dtype());
            if src.numel() > 0 {
                let mut region = out.clone();
                for (d, (&off, &len)) in dst_off.iter().zip(src.shape()).enumerate() {
                    region = region.narrow(d as isize, off as isize, len as isize)?;
                }
                region.copy_(&src)?;
            }
            Ok(out)
        })?;
        let neg: Vec<i64> = pad.iter().map(|p| -p).collect();
        record1(
            "ConstantPadNdBackward0",
            &[self],
            out,
            false,
            move |_, g| Ok(vec![Some(g.constant_pad_nd(&neg, 0.0)?)]),
        )
    }

    /// `F.pad(x, pad, mode, value)`: "constant" (ConstantPadNdBackward0), and "reflect",
    /// "replicate", "circular" over the last `len(pad)/2` dims, built from `index_select`
    /// (so their grad_fn is IndexSelectBackward0, not PyTorch's ReflectionPad*Backward0).
    pub fn pad(&self, pad: &[i64], mode: &str, value: Option<f64>) -> Result<Tensor> {
        if !pad.len().is_multiple_of(2) {
            bail!("Padding length must be divisible by 2");
        }
        if pad.len() > 2 * self.ndim() {
            bail!("Padding length should be less than or equal to two times the input dimension but got padding length {} and input of dimension {}", pad.len(), self.ndim());
        }
        match mode {
            "constant" => return self.constant_pad_nd(pad, value.unwrap_or(0.0)),
            "reflect" | "replicate" | "circular" => {}
            other => bail!("Unrecognised padding mode {}", other),
        }
        if value.is_some_and(|v| v != 0.0) {
            bail!("Padding mode \"{}\" doesn't take in value argument", mode);
        }
        let k = pad.len() / 2;
        let nd = self.ndim();
        if k == 0 || k > 3 || !(nd == k + 1 || nd == k + 2) {
            bail!("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
        }
        let mut x = self.clone();
        for j in 0..k {
            let d = nd - 1 - j;
            let (l, r) = (pad[2 * j], pad[2 * j + 1]);
            let n = self.shape()[d] as i64;
            if mode == "reflect" && (l >= n || r >= n) {
                bail!("Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ({}, {}) at dimension {} of input {}", l, r, d, fmt_shape(self.shape()));
            }
            if mode == "circular" && (l > n || r > n) {
                bail!("Padding value causes wrapping around more than once.");
            }
            if n == 0 && (l > 0 || r > 0) {
                bail!(
                    "Expected a non-empty dimension {} to pad, got input {}",
                    d,
                    fmt_shape(self.shape())
                );
            }
            let total = n + l + r;
            if total < 0 {
                bail!("input (padded) size must be non-negative");
            }
            let idx: Vec<i64> = (0..total)
                .map(|o| {
                    let i = o - l;
                    match mode {
                        "reflect" => {
                            let mut i = i;
                            if i < 0 {
                                i = -i;
                            }
                            if i >= n {
                                i = 2 * (n - 1) - i;
                            }
                            i
                        }
                        "replicate" => i.clamp(0, n - 1),
                        _ => i.rem_euclid(n),
                    }
                })
                .collect();
            let it = Tensor::from_vec(idx, vec![total as usize])?;
            x = x.index_select(d as isize, &it)?;
        }
        Ok(x)
    }
}

/// `x1: [N, I]`, `x2: [N, J]`, `w: [O, I, J]` -> `[N, O]` (TrilinearBackward0).
fn trilinear(x1: &Tensor, x2: &Tensor, w: &Tensor) -> Result<Tensor> {
    let (n, i) = (x1.shape()[0], x1.shape()[1]);
    let j = x2.shape()[1];
    let o = w.shape()[0];
    let (ni, ii, ji, oi) = (n as isize, i as isize, j as isize, o as isize);
    // t[n, o, i] = Σ_j W[o,i,j] x2[n,j]
    let part = move |x2: &Tensor, w: &Tensor| -> Result<Tensor> {
        x2.matmul(&w.reshape(&[oi * ii, ji])?.t()?)?
            .reshape(&[ni, oi, ii])
    };
    let out = no_grad(|| {
        part(&x2.detach(), &w.detach())?
            .mul(&x1.detach().unsqueeze(1)?)?
            .sum_dims(&[2], false)
    })?;
    let (s1, s2, sw) = (Saved::new(x1), Saved::new(x2), Saved::new(w));
    record1(
        "TrilinearBackward0",
        &[x1, x2, w],
        out,
        false,
        move |ctx, g| {
            let (x1, x2, w) = (s1.get()?, s2.get()?, sw.get()?);
            let gu = g.unsqueeze(2)?; // [N, O, 1]
            let g1 = ctx.grad_if(0, || gu.mul(&part(x2, w)?)?.sum_dims(&[1], false))?;
            let g2 = ctx.grad_if(1, || {
                // Σ_i x1[n,i] W[o,i,j] -> [N, O, J]
                let wp = w.permute(&[1, 0, 2])?.reshape(&[ii, oi * ji])?;
                let t = x1.matmul(&wp)?.reshape(&[ni, oi, ji])?;
                gu.mul(&t)?.sum_dims(&[1], false)
            })?;
            let gw = ctx.grad_if(2, || {
                let a = gu.mul(&x1.unsqueeze(1)?)?.reshape(&[ni, oi * ii])?;
                a.t()?.matmul(x2)?.reshape(&[oi, ii, ji])
            })?;
            Ok(vec![g1, g2, gw])
        },
    )
}

/// PyTorch's index dtype check of the embedding ops.
fn check_embedding_indices(indices: &Tensor, op: &str) -> Result<()> {
    if !matches!(indices.dtype(), DType::I64 | DType::I32) {
        bail!("Expected tensor for argument #{} 'indices' to have one of the following scalar types: Long, Int; but got {} instead (while checking arguments for {})", if op == "embedding" { 1 } else { 2 }, tensor_type_name(indices.dtype()), op);
    }
    Ok(())
}

/// `‖x‖_p` as `torch.norm`: p = inf/-inf the max/min |x|, p = 0 the count of non-zeros.
fn vector_norm(x: &[f64], p: f64) -> f64 {
    if p == f64::INFINITY {
        x.iter().fold(0.0, |m, v| m.max(v.abs()))
    } else if p == f64::NEG_INFINITY {
        x.iter().fold(f64::INFINITY, |m, v| m.min(v.abs()))
    } else if p == 0.0 {
        x.iter().filter(|v| **v != 0.0).count() as f64
    } else if p == 1.0 {
        x.iter().map(|v| v.abs()).sum()
    } else if p == 2.0 {
        x.iter().map(|v| v * v).sum::<f64>().sqrt()
    } else {
        x.iter().map(|v| v.abs().powf(p)).sum::<f64>().powf(1.0 / p)
    }
}

/// PyTorch's legacy tensor type names (`torch.FloatTensor`) used in argument-check messages.
pub(crate) fn tensor_type_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "torch.FloatTensor",
        DType::F64 => "torch.DoubleTensor",
        DType::F16 => "torch.HalfTensor",
        DType::BF16 => "torch.BFloat16Tensor",
        DType::I32 => "torch.IntTensor",
        DType::I64 => "torch.LongTensor",
        DType::Bool => "torch.BoolTensor",
    }
}
