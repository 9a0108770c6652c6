//! Autograd mechanics: accumulation, hooks, retain_grad, in-place safety, custom functions,
//! anomaly detection, inference mode, and higher-order derivatives.

mod common;
use common::*;
use std::cell::Cell;
use std::rc::Rc;
use tensorgrad_core::autograd::anomaly::set_detect_anomaly;
use tensorgrad_core::autograd::custom::apply_custom;
use tensorgrad_core::autograd::grad;
use tensorgrad_core::autograd::grad_mode::inference_mode;
use tensorgrad_core::{no_grad, DType, Tensor};

fn s(v: f64) -> Tensor {
    t64(&[v], &[])
}

#[test]
fn third_derivative_of_x_cubed() {
    let x = s(2.0);
    let y = x.pow_scalar(3.0).unwrap();
    let g1 = grad(&[y], &[x.clone()], &[], true, true, false).unwrap()[0]
        .clone()
        .unwrap();
    let g2 = grad(&[g1.clone()], &[x.clone()], &[], true, true, false).unwrap()[0]
        .clone()
        .unwrap();
    let g3 = grad(&[g2.clone()], &[x.clone()], &[], false, false, false).unwrap()[0]
        .clone()
        .unwrap();
    assert_eq!(
        (g1.item().unwrap(), g2.item().unwrap(), g3.item().unwrap()),
        (12.0, 12.0, 6.0)
    );
}

#[test]
fn higher_order_of_transcendentals() {
    let x = s(0.7);
    // d²/dx² sin = -sin, d³ = -cos
    let d = |f: &dyn Fn(&Tensor) -> Tensor, n: usize| -> f64 {
        let mut y = f(&x);
        for i in 0..n {
            y = grad(&[y], &[x.clone()], &[], true, i + 1 < n, false).unwrap()[0]
                .clone()
                .unwrap();
        }
        y.item().unwrap()
    };
    let v = 0.7f64;
    assert!((d(&|t| t.sin().unwrap(), 3) + v.cos()).abs() < 1e-12);
    let th = v.tanh();
    assert!((d(&|t| t.tanh().unwrap(), 2) - (-2.0 * th * (1.0 - th * th))).abs() < 1e-12);
    let sg = 1.0 / (1.0 + (-v).exp());
    assert!((d(&|t| t.sigmoid().unwrap(), 2) - sg * (1.0 - sg) * (1.0 - 2.0 * sg)).abs() < 1e-12);
    assert!((d(&|t| t.exp().unwrap(), 3) - v.exp()).abs() < 1e-12);
}

#[test]
fn accumulation_and_unused_leaves() {
    let x = t64(&[1.0, 2.0], &[2]);
    let unused = t64(&[1.0], &[1]);
    for _ in 0..3 {
        x.mul(&x)
            .unwrap()
            .sum()
            .unwrap()
            .backward(None, false, false)
            .unwrap();
    }
    assert_eq!(x.grad().unwrap().to_f64_vec(), vec![6.0, 12.0]);
    assert!(unused.grad().is_none());
}

#[test]
fn grad_is_not_aliased_between_leaves() {
    // (a + b).backward(): both get the same incoming gradient; accumulating into one must not
    // change the other.
    let a = t64(&[1.0], &[1]);
    let b = t64(&[2.0], &[1]);
    a.add(&b)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    a.mul_scalar(3.0)
        .unwrap()
        .sum()
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![4.0]);
    assert_eq!(b.grad().unwrap().to_f64_vec(), vec![1.0]);
}

#[test]
fn hooks_see_and_replace_gradients() {
    let x = t64(&[1.0, 2.0], &[2]);
    let y = x.mul_scalar(3.0).unwrap();
    let seen = Rc::new(Cell::new(0.0));
    let seen2 = seen.clone();
    y.register_hook(Rc::new(move |g: &Tensor| {
        seen2.set(g.to_f64_vec()[0]);
        Ok(Some(g.mul_scalar(10.0)?))
    }))
    .unwrap();
    let id = x
        .register_hook(Rc::new(|g: &Tensor| Ok(Some(g.add_scalar(1.0)?))))
        .unwrap();
    y.sum().unwrap().backward(None, true, false).unwrap();
    assert_eq!(seen.get(), 1.0);
    assert_eq!(x.grad().unwrap().to_f64_vec(), vec![31.0, 31.0]);
    assert!(x.remove_hook(id));
    x.set_grad(None).unwrap();
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(x.grad().unwrap().to_f64_vec(), vec![30.0, 30.0]);
    let calls = Rc::new(Cell::new(0));
    let c2 = calls.clone();
    x.register_post_accumulate_grad_hook(Rc::new(move |t: &Tensor| {
        assert!(t.grad().is_some());
        c2.set(c2.get() + 1);
        Ok(())
    }))
    .unwrap();
    x.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(calls.get(), 1);
    assert!(t64(&[1.0], &[1])
        .mul_scalar(2.0)
        .unwrap()
        .register_post_accumulate_grad_hook(Rc::new(|_| Ok(())))
        .is_err());
    let nograd = Tensor::from_f64_slice(&[1.0], vec![1], DType::F64).unwrap();
    assert_eq!(
        nograd
            .register_hook(Rc::new(|_| Ok(None)))
            .unwrap_err()
            .message(),
        "cannot register a hook on a tensor that doesn't require gradient"
    );
}

#[test]
fn retain_grad_on_non_leaves() {
    let x = t64(&[1.0, 2.0], &[2]);
    let y = x.mul_scalar(2.0).unwrap();
    let z = y.mul(&y).unwrap().sum().unwrap();
    y.retain_grad().unwrap();
    z.retain_grad().unwrap();
    z.backward(None, false, false).unwrap();
    assert_eq!(y.grad().unwrap().to_f64_vec(), vec![4.0, 8.0]);
    assert_eq!(z.grad().unwrap().to_f64_vec(), vec![1.0]);
    let w = x.mul_scalar(2.0).unwrap();
    w.sum().unwrap().backward(None, false, false).unwrap();
    assert!(
        w.grad().is_none(),
        "non-leaf without retain_grad has no .grad"
    );
}

#[test]
fn backward_twice_needs_retain_graph() {
    let x = t64(&[1.0], &[1]);
    let y = x.exp().unwrap().sum().unwrap();
    y.backward(None, false, false).unwrap();
    let e = y.backward(None, false, false).unwrap_err();
    assert!(e
        .message()
        .starts_with("Trying to backward through the graph a second time"));
}

#[test]
fn in_place_ops_bump_versions_and_guard_saved_tensors() {
    let x = t64(&[1.0, 2.0], &[2]);
    let y = x.mul_scalar(1.0).unwrap();
    let z = y.exp().unwrap(); // saves its output
    let w = y.mul(&y).unwrap(); // saves y
    y.add_scalar_(1.0).unwrap();
    assert_eq!(y.version(), 1);
    assert_eq!(y.grad_fn().unwrap().name(), "AddBackward1");
    let e = w.sum().unwrap().backward(None, false, false).unwrap_err();
    assert_eq!(
        e.message(),
        "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.DoubleTensor [2]], which is output 0 of AddBackward1, is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with autograd.setDetectAnomaly(true)."
    );
    // z saved its own output, which was not modified: fine.
    z.sum().unwrap().backward(None, false, false).unwrap();
    assert!((x.grad().unwrap().to_f64_vec()[0] - 1f64.exp()).abs() < 1e-12);

    // in-place through the graph: d/dx of (x*2).mul_(x) = 4x
    let x = t64(&[3.0], &[1]);
    let a = x.mul_scalar(2.0).unwrap();
    a.mul_(&x).unwrap();
    a.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(x.grad().unwrap().to_f64_vec(), vec![12.0]);

    // in-place on a leaf that requires grad is refused, but allowed under no_grad
    let p = t64(&[1.0], &[1]);
    assert_eq!(
        p.add_scalar_(1.0).unwrap_err().message(),
        "a leaf Variable that requires grad is being used in an in-place operation."
    );
    no_grad(|| p.sub_scalar_(0.5).map(|_| ())).unwrap();
    assert_eq!(p.to_f64_vec(), vec![0.5]);
    p.zero_().unwrap_err();
    no_grad(|| p.fill_(4.0).map(|_| ())).unwrap();
    assert_eq!(p.to_f64_vec(), vec![4.0]);
}

#[test]
fn add_scaled_in_place_matches_the_two_op_form() {
    // The optimizer-step fast path (no recording, contiguous float32): bit-identical to
    // `p.add_(g.mul(alpha))`, version bumped.
    let v: Vec<f64> = (0..37).map(|i| (i as f64 * 0.37).sin()).collect();
    let w: Vec<f64> = (0..37).map(|i| (i as f64 * 0.11).cos()).collect();
    let p = Tensor::from_f64_slice(&v, vec![37], DType::F32).unwrap();
    p.set_requires_grad(true).unwrap();
    let g = Tensor::from_f64_slice(&w, vec![37], DType::F32).unwrap();
    let want = no_grad(|| p.add(&g.mul_scalar(-0.01)?)).unwrap();
    let v0 = p.version();
    no_grad(|| p.add_scaled_(&g, -0.01).map(|_| ())).unwrap();
    assert_eq!(p.to_f64_vec(), want.to_f64_vec());
    assert_eq!(p.version(), v0 + 1);
    // still refused on a leaf that requires grad while recording
    assert_eq!(
        p.add_scaled_(&g, 2.0).unwrap_err().message(),
        "a leaf Variable that requires grad is being used in an in-place operation."
    );
    // recorded through the graph: d/dx sum(y.add_(x, alpha=3)) with y = 2x is 5
    let x = t64(&[1.0, 2.0], &[2]);
    let y = x.mul_scalar(2.0).unwrap();
    y.add_scaled_(&x, 3.0).unwrap();
    assert_eq!(y.to_f64_vec(), vec![5.0, 10.0]);
    y.sum().unwrap().backward(None, false, false).unwrap();
    assert_eq!(x.grad().unwrap().to_f64_vec(), vec![5.0, 5.0]);
    // a strided (non-contiguous) target and mixed dtypes take the general path
    let m = Tensor::from_f64_slice(&[1.0, 2.0, 3.0, 4.0], vec![2, 2], DType::F64).unwrap();
    let mt = m.t().unwrap();
    let o = Tensor::from_f64_slice(&[1.0, 1.0, 1.0, 1.0], vec![2, 2], DType::F32).unwrap();
    mt.add_scaled_(&o, 0.5).unwrap();
    assert_eq!(m.to_f64_vec(), vec![1.5, 2.5, 3.5, 4.5]);
}

#[test]
fn custom_function_with_saved_output() {
    // exp as a custom function that saves its output; gradients and double-backward work.
    let x = t64(&[0.5, -1.0], &[2]);
    let y_data = no_grad(|| x.exp()).unwrap();
    let outs = apply_custom(
        "MyExpBackward".into(),
        &[x.clone()],
        &[y_data],
        vec![Err(0)],
        &[false],
        Box::new(|ctx, g| {
            let y = ctx.saved_tensors()?.remove(0);
            Ok(vec![Some(g[0].mul(&y)?)])
        }),
    )
    .unwrap();
    let y = &outs[0];
    assert_eq!(y.grad_fn().unwrap().name(), "MyExpBackward");
    let g = grad(&[y.sum().unwrap()], &[x.clone()], &[], true, true, false).unwrap()[0]
        .clone()
        .unwrap();
    assert!((g.to_f64_vec()[0] - 0.5f64.exp()).abs() < 1e-12);
    let gg = grad(&[g.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap()[0]
        .clone()
        .unwrap();
    assert!((gg.to_f64_vec()[1] - (-1f64).exp()).abs() < 1e-12);
}

#[test]
fn anomaly_mode_names_the_backward_function() {
    set_detect_anomaly(true);
    let x = t64(&[0.0], &[1]);
    // d/dx sqrt(x) * 0 at 0: 0 * inf = nan, produced by MulBackward0's input... sqrt backward
    // gives g/(2·0) with g = 0 -> nan from SqrtBackward0.
    let y = x.sqrt().unwrap().mul_scalar(0.0).unwrap().sum().unwrap();
    let e = y.backward(None, false, false).unwrap_err();
    set_detect_anomaly(false);
    assert_eq!(
        e.message(),
        "Function 'SqrtBackward0' returned nan values in its 0th output."
    );
}

#[test]
fn inference_mode_tensors_cannot_join_the_graph() {
    let w = t64(&[1.0], &[1]);
    let t = inference_mode(true, || {
        Tensor::from_f64_slice(&[2.0], vec![1], DType::F64)
            .unwrap()
            .mul_scalar(2.0)
            .unwrap()
    });
    assert!(t.is_inference() && !t.requires_grad());
    let e = w.mul(&t).unwrap_err();
    assert!(e
        .message()
        .starts_with("Inference tensors cannot be saved for backward."));
    // a clone is a normal tensor
    assert!(w.mul(&t.clone_tensor().unwrap()).is_ok());
}

#[test]
fn backward_with_inputs_only_accumulates_there() {
    let a = t64(&[1.0], &[1]);
    let b = t64(&[2.0], &[1]);
    let y = a.mul(&b).unwrap().sum().unwrap();
    tensorgrad_core::autograd::engine::run_backward(
        &[y.clone()],
        vec![Tensor::ones(&[], DType::F64)],
        &tensorgrad_core::autograd::engine::BackwardOptions {
            retain_graph: false,
            create_graph: false,
        },
        &[a.clone()],
        true,
    )
    .unwrap();
    assert_eq!(a.grad().unwrap().to_f64_vec(), vec![2.0]);
    assert!(b.grad().is_none());
}

#[test]
fn next_functions_walk_the_graph() {
    let a = t64(&[1.0], &[1]);
    let y = a.mul_scalar(2.0).unwrap().exp().unwrap();
    let f = y.grad_fn().unwrap();
    assert_eq!(f.name(), "ExpBackward0");
    let next = f.next_edges()[0].as_ref().unwrap();
    assert_eq!(next.node.name(), "MulBackward0");
    let acc = next.node.next_edges()[0].as_ref().unwrap();
    assert_eq!(acc.node.name(), "AccumulateGrad");
    assert!(acc.node.variable().unwrap().same(&a));
}

#[test]
fn autocast_casts_per_op_list_and_backward_follows_forward_dtypes() {
    use tensorgrad_core::autocast::AutocastGuard;
    let w = Tensor::from_f64_slice(&[0.5, -1.0, 2.0, 0.25], vec![2, 2], DType::F32).unwrap();
    w.set_requires_grad(true).unwrap();
    let x = Tensor::from_f64_slice(&[1.0, 2.0], vec![1, 2], DType::F32).unwrap();
    let (h, p, s) = {
        let _ac = AutocastGuard::new(Some(DType::F16));
        let h = x.mm(&w).unwrap(); // lower-precision list: float16
        let p = h.softmax(1).unwrap(); // float32 list
        let s = h.sum().unwrap(); // float32 list
        (h, p, s)
    };
    assert_eq!(h.dtype(), DType::F16);
    assert_eq!(p.dtype(), DType::F32);
    assert_eq!(s.dtype(), DType::F32);
    p.sum()
        .unwrap()
        .add(&s)
        .unwrap()
        .backward(None, false, false)
        .unwrap();
    // the leaf's gradient comes back in its own dtype
    assert_eq!(w.grad().unwrap().dtype(), DType::F32);
    // float64 is never lowered
    let d = Tensor::from_f64_slice(&[1.0], vec![1, 1], DType::F64).unwrap();
    let _ac = AutocastGuard::new(Some(DType::F16));
    assert_eq!(d.mm(&d).unwrap().dtype(), DType::F64);
}

#[test]
fn autocast_float32_list_covers_reductions_and_norms() {
    use tensorgrad_core::autocast::AutocastGuard;
    let h = Tensor::from_f64_slice(&[1.0, 2.0, 3.0], vec![3], DType::F16).unwrap();
    let _ac = AutocastGuard::new(Some(DType::F16));
    for t in [
        h.prod().unwrap(),
        h.logsumexp(&[0], false).unwrap(),
        h.cumsum(0).unwrap(),
        h.linalg_vector_norm(2.0, None, false).unwrap(),
        h.exp().unwrap(),
        h.pow_scalar(2.0).unwrap(),
    ] {
        assert_eq!(t.dtype(), DType::F32);
    }
}

/// `x * x` with one tensor sends `2·g·x` through one edge; first and second derivatives
/// match `x.pow(2)`.
#[test]
fn square_by_self_multiplication() {
    let x = Tensor::from_vec(vec![1.0f64, -2.0, 3.0], vec![3]).unwrap();
    x.set_requires_grad(true).unwrap();
    let y = x.mul(&x).unwrap().sum().unwrap();
    let g = grad(&[y], &[x.clone()], &[], true, true, false).unwrap();
    let g = g[0].clone().unwrap();
    assert_eq!(g.to_f64_vec(), vec![2.0, -4.0, 6.0]);
    let gg = grad(&[g.sum().unwrap()], &[x.clone()], &[], false, false, false).unwrap();
    assert_eq!(gg[0].clone().unwrap().to_f64_vec(), vec![2.0, 2.0, 2.0]);
    // x * x.detach(): only the first factor carries a gradient
    let z = x.mul(&x.detach()).unwrap().sum().unwrap();
    z.backward(None, false, false).unwrap();
    assert_eq!(x.grad().unwrap().to_f64_vec(), vec![1.0, -2.0, 3.0]);
}
