//! The reader on a real data directory written by Python Aspara 0.1.0
//! (`shared/fixtures/aspara-py-0.1.0/`, FORMAT.md §7): every run loads with its values and status.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a panic is the failure report"
)]

use aspara::format::meta::MAYBE_FAILED_AFTER_MS;
use aspara::format::reader::{RunData, ValueKind, read_metrics};
use aspara::format::{RunMeta, Status};
use std::path::PathBuf;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/aspara-py-0.1.0")
        .join(rel)
}

fn run(project: &str, name: &str) -> (RunData, RunMeta) {
    let data = read_metrics(&std::fs::read(fixture(&format!("{project}/{name}.jsonl"))).unwrap());
    let (meta, err) = RunMeta::from_bytes_lossy(
        &std::fs::read(fixture(&format!("{project}/{name}.meta.json"))).unwrap(),
    );
    assert!(err.is_none(), "{name}: {err:?}");
    (data, meta)
}

/// Every value of a metric in file order, parsed independently of the reader (no NaN in these).
fn column_by_hand(project: &str, name: &str, metric: &str) -> Vec<(u64, f64)> {
    let text = std::fs::read_to_string(fixture(&format!("{project}/{name}.jsonl"))).unwrap();
    text.lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            Some((v["step"].as_u64()?, v["metrics"].get(metric)?.as_f64()?))
        })
        .collect()
}

const ALL: [(&str, &str); 6] = [
    ("vision-demo", "resnet-baseline"),
    ("vision-demo", "resnet-lr-high"),
    ("vision-demo", "brave-dolphin-997"),
    ("nlp_demo", "bert-small"),
    ("nlp_demo", "bert-large"),
    ("nlp_demo", "distil-sweep"),
];

#[test]
fn every_run_loads_200_steps_of_3_metrics() {
    for (project, name) in ALL {
        let (data, _) = run(project, name);
        assert_eq!(data.report.skipped_total, 0, "{name}");
        assert_eq!(data.report.invalid_values, 0, "{name}");
        let lines = if name == "brave-dolphin-997" {
            400
        } else {
            200
        };
        assert_eq!(data.report.records, lines, "{name}");
        assert_eq!(data.metrics.len(), 3, "{name}");
        for m in &data.metrics {
            let s = m.summary();
            assert_eq!(
                (s.points, s.superseded, s.non_monotonic),
                (200, 0, 0),
                "{name} {}",
                m.name
            );
        }
    }
}

#[test]
fn resnet_baseline_values_and_status() {
    let (data, meta) = run("vision-demo", "resnet-baseline");
    assert_eq!(
        data.metric_names().collect::<Vec<_>>(),
        ["train/acc", "train/loss", "val/loss"]
    );
    let loss = data.metric("train/loss").unwrap();
    assert_eq!(loss.steps, (0..200).collect::<Vec<u64>>());
    assert_eq!(
        loss.values[..3],
        [2.3499999999999996, 2.3157574610870437, 2.2820247271615686]
    );
    assert_eq!(loss.timestamps[0], Some(1_796_306_859_423));
    assert_eq!(
        data.metric("train/acc").unwrap().values[1],
        0.11683112768925805
    );
    assert_eq!(data.metric("val/loss").unwrap().values[0], 2.52);
    // Every value equals what an independent strict parser reads.
    for metric in ["train/loss", "train/acc", "val/loss"] {
        let want = column_by_hand("vision-demo", "resnet-baseline", metric);
        let col = data.metric(metric).unwrap();
        let got: Vec<(u64, f64)> = col
            .steps
            .iter()
            .copied()
            .zip(col.values.iter().copied())
            .collect();
        assert_eq!(got, want, "{metric}");
    }
    let s = loss.summary();
    assert_eq!(s.last, Some(0.1662408581630098));
    assert_eq!(s.last_step, Some(199));
    assert_eq!(s.max, Some(2.3499999999999996));
    assert_eq!(
        meta.status(meta.finish_time.unwrap() + 10 * MAYBE_FAILED_AFTER_MS),
        Status::Completed
    );
}

#[test]
fn resnet_lr_high_nan_tail() {
    let (data, meta) = run("vision-demo", "resnet-lr-high");
    let loss = data.metric("train/loss").unwrap();
    let series = loss.series();
    for (i, step) in series.steps.iter().enumerate() {
        let want = if *step >= 150 {
            ValueKind::Nan
        } else {
            ValueKind::Finite
        };
        assert_eq!(series.kinds[i], want, "step {step}");
    }
    let s = loss.summary();
    assert_eq!((s.nan, s.finite, s.points), (50, 150, 200));
    // min/max/last come from the finite points (steps 0..149); the loss falls over time.
    assert_eq!(s.max, Some(2.5999999999999996));
    assert_eq!(s.min, Some(loss.values[149]));
    assert_eq!((s.last, s.last_step), (Some(loss.values[149]), Some(149)));
    assert!(s.min.unwrap() < 1.5 && s.min.unwrap() > 1.3);
    let acc = data.metric("train/acc").unwrap().summary();
    assert_eq!((acc.nan, acc.last), (0, Some(0.39849999999999997)));
    assert_eq!(data.metric("val/loss").unwrap().summary().last, Some(1.505));
    assert_eq!(meta.status(i64::MAX), Status::Failed);
}

#[test]
fn brave_dolphin_split_lines_merge_by_step() {
    let (data, meta) = run("vision-demo", "brave-dolphin-997");
    assert_eq!(data.report.records, 400);
    for m in &data.metrics {
        assert_eq!(m.steps, (0..200).collect::<Vec<u64>>(), "{}", m.name);
        assert_eq!(m.non_monotonic(), 0);
    }
    let train = data.metric("train/loss").unwrap();
    let val = data.metric("val/loss").unwrap();
    // train/* come from odd lines, val/loss from even ones.
    assert_eq!((train.lines[0], val.lines[0], val.lines[199]), (1, 2, 400));
    assert_eq!((train.values[0], val.values[0]), (2.0, 2.2));
    assert_eq!(data.metric("train/acc").unwrap().values[0], 0.2);
    assert_eq!(val.summary().last, Some(0.6496198552071948));
    assert_eq!(meta.tags, ["auto-name"]);
    assert_eq!(meta.status(i64::MAX), Status::Completed);
}

#[test]
fn distil_sweep_sparse_steps_and_int_metric() {
    let (data, _) = run("nlp_demo", "distil-sweep");
    let tokens = data.metric("tokens_seen").unwrap();
    assert_eq!(tokens.steps, (0..200).map(|i| i * 5).collect::<Vec<u64>>());
    for (step, v) in tokens.steps.iter().zip(&tokens.values) {
        assert_eq!(*v, (*step * 4096) as f64);
    }
    assert!(!tokens.is_bool);
    let s = tokens.summary();
    assert_eq!(
        (s.min, s.max, s.last, s.last_step),
        (Some(0.0), Some(4_075_520.0), Some(4_075_520.0), Some(995))
    );
    assert_eq!(data.metric("lr").unwrap().values[0], 3e-05);
    assert_eq!(
        data.metric("loss").unwrap().summary().last,
        Some(0.7636804197603383)
    );
}

#[test]
fn bert_small_fixed_timestamps() {
    let (data, meta) = run("nlp_demo", "bert-small");
    for m in &data.metrics {
        for (i, ts) in m.timestamps.iter().enumerate() {
            assert_eq!(
                *ts,
                Some(1_735_689_600_000 + 1000 * i as i64),
                "{} #{i}",
                m.name
            );
        }
    }
    let lr = data.metric("lr").unwrap();
    assert_eq!(lr.values[0], 5e-05);
    assert_eq!(lr.values[199], 2.5000000000000025e-07);
    assert_eq!(data.metric("ppl").unwrap().values[0], 29.96410004739701);
    assert_eq!(meta.notes, "Small BERT, fixed timestamps.");
    assert_eq!(meta.status(i64::MAX), Status::Completed);
}

#[test]
fn bert_large_unfinished_becomes_maybe_failed_after_an_hour() {
    let (data, meta) = run("nlp_demo", "bert-large");
    assert_eq!(data.report.records, 200);
    assert_eq!(data.metric("loss").unwrap().values[0], 3.7);
    let start = meta.start_time.unwrap();
    assert_eq!(start, 1_796_306_863_240);
    assert_eq!(meta.status(start + 1000), Status::Wip);
    assert_eq!(meta.status(start + MAYBE_FAILED_AFTER_MS), Status::Wip);
    assert_eq!(
        meta.status(start + MAYBE_FAILED_AFTER_MS + 1),
        Status::MaybeFailed
    );
}

/// A line as the Python Aspara 0.1.0 tracker stores it (reference §2.2, observed): ISO timestamp in
/// the server's naive local time, `run`/`project` envelope keys, and a queued NaN that became `null`.
#[test]
fn tracker_written_lines_load() {
    let text = concat!(
        r#"{"timestamp": "2026-12-03T14:09:13.319840", "step": 0, "metrics": {"loss": 1.0, "acc": 0.0}, "run": null, "project": null}"#,
        "\n",
        r#"{"timestamp": "2023-11-14T22:13:20Z", "step": null, "metrics": {"loss": 0.5}, "run": null, "project": null}"#,
        "\n",
        r#"{"timestamp": "2026-12-03T14:09:14.000000", "step": 1, "metrics": {"loss": null, "acc": 0.5}, "run": "r", "project": "p"}"#,
        "\n",
    );
    let r = read_metrics(text.as_bytes());
    assert_eq!((r.report.records, r.report.skipped_total), (2, 1));
    assert_eq!(r.report.skipped[0].line, 2);
    assert_eq!(
        r.report.skipped[0].reason.to_string(),
        "step is missing or null"
    );
    assert_eq!(r.metric_names().collect::<Vec<_>>(), ["acc", "loss"]);
    let loss = r.metric("loss").unwrap();
    assert_eq!(
        loss.timestamps,
        [Some(1_796_306_953_319), Some(1_796_306_954_000)]
    );
    assert_eq!(loss.kind(1), ValueKind::NonFiniteUnknown);
    assert_eq!(r.metric("acc").unwrap().values, [0.0, 0.5]);
}

/// Python Aspara 0.1.0 (installed by `scripts/setup.sh`) writes a run with everything its writer can
/// produce that strict JSON readers choke on; our reader loads all of it with the logged values.
#[test]
fn python_aspara_0_1_0_output_loads() {
    let dir = tempfile::tempdir().unwrap();
    let script = r#"
import aspara
aspara.init(project="compat", name="py")
aspara.log({"loss": 0.5, "\u640d\u5931": 1.25, "flag": True, "n": 3}, step=0, timestamp="2024-01-01T12:00:00")
aspara.log({"loss": float("nan"), "up": float("inf"), "down": float("-inf")})
aspara.log({"a": 0.1}, commit=False)
aspara.log({"b": 5e-324})
aspara.log({"big": 1e308, "i": 123456789012345678901234}, step=10)
aspara.finish()
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .env("ASPARA_DATA_DIR", dir.path())
        .output()
        .expect("python3 runs (scripts/setup.sh installs Python Aspara 0.1.0)");
    assert!(
        out.status.success(),
        "Python Aspara 0.1.0 failed (run scripts/setup.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(dir.path().join("compat/py.jsonl")).unwrap();
    // What Python wrote, which strict JSON cannot read: bare tokens, ints, bools, \u escapes.
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains("NaN") && text.contains("-Infinity") && text.contains("\\u640d\\u5931"));
    let r = read_metrics(&bytes);
    assert_eq!((r.report.records, r.report.skipped_total), (5, 0));
    let loss = r.metric("loss").unwrap();
    assert_eq!(loss.steps, [0, 1]);
    assert_eq!(loss.timestamps[0], Some(1_704_110_400_000));
    assert_eq!(
        (loss.kind(0), loss.kind(1)),
        (ValueKind::Finite, ValueKind::Nan)
    );
    assert_eq!(r.metric("損失").unwrap().values, [1.25]);
    let flag = r.metric("flag").unwrap();
    assert!(flag.is_bool && flag.values == [1.0]);
    assert_eq!(r.metric("n").unwrap().values, [3.0]);
    assert_eq!(r.metric("up").unwrap().kind(0), ValueKind::PosInf);
    assert_eq!(r.metric("down").unwrap().kind(0), ValueKind::NegInf);
    // commit=False: both halves of step 2 on their own lines, merged by step.
    assert_eq!(r.metric("a").unwrap().steps, [2]);
    let b = r.metric("b").unwrap();
    assert_eq!((b.steps[0], b.values[0].to_bits()), (2, 1));
    assert_eq!(r.metric("big").unwrap().values, [1e308]);
    assert_eq!(r.metric("i").unwrap().values, [1.2345678901234569e23]);
    let (meta, err) =
        RunMeta::from_bytes_lossy(&std::fs::read(dir.path().join("compat/py.meta.json")).unwrap());
    assert!(err.is_none());
    assert_eq!(meta.status(i64::MAX), Status::Completed);
}
