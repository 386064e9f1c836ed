//! The writer's side of the bug-report cases (shared/cases/*/expected.md), on real files: each test
//! runs the case's API sequence in a temp data dir and checks the exact bytes or listing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod util;

use aspara::format::RunMeta;
use aspara::{ArtifactOptions, Error, LogOptions, Resume, Run};
use serde_json::{Value, json};
use std::path::Path;
use util::{copy_dir, listing, parse_lines, shared};

const T0: i64 = 1735689600000;

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn meta(p: impl AsRef<Path>) -> RunMeta {
    RunMeta::from_bytes(&std::fs::read(p).unwrap()).unwrap()
}

fn start(root: &Path, project: &str, name: &str) -> Run {
    Run::builder(project)
        .name(name)
        .data_dir(root)
        .start()
        .unwrap()
}

#[test]
fn b02_writer_roundtrip_bytes() {
    let d = tempfile::tempdir().unwrap();
    let mut run = start(d.path(), "bare_tokens", "roundtrip");
    for (step, v) in [(0u64, f64::NAN), (1, 0.9), (2, f64::NEG_INFINITY)] {
        run.log_with(
            [("acc", v)],
            LogOptions::new()
                .step(step)
                .timestamp(T0 + 1000 * step as i64),
        )
        .unwrap();
    }
    run.finish(0).unwrap();
    let text = read(d.path().join("bare_tokens/roundtrip.jsonl"));
    assert_eq!(
        text,
        "{\"timestamp\": 1735689600000, \"step\": 0, \"metrics\": {\"acc\": null}}\n\
         {\"timestamp\": 1735689601000, \"step\": 1, \"metrics\": {\"acc\": 0.9}}\n\
         {\"timestamp\": 1735689602000, \"step\": 2, \"metrics\": {\"acc\": null}}\n"
    );
    assert_eq!(parse_lines(&text).unwrap().len(), 3);
    assert!(!text.contains("NaN") && !text.contains("Infinity"));
}

fn round6(v: f64) -> f64 {
    // Python's round(v, 6): correctly rounded decimal, read back as the nearest double.
    format!("{v:.6}").parse().unwrap()
}

#[test]
fn b12_resume_keeps_explicit_steps() {
    let d = tempfile::tempdir().unwrap();
    let mut run = start(d.path(), "resume", "demo");
    let first = run.meta().clone();
    for s in 0..=15u64 {
        let v = if s < 10 {
            1.0 - 0.01 * s as f64
        } else {
            1.05 - 0.01 * s as f64
        };
        run.log_with(
            [("loss", round6(v))],
            LogOptions::new().step(s).timestamp(T0 + 1000 * s as i64),
        )
        .unwrap();
    }
    // The process "crashes": everything written, no finish, the meta stays wip.
    run.flush().unwrap();
    std::mem::forget(run);
    let crashed = meta(d.path().join("resume/demo.meta.json"));
    assert_eq!(
        (crashed.status.as_str(), crashed.is_finished),
        ("wip", false)
    );

    let mut run = Run::builder("resume")
        .name("demo")
        .data_dir(d.path())
        .resume(Resume::Allow)
        .start()
        .unwrap();
    assert_eq!(run.step(), 16, "the implicit step continues at max(step)+1");
    for s in 10..=99u64 {
        run.log_with(
            [("loss", round6(1.0 - 0.01 * s as f64))],
            LogOptions::new()
                .step(s)
                .timestamp(T0 + 3_600_000 + 1000 * (s as i64 - 10)),
        )
        .unwrap();
    }
    assert_eq!(run.step(), 100);
    run.finish(0).unwrap();
    let got = read(d.path().join("resume/demo.jsonl"));
    let expected = read(shared(
        "cases/B12-resume-explicit-step/data/resume/demo.jsonl",
    ));
    assert_eq!(got.lines().count(), 106);
    assert_eq!(got, expected);
    let m = meta(d.path().join("resume/demo.meta.json"));
    assert_eq!(m.run_id, first.run_id);
    assert_eq!(m.start_time, first.start_time);
    assert_eq!(
        (m.is_finished, m.exit_code, m.status.as_str()),
        (true, Some(0), "completed")
    );
    assert!(m.finish_time.unwrap() >= m.start_time.unwrap());
}

#[test]
fn b12_variant_implicit_step_after_resume() {
    let d = tempfile::tempdir().unwrap();
    let mut run = start(d.path(), "resume", "demo");
    run.log([("loss", 1.0)], Some(99)).unwrap();
    run.finish(0).unwrap();
    let mut run = Run::builder("resume")
        .name("demo")
        .data_dir(d.path())
        .resume(Resume::Must)
        .start()
        .unwrap();
    run.log_with([("loss", 0.5)], LogOptions::new().timestamp(T0))
        .unwrap();
    run.finish(0).unwrap();
    let text = read(d.path().join("resume/demo.jsonl"));
    assert!(text.ends_with(
        "{\"timestamp\": 1735689600000, \"step\": 100, \"metrics\": {\"loss\": 0.5}}\n"
    ));
}

#[test]
fn b14_writer_refuses_bad_steps_and_keeps_big_ones_exact() {
    let d = tempfile::tempdir().unwrap();
    let mut run = start(d.path(), "bad_steps", "steps");
    for bad in [json!(-1), json!(1.5), json!("7")] {
        let e = run
            .log_record_json(&json!({"metrics": {"loss": 0.3}, "step": bad}))
            .unwrap_err();
        assert!(matches!(e, Error::InvalidStep(_)), "{e}");
    }
    run.log_with(
        [("loss", 0.1)],
        LogOptions::new().step(3_000_000_000).timestamp(T0),
    )
    .unwrap();
    run.log_with(
        [("loss", 0.2)],
        LogOptions::new()
            .step(9_007_199_254_740_993)
            .timestamp(T0 + 1000),
    )
    .unwrap();
    run.finish(0).unwrap();
    assert_eq!(
        read(d.path().join("bad_steps/steps.jsonl")),
        "{\"timestamp\": 1735689600000, \"step\": 3000000000, \"metrics\": {\"loss\": 0.1}}\n\
         {\"timestamp\": 1735689601000, \"step\": 9007199254740993, \"metrics\": {\"loss\": 0.2}}\n"
    );
}

#[test]
fn b16_tiny_values_round_trip_bit_exact() {
    let d = tempfile::tempdir().unwrap();
    let mut run = start(d.path(), "tiny_values", "lr");
    run.log_with([("lr", 1e-7)], LogOptions::new().timestamp(T0))
        .unwrap();
    run.log_with([("lr", 5e-324)], LogOptions::new().timestamp(T0 + 1000))
        .unwrap();
    run.finish(0).unwrap();
    let text = read(d.path().join("tiny_values/lr.jsonl"));
    assert_eq!(
        text,
        "{\"timestamp\": 1735689600000, \"step\": 0, \"metrics\": {\"lr\": 1e-07}}\n\
         {\"timestamp\": 1735689601000, \"step\": 1, \"metrics\": {\"lr\": 5e-324}}\n"
    );
    let lines = parse_lines(&text).unwrap();
    assert_eq!(
        lines[0]["metrics"]["lr"].as_f64().unwrap().to_bits(),
        0x3E7A_D7F2_9ABC_AF48
    );
    assert_eq!(lines[1]["metrics"]["lr"].as_f64().unwrap().to_bits(), 1);
}

#[test]
fn b17_writer_floats_keep_the_point_zero() {
    let d = tempfile::tempdir().unwrap();
    let mut run = start(d.path(), "types", "int-then-float");
    for s in 0..150u64 {
        run.log_with(
            [("n", 0.0)],
            LogOptions::new().timestamp(T0 + 1000 * s as i64),
        )
        .unwrap();
    }
    run.log_with([("n", 0.5), ("acc", 1.0)], LogOptions::new().timestamp(T0))
        .unwrap();
    run.finish(0).unwrap();
    let text = read(d.path().join("types/int-then-float.jsonl"));
    assert!(
        text.starts_with(
            "{\"timestamp\": 1735689600000, \"step\": 0, \"metrics\": {\"n\": 0.0}}\n"
        )
    );
    assert!(text.ends_with(
        "{\"timestamp\": 1735689600000, \"step\": 150, \"metrics\": {\"n\": 0.5, \"acc\": 1.0}}\n"
    ));
    assert_eq!(text.lines().count(), 151);
}

#[test]
fn b18_writer_sequence_leaves_one_line() {
    let d = tempfile::tempdir().unwrap();
    let mut run = start(d.path(), "non_numeric", "api");
    let unsupported = "Unsupported value type for 'acc': <class 'str'>. Currently only int and float are supported.";
    let e = run
        .log_json(&json!({"acc": "high"}), LogOptions::new())
        .unwrap_err();
    assert_eq!(e.to_string(), unsupported);
    let e = run
        .log_json(&json!({"acc": "high", "loss": 0.3}), LogOptions::new())
        .unwrap_err();
    assert_eq!(e.to_string(), unsupported);
    let e = run
        .log_json(&json!({"acc": "NaN"}), LogOptions::new())
        .unwrap_err();
    assert_eq!(e.to_string(), unsupported);
    let e = run
        .log_json(&json!({"": 1.0}), LogOptions::new())
        .unwrap_err();
    assert_eq!(e.to_string(), "Metric name cannot be empty");
    let e = run.log([("", 1.0)], None).unwrap_err();
    assert_eq!(e.to_string(), "Metric name cannot be empty");
    run.log([("acc", 0.7)], None).unwrap();
    run.finish(0).unwrap();
    let text = read(d.path().join("non_numeric/api.jsonl"));
    let lines = parse_lines(&text).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["step"], json!(0));
    assert_eq!(lines[0]["metrics"], json!({"acc": 0.7}));
    let ts = lines[0]["timestamp"].as_i64().unwrap();
    assert!(ts > T0, "a wall-clock timestamp");
    assert_eq!(
        text,
        format!("{{\"timestamp\": {ts}, \"step\": 0, \"metrics\": {{\"acc\": 0.7}}}}\n")
    );
}

#[test]
fn b20_resume_of_a_meta_only_run_starts_at_zero() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&shared("cases/B20-empty-or-missing-metrics/data"), d.path());
    let jsonl = d.path().join("empty_runs/run-b.jsonl");
    assert!(!jsonl.exists());
    let mut run = Run::builder("empty_runs")
        .name("run-b")
        .data_dir(d.path())
        .resume(Resume::Allow)
        .start()
        .unwrap();
    assert_eq!(
        read(&jsonl),
        "",
        "an empty metrics file exists right after init"
    );
    assert_eq!(run.step(), 0);
    run.log([("loss", 1.0)], None).unwrap();
    run.finish(0).unwrap();
    let lines = parse_lines(&read(&jsonl)).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["step"], json!(0));
    assert_eq!(lines[0]["metrics"], json!({"loss": 1.0}));
    let m = meta(d.path().join("empty_runs/run-b.meta.json"));
    assert_eq!(m.start_time, Some(1735689600000));
    assert_eq!(m.run_id, "81da6f5f791b1d7b");
    assert_eq!(m.tags, ["created-by-tracker"]);
    assert_eq!((m.status.as_str(), m.exit_code), ("completed", Some(0)));
    // Resume::Never on an existing run is refused, and Must on a missing one.
    let e = Run::builder("empty_runs")
        .name("run-a")
        .data_dir(d.path())
        .start()
        .unwrap_err();
    assert!(matches!(e, Error::RunExists { .. }), "{e}");
    let e = Run::builder("empty_runs")
        .name("run-z")
        .data_dir(d.path())
        .resume(Resume::Must)
        .start()
        .unwrap_err();
    assert!(matches!(e, Error::RunNotFound { .. }), "{e}");
    assert!(!d.path().join("empty_runs/run-z.jsonl").exists());
}

#[test]
fn b21_reopen_repairs_the_partial_tail_then_appends() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&shared("cases/B21-partial-last-line/data"), d.path());
    let mut run = Run::builder("partial_line")
        .name("killed")
        .data_dir(d.path())
        .resume(Resume::Allow)
        .start()
        .unwrap();
    // The partial line is cut before any append; the highest complete step is 1.
    assert_eq!(run.step(), 2);
    run.log_with(
        [("loss", 0.7)],
        LogOptions::new().step(2).timestamp(1735689603000),
    )
    .unwrap();
    run.finish(0).unwrap();
    let text = read(d.path().join("partial_line/killed.jsonl"));
    assert_eq!(
        text,
        "{\"timestamp\": 1735689600000, \"step\": 0, \"metrics\": {\"loss\": 0.9}}\n\
         {\"timestamp\": 1735689601000, \"step\": 1, \"metrics\": {\"loss\": 0.8}}\n\
         {\"timestamp\": 1735689603000, \"step\": 2, \"metrics\": {\"loss\": 0.7}}\n"
    );
    assert!(!text.contains("\"lo{\"timestamp\""));
    let m = meta(d.path().join("partial_line/killed.meta.json"));
    assert_eq!(m.start_time, Some(1735689599000));
    assert_eq!(m.status, "completed");
}

#[test]
fn b35_script_run_name_is_refused_and_nothing_is_created() {
    let d = tempfile::tempdir().unwrap();
    let e = Run::builder("xss")
        .name("<script>alert(1)</script>")
        .data_dir(d.path())
        .start()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Invalid run name. Only alphanumeric characters, underscores, and hyphens are allowed."
    );
    assert_eq!(listing(d.path()), Vec::<String>::new());
}

#[test]
fn b36_traversal_sequence_leaves_only_the_victim() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let f = outside.path().join("source.txt");
    std::fs::write(&f, "payload\n").unwrap();
    std::fs::write(outside.path().join("model.pt"), "weights").unwrap();
    let project_msg =
        "Invalid project name. Only alphanumeric characters, underscores, and hyphens are allowed.";
    let run_msg =
        "Invalid run name. Only alphanumeric characters, underscores, and hyphens are allowed.";
    for (project, name, msg) in [
        ("../evil", "ok", project_msg),
        ("ok", "a/b", run_msg),
        ("ok", "..", run_msg),
        ("/etc", "x", project_msg),
        ("ok", "a\\b", run_msg),
        ("ok", "x\u{0}y", run_msg),
        ("", "x", project_msg),
    ] {
        let e = Run::builder(project)
            .name(name)
            .data_dir(root.path())
            .start()
            .unwrap_err();
        assert_eq!(e.to_string(), msg, "{project:?}/{name:?}");
    }
    assert_eq!(
        listing(root.path()),
        Vec::<String>::new(),
        "names are checked before anything is created"
    );

    let mut run = start(root.path(), "traversal", "victim");
    let named = |n: &str| ArtifactOptions {
        name: Some(n.to_owned()),
        ..Default::default()
    };
    for (name, msg) in [
        (
            "../../outside.txt",
            Some("Invalid artifact name: cannot start with '..'"),
        ),
        ("a/b.txt", None),
        ("/etc/passwd", None),
        ("..", Some("Invalid artifact name: cannot be '..'")),
        (".", Some("Invalid artifact name: cannot be '.'")),
        (
            "..hidden",
            Some("Invalid artifact name: cannot start with '..'"),
        ),
    ] {
        let e = run.log_artifact(&f, named(name)).unwrap_err();
        assert!(matches!(e, Error::Name(_)), "{name}: {e}");
        if let Some(msg) = msg {
            assert_eq!(e.to_string(), msg);
        }
    }
    let long = "x".repeat(256);
    assert_eq!(
        run.log_artifact(&f, named(&long)).unwrap_err().to_string(),
        "Invalid artifact name: exceeds maximum length of 255 characters"
    );
    assert!(
        !root.path().join("traversal/victim").exists(),
        "nothing touched the disk yet"
    );
    run.log_artifact(&f, named(&"x".repeat(255))).unwrap();
    run.log_artifact(&f, named("ok.txt")).unwrap();
    run.log_artifact(outside.path().join("model.pt"), ArtifactOptions::default())
        .unwrap();
    run.finish(0).unwrap();
    let x255 = "x".repeat(255);
    let mut expected = vec![
        ".aspara-index.lock".to_owned(),
        "aspara-index.json".to_owned(),
        "traversal/".to_owned(),
        "traversal/victim.jsonl".to_owned(),
        "traversal/victim.meta.json".to_owned(),
        "traversal/victim/".to_owned(),
        "traversal/victim/artifacts/".to_owned(),
        "traversal/victim/artifacts/model.pt".to_owned(),
        "traversal/victim/artifacts/ok.txt".to_owned(),
        format!("traversal/victim/artifacts/{x255}"),
    ];
    expected.sort();
    assert_eq!(listing(root.path()), expected);
    assert_eq!(read(root.path().join("traversal/victim.jsonl")), "");
    assert_eq!(
        read(root.path().join("traversal/victim/artifacts/ok.txt")),
        "payload\n"
    );
    let m = meta(root.path().join("traversal/victim.meta.json"));
    let names: Vec<&str> = m.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, [x255.as_str(), "ok.txt", "model.pt"]);
    assert_eq!(m.artifacts[2].stored_path, "artifacts/model.pt");
    assert_eq!(m.artifacts[2].file_size, 7);
    assert_eq!(
        m.artifacts[2].original_path,
        outside.path().join("model.pt").to_string_lossy()
    );
    assert!(
        outside.path().read_dir().unwrap().count() == 2,
        "nothing was written outside ROOT"
    );
}

#[cfg(unix)]
#[test]
fn symlinked_project_leading_out_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), root.path().join("proj")).unwrap();
    let e = Run::builder("proj")
        .name("r")
        .data_dir(root.path())
        .start()
        .unwrap_err();
    assert!(matches!(e, Error::UnsafePath(_)), "{e}");
    assert_eq!(outside.path().read_dir().unwrap().count(), 0);
}

#[test]
fn files_and_modes_at_init() {
    let d = tempfile::tempdir().unwrap();
    let run = Run::builder("p")
        .name("r")
        .data_dir(d.path())
        .project_tags(["dog", "cat"])
        .start()
        .unwrap();
    let l = aspara::layout::Layout::new(d.path());
    assert_eq!(read(l.metrics("p", "r")), "");
    let m = meta(l.run_meta("p", "r"));
    assert_eq!(m.run_id.len(), 16);
    assert!(
        m.run_id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(m.status, "wip");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&l.metrics("p", "r")), 0o644);
        assert_eq!(mode(&l.run_meta("p", "r")), 0o600);
        assert_eq!(mode(&l.project_meta("p")), 0o600);
    }
    drop(run);
    // Project tags merge: existing first, no duplicates, created_at kept.
    let (p1, _) =
        aspara::format::ProjectMeta::from_bytes_lossy(&std::fs::read(l.project_meta("p")).unwrap());
    std::thread::sleep(std::time::Duration::from_millis(5));
    let run = Run::builder("p")
        .name("r2")
        .data_dir(d.path())
        .project_tags(["cat", "rabbit"])
        .start()
        .unwrap();
    drop(run);
    let (p2, _) =
        aspara::format::ProjectMeta::from_bytes_lossy(&std::fs::read(l.project_meta("p")).unwrap());
    assert_eq!(p2.tags, ["dog", "cat", "rabbit"]);
    assert_eq!(p2.created_at, p1.created_at);
    assert_ne!(p2.updated_at, p1.updated_at);
    // The manifest lists both runs, finished by drop.
    let m = aspara::index::read_manifest(d.path()).unwrap();
    let p = m.project("p").unwrap();
    assert_eq!(p.tags, ["dog", "cat", "rabbit"]);
    let runs: Vec<(&str, &str)> = p
        .runs
        .iter()
        .map(|r| (r.name.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(runs, [("r", "completed"), ("r2", "completed")]);
}

#[test]
fn drop_finishes_the_run_failed_when_panicking() {
    let d = tempfile::tempdir().unwrap();
    {
        let mut run = start(d.path(), "p", "calm");
        run.log([("loss", 1.0)], None).unwrap();
    }
    let m = meta(d.path().join("p/calm.meta.json"));
    assert_eq!(
        (m.is_finished, m.exit_code, m.status.as_str()),
        (true, Some(0), "completed")
    );

    let root = d.path().to_path_buf();
    let result = std::panic::catch_unwind(move || {
        let mut run = start(&root, "p", "boom");
        run.log([("loss", 1.0)], None).unwrap();
        panic!("training diverged");
    });
    assert!(result.is_err());
    let m = meta(d.path().join("p/boom.meta.json"));
    assert_eq!(
        (m.is_finished, m.exit_code, m.status.as_str()),
        (true, Some(1), "failed")
    );
    assert!(m.finish_time.is_some());
    assert_eq!(
        read(d.path().join("p/boom.jsonl")).lines().count(),
        1,
        "the logged line was kept"
    );
}

#[test]
fn metadata_changes_are_written_and_listed() {
    let d = tempfile::tempdir().unwrap();
    let mut run = Run::builder("p")
        .name("r")
        .data_dir(d.path())
        .config(json!({"lr": 0.1}))
        .tags(["a"])
        .notes("first")
        .start()
        .unwrap();
    let mut c = serde_json::Map::new();
    c.insert("bs".into(), json!(8));
    run.update_config(c).unwrap();
    run.set_summary("best", 0.25).unwrap();
    run.set_tags(["b", "c"]).unwrap();
    run.set_notes("line 1\nline 2").unwrap();
    run.log([("loss", 0.5)], None).unwrap();
    run.flush().unwrap();
    let m = meta(d.path().join("p/r.meta.json"));
    assert_eq!(Value::Object(m.config), json!({"lr": 0.1, "bs": 8}));
    assert_eq!(Value::Object(m.summary), json!({"best": 0.25}));
    assert_eq!(m.tags, ["b", "c"]);
    assert_eq!(m.notes, "line 1\nline 2");
    run.finish(2).unwrap();
    let man = aspara::index::read_manifest(d.path()).unwrap();
    let e = &man.project("p").unwrap().runs[0];
    assert_eq!(e.metrics, ["loss"]);
    assert_eq!((e.status.as_str(), e.exit_code), ("failed", Some(2)));
    assert_eq!(e.tags, ["b", "c"]);
    assert_eq!(
        e.jsonl.unwrap().size,
        std::fs::metadata(d.path().join("p/r.jsonl")).unwrap().len()
    );
}

#[test]
fn per_record_durability_writes_every_line() {
    let d = tempfile::tempdir().unwrap();
    let mut run = Run::builder("p")
        .name("r")
        .data_dir(d.path())
        .durability(aspara::Durability::PerRecord)
        .start()
        .unwrap();
    for i in 0..50 {
        run.log([("x", i as f64)], None).unwrap();
    }
    run.flush().unwrap();
    let lines = parse_lines(&read(d.path().join("p/r.jsonl"))).unwrap();
    assert_eq!(lines.len(), 50);
    assert_eq!(lines[49]["metrics"]["x"], json!(49.0));
    run.finish(0).unwrap();
}

/// Child entry: starts a run in whatever data dir the environment selects.
#[test]
#[ignore = "helper process entry, run by data_dir_comes_from_the_environment"]
fn child_env_data_dir() {
    if std::env::var_os(util::CHILD_ENV).is_none() {
        return;
    }
    match Run::builder("envp").name("r").start() {
        Ok(mut run) => {
            println!("@@ ok {}", run.data_dir().unwrap().display());
            run.finish(0).unwrap();
        }
        Err(e) => println!("@@ err {e}"),
    }
}

#[test]
fn data_dir_comes_from_the_environment() {
    let d = tempfile::tempdir().unwrap();
    let run_child = |envs: &[(&str, &str)]| {
        let mut all = vec![(util::CHILD_ENV, "1")];
        all.extend_from_slice(envs);
        let out = util::spawn_child("child_env_data_dir", &all)
            .wait_with_output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        util::child_lines(&String::from_utf8_lossy(&out.stdout))
    };
    let dir = d.path().to_str().unwrap();
    let lines = run_child(&[("ASPARA_DATA_DIR", dir)]);
    assert_eq!(
        lines,
        [format!(
            "ok {}",
            std::fs::canonicalize(d.path()).unwrap().display()
        )]
    );
    assert!(d.path().join("envp/r.jsonl").exists());
    let xdg = d.path().join("xdg");
    let lines = run_child(&[
        ("ASPARA_DATA_DIR", ""),
        ("XDG_DATA_HOME", xdg.to_str().unwrap()),
    ]);
    assert_eq!(
        lines,
        [format!(
            "ok {}",
            std::fs::canonicalize(d.path())
                .unwrap()
                .join("xdg/aspara")
                .display()
        )]
    );
    let lines = run_child(&[("ASPARA_DATA_DIR", "/etc")]);
    assert_eq!(
        lines,
        ["err Refusing to use /etc as the data directory: it is a system directory"]
    );
}
