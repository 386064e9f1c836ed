//! `aspara publish`: a self-contained static site that works unchanged on GitHub Pages or any static
//! host, and from a local folder:
//!
//! ```text
//! SITE/index.html + the dashboard's assets   (relative URLs only; trunk's public_url is "./")
//! SITE/aspara-index.json                      a fresh manifest listing only the chosen projects
//! SITE/<project>/...                          the projects' files, as in the data directory
//! SITE/.nojekyll                              so GitHub Pages serves every file as is
//! SITE/.aspara-site                           marks the directory as a publish (safe to replace)
//! ```
//!
//! Files keep their modification times, so the manifest's sizes and mtimes describe the copies.
//! The manifest lists exactly the copied projects (FORMAT.md §5.2). Hidden and invalid names (`.queue`,
//! `Bad Project`) are skipped and reported as FORMAT.md §1.2 asks of readers, and so is every symlink,
//! even one that stays inside (a site must not depend on links a host may not follow); cases B35, B36.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use aspara::format::Manifest;
use aspara::format::names;
use aspara::layout::{Layout, RunFile};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::args::PublishArgs;
use crate::{Error, Result, assets, catalog};

/// The marker file that says a directory is an earlier publish.
pub const MARKER_FILE: &str = ".aspara-site";
/// Copies above this many bytes show a progress bar (on a terminal).
pub const PROGRESS_THRESHOLD: u64 = 8 * 1024 * 1024;

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct PublishConfig {
    /// The data directory (exists).
    pub data_dir: PathBuf,
    /// The site directory.
    pub out: PathBuf,
    /// The projects to include; empty = all.
    pub projects: Vec<String>,
    /// Write into a non-empty directory that is not a publish.
    pub force: bool,
}

impl PublishArgs {
    /// Validates the arguments.
    pub fn config(&self) -> Result<PublishConfig> {
        for p in &self.projects {
            names::validate_project_name(p)?;
        }
        Ok(PublishConfig {
            data_dir: super::existing_data_dir(self.data.data_dir.as_deref())?,
            out: self.out.clone(),
            projects: self.projects.clone(),
            force: self.force,
        })
    }
}

/// A file left out.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Skip {
    /// Path relative to the data directory.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// What `publish` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct PublishOutcome {
    /// The site directory.
    pub out: PathBuf,
    /// Projects published.
    pub projects: Vec<String>,
    /// Runs published.
    pub runs: usize,
    /// Data files copied.
    pub files: usize,
    /// Data bytes copied.
    pub bytes: u64,
    /// Whether the dashboard was embedded (else a page says how to build it).
    pub dashboard_built: bool,
    /// Entries left out.
    pub skipped: Vec<Skip>,
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    match fs::read_dir(dir) {
        Ok(mut it) => Ok(it.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(Error::io("reading", dir)(e)),
    }
}

/// Removes what an earlier publish wrote, as listed in its marker (`entries`), and nothing else:
/// a `gh-pages` checkout keeps its `.git`, `CNAME` and any file the user added. Listed names are
/// checked before use, so a tampered marker cannot point outside the directory.
fn clear_previous(dir: &Path) -> Result<()> {
    let marker = dir.join(MARKER_FILE);
    let text = fs::read_to_string(&marker).map_err(Error::io("reading", &marker))?;
    let entries: Vec<String> = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("entries").cloned())
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    for name in entries {
        let safe = !name.is_empty()
            && name != "."
            && name != ".."
            && name != ".git"
            // Kept until the new one replaces it, so a publish that fails half-way can be rerun.
            && name != MARKER_FILE
            && !name.contains('/')
            && !name.contains('\\');
        if !safe {
            continue;
        }
        let path = dir.join(&name);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            fs::remove_dir_all(&path).map_err(Error::io("removing", &path))?;
        } else {
            fs::remove_file(&path).map_err(Error::io("removing", &path))?;
        }
    }
    Ok(())
}

/// `path` made absolute with its symlinks resolved, also when its tail does not exist yet: the
/// longest existing ancestor is canonicalised and the rest appended.
fn resolved(path: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(path).map_err(Error::io("resolving", path))?;
    let mut tail = Vec::new();
    let mut cur = abs.as_path();
    loop {
        if let Ok(real) = cur.canonicalize() {
            return Ok(tail.iter().rev().fold(real, |acc, c| acc.join(c)));
        }
        match (cur.parent(), cur.file_name()) {
            (Some(parent), Some(name)) => {
                tail.push(name.to_owned());
                cur = parent;
            }
            _ => return Ok(abs),
        }
    }
}

/// Refuses a site directory that is the data directory or lies inside it. Publishing there copies each
/// run file onto itself (truncating it to 0 bytes) and makes the next publish remove the project
/// directories it lists as its own, so the runs would be lost.
fn refuse_overlap(data_dir: &Path, out: &Path) -> Result<()> {
    let data = resolved(data_dir)?;
    let site = resolved(out)?;
    if site.starts_with(&data) {
        return Err(Error::BadArgument(format!(
            "--out {} is inside the data directory {}; publish to a directory outside it",
            out.display(),
            data.display()
        )));
    }
    Ok(())
}

/// One file to copy.
struct Copy {
    from: PathBuf,
    to: PathBuf,
    len: u64,
}

/// Lists what to copy for one project, skipping hidden/invalid names and symlinks.
fn plan_project(
    src: &Layout,
    dst: &Layout,
    project: &str,
    copies: &mut Vec<Copy>,
    skipped: &mut Vec<Skip>,
) -> Result<()> {
    let dir = src.project_dir(project);
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .map_err(Error::io("reading", &dir))?
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    let skip = |skipped: &mut Vec<Skip>, rel: String, reason: &str| {
        skipped.push(Skip {
            path: rel,
            reason: reason.to_owned(),
        })
    };
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = format!("{project}/{name}");
        let Ok(ft) = e.file_type() else { continue };
        if name.starts_with('.') {
            skip(skipped, rel, "hidden");
            continue;
        }
        if ft.is_symlink() {
            skip(skipped, rel, "symlink (not followed)");
            continue;
        }
        if ft.is_file() {
            let from = e.path();
            let wanted = if from == src.project_meta(project) {
                true
            } else {
                match RunFile::classify(&name) {
                    Some(f) if names::is_valid_name(f.run()) => true,
                    Some(_) => {
                        skip(skipped, rel, "invalid run name");
                        continue;
                    }
                    None => false,
                }
            };
            if !wanted {
                skip(skipped, rel, "not a run file");
                continue;
            }
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            copies.push(Copy {
                to: dst.project_dir(project).join(&name),
                from,
                len,
            });
        } else if ft.is_dir() {
            if !names::is_valid_name(&name) {
                skip(skipped, rel, "invalid run name");
                continue;
            }
            let art = src.artifacts_dir(project, &name);
            let Ok(files) = fs::read_dir(&art) else {
                continue;
            };
            let mut files: Vec<_> = files.flatten().collect();
            files.sort_by_key(|e| e.file_name());
            for f in files {
                let fname = f.file_name().to_string_lossy().into_owned();
                let frel = format!("{project}/{name}/artifacts/{fname}");
                let Ok(fft) = f.file_type() else { continue };
                if names::validate_artifact_name(&fname).is_err() {
                    skip(skipped, frel, "invalid artifact name");
                } else if !fft.is_file() {
                    skip(skipped, frel, "not a regular file");
                } else {
                    copies.push(Copy {
                        from: f.path(),
                        to: dst.artifact(project, &name, &fname),
                        len: f.metadata().map(|m| m.len()).unwrap_or(0),
                    });
                }
            }
        }
    }
    Ok(())
}

fn copy_file(c: &Copy) -> Result<()> {
    if let Some(parent) = c.to.parent() {
        fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
    }
    fs::copy(&c.from, &c.to).map_err(Error::io("copying", &c.from))?;
    // `fs::copy` keeps the source's mode, and run metadata is written 0600 (FORMAT.md §3.3). A site
    // is public by intent: a web server running as another user must be able to read every file, or
    // the dashboard gets 403 for each run's metadata.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&c.to, fs::Permissions::from_mode(0o644))
            .map_err(Error::io("setting permissions of", &c.to))?;
    }
    // Keep the source's mtime: the manifest's FileStat then describes the copy too.
    if let Ok(mtime) = fs::metadata(&c.from).and_then(|m| m.modified()) {
        if let Ok(f) = fs::File::options().write(true).open(&c.to) {
            let _ = f.set_modified(mtime);
        }
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
    }
    fs::write(path, bytes).map_err(Error::io("writing", path))
}

/// Writes the site. `progress` is shown for copies above [`PROGRESS_THRESHOLD`]; pass
/// [`ProgressBar::hidden`] in tests.
pub fn run(config: &PublishConfig, progress: ProgressBar) -> Result<PublishOutcome> {
    let out = &config.out;
    refuse_overlap(&config.data_dir, out)?;
    // Everything that can refuse is checked before the output directory is touched, so a failed
    // publish never removes or creates anything.
    let (manifest, report) = catalog::scan(&config.data_dir)?;
    let chosen: Vec<String> = if config.projects.is_empty() {
        manifest.projects.iter().map(|p| p.name.clone()).collect()
    } else {
        for p in &config.projects {
            if manifest.project(p).is_none() {
                return Err(Error::NoProject(p.clone()));
            }
        }
        config.projects.clone()
    };
    let reserved = assets::top_level_names();
    for p in &chosen {
        if reserved.contains(&p.as_str()) {
            return Err(Error::BadArgument(format!(
                "project '{p}' has the name of a dashboard file; rename it to publish it"
            )));
        }
    }
    if !is_empty_dir(out)? {
        if out.join(MARKER_FILE).is_file() {
            clear_previous(out)?;
        } else if !config.force {
            return Err(Error::NotASite(out.clone()));
        }
    }
    fs::create_dir_all(out).map_err(Error::io("creating", out))?;
    let mut skipped: Vec<Skip> = report
        .skipped
        .iter()
        .filter(|s| {
            !s.path.contains('/') || chosen.iter().any(|p| s.path.starts_with(&format!("{p}/")))
        })
        .map(|s| Skip {
            path: s.path.clone(),
            reason: s.reason.clone(),
        })
        .collect();

    let src = Layout::new(&config.data_dir);
    let dst = Layout::new(out);
    let mut copies = Vec::new();
    for p in &chosen {
        plan_project(&src, &dst, p, &mut copies, &mut skipped)?;
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.dedup();

    let total: u64 = copies.iter().map(|c| c.len).sum();
    if total >= PROGRESS_THRESHOLD {
        progress.set_length(total);
        progress.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        progress.set_message("copying runs");
    } else {
        progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    for c in &copies {
        copy_file(c)?;
        progress.inc(c.len);
    }
    progress.finish_and_clear();

    // The dashboard (or a page that says how to build it).
    let built = assets::dashboard_built();
    if built {
        for a in assets::all() {
            write(&out.join(a.path), a.bytes)?;
        }
    } else {
        write(&out.join("index.html"), assets::not_built_page().as_bytes())?;
    }

    let mut site = Manifest::new(super::now_ms());
    site.projects = manifest
        .projects
        .iter()
        .filter(|p| chosen.contains(&p.name))
        .cloned()
        .collect();
    let runs = site.projects.iter().map(|p| p.runs.len()).sum();
    write(&dst.manifest(), &catalog::encode(&site)?)?;
    write(&out.join(".nojekyll"), b"")?;
    // Every top-level entry this publish wrote, so the next one removes exactly these.
    let mut entries: Vec<String> = chosen.clone();
    entries.extend(
        assets::all()
            .map(|a| a.path.split('/').next().unwrap_or(a.path).to_owned())
            .chain(["index.html".to_owned()]),
    );
    entries.extend([
        layout_manifest_name(&dst),
        ".nojekyll".to_owned(),
        MARKER_FILE.to_owned(),
    ]);
    entries.sort();
    entries.dedup();
    let marker = serde_json::json!({
        "format": "aspara-site",
        "version": 1,
        "generated_at": site.generated_at,
        "projects": chosen,
        "entries": entries,
    });
    write(&out.join(MARKER_FILE), format!("{marker}\n").as_bytes())?;

    Ok(PublishOutcome {
        out: out.clone(),
        projects: chosen,
        runs,
        files: copies.len(),
        bytes: total,
        dashboard_built: built,
        skipped,
    })
}

/// The manifest's file name, as the layout places it at the site root.
fn layout_manifest_name(site: &Layout) -> String {
    site.manifest()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl PublishOutcome {
    /// The human-readable report.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "published {} project(s), {} run(s) ({} files, {} bytes) to {}",
            self.projects.len(),
            self.runs,
            self.files,
            self.bytes,
            self.out.display()
        );
        if !self.dashboard_built {
            let _ = writeln!(
                s,
                "warning: the dashboard was not built into this binary; index.html only explains how to {}",
                assets::BUILD_HINT
            );
        }
        for k in &self.skipped {
            let _ = writeln!(s, "  skipped {}: {}", k.path, k.reason);
        }
        let _ = writeln!(
            s,
            "open {}/index.html through any static web server, or push it to GitHub Pages",
            self.out.display()
        );
        s
    }
}
