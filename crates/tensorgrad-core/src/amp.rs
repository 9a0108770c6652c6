//! Mixed-precision support kernels, as PyTorch's `_amp_foreach_non_finite_check_and_unscale_`
//! and `_amp_update_scale_` (CPU kernels in AmpGradScalerKernels.cpp).

use crate::bail;
use crate::error::Result;
use crate::storage::Buffer;
use crate::tensor::Tensor;

/// Multiply every gradient in place by `inv_scale` (a float32 value) and report whether any
/// element was inf or nan. Elements are computed in float32 ("opmath") and stored back in the
/// gradient's dtype; a scale of exactly 1 leaves values untouched.
pub fn non_finite_check_and_unscale_(grads: &[Tensor], inv_scale: f32) -> Result<bool> {
    let mut found_inf = false;
    for g in grads {
        if !g.dtype().is_floating_point() {
            bail!("_amp_foreach_non_finite_check_and_unscale_ expects floating-point gradients, got {}", g.dtype());
        }
        let l = g.layout().clone();
        let mut buf = g.storage().write();
        macro_rules! go {
            ($d:expr, $to:expr, $from:expr) => {
                crate::shape::for_each_offset(&l.shape, [&l.strides], [l.offset], |[o]| {
                    let v: f32 = $to($d[o]);
                    if !v.is_finite() {
                        found_inf = true;
                    }
                    $d[o] = $from(if inv_scale == 1.0 { v } else { v * inv_scale });
                })
            };
        }
        match &mut *buf {
            Buffer::F32(d) => go!(d, |x: f32| x, |x: f32| x),
            Buffer::F16(d) => go!(
                d,
                |x: crate::half::F16| x.to_f32(),
                crate::half::F16::from_f32
            ),
            Buffer::BF16(d) => go!(
                d,
                |x: crate::half::BF16| x.to_f32(),
                crate::half::BF16::from_f32
            ),
            // float64 gradients are unscaled in double with the float32 factor.
            Buffer::F64(d) => {
                crate::shape::for_each_offset(&l.shape, [&l.strides], [l.offset], |[o]| {
                    if !d[o].is_finite() {
                        found_inf = true;
                    }
                    if inv_scale != 1.0 {
                        d[o] *= inv_scale as f64;
                    }
                })
            }
            _ => {
                bail!("_amp_foreach_non_finite_check_and_unscale_ expects floating-point gradients")
            }
        }
    }
    Ok(found_inf)
}

/// `_amp_update_scale_`: returns the new (scale, growth_tracker).
pub fn update_scale(
    scale: f32,
    growth_tracker: i32,
    found_inf: bool,
    growth_factor: f64,
    backoff_factor: f64,
    growth_interval: i32,
) -> (f32, i32) {
    if found_inf {
        return (((scale as f64) * backoff_factor) as f32, 0);
    }
    let successful = growth_tracker + 1;
    if successful == growth_interval {
        let new_scale = ((scale as f64) * growth_factor) as f32;
        // Do not grow the scale past fp32 bounds to inf.
        (
            if new_scale.is_finite() {
                new_scale
            } else {
                scale
            },
            0,
        )
    } else {
        (scale, successful)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn unscales_in_place_and_detects_non_finite() {
        let g = Tensor::from_f64_slice(&[2.0, 4.0], vec![2], DType::F32).unwrap();
        let v0 = g.version();
        assert!(!non_finite_check_and_unscale_(&[g.clone()], 0.5).unwrap());
        assert_eq!(g.to_f64_vec(), vec![1.0, 2.0]);
        assert!(g.version() > v0);
        let h = Tensor::from_f64_slice(&[f64::NAN, 1.0], vec![2], DType::F32).unwrap();
        assert!(non_finite_check_and_unscale_(&[g, h.clone()], 0.5).unwrap());
        assert!(h.to_f64_vec()[0].is_nan());
    }

    #[test]
    fn update_scale_rules() {
        assert_eq!(update_scale(65536.0, 5, true, 2.0, 0.5, 2000), (32768.0, 0));
        assert_eq!(
            update_scale(65536.0, 1998, false, 2.0, 0.5, 2000),
            (65536.0, 1999)
        );
        assert_eq!(
            update_scale(65536.0, 1999, false, 2.0, 0.5, 2000),
            (131072.0, 0)
        );
        assert_eq!(
            update_scale(f32::MAX, 1999, false, 2.0, 0.5, 2000),
            (f32::MAX, 0)
        );
    }
}
