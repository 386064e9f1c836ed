//! The manifest on disk, `<data-dir>/aspara-index.json` (FORMAT.md §5): a full rebuild from the files
//! ([`scan_data_dir`]), a locked read-modify-write of one run's entry ([`update_run_entry`]), and
//! the locked atomic write ([`write_manifest`]).
//!
//! Static hosts have no directory listing, so the dashboard learns what exists from this file. The
//! writer keeps it current at run start, on metadata changes and at finish. Every update holds an
//! exclusive lock on `.aspara-index.lock` (fs4) and replaces the file atomically, so runs started at
//! once by many processes are all listed. A missing or unreadable manifest is rebuilt by a scan,
//! never an error. Scans skip (and count) hidden entries such as `.queue` and names that fail the
//! project/run rule (cases B20, B35).

use crate::atomic::{self, LockGuard};
use crate::format::manifest::{FileStat, Manifest, ProjectEntry, RunEntry};
use crate::format::reader;
use crate::format::{ProjectMeta, RunMeta, names};
use crate::layout::{Layout, RunFile};
use crate::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// An entry a scan left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path, relative to the data directory.
    pub path: String,
    /// Why it was left out.
    pub reason: String,
}

/// What a scan found besides the manifest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanReport {
    /// Projects listed.
    pub projects: usize,
    /// Runs listed.
    pub runs: usize,
    /// Entries left out (hidden, invalid names, symlinks leaving the data dir, unreadable).
    pub skipped: Vec<Skipped>,
    /// Problems in listed runs that did not stop them being listed (e.g. corrupt metadata, lines
    /// that are not records), as `(path, message)`.
    pub issues: Vec<(String, String)>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Size and mtime of `path`, when it is a file.
pub fn file_stat(path: &Path) -> Option<FileStat> {
    let md = std::fs::metadata(path).ok()?;
    if !md.is_file() {
        return None;
    }
    let mtime = md
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Some(FileStat {
        size: md.len(),
        mtime,
    })
}

/// A run's manifest entry from its metadata (if any), the metric names known, and the files' stats.
pub fn run_entry(
    layout: &Layout,
    project: &str,
    run: &str,
    meta: Option<&RunMeta>,
    metrics: impl IntoIterator<Item = String>,
) -> RunEntry {
    let mut names: Vec<String> = metrics.into_iter().collect();
    names.sort();
    names.dedup();
    let default = RunMeta::default();
    let m = meta.unwrap_or(&default);
    RunEntry {
        name: run.to_owned(),
        run_id: m.run_id.clone(),
        status: m.status.clone(),
        is_finished: m.is_finished,
        exit_code: m.exit_code,
        tags: m.tags.clone(),
        start_time: m.start_time,
        finish_time: m.finish_time,
        metrics: names,
        jsonl: file_stat(&layout.metrics(project, run)),
        wal: file_stat(&layout.wal(project, run)),
        meta: file_stat(&layout.run_meta(project, run)),
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned()
}

#[derive(Default)]
struct RunFiles {
    metrics: bool,
    meta: bool,
    wal: bool,
}

/// Rebuilds the manifest from the files of data directory `dir` (nothing is written).
pub fn scan_data_dir(dir: &Path) -> Result<(Manifest, ScanReport)> {
    let layout = Layout::new(dir);
    let mut report = ScanReport::default();
    let mut manifest = Manifest::new(now_ms());
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read directory", dir, e))?;
    let mut project_names = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else {
            report.skipped.push(Skipped {
                path: String::new(),
                reason: "unreadable directory entry".into(),
            });
            continue;
        };
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            report.skipped.push(Skipped {
                path: rel(dir, &path),
                reason: "name is not UTF-8".into(),
            });
            continue;
        };
        let is_dir = ft.is_dir() || (ft.is_symlink() && path.is_dir());
        if !is_dir {
            // The manifest itself, its lock file and stray files: not projects, not worth a report.
            continue;
        }
        if name.starts_with('.') {
            report.skipped.push(Skipped {
                path: name.to_owned(),
                reason: "hidden directory".into(),
            });
            continue;
        }
        if !names::is_valid_name(name) {
            report.skipped.push(Skipped {
                path: name.to_owned(),
                reason: "invalid project name".into(),
            });
            continue;
        }
        if layout.ensure_inside(&layout.project_dir(name)).is_err() {
            report.skipped.push(Skipped {
                path: name.to_owned(),
                reason: "symlink leading outside the data directory".into(),
            });
            continue;
        }
        project_names.push(name.to_owned());
    }
    project_names.sort();
    for project in project_names {
        let p = scan_project(&layout, &project, &mut report);
        report.runs += p.runs.len();
        manifest.projects.push(p);
    }
    report.projects = manifest.projects.len();
    Ok((manifest, report))
}

/// `path` is a regular file (after symlinks). Only those are read: opening a FIFO named like a run
/// file would block the scan, and with it `aspara ls`, `index` and every manifest `serve` builds.
fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn project_entry_head(layout: &Layout, project: &str, report: &mut ScanReport) -> ProjectEntry {
    let path = layout.project_meta(project);
    let mut meta = ProjectMeta::default();
    if std::fs::symlink_metadata(&path).is_ok() {
        let root = layout.root();
        if !is_regular_file(&path) {
            report
                .issues
                .push((rel(root, &path), "not a regular file; not read".into()));
        } else {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let (m, err) = ProjectMeta::from_bytes_lossy(&bytes);
                    if let Some(err) = err {
                        report.issues.push((rel(root, &path), err.to_string()));
                    }
                    meta = m;
                }
                Err(e) => report.issues.push((rel(root, &path), e.to_string())),
            }
        }
    }
    ProjectEntry {
        name: project.to_owned(),
        tags: meta.tags,
        notes: meta.notes,
        runs: Vec::new(),
    }
}

fn scan_project(layout: &Layout, project: &str, report: &mut ScanReport) -> ProjectEntry {
    let root = layout.root();
    let dir = layout.project_dir(project);
    let mut entry = project_entry_head(layout, project, report);
    let mut runs: BTreeMap<String, RunFiles> = BTreeMap::new();
    let listing = match std::fs::read_dir(&dir) {
        Ok(l) => l,
        Err(e) => {
            report.issues.push((rel(root, &dir), e.to_string()));
            return entry;
        }
    };
    for item in listing.flatten() {
        let name = item.file_name();
        let Some(name) = name.to_str() else {
            report.skipped.push(Skipped {
                path: rel(root, &item.path()),
                reason: "name is not UTF-8".into(),
            });
            continue;
        };
        let is_dir = item.file_type().map(|t| t.is_dir()).unwrap_or(false);
        let Some(kind) = RunFile::classify(name) else {
            if is_dir {
                continue; // `<run>/artifacts/`, Aspara's `<run>_archive/`: not run files.
            }
            if name.starts_with('.') && !name.starts_with(crate::layout::TEMP_PREFIX) {
                report.skipped.push(Skipped {
                    path: rel(root, &item.path()),
                    reason: "hidden file".into(),
                });
            }
            continue;
        };
        if !names::is_valid_name(kind.run()) {
            report.skipped.push(Skipped {
                path: rel(root, &item.path()),
                reason: "invalid run name".into(),
            });
            continue;
        }
        if item.file_type().map(|t| t.is_symlink()).unwrap_or(false)
            && layout.ensure_inside(&item.path()).is_err()
        {
            report.skipped.push(Skipped {
                path: rel(root, &item.path()),
                reason: "symlink leading outside the data directory".into(),
            });
            continue;
        }
        if !is_regular_file(&item.path()) {
            // A directory, FIFO, socket or device named like a run file (`r.jsonl/`).
            report.skipped.push(Skipped {
                path: rel(root, &item.path()),
                reason: "not a regular file".into(),
            });
            continue;
        }
        let files = runs.entry(kind.run().to_owned()).or_default();
        match kind {
            RunFile::Metrics(_) => files.metrics = true,
            RunFile::Meta(_) => files.meta = true,
            RunFile::Wal(_) => files.wal = true,
        }
    }
    for (run, files) in runs {
        if !files.metrics && !files.meta {
            // A lone WAL is still a run's data (Aspara's polars backend).
            if !files.wal {
                continue;
            }
        }
        let meta = if files.meta {
            let path = layout.run_meta(project, &run);
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let (m, err) = RunMeta::from_bytes_lossy(&bytes);
                    if let Some(err) = err {
                        report.issues.push((rel(root, &path), err.to_string()));
                    }
                    Some(m)
                }
                Err(e) => {
                    report.issues.push((rel(root, &path), e.to_string()));
                    None
                }
            }
        } else {
            None
        };
        let mut names = Vec::new();
        for (present, path) in [
            (files.metrics, layout.metrics(project, &run)),
            (files.wal, layout.wal(project, &run)),
        ] {
            if !present {
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => {
                    let data = reader::read_metrics(&bytes);
                    let skipped = data.report.skipped_total;
                    if skipped > 0 {
                        report.issues.push((
                            rel(root, &path),
                            format!("{skipped} line(s) are not records"),
                        ));
                    }
                    names.extend(data.metric_names().map(str::to_owned));
                }
                Err(e) => report.issues.push((rel(root, &path), e.to_string())),
            }
        }
        entry
            .runs
            .push(run_entry(layout, project, &run, meta.as_ref(), names));
    }
    entry
}

/// Reads the manifest of `dir`; `None` when it is missing or unreadable (then rebuild by a scan).
pub fn read_manifest(dir: &Path) -> Option<Manifest> {
    let bytes = std::fs::read(Layout::new(dir).manifest()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn encode(manifest: &Manifest, path: &Path) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec(manifest).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes `manifest` as `<dir>/aspara-index.json`, atomically, under the data directory's lock.
pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let layout = Layout::new(dir);
    let _lock = LockGuard::acquire(&layout.manifest_lock())?;
    write_unlocked(&layout, manifest)
}

fn write_unlocked(layout: &Layout, manifest: &Manifest) -> Result<()> {
    let path = layout.manifest();
    atomic::replace(&path, &encode(manifest, &path)?, 0o644)
}

/// Rebuilds the manifest of `dir` from its files and writes it (under the lock).
pub fn rebuild(dir: &Path) -> Result<ScanReport> {
    let layout = Layout::new(dir);
    let _lock = LockGuard::acquire(&layout.manifest_lock())?;
    let (manifest, report) = scan_data_dir(dir)?;
    write_unlocked(&layout, &manifest)?;
    Ok(report)
}

/// Replaces (or adds) the entry of run `entry.name` in project `project` of the manifest of `dir`,
/// refreshing the project's tags and notes from its metadata file. Read-modify-write under the
/// lock; a missing or unreadable manifest is first rebuilt by a scan.
pub fn update_run_entry(dir: &Path, project: &str, entry: RunEntry) -> Result<Manifest> {
    let layout = Layout::new(dir);
    let _lock = LockGuard::acquire(&layout.manifest_lock())?;
    let mut manifest = match read_manifest(dir) {
        Some(m) => m,
        None => scan_data_dir(dir)?.0,
    };
    // Problems in the project's metadata are reported by the next full scan (`aspara index`).
    let head = project_entry_head(&layout, project, &mut ScanReport::default());
    let pos = match manifest
        .projects
        .binary_search_by(|p| p.name.as_str().cmp(project))
    {
        Ok(i) => i,
        Err(i) => {
            manifest.projects.insert(i, head.clone());
            i
        }
    };
    let p = &mut manifest.projects[pos];
    p.tags = head.tags;
    p.notes = head.notes;
    match p.runs.binary_search_by(|r| r.name.cmp(&entry.name)) {
        Ok(i) => p.runs[i] = entry,
        Err(i) => p.runs.insert(i, entry),
    }
    manifest.generated_at = now_ms();
    write_unlocked(&layout, &manifest)?;
    Ok(manifest)
}

/// The metric names the manifest of `dir` lists for a run (kept across resumes).
pub fn known_metric_names(dir: &Path, project: &str, run: &str) -> Vec<String> {
    read_manifest(dir)
        .and_then(|m| {
            m.project(project)
                .and_then(|p| p.runs.iter().find(|r| r.name == run))
                .map(|r| r.metrics.clone())
        })
        .unwrap_or_default()
}

/// Merges `tags` into `<project>/metadata.json` (existing first, no duplicates, `created_at` kept,
/// `updated_at` now; reference §2.5 and §7 #34), under the data directory's lock.
pub fn merge_project_tags(
    layout: &Layout,
    project: &str,
    tags: &[String],
    now_ms: i64,
) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let _lock = LockGuard::acquire(&layout.manifest_lock())?;
    let path = layout.project_meta(project);
    let mut meta = match std::fs::read(&path) {
        Ok(b) => ProjectMeta::from_bytes_lossy(&b).0,
        Err(_) => ProjectMeta::default(),
    };
    meta.merge_tags(tags);
    let now = crate::format::time::format_naive_iso(now_ms);
    if meta.created_at.is_none() {
        meta.created_at = Some(now.clone());
    }
    meta.updated_at = Some(now);
    atomic::replace(&path, meta.to_json().as_bytes(), 0o600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let t = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &t);
            } else {
                std::fs::copy(e.path(), t).unwrap();
            }
        }
    }

    fn shared(rel: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared")
            .join(rel)
    }

    #[test]
    fn fifo_and_directory_named_like_run_files_are_skipped_not_read() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("p1");
        std::fs::create_dir_all(p.join("dir-run.jsonl")).unwrap();
        std::fs::write(
            p.join("ok.jsonl"),
            "{\"timestamp\": 1, \"step\": 0, \"metrics\": {\"a\": 1}}\n",
        )
        .unwrap();
        std::fs::write(p.join("metadata.json"), "{bad").unwrap();
        // A FIFO with no writer: reading it would block the scan for ever.
        let fifo = p.join("pipe.jsonl");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let (m, report) = scan_data_dir(d.path()).unwrap();
        let names: Vec<_> = m
            .project("p1")
            .unwrap()
            .runs
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(names, ["ok"]);
        let mut skipped: Vec<_> = report
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect();
        skipped.sort();
        assert_eq!(
            skipped,
            [
                ("p1/dir-run.jsonl", "not a regular file"),
                ("p1/pipe.jsonl", "not a regular file")
            ]
        );
        assert_eq!(report.issues.len(), 1, "{:?}", report.issues);
        assert_eq!(report.issues[0].0, "p1/metadata.json");
    }

    #[test]
    fn b20_meta_only_and_empty_runs_are_listed() {
        let (m, report) =
            scan_data_dir(&shared("cases/B20-empty-or-missing-metrics/data")).unwrap();
        let p = m.project("empty_runs").unwrap();
        let names: Vec<_> = p.runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["run-a", "run-b", "run-c", "run-d"]);
        assert_eq!(report.runs, 4);
        let b = &p.runs[1];
        assert!(b.jsonl.is_none() && b.meta.is_some());
        assert_eq!(b.start_time, Some(1735689600000));
        assert_eq!(p.runs[2].metrics, ["loss"]);
        assert_eq!(p.runs[3].status, "wip");
        assert_eq!(p.runs[3].jsonl.map(|s| s.size), Some(0));
    }

    #[test]
    fn b35_hidden_and_invalid_names_are_skipped_and_counted() {
        let d = tempfile::tempdir().unwrap();
        copy_dir(&shared("cases/B35-script-injection-strings/data"), d.path());
        std::fs::create_dir_all(d.path().join(".queue/xss")).unwrap();
        std::fs::write(d.path().join(".queue/xss/run1.queue.meta.json"), "{}").unwrap();
        std::fs::create_dir_all(d.path().join("<svg onload=alert(1)>")).unwrap();
        std::fs::write(d.path().join("<svg onload=alert(1)>/run1.jsonl"), "").unwrap();
        std::fs::write(d.path().join("xss/<img src=x onerror=alert(1)>.jsonl"), "").unwrap();
        let (m, report) = scan_data_dir(d.path()).unwrap();
        assert_eq!(m.projects.len(), 1);
        let p = m.project("xss").unwrap();
        assert_eq!(p.runs.len(), 1);
        assert_eq!(p.runs[0].name, "run1");
        assert_eq!(p.tags, ["<svg/onload=alert(7)>"]);
        let mut skipped: Vec<_> = report
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect();
        skipped.sort();
        assert_eq!(
            skipped,
            [
                (".queue", "hidden directory"),
                ("<svg onload=alert(1)>", "invalid project name"),
                ("xss/<img src=x onerror=alert(1)>.jsonl", "invalid run name"),
            ]
        );
    }

    #[test]
    fn fixture_scan_lists_everything() {
        let (m, report) = scan_data_dir(&shared("fixtures/aspara-py-0.1.0")).unwrap();
        assert_eq!(report.projects, 2);
        assert_eq!(report.runs, 6);
        let v = m.project("vision-demo").unwrap();
        assert_eq!(v.tags, ["cv", "demo"]);
        let r = v.runs.iter().find(|r| r.name == "resnet-baseline").unwrap();
        assert_eq!(r.metrics, ["train/acc", "train/loss", "val/loss"]);
        assert_eq!(r.run_id, "95840dd3f1b64ea1");
        assert_eq!(r.status, "completed");
        assert_eq!(r.jsonl.map(|s| s.size), Some(30669));
        // The NaN tokens of resnet-lr-high do not hide its metric names.
        let hi = v.runs.iter().find(|r| r.name == "resnet-lr-high").unwrap();
        assert_eq!(hi.metrics, ["train/acc", "train/loss", "val/loss"]);
        assert!(report.issues.is_empty(), "{:?}", report.issues);
    }

    #[test]
    fn update_adds_and_replaces_entries() {
        let d = tempfile::tempdir().unwrap();
        let l = Layout::new(d.path());
        std::fs::create_dir_all(l.project_dir("p")).unwrap();
        let mut e = RunEntry {
            name: "b".into(),
            ..Default::default()
        };
        update_run_entry(d.path(), "p", e.clone()).unwrap();
        e.name = "a".into();
        update_run_entry(d.path(), "p", e.clone()).unwrap();
        e.status = "completed".into();
        let m = update_run_entry(d.path(), "p", e).unwrap();
        assert_eq!(read_manifest(d.path()).unwrap(), m);
        let runs: Vec<_> = m.projects[0]
            .runs
            .iter()
            .map(|r| (r.name.as_str(), r.status.as_str()))
            .collect();
        assert_eq!(runs, [("a", "completed"), ("b", "")]);
        // A corrupt manifest is rebuilt, not an error.
        std::fs::write(l.manifest(), "{not json").unwrap();
        let m = update_run_entry(
            d.path(),
            "p",
            RunEntry {
                name: "c".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            m.projects[0]
                .runs
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            ["c"]
        );
    }
}
