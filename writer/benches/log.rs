//! `Run::log` of 3 metrics per call: throughput with criterion, and caller-side latency
//! percentiles from a timed loop, at the default durability and at `PerRecord`. When Python Aspara
//! 0.1.0 is importable, its `LocalRun.log` is measured in the same run (benches/python_baseline.py)
//! and the ratios are printed.
//!
//! `cargo bench -p aspara --bench log`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench that cannot set up should stop loudly

use aspara::{Durability, Run};
use criterion::{Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Stats {
    calls_per_s: f64,
    p50_us: f64,
    p99_us: f64,
    p999_us: f64,
}

fn start(dir: &Path, name: &str, durability: Durability) -> Run {
    Run::builder("bench")
        .name(name)
        .data_dir(dir)
        .durability(durability)
        .start()
        .unwrap()
}

/// Times `calls` individual `log` calls (each with `Instant`), then finishes the run. With `pace`,
/// calls start at most that often (a training loop that does work between logs); without, they
/// run back to back, so the writer thread's speed and back-pressure show.
fn timed_loop(durability: Durability, calls: usize, pace: Option<Duration>) -> Stats {
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(dir.path(), "latency", durability);
    for i in 0..1000 {
        run.log(
            [("loss", 1.0 / (i + 1) as f64), ("acc", 0.5), ("lr", 1e-3)],
            None,
        )
        .unwrap();
    }
    run.flush().unwrap();
    let mut lat = Vec::with_capacity(calls);
    let t0 = Instant::now();
    for i in 0..calls {
        if let Some(p) = pace {
            let due = t0 + p * i as u32;
            while Instant::now() < due {
                std::hint::spin_loop();
            }
        }
        let s = Instant::now();
        run.log(
            [("loss", 1.0 / (i + 1) as f64), ("acc", 0.5), ("lr", 1e-3)],
            None,
        )
        .unwrap();
        lat.push(s.elapsed());
    }
    // Throughput counts until everything is on disk, so a deep channel cannot flatter it.
    run.flush().unwrap();
    let total = t0.elapsed();
    run.finish(0).unwrap();
    lat.sort();
    let pct = |q: f64| lat[((q * calls as f64) as usize).min(calls - 1)].as_secs_f64() * 1e6;
    Stats {
        calls_per_s: calls as f64 / total.as_secs_f64(),
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        p999_us: pct(0.999),
    }
}

fn python_baseline(calls: usize) -> Option<Stats> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python_baseline.py");
    let out = Command::new("python3")
        .arg(script)
        .args(["--calls", &calls.to_string()])
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "python baseline unavailable: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return None;
    }
    // Aspara's logger also prints to stdout; the result is the last line.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value =
        serde_json::from_str(stdout.lines().rfind(|l| l.starts_with('{'))?).ok()?;
    let f = |k: &str| v[k].as_f64();
    Some(Stats {
        calls_per_s: f("calls_per_s")?,
        p50_us: f("p50_us")?,
        p99_us: f("p99_us")?,
        p999_us: f("p999_us")?,
    })
}

fn print(label: &str, s: &Stats) {
    println!(
        "{label:<28} {:>12.0} calls/s   p50 {:>8.3} µs   p99 {:>8.3} µs   p999 {:>9.3} µs",
        s.calls_per_s, s.p50_us, s.p99_us, s.p999_us
    );
}

fn criterion_throughput(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut run = start(dir.path(), "criterion", Durability::default());
    let mut g = c.benchmark_group("log_3_metrics");
    g.throughput(Throughput::Elements(1));
    g.bench_function("default_durability", |b| {
        let mut i = 0u64;
        b.iter(|| {
            i += 1;
            run.log(
                black_box([("loss", 1.0 / i as f64), ("acc", 0.5), ("lr", 1e-3)]),
                None,
            )
            .unwrap();
        })
    });
    g.finish();
    run.finish(0).unwrap();
}

fn main() {
    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    criterion_throughput(&mut c);
    c.final_summary();

    let rust_default = timed_loop(Durability::default(), 1_000_000, None);
    let rust_paced = timed_loop(
        Durability::default(),
        200_000,
        Some(Duration::from_micros(10)),
    );
    println!();
    print("rust default, back to back", &rust_default);
    print("rust default, 100k calls/s", &rust_paced);
    // PerRecord and Python are both bound by fdatasync, whose cost on a shared machine drifts by
    // 10x within a minute; so they are measured alternately, three rounds, and compared by median.
    let (mut rust_pr, mut py) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let r = timed_loop(Durability::PerRecord, 3_000, None);
        print("rust PerRecord (fdatasync)", &r);
        rust_pr.push(r);
        if let Some(p) = python_baseline(1_000) {
            print("python aspara 0.1.0", &p);
            py.push(p);
        }
    }
    if py.is_empty() {
        println!("python aspara 0.1.0 not importable: no baseline ratio");
        return;
    }
    let median = |v: &mut Vec<Stats>| {
        v.sort_by(|a, b| a.calls_per_s.total_cmp(&b.calls_per_s));
        v[v.len() / 2].calls_per_s
    };
    let (rust_pr, py_cps) = (median(&mut rust_pr), median(&mut py));
    println!(
        "ratio calls/s: default {:.0}x python (median), PerRecord {:.2}x python (median of alternating rounds); caller p99 at 100k calls/s {:.3} µs (target < 5)",
        rust_default.calls_per_s / py_cps,
        rust_pr / py_cps,
        rust_paced.p99_us
    );
}
