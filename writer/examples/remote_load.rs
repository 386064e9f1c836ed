//! Load generator for `scripts/bench-tracker.sh`: logs `N` records (3 metrics each) of one run to the
//! tracker at `URI` through the remote sink, and prints the records per second it took from start
//! to a confirmed `finish`.
//!
//! `cargo run --release --features remote --example remote_load -- URI PROJECT RUN N DATA_DIR`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, uri, project, run, n, data] = &args[..] else {
        return Err("usage: remote_load URI PROJECT RUN N DATA_DIR".into());
    };
    let n: u64 = n.parse()?;
    let started = Instant::now();
    let mut r = aspara::init(project.as_str())
        .name(run.as_str())
        .data_dir(data)
        .tracker_uri(uri.as_str())
        .start()?;
    for i in 0..n {
        let x = i as f64;
        r.log(
            [
                ("loss", 1.0 / (x + 1.0)),
                ("acc", x / n as f64),
                ("lr", 1e-3),
            ],
            None,
        )?;
    }
    r.finish(0)?;
    let secs = started.elapsed().as_secs_f64();
    println!("{n} {secs:.3}");
    Ok(())
}
