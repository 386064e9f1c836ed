//! Throughput of the metrics reader on ~100 MB of typical lines, generated in memory, against a naive
//! baseline that builds a `serde_json::Value` per line.
//!
//! `cargo bench -p aspara --bench reader`. Besides criterion's numbers, a quick timed pass of each
//! reader prints the MB/s and the ratio to the baseline.

use aspara::format::reader::{Decoder, read_metrics};
use aspara::format::record::encode_line;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const TARGET_BYTES: usize = 100 * 1024 * 1024;

/// Lines as our writer (and Aspara) writes them: three metrics, rising steps and timestamps. With
/// `full`, the values have full-precision reprs (`2.3157574610870437`, what a training loop logs);
/// otherwise short ones (`0.123456789`, `0.9`).
fn generate(full: bool) -> Vec<u8> {
    let mut out = String::with_capacity(TARGET_BYTES + 256);
    let mut step: u64 = 0;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < TARGET_BYTES {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let noise = (seed >> 11) as f64 / (1u64 << 53) as f64;
        let t = step as f64 / 1e6;
        let loss = 2.3 * (-3.0 * t).exp() + 0.05 * noise;
        let acc = 0.1 + 0.85 * (1.0 - (-4.0 * t).exp());
        let round = |x: f64, d: f64| (x * d).round() / d;
        let metrics = if full {
            [loss, acc, round(0.3 + 0.1 * noise, 1e6)]
        } else {
            [round(loss, 1e9), round(acc, 10.0), round(0.3 + noise, 10.0)]
        };
        encode_line(
            &mut out,
            1_735_689_600_000 + 1000 * step as i64,
            step,
            [
                ("train/loss", metrics[0]),
                ("train/acc", metrics[1]),
                ("val/loss", metrics[2]),
            ],
        );
        step += 1;
    }
    out.into_bytes()
}

/// The naive reader: one `serde_json::Value` per line (it rejects NaN tokens; there are none here).
fn naive(bytes: &[u8]) -> usize {
    let mut points = 0;
    for line in bytes.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) {
            if let Some(m) = v.get("metrics").and_then(|m| m.as_object()) {
                points += m.len();
            }
        }
    }
    points
}

fn slow(bytes: &[u8]) -> usize {
    let mut d = Decoder::without_fast_path();
    d.push(bytes);
    d.finish().report.records as usize
}

/// This thread's CPU time in seconds (Linux `/proc`), to see past other processes sharing the cores.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and
    // 13th, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// (wall-clock MB/s, CPU-time MB/s) over a few passes.
fn mb_per_s(bytes: usize, f: impl Fn() -> usize) -> (f64, Option<f64>) {
    let _ = black_box(f());
    let runs = 5;
    let cpu0 = thread_cpu_seconds();
    let t = Instant::now();
    for _ in 0..runs {
        let _ = black_box(f());
    }
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu0.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
    let total = bytes as f64 * runs as f64 / 1e6;
    (total / wall, cpu.filter(|c| *c > 0.0).map(|c| total / c))
}

/// Python Aspara 0.1.0's loader on the same bytes, written to a temporary data directory: its MB/s
/// and row count, or why it could not run.
fn python_baseline(data: &[u8]) -> Result<(f64, u64), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::create_dir(dir.path().join("bench")).map_err(|e| e.to_string())?;
    std::fs::write(dir.path().join("bench/run.jsonl"), data).map_err(|e| e.to_string())?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python_reader_baseline.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(dir.path())
        .args(["bench", "run"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("")
            .to_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace();
    let mbs = it.next().and_then(|v| v.parse().ok()).ok_or("no output")?;
    let rows = it.next().and_then(|v| v.parse().ok()).ok_or("no output")?;
    Ok((mbs, rows))
}

fn quick_pass(label: &str, data: &[u8]) {
    let n = data.len();
    let fast = mb_per_s(n, || read_metrics(data).report.records as usize);
    let slow_rate = mb_per_s(n, || slow(data));
    let naive_rate = mb_per_s(n, || naive(data));
    let cpu = |r: (f64, Option<f64>)| r.1.map_or("-".to_owned(), |c| format!("{c:.0}"));
    eprintln!(
        "reader, {label}, {:.1} MB; MB/s wall (CPU time): fast {:.0} ({}), slow path only {:.0} \
         ({}), serde_json DOM per line {:.0} ({}); fast/naive = {:.1}x",
        n as f64 / 1e6,
        fast.0,
        cpu(fast),
        slow_rate.0,
        cpu(slow_rate),
        naive_rate.0,
        cpu(naive_rate),
        fast.0 / naive_rate.0
    );
    match python_baseline(data) {
        Ok((mbs, rows)) => eprintln!(
            "reader, {label}: Python Aspara 0.1.0 loader {mbs:.0} MB/s ({rows} rows); fast/python = {:.1}x",
            fast.0 / mbs
        ),
        Err(e) => eprintln!("reader, {label}: Python Aspara 0.1.0 loader unavailable ({e})"),
    }
}

fn bench(c: &mut Criterion) {
    // A profiling run (`--profile-time`) measures one function alone; skip the quick passes.
    let quick = !std::env::args().any(|a| a == "--profile-time");
    for (label, full) in [("full-precision values", true), ("short values", false)] {
        let data = generate(full);
        if quick {
            quick_pass(label, &data);
        }
        let suffix = if full { "" } else { "_short" };
        let mut g = c.benchmark_group("reader");
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.sample_size(10);
        g.measurement_time(Duration::from_secs(8));
        g.bench_function(format!("read_metrics{suffix}"), |b| {
            b.iter(|| read_metrics(black_box(&data)))
        });
        g.bench_function(format!("slow_path_only{suffix}"), |b| {
            b.iter(|| slow(black_box(&data)))
        });
        g.bench_function(format!("serde_json_value_per_line{suffix}"), |b| {
            b.iter(|| naive(black_box(&data)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
