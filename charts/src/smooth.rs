//! Smoothing: TensorBoard's debiased exponential moving average.
//!
//! Smoothing runs on the full-resolution raw values, before downsampling and before any log transform
//! (case B33), so a smoothed line looks the same at every zoom level. The caller computes it once per
//! (series, weight) and hands the result to [`crate::draw`] next to the raw values.
//!
//! The rule (cases README, "Smoothing"): `last = last*w + (1-w)*v; n += 1; s = last/(1-w^n)`, with `w`
//! clamped to `[0, 0.999]`. A non-finite raw value has no smoothed value (a NaN gap in the output) and
//! leaves `last` and `n` untouched (B05), so a NaN neither resets nor poisons the average.

/// The largest weight accepted; a requested 1.0 (or more) is clamped here (B07), so `1 - w^n` is never 0.
pub const MAX_WEIGHT: f64 = 0.999;

/// Clamps a requested smoothing weight to `[0, MAX_WEIGHT]`; NaN counts as 0 (no smoothing).
pub fn clamp_weight(weight: f64) -> f64 {
    if weight.is_nan() {
        0.0
    } else {
        weight.clamp(0.0, MAX_WEIGHT)
    }
}

/// The debiased EMA of `values` with the given weight: one output per input, NaN where the input is
/// non-finite (a gap, not a value).
///
/// Inputs near `f64::MAX` stay finite (B15: `1e308` with `w = 0.6` gives `6.25e307`, not `inf`), and
/// the first smoothed point is exactly the first raw point, subnormals included (B16).
pub fn ema(values: &[f64], weight: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    ema_into(values, weight, &mut out);
    out
}

/// Like [`ema`], writing into `out` (cleared first) so a redraw loop can reuse the allocation.
pub fn ema_into(values: &[f64], weight: f64, out: &mut Vec<f64>) {
    out.clear();
    out.reserve(values.len());
    let w = clamp_weight(weight);
    let one_minus_w = 1.0 - w;
    // The same average, written as a running convex combination: with `a_n = (1-w)/(1-w^n)`,
    // `s_n = (1-a_n)*s_{n-1} + a_n*v`. Algebraically identical to `last/(1-w^n)`, but
    // * both terms are bounded by the inputs, so `1e308` cannot overflow (B15; this is the
    //   "compute `(1-w)*v` before adding" rule taken one step further), and
    // * `a_1 = 1` makes the first smoothed point exactly the first raw point, even for the subnormal
    //   `5e-324`, where `(1-w)*v` would underflow to 0 (B16: never shown as 0).
    let mut s = 0.0_f64;
    // `w^n` as a running power: it underflows to 0 after enough points, where `a_n` reaches its
    // limit `1-w` anyway.
    let mut w_pow_n = 1.0_f64;
    for &v in values {
        if !v.is_finite() {
            // A gap: no smoothed value, and `s`/`n` stay as they were (B05).
            out.push(f64::NAN);
            continue;
        }
        w_pow_n *= w;
        // `1 - w^n >= 1 - w >= 0.001`, never 0.
        let a = one_minus_w / (1.0 - w_pow_n);
        s = (1.0 - a) * s + a * v;
        out.push(s.clamp(-f64::MAX, f64::MAX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            if w.is_nan() {
                assert!(g.is_nan(), "index {i}: want gap, got {g}");
                continue;
            }
            let tol = 1e-12 * w.abs().max(f64::MIN_POSITIVE);
            assert!(
                (g - w).abs() <= tol,
                "index {i}: got {g:e}, want {w:e} (full: {got:?})"
            );
        }
    }

    const GAP: f64 = f64::NAN;

    #[test]
    fn b05_smoothing_skips_nan() {
        let v = [1.0, f64::NAN, 3.0, 5.0];
        assert_close(
            &ema(&v, 0.5),
            &[1.0, GAP, 2.3333333333333335, 3.857142857142857],
        );
        assert_close(&ema(&v, 0.6), &[1.0, GAP, 2.25, 3.6530612244897958]);
        assert_close(&ema(&v, 0.0), &[1.0, GAP, 3.0, 5.0]);
        // No smoothed value is NaN except at the gap.
        assert_eq!(ema(&v, 0.5).iter().filter(|s| s.is_nan()).count(), 1);
    }

    #[test]
    fn b07_smoothing_edges() {
        let two = [0.0, 1.0];
        let three = [2.0, 4.0, 6.0];
        assert_close(&ema(&two, 0.6), &[0.0, 0.625]);
        assert_close(&ema(&two, 0.999), &[0.0, 0.5002501250625384]);
        let want999 = [2.0, 3.0005002501251057, 4.001334000222227];
        assert_close(&ema(&three, 0.999), &want999);
        assert_close(&ema(&three, 1.0), &want999);
        assert_close(&ema(&three, 7.0), &want999);
        assert_close(&ema(&three, 0.6), &[2.0, 3.25, 4.653061224489797]);
        assert_close(&ema(&three, 0.0), &[2.0, 4.0, 6.0]);
        assert_close(&ema(&three, -0.5), &[2.0, 4.0, 6.0]);
        assert_close(&ema(&three, f64::NAN), &[2.0, 4.0, 6.0]);
        // The first smoothed point equals the first raw point for every weight (no bias toward 0).
        for i in 0..=1000 {
            let w = f64::from(i) / 1000.0;
            let s = ema(&[0.37, 1.0], w);
            assert!((s[0] - 0.37).abs() <= 1e-12 * 0.37, "w={w}: {}", s[0]);
        }
    }

    #[test]
    fn b01_smoothing_over_nan_gap() {
        assert_close(&ema(&[0.5, f64::NAN, 0.3], 0.6), &[0.5, GAP, 0.375]);
    }

    #[test]
    fn b03_smoothing_infinities_are_gaps() {
        for w in [0.0, 0.3, 0.6, 0.999] {
            assert_close(
                &ema(&[f64::INFINITY, 12.5, f64::NEG_INFINITY], w),
                &[GAP, 12.5, GAP],
            );
        }
    }

    #[test]
    fn b11_smoothing_charted_series() {
        assert_close(&ema(&[0.45, 0.4], 0.6), &[0.45, 0.41875]);
    }

    #[test]
    fn b15_huge_values_stay_finite() {
        let v = [1.2345678901234569e23, 1e308, 1e308];
        assert_close(
            &ema(&v, 0.6),
            &[1.2345678901234569e23, 6.25e307, 8.16326530612245e307],
        );
        assert_close(
            &ema(&v, 0.999),
            &[
                1.2345678901234569e23,
                5.002501250625384e307,
                6.670001111110749e307,
            ],
        );
        let max = [f64::MAX, f64::MAX, f64::MAX];
        assert!(ema(&max, 0.6).iter().all(|s| s.is_finite()));
        let mixed = [f64::MAX, -f64::MAX, f64::MAX];
        assert!(ema(&mixed, 0.999).iter().all(|s| s.is_finite()));
    }

    #[test]
    fn b16_subnormal_first_point_is_kept() {
        for w in [0.0, 0.6, 0.999] {
            let s = ema(&[5e-324, 1e-7], w);
            assert_eq!(s[0].to_bits(), 1, "w={w}: {:e}", s[0]);
            assert!(s[1] > 0.0);
        }
    }

    #[test]
    fn b33_smoothing_on_raw_values() {
        assert_close(
            &ema(&[1.0, 0.1, 0.0, -0.5, 0.01], 0.6),
            &[
                1.0,
                0.43750000000000006,
                0.2142857142857143,
                -0.11397058823529412,
                -0.06020124913254684,
            ],
        );
    }

    #[test]
    fn ema_into_reuses_buffer() {
        let mut out = vec![9.0; 10];
        ema_into(&[1.0, 2.0], 0.0, &mut out);
        assert_eq!(out, vec![1.0, 2.0]);
    }
}
