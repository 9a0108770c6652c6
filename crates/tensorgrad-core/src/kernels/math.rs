//! Vectorisable approximations of elementary functions for float32 kernels. Each is a
//! branch-free expression (compares become selects), so the contiguous loops of
//! `kernels::unary` run them on SIMD lanes; libm's scalar calls cannot be vectorised.

/// tanh for float32: the odd rational approximation p(x²)·x / q(x²) (degree 13/6, the
/// coefficients of Eigen's `generic_fast_tanh_float`), evaluated in f64 lanes (so rounding
/// adds nothing to the approximation's own error), the input clamped to ±9.1, ±1 beyond
/// it and tanh(x) = x below 4e-4. Within 3 ulp of the correctly rounded tanh over ±20
/// (tested); NaN stays NaN.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    const CLAMP: f64 = 9.1;
    const A1: f64 = 4.893_524_558_917_86e-3;
    const A3: f64 = 6.372_619_288_754_36e-4;
    const A5: f64 = 1.485_722_357_179_79e-5;
    const A7: f64 = 5.122_297_090_371_14e-8;
    const A9: f64 = -8.604_671_522_137_35e-11;
    const A11: f64 = 2.000_187_904_824_77e-13;
    const A13: f64 = -2.760_768_477_423_55e-16;
    const B0: f64 = 4.893_525_185_543_85e-3;
    const B2: f64 = 2.268_434_632_439e-3;
    const B4: f64 = 1.185_347_056_866_54e-4;
    const B6: f64 = 1.198_258_394_667_02e-6;
    let xd = x as f64;
    let c = if xd > CLAMP {
        CLAMP
    } else if xd < -CLAMP {
        -CLAMP
    } else {
        xd
    };
    let x2 = c * c;
    let mut p = A13;
    p = p * x2 + A11;
    p = p * x2 + A9;
    p = p * x2 + A7;
    p = p * x2 + A5;
    p = p * x2 + A3;
    p = p * x2 + A1;
    p *= c;
    let mut q = B6;
    q = q * x2 + B4;
    q = q * x2 + B2;
    q = q * x2 + B0;
    let r = (p / q) as f32;
    // tanh rounds to ±1 in float32 from |x| ≈ 9.01 on; the clamped rational stops just short.
    let r = if xd > 9.1 {
        1.0
    } else if xd < -9.1 {
        -1.0
    } else {
        r
    };
    if x.abs() < 4e-4 {
        x
    } else {
        r
    }
}

/// `tanh` as the forward kernels compute it: the fast approximation for f32, libm for f64.
pub trait Tanh: Copy {
    fn tanh_kernel(self) -> Self;
}
impl Tanh for f32 {
    #[inline(always)]
    fn tanh_kernel(self) -> f32 {
        tanh_f32(self)
    }
}
impl Tanh for f64 {
    #[inline(always)]
    fn tanh_kernel(self) -> f64 {
        self.tanh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f32, b: f32) -> i64 {
        let key = |v: f32| {
            let i = v.to_bits() as i32;
            if i < 0 {
                i64::from(i32::MIN) - i64::from(i)
            } else {
                i64::from(i)
            }
        };
        (key(a) - key(b)).abs()
    }

    #[test]
    fn tanh_matches_libm() {
        let mut worst = (0i64, 0f32);
        let mut x = -20.0f32;
        while x <= 20.0 {
            for v in [x, x * 1e-3, x * 1e-6] {
                let want = (v as f64).tanh() as f32;
                let d = ulps(tanh_f32(v), want);
                if d > worst.0 {
                    worst = (d, v);
                }
            }
            x += 1.37e-4;
        }
        eprintln!("tanh_f32: worst error {} ulp at x = {}", worst.0, worst.1);
        assert!(
            worst.0 <= 3,
            "worst error {} ulp at x = {}",
            worst.0,
            worst.1
        );
    }

    #[test]
    fn tanh_special_values() {
        assert_eq!(tanh_f32(0.0), 0.0);
        assert!(tanh_f32(-0.0).is_sign_negative());
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert_eq!(tanh_f32(100.0), 1.0);
        assert!(tanh_f32(f32::NAN).is_nan());
        assert_eq!(tanh_f32(1e-30), 1e-30);
        assert!(tanh_f32(f32::MIN_POSITIVE / 4.0) > 0.0);
    }
}
