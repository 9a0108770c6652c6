//! The views family: values, view-ness (shared storage), edge cases, PyTorch's errors, dtypes.

mod common;
use common::*;
use tensorgrad_core::{DType, Tensor};

fn ar(n: usize, shape: &[usize]) -> Tensor {
    let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
    Tensor::from_f64_slice(&v, shape.to_vec(), DType::F32).unwrap()
}

fn grad_of(x: &Tensor, y: &Tensor) -> Vec<f64> {
    let w: Vec<f64> = (0..y.numel()).map(|i| (i + 1) as f64).collect();
    let w = Tensor::from_f64_slice(&w, y.shape().to_vec(), y.dtype()).unwrap();
    y.mul(&w)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    x.grad().unwrap().to_f64_vec()
}

fn msg(r: tensorgrad_core::Result<Tensor>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.message().to_string(),
    }
}

#[test]
fn flatten_unflatten() {
    let x = ar(24, &[2, 3, 4]);
    assert_eq!(x.flatten(0, -1).unwrap().shape(), &[24]);
    let f = x.flatten(1, 2).unwrap();
    assert_eq!(f.shape(), &[2, 12]);
    assert!(f.shares_storage(&x));
    assert_eq!(
        Tensor::scalar(3.0, DType::F32)
            .flatten(0, -1)
            .unwrap()
            .shape(),
        &[1]
    );
    assert!(x.flatten(1, 1).unwrap().same(&x));
    assert_eq!(
        msg(x.flatten(2, 1)),
        "flatten() has invalid args: start_dim cannot come after end_dim"
    );
    let u = x.unflatten(2, &[2, -1]).unwrap();
    assert_eq!(u.shape(), &[2, 3, 2, 2]);
    assert!(u.shares_storage(&x));
    assert_eq!(
        msg(x.unflatten(1, &[2, 2])),
        "unflatten: Provided sizes [2, 2] don't multiply up to the size of dim 1 (3) in the input tensor"
    );
}

#[test]
fn permute_and_movedim() {
    let x = ar(24, &[2, 3, 4]);
    let p = x.permute(&[2, 0, 1]).unwrap();
    assert_eq!(p.shape(), &[4, 2, 3]);
    assert!(p.shares_storage(&x));
    assert_eq!(p.grad_fn().is_none(), true); // x does not require grad
    assert_eq!(
        p.contiguous().unwrap().to_f64_vec()[..4],
        [0.0, 4.0, 8.0, 12.0]
    );
    assert_eq!(
        msg(x.permute(&[0, 1])),
        "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 3 is not equal to len(dims) = 2"
    );
    assert_eq!(
        msg(x.permute(&[0, 0, 1])),
        "permute(): duplicate dims are not allowed."
    );
    assert_eq!(x.movedim(&[0], &[2]).unwrap().shape(), &[3, 4, 2]);
    assert_eq!(x.movedim(&[0, 1], &[2, 0]).unwrap().shape(), &[3, 4, 2]);
    assert_eq!(x.movedim(&[-1], &[0]).unwrap().shape(), &[4, 2, 3]);
    assert_eq!(
        msg(x.movedim(&[0, 1], &[0])),
        "movedim: Invalid source or destination dims: source ([0, 1] dims) should contain the same number of dims as destination ([0] dims)"
    );
    assert_eq!(
        msg(x.movedim(&[0, 0], &[1, 2])),
        "movedim: repeated dim in `source` ([0, 0])"
    );
    let w = t64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let y = w.permute(&[1, 0]).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "PermuteBackward0");
    assert_eq!(grad_of(&w, &y), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
}

#[test]
fn expand_as_and_broadcast_to() {
    let x = ar(3, &[3, 1]);
    let e = x.expand_as(&Tensor::zeros(&[2, 3, 4], DType::F32)).unwrap();
    assert_eq!(e.shape(), &[2, 3, 4]);
    assert!(e.shares_storage(&x));
    assert_eq!(x.broadcast_to(&[3, 5]).unwrap().shape(), &[3, 5]);
    assert!(x.broadcast_to(&[4, 5]).is_err());
}

#[test]
fn repeat_and_tile() {
    let x = ar(2, &[2]);
    assert_eq!(
        x.repeat(&[2, 3]).unwrap().to_f64_vec(),
        vec![0., 1., 0., 1., 0., 1., 0., 1., 0., 1., 0., 1.]
    );
    assert_eq!(x.repeat(&[2, 3]).unwrap().shape(), &[2, 6]);
    assert_eq!(x.repeat(&[0]).unwrap().shape(), &[0]);
    assert_eq!(
        msg(ar(4, &[2, 2]).repeat(&[2])),
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
    );
    let y = ar(4, &[2, 2]);
    assert_eq!(y.tile(&[2]).unwrap().shape(), &[2, 4]);
    assert_eq!(y.tile(&[2, 1, 1]).unwrap().shape(), &[2, 2, 2]);
    let w = t64(&[1.0, 2.0], &[2]);
    let r = w.repeat(&[3]).unwrap();
    assert_eq!(r.grad_fn().unwrap().name(), "RepeatBackward0");
    // copies at 0..2, 2..4, 4..6: weights 1..6 sum per position
    assert_eq!(grad_of(&w, &r), vec![1.0 + 3.0 + 5.0, 2.0 + 4.0 + 6.0]);
    // bool and int64 repeat
    let b = Tensor::from_vec(vec![true, false], vec![2]).unwrap();
    assert_eq!(b.repeat(&[2]).unwrap().to_f64_vec(), vec![1., 0., 1., 0.]);
}

#[test]
fn flip_and_roll() {
    let x = ar(6, &[2, 3]);
    assert_eq!(
        x.flip(&[0]).unwrap().to_f64_vec(),
        vec![3., 4., 5., 0., 1., 2.]
    );
    assert_eq!(
        x.flip(&[-1]).unwrap().to_f64_vec(),
        vec![2., 1., 0., 5., 4., 3.]
    );
    assert_eq!(
        x.flip(&[0, 1]).unwrap().to_f64_vec(),
        vec![5., 4., 3., 2., 1., 0.]
    );
    assert!(!x.flip(&[0]).unwrap().shares_storage(&x));
    assert_eq!(
        msg(x.flip(&[0, 0])),
        "dim 0 appears multiple times in the list of dims"
    );
    // transposed input
    assert_eq!(
        x.t().unwrap().flip(&[0]).unwrap().to_f64_vec(),
        vec![2., 5., 1., 4., 0., 3.]
    );
    assert_eq!(
        x.roll(&[1], &[1]).unwrap().to_f64_vec(),
        vec![2., 0., 1., 5., 3., 4.]
    );
    assert_eq!(
        x.roll(&[-1], &[0]).unwrap().to_f64_vec(),
        vec![3., 4., 5., 0., 1., 2.]
    );
    assert_eq!(
        x.roll(&[1], &[]).unwrap().to_f64_vec(),
        vec![5., 0., 1., 2., 3., 4.]
    );
    assert_eq!(x.roll(&[7], &[]).unwrap().shape(), &[2, 3]);
    assert_eq!(
        x.roll(&[1, 1], &[0, 1]).unwrap().to_f64_vec(),
        vec![5., 3., 4., 2., 0., 1.]
    );
    assert_eq!(
        msg(x.roll(&[1, 2], &[0])),
        "shifts and dimensions must align. shifts: 2, dims:1"
    );
    let w = t64(&[1.0, 2.0, 3.0], &[3]);
    let r = w.roll(&[1], &[0]).unwrap();
    assert_eq!(r.grad_fn().unwrap().name(), "RollBackward0");
    assert_eq!(grad_of(&w, &r), vec![2.0, 3.0, 1.0]);
    let w = t64(&[1.0, 2.0, 3.0], &[3]);
    let f = w.flip(&[0]).unwrap();
    assert_eq!(f.grad_fn().unwrap().name(), "FlipBackward0");
    assert_eq!(grad_of(&w, &f), vec![3.0, 2.0, 1.0]);
    // empty
    assert_eq!(
        Tensor::zeros(&[0, 2], DType::F32)
            .flip(&[0])
            .unwrap()
            .shape(),
        &[0, 2]
    );
    assert_eq!(
        Tensor::zeros(&[0], DType::F32)
            .roll(&[1], &[0])
            .unwrap()
            .shape(),
        &[0]
    );
}

#[test]
fn narrow_select_diagonal_are_views() {
    let x = ar(12, &[3, 4]);
    let n = x.narrow(1, 1, 2).unwrap();
    assert!(n.shares_storage(&x));
    assert_eq!(n.to_f64_vec(), vec![1., 2., 5., 6., 9., 10.]);
    assert_eq!(
        x.narrow(0, -1, 1).unwrap().to_f64_vec(),
        vec![8., 9., 10., 11.]
    );
    assert_eq!(
        msg(x.narrow(0, 2, 2)),
        "start (2) + length (2) exceeds dimension size (3)."
    );
    assert_eq!(
        msg(x.narrow(0, 4, 0)),
        "start out of range (expected to be in range of [-3, 3], but got 4)"
    );
    assert_eq!(x.narrow(0, 3, 0).unwrap().shape(), &[0, 4]);
    let s = x.select(1, -1).unwrap();
    assert!(s.shares_storage(&x));
    assert_eq!(s.to_f64_vec(), vec![3., 7., 11.]);
    assert_eq!(
        msg(x.select(0, 3)),
        "select(): index 3 out of range for tensor of size [3, 4] at dimension 0"
    );
    let d = x.diagonal(0, 0, 1).unwrap();
    assert!(d.shares_storage(&x));
    assert_eq!(d.to_f64_vec(), vec![0., 5., 10.]);
    assert_eq!(x.diagonal(1, 0, 1).unwrap().to_f64_vec(), vec![1., 6., 11.]);
    assert_eq!(x.diagonal(-1, 0, 1).unwrap().to_f64_vec(), vec![4., 9.]);
    assert_eq!(x.diagonal(5, 0, 1).unwrap().shape(), &[0]);
    assert_eq!(x.diagonal(0, 1, 0).unwrap().to_f64_vec(), vec![0., 5., 10.]);
    assert_eq!(
        msg(x.diagonal(0, 1, 1)),
        "diagonal dimensions cannot be identical 1, 1"
    );
    let b = ar(24, &[2, 3, 4]).diagonal(0, 1, 2).unwrap();
    assert_eq!(b.shape(), &[2, 3]);
    assert_eq!(b.to_f64_vec(), vec![0., 5., 10., 12., 17., 22.]);
    // writes through a view reach the base
    let y = ar(6, &[2, 3]);
    y.select(0, 1).unwrap().fill_(9.0).unwrap();
    assert_eq!(y.to_f64_vec(), vec![0., 1., 2., 9., 9., 9.]);
    // gradients
    let w = t64(&[1., 2., 3., 4.], &[2, 2]);
    let d = w.diagonal(0, 0, 1).unwrap();
    assert_eq!(d.grad_fn().unwrap().name(), "DiagonalBackward0");
    assert_eq!(grad_of(&w, &d), vec![1., 0., 0., 2.]);
    let w = t64(&[1., 2., 3., 4.], &[2, 2]);
    let s = w.select(0, 1).unwrap();
    assert_eq!(s.grad_fn().unwrap().name(), "SelectBackward0");
    assert_eq!(grad_of(&w, &s), vec![0., 0., 1., 2.]);
    let w = t64(&[1., 2., 3.], &[3]);
    let n = w.narrow(0, 1, 2).unwrap();
    assert_eq!(n.grad_fn().unwrap().name(), "SliceBackward0");
    assert_eq!(grad_of(&w, &n), vec![0., 1., 2.]);
}

#[test]
fn tril_triu() {
    let x = ar(9, &[3, 3]).add_scalar(1.0).unwrap();
    assert_eq!(
        x.tril(0).unwrap().to_f64_vec(),
        vec![1., 0., 0., 4., 5., 0., 7., 8., 9.]
    );
    assert_eq!(
        x.triu(0).unwrap().to_f64_vec(),
        vec![1., 2., 3., 0., 5., 6., 0., 0., 9.]
    );
    assert_eq!(
        x.tril(-1).unwrap().to_f64_vec(),
        vec![0., 0., 0., 4., 0., 0., 7., 8., 0.]
    );
    assert_eq!(
        x.triu(1).unwrap().to_f64_vec(),
        vec![0., 2., 3., 0., 0., 6., 0., 0., 0.]
    );
    assert_eq!(
        ar(6, &[2, 3]).tril(5).unwrap().to_f64_vec(),
        ar(6, &[2, 3]).to_f64_vec()
    );
    assert_eq!(
        msg(ar(3, &[3]).tril(0)),
        "tril: input tensor must have at least 2 dimensions"
    );
    let nanx = Tensor::from_f64_slice(
        &[f64::NAN, f64::NAN, f64::NAN, f64::NAN],
        vec![2, 2],
        DType::F32,
    )
    .unwrap();
    let t = nanx.triu(0).unwrap().to_f64_vec();
    assert!(t[0].is_nan() && t[2] == 0.0);
    let b = Tensor::from_vec(vec![true; 4], vec![2, 2]).unwrap();
    assert_eq!(b.tril(0).unwrap().dtype(), DType::Bool);
    let w = t64(&[1., 2., 3., 4.], &[2, 2]);
    let t = w.tril(0).unwrap();
    assert_eq!(t.grad_fn().unwrap().name(), "TrilBackward0");
    assert_eq!(grad_of(&w, &t), vec![1., 0., 3., 4.]);
}

#[test]
fn split_chunk_unbind() {
    let x = ar(5, &[5]);
    let s = x.split(2, 0).unwrap();
    assert_eq!(
        s.iter().map(|t| t.shape()[0]).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
    assert!(s.iter().all(|t| t.shares_storage(&x)));
    assert_eq!(s[2].to_f64_vec(), vec![4.0]);
    let s = x.split_with_sizes(&[1, 4], 0).unwrap();
    assert_eq!(s[1].to_f64_vec(), vec![1., 2., 3., 4.]);
    assert_eq!(
        x.split_with_sizes(&[1, 1], 0).unwrap_err().message(),
        "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 0), but got split_sizes=[1, 1]"
    );
    assert_eq!(
        x.split(-1, 0).unwrap_err().message(),
        "split expects split_size be non-negative, but got split_size=-1"
    );
    assert_eq!(x.chunk(3, 0).unwrap().len(), 3);
    assert_eq!(ar(6, &[6]).chunk(4, 0).unwrap().len(), 3); // sizes 2,2,2 as in PyTorch
    assert_eq!(
        x.chunk(0, 0).unwrap_err().message(),
        "chunk expects `chunks` to be greater than 0, got: 0"
    );
    let u = ar(6, &[2, 3]).unbind(1).unwrap();
    assert_eq!(u.len(), 3);
    assert_eq!(u[1].to_f64_vec(), vec![1., 4.]);
    let w = t64(&[1., 2., 3., 4.], &[4]);
    let parts = w.split(3, 0).unwrap();
    assert_eq!(parts[1].grad_fn().unwrap().name(), "SplitBackward0");
    // only the second piece is used: the others' gradients are zeros
    assert_eq!(grad_of(&w, &parts[1]), vec![0., 0., 0., 1.]);
    let w = t64(&[1., 2., 3., 4.], &[2, 2]);
    let u = w.unbind(0).unwrap();
    assert_eq!(u[0].grad_fn().unwrap().name(), "UnbindBackward0");
    let s = u[0]
        .add(&u[1].mul_scalar(2.0).unwrap())
        .unwrap()
        .sum()
        .unwrap();
    s.backward(None, false, false).unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![1., 1., 2., 2.]);
}

#[test]
fn cat_and_stack() {
    let a = ar(4, &[2, 2]);
    let b = ar(6, &[2, 3]);
    let c = Tensor::cat(&[a.clone(), b.clone()], 1).unwrap();
    assert_eq!(c.shape(), &[2, 5]);
    assert_eq!(c.to_f64_vec(), vec![0., 1., 0., 1., 2., 2., 3., 3., 4., 5.]);
    assert_eq!(
        Tensor::cat(&[a.clone(), b.clone()], 0).unwrap_err().message(),
        "Sizes of tensors must match except in dimension 0. Expected size 2 but got size 3 for tensor number 1 in the list."
    );
    let b2 = ar(6, &[3, 2]);
    assert_eq!(
        Tensor::cat(&[a.clone(), b2.clone()], 1).unwrap_err().message(),
        "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor number 1 in the list."
    );
    assert_eq!(
        Tensor::cat(&[], 0).unwrap_err().message(),
        "torch.cat(): expected a non-empty list of Tensors"
    );
    assert_eq!(
        Tensor::cat(&[a.clone(), ar(2, &[2])], 0)
            .unwrap_err()
            .message(),
        "Tensors must have same number of dimensions: got 2 and 1"
    );
    assert_eq!(
        Tensor::cat(&[Tensor::scalar(1.0, DType::F32)], 0)
            .unwrap_err()
            .message(),
        "zero-dimensional tensor (at position 0) cannot be concatenated"
    );
    // legacy empty 1-D tensors are skipped
    let e = Tensor::zeros(&[0], DType::F32);
    assert_eq!(
        Tensor::cat(&[e.clone(), a.clone()], 1).unwrap().shape(),
        &[2, 2]
    );
    // dtype promotion
    let i = Tensor::from_vec(vec![1i64, 2], vec![1, 2]).unwrap();
    let f = Tensor::from_vec(vec![0.5f64, 1.5], vec![1, 2]).unwrap();
    let c = Tensor::cat(&[i.clone(), f.clone()], 0).unwrap();
    assert_eq!(c.dtype(), DType::F64);
    assert_eq!(c.to_f64_vec(), vec![1., 2., 0.5, 1.5]);
    assert_eq!(
        Tensor::cat(&[i.clone(), i.clone()], 0).unwrap().dtype(),
        DType::I64
    );
    // stack
    let s = Tensor::stack(&[ar(3, &[3]), ar(3, &[3])], 1).unwrap();
    assert_eq!(s.shape(), &[3, 2]);
    assert_eq!(s.to_f64_vec(), vec![0., 0., 1., 1., 2., 2.]);
    assert_eq!(Tensor::stack(&[ar(3, &[3])], -1).unwrap().shape(), &[3, 1]);
    assert_eq!(
        Tensor::stack(&[ar(2, &[2]), ar(3, &[3])], 0)
            .unwrap_err()
            .message(),
        "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1"
    );
    assert_eq!(
        Tensor::stack(&[], 0).unwrap_err().message(),
        "stack expects a non-empty TensorList"
    );
    // gradients go back to each input (and to its dtype)
    let x = t64(&[1., 2.], &[2]);
    let y = t64(&[3., 4., 5.], &[3]);
    let c = Tensor::cat(&[x.clone(), y.clone()], 0).unwrap();
    assert_eq!(c.grad_fn().unwrap().name(), "CatBackward0");
    let w = Tensor::from_f64_slice(&[1., 2., 3., 4., 5.], vec![5], DType::F64).unwrap();
    c.mul(&w)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(x.grad().unwrap().to_f64_vec(), vec![1., 2.]);
    assert_eq!(y.grad().unwrap().to_f64_vec(), vec![3., 4., 5.]);
    let x = t64(&[1., 2.], &[2]);
    let y = t64(&[3., 4.], &[2]);
    let s = Tensor::stack(&[x.clone(), y.clone()], 0).unwrap();
    assert_eq!(s.grad_fn().unwrap().name(), "StackBackward0");
    let w = Tensor::from_f64_slice(&[1., 2., 3., 4.], vec![2, 2], DType::F64).unwrap();
    s.mul(&w)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(y.grad().unwrap().to_f64_vec(), vec![3., 4.]);
}

#[test]
fn views_second_order_through_embedding() {
    // d/dx of sum((select(x)^2)) then differentiate again: exercises SelectBackwardBackward0.
    let x = t64(&[1., 2., 3., 4.], &[2, 2]);
    gradgradcheck(
        |xs| xs[0].select(1, 0).unwrap().pow_scalar(3.0).unwrap(),
        &[x.clone()],
    );
    gradgradcheck(
        |xs| xs[0].diagonal(0, 0, 1).unwrap().pow_scalar(2.0).unwrap(),
        &[x.clone()],
    );
    gradgradcheck(
        |xs| {
            Tensor::cat(&[xs[0].clone(), xs[0].flip(&[0]).unwrap()], 0)
                .unwrap()
                .pow_scalar(2.0)
                .unwrap()
        },
        &[x],
    );
}
