//! `KernelProvider::offers`: a provider that takes matmuls only (as the JavaScript thread pool
//! does when no GPU provider is installed) is never offered anything else, forward or backward,
//! and gets the products it offers for.

use std::cell::RefCell;
use std::rc::Rc;
use tensorgrad_core::autograd::grad;
use tensorgrad_core::{
    set_kernel_provider, BinaryKind, DType, KernelProvider, Offer, Operand, Output, Tensor,
    UnaryKind,
};

struct MatmulOnly {
    calls: Rc<RefCell<Vec<String>>>,
}

fn host(x: Operand<'_>) -> &[f32] {
    match x {
        Operand::Host(s) => s,
        Operand::Device(_) => panic!("this provider makes no device data"),
    }
}

impl KernelProvider for MatmulOnly {
    fn matmul_f32(
        &self,
        a: Operand,
        b: Operand,
        m: usize,
        k: usize,
        n: usize,
        ta: bool,
        tb: bool,
    ) -> Option<Output> {
        self.calls.borrow_mut().push(format!(
            "matmul{}{}",
            if ta { "ᵀ" } else { "" },
            if tb { "ᵀ" } else { "" }
        ));
        let (a, b) = (host(a), host(b));
        let mut c = vec![0f32; m * n];
        for i in 0..m {
            for p in 0..k {
                let av = if ta { a[p * m + i] } else { a[i * k + p] };
                for j in 0..n {
                    c[i * n + j] += av * if tb { b[j * k + p] } else { b[p * n + j] };
                }
            }
        }
        Some(Output::Host(c))
    }
    fn binary_f32(&self, op: BinaryKind, _a: Operand, _b: Operand) -> Option<Output> {
        self.calls.borrow_mut().push(op.name().to_string());
        None
    }
    fn scalar_f32(&self, op: BinaryKind, _x: Operand, _s: f32, _first: bool) -> Option<Output> {
        self.calls
            .borrow_mut()
            .push(format!("{}_scalar", op.name()));
        None
    }
    fn unary_f32(&self, op: UnaryKind, _x: Operand) -> Option<Output> {
        self.calls.borrow_mut().push(op.name().to_string());
        None
    }
    fn sum_f32(&self, _x: Operand) -> Option<Output> {
        self.calls.borrow_mut().push("sum".into());
        None
    }
    fn offers(&self, op: Offer) -> bool {
        op == Offer::Matmul
    }
}

fn f32t(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_f64_slice(v, shape.to_vec(), DType::F32).unwrap()
}

#[test]
fn a_matmul_only_provider_is_offered_matmuls_only() {
    let run = || {
        let a = f32t(
            &(0..12).map(|i| i as f64 * 0.1 - 0.5).collect::<Vec<_>>(),
            &[3, 4],
        );
        let w = f32t(
            &(0..20).map(|i| (i as f64 * 0.37).sin()).collect::<Vec<_>>(),
            &[4, 5],
        );
        a.set_requires_grad(true).unwrap();
        w.set_requires_grad(true).unwrap();
        let h = a.matmul(&w).unwrap().tanh().unwrap().exp().unwrap();
        let loss = h.mul(&h).unwrap().add(&h).unwrap().mean().unwrap();
        let g = grad(
            &[loss.clone()],
            &[a.clone(), w.clone()],
            &[None],
            false,
            false,
            false,
        )
        .unwrap();
        (
            loss.item().unwrap(),
            g[0].as_ref().unwrap().to_f64_vec(),
            g[1].as_ref().unwrap().to_f64_vec(),
        )
    };
    let cpu = run();
    let calls = Rc::new(RefCell::new(Vec::new()));
    set_kernel_provider(Some(Rc::new(MatmulOnly {
        calls: calls.clone(),
    })));
    let offered = run();
    set_kernel_provider(None);
    let calls = calls.borrow().clone();
    assert!(
        calls.iter().all(|c| c.starts_with("matmul")),
        "only matmuls offered: {calls:?}"
    );
    // the forward product and both backward products (g·Wᵀ, Aᵀ·g)
    assert_eq!(calls, ["matmul", "matmulᵀ", "matmulᵀ"], "{calls:?}");
    assert!((cpu.0 - offered.0).abs() <= 1e-6 * cpu.0.abs());
    for (x, y) in cpu
        .1
        .iter()
        .chain(&cpu.2)
        .zip(offered.1.iter().chain(&offered.2))
    {
        assert!((x - y).abs() <= 1e-5 * (1.0 + x.abs()), "{x} vs {y}");
    }
}
