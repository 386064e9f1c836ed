//! The loaded data, shared by every page: the manifest, project and run meta files, and each run's
//! decoded metrics, each as a [`Fetch`] that the pages render case by case.
//!
//! Loads start on demand (`ensure_*`), run as local tasks, and bump a version so the app re-renders.
//! Metrics are decoded while they stream in, in time slices that yield to the event loop, one run
//! at a time in request order, with progress. For live runs the
//! decoder is kept: [`StoreHandle::poll`] re-reads the manifest and feeds only the new bytes of each
//! grown `.jsonl` (HTTP `Range`; a 200 answer restarts the decoder on the whole file).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use aspara::format::reader::{Decoder, RunData, read_run};
use aspara::format::{Manifest, ProjectMeta, RunEntry, RunMeta, Status};
use wasm_bindgen_futures::spawn_local;

use crate::model::RunInfo;
use crate::source::{ByteStream, Source, yield_to_browser};

/// Decoding runs this long (ms) before yielding to the browser: short enough for smooth input,
/// long enough that the yields cost little.
const SLICE_MS: f64 = 10.0;

/// Progress is shown at most this often (ms); each update re-renders the page.
const PROGRESS_MS: f64 = 100.0;

/// Bytes pushed to the decoder between clock checks.
const PIECE: usize = 128 << 10;

fn perf_now() -> f64 {
    crate::bench::now_ms()
}

/// The right to decode; dropping it hands the turn to the next waiting run.
struct DecodeTurn(Rc<RefCell<Store>>);

impl Drop for DecodeTurn {
    fn drop(&mut self) {
        let next = {
            let mut s = self.0.borrow_mut();
            let next = s.decode_queue.pop_front();
            if next.is_none() {
                s.decoding = false;
            }
            next
        };
        if let Some(resolve) = next {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    }
}

/// A load: in flight, done, or failed with a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetch<T> {
    /// In flight.
    Loading,
    /// Done.
    Ready(T),
    /// Failed; the text is shown.
    Failed(String),
}

/// One run's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    /// The decoded data so far.
    pub data: Option<Rc<RunData>>,
    /// Per-metric stats of `data`, computed on first use after each update (the table and filter
    /// read them on every render; the run and compare pages draw before anything asks).
    stats: RefCell<Option<Rc<std::collections::BTreeMap<String, crate::model::MetricStat>>>>,
    /// (decoded, total) bytes while the first load runs.
    pub progress: Option<(u64, u64)>,
    /// Why loading failed.
    pub error: Option<String>,
    /// Kept while the run may grow.
    decoder: Option<Decoder>,
    /// Bytes of the file received so far (the next `Range` offset).
    received: u64,
    busy: bool,
}

/// A parsed meta file and, when it was unreadable, why.
pub type LoadedMeta = Rc<(RunMeta, Option<String>)>;

impl Metrics {
    fn set(&mut self, data: RunData) {
        self.stats = RefCell::new(None);
        self.data = Some(Rc::new(data));
    }

    /// The stats of `data`, computed once per update.
    fn stats(
        &self,
        data: &RunData,
    ) -> Rc<std::collections::BTreeMap<String, crate::model::MetricStat>> {
        self.stats
            .borrow_mut()
            .get_or_insert_with(|| Rc::new(crate::data::stats(data)))
            .clone()
    }
}

/// A run key: (project, run).
pub type RunKey = (String, String);

/// Everything loaded.
#[derive(Default)]
pub struct Store {
    /// Where data comes from; `None` until chosen.
    pub source: Option<Source>,
    /// The manifest.
    pub manifest: Option<Fetch<Rc<Manifest>>>,
    /// Entries skipped while finding projects in a folder (B35).
    pub skipped: Vec<String>,
    /// `<project>/metadata.json`.
    pub projects: HashMap<String, Fetch<Rc<ProjectMeta>>>,
    /// `<run>.meta.json`.
    pub metas: HashMap<RunKey, Fetch<LoadedMeta>>,
    /// `<run>.jsonl`.
    pub metrics: HashMap<RunKey, Metrics>,
    /// Bumped on every change.
    pub version: u64,
    /// A run is decoding (see [`StoreHandle::decode_turn`]).
    decoding: bool,
    /// Runs waiting to decode: each resolves its waiting promise.
    decode_queue: std::collections::VecDeque<js_sys::Function>,
    notify: Option<Rc<dyn Fn()>>,
}

/// A handle to the store, given to components through a context. Two handles are equal when they
/// saw the same version, so a change re-renders consumers.
#[derive(Clone)]
pub struct StoreHandle {
    /// The store.
    pub inner: Rc<RefCell<Store>>,
    /// The version this handle was made at.
    pub version: u64,
}

impl PartialEq for StoreHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner) && self.version == other.version
    }
}

/// Now, in ms.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

impl StoreHandle {
    /// A store that calls `notify` after each change.
    pub fn new(notify: Rc<dyn Fn()>) -> StoreHandle {
        let store = Store {
            notify: Some(notify),
            ..Store::default()
        };
        StoreHandle {
            inner: Rc::new(RefCell::new(store)),
            version: 0,
        }
    }

    /// A copy that records the current version (made by the app on every render).
    pub fn snapshot(&self) -> StoreHandle {
        StoreHandle {
            inner: self.inner.clone(),
            version: self.inner.borrow().version,
        }
    }

    fn bump(&self) {
        let notify = {
            let mut s = self.inner.borrow_mut();
            s.version += 1;
            s.notify.clone()
        };
        if let Some(n) = notify {
            n();
        }
    }

    /// Switches to a source, dropping everything loaded from the previous one.
    pub fn set_source(&self, source: Source) {
        {
            let mut s = self.inner.borrow_mut();
            let notify = s.notify.take();
            *s = Store {
                source: Some(source),
                notify,
                version: s.version,
                ..Store::default()
            };
        }
        self.load_manifest(false);
    }

    /// The source, if chosen.
    pub fn source(&self) -> Option<Source> {
        self.inner.borrow().source.clone()
    }

    fn load_manifest(&self, refresh: bool) {
        let Some(source) = self.source() else { return };
        if !refresh {
            self.inner.borrow_mut().manifest = Some(Fetch::Loading);
            self.bump();
        }
        let this = self.clone();
        spawn_local(async move {
            let result = source.manifest().await;
            {
                let mut s = this.inner.borrow_mut();
                match result {
                    Ok((m, skipped)) => {
                        s.manifest = Some(Fetch::Ready(Rc::new(m)));
                        s.skipped = skipped;
                    }
                    // A failed refresh keeps the last good manifest.
                    Err(e) if !(refresh && matches!(s.manifest, Some(Fetch::Ready(_)))) => {
                        s.manifest = Some(Fetch::Failed(e.to_string()))
                    }
                    Err(_) => {}
                }
            }
            this.bump();
        });
    }

    /// The manifest, once loaded.
    pub fn manifest(&self) -> Option<Rc<Manifest>> {
        match &self.inner.borrow().manifest {
            Some(Fetch::Ready(m)) => Some(m.clone()),
            _ => None,
        }
    }

    /// The manifest entry of a run.
    pub fn entry(&self, project: &str, run: &str) -> Option<RunEntry> {
        self.manifest()?
            .project(project)?
            .runs
            .iter()
            .find(|r| r.name == run)
            .cloned()
    }

    /// Starts loading `<project>/metadata.json` unless loaded.
    pub fn ensure_project(&self, project: &str) {
        let Some(source) = self.source() else { return };
        if self.inner.borrow().projects.contains_key(project) {
            return;
        }
        let path = format!("{project}/metadata.json");
        if !source.has(&path) {
            self.inner.borrow_mut().projects.insert(
                project.to_owned(),
                Fetch::Ready(Rc::new(ProjectMeta::default())),
            );
            return;
        }
        self.inner
            .borrow_mut()
            .projects
            .insert(project.to_owned(), Fetch::Loading);
        let this = self.clone();
        let project = project.to_owned();
        spawn_local(async move {
            let f = match source.read(&path).await {
                Ok(bytes) => Fetch::Ready(Rc::new(ProjectMeta::from_bytes_lossy(&bytes).0)),
                // A project without metadata.json is still a project.
                Err(_) => Fetch::Ready(Rc::new(ProjectMeta::default())),
            };
            this.inner.borrow_mut().projects.insert(project, f);
            this.bump();
        });
    }

    /// Project meta, once loaded.
    pub fn project_meta(&self, project: &str) -> Option<Rc<ProjectMeta>> {
        match self.inner.borrow().projects.get(project) {
            Some(Fetch::Ready(m)) => Some(m.clone()),
            _ => None,
        }
    }

    /// Starts loading a run's meta file unless loaded (or `reload`).
    pub fn ensure_meta(&self, project: &str, run: &str, reload: bool) {
        let Some(source) = self.source() else { return };
        let key = (project.to_owned(), run.to_owned());
        if !reload && self.inner.borrow().metas.contains_key(&key) {
            return;
        }
        let has_meta = self.entry(project, run).is_none_or(|e| e.meta.is_some());
        if !has_meta {
            self.inner.borrow_mut().metas.insert(
                key,
                Fetch::Ready(Rc::new((
                    RunMeta::default(),
                    Some("no meta file".to_owned()),
                ))),
            );
            return;
        }
        if !reload {
            self.inner
                .borrow_mut()
                .metas
                .insert(key.clone(), Fetch::Loading);
        }
        let this = self.clone();
        let path = format!("{project}/{run}.meta.json");
        spawn_local(async move {
            let f = match source.read(&path).await {
                Ok(bytes) => {
                    let (m, e) = RunMeta::from_bytes_lossy(&bytes);
                    Fetch::Ready(Rc::new((m, e.map(|e| e.to_string()))))
                }
                Err(e) => Fetch::Failed(e.to_string()),
            };
            this.inner.borrow_mut().metas.insert(key, f);
            this.bump();
        });
    }

    /// A run as the pages show it: the meta file when loaded (else the manifest entry), plus the
    /// metric names and stats once its metrics are loaded.
    pub fn run_info(&self, project: &str, run: &str) -> Option<RunInfo> {
        self.run_info_with(project, run, true)
    }

    /// [`StoreHandle::run_info`] without the metric stats (which cost a pass over every metric):
    /// for pages that only need the meta, so a run's first chart is not held up by its stats.
    pub fn run_info_brief(&self, project: &str, run: &str) -> Option<RunInfo> {
        self.run_info_with(project, run, false)
    }

    fn run_info_with(&self, project: &str, run: &str, with_stats: bool) -> Option<RunInfo> {
        let now = now_ms();
        let key = (project.to_owned(), run.to_owned());
        let entry = self.entry(project, run);
        let s = self.inner.borrow();
        let mut info = match (s.metas.get(&key), &entry) {
            (Some(Fetch::Ready(m)), _) => {
                let mut i = RunInfo::from_meta(run, m.0.clone(), m.1.clone(), now);
                if let Some(e) = &entry {
                    i.metric_names = e.metrics.clone();
                    i.set_file_facts(e);
                }
                i
            }
            (_, Some(e)) => RunInfo::from_entry(e, now),
            _ => return None,
        };
        if let Some(m) = s.metrics.get(&key) {
            if let Some(d) = &m.data {
                info.metric_names = d.metrics.iter().map(|c| c.name.clone()).collect();
                if with_stats {
                    info.stats = (*m.stats(d)).clone();
                }
            }
        }
        Some(info)
    }

    /// Starts loading a run's metrics unless loaded.
    pub fn ensure_metrics(&self, project: &str, run: &str) {
        let Some(source) = self.source() else { return };
        let key = (project.to_owned(), run.to_owned());
        if self.inner.borrow().metrics.contains_key(&key) {
            return;
        }
        let entry = self.entry(project, run);
        self.inner.borrow_mut().metrics.insert(
            key.clone(),
            Metrics {
                busy: true,
                progress: Some((
                    0,
                    entry.as_ref().and_then(|e| e.jsonl).map_or(0, |f| f.size),
                )),
                ..Metrics::default()
            },
        );
        self.bump();
        let has_jsonl = entry.as_ref().is_none_or(|e| e.jsonl.is_some());
        let wal = entry.as_ref().is_some_and(|e| e.wal.is_some());
        let this = self.clone();
        spawn_local(async move {
            let (project, run) = key.clone();
            let fail = |e: String| {
                if let Some(m) = this.inner.borrow_mut().metrics.get_mut(&key) {
                    m.error = Some(e);
                    m.busy = false;
                    m.progress = None;
                }
                this.bump();
            };
            if !wal {
                // The request starts at once (runs download in parallel); decoding waits its turn.
                let stream = if has_jsonl {
                    match source.open(&format!("{project}/{run}.jsonl")).await {
                        Ok(s) => Some(s),
                        Err(e) => return fail(e.to_string()),
                    }
                } else {
                    None
                };
                this.decode(key.clone(), &source, stream).await;
                return;
            }
            let main = if has_jsonl {
                source.read(&format!("{project}/{run}.jsonl")).await
            } else {
                Ok(Vec::new())
            };
            let bytes = match main {
                Ok(b) => b,
                Err(e) => return fail(e.to_string()),
            };
            // Runs with a write-ahead file are decoded in one go by the reader's merge rule.
            let w = source
                .read(&format!("{project}/{run}.wal.jsonl"))
                .await
                .unwrap_or_default();
            let data = read_run(&bytes, &w);
            if let Some(m) = this.inner.borrow_mut().metrics.get_mut(&key) {
                m.set(data);
                m.busy = false;
                m.progress = None;
            }
            this.bump();
        });
    }

    /// Waits until no other run is decoding. Runs decode one after another in the order asked for,
    /// so the first run's charts appear after one run's work instead of after all of them.
    async fn decode_turn(&self) -> DecodeTurn {
        let wait = {
            let mut s = self.inner.borrow_mut();
            if s.decoding {
                let mut resolver = None;
                let p = js_sys::Promise::new(&mut |resolve, _| resolver = Some(resolve));
                resolver.map(|r| {
                    s.decode_queue.push_back(r);
                    p
                })
            } else {
                s.decoding = true;
                None
            }
        };
        if let Some(p) = wait {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        }
        DecodeTurn(self.inner.clone())
    }

    /// Decodes a metrics file as it streams in, in time slices of [`SLICE_MS`] between yields to the
    /// browser, with progress at most every [`PROGRESS_MS`].
    async fn decode(&self, key: RunKey, source: &Source, stream: Option<ByteStream>) {
        let turn = self.decode_turn().await;
        crate::bench::record("lastDecodeStartMs", perf_now());
        let total = self
            .inner
            .borrow()
            .metrics
            .get(&key)
            .and_then(|m| m.progress)
            .map_or(0, |p| p.1);
        let mut dec = Decoder::new();
        // The manifest's file size: the decoder sizes its columns once instead of growing them with
        // every piece (each growth copies them and grows wasm memory).
        dec.size_hint(total);
        let mut done = 0u64;
        let mut error = None;
        let mut slice_start = perf_now();
        let mut last_progress = slice_start;
        if let Some(mut stream) = stream {
            loop {
                let piece = match stream.next().await {
                    Ok(Some(p)) => p,
                    Ok(None) => break,
                    Err(e) => {
                        error = Some(e.to_string());
                        break;
                    }
                };
                for part in piece.chunks(PIECE) {
                    dec.push(part);
                    done += part.len() as u64;
                    let now = perf_now();
                    if now - slice_start < SLICE_MS {
                        continue;
                    }
                    if now - last_progress >= PROGRESS_MS {
                        if let Some(m) = self.inner.borrow_mut().metrics.get_mut(&key) {
                            m.progress = Some((done, total.max(done)));
                        }
                        self.bump();
                        last_progress = perf_now();
                    }
                    // Let the page handle input and paint while a large file decodes.
                    yield_to_browser().await;
                    slice_start = perf_now();
                }
            }
        }
        drop(turn);
        crate::bench::record("lastDecodeEndMs", perf_now());
        let live = error.is_none() && source.is_live() && self.is_live(&key.0, &key.1);
        let mut s = self.inner.borrow_mut();
        if let Some(m) = s.metrics.get_mut(&key) {
            m.received = done;
            m.progress = None;
            m.busy = false;
            // A broken download keeps what arrived and says why the rest is missing.
            m.error = error;
            if live {
                m.set(dec.snapshot().clone());
                m.decoder = Some(dec);
            } else {
                m.set(dec.finish());
            }
        }
        drop(s);
        self.bump();
    }

    fn is_live(&self, project: &str, run: &str) -> bool {
        self.run_info_brief(project, run)
            .is_some_and(|r| r.status == Status::Wip)
    }

    /// A run's metrics state: (data, progress, error).
    #[allow(clippy::type_complexity)] // a plain triple reads better here than a one-use struct
    pub fn metrics(
        &self,
        project: &str,
        run: &str,
    ) -> (Option<Rc<RunData>>, Option<(u64, u64)>, Option<String>) {
        let s = self.inner.borrow();
        match s.metrics.get(&(project.to_owned(), run.to_owned())) {
            Some(m) => (m.data.clone(), m.progress, m.error.clone()),
            None => (None, None, None),
        }
    }

    /// Whether any loaded run is still being written (worth polling for).
    pub fn has_live(&self) -> bool {
        let keys: Vec<RunKey> = self
            .inner
            .borrow()
            .metrics
            .iter()
            .filter(|(_, m)| m.decoder.is_some())
            .map(|(k, _)| k.clone())
            .collect();
        !keys.is_empty()
            || self.manifest().is_some_and(|m| {
                // The derived status: a "wip" run silent for over an hour is maybe_failed, not live.
                let now = now_ms();
                m.projects.iter().any(|p| {
                    p.runs
                        .iter()
                        .any(|r| RunInfo::from_entry(r, now).status == Status::Wip)
                })
            })
    }

    /// One poll: re-read the manifest, then tail every live run whose metrics file grew and
    /// re-read meta files that changed.
    pub fn poll(&self) {
        let Some(source) = self.source() else { return };
        if !source.is_live() {
            return;
        }
        let before = self.manifest();
        let this = self.clone();
        spawn_local(async move {
            let Ok((m, _)) = source.manifest().await else {
                return;
            };
            let m = Rc::new(m);
            this.inner.borrow_mut().manifest = Some(Fetch::Ready(m.clone()));
            for p in &m.projects {
                for r in &p.runs {
                    let old = before
                        .as_ref()
                        .and_then(|b| b.project(&p.name))
                        .and_then(|bp| bp.runs.iter().find(|x| x.name == r.name));
                    let key = (p.name.clone(), r.name.clone());
                    if old.is_none_or(|o| o.meta != r.meta)
                        && this.inner.borrow().metas.contains_key(&key)
                    {
                        this.ensure_meta(&p.name, &r.name, true);
                    }
                    if old.is_none_or(|o| o.jsonl != r.jsonl) {
                        this.tail(&source, key).await;
                    }
                }
            }
            this.bump();
        });
    }

    async fn tail(&self, source: &Source, key: RunKey) {
        let offset = {
            let mut s = self.inner.borrow_mut();
            let Some(m) = s.metrics.get_mut(&key) else {
                return;
            };
            if m.decoder.is_none() || m.busy {
                return;
            }
            m.busy = true;
            m.received
        };
        let path = format!("{}/{}.jsonl", key.0, key.1);
        let chunk = source.read_from(&path, offset).await;
        let live = self.is_live(&key.0, &key.1);
        let mut s = self.inner.borrow_mut();
        let Some(m) = s.metrics.get_mut(&key) else {
            return;
        };
        m.busy = false;
        let Ok(chunk) = chunk else { return };
        let Some(mut dec) = m.decoder.take() else {
            return;
        };
        if chunk.full {
            // The host ignored the range: start over on the whole file.
            dec = Decoder::new();
            m.received = 0;
        }
        dec.push(&chunk.bytes);
        m.received += chunk.bytes.len() as u64;
        if live {
            m.set(dec.snapshot().clone());
            m.decoder = Some(dec);
        } else {
            m.set(dec.finish());
        }
    }
}
