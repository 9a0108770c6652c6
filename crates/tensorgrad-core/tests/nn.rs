//! The nn family: values, PyTorch's conventions at kinks, losses with ignore_index / weights /
//! label smoothing (hand-computed), normalisation, running stats, errors, dtypes.

mod common;
use common::*;
use tensorgrad_core::ops::nn::Reduction;
use tensorgrad_core::{DType, Tensor};

fn f(v: &[f64], s: &[usize]) -> Tensor {
    Tensor::from_f64_slice(v, s.to_vec(), DType::F64).unwrap()
}
fn long(v: &[i64], s: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), s.to_vec()).unwrap()
}
fn msg(r: tensorgrad_core::Result<Tensor>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.message().to_string(),
    }
}
/// Gradient of `sum(y)` with respect to `x`.
fn grad_sum(x: &Tensor, y: &Tensor) -> Vec<f64> {
    y.sum().unwrap().backward(None, false, false).unwrap();
    x.grad().unwrap().to_f64_vec()
}
fn approx(a: &[f64], b: &[f64]) {
    assert!(close(a, b, 1e-9), "{a:?} vs {b:?}");
}

#[test]
fn activation_values() {
    let x = f(&[1.0], &[1]);
    approx(&x.gelu("none").unwrap().to_f64_vec(), &[0.8413447460685429]);
    approx(&x.gelu("tanh").unwrap().to_f64_vec(), &[0.8411919906082768]);
    approx(&x.silu().unwrap().to_f64_vec(), &[0.7310585786300049]);
    approx(&x.mish().unwrap().to_f64_vec(), &[0.8650983882673103]);
    approx(
        &f(&[-1.0], &[1]).selu().unwrap().to_f64_vec(),
        &[-1.1113307378125625],
    );
    approx(
        &f(&[-1.0], &[1]).celu(2.0).unwrap().to_f64_vec(),
        &[2.0 * ((-0.5f64).exp() - 1.0)],
    );
    approx(
        &f(&[-2.0, 3.0], &[2]).softsign().unwrap().to_f64_vec(),
        &[-2.0 / 3.0, 0.75],
    );
    approx(
        &f(&[-100.0, 0.0, 100.0], &[3])
            .logsigmoid()
            .unwrap()
            .to_f64_vec(),
        &[-100.0, -std::f64::consts::LN_2, 0.0],
    );
    approx(
        &f(&[-1.0, 2.0], &[2]).leaky_relu(0.01).unwrap().to_f64_vec(),
        &[-0.01, 2.0],
    );
    approx(
        &f(&[-1.0, 7.0, 3.0], &[3]).relu6().unwrap().to_f64_vec(),
        &[0.0, 6.0, 3.0],
    );
    assert!(f(&[f64::NAN], &[1])
        .hardtanh(-1.0, 1.0)
        .unwrap()
        .to_f64_vec()[0]
        .is_nan());
    assert_eq!(
        msg(long(&[1], &[1]).gelu("none")),
        "\"GeluKernelImpl\" not implemented for 'Long'"
    );
    assert_eq!(
        msg(x.gelu("fast")),
        "approximate argument must be either none or tanh. Got fast"
    );
    // float32 and half keep their dtype
    let h = Tensor::from_f64_slice(&[1.0], vec![1], DType::F16).unwrap();
    assert_eq!(h.silu().unwrap().dtype(), DType::F16);
    assert_eq!(
        x.to_dtype(DType::F32)
            .unwrap()
            .gelu("none")
            .unwrap()
            .dtype(),
        DType::F32
    );
}

#[test]
fn activation_conventions_at_kinks() {
    // hardtanh/relu6: grad 0 at the bounds
    let x = t64(&[-1.0, -0.5, 1.0, 2.0], &[4]);
    approx(
        &grad_sum(&x, &x.hardtanh(-1.0, 1.0).unwrap()),
        &[0.0, 1.0, 0.0, 0.0],
    );
    let x = t64(&[0.0, 3.0, 6.0], &[3]);
    approx(&grad_sum(&x, &x.relu6().unwrap()), &[0.0, 1.0, 0.0]);
    assert_eq!(
        x.relu6().unwrap().grad_fn().unwrap().name(),
        "HardtanhBackward0"
    );
    // leaky_relu at 0: the slope
    let x = t64(&[0.0, 1.0], &[2]);
    approx(&grad_sum(&x, &x.leaky_relu(0.2).unwrap()), &[0.2, 1.0]);
    // elu at 0: alpha
    let x = t64(&[0.0, 1.0], &[2]);
    approx(&grad_sum(&x, &x.elu(1.5).unwrap()), &[1.5, 1.0]);
    // softplus: above the threshold the identity with grad exactly 1
    let x = t64(&[25.0, 0.0], &[2]);
    let y = x.softplus(1.0, 20.0).unwrap();
    approx(&y.to_f64_vec(), &[25.0, std::f64::consts::LN_2]);
    assert_eq!(grad_sum(&x, &y), vec![1.0, 0.5]);
    // hardsigmoid: g/6 on the open interval
    let x = t64(&[-3.0, 0.0, 3.0], &[3]);
    approx(
        &grad_sum(&x, &x.hardsigmoid().unwrap()),
        &[0.0, 1.0 / 6.0, 0.0],
    );
    // hardswish: 0 below -3, x/3 + 0.5 on [-3, 3], 1 above
    let x = t64(&[-4.0, -3.0, 3.0, 4.0], &[4]);
    let y = x.hardswish().unwrap();
    approx(&y.to_f64_vec(), &[0.0, 0.0, 3.0, 4.0]);
    approx(&grad_sum(&x, &y), &[0.0, -0.5, 1.5, 1.0]);
    // shrinks: zero grad on the closed interval
    let x = t64(&[-0.5, 0.5, 1.0], &[3]);
    let y = x.hardshrink(0.5).unwrap();
    approx(&y.to_f64_vec(), &[0.0, 0.0, 1.0]);
    approx(&grad_sum(&x, &y), &[0.0, 0.0, 1.0]);
    let x = t64(&[-0.5, 0.5, 1.0, -2.0], &[4]);
    let y = x.softshrink(0.5).unwrap();
    approx(&y.to_f64_vec(), &[0.0, 0.0, 0.5, -1.5]);
    approx(&grad_sum(&x, &y), &[0.0, 0.0, 1.0, 1.0]);
    // gelu exact at 0: cdf(0) = 0.5
    let x = t64(&[0.0], &[1]);
    approx(&grad_sum(&x, &x.gelu("none").unwrap()), &[0.5]);
    // silu at 0: 0.5; logsigmoid at 0: 0.5
    let x = t64(&[0.0], &[1]);
    approx(&grad_sum(&x, &x.silu().unwrap()), &[0.5]);
    let x = t64(&[0.0], &[1]);
    approx(&grad_sum(&x, &x.logsigmoid().unwrap()), &[0.5]);
}

#[test]
fn linear_dispatch_and_values() {
    let x = t64(&[1.0, 2.0], &[1, 2]);
    let w = t64(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0], &[3, 2]);
    let b = t64(&[0.5, 0.0, -1.0], &[3]);
    let y = x.linear(&w, Some(&b)).unwrap();
    approx(&y.to_f64_vec(), &[1.5, 2.0, 2.0]);
    assert_eq!(y.grad_fn().unwrap().name(), "AddmmBackward0");
    y.sum().unwrap().backward(None, false, false).unwrap();
    approx(
        &w.grad().unwrap().to_f64_vec(),
        &[1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
    );
    approx(&b.grad().unwrap().to_f64_vec(), &[1.0, 1.0, 1.0]);
    let x3 = t64(&[1.0; 8], &[2, 2, 2]);
    assert_eq!(
        x3.linear(&w, Some(&b)).unwrap().grad_fn().unwrap().name(),
        "ViewBackward0"
    );
    assert_eq!(x3.linear(&w, Some(&b)).unwrap().shape(), &[2, 2, 3]);
    assert_eq!(
        x.linear(&w, None).unwrap().grad_fn().unwrap().name(),
        "MmBackward0"
    );
    let x1 = t64(&[1.0, 2.0], &[2]);
    let y1 = x1.linear(&w, Some(&b)).unwrap();
    assert_eq!(y1.shape(), &[3]);
    assert_eq!(y1.grad_fn().unwrap().name(), "AddBackward0");
    assert_eq!(
        msg(t64(&[1.0; 3], &[1, 3]).linear(&w, Some(&b))),
        "mat1 and mat2 shapes cannot be multiplied (1x3 and 2x3)"
    );
}

#[test]
fn bilinear_values() {
    let x1 = f(&[1.0, 2.0], &[1, 2]);
    let x2 = f(&[3.0], &[1, 1]);
    let w = f(&[1.0, 2.0], &[1, 2, 1]);
    let b = f(&[0.5], &[1]);
    approx(
        &Tensor::bilinear(&x1, &x2, &w, Some(&b))
            .unwrap()
            .to_f64_vec(),
        &[15.5],
    );
    assert_eq!(
        msg(Tensor::bilinear(&x1, &f(&[1.0, 2.0], &[1, 2]), &w, None)),
        "bilinear(): input2 size does not match weight size: got 2 but expected 1"
    );
}

#[test]
fn dropout_behaviour() {
    let x = t64(&[1.0; 1000], &[1000]);
    assert!(x.dropout(0.0, true).unwrap().same(&x));
    assert!(x.dropout(0.7, false).unwrap().same(&x));
    let z = x.dropout(1.0, true).unwrap();
    assert!(z.to_f64_vec().iter().all(|&v| v == 0.0));
    tensorgrad_core::manual_seed(0);
    let a = x.dropout(0.25, true).unwrap();
    tensorgrad_core::manual_seed(0);
    let b = x.dropout(0.25, true).unwrap();
    assert_eq!(a.to_f64_vec(), b.to_f64_vec());
    assert_eq!(a.grad_fn().unwrap().name(), "MulBackward0");
    let v = a.to_f64_vec();
    assert!(v
        .iter()
        .all(|&e| e == 0.0 || (e - 1.0 / 0.75).abs() < 1e-12));
    let kept = v.iter().filter(|&&e| e != 0.0).count();
    assert!((650..850).contains(&kept), "{kept}");
    // the gradient is the mask scaled
    approx(&grad_sum(&x, &a), &v);
    assert_eq!(
        msg(x.dropout(1.5, true)),
        "dropout probability has to be between 0 and 1, but got 1.5"
    );
}

#[test]
fn embedding_scale_grad_by_freq_and_renorm() {
    // PyTorch: w = arange(6.).view(3, 2) (leaf); y = F.embedding([[2, 0], [2, 2]], w,
    // scale_grad_by_freq=True); (y * [[1, 2], [3, 4], [5, 6], [7, 8]]).sum().backward()
    // -> index 2 occurs 3 times: ([1,2] + [5,6] + [7,8]) / 3 = [13/3, 16/3]; index 0 once.
    let w = t64(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[3, 2]);
    let idx = long(&[2, 0, 2, 2], &[2, 2]);
    let y = Tensor::embedding(&idx, &w, None, true).unwrap();
    let g = t64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], &[2, 2, 2]).detach();
    approx(
        &grad_sum(&w, &y.mul(&g).unwrap()),
        &[3.0, 4.0, 0.0, 0.0, 13.0 / 3.0, 16.0 / 3.0],
    );
    // with a padding index the padded positions still count, but get nothing
    let w = t64(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[3, 2]);
    let y = Tensor::embedding(&long(&[1, 1, 0], &[3]), &w, Some(0), true).unwrap();
    approx(&grad_sum(&w, &y), &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);

    // renorm: rows 0 (norm 5) and 2 (norm 1) referenced, max_norm 2 -> row 0 scaled by
    // 2 / (5 + 1e-7), row 2 kept, row 1 (norm 10, unreferenced) kept.
    let w =
        Tensor::from_f64_slice(&[3.0, 4.0, 6.0, 8.0, 0.6, 0.8], vec![3, 2], DType::F64).unwrap();
    let v0 = w.version();
    w.embedding_renorm_(&long(&[0, 2, 0], &[3]), 2.0, 2.0)
        .unwrap();
    let s = 2.0 / (5.0 + 1e-7);
    assert_eq!(w.to_f64_vec(), vec![3.0 * s, 4.0 * s, 6.0, 8.0, 0.6, 0.8]);
    assert!(w.version() > v0);
    // other norms: p = 1 (|3| + |4| = 7), p = inf (4)
    let w = Tensor::from_f64_slice(&[3.0, -4.0], vec![1, 2], DType::F64).unwrap();
    w.embedding_renorm_(&long(&[0], &[1]), 3.5, 1.0).unwrap();
    approx(
        &w.to_f64_vec(),
        &[3.0 * 3.5 / (7.0 + 1e-7), -4.0 * 3.5 / (7.0 + 1e-7)],
    );
    let w = Tensor::from_f64_slice(&[3.0, -4.0], vec![1, 2], DType::F64).unwrap();
    w.embedding_renorm_(&long(&[0], &[1]), 1.0, f64::INFINITY)
        .unwrap();
    approx(&w.to_f64_vec(), &[3.0 / (4.0 + 1e-7), -4.0 / (4.0 + 1e-7)]);
    // a leaf that requires grad is renormalised too (PyTorch runs it under no_grad)
    let w = t64(&[3.0, 4.0], &[1, 2]);
    w.embedding_renorm_(&long(&[0], &[1]), 1.0, 2.0).unwrap();
    approx(&w.to_f64_vec(), &[3.0 / (5.0 + 1e-7), 4.0 / (5.0 + 1e-7)]);
    assert!(w.requires_grad() && w.grad_fn().is_none());
    assert_eq!(
        msg(w.embedding_renorm_(&long(&[1], &[1]), 1.0, 2.0).cloned()),
        "index out of range in self"
    );
    assert_eq!(
        msg(w.embedding_renorm_(&f(&[0.0], &[1]), 1.0, 2.0).cloned()),
        "Expected tensor for argument #2 'indices' to have one of the following scalar types: Long, Int; but got torch.DoubleTensor instead (while checking arguments for embedding_renorm_)"
    );
}

#[test]
fn inplace_activations() {
    let x = t64(&[-1.0, 0.5, 2.0], &[3]);
    let y = x.mul_scalar(1.0).unwrap();
    y.leaky_relu_(0.1).unwrap();
    approx(&y.to_f64_vec(), &[-0.1, 0.5, 2.0]);
    // PyTorch's in-place nodes: LeakyReluBackward1, EluBackward1 (elu_, selu_, celu_)
    assert_eq!(y.grad_fn().unwrap().name(), "LeakyReluBackward1");
    approx(&grad_sum(&x, &y), &[0.1, 1.0, 1.0]);
    let fresh = || x.mul_scalar(1.0).unwrap();
    let y = fresh();
    y.elu_(0.5).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "EluBackward1");
    let y = fresh();
    y.selu_().unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "EluBackward1");
    let y = fresh();
    y.celu_(2.0).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "EluBackward1");
    let y = fresh();
    y.hardtanh_(-0.5, 0.5).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "HardtanhBackward0");
    let y = fresh();
    y.relu_().unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "ReluBackward0");
    let y = x.mul_scalar(1.0).unwrap();
    y.elu_(0.5).unwrap();
    approx(&y.to_f64_vec(), &[0.5 * ((-1.0f64).exp() - 1.0), 0.5, 2.0]);
    // a negative slope/alpha is refused when the in-place node's backward runs
    let y = x.mul_scalar(1.0).unwrap();
    y.leaky_relu_(-0.1).unwrap();
    approx(&y.to_f64_vec(), &[0.1, 0.5, 2.0]);
    let e = y.sum().unwrap().backward(None, false, false).unwrap_err();
    assert!(e.message().starts_with("In-place leakyReLu backward calculation is triggered with a negative slope which is not supported."), "{}", e.message());
    let y = x.mul_scalar(1.0).unwrap();
    y.elu_(-1.0).unwrap();
    let e = y.sum().unwrap().backward(None, false, false).unwrap_err();
    assert!(
        e.message()
            .starts_with("In-place elu backward calculation is triggered with a negative slope"),
        "{}",
        e.message()
    );
    // a leaf that requires grad is refused (PyTorch's message), allowed under no_grad
    assert_eq!(
        msg(x.relu_().cloned()),
        "a leaf Variable that requires grad is being used in an in-place operation."
    );
    tensorgrad_core::no_grad(|| x.relu_().map(|_| ())).unwrap();
    approx(&x.to_f64_vec(), &[0.0, 0.5, 2.0]);
    // dropout_ with nothing to drop leaves the tensor (even a leaf) alone
    let x = t64(&[1.0, 2.0], &[2]);
    x.dropout_(0.0, true).unwrap();
    x.dropout_(0.5, false).unwrap();
    approx(&x.to_f64_vec(), &[1.0, 2.0]);
    assert_eq!(
        msg(x.dropout_(1.5, false).cloned()),
        "dropout probability has to be between 0 and 1, but got 1.5"
    );
}

#[test]
fn embedding_and_one_hot() {
    let w = t64(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[3, 2]);
    let idx = long(&[2, 0, 2, 1], &[2, 2]);
    let y = Tensor::embedding(&idx, &w, Some(1), false).unwrap();
    assert_eq!(y.shape(), &[2, 2, 2]);
    approx(&y.to_f64_vec(), &[4.0, 5.0, 0.0, 1.0, 4.0, 5.0, 2.0, 3.0]);
    assert_eq!(y.grad_fn().unwrap().name(), "EmbeddingBackward0");
    // repeated index 2 accumulates; padding row 1 gets nothing
    approx(&grad_sum(&w, &y), &[1.0, 1.0, 0.0, 0.0, 2.0, 2.0]);
    assert_eq!(
        msg(Tensor::embedding(&long(&[3], &[1]), &w, None, false)),
        "index out of range in self"
    );
    assert_eq!(
        msg(Tensor::embedding(&f(&[0.0], &[1]), &w, None, false)),
        "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.DoubleTensor instead (while checking arguments for embedding)"
    );
    let o = long(&[0, 2], &[2]).one_hot(-1).unwrap();
    assert_eq!(o.dtype(), DType::I64);
    assert_eq!(o.shape(), &[2, 3]);
    assert_eq!(o.to_f64_vec(), vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    assert_eq!(long(&[1], &[1]).one_hot(4).unwrap().shape(), &[1, 4]);
    assert_eq!(
        msg(long(&[3], &[1]).one_hot(2)),
        "Class values must be smaller than num_classes."
    );
    assert_eq!(
        msg(long(&[-1], &[1]).one_hot(2)),
        "Class values must be non-negative."
    );
    assert_eq!(
        msg(f(&[1.0], &[1]).one_hot(2)),
        "one_hot is only applicable to index tensor of type LongTensor."
    );
}

#[test]
fn pad_modes() {
    let x = t64(&[1.0, 2.0, 3.0, 4.0], &[1, 1, 4]);
    let c = x.pad(&[1, 2], "constant", Some(9.0)).unwrap();
    assert_eq!(c.to_f64_vec(), vec![9.0, 1.0, 2.0, 3.0, 4.0, 9.0, 9.0]);
    assert_eq!(c.grad_fn().unwrap().name(), "ConstantPadNdBackward0");
    assert_eq!(
        x.pad(&[-1, 0], "constant", None).unwrap().to_f64_vec(),
        vec![2.0, 3.0, 4.0]
    );
    assert_eq!(
        x.pad(&[2, 1], "reflect", None).unwrap().to_f64_vec(),
        vec![3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0]
    );
    assert_eq!(
        x.pad(&[2, 1], "replicate", None).unwrap().to_f64_vec(),
        vec![1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 4.0]
    );
    assert_eq!(
        x.pad(&[2, 1], "circular", None).unwrap().to_f64_vec(),
        vec![3.0, 4.0, 1.0, 2.0, 3.0, 4.0, 1.0]
    );
    let r = x.pad(&[2, 1], "reflect", None).unwrap();
    approx(&grad_sum(&x, &r), &[1.0, 2.0, 3.0, 1.0]);
    let m = t64(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let p = m.pad(&[0, 1, 1, 0], "constant", None).unwrap();
    assert_eq!(p.shape(), &[3, 3]);
    assert_eq!(
        p.to_f64_vec(),
        vec![0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 3.0, 4.0, 0.0]
    );
    assert_eq!(
        msg(m.pad(&[1], "constant", None)),
        "Padding length must be divisible by 2"
    );
    assert_eq!(
        msg(x.pad(&[4, 0], "reflect", None)),
        "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (4, 0) at dimension 2 of input [1, 1, 4]"
    );
    assert_eq!(
        long(&[1, 2], &[2])
            .pad(&[1, 0], "constant", None)
            .unwrap()
            .dtype(),
        DType::I64
    );
}

#[test]
fn cross_entropy_class_indices() {
    let x = t64(&[1.0, 2.0, 3.0, 1.0, 1.0, 1.0], &[2, 3]);
    let t = long(&[2, 0], &[2]);
    let l = x
        .cross_entropy(&t, None, -100, Reduction::Mean, 0.0)
        .unwrap();
    approx(&l.to_f64_vec(), &[0.753109126556245]);
    assert_eq!(l.grad_fn().unwrap().name(), "NllLossBackward0");
    // grad = (softmax - onehot)/N
    let g = grad_sum(&x, &l);
    let third = 1.0 / 3.0;
    approx(
        &g,
        &[
            0.09003057317038048 / 2.0,
            0.2447284710547977 / 2.0,
            (0.665240955774822 - 1.0) / 2.0,
            (third - 1.0) / 2.0,
            third / 2.0,
            third / 2.0,
        ],
    );
    let w = f(&[1.0, 2.0, 3.0], &[3]);
    approx(
        &x.cross_entropy(&t, Some(&w), -100, Reduction::Mean, 0.0)
            .unwrap()
            .to_f64_vec(),
        &[0.5803575455003125],
    );
    // ignore_index
    let ti = long(&[2, -100], &[2]);
    approx(
        &x.cross_entropy(&ti, None, -100, Reduction::Mean, 0.0)
            .unwrap()
            .to_f64_vec(),
        &[0.40760596444438],
    );
    let none = x
        .cross_entropy(&ti, None, -100, Reduction::None, 0.0)
        .unwrap();
    approx(&none.to_f64_vec(), &[0.40760596444438, 0.0]);
    approx(
        &x.cross_entropy(&long(&[2, 1], &[2]), None, 1, Reduction::Sum, 0.0)
            .unwrap()
            .to_f64_vec(),
        &[0.40760596444438],
    );
    // all ignored: mean is nan
    let all = x
        .cross_entropy(&long(&[-100, -100], &[2]), None, -100, Reduction::Mean, 0.0)
        .unwrap();
    assert!(all.item().unwrap().is_nan());
    // label smoothing
    let x = t64(&[1.0, 2.0, 3.0, 1.0, 1.0, 1.0], &[2, 3]);
    let ls = x
        .cross_entropy(&t, None, -100, Reduction::Mean, 0.1)
        .unwrap();
    approx(&ls.to_f64_vec(), &[0.8031091265562449]);
    assert_eq!(ls.grad_fn().unwrap().name(), "AddBackward0");
    approx(
        &x.cross_entropy(&ti, Some(&w), -100, Reduction::Mean, 0.1)
            .unwrap()
            .to_f64_vec(),
        &[0.4384635434073452],
    );
    // [N, C, d] input
    let x3 = t64(&[1.0, 1.0, 2.0, 1.0, 3.0, 1.0], &[1, 3, 2]);
    let l3 = x3
        .cross_entropy(&long(&[2, 0], &[1, 2]), None, -100, Reduction::None, 0.0)
        .unwrap();
    assert_eq!(l3.shape(), &[1, 2]);
    approx(&l3.to_f64_vec(), &[0.40760596444438, 1.0986122886681098]);
    let l4 = x3
        .cross_entropy(&long(&[2, 0], &[1, 2]), None, -100, Reduction::Mean, 0.0)
        .unwrap();
    assert_eq!(l4.grad_fn().unwrap().name(), "NllLoss2DBackward0");
    approx(&l4.to_f64_vec(), &[0.753109126556245]);
}

#[test]
fn cross_entropy_probabilities_and_errors() {
    let x = t64(&[1.0, 2.0, 3.0], &[1, 3]);
    let p = f(&[0.2, 0.3, 0.5], &[1, 3]);
    let l = x
        .cross_entropy(&p, None, -100, Reduction::Mean, 0.0)
        .unwrap();
    approx(&l.to_f64_vec(), &[1.10760596444438]);
    assert_eq!(l.grad_fn().unwrap().name(), "DivBackward0");
    approx(
        &grad_sum(&x, &l),
        &[
            0.09003057317038048 - 0.2,
            0.2447284710547977 - 0.3,
            0.665240955774822 - 0.5,
        ],
    );
    let x = f(&[0.0; 15], &[3, 5]);
    assert_eq!(
        msg(x.cross_entropy(&long(&[1, 2], &[2]), None, -100, Reduction::Mean, 0.0)),
        "Expected input batch_size (3) to match target batch_size (2)."
    );
    assert_eq!(
        msg(x.cross_entropy(&long(&[1, 5, 0], &[3]), None, -100, Reduction::Mean, 0.0)),
        "Target 5 is out of bounds."
    );
    assert_eq!(
        msg(x.cross_entropy(&long(&[1, 2, 0], &[3]), Some(&f(&[1.0; 4], &[4])), -100, Reduction::Mean, 0.0)),
        "weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [4]"
    );
    assert_eq!(
        msg(x.cross_entropy(&f(&[1.0, 2.0, 0.0], &[3]), None, -100, Reduction::Mean, 0.0)),
        "expected scalar type Long but found Double"
    );
    assert_eq!(
        msg(x.cross_entropy(&long(&[1, 2, 0], &[3]), None, -100, Reduction::Mean, 1.5)),
        "label_smoothing must be between 0.0 and 1.0. Got: 1.5"
    );
    assert_eq!(
        msg(x.cross_entropy(
            &Tensor::zeros(&[3, 5], DType::I64),
            None,
            -100,
            Reduction::Mean,
            0.0
        )),
        "Expected floating point type for target with class probabilities, got Long"
    );
    assert_eq!(
        Reduction::parse("avg").unwrap_err().message(),
        "avg is not a valid value for reduction"
    );
}

#[test]
fn nll_loss_weights() {
    let lp = t64(&[-1.0, -2.0, -3.0, -0.5, -1.5, -2.5], &[2, 3]);
    let t = long(&[1, 2], &[2]);
    let w = f(&[1.0, 2.0, 4.0], &[3]);
    let l = lp.nll_loss(&t, Some(&w), Reduction::Mean, -100).unwrap();
    // (2·2 + 4·2.5) / (2 + 4)
    approx(&l.to_f64_vec(), &[14.0 / 6.0]);
    approx(
        &grad_sum(&lp, &l),
        &[0.0, -2.0 / 6.0, 0.0, 0.0, 0.0, -4.0 / 6.0],
    );
    let s = lp.nll_loss(&t, Some(&w), Reduction::Sum, -100).unwrap();
    approx(&s.to_f64_vec(), &[14.0]);
    let n = lp.nll_loss(&t, Some(&w), Reduction::None, 2).unwrap();
    approx(&n.to_f64_vec(), &[4.0, 0.0]);
    // 1-D input with a 0-d target
    let v = f(&[-1.0, -2.0], &[2]);
    approx(
        &v.nll_loss(&long(&[1], &[]), None, Reduction::Mean, -100)
            .unwrap()
            .to_f64_vec(),
        &[2.0],
    );
}

#[test]
fn regression_losses() {
    let x = t64(&[1.0, 2.0], &[2]);
    let y = f(&[0.0, 4.0], &[2]);
    let l = x.mse_loss(&y, Reduction::Mean).unwrap();
    approx(&l.to_f64_vec(), &[2.5]);
    assert_eq!(l.grad_fn().unwrap().name(), "MseLossBackward0");
    approx(&grad_sum(&x, &l), &[1.0, -2.0]);
    // l1: zero grad at an exact match
    let x = t64(&[1.0, 2.0], &[2]);
    let l = x.l1_loss(&f(&[1.0, 3.0], &[2]), Reduction::Mean).unwrap();
    approx(&l.to_f64_vec(), &[0.5]);
    approx(&grad_sum(&x, &l), &[0.0, -0.5]);
    // smooth_l1 (beta 1): d = [0.5, 2, -1]
    let x = t64(&[0.5, 2.0, -1.0], &[3]);
    let z = f(&[0.0; 3], &[3]);
    let l = x.smooth_l1_loss(&z, Reduction::Mean, 1.0).unwrap();
    approx(&l.to_f64_vec(), &[(0.125 + 1.5 + 0.5) / 3.0]);
    approx(&grad_sum(&x, &l), &[0.5 / 3.0, 1.0 / 3.0, -1.0 / 3.0]);
    assert_eq!(
        x.smooth_l1_loss(&z, Reduction::Mean, 0.0)
            .unwrap()
            .grad_fn()
            .unwrap()
            .name(),
        "MeanBackward0"
    );
    // huber (delta 2): d = [3, -1]
    let x = t64(&[3.0, -1.0], &[2]);
    let l = x
        .huber_loss(&f(&[0.0, 0.0], &[2]), Reduction::Sum, 2.0)
        .unwrap();
    approx(&l.to_f64_vec(), &[4.0 + 0.5]);
    approx(&grad_sum(&x, &l), &[2.0, -1.0]);
    assert_eq!(
        msg(x.huber_loss(&z, Reduction::Sum, 0.0)),
        "huber_loss does not support non-positive values for delta."
    );
    // broadcasting as F.mse_loss
    let a = t64(&[1.0, 2.0], &[2]);
    assert_eq!(
        a.mse_loss(&f(&[0.0; 6], &[3, 2]), Reduction::None)
            .unwrap()
            .shape(),
        &[3, 2]
    );
}

#[test]
fn binary_losses() {
    let x = t64(&[0.0, 0.5], &[2]);
    let y = f(&[1.0, 1.0], &[2]);
    let l = x.binary_cross_entropy(&y, None, Reduction::None).unwrap();
    approx(&l.to_f64_vec(), &[100.0, std::f64::consts::LN_2]);
    assert_eq!(l.grad_fn().unwrap().name(), "BinaryCrossEntropyBackward0");
    approx(&grad_sum(&x, &l), &[-1e12, -2.0]);
    assert_eq!(
        msg(f(&[1.5], &[1]).binary_cross_entropy(&f(&[1.0], &[1]), None, Reduction::Mean)),
        "all elements of input should be between 0 and 1"
    );
    assert_eq!(
        msg(f(&[0.5, 0.5], &[2]).binary_cross_entropy(&f(&[1.0], &[1]), None, Reduction::Mean)),
        "Using a target size (torch.Size([1])) that is different to the input size (torch.Size([2])) is deprecated. Please ensure they have the same size."
    );
    // with logits and pos_weight
    let x = t64(&[0.0, 0.0], &[2]);
    let y = f(&[1.0, 0.0], &[2]);
    let pw = f(&[2.0, 2.0], &[2]);
    let l = x
        .binary_cross_entropy_with_logits(&y, None, Some(&pw), Reduction::None)
        .unwrap();
    let ln2 = std::f64::consts::LN_2;
    approx(&l.to_f64_vec(), &[2.0 * ln2, ln2]);
    assert_eq!(
        l.grad_fn().unwrap().name(),
        "BinaryCrossEntropyWithLogitsBackward0"
    );
    approx(&grad_sum(&x, &l), &[-1.0, 0.5]);
    let big = f(&[100.0], &[1])
        .binary_cross_entropy_with_logits(&f(&[0.0], &[1]), None, None, Reduction::Mean)
        .unwrap();
    approx(&big.to_f64_vec(), &[100.0]);
    assert_eq!(
        msg(f(&[1.0, 2.0], &[2]).binary_cross_entropy_with_logits(
            &f(&[1.0], &[1]),
            None,
            None,
            Reduction::Mean
        )),
        "Target size (torch.Size([1])) must be the same as input size (torch.Size([2]))"
    );
}

#[test]
fn kl_div_and_cosine_embedding() {
    let lp = t64(
        &[(0.25f64).ln(), (0.75f64).ln(), (0.5f64).ln(), (0.5f64).ln()],
        &[2, 2],
    );
    let p = f(&[0.5, 0.5, 0.5, 0.5], &[2, 2]);
    let kl = lp.kl_div(&p, "batchmean", false).unwrap();
    let row0 = 0.5 * (0.5f64 / 0.25).ln() + 0.5 * (0.5f64 / 0.75).ln();
    approx(&kl.to_f64_vec(), &[row0 / 2.0]);
    assert_eq!(kl.grad_fn().unwrap().name(), "DivBackward0");
    let kl2 = lp.kl_div(&p.log().unwrap(), "sum", true).unwrap();
    approx(&kl2.to_f64_vec(), &[row0]);
    // zero target gives 0, not nan
    let z = lp
        .kl_div(&f(&[0.0, 1.0, 0.0, 1.0], &[2, 2]), "none", false)
        .unwrap();
    assert!(z.to_f64_vec()[0] == 0.0);
    let a = t64(&[1.0, 0.0, 1.0, 1.0], &[2, 2]);
    let b = f(&[1.0, 0.0, -1.0, 1.0], &[2, 2]);
    let l = a
        .cosine_embedding_loss(&b, &long(&[1, -1], &[2]), 0.0, Reduction::None)
        .unwrap();
    approx(&l.to_f64_vec(), &[0.0, 0.0]);
    let l = a
        .cosine_embedding_loss(&b, &long(&[-1, 1], &[2]), 0.5, Reduction::None)
        .unwrap();
    approx(&l.to_f64_vec(), &[0.5, 1.0]);
}

#[test]
fn layer_group_batch_norm() {
    let x = t64(&[1.0, 2.0, 3.0, 4.0], &[1, 4]);
    let y = x.layer_norm(&[4], None, None, 1e-5).unwrap();
    let r = 1.0 / (1.25f64 + 1e-5).sqrt();
    approx(&y.to_f64_vec(), &[-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r]);
    assert_eq!(y.grad_fn().unwrap().name(), "NativeLayerNormBackward0");
    // the sum of a normalised row does not depend on the input
    assert!(grad_sum(&x, &y).iter().all(|v| v.abs() < 1e-9));
    let w = t64(&[1.0, 2.0, 3.0, 4.0], &[4]);
    let b = t64(&[0.0; 4], &[4]);
    let y = x.layer_norm(&[4], Some(&w), Some(&b), 1e-5).unwrap();
    y.sum().unwrap().backward(None, false, false).unwrap();
    approx(&b.grad().unwrap().to_f64_vec(), &[1.0; 4]);
    approx(
        &w.grad().unwrap().to_f64_vec(),
        &[-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r],
    );
    assert_eq!(
        msg(x.layer_norm(&[3], None, None, 1e-5)),
        "Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[1, 4]"
    );
    assert_eq!(
        msg(x.layer_norm(&[4], Some(&f(&[1.0; 3], &[3])), None, 1e-5)),
        "Expected weight to be of same shape as normalized_shape, but got weight of shape [3] and normalized_shape = [4]"
    );
    // group norm with one group per channel pair
    let g = f(&[1.0, 3.0, 5.0, 7.0], &[1, 2, 2]);
    let gy = g.group_norm(1, None, None, 0.0).unwrap();
    let s = 1.0 / 5.0f64.sqrt();
    approx(&gy.to_f64_vec(), &[-3.0 * s, -1.0 * s, 1.0 * s, 3.0 * s]);
    assert_eq!(
        msg(g.group_norm(3, None, None, 1e-5)),
        "Expected number of channels in input to be divisible by num_groups, but got input of shape [1, 2, 2] and num_groups=3"
    );
    // batch norm: running stats with the unbiased variance
    let x = t64(&[1.0, 3.0], &[2, 1]);
    let rm = f(&[0.0], &[1]);
    let rv = f(&[1.0], &[1]);
    let y = x
        .batch_norm(Some(&rm), Some(&rv), None, None, true, 0.1, 1e-5)
        .unwrap();
    approx(
        &y.to_f64_vec(),
        &[-1.0 / (1.0f64 + 1e-5).sqrt(), 1.0 / (1.0f64 + 1e-5).sqrt()],
    );
    approx(&rm.to_f64_vec(), &[0.2]);
    approx(&rv.to_f64_vec(), &[1.1]);
    assert_eq!(y.grad_fn().unwrap().name(), "NativeBatchNormBackward0");
    let e = x
        .batch_norm(Some(&rm), Some(&rv), None, None, false, 0.1, 0.0)
        .unwrap();
    approx(
        &e.to_f64_vec(),
        &[(1.0 - 0.2) / 1.1f64.sqrt(), (3.0 - 0.2) / 1.1f64.sqrt()],
    );
    assert_eq!(
        msg(f(&[1.0], &[1, 1]).batch_norm(None, None, None, None, true, 0.1, 1e-5)),
        "Expected more than 1 value per channel when training, got input size [1, 1]"
    );
    // float32 stays float32
    let x32 = Tensor::from_f64_slice(&[1.0, 2.0, 3.0], vec![1, 3], DType::F32).unwrap();
    assert_eq!(
        x32.layer_norm(&[3], None, None, 1e-5).unwrap().dtype(),
        DType::F32
    );
}

#[test]
fn autocast_float32_list() {
    let _g = tensorgrad_core::autocast::AutocastGuard::new(Some(DType::BF16));
    let x = Tensor::from_f64_slice(&[1.0, 2.0], vec![1, 2], DType::BF16).unwrap();
    assert_eq!(
        x.layer_norm(&[2], None, None, 1e-5).unwrap().dtype(),
        DType::F32
    );
    assert_eq!(x.softplus(1.0, 20.0).unwrap().dtype(), DType::F32);
    let t = long(&[1], &[1]);
    assert_eq!(
        x.cross_entropy(&t, None, -100, Reduction::Mean, 0.0)
            .unwrap()
            .dtype(),
        DType::F32
    );
    let w = Tensor::from_f64_slice(&[1.0, 2.0], vec![1, 2], DType::F32).unwrap();
    assert_eq!(w.linear(&w, None).unwrap().dtype(), DType::BF16);
}
