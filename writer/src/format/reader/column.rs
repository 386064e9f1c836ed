//! One metric's data: the raw records in file order ([`MetricColumn`]), the charted series derived from
//! them ([`Series`]) and the numbers shown beside a chart ([`Summary`]), FORMAT.md §6.3–§6.4.
//!
//! The decoder in the parent module pushes points here; the charts crate and the CLI only read.

use serde::Serialize;
use serde::ser::{SerializeSeq, SerializeStruct, Serializer};

/// At most this many invalid values are listed per metric; [`MetricColumn::invalid_count`] stays exact.
pub const MAX_LISTED_INVALID: usize = 10_000;

/// What kind of number a point holds (FORMAT.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// An ordinary finite number.
    Finite,
    /// Not a number (`NaN` token or `"NaN"` string).
    Nan,
    /// Positive infinity (`Infinity`, `"Infinity"`, or a number beyond the f64 range).
    PosInf,
    /// Negative infinity.
    NegInf,
    /// `null`: a non-finite value was logged, of unknown kind (how our writer stores NaN and ±inf).
    NonFiniteUnknown,
}

impl ValueKind {
    /// The kind of an f64 that was read from a number or token (never [`ValueKind::NonFiniteUnknown`]).
    pub fn of(v: f64) -> ValueKind {
        if v.is_finite() {
            ValueKind::Finite
        } else if v.is_nan() {
            ValueKind::Nan
        } else if v > 0.0 {
            ValueKind::PosInf
        } else {
            ValueKind::NegInf
        }
    }

    /// Whether this is [`ValueKind::Finite`].
    pub fn is_finite(self) -> bool {
        self == ValueKind::Finite
    }

    /// The label a table or tooltip shows for a non-finite point (`None` for finite ones).
    pub fn label(self) -> Option<&'static str> {
        match self {
            ValueKind::Finite => None,
            ValueKind::Nan => Some("NaN"),
            ValueKind::PosInf => Some("+Infinity"),
            ValueKind::NegInf => Some("-Infinity"),
            ValueKind::NonFiniteUnknown => Some("non-finite"),
        }
    }
}

/// Why a metric value was not a number (FORMAT.md §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidReason {
    /// A string other than `"NaN"`, `"Infinity"` and `"-Infinity"` (numeric text such as `"0.65"` too).
    String,
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
}

impl std::fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InvalidReason::String => "value is a string",
            InvalidReason::Object => "value is an object",
            InvalidReason::Array => "value is an array",
        })
    }
}

/// A metric value that could not be read as a number: counted, listed, never plotted (case B18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InvalidValue {
    /// 1-based line number.
    pub line: u32,
    /// The record's step.
    pub step: u64,
    /// What the value was.
    pub reason: InvalidReason,
}

/// One metric's raw records in file order, for tables and export (FORMAT.md §6.3).
///
/// `steps`, `values`, `timestamps` and `lines` are parallel. Non-finite points are NaN or ±inf in
/// `values`; use [`MetricColumn::kind`] to tell `null` (unknown kind) from a real NaN.
#[derive(Debug, Clone, Default)]
pub struct MetricColumn {
    /// The metric name, an opaque key (cases B26, B27, B35).
    pub name: String,
    /// The step of each point, exact (case B14).
    pub steps: Vec<u64>,
    /// The value of each point; booleans are 1.0/0.0, `null` is NaN.
    pub values: Vec<f64>,
    /// The record's timestamp in UNIX ms, when it had a readable one.
    pub timestamps: Vec<Option<i64>>,
    /// The 1-based line number of each point.
    pub lines: Vec<u32>,
    /// Invalid values, in file order (at most [`MAX_LISTED_INVALID`]).
    pub invalid: Vec<InvalidValue>,
    /// The exact number of invalid values.
    pub invalid_count: u64,
    /// Whether every point was a JSON boolean (case B17).
    pub is_bool: bool,
    /// Indices of `null` points, ascending.
    unknown: Vec<u32>,
    bools: usize,
    non_monotonic: usize,
    /// Whether `steps` is strictly increasing, so the series is the raw data as is.
    strictly_increasing: bool,
    /// The line that last staged a value here, to spot a key repeated in one line.
    pub(super) stamp: u64,
    /// Whether the name is written as its own bytes in JSON (no `"`, `\\` or control character).
    pub(super) plain_name: bool,
}

impl MetricColumn {
    /// An empty column named `name`.
    pub fn new(name: &str) -> MetricColumn {
        MetricColumn {
            name: name.to_owned(),
            strictly_increasing: true,
            plain_name: name.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\'),
            ..MetricColumn::default()
        }
    }

    /// The number of raw points (invalid values are not points).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the column holds no point.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The kind of raw point `i`.
    pub fn kind(&self, i: usize) -> ValueKind {
        let v = self.values[i];
        if v.is_nan() && self.unknown.binary_search(&(i as u32)).is_ok() {
            ValueKind::NonFiniteUnknown
        } else {
            ValueKind::of(v)
        }
    }

    /// Makes room for `n` more points.
    pub(super) fn reserve(&mut self, n: usize) {
        self.steps.reserve(n);
        self.values.reserve(n);
        self.timestamps.reserve(n);
        self.lines.reserve(n);
    }

    /// Appends a point. `unknown` marks a `null`; `is_bool` a JSON boolean.
    pub(super) fn push_point(
        &mut self,
        step: u64,
        value: f64,
        timestamp: Option<i64>,
        line: u32,
        unknown: bool,
        is_bool: bool,
    ) {
        if let Some(&prev) = self.steps.last() {
            // Non-monotonic is per metric: lower than this metric's previous record (case B11).
            if step < prev {
                self.non_monotonic += 1;
            }
            if step <= prev {
                self.strictly_increasing = false;
            }
        }
        if unknown {
            self.unknown.push(self.values.len() as u32);
        }
        if is_bool {
            self.bools += 1;
        }
        self.steps.push(step);
        self.values.push(value);
        self.timestamps.push(timestamp);
        self.lines.push(line);
        self.is_bool = self.bools == self.values.len();
    }

    /// Records an invalid value (case B18).
    pub(super) fn push_invalid(&mut self, step: u64, line: u32, reason: InvalidReason) {
        self.invalid_count += 1;
        if self.invalid.len() < MAX_LISTED_INVALID {
            self.invalid.push(InvalidValue { line, step, reason });
        }
    }

    /// Records whose step is lower than the previous record's step for this metric (case B11).
    pub fn non_monotonic(&self) -> usize {
        self.non_monotonic
    }

    /// Raw points hidden from the chart because a later record has the same step (case B12).
    pub fn superseded(&self) -> usize {
        if self.strictly_increasing {
            return 0;
        }
        let mut steps = self.steps.clone();
        steps.sort_unstable();
        steps.dedup();
        self.steps.len() - steps.len()
    }

    /// The charted series: sorted by step; for a repeated step the value written last wins.
    pub fn series(&self) -> Series {
        let n = self.len();
        let order: Vec<usize> = if self.strictly_increasing {
            (0..n).collect()
        } else {
            let mut idx: Vec<usize> = (0..n).collect();
            // Stable, so equal steps stay in file order and the last of each run is the last written.
            idx.sort_by_key(|&i| self.steps[i]);
            let mut keep = Vec::with_capacity(idx.len());
            for (j, &i) in idx.iter().enumerate() {
                let next_same = idx
                    .get(j + 1)
                    .is_some_and(|&k| self.steps[k] == self.steps[i]);
                if !next_same {
                    keep.push(i);
                }
            }
            keep
        };
        let mut s = Series {
            steps: Vec::with_capacity(order.len()),
            values: Vec::with_capacity(order.len()),
            timestamps: Vec::with_capacity(order.len()),
            kinds: Vec::with_capacity(order.len()),
            lines: Vec::with_capacity(order.len()),
            is_bool: self.is_bool,
        };
        for i in order {
            s.steps.push(self.steps[i]);
            s.values.push(self.values[i]);
            s.timestamps.push(self.timestamps[i]);
            s.kinds.push(self.kind(i));
            s.lines.push(self.lines[i]);
        }
        s
    }

    /// The summary over the charted series (FORMAT.md §6.4).
    pub fn summary(&self) -> Summary {
        let series = self.series();
        let mut s = Summary::of_series(&series);
        s.records = self.len();
        s.invalid = self.invalid_count;
        s.superseded = self.len() - series.len();
        s.non_monotonic = self.non_monotonic;
        s
    }
}

/// Writes values the way the reader accepts them back: non-finite as `"NaN"`, `"Infinity"`,
/// `"-Infinity"`, unknown as `null`.
struct ValuesSer<'a>(&'a MetricColumn);

impl Serialize for ValuesSer<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut seq = ser.serialize_seq(Some(c.len()))?;
        for (i, &v) in c.values.iter().enumerate() {
            match c.kind(i) {
                ValueKind::Finite => seq.serialize_element(&v)?,
                ValueKind::Nan => seq.serialize_element("NaN")?,
                ValueKind::PosInf => seq.serialize_element("Infinity")?,
                ValueKind::NegInf => seq.serialize_element("-Infinity")?,
                ValueKind::NonFiniteUnknown => seq.serialize_element(&())?,
            }
        }
        seq.end()
    }
}

impl Serialize for MetricColumn {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut st = ser.serialize_struct("MetricColumn", 9)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("steps", &self.steps)?;
        st.serialize_field("values", &ValuesSer(self))?;
        st.serialize_field("timestamps", &self.timestamps)?;
        st.serialize_field("lines", &self.lines)?;
        st.serialize_field("is_bool", &self.is_bool)?;
        st.serialize_field("non_monotonic", &self.non_monotonic)?;
        st.serialize_field("invalid_count", &self.invalid_count)?;
        st.serialize_field("invalid", &self.invalid)?;
        st.end()
    }
}

/// What a chart draws for one metric: sorted by step, one point per step (the last written).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Strictly increasing steps.
    pub steps: Vec<u64>,
    /// Values; non-finite points are NaN or ±inf, see `kinds`.
    pub values: Vec<f64>,
    /// Timestamps in UNIX ms.
    pub timestamps: Vec<Option<i64>>,
    /// The kind of each point.
    pub kinds: Vec<ValueKind>,
    /// The line each point came from.
    pub lines: Vec<u32>,
    /// Whether every point was a boolean.
    pub is_bool: bool,
}

impl Series {
    /// The number of points.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there is no point.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

/// The mean of the finite values in `values`, without overflow: `[1e308, 1e308]` gives `1e308`, not
/// infinity (case B15). `None` when there is no finite value.
pub fn finite_mean<I: IntoIterator<Item = f64> + Clone>(values: I) -> Option<f64> {
    let mut n = 0usize;
    let mut sum = 0.0f64;
    for v in values.clone() {
        if v.is_finite() {
            n += 1;
            sum += v;
        }
    }
    if n == 0 {
        return None;
    }
    if sum.is_finite() {
        return Some(sum / n as f64);
    }
    // The plain sum overflowed: divide first. Each term is at most f64::MAX / n, so no overflow.
    let nf = n as f64;
    Some(
        values
            .into_iter()
            .filter(|v| v.is_finite())
            .map(|v| v / nf)
            .sum(),
    )
}

/// The numbers shown beside a metric's chart, over its charted series (FORMAT.md §6.4).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Summary {
    /// Charted points (one per step).
    pub points: usize,
    /// Raw points (records carrying a value for this metric).
    pub records: usize,
    /// Finite charted points.
    pub finite: usize,
    /// Smallest finite value.
    pub min: Option<f64>,
    /// Largest finite value.
    pub max: Option<f64>,
    /// The finite value at the highest step that has one.
    pub last: Option<f64>,
    /// The step of `last`.
    pub last_step: Option<u64>,
    /// The mean of the finite values, overflow-safe (case B15).
    pub mean: Option<f64>,
    /// The lowest charted step.
    pub first_step: Option<u64>,
    /// The highest charted step.
    pub max_step: Option<u64>,
    /// NaN points.
    pub nan: usize,
    /// +inf points.
    pub pos_inf: usize,
    /// −inf points.
    pub neg_inf: usize,
    /// `null` points (non-finite, kind unknown).
    pub unknown: usize,
    /// Invalid values (not points).
    pub invalid: u64,
    /// Raw points hidden by a later record at the same step.
    pub superseded: usize,
    /// Records whose step went backwards.
    pub non_monotonic: usize,
    /// Whether every point was a boolean.
    pub is_bool: bool,
}

impl Summary {
    /// The summary of a series alone (`records`, `invalid`, `superseded` and `non_monotonic` are
    /// left for [`MetricColumn::summary`] to fill).
    pub fn of_series(series: &Series) -> Summary {
        let mut s = Summary {
            points: series.len(),
            records: series.len(),
            first_step: series.steps.first().copied(),
            max_step: series.steps.last().copied(),
            is_bool: series.is_bool,
            ..Summary::default()
        };
        for (i, &v) in series.values.iter().enumerate() {
            match series.kinds[i] {
                ValueKind::Finite => {
                    s.finite += 1;
                    s.min = Some(s.min.map_or(v, |m| m.min(v)));
                    s.max = Some(s.max.map_or(v, |m| m.max(v)));
                    // Steps are ascending, so the last finite point seen is at the highest step.
                    s.last = Some(v);
                    s.last_step = Some(series.steps[i]);
                }
                ValueKind::Nan => s.nan += 1,
                ValueKind::PosInf => s.pos_inf += 1,
                ValueKind::NegInf => s.neg_inf += 1,
                ValueKind::NonFiniteUnknown => s.unknown += 1,
            }
        }
        s.mean = finite_mean(series.values.iter().copied());
        s
    }

    /// All non-finite points: NaN, ±inf and unknown.
    pub fn non_finite(&self) -> usize {
        self.nan + self.pos_inf + self.neg_inf + self.unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b15_mean_does_not_overflow() {
        assert_eq!(finite_mean([1e308, 1e308]), Some(1e308));
        let m = finite_mean([1.2345678901234569e23, 1e308, 1e308]).unwrap();
        assert!((m - 6.666666666666666e307).abs() <= 6.666666666666666e307 * 1e-12);
        assert_eq!(finite_mean([f64::NAN, f64::INFINITY]), None);
        assert_eq!(finite_mean([1.0, f64::NAN, 3.0]), Some(2.0));
        assert_eq!(finite_mean([-1e308, -1e308]), Some(-1e308));
    }

    #[test]
    fn series_last_write_wins_and_kinds() {
        let mut c = MetricColumn::new("loss");
        c.push_point(3, 0.5, None, 1, false, false);
        c.push_point(4, 0.4, None, 2, false, false);
        c.push_point(3, 0.45, None, 3, false, false);
        c.push_point(5, f64::NAN, None, 4, true, false);
        c.push_point(6, f64::NAN, None, 5, false, false);
        let s = c.series();
        assert_eq!(s.steps, [3, 4, 5, 6]);
        assert_eq!(s.values[..2], [0.45, 0.4]);
        assert_eq!(
            s.kinds,
            [
                ValueKind::Finite,
                ValueKind::Finite,
                ValueKind::NonFiniteUnknown,
                ValueKind::Nan
            ]
        );
        assert_eq!(s.lines, [3, 2, 4, 5]);
        assert_eq!(c.superseded(), 1);
        assert_eq!(c.non_monotonic(), 1);
        let sum = c.summary();
        assert_eq!(
            (sum.min, sum.max, sum.last),
            (Some(0.4), Some(0.45), Some(0.4))
        );
        assert_eq!(
            (sum.unknown, sum.nan, sum.points, sum.records),
            (1, 1, 4, 5)
        );
    }
}
