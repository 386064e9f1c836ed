//! Axis domains, ticks and every number-to-text rule of a chart.
//!
//! The y-domain is built from finite values only, across all series of an overlay (B01, B04), so a NaN
//! or an infinity never widens, blanks or poisons an axis; a lone value is widened to a non-empty range
//! (B03), and padding is computed so that it cannot overflow (B15). On a log10 axis, values `<= 0` are
//! hidden and counted (B33) and the domain snaps to whole decades. Ticks are "nice" numbers; labels
//! switch to scientific notation for huge or tiny magnitudes (`1e308`, `8e307`, `1e-7`), so a label is
//! never hundreds of digits long and never `Infinity`.
//!
//! The x-axis is whatever the caller plots: steps, wall time (Unix milliseconds) or time since the run
//! started (milliseconds); this module only turns those numbers into ticks and text. Tooltip values use
//! the shortest text that reads back to the same `f64` ([`format_value`]: `5e-324`, never `0`).

use std::fmt::Write as _;

/// Padding added above and below the finite data range, as a fraction of that range (Aspara's 10 %).
pub const PADDING: f64 = 0.1;

/// How values map to the vertical axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum YScale {
    /// Values plotted as they are.
    #[default]
    Linear,
    /// `log10(value)`; values `<= 0` cannot be placed and are hidden (and counted).
    Log10,
}

impl YScale {
    /// Maps a data value to axis space; `None` when it cannot be placed (non-finite, or `<= 0` on a log
    /// axis). Subnormals are kept: `log10(5e-324)` is `-323.3062153431158` (B16).
    pub fn to_axis(self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            return None;
        }
        match self {
            YScale::Linear => Some(v),
            YScale::Log10 => (v > 0.0).then(|| v.log10()),
        }
    }

    /// Maps an axis-space coordinate back to a data value (clamped to finite values).
    pub fn from_axis(self, a: f64) -> f64 {
        match self {
            YScale::Linear => a,
            YScale::Log10 => 10f64.powf(a).min(f64::MAX),
        }
    }
}

/// The vertical extent of a chart, in axis space (values, or `log10` of values on a log axis).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YDomain {
    /// Lower bound in axis space; always finite.
    pub lo: f64,
    /// Upper bound in axis space; always finite and greater than `lo`.
    pub hi: f64,
    /// The scale the bounds are expressed in.
    pub scale: YScale,
    /// How many values could be placed on the axis (finite, and positive on a log axis).
    pub plotted: usize,
    /// Finite values `<= 0` hidden by a log axis (B33).
    pub hidden_nonpositive: usize,
}

impl YDomain {
    /// True when no value could be placed, so the bounds are a default (B04: "no finite values").
    pub fn is_default(&self) -> bool {
        self.plotted == 0
    }

    /// The note a chart shows about values it could not place, if any.
    ///
    /// `"2 non-positive values hidden"` (B33), `"no finite values"` (B04).
    pub fn note(&self) -> Option<String> {
        if self.hidden_nonpositive > 0 {
            Some(hidden_note(self.hidden_nonpositive))
        } else if self.plotted == 0 {
            Some(NO_FINITE_VALUES.to_string())
        } else {
            None
        }
    }
}

/// The note shown for a series (or chart) with nothing to place on the axis.
pub const NO_FINITE_VALUES: &str = "no finite values";

/// `"1 non-positive value hidden"` / `"2 non-positive values hidden"`.
pub fn hidden_note(n: usize) -> String {
    if n == 1 {
        "1 non-positive value hidden".to_string()
    } else {
        format!("{n} non-positive values hidden")
    }
}

/// The y-domain of the given value slices on the given scale.
///
/// Linear: `[min, max]` of the finite values, padded by 10 % of the range on each side (B01: `[0.3,
/// 0.5]` → `[0.28, 0.52]`); a single value `v` is widened by `10 % of |v|` (B03: `12.5` → `[11.25,
/// 13.75]`), and `0` (or a value too small to widen) by 1. Log10: whole decades around the positive
/// values (B33: `1e-2..1e0`), a single decade widened by one on each side. With nothing to place the
/// domain is `[0, 1]` and [`YDomain::is_default`] is true. Bounds never overflow (B15).
pub fn y_domain<'a, I>(series: I, scale: YScale) -> YDomain
where
    I: IntoIterator<Item = &'a [f64]>,
{
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    let mut plotted = 0usize;
    let mut hidden = 0usize;
    for values in series {
        for &v in values {
            if !v.is_finite() {
                continue;
            }
            match scale.to_axis(v) {
                Some(a) => {
                    plotted += 1;
                    min = min.min(a);
                    max = max.max(a);
                }
                None => hidden += 1,
            }
        }
    }
    let (lo, hi) = if plotted == 0 {
        (0.0, 1.0)
    } else {
        match scale {
            YScale::Linear => pad_linear(min, max),
            YScale::Log10 => decades(min, max),
        }
    };
    YDomain {
        lo,
        hi,
        scale,
        plotted,
        hidden_nonpositive: hidden,
    }
}

/// Pads a finite, ordered `[min, max]` by [`PADDING`] without overflowing.
pub fn pad_linear(min: f64, max: f64) -> (f64, f64) {
    if min >= max {
        let d = min.abs() * PADDING;
        // A zero (or subnormal) value cannot be widened relative to itself.
        let d = if d < 1e-300 { 1.0 } else { d };
        return (clamp_finite(min - d), clamp_finite(min + d));
    }
    // `max*0.1 - min*0.1` instead of `(max - min)*0.1`: the difference overflows for ±1e308.
    let pad = max * PADDING - min * PADDING;
    (clamp_finite(min - pad), clamp_finite(max + pad))
}

fn decades(min: f64, max: f64) -> (f64, f64) {
    let lo = min.floor();
    let hi = max.ceil();
    if lo >= hi {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    }
}

fn clamp_finite(v: f64) -> f64 {
    v.clamp(-f64::MAX, f64::MAX)
}

/// Ticks of one axis: positions in axis space and their labels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ticks {
    /// Tick positions, ascending, in axis space.
    pub positions: Vec<f64>,
    /// One label per position.
    pub labels: Vec<String>,
}

impl Ticks {
    fn push(&mut self, pos: f64, label: String) {
        self.positions.push(pos);
        self.labels.push(label);
    }
}

/// A "nice" step (1, 2 or 5 times a power of ten) close to `span / target`, as `(step, exponent)`.
fn nice_step(lo: f64, hi: f64, target: usize) -> Option<(f64, i32)> {
    let target = target.max(1) as f64;
    // `hi/t - lo/t` rather than `(hi - lo)/t`: the difference overflows for ±1e308.
    let raw = hi / target - lo / target;
    if !(raw.is_finite() && raw > 0.0) {
        return None;
    }
    let exp = raw.log10().floor() as i32;
    let mag = pow10(exp);
    let norm = raw / mag;
    let (mult, exp) = if norm <= 1.0 {
        (1.0, exp)
    } else if norm <= 2.0 {
        (2.0, exp)
    } else if norm <= 5.0 {
        (5.0, exp)
    } else {
        (1.0, exp + 1)
    };
    Some((mult * pow10(exp), exp))
}

fn pow10(e: i32) -> f64 {
    // `powi` of a negative exponent loses precision; dividing by the positive power keeps 1e-7 exact.
    if e >= 0 {
        10f64.powi(e)
    } else {
        1.0 / 10f64.powi(-e)
    }
}

/// At most this many ticks are produced per axis, whatever the domain (guards against degenerate
/// domains where a step is below the float resolution).
const MAX_TICKS: usize = 64;

fn multiples(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let k0 = (lo / step).ceil();
    let k1 = (hi / step).floor();
    let mut out = Vec::new();
    if !(k0.is_finite() && k1.is_finite()) || k1 - k0 > MAX_TICKS as f64 {
        return out;
    }
    let mut k = k0;
    while k <= k1 {
        let t = k * step;
        // `-0.0` reads as "-0"; integer multiples avoid accumulated drift.
        let t = if t == 0.0 { 0.0 } else { t };
        if out.last().is_none_or(|&p| t > p) && t.is_finite() {
            out.push(t);
        }
        k += 1.0;
    }
    out
}

/// Ticks of a linear value axis over `[lo, hi]`, about `target` of them.
///
/// Labels are fixed-point with as many decimals as the step needs (`0.28`, `0.3`), or scientific when
/// the axis reaches `1e6` or its step is below `1e-4` (`1e308`, `8e307`, `1e-7`).
pub fn linear_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let mut ticks = Ticks::default();
    let Some((step, step_exp)) = nice_step(lo, hi, target) else {
        return ticks;
    };
    let scientific = lo.abs().max(hi.abs()) >= 1e6 || step_exp < -4;
    for t in multiples(lo, hi, step) {
        ticks.push(t, format_tick(t, step_exp, scientific));
    }
    ticks
}

/// Formats one linear tick whose step is `k * 10^step_exp`.
pub fn format_tick(v: f64, step_exp: i32, scientific: bool) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if scientific {
        let v_exp = v.abs().log10().floor() as i32;
        let decimals = (v_exp - step_exp).clamp(0, 16) as usize;
        trim_exp(&format!("{v:.decimals$e}"))
    } else {
        let decimals = (-step_exp).max(0) as usize;
        format!("{v:.decimals$}")
    }
}

/// `1.50e-7` → `1.5e-7`, `1.0e3` → `1e3`.
fn trim_exp(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) if m.contains('.') => {
            let m = m.trim_end_matches('0').trim_end_matches('.');
            format!("{m}e{e}")
        }
        _ => s.to_string(),
    }
}

/// Ticks of a log10 axis over `[lo, hi]` (in decades): powers of ten, thinned to about `target`.
pub fn log_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let mut ticks = Ticks::default();
    let k0 = lo.ceil();
    let k1 = hi.floor();
    if !(k0.is_finite() && k1.is_finite()) || k1 < k0 {
        return ticks;
    }
    let count = k1 - k0 + 1.0;
    let target = target.max(1) as f64;
    let stride = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
        .into_iter()
        .find(|s| count / s <= target)
        .unwrap_or(500.0);
    // Strided decades stay anchored at multiples of the stride so they do not move when panning.
    let mut k = (k0 / stride).ceil() * stride;
    while k <= k1 {
        ticks.push(k, format_decade(k as i32));
        k += stride;
    }
    ticks
}

/// The label of the decade `10^k`: plain for `1e-3..1e3` (`0.01`, `1`, `100`), else `1e-7`, `1e308`.
pub fn format_decade(k: i32) -> String {
    match k {
        -3..=-1 => format!("0.{}1", "0".repeat((-k - 1) as usize)),
        0..=3 => format!("1{}", "0".repeat(k as usize)),
        _ => format!("1e{k}"),
    }
}

/// The two ticks of a boolean metric (B17): `false` at 0 and `true` at 1.
pub fn bool_ticks() -> Ticks {
    Ticks {
        positions: vec![0.0, 1.0],
        labels: vec!["false".to_string(), "true".to_string()],
    }
}

/// Ticks of a step axis: integer steps only, labelled with `k`/`M`/`G` suffixes (`500k`, `1.2M`).
pub fn step_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let mut ticks = Ticks::default();
    let Some((mut step, mut step_exp)) = nice_step(lo, hi, target) else {
        return ticks;
    };
    if step < 1.0 {
        (step, step_exp) = (1.0, 0);
    }
    for t in multiples(lo, hi, step) {
        ticks.push(t, format_step_tick(t, step_exp));
    }
    ticks
}

/// Formats a step with a `k`/`M`/`G`/`T` suffix at 1e3/1e6/1e9/1e12, keeping the digits a step of
/// `10^step_exp` needs (`1.2k` next to `1.4k`, `200k` next to `400k`).
pub fn format_step_tick(v: f64, step_exp: i32) -> String {
    const UNITS: [(f64, i32, &str); 4] =
        [(1e12, 12, "T"), (1e9, 9, "G"), (1e6, 6, "M"), (1e3, 3, "k")];
    for (unit, unit_exp, suffix) in UNITS {
        if v.abs() >= unit {
            let decimals = (unit_exp - step_exp).clamp(0, 3) as usize;
            let s = format!("{:.decimals$}", v / unit);
            let s = if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            };
            return format!("{s}{suffix}");
        }
    }
    format!("{v:.0}")
}

/// Formats a step exactly, with thousands separators for readability in tooltips (`1,000,000`).
pub fn format_step(step: u64) -> String {
    let digits = step.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const SECOND: f64 = 1_000.0;
const MINUTE: f64 = 60.0 * SECOND;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;

/// Nice intervals of a time axis, in milliseconds.
const TIME_STEPS: [f64; 34] = [
    1.0,
    2.0,
    5.0,
    10.0,
    20.0,
    50.0,
    100.0,
    200.0,
    500.0,
    SECOND,
    2.0 * SECOND,
    5.0 * SECOND,
    10.0 * SECOND,
    15.0 * SECOND,
    30.0 * SECOND,
    MINUTE,
    2.0 * MINUTE,
    5.0 * MINUTE,
    10.0 * MINUTE,
    15.0 * MINUTE,
    30.0 * MINUTE,
    HOUR,
    2.0 * HOUR,
    3.0 * HOUR,
    6.0 * HOUR,
    12.0 * HOUR,
    DAY,
    2.0 * DAY,
    7.0 * DAY,
    14.0 * DAY,
    30.0 * DAY,
    90.0 * DAY,
    180.0 * DAY,
    365.0 * DAY,
];

fn time_step(lo: f64, hi: f64, target: usize) -> Option<f64> {
    let raw = hi / target.max(1) as f64 - lo / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return None;
    }
    match TIME_STEPS.iter().find(|&&s| s >= raw) {
        Some(&s) => Some(s),
        // Beyond a year: whole multiples of 365 days, nice in years.
        None => {
            nice_step(0.0, raw / (365.0 * DAY), 1).map(|(s, _)| s.max(1.0).ceil() * 365.0 * DAY)
        }
    }
}

/// Ticks of a wall-time axis (`x` in Unix milliseconds), aligned to the viewer's local clock given as
/// minutes east of UTC (`utc_offset_min`, e.g. `60` for CET).
///
/// Labels: `HH:MM:SS` for steps below a minute, `HH:MM` within a day (`MM-DD HH:MM` when the range
/// spans days), `YYYY-MM-DD` for steps of a day or more.
pub fn wall_time_ticks(lo: f64, hi: f64, target: usize, utc_offset_min: i32) -> Ticks {
    let mut ticks = Ticks::default();
    let Some(step) = time_step(lo, hi, target) else {
        return ticks;
    };
    let offset = f64::from(utc_offset_min) * MINUTE;
    let span_days = hi - lo >= DAY;
    for local in multiples(lo + offset, hi + offset, step) {
        let label = if step < SECOND {
            format_local(local, "%H:%M:%S.%f")
        } else if step < MINUTE {
            format_local(local, "%H:%M:%S")
        } else if step < DAY {
            if span_days {
                format_local(local, "%m-%d %H:%M")
            } else {
                format_local(local, "%H:%M")
            }
        } else {
            format_local(local, "%Y-%m-%d")
        };
        ticks.push(local - offset, label);
    }
    ticks
}

/// A wall-clock time (Unix milliseconds) as `YYYY-MM-DD HH:MM:SS` in the given offset from UTC
/// (minutes east), for tooltips.
pub fn format_wall_time(ms: f64, utc_offset_min: i32) -> String {
    if !ms.is_finite() {
        return "–".to_string();
    }
    format_local(ms + f64::from(utc_offset_min) * MINUTE, "%Y-%m-%d %H:%M:%S")
}

/// Formats local milliseconds since 1970-01-01T00:00 with `%Y %m %d %H %M %S %f` (milliseconds).
fn format_local(ms: f64, pattern: &str) -> String {
    let ms = ms.round() as i64;
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let _ = match chars.next() {
            Some('Y') => write!(out, "{y:04}"),
            Some('m') => write!(out, "{m:02}"),
            Some('d') => write!(out, "{d:02}"),
            Some('H') => write!(out, "{:02}", in_day / 3_600_000),
            Some('M') => write!(out, "{:02}", in_day / 60_000 % 60),
            Some('S') => write!(out, "{:02}", in_day / 1000 % 60),
            Some('f') => write!(out, "{:03}", in_day % 1000),
            Some(other) => write!(out, "%{other}"),
            None => write!(out, "%"),
        };
    }
    out
}

/// Days since 1970-01-01 → proleptic Gregorian (year, month, day) (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Ticks of a relative-time axis (`x` in milliseconds since the run started), labelled as durations
/// (`0s`, `20m`, `1h 20m`).
pub fn relative_time_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let mut ticks = Ticks::default();
    let Some(step) = time_step(lo, hi, target) else {
        return ticks;
    };
    for t in multiples(lo, hi, step) {
        ticks.push(t, format_duration(t, 2));
    }
    ticks
}

/// A duration in milliseconds as its `max_units` largest non-zero units: `1h 20m`, `2d 3h`, `45s`,
/// `1s 500ms`; `0s` for zero, a leading `-` for negative durations.
pub fn format_duration(ms: f64, max_units: usize) -> String {
    if !ms.is_finite() {
        return "–".to_string();
    }
    let negative = ms < 0.0;
    let mut rest = ms.abs().round();
    let units: [(f64, &str); 5] = [
        (DAY, "d"),
        (HOUR, "h"),
        (MINUTE, "m"),
        (SECOND, "s"),
        (1.0, "ms"),
    ];
    let mut parts: Vec<String> = Vec::new();
    for (size, name) in units {
        if parts.len() >= max_units.max(1) {
            break;
        }
        let n = (rest / size).floor();
        rest -= n * size;
        if n > 0.0 {
            parts.push(format!("{n:.0}{name}"));
        } else if !parts.is_empty() {
            // Stop at the first zero unit after a non-zero one: `1h 0m 5s` reads as `1h`.
            break;
        }
    }
    if parts.is_empty() {
        return "0s".to_string();
    }
    let s = parts.join(" ");
    if negative { format!("-{s}") } else { s }
}

/// The shortest text that reads back to the same `f64`, for tooltips and tables.
///
/// Plain decimals for `1e-6 <= |v| < 1e21` (`0.5`, `1000`), else exponent form (`1e-7`, `5e-324`,
/// `1.2345678901234569e23`), the way JavaScript prints numbers. A non-zero value never prints as `0`
/// (B16). Non-finite values print as `NaN`, `+Infinity`, `-Infinity` (B01, B03).
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v == f64::INFINITY {
        "+Infinity".to_string()
    } else if v == f64::NEG_INFINITY {
        "-Infinity".to_string()
    } else if v == 0.0 {
        "0".to_string()
    } else if (1e-6..1e21).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
    }

    fn dom(values: &[f64], scale: YScale) -> YDomain {
        y_domain([values], scale)
    }

    #[test]
    fn b01_domain_from_finite_values() {
        let d = dom(&[0.5, f64::NAN, 0.3], YScale::Linear);
        assert!(close(d.lo, 0.28) && close(d.hi, 0.52), "{d:?}");
        assert_eq!(d.plotted, 2);
        assert_eq!(d.note(), None);
    }

    #[test]
    fn b03_single_value_widened() {
        let d = dom(&[f64::INFINITY, 12.5, f64::NEG_INFINITY], YScale::Linear);
        assert!(close(d.lo, 11.25) && close(d.hi, 13.75), "{d:?}");
        let t = linear_ticks(d.lo, d.hi, 5);
        assert!(!t.positions.is_empty());
        assert!(
            t.labels
                .iter()
                .all(|l| !l.contains("inf") && !l.contains("NaN"))
        );
        // Zero is widened by 1.
        let z = dom(&[0.0], YScale::Linear);
        assert_eq!((z.lo, z.hi), (-1.0, 1.0));
    }

    #[test]
    fn b04_overlay_domain_ignores_nonfinite_run() {
        let run_a = [1.0, 0.8];
        let run_b = [f64::NAN, f64::INFINITY];
        let d = y_domain([&run_a[..], &run_b[..]], YScale::Linear);
        assert!(close(d.lo, 0.78) && close(d.hi, 1.02), "{d:?}");
        let only_b = dom(&run_b, YScale::Linear);
        assert!(only_b.is_default());
        assert_eq!((only_b.lo, only_b.hi), (0.0, 1.0));
        assert_eq!(only_b.note().as_deref(), Some("no finite values"));
        let empty = y_domain(std::iter::empty::<&[f64]>(), YScale::Log10);
        assert!(empty.is_default() && empty.lo.is_finite() && empty.hi > empty.lo);
    }

    #[test]
    fn b15_huge_domain_and_labels() {
        let d = dom(&[1.2345678901234569e23, 1e308, 1e308], YScale::Linear);
        assert!(close(d.hi, 1.1e308), "{d:?}");
        assert!(d.lo.is_finite() && d.hi.is_finite());
        let t = linear_ticks(d.lo, d.hi, 6);
        assert!(t.positions.len() >= 3, "{t:?}");
        for l in &t.labels {
            assert!(l.len() <= 8, "label too long: {l}");
            assert!(!l.contains("inf"), "{l}");
        }
        assert!(t.labels.iter().any(|l| l == "1e308"), "{:?}", t.labels);
        assert!(t.labels.iter().any(|l| l == "8e307"), "{:?}", t.labels);
        // Extremes clamp instead of overflowing.
        let m = dom(&[-f64::MAX, f64::MAX], YScale::Linear);
        assert_eq!((m.lo, m.hi), (-f64::MAX, f64::MAX));
        assert!(!linear_ticks(m.lo, m.hi, 5).positions.is_empty());
    }

    #[test]
    fn b16_tiny_values() {
        assert_eq!(YScale::Log10.to_axis(1e-7), Some(-7.0));
        let sub = YScale::Log10.to_axis(5e-324).unwrap_or(0.0);
        assert!(close(sub, -323.3062153431158), "{sub}");
        assert_eq!(format_value(5e-324), "5e-324");
        assert_eq!(format_value(1e-7), "1e-7");
        let d = dom(&[1e-7, 5e-324], YScale::Log10);
        assert_eq!((d.lo, d.hi), (-324.0, -7.0));
        let t = log_ticks(d.lo, d.hi, 8);
        assert!(t.positions.len() <= 9 && t.positions.len() >= 2, "{t:?}");
        assert!(
            t.labels.iter().all(|l| l.starts_with("1e-")),
            "{:?}",
            t.labels
        );
        let lin = linear_ticks(-1e-7, 2e-7, 5);
        assert!(lin.labels.contains(&"1e-7".to_string()), "{:?}", lin.labels);
    }

    #[test]
    fn b33_log_axis_hides_nonpositive() {
        let v = [1.0, 0.1, 0.0, -0.5, 0.01];
        let d = dom(&v, YScale::Log10);
        assert_eq!((d.lo, d.hi), (-2.0, 0.0));
        assert_eq!(d.plotted, 3);
        assert_eq!(d.hidden_nonpositive, 2);
        assert_eq!(d.note().as_deref(), Some("2 non-positive values hidden"));
        let t = log_ticks(d.lo, d.hi, 8);
        assert_eq!(t.positions, vec![-2.0, -1.0, 0.0]);
        assert_eq!(t.labels, vec!["0.01", "0.1", "1"]);
        let lin = dom(&v, YScale::Linear);
        assert!(close(lin.lo, -0.65) && close(lin.hi, 1.15), "{lin:?}");
        assert_eq!(hidden_note(1), "1 non-positive value hidden");
        // Only non-positive values: still a finite domain, and a note.
        let none = dom(&[0.0, -1.0], YScale::Log10);
        assert!(none.is_default() && none.lo.is_finite());
        assert_eq!(none.note().as_deref(), Some("2 non-positive values hidden"));
        // A single decade is widened by one on each side.
        assert_eq!(dom(&[1.0, 1.0], YScale::Log10).lo, -1.0);
    }

    #[test]
    fn linear_tick_labels() {
        let t = linear_ticks(0.28, 0.52, 5);
        assert_eq!(t.labels, vec!["0.30", "0.35", "0.40", "0.45", "0.50"]);
        let t = linear_ticks(-0.65, 1.15, 5);
        assert_eq!(t.labels, vec!["-0.5", "0", "0.5", "1.0"]);
        assert!(t.positions.contains(&0.0));
        let t = linear_ticks(0.0, 1000.0, 5);
        assert_eq!(t.labels, vec!["0", "200", "400", "600", "800", "1000"]);
        let t = linear_ticks(0.0, 2e6, 4);
        assert_eq!(t.labels, vec!["0", "5e5", "1e6", "1.5e6", "2e6"]);
        // Degenerate domains give no ticks rather than a loop or a panic.
        assert!(linear_ticks(1.0, 1.0, 5).positions.is_empty());
        assert!(linear_ticks(f64::NAN, 1.0, 5).positions.is_empty());
        assert!(
            linear_ticks(1e300, 1e300 * (1.0 + 1e-15), 5)
                .positions
                .len()
                <= MAX_TICKS
        );
    }

    #[test]
    fn step_tick_labels() {
        let t = step_ticks(0.0, 999_999.0, 5);
        assert_eq!(t.labels, vec!["0", "200k", "400k", "600k", "800k"]);
        let t = step_ticks(1000.0, 1500.0, 5);
        assert_eq!(t.labels, vec!["1k", "1.1k", "1.2k", "1.3k", "1.4k", "1.5k"]);
        let t = step_ticks(0.0, 2.0, 8);
        assert_eq!(t.positions, vec![0.0, 1.0, 2.0]);
        assert_eq!(format_step_tick(2.5e6, 5), "2.5M");
        assert_eq!(format_step_tick(3e9, 9), "3G");
        assert_eq!(format_step(1_000_000), "1,000,000");
        assert_eq!(format_step(999), "999");
    }

    #[test]
    fn time_labels() {
        const T0: f64 = 1_735_689_600_000.0; // 2025-01-01T00:00:00Z
        assert_eq!(format_wall_time(T0, 0), "2025-01-01 00:00:00");
        assert_eq!(format_wall_time(T0, -60), "2024-12-31 23:00:00");
        assert_eq!(format_wall_time(T0 + 1500.0, 120), "2025-01-01 02:00:01");
        let t = wall_time_ticks(T0, T0 + 2.0 * HOUR, 4, 0);
        assert_eq!(t.labels, vec!["00:00", "00:30", "01:00", "01:30", "02:00"]);
        let t = wall_time_ticks(T0, T0 + 10.0 * DAY, 10, 0);
        assert_eq!(t.labels[0], "2025-01-01");
        assert_eq!(t.labels[1], "2025-01-02");
        let t = wall_time_ticks(T0, T0 + 20.0 * SECOND, 4, 0);
        assert_eq!(t.labels[1], "00:00:05");
        assert_eq!(format_duration(80.0 * MINUTE, 2), "1h 20m");
        assert_eq!(format_duration(0.0, 2), "0s");
        assert_eq!(format_duration(45_000.0, 2), "45s");
        assert_eq!(format_duration(1500.0, 2), "1s 500ms");
        assert_eq!(format_duration(DAY + 3.0 * HOUR + 5.0, 2), "1d 3h");
        assert_eq!(format_duration(-90_000.0, 2), "-1m 30s");
        let t = relative_time_ticks(0.0, 2.0 * HOUR, 4);
        assert_eq!(t.labels, vec!["0s", "30m", "1h", "1h 30m", "2h"]);
        let t = relative_time_ticks(0.0, 3.0 * 365.0 * DAY * 10.0, 4);
        assert!(!t.positions.is_empty());
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_783), (2024, 3, 1));
    }

    #[test]
    fn value_text_round_trips() {
        for v in [
            0.5,
            0.1 + 0.2,
            1e-7,
            5e-324,
            1.2345678901234569e23,
            1e308,
            f64::MAX,
            -2.5e-10,
            123456.789,
        ] {
            let s = format_value(v);
            assert_eq!(s.parse::<f64>().ok(), Some(v), "{s}");
        }
        assert_eq!(format_value(1000.0), "1000");
        assert_eq!(format_value(1e308), "1e308");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::INFINITY), "+Infinity");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(format_value(-0.0), "0");
        assert_eq!(bool_ticks().labels, vec!["false", "true"]);
        assert_eq!(format_decade(-3), "0.001");
        assert_eq!(format_decade(3), "1000");
        assert_eq!(format_decade(4), "1e4");
    }
}
