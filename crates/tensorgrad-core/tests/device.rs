//! Device-resident storage through the kernel-provider seam, with a fake device: a provider
//! whose results are handles to data it keeps (as the gpu.js backend keeps GPU textures). The
//! fake counts what crosses the seam, so these tests check that chained offloaded ops never
//! download intermediates, that reads download once, that writes drop the device copy, and that
//! dropping the last tensor frees the device data. Its convolution kernels are the direct
//! (gather) formulas the gpu.js kernels use, checked here against the CPU's im2col kernels.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use tensorgrad_core::autograd::grad;
use tensorgrad_core::ops::conv::ConvPadding;
use tensorgrad_core::{
    set_kernel_provider, BinaryKind, ConvGeometry, ConvKind, DType, DeviceData, KernelProvider,
    Operand, Output, Tensor, UnaryKind,
};

#[derive(Default)]
struct Stats {
    live: Cell<i64>,
    created: Cell<usize>,
    downloads: Cell<usize>,
    /// host operands the provider was given (would be uploads on a GPU)
    uploads: Cell<usize>,
    /// device operands the provider was given
    device_operands: Cell<usize>,
    calls: RefCell<Vec<String>>,
    /// the next download fails (a lost context)
    lose: Cell<bool>,
}

struct FakeArray {
    data: Vec<f32>,
    stats: Rc<Stats>,
}

impl DeviceData for FakeArray {
    fn len(&self) -> usize {
        self.data.len()
    }
    fn download(&self) -> Option<Vec<f32>> {
        self.stats.downloads.set(self.stats.downloads.get() + 1);
        if self.stats.lose.get() {
            return None;
        }
        Some(self.data.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for FakeArray {
    fn drop(&mut self) {
        self.stats.live.set(self.stats.live.get() - 1);
    }
}

struct Fake {
    stats: Rc<Stats>,
    takes_device: bool,
}

impl Fake {
    fn get(&self, x: Operand) -> Vec<f32> {
        match x {
            Operand::Host(s) => {
                self.stats.uploads.set(self.stats.uploads.get() + 1);
                s.to_vec()
            }
            Operand::Device(d) => {
                self.stats
                    .device_operands
                    .set(self.stats.device_operands.get() + 1);
                d.as_any()
                    .downcast_ref::<FakeArray>()
                    .expect("a handle this provider made")
                    .data
                    .clone()
            }
        }
    }
    fn out(&self, call: String, data: Vec<f32>) -> Option<Output> {
        self.stats.calls.borrow_mut().push(call);
        self.stats.live.set(self.stats.live.get() + 1);
        self.stats.created.set(self.stats.created.get() + 1);
        Some(Output::Device(Rc::new(FakeArray {
            data,
            stats: self.stats.clone(),
        })))
    }
}

fn bin(op: BinaryKind, x: f32, y: f32) -> f32 {
    match op {
        BinaryKind::Add => x + y,
        BinaryKind::Sub => x - y,
        BinaryKind::Mul => x * y,
        BinaryKind::Div => x / y,
    }
}

/// The three convolution products as direct gathers, one output element at a time.
fn conv_ref(kind: ConvKind, a: &[f32], b: &[f32], g: &ConvGeometry) -> Vec<f32> {
    let (cig, cog) = (g.cin / g.groups, g.cout / g.groups);
    let [h, w] = g.in_size;
    let [kh, kw] = g.kernel;
    let [oh, ow] = g.out_size;
    let xi = |n: usize, c: usize, y: usize, x: usize| ((n * g.cin + c) * h + y) * w + x;
    let yi = |n: usize, o: usize, y: usize, x: usize| ((n * g.cout + o) * oh + y) * ow + x;
    let wi = |o: usize, c: usize, i: usize, j: usize| ((o * cig + c) * kh + i) * kw + j;
    // input coordinate read by output position `o` and kernel tap `t` in dim `d`
    let at = |d: usize, o: usize, t: usize, size: usize| -> Option<usize> {
        let v = (o * g.stride[d] + t * g.dilation[d]) as isize - g.pad[d] as isize;
        (v >= 0 && (v as usize) < size).then_some(v as usize)
    };
    match kind {
        ConvKind::Forward => {
            let mut y = vec![0.0; g.y_len()];
            for n in 0..g.batch {
                for o in 0..g.cout {
                    let grp = o / cog;
                    for oy in 0..oh {
                        for ox in 0..ow {
                            let mut acc = 0.0;
                            for c in 0..cig {
                                for i in 0..kh {
                                    for j in 0..kw {
                                        if let (Some(iy), Some(ix)) =
                                            (at(0, oy, i, h), at(1, ox, j, w))
                                        {
                                            acc +=
                                                b[wi(o, c, i, j)] * a[xi(n, grp * cig + c, iy, ix)];
                                        }
                                    }
                                }
                            }
                            y[yi(n, o, oy, ox)] = acc;
                        }
                    }
                }
            }
            y
        }
        ConvKind::GradInput => {
            // dx[n,c,iy,ix] = Σ over (o in c's group, i, j) with iy = oy·s - p + i·d for an integer oy
            let mut dx = vec![0.0; g.x_len()];
            for n in 0..g.batch {
                for ci in 0..g.cin {
                    let (grp, c) = (ci / cig, ci % cig);
                    for iy in 0..h {
                        for ix in 0..w {
                            let mut acc = 0.0;
                            for ol in 0..cog {
                                let o = grp * cog + ol;
                                for i in 0..kh {
                                    let ty =
                                        (iy + g.pad[0]) as isize - (i * g.dilation[0]) as isize;
                                    if ty < 0
                                        || ty as usize % g.stride[0] != 0
                                        || ty as usize / g.stride[0] >= oh
                                    {
                                        continue;
                                    }
                                    let oy = ty as usize / g.stride[0];
                                    for j in 0..kw {
                                        let tx =
                                            (ix + g.pad[1]) as isize - (j * g.dilation[1]) as isize;
                                        if tx < 0
                                            || tx as usize % g.stride[1] != 0
                                            || tx as usize / g.stride[1] >= ow
                                        {
                                            continue;
                                        }
                                        let ox = tx as usize / g.stride[1];
                                        acc += a[yi(n, o, oy, ox)] * b[wi(o, c, i, j)];
                                    }
                                }
                            }
                            dx[xi(n, ci, iy, ix)] = acc;
                        }
                    }
                }
            }
            dx
        }
        ConvKind::GradWeight => {
            let mut dw = vec![0.0; g.w_len()];
            for o in 0..g.cout {
                let grp = o / cog;
                for c in 0..cig {
                    for i in 0..kh {
                        for j in 0..kw {
                            let mut acc = 0.0;
                            for n in 0..g.batch {
                                for oy in 0..oh {
                                    for ox in 0..ow {
                                        if let (Some(iy), Some(ix)) =
                                            (at(0, oy, i, h), at(1, ox, j, w))
                                        {
                                            acc += b[yi(n, o, oy, ox)]
                                                * a[xi(n, grp * cig + c, iy, ix)];
                                        }
                                    }
                                }
                            }
                            dw[wi(o, c, i, j)] = acc;
                        }
                    }
                }
            }
            dw
        }
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
        let (a, b) = (self.get(a), self.get(b));
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
        self.out(
            format!(
                "matmul{}{}",
                if ta { "T" } else { "" },
                if tb { "T" } else { "" }
            ),
            c,
        )
    }
    fn binary_f32(&self, op: BinaryKind, a: Operand, b: Operand) -> Option<Output> {
        let (a, b) = (self.get(a), self.get(b));
        let v = a.iter().zip(&b).map(|(&x, &y)| bin(op, x, y)).collect();
        self.out(op.name().to_string(), v)
    }
    fn scalar_f32(&self, op: BinaryKind, x: Operand, s: f32, first: bool) -> Option<Output> {
        let x = self.get(x);
        let v = x
            .iter()
            .map(|&v| if first { bin(op, s, v) } else { bin(op, v, s) })
            .collect();
        self.out(format!("{}_scalar", op.name()), v)
    }
    fn unary_f32(&self, op: UnaryKind, x: Operand) -> Option<Output> {
        let x = self.get(x);
        let f = |v: f32| match op {
            UnaryKind::Neg => -v,
            UnaryKind::Exp => v.exp(),
            UnaryKind::Log => v.ln(),
            UnaryKind::Tanh => v.tanh(),
        };
        self.out(op.name().to_string(), x.iter().map(|&v| f(v)).collect())
    }
    fn sum_f32(&self, x: Operand) -> Option<Output> {
        let x = self.get(x);
        self.out(
            "sum".into(),
            vec![x.iter().map(|&v| v as f64).sum::<f64>() as f32],
        )
    }
    fn conv2d_f32(
        &self,
        kind: ConvKind,
        a: Operand,
        b: Operand,
        g: &ConvGeometry,
    ) -> Option<Output> {
        let (a, b) = (self.get(a), self.get(b));
        self.out(format!("conv_{}", kind.name()), conv_ref(kind, &a, &b, g))
    }
    fn takes_device(&self) -> bool {
        self.takes_device
    }
}

/// Installs a fake device provider for this thread; removed when dropped.
struct Installed(Rc<Stats>);
impl Drop for Installed {
    fn drop(&mut self) {
        set_kernel_provider(None);
    }
}

fn install(takes_device: bool) -> Installed {
    let stats = Rc::new(Stats::default());
    set_kernel_provider(Some(Rc::new(Fake {
        stats: stats.clone(),
        takes_device,
    })));
    Installed(stats)
}

fn f32t(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_f64_slice(v, shape.to_vec(), DType::F32).unwrap()
}

fn vals(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

fn close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "element {i}: {x} vs {y}"
        );
    }
}

#[test]
fn chained_ops_stay_on_the_device_until_read() {
    let (a, b, c) = (
        f32t(&vals(12, 1), &[3, 4]),
        f32t(&vals(20, 2), &[4, 5]),
        f32t(&vals(15, 3), &[3, 5]),
    );
    let want = a
        .matmul(&b)
        .unwrap()
        .add(&c)
        .unwrap()
        .exp()
        .unwrap()
        .sum()
        .unwrap()
        .item()
        .unwrap();
    let dev = install(true);
    let s = a
        .matmul(&b)
        .unwrap()
        .add(&c)
        .unwrap()
        .exp()
        .unwrap()
        .sum()
        .unwrap();
    assert_eq!(*dev.0.calls.borrow(), ["matmul", "add", "exp", "sum"]);
    assert_eq!(dev.0.downloads.get(), 0, "no intermediate was downloaded");
    assert_eq!(
        dev.0.uploads.get(),
        3,
        "a, b and c were offered from the host once each"
    );
    assert_eq!(dev.0.device_operands.get(), 3);
    assert!(s.is_resident() && !s.has_host_data());
    assert_eq!(s.dtype(), DType::F32);
    assert_eq!(s.shape(), &[] as &[usize]);
    assert_eq!(
        dev.0.live.get(),
        1,
        "intermediates were freed with their tensors"
    );
    let got = s.item().unwrap();
    assert_eq!(dev.0.downloads.get(), 1);
    s.item().unwrap();
    assert_eq!(
        dev.0.downloads.get(),
        1,
        "downloaded once, then read from the host copy"
    );
    assert!(
        s.is_resident() && s.has_host_data(),
        "both copies kept after a read"
    );
    assert!((got - want).abs() <= 1e-5 * want.abs());
    drop(s);
    assert_eq!(
        dev.0.live.get(),
        0,
        "the last tensor's drop freed the device data"
    );
}

#[test]
fn reads_views_and_printing_of_resident_tensors() {
    let a = f32t(&vals(6, 4), &[2, 3]);
    let want = a.exp().unwrap();
    let dev = install(true);
    let y = a.exp().unwrap();
    assert!(y.is_resident() && !y.has_host_data());
    // views share the storage and see the downloaded values
    let t = y.t().unwrap();
    let row = y.narrow(0, 1, 1).unwrap();
    assert_eq!(dev.0.downloads.get(), 0, "taking views reads nothing");
    assert_eq!(format!("{y}"), format!("{want}"));
    assert_eq!(dev.0.downloads.get(), 1);
    close(&t.to_f64_vec(), &want.t().unwrap().to_f64_vec(), 0.0);
    close(
        &row.to_f64_vec(),
        &want.narrow(0, 1, 1).unwrap().to_f64_vec(),
        0.0,
    );
    assert_eq!(y.to_vec::<f32>().unwrap(), want.to_vec::<f32>().unwrap());
    assert_eq!(dev.0.downloads.get(), 1);
    drop((y, t));
    assert_eq!(dev.0.live.get(), 1, "a view keeps the storage alive");
    drop(row);
    assert_eq!(dev.0.live.get(), 0);
}

#[test]
fn a_transposed_view_of_a_resident_matrix_is_offered_as_a_handle() {
    let (a, b) = (f32t(&vals(6, 5), &[2, 3]), f32t(&vals(12, 6), &[3, 4]));
    let want = a.matmul(&b).unwrap();
    let want2 = want.t().unwrap().matmul(&a).unwrap();
    let dev = install(true);
    let y = a.matmul(&b).unwrap(); // resident [2, 4]
    let z = y.t().unwrap().matmul(&a).unwrap(); // yᵀ·a: y as a transposed operand
    assert_eq!(*dev.0.calls.borrow(), ["matmul", "matmulT"]);
    assert_eq!(dev.0.downloads.get(), 0);
    close(&z.to_f64_vec(), &want2.to_f64_vec(), 1e-6);
}

#[test]
fn in_place_ops_on_a_resident_tensor_download_once_and_drop_the_device_copy() {
    let (a, c) = (f32t(&vals(6, 7), &[2, 3]), f32t(&vals(6, 8), &[2, 3]));
    let want = a.exp().unwrap();
    want.add_(&c).unwrap();
    let dev = install(true);
    let y = a.exp().unwrap();
    let v0 = y.version();
    let view = y.narrow(1, 0, 2).unwrap();
    y.add_(&c).unwrap(); // computed as y + c on the device, then written into y's storage
    assert!(y.version() > v0, "in-place ops bump the version");
    assert!(!y.is_resident(), "a write drops the stale device copy");
    assert!(!view.is_resident());
    close(&y.to_f64_vec(), &want.to_f64_vec(), 0.0);
    close(
        &view.to_f64_vec(),
        &want.narrow(1, 0, 2).unwrap().to_f64_vec(),
        0.0,
    );
    // the next op offers the host data again (not the stale handle)
    let z = y.neg().unwrap();
    close(&z.to_f64_vec(), &want.neg().unwrap().to_f64_vec(), 0.0);
    drop((y, view, z));
    assert_eq!(dev.0.live.get(), 0);
}

#[test]
fn backward_through_resident_tensors_matches_the_cpu() {
    let run = || {
        let a = f32t(&vals(12, 9), &[3, 4]);
        let w = f32t(&vals(20, 10), &[4, 5]);
        let c = f32t(&vals(15, 11), &[3, 5]);
        a.set_requires_grad(true).unwrap();
        w.set_requires_grad(true).unwrap();
        let h = a.matmul(&w).unwrap().add(&c).unwrap().tanh().unwrap();
        let d = h.sub(&c).unwrap();
        let loss = d.mul(&d).unwrap().mean().unwrap();
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
    let (l0, ga0, gw0) = run();
    let dev = install(true);
    let (l1, ga1, gw1) = run();
    let calls = dev.0.calls.borrow().clone();
    for op in [
        "matmul",
        "add",
        "tanh",
        "sub",
        "mul",
        "sum",
        "div_scalar",
        "matmulT",
    ] {
        assert!(calls.iter().any(|c| c == op), "{op} offloaded: {calls:?}");
    }
    assert!((l0 - l1).abs() <= 1e-6 * l0.abs());
    close(&ga1, &ga0, 1e-5);
    close(&gw1, &gw0, 1e-5);
    drop(calls);
    assert_eq!(
        dev.0.live.get(),
        0,
        "nothing left on the device once the graph is gone"
    );
}

#[test]
fn saved_tensors_see_in_place_changes_to_resident_storage() {
    let dev = install(true);
    let a = f32t(&vals(6, 12), &[2, 3]);
    a.set_requires_grad(true).unwrap();
    let y = a.exp().unwrap(); // resident, saved for ExpBackward
    assert!(y.is_resident());
    tensorgrad_core::no_grad(|| y.mul_scalar_(2.0).map(|_| ())).unwrap();
    let err = y.sum().unwrap().backward(None, false, false).unwrap_err();
    assert!(
        err.message().contains("modified by an inplace operation"),
        "{}",
        err.message()
    );
    drop(dev);
}

#[test]
fn a_provider_that_takes_no_handles_gets_host_data() {
    let a = f32t(&vals(6, 13), &[2, 3]);
    let want = a.exp().unwrap().neg().unwrap();
    let dev = install(false);
    let y = a.exp().unwrap(); // still a device result
    let z = y.neg().unwrap(); // y is downloaded and offered as host data
    assert_eq!(dev.0.device_operands.get(), 0);
    assert_eq!(dev.0.downloads.get(), 1);
    close(&z.to_f64_vec(), &want.to_f64_vec(), 0.0);
}

#[test]
fn float64_and_strided_data_are_never_offered() {
    let dev = install(true);
    let a = Tensor::from_f64_slice(&vals(6, 14), vec![2, 3], DType::F64).unwrap();
    let _ = a
        .exp()
        .unwrap()
        .matmul(&a.t().unwrap())
        .unwrap()
        .sum()
        .unwrap();
    assert!(dev.0.calls.borrow().is_empty());
    let b = f32t(&vals(6, 15), &[2, 3]);
    let _ = b.t().unwrap().exp().unwrap(); // a transposed view is not contiguous
    assert!(dev.0.calls.borrow().is_empty());
}

#[test]
fn a_lost_device_reads_as_nan() {
    let dev = install(true);
    let y = f32t(&[1.0, 2.0], &[2]).exp().unwrap();
    dev.0.lose.set(true);
    assert!(y.to_f64_vec().iter().all(|v| v.is_nan()));
}

#[test]
fn scalar_operands_go_to_the_scalar_kernel() {
    let a = f32t(&vals(6, 16), &[2, 3]);
    let s = f32t(&[0.5], &[]);
    let want = [
        a.mul_scalar(3.0).unwrap(),
        a.rsub_scalar(1.0).unwrap(),
        a.rdiv_scalar(2.0).unwrap(),
        s.sub(&a).unwrap(),
        a.div(&s).unwrap(),
    ];
    let dev = install(true);
    let got = [
        a.mul_scalar(3.0).unwrap(),
        a.rsub_scalar(1.0).unwrap(),
        a.rdiv_scalar(2.0).unwrap(),
        s.sub(&a).unwrap(),
        a.div(&s).unwrap(),
    ];
    assert_eq!(
        *dev.0.calls.borrow(),
        [
            "mul_scalar",
            "sub_scalar",
            "div_scalar",
            "sub_scalar",
            "div_scalar"
        ]
    );
    for (g, w) in got.iter().zip(&want) {
        close(&g.to_f64_vec(), &w.to_f64_vec(), 0.0);
    }
}

/// conv2d forward and both gradients through the device agree with the CPU kernels, over
/// strides, padding, dilation, groups and conv1d; the gradients stay on the device.
#[test]
fn conv2d_forward_and_backward_through_the_device() {
    // (x shape, w shape, stride, pad, dilation, groups)
    type Case = ([usize; 4], [usize; 4], [i64; 2], [i64; 2], [i64; 2], i64);
    let cases: [Case; 5] = [
        ([2, 3, 7, 6], [4, 3, 3, 3], [1, 1], [0, 0], [1, 1], 1),
        ([1, 2, 9, 8], [3, 2, 3, 2], [2, 3], [1, 2], [1, 1], 1),
        ([2, 4, 8, 8], [6, 2, 3, 3], [2, 2], [2, 1], [2, 1], 2),
        ([1, 1, 5, 5], [1, 1, 5, 5], [1, 1], [4, 4], [1, 1], 1),
        ([3, 2, 4, 4], [2, 2, 1, 1], [3, 2], [0, 1], [1, 1], 1),
    ];
    for (i, (xs, ws, st, pd, dl, gr)) in cases.iter().enumerate() {
        let run = || {
            let x = f32t(&vals(xs.iter().product(), 20 + i as u64), xs);
            let w = f32t(&vals(ws.iter().product(), 40 + i as u64), ws);
            x.set_requires_grad(true).unwrap();
            w.set_requires_grad(true).unwrap();
            let y = x
                .conv2d(&w, None, st, &ConvPadding::Explicit(pd.to_vec()), dl, *gr)
                .unwrap();
            let g = f32t(&vals(y.numel(), 60 + i as u64), y.shape());
            let gr = grad(&[y.clone()], &[x, w], &[Some(g)], false, false, false).unwrap();
            let (gx, gw) = (gr[0].clone().unwrap(), gr[1].clone().unwrap());
            (y, gx, gw)
        };
        let (y0, gx0, gw0) = run();
        let dev = install(true);
        let (y1, gx1, gw1) = run();
        assert_eq!(
            *dev.0.calls.borrow(),
            ["conv_forward", "conv_input", "conv_weight"],
            "case {i}"
        );
        assert!(gx1.is_resident() && gw1.is_resident() && y1.is_resident());
        assert_eq!(dev.0.downloads.get(), 0);
        close(&y1.to_f64_vec(), &y0.to_f64_vec(), 1e-5);
        close(&gx1.to_f64_vec(), &gx0.to_f64_vec(), 1e-5);
        close(&gw1.to_f64_vec(), &gw0.to_f64_vec(), 1e-5);
        drop(dev);
    }
    // conv1d (height 1) goes through the same products
    let x = f32t(&vals(2 * 3 * 10, 70), &[2, 3, 10]);
    let w = f32t(&vals(4 * 3 * 3, 71), &[4, 3, 3]);
    let want = x
        .conv1d(&w, None, &[2], &ConvPadding::Explicit(vec![1]), &[1], 1)
        .unwrap();
    let dev = install(true);
    let got = x
        .conv1d(&w, None, &[2], &ConvPadding::Explicit(vec![1]), &[1], 1)
        .unwrap();
    assert_eq!(*dev.0.calls.borrow(), ["conv_forward"]);
    close(&got.to_f64_vec(), &want.to_f64_vec(), 1e-5);
}
