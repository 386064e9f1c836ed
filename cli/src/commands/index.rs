//! `aspara index`: rebuilds `aspara-index.json` from the files (the writer keeps it current, but a
//! copy, a crash or Python Aspara writing the directory leave it stale) and reports what it skipped.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use crate::Result;
use crate::args::IndexArgs;

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct IndexConfig {
    /// The data directory (exists).
    pub data_dir: PathBuf,
}

impl IndexArgs {
    /// Validates the arguments.
    pub fn config(&self) -> Result<IndexConfig> {
        Ok(IndexConfig {
            data_dir: super::existing_data_dir(self.data.data_dir.as_deref())?,
        })
    }
}

/// An entry the scan left out.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SkippedEntry {
    /// Path relative to the data directory.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// What `index` did.
#[derive(Debug, Clone, Serialize)]
pub struct IndexOutcome {
    /// The manifest written.
    pub manifest: PathBuf,
    /// Projects listed.
    pub projects: usize,
    /// Runs listed.
    pub runs: usize,
    /// Entries left out.
    pub skipped: Vec<SkippedEntry>,
    /// Problems in listed runs.
    pub issues: Vec<SkippedEntry>,
}

/// Rebuilds the manifest.
pub fn run(config: &IndexConfig) -> Result<IndexOutcome> {
    let report = aspara::index::rebuild(&config.data_dir)?;
    let entry = |(path, reason): (String, String)| SkippedEntry { path, reason };
    Ok(IndexOutcome {
        manifest: aspara::layout::Layout::new(&config.data_dir).manifest(),
        projects: report.projects,
        runs: report.runs,
        skipped: report
            .skipped
            .into_iter()
            .map(|s| entry((s.path, s.reason)))
            .collect(),
        issues: report.issues.into_iter().map(entry).collect(),
    })
}

impl IndexOutcome {
    /// The human-readable report.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "indexed {} project(s), {} run(s) -> {}",
            self.projects,
            self.runs,
            self.manifest.display()
        );
        if !self.skipped.is_empty() {
            let _ = writeln!(s, "skipped {} entr(ies):", self.skipped.len());
            for e in &self.skipped {
                let _ = writeln!(s, "  {}: {}", e.path, e.reason);
            }
        }
        if !self.issues.is_empty() {
            let _ = writeln!(s, "{} issue(s) in listed runs:", self.issues.len());
            for e in &self.issues {
                let _ = writeln!(s, "  {}: {}", e.path, e.reason);
            }
        }
        s
    }
}
