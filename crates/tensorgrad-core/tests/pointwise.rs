//! The pointwise op family: forward values at the edges (inf, nan, -0.0, ties, bounds),
//! PyTorch's conventions at the non-differentiable points, dtype rules and error messages.
//! (Gradients against finite differences are checked for every op by tests/op_table.rs.)

mod common;
use common::*;
use tensorgrad_core::{DType, Tensor};

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

/// A float64 tensor that does not require grad.
fn f64t(v: &[f64]) -> Tensor {
    Tensor::from_f64_slice(v, vec![v.len()], DType::F64).unwrap()
}
fn f32t(v: &[f64]) -> Tensor {
    Tensor::from_f64_slice(v, vec![v.len()], DType::F32).unwrap()
}
fn i64t(v: &[i64]) -> Tensor {
    Tensor::from_vec(v.to_vec(), vec![v.len()]).unwrap()
}
fn i32t(v: &[i32]) -> Tensor {
    Tensor::from_vec(v.to_vec(), vec![v.len()]).unwrap()
}
fn boolt(v: &[bool]) -> Tensor {
    Tensor::from_vec(v.to_vec(), vec![v.len()]).unwrap()
}

/// Elementwise equality where nan equals nan and the sign of zero matters.
fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            (x.is_nan() && y.is_nan()) || (x == y && x.is_sign_negative() == y.is_sign_negative())
        })
}

#[track_caller]
fn check(t: &Tensor, want: &[f64]) {
    let got = t.to_f64_vec();
    assert!(same(&got, want), "got {got:?}, want {want:?}");
}

#[track_caller]
fn check_close(t: &Tensor, want: &[f64], tol: f64) {
    let got = t.to_f64_vec();
    let ok = got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(x, y)| x == y || close(&[*x], &[*y], tol));
    assert!(ok, "got {got:?}, want {want:?}");
}

/// Gradient of `sum(f(x))` at `x` (float64).
fn grad1(f: impl Fn(&Tensor) -> Tensor, x: &[f64]) -> Vec<f64> {
    let t = t64(x, &[x.len()]);
    f(&t).sum().unwrap().backward(None, false, false).unwrap();
    t.grad().unwrap().to_f64_vec()
}

/// Gradients of `sum(f(a, b))` for both inputs.
fn grad2(f: impl Fn(&Tensor, &Tensor) -> Tensor, a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (ta, tb) = (t64(a, &[a.len()]), t64(b, &[b.len()]));
    f(&ta, &tb)
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    (
        ta.grad().unwrap().to_f64_vec(),
        tb.grad().unwrap().to_f64_vec(),
    )
}

#[track_caller]
fn err_msg(r: tensorgrad_core::Result<Tensor>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.message().to_string(),
    }
}

// ---- sign, abs, rounding --------------------------------------------------------------------

#[test]
fn abs_and_sign_edges() {
    let x = f64t(&[-2.0, -0.0, 0.0, 3.0, NAN, -INF]);
    check(&x.abs().unwrap(), &[2.0, 0.0, 0.0, 3.0, NAN, INF]);
    // PyTorch's sign kernel: (0 < x) - (x < 0), so 0 for ±0 and nan.
    check(&x.sign().unwrap(), &[-1.0, 0.0, 0.0, 1.0, 0.0, -1.0]);
    check(&x.sgn().unwrap(), &[-1.0, 0.0, 0.0, 1.0, 0.0, -1.0]);
    let i = i64t(&[-5, 0, 7, i64::MIN]);
    let a = i.abs().unwrap();
    assert_eq!(a.dtype(), DType::I64);
    assert_eq!(a.to_vec::<i64>().unwrap(), vec![5, 0, 7, i64::MIN]); // wraps, never panics
    assert_eq!(
        i.sign().unwrap().to_vec::<i64>().unwrap(),
        vec![-1, 0, 1, -1]
    );
    let b = boolt(&[true, false]);
    assert_eq!(b.sign().unwrap().dtype(), DType::Bool);
    assert!(err_msg(b.abs()).contains("not implemented for 'Bool'"));
    // empty tensors
    let e = Tensor::zeros(&[0, 3], DType::F32);
    assert_eq!(e.abs().unwrap().shape(), &[0, 3]);
    assert_eq!(e.erf().unwrap().shape(), &[0, 3]);
}

#[test]
fn abs_and_sign_gradients_at_zero() {
    // abs: g * sgn(x) -> 0 at 0
    assert_eq!(
        grad1(|x| x.abs().unwrap(), &[-2.0, 0.0, 3.0]),
        vec![-1.0, 0.0, 1.0]
    );
    assert_eq!(grad1(|x| x.sign().unwrap(), &[-2.0, 0.0]), vec![0.0, 0.0]);
    let y = t64(&[1.0], &[1]).sign().unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "SignBackward0");
}

#[test]
fn rounding() {
    let x = f64t(&[0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, -2.6, INF, NAN]);
    check(
        &x.round().unwrap(),
        &[0.0, 2.0, 2.0, -0.0, -2.0, 2.0, 3.0, -3.0, INF, NAN],
    );
    check(
        &x.floor().unwrap(),
        &[0.0, 1.0, 2.0, -1.0, -2.0, 2.0, 2.0, -3.0, INF, NAN],
    );
    check(
        &x.ceil().unwrap(),
        &[1.0, 2.0, 3.0, -0.0, -1.0, 3.0, 3.0, -2.0, INF, NAN],
    );
    check(
        &x.trunc().unwrap(),
        &[0.0, 1.0, 2.0, -0.0, -1.0, 2.0, 2.0, -2.0, INF, NAN],
    );
    check_close(
        &f64t(&[1.25, -1.75, 3.5]).frac().unwrap(),
        &[0.25, -0.75, 0.5],
        0.0,
    );
    check(&f64t(&[INF]).frac().unwrap(), &[NAN]);
    // decimals: half to even at the scaled value
    check(
        &f64t(&[1.2345, 0.125, 1234.5, -1250.0])
            .round_decimals(2)
            .unwrap(),
        &[1.23, 0.12, 1234.5, -1250.0],
    );
    check(
        &f64t(&[1234.5, 1250.0, -1350.0]).round_decimals(-2).unwrap(),
        &[1200.0, 1200.0, -1400.0],
    );
    let r = f32t(&[1.2345]).round_decimals(3).unwrap();
    assert_eq!(r.dtype(), DType::F32);
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![1.234f32]);
    // integers stay integers
    let i = i32t(&[-3, 4]);
    for r in [i.floor(), i.ceil(), i.round(), i.trunc()] {
        let r = r.unwrap();
        assert_eq!(r.dtype(), DType::I32);
        assert_eq!(r.to_vec::<i32>().unwrap(), vec![-3, 4]);
    }
    assert_eq!(err_msg(i.frac()), "\"frac_cpu\" not implemented for 'Int'");
    assert!(err_msg(i.round_decimals(1)).contains("not implemented for 'Int'"));
    // zero gradients, PyTorch's names
    for (y, name) in [
        (t64(&[1.5], &[1]).floor().unwrap(), "FloorBackward0"),
        (t64(&[1.5], &[1]).ceil().unwrap(), "CeilBackward0"),
        (t64(&[1.5], &[1]).round().unwrap(), "RoundBackward0"),
        (
            t64(&[1.5], &[1]).round_decimals(1).unwrap(),
            "RoundBackward1",
        ),
        (t64(&[1.5], &[1]).trunc().unwrap(), "TruncBackward0"),
        (t64(&[1.5], &[1]).frac().unwrap(), "FracBackward0"),
    ] {
        assert_eq!(y.grad_fn().unwrap().name(), name);
    }
    assert_eq!(grad1(|x| x.round().unwrap(), &[0.5, 2.0]), vec![0.0, 0.0]);
    assert_eq!(grad1(|x| x.frac().unwrap(), &[0.5, 2.0]), vec![1.0, 1.0]);
}

#[test]
fn square_keeps_integers() {
    let i = i64t(&[-3, 4]);
    let s = i.square().unwrap();
    assert_eq!(s.dtype(), DType::I64);
    assert_eq!(s.to_vec::<i64>().unwrap(), vec![9, 16]);
    assert_eq!(boolt(&[true, false]).square().unwrap().dtype(), DType::I64);
    let y = t64(&[3.0], &[1]).square().unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "PowBackward0");
    assert_eq!(grad1(|x| x.square().unwrap(), &[3.0, 0.0]), vec![6.0, 0.0]);
}

// ---- float unary ops ------------------------------------------------------------------------

#[test]
fn exp_log_family_values() {
    check(&f64t(&[3.0, -1.0, -INF]).exp2().unwrap(), &[8.0, 0.5, 0.0]);
    let e = f64t(&[1e-10, 0.0, -INF]).expm1().unwrap().to_f64_vec();
    assert!((e[0] - 1.00000000005e-10).abs() < 1e-24);
    assert!(same(&e[1..], &[0.0, -1.0]));
    check(
        &f64t(&[8.0, 0.0, -1.0, INF]).log2().unwrap(),
        &[3.0, -INF, NAN, INF],
    );
    check(&f64t(&[1000.0, 0.0]).log10().unwrap(), &[3.0, -INF]);
    let l = f64t(&[1e-10, -1.0, -2.0]).log1p().unwrap().to_f64_vec();
    assert!((l[0] - 9.9999999995e-11).abs() < 1e-24);
    assert!(same(&l[1..], &[-INF, NAN]));
    check(
        &f64t(&[4.0, 0.0, -0.0, -1.0, INF]).rsqrt().unwrap(),
        &[0.5, INF, -INF, NAN, 0.0],
    );
    check(
        &f64t(&[4.0, 0.0, -0.0, INF]).reciprocal().unwrap(),
        &[0.25, INF, -INF, 0.0],
    );
}

#[test]
fn trig_and_hyperbolic_values() {
    check_close(&f64t(&[0.5]).tan().unwrap(), &[0.5463024898437905], 1e-15);
    check(
        &f64t(&[2.0, -1.0])
            .asin()
            .unwrap()
            .isnan()
            .unwrap()
            .to_dtype(DType::F64)
            .unwrap(),
        &[1.0, 0.0],
    );
    check_close(
        &f64t(&[1.0, -1.0, 0.0]).acos().unwrap(),
        &[0.0, std::f64::consts::PI, std::f64::consts::FRAC_PI_2],
        1e-15,
    );
    check_close(
        &f64t(&[INF, -INF]).atan().unwrap(),
        &[std::f64::consts::FRAC_PI_2, -std::f64::consts::FRAC_PI_2],
        1e-15,
    );
    check(&f64t(&[INF, -INF]).sinh().unwrap(), &[INF, -INF]);
    check(&f64t(&[-INF, 0.0]).cosh().unwrap(), &[INF, 1.0]);
    check(&f64t(&[-0.0, INF]).asinh().unwrap(), &[-0.0, INF]);
    check(&f64t(&[1.0, 0.5]).acosh().unwrap(), &[0.0, NAN]);
    check(
        &f64t(&[1.0, -1.0, 2.0, -0.0]).atanh().unwrap(),
        &[INF, -INF, NAN, -0.0],
    );
    // integer and bool inputs compute in float32
    let i = i64t(&[0, 1]);
    for r in [
        i.tan(),
        i.asin(),
        i.sinh(),
        i.erf(),
        i.exp2(),
        i.reciprocal(),
    ] {
        assert_eq!(r.unwrap().dtype(), DType::F32);
    }
    assert_eq!(boolt(&[true]).atan().unwrap().dtype(), DType::F32);
    // gradients at the edges: asin'(1) = inf, atanh'(1) = inf
    assert_eq!(grad1(|x| x.asin().unwrap(), &[1.0]), vec![INF]);
    assert_eq!(grad1(|x| x.atanh().unwrap(), &[1.0]), vec![INF]);
    assert_eq!(grad1(|x| x.rsqrt().unwrap(), &[0.0]), vec![-INF]);
}

#[test]
fn erf_family_values() {
    let x = f64t(&[0.0, -0.0, 0.5, -1.0, 3.0, INF, -INF, NAN]);
    check_close(
        &x.erf().unwrap(),
        &[
            0.0,
            -0.0,
            0.5204998778130465,
            -0.8427007929497149,
            0.9999779095030014,
            1.0,
            -1.0,
            NAN,
        ],
        1e-16,
    );
    check(&f64t(&[-0.0]).erf().unwrap(), &[-0.0]);
    check_close(
        &f64t(&[0.0, 1.0, 5.0, 10.0, -1.0, INF, -INF])
            .erfc()
            .unwrap(),
        &[
            1.0,
            0.15729920705028513,
            1.5374597944280349e-12,
            2.088487583762545e-45,
            1.8427007929497148,
            0.0,
            2.0,
        ],
        1e-15,
    );
    // relative accuracy deep in the tail
    let t = f64t(&[10.0]).erfc().unwrap().to_f64_vec()[0];
    assert!(((t - 2.088487583762545e-45) / 2.088487583762545e-45).abs() < 1e-14);
    check_close(
        &f64t(&[0.5, -0.9, 0.999]).erfinv().unwrap(),
        &[0.4769362762044699, -1.1630871536766743, 2.326753765513525],
        1e-15,
    );
    check(
        &f64t(&[1.0, -1.0, 1.5, -0.0, NAN]).erfinv().unwrap(),
        &[INF, -INF, NAN, -0.0, NAN],
    );
    // erf(erfinv(y)) == y, in both float dtypes
    let ys: Vec<f64> = (1..40).map(|i| -0.975 + i as f64 * 0.05).collect();
    let back = f64t(&ys).erfinv().unwrap().erf().unwrap();
    check_close(&back, &ys, 1e-15);
    let back32 = f32t(&ys).erfinv().unwrap().erf().unwrap();
    assert_eq!(back32.dtype(), DType::F32);
    check_close(&back32, &f32t(&ys).to_f64_vec(), 1e-6);
    // gradients: erf'(0) = 2/sqrt(pi); erfinv'(0) = sqrt(pi)/2; erfinv'(1) = inf
    let g = grad1(|x| x.erf().unwrap(), &[0.0])[0];
    assert!((g - std::f64::consts::FRAC_2_SQRT_PI).abs() < 1e-15);
    let g = grad1(|x| x.erfinv().unwrap(), &[0.0, 1.0]);
    assert!((g[0] - 1.0 / std::f64::consts::FRAC_2_SQRT_PI).abs() < 1e-15);
    assert_eq!(g[1], INF);
}

#[test]
fn float_unary_grad_fn_names() {
    let x = t64(&[0.5], &[1]);
    let names: Vec<String> = [
        x.exp2(),
        x.expm1(),
        x.log2(),
        x.log10(),
        x.log1p(),
        x.rsqrt(),
        x.reciprocal(),
        x.tan(),
        x.asin(),
        x.acos(),
        x.atan(),
        x.sinh(),
        x.cosh(),
        x.asinh(),
        x.atanh(),
        x.erf(),
        x.erfc(),
        x.erfinv(),
    ]
    .into_iter()
    .map(|r| r.unwrap().grad_fn().unwrap().name().to_string())
    .collect();
    assert_eq!(
        names,
        [
            "Exp2Backward0",
            "Expm1Backward0",
            "Log2Backward0",
            "Log10Backward0",
            "Log1PBackward0",
            "RsqrtBackward0",
            "ReciprocalBackward0",
            "TanBackward0",
            "AsinBackward0",
            "AcosBackward0",
            "AtanBackward0",
            "SinhBackward0",
            "CoshBackward0",
            "AsinhBackward0",
            "AtanhBackward0",
            "ErfBackward0",
            "ErfcBackward0",
            "ErfinvBackward0",
        ]
    );
}

// ---- nan_to_num and the is* predicates ----------------------------------------------------

#[test]
fn nan_to_num_values_and_gradient() {
    let x = f64t(&[NAN, INF, -INF, 1.5]);
    check(
        &x.nan_to_num(None, None, None).unwrap(),
        &[0.0, f64::MAX, f64::MIN, 1.5],
    );
    check(
        &x.nan_to_num(Some(2.0), Some(10.0), Some(-10.0)).unwrap(),
        &[2.0, 10.0, -10.0, 1.5],
    );
    let y = f32t(&[INF, -INF]).nan_to_num(None, None, None).unwrap();
    assert_eq!(y.dtype(), DType::F32);
    check(&y, &[f32::MAX as f64, f32::MIN as f64]);
    let i = i64t(&[1, 2]).nan_to_num(Some(5.0), None, None).unwrap();
    assert_eq!(i.to_vec::<i64>().unwrap(), vec![1, 2]);
    // grad * isfinite(x)
    assert_eq!(
        grad1(
            |x| x.nan_to_num(None, None, None).unwrap(),
            &[NAN, INF, -INF, 1.5]
        ),
        vec![0.0, 0.0, 0.0, 1.0]
    );
    let y = t64(&[1.0], &[1]).nan_to_num(None, None, None).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "NanToNumBackward0");
}

#[test]
fn predicates() {
    let x = f32t(&[NAN, INF, -INF, 0.0, -2.0]);
    let b = |t: Tensor| {
        assert_eq!(t.dtype(), DType::Bool);
        assert!(!t.requires_grad());
        t.to_vec::<bool>().unwrap()
    };
    assert_eq!(b(x.isnan().unwrap()), [true, false, false, false, false]);
    assert_eq!(b(x.isinf().unwrap()), [false, true, true, false, false]);
    assert_eq!(b(x.isfinite().unwrap()), [false, false, false, true, true]);
    assert_eq!(b(x.isposinf().unwrap()), [false, true, false, false, false]);
    assert_eq!(b(x.isneginf().unwrap()), [false, false, true, false, false]);
    let i = i64t(&[i64::MAX, 0]);
    assert_eq!(b(i.isnan().unwrap()), [false, false]);
    assert_eq!(b(i.isfinite().unwrap()), [true, true]);
    assert_eq!(b(t64(&[1.0], &[1]).isnan().unwrap()), [false]);
}

// ---- relu and clamp ---------------------------------------------------------------------

#[test]
fn relu_conventions() {
    check(
        &f64t(&[-1.0, 0.0, 2.0, NAN, -INF]).relu().unwrap(),
        &[0.0, 0.0, 2.0, NAN, 0.0],
    );
    let i = i32t(&[-3, 0, 4]).relu().unwrap();
    assert_eq!(i.dtype(), DType::I32);
    assert_eq!(i.to_vec::<i32>().unwrap(), vec![0, 0, 4]);
    assert_eq!(
        err_msg(boolt(&[true]).relu()),
        "Boolean inputs not supported for relu"
    );
    // grad 0 at 0, and nan passes the gradient (threshold_backward on the result)
    assert_eq!(
        grad1(|x| x.relu().unwrap(), &[-1.0, 0.0, 2.0, NAN]),
        vec![0.0, 0.0, 1.0, 1.0]
    );
    assert_eq!(
        t64(&[1.0], &[1]).relu().unwrap().grad_fn().unwrap().name(),
        "ReluBackward0"
    );
}

#[test]
fn clamp_values() {
    let x = f64t(&[-2.0, -1.0, 0.0, 1.0, 2.0, NAN]);
    check(
        &x.clamp(Some(-1.0), Some(1.0)).unwrap(),
        &[-1.0, -1.0, 0.0, 1.0, 1.0, NAN],
    );
    check(
        &x.clamp(Some(0.5), None).unwrap(),
        &[0.5, 0.5, 0.5, 1.0, 2.0, NAN],
    );
    check(
        &x.clamp(None, Some(0.5)).unwrap(),
        &[-2.0, -1.0, 0.0, 0.5, 0.5, NAN],
    );
    // min > max gives max everywhere
    check(
        &x.clamp(Some(1.0), Some(-1.0)).unwrap(),
        &[-1.0, -1.0, -1.0, -1.0, -1.0, NAN],
    );
    // a nan bound with both given gives nan
    check(&f64t(&[1.0]).clamp(Some(NAN), Some(2.0)).unwrap(), &[NAN]);
    check(&x.clamp_min(0.0).unwrap(), &[0.0, 0.0, 0.0, 1.0, 2.0, NAN]);
    check(
        &x.clamp_max(0.0).unwrap(),
        &[-2.0, -1.0, 0.0, 0.0, 0.0, NAN],
    );
    assert_eq!(
        err_msg(x.clamp(None, None)),
        "torch.clamp: At least one of 'min' or 'max' must not be None"
    );
    // integers keep their dtype with integral bounds, promote to float32 with fractional ones
    let i = i64t(&[-5, 0, 5]);
    let c = i.clamp(Some(-2.0), Some(3.0)).unwrap();
    assert_eq!(c.dtype(), DType::I64);
    assert_eq!(c.to_vec::<i64>().unwrap(), vec![-2, 0, 3]);
    let c = i.clamp(Some(-2.5), None).unwrap();
    assert_eq!(c.dtype(), DType::F32);
    check(&c, &[-2.5, 0.0, 5.0]);
    // tensor bounds broadcast
    let lo = f64t(&[0.0, -1.0, 1.0]);
    let hi = Tensor::from_f64_slice(&[0.5, 3.0], vec![2, 1], DType::F64).unwrap();
    let c = f64t(&[-2.0, 2.0, 0.5])
        .clamp_tensor(Some(&lo), Some(&hi))
        .unwrap();
    assert_eq!(c.shape(), &[2, 3]);
    // row 0: max 0.5 < min 1.0 in the last column -> max
    check(&c, &[0.0, 0.5, 0.5, 0.0, 2.0, 1.0]);
    check(
        &f64t(&[-2.0, NAN, 0.5])
            .clamp_tensor(Some(&f64t(&[0.0, 0.0, NAN])), None)
            .unwrap(),
        &[0.0, NAN, NAN],
    );
}

#[test]
fn clamp_gradients_at_bounds() {
    // bounds inclusive: grad 1 at x == min and x == max
    assert_eq!(
        grad1(
            |x| x.clamp(Some(-1.0), Some(1.0)).unwrap(),
            &[-2.0, -1.0, 0.0, 1.0, 2.0]
        ),
        vec![0.0, 1.0, 1.0, 1.0, 0.0]
    );
    // min > max: output is max, grad 0
    assert_eq!(
        grad1(
            |x| x.clamp(Some(1.0), Some(-1.0)).unwrap(),
            &[-2.0, 0.0, 2.0]
        ),
        vec![0.0, 0.0, 0.0]
    );
    assert_eq!(
        grad1(|x| x.clamp_min(0.0).unwrap(), &[-1.0, 0.0, 1.0]),
        vec![0.0, 1.0, 1.0]
    );
    assert_eq!(
        grad1(|x| x.clamp_max(0.0).unwrap(), &[-1.0, 0.0, 1.0]),
        vec![1.0, 1.0, 0.0]
    );
    // tensor bounds: self where min <= x <= max; min where x < min < max; max where x > max
    // or max < min
    let x = t64(&[-2.0, 0.0, 2.0, 0.5, 5.0], &[5]);
    let lo = t64(&[-1.0, 0.0, -1.0, 1.0, 1.0], &[5]);
    let hi = t64(&[1.0, 1.0, 2.0, 0.0, 0.0], &[5]);
    let y = x.clamp_tensor(Some(&lo), Some(&hi)).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "ClampBackward0");
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(
        x.grad().unwrap().to_f64_vec(),
        vec![0.0, 1.0, 1.0, 0.0, 0.0]
    );
    assert_eq!(
        lo.grad().unwrap().to_f64_vec(),
        vec![1.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        hi.grad().unwrap().to_f64_vec(),
        vec![0.0, 0.0, 0.0, 1.0, 1.0]
    );
    // one tensor bound
    let (gx, gm) = grad2(
        |x, m| x.clamp_min_tensor(m).unwrap(),
        &[-1.0, 0.0, 1.0],
        &[0.0, 0.0, 0.0],
    );
    assert_eq!((gx, gm), (vec![0.0, 1.0, 1.0], vec![1.0, 0.0, 0.0]));
    let (gx, gm) = grad2(
        |x, m| x.clamp_max_tensor(m).unwrap(),
        &[-1.0, 0.0, 1.0],
        &[0.0, 0.0, 0.0],
    );
    assert_eq!((gx, gm), (vec![1.0, 1.0, 0.0], vec![0.0, 0.0, 1.0]));
    let x = t64(&[1.0], &[1]);
    let names: Vec<String> = [
        x.clamp(Some(0.0), None),
        x.clamp_min(0.0),
        x.clamp_max(0.0),
        x.clamp_min_tensor(&f64t(&[0.0])),
        x.clamp_max_tensor(&f64t(&[0.0])),
        x.clamp_tensor(Some(&f64t(&[0.0])), None),
    ]
    .into_iter()
    .map(|r| r.unwrap().grad_fn().unwrap().name().to_string())
    .collect();
    assert_eq!(
        names,
        [
            "ClampBackward1",
            "ClampMinBackward0",
            "ClampMaxBackward0",
            "ClampMinBackward1",
            "ClampMaxBackward1",
            "ClampBackward0"
        ]
    );
}

#[test]
fn clamp_in_place() {
    let x = f64t(&[-2.0, 0.5, 2.0]);
    let v = x.version();
    x.clamp_(Some(-1.0), Some(1.0)).unwrap();
    check(&x, &[-1.0, 0.5, 1.0]);
    assert!(x.version() > v);
    x.clamp_tensor_(None, Some(&f64t(&[0.0]))).unwrap();
    check(&x, &[-1.0, 0.0, 0.0]);
    // through autograd: grad of the old values
    let leaf = t64(&[-2.0, 0.5, 2.0], &[3]);
    let y = leaf.mul_scalar(1.0).unwrap();
    y.clamp_(Some(-1.0), Some(1.0)).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "ClampBackward1");
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(leaf.grad().unwrap().to_f64_vec(), vec![0.0, 1.0, 0.0]);
    assert!(err_msg(leaf.clamp_(Some(0.0), None).map(|t| t.clone())).contains("leaf Variable"));
    // no type-promoting in-place clamp
    let i = i64t(&[1, 5]);
    assert_eq!(
        err_msg(i.clamp_(Some(0.5), None).map(|t| t.clone())),
        "result type Float can't be cast to the desired output type long int"
    );
    i.clamp_(Some(2.0), None).unwrap();
    assert_eq!(i.to_vec::<i64>().unwrap(), vec![2, 5]);
    assert_eq!(
        err_msg(
            i.clamp_tensor_(Some(&f32t(&[0.5])), None)
                .map(|t| t.clone())
        ),
        "result type Float can't be cast to the desired output type Long"
    );
}

// ---- maximum / minimum / fmax / fmin ---------------------------------------------------------

#[test]
fn maximum_minimum_values() {
    let a = f64t(&[1.0, NAN, 3.0, 2.0, -0.0]);
    let b = f64t(&[2.0, 1.0, NAN, 2.0, 5.0]);
    check(&a.maximum(&b).unwrap(), &[2.0, NAN, NAN, 2.0, 5.0]);
    check(&a.minimum(&b).unwrap(), &[1.0, NAN, NAN, 2.0, -0.0]);
    check(&a.fmax(&b).unwrap(), &[2.0, 1.0, 3.0, 2.0, 5.0]);
    check(&a.fmin(&b).unwrap(), &[1.0, 1.0, 3.0, 2.0, -0.0]);
    check(&f64t(&[NAN]).fmax(&f64t(&[NAN])).unwrap(), &[NAN]);
    // dtypes: integers kept, promotion, bool
    let m = i64t(&[1, 5]).maximum(&i32t(&[3, 2])).unwrap();
    assert_eq!(m.dtype(), DType::I64);
    assert_eq!(m.to_vec::<i64>().unwrap(), vec![3, 5]);
    assert_eq!(
        i32t(&[1]).minimum(&f32t(&[0.5])).unwrap().dtype(),
        DType::F32
    );
    let bm = boolt(&[true, false])
        .maximum(&boolt(&[false, false]))
        .unwrap();
    assert_eq!(bm.to_vec::<bool>().unwrap(), vec![true, false]);
    // broadcasting
    let c = f64t(&[1.0, 5.0])
        .maximum(&Tensor::from_f64_slice(&[2.0, 3.0, 4.0], vec![3, 1], DType::F64).unwrap())
        .unwrap();
    assert_eq!(c.shape(), &[3, 2]);
    check(&c, &[2.0, 5.0, 3.0, 5.0, 4.0, 5.0]);
}

#[test]
fn maximum_minimum_gradient_conventions() {
    // ties split in half
    let (ga, gb) = grad2(
        |a, b| a.maximum(b).unwrap(),
        &[1.0, 2.0, 3.0],
        &[2.0, 2.0, 1.0],
    );
    assert_eq!((ga, gb), (vec![0.0, 0.5, 1.0], vec![1.0, 0.5, 0.0]));
    let (ga, gb) = grad2(
        |a, b| a.minimum(b).unwrap(),
        &[1.0, 2.0, 3.0],
        &[2.0, 2.0, 1.0],
    );
    assert_eq!((ga, gb), (vec![1.0, 0.5, 0.0], vec![0.0, 0.5, 1.0]));
    // nan: neither self < other nor self > other, so both sides get the full gradient
    let (ga, gb) = grad2(|a, b| a.maximum(b).unwrap(), &[NAN], &[1.0]);
    assert_eq!((ga, gb), (vec![1.0], vec![1.0]));
    // fmax/fmin: ties all to self; a nan side gets nothing
    let (ga, gb) = grad2(
        |a, b| a.fmax(b).unwrap(),
        &[1.0, 2.0, 3.0, NAN, 1.0],
        &[2.0, 2.0, 1.0, 1.0, NAN],
    );
    assert_eq!(
        (ga, gb),
        (vec![0.0, 1.0, 1.0, 0.0, 1.0], vec![1.0, 0.0, 0.0, 1.0, 0.0])
    );
    let (ga, gb) = grad2(
        |a, b| a.fmin(b).unwrap(),
        &[1.0, 2.0, 3.0, NAN, 1.0],
        &[2.0, 2.0, 1.0, 1.0, NAN],
    );
    assert_eq!(
        (ga, gb),
        (vec![1.0, 1.0, 0.0, 0.0, 1.0], vec![0.0, 0.0, 1.0, 1.0, 0.0])
    );
    // broadcast gradients are summed back
    let a = t64(&[1.0, 1.0, 1.0], &[3]);
    let b = t64(&[1.0], &[1]);
    a.maximum(&b)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![1.5]);
}

// ---- other binary ops --------------------------------------------------------------------

#[test]
fn fmod_and_remainder() {
    let a = f64t(&[-3.0, 3.0, -3.0, 3.0, 5.5, 1.0, -0.0]);
    let b = f64t(&[2.0, -2.0, -2.0, 2.0, 2.0, 0.0, 2.0]);
    check(
        &a.fmod(&b).unwrap(),
        &[-1.0, 1.0, -1.0, 1.0, 1.5, NAN, -0.0],
    );
    check(
        &a.remainder(&b).unwrap(),
        &[1.0, -1.0, -1.0, 1.0, 1.5, NAN, -0.0],
    );
    check(&f64t(&[-1.0]).remainder(&f64t(&[INF])).unwrap(), &[INF]);
    let i = i64t(&[-7, 7, -7]);
    let j = i64t(&[3, -3, -3]);
    assert_eq!(
        i.fmod(&j).unwrap().to_vec::<i64>().unwrap(),
        vec![-1, 1, -1]
    );
    assert_eq!(
        i.remainder(&j).unwrap().to_vec::<i64>().unwrap(),
        vec![2, -2, -1]
    );
    assert_eq!(i.fmod(&j).unwrap().dtype(), DType::I64);
    assert_eq!(err_msg(i.fmod(&i64t(&[1, 0, 1]))), "ZeroDivisionError");
    assert_eq!(err_msg(i.remainder_scalar(0.0)), "ZeroDivisionError");
    assert_eq!(
        i64t(&[i64::MIN])
            .fmod(&i64t(&[-1]))
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![0]
    );
    // number divisors: wrapped-number promotion
    assert_eq!(
        i.remainder_scalar(2.0).unwrap().to_vec::<i64>().unwrap(),
        vec![1, 1, 1]
    );
    let r = i.fmod_scalar(2.5).unwrap();
    assert_eq!(r.dtype(), DType::F32);
    check(&r, &[-2.0, 2.0, -2.0]);
    // gradients: self g; other -g*trunc(a/b) / -g*floor(a/b)
    let (ga, gb) = grad2(|a, b| a.fmod(b).unwrap(), &[-7.0, 7.0], &[2.0, 2.0]);
    assert_eq!((ga, gb), (vec![1.0, 1.0], vec![3.0, -3.0]));
    let (ga, gb) = grad2(|a, b| a.remainder(b).unwrap(), &[-7.0, 7.0], &[2.0, 2.0]);
    assert_eq!((ga, gb), (vec![1.0, 1.0], vec![4.0, -3.0]));
    let x = t64(&[1.0], &[1]);
    assert_eq!(
        x.fmod_scalar(2.0).unwrap().grad_fn().unwrap().name(),
        "FmodBackward0"
    );
    assert_eq!(
        x.remainder_scalar(2.0).unwrap().grad_fn().unwrap().name(),
        "RemainderBackward0"
    );
}

#[test]
fn atan2_and_hypot() {
    let pi = std::f64::consts::PI;
    check_close(
        &f64t(&[0.0, -0.0, 1.0, 0.0, INF])
            .atan2(&f64t(&[-1.0, -1.0, 0.0, 0.0, INF]))
            .unwrap(),
        &[pi, -pi, pi / 2.0, 0.0, pi / 4.0],
        1e-15,
    );
    assert_eq!(i64t(&[1]).atan2(&i64t(&[1])).unwrap().dtype(), DType::F32);
    // gradient at (0, 0): 0 * inf = nan, as PyTorch
    let (ga, gb) = grad2(|a, b| a.atan2(b).unwrap(), &[0.0, 1.0], &[0.0, 1.0]);
    assert!(ga[0].is_nan() && gb[0].is_nan());
    assert_eq!((ga[1], gb[1]), (0.5, -0.5));
    check(
        &f64t(&[3.0, INF, 0.0])
            .hypot(&f64t(&[4.0, NAN, -0.0]))
            .unwrap(),
        &[5.0, INF, 0.0],
    );
    assert_eq!(
        err_msg(i64t(&[3]).hypot(&i64t(&[4]))),
        "\"hypot_cpu\" not implemented for 'Long'"
    );
    let (ga, gb) = grad2(|a, b| a.hypot(b).unwrap(), &[3.0], &[4.0]);
    assert_eq!((ga, gb), (vec![0.6], vec![0.8]));
}

#[test]
fn lerp_values_and_errors() {
    let s = f64t(&[0.0, 1.0, 10.0]);
    let e = f64t(&[10.0, 3.0, 10.0]);
    check(&s.lerp(&e, 0.25).unwrap(), &[2.5, 1.5, 10.0]);
    check(&s.lerp(&e, 1.0).unwrap(), &[10.0, 3.0, 10.0]); // exact at w = 1
    check(&s.lerp(&e, 0.75).unwrap(), &[7.5, 2.5, 10.0]);
    let w = f64t(&[0.0, 0.5, 2.0]);
    check(&s.lerp_tensor(&e, &w).unwrap(), &[0.0, 2.0, 10.0]);
    assert_eq!(
        err_msg(s.lerp(&f32t(&[1.0]), 0.5)),
        "expected dtype double for `end` but got dtype float"
    );
    assert_eq!(
        err_msg(f32t(&[1.0]).lerp_tensor(&f32t(&[1.0]), &s)),
        "expected dtype float for `weight` but got dtype double"
    );
    assert!(err_msg(i64t(&[1]).lerp(&i64t(&[2]), 0.5)).contains("not implemented for 'Long'"));
    let (gs, ge) = grad2(|s, e| s.lerp(e, 0.25).unwrap(), &[1.0], &[2.0]);
    assert_eq!((gs, ge), (vec![0.75], vec![0.25]));
    let (s, e, w) = (t64(&[1.0], &[1]), t64(&[3.0], &[1]), t64(&[0.25], &[1]));
    let y = s.lerp_tensor(&e, &w).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "LerpBackward1");
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![2.0]);
}

#[test]
fn addcmul_addcdiv() {
    let s = f64t(&[1.0, 2.0]);
    let a = f64t(&[3.0, 4.0]);
    let b = f64t(&[2.0, 0.0]);
    check(&s.addcmul(&a, &b, 0.5).unwrap(), &[4.0, 2.0]);
    check(&s.addcdiv(&a, &b, 0.5).unwrap(), &[1.75, INF]);
    let i = i64t(&[1, 2]);
    let r = i.addcmul(&i, &i, 2.0).unwrap();
    assert_eq!(r.dtype(), DType::I64);
    assert_eq!(r.to_vec::<i64>().unwrap(), vec![3, 10]);
    assert_eq!(
        err_msg(i.addcmul(&i, &i, 0.5)),
        "For integral input tensors, argument value must not be a floating point number."
    );
    assert!(err_msg(s.addcdiv(&i, &i, 1.0))
        .starts_with("Integer division with addcdiv is no longer supported"));
    let (s, a, b) = (t64(&[1.0], &[1]), t64(&[3.0], &[1]), t64(&[2.0], &[1]));
    let y = s.addcdiv(&a, &b, 0.5).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "AddcdivBackward0");
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(s.grad().unwrap().to_f64_vec(), vec![1.0]);
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![0.25]);
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![-0.375]);
    let (s, a, b) = (t64(&[1.0], &[1]), t64(&[3.0], &[1]), t64(&[2.0], &[1]));
    let y = s.addcmul(&a, &b, 0.5).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "AddcmulBackward0");
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![1.0]);
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![1.5]);
}

#[test]
fn xlogy_conventions() {
    check(
        &f64t(&[0.0, 0.0, 0.0, 2.0, 1.0, 0.0])
            .xlogy(&f64t(&[0.0, -1.0, 5.0, 1.0, 0.0, NAN]))
            .unwrap(),
        &[0.0, 0.0, 0.0, 0.0, -INF, NAN],
    );
    assert_eq!(i64t(&[1]).xlogy(&i64t(&[1])).unwrap().dtype(), DType::F32);
    // self grad: xlogy(self != 0, other) -> 0 where self == 0, whatever other is
    let (ga, gb) = grad2(
        |a, b| a.xlogy(b).unwrap(),
        &[0.0, 0.0, 2.0],
        &[0.0, -1.0, 4.0],
    );
    assert_eq!(ga, vec![0.0, 0.0, 4f64.ln()]);
    // other grad: g * self / other (0/0 = nan at the origin)
    assert!(gb[0].is_nan());
    assert_eq!(gb[1..], [-0.0, 0.5]);
}

#[test]
fn logaddexp_values() {
    let a = f64t(&[-INF, INF, 1000.0, 0.0, NAN, -INF]);
    let b = f64t(&[-INF, INF, 1000.0, 0.0, 1.0, 2.0]);
    check_close(
        &a.logaddexp(&b).unwrap(),
        &[
            -INF,
            INF,
            1000.0 + std::f64::consts::LN_2,
            std::f64::consts::LN_2,
            NAN,
            2.0,
        ],
        1e-15,
    );
    check_close(
        &f64t(&[3.0, -INF, 1e3])
            .logaddexp2(&f64t(&[3.0, 5.0, 1e3]))
            .unwrap(),
        &[4.0, 5.0, 1001.0],
        1e-15,
    );
    assert_eq!(
        err_msg(i64t(&[1]).logaddexp(&i64t(&[1]))),
        "\"logaddexp_cpu\" not implemented for 'Long'"
    );
    let (ga, gb) = grad2(|a, b| a.logaddexp(b).unwrap(), &[0.0, 1000.0], &[0.0, 0.0]);
    assert_eq!((ga, gb), (vec![0.5, 1.0], vec![0.5, 0.0]));
    let (ga, _) = grad2(|a, b| a.logaddexp2(b).unwrap(), &[1.0], &[1.0]);
    assert_eq!(ga, vec![0.5]);
}

#[test]
fn copysign_values_and_gradient() {
    check(
        &f64t(&[1.0, -2.0, 3.0, 0.0, NAN])
            .copysign(&f64t(&[-1.0, 1.0, -0.0, -5.0, -1.0]))
            .unwrap(),
        &[-1.0, 2.0, -3.0, -0.0, -NAN],
    );
    check(
        &f64t(&[2.0, -2.0]).copysign_scalar(-0.0).unwrap(),
        &[-2.0, -2.0],
    );
    assert_eq!(
        i64t(&[1]).copysign(&i64t(&[-1])).unwrap().dtype(),
        DType::F32
    );
    let (ga, gb) = grad2(
        |a, b| a.copysign(b).unwrap(),
        &[2.0, -2.0, 0.0],
        &[-1.0, -1.0, -1.0],
    );
    assert_eq!((ga, gb), (vec![-1.0, 1.0, 0.0], vec![0.0, 0.0, 0.0]));
    assert_eq!(
        grad1(|x| x.copysign_scalar(-1.0).unwrap(), &[2.0, 0.0]),
        vec![-1.0, 0.0]
    );
    let x = t64(&[1.0], &[1]);
    assert_eq!(
        x.copysign_scalar(1.0).unwrap().grad_fn().unwrap().name(),
        "CopysignBackward1"
    );
}

#[test]
fn binary_errors_name_shapes() {
    let a = Tensor::zeros(&[2, 3], DType::F64);
    let b = Tensor::zeros(&[4], DType::F64);
    let m = err_msg(a.maximum(&b));
    assert!(m.contains('3') && m.contains('4'), "{m}");
}

#[test]
fn second_order_through_pointwise_ops() {
    // d²/dx² of erf at x: -2x·2/√π·e^(-x²)
    let x = t64(&[0.7], &[1]);
    let g = tensorgrad_core::autograd::grad(
        &[x.erf().unwrap().sum().unwrap()],
        &[x.clone()],
        &[],
        true,
        true,
        false,
    )
    .unwrap()[0]
        .clone()
        .unwrap();
    let gg = tensorgrad_core::autograd::grad(
        &[g.sum().unwrap()],
        &[x.clone()],
        &[],
        false,
        false,
        false,
    )
    .unwrap()[0]
        .clone()
        .unwrap();
    let want = -2.0 * 0.7 * std::f64::consts::FRAC_2_SQRT_PI * (-0.49f64).exp();
    assert!((gg.to_f64_vec()[0] - want).abs() < 1e-14);
}
