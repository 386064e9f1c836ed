//! A sink that keeps everything in memory: the exact metrics lines (encoded as the local sink would
//! write them), every metadata version, and artifact names. Tests of the run's step, validation and
//! metadata rules use it, so they need no disk.

use super::{MetricId, Record, Sink};
use crate::format::{RunMeta, record::encode_line};
use crate::{Error, Result};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a [`MemorySink`] received.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    /// The metrics file's text, line by line as the local sink would write it.
    pub jsonl: String,
    /// Every metadata version, oldest first (the `begin` one included).
    pub metas: Vec<RunMeta>,
    /// Project tags passed to `begin`.
    pub project_tags: Vec<String>,
    /// Artifacts stored: (name, size).
    pub artifacts: Vec<(String, u64)>,
    /// Metric names by id.
    pub names: Vec<Arc<str>>,
    /// How many times `flush` was called.
    pub flushes: usize,
    /// Whether `finish` was called.
    pub finished: bool,
}

/// A sink writing into a shared [`MemoryStore`].
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    store: Arc<Mutex<MemoryStore>>,
}

impl MemorySink {
    /// A sink with an empty store.
    pub fn new() -> MemorySink {
        MemorySink::default()
    }
    /// A snapshot of what was received so far.
    pub fn snapshot(&self) -> MemoryStore {
        self.lock().clone()
    }
    /// The metrics lines received so far.
    pub fn lines(&self) -> Vec<String> {
        self.lock().jsonl.lines().map(str::to_owned).collect()
    }
    /// The latest metadata.
    pub fn meta(&self) -> Option<RunMeta> {
        self.lock().metas.last().cloned()
    }
    fn lock(&self) -> MutexGuard<'_, MemoryStore> {
        // A panic while holding the lock cannot leave the store half-updated in a way that matters
        // to a test, so a poisoned lock is simply taken over.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Sink for MemorySink {
    fn begin(&mut self, meta: &RunMeta, project_tags: &[String]) -> Result<()> {
        let mut s = self.lock();
        s.metas.push(meta.clone());
        s.project_tags = project_tags.to_vec();
        Ok(())
    }
    fn register_metric(&mut self, id: MetricId, name: &Arc<str>) -> Result<()> {
        let mut s = self.lock();
        if id as usize != s.names.len() {
            return Err(Error::Background(format!(
                "metric id {id} registered out of order"
            )));
        }
        s.names.push(name.clone());
        Ok(())
    }
    fn append(&mut self, record: Record) -> Result<()> {
        let mut guard = self.lock();
        let s = &mut *guard;
        let names = &s.names;
        let mut line = String::new();
        encode_line(
            &mut line,
            record.timestamp_ms,
            record.step,
            record
                .metrics
                .iter()
                .map(|(id, v)| (names.get(id as usize).map(|n| &**n).unwrap_or(""), v)),
        );
        s.jsonl.push_str(&line);
        Ok(())
    }
    fn update_meta(&mut self, meta: &RunMeta) -> Result<()> {
        self.lock().metas.push(meta.clone());
        Ok(())
    }
    fn store_artifact(&mut self, source: &Path, name: &str) -> Result<u64> {
        let size = std::fs::metadata(source)
            .map_err(|e| Error::io("stat", source, e))?
            .len();
        self.lock().artifacts.push((name.to_owned(), size));
        Ok(size)
    }
    fn flush(&mut self) -> Result<()> {
        self.lock().flushes += 1;
        Ok(())
    }
    fn finish(&mut self, meta: &RunMeta) -> Result<()> {
        let mut s = self.lock();
        s.metas.push(meta.clone());
        s.finished = true;
        Ok(())
    }
}
