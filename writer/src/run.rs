//! A run: [`RunBuilder`] → [`Run`] → `log` … → `finish` (FORMAT.md §2–§3, reference §2.1, §3).
//!
//! The run owns the rules; its [`Sink`] owns the I/O. Every call is validated completely before
//! anything is sent, so a rejected call writes nothing and leaves the step counter alone (cases
//! B14, B18). Step semantics are Aspara's (reference §2.1): the counter starts at 0 (or at
//! `max(step)+1` of a resumed run, case B12), an explicit step sets it, each call writes the
//! current value, and `commit` (the default) increments it afterwards; an empty call writes nothing
//! but still increments. Metadata follows Aspara's layout and merge rules (shallow merges of config
//! and summary, replaced tags) and is rewritten on every change.

use crate::data_dir;
use crate::format::meta::ARTIFACT_CATEGORIES;
use crate::format::{Artifact, RunMeta, Status, names, time};
use crate::layout::Layout;
use crate::sink::local::{Durability, LocalSink};
use crate::sink::memory::MemorySink;
use crate::sink::{Existing, MetricId, MetricValues, Record, Sink};
use crate::{Error, Result};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Aspara's limit on the number of tags of a run or project.
pub const MAX_TAGS: usize = 100;
/// Aspara's limit on the length of notes, in characters.
pub const MAX_NOTES_CHARS: usize = 10240;

/// The adjectives of automatic run names (reference §3.4).
pub const NAME_ADJECTIVES: [&str; 14] = [
    "happy", "clever", "swift", "brave", "calm", "eager", "gentle", "kind", "lively", "proud",
    "quiet", "wise", "bold", "bright",
];
/// The nouns of automatic run names (reference §3.4).
pub const NAME_NOUNS: [&str; 14] = [
    "falcon", "tiger", "eagle", "wolf", "bear", "hawk", "lion", "dolphin", "phoenix", "dragon",
    "panda", "fox", "owl", "raven",
];

/// A fresh automatic run name, `adjective-noun-N` with N in 1..=999, as Aspara makes them.
pub fn auto_name() -> String {
    let adj = NAME_ADJECTIVES[fastrand::usize(..NAME_ADJECTIVES.len())];
    let noun = NAME_NOUNS[fastrand::usize(..NAME_NOUNS.len())];
    format!("{adj}-{noun}-{}", fastrand::u32(1..=999))
}

/// What `start` does when the run already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Resume {
    /// An existing run is an error ([`Error::RunExists`]).
    #[default]
    Never,
    /// Continue an existing run, or create it.
    Allow,
    /// Continue an existing run; a missing one is an error ([`Error::RunNotFound`]).
    Must,
}

/// When a record happened, if not now.
#[derive(Debug, Clone, PartialEq)]
pub enum Timestamp {
    /// UNIX milliseconds.
    Ms(i64),
    /// ISO-8601; naive means UTC (reference §7 #37).
    Iso(String),
}

impl From<i64> for Timestamp {
    fn from(ms: i64) -> Self {
        Timestamp::Ms(ms)
    }
}
impl From<&str> for Timestamp {
    fn from(s: &str) -> Self {
        Timestamp::Iso(s.to_owned())
    }
}
impl From<String> for Timestamp {
    fn from(s: String) -> Self {
        Timestamp::Iso(s)
    }
}

impl Timestamp {
    /// The time in UNIX ms, or [`Error::InvalidTimestamp`].
    pub fn to_ms(&self) -> Result<i64> {
        match self {
            Timestamp::Ms(ms) => Ok(*ms),
            Timestamp::Iso(s) => {
                time::parse_iso_ms(s).ok_or_else(|| Error::InvalidTimestamp(s.clone()))
            }
        }
    }
}

/// Options of one `log` call.
#[derive(Debug, Clone, PartialEq)]
pub struct LogOptions {
    /// Write at this step (and continue from it); `None` uses the run's counter.
    pub step: Option<u64>,
    /// Increment the counter after the call (`true`, the default); `false` keeps the step for the
    /// next call, so one step's metrics can be logged by several calls.
    pub commit: bool,
    /// When it happened; `None` is now.
    pub timestamp: Option<Timestamp>,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            step: None,
            commit: true,
            timestamp: None,
        }
    }
}

impl LogOptions {
    /// The defaults: the run's step, commit, now.
    pub fn new() -> LogOptions {
        LogOptions::default()
    }
    /// Sets the step.
    pub fn step(mut self, step: u64) -> LogOptions {
        self.step = Some(step);
        self
    }
    /// Sets whether the call commits the step.
    pub fn commit(mut self, commit: bool) -> LogOptions {
        self.commit = commit;
        self
    }
    /// Sets the timestamp (ms or an ISO-8601 string).
    pub fn timestamp(mut self, t: impl Into<Timestamp>) -> LogOptions {
        self.timestamp = Some(t.into());
        self
    }
}

/// Options of `log_artifact`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArtifactOptions {
    /// The stored name; defaults to the source's file name. Checked by the artifact name rule.
    pub name: Option<String>,
    /// Free text, recorded when non-empty.
    pub description: Option<String>,
    /// One of `code|model|config|data|other`.
    pub category: Option<String>,
    /// Recorded as `original_path` instead of the source's absolute path (the tracker records the
    /// uploaded file's name, as Aspara's does).
    pub original_path: Option<String>,
}

/// Reads a step from untyped input (JSON/HTTP): a non-negative integer or `null` (case B14).
pub fn step_from_json(v: &Value) -> Result<Option<u64>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| Error::InvalidStep(n.to_string())),
        other => Err(Error::InvalidStep(other.to_string())),
    }
}

/// Reads a timestamp from untyped input: ms (a float is truncated, as Aspara's `parse_to_ms`), an
/// ISO-8601 string, or `null`.
pub fn timestamp_from_json(v: &Value) -> Result<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| Error::InvalidTimestamp(n.to_string())),
        Value::String(s) => time::parse_iso_ms(s)
            .map(Some)
            .ok_or_else(|| Error::InvalidTimestamp(s.clone())),
        other => Err(Error::InvalidTimestamp(other.to_string())),
    }
}

fn python_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn check_tags(tags: &[String]) -> Result<()> {
    if tags.len() > MAX_TAGS {
        return Err(Error::Metadata(format!(
            "Too many tags: {} (max: {MAX_TAGS})",
            tags.len()
        )));
    }
    Ok(())
}

fn check_notes(notes: &str) -> Result<()> {
    let n = notes.chars().count();
    if n > MAX_NOTES_CHARS {
        return Err(Error::Metadata(format!(
            "notes exceeds maximum length: {n} characters (max: {MAX_NOTES_CHARS})"
        )));
    }
    Ok(())
}

fn new_run_id() -> String {
    let mut id = uuid::Uuid::new_v4().simple().to_string();
    id.truncate(16);
    id
}

/// Starts `aspara::init(project)`-style: a [`RunBuilder`] for a run in `project`.
pub fn init(project: impl Into<String>) -> RunBuilder {
    Run::builder(project)
}

/// Everything a run is started with.
#[derive(Debug, Clone)]
pub struct RunBuilder {
    project: String,
    name: Option<String>,
    config: Value,
    tags: Option<Vec<String>>,
    notes: Option<String>,
    project_tags: Vec<String>,
    data_dir: Option<PathBuf>,
    resume: Resume,
    durability: Durability,
    tracker_uri: Option<String>,
}

/// The environment variable naming a tracker to send runs to (remote mode).
pub const TRACKER_URI_ENV: &str = "ASPARA_TRACKER_URI";

impl RunBuilder {
    /// The run name (`^[a-zA-Z0-9_-]+$`); without one an automatic `adjective-noun-N` is chosen.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The configuration: a JSON object (`serde_json::json!({...})` or a `Map`).
    pub fn config(mut self, config: impl Into<Value>) -> Self {
        self.config = config.into();
        self
    }
    /// The run's tags (replacing those of a resumed run).
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }
    /// The run's notes (replacing those of a resumed run).
    pub fn notes(mut self, notes: impl Into<String>) -> Self {
        self.notes = Some(notes.into());
        self
    }
    /// Tags merged into the project's metadata (existing first, no duplicates).
    pub fn project_tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.project_tags = tags.into_iter().map(Into::into).collect();
        self
    }
    /// The data directory, overriding `ASPARA_DATA_DIR` and the default.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }
    /// What to do when the run exists (default [`Resume::Never`]).
    pub fn resume(mut self, resume: Resume) -> Self {
        self.resume = resume;
        self
    }
    /// When lines are made durable (default: synced at most once a second).
    pub fn durability(mut self, durability: Durability) -> Self {
        self.durability = durability;
        self
    }
    /// Sends the run to the tracker at `uri` (e.g. `http://127.0.0.1:3142/tracker`) instead of
    /// writing the data directory, which then only holds the offline queue (remote mode, feature
    /// `remote`). Without this, `ASPARA_TRACKER_URI` decides; an empty `uri` forces local mode
    /// whatever the environment says (the tracker itself uses that).
    pub fn tracker_uri(mut self, uri: impl Into<String>) -> Self {
        self.tracker_uri = Some(uri.into());
        self
    }

    /// The tracker to use: the builder's choice, else `ASPARA_TRACKER_URI`; `None` is local mode.
    fn chosen_tracker(&self) -> Option<String> {
        let uri = match &self.tracker_uri {
            Some(u) => u.clone(),
            None => std::env::var(TRACKER_URI_ENV).unwrap_or_default(),
        };
        let uri = uri.trim().to_owned();
        (!uri.is_empty()).then_some(uri)
    }

    fn validate(&self) -> Result<Map<String, Value>> {
        names::validate_project_name(&self.project)?;
        if let Some(n) = &self.name {
            names::validate_run_name(n)?;
        }
        if let Some(t) = &self.tags {
            check_tags(t)?;
        }
        check_tags(&self.project_tags)?;
        if let Some(n) = &self.notes {
            check_notes(n)?;
        }
        match &self.config {
            Value::Null => Ok(Map::new()),
            Value::Object(m) => Ok(m.clone()),
            other => Err(Error::Metadata(format!(
                "config must be a JSON object, got {}",
                value_kind(other)
            ))),
        }
    }

    /// Starts the run in the data directory. Names are checked before anything is created.
    pub fn start(self) -> Result<Run> {
        let config = self.validate()?;
        if let Some(uri) = self.chosen_tracker() {
            return self.start_remote(uri, config);
        }
        let root = data_dir::resolve(self.data_dir.as_deref())?;
        let layout = Layout::new(&root);
        let mut attempts = 0;
        let (name, sink, existing) = loop {
            let name = self.name.clone().unwrap_or_else(auto_name);
            let (sink, existing) =
                LocalSink::open(layout.clone(), &self.project, &name, self.durability)?;
            match (self.resume, existing.exists()) {
                (Resume::Never, true) if self.name.is_none() && attempts < 50 => {
                    attempts += 1;
                    continue;
                }
                (Resume::Never, true) => {
                    return Err(Error::RunExists {
                        project: self.project,
                        run: name,
                    });
                }
                (Resume::Must, false) => {
                    return Err(Error::RunNotFound {
                        project: self.project,
                        run: name,
                    });
                }
                _ => break (name, sink, existing),
            }
        };
        self.start_checked(name, config, Box::new(sink), existing, Some(root))
    }

    #[cfg(feature = "remote")]
    fn start_remote(self, uri: String, config: Map<String, Value>) -> Result<Run> {
        use crate::sink::remote::{CreateRequest, RemoteOptions, RemoteSink};
        let root = data_dir::resolve(self.data_dir.as_deref())?;
        let name = self.name.clone().unwrap_or_else(auto_name);
        let request = CreateRequest {
            project: self.project.clone(),
            run: name.clone(),
            run_id: new_run_id(),
            config: config.clone(),
            tags: self.tags.clone().unwrap_or_default(),
            notes: self.notes.clone().unwrap_or_default(),
            project_tags: self.project_tags.clone(),
            resume: self.resume,
            start_time: now_ms(),
        };
        let options = RemoteOptions::from_env(uri);
        let (sink, existing) = RemoteSink::connect(Layout::new(root), options, request)?;
        self.start_checked(name, config, Box::new(sink), existing, None)
    }

    #[cfg(not(feature = "remote"))]
    fn start_remote(self, uri: String, _config: Map<String, Value>) -> Result<Run> {
        Err(Error::Remote(format!(
            "a tracker ({uri}) was chosen, but this build of aspara has no `remote` feature"
        )))
    }

    /// Starts the run on a given sink (e.g. a future remote sink), with what the sink found of the
    /// run. The caller has applied the [`Resume`] rule.
    pub fn start_with_sink(self, sink: Box<dyn Sink>, existing: Existing) -> Result<Run> {
        let config = self.validate()?;
        let name = self.name.clone().unwrap_or_else(auto_name);
        self.start_checked(name, config, sink, existing, None)
    }

    /// Starts the run on a [`MemorySink`] (no files), returning the sink to inspect.
    pub fn start_in_memory(self) -> Result<(Run, MemorySink)> {
        let sink = MemorySink::new();
        let run = self.start_with_sink(Box::new(sink.clone()), Existing::default())?;
        Ok((run, sink))
    }

    fn start_checked(
        self,
        name: String,
        config: Map<String, Value>,
        mut sink: Box<dyn Sink>,
        existing: Existing,
        data_dir: Option<PathBuf>,
    ) -> Result<Run> {
        let now = now_ms();
        let meta = match existing.meta {
            // A resumed run keeps its id and start, and is in progress again (reference §3.4 [HEAD]).
            Some(mut m) => {
                if m.run_id.is_empty() {
                    m.run_id = new_run_id();
                }
                m.start_time = m.start_time.or(Some(now));
                if let Some(t) = self.tags {
                    m.tags = t;
                }
                if let Some(n) = self.notes {
                    m.notes = n;
                }
                m.config.extend(config);
                m.is_finished = false;
                m.exit_code = None;
                m.finish_time = None;
                m.status = Status::Wip.as_str().to_owned();
                m
            }
            None => RunMeta {
                run_id: new_run_id(),
                tags: self.tags.unwrap_or_default(),
                notes: self.notes.unwrap_or_default(),
                config,
                start_time: Some(now),
                ..RunMeta::default()
            },
        };
        sink.begin(&meta, &self.project_tags)?;
        Ok(Run {
            project: self.project,
            name,
            data_dir,
            meta,
            step: existing.next_step,
            finished: false,
            names: Names::default(),
            sink,
        })
    }
}

/// Interned metric names: id by name, plus the previous call's ids, so a loop logging the same
/// names every step costs one string compare per metric and no hashing or allocation.
#[derive(Default)]
struct Names {
    by_id: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, MetricId>,
    last: Vec<MetricId>,
    cur: Vec<MetricId>,
    new: Vec<Arc<str>>,
}

impl Names {
    /// The id of `name` at position `i` of the current call; a new name gets a provisional id
    /// that becomes real in [`Names::commit`].
    fn lookup(&mut self, i: usize, name: &str) -> MetricId {
        if let Some(&id) = self.last.get(i) {
            if &*self.by_id[id as usize] == name {
                return id;
            }
        }
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        if let Some(k) = self.new.iter().position(|n| &**n == name) {
            return (self.by_id.len() + k) as MetricId;
        }
        self.new.push(Arc::from(name));
        (self.by_id.len() + self.new.len() - 1) as MetricId
    }
}

/// A run being recorded. Dropping an unfinished run finishes it: `failed` (exit code 1) while
/// panicking, `completed` otherwise.
pub struct Run {
    project: String,
    name: String,
    data_dir: Option<PathBuf>,
    meta: RunMeta,
    step: u64,
    finished: bool,
    names: Names,
    sink: Box<dyn Sink>,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("project", &self.project)
            .field("name", &self.name)
            .field("run_id", &self.meta.run_id)
            .field("step", &self.step)
            .field("finished", &self.finished)
            .finish()
    }
}

impl Run {
    /// A builder for a run in `project`.
    pub fn builder(project: impl Into<String>) -> RunBuilder {
        RunBuilder {
            project: project.into(),
            name: None,
            config: Value::Object(Map::new()),
            tags: None,
            notes: None,
            project_tags: Vec::new(),
            data_dir: None,
            resume: Resume::Never,
            durability: Durability::default(),
            tracker_uri: None,
        }
    }

    /// The project name.
    pub fn project(&self) -> &str {
        &self.project
    }
    /// The run name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The 16-hex run id.
    pub fn id(&self) -> &str {
        &self.meta.run_id
    }
    /// The data directory (`None` for a run on a non-local sink).
    pub fn data_dir(&self) -> Option<&Path> {
        self.data_dir.as_deref()
    }
    /// The current metadata.
    pub fn meta(&self) -> &RunMeta {
        &self.meta
    }
    /// The step the next call without an explicit step writes at.
    pub fn step(&self) -> u64 {
        self.step
    }
    /// Whether `finish` was called.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Logs metrics at the run's step (or `step`), committing it.
    ///
    /// ```no_run
    /// # fn f(run: &mut aspara::Run) -> aspara::Result<()> {
    /// run.log([("loss", 0.25), ("acc", 0.9)], None)?;
    /// run.log(&[("val/loss", 0.3)], Some(10))?;
    /// # Ok(()) }
    /// ```
    pub fn log<I, K>(&mut self, metrics: I, step: Option<u64>) -> Result<()>
    where
        I: IntoIterator,
        I::Item: MetricPair<K>,
        K: AsRef<str>,
    {
        self.log_inner(metrics, step, true, None)
    }

    /// Logs metrics with [`LogOptions`] (explicit step, `commit(false)`, timestamp).
    pub fn log_with<I, K>(&mut self, metrics: I, options: LogOptions) -> Result<()>
    where
        I: IntoIterator,
        I::Item: MetricPair<K>,
        K: AsRef<str>,
    {
        let ts = options
            .timestamp
            .as_ref()
            .map(Timestamp::to_ms)
            .transpose()?;
        self.log_inner(metrics, options.step, options.commit, ts)
    }

    /// Logs an untyped JSON object of metrics. Every value must be a number (a boolean counts as
    /// 1/0); anything else rejects the whole call with Aspara's message (case B18).
    pub fn log_json(&mut self, metrics: &Value, options: LogOptions) -> Result<()> {
        let Value::Object(map) = metrics else {
            return Err(Error::MetricsNotObject(value_kind(metrics)));
        };
        let mut pairs: Vec<(&str, f64)> = Vec::with_capacity(map.len());
        for (k, v) in map {
            names::validate_metric_name(k)?;
            let x = match v {
                Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
                Value::Bool(b) => f64::from(u8::from(*b)),
                other => {
                    return Err(Error::UnsupportedValue {
                        key: k.clone(),
                        type_name: python_type_name(other),
                    });
                }
            };
            pairs.push((k.as_str(), x));
        }
        self.log_with(pairs, options)
    }

    /// Logs one untyped record `{"metrics": {...}, "step": N|null, "timestamp": ms|ISO|null,
    /// "commit": bool}` (the tracker's body shape). The step must be a non-negative integer (case
    /// B14); unknown keys such as `type`, `run` and `project` are ignored.
    pub fn log_record_json(&mut self, record: &Value) -> Result<()> {
        let Value::Object(o) = record else {
            return Err(Error::MetricsNotObject(value_kind(record)));
        };
        let step = o.get("step").map(step_from_json).transpose()?.flatten();
        let ts = o
            .get("timestamp")
            .map(timestamp_from_json)
            .transpose()?
            .flatten();
        let commit = match o.get("commit") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(Error::Metadata(format!(
                    "commit must be a boolean, got {}",
                    value_kind(other)
                )));
            }
        };
        let mut opts = LogOptions::new().commit(commit);
        opts.step = step;
        opts.timestamp = ts.map(Timestamp::Ms);
        let empty = Value::Object(Map::new());
        self.log_json(o.get("metrics").unwrap_or(&empty), opts)
    }

    fn log_inner<I, K>(
        &mut self,
        metrics: I,
        step: Option<u64>,
        commit: bool,
        timestamp_ms: Option<i64>,
    ) -> Result<()>
    where
        I: IntoIterator,
        I::Item: MetricPair<K>,
        K: AsRef<str>,
    {
        if self.finished {
            return Err(Error::Finished);
        }
        let current = step.unwrap_or(self.step);
        let next = if commit {
            current
                .checked_add(1)
                .ok_or_else(|| Error::InvalidStep(format!("{current} + 1 overflows")))?
        } else {
            current
        };
        let mut values = MetricValues::new();
        self.names.new.clear();
        self.names.cur.clear();
        for (i, pair) in metrics.into_iter().enumerate() {
            let (name, value) = pair.into_pair();
            let name = name.as_ref();
            if name.is_empty() {
                // Nothing was sent yet, and the provisional names are dropped (case B18).
                self.names.new.clear();
                return Err(names::NameError::EmptyMetric.into());
            }
            let id = self.names.lookup(i, name);
            self.names.cur.push(id);
            values.push(id, value);
        }
        // All valid: make new names real, then send.
        for name in std::mem::take(&mut self.names.new) {
            let id = self.names.by_id.len() as MetricId;
            self.sink.register_metric(id, &name)?;
            self.names.ids.insert(name.clone(), id);
            self.names.by_id.push(name);
        }
        std::mem::swap(&mut self.names.last, &mut self.names.cur);
        if !values.is_empty() {
            self.sink.append(Record {
                timestamp_ms: timestamp_ms.unwrap_or_else(now_ms),
                step: current,
                metrics: values,
            })?;
        }
        self.step = next;
        Ok(())
    }

    fn ensure_open(&self) -> Result<()> {
        if self.finished {
            Err(Error::Finished)
        } else {
            Ok(())
        }
    }

    fn meta_changed(&mut self) -> Result<()> {
        self.sink.update_meta(&self.meta)
    }

    /// Shallow-merges `values` into the summary (Aspara's `run.summary.update`).
    pub fn update_summary(&mut self, values: Map<String, Value>) -> Result<()> {
        self.ensure_open()?;
        self.meta.summary.extend(values);
        self.meta_changed()
    }
    /// Sets one summary value.
    pub fn set_summary(&mut self, key: impl Into<String>, value: impl Into<Value>) -> Result<()> {
        self.ensure_open()?;
        self.meta.summary.insert(key.into(), value.into());
        self.meta_changed()
    }
    /// Shallow-merges `values` into the config.
    pub fn update_config(&mut self, values: Map<String, Value>) -> Result<()> {
        self.ensure_open()?;
        self.meta.config.extend(values);
        self.meta_changed()
    }
    /// Sets one config value.
    pub fn set_config(&mut self, key: impl Into<String>, value: impl Into<Value>) -> Result<()> {
        self.ensure_open()?;
        self.meta.config.insert(key.into(), value.into());
        self.meta_changed()
    }
    /// Replaces the tags.
    pub fn set_tags<I, S>(&mut self, tags: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ensure_open()?;
        let tags: Vec<String> = tags.into_iter().map(Into::into).collect();
        check_tags(&tags)?;
        self.meta.tags = tags;
        self.meta_changed()
    }
    /// Replaces the notes.
    pub fn set_notes(&mut self, notes: impl Into<String>) -> Result<()> {
        self.ensure_open()?;
        let notes = notes.into();
        check_notes(&notes)?;
        self.meta.notes = notes;
        self.meta_changed()
    }

    /// Copies the regular file at `path` into the run's `artifacts/` and records it. The name (given
    /// or the file name) and the category are checked before anything touches the disk (case B36).
    pub fn log_artifact(&mut self, path: impl AsRef<Path>, options: ArtifactOptions) -> Result<()> {
        self.ensure_open()?;
        let path = path.as_ref();
        if path.as_os_str().is_empty() {
            return Err(Error::ArtifactSource("File path cannot be empty".into()));
        }
        let name = match &options.name {
            Some(n) => n.clone(),
            None => path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_owned)
                .ok_or_else(|| {
                    Error::ArtifactSource(format!("Path has no file name: {}", path.display()))
                })?,
        };
        names::validate_artifact_name(&name)?;
        if let Some(c) = &options.category {
            if !ARTIFACT_CATEGORIES.contains(&c.as_str()) {
                return Err(Error::InvalidCategory(c.clone()));
            }
        }
        let abs = std::path::absolute(path).map_err(|e| Error::io("resolve", path, e))?;
        match std::fs::metadata(&abs) {
            Ok(md) if md.is_file() => {}
            Ok(_) => {
                return Err(Error::ArtifactSource(format!(
                    "Path is not a file: {}",
                    path.display()
                )));
            }
            Err(_) => {
                return Err(Error::ArtifactSource(format!(
                    "File does not exist: {}",
                    path.display()
                )));
            }
        }
        let size = self.sink.store_artifact(&abs, &name)?;
        self.meta.artifacts.push(Artifact {
            stored_path: Layout::artifact_stored_path(&name),
            name,
            original_path: options
                .original_path
                .unwrap_or_else(|| abs.to_string_lossy().into_owned()),
            file_size: size,
            timestamp: now_ms(),
            description: options.description.filter(|d| !d.is_empty()),
            category: options.category.filter(|c| !c.is_empty()),
        });
        self.meta_changed()
    }

    /// Waits until everything logged so far is written and durable; reports background failures.
    pub fn flush(&mut self) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.sink.flush()
    }

    /// Stops recording without finishing, as if the process had died: everything logged so far is
    /// written and synced, and the metadata keeps status `wip` (readers show `maybe_failed` once the
    /// run is an hour old). A later start with [`Resume::Allow`] continues the run. The tracker uses this to
    /// shut down without marking the runs it holds as completed.
    pub fn abandon(mut self) -> Result<()> {
        let flushed = self.sink.flush();
        // Keeps `Drop` from finishing the run; dropping the sink stops its thread.
        self.finished = true;
        flushed
    }

    /// Finishes the run: status `completed` for exit code 0, else `failed`; drains and syncs.
    /// A second call does nothing.
    pub fn finish(&mut self, exit_code: i64) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.meta.is_finished = true;
        self.meta.exit_code = Some(exit_code);
        self.meta.finish_time = Some(now_ms());
        self.meta.status = Status::from_exit_code(exit_code).as_str().to_owned();
        self.sink.finish(&self.meta)
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if !self.finished {
            let code = if std::thread::panicking() { 1 } else { 0 };
            if let Err(e) = self.finish(code) {
                eprintln!(
                    "aspara: finishing run {}/{} failed: {e}",
                    self.project, self.name
                );
            }
        }
    }
}

/// A `(name, value)` item accepted by `log`: `(K, f64)` or `&(K, f64)`.
pub trait MetricPair<K> {
    /// The name and the value.
    fn into_pair(self) -> (K, f64);
}

impl<K: AsRef<str>> MetricPair<K> for (K, f64) {
    fn into_pair(self) -> (K, f64) {
        self
    }
}

impl<'a, K: AsRef<str>> MetricPair<&'a K> for &'a (K, f64) {
    fn into_pair(self) -> (&'a K, f64) {
        (&self.0, self.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mem(project: &str) -> (Run, MemorySink) {
        Run::builder(project).name("r").start_in_memory().unwrap()
    }

    fn steps(sink: &MemorySink) -> Vec<u64> {
        sink.lines()
            .iter()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["step"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn step_semantics_match_aspara() {
        let (mut run, sink) = mem("p");
        run.log([("a", 1.0)], None).unwrap();
        run.log([("a", 1.0)], None).unwrap();
        run.log([("a", 1.0)], None).unwrap();
        assert_eq!(steps(&sink), [0, 1, 2]);
        run.log([("a", 1.0)], Some(10)).unwrap();
        run.log([("a", 1.0)], None).unwrap();
        run.log_with([("a", 1.0)], LogOptions::new().commit(false))
            .unwrap();
        run.log([("b", 1.0)], None).unwrap();
        // log({}) writes nothing but increments.
        run.log(Vec::<(&str, f64)>::new(), None).unwrap();
        run.log([("a", 1.0)], None).unwrap();
        assert_eq!(steps(&sink), [0, 1, 2, 10, 11, 12, 12, 14]);
    }

    #[test]
    fn b18_writer_sequence() {
        let (mut run, sink) = mem("non_numeric");
        let msg = |r: Result<()>| r.unwrap_err().to_string();
        assert_eq!(
            msg(run.log_json(&json!({"acc": "high"}), LogOptions::new())),
            "Unsupported value type for 'acc': <class 'str'>. Currently only int and float are supported."
        );
        assert_eq!(
            msg(run.log_json(&json!({"acc": "high", "loss": 0.3}), LogOptions::new())),
            "Unsupported value type for 'acc': <class 'str'>. Currently only int and float are supported."
        );
        assert!(
            msg(run.log_json(&json!({"loss": 0.3, "acc": "NaN"}), LogOptions::new()))
                .contains("'acc'")
        );
        assert_eq!(
            msg(run.log([("", 1.0)], None)),
            "Metric name cannot be empty"
        );
        assert_eq!(
            msg(run.log([("x", 1.0), ("", 1.0)], Some(7))),
            "Metric name cannot be empty"
        );
        assert_eq!(run.step(), 0);
        run.log_json(
            &json!({"acc": 0.7}),
            LogOptions::new().timestamp(1735689600000),
        )
        .unwrap();
        run.finish(0).unwrap();
        assert_eq!(
            sink.lines(),
            ["{\"timestamp\": 1735689600000, \"step\": 0, \"metrics\": {\"acc\": 0.7}}"]
        );
        // The rejected calls registered no names.
        assert_eq!(sink.snapshot().names.len(), 1);
    }

    #[test]
    fn b14_untyped_steps_are_refused() {
        let (mut run, sink) = mem("bad_steps");
        for bad in [json!(-1), json!(1.5), json!("7")] {
            let e = run
                .log_record_json(&json!({"metrics": {"loss": 0.3}, "step": bad}))
                .unwrap_err();
            assert!(matches!(e, Error::InvalidStep(_)), "{e}");
        }
        assert!(sink.lines().is_empty());
        run.log_record_json(
            &json!({"metrics": {"loss": 0.1}, "step": 3000000000u64, "timestamp": 0}),
        )
        .unwrap();
        run.log_record_json(&json!({"metrics": {"loss": 0.2}, "step": 9007199254740993u64, "timestamp": "1970-01-01T00:00:00"}))
            .unwrap();
        assert_eq!(
            sink.lines(),
            [
                "{\"timestamp\": 0, \"step\": 3000000000, \"metrics\": {\"loss\": 0.1}}",
                "{\"timestamp\": 0, \"step\": 9007199254740993, \"metrics\": {\"loss\": 0.2}}"
            ]
        );
    }

    #[test]
    fn b17_ints_and_bools_are_written_as_floats() {
        let (mut run, sink) = mem("types");
        run.log_json(
            &json!({"acc": 1, "gpu_ok": true}),
            LogOptions::new().timestamp(0),
        )
        .unwrap();
        run.log_with([("n", 0.0)], LogOptions::new().timestamp(0))
            .unwrap();
        assert_eq!(
            sink.lines(),
            [
                "{\"timestamp\": 0, \"step\": 0, \"metrics\": {\"acc\": 1.0, \"gpu_ok\": 1.0}}",
                "{\"timestamp\": 0, \"step\": 1, \"metrics\": {\"n\": 0.0}}"
            ]
        );
    }

    #[test]
    fn timestamps_ms_iso_and_invalid() {
        let (mut run, sink) = mem("t");
        run.log_with(
            [("a", 1.0)],
            LogOptions::new().timestamp("2024-01-01T12:00:00"),
        )
        .unwrap();
        let e = run.log_with([("a", 1.0)], LogOptions::new().timestamp("not-a-timestamp"));
        assert!(matches!(e, Err(Error::InvalidTimestamp(_))));
        run.log_record_json(&json!({"metrics": {"a": 2.0}, "timestamp": 1705321845123.9}))
            .unwrap();
        assert_eq!(
            sink.lines(),
            [
                "{\"timestamp\": 1704110400000, \"step\": 0, \"metrics\": {\"a\": 1.0}}",
                "{\"timestamp\": 1705321845123, \"step\": 1, \"metrics\": {\"a\": 2.0}}"
            ]
        );
    }

    #[test]
    fn interning_handles_changing_names() {
        let (mut run, sink) = mem("p");
        run.log_with([("a", 1.0), ("b", 2.0)], LogOptions::new().timestamp(0))
            .unwrap();
        run.log_with(
            [("b", 3.0), ("c", 4.0), ("c", 5.0)],
            LogOptions::new().timestamp(0),
        )
        .unwrap();
        run.log_with(&[("a", 6.0)], LogOptions::new().timestamp(0))
            .unwrap();
        let many: Vec<(String, f64)> = (0..12).map(|i| (format!("m{i}"), i as f64)).collect();
        run.log_with(
            many.iter().map(|(k, v)| (k.as_str(), *v)),
            LogOptions::new().timestamp(0),
        )
        .unwrap();
        let lines = sink.lines();
        assert_eq!(
            lines[0],
            "{\"timestamp\": 0, \"step\": 0, \"metrics\": {\"a\": 1.0, \"b\": 2.0}}"
        );
        assert_eq!(
            lines[1],
            "{\"timestamp\": 0, \"step\": 1, \"metrics\": {\"b\": 3.0, \"c\": 4.0, \"c\": 5.0}}"
        );
        assert_eq!(
            lines[2],
            "{\"timestamp\": 0, \"step\": 2, \"metrics\": {\"a\": 6.0}}"
        );
        assert!(lines[3].ends_with("\"m10\": 10.0, \"m11\": 11.0}}"));
        let names: Vec<String> = sink
            .snapshot()
            .names
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(names.len(), 15);
        assert_eq!(&names[..3], ["a", "b", "c"]);
    }

    #[test]
    fn finished_runs_refuse_changes_and_finish_is_idempotent() {
        let (mut run, sink) = mem("p");
        run.finish(3).unwrap();
        run.finish(0).unwrap();
        assert!(matches!(run.log([("a", 1.0)], None), Err(Error::Finished)));
        assert!(matches!(run.set_tags(["x"]), Err(Error::Finished)));
        assert_eq!(
            run.log([("a", 1.0)], None).unwrap_err().to_string(),
            "Cannot log to a finished run"
        );
        let m = sink.meta().unwrap();
        assert_eq!(
            (m.is_finished, m.exit_code, m.status.as_str()),
            (true, Some(3), "failed")
        );
        assert_eq!(sink.snapshot().metas.len(), 2);
    }

    #[test]
    fn auto_names_follow_the_pattern() {
        for _ in 0..500 {
            let n = auto_name();
            let parts: Vec<&str> = n.split('-').collect();
            assert_eq!(parts.len(), 3, "{n}");
            assert!(NAME_ADJECTIVES.contains(&parts[0]), "{n}");
            assert!(NAME_NOUNS.contains(&parts[1]), "{n}");
            let k: u32 = parts[2].parse().unwrap();
            assert!((1..=999).contains(&k), "{n}");
            assert!(names::is_valid_name(&n));
        }
        let (run, _) = Run::builder("p").start_in_memory().unwrap();
        assert_eq!(run.name().split('-').count(), 3);
    }

    #[test]
    fn metadata_limits_and_merges() {
        let (mut run, sink) = Run::builder("p")
            .name("r")
            .config(json!({"lr": 0.1, "opt": {"name": "adam"}}))
            .start_in_memory()
            .unwrap();
        let mut m = Map::new();
        m.insert("lr".into(), json!(0.2));
        m.insert("bs".into(), json!(32));
        run.update_config(m).unwrap();
        run.set_summary("best", 0.5).unwrap();
        run.set_summary("best", 0.6).unwrap();
        assert_eq!(
            Value::Object(sink.meta().unwrap().config),
            json!({"lr": 0.2, "opt": {"name": "adam"}, "bs": 32})
        );
        assert_eq!(
            Value::Object(sink.meta().unwrap().summary),
            json!({"best": 0.6})
        );
        let too_many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert_eq!(
            run.set_tags(too_many).unwrap_err().to_string(),
            "Too many tags: 101 (max: 100)"
        );
        assert!(run.set_notes("x".repeat(10241)).is_err());
        assert!(
            Run::builder("p")
                .config(json!([1]))
                .start_in_memory()
                .is_err()
        );
        assert!(matches!(
            run.log_artifact(
                "/nonexistent/file",
                ArtifactOptions {
                    category: Some("weights".into()),
                    ..Default::default()
                }
            ),
            Err(Error::InvalidCategory(_))
        ));
    }
}
