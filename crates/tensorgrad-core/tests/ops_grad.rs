//! Every op's gradient against central finite differences in float64, its second derivative,
//! and PyTorch's conventions at the non-differentiable points.

mod common;
use common::*;
use tensorgrad_core::{DType, Tensor};

fn a23() -> Tensor {
    t64(&[0.5, -1.2, 2.0, 0.7, 1.5, -0.3], &[2, 3])
}
fn pos23() -> Tensor {
    t64(&[0.5, 1.2, 2.0, 0.7, 1.5, 0.3], &[2, 3])
}
fn b3() -> Tensor {
    t64(&[1.1, -0.4, 0.9], &[3])
}

#[test]
fn binary_ops_with_broadcasting() {
    gradcheck(|x| x[0].add(&x[1]).unwrap(), &[a23(), b3()]);
    gradcheck(|x| x[0].sub(&x[1]).unwrap(), &[a23(), b3()]);
    gradcheck(|x| x[0].mul(&x[1]).unwrap(), &[a23(), b3()]);
    gradcheck(|x| x[0].div(&x[1]).unwrap(), &[a23(), b3()]);
    gradcheck(|x| x[0].pow(&x[1]).unwrap(), &[pos23(), b3()]);
    let col = t64(&[0.3, -0.8], &[2, 1]);
    gradcheck(|x| x[0].mul(&x[1]).unwrap(), &[col, b3()]);
}

#[test]
fn scalar_ops() {
    gradcheck(|x| x[0].add_scalar(2.5).unwrap(), &[a23()]);
    gradcheck(|x| x[0].sub_scalar(2.5).unwrap(), &[a23()]);
    gradcheck(|x| x[0].rsub_scalar(2.5).unwrap(), &[a23()]);
    gradcheck(|x| x[0].mul_scalar(-3.0).unwrap(), &[a23()]);
    gradcheck(|x| x[0].div_scalar(4.0).unwrap(), &[a23()]);
    gradcheck(|x| x[0].rdiv_scalar(4.0).unwrap(), &[a23()]);
    gradcheck(|x| x[0].pow_scalar(3.0).unwrap(), &[a23()]);
    gradcheck(|x| x[0].pow_scalar(0.5).unwrap(), &[pos23()]);
    gradcheck(|x| x[0].rpow_scalar(2.0).unwrap(), &[a23()]);
}

#[test]
fn unary_ops() {
    gradcheck(|x| x[0].neg().unwrap(), &[a23()]);
    gradcheck(|x| x[0].exp().unwrap(), &[a23()]);
    gradcheck(|x| x[0].log().unwrap(), &[pos23()]);
}

#[test]
fn reductions() {
    gradcheck(|x| x[0].sum().unwrap(), &[a23()]);
    gradcheck(|x| x[0].sum_dims(&[0], false).unwrap(), &[a23()]);
    gradcheck(|x| x[0].sum_dims(&[-1], true).unwrap(), &[a23()]);
    gradcheck(|x| x[0].mean().unwrap(), &[a23()]);
    gradcheck(|x| x[0].mean_dims(&[1], false).unwrap(), &[a23()]);
    gradcheck(|x| x[0].mean_dims(&[0, 1], true).unwrap(), &[a23()]);
}

#[test]
fn matmul_and_shapes() {
    let b32 = t64(&[0.1, 0.2, -0.3, 0.4, 0.5, -0.6], &[3, 2]);
    gradcheck(|x| x[0].matmul(&x[1]).unwrap(), &[a23(), b32.clone()]);
    gradcheck(|x| x[0].matmul(&x[1]).unwrap(), &[a23(), b3()]);
    gradcheck(|x| x[1].matmul(&x[0]).unwrap(), &[b32.clone(), b3()]);
    gradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[b3(), t64(&[0.2, 0.3, -0.5], &[3])],
    );
    gradcheck(
        |x| {
            x[0].reshape(&[3, -1])
                .unwrap()
                .matmul(&x[1].t().unwrap())
                .unwrap()
        },
        &[a23(), b32.clone()],
    );
    gradcheck(|x| x[0].transpose(0, 1).unwrap().exp().unwrap(), &[a23()]);
    gradcheck(
        |x| x[0].unsqueeze(1).unwrap().expand(&[3, 4]).unwrap(),
        &[b3()],
    );
}

#[test]
fn second_order() {
    gradgradcheck(
        |x| x[0].mul(&x[0]).unwrap().mul(&x[0]).unwrap().sum().unwrap(),
        &[a23()],
    );
    gradgradcheck(|x| x[0].exp().unwrap().mul(&x[1]).unwrap(), &[a23(), b3()]);
    gradgradcheck(|x| x[0].log().unwrap(), &[pos23()]);
    gradgradcheck(|x| x[0].div(&x[1]).unwrap(), &[a23(), b3()]);
    gradgradcheck(|x| x[0].pow(&x[1]).unwrap(), &[pos23(), b3()]);
    gradgradcheck(|x| x[0].pow_scalar(3.0).unwrap(), &[a23()]);
    gradgradcheck(|x| x[0].rpow_scalar(1.7).unwrap(), &[a23()]);
    let b32 = t64(&[0.1, 0.2, -0.3, 0.4, 0.5, -0.6], &[3, 2]);
    gradgradcheck(
        |x| x[0].matmul(&x[1]).unwrap().exp().unwrap(),
        &[a23(), b32],
    );
    gradgradcheck(
        |x| x[0].mean_dims(&[0], false).unwrap().exp().unwrap(),
        &[a23()],
    );
    gradgradcheck(
        |x| {
            x[0].sub(&x[1])
                .unwrap()
                .mul(&x[0])
                .unwrap()
                .sum_dims(&[1], false)
                .unwrap()
        },
        &[a23(), b3()],
    );
}

fn grad_of(f: impl Fn(&Tensor) -> Tensor, x: &[f64]) -> Vec<f64> {
    let t = t64(x, &[x.len()]);
    f(&t).sum().unwrap().backward(None, false, false).unwrap();
    t.grad().unwrap().to_f64_vec()
}

#[test]
fn pow_edge_conventions() {
    // x^0: zero gradient even at 0; x^1 at 0 is 1; x^0.5 at 0 is inf; negative base with a
    // fractional exponent is nan.
    assert_eq!(
        grad_of(|x| x.pow_scalar(0.0).unwrap(), &[0.0, 2.0]),
        vec![0.0, 0.0]
    );
    assert_eq!(grad_of(|x| x.pow_scalar(1.0).unwrap(), &[0.0]), vec![1.0]);
    assert_eq!(
        grad_of(|x| x.pow_scalar(0.5).unwrap(), &[0.0]),
        vec![f64::INFINITY]
    );
    assert!(grad_of(|x| x.pow_scalar(0.5).unwrap(), &[-1.0])[0].is_nan());
    // tensor exponent: base grad 0 where y == 0; exponent grad 0 where x == 0 and y >= 0
    let x = t64(&[0.0, 0.0, 2.0], &[3]);
    let y = t64(&[0.0, 2.0, 3.0], &[3]);
    x.pow(&y)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(x.grad().unwrap().to_f64_vec(), vec![0.0, 0.0, 12.0]);
    let gy = y.grad().unwrap().to_f64_vec();
    assert_eq!(gy[..2], [0.0, 0.0]);
    assert!((gy[2] - 8.0 * 2f64.ln()).abs() < 1e-12);
    // scalar base 0: grad 0 where exponent >= 0
    assert_eq!(
        grad_of(|x| x.rpow_scalar(0.0).unwrap(), &[0.0, 1.0]),
        vec![0.0, 0.0]
    );
}

#[test]
fn log_and_div_at_zero() {
    assert_eq!(grad_of(|x| x.log().unwrap(), &[0.0]), vec![f64::INFINITY]);
    assert_eq!(grad_of(|x| x.log().unwrap(), &[-2.0]), vec![-0.5]);
    let a = t64(&[1.0], &[1]);
    let b = t64(&[0.0], &[1]);
    a.div(&b)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![f64::INFINITY]);
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![f64::NEG_INFINITY]);
}

#[test]
fn float32_forward_values() {
    let x = Tensor::from_f64_slice(&[1.0, 2.0], vec![2], DType::F32).unwrap();
    assert_eq!(
        x.exp().unwrap().to_f64_vec(),
        vec![1f32.exp() as f64, 2f32.exp() as f64]
    );
    let y = Tensor::from_f64_slice(&[1.0, 2.0], vec![2], DType::F64).unwrap();
    assert_eq!(
        x.add(&y).unwrap().dtype(),
        DType::F64,
        "float32 + float64 promotes"
    );
    assert_eq!(
        x.mul_scalar(0.1).unwrap().dtype(),
        DType::F32,
        "a scalar does not promote"
    );
}

#[test]
fn transcendental_and_softmax() {
    gradcheck(|x| x[0].sin().unwrap(), &[a23()]);
    gradcheck(|x| x[0].cos().unwrap(), &[a23()]);
    gradcheck(|x| x[0].tanh().unwrap(), &[a23()]);
    gradcheck(|x| x[0].sigmoid().unwrap(), &[a23()]);
    gradcheck(|x| x[0].sqrt().unwrap(), &[pos23()]);
    gradcheck(|x| x[0].softmax(1).unwrap(), &[a23()]);
    gradcheck(|x| x[0].softmax(0).unwrap(), &[a23()]);
    gradcheck(|x| x[0].log_softmax(-1).unwrap(), &[a23()]);
    gradcheck(|x| x[0].log_softmax(0).unwrap(), &[a23()]);
    for f in [
        |x: &[Tensor]| x[0].sin().unwrap(),
        |x: &[Tensor]| x[0].tanh().unwrap(),
        |x: &[Tensor]| x[0].sigmoid().unwrap(),
        |x: &[Tensor]| x[0].softmax(1).unwrap(),
        |x: &[Tensor]| x[0].log_softmax(1).unwrap(),
        |x: &[Tensor]| x[0].sqrt().unwrap(),
    ] {
        gradgradcheck(f, &[pos23()]);
    }
}

#[test]
fn softmax_values_and_infinities() {
    let x = Tensor::from_f64_slice(&[1.0, 2.0, f64::NEG_INFINITY], vec![3], DType::F64).unwrap();
    let p = x.softmax(0).unwrap().to_f64_vec();
    let e = (1f64).exp() + (2f64).exp();
    assert!((p[0] - 1f64.exp() / e).abs() < 1e-15 && p[2] == 0.0);
    let lp = x.log_softmax(0).unwrap().to_f64_vec();
    assert_eq!(lp[2], f64::NEG_INFINITY);
    let all = Tensor::from_f64_slice(&[f64::NEG_INFINITY; 2], vec![2], DType::F64).unwrap();
    assert!(all.softmax(0).unwrap().to_f64_vec()[0].is_nan());
}

#[test]
fn integer_dtypes_follow_pytorch_promotion() {
    let i = |v: &[f64]| Tensor::from_f64_slice(v, vec![v.len()], DType::I64).unwrap();
    let a = i(&[1.0, 2.0, 3.0]);
    let s = a.add(&i(&[10.0, 20.0, 30.0])).unwrap();
    assert_eq!(
        (s.dtype(), s.to_f64_vec()),
        (DType::I64, vec![11.0, 22.0, 33.0])
    );
    assert_eq!(
        a.mul_scalar(2.0).unwrap().dtype(),
        DType::I64,
        "an integer scalar keeps int64"
    );
    assert_eq!(
        a.mul_scalar(2.5).unwrap().dtype(),
        DType::F32,
        "a fractional scalar gives float32"
    );
    assert_eq!(
        a.div(&a).unwrap().dtype(),
        DType::F32,
        "true division of integers is float32"
    );
    assert_eq!(a.exp().unwrap().dtype(), DType::F32);
    assert_eq!(a.sum().unwrap().dtype(), DType::I64);
    assert_eq!(a.pow_scalar(2.0).unwrap().to_f64_vec(), vec![1.0, 4.0, 9.0]);
    assert_eq!(
        a.pow_scalar(-1.0).unwrap_err().message(),
        "Integers to negative integer powers are not allowed."
    );
    let f = Tensor::from_f64_slice(&[0.5], vec![1], DType::F32).unwrap();
    assert_eq!(
        a.add(&f).unwrap().dtype(),
        DType::F32,
        "int64 + float32 is float32"
    );
    let b = Tensor::from_f64_slice(&[1.0, 0.0], vec![2], DType::Bool).unwrap();
    assert!(b
        .sub(&b)
        .unwrap_err()
        .message()
        .starts_with("Subtraction, the `-` operator, with two bool tensors"));
    assert_eq!(b.sum().unwrap().to_f64_vec(), vec![1.0]);
    // wrapping, never a panic
    let big = Tensor::from_vec(vec![i64::MAX], vec![1]).unwrap();
    assert_eq!(
        big.add_scalar(1.0).unwrap().to_vec::<i64>().unwrap(),
        vec![i64::MIN]
    );
    assert!(a.set_requires_grad(true).is_err());
    let m = Tensor::from_vec(vec![1i64, 2, 3, 4], vec![2, 2]).unwrap();
    assert_eq!(
        m.mm(&m).unwrap().to_vec::<i64>().unwrap(),
        vec![7, 10, 15, 22]
    );
    assert_eq!(
        a.to_dtype(DType::F64).unwrap().to_f64_vec(),
        vec![1.0, 2.0, 3.0]
    );
    let fl = Tensor::from_f64_slice(&[-1.7, 2.9, f64::NAN], vec![3], DType::F64).unwrap();
    assert_eq!(
        fl.to_dtype(DType::I64).unwrap().to_vec::<i64>().unwrap(),
        vec![-1, 2, 0]
    );
    assert_eq!(a.gt_scalar(1.5).unwrap().to_f64_vec(), vec![0.0, 1.0, 1.0]);
}

#[test]
fn zero_dim_tensors_rank_below_dimensioned_ones() {
    let f32v = Tensor::from_f64_slice(&[1.0, 2.0], vec![2], DType::F32).unwrap();
    let f64s = Tensor::scalar(2.0, DType::F64);
    assert_eq!(
        f32v.mul(&f64s).unwrap().dtype(),
        DType::F32,
        "float32[2] * float64[] is float32"
    );
    assert_eq!(f64s.mul(&f32v).unwrap().dtype(), DType::F32);
    let i64v = Tensor::from_f64_slice(&[1.0, 2.0], vec![2], DType::I64).unwrap();
    assert_eq!(
        i64v.mul(&f64s).unwrap().dtype(),
        DType::F64,
        "a higher category still counts"
    );
    let i32s = Tensor::scalar(2.0, DType::I32);
    let i32v = Tensor::from_f64_slice(&[1.0], vec![1], DType::I32).unwrap();
    assert_eq!(
        i32v.add(&Tensor::scalar(1.0, DType::I64)).unwrap().dtype(),
        DType::I32
    );
    assert_eq!(
        i32s.add(&Tensor::scalar(1.0, DType::I64)).unwrap().dtype(),
        DType::I64,
        "both 0-dim: normal promotion"
    );
}

#[test]
fn half_precision_storage_and_arithmetic() {
    let h = |v: &[f64], d: DType| Tensor::from_f64_slice(v, vec![v.len()], d).unwrap();
    let a = h(&[1.0, 65504.0, 0.1], DType::F16);
    assert_eq!(a.to_f64_vec(), vec![1.0, 65504.0, 0.0999755859375]);
    assert_eq!(
        a.to_string(),
        "tensor([1.0000e+00, 6.5504e+04, 9.9976e-02], dtype=torch.float16)"
    );
    // each op rounds to half: 1 + 2^-11 is a tie that rounds to even (1)
    let one = h(&[1.0], DType::F16);
    assert_eq!(
        one.add_scalar(2f64.powi(-11)).unwrap().to_f64_vec(),
        vec![1.0]
    );
    // overflow to inf
    assert_eq!(a.mul_scalar(2.0).unwrap().to_f64_vec()[1], f64::INFINITY);
    // gradients underflow in half: 1e-8 is below the smallest subnormal
    let x = h(&[1.0], DType::F16);
    x.set_requires_grad(true).unwrap();
    x.mul_scalar(1e-8)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    let g = x.grad().unwrap();
    assert_eq!((g.dtype(), g.to_f64_vec()), (DType::F16, vec![0.0]));
    // promotion: half with float32 gives float32; half with bfloat16 gives float32
    assert_eq!(
        one.add(&h(&[1.0, 2.0], DType::F32)).unwrap().dtype(),
        DType::F32
    );
    assert_eq!(
        one.add(&h(&[1.0], DType::BF16)).unwrap().dtype(),
        DType::F32
    );
    // a 0-dim float32 scale does not promote a half tensor (GradScaler relies on it)
    assert_eq!(
        one.mul(&Tensor::scalar(1024.0, DType::F32))
            .unwrap()
            .dtype(),
        DType::F16
    );
    // sums accumulate in float32
    let many = Tensor::full(&[4096], 1.0, DType::F16);
    assert_eq!(many.sum().unwrap().to_f64_vec(), vec![4096.0]);
    let b = h(&[0.1], DType::BF16);
    assert_eq!(b.to_f64_vec(), vec![0.10009765625]);
    assert_eq!(b.exp().unwrap().dtype(), DType::BF16);
    let m = Tensor::full(&[2, 3], 0.5, DType::F16);
    assert_eq!(
        m.mm(&Tensor::full(&[3, 1], 2.0, DType::F16))
            .unwrap()
            .to_f64_vec(),
        vec![3.0, 3.0]
    );
}

#[test]
fn half_scalar_ops_keep_the_scalar_precision() {
    // PyTorch computes half ⊙ scalar in float32 ("opmath") and rounds once.
    let x = Tensor::from_f64_slice(&[1024.0], vec![1], DType::F16).unwrap();
    let y = x.mul_scalar(1e-8).unwrap();
    assert_eq!(y.dtype(), DType::F16);
    assert_eq!(y.to_f64_vec(), vec![1.0251998901367188e-05]);
}
