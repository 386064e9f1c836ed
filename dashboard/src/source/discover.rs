//! Finding projects and runs in a plain list of files (pure): what the dashboard does with a local
//! folder, where there is no `aspara-index.json` to read (FORMAT.md §1, §5).
//!
//! A project is a top-level directory whose name passes the project rule; a run is a
//! `<run>.jsonl`, `<run>.wal.jsonl` or `<run>.meta.json` directly inside it whose stem passes the
//! run rule. A run with only a meta file or only a metrics file is still listed (B20). Anything
//! else at those two levels is skipped and reported by name (B35: `<svg onload=…>`, `.queue`);
//! files deeper down (artifacts) and unrelated files such as `outside.txt` (B36) are ignored.

use aspara::format::names::is_valid_name;
use aspara::format::{FileStat, Manifest, ProjectEntry, RunEntry};
use std::collections::BTreeMap;

/// One file of the folder: its path relative to the data root (`/`-separated), size and mtime.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedFile {
    /// Path relative to the data root, e.g. `vision-demo/resnet-baseline.jsonl`.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time in ms.
    pub mtime: i64,
}

/// The result: a manifest to browse, and the entries that were skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// Projects and runs found (run details are filled in from the meta files later).
    pub manifest: Manifest,
    /// Skipped entries, each `path: reason`, sorted.
    pub skipped: Vec<String>,
}

/// Strips the folder's own name when every path starts with the same first segment and no known
/// data file sits at the top (what `webkitdirectory` gives: `chosen/vision-demo/x.jsonl`).
pub fn strip_common_root(paths: &[String]) -> Option<String> {
    let first = paths.first()?.split('/').next()?.to_owned();
    let all = paths
        .iter()
        .all(|p| p.split_once('/').is_some_and(|(head, _)| head == first));
    let depth_ok = paths.iter().any(|p| p.matches('/').count() >= 2);
    (all && depth_ok).then_some(first)
}

/// Builds the manifest from a file list.
pub fn discover(files: &[ListedFile], generated_at: i64) -> Discovery {
    #[derive(Default)]
    struct Acc {
        runs: BTreeMap<String, RunEntry>,
        has_meta: bool,
    }
    let mut projects: BTreeMap<String, Acc> = BTreeMap::new();
    let mut skipped = std::collections::BTreeSet::new();
    for f in files {
        let parts: Vec<&str> = f.path.split('/').filter(|s| !s.is_empty()).collect();
        let (project, file) = match parts.as_slice() {
            [p, file] => (*p, *file),
            [p, ..] if parts.len() > 2 => {
                if !is_valid_name(p) {
                    skipped.insert(format!("{p}/: invalid project name"));
                }
                continue;
            }
            _ => continue, // files at the root (aspara-index.json, README) are not projects
        };
        if !is_valid_name(project) {
            skipped.insert(format!("{project}/: invalid project name"));
            continue;
        }
        let acc = projects.entry(project.to_owned()).or_default();
        if file == "metadata.json" {
            acc.has_meta = true;
            continue;
        }
        let (stem, kind) = if let Some(s) = file.strip_suffix(".wal.jsonl") {
            (s, 1)
        } else if let Some(s) = file.strip_suffix(".jsonl") {
            (s, 0)
        } else if let Some(s) = file.strip_suffix(".meta.json") {
            (s, 2)
        } else {
            continue;
        };
        if !is_valid_name(stem) {
            skipped.insert(format!("{project}/{file}: invalid run name"));
            continue;
        }
        let run = acc.runs.entry(stem.to_owned()).or_insert_with(|| RunEntry {
            name: stem.to_owned(),
            status: "wip".into(),
            ..RunEntry::default()
        });
        let stat = Some(FileStat {
            size: f.size,
            mtime: f.mtime,
        });
        match kind {
            0 => run.jsonl = stat,
            1 => run.wal = stat,
            _ => run.meta = stat,
        }
    }
    let mut manifest = Manifest::new(generated_at);
    for (name, acc) in projects {
        if acc.runs.is_empty() && !acc.has_meta {
            continue;
        }
        manifest.projects.push(ProjectEntry {
            name,
            runs: acc.runs.into_values().collect(),
            ..ProjectEntry::default()
        });
    }
    Discovery {
        manifest,
        skipped: skipped.into_iter().collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    fn list(dir: &str) -> Vec<ListedFile> {
        fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<ListedFile>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let e = e.unwrap();
                let p = e.path();
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    let rel = p
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.push(ListedFile {
                        path: rel,
                        size: e.metadata().unwrap().len(),
                        mtime: 0,
                    });
                }
            }
        }
        let root =
            std::path::PathBuf::from(format!("{}/../../shared/{dir}", env!("CARGO_MANIFEST_DIR")));
        let mut out = Vec::new();
        walk(&root, &root, &mut out);
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    #[test]
    fn fixture_has_two_projects_and_three_vision_runs() {
        let d = discover(&list("fixtures/aspara-py-0.1.0"), 0);
        let names: Vec<&str> = d
            .manifest
            .projects
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["nlp_demo", "vision-demo"]);
        let runs: Vec<&str> = d.manifest.projects[1]
            .runs
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            runs,
            ["brave-dolphin-997", "resnet-baseline", "resnet-lr-high"]
        );
        let r = &d.manifest.projects[1].runs[1];
        assert!(r.jsonl.unwrap().size > 0 && r.meta.is_some());
        assert!(d.skipped.is_empty());
    }

    #[test]
    fn b35_bad_names_are_skipped_and_reported() {
        let files: Vec<ListedFile> = [
            "xss/run1.jsonl",
            "xss/run1.meta.json",
            "xss/metadata.json",
            "xss/run1/artifacts/report.html",
            "xss/<img src=x onerror=alert(1)>.jsonl",
            "<svg onload=alert(1)>/run1.jsonl",
            ".queue/xss/run1.queue.meta.json",
        ]
        .iter()
        .map(|p| ListedFile {
            path: p.to_string(),
            size: 1,
            mtime: 0,
        })
        .collect();
        let d = discover(&files, 0);
        assert_eq!(d.manifest.projects.len(), 1);
        assert_eq!(d.manifest.projects[0].runs.len(), 1);
        assert_eq!(d.manifest.projects[0].runs[0].name, "run1");
        assert_eq!(
            d.skipped,
            [
                ".queue/: invalid project name",
                "<svg onload=alert(1)>/: invalid project name",
                "xss/<img src=x onerror=alert(1)>.jsonl: invalid run name",
            ]
        );
    }

    #[test]
    fn b36_outside_txt_is_not_a_run() {
        let d = discover(&list("cases/B36-path-traversal-names/data"), 0);
        let runs: Vec<&str> = d.manifest.projects[0]
            .runs
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(runs, ["victim"]);
    }

    #[test]
    fn b20_meta_only_and_metrics_only_runs_are_listed() {
        let files: Vec<ListedFile> = [
            "p/a.jsonl",
            "p/b.meta.json",
            "p/c.jsonl",
            "p/c.meta.json",
            "p/d.wal.jsonl",
        ]
        .iter()
        .map(|p| ListedFile {
            path: p.to_string(),
            size: 0,
            mtime: 5,
        })
        .collect();
        let d = discover(&files, 0);
        let runs = &d.manifest.projects[0].runs;
        assert_eq!(runs.len(), 4);
        assert!(runs[0].meta.is_none() && runs[0].jsonl.is_some());
        assert!(runs[1].jsonl.is_none() && runs[1].meta.is_some());
        assert!(runs[3].wal.is_some());
    }

    #[test]
    fn common_root_of_a_picked_folder_is_stripped() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            strip_common_root(&p(&["data/vision-demo/a.jsonl", "data/nlp/b.jsonl"])),
            Some("data".into())
        );
        assert_eq!(
            strip_common_root(&p(&["vision-demo/a.jsonl", "nlp/b.jsonl"])),
            None
        );
        assert_eq!(
            strip_common_root(&p(&["vision-demo/a.jsonl", "vision-demo/b.jsonl"])),
            None
        );
    }
}
