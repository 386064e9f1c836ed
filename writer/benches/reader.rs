//! Throughput of the metrics reader on ~100 MB of typical lines, generated in memory, against a naive
//! baseline that builds a `serde_json::Value` per line.
//!
//! `cargo bench -p aspara --bench reader`. Besides criterion's numbers, a quick timed pass of each
//! reader prints the MB/s and the ratio to the baseline.

use aspara::format::reader::{Decoder, read_metrics};
use aspara::format::record::encode_line;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::{Duration, Instant};

const TARGET_BYTES: usize = 100 * 1024 * 1024;

/// Lines as our writer (and Aspara) writes them: three metrics with full-precision float reprs,
/// rising steps and timestamps.
fn generate() -> Vec<u8> {
    let mut out = String::with_capacity(TARGET_BYTES + 256);
    let mut step: u64 = 0;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    while out.len() < TARGET_BYTES {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let noise = (seed >> 11) as f64 / (1u64 << 53) as f64;
        let t = step as f64 / 1e6;
        encode_line(
            &mut out,
            1_735_689_600_000 + 1000 * step as i64,
            step,
            [
                ("train/loss", 2.3 * (-3.0 * t).exp() + 0.05 * noise),
                ("train/acc", 0.1 + 0.85 * (1.0 - (-4.0 * t).exp())),
                ("val/loss", ((0.3 + 0.1 * noise) * 1e6).round() / 1e6),
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

fn mb_per_s(bytes: usize, f: impl Fn() -> usize) -> f64 {
    let _ = black_box(f());
    let t = Instant::now();
    let runs = 3;
    for _ in 0..runs {
        let _ = black_box(f());
    }
    bytes as f64 * runs as f64 / t.elapsed().as_secs_f64() / 1e6
}

fn quick_pass(data: &[u8]) {
    let n = data.len();
    let fast = mb_per_s(n, || read_metrics(data).report.records as usize);
    let slow_rate = mb_per_s(n, || slow(data));
    let naive_rate = mb_per_s(n, || naive(data));
    eprintln!(
        "reader on {:.1} MB: fast {fast:.0} MB/s, slow path only {slow_rate:.0} MB/s, \
         serde_json DOM per line {naive_rate:.0} MB/s; fast/naive = {:.1}x",
        n as f64 / 1e6,
        fast / naive_rate
    );
}

fn bench(c: &mut Criterion) {
    let data = generate();
    let n = data.len();
    // A profiling run (`--profile-time`) measures one function alone; skip the quick pass.
    if !std::env::args().any(|a| a == "--profile-time") {
        quick_pass(&data);
    }
    let mut g = c.benchmark_group("reader");
    g.throughput(Throughput::Bytes(n as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("read_metrics", |b| {
        b.iter(|| read_metrics(black_box(&data)))
    });
    g.bench_function("slow_path_only", |b| b.iter(|| slow(black_box(&data))));
    g.bench_function("serde_json_value_per_line", |b| {
        b.iter(|| naive(black_box(&data)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
