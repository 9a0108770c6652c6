//! Pooling over the last two dims: max_pool2d (with indices), avg_pool2d, adaptive_avg_pool2d,
//! and the 1-D forms (which PyTorch runs as the 2-D ones on an unsqueezed input).
//!
//! Every output position reads a fixed list of input positions of its plane (a "plan"). Average
//! pools are linear maps given by the plan; their backward is the transposed map, whose
//! backward is the map again. Max pools pick one position per output (the first maximum, or the
//! last nan, as PyTorch's CPU kernel); their backward scatters to it and its backward gathers.

use crate::autograd::grad_mode::no_grad;
use crate::dtype::DType;
use crate::element::{Float, Numeric};
use crate::error::fmt_shape;
use crate::ops::with_slice;
use crate::tensor::{record1, Tensor};
use crate::{bail, Result};
use std::rc::Rc;

/// For each output position `o` of a plane, the input positions `idx[start[o]..start[o+1]]`
/// (row-major window order) and the divisors of its sum (average pools).
struct Plan {
    in_hw: [usize; 2],
    out_hw: [usize; 2],
    start: Vec<usize>,
    idx: Vec<usize>,
    div: Vec<(f64, f64)>,
    /// Max pools: the position reported when no value beats -inf (PyTorch's initial index).
    first: Vec<usize>,
}

impl Plan {
    fn new(in_hw: [usize; 2], out_hw: [usize; 2]) -> Plan {
        Plan {
            in_hw,
            out_hw,
            start: vec![0],
            idx: Vec::new(),
            div: Vec::new(),
            first: Vec::new(),
        }
    }
    fn in_plane(&self) -> usize {
        self.in_hw[0] * self.in_hw[1]
    }
    fn out_plane(&self) -> usize {
        self.out_hw[0] * self.out_hw[1]
    }
    fn close(&mut self, div: (f64, f64), first: usize) {
        self.start.push(self.idx.len());
        self.div.push(div);
        self.first.push(first);
    }
}

/// PyTorch's `pooling_output_shape` (floor division; in ceil mode the last window must start
/// inside the input or its left padding).
fn pool_out(input: i64, k: i64, pad: i64, stride: i64, dil: i64, ceil: bool) -> i64 {
    let num = input + 2 * pad - dil * (k - 1) - 1 + if ceil { stride - 1 } else { 0 };
    let mut out = num.div_euclid(stride) + 1;
    if ceil && (out - 1) * stride >= input + pad {
        out -= 1;
    }
    out
}

fn max_plan(
    in_hw: [usize; 2],
    out_hw: [usize; 2],
    k: [usize; 2],
    s: [usize; 2],
    p: [usize; 2],
    d: [usize; 2],
) -> Plan {
    let mut plan = Plan::new(in_hw, out_hw);
    let [h, w] = [in_hw[0] as i64, in_hw[1] as i64];
    let range = |o: usize, i: usize, n: i64| {
        let mut lo = (o * s[i]) as i64 - p[i] as i64;
        let hi = (lo + ((k[i] as i64 - 1) * d[i] as i64) + 1).min(n);
        while lo < 0 {
            lo += d[i] as i64;
        }
        (lo, hi)
    };
    for oy in 0..out_hw[0] {
        let (y0, y1) = range(oy, 0, h);
        for ox in 0..out_hw[1] {
            let (x0, x1) = range(ox, 1, w);
            let mut y = y0;
            while y < y1 {
                let mut x = x0;
                while x < x1 {
                    plan.idx.push((y * w + x) as usize);
                    x += d[1] as i64;
                }
                y += d[0] as i64;
            }
            plan.close((1.0, 1.0), (y0 * w + x0).max(0) as usize);
        }
    }
    plan
}

#[allow(clippy::too_many_arguments)]
fn avg_plan(
    in_hw: [usize; 2],
    out_hw: [usize; 2],
    k: [usize; 2],
    s: [usize; 2],
    p: [usize; 2],
    count_include_pad: bool,
    divisor: Option<i64>,
) -> Plan {
    let mut plan = Plan::new(in_hw, out_hw);
    let [h, w] = [in_hw[0] as i64, in_hw[1] as i64];
    let range = |o: usize, i: usize, n: i64| {
        let lo = (o * s[i]) as i64 - p[i] as i64;
        let hi = (lo + k[i] as i64).min(n + p[i] as i64);
        (lo, hi, hi - lo, lo.max(0), hi.min(n))
    };
    for oy in 0..out_hw[0] {
        let (_, _, ph, y0, y1) = range(oy, 0, h);
        for ox in 0..out_hw[1] {
            let (_, _, pw, x0, x1) = range(ox, 1, w);
            if y0 >= y1 || x0 >= x1 {
                plan.close((1.0, 1.0), 0);
                continue;
            }
            for y in y0..y1 {
                for x in x0..x1 {
                    plan.idx.push((y * w + x) as usize);
                }
            }
            let div = match divisor {
                Some(d) => d as f64,
                None if count_include_pad => (ph * pw) as f64,
                None => ((y1 - y0) * (x1 - x0)) as f64,
            };
            plan.close((div, 1.0), 0);
        }
    }
    plan
}

fn adaptive_plan(in_hw: [usize; 2], out_hw: [usize; 2]) -> Plan {
    let mut plan = Plan::new(in_hw, out_hw);
    // start = floor(a*c/b), end = ceil((a+1)*c/b)
    let range = |o: usize, i: usize| {
        let (n, on) = (in_hw[i], out_hw[i]);
        (o * n / on, ((o + 1) * n).div_ceil(on))
    };
    for oy in 0..out_hw[0] {
        let (y0, y1) = range(oy, 0);
        for ox in 0..out_hw[1] {
            let (x0, x1) = range(ox, 1);
            for y in y0..y1 {
                for x in x0..x1 {
                    plan.idx.push(y * in_hw[1] + x);
                }
            }
            plan.close(((y1 - y0) as f64, (x1 - x0) as f64), 0);
        }
    }
    plan
}

/// The shape with its last two dims replaced.
fn with_hw(shape: &[usize], hw: [usize; 2]) -> Vec<usize> {
    let mut s = shape[..shape.len() - 2].to_vec();
    s.extend(hw);
    s
}

// ---- average pools: a linear map and its transpose ----------------------------------------

fn avg_kernel<T: Float>(x: &[T], plan: &Plan, planes: usize, transposed: bool) -> Vec<T> {
    let (ip, op) = (plan.in_plane(), plan.out_plane());
    let divs: Vec<(T, T)> = plan
        .div
        .iter()
        .map(|&(a, b)| (T::from_f64(a), T::from_f64(b)))
        .collect();
    if !transposed {
        let mut out = vec![T::ZERO; planes * op];
        for pl in 0..planes {
            let xs = &x[pl * ip..(pl + 1) * ip];
            for o in 0..op {
                let mut acc = T::ZERO;
                for &i in &plan.idx[plan.start[o]..plan.start[o + 1]] {
                    acc += xs[i];
                }
                let (d1, d2) = divs[o];
                out[pl * op + o] = acc / d1 / d2;
            }
        }
        out
    } else {
        let mut out = vec![T::ZERO; planes * ip];
        for pl in 0..planes {
            let dx = &mut out[pl * ip..(pl + 1) * ip];
            for o in 0..op {
                let (d1, d2) = divs[o];
                let gv = x[pl * op + o] / d1 / d2;
                for &i in &plan.idx[plan.start[o]..plan.start[o + 1]] {
                    dx[i] += gv;
                }
            }
        }
        out
    }
}

/// The average map (or its transpose) of `x` with no graph. Integer inputs sum exactly (in
/// float64) and divide truncating toward zero, as PyTorch's integer kernels.
fn avg_data(x: &Tensor, plan: &Plan, transposed: bool, op: &str) -> Result<Tensor> {
    let dtype = x.dtype();
    if super::super::is_half(dtype) {
        return super::super::via_f32(x, |t| avg_data(t, plan, transposed, op));
    }
    if !dtype.is_floating_point() {
        if dtype == DType::Bool {
            bail!("\"{}\" not implemented for 'Bool'", op);
        }
        let v = no_grad(|| avg_data(&x.to_dtype(DType::F64)?, plan, transposed, op))?;
        let t: Vec<f64> = v.to_f64_vec().into_iter().map(|f| f.trunc()).collect();
        return Tensor::from_f64_slice(&t, v.shape().to_vec(), dtype);
    }
    let nd = x.ndim();
    let hw = if transposed { plan.out_hw } else { plan.in_hw };
    if nd < 2 || x.shape()[nd - 2..] != hw {
        bail!("{}: internal shape mismatch {}", op, fmt_shape(x.shape()));
    }
    let x = no_grad(|| x.contiguous())?;
    let planes: usize = x.shape()[..nd - 2].iter().product();
    let shape = with_hw(x.shape(), if transposed { plan.in_hw } else { plan.out_hw });
    crate::float_dispatch!(dtype, op, T => {
        let v = with_slice(&x, |d: &[T]| avg_kernel(d, plan, planes, transposed))?;
        Tensor::from_vec(v, shape)
    })
}

fn avg_op(
    x: &Tensor,
    plan: &Rc<Plan>,
    names: (&'static str, &'static str),
    transposed: bool,
) -> Result<Tensor> {
    let name = if transposed { names.1 } else { names.0 };
    let out = avg_data(x, plan, transposed, "avg_pool2d")?;
    let plan = plan.clone();
    record1(name, &[x], out, false, move |_, g| {
        Ok(vec![Some(avg_op(g, &plan, names, !transposed)?)])
    })
}

// ---- max pools: pick, scatter, gather ----------------------------------------------------

fn max_kernel<T: Numeric>(x: &[T], plan: &Plan, planes: usize) -> (Vec<T>, Vec<usize>) {
    let (ip, op) = (plan.in_plane(), plan.out_plane());
    let mut vals = Vec::with_capacity(planes * op);
    let mut idx = Vec::with_capacity(planes * op);
    for pl in 0..planes {
        let xs = &x[pl * ip..(pl + 1) * ip];
        for o in 0..op {
            let mut best = T::from_f64(f64::NEG_INFINITY);
            let mut at = plan.first[o];
            for &i in &plan.idx[plan.start[o]..plan.start[o + 1]] {
                let v = xs[i];
                #[allow(clippy::eq_op)]
                let nan = v != v;
                if v > best || nan {
                    best = v;
                    at = i;
                }
            }
            vals.push(best);
            idx.push(at);
        }
    }
    (vals, idx)
}

/// `g` (output-shaped) added at the chosen positions of input-shaped zeros (scatter), or the
/// chosen positions of `g` (input-shaped) read out (gather).
fn pick_data(g: &Tensor, idx: &[usize], plan: &Plan, scatter: bool) -> Result<Tensor> {
    if super::super::is_half(g.dtype()) {
        return super::super::via_f32(g, |t| pick_data(t, idx, plan, scatter));
    }
    let g = no_grad(|| g.contiguous())?;
    let nd = g.ndim();
    let (ip, op) = (plan.in_plane(), plan.out_plane());
    let planes: usize = g.shape()[..nd - 2].iter().product();
    if planes * op != idx.len() {
        bail!(
            "max_pool2d: internal shape mismatch {}",
            fmt_shape(g.shape())
        );
    }
    let shape = with_hw(g.shape(), if scatter { plan.in_hw } else { plan.out_hw });
    crate::float_dispatch!(g.dtype(), "max_pool2d_with_indices_backward", T => {
        let v = with_slice(&g, |d: &[T]| {
            if scatter {
                let mut out = vec![T::ZERO; planes * ip];
                for pl in 0..planes {
                    for o in 0..op {
                        let i = idx[pl * op + o];
                        if i < ip {
                            out[pl * ip + i] += d[pl * op + o];
                        }
                    }
                }
                out
            } else {
                (0..planes * op)
                    .map(|j| {
                        let i = idx[j];
                        if i < ip { d[(j / op) * ip + i] } else { T::ZERO }
                    })
                    .collect()
            }
        })?;
        Tensor::from_vec(v, shape)
    })
}

fn pick_op(g: &Tensor, idx: &Rc<Vec<usize>>, plan: &Rc<Plan>, scatter: bool) -> Result<Tensor> {
    let out = pick_data(g, idx, plan, scatter)?;
    let name = if scatter {
        "MaxPool2DWithIndicesBackwardBackward0"
    } else {
        "MaxPool2DWithIndicesBackward0"
    };
    let (idx, plan) = (idx.clone(), plan.clone());
    record1(name, &[g], out, false, move |_, h| {
        Ok(vec![Some(pick_op(h, &idx, &plan, !scatter)?)])
    })
}

// ---- argument checks ----------------------------------------------------------------------

/// An int-or-pair pooling argument as a pair (`what` is the whole PyTorch message).
fn pair(v: &[i64], what: &str) -> Result<[i64; 2]> {
    match v.len() {
        1 => Ok([v[0], v[0]]),
        2 => Ok([v[0], v[1]]),
        _ => bail!("{}", what),
    }
}

fn u2(v: [i64; 2]) -> [usize; 2] {
    [v[0] as usize, v[1] as usize]
}

/// `pooling_output_shape`'s own checks, then the output size.
fn checked_out(input: i64, k: i64, pad: i64, stride: i64, dil: i64, ceil: bool) -> Result<i64> {
    if stride == 0 {
        bail!("stride should not be zero");
    }
    if pad < 0 {
        bail!("pad must be non-negative, but got pad: {}", pad);
    }
    if pad > ((k - 1) * dil + 1) / 2 {
        bail!(
            "pad should be at most half of effective kernel size, but got pad={}, kernel_size={} and dilation={}",
            pad,
            k,
            dil
        );
    }
    Ok(pool_out(input, k, pad, stride, dil, ceil))
}

/// PyTorch's `pool2d_shape_check`.
#[allow(clippy::too_many_arguments)]
fn pool2d_shape_check(
    x: &Tensor,
    k: [i64; 2],
    s: [i64; 2],
    p: [i64; 2],
    d: [i64; 2],
    out: [i64; 2],
) -> Result<()> {
    if k[0] <= 0 || k[1] <= 0 {
        bail!(
            "kernel size should be greater than zero, but got kH: {} kW: {}",
            k[0],
            k[1]
        );
    }
    if s[0] <= 0 || s[1] <= 0 {
        bail!(
            "stride should be greater than zero, but got dH: {} dW: {}",
            s[0],
            s[1]
        );
    }
    if d[0] <= 0 || d[1] <= 0 {
        bail!(
            "dilation should be greater than zero, but got dilationH: {} dilationW: {}",
            d[0],
            d[1]
        );
    }
    let sh = x.shape();
    let nd = sh.len();
    let valid = sh[1..].iter().all(|&v| v != 0);
    if !valid || (nd == 3 && sh[0] == 0) {
        bail!(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{}",
            fmt_shape(sh)
        );
    }
    if k[1] / 2 < p[1] || k[0] / 2 < p[0] {
        bail!(
            "pad should be smaller than or equal to half of kernel size, but got padW = {}, padH = {}, kW = {}, kH = {}",
            p[1],
            p[0],
            k[1],
            k[0]
        );
    }
    if out[0] < 1 || out[1] < 1 {
        bail!(
            "Given input size: ({}x{}x{}). Calculated output size: ({}x{}x{}). Output size is too small",
            sh[nd - 3],
            sh[nd - 2],
            sh[nd - 1],
            sh[nd - 3],
            out[0],
            out[1]
        );
    }
    Ok(())
}

fn check_3d_4d(x: &Tensor) -> Result<()> {
    if x.ndim() != 3 && x.ndim() != 4 {
        bail!("non-empty 3D or 4D (batch mode) tensor expected for input");
    }
    Ok(())
}

fn check_dim_range(x: &Tensor, op: &str) -> Result<()> {
    if x.ndim() != 2 && x.ndim() != 3 {
        bail!(
            "Expected 2 to 3 dimensions, but got {}-dimensional tensor for argument #1 'self' (while checking arguments for {})",
            x.ndim(),
            op
        );
    }
    Ok(())
}

fn check1d(v: &[i64], op: &str, arg: &str) -> Result<()> {
    if v.len() != 1 {
        bail!(
            "{}() argument '{}' should contain one int (got {})",
            op,
            arg,
            v.len()
        );
    }
    Ok(())
}

impl Tensor {
    /// `max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode,
    /// return_indices=True)`: the values (MaxPool2DWithIndicesBackward0) and the int64 flat
    /// index of each maximum within its `H*W` plane. An empty `stride` means `kernel_size`.
    pub fn max_pool2d_with_indices(
        &self,
        kernel_size: &[i64],
        stride: &[i64],
        padding: &[i64],
        dilation: &[i64],
        ceil_mode: bool,
    ) -> Result<(Tensor, Tensor)> {
        let k = pair(
            kernel_size,
            "max_pool2d: kernel_size must either be a single int, or a tuple of two ints",
        )?;
        let s = if stride.is_empty() {
            k
        } else {
            pair(
                stride,
                "max_pool2d: stride must either be omitted, a single int, or a tuple of two ints",
            )?
        };
        let p = pair(
            padding,
            "max_pool2d: padding must either be a single int, or a tuple of two ints",
        )?;
        let d = pair(
            dilation,
            "max_pool2d: dilation must be either a single int, or a tuple of two ints",
        )?;
        check_3d_4d(self)?;
        let nd = self.ndim();
        let (h, w) = (self.shape()[nd - 2] as i64, self.shape()[nd - 1] as i64);
        let oh = checked_out(h, k[0], p[0], s[0], d[0], ceil_mode)?;
        let ow = checked_out(w, k[1], p[1], s[1], d[1], ceil_mode)?;
        pool2d_shape_check(self, k, s, p, d, [oh, ow])?;
        let in_hw = [h as usize, w as usize];
        let out_hw = [oh as usize, ow as usize];
        let plan = Rc::new(max_plan(in_hw, out_hw, u2(k), u2(s), u2(p), u2(d)));
        let (vals, idx) = if super::super::is_half(self.dtype()) {
            let (v, i) = no_grad(|| self.to_dtype(DType::F32))?.max_pool2d_raw(&plan)?;
            (no_grad(|| v.to_dtype(self.dtype()))?, i)
        } else {
            self.max_pool2d_raw(&plan)?
        };
        let shape = with_hw(self.shape(), out_hw);
        let indices: Vec<i64> = idx.iter().map(|&i| i as i64).collect();
        let indices = Tensor::from_vec(indices, shape)?;
        if !self.dtype().is_floating_point() {
            return Ok((vals, indices));
        }
        let idx = Rc::new(idx);
        let out = record1(
            "MaxPool2DWithIndicesBackward0",
            &[self],
            vals,
            false,
            move |_, g| Ok(vec![Some(pick_op(g, &idx, &plan, true)?)]),
        )?;
        Ok((out, indices))
    }

    fn max_pool2d_raw(&self, plan: &Plan) -> Result<(Tensor, Vec<usize>)> {
        let x = no_grad(|| self.contiguous())?;
        let nd = x.ndim();
        let planes: usize = x.shape()[..nd - 2].iter().product();
        let shape = with_hw(x.shape(), plan.out_hw);
        crate::numeric_dispatch!(x.dtype(), "max_pool2d", T => {
            let (v, i) = with_slice(&x, |d: &[T]| max_kernel(d, plan, planes))?;
            Ok((Tensor::from_vec(v, shape)?, i))
        })
    }

    /// `max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)`
    /// (MaxPool2DWithIndicesBackward0): the gradient goes to the first maximum of each window.
    pub fn max_pool2d(
        &self,
        kernel_size: &[i64],
        stride: &[i64],
        padding: &[i64],
        dilation: &[i64],
        ceil_mode: bool,
    ) -> Result<Tensor> {
        Ok(self
            .max_pool2d_with_indices(kernel_size, stride, padding, dilation, ceil_mode)?
            .0)
    }

    /// `max_pool1d(..., return_indices=True)`: runs as max_pool2d over a height of 1.
    pub fn max_pool1d_with_indices(
        &self,
        kernel_size: &[i64],
        stride: &[i64],
        padding: &[i64],
        dilation: &[i64],
        ceil_mode: bool,
    ) -> Result<(Tensor, Tensor)> {
        if self.ndim() != 2 && self.ndim() != 3 {
            bail!(
                "max_pool1d() Expected 2D or 3D input tensor, but got {}",
                fmt_shape(self.shape())
            );
        }
        if kernel_size.len() != 1 {
            bail!("max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got size {}", kernel_size.len());
        }
        if stride.len() > 1 {
            bail!("max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1 but got size {}", stride.len());
        }
        if padding.len() != 1 {
            bail!("max_pool1d() padding must be an int, list of ints, or tuple of ints of size 1 but got size {}", padding.len());
        }
        if dilation.len() != 1 {
            bail!("max_pool1d() dilation must be an int, list of ints or tuple of ints of size 1 but got size {}", dilation.len());
        }
        let (k, p, d) = (kernel_size[0], padding[0], dilation[0]);
        let s = stride.first().copied().unwrap_or(k);
        if k <= 0 {
            bail!(
                "max_pool1d() kernel_size must be greater than zero, but got {}",
                k
            );
        }
        if s <= 0 {
            bail!(
                "max_pool1d() stride must be greater than zero, but got {}",
                s
            );
        }
        if p < 0 {
            bail!("max_pool1d() padding must be non-negative, but got {}", p);
        }
        if p > k / 2 {
            bail!("max_pool1d() padding should be at most half of kernel size, but got padding={} and kernel_size={}", p, k);
        }
        if d <= 0 {
            bail!(
                "max_pool1d() dilation must be greater than zero, but got {}",
                d
            );
        }
        let l = self.shape()[self.ndim() - 1] as i64;
        let ow = pool_out(l, k, p, s, d, ceil_mode);
        if ow <= 0 {
            bail!("max_pool1d() Invalid computed output size: {}", ow);
        }
        let (v, i) = self.unsqueeze(-2)?.max_pool2d_with_indices(
            &[1, k],
            &[1, s],
            &[0, p],
            &[1, d],
            ceil_mode,
        )?;
        let ishape = {
            let mut s = i.shape().to_vec();
            s.remove(s.len() - 2);
            s
        };
        Ok((v.squeeze_dims(&[-2])?, i.reshape_raw(ishape)))
    }

    /// `max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)`.
    pub fn max_pool1d(
        &self,
        kernel_size: &[i64],
        stride: &[i64],
        padding: &[i64],
        dilation: &[i64],
        ceil_mode: bool,
    ) -> Result<Tensor> {
        Ok(self
            .max_pool1d_with_indices(kernel_size, stride, padding, dilation, ceil_mode)?
            .0)
    }

    /// `avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
    /// divisor_override)` (AvgPool2DBackward0). An empty `stride` means `kernel_size`.
    pub fn avg_pool2d(
        &self,
        kernel_size: &[i64],
        stride: &[i64],
        padding: &[i64],
        ceil_mode: bool,
        count_include_pad: bool,
        divisor_override: Option<i64>,
    ) -> Result<Tensor> {
        let k = pair(
            kernel_size,
            "avg_pool2d: kernel_size must either be a single int, or a tuple of two ints",
        )?;
        let s = if stride.is_empty() {
            k
        } else {
            pair(
                stride,
                "avg_pool2d: stride must either be omitted, a single int, or a tuple of two ints",
            )?
        };
        let p = pair(
            padding,
            "avg_pool2d: padding must either be a single int, or a tuple of two ints",
        )?;
        if divisor_override == Some(0) {
            bail!("divisor must be not zero");
        }
        check_3d_4d(self)?;
        let nd = self.ndim();
        let (h, w) = (self.shape()[nd - 2] as i64, self.shape()[nd - 1] as i64);
        let oh = checked_out(h, k[0], p[0], s[0], 1, ceil_mode)?;
        let ow = checked_out(w, k[1], p[1], s[1], 1, ceil_mode)?;
        pool2d_shape_check(self, k, s, p, [1, 1], [oh, ow])?;
        let plan = Rc::new(avg_plan(
            [h as usize, w as usize],
            [oh as usize, ow as usize],
            u2(k),
            u2(s),
            u2(p),
            count_include_pad,
            divisor_override,
        ));
        if !self.dtype().is_floating_point() {
            return avg_data(self, &plan, false, "avg_pool2d");
        }
        avg_op(
            self,
            &plan,
            ("AvgPool2DBackward0", "AvgPool2DBackwardBackward0"),
            false,
        )
    }

    /// `avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)`: runs
    /// as avg_pool2d over a height of 1.
    pub fn avg_pool1d(
        &self,
        kernel_size: &[i64],
        stride: &[i64],
        padding: &[i64],
        ceil_mode: bool,
        count_include_pad: bool,
    ) -> Result<Tensor> {
        check_dim_range(self, "avg_pool1d")?;
        check1d(kernel_size, "avg_pool1d", "kernel_size")?;
        let stride = if stride.is_empty() {
            kernel_size
        } else {
            stride
        };
        check1d(stride, "avg_pool1d", "stride")?;
        check1d(padding, "avg_pool1d", "padding")?;
        self.unsqueeze(-2)?
            .avg_pool2d(
                &[1, kernel_size[0]],
                &[1, stride[0]],
                &[0, padding[0]],
                ceil_mode,
                count_include_pad,
                None,
            )?
            .squeeze_dims(&[-2])
    }

    /// `adaptive_avg_pool2d(input, output_size)` (AdaptiveAvgPool2DBackward0): window `i` of
    /// `n` over a size `L` is `[floor(i*L/n), ceil((i+1)*L/n))`. `None` keeps the input size;
    /// an output of 1x1 is `mean((-1, -2), keepdim=True)`, as in PyTorch.
    pub fn adaptive_avg_pool2d(&self, output_size: &[Option<i64>]) -> Result<Tensor> {
        if output_size.len() != 2 && output_size.len() != 1 {
            bail!("adaptive_avg_pool2d: output_size must be 2");
        }
        let nd = self.ndim();
        if nd != 3 && nd != 4 {
            bail!(
                "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {}",
                fmt_shape(self.shape())
            );
        }
        for i in [nd - 2, nd - 1] {
            if self.shape()[i] == 0 {
                bail!("adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {} with dimension {} being empty", fmt_shape(self.shape()), i);
            }
        }
        let os = if output_size.len() == 1 {
            [output_size[0], output_size[0]]
        } else {
            [output_size[0], output_size[1]]
        };
        let (h, w) = (self.shape()[nd - 2], self.shape()[nd - 1]);
        let oh = os[0].unwrap_or(h as i64);
        let ow = os[1].unwrap_or(w as i64);
        if oh < 0 || ow < 0 {
            let mut s: Vec<String> = self.shape()[..nd - 2]
                .iter()
                .map(|v| v.to_string())
                .collect();
            s.push(oh.to_string());
            s.push(ow.to_string());
            bail!(
                "Trying to create tensor with negative dimension {}: [{}]",
                if oh < 0 { oh } else { ow },
                s.join(", ")
            );
        }
        if !self.dtype().is_floating_point() {
            bail!(
                "\"adaptive_avg_pool2d\" not implemented for '{}'",
                super::super::kernel_dtype_name(self.dtype())
            );
        }
        if oh == 1 && ow == 1 {
            return self.mean_dims(&[-1, -2], true);
        }
        let plan = Rc::new(adaptive_plan([h, w], [oh as usize, ow as usize]));
        avg_op(
            self,
            &plan,
            (
                "AdaptiveAvgPool2DBackward0",
                "AdaptiveAvgPool2DBackwardBackward0",
            ),
            false,
        )
    }

    /// `adaptive_avg_pool1d(input, output_size)`: adaptive_avg_pool2d over a height of 1.
    pub fn adaptive_avg_pool1d(&self, output_size: &[i64]) -> Result<Tensor> {
        check_dim_range(self, "adaptive_avg_pool1d")?;
        check1d(output_size, "adaptive_avg_pool1d", "output_size")?;
        self.unsqueeze(-2)?
            .adaptive_avg_pool2d(&[Some(1), Some(output_size[0])])?
            .squeeze_dims(&[-2])
    }
}

use crate::ops::registry::{input, Domain::*, Grad, OpSpec};

pub(crate) fn specs() -> Vec<OpSpec> {
    const D2: Grad = Grad::Differentiable { double: true };
    vec![
        OpSpec {
            name: "max_pool2d",
            js: "nn.functional.maxPool2d",
            grad_fn: "MaxPool2DWithIndicesBackward0",
            dtypes: "float32, float64, float16, bfloat16, int32, int64",
            grad: D2,
            notes: "grad to the first maximum of each window (the last nan if any), as PyTorch's CPU kernel; stride/padding/dilation/ceil_mode; `returnIndices` gives flat `H*W` indices",
            inputs: vec![input(&[1, 1, 4, 4], Any)],
            run: |x| x[0].max_pool2d(&[3, 2], &[1, 2], &[1, 0], &[1], true),
        },
        OpSpec {
            name: "max_pool1d",
            js: "nn.functional.maxPool1d",
            grad_fn: "SqueezeBackward1",
            dtypes: "float32, float64, float16, bfloat16, int32, int64",
            grad: D2,
            notes: "max_pool2d over a height of 1 (grad_fn of the squeeze, as PyTorch)",
            inputs: vec![input(&[2, 7], Any)],
            run: |x| x[0].max_pool1d(&[2], &[2], &[1], &[2], false),
        },
        OpSpec {
            name: "avg_pool2d",
            js: "nn.functional.avgPool2d",
            grad_fn: "AvgPool2DBackward0",
            dtypes: "float32, float64, float16, bfloat16, int32, int64",
            grad: D2,
            notes: "ceil_mode, count_include_pad, divisor_override; integers divide truncating",
            inputs: vec![input(&[1, 2, 3, 4], Any)],
            run: |x| x[0].avg_pool2d(&[2, 3], &[2, 2], &[1, 1], true, false, None),
        },
        OpSpec {
            name: "avg_pool1d",
            js: "nn.functional.avgPool1d",
            grad_fn: "SqueezeBackward1",
            dtypes: "float32, float64, float16, bfloat16, int32, int64",
            grad: D2,
            notes: "avg_pool2d over a height of 1",
            inputs: vec![input(&[2, 6], Any)],
            run: |x| x[0].avg_pool1d(&[3], &[2], &[1], true, true),
        },
        OpSpec {
            name: "adaptive_avg_pool2d",
            js: "nn.functional.adaptiveAvgPool2d",
            grad_fn: "AdaptiveAvgPool2DBackward0",
            dtypes: "float32, float64, float16, bfloat16",
            grad: D2,
            notes: "windows `[floor(i*L/n), ceil((i+1)*L/n))`; output 1x1 is a mean (MeanBackward1)",
            inputs: vec![input(&[1, 2, 5, 3], Any)],
            run: |x| x[0].adaptive_avg_pool2d(&[Some(3), Some(2)]),
        },
        OpSpec {
            name: "adaptive_avg_pool1d",
            js: "nn.functional.adaptiveAvgPool1d",
            grad_fn: "SqueezeBackward1",
            dtypes: "float32, float64, float16, bfloat16",
            grad: D2,
            notes: "adaptive_avg_pool2d over a height of 1",
            inputs: vec![input(&[2, 5], Any)],
            run: |x| x[0].adaptive_avg_pool1d(&[3]),
        },
    ]
}
