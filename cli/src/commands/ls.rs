//! `aspara ls`: the projects (name, runs, tags, last update), or one project's runs with the status a
//! reader shows now (`maybe_failed` derived, FORMAT.md §3.4), steps and last values.
//!
//! Projects and runs come from the same scan as the manifest, so `ls` lists what the dashboard lists;
//! steps and last values come from the reader.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use aspara::format::manifest::RunEntry;
use aspara::format::{RunMeta, names, reader};
use aspara::layout::Layout;
use serde::Serialize;

use crate::args::LsArgs;
use crate::{Error, Result, catalog};

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct LsConfig {
    /// The data directory (exists).
    pub data_dir: PathBuf,
    /// The project whose runs to list, if any (a valid name).
    pub project: Option<String>,
}

impl LsArgs {
    /// Validates the arguments.
    pub fn config(&self) -> Result<LsConfig> {
        if let Some(p) = &self.project {
            names::validate_project_name(p)?;
        }
        Ok(LsConfig {
            data_dir: super::existing_data_dir(self.data.data_dir.as_deref())?,
            project: self.project.clone(),
        })
    }
}

/// A run as the project listing shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunBrief {
    /// Name.
    pub name: String,
    /// The status shown now.
    pub status: String,
}

/// One project in the listing.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectRow {
    /// Name.
    pub name: String,
    /// Number of runs.
    pub run_count: usize,
    /// Its runs with their status, by name.
    pub runs: Vec<RunBrief>,
    /// Project tags.
    pub tags: Vec<String>,
    /// Latest modification of any run file, in ms.
    pub last_update: Option<i64>,
}

/// How many last values a run's row shows in the text table; a run with thousands of metrics would
/// otherwise print one line tens of kilobytes wide. `--json` lists them all.
pub const LAST_VALUES_SHOWN: usize = 6;

/// One run in the listing.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    /// Name.
    pub name: String,
    /// `run_id`.
    pub run_id: String,
    /// The status shown now.
    pub status: String,
    /// Run tags.
    pub tags: Vec<String>,
    /// Start time, ms.
    pub start_time: Option<i64>,
    /// Finish time, ms.
    pub finish_time: Option<i64>,
    /// Latest modification of the run's files, ms.
    pub last_update: Option<i64>,
    /// Records loaded.
    pub records: u64,
    /// Lines skipped by the reader.
    pub skipped_lines: u64,
    /// The highest step with a point.
    pub max_step: Option<u64>,
    /// Per metric, the finite value at the highest step (`null` when it has none).
    pub last: BTreeMap<String, Option<f64>>,
}

/// What `ls` prints.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum LsOutcome {
    /// `aspara ls`.
    Projects {
        /// The projects, by name.
        projects: Vec<ProjectRow>,
    },
    /// `aspara ls PROJECT`.
    Runs {
        /// The project.
        project: String,
        /// Its runs, by name.
        runs: Vec<RunRow>,
    },
}

fn run_last_update(r: &RunEntry) -> Option<i64> {
    [r.jsonl, r.wal, r.meta]
        .iter()
        .flatten()
        .map(|s| s.mtime)
        .max()
}

/// The status a reader shows at `now_ms` for a manifest entry (the rule of [`RunMeta::status`]).
pub fn derived_status(r: &RunEntry, now_ms: i64) -> aspara::format::Status {
    let meta = RunMeta {
        status: r.status.clone(),
        is_finished: r.is_finished,
        exit_code: r.exit_code,
        start_time: r.start_time,
        ..RunMeta::default()
    };
    meta.status(now_ms)
}

/// Lists projects or runs.
pub fn run(config: &LsConfig) -> Result<LsOutcome> {
    let (manifest, _report) = catalog::scan(&config.data_dir)?;
    let now = super::now_ms();
    let Some(name) = &config.project else {
        return Ok(LsOutcome::Projects {
            projects: manifest
                .projects
                .iter()
                .map(|p| ProjectRow {
                    name: p.name.clone(),
                    run_count: p.runs.len(),
                    runs: p
                        .runs
                        .iter()
                        .map(|r| RunBrief {
                            name: r.name.clone(),
                            status: derived_status(r, now).as_str().to_owned(),
                        })
                        .collect(),
                    tags: p.tags.clone(),
                    last_update: p.runs.iter().filter_map(run_last_update).max(),
                })
                .collect(),
        });
    };
    let project = manifest
        .project(name)
        .ok_or_else(|| Error::NoProject(name.clone()))?;
    let layout = Layout::new(&config.data_dir);
    let mut runs = Vec::new();
    for r in &project.runs {
        let read = |p: PathBuf| std::fs::read(p).unwrap_or_default();
        let data = reader::read_run(
            &read(layout.metrics(name, &r.name)),
            &read(layout.wal(name, &r.name)),
        );
        runs.push(RunRow {
            name: r.name.clone(),
            run_id: r.run_id.clone(),
            status: derived_status(r, now).as_str().to_owned(),
            tags: r.tags.clone(),
            start_time: r.start_time,
            finish_time: r.finish_time,
            last_update: run_last_update(r),
            records: data.report.records,
            skipped_lines: data.report.skipped_total,
            max_step: data.max_step(),
            last: data
                .metrics
                .iter()
                .map(|c| (c.name.clone(), c.summary().last))
                .collect(),
        });
    }
    Ok(LsOutcome::Runs {
        project: name.clone(),
        runs,
    })
}

impl LsOutcome {
    /// The human-readable table.
    pub fn render(&self) -> String {
        let mut s = String::new();
        match self {
            LsOutcome::Projects { projects } => {
                if projects.is_empty() {
                    s.push_str("no projects\n");
                }
                let rows: Vec<Vec<String>> = projects
                    .iter()
                    .map(|p| {
                        vec![
                            p.name.clone(),
                            p.run_count.to_string(),
                            super::format_ms(p.last_update),
                            p.tags.join(", "),
                        ]
                    })
                    .collect();
                s.push_str(&super::table(
                    &["PROJECT", "RUNS", "LAST UPDATE", "TAGS"],
                    &rows,
                ));
            }
            LsOutcome::Runs { project, runs } => {
                let _ = writeln!(s, "{project}: {} run(s)", runs.len());
                let rows: Vec<Vec<String>> = runs
                    .iter()
                    .map(|r| {
                        let last: Vec<String> = r
                            .last
                            .iter()
                            .take(LAST_VALUES_SHOWN)
                            .map(|(k, v)| format!("{k}={}", super::format_short(*v)))
                            .collect();
                        let mut last = last.join(" ");
                        if let Some(more) = r.last.len().checked_sub(LAST_VALUES_SHOWN) {
                            if more > 0 {
                                last.push_str(&format!(" … +{more} more (--json lists all)"));
                            }
                        }
                        if r.skipped_lines > 0 {
                            last.push_str(&format!("  ({} line(s) skipped)", r.skipped_lines));
                        }
                        vec![
                            r.name.clone(),
                            r.status.clone(),
                            r.records.to_string(),
                            r.max_step
                                .map(|x| x.to_string())
                                .unwrap_or_else(|| "-".into()),
                            super::format_ms(r.last_update),
                            last,
                        ]
                    })
                    .collect();
                s.push_str(&super::table(
                    &[
                        "RUN",
                        "STATUS",
                        "RECORDS",
                        "MAX STEP",
                        "LAST UPDATE",
                        "LAST VALUES",
                    ],
                    &rows,
                ));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metrics: usize) -> RunRow {
        RunRow {
            name: "wide".into(),
            run_id: "id".into(),
            status: "completed".into(),
            tags: Vec::new(),
            start_time: None,
            finish_time: None,
            last_update: None,
            records: 20,
            skipped_lines: 0,
            max_step: Some(19),
            last: (0..metrics)
                .map(|i| (format!("m/{i:04}"), Some(19.0)))
                .collect(),
        }
    }

    #[test]
    fn ls_text_caps_the_last_values_of_a_run_with_many_metrics() {
        let out = LsOutcome::Runs {
            project: "p".into(),
            runs: vec![row(5000), row(3)],
        }
        .render();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(
            lines[2].ends_with(
                "m/0000=19 m/0001=19 m/0002=19 m/0003=19 m/0004=19 m/0005=19 … +4994 more (--json lists all)"
            ),
            "{}",
            lines[2]
        );
        assert!(lines[2].chars().count() < 200);
        assert!(
            lines[3]
                .trim_end()
                .ends_with("m/0000=19 m/0001=19 m/0002=19"),
            "{}",
            lines[3]
        );
    }
}
