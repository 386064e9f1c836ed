//! The tracker's side of remote mode: applying incoming calls to runs in a data directory with the
//! local writer's own code paths (a [`Run`] on the local sink, `format` encoders, `layout`, atomic
//! metadata replaces, manifest updates), so a tracked run is byte-for-byte a local run (FORMAT.md
//! §8). The HTTP layer (`aspara tracker`) is glue around [`Ingest`].
//!
//! Exactly-once: every request that changes a run ends with a *commit*: the run is flushed (lines
//! and metadata synced), then the hidden commit record `<project>/.<run>.tracker.json` is replaced
//! atomically with the metrics file's length and, per writer session, the highest `seq` applied;
//! only then does the tracker answer. A replayed operation (`seq` at or below the session's) is
//! skipped. If the tracker dies between appending and committing, the next open cuts the metrics
//! file back to the committed length: those lines were never confirmed, and the client resends
//! them. Runs are opened lazily and kept open until finished or [`Ingest::close_all`].

use crate::atomic;
use crate::error::IoContext;
use crate::format::meta::ARTIFACT_CATEGORIES;
use crate::format::{Artifact, RunMeta, Status, names};
use crate::index;
use crate::layout::Layout;
use crate::run::{
    ArtifactOptions, LogOptions, Resume, Run, Timestamp, step_from_json, timestamp_from_json,
};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// The commit record of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommitState {
    /// The metrics file's length at the last commit.
    pub metrics_len: u64,
    /// The highest `seq` applied, per writer session.
    pub sessions: BTreeMap<String, u64>,
}

/// What create-run is called with.
#[derive(Debug, Clone, Default)]
pub struct CreateArgs {
    /// Initial configuration.
    pub config: Map<String, Value>,
    /// Run tags.
    pub tags: Vec<String>,
    /// Run notes.
    pub notes: String,
    /// Tags merged into the project's metadata.
    pub project_tags: Vec<String>,
    /// Continue an existing run instead of answering "exists".
    pub resume: bool,
    /// The writer session and the create operation's `seq` (our client), for idempotent replays.
    pub session: Option<(String, u64)>,
}

/// What create-run answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    /// The run id.
    pub run_id: String,
    /// Where steps continue (0 for a new run).
    pub next_step: u64,
}

/// What a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchOutcome {
    /// Operations applied.
    pub applied: usize,
    /// Operations skipped as already applied (replays).
    pub duplicates: usize,
    /// The session's highest `seq` now.
    pub last_seq: u64,
}

/// A metadata change from Aspara's per-field endpoints.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaUpdate {
    /// Shallow-merge into the config.
    Config(Map<String, Value>),
    /// Shallow-merge into the summary.
    Summary(Map<String, Value>),
    /// Replace the tags.
    Tags(Vec<String>),
    /// Finish with this exit code.
    Finish(i64),
}

/// An uploaded artifact, staged in a temporary file.
#[derive(Debug, Clone)]
pub struct Upload<'a> {
    /// The staged bytes.
    pub file: &'a Path,
    /// The artifact name (checked here).
    pub name: &'a str,
    /// The uploaded file name, recorded as `original_path` (as Aspara's tracker does).
    pub original_name: &'a str,
    /// Free text.
    pub description: Option<String>,
    /// One of `code|model|config|data|other`.
    pub category: Option<String>,
    /// Writer session and `seq`, for idempotent replays.
    pub session: Option<(String, u64)>,
}

/// `(project, run)`.
type RunKey = (String, String);

#[derive(Default)]
struct Slot {
    run: Option<Run>,
    state: Option<CommitState>,
}

/// The runs a tracker writes (see the module doc).
pub struct Ingest {
    layout: Layout,
    slots: Mutex<HashMap<RunKey, Arc<Mutex<Slot>>>>,
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingest")
            .field("root", &self.layout.root())
            .finish()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a slot leaves it usable: its state is re-read from disk on demand.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Metric values from a JSON object: numbers, booleans as 1/0, and `null` as a non-finite value
/// (JSON has no NaN; it is written as `null`, as the local writer does). Anything else is refused
/// with Aspara's message (case B18).
pub fn metric_pairs(map: &Map<String, Value>) -> Result<Vec<(&str, f64)>> {
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        names::validate_metric_name(k)?;
        let x = match v {
            Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Null => f64::NAN,
            Value::String(_) => return Err(unsupported(k, "str")),
            Value::Array(_) => return Err(unsupported(k, "list")),
            Value::Object(_) => return Err(unsupported(k, "dict")),
        };
        out.push((k.as_str(), x));
    }
    Ok(out)
}

fn unsupported(key: &str, type_name: &'static str) -> Error {
    Error::UnsupportedValue {
        key: key.to_owned(),
        type_name,
    }
}

fn obj<'a>(v: &'a Value, key: &str) -> Result<Option<&'a Map<String, Value>>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Error::Protocol(format!("`{key}` must be an object"))),
    }
}

/// One batch operation, checked before anything is applied.
enum Parsed<'a> {
    Metrics {
        step: Option<u64>,
        timestamp: Option<i64>,
        pairs: Vec<(&'a str, f64)>,
    },
    Meta {
        config: Option<&'a Map<String, Value>>,
        summary: Option<&'a Map<String, Value>>,
        tags: Option<Vec<String>>,
        notes: Option<String>,
    },
    Finish(i64),
}

fn parse_op(v: &Value) -> Result<(u64, Parsed<'_>)> {
    let seq = v
        .get("seq")
        .and_then(Value::as_u64)
        .filter(|s| *s > 0)
        .ok_or_else(|| Error::Protocol("every operation needs `seq`, a positive integer".into()))?;
    let kind = v.get("op").and_then(Value::as_str).unwrap_or("");
    let parsed = match kind {
        "metrics" => Parsed::Metrics {
            step: v.get("step").map(step_from_json).transpose()?.flatten(),
            timestamp: v
                .get("timestamp")
                .map(timestamp_from_json)
                .transpose()?
                .flatten(),
            pairs: metric_pairs(obj(v, "metrics")?.ok_or_else(|| {
                Error::Protocol(format!("operation {seq}: `metrics` is required"))
            })?)?,
        },
        "meta" => Parsed::Meta {
            config: obj(v, "config")?,
            summary: obj(v, "summary")?,
            tags: match v.get("tags") {
                None | Some(Value::Null) => None,
                Some(t) => Some(serde_json::from_value(t.clone()).map_err(|_| {
                    Error::Protocol(format!("operation {seq}: `tags` must be a list of strings"))
                })?),
            },
            notes: match v.get("notes") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    return Err(Error::Protocol(format!(
                        "operation {seq}: `notes` must be a string"
                    )));
                }
            },
        },
        "finish" => Parsed::Finish(v.get("exit_code").and_then(Value::as_i64).unwrap_or(0)),
        other => {
            return Err(Error::Protocol(format!(
                "operation {seq}: unknown op {other:?} (batches carry metrics, meta and finish; runs are created and artifacts uploaded at their own endpoints)"
            )));
        }
    };
    Ok((seq, parsed))
}

impl Ingest {
    /// Serves the data directory `root` (created if missing).
    pub fn new(root: impl Into<PathBuf>) -> Result<Ingest> {
        let root = root.into();
        std::fs::create_dir_all(&root).ctx("create directory", &root)?;
        Ok(Ingest {
            layout: Layout::new(root),
            slots: Mutex::new(HashMap::new()),
        })
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        self.layout.root()
    }

    fn slot(&self, project: &str, run: &str) -> Result<Arc<Mutex<Slot>>> {
        names::validate_project_name(project)?;
        names::validate_run_name(run)?;
        let mut slots = lock(&self.slots);
        Ok(slots
            .entry((project.to_owned(), run.to_owned()))
            .or_default()
            .clone())
    }

    fn state<'a>(&self, slot: &'a mut Slot, project: &str, run: &str) -> &'a mut CommitState {
        let path = self.layout.tracker_state(project, run);
        slot.state.get_or_insert_with(|| {
            std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default()
        })
    }

    fn has_meta(&self, project: &str, run: &str) -> bool {
        self.layout.run_meta(project, run).is_file()
    }

    /// Opens the run for writing; cuts lines that were appended but never committed first.
    /// Opens a run for a metrics call. A finished run is continued only by an explicit create
    /// with `resume`: a late or replayed metrics call (single or batched) must not reopen it, which
    /// would turn `completed` back into `wip` and drop its exit code.
    fn open_for_metrics<'a>(
        &self,
        slot: &'a mut Slot,
        project: &str,
        run: &str,
    ) -> Result<&'a mut Run> {
        if slot.run.is_none()
            && self.has_meta(project, run)
            && self.read_meta(project, run)?.is_finished
        {
            return Err(Error::Finished);
        }
        self.open(slot, project, run, Resume::Allow)
    }

    fn open<'a>(
        &self,
        slot: &'a mut Slot,
        project: &str,
        run: &str,
        resume: Resume,
    ) -> Result<&'a mut Run> {
        if slot.run.is_none() {
            let state_path = self.layout.tracker_state(project, run);
            if state_path.exists() {
                let committed = self.state(slot, project, run).metrics_len;
                let metrics = self.layout.metrics(project, run);
                self.layout.ensure_inside(&metrics)?;
                if let Some(stat) = index::file_stat(&metrics) {
                    if stat.size > committed {
                        let f = std::fs::OpenOptions::new()
                            .write(true)
                            .open(&metrics)
                            .ctx("open", &metrics)?;
                        f.set_len(committed).ctx("truncate", &metrics)?;
                        f.sync_data().ctx("fsync", &metrics)?;
                    }
                }
            }
            let r = Run::builder(project)
                .name(run)
                .data_dir(self.layout.root())
                .tracker_uri("")
                .resume(resume)
                .start()?;
            slot.run = Some(r);
        }
        slot.run.as_mut().ok_or(Error::WriterStopped)
    }

    /// Flushes the run (if open) and writes the commit record.
    fn commit(&self, slot: &mut Slot, project: &str, run: &str) -> Result<()> {
        if let Some(r) = slot.run.as_mut() {
            r.flush()?;
        }
        let len = index::file_stat(&self.layout.metrics(project, run)).map_or(0, |s| s.size);
        let state = self.state(slot, project, run);
        state.metrics_len = len;
        let bytes = serde_json::to_vec(state).map_err(|e| Error::Protocol(e.to_string()))?;
        atomic::replace(&self.layout.tracker_state(project, run), &bytes, 0o600)
    }

    fn finish_slot(slot: &mut Slot, exit_code: i64) -> Result<()> {
        if let Some(mut r) = slot.run.take() {
            r.finish(exit_code)?;
        }
        Ok(())
    }

    /// Creates a run (Aspara's create-run; 409 semantics via [`Error::RunExists`]).
    pub fn create_run(&self, project: &str, run: &str, args: CreateArgs) -> Result<Created> {
        let slot = self.slot(project, run)?;
        let mut slot = lock(&slot);
        if let Some((session, seq)) = &args.session {
            let done = self
                .state(&mut slot, project, run)
                .sessions
                .get(session)
                .copied();
            if done.is_some_and(|d| d >= *seq) {
                // A replay of a create that succeeded (its answer was lost).
                let run_id = match &slot.run {
                    Some(r) => r.id().to_owned(),
                    None => self.read_meta(project, run)?.run_id,
                };
                let next_step = slot.run.as_ref().map_or(0, Run::step);
                return Ok(Created { run_id, next_step });
            }
        }
        if slot.run.is_none() {
            let exists = self.has_meta(project, run);
            if exists && !args.resume {
                return Err(Error::RunExists {
                    project: project.to_owned(),
                    run: run.to_owned(),
                });
            }
            if exists || self.layout.metrics(project, run).exists() {
                self.open(&mut slot, project, run, Resume::Allow)?;
                if let Some(r) = slot.run.as_mut() {
                    r.update_config(args.config)?;
                    if !args.tags.is_empty() {
                        r.set_tags(args.tags)?;
                    }
                    if !args.notes.is_empty() {
                        r.set_notes(args.notes)?;
                    }
                }
                if !args.project_tags.is_empty() {
                    index::merge_project_tags(&self.layout, project, &args.project_tags, now_ms())?;
                }
            } else {
                let r = Run::builder(project)
                    .name(run)
                    .config(Value::Object(args.config))
                    .tags(args.tags)
                    .notes(args.notes)
                    .project_tags(args.project_tags)
                    .data_dir(self.layout.root())
                    .tracker_uri("")
                    .start()?;
                slot.run = Some(r);
            }
        } else if !args.resume {
            return Err(Error::RunExists {
                project: project.to_owned(),
                run: run.to_owned(),
            });
        }
        if let Some((session, seq)) = args.session {
            let st = self.state(&mut slot, project, run);
            let e = st.sessions.entry(session).or_insert(0);
            *e = (*e).max(seq);
        }
        self.commit(&mut slot, project, run)?;
        let r = slot.run.as_ref().ok_or(Error::WriterStopped)?;
        Ok(Created {
            run_id: r.id().to_owned(),
            next_step: r.step(),
        })
    }

    /// Appends one record from Aspara's metrics endpoint: `{"metrics": {...}, "step": N|null,
    /// "timestamp": ms|ISO|null}` (other keys ignored). The run need not exist, as in Aspara.
    pub fn log_record(&self, project: &str, run: &str, record: &Value) -> Result<()> {
        let Value::Object(o) = record else {
            return Err(Error::MetricsNotObject("not an object"));
        };
        let metrics = obj(record, "metrics")?
            .ok_or_else(|| Error::Protocol("`metrics` is required".into()))?;
        let pairs = metric_pairs(metrics)?;
        let mut opts = LogOptions::new();
        opts.step = o.get("step").map(step_from_json).transpose()?.flatten();
        opts.timestamp = o
            .get("timestamp")
            .map(timestamp_from_json)
            .transpose()?
            .flatten()
            .map(Timestamp::Ms);
        let slot = self.slot(project, run)?;
        let mut slot = lock(&slot);
        self.open_for_metrics(&mut slot, project, run)?
            .log_with(pairs, opts)?;
        self.commit(&mut slot, project, run)
    }

    /// Applies a batch of operations from writer session `session`, in order, skipping those
    /// already applied. The whole batch is checked first: a malformed one changes nothing.
    pub fn apply_batch(
        &self,
        project: &str,
        run: &str,
        session: &str,
        ops: &[Value],
    ) -> Result<BatchOutcome> {
        if session.is_empty() || session.len() > 64 {
            return Err(Error::Protocol(
                "`session` must be 1 to 64 characters".into(),
            ));
        }
        let parsed = ops.iter().map(parse_op).collect::<Result<Vec<_>>>()?;
        let slot = self.slot(project, run)?;
        let mut slot = lock(&slot);
        let mut last = self
            .state(&mut slot, project, run)
            .sessions
            .get(session)
            .copied()
            .unwrap_or(0);
        let mut out = BatchOutcome::default();
        let mut result = Ok(());
        for (seq, op) in parsed {
            if seq <= last {
                out.duplicates += 1;
                continue;
            }
            let applied = match op {
                Parsed::Metrics {
                    step,
                    timestamp,
                    pairs,
                } => {
                    let mut opts = LogOptions::new();
                    opts.step = step;
                    opts.timestamp = timestamp.map(Timestamp::Ms);
                    self.open_for_metrics(&mut slot, project, run)
                        .and_then(|r| r.log_with(pairs, opts))
                }
                Parsed::Meta {
                    config,
                    summary,
                    tags,
                    notes,
                } => self.apply_meta(&mut slot, project, run, config, summary, tags, notes),
                Parsed::Finish(code) => self.finish_op(&mut slot, project, run, code),
            };
            if let Err(e) = applied {
                result = Err(e);
                break;
            }
            last = seq;
            out.applied += 1;
        }
        self.state(&mut slot, project, run)
            .sessions
            .insert(session.to_owned(), last);
        out.last_seq = last;
        // What was applied is committed even when a later operation failed.
        self.commit(&mut slot, project, run)?;
        result.map(|()| out)
    }

    #[allow(clippy::too_many_arguments)] // reason: one call site, the parsed op's fields
    fn apply_meta(
        &self,
        slot: &mut Slot,
        project: &str,
        run: &str,
        config: Option<&Map<String, Value>>,
        summary: Option<&Map<String, Value>>,
        tags: Option<Vec<String>>,
        notes: Option<String>,
    ) -> Result<()> {
        if let Some(r) = slot.run.as_mut() {
            if let Some(c) = config {
                r.update_config(c.clone())?;
            }
            if let Some(s) = summary {
                r.update_summary(s.clone())?;
            }
            if let Some(t) = tags {
                r.set_tags(t)?;
            }
            if let Some(n) = notes {
                r.set_notes(n)?;
            }
            return Ok(());
        }
        self.edit_meta(project, run, |m| {
            if let Some(c) = config {
                m.config.extend(c.clone());
            }
            if let Some(s) = summary {
                m.summary.extend(s.clone());
            }
            if let Some(t) = tags {
                m.tags = t;
            }
            if let Some(n) = notes {
                m.notes = n;
            }
        })
    }

    fn finish_op(&self, slot: &mut Slot, project: &str, run: &str, code: i64) -> Result<()> {
        if slot.run.is_some() {
            return Self::finish_slot(slot, code);
        }
        self.edit_meta(project, run, |m| {
            m.is_finished = true;
            m.exit_code = Some(code);
            m.finish_time = Some(now_ms());
            m.status = Status::from_exit_code(code).as_str().to_owned();
        })
    }

    fn read_meta(&self, project: &str, run: &str) -> Result<RunMeta> {
        let path = self.layout.run_meta(project, run);
        self.layout.ensure_inside(&path)?;
        match std::fs::read(&path) {
            Ok(b) => Ok(RunMeta::from_bytes_lossy(&b).0),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::RunNotFound {
                project: project.to_owned(),
                run: run.to_owned(),
            }),
            Err(e) => Err(Error::io("read", &path, e)),
        }
    }

    /// Changes the metadata of a run that is not open here (finished, or not yet reopened): read,
    /// change, replace atomically, refresh the manifest entry.
    fn edit_meta(&self, project: &str, run: &str, f: impl FnOnce(&mut RunMeta)) -> Result<()> {
        let mut meta = self.read_meta(project, run)?;
        f(&mut meta);
        atomic::replace(
            &self.layout.run_meta(project, run),
            meta.to_json().as_bytes(),
            0o600,
        )?;
        let names = index::known_metric_names(self.layout.root(), project, run);
        index::update_run_entry(
            self.layout.root(),
            project,
            index::run_entry(&self.layout, project, run, Some(&meta), names),
        )?;
        Ok(())
    }

    /// Applies one of Aspara's per-field metadata endpoints; the run must exist
    /// ([`Error::RunNotFound`] otherwise, Aspara's 404).
    pub fn update(&self, project: &str, run: &str, update: MetaUpdate) -> Result<()> {
        let slot = self.slot(project, run)?;
        let mut slot = lock(&slot);
        if slot.run.is_none() && !self.has_meta(project, run) {
            return Err(Error::RunNotFound {
                project: project.to_owned(),
                run: run.to_owned(),
            });
        }
        match update {
            MetaUpdate::Config(c) => {
                self.apply_meta(&mut slot, project, run, Some(&c), None, None, None)?
            }
            MetaUpdate::Summary(s) => {
                self.apply_meta(&mut slot, project, run, None, Some(&s), None, None)?
            }
            MetaUpdate::Tags(t) => {
                self.apply_meta(&mut slot, project, run, None, None, Some(t), None)?
            }
            MetaUpdate::Finish(code) => self.finish_op(&mut slot, project, run, code)?,
        }
        self.commit(&mut slot, project, run)
    }

    /// Stores an uploaded artifact and records it in the run's metadata; returns its size.
    pub fn store_artifact(&self, project: &str, run: &str, up: Upload<'_>) -> Result<u64> {
        names::validate_artifact_name(up.name)?;
        if let Some(c) = &up.category {
            if !ARTIFACT_CATEGORIES.contains(&c.as_str()) {
                return Err(Error::InvalidCategory(c.clone()));
            }
        }
        let slot = self.slot(project, run)?;
        let mut slot = lock(&slot);
        if slot.run.is_none() && !self.has_meta(project, run) {
            return Err(Error::RunNotFound {
                project: project.to_owned(),
                run: run.to_owned(),
            });
        }
        let size = std::fs::metadata(up.file).ctx("stat", up.file)?.len();
        if let Some((session, seq)) = &up.session {
            let done = self
                .state(&mut slot, project, run)
                .sessions
                .get(session)
                .copied();
            if done.is_some_and(|d| d >= *seq) {
                return Ok(size);
            }
        }
        let description = up.description.filter(|d| !d.is_empty());
        let category = up.category.filter(|c| !c.is_empty());
        if let Some(r) = slot.run.as_mut() {
            r.log_artifact(
                up.file,
                ArtifactOptions {
                    name: Some(up.name.to_owned()),
                    description,
                    category,
                    original_path: Some(up.original_name.to_owned()),
                },
            )?;
        } else {
            let dir = self.layout.artifacts_dir(project, run);
            let dest = self.layout.artifact(project, run, up.name);
            self.layout.ensure_inside(&dest)?;
            std::fs::create_dir_all(&dir).ctx("create directory", &dir)?;
            self.layout.ensure_inside(&dest)?;
            if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(Error::UnsafePath(dest));
            }
            std::fs::copy(up.file, &dest).ctx("copy artifact to", &dest)?;
            let name = up.name.to_owned();
            let original = up.original_name.to_owned();
            self.edit_meta(project, run, |m| {
                m.artifacts.push(Artifact {
                    stored_path: Layout::artifact_stored_path(&name),
                    name,
                    original_path: original,
                    file_size: size,
                    timestamp: now_ms(),
                    description,
                    category,
                });
            })?;
        }
        if let Some((session, seq)) = up.session {
            let st = self.state(&mut slot, project, run);
            let e = st.sessions.entry(session).or_insert(0);
            *e = (*e).max(seq);
        }
        self.commit(&mut slot, project, run)?;
        Ok(size)
    }

    /// Writes and syncs every open run and closes it without finishing it (graceful shutdown):
    /// the runs stay `wip` and continue when their writers come back.
    pub fn close_all(&self) -> Result<()> {
        let slots: Vec<_> = lock(&self.slots).drain().collect();
        let mut first = Ok(());
        for ((project, run), slot) in slots {
            let mut slot = lock(&slot);
            let r = self
                .commit(&mut slot, &project, &run)
                .and_then(|()| slot.run.take().map_or(Ok(()), Run::abandon));
            if first.is_ok() {
                first = r;
            }
        }
        first
    }

    /// How many runs are open.
    pub fn open_runs(&self) -> usize {
        lock(&self.slots)
            .values()
            .filter(|s| lock(s).run.is_some())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(v: Value) -> Vec<Value> {
        v.as_array().unwrap().clone()
    }

    #[test]
    fn batches_are_applied_once_and_uncommitted_lines_are_cut() {
        let d = tempfile::tempdir().unwrap();
        let ing = Ingest::new(d.path()).unwrap();
        let c = ing
            .create_run(
                "p",
                "r",
                CreateArgs {
                    session: Some(("s".into(), 1)),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(c.run_id.len(), 16);
        // A replayed create is answered, not refused.
        let again = ing
            .create_run(
                "p",
                "r",
                CreateArgs {
                    session: Some(("s".into(), 1)),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(again.run_id, c.run_id);
        assert!(matches!(
            ing.create_run("p", "r", CreateArgs::default()),
            Err(Error::RunExists { .. })
        ));
        let batch = ops(json!([
            {"seq": 2, "op": "metrics", "step": 0, "timestamp": 1000, "metrics": {"loss": 1.0}},
            {"seq": 3, "op": "metrics", "step": 1, "timestamp": 1001, "metrics": {"loss": null}},
            {"seq": 4, "op": "meta", "summary": {"best": 0.5}}
        ]));
        let o = ing.apply_batch("p", "r", "s", &batch).unwrap();
        assert_eq!((o.applied, o.duplicates, o.last_seq), (3, 0, 4));
        let o = ing.apply_batch("p", "r", "s", &batch).unwrap();
        assert_eq!((o.applied, o.duplicates, o.last_seq), (0, 3, 4));
        let lines = std::fs::read_to_string(d.path().join("p/r.jsonl")).unwrap();
        assert_eq!(
            lines,
            "{\"timestamp\": 1000, \"step\": 0, \"metrics\": {\"loss\": 1.0}}\n{\"timestamp\": 1001, \"step\": 1, \"metrics\": {\"loss\": null}}\n"
        );
        // A malformed batch changes nothing.
        let bad = ops(json!([
            {"seq": 5, "op": "metrics", "step": 2, "metrics": {"loss": 0.1}},
            {"seq": 6, "op": "metrics", "step": 3, "metrics": {"loss": "high"}}
        ]));
        assert!(matches!(
            ing.apply_batch("p", "r", "s", &bad),
            Err(Error::UnsupportedValue { .. })
        ));
        // Restart: lines appended after the last commit are cut on reopen.
        ing.close_all().unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(d.path().join("p/r.jsonl"))
            .unwrap();
        std::io::Write::write_all(
            &mut f,
            b"{\"timestamp\": 1002, \"step\": 2, \"metrics\": {\"loss\": 0.3}}\n",
        )
        .unwrap();
        drop(f);
        let ing = Ingest::new(d.path()).unwrap();
        let o = ing
            .apply_batch("p", "r", "s", &ops(json!([
                {"seq": 4, "op": "meta", "summary": {"best": 0.5}},
                {"seq": 5, "op": "metrics", "step": 2, "timestamp": 1002, "metrics": {"loss": 0.3}},
                {"seq": 6, "op": "finish", "exit_code": 0}
            ])))
            .unwrap();
        assert_eq!((o.applied, o.duplicates), (2, 1));
        let lines = std::fs::read_to_string(d.path().join("p/r.jsonl")).unwrap();
        assert_eq!(lines.lines().count(), 3);
        let meta =
            RunMeta::from_bytes(&std::fs::read(d.path().join("p/r.meta.json")).unwrap()).unwrap();
        assert_eq!(
            (meta.status.as_str(), meta.is_finished),
            ("completed", true)
        );
        assert_eq!(meta.summary.get("best"), Some(&json!(0.5)));
        assert_eq!(meta.run_id, c.run_id);
        // Config after finish edits the file directly and keeps the status.
        ing.update(
            "p",
            "r",
            MetaUpdate::Config(json!({"lr": 0.1}).as_object().unwrap().clone()),
        )
        .unwrap();
        let meta =
            RunMeta::from_bytes(&std::fs::read(d.path().join("p/r.meta.json")).unwrap()).unwrap();
        assert_eq!(
            (meta.status.as_str(), meta.config.get("lr")),
            ("completed", Some(&json!(0.1)))
        );
        assert!(matches!(
            ing.update("p", "nope", MetaUpdate::Finish(0)),
            Err(Error::RunNotFound { .. })
        ));
        // A batched metrics call after finish is refused, like a single one, and the run stays
        // completed with its exit code.
        ing.close_all().unwrap();
        let late = ops(json!([
            {"seq": 7, "op": "metrics", "step": 3, "timestamp": 1003, "metrics": {"loss": 0.2}}
        ]));
        assert!(matches!(
            ing.apply_batch("p", "r", "s", &late),
            Err(Error::Finished)
        ));
        let meta =
            RunMeta::from_bytes(&std::fs::read(d.path().join("p/r.meta.json")).unwrap()).unwrap();
        assert_eq!(
            (meta.status.as_str(), meta.exit_code),
            ("completed", Some(0))
        );
        assert_eq!(
            std::fs::read_to_string(d.path().join("p/r.jsonl"))
                .unwrap()
                .lines()
                .count(),
            3
        );
        assert!(matches!(
            ing.log_record("..", "r", &json!({"metrics": {}})),
            Err(Error::Name(_))
        ));
    }
}
