//! A toy training loop: fits y = 3x + 1 by gradient descent and logs loss and accuracy-like
//! metrics every step, a validation loss every 10 steps, a summary and the config as an artifact.
//!
//! `cargo run -p aspara --example train -- [DATA_DIR]` (default: `ASPARA_DATA_DIR` or
//! `~/.local/share/aspara`), then open the data directory with the dashboard.

use aspara::{ArtifactOptions, Resume};
use serde_json::json;

fn main() -> aspara::Result<()> {
    let lr = 0.05;
    let mut builder = aspara::init("toy-regression")
        .config(json!({"lr": lr, "epochs": 200, "model": {"kind": "linear", "params": 2}}))
        .tags(["example", "linear"])
        .notes("Gradient descent on y = 3x + 1 with noise.\nLogged by writer/examples/train.rs.")
        .project_tags(["examples"])
        .resume(Resume::Never);
    if let Some(dir) = std::env::args().nth(1) {
        builder = builder.data_dir(dir);
    }
    let mut run = builder.start()?;

    // Noisy samples of y = 3x + 1.
    let xs: Vec<f64> = (0..64).map(|i| i as f64 / 32.0 - 1.0).collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|x| 3.0 * x + 1.0 + 0.1 * (x * 37.0).sin())
        .collect();
    let (mut w, mut b) = (0.0f64, 0.0f64);
    let mut best = f64::INFINITY;
    for _epoch in 0..200 {
        let n = xs.len() as f64;
        let (mut gw, mut gb, mut loss, mut close) = (0.0, 0.0, 0.0, 0.0);
        for (x, y) in xs.iter().zip(&ys) {
            let err = w * x + b - y;
            gw += 2.0 * err * x / n;
            gb += 2.0 * err / n;
            loss += err * err / n;
            if err.abs() < 0.25 {
                close += 1.0 / n;
            }
        }
        w -= lr * gw;
        b -= lr * gb;
        best = best.min(loss);
        let step = run.step();
        if step % 10 == 0 {
            // One step's metrics in two calls: commit(false) keeps the step for the next call.
            run.log_with(
                [("val/loss", loss * 1.1)],
                aspara::LogOptions::new().commit(false),
            )?;
        }
        run.log(
            [("train/loss", loss), ("train/acc", close), ("weights/w", w)],
            None,
        )?;
    }
    run.set_summary("best_loss", best)?;
    run.set_summary("w", w)?;
    run.set_summary("b", b)?;

    let cfg = std::env::temp_dir().join(format!("aspara-train-{}.json", std::process::id()));
    std::fs::write(&cfg, r#"{"lr": 0.05, "epochs": 200}"#)
        .map_err(|e| aspara::Error::io("write", &cfg, e))?;
    run.log_artifact(
        &cfg,
        ArtifactOptions {
            name: Some("config.json".into()),
            description: Some("training configuration".into()),
            category: Some("config".into()),
            ..Default::default()
        },
    )?;
    let _ = std::fs::remove_file(&cfg);

    let (project, name) = (run.project().to_owned(), run.name().to_owned());
    let dir = run
        .data_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    run.finish(0)?;
    println!(
        "logged run {project}/{name} into {dir} (w = {w:.3}, b = {b:.3}, best loss {best:.5})"
    );
    Ok(())
}
