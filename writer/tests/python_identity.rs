//! The same calls through Python Aspara 0.1.0 and through this crate give the same bytes: the
//! metrics file exactly, the run meta and project meta after blanking only what must differ (run
//! ids, wall-clock times, artifact source paths). Skipped, with a printed reason, only when
//! `import aspara` fails outside CI; in CI it must run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use aspara::{ArtifactOptions, LogOptions, Run};
use serde_json::json;
use std::path::Path;
use std::process::Command;

fn python_has_aspara() -> bool {
    Command::new("python3")
        .args(["-c", "import aspara"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Replaces the values of the listed keys (one per line in indent-2 JSON) with `"<normalised>"`.
fn normalise(text: &str, keys: &[&str]) -> String {
    text.split('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            for k in keys {
                let prefix = format!("\"{k}\": ");
                if trimmed.starts_with(&prefix) {
                    let indent = &line[..line.len() - trimmed.len()];
                    let comma = if line.ends_with(',') { "," } else { "" };
                    return format!("{indent}{prefix}\"<normalised>\"{comma}");
                }
            }
            line.to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_side(root: &Path, artifact: &Path) {
    let mut run = Run::builder("ident")
        .name("same-run")
        .data_dir(root)
        .config(json!({
            "lr": 5e-05,
            "epochs": 100.0,
            "big": 1e16,
            "tiny": 1e-07,
            "count": 3,
            "nested": {"layers": [64, 128, 2.5], "act": null, "ok": true},
            "title": "résumé 損失 \"quoted\" \\ back",
            "empty": {},
            "none": [],
        }))
        .tags(["baseline", "ünïcode", "a/b"])
        .notes("line one\nline two\n\ttabbed </script>")
        .project_tags(["cv", "demo"])
        .start()
        .unwrap();
    let o = LogOptions::new;
    run.log_with(
        [("train/loss", 2.35), ("train/acc", 0.1)],
        o().step(0).timestamp(1735689600000),
    )
    .unwrap();
    run.log_with(
        [("val/loss", 2.5)],
        o().commit(false).timestamp(1735689600500),
    )
    .unwrap();
    run.log_with([("val/acc", 0.25)], o().timestamp("2025-01-01T00:00:01"))
        .unwrap();
    run.log_with(
        [("損失", 1e-07), ("x", 100.0), ("big", 1e16), ("neg", -0.0)],
        o().step(10).timestamp(1735689610000),
    )
    .unwrap();
    run.log_with(Vec::<(&str, f64)>::new(), o().timestamp(1735689611000))
        .unwrap();
    run.log_with(
        [
            ("y", 2.3499999999999996),
            ("z", 1.7976931348623157e308),
            ("w", 5e-324),
        ],
        o().timestamp("2025-01-01T00:00:12Z"),
    )
    .unwrap();
    run.log_with(
        [("x", 0.30000000000000004)],
        o().step(3).timestamp(1735689613000),
    )
    .unwrap();
    run.set_summary("best", 0.25).unwrap();
    let summary = json!({"final": {"acc": 0.9, "tags": ["x"]}, "epochs_run": 12});
    run.update_summary(summary.as_object().unwrap().clone())
        .unwrap();
    let config = json!({"lr": 0.0001, "added": [1, 2]});
    run.update_config(config.as_object().unwrap().clone())
        .unwrap();
    run.set_tags(["baseline", "final"]).unwrap();
    run.log_artifact(
        artifact,
        ArtifactOptions {
            name: Some("config.yaml".into()),
            description: Some("the config\nsecond line".into()),
            category: Some("config".into()),
            ..Default::default()
        },
    )
    .unwrap();
    run.log_artifact(artifact, ArtifactOptions::default())
        .unwrap();
    run.log_with([("after", 1.0)], o().timestamp(1735689614000))
        .unwrap();
    run.finish(0).unwrap();
}

#[test]
fn same_calls_same_bytes_as_python_aspara() {
    if !python_has_aspara() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but `python3 -c 'import aspara'` fails: install aspara==0.1.0 (scripts/setup.sh)"
        );
        println!(
            "SKIPPED: python3 cannot import aspara (pip install aspara==0.1.0 to run this test)"
        );
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let artifact = work.path().join("params.yaml");
    std::fs::write(&artifact, "lr: 5e-05\nepochs: 100\n").unwrap();
    let py = work.path().join("py");
    let rs = work.path().join("rs");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py/identity.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&artifact)
        .env("ASPARA_DATA_DIR", &py)
        .env("ASPARA_STORAGE_BACKEND", "jsonl")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    rust_side(&rs, &artifact);

    let read = |root: &Path, rel: &str| std::fs::read_to_string(root.join(rel)).unwrap();
    let jsonl = "ident/same-run.jsonl";
    assert_eq!(read(&rs, jsonl), read(&py, jsonl), "metrics files differ");
    assert_eq!(read(&rs, jsonl).lines().count(), 7);

    let meta_keys = [
        "run_id",
        "start_time",
        "finish_time",
        "timestamp",
        "original_path",
    ];
    let (rm, pm) = (
        read(&rs, "ident/same-run.meta.json"),
        read(&py, "ident/same-run.meta.json"),
    );
    assert_eq!(
        normalise(&rm, &meta_keys),
        normalise(&pm, &meta_keys),
        "run meta differs"
    );
    assert!(!pm.ends_with('\n') && !rm.ends_with('\n'));

    let project_keys = ["created_at", "updated_at"];
    let (rp, pp) = (
        read(&rs, "ident/metadata.json"),
        read(&py, "ident/metadata.json"),
    );
    assert_eq!(
        normalise(&rp, &project_keys),
        normalise(&pp, &project_keys),
        "project meta differs"
    );

    for name in ["config.yaml", "params.yaml"] {
        let rel = format!("ident/same-run/artifacts/{name}");
        assert_eq!(read(&rs, &rel), read(&py, &rel));
    }
}
