//! The reductions family: values at edge points (ties, zeros, nan, inf, empty), PyTorch's
//! gradient conventions there, dtypes, error messages. Gradients at regular points are
//! checked for every op table entry by tests/op_table.rs.

mod common;
use common::*;
use tensorgrad_core::autograd::grad;
use tensorgrad_core::{DType, Tensor};

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

/// d(sum(out))/dx, or the grad with a given cotangent.
fn grad1(out: &Tensor, x: &Tensor) -> Vec<f64> {
    let g = grad(
        &[out.sum().unwrap()],
        &[x.clone()],
        &[],
        false,
        false,
        false,
    )
    .unwrap();
    g[0].as_ref().unwrap().to_f64_vec()
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-9 * (1.0 + y.abs()) || x == y
        })
}

macro_rules! assert_vals {
    ($t:expr, $want:expr) => {{
        let got = Vals::vals(&$t);
        let want: Vec<f64> = $want.to_vec();
        assert!(same(&got, &want), "got {:?}, want {:?}", got, want);
    }};
}

trait Vals {
    fn vals(&self) -> Vec<f64>;
}
impl Vals for Tensor {
    fn vals(&self) -> Vec<f64> {
        self.to_f64_vec()
    }
}
impl Vals for Vec<f64> {
    fn vals(&self) -> Vec<f64> {
        self.clone()
    }
}
impl Vals for &Tensor {
    fn vals(&self) -> Vec<f64> {
        self.to_f64_vec()
    }
}

fn err<T>(r: tensorgrad_core::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.message().to_string(),
    }
}

fn ints(v: &[i64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape.to_vec()).unwrap()
}

// ---- prod ---------------------------------------------------------------------------------

#[test]
fn prod_values_and_dtypes() {
    let x = t64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_vals!(x.prod().unwrap(), [720.0]);
    let p = x.prod_dim(1, false).unwrap();
    assert_eq!(p.shape(), &[2]);
    assert_vals!(p, [6.0, 120.0]);
    assert_eq!(x.prod_dim(0, true).unwrap().shape(), &[1, 3]);
    let i = Tensor::from_vec(vec![2i32, 3, 4], vec![3]).unwrap();
    assert_eq!(i.prod().unwrap().dtype(), DType::I64);
    assert_vals!(i.prod().unwrap(), [24.0]);
    let b = Tensor::from_vec(vec![true, true], vec![2]).unwrap();
    assert_eq!(b.prod().unwrap().dtype(), DType::I64);
    // empty: the identity
    let e = Tensor::zeros(&[0, 2], DType::F32);
    assert_vals!(e.prod().unwrap(), [1.0]);
    assert_vals!(e.prod_dim(0, false).unwrap(), [1.0, 1.0]);
    assert_eq!(
        err(x.prod_dim(2, false)),
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    );
    assert_eq!(x.prod().unwrap().grad_fn().unwrap().name(), "ProdBackward0");
    assert_eq!(
        x.prod_dim(0, false).unwrap().grad_fn().unwrap().name(),
        "ProdBackward1"
    );
}

#[test]
fn prod_gradient_with_zeros_is_the_product_of_the_others() {
    // one zero: only the zero gets a gradient (product of the others)
    let x = t64(&[2.0, 0.0, 3.0, 4.0], &[4]);
    assert_vals!(grad1(&x.prod().unwrap(), &x), [0.0, 24.0, 0.0, 0.0]);
    // two zeros: all zero
    let x = t64(&[2.0, 0.0, 3.0, 0.0], &[4]);
    assert_vals!(grad1(&x.prod().unwrap(), &x), [0.0, 0.0, 0.0, 0.0]);
    // over a dim, mixed rows
    let x = t64(&[2.0, 0.0, 3.0, 1.0, 2.0, 5.0, 0.0, 7.0, 0.0], &[3, 3]);
    assert_vals!(
        grad1(&x.prod_dim(1, false).unwrap(), &x),
        [0.0, 6.0, 0.0, 10.0, 5.0, 2.0, 0.0, 0.0, 0.0]
    );
    // along dim 0 of a transposed view
    let y = t64(&[0.0, 2.0, 3.0, 4.0], &[2, 2]);
    let yt = y.transpose(0, 1).unwrap();
    assert_vals!(
        grad1(&yt.prod_dim(1, true).unwrap(), &y),
        [3.0, 4.0, 0.0, 2.0]
    );
    // the product is a polynomial: first and second order are exact with zeros too
    let f = |x: &[Tensor]| x[0].prod().unwrap();
    gradcheck(f, &[t64(&[2.0, 0.0, 3.0, -1.5], &[2, 2])]);
    gradgradcheck(f, &[t64(&[2.0, 0.0, 3.0, -1.5], &[2, 2])]);
    gradgradcheck(f, &[t64(&[2.0, 0.0, 0.0, -1.5], &[2, 2])]);
    let g = |x: &[Tensor]| x[0].prod_dim(0, false).unwrap();
    gradcheck(g, &[t64(&[0.0, 2.0, 3.0, 0.0, 0.5, 0.0], &[3, 2])]);
    gradgradcheck(g, &[t64(&[0.0, 2.0, 3.0, 0.0, 0.5, 0.0], &[3, 2])]);
}

// ---- max / min ----------------------------------------------------------------------------

#[test]
fn max_min_full_split_ties_and_follow_nan() {
    let x = t64(&[1.0, 3.0, 3.0, -2.0, 3.0, 0.0], &[2, 3]);
    let m = x.max().unwrap();
    assert_eq!(m.shape(), &[] as &[usize]);
    assert_vals!(m, [3.0]);
    assert_eq!(m.grad_fn().unwrap().name(), "MaxBackward1");
    let third = 1.0 / 3.0;
    assert_vals!(grad1(&m, &x), [0.0, third, third, 0.0, third, 0.0]);
    let n = x.min().unwrap();
    assert_vals!(n, [-2.0]);
    assert_eq!(n.grad_fn().unwrap().name(), "MinBackward1");
    assert_vals!(grad1(&n, &x), [0.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    // nan: the result is nan and the gradient goes to the nan positions
    let x = t64(&[1.0, NAN, 5.0, NAN], &[4]);
    let m = x.max().unwrap();
    assert!(m.item().unwrap().is_nan());
    assert_vals!(grad1(&m, &x), [0.0, 0.5, 0.0, 0.5]);
    assert!(x.min().unwrap().item().unwrap().is_nan());
    // ints and bools keep their dtype
    let i = ints(&[3, -7, 5], &[3]);
    assert_eq!(i.max().unwrap().dtype(), DType::I64);
    assert_vals!(i.min().unwrap(), [-7.0]);
    let b = Tensor::from_vec(vec![false, true], vec![2]).unwrap();
    assert_eq!(b.max().unwrap().dtype(), DType::Bool);
    assert_vals!(b.max().unwrap(), [1.0]);
    // empty
    let e = Tensor::zeros(&[0], DType::F32);
    assert_eq!(err(e.max()), "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
    assert_eq!(err(e.min()), "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
    // 0-d
    let s = t64(&[2.5], &[]);
    assert_vals!(s.max().unwrap(), [2.5]);
    assert_vals!(grad1(&s.max().unwrap(), &s), [1.0]);
}

#[test]
fn max_dim_returns_first_index_and_routes_whole_grad() {
    let x = t64(&[1.0, 4.0, 4.0, 7.0, -1.0, 7.0], &[2, 3]);
    let (v, i) = x.max_dim(1, false).unwrap();
    assert_eq!(v.shape(), &[2]);
    assert_eq!(i.dtype(), DType::I64);
    assert_vals!(v, [4.0, 7.0]);
    assert_vals!(i, [1.0, 0.0]);
    assert_eq!(v.grad_fn().unwrap().name(), "MaxBackward0");
    assert!(i.grad_fn().is_none());
    assert_vals!(grad1(&v, &x), [0.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
    let (v, i) = x.min_dim(0, true).unwrap();
    assert_eq!(v.shape(), &[1, 3]);
    assert_eq!(i.shape(), &[1, 3]);
    assert_vals!(v, [1.0, -1.0, 4.0]);
    assert_vals!(i, [0.0, 1.0, 0.0]);
    assert_eq!(v.grad_fn().unwrap().name(), "MinBackward0");
    assert_vals!(grad1(&v, &x), [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
    // negative dim, strided input
    let xt = x.transpose(0, 1).unwrap(); // [[1,7],[4,-1],[4,7]]
    let (v, i) = xt.max_dim(-1, false).unwrap();
    assert_vals!(v, [7.0, 4.0, 7.0]);
    assert_vals!(i, [1.0, 0.0, 1.0]);
    // nan is the maximum and the minimum, first nan wins
    let y = t64(&[1.0, NAN, 3.0, NAN], &[4]);
    let (v, i) = y.max_dim(0, false).unwrap();
    assert!(v.item().unwrap().is_nan());
    assert_vals!(i, [1.0]);
    assert_vals!(grad1(&v, &y), [0.0, 1.0, 0.0, 0.0]);
    let (_, i) = y.min_dim(0, false).unwrap();
    assert_vals!(i, [1.0]);
    // an infinite cotangent is routed without making nan elsewhere (scatter semantics)
    let (v, _) = x.max_dim(1, false).unwrap();
    let gout = Tensor::from_f64_slice(&[INF, 1.0], vec![2], DType::F64).unwrap();
    let g = grad(&[v], &[x.clone()], &[Some(gout)], false, false, false).unwrap();
    assert_vals!(g[0].as_ref().unwrap(), [0.0, INF, 0.0, 1.0, 0.0, 0.0]);
    // 0-d
    let s = t64(&[2.0], &[]);
    let (v, i) = s.max_dim(0, true).unwrap();
    assert_eq!(v.shape(), &[] as &[usize]);
    assert_vals!(i, [0.0]);
    assert_eq!(
        err(s.max_dim(1, false)),
        "Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    );
    // ints
    let (v, i) = ints(&[3, 9, 9, 1], &[2, 2]).max_dim(1, false).unwrap();
    assert_eq!(v.dtype(), DType::I64);
    assert_vals!(v, [9.0, 9.0]);
    assert_vals!(i, [1.0, 0.0]);
    // empty
    let e = Tensor::zeros(&[0, 3], DType::F32);
    let (v, i) = e.max_dim(1, false).unwrap();
    assert_eq!(v.shape(), &[0]);
    assert_eq!(i.shape(), &[0]);
    assert_eq!(
        err(e.max_dim(0, false)),
        "max(): Expected reduction dim 0 to have non-zero size."
    );
    assert_eq!(
        err(e.min_dim(-2, false)),
        "min(): Expected reduction dim 0 to have non-zero size."
    );
    assert_eq!(
        err(x.max_dim(2, false)),
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    );
}

#[test]
fn amax_amin_split_ties_per_slice() {
    let x = t64(&[1.0, 5.0, 5.0, 2.0, 2.0, -3.0], &[2, 3]);
    let a = x.amax(&[1], false).unwrap();
    assert_vals!(a, [5.0, 2.0]);
    assert_eq!(a.grad_fn().unwrap().name(), "AmaxBackward0");
    assert_vals!(grad1(&a, &x), [0.0, 0.5, 0.5, 0.5, 0.5, 0.0]);
    let a = x.amax(&[], false).unwrap();
    assert_eq!(a.shape(), &[] as &[usize]);
    assert_vals!(grad1(&a, &x), [0.0, 0.5, 0.5, 0.0, 0.0, 0.0]);
    let a = x.amin(&[0, 1], true).unwrap();
    assert_eq!(a.shape(), &[1, 1]);
    assert_vals!(a, [-3.0]);
    assert_eq!(a.grad_fn().unwrap().name(), "AminBackward0");
    assert_vals!(grad1(&a, &x), [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    // nan propagates; the gradient of a slice holding nan is nan (PyTorch's scale_grad_by_count)
    let y = t64(&[1.0, NAN, 3.0, 4.0], &[2, 2]);
    let a = y.amax(&[1], false).unwrap();
    assert!(a.to_f64_vec()[0].is_nan());
    assert_vals!(grad1(&a, &y), [NAN, NAN, 0.0, 1.0]);
    // ints keep their dtype
    assert_eq!(
        ints(&[1, 2], &[2]).amax(&[], false).unwrap().dtype(),
        DType::I64
    );
    // empty
    let e = Tensor::zeros(&[0, 3], DType::F32);
    assert_eq!(err(e.amax(&[], false)), "amax(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
    assert_eq!(
        err(e.amin(&[0], false)),
        "amin(): Expected reduction dim 0 to have non-zero size."
    );
    assert_eq!(e.amax(&[1], false).unwrap().shape(), &[0]);
    assert_eq!(
        err(x.amax(&[0, -2], false)),
        "dim 0 appears multiple times in the list of dims"
    );
}

#[test]
fn argmax_argmin() {
    let x = t64(&[1.0, 7.0, 7.0, 9.0, -1.0, 9.0], &[2, 3]);
    let a = x.argmax(None, false).unwrap();
    assert_eq!(a.dtype(), DType::I64);
    assert_eq!(a.shape(), &[] as &[usize]);
    assert_vals!(a, [3.0]);
    assert_eq!(x.argmax(None, true).unwrap().shape(), &[1, 1]);
    assert_vals!(x.argmax(Some(1), false).unwrap(), [1.0, 0.0]);
    assert_eq!(x.argmax(Some(0), true).unwrap().shape(), &[1, 3]);
    assert_vals!(x.argmin(Some(-1), false).unwrap(), [0.0, 1.0]);
    assert_vals!(x.argmin(None, false).unwrap(), [4.0]);
    let y = t64(&[1.0, NAN, 3.0, NAN], &[4]);
    assert_vals!(y.argmax(None, false).unwrap(), [1.0]);
    assert_vals!(y.argmin(None, false).unwrap(), [1.0]);
    assert_vals!(ints(&[4, 2, 2], &[3]).argmin(None, false).unwrap(), [1.0]);
    let b = Tensor::from_vec(vec![false, true], vec![2]).unwrap();
    assert_eq!(
        err(b.argmax(None, false)),
        "\"argmax_cpu\" not implemented for 'Bool'"
    );
    let e = Tensor::zeros(&[0, 3], DType::F32);
    assert_eq!(
        err(e.argmax(None, false)),
        "argmax(): Expected reduction dim to be specified for input.numel() == 0."
    );
    assert_eq!(
        err(e.argmin(Some(0), false)),
        "argmin(): Expected reduction dim 0 to have non-zero size."
    );
    assert_eq!(e.argmax(Some(1), false).unwrap().shape(), &[0]);
    assert!(!x.argmax(None, false).unwrap().requires_grad());
}

// ---- var / std ----------------------------------------------------------------------------

#[test]
fn var_std_values_and_corrections() {
    let x = t64(&[1.0, 2.0, 3.0, 4.0, 6.0, 8.0], &[2, 3]);
    assert_vals!(x.var(None, 1.0, false).unwrap(), [6.8]);
    assert_vals!(x.var(Some(&[1]), 1.0, false).unwrap(), [1.0, 4.0]);
    assert_vals!(
        x.var(Some(&[1]), 0.0, true).unwrap(),
        [2.0 / 3.0, 8.0 / 3.0]
    );
    assert_eq!(x.var(Some(&[1]), 0.0, true).unwrap().shape(), &[2, 1]);
    assert_vals!(
        x.std(Some(&[0]), 1.0, false).unwrap(),
        [2.1213203435596424, 2.8284271247461903, 3.5355339059327378]
    );
    assert_eq!(
        x.var(None, 1.0, false).unwrap().grad_fn().unwrap().name(),
        "VarBackward0"
    );
    assert_eq!(
        x.std(None, 1.0, false).unwrap().grad_fn().unwrap().name(),
        "StdBackward0"
    );
    // dof <= 0: inf, or nan when every deviation is 0
    let one = t64(&[3.0], &[1]);
    assert!(one.var(None, 1.0, false).unwrap().item().unwrap().is_nan());
    let two = t64(&[1.0, 2.0], &[2]);
    assert_vals!(two.var(None, 2.0, false).unwrap(), [INF]);
    assert_vals!(two.var(None, 3.0, false).unwrap(), [INF]);
    // full reduction with dof <= 0: g * where(x == mean, nan, inf)
    let x3 = t64(&[1.0, 2.0, 3.0], &[3]);
    assert_vals!(
        grad1(&x3.var(None, 3.0, false).unwrap(), &x3),
        [INF, NAN, INF]
    );
    // with dims given: 2/(N-c) * g * (x - mean)
    assert_vals!(
        grad1(&x3.var(Some(&[0]), 3.0, false).unwrap(), &x3),
        [-INF, NAN, INF]
    );
    // integers are refused
    assert_eq!(
        err(ints(&[1, 2], &[2]).var(None, 1.0, false)),
        "std and var only support floating point and complex dtypes"
    );
    assert_eq!(
        err(ints(&[1, 2], &[2]).std(None, 1.0, false)),
        "std and var only support floating point and complex dtypes"
    );
    // 0-d
    let s = t64(&[2.0], &[]);
    assert_vals!(s.var(None, 0.0, false).unwrap(), [0.0]);
    assert_vals!(s.var(Some(&[0]), 0.0, false).unwrap(), [0.0]);
    // float32 keeps float32
    let f = Tensor::from_vec(vec![1.0f32, 2.0], vec![2]).unwrap();
    assert_eq!(f.std(None, 1.0, false).unwrap().dtype(), DType::F32);
}

#[test]
fn var_std_gradients() {
    let a = || t64(&[0.5, -1.2, 2.0, 0.7, 1.5, -0.3], &[2, 3]);
    gradcheck(|x| x[0].var(None, 1.0, false).unwrap(), &[a()]);
    gradcheck(|x| x[0].var(Some(&[0]), 0.0, false).unwrap(), &[a()]);
    gradcheck(|x| x[0].var(Some(&[-1]), 2.0, true).unwrap(), &[a()]);
    gradgradcheck(|x| x[0].std(Some(&[1]), 1.0, true).unwrap(), &[a()]);
    gradcheck(|x| x[0].std(Some(&[0, 1]), 0.5, false).unwrap(), &[a()]);
    // std == 0: gradient 0 (not nan)
    let c = t64(&[2.0, 2.0, 2.0], &[3]);
    assert_vals!(
        grad1(&c.std(None, 1.0, false).unwrap(), &c),
        [0.0, 0.0, 0.0]
    );
    let c2 = t64(&[2.0, 2.0, 1.0, 3.0], &[2, 2]);
    assert_vals!(
        grad1(&c2.std(Some(&[1]), 1.0, false).unwrap(), &c2),
        [0.0, 0.0, -0.7071067811865475, 0.7071067811865475]
    );
}

#[test]
fn var_mean_and_std_mean() {
    let x = t64(&[1.0, 2.0, 3.0, 4.0, 6.0, 8.0], &[2, 3]);
    let (v, m) = x.var_mean(Some(&[1]), 1.0, false).unwrap();
    assert_vals!(v, [1.0, 4.0]);
    assert_vals!(m, [2.0, 6.0]);
    assert_eq!(v.grad_fn().unwrap().name(), "VarMeanBackward0");
    assert_eq!(m.grad_fn().unwrap().name(), "VarMeanBackward0");
    let (s, m) = x.std_mean(None, 0.0, true).unwrap();
    assert_eq!(s.shape(), &[1, 1]);
    assert_vals!(m, [4.0]);
    assert_eq!(s.grad_fn().unwrap().name(), "StdMeanBackward0");
    let a = || t64(&[0.5, -1.2, 2.0, 0.7, 1.5, -0.3], &[2, 3]);
    let both = |x: &[Tensor]| {
        let (v, m) = x[0].var_mean(Some(&[0]), 1.0, false).unwrap();
        v.mul_scalar(0.7)
            .unwrap()
            .add(&m.mul_scalar(1.3).unwrap())
            .unwrap()
    };
    gradcheck(both, &[a()]);
    gradgradcheck(both, &[a()]);
    let both = |x: &[Tensor]| {
        let (s, m) = x[0].std_mean(None, 1.0, false).unwrap();
        s.mul_scalar(0.7)
            .unwrap()
            .add(&m.mul_scalar(1.3).unwrap())
            .unwrap()
    };
    gradcheck(both, &[a()]);
    gradgradcheck(both, &[a()]);
    // only the mean used
    let only_mean = |x: &[Tensor]| x[0].std_mean(Some(&[1]), 1.0, true).unwrap().1;
    gradcheck(only_mean, &[a()]);
    assert_eq!(
        err(ints(&[1, 2], &[2]).var_mean(None, 1.0, false)),
        "std and var only support floating point and complex dtypes"
    );
}

// ---- logsumexp ----------------------------------------------------------------------------

#[test]
fn logsumexp_values_and_edges() {
    let x = t64(&[1.0, 2.0, 3.0, 1000.0, 1000.0, -1000.0], &[2, 3]);
    let l = x.logsumexp(&[1], false).unwrap();
    assert_vals!(l, [3.40760596444438, 1000.6931471805599]);
    assert_eq!(l.grad_fn().unwrap().name(), "LogsumexpBackward0");
    assert_eq!(x.logsumexp(&[0, 1], true).unwrap().shape(), &[1, 1]);
    // infinite max replaced by 0
    let y = t64(&[f64::NEG_INFINITY, f64::NEG_INFINITY, INF, 1.0], &[2, 2]);
    let l = y.logsumexp(&[1], false).unwrap();
    assert_vals!(l, [f64::NEG_INFINITY, INF]);
    // grad g*exp(x - result): nan for all -inf and for +inf
    assert_vals!(grad1(&l, &y), [NAN, NAN, NAN, 0.0]);
    // ints compute in float32
    let i = ints(&[0, 0], &[2]).logsumexp(&[0], false).unwrap();
    assert_eq!(i.dtype(), DType::F32);
    assert!((i.item().unwrap() - 2f64.ln()).abs() < 1e-6);
    // empty slice: log(0)
    assert_vals!(
        Tensor::zeros(&[2, 0], DType::F32)
            .logsumexp(&[1], false)
            .unwrap(),
        [f64::NEG_INFINITY, f64::NEG_INFINITY]
    );
    let a = || t64(&[0.5, -1.2, 2.0, 0.7, 1.5, -0.3], &[2, 3]);
    gradgradcheck(|x| x[0].logsumexp(&[0], true).unwrap(), &[a()]);
    assert_eq!(
        err(x.logsumexp(&[3], false)),
        "Dimension out of range (expected to be in range of [-2, 1], but got 3)"
    );
}

// ---- cumsum / cumprod ---------------------------------------------------------------------

#[test]
fn cumsum_cumprod_values_and_dtypes() {
    let x = t64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_vals!(x.cumsum(1).unwrap(), [1.0, 3.0, 6.0, 4.0, 9.0, 15.0]);
    assert_vals!(x.cumsum(0).unwrap(), [1.0, 2.0, 3.0, 5.0, 7.0, 9.0]);
    assert_vals!(x.cumprod(-1).unwrap(), [1.0, 2.0, 6.0, 4.0, 20.0, 120.0]);
    assert_vals!(
        x.transpose(0, 1).unwrap().cumsum(1).unwrap(),
        [1.0, 5.0, 2.0, 7.0, 3.0, 9.0]
    );
    assert_eq!(
        x.cumsum(1).unwrap().grad_fn().unwrap().name(),
        "CumsumBackward0"
    );
    assert_eq!(
        x.cumprod(1).unwrap().grad_fn().unwrap().name(),
        "CumprodBackward0"
    );
    let i = Tensor::from_vec(vec![1i32, 2, 3], vec![3]).unwrap();
    assert_eq!(i.cumsum(0).unwrap().dtype(), DType::I64);
    assert_eq!(i.cumprod(0).unwrap().dtype(), DType::I64);
    assert_vals!(i.cumprod(0).unwrap(), [1.0, 2.0, 6.0]);
    let b = Tensor::from_vec(vec![true, false, true], vec![3]).unwrap();
    assert_vals!(b.cumsum(0).unwrap(), [1.0, 1.0, 2.0]);
    assert_eq!(b.cumsum(0).unwrap().dtype(), DType::I64);
    let f = Tensor::from_vec(vec![1.0f32, 2.0], vec![2]).unwrap();
    assert_eq!(f.cumsum(0).unwrap().dtype(), DType::F32);
    let s = t64(&[2.0], &[]);
    assert_vals!(s.cumsum(0).unwrap(), [2.0]);
    assert_eq!(s.cumsum(-1).unwrap().shape(), &[] as &[usize]);
    assert_eq!(
        Tensor::zeros(&[0, 2], DType::F32)
            .cumsum(0)
            .unwrap()
            .shape(),
        &[0, 2]
    );
    assert_eq!(
        err(x.cumsum(2)),
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    );
    assert_vals!(
        grad1(&x.cumsum(1).unwrap(), &x),
        [3.0, 2.0, 1.0, 3.0, 2.0, 1.0]
    );
}

#[test]
fn cumprod_gradient_with_zeros_is_exact() {
    // d/dx_k Σ_j cumprod_j: with x = [2, 0, 3, 4]
    // out = [2, 0, 0, 0]; grad_0 = 1 (only out_0 counts, out_j>0 vanish through x_1 = 0)
    // grad_1 = 2 + 2*3 + 2*3*4 = 32; grad_2 = grad_3 = 0
    let x = t64(&[2.0, 0.0, 3.0, 4.0], &[4]);
    let g = grad1(&x.cumprod(0).unwrap(), &x);
    assert_vals!(g, [1.0, 32.0, 0.0, 0.0]);
    assert!(g.iter().all(|v| v.is_finite()));
    // two zeros
    let x = t64(&[0.0, 2.0, 0.0, 5.0], &[4]);
    assert_vals!(grad1(&x.cumprod(0).unwrap(), &x), [3.0, 0.0, 0.0, 0.0]);
    // polynomial: exact first and second order (the second goes through the O(n^2) path)
    for v in [
        vec![2.0, 0.0, 3.0, -1.5, 0.5, 0.0],
        vec![0.0, 0.0, 1.2, 0.7, 0.0, 2.0],
        vec![1.1, 0.6, 0.0, -0.4, 2.0, 0.9],
    ] {
        gradcheck(|x| x[0].cumprod(1).unwrap(), &[t64(&v, &[2, 3])]);
        gradcheck(|x| x[0].cumprod(0).unwrap(), &[t64(&v, &[2, 3])]);
        gradgradcheck(|x| x[0].cumprod(1).unwrap(), &[t64(&v, &[2, 3])]);
        gradgradcheck(|x| x[0].cumprod(0).unwrap(), &[t64(&v, &[3, 2])]);
    }
}

// ---- norms --------------------------------------------------------------------------------

#[test]
fn vector_norm_values() {
    let x = t64(&[3.0, -4.0, 0.0, 1.0, -2.0, 2.0], &[2, 3]);
    assert_vals!(
        x.linalg_vector_norm(2.0, None, false).unwrap(),
        [34f64.sqrt()]
    );
    assert_vals!(
        x.linalg_vector_norm(2.0, Some(&[1]), false).unwrap(),
        [5.0, 3.0]
    );
    assert_vals!(
        x.linalg_vector_norm(1.0, Some(&[1]), true).unwrap(),
        [7.0, 5.0]
    );
    assert_vals!(
        x.linalg_vector_norm(INF, Some(&[0]), false).unwrap(),
        [3.0, 4.0, 2.0]
    );
    assert_vals!(
        x.linalg_vector_norm(f64::NEG_INFINITY, None, false)
            .unwrap(),
        [0.0]
    );
    assert_vals!(
        x.linalg_vector_norm(0.0, Some(&[1]), false).unwrap(),
        [2.0, 3.0]
    );
    assert_vals!(
        x.linalg_vector_norm(3.0, Some(&[1]), false).unwrap(),
        [91f64.cbrt(), 17f64.cbrt()]
    );
    assert_vals!(
        x.linalg_vector_norm(-1.0, Some(&[1]), false).unwrap(),
        [0.0, 0.5]
    );
    assert_vals!(x.norm(None, None, false).unwrap(), [34f64.sqrt()]);
    assert_vals!(x.norm(Some(1.0), Some(&[0, 1]), false).unwrap(), [12.0]);
    assert_eq!(
        x.norm(None, None, false).unwrap().grad_fn().unwrap().name(),
        "LinalgVectorNormBackward0"
    );
    assert_eq!(
        x.linalg_vector_norm(2.0, Some(&[1]), true).unwrap().shape(),
        &[2, 1]
    );
    let n = t64(&[1.0, NAN], &[2]);
    assert!(n
        .linalg_vector_norm(INF, None, false)
        .unwrap()
        .item()
        .unwrap()
        .is_nan());
    // empty
    let e = Tensor::zeros(&[0, 3], DType::F32);
    assert_vals!(e.linalg_vector_norm(2.0, None, false).unwrap(), [0.0]);
    assert_eq!(
        e.linalg_vector_norm(INF, Some(&[1]), false)
            .unwrap()
            .shape(),
        &[0]
    );
    assert_vals!(
        e.linalg_vector_norm(1.0, Some(&[0]), false).unwrap(),
        [0.0, 0.0, 0.0]
    );
    assert_eq!(err(e.linalg_vector_norm(INF, None, false)), "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have an identity");
    assert_eq!(err(e.linalg_vector_norm(-1.0, None, false)), "linalg.vector_norm cannot compute the -1 norm on an empty tensor because the operation does not have an identity");
    assert_eq!(err(e.linalg_vector_norm(INF, Some(&[1, 0]), false)), "linalg.vector_norm cannot compute the inf norm on the dimension 0because this dimension is empty and the operation does not have an identity");
    // dtypes
    assert_eq!(
        err(ints(&[1, 2], &[2]).linalg_vector_norm(2.0, None, false)),
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"
    );
    assert_eq!(
        err(ints(&[1, 2], &[2]).norm(None, None, false)),
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"
    );
    assert_eq!(
        err(Tensor::zeros(&[2, 2, 2], DType::F32).norm(None, Some(&[0, 1, 2]), false)),
        "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2"
    );
}

#[test]
fn vector_norm_gradient_conventions() {
    // p=2 at the zero vector: 0
    let z = t64(&[0.0, 0.0, 3.0, 4.0], &[2, 2]);
    assert_vals!(
        grad1(&z.linalg_vector_norm(2.0, Some(&[1]), false).unwrap(), &z),
        [0.0, 0.0, 0.6, 0.8]
    );
    // p=1: sgn (0 at 0)
    let x = t64(&[-2.0, 0.0, 3.0], &[3]);
    assert_vals!(
        grad1(&x.linalg_vector_norm(1.0, None, false).unwrap(), &x),
        [-1.0, 0.0, 1.0]
    );
    // p=inf: split among |x| ties, times the sign
    let x = t64(&[-3.0, 1.0, 3.0, 2.0], &[4]);
    assert_vals!(
        grad1(&x.linalg_vector_norm(INF, None, false).unwrap(), &x),
        [-0.5, 0.0, 0.5, 0.0]
    );
    assert_vals!(
        grad1(
            &x.linalg_vector_norm(f64::NEG_INFINITY, None, false)
                .unwrap(),
            &x
        ),
        [0.0, 1.0, 0.0, 0.0]
    );
    // p=3 and p=1.5 at the zero vector: 0; p=0.5 with a zero entry: 0 there
    let z = t64(&[0.0, 0.0], &[2]);
    assert_vals!(
        grad1(&z.linalg_vector_norm(3.0, None, false).unwrap(), &z),
        [0.0, 0.0]
    );
    assert_vals!(
        grad1(&z.linalg_vector_norm(1.5, None, false).unwrap(), &z),
        [0.0, 0.0]
    );
    let h = t64(&[0.0, 4.0], &[2]);
    assert_vals!(
        grad1(&h.linalg_vector_norm(0.5, None, false).unwrap(), &h),
        [0.0, 1.0]
    );
    // p=0: no gradient at all (PyTorch returns an undefined grad)
    let x = t64(&[1.0, 0.0, 2.0], &[3]);
    let g = grad(
        &[x.linalg_vector_norm(0.0, None, false).unwrap()],
        &[x.clone()],
        &[],
        false,
        false,
        true,
    )
    .unwrap();
    assert!(g[0].is_none());
    let a = || t64(&[0.5, -1.2, 2.0, 0.7, 1.5, -0.3], &[2, 3]);
    for p in [2.0, 1.0, 3.0, 1.5, 0.5, -1.0, INF, f64::NEG_INFINITY] {
        gradcheck(
            move |x| x[0].linalg_vector_norm(p, Some(&[1]), false).unwrap(),
            &[a()],
        );
    }
    gradgradcheck(
        |x| x[0].linalg_vector_norm(2.0, None, true).unwrap(),
        &[a()],
    );
    gradgradcheck(
        |x| x[0].linalg_vector_norm(3.0, Some(&[0]), false).unwrap(),
        &[a()],
    );
    // 0-d
    let s = t64(&[-2.0], &[]);
    assert_vals!(s.linalg_vector_norm(2.0, None, false).unwrap(), [2.0]);
    assert_vals!(
        grad1(&s.linalg_vector_norm(2.0, None, false).unwrap(), &s),
        [-1.0]
    );
}

// ---- all / any ----------------------------------------------------------------------------

#[test]
fn all_any() {
    let x =
        Tensor::from_f64_slice(&[1.0, 0.0, 2.0, 3.0, NAN, -1.0], vec![2, 3], DType::F32).unwrap();
    let a = x.all().unwrap();
    assert_eq!(a.dtype(), DType::Bool);
    assert_eq!(a.shape(), &[] as &[usize]);
    assert_vals!(a, [0.0]);
    assert_vals!(x.any().unwrap(), [1.0]);
    assert_vals!(x.all_dims(&[1], false).unwrap(), [0.0, 1.0]);
    assert_vals!(x.any_dims(&[0], true).unwrap(), [1.0, 1.0, 1.0]);
    assert_eq!(x.any_dims(&[0], true).unwrap().shape(), &[1, 3]);
    assert_vals!(x.all_dims(&[0, 1], false).unwrap(), [0.0]);
    let e = Tensor::zeros(&[0], DType::I64);
    assert_vals!(e.all().unwrap(), [1.0]);
    assert_vals!(e.any().unwrap(), [0.0]);
    let b = Tensor::from_vec(vec![true, true], vec![2]).unwrap();
    assert_vals!(b.all().unwrap(), [1.0]);
    assert_vals!(ints(&[0, 0], &[2]).any().unwrap(), [0.0]);
    let t = t64(&[1.0, 2.0], &[2]);
    assert!(!t.all().unwrap().requires_grad());
    assert_eq!(
        err(x.all_dims(&[2], false)),
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
    );
}

#[test]
fn float32_inputs_keep_float32() {
    let x = Tensor::from_vec(vec![1.0f32, -2.0, 3.0, 0.5], vec![2, 2]).unwrap();
    assert_eq!(x.prod().unwrap().dtype(), DType::F32);
    assert_eq!(x.max().unwrap().dtype(), DType::F32);
    assert_eq!(x.max_dim(0, false).unwrap().0.dtype(), DType::F32);
    assert_eq!(x.amin(&[1], false).unwrap().dtype(), DType::F32);
    assert_eq!(x.logsumexp(&[1], false).unwrap().dtype(), DType::F32);
    assert_eq!(x.cumprod(0).unwrap().dtype(), DType::F32);
    assert_eq!(
        x.linalg_vector_norm(2.0, None, false).unwrap().dtype(),
        DType::F32
    );
    assert_eq!(x.var(None, 1.0, false).unwrap().dtype(), DType::F32);
}
