//! Where every file lives inside a data directory (FORMAT.md §1): the only module that knows the file
//! names, so the writer, the command line and the tracker can never disagree about them.
//!
//! ```text
//! <data-dir>/aspara-index.json            manifest (FORMAT.md §5)
//! <data-dir>/.aspara-index.lock           lock file serialising manifest updates
//! <data-dir>/.queue/<project>/<run>/<session>.queue.jsonl      remote mode's offline queue (client)
//! <data-dir>/.queue/<project>/<run>/<session>.queue.meta.json  its state (tracker, run, acked seq)
//! <data-dir>/.queue/<project>/<run>/<session>.blobs/<seq>      artifact copies waiting for upload
//! <data-dir>/<project>/.<run>.tracker.json  the tracker's commit record of a run (FORMAT.md §8)
//! <data-dir>/<project>/metadata.json      project metadata
//! <data-dir>/<project>/<run>.jsonl        metrics lines
//! <data-dir>/<project>/<run>.meta.json    run metadata
//! <data-dir>/<project>/<run>.wal.jsonl    Aspara's polars write-ahead log (read, never written)
//! <data-dir>/<project>/<run>/artifacts/<name>
//! ```
//!
//! The path functions take names that have already passed `format::names`; [`Layout::ensure_inside`]
//! is the guard that refuses to follow a symlink out of the data directory (reference §7 #25).

use crate::format::manifest::MANIFEST_FILE as MANIFEST;
use std::path::{Path, PathBuf};

/// Suffix of a run's metrics file.
pub const METRICS_SUFFIX: &str = ".jsonl";
/// Suffix of a run's metadata file.
pub const META_SUFFIX: &str = ".meta.json";
/// Suffix of a polars-backend write-ahead log (same line format as the metrics file).
pub const WAL_SUFFIX: &str = ".wal.jsonl";
/// A project's metadata file name.
pub const PROJECT_META_FILE: &str = "metadata.json";
/// The folder below `<project>/<run>/` that holds artifact copies.
pub const ARTIFACTS_DIR: &str = "artifacts";
/// The manifest's file name.
pub const MANIFEST_FILE: &str = MANIFEST;
/// The lock file that serialises manifest read-modify-write cycles.
pub const MANIFEST_LOCK_FILE: &str = ".aspara-index.lock";
/// Remote mode's offline queue folder.
pub const QUEUE_DIR: &str = ".queue";
/// Suffix of an offline queue's journal.
pub const QUEUE_JOURNAL_SUFFIX: &str = ".queue.jsonl";
/// Suffix of an offline queue's state file.
pub const QUEUE_META_SUFFIX: &str = ".queue.meta.json";
/// Suffix of the tracker's hidden per-run commit record.
pub const TRACKER_STATE_SUFFIX: &str = ".tracker.json";
/// Prefix of temporary files of atomic replaces; readers ignore names starting with `.`.
pub const TEMP_PREFIX: &str = ".tmp_";

/// What a file inside a project directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunFile<'a> {
    /// `<run>.jsonl`.
    Metrics(&'a str),
    /// `<run>.meta.json`.
    Meta(&'a str),
    /// `<run>.wal.jsonl`.
    Wal(&'a str),
}

impl<'a> RunFile<'a> {
    /// Classifies a file name found in a project directory; `None` for anything that is not a run
    /// file (project metadata, temp files, other files). The stem is returned unvalidated.
    pub fn classify(file_name: &'a str) -> Option<RunFile<'a>> {
        if file_name.starts_with('.') {
            return None;
        }
        if let Some(stem) = file_name.strip_suffix(WAL_SUFFIX) {
            return Some(RunFile::Wal(stem));
        }
        if let Some(stem) = file_name.strip_suffix(META_SUFFIX) {
            return Some(RunFile::Meta(stem));
        }
        if file_name.ends_with(".meta.jsonl") {
            // Aspara's run counter excludes these too (reference §1.2); not a run.
            return None;
        }
        file_name.strip_suffix(METRICS_SUFFIX).map(RunFile::Metrics)
    }

    /// The run name.
    pub fn run(&self) -> &'a str {
        match *self {
            RunFile::Metrics(s) | RunFile::Meta(s) | RunFile::Wal(s) => s,
        }
    }
}

/// The paths of one data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// A layout rooted at `root` (normally the result of [`crate::data_dir::resolve`]).
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }
    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `<root>/<project>`.
    pub fn project_dir(&self, project: &str) -> PathBuf {
        self.root.join(project)
    }
    /// `<root>/<project>/metadata.json`.
    pub fn project_meta(&self, project: &str) -> PathBuf {
        self.project_dir(project).join(PROJECT_META_FILE)
    }
    /// `<root>/<project>/<run>.jsonl`.
    pub fn metrics(&self, project: &str, run: &str) -> PathBuf {
        self.project_dir(project)
            .join(format!("{run}{METRICS_SUFFIX}"))
    }
    /// `<root>/<project>/<run>.meta.json`.
    pub fn run_meta(&self, project: &str, run: &str) -> PathBuf {
        self.project_dir(project)
            .join(format!("{run}{META_SUFFIX}"))
    }
    /// `<root>/<project>/<run>.wal.jsonl`.
    pub fn wal(&self, project: &str, run: &str) -> PathBuf {
        self.project_dir(project).join(format!("{run}{WAL_SUFFIX}"))
    }
    /// `<root>/<project>/<run>` (holds `artifacts/`).
    pub fn run_dir(&self, project: &str, run: &str) -> PathBuf {
        self.project_dir(project).join(run)
    }
    /// `<root>/<project>/<run>/artifacts`.
    pub fn artifacts_dir(&self, project: &str, run: &str) -> PathBuf {
        self.run_dir(project, run).join(ARTIFACTS_DIR)
    }
    /// `<root>/<project>/<run>/artifacts/<name>`.
    pub fn artifact(&self, project: &str, run: &str, name: &str) -> PathBuf {
        self.artifacts_dir(project, run).join(name)
    }
    /// `artifacts/<name>`, the `stored_path` written in run metadata (reference §2.4).
    pub fn artifact_stored_path(name: &str) -> String {
        format!("{ARTIFACTS_DIR}/{name}")
    }
    /// `<root>/aspara-index.json`.
    pub fn manifest(&self) -> PathBuf {
        self.root.join(MANIFEST_FILE)
    }
    /// `<root>/.aspara-index.lock`.
    pub fn manifest_lock(&self) -> PathBuf {
        self.root.join(MANIFEST_LOCK_FILE)
    }
    /// `<root>/.queue`.
    pub fn queue_dir(&self) -> PathBuf {
        self.root.join(QUEUE_DIR)
    }
    /// `<root>/.queue/<project>/<run>`: the offline queues of one run, one per writer session.
    pub fn queue_run_dir(&self, project: &str, run: &str) -> PathBuf {
        self.queue_dir().join(project).join(run)
    }
    /// `<root>/.queue/<project>/<run>/<session>.queue.jsonl`: queued operations, one JSON line each.
    pub fn queue_journal(&self, project: &str, run: &str, session: &str) -> PathBuf {
        self.queue_run_dir(project, run)
            .join(format!("{session}{QUEUE_JOURNAL_SUFFIX}"))
    }
    /// `<root>/.queue/<project>/<run>/<session>.queue.meta.json`: the queue's state.
    pub fn queue_meta(&self, project: &str, run: &str, session: &str) -> PathBuf {
        self.queue_run_dir(project, run)
            .join(format!("{session}{QUEUE_META_SUFFIX}"))
    }
    /// `<root>/.queue/<project>/<run>/<session>.blobs`: artifact copies waiting for upload.
    pub fn queue_blobs(&self, project: &str, run: &str, session: &str) -> PathBuf {
        self.queue_run_dir(project, run)
            .join(format!("{session}.blobs"))
    }
    /// `<root>/<project>/.<run>.tracker.json`: what the tracker has committed for a run (the
    /// metrics file's length and the last sequence number applied per writer session). Hidden, so
    /// every reader skips it.
    pub fn tracker_state(&self, project: &str, run: &str) -> PathBuf {
        self.project_dir(project)
            .join(format!(".{run}{TRACKER_STATE_SUFFIX}"))
    }

    #[cfg(feature = "local")]
    /// Checks that `path`, a path below the root built by this layout, stays inside the root: no
    /// component is `..`, and no existing component between the root and `path` is a symlink whose
    /// target leaves the root (reference §7 #25; case B36). Missing components are fine, since
    /// the writer creates them as plain directories.
    pub fn ensure_inside(&self, path: &Path) -> Result<(), crate::Error> {
        use std::path::Component;
        let unsafe_path = || crate::Error::UnsafePath(path.to_path_buf());
        let rel = path.strip_prefix(&self.root).map_err(|_| unsafe_path())?;
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(unsafe_path());
        }
        let canon_root = std::fs::canonicalize(&self.root).ok();
        let mut cur = self.root.clone();
        for comp in rel.components() {
            cur.push(comp);
            match std::fs::symlink_metadata(&cur) {
                Ok(md) if md.file_type().is_symlink() => {
                    let (Some(root), Ok(target)) = (&canon_root, std::fs::canonicalize(&cur))
                    else {
                        return Err(unsafe_path());
                    };
                    if !target.starts_with(root) {
                        return Err(unsafe_path());
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        let l = Layout::new("/d");
        assert_eq!(l.metrics("p", "r"), Path::new("/d/p/r.jsonl"));
        assert_eq!(l.run_meta("p", "r"), Path::new("/d/p/r.meta.json"));
        assert_eq!(l.wal("p", "r"), Path::new("/d/p/r.wal.jsonl"));
        assert_eq!(l.project_meta("p"), Path::new("/d/p/metadata.json"));
        assert_eq!(
            l.artifact("p", "r", "m.pt"),
            Path::new("/d/p/r/artifacts/m.pt")
        );
        assert_eq!(l.manifest(), Path::new("/d/aspara-index.json"));
        assert_eq!(l.manifest_lock(), Path::new("/d/.aspara-index.lock"));
        assert_eq!(l.queue_dir(), Path::new("/d/.queue"));
        assert_eq!(
            l.queue_journal("p", "r", "s1"),
            Path::new("/d/.queue/p/r/s1.queue.jsonl")
        );
        assert_eq!(
            l.queue_meta("p", "r", "s1"),
            Path::new("/d/.queue/p/r/s1.queue.meta.json")
        );
        assert_eq!(
            l.queue_blobs("p", "r", "s1"),
            Path::new("/d/.queue/p/r/s1.blobs")
        );
        assert_eq!(l.tracker_state("p", "r"), Path::new("/d/p/.r.tracker.json"));
        assert_eq!(RunFile::classify(".r.tracker.json"), None);
        assert_eq!(Layout::artifact_stored_path("a.txt"), "artifacts/a.txt");
    }

    #[test]
    fn classify_run_files() {
        assert_eq!(RunFile::classify("a.jsonl"), Some(RunFile::Metrics("a")));
        assert_eq!(RunFile::classify("a.wal.jsonl"), Some(RunFile::Wal("a")));
        assert_eq!(RunFile::classify("a.meta.json"), Some(RunFile::Meta("a")));
        assert_eq!(RunFile::classify("metadata.json"), None);
        assert_eq!(RunFile::classify(".tmp_x.json"), None);
        assert_eq!(RunFile::classify("a.meta.jsonl"), None);
        assert_eq!(RunFile::classify("notes.txt"), None);
    }

    #[cfg(all(unix, feature = "local"))]
    #[test]
    fn symlink_out_of_root_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("proj")).unwrap();
        std::fs::create_dir(root.path().join("inner")).unwrap();
        std::os::unix::fs::symlink(root.path().join("inner"), root.path().join("alias")).unwrap();
        let l = Layout::new(root.path());
        assert!(matches!(
            l.ensure_inside(&l.metrics("proj", "r")),
            Err(crate::Error::UnsafePath(_))
        ));
        assert!(l.ensure_inside(&l.metrics("alias", "r")).is_ok());
        assert!(l.ensure_inside(&l.metrics("fresh", "r")).is_ok());
        assert!(l.ensure_inside(&root.path().join("../x")).is_err());
    }
}
