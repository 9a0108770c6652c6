//! The conv family: conv1d/conv2d/conv_transpose values (hand-computed and against a direct
//! loop), gradients, PyTorch's error messages, half types and autocast; max/avg/adaptive
//! pooling values, indices, ties, nan, ceil_mode, count_include_pad and divisor_override.

mod common;
use common::*;
use tensorgrad_core::autograd::grad;
use tensorgrad_core::ops::conv::ConvPadding;
use tensorgrad_core::{DType, Tensor};

fn f64t(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_f64_slice(v, shape.to_vec(), DType::F64).unwrap()
}

fn range(n: usize, shape: &[usize]) -> Tensor {
    let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
    f64t(&v, shape)
}

fn err<T>(r: tensorgrad_core::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.message().to_string(),
    }
}

fn name(t: &Tensor) -> String {
    t.grad_fn()
        .map(|f| f.name().to_string())
        .unwrap_or_default()
}

fn pad(v: &[i64]) -> ConvPadding {
    ConvPadding::Explicit(v.to_vec())
}

fn conv2d(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    s: &[i64],
    p: &[i64],
    d: &[i64],
    g: i64,
) -> Tensor {
    x.conv2d(w, b, s, &pad(p), d, g).unwrap()
}

/// Pseudo-random values in [-1, 1).
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

/// Direct 2-D convolution by its definition.
#[allow(clippy::too_many_arguments)]
fn naive_conv2d(
    x: &[f64],
    xs: [usize; 4],
    w: &[f64],
    ws: [usize; 4],
    s: [usize; 2],
    p: [usize; 2],
    d: [usize; 2],
    groups: usize,
) -> (Vec<f64>, [usize; 4]) {
    let [n, cin, h, wd] = xs;
    let [cout, cig, kh, kw] = ws;
    let oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1;
    let ow = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
    let cog = cout / groups;
    let mut out = vec![0.0; n * cout * oh * ow];
    for b in 0..n {
        for co in 0..cout {
            let g = co / cog;
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut acc = 0.0;
                    for ci in 0..cig {
                        for i in 0..kh {
                            for j in 0..kw {
                                let iy = (oy * s[0] + i * d[0]) as isize - p[0] as isize;
                                let ix = (ox * s[1] + j * d[1]) as isize - p[1] as isize;
                                if iy < 0 || ix < 0 || iy >= h as isize || ix >= wd as isize {
                                    continue;
                                }
                                let c = g * cig + ci;
                                acc += x[((b * cin + c) * h + iy as usize) * wd + ix as usize]
                                    * w[((co * cig + ci) * kh + i) * kw + j];
                            }
                        }
                    }
                    out[((b * cout + co) * oh + oy) * ow + ox] = acc;
                }
            }
        }
    }
    (out, [n, cout, oh, ow])
}

// ---- convolution values -------------------------------------------------------------------

#[test]
fn conv2d_basic_stride_padding_dilation() {
    let x = f64t(
        &(1..=9).map(|v| v as f64).collect::<Vec<_>>(),
        &[1, 1, 3, 3],
    );
    let w = Tensor::ones(&[1, 1, 2, 2], DType::F64);
    let y = conv2d(&x, &w, None, &[1], &[0], &[1], 1);
    assert_eq!(y.shape(), &[1, 1, 2, 2]);
    assert_eq!(y.to_f64_vec(), vec![12.0, 16.0, 24.0, 28.0]);
    // stride 2, padding 1
    let y = conv2d(&x, &w, None, &[2], &[1], &[1], 1);
    assert_eq!(y.to_f64_vec(), vec![1.0, 5.0, 11.0, 28.0]);
    // dilation 2 over 4x4
    let x4 = range(16, &[1, 1, 4, 4]);
    let y = conv2d(&x4, &w, None, &[1], &[0], &[2], 1);
    assert_eq!(y.to_f64_vec(), vec![20.0, 24.0, 36.0, 40.0]);
    // asymmetric stride/padding as [h, w]
    let y = conv2d(&x, &w, None, &[1, 2], &[0, 1], &[1], 1);
    assert_eq!(y.shape(), &[1, 1, 2, 2]);
    assert_eq!(y.to_f64_vec(), vec![5.0, 16.0, 11.0, 28.0]);
}

#[test]
fn conv2d_groups_bias_and_channels() {
    let x = range(8, &[1, 2, 2, 2]); // ch0 0..3, ch1 4..7
    let w = f64t(&[2.0, 3.0], &[2, 1, 1, 1]);
    let b = f64t(&[1.0, -1.0], &[2]);
    let y = conv2d(&x, &w, Some(&b), &[1], &[0], &[1], 2);
    assert_eq!(
        y.to_f64_vec(),
        vec![1.0, 3.0, 5.0, 7.0, 11.0, 14.0, 17.0, 20.0]
    );
    // all channels summed (groups 1), two output channels
    let w = f64t(&[1.0, 1.0, 0.5, -1.0], &[2, 2, 1, 1]);
    let y = conv2d(&x, &w, None, &[1], &[0], &[1], 1);
    assert_eq!(
        y.to_f64_vec(),
        vec![4.0, 6.0, 8.0, 10.0, -4.0, -4.5, -5.0, -5.5]
    );
}

#[test]
fn conv2d_matches_direct_loop() {
    let cases: &[(
        [usize; 4],
        [usize; 4],
        [usize; 2],
        [usize; 2],
        [usize; 2],
        usize,
    )] = &[
        ([2, 3, 7, 6], [4, 3, 3, 2], [1, 1], [0, 0], [1, 1], 1),
        ([2, 4, 8, 7], [6, 2, 3, 3], [2, 1], [1, 2], [1, 2], 2),
        ([1, 6, 9, 9], [6, 1, 3, 3], [2, 2], [1, 1], [2, 1], 6),
        ([3, 2, 5, 5], [3, 2, 5, 5], [1, 1], [2, 2], [1, 1], 1),
    ];
    for (k, &(xs, ws, s, p, d, g)) in cases.iter().enumerate() {
        let xv = noise(xs.iter().product(), k as u64);
        let wv = noise(ws.iter().product(), 100 + k as u64);
        let (want, shape) = naive_conv2d(&xv, xs, &wv, ws, s, p, d, g);
        let i = |v: [usize; 2]| [v[0] as i64, v[1] as i64];
        let y = conv2d(
            &f64t(&xv, &xs),
            &f64t(&wv, &ws),
            None,
            &i(s),
            &i(p),
            &i(d),
            g as i64,
        );
        assert_eq!(y.shape(), &shape, "case {}", k);
        assert!(close(&y.to_f64_vec(), &want, 1e-12), "case {}", k);
        // float32 agrees too
        let y32 = f64t(&xv, &xs)
            .to_dtype(DType::F32)
            .unwrap()
            .conv2d(
                &f64t(&wv, &ws).to_dtype(DType::F32).unwrap(),
                None,
                &i(s),
                &pad(&i(p)),
                &i(d),
                g as i64,
            )
            .unwrap();
        assert_eq!(y32.dtype(), DType::F32);
        assert!(close(&y32.to_f64_vec(), &want, 1e-5), "case {} f32", k);
    }
}

#[test]
fn conv1d_values_and_padding_strings() {
    let x = f64t(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1, 1, 5]);
    let w = f64t(&[1.0, 0.0, -1.0], &[1, 1, 3]);
    let y = x
        .conv1d(&w, None, &[1], &ConvPadding::Same, &[1], 1)
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![-2.0, -2.0, -2.0, -2.0, 4.0]);
    let y = x
        .conv1d(&w, None, &[1], &ConvPadding::Valid, &[1], 1)
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![-2.0, -2.0, -2.0]);
    // even kernel: the extra padding goes on the right, as PyTorch
    let x = f64t(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 4]);
    let w = f64t(&[1.0, 1.0], &[1, 1, 2]);
    let y = x
        .conv1d(&w, None, &[1], &ConvPadding::Same, &[1], 1)
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![3.0, 5.0, 7.0, 4.0]);
    // 'same' with dilation 2 and kernel 2: total padding 2, one each side
    let y = x
        .conv1d(&w, None, &[1], &ConvPadding::Same, &[2], 1)
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![2.0, 4.0, 6.0, 3.0]);
    // stride and dilation
    let x = range(7, &[1, 1, 7]);
    let y = x.conv1d(&w, None, &[2], &pad(&[0]), &[3], 1).unwrap();
    assert_eq!(y.to_f64_vec(), vec![3.0, 7.0]);
    assert_eq!(ConvPadding::parse("same").unwrap(), ConvPadding::Same);
    assert_eq!(
        err(ConvPadding::parse("full")),
        "Invalid padding string: 'full'"
    );
}

#[test]
fn unbatched_input_and_empty_batch() {
    let x = range(9, &[1, 3, 3]);
    x.set_requires_grad(true).unwrap();
    let w = Tensor::ones(&[2, 1, 2, 2], DType::F64);
    let y = x.conv2d(&w, None, &[1], &pad(&[0]), &[1], 1).unwrap();
    assert_eq!(y.shape(), &[2, 2, 2]);
    assert_eq!(name(&y), "SqueezeBackward1");
    assert_eq!(
        y.to_f64_vec(),
        vec![8.0, 12.0, 20.0, 24.0, 8.0, 12.0, 20.0, 24.0]
    );
    let x1 = range(4, &[1, 4]);
    let y1 = x1
        .conv1d(
            &Tensor::ones(&[1, 1, 2], DType::F64),
            None,
            &[1],
            &pad(&[0]),
            &[1],
            1,
        )
        .unwrap();
    assert_eq!(y1.shape(), &[1, 3]);
    // batch of zero
    let e = Tensor::zeros(&[0, 1, 3, 3], DType::F32);
    let y = e
        .conv2d(
            &Tensor::ones(&[2, 1, 2, 2], DType::F32),
            None,
            &[1],
            &pad(&[0]),
            &[1],
            1,
        )
        .unwrap();
    assert_eq!(y.shape(), &[0, 2, 2, 2]);
}

#[test]
fn conv_transpose_values_and_adjointness() {
    let x = f64t(&[1.0, 2.0], &[1, 1, 2]);
    let w = f64t(&[1.0, 1.0, 1.0], &[1, 1, 3]);
    let y = x
        .conv_transpose1d(&w, None, &[2], &[0], &[0], 1, &[1])
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![1.0, 1.0, 3.0, 2.0, 2.0]);
    let y = x
        .conv_transpose1d(&w, None, &[2], &[1], &[0], 1, &[1])
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![1.0, 3.0, 2.0]);
    let y = x
        .conv_transpose1d(&w, None, &[2], &[1], &[1], 1, &[1])
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![1.0, 3.0, 2.0, 2.0]);
    let b = f64t(&[10.0], &[1]);
    let y = x
        .conv_transpose1d(&w, Some(&b), &[1], &[0], &[0], 1, &[1])
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![11.0, 13.0, 13.0, 12.0]);
    // <conv2d(x, w), g> == <x, conv_transpose2d(g, w)> with groups, stride, padding, dilation
    let (xs, ws) = ([2, 4, 7, 6], [6, 2, 3, 2]);
    let xv = noise(xs.iter().product(), 7);
    let wv = noise(ws.iter().product(), 8);
    let (xt, wt) = (f64t(&xv, &xs), f64t(&wv, &ws));
    let y = conv2d(&xt, &wt, None, &[2, 1], &[1, 1], &[1, 2], 2);
    let gv = noise(y.numel(), 9);
    let g = f64t(&gv, y.shape());
    // output_padding recovers the input size lost to the stride
    let xt2 = g
        .conv_transpose2d(&wt, None, &[2, 1], &[1, 1], &[0, 0], 2, &[1, 2])
        .unwrap();
    assert_eq!(xt2.shape(), &[2, 4, 7, 6]);
    let lhs: f64 = y.to_f64_vec().iter().zip(&gv).map(|(a, b)| a * b).sum();
    let rhs: f64 = xt2.to_f64_vec().iter().zip(&xv).map(|(a, b)| a * b).sum();
    assert!((lhs - rhs).abs() < 1e-10, "{} vs {}", lhs, rhs);
    let y = g
        .conv_transpose2d(&wt, None, &[2, 1], &[1, 1], &[1, 0], 2, &[1, 2])
        .unwrap();
    assert_eq!(y.shape(), &[2, 4, 8, 6]);
}

// ---- gradients ----------------------------------------------------------------------------

#[test]
fn conv2d_gradients_by_hand() {
    let x = t64(
        &(1..=9).map(|v| v as f64).collect::<Vec<_>>(),
        &[1, 1, 3, 3],
    );
    let w = t64(&[1.0, 1.0, 1.0, 1.0], &[1, 1, 2, 2]);
    let b = t64(&[0.5], &[1]);
    let y = x.conv2d(&w, Some(&b), &[1], &pad(&[0]), &[1], 1).unwrap();
    assert_eq!(name(&y), "ConvolutionBackward0");
    let gs = grad(
        &[y.sum().unwrap()],
        &[x.clone(), w.clone(), b.clone()],
        &[],
        false,
        false,
        false,
    )
    .unwrap();
    let g = |i: usize| gs[i].as_ref().unwrap().to_f64_vec();
    assert_eq!(g(0), vec![1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]);
    assert_eq!(g(1), vec![12.0, 16.0, 24.0, 28.0]);
    assert_eq!(g(2), vec![4.0]);
}

#[test]
fn conv_double_backward_is_differentiable() {
    let x = t64(&noise(2 * 4 * 5 * 6, 1), &[2, 4, 5, 6]);
    let w = t64(&noise(4 * 2 * 2 * 3, 2), &[4, 2, 2, 3]);
    let b = t64(&[0.1, -0.2, 0.3, 0.4], &[4]);
    let f = |v: &[Tensor]| {
        v[0].conv2d(&v[1], Some(&v[2]), &[2, 1], &pad(&[1, 0]), &[1, 2], 2)
            .unwrap()
    };
    gradcheck(f, &[x.clone(), w.clone(), b.clone()]);
    gradgradcheck(f, &[x.clone(), w.clone(), b.clone()]);
    // the gradient of a gradient carries the double-backward node
    let y = f(&[x.clone(), w.clone(), b.clone()]);
    let gx = grad(&[y.sum().unwrap()], &[x.clone()], &[], true, true, false).unwrap();
    let gx = gx[0].clone().unwrap();
    assert_eq!(name(&gx), "ConvolutionBackwardBackward0");
    let ft = |v: &[Tensor]| {
        v[0].conv_transpose2d(&v[1], Some(&v[2]), &[2, 1], &[1, 0], &[1, 0], 2, &[1, 1])
            .unwrap()
    };
    let xt = t64(&noise(12, 3), &[1, 4, 3, 1]);
    let wt = t64(&noise(4 * 3 * 2 * 2, 4), &[4, 3, 2, 2]);
    let bt = t64(&noise(6, 5), &[6]);
    gradcheck(ft, &[xt.clone(), wt.clone(), bt.clone()]);
    gradgradcheck(ft, &[xt, wt, bt]);
}

// ---- errors -------------------------------------------------------------------------------

#[test]
fn conv_error_messages() {
    let x = Tensor::zeros(&[1, 2, 8, 8], DType::F32);
    let w = Tensor::zeros(&[4, 3, 3, 3], DType::F32);
    assert_eq!(
        err(x.conv2d(&w, None, &[1], &pad(&[0]), &[1], 1)),
        "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 8, 8] to have 3 channels, but got 2 channels instead"
    );
    let x = Tensor::zeros(&[1, 3, 2, 2], DType::F32);
    assert_eq!(
        err(x.conv2d(&w, None, &[1], &pad(&[0]), &[1], 1)),
        "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than actual input size"
    );
    let x = Tensor::zeros(&[1, 3, 4, 4], DType::F32);
    assert_eq!(
        err(x.conv2d(&w, None, &[1], &pad(&[0]), &[2], 1)),
        "Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5). Kernel size can't be greater than actual input size"
    );
    let b = Tensor::zeros(&[3], DType::F32);
    let x = Tensor::zeros(&[1, 3, 8, 8], DType::F32);
    assert_eq!(
        err(x.conv2d(&w, Some(&b), &[1], &pad(&[0]), &[1], 1)),
        "Given weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with 4 elements, but got bias of size [3] instead"
    );
    assert_eq!(
        err(x.conv2d(&w, None, &[1], &pad(&[0]), &[1], 3)),
        "Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size [[4, 3, 3, 3]] instead"
    );
    assert_eq!(
        err(x.conv2d(&w, None, &[1], &pad(&[0]), &[1], 5)),
        "Given groups=5, expected weight to be at least 5 at dimension 0, but got weight of size [4, 3, 3, 3] instead"
    );
    assert_eq!(
        err(x.conv2d(&w, None, &[1], &pad(&[0]), &[1], 0)),
        "non-positive groups is not supported"
    );
    assert_eq!(
        err(x.conv2d(&w, None, &[2], &ConvPadding::Same, &[1], 1)),
        "padding='same' is not supported for strided convolutions"
    );
    assert_eq!(
        err(x.conv2d(&w, None, &[1], &pad(&[-1]), &[1], 1)),
        "negative padding is not supported"
    );
    assert_eq!(
        err(x.conv2d(&w, None, &[0], &pad(&[0]), &[1], 1)),
        "non-positive stride is not supported"
    );
    assert_eq!(
        err(x.conv2d(&w, None, &[1], &pad(&[0]), &[0], 1)),
        "dilation should be greater than zero"
    );
    assert_eq!(
        err(x.conv2d(&w, None, &[1, 1, 1], &pad(&[0]), &[1], 1)),
        "expected stride to be a single integer value or a list of 2 values to match the convolution dimensions, but got stride=[1, 1, 1]"
    );
    assert_eq!(
        err(Tensor::zeros(&[8, 8], DType::F32).conv2d(&w, None, &[1], &pad(&[0]), &[1], 1)),
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 8]"
    );
    assert_eq!(
        err(x.conv1d(&w, None, &[1], &pad(&[0]), &[1], 1)),
        "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [1, 3, 8, 8]"
    );
    let w3 = Tensor::zeros(&[4, 3, 3], DType::F32);
    assert_eq!(
        err(x.conv2d(&w3, None, &[1], &pad(&[0]), &[1], 1)),
        "Expected 3-dimensional input for 3-dimensional weight [4, 3, 3], but got 4-dimensional input of size [1, 3, 8, 8] instead"
    );
    let xl = Tensor::zeros(&[1, 3, 8, 8], DType::I64);
    let wl = Tensor::zeros(&[4, 3, 3, 3], DType::I64);
    assert_eq!(
        err(xl.conv2d(&wl, None, &[1], &pad(&[0]), &[1], 1)),
        "\"slow_conv2d_cpu\" not implemented for 'Long'"
    );
    let wd = Tensor::zeros(&[4, 3, 3, 3], DType::F64);
    assert_eq!(
        err(x.conv2d(&wd, None, &[1], &pad(&[0]), &[1], 1)),
        "Input type (float) and weight type (double) should be the same"
    );
    // transposed
    let xt = Tensor::zeros(&[1, 2, 3, 3], DType::F32);
    assert_eq!(
        err(xt.conv_transpose2d(&w, None, &[1], &[0], &[0], 1, &[1])),
        "Given transposed=1, weight of size [4, 3, 3, 3], expected input[1, 2, 3, 3] to have 4 channels, but got 2 channels instead"
    );
    let xt = Tensor::zeros(&[1, 4, 3, 3], DType::F32);
    assert_eq!(
        err(xt.conv_transpose2d(&w, None, &[1], &[0], &[1], 1, &[1])),
        "output padding must be smaller than either stride or dilation, but got output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1"
    );
    assert_eq!(
        err(xt.conv_transpose2d(&w, Some(&Tensor::zeros(&[4], DType::F32)), &[1], &[0], &[0], 1, &[1])),
        "Given transposed=1, weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with 3 elements, but got bias of size [4] instead"
    );
    assert_eq!(
        err(xt.conv_transpose2d(&w, None, &[1], &[3], &[0], 1, &[1])),
        "Given input size per channel: (3 x 3). Calculated output size per channel: (-1 x -1). Output size is too small"
    );
}

// ---- half types and autocast --------------------------------------------------------------

#[test]
fn half_types_compute_in_float32_and_autocast_lowers() {
    let xv = noise(2 * 3 * 6 * 6, 11);
    let wv = noise(4 * 3 * 3 * 3, 12);
    let x = f64t(&xv, &[2, 3, 6, 6]);
    let w = f64t(&wv, &[4, 3, 3, 3]);
    let b = f64t(&[0.5, -0.5, 0.25, 0.0], &[4]);
    let want = conv2d(&x, &w, Some(&b), &[1], &[1], &[1], 1).to_f64_vec();
    for dt in [DType::F16, DType::BF16] {
        let (xh, wh, bh) = (
            x.to_dtype(dt).unwrap(),
            w.to_dtype(dt).unwrap(),
            b.to_dtype(dt).unwrap(),
        );
        xh.set_requires_grad(true).unwrap();
        let y = conv2d(&xh, &wh, Some(&bh), &[1], &[1], &[1], 1);
        assert_eq!(y.dtype(), dt);
        assert!(close(&y.to_f64_vec(), &want, 0.05), "{:?}", dt);
        let g = grad(&[y.sum().unwrap()], &[xh.clone()], &[], false, false, false).unwrap();
        assert_eq!(g[0].as_ref().unwrap().dtype(), dt);
        let p = xh.max_pool2d(&[2], &[], &[0], &[1], false).unwrap();
        assert_eq!(p.dtype(), dt);
        assert_eq!(
            xh.avg_pool2d(&[2], &[], &[0], false, true, None)
                .unwrap()
                .dtype(),
            dt
        );
        assert_eq!(
            xh.adaptive_avg_pool2d(&[Some(2), Some(3)]).unwrap().dtype(),
            dt
        );
    }
    let x32 = x.to_dtype(DType::F32).unwrap();
    let w32 = w.to_dtype(DType::F32).unwrap();
    let y = {
        let _a = tensorgrad_core::autocast::AutocastGuard::new(Some(DType::BF16));
        conv2d(&x32, &w32, None, &[1], &[1], &[1], 1)
    };
    assert_eq!(y.dtype(), DType::BF16);
}

// ---- max pooling --------------------------------------------------------------------------

#[test]
fn max_pool2d_values_and_indices() {
    let x = range(16, &[1, 1, 4, 4]);
    let (v, i) = x
        .max_pool2d_with_indices(&[2], &[], &[0], &[1], false)
        .unwrap();
    assert_eq!(v.to_f64_vec(), vec![5.0, 7.0, 13.0, 15.0]);
    assert_eq!(i.dtype(), DType::I64);
    assert_eq!(i.to_f64_vec(), vec![5.0, 7.0, 13.0, 15.0]);
    // dilation 2, stride 1
    let v = x.max_pool2d(&[2], &[1], &[0], &[2], false).unwrap();
    assert_eq!(v.to_f64_vec(), vec![10.0, 11.0, 14.0, 15.0]);
    // padding never wins (it is -inf): negative values
    let xn = f64t(
        &(1..=9).map(|v| -(v as f64)).collect::<Vec<_>>(),
        &[1, 3, 3],
    );
    let (v, i) = xn
        .max_pool2d_with_indices(&[2], &[2], &[1], &[1], false)
        .unwrap();
    assert_eq!(v.shape(), &[1, 2, 2]);
    assert_eq!(v.to_f64_vec(), vec![-1.0, -2.0, -4.0, -5.0]);
    assert_eq!(i.to_f64_vec(), vec![0.0, 1.0, 3.0, 4.0]);
    // ceil_mode keeps the partial last window
    let x5 = range(25, &[1, 1, 5, 5]);
    let v = x5.max_pool2d(&[2], &[2], &[0], &[1], true).unwrap();
    assert_eq!(v.shape(), &[1, 1, 3, 3]);
    assert_eq!(
        v.to_f64_vec(),
        vec![6.0, 8.0, 9.0, 16.0, 18.0, 19.0, 21.0, 23.0, 24.0]
    );
    let v = x5.max_pool2d(&[2], &[2], &[0], &[1], false).unwrap();
    assert_eq!(v.to_f64_vec(), vec![6.0, 8.0, 16.0, 18.0]);
    // ceil mode drops a window that would start in the right padding
    let v = range(4, &[1, 1, 1, 4])
        .max_pool2d(&[1, 2], &[1, 2], &[0, 1], &[1], true)
        .unwrap();
    assert_eq!(v.to_f64_vec(), vec![0.0, 2.0, 3.0]);
    // integers
    let xi = x.to_dtype(DType::I32).unwrap();
    let v = xi.max_pool2d(&[2], &[], &[0], &[1], false).unwrap();
    assert_eq!(v.dtype(), DType::I32);
    assert_eq!(v.to_f64_vec(), vec![5.0, 7.0, 13.0, 15.0]);
}

#[test]
fn max_pool_ties_nan_and_inf() {
    // ties: the first maximum (row-major) gets the gradient
    let x = t64(&[1.0, 1.0, 1.0, 1.0], &[1, 1, 2, 2]);
    let (v, i) = x
        .max_pool2d_with_indices(&[2], &[], &[0], &[1], false)
        .unwrap();
    assert_eq!(i.to_f64_vec(), vec![0.0]);
    assert_eq!(name(&v), "MaxPool2DWithIndicesBackward0");
    let g = grad(&[v.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap();
    assert_eq!(
        g[0].as_ref().unwrap().to_f64_vec(),
        vec![1.0, 0.0, 0.0, 0.0]
    );
    // overlapping windows accumulate at a shared argmax
    let x = t64(&[1.0, 9.0, 1.0, 1.0, 1.0, 1.0], &[1, 1, 2, 3]);
    let v = x.max_pool2d(&[2], &[1], &[0], &[1], false).unwrap();
    assert_eq!(v.to_f64_vec(), vec![9.0, 9.0]);
    let g = grad(&[v.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap();
    assert_eq!(
        g[0].as_ref().unwrap().to_f64_vec(),
        vec![0.0, 2.0, 0.0, 0.0, 0.0, 0.0]
    );
    // ties across windows: each window its own first max
    let x = t64(&[9.0, 1.0, 1.0, 1.0, 1.0, 1.0], &[1, 1, 2, 3]);
    let (v, i) = x
        .max_pool2d_with_indices(&[2], &[1], &[0], &[1], false)
        .unwrap();
    assert_eq!(i.to_f64_vec(), vec![0.0, 1.0]);
    let g = grad(&[v.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap();
    assert_eq!(
        g[0].as_ref().unwrap().to_f64_vec(),
        vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    );
    // nan wins (the last nan of the window); all -inf keeps the first position
    let x = f64t(&[1.0, f64::NAN, 3.0, f64::NAN], &[1, 1, 2, 2]);
    let (v, i) = x
        .max_pool2d_with_indices(&[2], &[], &[0], &[1], false)
        .unwrap();
    assert!(v.to_f64_vec()[0].is_nan());
    assert_eq!(i.to_f64_vec(), vec![3.0]);
    let x = f64t(&[f64::NEG_INFINITY; 4], &[1, 1, 2, 2]);
    let (v, i) = x
        .max_pool2d_with_indices(&[2], &[], &[0], &[1], false)
        .unwrap();
    assert_eq!(v.to_f64_vec(), vec![f64::NEG_INFINITY]);
    assert_eq!(i.to_f64_vec(), vec![0.0]);
}

#[test]
fn max_pool1d_values() {
    let x = t64(&[1.0, 3.0, 2.0, 5.0, 4.0], &[1, 5]);
    let (v, i) = x
        .max_pool1d_with_indices(&[2], &[], &[0], &[1], false)
        .unwrap();
    assert_eq!(v.shape(), &[1, 2]);
    assert_eq!(v.to_f64_vec(), vec![3.0, 5.0]);
    assert_eq!(i.shape(), &[1, 2]);
    assert_eq!(i.to_f64_vec(), vec![1.0, 3.0]);
    assert_eq!(name(&v), "SqueezeBackward1");
    let v = x.max_pool1d(&[2], &[2], &[1], &[1], true).unwrap();
    assert_eq!(v.to_f64_vec(), vec![1.0, 3.0, 5.0]);
    let g = grad(&[v.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap();
    assert_eq!(
        g[0].as_ref().unwrap().to_f64_vec(),
        vec![1.0, 1.0, 0.0, 1.0, 0.0]
    );
}

#[test]
fn max_pool_errors() {
    let x = Tensor::zeros(&[1, 1, 4, 4], DType::F32);
    assert_eq!(
        err(x.max_pool2d(&[2], &[], &[2], &[1], false)),
        "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1"
    );
    assert_eq!(
        err(x.max_pool2d(&[3], &[], &[2], &[2], false)),
        "pad should be smaller than or equal to half of kernel size, but got padW = 2, padH = 2, kW = 3, kH = 3"
    );
    assert_eq!(
        err(x.max_pool2d(&[5], &[], &[0], &[1], false)),
        "Given input size: (1x4x4). Calculated output size: (1x0x0). Output size is too small"
    );
    assert_eq!(
        err(Tensor::zeros(&[4, 4], DType::F32).max_pool2d(&[2], &[], &[0], &[1], false)),
        "non-empty 3D or 4D (batch mode) tensor expected for input"
    );
    assert_eq!(
        err(x.max_pool2d(&[2, 2, 2], &[], &[0], &[1], false)),
        "max_pool2d: kernel_size must either be a single int, or a tuple of two ints"
    );
    assert_eq!(
        err(x.max_pool2d(&[2], &[0], &[0], &[1], false)),
        "stride should not be zero"
    );
    assert_eq!(
        err(x.max_pool2d(&[0], &[1], &[0], &[1], false)),
        "kernel size should be greater than zero, but got kH: 0 kW: 0"
    );
    assert_eq!(
        err(Tensor::zeros(&[1, 1, 0, 4], DType::F32).max_pool2d(&[1], &[], &[0], &[1], false)),
        "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[1, 1, 0, 4]"
    );
    assert_eq!(
        err(Tensor::zeros(&[4], DType::F32).max_pool1d(&[2], &[], &[0], &[1], false)),
        "max_pool1d() Expected 2D or 3D input tensor, but got [4]"
    );
    assert_eq!(
        err(Tensor::zeros(&[1, 4], DType::F32).max_pool1d(&[2], &[], &[2], &[1], false)),
        "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=2"
    );
}

// ---- average pooling ----------------------------------------------------------------------

#[test]
fn avg_pool2d_padding_modes_and_divisor() {
    let x = t64(
        &(1..=9).map(|v| v as f64).collect::<Vec<_>>(),
        &[1, 1, 3, 3],
    );
    let v = x.avg_pool2d(&[2], &[1], &[0], false, true, None).unwrap();
    assert_eq!(v.to_f64_vec(), vec![3.0, 4.0, 6.0, 7.0]);
    assert_eq!(name(&v), "AvgPool2DBackward0");
    let v = x.avg_pool2d(&[2], &[2], &[1], false, true, None).unwrap();
    assert_eq!(v.to_f64_vec(), vec![0.25, 1.25, 2.75, 7.0]);
    let v = x.avg_pool2d(&[2], &[2], &[1], false, false, None).unwrap();
    assert_eq!(v.to_f64_vec(), vec![1.0, 2.5, 5.5, 7.0]);
    let v = x
        .avg_pool2d(&[2], &[2], &[1], false, true, Some(2))
        .unwrap();
    assert_eq!(v.to_f64_vec(), vec![0.5, 2.5, 5.5, 14.0]);
    let g = grad(&[v.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap();
    assert_eq!(g[0].as_ref().unwrap().to_f64_vec(), vec![0.5; 9]);
    // count_include_pad=false divides by the in-bounds count
    let v = x.avg_pool2d(&[2], &[2], &[1], false, false, None).unwrap();
    let g = grad(&[v.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap();
    assert_eq!(
        g[0].as_ref().unwrap().to_f64_vec(),
        vec![1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.5, 0.25, 0.25]
    );
}

#[test]
fn avg_pool_ceil_mode_and_1d() {
    let x = f64t(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1, 5]);
    let v = x.avg_pool1d(&[2], &[], &[0], true, true).unwrap();
    assert_eq!(v.to_f64_vec(), vec![1.5, 3.5, 5.0]);
    let v = x.avg_pool1d(&[2], &[], &[0], false, true).unwrap();
    assert_eq!(v.to_f64_vec(), vec![1.5, 3.5]);
    let v = x.avg_pool1d(&[2], &[2], &[1], true, true).unwrap();
    assert_eq!(v.to_f64_vec(), vec![0.5, 2.5, 4.5]);
    // a ceil-mode window past the padded end counts only up to the padding
    let x = f64t(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 4]);
    let v = x.avg_pool1d(&[3], &[2], &[1], true, true).unwrap();
    assert_eq!(v.shape(), &[1, 1, 3]);
    assert_eq!(v.to_f64_vec(), vec![1.0, 3.0, 2.0]);
    let v = x.avg_pool1d(&[3], &[2], &[1], true, false).unwrap();
    assert_eq!(v.to_f64_vec(), vec![1.5, 3.0, 4.0]);
    // integers divide truncating toward zero
    let xi = Tensor::from_vec(vec![1i64, 2, 3, 5, -1, -2, -3, -5], vec![2, 2, 2]).unwrap();
    let v = xi.avg_pool2d(&[2], &[], &[0], false, true, None).unwrap();
    assert_eq!(v.dtype(), DType::I64);
    assert_eq!(v.to_f64_vec(), vec![2.0, -2.0]);
    assert_eq!(
        err(Tensor::zeros(&[1, 1, 4, 4], DType::F32).avg_pool2d(
            &[2],
            &[],
            &[0],
            false,
            true,
            Some(0)
        )),
        "divisor must be not zero"
    );
    assert_eq!(
        err(Tensor::zeros(&[1, 1, 1, 4], DType::F32).avg_pool1d(&[2], &[], &[0], false, true)),
        "Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)"
    );
    assert_eq!(
        err(Tensor::zeros(&[1, 4], DType::F32).avg_pool1d(&[2, 2], &[], &[0], false, true)),
        "avg_pool1d() argument 'kernel_size' should contain one int (got 2)"
    );
}

#[test]
fn adaptive_avg_pool_windows() {
    let x = t64(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1, 1, 1, 5]);
    let v = x.adaptive_avg_pool2d(&[Some(1), Some(3)]).unwrap();
    assert_eq!(v.to_f64_vec(), vec![1.5, 3.0, 4.5]);
    assert_eq!(name(&v), "AdaptiveAvgPool2DBackward0");
    let g = grad(&[v.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap();
    assert!(close(
        &g[0].as_ref().unwrap().to_f64_vec(),
        &[0.5, 0.5 + 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0 + 0.5, 0.5],
        1e-15
    ));
    // None keeps the input size; 1x1 is a mean
    let v = x.adaptive_avg_pool2d(&[None, Some(2)]).unwrap();
    assert_eq!(v.shape(), &[1, 1, 1, 2]);
    assert_eq!(v.to_f64_vec(), vec![2.0, 4.0]);
    let v = x.adaptive_avg_pool2d(&[Some(1)]).unwrap();
    assert_eq!(v.shape(), &[1, 1, 1, 1]);
    assert_eq!(v.to_f64_vec(), vec![3.0]);
    assert_eq!(name(&v), "MeanBackward1");
    // upsampling windows overlap
    let v = f64t(&[1.0, 2.0], &[1, 1, 2])
        .adaptive_avg_pool1d(&[3])
        .unwrap();
    assert_eq!(v.to_f64_vec(), vec![1.0, 1.5, 2.0]);
    assert_eq!(
        err(Tensor::zeros(&[4, 4], DType::F32).adaptive_avg_pool2d(&[Some(2)])),
        "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [4, 4]"
    );
    assert_eq!(
        err(Tensor::zeros(&[1, 0, 4], DType::F32).adaptive_avg_pool2d(&[Some(2)])),
        "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [1, 0, 4] with dimension 1 being empty"
    );
}

#[test]
fn pool_double_backward() {
    let x = t64(&noise(2 * 5 * 4, 21), &[1, 2, 5, 4]);
    let fm = |v: &[Tensor]| v[0].max_pool2d(&[2], &[1], &[1], &[1], false).unwrap();
    gradcheck(fm, &[x.clone()]);
    gradgradcheck(fm, &[x.clone()]);
    let fa = |v: &[Tensor]| {
        v[0].avg_pool2d(&[3, 2], &[2, 1], &[1, 1], true, false, Some(5))
            .unwrap()
    };
    gradcheck(fa, &[x.clone()]);
    gradgradcheck(fa, &[x.clone()]);
    let fd = |v: &[Tensor]| v[0].adaptive_avg_pool2d(&[Some(3), Some(3)]).unwrap();
    gradcheck(fd, &[x.clone()]);
    gradgradcheck(fd, &[x]);
}

/// `cargo test --release --test conv -- --ignored --nocapture`: a 28x28, 16-channel conv over a
/// batch of 32, forward and backward.
#[test]
#[ignore]
fn perf_conv_28x28x16_batch32() {
    let x = Tensor::from_f64_slice(
        &noise(32 * 16 * 28 * 28, 1),
        vec![32, 16, 28, 28],
        DType::F32,
    )
    .unwrap();
    let w = Tensor::from_f64_slice(&noise(16 * 16 * 9, 2), vec![16, 16, 3, 3], DType::F32).unwrap();
    x.set_requires_grad(true).unwrap();
    w.set_requires_grad(true).unwrap();
    let t = std::time::Instant::now();
    let y = x.conv2d(&w, None, &[1], &pad(&[1]), &[1], 1).unwrap();
    let fwd = t.elapsed();
    let t = std::time::Instant::now();
    y.sum().unwrap().backward(None, false, false).unwrap();
    let bwd = t.elapsed();
    let t = std::time::Instant::now();
    let p = y.max_pool2d(&[2], &[], &[0], &[1], false).unwrap();
    let a = y.avg_pool2d(&[2], &[], &[0], false, true, None).unwrap();
    eprintln!(
        "conv fwd {:?}, bwd {:?}, pools {:?} {:?}",
        fwd,
        bwd,
        t.elapsed(),
        (p.shape(), a.shape())
    );
}
