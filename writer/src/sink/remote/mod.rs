//! The remote sink: a run sent to a tracker over HTTP, with a durable offline queue (FORMAT.md §8;
//! feature `remote`).
//!
//! The run's thread only validates, numbers and hands over: every call becomes an operation with a
//! sequence number (`seq`, 1, 2, ... within this writer session) and goes through an unbounded
//! channel to one background thread, so the training loop never waits on the network. That thread
//! sends what has piled up as one batch request (our tracker), or one request per operation
//! (Aspara 0.1.0's tracker, which has no batch endpoint). When a request fails for a reason that may
//! pass (no connection, timeout, 5xx), everything not yet confirmed is written to the offline queue
//! ([`queue`]) and retried with exponential backoff (1 s doubling to 60 s, ±10 % jitter); from
//! then on new operations are appended to the queue first, so per-run order is kept across
//! failures and restarts. The tracker remembers the highest `seq` applied per session, so a batch
//! resent after a lost response is not applied twice.
//!
//! `finish` sends the finish operation and keeps trying until everything is confirmed or the flush
//! timeout passes (30 s, `ASPARA_TRACKER_FLUSH_TIMEOUT`); what is left stays queued, `finish`
//! returns [`Error::Queued`], and `aspara sync` ([`sync_queues`]) uploads it later.

pub mod client;
pub mod queue;
pub mod wire;

use self::client::{Client, Fail, Protocol};
use self::queue::{Journal, QueueMeta};
use self::wire::{Kind, QOp, metrics_op, value_op};
use super::{Existing, MetricId, Record, Sink};
use crate::error::IoContext;
use crate::format::RunMeta;
use crate::layout::Layout;
use crate::run::Resume;
use crate::{Error, Result};
use serde_json::{Map, Value};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{
    Receiver, RecvTimeoutError, Sender as ChanSender, SyncSender, channel, sync_channel,
};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The environment variable holding the tracker's bearer token.
pub const TOKEN_ENV: &str = "ASPARA_TRACKER_TOKEN";
/// The environment variable holding `finish`'s flush timeout, in seconds.
pub const FLUSH_TIMEOUT_ENV: &str = "ASPARA_TRACKER_FLUSH_TIMEOUT";
/// The default flush timeout of `finish`.
pub const DEFAULT_FLUSH_TIMEOUT: Duration = Duration::from_secs(30);
/// The most operations in one batch request.
pub const MAX_BATCH_OPS: usize = 5000;
/// The most bytes of operations in one batch request.
pub const MAX_BATCH_BYTES: usize = 4 << 20;
/// The longest wait between retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// After a small batch the thread waits this long for more operations, so a slow loop does not
/// make one request per record.
const LINGER: Duration = Duration::from_millis(5);
/// Batches smaller than this are followed by the linger.
const LINGER_BELOW: usize = 64;

/// How to reach the tracker.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteOptions {
    /// The tracker URI, e.g. `http://127.0.0.1:3142/tracker` (Aspara's routes live under `/tracker`).
    pub uri: String,
    /// Bearer token (`ASPARA_TRACKER_TOKEN`).
    pub token: Option<String>,
    /// How long `finish` keeps trying before leaving the rest queued.
    pub flush_timeout: Duration,
    /// The per-request timeout.
    pub request_timeout: Duration,
}

impl RemoteOptions {
    /// Options for `uri`, with the token and flush timeout from the environment.
    pub fn from_env(uri: String) -> RemoteOptions {
        let token = std::env::var(TOKEN_ENV).ok().filter(|t| !t.is_empty());
        let flush_timeout = std::env::var(FLUSH_TIMEOUT_ENV)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(DEFAULT_FLUSH_TIMEOUT, Duration::from_secs_f64);
        RemoteOptions {
            uri,
            token,
            flush_timeout,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What a remote run is created with (the builder's validated values).
#[derive(Debug, Clone)]
pub struct CreateRequest {
    /// Project name.
    pub project: String,
    /// Run name.
    pub run: String,
    /// The run id proposed by the client (our tracker keeps it; Aspara's makes its own).
    pub run_id: String,
    /// Initial configuration.
    pub config: Map<String, Value>,
    /// Run tags.
    pub tags: Vec<String>,
    /// Run notes.
    pub notes: String,
    /// Tags merged into the project.
    pub project_tags: Vec<String>,
    /// What to do when the run exists.
    pub resume: Resume,
    /// Start time, UNIX ms.
    pub start_time: i64,
}

type FlushReply = SyncSender<Result<(), String>>;
type CloseRequest = (Vec<QOp>, SyncSender<Result<(), Error>>);

enum Msg {
    Name(MetricId, Arc<str>),
    Record(u64, Record),
    Op(QOp),
    Flush(SyncSender<Result<(), String>>),
    Close(Vec<QOp>, SyncSender<Result<(), Error>>),
}

#[derive(Debug, Clone, Default, PartialEq)]
struct SentMeta {
    config: Map<String, Value>,
    summary: Map<String, Value>,
    tags: Vec<String>,
    notes: String,
}

impl SentMeta {
    fn of(meta: &RunMeta) -> SentMeta {
        SentMeta {
            config: meta.config.clone(),
            summary: meta.summary.clone(),
            tags: meta.tags.clone(),
            notes: meta.notes.clone(),
        }
    }
    /// The changed fields, as a meta operation's fields.
    fn diff(&self, new: &SentMeta) -> Map<String, Value> {
        let mut m = Map::new();
        if new.config != self.config {
            m.insert("config".into(), Value::Object(new.config.clone()));
        }
        if new.summary != self.summary {
            m.insert("summary".into(), Value::Object(new.summary.clone()));
        }
        if new.tags != self.tags {
            m.insert("tags".into(), Value::from(new.tags.clone()));
        }
        if new.notes != self.notes {
            m.insert("notes".into(), Value::from(new.notes.clone()));
        }
        m
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn new_session() -> String {
    let mut id = uuid::Uuid::new_v4().simple().to_string();
    id.truncate(16);
    id
}

/// The remote sink (see the module doc).
pub struct RemoteSink {
    journal_meta: QueueMeta,
    layout: Layout,
    options: RemoteOptions,
    client: Client,
    protocol: Option<Protocol>,
    next_seq: u64,
    sent: SentMeta,
    initial: Vec<QOp>,
    tx: Option<ChanSender<Msg>>,
    handle: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RemoteSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSink")
            .field("tracker", &self.client.base())
            .field("project", &self.journal_meta.project)
            .field("run", &self.journal_meta.run_name)
            .field("session", &self.journal_meta.session)
            .finish()
    }
}

impl RemoteSink {
    /// Creates the run on the tracker (synchronously, so a refused name or an existing run is an
    /// error at start, as in Aspara), or queues the creation when the tracker cannot be reached.
    /// `layout` is the client's own data directory, which holds only the offline queue.
    pub fn connect(
        layout: Layout,
        options: RemoteOptions,
        req: CreateRequest,
    ) -> Result<(RemoteSink, Existing)> {
        let session = new_session();
        let mut client = Client::new(
            &options.uri,
            options.token.clone(),
            Duration::from_secs(10),
            &req.project,
            &req.run,
            &session,
        );
        let mut fields = Map::new();
        fields.insert("name".into(), Value::from(req.run.clone()));
        fields.insert("run_id".into(), Value::from(req.run_id.clone()));
        fields.insert("config".into(), Value::Object(req.config.clone()));
        fields.insert("tags".into(), Value::from(req.tags.clone()));
        fields.insert("notes".into(), Value::from(req.notes.clone()));
        fields.insert("project_tags".into(), Value::from(req.project_tags.clone()));
        fields.insert("resume".into(), Value::from(req.resume != Resume::Never));
        fields.insert("start_time".into(), Value::from(req.start_time));
        let create = value_op(1, Kind::Create, fields);
        let mut meta = RunMeta {
            run_id: req.run_id.clone(),
            tags: req.tags.clone(),
            notes: req.notes.clone(),
            config: req.config.clone(),
            start_time: Some(req.start_time),
            ..RunMeta::default()
        };
        let mut protocol = None;
        let mut next_step = 0;
        let mut initial = Vec::new();
        // Aspara's docs give the tracker URI without `/tracker`; its routes need it (reference §4.1).
        let mut probe = client.probe();
        if matches!(probe, Err(Fail::Reject { status: 404, .. }))
            && !options.uri.trim_end_matches('/').ends_with("/tracker")
        {
            let alt = format!("{}/tracker", options.uri.trim_end_matches('/'));
            let c2 = Client::new(
                &alt,
                options.token.clone(),
                Duration::from_secs(10),
                &req.project,
                &req.run,
                &session,
            );
            if let Ok(p) = c2.probe() {
                client = c2;
                probe = Ok(p);
            }
        }
        let created = probe.and_then(|p| {
            protocol = Some(p);
            client.create(&create)
        });
        match created {
            Ok(c) => {
                if !c.run_id.is_empty() {
                    meta.run_id = c.run_id;
                }
                next_step = c.next_step;
            }
            Err(Fail::Retry(why)) => {
                eprintln!(
                    "aspara: tracker {} is unreachable ({why}); run {}/{} is recorded in the offline queue and sent when it is back",
                    client.base(),
                    req.project,
                    req.run
                );
                initial.push(create);
            }
            Err(Fail::Reject { status: 409, .. }) if req.resume != Resume::Never => {
                // Aspara's tracker knows no resume: the run exists, keep appending to it.
            }
            Err(Fail::Reject { status: 409, .. }) => {
                return Err(Error::RunExists {
                    project: req.project,
                    run: req.run,
                });
            }
            Err(Fail::Reject {
                status: 404,
                detail,
            }) if req.resume == Resume::Must => {
                let _ = detail;
                return Err(Error::RunNotFound {
                    project: req.project,
                    run: req.run,
                });
            }
            Err(other) => return Err(Error::Remote(other.to_string())),
        }
        let journal_meta = QueueMeta {
            tracker_uri: client.base().to_owned(),
            project: req.project.clone(),
            run_name: req.run.clone(),
            run_id: meta.run_id.clone(),
            session,
            created_at: now_ms(),
            acked_seq: 0,
        };
        let sink = RemoteSink {
            journal_meta,
            layout,
            client,
            protocol,
            next_seq: 2,
            sent: SentMeta::of(&meta),
            options,
            initial,
            tx: None,
            handle: None,
        };
        let existing = Existing {
            meta: Some(meta),
            has_metrics: false,
            next_step,
            metric_names: Vec::new(),
        };
        Ok((sink, existing))
    }

    /// The offline queue's journal file for this run's session.
    pub fn queue_path(&self) -> PathBuf {
        let m = &self.journal_meta;
        self.layout
            .queue_journal(&m.project, &m.run_name, &m.session)
    }

    fn seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    fn send(&self, msg: Msg) -> Result<()> {
        self.tx
            .as_ref()
            .ok_or(Error::WriterStopped)?
            .send(msg)
            .map_err(|_| Error::WriterStopped)
    }

    fn meta_op(&mut self, meta: &RunMeta) -> Option<QOp> {
        let new = SentMeta::of(meta);
        let fields = self.sent.diff(&new);
        if fields.is_empty() {
            return None;
        }
        self.sent = new;
        let seq = self.seq();
        Some(value_op(seq, Kind::Meta, fields))
    }
}

impl Sink for RemoteSink {
    fn begin(&mut self, meta: &RunMeta, _project_tags: &[String]) -> Result<()> {
        // Created in `connect`; a resumed run's tags and notes may differ from what was sent.
        let mut ops = std::mem::take(&mut self.initial);
        ops.extend(self.meta_op(meta));
        let (tx, rx) = channel();
        let mut sender = Sender::new(
            self.client.clone(),
            self.protocol,
            Journal::new(self.layout.clone(), self.journal_meta.clone()),
            self.options.flush_timeout,
        );
        for op in ops {
            sender.push(op);
        }
        let handle = std::thread::Builder::new()
            .name(format!("aspara-remote-{}", self.journal_meta.run_name))
            .spawn(move || sender.run(rx))
            .map_err(|e| Error::io("spawn sender thread", self.layout.root(), e))?;
        self.tx = Some(tx);
        self.handle = Some(handle);
        Ok(())
    }

    fn register_metric(&mut self, id: MetricId, name: &Arc<str>) -> Result<()> {
        self.send(Msg::Name(id, name.clone()))
    }

    fn append(&mut self, record: Record) -> Result<()> {
        let seq = self.seq();
        self.send(Msg::Record(seq, record))
    }

    fn update_meta(&mut self, meta: &RunMeta) -> Result<()> {
        match self.meta_op(meta) {
            Some(op) => self.send(Msg::Op(op)),
            None => Ok(()),
        }
    }

    fn store_artifact(&mut self, source: &Path, name: &str) -> Result<u64> {
        // The bytes are copied into the queue now, so the caller may change or delete its file.
        let seq = self.seq();
        let m = &self.journal_meta;
        let dir = self.layout.queue_blobs(&m.project, &m.run_name, &m.session);
        let blob = dir.join(seq.to_string());
        self.layout.ensure_inside(&blob)?;
        std::fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        let size = std::fs::copy(source, &blob).ctx("copy artifact to", &blob)?;
        let mut fields = Map::new();
        fields.insert("name".into(), Value::from(name));
        fields.insert("size".into(), Value::from(size));
        if let Some(f) = source.file_name().and_then(|f| f.to_str()) {
            fields.insert("original_name".into(), Value::from(f));
        }
        self.send(Msg::Op(value_op(seq, Kind::Artifact, fields)))?;
        Ok(size)
    }

    fn flush(&mut self) -> Result<()> {
        let (reply_tx, reply_rx) = sync_channel(1);
        self.send(Msg::Flush(reply_tx))?;
        reply_rx
            .recv()
            .map_err(|_| Error::WriterStopped)?
            .map_err(Error::Background)
    }

    fn finish(&mut self, meta: &RunMeta) -> Result<()> {
        let mut ops: Vec<QOp> = self.meta_op(meta).into_iter().collect();
        let seq = self.seq();
        let mut f = Map::new();
        f.insert("exit_code".into(), Value::from(meta.exit_code.unwrap_or(0)));
        ops.push(value_op(seq, Kind::Finish, f));
        let (reply_tx, reply_rx) = sync_channel(1);
        self.send(Msg::Close(ops, reply_tx))?;
        let result = reply_rx.recv().map_err(|_| Error::WriterStopped)?;
        super::stop_thread(&mut self.tx, &mut self.handle);
        result
    }
}

impl Drop for RemoteSink {
    fn drop(&mut self) {
        // Without `finish`, closing the channel makes the thread queue what it has on disk.
        super::stop_thread(&mut self.tx, &mut self.handle);
    }
}

/// The background thread's state: operations not yet confirmed, oldest first. Either none of them
/// are in the journal (online), or all of them are (offline; `on_disk == outbox.len()`).
struct Sender {
    client: Client,
    protocol: Option<Protocol>,
    journal: Journal,
    outbox: VecDeque<QOp>,
    on_disk: usize,
    offline: bool,
    attempts: u32,
    next_retry: Instant,
    max_batch: usize,
    names: Vec<Arc<str>>,
    errors: Vec<String>,
    warned_tags: bool,
    flush_timeout: Duration,
    last_sync: Instant,
}

/// What a drain achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Drained {
    /// Operations the tracker confirmed.
    pub sent: usize,
    /// Operations still queued.
    pub left: usize,
}

impl Sender {
    fn new(
        client: Client,
        protocol: Option<Protocol>,
        journal: Journal,
        flush_timeout: Duration,
    ) -> Sender {
        Sender {
            client,
            protocol,
            journal,
            outbox: VecDeque::new(),
            on_disk: 0,
            offline: false,
            attempts: 0,
            next_retry: Instant::now(),
            max_batch: MAX_BATCH_OPS,
            names: Vec::new(),
            errors: Vec::new(),
            warned_tags: false,
            flush_timeout,
            last_sync: Instant::now(),
        }
    }

    fn note(&mut self, e: impl std::fmt::Display) {
        let e = e.to_string();
        if self.errors.len() < 20 && !self.errors.contains(&e) {
            self.errors.push(e);
        }
    }

    fn push(&mut self, op: QOp) {
        self.outbox.push_back(op);
    }

    /// Keeps the invariant: offline means every queued operation is in the journal.
    fn journal_tail(&mut self) {
        if self.offline && self.on_disk < self.outbox.len() {
            let tail: Vec<QOp> = self.outbox.iter().skip(self.on_disk).cloned().collect();
            match self.journal.append(&tail) {
                Ok(()) => self.on_disk = self.outbox.len(),
                Err(e) => self.note(format!("offline queue: {e}")),
            }
        }
    }

    fn go_offline(&mut self, why: &Fail) {
        if !self.offline {
            self.offline = true;
            self.on_disk = 0;
            if let Fail::Auth(_) = why {
                self.note(why);
            }
        }
        self.journal_tail();
        self.attempts = self.attempts.saturating_add(1);
        let base = Duration::from_secs(1)
            .saturating_mul(1u32 << self.attempts.min(7).saturating_sub(1))
            .min(MAX_BACKOFF);
        let jitter = 0.9 + 0.2 * fastrand::f64();
        self.next_retry = Instant::now() + base.mul_f64(jitter);
    }

    /// Removes the first `n` operations (confirmed or refused for good).
    fn pop(&mut self, n: usize) {
        let mut last = None;
        for _ in 0..n {
            if let Some(op) = self.outbox.pop_front() {
                last = Some(op.seq);
            }
        }
        if self.on_disk > 0 {
            self.on_disk = self.on_disk.saturating_sub(n);
            if let Some(seq) = last {
                if let Err(e) = self.journal.ack(seq) {
                    self.note(format!("offline queue: {e}"));
                }
            }
        }
        if self.outbox.is_empty() && self.offline {
            // Everything confirmed: back online, the queue files go.
            if let Err(e) = self.journal.remove() {
                self.note(format!("offline queue: {e}"));
            }
            self.offline = false;
            self.on_disk = 0;
        }
        self.attempts = 0;
    }

    /// Sends the front of the outbox until it is empty or a request fails. `force` ignores the
    /// backoff (flush at finish, `aspara sync`).
    fn pump(&mut self, force: bool) {
        while !self.outbox.is_empty() {
            if self.offline && !force && Instant::now() < self.next_retry {
                return;
            }
            let protocol = match self.protocol {
                Some(p) => p,
                None => match self.client.probe() {
                    Ok(p) => {
                        self.protocol = Some(p);
                        p
                    }
                    Err(f @ Fail::Reject { .. }) | Err(f @ Fail::TooLarge) => {
                        // A health route that refuses is not ours; behave as Aspara's client.
                        let _ = f;
                        self.protocol = Some(Protocol::Aspara);
                        Protocol::Aspara
                    }
                    Err(f) => {
                        self.go_offline(&f);
                        return;
                    }
                },
            };
            let front_kind = self.outbox.front().map(|o| o.kind);
            let (n, result) = match (front_kind, protocol) {
                (Some(Kind::Artifact), _) => {
                    let op = self.outbox[0].clone();
                    let blob = self.journal.blobs_dir().join(op.seq.to_string());
                    let r = self.client.upload_artifact(&op, &blob);
                    if r.is_ok() {
                        let _ = std::fs::remove_file(&blob);
                    }
                    (1, r)
                }
                (Some(Kind::Create), _) => {
                    let op = self.outbox[0].clone();
                    let r = match self.client.create(&op) {
                        Ok(c) => {
                            if c.protocol.is_some() {
                                self.protocol = c.protocol;
                            }
                            Ok(())
                        }
                        // Resumed or replayed: the run is there.
                        Err(Fail::Reject { status: 409, .. })
                            if op.value()["resume"].as_bool() == Some(true) =>
                        {
                            Ok(())
                        }
                        Err(e) => Err(e),
                    };
                    (1, r)
                }
                (Some(_), Protocol::Batch) => {
                    let mut n = 0;
                    let mut bytes = 0;
                    for op in self.outbox.iter() {
                        if matches!(op.kind, Kind::Artifact | Kind::Create)
                            || n >= self.max_batch
                            || (n > 0 && bytes + op.line.len() > MAX_BATCH_BYTES)
                        {
                            break;
                        }
                        n += 1;
                        bytes += op.line.len() + 1;
                    }
                    let ops: Vec<QOp> = self.outbox.iter().take(n).cloned().collect();
                    (n, self.client.send_batch(&ops))
                }
                (Some(_), Protocol::Aspara) => {
                    let op = self.outbox[0].clone();
                    let r = self.client.send_aspara(&op).map(|sent| {
                        if !sent && !self.warned_tags {
                            self.warned_tags = true;
                            eprintln!(
                                "aspara: the tracker at {} has no endpoint for tags and notes changes (Aspara 0.1.0); they were not sent",
                                self.client.base()
                            );
                        }
                    });
                    (1, r)
                }
                (None, _) => return,
            };
            match result {
                Ok(()) => {
                    self.pop(n);
                    if self.max_batch < MAX_BATCH_OPS {
                        self.max_batch = (self.max_batch * 2).min(MAX_BATCH_OPS);
                    }
                }
                Err(Fail::TooLarge) if n > 1 => self.max_batch = (n / 2).max(1),
                Err(f @ Fail::TooLarge) | Err(f @ Fail::Reject { .. }) => {
                    self.note(format!("{n} operation(s) dropped: {f}"));
                    self.pop(n);
                }
                Err(f) => {
                    self.go_offline(&f);
                    return;
                }
            }
        }
    }

    fn handle(&mut self, msg: Msg, flushes: &mut Vec<FlushReply>) -> Option<CloseRequest> {
        match msg {
            Msg::Name(id, name) => {
                debug_assert_eq!(id as usize, self.names.len());
                self.names.push(name);
            }
            Msg::Record(seq, r) => {
                let names = &self.names;
                let op = metrics_op(
                    seq,
                    r.step,
                    r.timestamp_ms,
                    r.metrics
                        .iter()
                        .map(|(id, v)| (names.get(id as usize).map_or("", |n| &**n), v)),
                );
                self.push(op);
            }
            Msg::Op(op) => self.push(op),
            Msg::Flush(reply) => flushes.push(reply),
            Msg::Close(ops, reply) => return Some((ops, reply)),
        }
        None
    }

    fn take_errors(&mut self) -> Result<(), String> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(std::mem::take(&mut self.errors).join("; "))
        }
    }

    fn sync_journal(&mut self) {
        if self.offline {
            if let Err(e) = self.journal.sync() {
                self.note(format!("offline queue: {e}"));
            }
        }
        self.last_sync = Instant::now();
    }

    /// Keeps sending until everything is confirmed or `deadline` passes; retries every half second
    /// (or sooner) meanwhile.
    pub fn drain(&mut self, deadline: Instant) -> Drained {
        let before = self.outbox.len();
        loop {
            self.pump(true);
            if self.outbox.is_empty() || Instant::now() >= deadline {
                break;
            }
            let nap =
                Duration::from_millis(500).min(deadline.saturating_duration_since(Instant::now()));
            std::thread::sleep(nap);
        }
        self.journal_tail();
        self.sync_journal();
        let left = self.outbox.len();
        Drained {
            sent: before - left,
            left,
        }
    }

    fn run(mut self, rx: Receiver<Msg>) {
        let mut flushes = Vec::new();
        loop {
            let wait = if self.outbox.is_empty() {
                None
            } else if self.offline {
                Some(
                    self.next_retry
                        .saturating_duration_since(Instant::now())
                        .min(Duration::from_secs(1)),
                )
            } else {
                Some(Duration::ZERO)
            };
            let first = match wait {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(w) => rx.recv_timeout(w),
            };
            let mut close = None;
            let mut got = 0usize;
            match first {
                Ok(m) => {
                    got += 1;
                    close = self.handle(m, &mut flushes);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            let mut lingered = false;
            while close.is_none() {
                match rx.try_recv() {
                    Ok(m) => {
                        got += 1;
                        close = self.handle(m, &mut flushes);
                    }
                    Err(std::sync::mpsc::TryRecvError::Empty) => {
                        if !lingered
                            && got > 0
                            && got < LINGER_BELOW
                            && flushes.is_empty()
                            && !self.offline
                        {
                            lingered = true;
                            std::thread::sleep(LINGER);
                            continue;
                        }
                        break;
                    }
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => break,
                }
            }
            self.journal_tail();
            if let Some((ops, reply)) = close {
                for op in ops {
                    self.push(op);
                }
                let d = self.drain(Instant::now() + self.flush_timeout);
                let result = if d.left == 0 {
                    self.take_errors().map_err(Error::Background)
                } else {
                    Err(Error::Queued {
                        ops: d.left,
                        queue: self.journal.path(),
                    })
                };
                for f in flushes.drain(..) {
                    let _ = f.send(Ok(()));
                }
                let _ = reply.send(result);
                return;
            }
            self.pump(false);
            if !flushes.is_empty() || self.last_sync.elapsed() >= Duration::from_secs(1) {
                self.sync_journal();
            }
            for f in flushes.drain(..) {
                let r = self.take_errors();
                let _ = f.send(r);
            }
        }
        // The sink went away without `finish` (the process is ending): one last try, then the
        // rest stays queued on disk.
        self.pump(false);
        if !self.outbox.is_empty() {
            if !self.offline {
                self.offline = true;
                self.on_disk = 0;
            }
            self.journal_tail();
            self.sync_journal();
        }
    }
}

/// What `aspara sync` did with one queue.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncedQueue {
    /// Project name.
    pub project: String,
    /// Run name.
    pub run: String,
    /// The tracker it went to.
    pub tracker_uri: String,
    /// Operations confirmed.
    pub sent: usize,
    /// Operations still queued (the tracker is unreachable, or refused the token).
    pub left: usize,
    /// Unreadable journal lines skipped.
    pub bad_lines: usize,
    /// Problems met.
    pub errors: Vec<String>,
}

/// Uploads every offline queue under `root` (the client's data directory), each to the tracker it
/// was made for, or to `tracker` when given; confirmed queues are removed. Each queue gets at most
/// `timeout` of retries.
pub fn sync_queues(
    root: &Path,
    tracker: Option<&str>,
    token: Option<String>,
    timeout: Duration,
) -> Result<Vec<SyncedQueue>> {
    let layout = Layout::new(root);
    let mut out = Vec::new();
    for meta_path in queue::find_queues(&layout) {
        let (journal, ops, bad_lines) = Journal::load(layout.clone(), &meta_path)?;
        let m = journal.meta().clone();
        let uri = tracker.map_or(m.tracker_uri.clone(), str::to_owned);
        let client = Client::new(
            &uri,
            token.clone(),
            Duration::from_secs(30),
            &m.project,
            &m.run_name,
            &m.session,
        );
        let mut sender = Sender::new(client, None, journal, timeout);
        sender.offline = true;
        let n = ops.len();
        for op in ops {
            sender.push(op);
        }
        sender.on_disk = n;
        let d = if n == 0 {
            sender.pop(0);
            let _ = sender.journal.remove();
            Drained::default()
        } else {
            sender.drain(Instant::now() + timeout)
        };
        out.push(SyncedQueue {
            project: m.project,
            run: m.run_name,
            tracker_uri: uri,
            sent: d.sent,
            left: d.left,
            bad_lines,
            errors: std::mem::take(&mut sender.errors),
        });
    }
    Ok(out)
}
