//! The manifest, `<data-dir>/aspara-index.json` (FORMAT.md §5): everything a static host with no
//! directory listing needs to show the projects and runs, and to know which run files grew.

use serde::{Deserialize, Serialize};

/// The manifest's file name, at the data directory's root.
pub const MANIFEST_FILE: &str = "aspara-index.json";
/// The value of `format`.
pub const MANIFEST_FORMAT: &str = "aspara-index";
/// The schema version this crate writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `aspara-index`.
    pub format: String,
    /// Schema version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// When it was written, in ms.
    pub generated_at: i64,
    /// Projects sorted by name.
    pub projects: Vec<ProjectEntry>,
}

/// One project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProjectEntry {
    /// Directory name.
    pub name: String,
    /// Project tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Project notes.
    #[serde(default)]
    pub notes: String,
    /// Runs sorted by name.
    #[serde(default)]
    pub runs: Vec<RunEntry>,
}

/// A file's size and modification time, so readers fetch only what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FileStat {
    /// Bytes.
    pub size: u64,
    /// Modification time in ms.
    pub mtime: i64,
}

/// One run: enough to list, filter and sort it without opening its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RunEntry {
    /// File stem of `<run>.jsonl` / `<run>.meta.json`.
    pub name: String,
    /// `run_id` from the meta file.
    #[serde(default)]
    pub run_id: String,
    /// The status word as written in the meta file; readers derive `maybe_failed` themselves.
    #[serde(default)]
    pub status: String,
    /// `is_finished` from the meta file.
    #[serde(default)]
    pub is_finished: bool,
    /// `exit_code` from the meta file.
    #[serde(default)]
    pub exit_code: Option<i64>,
    /// Run tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Start time in ms.
    #[serde(default)]
    pub start_time: Option<i64>,
    /// Finish time in ms.
    #[serde(default)]
    pub finish_time: Option<i64>,
    /// Metric names seen in the metrics file, sorted.
    #[serde(default)]
    pub metrics: Vec<String>,
    /// `<run>.jsonl`, when present.
    #[serde(default)]
    pub jsonl: Option<FileStat>,
    /// `<run>.wal.jsonl`, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wal: Option<FileStat>,
    /// `<run>.meta.json`, when present.
    #[serde(default)]
    pub meta: Option<FileStat>,
}

impl Manifest {
    /// An empty manifest stamped `generated_at`.
    pub fn new(generated_at: i64) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            version: MANIFEST_VERSION,
            generated_at,
            projects: Vec::new(),
        }
    }

    /// Finds a project by name.
    pub fn project(&self, name: &str) -> Option<&ProjectEntry> {
        self.projects.iter().find(|p| p.name == name)
    }
}
