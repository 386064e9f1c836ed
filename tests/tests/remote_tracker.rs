//! Remote mode end to end: our tracker process against our writer, Python Aspara 0.1.0's
//! `RemoteRun` against our tracker, our writer against Python Aspara's tracker, a tracker killed and
//! restarted mid-run, eight concurrent client processes, the offline queue and `aspara sync`, and
//! the tracker's refusals (401, 400, 403, 409, 413).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failed unwrap is a failed test
use aspara::format::RunMeta;
use aspara::format::reader::read_metrics;
use aspara_e2e::remote::{
    Tracker, aspara_bin, free_port, python_aspara, records, start_ours, start_python,
};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn meta(data: &Path, project: &str, run: &str) -> RunMeta {
    let bytes = std::fs::read(data.join(project).join(format!("{run}.meta.json"))).unwrap();
    RunMeta::from_bytes(&bytes).unwrap()
}

fn post(
    uri: &str,
    path: &str,
    token: Option<&str>,
    xrw: bool,
    body: &[u8],
) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent
        .post(format!("{uri}{path}"))
        .content_type("application/json");
    if xrw {
        req = req.header("X-Requested-With", "XMLHttpRequest");
    }
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut resp = req.send(body).unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// Checks that metric `name` of a run has exactly the steps `0..n`, once each.
fn assert_steps_once(data: &Path, project: &str, run: &str, name: &str, n: u64) {
    let bytes = std::fs::read(data.join(project).join(format!("{run}.jsonl"))).unwrap();
    let rd = read_metrics(&bytes);
    let col = rd
        .metric(name)
        .unwrap_or_else(|| panic!("{project}/{run} has no {name}"));
    let mut steps = col.steps.clone();
    steps.sort_unstable();
    let want: Vec<u64> = (0..n).collect();
    assert_eq!(steps.len(), want.len(), "{project}/{run}: record count");
    assert_eq!(steps, want, "{project}/{run}: every step exactly once");
    assert!(rd.report.is_clean(), "{:?}", rd.report);
}

#[test]
fn remote_api_refusals_401_400_403_409_413() {
    let d = tempfile::tempdir().unwrap();
    let port = free_port();
    let t = start_ours(
        d.path(),
        port,
        &["--token", "s3cret", "--max-body-mib", "1"],
    );
    let uri = t.uri();
    let create = br#"{"name": "r1"}"#;
    // No token, wrong token: 401.
    let (s, v) = post(&uri, "/api/v1/projects/p/runs", None, true, create);
    assert_eq!(
        (s, v["detail"].as_str()),
        (401, Some("Missing or invalid bearer token"))
    );
    let (s, _) = post(
        &uri,
        "/api/v1/projects/p/runs",
        Some("s3creT"),
        true,
        create,
    );
    assert_eq!(s, 401);
    let tok = Some("s3cret");
    // Aspara's header rule: 403.
    let (s, v) = post(&uri, "/api/v1/projects/p/runs", tok, false, create);
    assert_eq!(
        (s, v["detail"].as_str()),
        (403, Some("Missing or invalid X-Requested-With header"))
    );
    // Create, then 409.
    let (s, v) = post(&uri, "/api/v1/projects/p/runs", tok, true, create);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["run_id"].as_str().map(str::len), Some(16));
    let (s, v) = post(&uri, "/api/v1/projects/p/runs", tok, true, create);
    assert_eq!((s, v["detail"].as_str()), (409, Some("Run already exists")));
    // Traversal names: 400 (or 404 when the router cannot even match the path), nothing written.
    for (path, body) in [
        ("/api/v1/projects/..%2F..%2Fetc/runs", &create[..]),
        ("/api/v1/projects/p/runs", &br#"{"name": "../../evil"}"#[..]),
        ("/api/v1/projects/p/runs", &br#"{"name": "a.b"}"#[..]),
        (
            "/api/v1/projects/p/runs/..%2Fx/metrics",
            &br#"{"metrics": {"x": 1}}"#[..],
        ),
        (
            "/api/v1/projects/ok/runs/a%20b/metrics",
            &br#"{"metrics": {"x": 1}}"#[..],
        ),
    ] {
        let (s, v) = post(&uri, path, tok, true, body);
        assert_eq!(s, 400, "{path} {v}");
        assert!(v["detail"].as_str().unwrap().starts_with("Invalid"), "{v}");
    }
    let mut entries: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries, [".aspara-index.lock", "aspara-index.json", "p"]);
    // A bad value: 400 with Aspara's message.
    let (s, v) = post(
        &uri,
        "/api/v1/projects/p/runs/r1/metrics",
        tok,
        true,
        br#"{"metrics": {"acc": "high"}}"#,
    );
    assert_eq!(s, 400);
    assert_eq!(
        v["detail"].as_str(),
        Some(
            "Unsupported value type for 'acc': <class 'str'>. Currently only int and float are supported."
        )
    );
    // Oversized body (limit 1 MiB): 413.
    let big = format!(
        "{{\"metrics\": {{\"x\": 1.0}}, \"pad\": \"{}\"}}",
        "x".repeat(2 << 20)
    );
    let (s, _) = post(
        &uri,
        "/api/v1/projects/p/runs/r1/metrics",
        tok,
        true,
        big.as_bytes(),
    );
    assert_eq!(s, 413);
    // Unknown run on a metadata endpoint: 404.
    let (s, v) = post(
        &uri,
        "/api/v1/projects/p/runs/nope/finish",
        tok,
        true,
        br#"{"exit_code": 0}"#,
    );
    assert_eq!((s, v["detail"].as_str()), (404, Some("Run not found")));
    // Health stays open, and says it speaks the batch protocol.
    let h: serde_json::Value = serde_json::from_str(
        &ureq::get(format!("{uri}/api/v1/health"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(h, serde_json::json!({"status": "ok", "protocol": 1}));
    drop(t);
}

#[test]
fn remote_tracker_killed_and_restarted_every_record_once() {
    let server_dir = tempfile::tempdir().unwrap();
    let client_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut t = start_ours(server_dir.path(), port, &[]);
    let uri = t.uri();
    let mut run = aspara::init("remote")
        .name("killed")
        .config(serde_json::json!({"lr": 0.01}))
        .tags(["rust"])
        .data_dir(client_dir.path())
        .tracker_uri(&uri)
        .start()
        .unwrap();
    let n = 20_000u64;
    for i in 0..n {
        run.log(
            [("loss", 1.0 / (i + 1) as f64), ("acc", i as f64 / n as f64)],
            None,
        )
        .unwrap();
        if i == 5_000 {
            run.flush().unwrap();
            t.kill();
        }
        if i == 12_000 {
            // The tracker is gone: the records went to the offline queue on disk.
            run.flush().unwrap();
            assert!(client_dir.path().join(".queue/remote/killed").is_dir());
            t = start_ours(server_dir.path(), port, &[]);
        }
    }
    run.set_summary("best", 0.25).unwrap();
    run.finish(0).unwrap();
    assert_steps_once(server_dir.path(), "remote", "killed", "loss", n);
    assert_steps_once(server_dir.path(), "remote", "killed", "acc", n);
    let rd = read_metrics(&std::fs::read(server_dir.path().join("remote/killed.jsonl")).unwrap());
    let loss = rd.metric("loss").unwrap();
    let i = loss.steps.iter().position(|s| *s == 9_999).unwrap();
    assert_eq!(loss.values[i], 1.0 / 10_000.0);
    let m = meta(server_dir.path(), "remote", "killed");
    assert_eq!((m.status.as_str(), m.exit_code), ("completed", Some(0)));
    assert_eq!(m.summary.get("best"), Some(&serde_json::json!(0.25)));
    assert_eq!(m.config.get("lr"), Some(&serde_json::json!(0.01)));
    assert_eq!(m.tags, ["rust"]);
    assert_eq!(m.run_id, run.id());
    // Everything confirmed: the queue is gone.
    assert!(!client_dir.path().join(".queue/remote").exists());
    // The manifest lists the run with its metrics.
    let man = aspara::index::read_manifest(server_dir.path()).unwrap();
    let entry = &man.project("remote").unwrap().runs[0];
    assert_eq!(
        (entry.name.as_str(), entry.status.as_str()),
        ("killed", "completed")
    );
    assert_eq!(entry.metrics, ["acc", "loss"]);
    drop(t);
}

/// The child side of the process tests: does nothing unless `ASPARA_E2E_ROLE` is set.
#[test]
fn child_client() {
    let Ok(role) = std::env::var("ASPARA_E2E_ROLE") else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap();
    let n: u64 = var("ASPARA_E2E_N").parse().unwrap();
    let mut run = aspara::init(var("ASPARA_E2E_PROJECT"))
        .name(var("ASPARA_E2E_RUN"))
        .data_dir(var("ASPARA_E2E_DATA"))
        .tracker_uri(var("ASPARA_E2E_URI"))
        .start()
        .unwrap();
    for i in 0..n {
        run.log([("loss", 1.0 / (i + 1) as f64), ("x", i as f64)], None)
            .unwrap();
    }
    match (role.as_str(), run.finish(0)) {
        ("online", Ok(())) => {}
        ("offline", Err(aspara::Error::Queued { ops, .. })) => {
            // create + n records + finish
            assert_eq!(ops as u64, n + 2);
            std::process::exit(3);
        }
        (r, other) => panic!("{r}: {other:?}"),
    }
}

fn spawn_child(
    role: &str,
    uri: &str,
    data: &Path,
    project: &str,
    run: &str,
    n: u64,
) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["child_client", "--exact", "--nocapture", "--test-threads=1"])
        .env("ASPARA_E2E_ROLE", role)
        .env("ASPARA_E2E_URI", uri)
        .env("ASPARA_E2E_DATA", data)
        .env("ASPARA_E2E_PROJECT", project)
        .env("ASPARA_E2E_RUN", run)
        .env("ASPARA_E2E_N", n.to_string())
        .env("ASPARA_TRACKER_FLUSH_TIMEOUT", "1")
        .env_remove("ASPARA_TRACKER_TOKEN")
        .spawn()
        .unwrap()
}

#[test]
fn remote_eight_concurrent_client_processes() {
    let server_dir = tempfile::tempdir().unwrap();
    let client_dir = tempfile::tempdir().unwrap();
    let t = start_ours(server_dir.path(), free_port(), &[]);
    let n = 5_000;
    let children: Vec<_> = (0..8)
        .map(|i| {
            spawn_child(
                "online",
                &t.uri(),
                client_dir.path(),
                "conc",
                &format!("client-{i}"),
                n,
            )
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    for i in 0..8 {
        let run = format!("client-{i}");
        assert_steps_once(server_dir.path(), "conc", &run, "loss", n);
        assert_eq!(meta(server_dir.path(), "conc", &run).status, "completed");
    }
    let man = aspara::index::read_manifest(server_dir.path()).unwrap();
    assert_eq!(man.project("conc").unwrap().runs.len(), 8);
}

#[test]
fn remote_offline_queue_then_aspara_sync() {
    let server_dir = tempfile::tempdir().unwrap();
    let client_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let uri = format!("http://127.0.0.1:{port}/tracker");
    // No tracker yet: the run is queued, `finish` says so after its 1 s timeout.
    let status = spawn_child("offline", &uri, client_dir.path(), "offline", "queued", 300)
        .wait()
        .unwrap();
    assert_eq!(status.code(), Some(3));
    assert!(client_dir.path().join(".queue/offline/queued").is_dir());
    // Nothing to reach: sync keeps the queue and exits 2.
    let out = Command::new(aspara_bin())
        .args(["sync", "--timeout", "0", "--data-dir"])
        .arg(client_dir.path())
        .env_remove("ASPARA_TRACKER_URI")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let t: Tracker = start_ours(server_dir.path(), port, &[]);
    let out = Command::new(aspara_bin())
        .args(["sync", "--data-dir"])
        .arg(client_dir.path())
        .env_remove("ASPARA_TRACKER_URI")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("offline/queued -> "), "{text}");
    assert!(text.contains(": 302 sent, 0 left"), "{text}");
    assert_steps_once(server_dir.path(), "offline", "queued", "loss", 300);
    assert_eq!(
        meta(server_dir.path(), "offline", "queued").status,
        "completed"
    );
    assert!(!client_dir.path().join(".queue/offline").exists());
    // A second sync finds nothing.
    let out = Command::new(aspara_bin())
        .args(["sync", "--data-dir"])
        .arg(client_dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Nothing queued.\n");
    drop(t);
}

const PY_CLIENT: &str = r#"
import sys, aspara
uri, n = sys.argv[1], int(sys.argv[2])
run = aspara.init(project="py_remote", name="py-run", config={"lr": 0.1}, tags=["py"],
                  tracker_uri=uri, project_tags=["from-python"])
for i in range(n):
    run.log({"loss": 1.0 / (i + 1), "acc": i / n})
run.log({"late": 7.0}, step=n + 10)
run.summary["best"] = 0.5
run.finish()
"#;

#[test]
fn remote_python_remote_run_logs_into_our_tracker() {
    if !python_aspara() {
        eprintln!("skipped: Python Aspara 0.1.0 is not installed (scripts/setup.sh installs it)");
        return;
    }
    let server_dir = tempfile::tempdir().unwrap();
    let client_dir = tempfile::tempdir().unwrap();
    let t = start_ours(server_dir.path(), free_port(), &[]);
    let out = Command::new("python3")
        .args(["-c", PY_CLIENT, &t.uri(), "200"])
        .env("ASPARA_DATA_DIR", client_dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(server_dir.path(), "py_remote", "py-run");
    assert_eq!(recs.len(), 201);
    assert_steps_once(server_dir.path(), "py_remote", "py-run", "loss", 200);
    assert_eq!(recs[3].1, serde_json::json!({"loss": 0.25, "acc": 0.015}));
    assert_eq!(recs[200], (Some(210), serde_json::json!({"late": 7.0})));
    // Our format: int-ms timestamps, Aspara's key order.
    let first = std::fs::read_to_string(server_dir.path().join("py_remote/py-run.jsonl")).unwrap();
    let first = first.lines().next().unwrap();
    assert!(first.starts_with("{\"timestamp\": 1"), "{first}");
    assert!(
        first.ends_with(", \"step\": 0, \"metrics\": {\"loss\": 1.0, \"acc\": 0.0}}"),
        "{first}"
    );
    let m = meta(server_dir.path(), "py_remote", "py-run");
    assert_eq!((m.status.as_str(), m.exit_code), ("completed", Some(0)));
    assert_eq!(m.config.get("lr"), Some(&serde_json::json!(0.1)));
    assert_eq!(m.summary.get("best"), Some(&serde_json::json!(0.5)));
    assert_eq!(m.tags, ["py"]);
    let project =
        std::fs::read_to_string(server_dir.path().join("py_remote/metadata.json")).unwrap();
    assert!(project.contains("\"from-python\""), "{project}");
    drop(t);
}

#[test]
fn remote_our_client_logs_into_python_tracker() {
    if !python_aspara() {
        eprintln!("skipped: Python Aspara 0.1.0 is not installed (scripts/setup.sh installs it)");
        return;
    }
    let server_dir = tempfile::tempdir().unwrap();
    let client_dir = tempfile::tempdir().unwrap();
    let t = start_python(server_dir.path(), free_port());
    let mut run = aspara::init("to_python")
        .name("rust-run")
        .config(serde_json::json!({"lr": 0.5}))
        .data_dir(client_dir.path())
        .tracker_uri(t.uri())
        .start()
        .unwrap();
    for i in 0..120u64 {
        run.log_with(
            [("loss", 1.0 / (i + 1) as f64)],
            aspara::LogOptions::new().timestamp(1_735_689_600_000 + i as i64),
        )
        .unwrap();
    }
    run.set_summary("best", 0.125).unwrap();
    run.finish(0).unwrap();
    // Python Aspara's tracker writes its own line format (reference §2.2); our reader reads it.
    let recs = records(server_dir.path(), "to_python", "rust-run");
    assert_eq!(recs.len(), 120);
    assert_steps_once(server_dir.path(), "to_python", "rust-run", "loss", 120);
    assert_eq!(recs[7].1, serde_json::json!({"loss": 0.125}));
    let m = meta(server_dir.path(), "to_python", "rust-run");
    assert_eq!((m.status.as_str(), m.exit_code), ("completed", Some(0)));
    assert_eq!(m.summary.get("best"), Some(&serde_json::json!(0.125)));
    assert_eq!(m.config.get("lr"), Some(&serde_json::json!(0.5)));
    assert!(!client_dir.path().join(".queue/to_python").exists());
    let _ = Duration::ZERO;
    drop(t);
}

#[test]
fn remote_sigterm_flushes_and_leaves_runs_wip() {
    let d = tempfile::tempdir().unwrap();
    let mut t = start_ours(d.path(), free_port(), &[]);
    let uri = t.uri();
    let (s, _) = post(
        &uri,
        "/api/v1/projects/p/runs",
        None,
        true,
        br#"{"name": "r", "session": "s1", "seq": 1}"#,
    );
    assert_eq!(s, 200);
    let batch = br#"{"session": "s1", "ops": [{"seq": 2, "op": "metrics", "step": 0, "timestamp": 5, "metrics": {"x": 1.5}}]}"#;
    let (s, v) = post(&uri, "/api/v1/projects/p/runs/r/batch", None, true, batch);
    assert_eq!((s, v["applied"].as_u64()), (200, Some(1)), "{v}");
    // The same batch again (a lost answer): nothing is appended twice.
    let (s, v) = post(&uri, "/api/v1/projects/p/runs/r/batch", None, true, batch);
    assert_eq!((s, v["duplicates"].as_u64()), (200, Some(1)), "{v}");
    assert!(t.terminate().success());
    assert_eq!(
        std::fs::read_to_string(d.path().join("p/r.jsonl")).unwrap(),
        "{\"timestamp\": 5, \"step\": 0, \"metrics\": {\"x\": 1.5}}\n"
    );
    // Shut down, not finished.
    assert_eq!(meta(d.path(), "p", "r").status, "wip");
    let commit: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("p/.r.tracker.json")).unwrap())
            .unwrap();
    assert_eq!(
        commit,
        serde_json::json!({"metrics_len": 51, "sessions": {"s1": 2}})
    );
}
