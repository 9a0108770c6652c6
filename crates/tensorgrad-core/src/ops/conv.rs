//! Convolutions: conv1d/conv2d and their transposes (conv_transpose1d/2d), by im2col and a
//! row-axpy matrix product over contiguous data. Pooling is in `conv/pool.rs`.
//!
//! Three bilinear kernels share one geometry: the convolution `C(x, w)`, its input gradient
//! `T(g, w)` (a transposed convolution, col2im) and its weight gradient `W(x, g)`. Since
//! `<g, C(x,w)> = <T(g,w), x> = <W(x,g), w>`, the backward of each of the three is written with
//! the other two, so gradients of any order stay differentiable.

mod pool;

use super::with_slice;
use crate::autograd::grad_mode::no_grad;
use crate::autograd::saved::Saved;
use crate::dtype::DType;
use crate::element::Float;
use crate::error::fmt_shape;
use crate::kernels::provider::{ConvGeometry, ConvKind};
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};
use std::rc::Rc;

/// `padding` of conv1d/conv2d: explicit sizes, or PyTorch's 'valid' / 'same' strings.
#[derive(Clone, Debug, PartialEq)]
pub enum ConvPadding {
    Explicit(Vec<i64>),
    Valid,
    Same,
}

impl ConvPadding {
    /// Parse PyTorch's padding strings.
    pub fn parse(s: &str) -> Result<ConvPadding> {
        match s {
            "valid" => Ok(ConvPadding::Valid),
            "same" => Ok(ConvPadding::Same),
            _ => bail!("Invalid padding string: '{}'", s),
        }
    }
}

/// The geometry of one convolution `x [N, cin, *in_sz] * w [cout, cin/groups, *k] ->
/// y [N, cout, *out_sz]`. One-dimensional convolutions use the second slot (the first is a
/// dummy of size 1). `pad` is the padding before the data; the padding after it is implied by
/// `out_sz` (so 'same' with an even kernel and transposed convolutions need nothing more).
#[derive(Clone, Debug)]
struct Geom {
    nsp: usize,
    groups: usize,
    cin: usize,
    cout: usize,
    in_sz: [usize; 2],
    k: [usize; 2],
    out_sz: [usize; 2],
    stride: [usize; 2],
    pad: [usize; 2],
    dil: [usize; 2],
}

impl Geom {
    fn spatial(&self, s: [usize; 2]) -> Vec<usize> {
        if self.nsp == 1 {
            vec![s[1]]
        } else {
            s.to_vec()
        }
    }
    fn x_shape(&self, n: usize) -> Vec<usize> {
        let mut v = vec![n, self.cin];
        v.extend(self.spatial(self.in_sz));
        v
    }
    fn w_shape(&self) -> Vec<usize> {
        let mut v = vec![self.cout, self.cin / self.groups];
        v.extend(self.spatial(self.k));
        v
    }
    fn y_shape(&self, n: usize) -> Vec<usize> {
        let mut v = vec![n, self.cout];
        v.extend(self.spatial(self.out_sz));
        v
    }
}

impl Geom {
    /// The geometry as the kernel provider sees it (2-D; conv1d has a height of 1).
    fn provider_geometry(&self, batch: usize) -> ConvGeometry {
        ConvGeometry {
            batch,
            groups: self.groups,
            cin: self.cin,
            cout: self.cout,
            in_size: self.in_sz,
            kernel: self.k,
            out_size: self.out_sz,
            stride: self.stride,
            pad: self.pad,
            dilation: self.dil,
        }
    }
}

impl Kind {
    fn provider_kind(self) -> ConvKind {
        match self {
            Kind::Fwd => ConvKind::Forward,
            Kind::BwdIn => ConvKind::GradInput,
            Kind::BwdW => ConvKind::GradWeight,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// `C(x, w)`: the convolution.
    Fwd,
    /// `T(g, w)`: the gradient with respect to the input (a transposed convolution).
    BwdIn,
    /// `W(x, g)`: the gradient with respect to the weight.
    BwdW,
}

// ---- kernels (contiguous data) ------------------------------------------------------------

/// Unfold the `cig` channels of one image (`x`: `[cig, H, W]`) into `col`:
/// `[cig*kh*kw, oh*ow]`, zeros where a window reads padding.
fn im2col<T: Float>(x: &[T], g: &Geom, cig: usize, col: &mut [T]) {
    let [h, w] = g.in_sz;
    let [kh, kw] = g.k;
    let [oh, ow] = g.out_sz;
    let ohw = oh * ow;
    for c in 0..cig {
        for i in 0..kh {
            for j in 0..kw {
                let r = (c * kh + i) * kw + j;
                let row = &mut col[r * ohw..(r + 1) * ohw];
                for oy in 0..oh {
                    let iy = (oy * g.stride[0] + i * g.dil[0]) as isize - g.pad[0] as isize;
                    let dst = &mut row[oy * ow..(oy + 1) * ow];
                    if iy < 0 || iy >= h as isize {
                        dst.fill(T::ZERO);
                        continue;
                    }
                    let xrow = &x[(c * h + iy as usize) * w..(c * h + iy as usize + 1) * w];
                    for (ox, d) in dst.iter_mut().enumerate() {
                        let ix = (ox * g.stride[1] + j * g.dil[1]) as isize - g.pad[1] as isize;
                        *d = if ix >= 0 && ix < w as isize {
                            xrow[ix as usize]
                        } else {
                            T::ZERO
                        };
                    }
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: add every column entry back to the input position it came from.
fn col2im<T: Float>(col: &[T], g: &Geom, cig: usize, x: &mut [T]) {
    let [h, w] = g.in_sz;
    let [kh, kw] = g.k;
    let [oh, ow] = g.out_sz;
    let ohw = oh * ow;
    for c in 0..cig {
        for i in 0..kh {
            for j in 0..kw {
                let r = (c * kh + i) * kw + j;
                let row = &col[r * ohw..(r + 1) * ohw];
                for oy in 0..oh {
                    let iy = (oy * g.stride[0] + i * g.dil[0]) as isize - g.pad[0] as isize;
                    if iy < 0 || iy >= h as isize {
                        continue;
                    }
                    let base = (c * h + iy as usize) * w;
                    let xrow = &mut x[base..base + w];
                    for (ox, &v) in row[oy * ow..(oy + 1) * ow].iter().enumerate() {
                        let ix = (ox * g.stride[1] + j * g.dil[1]) as isize - g.pad[1] as isize;
                        if ix >= 0 && ix < w as isize {
                            xrow[ix as usize] += v;
                        }
                    }
                }
            }
        }
    }
}

/// The three kernels; `a` and `b` as in [`Kind`], `n` the batch size.
fn conv_kernel<T: Float>(kind: Kind, a: &[T], b: &[T], g: &Geom, n: usize) -> Vec<T> {
    let gs = g.groups;
    let (cig, cog) = (g.cin / gs, g.cout / gs);
    let kk = g.k[0] * g.k[1];
    let r = cig * kk;
    let ohw = g.out_sz[0] * g.out_sz[1];
    let hw = g.in_sz[0] * g.in_sz[1];
    let mut col = vec![T::ZERO; r * ohw];
    let out_len = match kind {
        Kind::Fwd => n * g.cout * ohw,
        Kind::BwdIn => n * g.cin * hw,
        Kind::BwdW => g.cout * r,
    };
    let mut out = vec![T::ZERO; out_len];
    if r == 0 || ohw == 0 {
        return out;
    }
    for bi in 0..n {
        for gi in 0..gs {
            let xs = (bi * g.cin + gi * cig) * hw;
            let ys = (bi * g.cout + gi * cog) * ohw;
            match kind {
                Kind::Fwd => {
                    im2col(&a[xs..xs + cig * hw], g, cig, &mut col);
                    for co in 0..cog {
                        let yrow = &mut out[ys + co * ohw..ys + (co + 1) * ohw];
                        let wrow = &b[(gi * cog + co) * r..(gi * cog + co + 1) * r];
                        for (p, &wv) in wrow.iter().enumerate() {
                            let crow = &col[p * ohw..(p + 1) * ohw];
                            for (yv, &cv) in yrow.iter_mut().zip(crow) {
                                *yv += wv * cv;
                            }
                        }
                    }
                }
                Kind::BwdIn => {
                    col.fill(T::ZERO);
                    for co in 0..cog {
                        let grow = &a[ys + co * ohw..ys + (co + 1) * ohw];
                        let wrow = &b[(gi * cog + co) * r..(gi * cog + co + 1) * r];
                        for (p, &wv) in wrow.iter().enumerate() {
                            let crow = &mut col[p * ohw..(p + 1) * ohw];
                            for (cv, &gv) in crow.iter_mut().zip(grow) {
                                *cv += wv * gv;
                            }
                        }
                    }
                    col2im(&col, g, cig, &mut out[xs..xs + cig * hw]);
                }
                Kind::BwdW => {
                    im2col(&a[xs..xs + cig * hw], g, cig, &mut col);
                    for co in 0..cog {
                        let grow = &b[ys + co * ohw..ys + (co + 1) * ohw];
                        let dw = &mut out[(gi * cog + co) * r..(gi * cog + co + 1) * r];
                        for (p, d) in dw.iter_mut().enumerate() {
                            let crow = &col[p * ohw..(p + 1) * ohw];
                            let mut acc = T::ZERO;
                            for (&gv, &cv) in grow.iter().zip(crow) {
                                acc += gv * cv;
                            }
                            *d += acc;
                        }
                    }
                }
            }
        }
    }
    out
}

/// Run one kernel on tensors (no graph). Half types compute in float32 and round once.
fn conv_data(kind: Kind, a: &Tensor, b: &Tensor, g: &Geom, transposed: bool) -> Result<Tensor> {
    if super::is_half(a.dtype()) {
        let d = a.dtype();
        return no_grad(|| {
            conv_data(
                kind,
                &a.to_dtype(DType::F32)?,
                &b.to_dtype(DType::F32)?,
                g,
                transposed,
            )?
            .to_dtype(d)
        });
    }
    let n = a.shape().first().copied().unwrap_or(0);
    let (ea, eb, shape) = match kind {
        Kind::Fwd => (g.x_shape(n), g.w_shape(), g.y_shape(n)),
        Kind::BwdIn => (g.y_shape(n), g.w_shape(), g.x_shape(n)),
        Kind::BwdW => (g.x_shape(n), g.y_shape(n), g.w_shape()),
    };
    if a.shape() != ea.as_slice() || b.shape() != eb.as_slice() {
        bail!(
            "convolution: internal shape mismatch ({} and {}, expected {} and {})",
            fmt_shape(a.shape()),
            fmt_shape(b.shape()),
            fmt_shape(&ea),
            fmt_shape(&eb)
        );
    }
    let a = no_grad(|| a.contiguous())?;
    let b = no_grad(|| b.contiguous())?;
    if let Some(t) = super::offload::conv2d(
        kind.provider_kind(),
        &a,
        &b,
        &g.provider_geometry(n),
        &shape,
    ) {
        return Ok(t);
    }
    let name = if transposed {
        "slow_conv_transpose2d_out_cpu"
    } else {
        "slow_conv2d_cpu"
    };
    crate::float_dispatch!(a.dtype(), name, T => {
        let v = with_slice(&a, |da: &[T]| {
            with_slice(&b, |db: &[T]| conv_kernel(kind, da, db, g, n))
        })??;
        Tensor::from_vec(v, shape)
    })
}

/// One of the three kernels as a differentiable op (used by backward rules).
fn conv_op(kind: Kind, a: &Tensor, b: &Tensor, g: &Rc<Geom>) -> Result<Tensor> {
    let out = conv_data(kind, a, b, g, false)?;
    let name = match kind {
        Kind::Fwd => "ConvolutionBackward0",
        _ => "ConvolutionBackwardBackward0",
    };
    // The gradient for `a` needs `b` and the one for `b` needs `a`, whichever the kind.
    let sa = b.requires_grad().then(|| Saved::new(a));
    let sb = a.requires_grad().then(|| Saved::new(b));
    let geom = g.clone();
    record1(name, &[a, b], out, false, move |ctx, h| {
        let da = match (&sb, ctx.needs_input_grad(0)) {
            (Some(b), true) => {
                let b = b.get()?;
                Some(match kind {
                    Kind::Fwd => conv_op(Kind::BwdIn, h, b, &geom)?,
                    Kind::BwdIn => conv_op(Kind::Fwd, h, b, &geom)?,
                    Kind::BwdW => conv_op(Kind::BwdIn, b, h, &geom)?,
                })
            }
            _ => None,
        };
        let db = match (&sa, ctx.needs_input_grad(1)) {
            (Some(a), true) => {
                let a = a.get()?;
                Some(match kind {
                    Kind::Fwd => conv_op(Kind::BwdW, a, h, &geom)?,
                    Kind::BwdIn => conv_op(Kind::BwdW, h, a, &geom)?,
                    Kind::BwdW => conv_op(Kind::Fwd, a, h, &geom)?,
                })
            }
            _ => None,
        };
        Ok(vec![da, db])
    })
}

/// The public convolution node (ConvolutionBackward0) over a batched input, with bias.
/// `transposed`: the input plays the role of the gradient of a convolution with geometry `g`.
fn convolution(
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
    g: Geom,
    transposed: bool,
) -> Result<Tensor> {
    let g = Rc::new(g);
    let kind = if transposed { Kind::BwdIn } else { Kind::Fwd };
    let out = forward_with_bias(kind, x, w, bias, &g, transposed)?;
    let nd = out.ndim();
    let sx = w.requires_grad().then(|| Saved::new(x));
    let sw = x.requires_grad().then(|| Saved::new(w));
    let mut inputs = vec![x, w];
    if let Some(b) = bias {
        inputs.push(b);
    }
    record1(
        "ConvolutionBackward0",
        &inputs,
        out,
        false,
        move |ctx, h| {
            let dx = match (&sw, ctx.needs_input_grad(0)) {
                (Some(w), true) => {
                    let w = w.get()?;
                    Some(if transposed {
                        conv_op(Kind::Fwd, h, w, &g)?
                    } else {
                        conv_op(Kind::BwdIn, h, w, &g)?
                    })
                }
                _ => None,
            };
            let dw = match (&sx, ctx.needs_input_grad(1)) {
                (Some(x), true) => {
                    let x = x.get()?;
                    Some(if transposed {
                        conv_op(Kind::BwdW, h, x, &g)?
                    } else {
                        conv_op(Kind::BwdW, x, h, &g)?
                    })
                }
                _ => None,
            };
            let mut grads = vec![dx, dw];
            if ctx.num_inputs() > 2 {
                grads.push(ctx.grad_if(2, || {
                    let dims: Vec<isize> = std::iter::once(0).chain(2..nd as isize).collect();
                    h.sum_dims(&dims, false)
                })?);
            }
            Ok(grads)
        },
    )
}

fn forward_with_bias(
    kind: Kind,
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
    g: &Geom,
    transposed: bool,
) -> Result<Tensor> {
    if super::is_half(x.dtype()) && bias.is_some() {
        // bias added in float32 before the single rounding, as PyTorch's kernels
        let d = x.dtype();
        return no_grad(|| {
            let b = bias.map(|b| b.to_dtype(DType::F32)).transpose()?;
            forward_with_bias(
                kind,
                &x.to_dtype(DType::F32)?,
                &w.to_dtype(DType::F32)?,
                b.as_ref(),
                g,
                transposed,
            )?
            .to_dtype(d)
        });
    }
    let out = conv_data(kind, x, w, g, transposed)?;
    match bias {
        None => Ok(out),
        Some(b) => no_grad(|| {
            let mut shape = vec![1, out.shape()[1] as isize];
            shape.extend(std::iter::repeat_n(1, out.ndim() - 2));
            out.add(&b.reshape(&shape)?)
        }),
    }
}

// ---- argument checks ----------------------------------------------------------------------

/// An int-or-list convolution parameter expanded to `n` values.
fn expand(name: &str, v: &[i64], n: usize) -> Result<Vec<i64>> {
    if v.len() == 1 {
        return Ok(vec![v[0]; n]);
    }
    if v.len() != n {
        let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        bail!(
            "expected {} to be a single integer value or a list of {} values to match the convolution dimensions, but got {}=[{}]",
            name,
            n,
            name,
            parts.join(", ")
        );
    }
    Ok(v.to_vec())
}

/// Put per-dim values into the 2-slot layout (1-D uses the second slot).
fn slots(v: &[usize], fill: usize) -> [usize; 2] {
    if v.len() == 1 {
        [fill, v[0]]
    } else {
        [v[0], v[1]]
    }
}

fn join_x(v: &[i64]) -> String {
    let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    parts.join(" x ")
}

/// `(unbatched, batched)` input: PyTorch's batchify.
fn batchify(x: &Tensor, nsp: usize, func: &str) -> Result<(Tensor, bool)> {
    if x.ndim() == nsp + 2 {
        return Ok((x.clone(), true));
    }
    if x.ndim() == nsp + 1 {
        return Ok((x.unsqueeze(0)?, false));
    }
    bail!(
        "Expected {}D (unbatched) or {}D (batched) input to {}, but got input of size: {}",
        nsp + 1,
        nsp + 2,
        func,
        fmt_shape(x.shape())
    );
}

fn check_weight_and_groups(x: &Tensor, w: &Tensor, groups: i64) -> Result<()> {
    if w.ndim() != x.ndim() {
        bail!(
            "Expected {}-dimensional input for {}-dimensional weight {}, but got {}-dimensional input of size {} instead",
            w.ndim(),
            w.ndim(),
            fmt_shape(w.shape()),
            x.ndim(),
            fmt_shape(x.shape())
        );
    }
    let g = groups as usize;
    if w.shape()[0] < g {
        bail!(
            "Given groups={}, expected weight to be at least {} at dimension 0, but got weight of size {} instead",
            groups,
            groups,
            fmt_shape(w.shape())
        );
    }
    if !w.shape()[0].is_multiple_of(g) {
        bail!(
            "Given groups={}, expected weight to be divisible by {} at dimension 0, but got weight of size [{}] instead",
            groups,
            groups,
            fmt_shape(w.shape())
        );
    }
    Ok(())
}

fn check_dtypes(x: &Tensor, w: &Tensor, bias: Option<&Tensor>) -> Result<()> {
    if x.dtype() != w.dtype() {
        bail!(
            "Input type ({}) and weight type ({}) should be the same",
            super::meta_name(x.dtype()),
            super::meta_name(w.dtype())
        );
    }
    if let Some(b) = bias {
        if b.dtype() != x.dtype() {
            bail!(
                "Input type ({}) and bias type ({}) should be the same",
                super::meta_name(x.dtype()),
                super::meta_name(b.dtype())
            );
        }
    }
    Ok(())
}

fn check_common(stride: &[i64], dilation: &[i64], groups: i64) -> Result<()> {
    if groups <= 0 {
        bail!("non-positive groups is not supported");
    }
    if stride.iter().any(|&s| s <= 0) {
        bail!("non-positive stride is not supported");
    }
    if dilation.iter().any(|&d| d <= 0) {
        bail!("dilation should be greater than zero");
    }
    Ok(())
}

/// Geometry of `conv{nsp}d` on a batched input, after PyTorch's checks.
#[allow(clippy::too_many_arguments)]
fn conv_geom(
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
    stride: &[i64],
    padding: &ConvPadding,
    dilation: &[i64],
    groups: i64,
    nsp: usize,
) -> Result<Geom> {
    let stride = expand("stride", stride, nsp)?;
    let dilation = expand("dilation", dilation, nsp)?;
    if *padding == ConvPadding::Same && stride.iter().any(|&s| s != 1) {
        bail!("padding='same' is not supported for strided convolutions");
    }
    let explicit = match padding {
        ConvPadding::Explicit(p) => expand("padding", p, nsp)?,
        _ => vec![0; nsp],
    };
    if explicit.iter().any(|&p| p < 0) {
        bail!("negative padding is not supported");
    }
    check_common(&stride, &dilation, groups)?;
    check_weight_and_groups(x, w, groups)?;
    let ws = w.shape();
    let cin = x.shape()[1];
    if cin != ws[1] * groups as usize {
        bail!(
            "Given groups={}, weight of size {}, expected input{} to have {} channels, but got {} channels instead",
            groups,
            fmt_shape(ws),
            fmt_shape(x.shape()),
            ws[1] * groups as usize,
            cin
        );
    }
    if let Some(b) = bias {
        if b.ndim() != 1 || b.shape()[0] != ws[0] {
            bail!(
                "Given weight of size {}, expected bias to be 1-dimensional with {} elements, but got bias of size {} instead",
                fmt_shape(ws),
                ws[0],
                fmt_shape(b.shape())
            );
        }
    }
    let k: Vec<i64> = ws[2..].iter().map(|&v| v as i64).collect();
    let ins: Vec<i64> = x.shape()[2..].iter().map(|&v| v as i64).collect();
    let dk: Vec<i64> = (0..nsp).map(|i| dilation[i] * (k[i] - 1) + 1).collect();
    // padding before and after the data
    let (lo, hi): (Vec<i64>, Vec<i64>) = match padding {
        ConvPadding::Explicit(_) => (explicit.clone(), explicit.clone()),
        ConvPadding::Valid => (vec![0; nsp], vec![0; nsp]),
        ConvPadding::Same => {
            let total: Vec<i64> = (0..nsp).map(|i| dilation[i] * (k[i] - 1)).collect();
            (
                total.iter().map(|t| t / 2).collect(),
                total.iter().map(|t| t - t / 2).collect(),
            )
        }
    };
    let padded: Vec<i64> = (0..nsp).map(|i| ins[i] + lo[i] + hi[i]).collect();
    if (0..nsp).any(|i| padded[i] < dk[i]) {
        bail!(
            "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size can't be greater than actual input size",
            join_x(&padded),
            join_x(&dk)
        );
    }
    check_dtypes(x, w, bias)?;
    let out: Vec<usize> = (0..nsp)
        .map(|i| ((padded[i] - dk[i]) / stride[i] + 1) as usize)
        .collect();
    let u = |v: &[i64]| v.iter().map(|&x| x as usize).collect::<Vec<_>>();
    Ok(Geom {
        nsp,
        groups: groups as usize,
        cin,
        cout: ws[0],
        in_sz: slots(&u(&ins), 1),
        k: slots(&u(&k), 1),
        out_sz: slots(&out, 1),
        stride: slots(&u(&stride), 1),
        pad: slots(&u(&lo), 0),
        dil: slots(&u(&dilation), 1),
    })
}

/// Geometry of `conv_transpose{nsp}d` on a batched input (the geometry of the convolution
/// whose input gradient it is).
#[allow(clippy::too_many_arguments)]
fn conv_transpose_geom(
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
    stride: &[i64],
    padding: &[i64],
    output_padding: &[i64],
    groups: i64,
    dilation: &[i64],
    nsp: usize,
) -> Result<Geom> {
    let stride = expand("stride", stride, nsp)?;
    let padding = expand("padding", padding, nsp)?;
    let output_padding = expand("output_padding", output_padding, nsp)?;
    let dilation = expand("dilation", dilation, nsp)?;
    if padding.iter().any(|&p| p < 0) {
        bail!("negative padding is not supported");
    }
    if output_padding.iter().any(|&p| p < 0) {
        bail!("negative output_padding is not supported");
    }
    check_common(&stride, &dilation, groups)?;
    check_weight_and_groups(x, w, groups)?;
    let ws = w.shape();
    if x.shape()[1] != ws[0] {
        bail!(
            "Given transposed=1, weight of size {}, expected input{} to have {} channels, but got {} channels instead",
            fmt_shape(ws),
            fmt_shape(x.shape()),
            ws[0],
            x.shape()[1]
        );
    }
    let cout_t = ws[1] * groups as usize;
    if let Some(b) = bias {
        if b.ndim() != 1 || b.shape()[0] != cout_t {
            bail!(
                "Given transposed=1, weight of size {}, expected bias to be 1-dimensional with {} elements, but got bias of size {} instead",
                fmt_shape(ws),
                cout_t,
                fmt_shape(b.shape())
            );
        }
    }
    // as slow_conv_transpose2d (1-D runs as 2-D with a height of 1)
    let s2 = |v: &[i64], f: i64| if nsp == 1 { [f, v[0]] } else { [v[0], v[1]] };
    let (op2, st2, di2) = (s2(&output_padding, 0), s2(&stride, 1), s2(&dilation, 1));
    if (0..2).any(|i| op2[i] >= st2[i] && op2[i] >= di2[i]) {
        bail!(
            "output padding must be smaller than either stride or dilation, but got output_padding_height: {} output_padding_width: {} stride_height: {} stride_width: {} dilation_height: {} dilation_width: {}",
            op2[0], op2[1], st2[0], st2[1], di2[0], di2[1]
        );
    }
    check_dtypes(x, w, bias)?;
    let k: Vec<i64> = ws[2..].iter().map(|&v| v as i64).collect();
    let ins: Vec<i64> = x.shape()[2..].iter().map(|&v| v as i64).collect();
    let out: Vec<i64> = (0..nsp)
        .map(|i| {
            (ins[i] - 1) * stride[i] - 2 * padding[i]
                + dilation[i] * (k[i] - 1)
                + output_padding[i]
                + 1
        })
        .collect();
    if out.iter().any(|&o| o < 1) {
        let in2 = if nsp == 1 {
            vec![1, ins[0]]
        } else {
            ins.clone()
        };
        let out2 = if nsp == 1 {
            vec![1, out[0]]
        } else {
            out.clone()
        };
        bail!(
            "Given input size per channel: ({}). Calculated output size per channel: ({}). Output size is too small",
            join_x(&in2),
            join_x(&out2)
        );
    }
    let u = |v: &[i64]| v.iter().map(|&x| x as usize).collect::<Vec<_>>();
    Ok(Geom {
        nsp,
        groups: groups as usize,
        cin: cout_t,
        cout: ws[0],
        in_sz: slots(&u(&out), 1),
        k: slots(&u(&k), 1),
        out_sz: slots(&u(&ins), 1),
        stride: slots(&u(&stride), 1),
        pad: slots(&u(&padding), 0),
        dil: slots(&u(&dilation), 1),
    })
}

/// Autocast's lower-precision casts of input, weight and bias.
fn autocast_lower(
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
) -> Result<(Tensor, Tensor, Option<Tensor>)> {
    Ok((
        crate::autocast::lower(x)?,
        crate::autocast::lower(w)?,
        bias.map(crate::autocast::lower).transpose()?,
    ))
}

impl Tensor {
    #[allow(clippy::too_many_arguments)]
    fn conv_nd(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: &[i64],
        padding: &ConvPadding,
        dilation: &[i64],
        groups: i64,
        nsp: usize,
    ) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() {
            let (x, w, b) = autocast_lower(self, weight, bias)?;
            let _off = crate::autocast::AutocastGuard::new(None);
            return x.conv_nd(&w, b.as_ref(), stride, padding, dilation, groups, nsp);
        }
        let (x, batched) = batchify(self, nsp, if nsp == 1 { "conv1d" } else { "conv2d" })?;
        let g = conv_geom(&x, weight, bias, stride, padding, dilation, groups, nsp)?;
        let out = convolution(&x, weight, bias, g, false)?;
        if batched {
            Ok(out)
        } else {
            out.squeeze_dims(&[0])
        }
    }

    /// `conv1d(input, weight, bias, stride, padding, dilation, groups)`
    /// (ConvolutionBackward0): input `[N, C, L]` or `[C, L]`, weight `[Cout, C/groups, k]`.
    pub fn conv1d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: &[i64],
        padding: &ConvPadding,
        dilation: &[i64],
        groups: i64,
    ) -> Result<Tensor> {
        self.conv_nd(weight, bias, stride, padding, dilation, groups, 1)
    }

    /// `conv2d(input, weight, bias, stride, padding, dilation, groups)`
    /// (ConvolutionBackward0): input `[N, C, H, W]` or `[C, H, W]`, weight
    /// `[Cout, C/groups, kh, kw]`.
    pub fn conv2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: &[i64],
        padding: &ConvPadding,
        dilation: &[i64],
        groups: i64,
    ) -> Result<Tensor> {
        self.conv_nd(weight, bias, stride, padding, dilation, groups, 2)
    }

    #[allow(clippy::too_many_arguments)]
    fn conv_transpose_nd(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: &[i64],
        padding: &[i64],
        output_padding: &[i64],
        groups: i64,
        dilation: &[i64],
        nsp: usize,
    ) -> Result<Tensor> {
        if crate::autocast::autocast_dtype().is_some() {
            let (x, w, b) = autocast_lower(self, weight, bias)?;
            let _off = crate::autocast::AutocastGuard::new(None);
            return x.conv_transpose_nd(
                &w,
                b.as_ref(),
                stride,
                padding,
                output_padding,
                groups,
                dilation,
                nsp,
            );
        }
        let name = if nsp == 1 {
            "conv_transpose1d"
        } else {
            "conv_transpose2d"
        };
        let (x, batched) = batchify(self, nsp, name)?;
        let g = conv_transpose_geom(
            &x,
            weight,
            bias,
            stride,
            padding,
            output_padding,
            groups,
            dilation,
            nsp,
        )?;
        let out = convolution(&x, weight, bias, g, true)?;
        if batched {
            Ok(out)
        } else {
            out.squeeze_dims(&[0])
        }
    }

    /// `conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups,
    /// dilation)` (ConvolutionBackward0): weight `[C, Cout/groups, k]`.
    #[allow(clippy::too_many_arguments)]
    pub fn conv_transpose1d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: &[i64],
        padding: &[i64],
        output_padding: &[i64],
        groups: i64,
        dilation: &[i64],
    ) -> Result<Tensor> {
        self.conv_transpose_nd(
            weight,
            bias,
            stride,
            padding,
            output_padding,
            groups,
            dilation,
            1,
        )
    }

    /// `conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
    /// dilation)` (ConvolutionBackward0): weight `[C, Cout/groups, kh, kw]`.
    #[allow(clippy::too_many_arguments)]
    pub fn conv_transpose2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: &[i64],
        padding: &[i64],
        output_padding: &[i64],
        groups: i64,
        dilation: &[i64],
    ) -> Result<Tensor> {
        self.conv_transpose_nd(
            weight,
            bias,
            stride,
            padding,
            output_padding,
            groups,
            dilation,
            2,
        )
    }
}

use super::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    let mut v = vec![
        OpSpec {
            name: "conv1d",
            js: "nn.functional.conv1d",
            grad_fn: "ConvolutionBackward0",
            dtypes: "float32, float64, float16, bfloat16",
            grad: D2,
            notes: "im2col + product; grads are `conv_transpose(g, w)`, a conv of input and g, `Σg`; stride/padding ('valid', 'same')/dilation/groups",
            inputs: vec![input(&[2, 2, 5], Any), input(&[2, 1, 2], Any), input(&[2], Any)],
            run: |x| x[0].conv1d(&x[1], Some(&x[2]), &[2], &ConvPadding::Explicit(vec![1]), &[1], 2),
        },
        OpSpec {
            name: "conv2d",
            js: "nn.functional.conv2d",
            grad_fn: "ConvolutionBackward0",
            dtypes: "float32, float64, float16, bfloat16",
            grad: D2,
            notes: "unbatched `[C, H, W]` input as PyTorch; half types accumulate in float32; autocast lower-precision list",
            inputs: vec![input(&[1, 2, 4, 3], Any), input(&[3, 2, 2, 2], Any), input(&[3], Any)],
            run: |x| x[0].conv2d(&x[1], Some(&x[2]), &[1, 2], &ConvPadding::Explicit(vec![1, 0]), &[1], 1),
        },
        OpSpec {
            name: "conv2d (groups, dilation)",
            js: "nn.functional.conv2d",
            grad_fn: "ConvolutionBackward0",
            dtypes: "float32, float64, float16, bfloat16",
            grad: D2,
            notes: "groups=2, dilation=2, padding='same'",
            inputs: vec![input(&[1, 4, 4, 4], Any), input(&[2, 2, 2, 3], Any)],
            run: |x| x[0].conv2d(&x[1], None, &[1], &ConvPadding::Same, &[2, 1], 2),
        },
        OpSpec {
            name: "conv_transpose1d",
            js: "nn.functional.convTranspose1d",
            grad_fn: "ConvolutionBackward0",
            dtypes: "float32, float64, float16, bfloat16",
            grad: D2,
            notes: "the input gradient of conv1d; output_padding",
            inputs: vec![input(&[1, 2, 3], Any), input(&[2, 2, 3], Any), input(&[2], Any)],
            run: |x| x[0].conv_transpose1d(&x[1], Some(&x[2]), &[2], &[1], &[1], 1, &[1]),
        },
        OpSpec {
            name: "conv_transpose2d",
            js: "nn.functional.convTranspose2d",
            grad_fn: "ConvolutionBackward0",
            dtypes: "float32, float64, float16, bfloat16",
            grad: D2,
            notes: "weight `[Cin, Cout/groups, kh, kw]`; groups, dilation",
            inputs: vec![input(&[1, 2, 2, 3], Any), input(&[2, 1, 2, 2], Any)],
            run: |x| x[0].conv_transpose2d(&x[1], None, &[2, 1], &[0, 1], &[1, 0], 2, &[1, 2]),
        },
    ];
    v.extend(pool::specs());
    v
}
