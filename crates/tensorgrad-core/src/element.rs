//! Element traits the generic kernels are written against:
//! [`Element`] for every dtype, [`Numeric`] for those with arithmetic (integers wrap on
//! overflow, never panic), [`Float`] for the floating ones.

use crate::dtype::DType;
use crate::storage::Buffer;

pub trait Element: Copy + PartialEq + Default + std::fmt::Debug + 'static {
    const DTYPE: DType;
    fn slice(buf: &Buffer) -> Option<&[Self]>;
    fn slice_mut(buf: &mut Buffer) -> Option<&mut [Self]>;
    fn into_buffer(v: Vec<Self>) -> Buffer;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
}

pub trait Numeric: Element + PartialOrd {
    const ZERO: Self;
    const ONE: Self;
    fn nadd(self, o: Self) -> Self;
    fn nsub(self, o: Self) -> Self;
    fn nmul(self, o: Self) -> Self;
    fn nneg(self) -> Self;
    /// The data as f32 when `Self` is f32 (external kernels take f32 only).
    fn as_f32(s: &[Self]) -> Option<&[f32]>;
    fn from_f32_vec(v: Vec<f32>) -> Option<Vec<Self>>;
}

pub trait Float:
    Numeric
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
    + std::ops::AddAssign
{
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn powf(self, e: Self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tanh(self) -> Self;
    fn is_nan(self) -> bool;
}

macro_rules! impl_element {
    ($t:ty, $variant:ident, $dtype:expr, |$v:ident| $from:expr, |$w:ident| $to:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dtype;
            fn slice(buf: &Buffer) -> Option<&[Self]> {
                match buf {
                    Buffer::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn slice_mut(buf: &mut Buffer) -> Option<&mut [Self]> {
                match buf {
                    Buffer::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn into_buffer(v: Vec<Self>) -> Buffer {
                Buffer::$variant(v)
            }
            #[inline(always)]
            fn from_f64($v: f64) -> Self {
                $from
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                let $w = self;
                $to
            }
        }
    };
}

impl_element!(f32, F32, DType::F32, |v| v as f32, |w| w as f64);
impl_element!(f64, F64, DType::F64, |v| v, |w| w);
impl_element!(
    crate::half::F16,
    F16,
    DType::F16,
    |v| crate::half::F16::from_f32(v as f32),
    |w| w.to_f32() as f64
);
impl_element!(
    crate::half::BF16,
    BF16,
    DType::BF16,
    |v| crate::half::BF16::from_f32(v as f32),
    |w| w.to_f32() as f64
);
impl_element!(i32, I32, DType::I32, |v| v as i32, |w| w as f64);
impl_element!(i64, I64, DType::I64, |v| v as i64, |w| w as f64);
impl_element!(bool, Bool, DType::Bool, |v| v != 0.0, |w| w as u8 as f64);

macro_rules! impl_numeric_float {
    ($t:ty, |$s:ident| $as_f32:expr, |$v:ident| $from_f32:expr) => {
        impl Numeric for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn nadd(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn nsub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn nmul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn nneg(self) -> Self {
                -self
            }
            #[allow(unused_variables)]
            fn as_f32($s: &[Self]) -> Option<&[f32]> {
                $as_f32
            }
            #[allow(unused_variables)]
            fn from_f32_vec($v: Vec<f32>) -> Option<Vec<Self>> {
                $from_f32
            }
        }
        impl Float for $t {
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn powf(self, e: Self) -> Self {
                <$t>::powf(self, e)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                <$t>::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                <$t>::cos(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
        }
    };
}

impl_numeric_float!(f32, |s| Some(s), |v| Some(v));

macro_rules! impl_half {
    ($t:ty, $one:expr) => {
        impl Numeric for $t {
            const ZERO: Self = <$t>::ZERO_BITS;
            const ONE: Self = $one;
            #[inline(always)]
            fn nadd(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn nsub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn nmul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn nneg(self) -> Self {
                -self
            }
            fn as_f32(_: &[Self]) -> Option<&[f32]> {
                None
            }
            fn from_f32_vec(_: Vec<f32>) -> Option<Vec<Self>> {
                None
            }
        }
        impl Float for $t {
            fn exp(self) -> Self {
                <$t>::from_f32(self.to_f32().exp())
            }
            fn ln(self) -> Self {
                <$t>::from_f32(self.to_f32().ln())
            }
            fn powf(self, e: Self) -> Self {
                <$t>::from_f32(self.to_f32().powf(e.to_f32()))
            }
            fn sqrt(self) -> Self {
                <$t>::from_f32(self.to_f32().sqrt())
            }
            fn sin(self) -> Self {
                <$t>::from_f32(self.to_f32().sin())
            }
            fn cos(self) -> Self {
                <$t>::from_f32(self.to_f32().cos())
            }
            fn tanh(self) -> Self {
                <$t>::from_f32(self.to_f32().tanh())
            }
            fn is_nan(self) -> bool {
                self.to_f32().is_nan()
            }
        }
    };
}

impl_half!(crate::half::F16, crate::half::F16(0x3c00));
impl_half!(crate::half::BF16, crate::half::BF16(0x3f80));
impl_numeric_float!(f64, |s| None, |v| None);

macro_rules! impl_numeric_int {
    ($t:ty) => {
        impl Numeric for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn nadd(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn nsub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn nmul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn nneg(self) -> Self {
                self.wrapping_neg()
            }
            fn as_f32(_: &[Self]) -> Option<&[f32]> {
                None
            }
            fn from_f32_vec(_: Vec<f32>) -> Option<Vec<Self>> {
                None
            }
        }
    };
}

impl_numeric_int!(i32);
impl_numeric_int!(i64);
