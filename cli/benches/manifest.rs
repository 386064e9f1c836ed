//! What keeping `/aspara-index.json` fresh costs `aspara serve` per request: the fingerprint check
//! that runs on every manifest request, against the full rebuild that runs only when it moved.
//! The data directory is 20 projects × 50 runs of 100 records each.

#![allow(missing_docs)] // criterion's macros generate undocumented items
#![allow(clippy::unwrap_used)] // benchmark set-up: a failure is a failed run

use std::fmt::Write as _;

use criterion::{Criterion, criterion_group, criterion_main};

fn data_dir() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for step in 0..100 {
        let _ = writeln!(
            lines,
            "{{\"timestamp\": {}, \"step\": {step}, \"metrics\": {{\"loss\": {}, \"acc\": {}}}}}",
            1_735_689_600_000_i64 + step,
            1.0 / (1.0 + step as f64),
            step as f64 / 100.0
        );
    }
    for p in 0..20 {
        let dir = t.path().join(format!("project-{p}"));
        std::fs::create_dir_all(&dir).unwrap();
        for r in 0..50 {
            std::fs::write(dir.join(format!("run-{r}.jsonl")), &lines).unwrap();
            std::fs::write(
                dir.join(format!("run-{r}.meta.json")),
                format!("{{\"run_id\": \"{r:016x}\", \"status\": \"completed\", \"is_finished\": true, \"exit_code\": 0, \"start_time\": 1735689600000}}"),
            )
            .unwrap();
        }
    }
    t
}

fn bench(c: &mut Criterion) {
    let t = data_dir();
    let mut g = c.benchmark_group("manifest_1000_runs");
    g.sample_size(20);
    g.bench_function("fingerprint (every request)", |b| {
        b.iter(|| aspara_cli::server::fingerprint(t.path()))
    });
    g.bench_function("rebuild (when changed)", |b| {
        b.iter(|| aspara_cli::catalog::rebuild_manifest(t.path()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
