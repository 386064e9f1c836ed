//! Case B22: two processes append 10,000 records each to the same run (resume allowed) while a
//! reader reloads the file as fast as it can. Every batch goes out in one `write` on an `O_APPEND`
//! descriptor, so no line is ever torn or glued; the meta is replaced atomically, so it always
//! parses. The case's own `check.py` gives the verdict.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod util;

use aspara::{LogOptions, Resume, Run};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const RECORDS: u64 = 10_000;

#[test]
#[ignore = "helper process entry, run by b22_two_processes_never_tear_lines"]
fn child_append() {
    let (Ok(dir), Ok(metric)) = (std::env::var("CHILD_DIR"), std::env::var("CHILD_METRIC")) else {
        return;
    };
    let go = Path::new(&dir).join("go");
    while !go.exists() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let mut run = Run::builder("concurrent")
        .name("shared-run")
        .data_dir(&dir)
        .resume(Resume::Allow)
        .start()
        .unwrap();
    for s in 0..RECORDS {
        run.log_with(
            [(metric.as_str(), s as f64 / 10000.0)],
            LogOptions::new().step(s),
        )
        .unwrap();
        if s % 1000 == 0 {
            // Give the other process room to interleave with us.
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
    run.finish(0).unwrap();
    println!("@@ done {metric}");
}

/// Checks a snapshot: every complete line is strict JSON; only the text after the last `\n` may be
/// partial. Returns the number of complete lines.
fn check_snapshot(bytes: &[u8]) -> usize {
    let text = std::str::from_utf8(bytes).unwrap();
    let complete = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    util::parse_lines(complete).unwrap_or_else(|(i, l)| panic!("line {} torn: {l:?}", i + 1));
    complete.lines().count()
}

#[test]
fn b22_two_processes_never_tear_lines() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_str().unwrap().to_owned();
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|m| {
            util::spawn_child(
                "child_append",
                &[("CHILD_DIR", dir.as_str()), ("CHILD_METRIC", m)],
            )
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let jsonl = d.path().join("concurrent/shared-run.jsonl");
        let meta = d.path().join("concurrent/shared-run.meta.json");
        std::thread::spawn(move || {
            let (mut reloads, mut max_lines) = (0u64, 0usize);
            while !stop.load(Ordering::Relaxed) {
                if let Ok(bytes) = std::fs::read(&jsonl) {
                    let n = check_snapshot(&bytes);
                    assert!(n >= max_lines, "lines never disappear");
                    max_lines = n;
                    reloads += 1;
                }
                if let Ok(bytes) = std::fs::read(&meta) {
                    aspara::format::RunMeta::from_bytes(&bytes).expect("meta is never torn");
                }
            }
            reloads
        })
    };
    std::fs::write(d.path().join("go"), "").unwrap();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    stop.store(true, Ordering::Relaxed);
    let reloads = reader.join().unwrap();
    assert!(
        reloads > 10,
        "the reader ran during the writes ({reloads} reloads)"
    );
    let jsonl = d.path().join("concurrent/shared-run.jsonl");
    assert_eq!(check_snapshot(&std::fs::read(&jsonl).unwrap()), 20_000);
    let out = std::process::Command::new("python3")
        .arg(util::shared("cases/B22-concurrent-append/check.py"))
        .arg(&jsonl)
        .output()
        .expect("python3 runs check.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.trim(),
        "OK: 20000 lines, metrics ['a', 'b'] complete"
    );
    let m = aspara::format::RunMeta::from_bytes(
        &std::fs::read(d.path().join("concurrent/shared-run.meta.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(m.status, "completed");
}
