//! From the metrics reader's output to what the pages draw and list (pure): per-metric stats for
//! the run table and the filter, chart x values per axis mode, and the load report's notices.
//!
//! This is the one place that reads `aspara::format::reader` types, so the reader's shape is met
//! here and nowhere else.

use aspara::format::reader::{MetricColumn, RunData, Series, ValueKind};
use std::collections::BTreeMap;

use crate::model::MetricStat;
use crate::state::XAxis;

/// Steps above 2^53 cannot all be told apart as chart x positions (f64); the load report says so (B14).
pub const MAX_EXACT_STEP: u64 = 1 << 53;

/// Per-metric min / max / last, over the charted series.
pub fn stats(data: &RunData) -> BTreeMap<String, MetricStat> {
    data.metrics
        .iter()
        .map(|c| {
            let s = c.summary();
            (
                c.name.clone(),
                MetricStat {
                    min: s.min,
                    max: s.max,
                    last: s.last,
                },
            )
        })
        .collect()
}

/// The earliest timestamp of any record in the run (the origin of relative time).
pub fn first_timestamp(data: &RunData) -> Option<i64> {
    data.metrics
        .iter()
        .filter_map(|c| c.timestamps.iter().flatten().min().copied())
        .min()
}

/// A chart-ready series: x per the axis mode, y, and each point's kind. Points without a
/// timestamp have no wall/relative position and are left out of those modes; points are in x
/// order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plot {
    /// x values, ascending.
    pub x: Vec<f64>,
    /// y values (NaN / ±inf for non-finite points).
    pub y: Vec<f64>,
    /// The kind of each point.
    pub kinds: Vec<ValueKind>,
    /// The step of each point (tooltips, CSV).
    pub steps: Vec<u64>,
    /// Whether the values are booleans.
    pub is_bool: bool,
}

/// Builds a [`Plot`] from a metric's charted series.
pub fn plot(series: &Series, axis: XAxis, t0: Option<i64>) -> Plot {
    let mut idx: Vec<(f64, usize)> = Vec::with_capacity(series.steps.len());
    for i in 0..series.steps.len() {
        let x = match axis {
            XAxis::Step => Some(series.steps[i] as f64),
            XAxis::Wall => series.timestamps[i].map(|t| t as f64),
            XAxis::Relative => match (series.timestamps[i], t0) {
                (Some(t), Some(t0)) => Some((t - t0) as f64),
                _ => None,
            },
        };
        if let Some(x) = x {
            idx.push((x, i));
        }
    }
    // Steps are sorted already; timestamps usually are, but clocks can step back.
    if axis != XAxis::Step && idx.windows(2).any(|w| w[1].0 < w[0].0) {
        idx.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Plot {
        x: idx.iter().map(|p| p.0).collect(),
        y: idx.iter().map(|p| series.values[p.1]).collect(),
        kinds: idx.iter().map(|p| series.kinds[p.1]).collect(),
        steps: idx.iter().map(|p| series.steps[p.1]).collect(),
        is_bool: series.is_bool,
    }
}

/// How serious a load-report notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Worth knowing (non-monotonic steps, superseded values).
    Info,
    /// Data was not loaded or may be shown imprecisely.
    Warning,
}

/// One line of the load report.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// How serious.
    pub level: Level,
    /// The text (user data inside it is rendered as text).
    pub text: String,
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The load report of one run in words: skipped lines by reason (with the first line numbers),
/// invalid values per metric (B18), non-monotonic steps (B11), superseded values, and steps beyond
/// 2^53 (B14).
pub fn notices(data: &RunData) -> Vec<Notice> {
    let mut out = Vec::new();
    let r = &data.report;
    for (reason, count) in &r.skipped_by_reason {
        let lines: Vec<String> = r
            .skipped
            .iter()
            .filter(|s| s.reason == *reason)
            .take(5)
            .map(|s| s.line.to_string())
            .collect();
        let more = if (*count as usize) > lines.len() {
            ", …"
        } else {
            ""
        };
        out.push(Notice {
            level: Level::Warning,
            text: format!(
                "{} skipped: {reason} (line {}{more})",
                plural(*count, "line", "lines"),
                lines.join(", ")
            ),
        });
    }
    for c in &data.metrics {
        column_notices(c, &mut out);
    }
    out
}

fn column_notices(c: &MetricColumn, out: &mut Vec<Notice>) {
    let sum = c.summary();
    let kinds: Vec<String> = [
        (sum.nan, "NaN"),
        (sum.pos_inf, "+inf"),
        (sum.neg_inf, "-inf"),
        (sum.unknown, "null"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, k)| format!("{n} {k}"))
    .collect();
    if !kinds.is_empty() {
        out.push(Notice {
            level: Level::Info,
            text: format!(
                "{}: non-finite values ({}) shown as markers with gaps",
                c.name,
                kinds.join(", ")
            ),
        });
    }
    if c.invalid_count > 0 {
        let steps: Vec<String> = c
            .invalid
            .iter()
            .take(5)
            .map(|v| v.step.to_string())
            .collect();
        let reason = c
            .invalid
            .first()
            .map(|v| format!(" ({})", v.reason))
            .unwrap_or_default();
        out.push(Notice {
            level: Level::Warning,
            text: format!(
                "{}: {} not plotted{reason}, at step {}",
                c.name,
                plural(c.invalid_count, "invalid value", "invalid values"),
                steps.join(", ")
            ),
        });
    }
    let nm = c.non_monotonic() as u64;
    if nm > 0 {
        out.push(Notice {
            level: Level::Info,
            text: format!(
                "{}: {} with a lower step than the one before; charted sorted by step",
                c.name,
                plural(nm, "record", "records")
            ),
        });
    }
    let sup = c.superseded() as u64;
    if sup > 0 {
        out.push(Notice {
            level: Level::Info,
            text: format!(
                "{}: {} superseded by a later record at the same step",
                c.name,
                plural(sup, "value", "values")
            ),
        });
    }
    let big = c.steps.iter().filter(|s| **s > MAX_EXACT_STEP).count() as u64;
    if big > 0 {
        out.push(Notice {
            level: Level::Warning,
            text: format!(
                "{}: {} above 2^53; chart positions are approximate (exact values in tooltips and CSV)",
                c.name,
                plural(big, "step", "steps")
            ),
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use aspara::format::reader::read_metrics;

    fn case(path: &str) -> RunData {
        let p = format!("{}/../../shared/cases/{path}", env!("CARGO_MANIFEST_DIR"));
        read_metrics(&std::fs::read(p).unwrap())
    }

    fn fixture(path: &str) -> RunData {
        let p = format!(
            "{}/../../shared/fixtures/aspara-py-0.1.0/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        read_metrics(&std::fs::read(p).unwrap())
    }

    #[test]
    fn fixture_lr_high_has_nan_from_step_150() {
        let d = fixture("vision-demo/resnet-lr-high.jsonl");
        let s = d.metric("train/loss").unwrap().series();
        let p = plot(&s, XAxis::Step, None);
        let first_nan = p.y.iter().position(|v| v.is_nan()).unwrap();
        assert_eq!(p.steps[first_nan], 150);
        assert_eq!(p.kinds[first_nan], ValueKind::Nan);
        assert_eq!(p.x.len(), 200);
        assert_eq!(
            notices(&d)[0].text,
            "train/loss: non-finite values (50 NaN) shown as markers with gaps"
        );
        let st = stats(&d);
        assert_eq!(st["train/loss"].last, Some(1.3918888898617985));
    }

    #[test]
    fn relative_and_wall_time_axes() {
        let d = fixture("vision-demo/resnet-baseline.jsonl");
        let t0 = first_timestamp(&d);
        let s = d.metric("train/loss").unwrap().series();
        let rel = plot(&s, XAxis::Relative, t0);
        assert_eq!(rel.x[0], 0.0);
        assert!(rel.x.windows(2).all(|w| w[0] <= w[1]));
        let wall = plot(&s, XAxis::Wall, t0);
        assert_eq!(wall.x[0], t0.unwrap() as f64);
    }

    #[test]
    fn b11_non_monotonic_notice() {
        let d = case("B11-step-backwards/data/step_backwards/restart.jsonl");
        let n = notices(&d);
        assert!(
            n.iter()
                .any(|n| n.text.contains("1 record with a lower step")),
            "{n:?}"
        );
    }

    #[test]
    fn b18_invalid_values_notice() {
        let d = case("B18-non-numeric-value/data/non_numeric/strings.jsonl");
        let n = notices(&d);
        assert!(
            n.iter()
                .any(|n| n.text.starts_with("acc: 3 invalid values not plotted")),
            "{n:?}"
        );
    }

    #[test]
    fn b14_huge_steps_and_skipped_lines_are_reported() {
        let d = case("B14-bad-step-values/data/bad_steps/steps.jsonl");
        let n: Vec<String> = notices(&d).into_iter().map(|n| n.text).collect();
        assert!(n.iter().any(|t| t.contains("1 step above 2^53")), "{n:?}");
        assert_eq!(
            n.iter().filter(|t| t.contains("skipped")).count(),
            3,
            "{n:?}"
        );
    }

    #[test]
    fn b21_partial_tail_is_reported() {
        let d = case("B21-partial-last-line/data/partial_line/killed.jsonl");
        let n = notices(&d);
        assert!(
            n.iter().any(|n| n.text.contains("partial last line")),
            "{n:?}"
        );
    }
}
