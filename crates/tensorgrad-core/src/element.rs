//! The floating-point element trait the generic kernels are written against.

use crate::storage::Buffer;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

pub trait Float:
    Copy
    + PartialOrd
    + PartialEq
    + Default
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + std::fmt::Debug
    + 'static
{
    const ZERO: Self;
    const ONE: Self;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn powf(self, e: Self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tanh(self) -> Self;
    fn is_nan(self) -> bool;
    fn slice(buf: &Buffer) -> Option<&[Self]>;
    fn slice_mut(buf: &mut Buffer) -> Option<&mut [Self]>;
    fn into_buffer(v: Vec<Self>) -> Buffer;
    /// The data as f32 when `Self` is f32 (external kernels take f32 only).
    fn as_f32(s: &[Self]) -> Option<&[f32]>;
    fn from_f32_vec(v: Vec<f32>) -> Option<Vec<Self>>;
}

macro_rules! impl_float {
    ($t:ty, $variant:ident, |$s:ident| $as_f32:expr, |$v:ident| $from_f32:expr) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
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
            #[allow(unused_variables)]
            fn as_f32($s: &[Self]) -> Option<&[f32]> {
                $as_f32
            }
            #[allow(unused_variables)]
            fn from_f32_vec($v: Vec<f32>) -> Option<Vec<Self>> {
                $from_f32
            }
        }
    };
}

impl_float!(f32, F32, |s| Some(s), |v| Some(v));
impl_float!(f64, F64, |s| None, |v| None);
