//! Finite-difference gradient checking shared by the integration tests.
#![allow(dead_code)]

use tensorgrad_core::autograd::grad;
use tensorgrad_core::{DType, Tensor};

pub fn t64(v: &[f64], shape: &[usize]) -> Tensor {
    let t = Tensor::from_f64_slice(v, shape.to_vec(), DType::F64).unwrap();
    t.set_requires_grad(true).unwrap();
    t
}

pub fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()) || (x.is_nan() && y.is_nan()))
}

/// Check the vector-Jacobian product of `f` at `inputs` against central differences
/// (eps 1e-6, float64), with a fixed non-trivial output cotangent.
pub fn gradcheck(f: impl Fn(&[Tensor]) -> Tensor, inputs: &[Tensor]) {
    let out = f(inputs);
    let n_out = out.numel();
    let v: Vec<f64> = (0..n_out)
        .map(|i| 0.5 + 0.37 * (i as f64 % 5.0) - 0.21 * (i % 3) as f64)
        .collect();
    let vt = Tensor::from_f64_slice(&v, out.shape().to_vec(), DType::F64).unwrap();
    // An output that does not depend on the inputs through the graph has a zero Jacobian.
    let analytic = if out.requires_grad() {
        grad(&[out], inputs, &[Some(vt)], false, false, true).unwrap()
    } else {
        vec![None; inputs.len()]
    };
    let eps = 1e-6;
    for (k, x) in inputs.iter().enumerate() {
        let base = x.to_f64_vec();
        let mut numeric = vec![0.0; base.len()];
        for i in 0..base.len() {
            let eval = |delta: f64| -> f64 {
                let mut p = base.clone();
                p[i] += delta;
                // Fresh leaves that require grad, so functions that differentiate inside
                // (gradgradcheck) still work.
                let args: Vec<Tensor> = inputs
                    .iter()
                    .enumerate()
                    .map(|(j, t)| {
                        let vals = if j == k { p.clone() } else { t.to_f64_vec() };
                        t64(&vals, t.shape())
                    })
                    .collect();
                let o = f(&args).to_f64_vec();
                o.iter().zip(&v).map(|(a, b)| a * b).sum()
            };
            numeric[i] = (eval(eps) - eval(-eps)) / (2.0 * eps);
        }
        let a = analytic[k]
            .as_ref()
            .map(|g| g.to_f64_vec())
            .unwrap_or(vec![0.0; base.len()]);
        assert!(
            close(&a, &numeric, 1e-5),
            "input {k}: analytic {a:?} vs numeric {numeric:?}"
        );
    }
}

/// Check second derivatives: gradcheck of the function x -> vjp(f)(x) with create_graph.
pub fn gradgradcheck(f: impl Fn(&[Tensor]) -> Tensor + Copy, inputs: &[Tensor]) {
    gradgradcheck_dyn(&f, inputs);
}

/// gradgradcheck for a borrowed closure (the op table's closures capture their inputs).
pub fn gradgradcheck_dyn(f: &dyn Fn(&[Tensor]) -> Tensor, inputs: &[Tensor]) {
    let g = |xs: &[Tensor]| {
        let out = f(xs);
        let v = Tensor::from_f64_slice(
            &(0..out.numel())
                .map(|i| 0.3 + 0.1 * i as f64)
                .collect::<Vec<_>>(),
            out.shape().to_vec(),
            DType::F64,
        )
        .unwrap();
        let grads = grad(&[out], xs, &[Some(v)], true, true, true).unwrap();
        let mut acc: Option<Tensor> = None;
        for gr in grads.into_iter().flatten() {
            let s = gr.mul(&gr).unwrap().sum().unwrap();
            acc = Some(match acc {
                None => s,
                Some(a) => a.add(&s).unwrap(),
            });
        }
        acc.unwrap_or_else(|| Tensor::scalar(0.0, DType::F64))
    };
    gradcheck(g, inputs);
}
