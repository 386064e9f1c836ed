//! Eight processes start (and finish) runs in one data directory at the same moment; the manifest
//! must list all eight, because every update is a locked read-modify-write (FORMAT.md §5).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod util;

use aspara::Run;

const PROCESSES: usize = 8;

#[test]
#[ignore = "helper process entry, run by eight_processes_all_listed"]
fn child_start_run() {
    let (Ok(dir), Ok(name)) = (std::env::var("CHILD_DIR"), std::env::var("CHILD_RUN")) else {
        return;
    };
    // Wait for the common start signal, so the eight really race.
    let go = std::path::Path::new(&dir).join("go");
    while !go.exists() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let mut run = Run::builder("race")
        .name(&name)
        .data_dir(&dir)
        .project_tags([name.clone()])
        .start()
        .unwrap();
    for i in 0..100 {
        run.log([("loss", 1.0 / (i + 1) as f64)], None).unwrap();
    }
    run.finish(0).unwrap();
    println!("@@ done {name}");
}

#[test]
fn eight_processes_all_listed() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().to_str().unwrap().to_owned();
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            let name = format!("run-{i}");
            util::spawn_child(
                "child_start_run",
                &[("CHILD_DIR", dir.as_str()), ("CHILD_RUN", name.as_str())],
            )
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::fs::write(d.path().join("go"), "").unwrap();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            util::child_lines(&String::from_utf8_lossy(&out.stdout)).len(),
            1
        );
    }
    let manifest = aspara::index::read_manifest(d.path()).unwrap();
    let p = manifest.project("race").unwrap();
    let names: Vec<&str> = p.runs.iter().map(|r| r.name.as_str()).collect();
    let expected: Vec<String> = (0..PROCESSES).map(|i| format!("run-{i}")).collect();
    assert_eq!(names, expected);
    for r in &p.runs {
        assert_eq!(r.status, "completed", "{}", r.name);
        assert_eq!(r.metrics, ["loss"]);
        assert_eq!(r.run_id.len(), 16);
        assert!(r.jsonl.unwrap().size > 0);
    }
    // Project tags were merged under the same lock: none lost.
    let mut tags = p.tags.clone();
    tags.sort();
    assert_eq!(tags, expected);
    // And a fresh scan agrees with the incrementally kept manifest.
    let (scanned, report) = aspara::index::scan_data_dir(d.path()).unwrap();
    assert_eq!(report.runs, PROCESSES);
    let s = scanned.project("race").unwrap();
    assert_eq!(s.runs.len(), PROCESSES);
    for (a, b) in s.runs.iter().zip(&p.runs) {
        assert_eq!(
            (&a.name, &a.run_id, &a.status, &a.metrics, a.jsonl),
            (&b.name, &b.run_id, &b.status, &b.metrics, b.jsonl)
        );
    }
}
