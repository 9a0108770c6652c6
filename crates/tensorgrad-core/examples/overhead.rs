//! Native timing of the per-op cost (W4 of `npm run bench`, without the JS boundary):
//! `cargo run --release --example overhead -p tensorgrad-core`
use std::time::Instant;
use tensorgrad_core::{DType, Tensor};

fn main() {
    let x = Tensor::scalar(1.0, DType::F32);
    x.set_requires_grad(true).unwrap();
    let mut best = f64::INFINITY;
    for _ in 0..50 {
        let t0 = Instant::now();
        x.set_grad(None).unwrap();
        let mut y = x.clone();
        for _ in 0..1000 {
            y = y.mul_scalar(1.0001).unwrap().add_scalar(0.0001).unwrap();
        }
        let t1 = Instant::now();
        y.backward(None, false, false).unwrap();
        let t2 = Instant::now();
        let _ = x.grad().unwrap().item().unwrap();
        let total = (t2 - t0).as_secs_f64() * 1e6 / 2000.0;
        if total < best {
            best = total;
            eprintln!(
                "fwd {:.3} us/op, bwd {:.3} us/op, total {:.3} us/op",
                (t1 - t0).as_secs_f64() * 1e6 / 2000.0,
                (t2 - t1).as_secs_f64() * 1e6 / 2000.0,
                total
            );
        }
    }
}
