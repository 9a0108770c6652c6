//! Random numbers that reproduce PyTorch's CPU streams: mt19937 seeded like
//! `torch.manual_seed`, and PyTorch's uniform/normal transforms (`normal_fill` for 16+
//! elements, the cached Box-Muller pair below that). `manual_seed(0); randn([3])` gives
//! PyTorch's `[1.5410, -0.2934, -2.1788]`.

use crate::dtype::DType;
use crate::error::Result;
use crate::shape::numel;
use crate::tensor::Tensor;
use std::cell::RefCell;

const N: usize = 624;
const M: usize = 397;

pub struct Mt19937 {
    state: [u32; N],
    idx: usize,
}

impl Mt19937 {
    pub fn new(seed: u64) -> Self {
        let mut state = [0u32; N];
        state[0] = (seed & 0xffff_ffff) as u32;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1812433253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, idx: N }
    }

    fn twist(&mut self) {
        for i in 0..N {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % N] & 0x7fff_ffff);
            let mut v = self.state[(i + M) % N] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            self.state[i] = v;
        }
        self.idx = 0;
    }

    pub fn next_u32(&mut self) -> u32 {
        if self.idx >= N {
            self.twist();
        }
        let mut y = self.state[self.idx];
        self.idx += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }
}

/// PyTorch's CPU generator: the engine plus the cached second Box-Muller sample.
pub struct Generator {
    engine: Mt19937,
    next_double_normal: Option<f64>,
}

/// PyTorch's default seed when none was set.
const DEFAULT_SEED: u64 = 67280421310721;

impl Generator {
    pub fn new(seed: u64) -> Self {
        Generator {
            engine: Mt19937::new(seed),
            next_double_normal: None,
        }
    }
    /// One 32-bit engine draw (`CPUGeneratorImpl::random`); randint and randperm use it.
    pub(crate) fn random(&mut self) -> u32 {
        self.engine.next_u32()
    }
    /// Two draws as one 64-bit value, the first in the high half (`random64`).
    pub(crate) fn random64(&mut self) -> u64 {
        let hi = self.engine.next_u32() as u64;
        let lo = self.engine.next_u32() as u64;
        (hi << 32) | lo
    }
    /// `uniform_real_distribution<float>(0, 1)`: 24 random bits.
    pub fn uniform_f32(&mut self) -> f32 {
        ((self.random() & ((1 << 24) - 1)) as f32) * (1.0 / (1u32 << 24) as f32)
    }
    /// `uniform_real_distribution<double>(0, 1)`: 53 random bits.
    pub fn uniform_f64(&mut self) -> f64 {
        ((self.random64() & ((1u64 << 53) - 1)) as f64) * (1.0 / (1u64 << 53) as f64)
    }
    /// `normal_distribution<double>`, with its cached sine sample.
    pub fn normal_f64(&mut self) -> f64 {
        if let Some(v) = self.next_double_normal.take() {
            return v;
        }
        let u1 = self.uniform_f64();
        let u2 = self.uniform_f64();
        let r = (-2.0 * (-u2).ln_1p()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u1;
        self.next_double_normal = Some(r * theta.sin());
        r * theta.cos()
    }
}

thread_local! {
    static GEN: RefCell<Generator> = RefCell::new(Generator::new(DEFAULT_SEED));
}

/// `torch.manual_seed(seed)`.
pub fn manual_seed(seed: u64) {
    GEN.with(|g| *g.borrow_mut() = Generator::new(seed));
}

pub fn with_generator<R>(f: impl FnOnce(&mut Generator) -> R) -> R {
    GEN.with(|g| f(&mut g.borrow_mut()))
}

macro_rules! normal_fill {
    ($g:expr, $n:expr, $T:ty, $uniform:ident) => {{
        let n = $n;
        let mut data: Vec<$T> = (0..n).map(|_| $g.$uniform()).collect();
        fn fill16(d: &mut [$T]) {
            for j in 0..8 {
                let u1: $T = 1.0 - d[j];
                let u2: $T = d[j + 8];
                let radius = (-2.0 * u1.ln()).sqrt();
                let theta: $T = (2.0 * std::f64::consts::PI) as $T * u2;
                d[j] = radius * theta.cos();
                d[j + 8] = radius * theta.sin();
            }
        }
        let mut i = 0;
        while i + 16 <= n {
            fill16(&mut data[i..i + 16]);
            i += 16;
        }
        if n % 16 != 0 {
            // PyTorch recomputes the last 16 values from fresh uniforms.
            let start = n - 16;
            for k in 0..16 {
                data[start + k] = $g.$uniform();
            }
            fill16(&mut data[start..]);
        }
        data
    }};
}

impl Tensor {
    /// `randn(shape)`: standard normal samples, PyTorch's stream.
    pub fn randn(shape: &[usize], dtype: DType) -> Result<Tensor> {
        if matches!(dtype, DType::F16 | DType::BF16) {
            // float32 samples rounded (PyTorch samples in the half type itself, so these
            // streams differ from PyTorch's for float16/bfloat16).
            return Tensor::randn(shape, DType::F32)?.to_dtype(dtype);
        }
        let n = numel(shape);
        with_generator(|g| match dtype {
            DType::F32 if n >= 16 => {
                Tensor::from_vec(normal_fill!(g, n, f32, uniform_f32), shape.to_vec())
            }
            DType::F64 if n >= 16 => {
                Tensor::from_vec(normal_fill!(g, n, f64, uniform_f64), shape.to_vec())
            }
            DType::F32 => Tensor::from_vec(
                (0..n).map(|_| g.normal_f64() as f32).collect(),
                shape.to_vec(),
            ),
            DType::F64 => {
                Tensor::from_vec((0..n).map(|_| g.normal_f64()).collect(), shape.to_vec())
            }
            d => crate::bail!(
                "\"normal_kernel_cpu\" not implemented for '{}'",
                crate::ops::kernel_dtype_name(d)
            ),
        })
    }

    /// `rand(shape)`: uniform on [0, 1), PyTorch's stream.
    pub fn rand(shape: &[usize], dtype: DType) -> Result<Tensor> {
        if matches!(dtype, DType::F16 | DType::BF16) {
            return Tensor::rand(shape, DType::F32)?.to_dtype(dtype);
        }
        let n = numel(shape);
        with_generator(|g| match dtype {
            DType::F32 => {
                Tensor::from_vec((0..n).map(|_| g.uniform_f32()).collect(), shape.to_vec())
            }
            DType::F64 => {
                Tensor::from_vec((0..n).map(|_| g.uniform_f64()).collect(), shape.to_vec())
            }
            d => crate::bail!(
                "\"check_uniform_bounds\" not implemented for '{}'",
                crate::ops::kernel_dtype_name(d)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_reference_output() {
        // std::mt19937 with the default seed 5489: the 10000th output is 4123659995.
        let mut m = Mt19937::new(5489);
        let mut last = 0;
        for _ in 0..10000 {
            last = m.next_u32();
        }
        assert_eq!(last, 4123659995);
    }

    #[test]
    fn matches_pytorch_streams() {
        manual_seed(0);
        let r = Tensor::rand(&[2], DType::F32).unwrap().to_f64_vec();
        assert!(
            (r[0] - 0.4963).abs() < 1e-4 && (r[1] - 0.7682).abs() < 1e-4,
            "{r:?}"
        );
        manual_seed(0);
        let n = Tensor::randn(&[3], DType::F32).unwrap().to_f64_vec();
        let want = [1.5410, -0.2934, -2.1788];
        for (a, b) in n.iter().zip(want) {
            assert!((a - b).abs() < 1e-4, "{n:?}");
        }
    }
}
