//! Every op in the op table: its gradient against finite differences (and second order where
//! claimed), its grad_fn name, and docs/ops.md being current.

mod common;
use common::*;
use tensorgrad_core::ops::registry::{all_ops, ops_markdown, Domain, Grad, InputSpec};
use tensorgrad_core::{DType, Tensor};

/// Deterministic sample values for an input spec, distinct and away from kinks.
fn sample(spec: &InputSpec, salt: usize) -> Tensor {
    let n: usize = spec.shape.iter().product();
    let vals: Vec<f64> = (0..n)
        .map(|i| {
            let u = ((i * 7 + salt * 13 + 3) % 17) as f64 / 17.0; // in [0, 1)
            match spec.domain {
                Domain::Any => {
                    let v = -1.45 + 2.9 * u;
                    if v.abs() < 0.1 {
                        v + 0.25
                    } else {
                        v
                    }
                }
                Domain::Positive => 0.3 + 1.7 * u,
                Domain::Unit => -0.85 + 1.7 * u,
                Domain::AboveOne => 1.2 + 1.8 * u,
                Domain::Fixed => (i % 3) as f64 - 1.0 + 0.5 * u,
            }
        })
        .collect();
    if spec.grad {
        t64(&vals, spec.shape)
    } else {
        Tensor::from_f64_slice(&vals, spec.shape.to_vec(), DType::F64).unwrap()
    }
}

#[test]
fn every_op_has_a_correct_gradient() {
    for op in all_ops() {
        eprintln!("checking {}", op.name);
        let inputs: Vec<Tensor> = op
            .inputs
            .iter()
            .enumerate()
            .map(|(k, s)| sample(s, k))
            .collect();
        let out = (op.run)(&inputs).unwrap_or_else(|e| panic!("{}: {}", op.name, e));
        let diff: Vec<usize> = op
            .inputs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.grad)
            .map(|(k, _)| k)
            .collect();
        match op.grad {
            Grad::Differentiable { double } => {
                let got = out.grad_fn().map(|f| f.name().to_string());
                assert_eq!(got.as_deref(), Some(op.grad_fn), "{}: grad_fn", op.name);
                let f = |x: &[Tensor]| {
                    let mut all = inputs.clone();
                    for (j, &k) in diff.iter().enumerate() {
                        all[k] = x[j].clone();
                    }
                    (op.run)(&all).unwrap()
                };
                let xs: Vec<Tensor> = diff.iter().map(|&k| inputs[k].clone()).collect();
                gradcheck(f, &xs);
                if double {
                    gradgradcheck_dyn(&f, &xs);
                }
            }
            Grad::Zero => {
                let s = out.sum().unwrap();
                let xs: Vec<Tensor> = diff.iter().map(|&k| inputs[k].clone()).collect();
                let g =
                    tensorgrad_core::autograd::grad(&[s], &xs, &[], false, false, true).unwrap();
                for gi in g.into_iter().flatten() {
                    assert!(
                        gi.to_f64_vec().iter().all(|&v| v == 0.0),
                        "{}: gradient must be zero",
                        op.name
                    );
                }
            }
            Grad::None => assert!(!out.requires_grad(), "{}: returns no gradient", op.name),
            Grad::Cast => {
                assert_eq!(
                    out.grad_fn().unwrap().name(),
                    op.grad_fn,
                    "{}: grad_fn",
                    op.name
                );
                let g = tensorgrad_core::autograd::grad(
                    &[out.sum().unwrap()],
                    &inputs[..1],
                    &[],
                    false,
                    false,
                    false,
                )
                .unwrap();
                let g = g[0].clone().unwrap();
                assert_eq!(g.dtype(), inputs[0].dtype(), "{}: gradient dtype", op.name);
                assert!(
                    g.to_f64_vec().iter().all(|&v| v == 1.0),
                    "{}: gradient passes through",
                    op.name
                );
            }
        }
    }
}

#[test]
fn ops_doc_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ops.md");
    let want = ops_markdown();
    if std::env::var("UPDATE_DOCS").is_ok() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/ops.md is stale: run UPDATE_DOCS=1 cargo test -p tensorgrad-core --test op_table"
    );
}
