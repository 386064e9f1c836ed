//! Where a run's records go: the [`Sink`] trait and the records it carries.
//!
//! A [`crate::Run`] validates every call, assigns steps and timestamps, and then hands small,
//! already-valid values to its sink. The sink owns all I/O. Sends are fire-and-forget: a slow disk
//! (or, with the `remote` feature, a slow network) never fails or stalls the training loop; problems
//! surface from [`Sink::flush`] and [`Sink::finish`] (STYLE.md habit 4).
//!
//! * [`local::LocalSink`]: the data directory, written by a background thread in batches of whole
//!   lines (FORMAT.md §2; cases B21, B22).
//! * [`memory::MemorySink`]: keeps everything in memory, for tests of the step and metadata rules.
//! * `remote::RemoteSink` (feature `remote`): sends the run to a tracker over HTTP in batches, with
//!   a durable offline queue (FORMAT.md §8).
//!
//! Metric names are interned: the run registers each new name once with an id ([`MetricId`]), and
//! records carry `(id, value)` pairs inline, so a `log` call with a handful of metrics allocates
//! nothing.

pub mod local;
pub mod memory;
#[cfg(feature = "remote")]
pub mod remote;

use crate::Result;
use crate::format::RunMeta;
use std::path::Path;
use std::sync::Arc;

/// A metric name's id within one run: dense, from 0, in order of first use.
pub type MetricId = u32;

/// How many metrics a record holds without allocating.
pub const INLINE_METRICS: usize = 8;

/// The metric values of one record, in call order.
#[derive(Debug, Clone)]
pub struct MetricValues {
    len: usize,
    inline: [(MetricId, f64); INLINE_METRICS],
    spill: Vec<(MetricId, f64)>,
}

impl Default for MetricValues {
    fn default() -> Self {
        MetricValues {
            len: 0,
            inline: [(0, 0.0); INLINE_METRICS],
            spill: Vec::new(),
        }
    }
}

impl MetricValues {
    /// No values.
    pub fn new() -> MetricValues {
        MetricValues::default()
    }
    /// Appends one value.
    pub fn push(&mut self, id: MetricId, value: f64) {
        if self.len < INLINE_METRICS {
            self.inline[self.len] = (id, value);
        } else {
            self.spill.push((id, value));
        }
        self.len += 1;
    }
    /// How many values.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The values in call order.
    pub fn iter(&self) -> impl Iterator<Item = (MetricId, f64)> + '_ {
        self.inline[..self.len.min(INLINE_METRICS)]
            .iter()
            .chain(self.spill.iter())
            .copied()
    }
}

/// One metrics line, before encoding (FORMAT.md §2.1).
#[derive(Debug, Clone)]
pub struct Record {
    /// UNIX ms.
    pub timestamp_ms: i64,
    /// The step.
    pub step: u64,
    /// The values; never empty (an empty `log` writes nothing).
    pub metrics: MetricValues,
}

/// What a sink found when it opened an existing run (for resume).
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// The run's metadata, when it has a meta file.
    pub meta: Option<RunMeta>,
    /// Whether the metrics file existed.
    pub has_metrics: bool,
    /// `max(step) + 1` over the existing records, 0 when there are none (case B12, B20).
    pub next_step: u64,
    /// The metric names already in the file (kept in the manifest across resumes).
    pub metric_names: Vec<String>,
}

impl Existing {
    /// Whether there is anything of this run at all.
    pub fn exists(&self) -> bool {
        self.meta.is_some() || self.has_metrics
    }
}

/// Where a run's records, metadata and artifacts go.
///
/// Calls come from the one thread that owns the run, in order. `append`, `register_metric` and
/// `update_meta` must be cheap and must not wait on I/O; failures they cannot report at once are
/// kept and returned by the next `flush` or `finish`.
pub trait Sink: Send {
    /// Starts the run: writes its first metadata and merges `project_tags` into the project's
    /// metadata. Synchronous, so a run that `start()`ed is on disk (and its errors are seen).
    fn begin(&mut self, meta: &RunMeta, project_tags: &[String]) -> Result<()>;
    /// Makes `name` known under `id` before the first record that uses it.
    fn register_metric(&mut self, id: MetricId, name: &Arc<str>) -> Result<()>;
    /// Queues one record.
    fn append(&mut self, record: Record) -> Result<()>;
    /// Queues a metadata rewrite (config, summary, tags, notes or artifacts changed).
    fn update_meta(&mut self, meta: &RunMeta) -> Result<()>;
    /// Stores a copy of the regular file `source` as artifact `name` (already validated) and returns
    /// its size in bytes.
    fn store_artifact(&mut self, source: &Path, name: &str) -> Result<u64>;
    /// Waits until everything queued so far is written and made durable; reports any failure
    /// since the last flush.
    fn flush(&mut self) -> Result<()>;
    /// Writes the final metadata, drains, syncs and stops. Called once.
    fn finish(&mut self, meta: &RunMeta) -> Result<()>;
}

/// Stops a sink's background thread: dropping the sender closes the channel, so the thread writes
/// (or queues) what it still has and returns; then waits for it. False when the thread panicked.
pub(crate) fn stop_thread<S>(
    tx: &mut Option<S>,
    handle: &mut Option<std::thread::JoinHandle<()>>,
) -> bool {
    *tx = None;
    handle.take().is_none_or(|h| h.join().is_ok())
}
