//! The indexing family: x[...] (basic and advanced), index_put, gather/scatter, index_select,
//! index_add, masked ops, nonzero. Values, placement rules, accumulation, errors, dtypes.

mod common;
use common::*;
use tensorgrad_core::ops::indexing::TensorIndex as I;
use tensorgrad_core::{DType, Tensor};

fn ar(n: usize, shape: &[usize]) -> Tensor {
    let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
    Tensor::from_f64_slice(&v, shape.to_vec(), DType::F32).unwrap()
}
fn long(v: &[i64], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape.to_vec()).unwrap()
}
fn mask(v: &[bool], shape: &[usize]) -> Tensor {
    Tensor::from_vec(v.to_vec(), shape.to_vec()).unwrap()
}
fn all() -> I {
    I::Slice {
        start: None,
        stop: None,
        step: 1,
    }
}
fn msg(r: tensorgrad_core::Result<Tensor>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.message().to_string(),
    }
}

#[test]
fn basic_indexing_gives_views() {
    let x = ar(24, &[2, 3, 4]);
    let y = x.index(&[I::Int(1)]).unwrap();
    assert_eq!(y.shape(), &[3, 4]);
    assert!(y.shares_storage(&x));
    let y = x
        .index(&[
            I::Int(-1),
            all(),
            I::Slice {
                start: Some(1),
                stop: None,
                step: 2,
            },
        ])
        .unwrap();
    assert_eq!(y.shape(), &[3, 2]);
    assert_eq!(y.to_f64_vec(), vec![13., 15., 17., 19., 21., 23.]);
    let y = x.index(&[I::Ellipsis, I::Int(0)]).unwrap();
    assert_eq!(y.shape(), &[2, 3]);
    assert_eq!(y.to_f64_vec(), vec![0., 4., 8., 12., 16., 20.]);
    let y = x.index(&[I::NewAxis, I::Ellipsis, I::NewAxis]).unwrap();
    assert_eq!(y.shape(), &[1, 2, 3, 4, 1]);
    // Python slice clamping and negative bounds
    let v = ar(5, &[5]);
    let s = |a: Option<isize>, b: Option<isize>, c| {
        v.index(&[I::Slice {
            start: a,
            stop: b,
            step: c,
        }])
        .unwrap()
        .to_f64_vec()
    };
    assert_eq!(s(Some(-2), None, 1), vec![3., 4.]);
    assert_eq!(s(None, Some(-1), 2), vec![0., 2.]);
    assert_eq!(s(Some(10), Some(20), 1), Vec::<f64>::new());
    assert_eq!(s(Some(3), Some(1), 1), Vec::<f64>::new());
    assert_eq!(s(Some(-100), Some(100), 3), vec![0., 3.]);
    assert_eq!(
        msg(v.index(&[I::Slice {
            start: None,
            stop: None,
            step: -1
        }])),
        "step must be greater than zero"
    );
    assert_eq!(
        msg(x.index(&[I::Int(2)])),
        "index 2 is out of bounds for dimension 0 with size 2"
    );
    assert_eq!(
        msg(x.index(&[all(), I::Int(-4)])),
        "index -4 is out of bounds for dimension 1 with size 3"
    );
    assert_eq!(
        msg(x.index(&[I::Int(0), I::Int(0), I::Int(0), I::Int(0)])),
        "too many indices for tensor of dimension 3"
    );
    assert_eq!(
        msg(x.index(&[I::Ellipsis, I::Ellipsis])),
        "an index can only have a single ellipsis ('...')"
    );
    assert!(msg(Tensor::scalar(1.0, DType::F32).index(&[I::Int(0)]))
        .starts_with("invalid index of a 0-dim tensor"));
    // x[0] = 5 through the view
    let z = ar(4, &[2, 2]);
    z.index(&[I::Int(0)]).unwrap().fill_(5.0).unwrap();
    assert_eq!(z.to_f64_vec(), vec![5., 5., 2., 3.]);
    // a 0-d integer tensor selects like an int
    let y = x.index(&[I::Tensor(long(&[1], &[]))]).unwrap();
    assert_eq!(y.shape(), &[3, 4]);
    assert!(y.shares_storage(&x));
}

#[test]
fn advanced_indexing_placement() {
    let x = ar(24, &[2, 3, 4]);
    // one index tensor
    let y = x.index(&[I::Tensor(long(&[1, 0, 1], &[3]))]).unwrap();
    assert_eq!(y.shape(), &[3, 3, 4]);
    assert!(!y.shares_storage(&x));
    // adjacent index tensors keep their place
    let y = x
        .index(&[
            all(),
            I::Tensor(long(&[0, 2], &[2])),
            I::Tensor(long(&[1, 3], &[2])),
        ])
        .unwrap();
    assert_eq!(y.shape(), &[2, 2]);
    assert_eq!(y.to_f64_vec(), vec![1., 11., 13., 23.]);
    // separated index tensors go first
    let y = x
        .index(&[
            I::Tensor(long(&[0, 1], &[2])),
            all(),
            I::Tensor(long(&[3, 0], &[2])),
        ])
        .unwrap();
    assert_eq!(y.shape(), &[2, 3]);
    assert_eq!(y.to_f64_vec(), vec![3., 7., 11., 12., 16., 20.]);
    // broadcasting index shapes
    let y = x
        .index(&[
            I::Tensor(long(&[0, 1], &[2, 1])),
            I::Tensor(long(&[0, 1, 2], &[3])),
        ])
        .unwrap();
    assert_eq!(y.shape(), &[2, 3, 4]);
    // an int then a tensor: PyTorch selects first, so the tensor dim stays in place
    let y = x
        .index(&[I::Int(0), all(), I::Tensor(long(&[0, 1], &[2]))])
        .unwrap();
    assert_eq!(y.shape(), &[3, 2]);
    // negative indices wrap
    assert_eq!(
        ar(4, &[4])
            .index(&[I::Tensor(long(&[-1, 0], &[2]))])
            .unwrap()
            .to_f64_vec(),
        vec![3., 0.]
    );
    // int32 indices are accepted
    let i32i = Tensor::from_vec(vec![2i32, 0], vec![2]).unwrap();
    assert_eq!(
        ar(4, &[4]).index(&[I::Tensor(i32i)]).unwrap().to_f64_vec(),
        vec![2., 0.]
    );
    // empty index
    assert_eq!(
        x.index(&[I::Tensor(long(&[], &[0]))]).unwrap().shape(),
        &[0, 3, 4]
    );
    // errors
    assert_eq!(
        msg(x.index(&[I::Tensor(long(&[0, 2], &[2]))])),
        "index 2 is out of bounds for dimension 0 with size 2"
    );
    assert_eq!(
        msg(x.index(&[I::Tensor(ar(2, &[2]))])),
        "tensors used as indices must be long, int, byte or bool tensors"
    );
    assert_eq!(
        msg(x.index(&[
            I::Tensor(long(&[0, 1], &[2])),
            I::Tensor(long(&[0, 1, 2], &[3]))
        ])),
        "shape mismatch: indexing tensors could not be broadcast together with shapes [2], [3]"
    );
}

#[test]
fn bool_masks() {
    let x = ar(6, &[2, 3]);
    let m = x.gt_scalar(2.5).unwrap();
    let y = x.index(&[I::Tensor(m.clone())]).unwrap();
    assert_eq!(y.shape(), &[3]);
    assert_eq!(y.to_f64_vec(), vec![3., 4., 5.]);
    let y = x.index(&[I::Tensor(mask(&[false, true], &[2]))]).unwrap();
    assert_eq!(y.shape(), &[1, 3]);
    let y = x
        .index(&[all(), I::Tensor(mask(&[true, false, true], &[3]))])
        .unwrap();
    assert_eq!(y.to_f64_vec(), vec![0., 2., 3., 5.]);
    let y = x.index(&[I::Tensor(mask(&[false; 6], &[2, 3]))]).unwrap();
    assert_eq!(y.shape(), &[0]);
    assert_eq!(
        msg(x.index(&[I::Tensor(mask(&[true, false, true], &[3]))])),
        "The shape of the mask [3] at index 0 does not match the shape of the indexed tensor [2, 3] at index 0"
    );
    assert_eq!(
        x.index(&[I::Tensor(Tensor::from_vec(vec![true], vec![]).unwrap())])
            .unwrap()
            .shape(),
        &[1, 2, 3]
    );
}

#[test]
fn index_gradients_accumulate() {
    let w = t64(&[1., 2., 3.], &[3]);
    let y = w.index(&[I::Tensor(long(&[0, 2, 0, 0], &[4]))]).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "IndexBackward0");
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![3., 0., 1.]);
    let w = t64(&[1., 2., 3., 4.], &[2, 2]);
    let y = w.index(&[I::Int(0)]).unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "SelectBackward0");
    let y = w
        .index(&[
            all(),
            I::Slice {
                start: Some(1),
                stop: None,
                step: 1,
            },
        ])
        .unwrap();
    assert_eq!(y.grad_fn().unwrap().name(), "SliceBackward0");
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![0., 1., 0., 1.]);
}

#[test]
fn index_put_values_and_errors() {
    let x = Tensor::zeros(&[3], DType::F32);
    let v = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], vec![3]).unwrap();
    let i = long(&[0, 0, 2], &[3]);
    assert_eq!(
        x.index_put(&[Some(i.clone())], &v, true)
            .unwrap()
            .to_f64_vec(),
        vec![3., 0., 3.]
    );
    assert_eq!(
        x.index_put(&[Some(i.clone())], &v, false)
            .unwrap()
            .to_f64_vec(),
        vec![2., 0., 3.]
    );
    // broadcast values
    let y = Tensor::zeros(&[2, 2], DType::F32);
    let m = mask(&[true, false, false, true], &[2, 2]);
    assert_eq!(
        y.index_put(&[Some(m.clone())], &Tensor::scalar(7.0, DType::F32), false)
            .unwrap()
            .to_f64_vec(),
        vec![7., 0., 0., 7.]
    );
    // in place
    x.index_put_(
        &[Some(long(&[1], &[1]))],
        &Tensor::scalar(4.0, DType::F32),
        false,
    )
    .unwrap();
    assert_eq!(x.to_f64_vec(), vec![0., 4., 0.]);
    assert_eq!(
        msg(x.index_put(&[Some(i.clone())], &Tensor::scalar(1.0, DType::F64), false)),
        "Index put requires the source and destination dtypes match, got Float for the destination and Double for the source."
    );
    assert_eq!(
        msg(x.index_put(&[Some(i.clone())], &Tensor::zeros(&[2], DType::F32), false)),
        "shape mismatch: value tensor of shape [2] cannot be broadcast to indexing result of shape [3]"
    );
    assert_eq!(
        msg(x.index_put(
            &[Some(long(&[3], &[1]))],
            &Tensor::scalar(1.0, DType::F32),
            false
        )),
        "index 3 is out of bounds for dimension 0 with size 3"
    );
    // gradients
    let a = t64(&[1., 2., 3.], &[3]);
    let b = t64(&[5., 6.], &[2]);
    let o = a
        .index_put(&[Some(long(&[2, 0], &[2]))], &b, false)
        .unwrap();
    assert_eq!(o.grad_fn().unwrap().name(), "IndexPutBackward0");
    let w = Tensor::from_f64_slice(&[1., 2., 3.], vec![3], DType::F64).unwrap();
    o.mul(&w)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![0., 2., 0.]);
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![3., 1.]);
}

#[test]
fn gather_scatter() {
    let x = ar(6, &[2, 3]);
    let g = x.gather(1, &long(&[2, 0, 1, 1], &[2, 2])).unwrap();
    assert_eq!(g.to_f64_vec(), vec![2., 0., 4., 4.]);
    let g = x.gather(0, &long(&[1, 0, 1], &[1, 3])).unwrap();
    assert_eq!(g.to_f64_vec(), vec![3., 1., 5.]);
    assert_eq!(
        msg(x.gather(1, &long(&[3], &[1, 1]))),
        "index 3 is out of bounds for dimension 1 with size 3"
    );
    assert_eq!(
        msg(x.gather(1, &long(&[-1], &[1, 1]))),
        "index -1 is out of bounds for dimension 1 with size 3"
    );
    assert_eq!(
        msg(x.gather(1, &Tensor::from_vec(vec![0i32], vec![1, 1]).unwrap())),
        "gather(): Expected dtype int64 for index"
    );
    assert_eq!(
        msg(x.gather(1, &long(&[0], &[1]))),
        "Index tensor must have the same number of dimensions as input tensor"
    );
    assert_eq!(
        msg(x.gather(1, &long(&[0; 3], &[3, 1]))),
        "Size does not match at dimension 0 expected index [3, 1] to be smaller than self [2, 3] apart from dimension 1"
    );
    // scatter
    let z = Tensor::zeros(&[2, 3], DType::F32);
    let src = ar(6, &[2, 3]).add_scalar(1.0).unwrap();
    let s = z.scatter(1, &long(&[2, 0, 1, 1], &[2, 2]), &src).unwrap();
    assert_eq!(s.to_f64_vec(), vec![2., 0., 1., 0., 5., 0.]);
    let s = z.scatter_value(0, &long(&[1, 0, 1], &[1, 3]), 9.0).unwrap();
    assert_eq!(s.to_f64_vec(), vec![0., 9., 0., 9., 0., 9.]);
    let s = z
        .scatter_add(1, &long(&[1, 1, 0, 0], &[2, 2]), &src)
        .unwrap();
    assert_eq!(s.to_f64_vec(), vec![0., 3., 0., 9., 0., 0.]);
    assert_eq!(
        msg(z.scatter(1, &long(&[0], &[1, 1]), &Tensor::zeros(&[1, 1], DType::F64))),
        "scatter(): Expected self.dtype to be equal to src.dtype"
    );
    assert_eq!(
        msg(z.scatter_add(1, &long(&[5], &[1, 1]), &src)),
        "index 5 is out of bounds for dimension 1 with size 3"
    );
    // in place
    let t = Tensor::zeros(&[3], DType::F32);
    t.scatter_value_(0, &long(&[2], &[1]), 1.0).unwrap();
    t.scatter_add_(0, &long(&[2, 0], &[2]), &Tensor::ones(&[2], DType::F32))
        .unwrap();
    assert_eq!(t.to_f64_vec(), vec![1., 0., 2.]);
    // integer scatter_add
    let zi = Tensor::zeros(&[2], DType::I64);
    assert_eq!(
        zi.scatter_add(0, &long(&[1, 1], &[2]), &long(&[3, 4], &[2]))
            .unwrap()
            .to_f64_vec(),
        vec![0., 7.]
    );
    // gradients: gather with repeated indices accumulates
    let w = t64(&[1., 2., 3.], &[3]);
    let g = w.gather(0, &long(&[2, 2, 0], &[3])).unwrap();
    assert_eq!(g.grad_fn().unwrap().name(), "GatherBackward0");
    g.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![1., 0., 2.]);
    let a = t64(&[1., 2., 3.], &[3]);
    let b = t64(&[5., 6.], &[2]);
    let s = a.scatter(0, &long(&[2, 0], &[2]), &b).unwrap();
    assert_eq!(s.grad_fn().unwrap().name(), "ScatterBackward0");
    let wt = Tensor::from_f64_slice(&[1., 2., 3.], vec![3], DType::F64).unwrap();
    s.mul(&wt)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![0., 2., 0.]);
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![3., 1.]);
}

#[test]
fn index_select_and_index_add() {
    let x = ar(6, &[2, 3]);
    assert_eq!(
        x.index_select(1, &long(&[2, 0, 2], &[3]))
            .unwrap()
            .to_f64_vec(),
        vec![2., 0., 2., 5., 3., 5.]
    );
    assert_eq!(
        x.index_select(0, &long(&[1], &[])).unwrap().shape(),
        &[1, 3]
    );
    assert_eq!(
        msg(x.index_select(1, &long(&[3], &[1]))),
        "index out of range in self"
    );
    assert_eq!(
        msg(x.index_select(1, &long(&[0, 1], &[1, 2]))),
        "index_select(): Index is supposed to be a vector"
    );
    assert_eq!(
        msg(x.index_select(1, &ar(1, &[1]))),
        "index_select(): Expected dtype int32 or int64 for index"
    );
    let z = Tensor::zeros(&[3, 2], DType::F32);
    let src = Tensor::ones(&[3, 2], DType::F32);
    let r = z.index_add(0, &long(&[0, 2, 0], &[3]), &src, 2.0).unwrap();
    assert_eq!(r.to_f64_vec(), vec![4., 4., 0., 0., 2., 2.]);
    assert_eq!(
        msg(z.index_add(0, &long(&[0, 2], &[2]), &src, 1.0)),
        "index_add_(): Number of indices (2) should be equal to source.size(dim) (3)"
    );
    assert_eq!(
        msg(z.index_add(
            0,
            &long(&[0, 2, 0], &[3]),
            &Tensor::ones(&[3, 2], DType::F64),
            1.0
        )),
        "index_add_(): self (Float) and source (Double) must have the same scalar type"
    );
    assert_eq!(
        msg(z.index_add(0, &long(&[0, 3, 0], &[3]), &src, 1.0)),
        "index out of range in self"
    );
    z.index_add_(
        1,
        &long(&[1], &[1]),
        &Tensor::ones(&[3, 1], DType::F32),
        1.0,
    )
    .unwrap();
    assert_eq!(z.to_f64_vec(), vec![0., 1., 0., 1., 0., 1.]);
    // gradients
    let w = t64(&[1., 2., 3.], &[3]);
    let s = w.index_select(0, &long(&[0, 0, 2], &[3])).unwrap();
    assert_eq!(s.grad_fn().unwrap().name(), "IndexSelectBackward0");
    s.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![2., 0., 1.]);
    let a = t64(&[1., 2., 3.], &[3]);
    let b = t64(&[5., 6.], &[2]);
    let r = a.index_add(0, &long(&[2, 2], &[2]), &b, 3.0).unwrap();
    assert_eq!(r.grad_fn().unwrap().name(), "IndexAddBackward0");
    let wt = Tensor::from_f64_slice(&[1., 2., 3.], vec![3], DType::F64).unwrap();
    r.mul(&wt)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![1., 2., 3.]);
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![9., 9.]);
}

#[test]
fn masked_ops_and_nonzero() {
    let x = ar(6, &[2, 3]);
    let m = mask(&[true, false, true], &[3]);
    assert_eq!(
        x.masked_fill(&m, -1.0).unwrap().to_f64_vec(),
        vec![-1., 1., -1., -1., 4., -1.]
    );
    assert_eq!(
        x.masked_fill(&m, f64::INFINITY).unwrap().to_f64_vec()[0],
        f64::INFINITY
    );
    // value tensor
    let r = x
        .masked_fill_tensor(&m, &Tensor::scalar(2.5, DType::F64))
        .unwrap();
    assert_eq!(r.dtype(), DType::F32);
    assert_eq!(r.to_f64_vec()[0], 2.5);
    assert_eq!(
        msg(x.masked_fill_tensor(&m, &Tensor::zeros(&[1], DType::F32))),
        "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s)."
    );
    assert_eq!(
        msg(x.masked_fill(&long(&[1, 0, 1], &[3]), 0.0)),
        "masked_fill_ only supports boolean masks, but got mask with dtype long int"
    );
    // int and bool inputs keep their dtype
    let xi = long(&[1, 2, 3], &[3]);
    assert_eq!(
        xi.masked_fill(&m, 7.9).unwrap().to_f64_vec(),
        vec![7., 2., 7.]
    );
    assert_eq!(
        mask(&[false, false, true], &[3])
            .masked_fill(&m, 1.0)
            .unwrap()
            .to_f64_vec(),
        vec![1., 0., 1.]
    );
    // in place
    let y = ar(3, &[3]);
    y.masked_fill_(&m, 0.5).unwrap();
    assert_eq!(y.to_f64_vec(), vec![0.5, 1., 0.5]);
    // masked_select broadcasts
    assert_eq!(
        x.masked_select(&m).unwrap().to_f64_vec(),
        vec![0., 2., 3., 5.]
    );
    assert_eq!(
        x.masked_select(&mask(&[false; 3], &[3])).unwrap().shape(),
        &[0]
    );
    assert_eq!(
        msg(x.masked_select(&long(&[1, 0, 1], &[3]))),
        "masked_select: expected BoolTensor for mask"
    );
    // nonzero
    let nz = Tensor::from_f64_slice(&[0., 1., 0., 2., f64::NAN, 0.], vec![2, 3], DType::F32)
        .unwrap()
        .nonzero()
        .unwrap();
    assert_eq!(nz.dtype(), DType::I64);
    assert_eq!(nz.shape(), &[3, 2]);
    assert_eq!(nz.to_f64_vec(), vec![0., 1., 1., 0., 1., 1.]);
    let t = x.nonzero_tuple().unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[1].to_f64_vec(), vec![1., 2., 0., 1., 2.]);
    assert_eq!(
        Tensor::zeros(&[0], DType::F32).nonzero().unwrap().shape(),
        &[0, 1]
    );
    // gradients
    let w = t64(&[1., 2., 3.], &[3]);
    let v = t64(&[4.], &[]);
    let r = w.masked_fill_tensor(&m, &v).unwrap();
    assert_eq!(r.grad_fn().unwrap().name(), "MaskedFillBackward1");
    let wt = Tensor::from_f64_slice(&[1., 2., 3.], vec![3], DType::F64).unwrap();
    r.mul(&wt)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![0., 2., 0.]);
    assert_eq!(v.grad().unwrap().to_f64_vec(), vec![4.]);
    let w = t64(&[1., 2., 3.], &[3]);
    let r = w
        .masked_select(&mask(&[true, true, false, false, true, true], &[2, 3]))
        .unwrap();
    assert_eq!(r.grad_fn().unwrap().name(), "MaskedSelectBackward0");
    r.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![1., 2., 1.]);
}

#[test]
fn index_put_second_order() {
    let a = t64(&[1., 2., 3.], &[3]);
    gradgradcheck(
        |xs| {
            xs[0]
                .index(&[I::Tensor(long(&[0, 0, 2], &[3]))])
                .unwrap()
                .pow_scalar(3.0)
                .unwrap()
        },
        &[a.clone()],
    );
    gradgradcheck(
        |xs| {
            xs[0]
                .gather(0, &long(&[1, 1, 2], &[3]))
                .unwrap()
                .pow_scalar(2.0)
                .unwrap()
        },
        &[a],
    );
}

#[test]
fn in_place_variants_under_autograd() {
    let w = t64(&[1., 2., 3.], &[3]);
    let v = t64(&[10.], &[1]);
    let x = w.mul_scalar(2.0).unwrap();
    x.index_put_(&[Some(long(&[1], &[1]))], &v, false).unwrap();
    assert_eq!(x.to_f64_vec(), vec![2., 10., 6.]);
    let wt = Tensor::from_f64_slice(&[1., 2., 3.], vec![3], DType::F64).unwrap();
    x.mul(&wt)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(w.grad().unwrap().to_f64_vec(), vec![2., 0., 6.]);
    assert_eq!(v.grad().unwrap().to_f64_vec(), vec![2.]);
    // a leaf that requires grad refuses in-place writes, as in PyTorch
    let leaf = t64(&[1., 2.], &[2]);
    assert!(leaf.masked_fill_(&mask(&[true, false], &[2]), 0.0).is_err());
    assert_eq!(
        msg(ar(3, &[3]).index(&[I::Slice {
            start: None,
            stop: None,
            step: 0
        }])),
        "slice step cannot be zero"
    );
}
