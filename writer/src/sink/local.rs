//! The local sink: a run's files in a data directory, written by one background thread.
//!
//! The training loop only validates and sends a small [`Record`] through a bounded channel (so a
//! slow disk applies back-pressure instead of growing memory, and nothing is ever dropped). The
//! thread encodes whole lines with `format::record::encode_line` and appends each batch with **one**
//! `write` on an `O_APPEND` descriptor, so lines from concurrent processes never interleave (case
//! B22). Durability follows [`Durability`]: by default lines are written every millisecond or so and
//! `fdatasync`ed at most once per interval; `PerRecord` syncs after every write, as Aspara syncs
//! after every line (records that queue up during a sync share the next one).
//! Metadata rewrites go through the same thread (so they follow the lines logged before them) and
//! replace `<run>.meta.json` atomically (FORMAT.md §3). On reopen, a partial last line left by a
//! killed process is cut off before anything is appended (case B21).

use super::{Existing, MetricId, Record, Sink};
use crate::atomic;
use crate::error::IoContext;
use crate::format::reader;
use crate::format::{RunMeta, record::encode_line};
use crate::index;
use crate::layout::Layout;
use crate::{Error, Result};
use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// When written lines are made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Lines are written in batches as they come and `fdatasync`ed at most once per interval (and
    /// on `flush`/`finish`). A killed process loses at most the records still in the channel; a
    /// machine crash at most one interval.
    Interval(Duration),
    /// Every write is `fdatasync`ed before the next one, so no written record is ever left
    /// unsynced, as with Aspara 0.1.0's sync after each line. Records that arrive while a sync is
    /// under way share the next write and sync (group commit): a slow disk costs throughput only
    /// when the loop logs faster than one record per sync. The caller still never waits for the
    /// disk, except through back-pressure.
    PerRecord,
}

impl Default for Durability {
    fn default() -> Self {
        Durability::Interval(DEFAULT_SYNC_INTERVAL)
    }
}

/// The default sync interval.
pub const DEFAULT_SYNC_INTERVAL: Duration = Duration::from_secs(1);
/// How many messages the channel holds before `log` waits for the writer.
pub const CHANNEL_CAPACITY: usize = 8192;
/// In `Interval` mode the writer naps this long after a batch, so records pile up and a `log`
/// call seldom has to wake a sleeping thread (a system call).
const COALESCE: Duration = Duration::from_millis(1);
/// Batches of fewer messages than this are followed by the nap.
const COALESCE_BELOW: usize = 512;
/// The largest batch handed to one `write`.
const MAX_BATCH_BYTES: usize = 1 << 20;
/// Unwritten bytes kept across failing writes before records are given up (and reported).
const MAX_PENDING_BYTES: usize = 256 << 20;

enum Msg {
    Name(MetricId, Arc<str>),
    Record(Record),
    Meta(Box<RunMeta>),
    Flush(SyncSender<Result<(), String>>),
    Close(Box<RunMeta>, SyncSender<Result<(), String>>),
}

/// The local sink (see the module doc).
pub struct LocalSink {
    layout: Layout,
    project: String,
    run: String,
    durability: Durability,
    existing_names: Vec<String>,
    tx: Option<SyncSender<Msg>>,
    handle: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for LocalSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalSink")
            .field("root", &self.layout.root())
            .field("project", &self.project)
            .field("run", &self.run)
            .field("durability", &self.durability)
            .finish()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl LocalSink {
    /// Looks at run `project/run` under `layout` (names already validated) and reports what exists.
    /// Nothing is created yet; a partial last line is repaired when the metrics file exists.
    pub fn open(
        layout: Layout,
        project: &str,
        run: &str,
        durability: Durability,
    ) -> Result<(LocalSink, Existing)> {
        let metrics = layout.metrics(project, run);
        let meta_path = layout.run_meta(project, run);
        for p in [&metrics, &meta_path, &layout.artifacts_dir(project, run)] {
            layout.ensure_inside(p)?;
        }
        let mut existing = Existing::default();
        match std::fs::read(&meta_path) {
            Ok(bytes) => {
                let meta = RunMeta::from_bytes(&bytes).map_err(|e| Error::Json {
                    path: meta_path.clone(),
                    message: e.to_string(),
                })?;
                existing.meta = Some(meta);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("read", &meta_path, e)),
        }
        if metrics.exists() {
            existing.has_metrics = true;
            repair_tail(&metrics)?;
            let bytes = std::fs::read(&metrics).ctx("read", &metrics)?;
            let data = reader::read_metrics(&bytes);
            existing.next_step = data.max_step().map_or(0, |s| s.saturating_add(1));
            existing.metric_names = data.metric_names().map(str::to_owned).collect();
        }
        let sink = LocalSink {
            layout,
            project: project.to_owned(),
            run: run.to_owned(),
            durability,
            existing_names: existing.metric_names.clone(),
            tx: None,
            handle: None,
        };
        Ok((sink, existing))
    }

    /// The metrics file.
    pub fn metrics_path(&self) -> PathBuf {
        self.layout.metrics(&self.project, &self.run)
    }

    fn send(&self, msg: Msg) -> Result<()> {
        self.tx
            .as_ref()
            .ok_or(Error::WriterStopped)?
            .send(msg)
            .map_err(|_| Error::WriterStopped)
    }

    fn request(&self, make: impl FnOnce(SyncSender<Result<(), String>>) -> Msg) -> Result<()> {
        let (reply_tx, reply_rx) = sync_channel(1);
        self.send(make(reply_tx))?;
        reply_rx
            .recv()
            .map_err(|_| Error::WriterStopped)?
            .map_err(Error::Background)
    }
}

/// Cuts a partial last line (a process killed mid-write) so the next append starts on a fresh
/// line (case B21). A tail seen without `\n` is re-checked after a moment, so a line another
/// process is writing right now is not mistaken for a fragment (case B22).
fn repair_tail(path: &Path) -> Result<()> {
    for attempt in 0..2 {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .ctx("open", path)?;
        let len = f.metadata().ctx("stat", path)?.len();
        if len == 0 {
            return Ok(());
        }
        // Find the last `\n`, reading backwards in blocks.
        let mut end = len;
        let mut last_nl = None;
        let mut block = vec![0u8; 64 * 1024];
        while end > 0 && last_nl.is_none() {
            let start = end.saturating_sub(block.len() as u64);
            let n = (end - start) as usize;
            f.seek(SeekFrom::Start(start)).ctx("seek", path)?;
            f.read_exact(&mut block[..n]).ctx("read", path)?;
            if start + n as u64 == len && block[n - 1] == b'\n' {
                return Ok(());
            }
            last_nl = block[..n]
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|i| start + i as u64);
            end = start;
        }
        if attempt == 0 {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        let keep = last_nl.map_or(0, |i| i + 1);
        if f.metadata().ctx("stat", path)?.len() == len {
            f.set_len(keep).ctx("truncate", path)?;
            f.sync_data().ctx("fsync", path)?;
        }
    }
    Ok(())
}

fn open_append(path: &Path) -> Result<File> {
    let mut opts = OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // 0644 like Aspara's LocalRun, which touches the file before its first append (reference §1.2).
        opts.mode(0o644);
    }
    opts.open(path).ctx("open", path)
}

impl Sink for LocalSink {
    fn begin(&mut self, meta: &RunMeta, project_tags: &[String]) -> Result<()> {
        let (layout, project, run) = (&self.layout, self.project.as_str(), self.run.as_str());
        let dir = layout.project_dir(project);
        layout.ensure_inside(&dir)?;
        std::fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        let metrics_path = layout.metrics(project, run);
        let file = open_append(&metrics_path)?;
        let meta_path = layout.run_meta(project, run);
        atomic::replace(&meta_path, meta.to_json().as_bytes(), 0o600)?;
        index::merge_project_tags(layout, project, project_tags, now_ms())?;
        let mut names: BTreeSet<String> = self.existing_names.iter().cloned().collect();
        names.extend(index::known_metric_names(layout.root(), project, run));
        index::update_run_entry(
            layout.root(),
            project,
            index::run_entry(layout, project, run, Some(meta), names.iter().cloned()),
        )?;
        let (tx, rx) = sync_channel(CHANNEL_CAPACITY);
        let writer = Writer {
            file,
            path: metrics_path,
            layout: layout.clone(),
            project: project.to_owned(),
            run: run.to_owned(),
            durability: self.durability,
            names: Vec::new(),
            known_names: names,
            names_dirty: false,
            buf: String::with_capacity(64 * 1024),
            unsynced: false,
            last_sync: Instant::now(),
            error: None,
            meta: meta.clone(),
            pending_meta: None,
            lost_records: 0,
        };
        let handle = std::thread::Builder::new()
            .name(format!("aspara-writer-{run}"))
            .spawn(move || writer.run(rx))
            .map_err(|e| Error::io("spawn writer thread", self.layout.root(), e))?;
        self.tx = Some(tx);
        self.handle = Some(handle);
        Ok(())
    }

    fn register_metric(&mut self, id: MetricId, name: &Arc<str>) -> Result<()> {
        self.send(Msg::Name(id, name.clone()))
    }

    fn append(&mut self, record: Record) -> Result<()> {
        self.send(Msg::Record(record))
    }

    fn update_meta(&mut self, meta: &RunMeta) -> Result<()> {
        self.send(Msg::Meta(Box::new(meta.clone())))
    }

    fn store_artifact(&mut self, source: &Path, name: &str) -> Result<u64> {
        let dir = self.layout.artifacts_dir(&self.project, &self.run);
        let dest = self.layout.artifact(&self.project, &self.run, name);
        self.layout.ensure_inside(&dest)?;
        std::fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        // Re-checked after creation: a symlink planted meanwhile must not redirect the copy.
        self.layout.ensure_inside(&dest)?;
        if std::fs::symlink_metadata(&dest)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
        {
            return Err(Error::UnsafePath(dest));
        }
        std::fs::copy(source, &dest).ctx("copy artifact to", &dest)
    }

    fn flush(&mut self) -> Result<()> {
        self.request(Msg::Flush)
    }

    fn finish(&mut self, meta: &RunMeta) -> Result<()> {
        let result = self.request(|reply| Msg::Close(Box::new(meta.clone()), reply));
        if !super::stop_thread(&mut self.tx, &mut self.handle) && result.is_ok() {
            return Err(Error::WriterStopped);
        }
        result
    }
}

impl Drop for LocalSink {
    fn drop(&mut self) {
        // Without `finish`, closing the channel still makes the thread write and sync what it has.
        super::stop_thread(&mut self.tx, &mut self.handle);
    }
}

struct Writer {
    file: File,
    path: PathBuf,
    layout: Layout,
    project: String,
    run: String,
    durability: Durability,
    names: Vec<Arc<str>>,
    known_names: BTreeSet<String>,
    names_dirty: bool,
    buf: String,
    unsynced: bool,
    last_sync: Instant,
    error: Option<String>,
    meta: RunMeta,
    pending_meta: Option<Box<RunMeta>>,
    lost_records: u64,
}

enum Control {
    Continue,
    Stop,
}

impl Writer {
    fn run(mut self, rx: Receiver<Msg>) {
        loop {
            let first = match self.durability {
                Durability::Interval(every) if self.unsynced => {
                    let wait = every.saturating_sub(self.last_sync.elapsed());
                    match rx.recv_timeout(wait) {
                        Ok(m) => m,
                        Err(RecvTimeoutError::Timeout) => {
                            self.sync();
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
                _ => match rx.recv() {
                    Ok(m) => m,
                    Err(_) => break,
                },
            };
            let mut stop = matches!(self.handle(first), Control::Stop);
            let mut handled = 1usize;
            while !stop && self.buf.len() < MAX_BATCH_BYTES {
                match rx.try_recv() {
                    Ok(m) => {
                        stop = matches!(self.handle(m), Control::Stop);
                        handled += 1;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        stop = true;
                        break;
                    }
                }
            }
            if stop {
                break;
            }
            self.write_pending();
            self.write_pending_meta();
            if self.durability == Durability::PerRecord {
                self.sync();
            }
            if let Durability::Interval(every) = self.durability {
                if self.unsynced && self.last_sync.elapsed() >= every {
                    self.sync();
                }
                // Nap only after a small batch: a busy channel is drained without pause.
                if handled < COALESCE_BELOW {
                    std::thread::sleep(COALESCE.min(every));
                }
            }
        }
        // Channel closed without `finish` (the sink was dropped): keep what was sent.
        self.write_pending();
        self.write_pending_meta();
        self.sync();
    }

    fn handle(&mut self, msg: Msg) -> Control {
        match msg {
            Msg::Name(id, name) => {
                debug_assert_eq!(id as usize, self.names.len());
                if !self.known_names.contains(&*name) {
                    self.known_names.insert(name.to_string());
                    self.names_dirty = true;
                }
                self.names.push(name);
            }
            Msg::Record(r) => {
                let names = &self.names;
                encode_line(
                    &mut self.buf,
                    r.timestamp_ms,
                    r.step,
                    r.metrics
                        .iter()
                        .map(|(id, v)| (names.get(id as usize).map_or("", |n| &**n), v)),
                );
            }
            Msg::Meta(m) => self.pending_meta = Some(m),
            Msg::Flush(reply) => {
                self.write_pending();
                self.write_pending_meta();
                self.sync();
                let _ = reply.send(self.take_error());
            }
            Msg::Close(meta, reply) => {
                self.write_pending();
                self.pending_meta = Some(meta);
                self.write_pending_meta();
                self.sync();
                self.update_manifest();
                let _ = reply.send(self.take_error());
                return Control::Stop;
            }
        }
        Control::Continue
    }

    fn note_error(&mut self, e: impl std::fmt::Display) {
        if self.error.is_none() {
            self.error = Some(e.to_string());
        }
    }

    fn take_error(&mut self) -> Result<(), String> {
        let mut err = self.error.take();
        if !self.buf.is_empty() {
            let msg = format!(
                "{} bytes of records are not written yet to {}",
                self.buf.len(),
                self.path.display()
            );
            err = Some(err.map_or(msg.clone(), |e| format!("{e}; {msg}")));
        }
        if self.lost_records > 0 {
            let msg = format!(
                "{} records were given up after repeated write failures",
                self.lost_records
            );
            self.lost_records = 0;
            err = Some(err.map_or(msg.clone(), |e| format!("{e}; {msg}")));
        }
        err.map_or(Ok(()), Err)
    }

    /// Appends the buffered whole lines with one `write` (retrying the rest after a short write).
    fn write_pending(&mut self) {
        let mut off = 0;
        let bytes = self.buf.as_bytes();
        while off < bytes.len() {
            match self.file.write(&bytes[off..]) {
                Ok(0) => {
                    self.note_error(format!("write {}: wrote 0 bytes", self.path.display()));
                    break;
                }
                Ok(n) => off += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.note_error(format!("write {}: {e}", self.path.display()));
                    break;
                }
            }
        }
        if off > 0 {
            self.unsynced = true;
        }
        self.buf.drain(..off);
        if self.buf.len() > MAX_PENDING_BYTES {
            self.lost_records += self.buf.matches('\n').count() as u64;
            self.buf.clear();
        }
    }

    fn write_pending_meta(&mut self) {
        if let Some(meta) = self.pending_meta.take() {
            let path = self.layout.run_meta(&self.project, &self.run);
            if let Err(e) = atomic::replace(&path, meta.to_json().as_bytes(), 0o600) {
                self.note_error(e);
            }
            self.meta = *meta;
            self.update_manifest();
        }
    }

    fn sync(&mut self) {
        if self.unsynced {
            if let Err(e) = self.file.sync_data() {
                self.note_error(format!("fsync {}: {e}", self.path.display()));
            }
            self.unsynced = false;
        }
        self.last_sync = Instant::now();
        if self.names_dirty {
            // New metric names: let manifest readers know the run has them.
            self.update_manifest();
        }
    }

    fn update_manifest(&mut self) {
        self.names_dirty = false;
        let entry = index::run_entry(
            &self.layout,
            &self.project,
            &self.run,
            Some(&self.meta),
            self.known_names.iter().cloned(),
        );
        if let Err(e) = index::update_run_entry(self.layout.root(), &self.project, entry) {
            self.note_error(e);
        }
    }
}
