//! The linalg family: matmul's PyTorch rules (grad_fn per case, broadcasting, folding),
//! dot/mv/outer/bmm/addmm/baddbmm/trace/vecdot/einsum values, edge cases and error messages,
//! and the creation ops (eye, linspace, logspace, randint and randperm streams).

#![allow(clippy::cloned_ref_to_slice_refs)]

mod common;
use common::*;
use tensorgrad_core::autograd::grad;
use tensorgrad_core::{manual_seed, DType, Tensor};

fn f64t(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_f64_slice(v, shape.to_vec(), DType::F64).unwrap()
}

fn seq(shape: &[usize]) -> Vec<f64> {
    let n: usize = shape.iter().product();
    (0..n).map(|i| (i as f64) * 0.5 - 1.0).collect()
}

fn leaf(shape: &[usize]) -> Tensor {
    t64(&seq(shape), shape)
}

fn err(r: tensorgrad_core::Result<Tensor>) -> String {
    match r {
        Ok(t) => panic!("expected an error, got shape {:?}", t.shape()),
        Err(e) => e.message().to_string(),
    }
}

fn name(t: &Tensor) -> String {
    t.grad_fn()
        .map(|f| f.name().to_string())
        .unwrap_or_default()
}

/// Reference batched product with explicit loops: `a[..., n, k] @ b[..., k, p]` after
/// broadcasting both to the same batch shape (given already expanded shapes).
fn naive_mm(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                c[i * n + j] += a[i * k + p] * b[p * n + j];
            }
        }
    }
    c
}

#[test]
fn matmul_grad_fn_per_case() {
    let (v3, v3b) = (leaf(&[3]), leaf(&[3]));
    let m23 = leaf(&[2, 3]);
    let m32 = leaf(&[3, 2]);
    assert_eq!(name(&v3.matmul(&v3b).unwrap()), "DotBackward0");
    assert_eq!(name(&m23.matmul(&v3).unwrap()), "MvBackward0");
    assert_eq!(name(&v3.matmul(&m32).unwrap()), "SqueezeBackward4");
    assert_eq!(name(&m23.matmul(&m32).unwrap()), "MmBackward0");
    let b = leaf(&[4, 2, 3]);
    assert_eq!(name(&b.matmul(&m32).unwrap()), "UnsafeViewBackward0");
    assert_eq!(name(&b.matmul(&v3).unwrap()), "UnsafeViewBackward0");
    // 2-D @ 3-D with the 2-D operand requiring grad: folded, transposed back, contiguous()
    let b2 = leaf(&[4, 3, 2]);
    assert_eq!(name(&m23.matmul(&b2).unwrap()), "CloneBackward0");
    assert_eq!(name(&b.matmul(&b2).unwrap()), "UnsafeViewBackward0");
}

#[test]
fn matmul_shapes_and_values() {
    // 1-D @ 1-D
    let a = f64t(&[1.0, 2.0, 3.0], &[3]);
    let b = f64t(&[4.0, -5.0, 6.0], &[3]);
    let d = a.matmul(&b).unwrap();
    assert_eq!(d.shape(), &[] as &[usize]);
    assert_eq!(d.to_f64_vec(), vec![12.0]);
    // 2-D @ 1-D and 1-D @ 2-D
    let m = f64t(&seq(&[2, 3]), &[2, 3]);
    assert_eq!(
        m.matmul(&a).unwrap().to_f64_vec(),
        naive_mm(&seq(&[2, 3]), &[1.0, 2.0, 3.0], 2, 3, 1)
    );
    let mt = f64t(&seq(&[3, 2]), &[3, 2]);
    let r = a.matmul(&mt).unwrap();
    assert_eq!(r.shape(), &[2]);
    assert_eq!(
        r.to_f64_vec(),
        naive_mm(&[1.0, 2.0, 3.0], &seq(&[3, 2]), 1, 3, 2)
    );
    // batched with broadcasting: [2, 1, 2, 3] @ [3, 3, 4] -> [2, 3, 2, 4]
    let x = f64t(&seq(&[2, 1, 2, 3]), &[2, 1, 2, 3]);
    let yv: Vec<f64> = (0..36).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
    let y = f64t(&yv, &[3, 3, 4]);
    let z = x.matmul(&y).unwrap();
    assert_eq!(z.shape(), &[2, 3, 2, 4]);
    let zv = z.to_f64_vec();
    let xv = seq(&[2, 1, 2, 3]);
    for i in 0..2 {
        for j in 0..3 {
            let want = naive_mm(&xv[i * 6..i * 6 + 6], &yv[j * 12..j * 12 + 12], 2, 3, 4);
            let got = &zv[(i * 3 + j) * 8..(i * 3 + j) * 8 + 8];
            assert_eq!(got, want.as_slice());
        }
    }
    // 1-D @ 3-D and 3-D @ 1-D
    let w = f64t(&seq(&[2, 3, 4]), &[2, 3, 4]);
    let r = a.matmul(&w).unwrap();
    assert_eq!(r.shape(), &[2, 4]);
    assert_eq!(
        &r.to_f64_vec()[..4],
        naive_mm(&[1.0, 2.0, 3.0], &seq(&[2, 3, 4])[..12], 1, 3, 4).as_slice()
    );
    let v4 = f64t(&[1.0, 0.0, -1.0, 2.0], &[4]);
    let r = w.matmul(&v4).unwrap();
    assert_eq!(r.shape(), &[2, 3]);
    assert_eq!(
        &r.to_f64_vec()[3..],
        naive_mm(&seq(&[2, 3, 4])[12..], &[1.0, 0.0, -1.0, 2.0], 3, 4, 1).as_slice()
    );
    // 2-D @ 3-D without grad: not folded, broadcast through bmm
    let r = m.matmul(&w).unwrap();
    assert_eq!(r.shape(), &[2, 2, 4]);
    assert_eq!(
        &r.to_f64_vec()[8..],
        naive_mm(&seq(&[2, 3]), &seq(&[2, 3, 4])[12..], 2, 3, 4).as_slice()
    );
    // integers stay integers
    let i = Tensor::from_vec(vec![1i64, 2, 3, 4, 5, 6, 7, 8], vec![2, 2, 2]).unwrap();
    let r = i.matmul(&i).unwrap();
    assert_eq!(r.dtype(), DType::I64);
    assert_eq!(
        r.to_vec::<i64>().unwrap(),
        vec![7, 10, 15, 22, 67, 78, 91, 106]
    );
}

#[test]
fn matmul_gradients_sum_broadcast_batches() {
    // Batch dims broadcast in both directions; grads come back in the input shapes.
    gradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[leaf(&[2, 1, 2, 3]), leaf(&[3, 3, 2])],
    );
    gradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[leaf(&[1, 2, 3]), leaf(&[4, 3, 2])],
    );
    gradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[leaf(&[3]), leaf(&[2, 3, 2])],
    );
    gradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[leaf(&[2, 3]), leaf(&[2, 3, 2])],
    );
    gradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[leaf(&[2, 2, 3]), leaf(&[3])],
    );
    gradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[leaf(&[2, 2, 2, 3]), leaf(&[3, 2])],
    );
    gradgradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[leaf(&[2, 1, 2, 3]), leaf(&[3, 3, 2])],
    );
    gradgradcheck(
        |x| x[0].matmul(&x[1]).unwrap(),
        &[leaf(&[2, 3]), leaf(&[2, 3, 2])],
    );
    let a = leaf(&[2, 1, 2, 3]);
    let b = leaf(&[3, 3, 2]);
    a.matmul(&b)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(a.grad().unwrap().shape(), &[2, 1, 2, 3]);
    assert_eq!(b.grad().unwrap().shape(), &[3, 3, 2]);
    // Only one side requiring grad.
    let c = f64t(&seq(&[4, 3]), &[4, 3]);
    gradcheck(|x| x[0].matmul(&c).unwrap(), &[leaf(&[2, 2, 4])]);
    gradcheck(|x| c.matmul(&x[0]).unwrap(), &[leaf(&[2, 3, 2])]);
}

#[test]
fn matmul_errors() {
    let s = Tensor::scalar(1.0, DType::F32);
    let v = Tensor::zeros(&[3], DType::F32);
    assert_eq!(
        err(s.matmul(&v)),
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D"
    );
    assert_eq!(
        err(Tensor::zeros(&[2, 3], DType::F32).matmul(&Tensor::zeros(&[4, 5], DType::F32))),
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"
    );
    assert_eq!(
        err(Tensor::zeros(&[3], DType::F32).matmul(&Tensor::zeros(&[4, 5], DType::F32))),
        "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"
    );
    assert_eq!(
        err(Tensor::zeros(&[3], DType::F32).matmul(&Tensor::zeros(&[4], DType::F32))),
        "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively"
    );
    assert_eq!(
        err(Tensor::zeros(&[2, 3], DType::F32).matmul(&Tensor::zeros(&[4], DType::F32))),
        "size mismatch, got input (2), mat (2x3), vec (4)"
    );
    assert_eq!(
        err(Tensor::zeros(&[2, 3, 4], DType::F32).matmul(&Tensor::zeros(&[2, 5, 6], DType::F32))),
        "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5]."
    );
    assert_eq!(
        err(Tensor::zeros(&[2, 3, 4], DType::F32).matmul(&Tensor::zeros(&[3, 4, 6], DType::F32))),
        "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
    );
    // folded: [2, 3, 4] @ [5, 6] is one mm of (6x4) and (5x6)
    assert_eq!(
        err(Tensor::zeros(&[2, 3, 4], DType::F32).matmul(&Tensor::zeros(&[5, 6], DType::F32))),
        "mat1 and mat2 shapes cannot be multiplied (6x4 and 5x6)"
    );
    assert_eq!(
        err(Tensor::zeros(&[2, 2], DType::F32).matmul(&Tensor::zeros(&[2, 2], DType::F64))),
        "expected m1 and m2 to have the same dtype, but got: float != double"
    );
    assert_eq!(
        err(Tensor::zeros(&[2, 2], DType::Bool).mm(&Tensor::zeros(&[2, 2], DType::Bool))),
        "\"addmm_impl_cpu_\" not implemented for 'Bool'"
    );
}

#[test]
fn empty_and_strided_products() {
    // k = 0 gives zeros, empty batches give empty results.
    let a = Tensor::zeros(&[2, 0], DType::F32);
    let b = Tensor::zeros(&[0, 3], DType::F32);
    let r = a.mm(&b).unwrap();
    assert_eq!(r.shape(), &[2, 3]);
    assert!(r.to_f64_vec().iter().all(|&v| v == 0.0));
    let r = Tensor::zeros(&[0, 2, 3], DType::F32)
        .matmul(&Tensor::zeros(&[3, 4], DType::F32))
        .unwrap();
    assert_eq!(r.shape(), &[0, 2, 4]);
    let r = Tensor::zeros(&[3, 0, 2], DType::F32)
        .bmm(&Tensor::zeros(&[3, 2, 5], DType::F32))
        .unwrap();
    assert_eq!(r.shape(), &[3, 0, 5]);
    // Transposed and otherwise strided operands give the same values as contiguous ones.
    let zc = f64t(&seq(&[3, 4]), &[3, 4]).t().unwrap(); // [4, 3], column-major
    let z = zc.contiguous().unwrap();
    let yc = f64t(&seq(&[5, 3]), &[5, 3]).t().unwrap(); // [3, 5], column-major
    let yr = yc.contiguous().unwrap();
    let want = z.mm(&yr).unwrap().to_f64_vec();
    assert_eq!(zc.mm(&yr).unwrap().to_f64_vec(), want);
    assert_eq!(z.mm(&yc).unwrap().to_f64_vec(), want);
    assert_eq!(zc.mm(&yc).unwrap().to_f64_vec(), want);
    // expanded (stride 0) and sliced-looking operands
    let e = f64t(&[1.0, 2.0, 3.0], &[3, 1]).expand(&[3, 4]).unwrap();
    assert_eq!(
        zc.mm(&e).unwrap().to_f64_vec(),
        z.mm(&e.contiguous().unwrap()).unwrap().to_f64_vec()
    );
    let b3 = f64t(&seq(&[2, 4, 3]), &[2, 4, 3]).transpose(1, 2).unwrap(); // [2, 3, 4]
    let a3 = f64t(&seq(&[2, 2, 3]), &[2, 2, 3]);
    assert_eq!(
        a3.bmm(&b3).unwrap().to_f64_vec(),
        a3.bmm(&b3.contiguous().unwrap()).unwrap().to_f64_vec()
    );
}

#[test]
fn dot_mv_outer() {
    let a = f64t(&[1.0, 2.0, 3.0], &[3]);
    let b = f64t(&[4.0, 5.0, 6.0], &[3]);
    assert_eq!(a.dot(&b).unwrap().to_f64_vec(), vec![32.0]);
    let ia = Tensor::from_vec(vec![1i32, 2, 3], vec![3]).unwrap();
    let r = ia.dot(&ia).unwrap();
    assert_eq!((r.dtype(), r.to_f64_vec()), (DType::I32, vec![14.0]));
    assert_eq!(
        err(a.dot(&Tensor::zeros(&[3], DType::F32))),
        "dot : expected both vectors to have same dtype, but found Double and Float"
    );
    assert_eq!(
        err(a.dot(&Tensor::zeros(&[1, 3], DType::F64))),
        "1D tensors expected, but got 1D and 2D tensors"
    );
    let inf = f64t(&[f64::INFINITY, 0.0], &[2]);
    assert!(inf
        .dot(&f64t(&[0.0, 1.0], &[2]))
        .unwrap()
        .item()
        .unwrap()
        .is_nan());
    let empty = Tensor::zeros(&[0], DType::F64);
    assert_eq!(empty.dot(&empty).unwrap().to_f64_vec(), vec![0.0]);

    let m = f64t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_eq!(m.mv(&a).unwrap().to_f64_vec(), vec![14.0, 32.0]);
    assert_eq!(
        err(a.mv(&a)),
        "vector + matrix @ vector expected, got 1, 1, 1"
    );
    assert_eq!(
        err(m.mv(&f64t(&[1.0, 2.0], &[2]))),
        "size mismatch, got input (2), mat (2x3), vec (2)"
    );
    gradcheck(|x| x[0].mv(&x[1]).unwrap(), &[leaf(&[2, 3]), leaf(&[3])]);
    gradgradcheck(|x| x[0].mv(&x[1]).unwrap(), &[leaf(&[2, 3]), leaf(&[3])]);
    gradcheck(|x| x[0].dot(&x[1]).unwrap(), &[leaf(&[3]), leaf(&[3])]);

    let o = a.outer(&f64t(&[1.0, -1.0], &[2])).unwrap();
    assert_eq!(o.shape(), &[3, 2]);
    assert_eq!(o.to_f64_vec(), vec![1.0, -1.0, 2.0, -2.0, 3.0, -3.0]);
    assert_eq!(a.ger(&a).unwrap().shape(), &[3, 3]);
    // outer promotes like mul
    assert_eq!(ia.outer(&a).unwrap().dtype(), DType::F64);
    assert_eq!(
        err(m.outer(&a)),
        "outer: Expected 1-D argument self, but got 2-D"
    );
    assert_eq!(
        err(a.outer(&m)),
        "outer: Expected 1-D argument vec2, but got 2-D"
    );
    assert_eq!(name(&leaf(&[3]).outer(&a).unwrap()), "MulBackward0");
}

#[test]
fn bmm_addmm_baddbmm() {
    let a = f64t(&seq(&[2, 2, 3]), &[2, 2, 3]);
    let b = f64t(&seq(&[2, 3, 4]), &[2, 3, 4]);
    let r = a.bmm(&b).unwrap();
    assert_eq!(r.shape(), &[2, 2, 4]);
    assert_eq!(
        &r.to_f64_vec()[8..],
        naive_mm(&seq(&[2, 2, 3])[6..], &seq(&[2, 3, 4])[12..], 2, 3, 4).as_slice()
    );
    assert_eq!(
        err(a.bmm(&f64t(&seq(&[3, 3, 4]), &[3, 3, 4]))),
        "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."
    );
    assert_eq!(
        err(a.bmm(&Tensor::zeros(&[3, 4], DType::F64))),
        "batch2 must be a 3D tensor"
    );
    assert_eq!(
        err(Tensor::zeros(&[3, 4], DType::F64).bmm(&a)),
        "batch1 must be a 3D tensor"
    );
    gradcheck(
        |x| x[0].bmm(&x[1]).unwrap(),
        &[leaf(&[2, 2, 3]), leaf(&[2, 3, 4])],
    );

    // addmm: input broadcast, beta/alpha
    let m1 = f64t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let m2 = f64t(&[1.0, 0.0, 0.0, 1.0], &[2, 2]);
    let inp = f64t(&[10.0, 20.0], &[2]);
    let r = inp.addmm(&m1, &m2, 1.0, 1.0).unwrap();
    assert_eq!(r.to_f64_vec(), vec![11.0, 22.0, 13.0, 24.0]);
    let r = inp.addmm(&m1, &m2, 0.5, 2.0).unwrap();
    assert_eq!(r.to_f64_vec(), vec![7.0, 14.0, 11.0, 18.0]);
    // beta = 0 ignores nan/inf in input
    let bad = f64t(&[f64::NAN, f64::INFINITY], &[2]);
    assert_eq!(
        bad.addmm(&m1, &m2, 0.0, 1.0).unwrap().to_f64_vec(),
        vec![1.0, 2.0, 3.0, 4.0]
    );
    assert_eq!(
        err(inp.addmm(&m1, &Tensor::zeros(&[3, 2], DType::F64), 1.0, 1.0)),
        "mat1 and mat2 shapes cannot be multiplied (2x2 and 3x2)"
    );
    assert_eq!(
        err(inp.addmm(&f64t(&[1.0, 2.0], &[2]), &m2, 1.0, 1.0)),
        "mat1 must be a matrix, got 1-D tensor"
    );
    assert_eq!(
        err(inp.addmm(&m1, &Tensor::zeros(&[2, 2], DType::F32), 1.0, 1.0)),
        "self and mat2 must have the same dtype, but got Double and Float"
    );
    assert!(err(f64t(&[1.0, 2.0, 3.0], &[3]).addmm(&m1, &m2, 1.0, 1.0))
        .starts_with("The expanded size of the tensor (2) must match the existing size (3)"));
    let im = Tensor::from_vec(vec![1i64, 2, 3, 4], vec![2, 2]).unwrap();
    assert_eq!(
        im.addmm(&im, &im, 2.0, 3.0)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![23, 34, 51, 74]
    );
    assert_eq!(
        err(im.addmm(&im, &im, 0.5, 1.0)),
        "For integral input tensors, argument beta must not be a floating point number."
    );
    gradcheck(
        |x| x[0].addmm(&x[1], &x[2], 0.5, 2.0).unwrap(),
        &[leaf(&[2, 1]), leaf(&[2, 3]), leaf(&[3, 4])],
    );
    gradcheck(
        |x| x[0].addmm(&x[1], &x[2], 0.0, 1.0).unwrap(),
        &[leaf(&[2, 4]), leaf(&[2, 3]), leaf(&[3, 4])],
    );
    let i0 = leaf(&[2, 2]);
    let o = i0.addmm(&m1, &m2, 0.0, 1.0).unwrap();
    assert_eq!(name(&o), "AddmmBackward0");
    let g = grad(&[o.sum().unwrap()], &[i0], &[], false, false, false).unwrap();
    assert_eq!(g[0].as_ref().unwrap().to_f64_vec(), vec![0.0; 4]);

    // baddbmm
    let inp = f64t(&[1.0, 2.0, 3.0, 4.0], &[4]);
    let r = inp.baddbmm(&a, &b, 2.0, -1.0).unwrap();
    let p = a.bmm(&b).unwrap().to_f64_vec();
    let want: Vec<f64> = p
        .iter()
        .enumerate()
        .map(|(i, v)| 2.0 * (1.0 + (i % 4) as f64) - v)
        .collect();
    assert_eq!(r.to_f64_vec(), want);
    assert_eq!(
        err(inp.baddbmm(&a, &Tensor::zeros(&[2, 3, 4], DType::F32), 1.0, 1.0)),
        "Input dtypes must be the same, got: input double, batch1: double, batch2: float"
    );
    gradcheck(
        |x| x[0].baddbmm(&x[1], &x[2], 1.5, -0.5).unwrap(),
        &[leaf(&[1, 4]), leaf(&[2, 2, 3]), leaf(&[2, 3, 4])],
    );
}

#[test]
fn trace_and_vecdot() {
    let m = f64t(&seq(&[3, 4]), &[3, 4]);
    // diagonal of [[-1,-0.5,0,0.5],[1,1.5,2,2.5],[3,3.5,4,4.5]] is -1, 1.5, 4
    assert_eq!(m.trace().unwrap().to_f64_vec(), vec![4.5]);
    assert_eq!(m.t().unwrap().trace().unwrap().to_f64_vec(), vec![4.5]);
    let i = Tensor::from_vec(vec![1i32, 2, 3, 4], vec![2, 2]).unwrap();
    let r = i.trace().unwrap();
    assert_eq!((r.dtype(), r.to_f64_vec()), (DType::I64, vec![5.0]));
    assert_eq!(
        err(f64t(&[1.0], &[1]).trace()),
        "trace: expected a matrix, but got tensor with dim 1"
    );
    assert_eq!(
        err(Tensor::zeros(&[2, 2], DType::Bool).trace()),
        "\"trace\" not implemented for 'Bool'"
    );
    let l = leaf(&[2, 3]);
    let o = l.trace().unwrap();
    let g = grad(&[o], &[l], &[], false, false, false).unwrap();
    assert_eq!(
        g[0].as_ref().unwrap().to_f64_vec(),
        vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    );

    let x = f64t(&seq(&[2, 3]), &[2, 3]);
    let y = f64t(&[1.0, 2.0, 3.0], &[3]);
    assert_eq!(
        x.linalg_vecdot(&y, -1).unwrap().to_f64_vec(),
        vec![-1.0 - 1.0 + 0.0, 0.5 + 2.0 + 4.5]
    );
    assert_eq!(x.linalg_vecdot(&x, 0).unwrap().shape(), &[3]);
    assert_eq!(
        err(x.linalg_vecdot(&Tensor::zeros(&[3], DType::F32), -1)),
        "linalg.vecdot: Expected x and y to have the same dtype, but found x of type Double and y of type Float instead"
    );
}

#[test]
fn einsum_equations() {
    let a = f64t(&seq(&[2, 3]), &[2, 3]);
    let b = f64t(&seq(&[3, 4]), &[3, 4]);
    let sq = f64t(&seq(&[3, 3]), &[3, 3]);
    let v = f64t(&[1.0, 2.0, 3.0], &[3]);
    let w = f64t(&[2.0, -1.0], &[2]);
    let close_to = |x: &Tensor, y: &Tensor| {
        assert_eq!(x.shape(), y.shape());
        assert!(
            close(&x.to_f64_vec(), &y.to_f64_vec(), 1e-12),
            "{:?} vs {:?}",
            x.to_f64_vec(),
            y.to_f64_vec()
        );
    };
    close_to(
        &Tensor::einsum("ij,jk->ik", &[a.clone(), b.clone()]).unwrap(),
        &a.mm(&b).unwrap(),
    );
    close_to(
        &Tensor::einsum("ij,jk", &[a.clone(), b.clone()]).unwrap(),
        &a.mm(&b).unwrap(),
    );
    close_to(
        &Tensor::einsum("ij,jk->ki", &[a.clone(), b.clone()]).unwrap(),
        &a.mm(&b).unwrap().t().unwrap(),
    );
    close_to(
        &Tensor::einsum("i,i", &[v.clone(), v.clone()]).unwrap(),
        &v.dot(&v).unwrap(),
    );
    close_to(
        &Tensor::einsum("i,i->", &[v.clone(), v.clone()]).unwrap(),
        &v.dot(&v).unwrap(),
    );
    close_to(
        &Tensor::einsum("i,j->ij", &[v.clone(), w.clone()]).unwrap(),
        &v.outer(&w).unwrap(),
    );
    close_to(
        &Tensor::einsum("ii->i", &[sq.clone()]).unwrap(),
        &f64t(&[-1.0, 1.0, 3.0], &[3]),
    );
    close_to(
        &Tensor::einsum("ii", &[sq.clone()]).unwrap(),
        &sq.trace().unwrap(),
    );
    close_to(
        &Tensor::einsum("ij->ji", &[a.clone()]).unwrap(),
        &a.t().unwrap(),
    );
    close_to(
        &Tensor::einsum("ij->", &[a.clone()]).unwrap(),
        &a.sum().unwrap(),
    );
    close_to(
        &Tensor::einsum("ij->j", &[a.clone()]).unwrap(),
        &a.sum_dims(&[0], false).unwrap(),
    );
    close_to(
        &Tensor::einsum("ij,j->i", &[a.clone(), v.clone()]).unwrap(),
        &a.mv(&v).unwrap(),
    );
    close_to(
        &Tensor::einsum(" i j , j -> i ", &[a.clone(), v.clone()]).unwrap(),
        &a.mv(&v).unwrap(),
    );
    // implicit output is alphabetical: 'ba' gives the transpose of 'ab'
    close_to(
        &Tensor::einsum("ba", &[a.clone()]).unwrap(),
        &a.t().unwrap(),
    );
    // batch
    let x = f64t(&seq(&[2, 2, 3]), &[2, 2, 3]);
    let y = f64t(&seq(&[2, 3, 4]), &[2, 3, 4]);
    close_to(
        &Tensor::einsum("bij,bjk->bik", &[x.clone(), y.clone()]).unwrap(),
        &x.bmm(&y).unwrap(),
    );
    // ellipsis
    close_to(
        &Tensor::einsum("...ij,...jk->...ik", &[x.clone(), y.clone()]).unwrap(),
        &x.bmm(&y).unwrap(),
    );
    close_to(
        &Tensor::einsum("...ij,...j", &[x.clone(), v.clone()]).unwrap(),
        &x.matmul(&v).unwrap(),
    );
    close_to(
        &Tensor::einsum("i...->...", &[x.clone()]).unwrap(),
        &x.sum_dims(&[0], false).unwrap(),
    );
    // three operands, repeated contraction index
    let r = Tensor::einsum("i,i,i->", &[v.clone(), v.clone(), v.clone()]).unwrap();
    assert_eq!(r.to_f64_vec(), vec![36.0]);
    let r = Tensor::einsum("ij,jk,kl->il", &[a.clone(), b.clone(), b.t().unwrap()]).unwrap();
    close_to(&r, &a.mm(&b).unwrap().mm(&b.t().unwrap()).unwrap());
    // a diagonal inside a product: 'iij,j->i'
    let c = f64t(&seq(&[2, 2, 3]), &[2, 2, 3]);
    let r = Tensor::einsum("iij,j->i", &[c.clone(), v.clone()]).unwrap();
    let cv = seq(&[2, 2, 3]);
    let want: Vec<f64> = (0..2)
        .map(|i| {
            (0..3)
                .map(|j| cv[i * 6 + i * 3 + j] * [1.0, 2.0, 3.0][j])
                .sum()
        })
        .collect();
    assert!(close(&r.to_f64_vec(), &want, 1e-12));
    // size-1 broadcasting of a subscript
    let one = f64t(&[2.0, 3.0], &[2, 1]);
    close_to(
        &Tensor::einsum("ij,ij->ij", &[a.clone(), one.clone()]).unwrap(),
        &a.mul(&one).unwrap(),
    );

    // gradients through the ops einsum is built from, first and second order
    gradcheck(
        |x| Tensor::einsum("bij,bjk->bik", x).unwrap(),
        &[leaf(&[2, 2, 3]), leaf(&[2, 3, 2])],
    );
    gradcheck(|x| Tensor::einsum("ii->i", x).unwrap(), &[leaf(&[3, 3])]);
    gradcheck(
        |x| Tensor::einsum("iij,j->i", x).unwrap(),
        &[leaf(&[2, 2, 3]), leaf(&[3])],
    );
    gradcheck(
        |x| Tensor::einsum("i,j->ij", x).unwrap(),
        &[leaf(&[3]), leaf(&[2])],
    );
    gradcheck(
        |x| Tensor::einsum("...ij,...j", x).unwrap(),
        &[leaf(&[2, 2, 3]), leaf(&[3])],
    );
    gradcheck(
        |x| Tensor::einsum("ij,jk,kl->il", x).unwrap(),
        &[leaf(&[2, 3]), leaf(&[3, 2]), leaf(&[2, 2])],
    );
    gradgradcheck(|x| Tensor::einsum("ii->i", x).unwrap(), &[leaf(&[3, 3])]);
    gradgradcheck(
        |x| Tensor::einsum("ij,jk", x).unwrap(),
        &[leaf(&[2, 3]), leaf(&[3, 2])],
    );
}

#[test]
fn einsum_errors() {
    let a = Tensor::zeros(&[2, 3], DType::F64);
    let b = Tensor::zeros(&[4, 5], DType::F64);
    let e = |eq: &str, ops: &[Tensor]| err(Tensor::einsum(eq, ops));
    assert_eq!(e("ij", &[]), "einsum(): must provide at least one operand");
    assert_eq!(
        e("ij,jk", &[a.clone()]),
        "einsum(): fewer operands were provided than specified in the equation"
    );
    assert_eq!(
        e("ij", &[a.clone(), a.clone()]),
        "einsum(): more operands were provided than specified in the equation"
    );
    assert_eq!(
        e("i", &[a.clone()]),
        "einsum(): the number of subscripts in the equation (1) does not match the number of dimensions (2) for operand 0 and no ellipsis was given"
    );
    assert_eq!(
        e("ijk...", &[a.clone()]),
        "einsum(): the number of subscripts in the equation (3) is more than the number of dimensions (2) for operand 0"
    );
    assert_eq!(
        e("ij,jk", &[a.clone(), b.clone()]),
        "einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"
    );
    assert_eq!(
        e("ii", &[a.clone()]),
        "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"
    );
    assert_eq!(
        e("ij->k", &[a.clone()]),
        "einsum(): output subscript k does not appear in the equation for any input operand"
    );
    assert_eq!(
        e("ij->ii", &[a.clone()]),
        "einsum(): output subscript i appears more than once in the output"
    );
    assert_eq!(
        e("i1", &[a.clone()]),
        "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]"
    );
    assert_eq!(
        e("i.j", &[a.clone()]),
        "einsum(): found '.' for operand 0 that is not part of any ellipsis"
    );
    assert_eq!(
        e("......", &[a.clone()]),
        "einsum(): found '.' for operand 0 for which an ellipsis was already found"
    );
}

#[test]
fn creation_ops() {
    assert_eq!(
        Tensor::eye(2, 3, DType::F32).unwrap().to_f64_vec(),
        vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    );
    assert_eq!(
        Tensor::eye(3, 2, DType::I64)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![1, 0, 0, 1, 0, 0]
    );
    assert_eq!(Tensor::eye(0, 0, DType::F32).unwrap().shape(), &[0, 0]);

    let l = Tensor::linspace(0.0, 1.0, 5, DType::F32).unwrap();
    assert_eq!(l.to_f64_vec(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    // the second half is computed from the end, so the last value is exactly `end`
    let l = Tensor::linspace(-1.0, 0.7, 7, DType::F64)
        .unwrap()
        .to_f64_vec();
    assert_eq!(l[6], 0.7);
    assert_eq!(l[0], -1.0);
    assert_eq!(
        Tensor::linspace(3.0, 10.0, 1, DType::F32)
            .unwrap()
            .to_f64_vec(),
        vec![3.0]
    );
    assert_eq!(
        Tensor::linspace(3.0, 10.0, 0, DType::F32).unwrap().shape(),
        &[0]
    );
    assert_eq!(
        Tensor::linspace(0.0, 10.0, 4, DType::I64)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![0, 3, 6, 10]
    );
    assert_eq!(
        err(Tensor::linspace(0.0, 1.0, -1, DType::F32)),
        "number of steps must be non-negative"
    );
    let g = Tensor::logspace(0.0, 3.0, 4, 10.0, DType::F64)
        .unwrap()
        .to_f64_vec();
    assert!(close(&g, &[1.0, 10.0, 100.0, 1000.0], 1e-12));
    let g = Tensor::logspace(0.0, 2.0, 3, 2.0, DType::F32)
        .unwrap()
        .to_f64_vec();
    assert_eq!(g, vec![1.0, 2.0, 4.0]);
}

#[test]
fn random_streams_match_pytorch() {
    manual_seed(0);
    let r = Tensor::randint(0, 10, &[5], DType::I64).unwrap();
    assert_eq!(r.dtype(), DType::I64);
    assert_eq!(r.to_vec::<i64>().unwrap(), vec![4, 9, 3, 0, 3]);
    manual_seed(0);
    assert_eq!(
        Tensor::randint(0, 17, &[10], DType::I64)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![7, 3, 12, 16, 2, 0, 16, 10, 6, 5]
    );
    manual_seed(42);
    assert_eq!(
        Tensor::randint(0, 100, &[10], DType::I64)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![42, 67, 76, 14, 26, 35, 20, 24, 50, 13]
    );
    manual_seed(0);
    let r = Tensor::randint(-5, 5, &[2, 3], DType::F32).unwrap();
    assert_eq!((r.dtype(), r.shape()), (DType::F32, &[2usize, 3][..]));
    assert!(r
        .to_f64_vec()
        .iter()
        .all(|&v| (-5.0..5.0).contains(&v) && v.fract() == 0.0));
    // ranges of 2^28 and more use 64-bit draws, without overflow
    let r = Tensor::randint(i64::MIN, i64::MAX, &[100], DType::I64).unwrap();
    assert_eq!(r.numel(), 100);
    assert_eq!(
        err(Tensor::randint(5, 5, &[2], DType::I64)),
        "random_ expects 'from' to be less than 'to', but got from=5 >= to=5"
    );

    manual_seed(0);
    assert_eq!(
        Tensor::randperm(10, DType::I64)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![4, 1, 7, 5, 3, 9, 0, 8, 6, 2]
    );
    manual_seed(42);
    assert_eq!(
        Tensor::randperm(10, DType::I64)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![2, 6, 1, 8, 4, 5, 0, 9, 3, 7]
    );
    manual_seed(1);
    assert_eq!(
        Tensor::randperm(10, DType::I64)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![5, 6, 1, 2, 0, 8, 9, 3, 7, 4]
    );
    assert_eq!(Tensor::randperm(0, DType::I64).unwrap().shape(), &[0]);
    assert_eq!(
        Tensor::randperm(1, DType::I64)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![0]
    );
    let mut p = Tensor::randperm(50, DType::F64).unwrap().to_f64_vec();
    p.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(p, (0..50).map(|i| i as f64).collect::<Vec<_>>());
}
