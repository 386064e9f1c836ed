//! `aspara demo`: the main job on real input. Trains the Iris MLP sweep of [`crate::demo::sweep`]
//! (six runs: four that learn, one whose loss goes to NaN and fails, one interrupted and left `wip`)
//! and logs every epoch's `train/loss`, `train/acc`, `val/loss` and `val/acc` through the writer
//! crate, with config, tags, notes, a summary and the model weights as an artifact; then serves the
//! dashboard on the data directory.
//!
//! The default data directory is `./aspara-demo-data`, not the normal default, so trying the demo
//! never mixes made-up runs into real ones. Re-running it replaces the demo project's runs.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use aspara::layout::Layout;
use serde::Serialize;
use serde_json::{Value, json};

use crate::args::DemoArgs;
use crate::demo::dataset::{CLASS_NAMES, Dataset};
use crate::demo::sweep::{self, RunSpec};
use crate::{Error, Result};

/// The project the demo writes.
pub const PROJECT: &str = "iris-demo";

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Where the runs go (created if missing).
    pub data_dir: PathBuf,
    /// Where to serve afterwards, unless `--no-serve`.
    pub serve: Option<SocketAddr>,
}

impl DemoArgs {
    /// Validates the arguments.
    pub fn config(&self) -> Result<DemoConfig> {
        let data_dir = aspara::data_dir::resolve(Some(&self.data_dir))?;
        let serve = if self.no_serve {
            None
        } else {
            Some(super::serve::parse_addr(&self.host, self.port)?)
        };
        Ok(DemoConfig { data_dir, serve })
    }
}

/// One run's result.
#[derive(Debug, Clone, Serialize)]
pub struct DemoRun {
    /// Run name.
    pub name: String,
    /// The status written: `completed`, `failed` or `wip`.
    pub status: String,
    /// Epochs logged.
    pub epochs: usize,
    /// First epoch's training loss.
    pub first_loss: f64,
    /// Last epoch's training loss (NaN for the diverged run).
    pub last_loss: f64,
    /// Last epoch's validation accuracy.
    pub last_val_acc: f64,
}

/// What the demo wrote.
#[derive(Debug, Clone, Serialize)]
pub struct DemoOutcome {
    /// The data directory.
    pub data_dir: PathBuf,
    /// The runs, in sweep order.
    pub runs: Vec<DemoRun>,
}

/// Removes an earlier demo's files for this run, so re-running the demo starts the run afresh.
fn clear_run(layout: &Layout, run: &str) -> Result<()> {
    for p in [
        layout.metrics(PROJECT, run),
        layout.run_meta(PROJECT, run),
        layout.wal(PROJECT, run),
    ] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("removing", &p)(e)),
        }
    }
    let dir = layout.run_dir(PROJECT, run);
    if dir.is_dir() {
        std::fs::remove_dir_all(&dir).map_err(Error::io("removing", &dir))?;
    }
    Ok(())
}

fn train_one(
    config: &DemoConfig,
    spec: &RunSpec,
    train: &Dataset,
    val: &Dataset,
    scratch: &std::path::Path,
) -> Result<DemoRun> {
    let mut run = aspara::init(PROJECT)
        .name(spec.name)
        .data_dir(&config.data_dir)
        .config(Value::Object(spec.config()))
        .tags(spec.tags.iter().copied())
        .notes(spec.notes)
        .project_tags(["demo", "iris"])
        .start()?;
    let outcome = sweep::train(spec, train, val, |m| {
        run.log(
            [
                ("train/loss", m.train.loss),
                ("train/acc", m.train.acc),
                ("val/loss", m.val.loss),
                ("val/acc", m.val.acc),
            ],
            Some(m.epoch as u64),
        )
    })?;
    let first = outcome.history.first().copied();
    let last = outcome.history.last().copied();
    let status = if outcome.interrupted {
        // Simulates a killed process: the run is never finished, so readers show it `wip` (and
        // `maybe_failed` an hour later), with every logged epoch on disk.
        run.abandon()?;
        "wip"
    } else {
        if let Some(l) = last {
            let mut summary = serde_json::Map::new();
            summary.insert("epochs".into(), json!(outcome.history.len()));
            if let Some(n) = serde_json::Number::from_f64(l.val.acc) {
                summary.insert("final_val_acc".into(), Value::Number(n));
            }
            let best = outcome
                .history
                .iter()
                .map(|m| m.val.acc)
                .fold(f64::NEG_INFINITY, f64::max);
            if let Some(n) = serde_json::Number::from_f64(best) {
                summary.insert("best_val_acc".into(), Value::Number(n));
            }
            summary.insert("diverged".into(), json!(outcome.diverged));
            run.update_summary(summary)?;
        }
        if !outcome.diverged {
            let weights = scratch.join(format!("{}-weights.json", spec.name));
            let mut j = outcome.model.to_json();
            j["classes"] = json!(CLASS_NAMES);
            std::fs::write(&weights, format!("{j:#}\n")).map_err(Error::io("writing", &weights))?;
            run.log_artifact(
                &weights,
                aspara::ArtifactOptions {
                    name: None,
                    description: Some("Trained MLP weights".into()),
                    category: Some("model".into()),
                    ..Default::default()
                },
            )?;
        }
        let code = if outcome.diverged { 1 } else { 0 };
        run.finish(code)?;
        if outcome.diverged {
            "failed"
        } else {
            "completed"
        }
    };
    Ok(DemoRun {
        name: spec.name.to_owned(),
        status: status.to_owned(),
        epochs: outcome.history.len(),
        first_loss: first.map(|m| m.train.loss).unwrap_or(f64::NAN),
        last_loss: last.map(|m| m.train.loss).unwrap_or(f64::NAN),
        last_val_acc: last.map(|m| m.val.acc).unwrap_or(f64::NAN),
    })
}

/// Trains and writes the sweep (does not serve; the binary serves afterwards when asked).
pub fn run(config: &DemoConfig) -> Result<DemoOutcome> {
    let data = Dataset::iris().map_err(|e| Error::BadArgument(e.to_string()))?;
    let (train, val) = sweep::prepare(&data);
    std::fs::create_dir_all(&config.data_dir).map_err(Error::io("creating", &config.data_dir))?;
    let layout = Layout::new(&config.data_dir);
    let scratch = tempdir_in(&config.data_dir)?;
    let mut runs = Vec::new();
    for spec in sweep::sweep() {
        clear_run(&layout, spec.name)?;
        let r = train_one(config, &spec, &train, &val, &scratch);
        runs.push(r);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let runs = runs.into_iter().collect::<Result<Vec<_>>>()?;
    aspara::index::rebuild(&config.data_dir)?;
    Ok(DemoOutcome {
        data_dir: config.data_dir.clone(),
        runs,
    })
}

/// A hidden scratch directory for the artifact files before the writer copies them in.
fn tempdir_in(dir: &std::path::Path) -> Result<PathBuf> {
    let p = dir.join(format!(".demo-scratch-{}", std::process::id()));
    std::fs::create_dir_all(&p).map_err(Error::io("creating", &p))?;
    Ok(p)
}

impl DemoOutcome {
    /// The human-readable report.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "trained {} runs into {}/{PROJECT}:",
            self.runs.len(),
            self.data_dir.display()
        );
        for r in &self.runs {
            let _ = writeln!(
                s,
                "  {:<30} {:<10} {:>3} epochs  train/loss {:>8.4} -> {:<8.4}  val/acc {:.3}",
                r.name, r.status, r.epochs, r.first_loss, r.last_loss, r.last_val_acc
            );
        }
        s
    }
}
