//! `aspara inspect` on every case in `shared/cases/` that ships data: the counts and summaries each
//! case's `expected.md` gives, exactly. One test per case, named after it.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test, with its message

mod util;

use aspara::format::reader::SkipReason;
use aspara_cli::args::{DataDirArg, InspectArgs};
use aspara_cli::commands::inspect::{self, InspectOutcome, MetricReport};

fn inspect(case: &str, run: &str) -> InspectOutcome {
    let args = InspectArgs {
        data: DataDirArg {
            data_dir: Some(util::case_data(case)),
        },
        run: run.to_owned(),
        json: false,
    };
    inspect::run(&args.config().unwrap()).unwrap()
}

fn metric<'a>(o: &'a InspectOutcome, name: &str) -> &'a MetricReport {
    o.metrics
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no metric {name:?} in {:?}",
                o.metrics.iter().map(|m| &m.name).collect::<Vec<_>>()
            )
        })
}

/// records loaded, lines skipped.
fn counts(o: &InspectOutcome) -> (u64, u64) {
    (o.load.records, o.load.skipped_total)
}

/// (points, min, max, last) of a metric.
fn mml(o: &InspectOutcome, name: &str) -> (usize, Option<f64>, Option<f64>, Option<f64>) {
    let s = &metric(o, name).summary;
    (s.points, s.min, s.max, s.last)
}

#[test]
fn b01_nan_gap() {
    for (run, nan, unknown) in [
        ("nan-token", 1, 0),
        ("nan-string", 1, 0),
        ("nan-null", 0, 1),
    ] {
        let o = inspect("B01", &format!("nan_gap/{run}"));
        assert_eq!(counts(&o), (3, 0), "{run}");
        assert_eq!(
            mml(&o, "loss"),
            (3, Some(0.3), Some(0.5), Some(0.3)),
            "{run}"
        );
        let s = &metric(&o, "loss").summary;
        assert_eq!(
            (s.nan, s.unknown, s.non_finite()),
            (nan, unknown, 1),
            "{run}"
        );
        assert_eq!(o.status.as_deref(), Some("completed"), "{run}");
    }
}

#[test]
fn b02_bare_nonfinite_tokens() {
    let o = inspect("B02", "bare_tokens/third-party");
    assert_eq!(counts(&o), (3, 0));
    assert_eq!(mml(&o, "acc"), (3, Some(0.9), Some(0.9), Some(0.9)));
    let s = &metric(&o, "acc").summary;
    assert_eq!((s.nan, s.neg_inf, s.non_finite()), (1, 1, 2));
}

#[test]
fn b03_infinity_values() {
    for run in ["inf-strings", "inf-tokens"] {
        let o = inspect("B03", &format!("inf_values/{run}"));
        assert_eq!(counts(&o), (3, 0), "{run}");
        assert_eq!(
            mml(&o, "grad_norm"),
            (3, Some(12.5), Some(12.5), Some(12.5)),
            "{run}"
        );
        let s = &metric(&o, "grad_norm").summary;
        assert_eq!((s.pos_inf, s.neg_inf, s.nan), (1, 1, 0), "{run}");
    }
}

#[test]
fn b04_overlay_nonfinite_run() {
    let a = inspect("B04", "overlay/run-a");
    assert_eq!(counts(&a), (2, 0));
    assert_eq!(mml(&a, "loss"), (2, Some(0.8), Some(1.0), Some(0.8)));
    let b = inspect("B04", "overlay/run-b");
    assert_eq!(counts(&b), (2, 0));
    assert_eq!(mml(&b, "loss"), (2, None, None, None));
    let s = &metric(&b, "loss").summary;
    assert_eq!((s.nan, s.pos_inf), (1, 1));
    assert_eq!(b.status.as_deref(), Some("failed"));
}

#[test]
fn b05_smoothing_skips_nan() {
    let o = inspect("B05", "smoothing/nan-in-middle");
    assert_eq!(counts(&o), (4, 0));
    assert_eq!(mml(&o, "loss"), (4, Some(1.0), Some(5.0), Some(5.0)));
    let s = &metric(&o, "loss").summary;
    assert_eq!((s.unknown, s.non_finite()), (1, 1));
}

#[test]
fn b07_smoothing_edges() {
    let two = inspect("B07", "smoothing_edges/two-point");
    assert_eq!(counts(&two), (2, 0));
    assert_eq!(mml(&two, "acc"), (2, Some(0.0), Some(1.0), Some(1.0)));
    let three = inspect("B07", "smoothing_edges/three-point");
    assert_eq!(counts(&three), (3, 0));
    // JSON ints load as floats.
    assert_eq!(mml(&three, "y"), (3, Some(2.0), Some(6.0), Some(6.0)));
}

#[test]
fn b09_spike_downsampling() {
    // The 1,000,000-line input is generated (not committed): the case's own make.py, into a temp dir.
    let t = tempfile::tempdir().unwrap();
    let make = util::shared().join("cases/B09-spike-downsampling/make.py");
    let status = std::process::Command::new("python3")
        .arg(&make)
        .arg("--out")
        .arg(t.path())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::copy(
        util::case_data("B09").join("spike/spike-1m.meta.json"),
        t.path().join("spike/spike-1m.meta.json"),
    )
    .unwrap();
    let args = InspectArgs {
        data: DataDirArg {
            data_dir: Some(t.path().to_path_buf()),
        },
        run: "spike/spike-1m".to_owned(),
        json: false,
    };
    let o = inspect::run(&args.config().unwrap()).unwrap();
    assert_eq!(counts(&o), (1_000_000, 0));
    assert_eq!(
        mml(&o, "loss"),
        (1_000_000, Some(1.0), Some(1000.0), Some(1.0))
    );
    let s = &metric(&o, "loss").summary;
    assert_eq!(
        (s.superseded, s.non_monotonic, s.max_step),
        (0, 0, Some(999_999))
    );
}

#[test]
fn b11_step_backwards() {
    let o = inspect("B11", "step_backwards/restart");
    assert_eq!(counts(&o), (3, 0));
    let s = &metric(&o, "loss").summary;
    assert_eq!((s.non_monotonic, s.superseded), (1, 1));
    // The charted series is (3, 0.45), (4, 0.4): 2 points, the overwritten 0.5 not among them.
    assert_eq!(mml(&o, "loss"), (2, Some(0.4), Some(0.45), Some(0.4)));
}

#[test]
fn b12_resume_explicit_step() {
    let o = inspect("B12", "resume/demo");
    assert_eq!(counts(&o), (106, 0));
    let s = &metric(&o, "loss").summary;
    assert_eq!(
        (s.points, s.max_step, s.superseded, s.non_monotonic),
        (100, Some(99), 6, 1)
    );
    assert_eq!((s.min, s.max, s.last), (Some(0.01), Some(1.0), Some(0.01)));
}

#[test]
fn b14_bad_step_values() {
    let o = inspect("B14", "bad_steps/steps");
    assert_eq!(counts(&o), (2, 3));
    let skipped: Vec<(u64, SkipReason)> =
        o.load.skipped.iter().map(|s| (s.line, s.reason)).collect();
    assert_eq!(
        skipped,
        [
            (3, SkipReason::NegativeStep),
            (4, SkipReason::FractionalStep),
            (5, SkipReason::StringStep)
        ]
    );
    let s = &metric(&o, "loss").summary;
    assert_eq!((s.min, s.max, s.last), (Some(0.1), Some(0.2), Some(0.2)));
    assert_eq!(s.last_step, Some(9_007_199_254_740_993));
    let text = o.render();
    assert!(text.contains("skipped 1 (negative step): line 3"), "{text}");
    assert!(
        text.contains("skipped 1 (step is a string): line 5"),
        "{text}"
    );
}

#[test]
fn b15_huge_values() {
    let o = inspect("B15", "huge_values/tokens");
    assert_eq!(counts(&o), (3, 0));
    let name = &o.metrics[0].name;
    let s = &metric(&o, name).summary;
    assert_eq!(
        (s.min, s.max, s.last),
        (Some(1.2345678901234569e23), Some(1e308), Some(1e308))
    );
    assert_eq!(s.non_finite(), 0);
    assert!(o.render().contains("1.2345678901234569e+23"));
}

#[test]
fn b16_tiny_values() {
    let o = inspect("B16", "tiny_values/lr");
    assert_eq!(counts(&o), (2, 0));
    let s = &o.metrics[0].summary;
    assert_eq!(s.min.map(f64::to_bits), Some(1));
    assert_eq!(s.max.map(f64::to_bits), Some(0x3E7A_D7F2_9ABC_AF48));
    assert_eq!(s.last.map(f64::to_bits), Some(1));
    // Shown in Python repr, never as 0.
    let text = o.render();
    assert!(text.contains("5e-324") && text.contains("1e-07"), "{text}");
}

#[test]
fn b17_int_float_bool() {
    let o = inspect("B17", "types/int-float-bool");
    assert_eq!(counts(&o), (2, 0));
    assert_eq!(mml(&o, "acc"), (2, Some(0.5), Some(1.0), Some(0.5)));
    assert_eq!(mml(&o, "gpu_ok"), (2, Some(0.0), Some(1.0), Some(0.0)));
    assert!(metric(&o, "gpu_ok").summary.is_bool);
    assert!(!metric(&o, "acc").summary.is_bool);
    let o = inspect("B17", "types/int-then-float");
    assert_eq!(counts(&o), (151, 0));
    assert_eq!(mml(&o, "n"), (151, Some(0.0), Some(0.5), Some(0.5)));
}

#[test]
fn b18_non_numeric_value() {
    let o = inspect("B18", "non_numeric/strings");
    assert_eq!(counts(&o), (5, 0));
    let acc = metric(&o, "acc");
    assert_eq!(
        (acc.summary.min, acc.summary.max, acc.summary.last),
        (Some(0.7), Some(0.7), Some(0.7))
    );
    assert_eq!((acc.summary.nan, acc.summary.invalid), (1, 3));
    let steps: Vec<u64> = acc.invalid_values.iter().map(|v| v.step).collect();
    assert_eq!(steps, [3, 5, 6]);
    assert_eq!(o.load.invalid_values, 3);
    assert_eq!(mml(&o, "loss"), (5, Some(0.1), Some(0.3), Some(0.1)));
}

#[test]
fn b19_absent_vs_null() {
    let o = inspect("B19", "absent_vs_null/sparse");
    assert_eq!(o.load.records, 3);
    assert_eq!(mml(&o, "epoch_copy"), (2, Some(0.0), Some(2.0), Some(2.0)));
    assert_eq!(metric(&o, "epoch_copy").summary.non_finite(), 0);
    assert_eq!(metric(&o, "epoch").summary.points, 3);

    let o = inspect("B19", "absent_vs_null/null-at-1");
    assert_eq!(o.load.records, 3);
    assert_eq!(mml(&o, "epoch_copy"), (3, Some(0.0), Some(2.0), Some(2.0)));
    assert_eq!(metric(&o, "epoch_copy").summary.non_finite(), 1);

    let o = inspect("B19", "absent_vs_null/split-lines");
    assert_eq!(counts(&o), (5, 0));
    assert_eq!(metric(&o, "epoch").summary.points, 3);
    assert_eq!(metric(&o, "epoch_copy").summary.points, 2);
    assert_eq!(
        metric(&o, "epoch").summary.non_monotonic + metric(&o, "epoch_copy").summary.non_monotonic,
        0
    );

    let o = inspect("B19", "absent_vs_null/late-metric");
    assert_eq!(o.load.records, 200);
    assert_eq!(mml(&o, "loss"), (200, Some(1.005), Some(2.0), Some(1.005)));
    assert_eq!(mml(&o, "acc"), (50, Some(0.5), Some(0.549), Some(0.549)));
}

#[test]
fn b20_empty_or_missing_metrics() {
    let a = inspect("B20", "empty_runs/run-a");
    assert_eq!(counts(&a), (0, 0));
    assert!(a.metrics.is_empty());
    assert_eq!(a.status.as_deref(), Some("completed"));
    // Meta only: still inspectable, 0 records, maybe_failed (wip, started long ago).
    let b = inspect("B20", "empty_runs/run-b");
    assert_eq!(counts(&b), (0, 0));
    assert_eq!(b.status.as_deref(), Some("maybe_failed"));
    let c = inspect("B20", "empty_runs/run-c");
    assert_eq!(mml(&c, "loss"), (3, Some(0.8), Some(1.0), Some(0.8)));
    // Metrics without meta: no status to show.
    let d = inspect("B20", "empty_runs/run-d");
    assert_eq!(counts(&d), (0, 0));
    assert_eq!(d.status, None);
    assert!(d.render().contains("no metrics"));
}

#[test]
fn b21_partial_last_line() {
    let o = inspect("B21", "partial_line/killed");
    assert_eq!(counts(&o), (2, 1));
    assert_eq!(o.load.skipped_count(SkipReason::PartialTail), 1);
    assert_eq!(o.load.skipped[0].line, 3);
    assert_eq!(mml(&o, "loss"), (2, Some(0.8), Some(0.9), Some(0.8)));
    assert_eq!(o.status.as_deref(), Some("maybe_failed"));
    let o = inspect("B21", "partial_line/bad-middle");
    assert_eq!(counts(&o), (2, 1));
    assert_eq!(
        o.load
            .skipped
            .iter()
            .map(|s| (s.line, s.reason))
            .collect::<Vec<_>>(),
        [(2, SkipReason::InvalidJson)]
    );
}

#[test]
fn b22_concurrent_append() {
    let o = inspect("B22", "concurrent/torn");
    assert_eq!(counts(&o), (2, 1));
    assert_eq!(
        o.load
            .skipped
            .iter()
            .map(|s| (s.line, s.reason))
            .collect::<Vec<_>>(),
        [(2, SkipReason::TrailingData)]
    );
}

#[test]
fn b24_line_endings() {
    for run in ["crlf", "compact", "whitespace"] {
        let o = inspect("B24", &format!("line_endings/{run}"));
        assert_eq!(counts(&o), (2, 0), "{run}");
        assert_eq!(
            mml(&o, "loss"),
            (2, Some(0.9), Some(1.0), Some(0.9)),
            "{run}"
        );
    }
}

#[test]
fn b26_slash_in_metric_name() {
    let o = inspect("B26", "slash_names/run1");
    assert_eq!(counts(&o), (2, 0));
    let names: Vec<&str> = o.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["train/loss", "val/loss"]);
}

#[test]
fn b27_special_chars_metric_name() {
    let o = inspect("B27", "special_names/run1");
    assert_eq!(counts(&o), (2, 0));
    assert_eq!(o.metrics.len(), 3);
    assert_eq!(
        mml(&o, "profiling/Time taken: Trainer.compute_loss"),
        (2, Some(0.25), Some(0.3), Some(0.3))
    );
    assert_eq!(mml(&o, "a[0]"), (2, Some(1.0), Some(2.0), Some(2.0)));
    assert_eq!(mml(&o, "b\\c"), (2, Some(2.0), Some(3.0), Some(3.0)));
}

#[test]
fn b31_config_null_list_nested() {
    // A metadata case: its metrics files load, and the meta (nested/null/list config) reads cleanly.
    for run in ["nested-config", "legacy-params"] {
        let o = inspect("B31", &format!("config_values/{run}"));
        assert_eq!(o.load.skipped_total, 0, "{run}");
        assert_eq!(o.meta_error, None, "{run}");
        assert!(o.status.is_some(), "{run}");
    }
}

#[test]
fn b33_log_axis_nonpositive() {
    let o = inspect("B33", "log_axis/run1");
    assert_eq!(counts(&o), (5, 0));
    assert_eq!(mml(&o, "loss"), (5, Some(-0.5), Some(1.0), Some(0.01)));
}

#[test]
fn b35_script_injection_strings() {
    let o = inspect("B35", "xss/run1");
    assert_eq!(counts(&o), (2, 0));
    assert_eq!(
        mml(&o, "</title><script>x</script>"),
        (2, Some(1.0), Some(2.0), Some(2.0))
    );
    assert_eq!(mml(&o, "loss"), (2, Some(0.4), Some(0.5), Some(0.4)));
}

#[test]
fn b36_path_traversal_names() {
    let o = inspect("B36", "traversal/victim");
    assert_eq!(o.load.skipped_total, 0);
    // Names that could escape the data directory are refused before any file is opened.
    for bad in [
        "../traversal/victim",
        "traversal/..",
        "traversal/../victim",
        "/etc/passwd",
    ] {
        let args = InspectArgs {
            data: DataDirArg {
                data_dir: Some(util::case_data("B36")),
            },
            run: bad.to_owned(),
            json: false,
        };
        assert!(args.config().is_err(), "{bad}");
    }
}

#[test]
fn inspect_json_is_the_report() {
    let data = util::case_data("B21");
    let out = util::aspara(&[
        "inspect",
        "--data-dir",
        data.to_str().unwrap(),
        "partial_line/killed",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&util::ok_stdout(&out)).unwrap();
    assert_eq!(v["load"]["records"], 2);
    assert_eq!(v["load"]["skipped_total"], 1);
    assert_eq!(v["load"]["skipped"][0]["line"], 3);
    assert_eq!(v["load"]["skipped"][0]["reason"], "partial_tail");
    assert_eq!(v["metrics"][0]["name"], "loss");
    assert_eq!(v["metrics"][0]["min"], 0.8);
    assert_eq!(v["metrics"][0]["last"], 0.8);
    assert_eq!(v["status"], "maybe_failed");
}

#[test]
fn inspect_takes_a_file_path() {
    let file = util::case_data("B11").join("step_backwards/restart.jsonl");
    let args = InspectArgs {
        data: DataDirArg { data_dir: None },
        run: file.to_string_lossy().into_owned(),
        json: false,
    };
    let o = inspect::run(&args.config().unwrap()).unwrap();
    assert_eq!(
        (o.project.as_str(), o.run.as_str()),
        ("step_backwards", "restart")
    );
    assert_eq!(o.load.records, 3);
    assert_eq!(o.status.as_deref(), Some("completed"));
}

#[test]
fn inspect_names_a_path_that_is_not_a_run_as_such() {
    let config = |run: &str| {
        InspectArgs {
            data: DataDirArg {
                data_dir: Some(util::case_data("B36")),
            },
            run: run.to_owned(),
            json: false,
        }
        .config()
        .unwrap_err()
        .to_string()
    };
    // These read "Invalid project name", as if a path were a misspelt project.
    for path in ["/etc/passwd", "../x", "./traversal/victim", "a/b/c"] {
        assert_eq!(
            config(path),
            format!("'{path}' is neither a <run>.jsonl file nor PROJECT/RUN")
        );
    }
    assert_eq!(
        config("/nonexistent/x.jsonl"),
        "/nonexistent/x.jsonl is not a file"
    );
    // A real name that breaks the rules still says which rule.
    assert!(config("bad name/run").starts_with("Invalid project name."));
    assert_eq!(config("traversal/nope"), "run 'traversal/nope' not found");
}
