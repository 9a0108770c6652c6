//! The two offers of a float32 matmul: `matmul_f32` first (operands may be device handles; the
//! gpu.js backend answers there), then, when it declines, `matmul_into_f32` with host data and
//! the output buffer to fill in place (the matmul thread pool answers there, and must never see
//! a device handle). A fake provider plays both roles and logs what it was offered.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tensorgrad_core::{
    set_kernel_provider, BinaryKind, DType, DeviceData, KernelProvider, Operand, Output, Tensor,
    UnaryKind,
};

struct Dev(Vec<f32>, Rc<Cell<usize>>);

impl DeviceData for Dev {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn download(&self) -> Option<Vec<f32>> {
        self.1.set(self.1.get() + 1);
        Some(self.0.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Default)]
struct Fake {
    /// matmul_f32 answers (with a device handle) while this is set.
    accept_new: Cell<bool>,
    /// matmul_into_f32 answers while this is set.
    accept_into: Cell<bool>,
    log: RefCell<Vec<String>>,
    downloads: Rc<Cell<usize>>,
}

fn product(a: &[f32], b: &[f32], m: usize, k: usize, n: usize, ta: bool, tb: bool) -> Vec<f32> {
    let mut c = vec![0.0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0;
            for p in 0..k {
                let x = if ta { a[p * m + i] } else { a[i * k + p] };
                let y = if tb { b[j * k + p] } else { b[p * n + j] };
                acc += x * y;
            }
            c[i * n + j] = acc;
        }
    }
    c
}

fn host(x: Operand) -> (Vec<f32>, &'static str) {
    match x {
        Operand::Host(s) => (s.to_vec(), "host"),
        Operand::Device(d) => (
            d.as_any().downcast_ref::<Dev>().unwrap().0.clone(),
            "device",
        ),
    }
}

impl KernelProvider for Fake {
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
        let ((a, wa), (b, wb)) = (host(a), host(b));
        self.log
            .borrow_mut()
            .push(format!("new {m}x{k}x{n} {wa},{wb}"));
        if !self.accept_new.get() {
            return None;
        }
        let c = product(&a, &b, m, k, n, ta, tb);
        Some(Output::Device(Rc::new(Dev(c, self.downloads.clone()))))
    }
    fn matmul_into_f32(
        &self,
        a: &[f32],
        b: &[f32],
        m: usize,
        k: usize,
        n: usize,
        ta: bool,
        tb: bool,
        c: &mut [f32],
    ) -> bool {
        assert!(c.iter().all(|&v| v == 0.0), "C is zero-filled on entry");
        assert_eq!(c.len(), m * n);
        self.log.borrow_mut().push(format!("into {m}x{k}x{n}"));
        if !self.accept_into.get() {
            return false;
        }
        c.copy_from_slice(&product(a, b, m, k, n, ta, tb));
        true
    }
    fn binary_f32(&self, _: BinaryKind, _: Operand, _: Operand) -> Option<Output> {
        None
    }
    fn unary_f32(&self, _: UnaryKind, _: Operand) -> Option<Output> {
        None
    }
    fn takes_device(&self) -> bool {
        true
    }
}

struct Installed(Rc<Fake>);
impl Drop for Installed {
    fn drop(&mut self) {
        set_kernel_provider(None);
    }
}

fn install() -> Installed {
    let f = Rc::new(Fake::default());
    set_kernel_provider(Some(f.clone() as Rc<dyn KernelProvider>));
    Installed(f)
}

fn t(v: &[f64], shape: &[usize], dtype: DType) -> Tensor {
    Tensor::from_f64_slice(v, shape.to_vec(), dtype).unwrap()
}

fn seq(n: usize, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * 7 % 11) as f64 - 5.0) * scale)
        .collect()
}

fn close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-5 * (1.0 + y.abs()), "{x} vs {y}");
    }
}

fn cpu_product(a: &Tensor, b: &Tensor) -> Vec<f64> {
    set_kernel_provider(None);
    a.matmul(b).unwrap().to_f64_vec()
}

#[test]
fn an_accepted_matmul_is_not_offered_again() {
    let (a, b) = (
        t(&seq(6, 0.5), &[2, 3], DType::F32),
        t(&seq(12, 0.25), &[3, 4], DType::F32),
    );
    let want = cpu_product(&a, &b);
    let f = install();
    f.0.accept_new.set(true);
    f.0.accept_into.set(true);
    let y = a.matmul(&b).unwrap();
    assert!(y.is_resident());
    assert_eq!(*f.0.log.borrow(), ["new 2x3x4 host,host"]);
    close(&y.to_f64_vec(), &want);
}

#[test]
fn a_declined_matmul_goes_in_place_from_host_data_with_resident_operands_downloaded() {
    let (a, b, w) = (
        t(&seq(6, 0.5), &[2, 3], DType::F32),
        t(&seq(12, 0.25), &[3, 4], DType::F32),
        t(&seq(20, 0.1), &[4, 5], DType::F32),
    );
    let want = {
        let ab = t(&cpu_product(&a, &b), &[2, 4], DType::F32);
        cpu_product(&ab, &w)
    };
    let f = install();
    f.0.accept_new.set(true);
    let y = a.matmul(&b).unwrap(); // resident
    assert!(y.is_resident() && !y.has_host_data());
    f.0.accept_new.set(false);
    f.0.accept_into.set(true);
    let z = y.matmul(&w).unwrap();
    assert!(!z.is_resident());
    assert_eq!(
        *f.0.log.borrow(),
        [
            "new 2x3x4 host,host",
            // the first offer gets the handle; the in-place one host data (downloaded once)
            "new 2x4x5 device,host",
            "into 2x4x5",
        ]
    );
    assert_eq!(f.0.downloads.get(), 1);
    close(&z.to_f64_vec(), &want);
}

#[test]
fn when_both_offers_decline_the_cpu_kernel_runs() {
    let (a, b) = (
        t(&seq(40, 0.5), &[5, 8], DType::F32),
        t(&seq(24, 0.25), &[8, 3], DType::F32),
    );
    let want = cpu_product(&a, &b);
    let f = install();
    // a transposed operand: offered as Aᵀ both times
    let at = t(
        &a.t().unwrap().contiguous().unwrap().to_f64_vec(),
        &[8, 5],
        DType::F32,
    );
    let y = at.t().unwrap().matmul(&b).unwrap();
    assert_eq!(*f.0.log.borrow(), ["new 5x8x3 host,host", "into 5x8x3"]);
    close(&y.to_f64_vec(), &want);
}

#[test]
fn each_matrix_of_a_batch_is_offered_both_ways() {
    let (a, b) = (
        t(&seq(2 * 3 * 4, 0.5), &[2, 3, 4], DType::F32),
        t(&seq(2 * 4 * 2, 0.25), &[2, 4, 2], DType::F32),
    );
    let want = {
        set_kernel_provider(None);
        a.matmul(&b).unwrap().to_f64_vec()
    };
    let f = install();
    f.0.accept_into.set(true);
    let y = a.matmul(&b).unwrap();
    assert_eq!(
        *f.0.log.borrow(),
        [
            "new 3x4x2 host,host",
            "into 3x4x2",
            "new 3x4x2 host,host",
            "into 3x4x2",
        ]
    );
    close(&y.to_f64_vec(), &want);
}

#[test]
fn float64_products_are_offered_neither_way() {
    let (a, b) = (
        t(&seq(6, 0.5), &[2, 3], DType::F64),
        t(&seq(12, 0.25), &[3, 4], DType::F64),
    );
    let want = cpu_product(&a, &b);
    let f = install();
    f.0.accept_new.set(true);
    f.0.accept_into.set(true);
    let y = a.matmul(&b).unwrap();
    assert!(f.0.log.borrow().is_empty());
    close(&y.to_f64_vec(), &want);
}
