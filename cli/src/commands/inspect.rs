//! `aspara inspect`: what the reader made of one run, line by line: records loaded, lines skipped by
//! reason with their line numbers, and per metric the points, finite min / max / last, non-finite
//! counts by kind, invalid values, steps going backwards and superseded repeats (FORMAT.md §6.2 skip
//! reasons, §6.4 series and summary, §6.5 load report).
//!
//! It runs the same `aspara::format::reader` the dashboard runs, so what it reports is what the
//! charts show.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aspara::format::reader::{self, InvalidValue, LoadReport, Summary};
use aspara::format::{RunMeta, names};
use aspara::layout::{Layout, RunFile};
use serde::Serialize;

use crate::args::InspectArgs;
use crate::{Error, Result};

/// The validated configuration: which files make up the run.
#[derive(Debug, Clone)]
pub struct InspectConfig {
    /// Project name (the metrics file's directory).
    pub project: String,
    /// Run name.
    pub run: String,
    /// `<run>.jsonl`.
    pub metrics: PathBuf,
    /// `<run>.wal.jsonl` (read when present).
    pub wal: PathBuf,
    /// `<run>.meta.json` (read when present).
    pub meta: PathBuf,
}

impl InspectArgs {
    /// Resolves `RUN.jsonl` (a path) or `PROJECT/RUN` (in the data directory).
    pub fn config(&self) -> Result<InspectConfig> {
        let as_path = Path::new(&self.run);
        let file_name = as_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(RunFile::Metrics(run)) = RunFile::classify(&file_name) {
            // A path to a metrics file: its directory is the project, and its parent the data dir.
            let abs = std::path::absolute(as_path).map_err(Error::io("resolving", as_path))?;
            let project_dir = abs.parent().unwrap_or(Path::new("/"));
            let project = project_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let root = project_dir.parent().unwrap_or(Path::new("/"));
            let layout = Layout::new(root);
            if !abs.is_file() {
                return Err(Error::BadArgument(format!(
                    "{} is not a file",
                    as_path.display()
                )));
            }
            return Ok(InspectConfig {
                metrics: abs.clone(),
                wal: layout.wal(&project, run),
                meta: layout.run_meta(&project, run),
                project,
                run: run.to_owned(),
            });
        }
        let neither = || {
            Error::BadArgument(format!(
                "'{}' is neither a <run>.jsonl file nor PROJECT/RUN",
                self.run
            ))
        };
        let Some((project, run)) = self.run.split_once('/') else {
            return Err(neither());
        };
        // A path such as `/etc/passwd` or `../x` is not a misspelt project name.
        if project.is_empty() || project.starts_with('.') || run.contains('/') {
            return Err(neither());
        }
        names::validate_project_name(project)?;
        names::validate_run_name(run)?;
        let dir = super::existing_data_dir(self.data.data_dir.as_deref())?;
        let layout = Layout::new(&dir);
        let cfg = InspectConfig {
            project: project.to_owned(),
            run: run.to_owned(),
            metrics: layout.metrics(project, run),
            wal: layout.wal(project, run),
            meta: layout.run_meta(project, run),
        };
        if !cfg.metrics.is_file() && !cfg.meta.is_file() && !cfg.wal.is_file() {
            return Err(Error::NoRun(self.run.clone()));
        }
        Ok(cfg)
    }
}

/// One metric's line in the report.
#[derive(Debug, Clone, Serialize)]
pub struct MetricReport {
    /// The metric name.
    pub name: String,
    /// Points, min/max/last (finite), counts by kind, invalid, superseded, non-monotonic.
    #[serde(flatten)]
    pub summary: Summary,
    /// The invalid values, with their line numbers (the first few).
    pub invalid_values: Vec<InvalidValue>,
}

/// Everything `inspect` reports.
#[derive(Debug, Clone, Serialize)]
pub struct InspectOutcome {
    /// Project name.
    pub project: String,
    /// Run name.
    pub run: String,
    /// The metrics file read.
    pub metrics_file: PathBuf,
    /// Whether a `.wal.jsonl` was read after it.
    pub wal_read: bool,
    /// The status shown now (`maybe_failed` derived), when a meta file exists.
    pub status: Option<String>,
    /// Why the meta file could not be read, when it could not.
    pub meta_error: Option<String>,
    /// The reader's load report.
    pub load: LoadReport,
    /// Per metric, sorted by name.
    pub metrics: Vec<MetricReport>,
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("reading", path)(e)),
    }
}

/// Reads the run and builds the report.
pub fn run(config: &InspectConfig) -> Result<InspectOutcome> {
    let main = read_optional(&config.metrics)?.unwrap_or_default();
    let wal = read_optional(&config.wal)?;
    let data = reader::read_run(&main, wal.as_deref().unwrap_or_default());
    let (status, meta_error) = match read_optional(&config.meta)? {
        Some(bytes) => {
            let (meta, err) = RunMeta::from_bytes_lossy(&bytes);
            (
                Some(meta.status(super::now_ms()).as_str().to_owned()),
                err.map(|e| e.to_string()),
            )
        }
        None => (None, None),
    };
    let metrics = data
        .metrics
        .iter()
        .map(|c| MetricReport {
            name: c.name.clone(),
            summary: c.summary(),
            invalid_values: c.invalid.clone(),
        })
        .collect();
    Ok(InspectOutcome {
        project: config.project.clone(),
        run: config.run.clone(),
        metrics_file: config.metrics.clone(),
        wal_read: wal.is_some(),
        status,
        meta_error,
        load: data.report,
        metrics,
    })
}

impl InspectOutcome {
    /// The human-readable report.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let l = &self.load;
        let _ = writeln!(
            s,
            "{}/{}  ({})",
            self.project,
            self.run,
            self.metrics_file.display()
        );
        if let Some(st) = &self.status {
            let _ = writeln!(s, "status: {st}");
        }
        if let Some(e) = &self.meta_error {
            let _ = writeln!(s, "metadata unreadable, shown with defaults: {e}");
        }
        let _ = writeln!(
            s,
            "{} bytes, {} lines: {} records loaded, {} skipped, {} blank{}{}",
            l.bytes,
            l.lines,
            l.records,
            l.skipped_total,
            l.blank_lines,
            if l.bom { ", UTF-8 BOM stripped" } else { "" },
            if self.wal_read {
                ", write-ahead log read"
            } else {
                ""
            },
        );
        for (reason, n) in &l.skipped_by_reason {
            let lines: Vec<String> = l
                .skipped
                .iter()
                .filter(|x| x.reason == *reason)
                .take(20)
                .map(|x| x.line.to_string())
                .collect();
            let more = if (*n as usize) > lines.len() {
                ", ..."
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "  skipped {n} ({reason}): line {}{more}",
                lines.join(", ")
            );
        }
        if self.metrics.is_empty() {
            let _ = writeln!(s, "no metrics");
            return s;
        }
        let rows: Vec<Vec<String>> = self
            .metrics
            .iter()
            .map(|m| {
                let x = &m.summary;
                vec![
                    if x.is_bool {
                        format!("{} (boolean)", m.name)
                    } else {
                        m.name.clone()
                    },
                    x.points.to_string(),
                    super::format_value(x.min),
                    super::format_value(x.max),
                    super::format_value(x.last),
                    x.nan.to_string(),
                    x.pos_inf.to_string(),
                    x.neg_inf.to_string(),
                    x.unknown.to_string(),
                    x.invalid.to_string(),
                    x.non_monotonic.to_string(),
                    x.superseded.to_string(),
                ]
            })
            .collect();
        s.push('\n');
        s.push_str(&super::table(
            &[
                "metric", "points", "min", "max", "last", "nan", "+inf", "-inf", "null", "invalid",
                "back", "dup",
            ],
            &rows,
        ));
        let _ = writeln!(
            s,
            "\nmin/max/last: finite values only (last = at the highest step); null: non-finite of unknown kind;\nback: records whose step is below the previous one; dup: earlier values superseded by a later write of the same step"
        );
        s
    }
}
