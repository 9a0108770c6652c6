//! float16 and bfloat16 storage types. Arithmetic converts to float32, computes, and rounds
//! back to the storage type with IEEE round-to-nearest-even, as PyTorch does on CPU.

/// IEEE 754 binary16, stored as its bits.
#[derive(Clone, Copy, Default, PartialEq, Debug)]
#[repr(transparent)]
pub struct F16(pub u16);

/// bfloat16 (the top half of a float32), stored as its bits.
#[derive(Clone, Copy, Default, PartialEq, Debug)]
#[repr(transparent)]
pub struct BF16(pub u16);

/// float32 -> float16, round to nearest even; overflow gives inf, tiny values subnormals or 0.
pub fn f32_to_f16_bits(value: f32) -> u16 {
    let x = value.to_bits();
    let sign = ((x >> 16) & 0x8000) as u16;
    let exp = ((x >> 23) & 0xff) as i32;
    let man = x & 0x7f_ffff;
    if exp == 0xff {
        if man == 0 {
            return sign | 0x7c00;
        }
        // NaN stays NaN (quiet), keeping the top payload bits.
        return sign | 0x7e00 | (man >> 13) as u16;
    }
    let half_exp = exp - 127 + 15;
    if half_exp >= 0x1f {
        return sign | 0x7c00;
    }
    if half_exp <= 0 {
        if half_exp < -10 {
            return sign; // below half the smallest subnormal: ±0
        }
        let man = man | 0x80_0000;
        let shift = (14 - half_exp) as u32;
        let mut h = man >> shift;
        let round_bit = 1u32 << (shift - 1);
        if (man & round_bit) != 0 && (man & (3 * round_bit - 1)) != 0 {
            h += 1;
        }
        return sign | h as u16;
    }
    let mut h = ((half_exp as u32) << 10) | (man >> 13);
    let round_bit = 0x1000u32;
    if (man & round_bit) != 0 && (man & (3 * round_bit - 1)) != 0 {
        h += 1; // may carry into the exponent, up to inf: correct rounding
    }
    sign | h as u16
}

pub fn f16_bits_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    if exp == 0 {
        let v = man as f32 * (1.0 / 16_777_216.0); // subnormal: man · 2^-24, exact
        return if sign != 0 { -v } else { v };
    }
    if exp == 0x1f {
        return f32::from_bits(sign | 0x7f80_0000 | (man << 13));
    }
    f32::from_bits(sign | ((exp + 112) << 23) | (man << 13))
}

/// float32 -> bfloat16, round to nearest even (PyTorch's `round_to_nearest_even`; NaN -> 0x7FC0).
pub fn f32_to_bf16_bits(x: f32) -> u16 {
    if x.is_nan() {
        return 0x7fc0;
    }
    let u = x.to_bits();
    let bias = ((u >> 16) & 1) + 0x7fff;
    (u.wrapping_add(bias) >> 16) as u16
}

pub fn bf16_bits_to_f32(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

impl F16 {
    pub const ZERO_BITS: F16 = F16(0);
    #[inline(always)]
    pub fn from_f32(v: f32) -> F16 {
        F16(f32_to_f16_bits(v))
    }
    #[inline(always)]
    pub fn to_f32(self) -> f32 {
        f16_bits_to_f32(self.0)
    }
}

impl BF16 {
    pub const ZERO_BITS: BF16 = BF16(0);
    #[inline(always)]
    pub fn from_f32(v: f32) -> BF16 {
        BF16(f32_to_bf16_bits(v))
    }
    #[inline(always)]
    pub fn to_f32(self) -> f32 {
        bf16_bits_to_f32(self.0)
    }
}

macro_rules! half_ops {
    ($t:ident) => {
        impl PartialOrd for $t {
            fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
                self.to_f32().partial_cmp(&o.to_f32())
            }
        }
        impl std::ops::Add for $t {
            type Output = $t;
            #[inline(always)]
            fn add(self, o: $t) -> $t {
                $t::from_f32(self.to_f32() + o.to_f32())
            }
        }
        impl std::ops::Sub for $t {
            type Output = $t;
            #[inline(always)]
            fn sub(self, o: $t) -> $t {
                $t::from_f32(self.to_f32() - o.to_f32())
            }
        }
        impl std::ops::Mul for $t {
            type Output = $t;
            #[inline(always)]
            fn mul(self, o: $t) -> $t {
                $t::from_f32(self.to_f32() * o.to_f32())
            }
        }
        impl std::ops::Div for $t {
            type Output = $t;
            #[inline(always)]
            fn div(self, o: $t) -> $t {
                $t::from_f32(self.to_f32() / o.to_f32())
            }
        }
        impl std::ops::Neg for $t {
            type Output = $t;
            #[inline(always)]
            fn neg(self) -> $t {
                $t::from_f32(-self.to_f32())
            }
        }
        impl std::ops::AddAssign for $t {
            #[inline(always)]
            fn add_assign(&mut self, o: $t) {
                *self = *self + o;
            }
        }
    };
}

half_ops!(F16);
half_ops!(BF16);

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(x: f32) -> f32 {
        f16_bits_to_f32(f32_to_f16_bits(x))
    }

    #[test]
    fn float16_boundaries() {
        assert_eq!(rt(65504.0), 65504.0); // max
        assert_eq!(rt(65520.0), f32::INFINITY); // rounds up past max
        assert_eq!(rt(65519.0), 65504.0);
        assert_eq!(rt(1e6), f32::INFINITY);
        assert_eq!(rt(-1e6), f32::NEG_INFINITY);
        assert_eq!(rt(6.103515625e-05), 6.103515625e-05); // smallest normal
        assert_eq!(rt(5.960464477539063e-08), 5.960464477539063e-08); // smallest subnormal 2^-24
        assert_eq!(rt(2.9802322387695312e-08), 0.0); // 2^-25: a tie, rounds to even (0)
        assert_eq!(rt(3.0e-08), 5.960464477539063e-08); // just above the tie
        assert_eq!(rt(1.0e-9), 0.0);
        assert!(rt(f32::NAN).is_nan());
        assert_eq!(f32_to_f16_bits(-0.0), 0x8000);
        // ties to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10
        assert_eq!(rt(1.0 + 2f32.powi(-11)), 1.0);
        assert_eq!(rt(1.0 + 3.0 * 2f32.powi(-11)), 1.0 + 2.0 * 2f32.powi(-10));
        assert_eq!(f32_to_f16_bits(1.0), 0x3c00);
        assert_eq!(rt(0.1), 0.0999755859375);
    }

    #[test]
    fn bfloat16_rounding() {
        let rtb = |x: f32| bf16_bits_to_f32(f32_to_bf16_bits(x));
        assert_eq!(rtb(1.0), 1.0);
        assert_eq!(rtb(1.0 + 2f32.powi(-8)), 1.0); // tie to even
        assert_eq!(rtb(1.0 + 3.0 * 2f32.powi(-8)), 1.0 + 2f32.powi(-6));
        assert_eq!(f32_to_bf16_bits(f32::NAN), 0x7fc0);
        assert_eq!(rtb(f32::MAX), f32::INFINITY);
        assert_eq!(rtb(0.1), 0.10009765625);
    }
}
