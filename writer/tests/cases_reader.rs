//! The reader side of the bug-report cases in `shared/cases/` (FORMAT.md §6): each test reads a
//! case's data with `aspara::format::reader` and checks the exact values its `expected.md` gives.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]

use aspara::format::reader::{
    Decoder, InvalidReason, RunData, SkipReason, SkippedLine, ValueKind, finite_mean, read_metrics,
};
use aspara::format::{RunMeta, Status};
use serde_json::json;
use std::path::{Path, PathBuf};

/// A clock well after every case's start time (2026-12-03, when the fixtures were made).
const NOW: i64 = 1_796_306_900_000;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn case_file(rel: &str) -> PathBuf {
    shared().join("cases").join(rel)
}

fn load(rel: &str) -> RunData {
    let bytes = std::fs::read(case_file(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    read_metrics(&bytes)
}

fn status(rel_meta: &str) -> Status {
    let path = case_file(rel_meta);
    let meta = match std::fs::read(&path) {
        Ok(b) => RunMeta::from_bytes_lossy(&b).0,
        Err(_) => RunMeta::default(),
    };
    meta.status(NOW)
}

/// Loaded and skipped line counts.
fn counts(r: &RunData) -> (u64, u64) {
    (r.report.records, r.report.skipped_total)
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= b.abs() * 1e-12
}

#[test]
fn b01_nan_gap() {
    for (run, kind) in [
        ("nan-token", ValueKind::Nan),
        ("nan-string", ValueKind::Nan),
        ("nan-null", ValueKind::NonFiniteUnknown),
    ] {
        let r = load(&format!("B01-nan-gap/data/nan_gap/{run}.jsonl"));
        assert_eq!(counts(&r), (3, 0), "{run}");
        let loss = r.metric("loss").unwrap();
        let s = loss.series();
        assert_eq!(s.steps, [0, 1, 2]);
        assert_eq!(s.values[0], 0.5);
        assert_eq!(s.values[2], 0.3);
        assert_eq!(
            s.kinds,
            [ValueKind::Finite, kind, ValueKind::Finite],
            "{run}"
        );
        let sum = loss.summary();
        assert_eq!(
            (sum.min, sum.max, sum.last),
            (Some(0.3), Some(0.5), Some(0.3))
        );
        assert_eq!(sum.non_finite(), 1);
        assert_eq!(
            status(&format!("B01-nan-gap/data/nan_gap/{run}.meta.json")),
            Status::Completed
        );
    }
}

#[test]
fn b02_bare_nonfinite_tokens() {
    let r = load("B02-bare-nonfinite-tokens/data/bare_tokens/third-party.jsonl");
    assert_eq!(counts(&r), (3, 0));
    let acc = r.metric("acc").unwrap();
    assert_eq!(
        acc.series().kinds,
        [ValueKind::Nan, ValueKind::Finite, ValueKind::NegInf]
    );
    assert_eq!(acc.values[1], 0.9);
    assert_eq!(acc.values[2], f64::NEG_INFINITY);
    let s = acc.summary();
    assert_eq!((s.non_finite(), s.nan, s.neg_inf), (2, 1, 1));
    assert_eq!((s.min, s.max, s.last), (Some(0.9), Some(0.9), Some(0.9)));
}

#[test]
fn b02_writer_output_reads_back_as_unknown_kind() {
    let written = concat!(
        "{\"timestamp\": 1735689600000, \"step\": 0, \"metrics\": {\"acc\": null}}\n",
        "{\"timestamp\": 1735689601000, \"step\": 1, \"metrics\": {\"acc\": 0.9}}\n",
        "{\"timestamp\": 1735689602000, \"step\": 2, \"metrics\": {\"acc\": null}}\n",
    );
    let r = read_metrics(written.as_bytes());
    assert_eq!(counts(&r), (3, 0));
    let s = r.metric("acc").unwrap().summary();
    assert_eq!((s.unknown, s.finite, s.last), (2, 1, Some(0.9)));
}

#[test]
fn b03_infinity_values() {
    for run in ["inf-strings", "inf-tokens"] {
        let r = load(&format!("B03-infinity-values/data/inf_values/{run}.jsonl"));
        assert_eq!(counts(&r), (3, 0), "{run}");
        let g = r.metric("grad_norm").unwrap();
        assert_eq!(g.values, [f64::INFINITY, 12.5, f64::NEG_INFINITY]);
        assert_eq!(
            g.series().kinds,
            [ValueKind::PosInf, ValueKind::Finite, ValueKind::NegInf]
        );
        let s = g.summary();
        assert_eq!((s.min, s.max, s.last), (Some(12.5), Some(12.5), Some(12.5)));
        assert_eq!((s.pos_inf, s.neg_inf, s.nan, s.unknown), (1, 1, 0, 0));
    }
}

#[test]
fn b04_overlay_nonfinite_run() {
    let a = load("B04-overlay-nonfinite-run/data/overlay/run-a.jsonl");
    assert_eq!(counts(&a), (2, 0));
    let s = a.metric("loss").unwrap().summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.8), Some(1.0), Some(0.8)));
    let b = load("B04-overlay-nonfinite-run/data/overlay/run-b.jsonl");
    assert_eq!(counts(&b), (2, 0));
    let s = b.metric("loss").unwrap().summary();
    assert_eq!((s.min, s.max, s.last, s.mean), (None, None, None, None));
    assert_eq!((s.nan, s.pos_inf, s.finite, s.points), (1, 1, 0, 2));
    assert_eq!(
        status("B04-overlay-nonfinite-run/data/overlay/run-b.meta.json"),
        Status::Failed
    );
}

#[test]
fn b05_smoothing_input_keeps_null_as_unknown() {
    let r = load("B05-smoothing-skips-nan/data/smoothing/nan-in-middle.jsonl");
    assert_eq!(counts(&r), (4, 0));
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.kind(1), ValueKind::NonFiniteUnknown);
    assert_eq!(loss.values[0], 1.0);
    assert_eq!(loss.values[2..], [3.0, 5.0]);
    let s = loss.summary();
    assert_eq!((s.non_finite(), s.unknown), (1, 1));
    assert_eq!((s.min, s.max, s.last), (Some(1.0), Some(5.0), Some(5.0)));
}

#[test]
fn b07_int_values_load_as_floats() {
    let two = load("B07-smoothing-edges/data/smoothing_edges/two-point.jsonl");
    assert_eq!(counts(&two), (2, 0));
    assert_eq!(two.metric("acc").unwrap().values, [0.0, 1.0]);
    let three = load("B07-smoothing-edges/data/smoothing_edges/three-point.jsonl");
    assert_eq!(counts(&three), (3, 0));
    let y = three.metric("y").unwrap();
    assert_eq!(y.values, [2.0, 4.0, 6.0]);
    assert!(!y.is_bool);
}

/// The bytes `make.py` writes, built in memory (70,888,893 bytes for the default n).
fn b09_bytes(n: u64) -> Vec<u8> {
    let mut out = String::with_capacity(71 * n as usize);
    for s in 0..n {
        let v = if s == n / 2 { "1000.0" } else { "1.0" };
        out.push_str(&format!(
            "{{\"timestamp\": {}, \"step\": {s}, \"metrics\": {{\"loss\": {v}}}}}\n",
            1_735_689_600_000u64 + 10 * s
        ));
    }
    out.into_bytes()
}

#[test]
fn b09_one_million_points() {
    let bytes = b09_bytes(1_000_000);
    assert_eq!(bytes.len(), 70_888_893);
    let r = read_metrics(&bytes);
    assert_eq!(counts(&r), (1_000_000, 0));
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.len(), 1_000_000);
    assert_eq!((loss.superseded(), loss.non_monotonic()), (0, 0));
    let series = loss.series();
    assert_eq!(series.len(), 1_000_000);
    assert_eq!(series.values[500_000], 1000.0);
    assert_eq!(series.steps[500_000], 500_000);
    assert_eq!(
        series.timestamps[999_999],
        Some(1_735_689_600_000 + 9_999_990)
    );
    let s = loss.summary();
    assert_eq!((s.min, s.max, s.last), (Some(1.0), Some(1000.0), Some(1.0)));
    assert_eq!(s.last_step, Some(999_999));
    // Loading twice gives identical data.
    assert_eq!(
        read_metrics(&bytes).metric("loss").unwrap().series(),
        series
    );
}

#[test]
fn b11_step_backwards() {
    let r = load("B11-step-backwards/data/step_backwards/restart.jsonl");
    assert_eq!(counts(&r), (3, 0));
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.steps, [3, 4, 3]);
    assert_eq!(loss.values, [0.5, 0.4, 0.45]);
    assert_eq!((loss.non_monotonic(), loss.superseded()), (1, 1));
    let s = loss.series();
    assert_eq!(s.steps, [3, 4]);
    assert_eq!(s.values, [0.45, 0.4]);
    let sum = loss.summary();
    assert_eq!(
        (sum.min, sum.max, sum.last),
        (Some(0.4), Some(0.45), Some(0.4))
    );
    assert_eq!((sum.non_monotonic, sum.superseded), (1, 1));
}

#[test]
fn b12_resume_explicit_step() {
    let r = load("B12-resume-explicit-step/data/resume/demo.jsonl");
    assert_eq!(counts(&r), (106, 0));
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.len(), 106);
    let s = loss.series();
    assert_eq!(s.steps, (0..100).collect::<Vec<u64>>());
    assert_eq!(r.max_step(), Some(99));
    assert_eq!(loss.superseded(), 6);
    assert_eq!(loss.non_monotonic(), 1);
    // The non-monotonic record is line 17 (step 10 after step 15).
    assert_eq!((loss.steps[16], loss.lines[16]), (10, 17));
    assert_eq!(s.values[10], 0.9);
    assert_eq!(s.values[15], 0.85);
    for (step, v) in s.steps.iter().zip(&s.values) {
        assert!(close(*v, 1.0 - 0.01 * *step as f64), "step {step}: {v}");
    }
    let sum = loss.summary();
    assert_eq!(
        (sum.min, sum.max, sum.last),
        (Some(0.01), Some(1.0), Some(0.01))
    );
}

#[test]
fn b14_bad_step_values() {
    let r = load("B14-bad-step-values/data/bad_steps/steps.jsonl");
    assert_eq!(counts(&r), (2, 3));
    assert_eq!(
        r.report.skipped,
        [
            SkippedLine {
                line: 3,
                reason: SkipReason::NegativeStep
            },
            SkippedLine {
                line: 4,
                reason: SkipReason::FractionalStep
            },
            SkippedLine {
                line: 5,
                reason: SkipReason::StringStep
            },
        ]
    );
    let messages: Vec<String> = r
        .report
        .skipped
        .iter()
        .map(|s| s.reason.to_string())
        .collect();
    assert_eq!(
        messages,
        [
            "negative step",
            "step is not an integer",
            "step is a string"
        ]
    );
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.steps, [3_000_000_000, 9_007_199_254_740_993]);
    let s = loss.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.1), Some(0.2), Some(0.2)));
    assert_eq!(s.last_step, Some(9_007_199_254_740_993));
    assert_eq!(r.summaries(), [("loss", s)]);
    let report = serde_json::to_value(&r.report).unwrap();
    assert_eq!(
        report["skipped"][0],
        json!({"line": 3, "reason": "negative_step", "message": "negative step"})
    );
}

#[test]
fn b15_huge_values() {
    let r = load("B15-huge-values/data/huge_values/tokens.jsonl");
    assert_eq!(counts(&r), (3, 0));
    let t = r.metric("tokens").unwrap();
    assert_eq!(t.values, [1.2345678901234569e23, 1e308, 1e308]);
    let s = t.summary();
    assert_eq!(
        (s.min, s.max, s.last),
        (Some(1.2345678901234569e23), Some(1e308), Some(1e308))
    );
    assert_eq!(s.non_finite(), 0);
    assert!(close(s.mean.unwrap(), 6.666666666666666e307));
    assert_eq!(finite_mean(t.values[1..].iter().copied()), Some(1e308));
}

#[test]
fn b16_tiny_values() {
    let r = load("B16-tiny-values/data/tiny_values/lr.jsonl");
    assert_eq!(counts(&r), (2, 0));
    let lr = r.metric("lr").unwrap();
    assert_eq!(lr.values[0].to_bits(), 0x3E7A_D7F2_9ABC_AF48);
    assert_eq!(lr.values[1].to_bits(), 0x0000_0000_0000_0001);
    let s = lr.summary();
    assert_eq!(
        (s.min, s.max, s.last),
        (Some(5e-324), Some(1e-07), Some(5e-324))
    );
}

#[test]
fn b17_int_float_bool() {
    let r = load("B17-int-float-bool/data/types/int-float-bool.jsonl");
    assert_eq!(counts(&r), (2, 0));
    let acc = r.metric("acc").unwrap();
    assert_eq!(acc.values, [1.0, 0.5]);
    assert!(!acc.is_bool);
    let s = acc.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.5), Some(1.0), Some(0.5)));
    let gpu = r.metric("gpu_ok").unwrap();
    assert_eq!(gpu.values, [1.0, 0.0]);
    assert!(gpu.is_bool);
    assert!(gpu.series().is_bool);
    let s = gpu.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.0), Some(1.0), Some(0.0)));
    assert!(s.is_bool);

    let r = load("B17-int-float-bool/data/types/int-then-float.jsonl");
    assert_eq!(counts(&r), (151, 0));
    let n = r.metric("n").unwrap();
    assert_eq!(n.len(), 151);
    assert!(n.values[..150].iter().all(|&v| v == 0.0));
    assert_eq!((n.steps[150], n.values[150]), (150, 0.5));
    let s = n.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.0), Some(0.5), Some(0.5)));
}

#[test]
fn b18_non_numeric_value() {
    let r = load("B18-non-numeric-value/data/non_numeric/strings.jsonl");
    assert_eq!(counts(&r), (5, 0));
    let acc = r.metric("acc").unwrap();
    assert_eq!(acc.invalid_count, 3);
    let inv: Vec<(u64, u32, InvalidReason)> = acc
        .invalid
        .iter()
        .map(|i| (i.step, i.line, i.reason))
        .collect();
    assert_eq!(
        inv,
        [
            (3, 1, InvalidReason::String),
            (5, 3, InvalidReason::String),
            (6, 4, InvalidReason::Object)
        ]
    );
    assert_eq!(acc.steps, [4, 7]);
    assert_eq!(acc.values[0], 0.7);
    assert_eq!(acc.kind(1), ValueKind::Nan);
    let s = acc.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.7), Some(0.7), Some(0.7)));
    assert_eq!((s.nan, s.invalid, s.points), (1, 3, 2));
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.steps, [3, 4, 5, 6, 7]);
    assert_eq!(loss.values, [0.3, 0.25, 0.2, 0.15, 0.1]);
    let s = loss.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.1), Some(0.3), Some(0.1)));
    assert_eq!(r.report.invalid_values, 3);

    // Only the exact strings are non-finite.
    let r = read_metrics(
        b"{\"step\": 0, \"metrics\": {\"a\": \"nan\", \"b\": \"inf\", \"c\": \"Infinity\", \"d\": \"-Infinity\"}}\n",
    );
    assert_eq!(r.metric("a").unwrap().invalid_count, 1);
    assert_eq!(r.metric("b").unwrap().invalid_count, 1);
    assert_eq!(r.metric("c").unwrap().kind(0), ValueKind::PosInf);
    assert_eq!(r.metric("d").unwrap().kind(0), ValueKind::NegInf);
}

#[test]
fn b19_absent_vs_null() {
    let dir = "B19-absent-vs-null/data/absent_vs_null";
    let r = load(&format!("{dir}/sparse.jsonl"));
    assert_eq!(counts(&r), (3, 0));
    assert_eq!(r.metric("epoch").unwrap().len(), 3);
    let ec = r.metric("epoch_copy").unwrap();
    assert_eq!(ec.steps, [0, 2]);
    assert_eq!(ec.values, [0.0, 2.0]);
    let s = ec.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.0), Some(2.0), Some(2.0)));
    assert_eq!(s.non_finite(), 0);

    let r = load(&format!("{dir}/null-at-1.jsonl"));
    assert_eq!(counts(&r), (3, 0));
    let ec = r.metric("epoch_copy").unwrap();
    assert_eq!(ec.steps, [0, 1, 2]);
    assert_eq!(ec.kind(1), ValueKind::NonFiniteUnknown);
    let s = ec.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.0), Some(2.0), Some(2.0)));
    assert_eq!(s.non_finite(), 1);

    let r = load(&format!("{dir}/split-lines.jsonl"));
    assert_eq!(counts(&r), (5, 0));
    let epoch = r.metric("epoch").unwrap();
    let ec = r.metric("epoch_copy").unwrap();
    assert_eq!((epoch.non_monotonic(), ec.non_monotonic()), (0, 0));
    assert_eq!(epoch.series().steps, [0, 1, 2]);
    assert_eq!(epoch.series().values, [0.0, 1.0, 2.0]);
    assert_eq!(ec.series().steps, [0, 2]);
    assert_eq!(ec.series().values, [0.0, 2.0]);

    let r = load(&format!("{dir}/late-metric.jsonl"));
    assert_eq!(counts(&r), (200, 0));
    let loss = r.metric("loss").unwrap().summary();
    assert_eq!(loss.points, 200);
    assert!(close(loss.min.unwrap(), 1.005));
    assert_eq!((loss.max, loss.last), (Some(2.0), loss.min));
    let acc = r.metric("acc").unwrap();
    assert_eq!(acc.steps, (150..200).collect::<Vec<u64>>());
    assert_eq!(acc.lines[0], 151);
    let s = acc.summary();
    assert_eq!(s.points, 50);
    assert_eq!(
        (s.min, s.max, s.last),
        (Some(0.5), Some(0.549), Some(0.549))
    );
}

#[test]
fn b20_empty_or_missing_metrics() {
    let dir = "B20-empty-or-missing-metrics/data/empty_runs";
    let mut records = Vec::new();
    for run in ["run-a", "run-b", "run-c", "run-d"] {
        let path = case_file(&format!("{dir}/{run}.jsonl"));
        // run-b has no metrics file at all: that reads as no records.
        let bytes = std::fs::read(&path).unwrap_or_default();
        let r = read_metrics(&bytes);
        assert_eq!(r.report.skipped_total, 0);
        records.push(r.report.records);
        if run == "run-c" {
            let s = r.metric("loss").unwrap().summary();
            assert_eq!(s.points, 3);
            assert_eq!((s.min, s.max, s.last), (Some(0.8), Some(1.0), Some(0.8)));
        } else {
            assert!(r.metrics.is_empty());
            assert_eq!(r.report.lines, 0);
        }
    }
    assert_eq!(records, [0, 0, 3, 0]);
    assert!(!case_file(&format!("{dir}/run-b.jsonl")).exists());
    assert_eq!(status(&format!("{dir}/run-a.meta.json")), Status::Completed);
    assert_eq!(
        status(&format!("{dir}/run-b.meta.json")),
        Status::MaybeFailed
    );
    assert_eq!(status(&format!("{dir}/run-c.meta.json")), Status::Completed);
    // No meta: defaults, no start time, so never maybe_failed.
    assert_eq!(status(&format!("{dir}/run-d.meta.json")), Status::Wip);
}

#[test]
fn b21_partial_last_line() {
    let dir = "B21-partial-last-line/data/partial_line";
    let r = load(&format!("{dir}/killed.jsonl"));
    assert_eq!(counts(&r), (2, 1));
    assert_eq!(
        r.report.skipped,
        [SkippedLine {
            line: 3,
            reason: SkipReason::PartialTail
        }]
    );
    assert_eq!(r.report.skipped[0].reason.to_string(), "partial last line");
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.steps, [0, 1]);
    assert_eq!(loss.values, [0.9, 0.8]);
    let s = loss.summary();
    assert_eq!((s.min, s.max, s.last), (Some(0.8), Some(0.9), Some(0.8)));
    assert_eq!(
        status(&format!("{dir}/killed.meta.json")),
        Status::MaybeFailed
    );

    let r = load(&format!("{dir}/bad-middle.jsonl"));
    assert_eq!(counts(&r), (2, 1));
    assert_eq!(
        r.report.skipped,
        [SkippedLine {
            line: 2,
            reason: SkipReason::InvalidJson
        }]
    );
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.steps, [0, 2]);
    assert_eq!(loss.values, [0.9, 0.7]);

    // While live, the torn tail is simply not counted yet.
    let bytes = std::fs::read(case_file(&format!("{dir}/killed.jsonl"))).unwrap();
    let mut d = Decoder::new();
    d.push(&bytes);
    assert_eq!(d.snapshot().report.records, 2);
    assert_eq!(d.snapshot().report.skipped_total, 0);
    assert_eq!(d.bytes_consumed(), 132);
}

#[test]
fn b22_glued_line_is_skipped_not_split() {
    let r = load("B22-concurrent-append/data/concurrent/torn.jsonl");
    assert_eq!(counts(&r), (2, 1));
    assert_eq!(
        r.report.skipped,
        [SkippedLine {
            line: 2,
            reason: SkipReason::TrailingData
        }]
    );
    let a = r.metric("a").unwrap();
    assert_eq!(
        (a.steps.as_slice(), a.values.as_slice()),
        (&[0u64][..], &[0.0][..])
    );
    let b = r.metric("b").unwrap();
    assert_eq!(
        (b.steps.as_slice(), b.values.as_slice()),
        (&[1u64][..], &[0.1][..])
    );
}

#[test]
fn b24_line_endings() {
    for (run, lines, blank) in [("crlf", 4, 2), ("whitespace", 5, 3), ("compact", 2, 0)] {
        let r = load(&format!("B24-line-endings/data/line_endings/{run}.jsonl"));
        assert_eq!(counts(&r), (2, 0), "{run}");
        assert_eq!(
            (r.report.lines, r.report.blank_lines),
            (lines, blank),
            "{run}"
        );
        assert_eq!(r.metric_names().collect::<Vec<_>>(), ["loss"]);
        let loss = r.metric("loss").unwrap();
        assert_eq!(loss.steps, [0, 1]);
        assert_eq!(loss.values, [1.0, 0.9]);
        assert_eq!(
            loss.timestamps,
            [Some(1_735_689_600_000), Some(1_735_689_601_000)]
        );
        let s = loss.summary();
        assert_eq!((s.min, s.max, s.last), (Some(0.9), Some(1.0), Some(0.9)));
    }
}

#[test]
fn b26_slash_in_metric_name() {
    let r = load("B26-slash-in-metric-name/data/slash_names/run1.jsonl");
    assert_eq!(counts(&r), (2, 0));
    assert_eq!(
        r.metric_names().collect::<Vec<_>>(),
        ["train/loss", "val/loss"]
    );
    assert_eq!(r.metric("train/loss").unwrap().values, [0.5, 0.4]);
    assert_eq!(r.metric("val/loss").unwrap().values, [0.6, 0.55]);
}

#[test]
fn b27_special_chars_metric_name() {
    let r = load("B27-special-chars-metric-name/data/special_names/run1.jsonl");
    assert_eq!(counts(&r), (2, 0));
    assert_eq!(
        r.metric_names().collect::<Vec<_>>(),
        ["a[0]", "b\\c", "profiling/Time taken: Trainer.compute_loss"]
    );
    assert_eq!(
        r.metric("profiling/Time taken: Trainer.compute_loss")
            .unwrap()
            .values,
        [0.25, 0.3]
    );
    assert_eq!(r.metric("a[0]").unwrap().values, [1.0, 2.0]);
    assert_eq!(r.metric("b\\c").unwrap().values, [2.0, 3.0]);
    assert_eq!(r.metric("b\\c").unwrap().name.len(), 3);
    assert!(r.metric("a").is_none() && r.metric("b").is_none());
}

#[test]
fn b31_config_null_list_nested() {
    let dir = "B31-config-null-list-nested/data/config_values";
    let read_meta = |run: &str| {
        RunMeta::from_bytes(&std::fs::read(case_file(&format!("{dir}/{run}.meta.json"))).unwrap())
            .unwrap()
    };
    let nested = read_meta("nested-config");
    assert_eq!(nested.config["max_iter"], serde_json::Value::Null);
    assert_eq!(nested.config["layers"], json!([64, 64]));
    assert_eq!(
        nested.config["optim"],
        json!({"name": "adam", "betas": [0.9, 0.999]})
    );
    assert_eq!(nested.config["encoder"], json!(["linear"]));
    assert_eq!(nested.config["encoder.0"], json!("x"));
    let legacy = read_meta("legacy-params");
    assert!(!legacy.config.contains_key("max_iter"));
    let eff = legacy.effective_config();
    assert_eq!(eff["lr"], json!(0.2));
    assert_eq!(eff["seed"], json!(1));
    assert_eq!(eff["layers"], json!([32]));
    for run in ["nested-config", "legacy-params"] {
        assert_eq!(counts(&load(&format!("{dir}/{run}.jsonl"))), (2, 0));
    }
}

#[test]
fn b33_log_axis_input_summary() {
    let r = load("B33-log-axis-nonpositive/data/log_axis/run1.jsonl");
    assert_eq!(counts(&r), (5, 0));
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.values, [1.0, 0.1, 0.0, -0.5, 0.01]);
    let s = loss.summary();
    assert_eq!((s.min, s.max, s.last), (Some(-0.5), Some(1.0), Some(0.01)));
}

#[test]
fn b35_script_in_metric_name_is_an_opaque_key() {
    let r = load("B35-script-injection-strings/data/xss/run1.jsonl");
    assert_eq!(counts(&r), (2, 0));
    let m = r.metric("</title><script>x</script>").unwrap();
    assert_eq!(m.values, [1.0, 2.0]);
    assert_eq!(r.metric("loss").unwrap().values, [0.5, 0.4]);
}

#[test]
fn b36_victim_run_has_one_record() {
    let r = load("B36-path-traversal-names/data/traversal/victim.jsonl");
    assert_eq!(counts(&r), (1, 0));
    let x = r.metric("x").unwrap();
    assert_eq!(
        (x.steps.as_slice(), x.values.as_slice()),
        (&[0u64][..], &[1.0][..])
    );
}

fn jsonl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            jsonl_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "jsonl") {
            out.push(p);
        }
    }
}

/// The fast path and the complete slow path give identical data on every case and fixture file,
/// and so does reading in small chunks.
#[test]
fn fast_and_slow_paths_agree_on_every_shared_file() {
    let mut files = Vec::new();
    jsonl_files(&shared().join("cases"), &mut files);
    jsonl_files(&shared().join("fixtures"), &mut files);
    assert!(files.len() >= 40, "{}", files.len());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let fast = serde_json::to_string(&read_metrics(&bytes)).unwrap();
        let mut slow = Decoder::without_fast_path();
        slow.push(&bytes);
        let slow = serde_json::to_string(&slow.finish()).unwrap();
        assert_eq!(fast, slow, "{}", path.display());
        let mut chunked = Decoder::new();
        for c in bytes.chunks(7) {
            chunked.push(c);
        }
        let chunked = serde_json::to_string(&chunked.finish()).unwrap();
        assert_eq!(fast, chunked, "{}", path.display());
    }
}
