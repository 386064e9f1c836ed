//! The offline queue: operations that could not reach the tracker, kept on disk in the client's own
//! data directory until they do (FORMAT.md §8.3).
//!
//! Per writer session there is a journal, `.queue/<project>/<run>/<session>.queue.jsonl` (one
//! operation per line, appended in order), and a state file, `<session>.queue.meta.json` (the
//! tracker, the run and `acked_seq`, the last operation the tracker confirmed; replaced
//! atomically). Artifact bytes wait in `<session>.blobs/<seq>`. An operation is in the queue while
//! its `seq` is above `acked_seq`; when everything is confirmed the files are removed. A torn last
//! line (a process killed mid-append) is skipped and counted on load, never fatal.

use super::wire::QOp;
use crate::atomic;
use crate::error::IoContext;
use crate::layout::{Layout, QUEUE_META_SUFFIX};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The state file of one queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueMeta {
    /// The tracker the operations are for.
    pub tracker_uri: String,
    /// Project name.
    pub project: String,
    /// Run name.
    pub run_name: String,
    /// The run id as the client knows it.
    pub run_id: String,
    /// The writer session (the tracker deduplicates by session and `seq`).
    pub session: String,
    /// When the queue was created, UNIX ms.
    pub created_at: i64,
    /// The last `seq` the tracker confirmed.
    pub acked_seq: u64,
}

/// One session's journal and state file.
#[derive(Debug)]
pub struct Journal {
    layout: Layout,
    meta: QueueMeta,
    file: Option<File>,
    unsynced: bool,
}

impl Journal {
    /// A journal that exists on disk only once something is appended.
    pub fn new(layout: Layout, meta: QueueMeta) -> Journal {
        Journal {
            layout,
            meta,
            file: None,
            unsynced: false,
        }
    }

    /// The state.
    pub fn meta(&self) -> &QueueMeta {
        &self.meta
    }

    /// The journal file's path.
    pub fn path(&self) -> PathBuf {
        let m = &self.meta;
        self.layout
            .queue_journal(&m.project, &m.run_name, &m.session)
    }

    /// The folder of artifact copies waiting for upload.
    pub fn blobs_dir(&self) -> PathBuf {
        let m = &self.meta;
        self.layout.queue_blobs(&m.project, &m.run_name, &m.session)
    }

    fn meta_path(&self) -> PathBuf {
        let m = &self.meta;
        self.layout.queue_meta(&m.project, &m.run_name, &m.session)
    }

    fn write_meta(&self) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&self.meta).map_err(|e| Error::Json {
            path: self.meta_path(),
            message: e.to_string(),
        })?;
        atomic::replace(&self.meta_path(), &bytes, 0o600)
    }

    /// Appends operations (one `write`); creates the files on first use.
    pub fn append(&mut self, ops: &[QOp]) -> Result<()> {
        if ops.is_empty() {
            return Ok(());
        }
        if self.file.is_none() {
            let path = self.path();
            let dir = path
                .parent()
                .ok_or_else(|| Error::UnsafePath(path.clone()))?
                .to_path_buf();
            self.layout.ensure_inside(&path)?;
            std::fs::create_dir_all(&dir).ctx("create directory", &dir)?;
            self.write_meta()?;
            let mut opts = OpenOptions::new();
            opts.append(true).create(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            self.file = Some(opts.open(&path).ctx("open", &path)?);
        }
        let mut buf = String::with_capacity(ops.iter().map(|o| o.line.len() + 1).sum());
        for op in ops {
            buf.push_str(&op.line);
            buf.push('\n');
        }
        let path = self.path();
        if let Some(f) = self.file.as_mut() {
            f.write_all(buf.as_bytes()).ctx("append to", &path)?;
        }
        self.unsynced = true;
        Ok(())
    }

    /// Makes appended operations durable.
    pub fn sync(&mut self) -> Result<()> {
        if self.unsynced {
            if let Some(f) = &self.file {
                f.sync_data().ctx("fsync", &self.path())?;
            }
            self.unsynced = false;
        }
        Ok(())
    }

    /// Records that the tracker confirmed everything up to `seq`.
    pub fn ack(&mut self, seq: u64) -> Result<()> {
        if seq <= self.meta.acked_seq {
            return Ok(());
        }
        self.meta.acked_seq = seq;
        if self.file.is_some() || self.meta_path().exists() {
            self.write_meta()?;
        }
        Ok(())
    }

    /// Whether the journal exists on disk.
    pub fn on_disk(&self) -> bool {
        self.file.is_some() || self.path().exists()
    }

    /// Removes the journal, the state file, the blob folder and the run's queue folder when empty:
    /// everything was confirmed.
    pub fn remove(&mut self) -> Result<()> {
        self.file = None;
        self.unsynced = false;
        for p in [self.path(), self.meta_path()] {
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("remove", &p, e)),
            }
        }
        let blobs = self.blobs_dir();
        if blobs.exists() {
            std::fs::remove_dir_all(&blobs).ctx("remove", &blobs)?;
        }
        // Empty parents go too (`remove_dir` refuses non-empty ones, which is what we want).
        let m = &self.meta;
        let run_dir = self.layout.queue_run_dir(&m.project, &m.run_name);
        if std::fs::remove_dir(&run_dir).is_ok() {
            if let Some(p) = run_dir.parent() {
                let _ = std::fs::remove_dir(p);
            }
        }
        Ok(())
    }

    /// Opens a queue left on disk from its state file: the journal and the operations still to
    /// send (`seq` above `acked_seq`, in order), plus the count of unreadable lines.
    pub fn load(layout: Layout, meta_path: &Path) -> Result<(Journal, Vec<QOp>, usize)> {
        let bytes = std::fs::read(meta_path).ctx("read", meta_path)?;
        let meta: QueueMeta = serde_json::from_slice(&bytes).map_err(|e| Error::Json {
            path: meta_path.to_path_buf(),
            message: e.to_string(),
        })?;
        let journal = Journal::new(layout, meta);
        let path = journal.path();
        let text = match std::fs::read(&path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        let mut ops = Vec::new();
        let mut bad = 0;
        let mut last = journal.meta.acked_seq;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match QOp::from_line(line) {
                // A seq at or below one seen is a replayed append; keep the order strictly rising.
                Some(op) if op.seq > last => {
                    last = op.seq;
                    ops.push(op);
                }
                Some(_) => {}
                None => bad += 1,
            }
        }
        let mut journal = journal;
        if path.exists() {
            let mut opts = OpenOptions::new();
            opts.append(true);
            journal.file = Some(opts.open(&path).ctx("open", &path)?);
            // A torn tail must not glue itself to the next line.
            if !text.is_empty() && !text.ends_with('\n') {
                if let Some(f) = journal.file.as_mut() {
                    f.write_all(b"\n").ctx("append to", &path)?;
                }
            }
        }
        Ok((journal, ops, bad))
    }
}

/// Every queue state file under `<root>/.queue/`, sorted.
pub fn find_queues(layout: &Layout) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(projects) = std::fs::read_dir(layout.queue_dir()) else {
        return out;
    };
    for p in projects.flatten() {
        let Ok(runs) = std::fs::read_dir(p.path()) else {
            continue;
        };
        for r in runs.flatten() {
            let Ok(files) = std::fs::read_dir(r.path()) else {
                continue;
            };
            for f in files.flatten() {
                if f.file_name().to_string_lossy().ends_with(QUEUE_META_SUFFIX) {
                    out.push(f.path());
                }
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::super::wire::metrics_op;
    use super::*;

    fn meta() -> QueueMeta {
        QueueMeta {
            tracker_uri: "http://127.0.0.1:1/tracker".into(),
            project: "p".into(),
            run_name: "r".into(),
            run_id: "0123456789abcdef".into(),
            session: "s1".into(),
            created_at: 0,
            acked_seq: 0,
        }
    }

    #[test]
    fn append_ack_reload_and_torn_tail() {
        let d = tempfile::tempdir().unwrap();
        let layout = Layout::new(d.path());
        let mut j = Journal::new(layout.clone(), meta());
        assert!(!j.on_disk());
        let ops: Vec<QOp> = (1..=5).map(|i| metrics_op(i, i, 0, [("x", 1.0)])).collect();
        j.append(&ops[..3]).unwrap();
        j.append(&ops[3..]).unwrap();
        j.sync().unwrap();
        j.ack(2).unwrap();
        // A torn line from a killed process.
        let mut f = OpenOptions::new().append(true).open(j.path()).unwrap();
        f.write_all(b"{\"seq\": 6, \"op\": \"metr").unwrap();
        drop(f);
        let meta_path = layout.queue_meta("p", "r", "s1");
        let (mut j2, left, bad) = Journal::load(layout.clone(), &meta_path).unwrap();
        assert_eq!(left.iter().map(|o| o.seq).collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(bad, 1);
        assert_eq!(j2.meta().acked_seq, 2);
        j2.append(&[metrics_op(6, 6, 0, [("x", 1.0)])]).unwrap();
        let (_, left, bad) = Journal::load(layout.clone(), &meta_path).unwrap();
        assert_eq!(left.iter().map(|o| o.seq).collect::<Vec<_>>(), [3, 4, 5, 6]);
        assert_eq!(bad, 1);
        assert_eq!(find_queues(&layout), std::slice::from_ref(&meta_path));
        j2.remove().unwrap();
        assert!(!layout.queue_run_dir("p", "r").exists());
        assert!(find_queues(&layout).is_empty());
    }
}
