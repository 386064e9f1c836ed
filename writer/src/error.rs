//! The writer's one error type and its `Result` alias.
//!
//! Every fallible call of the runtime (`Run`, the data-dir choice, the sinks, the manifest) returns
//! [`Result`]. Messages that users also meet in Python Aspara 0.1.0 use Aspara's words (reference
//! §3.1, §3.3, §3.4), so moving between the two tools reads the same.

use crate::format::NameError;
use std::path::PathBuf;

/// What went wrong in the writer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A project, run, artifact or metric name that breaks the name rules (FORMAT.md §1.3; cases B35, B36).
    #[error(transparent)]
    Name(#[from] NameError),
    /// A metric value that is not a number, at an untyped entry point (case B18).
    #[error(
        "Unsupported value type for '{key}': <class '{type_name}'>. Currently only int and float are supported."
    )]
    UnsupportedValue {
        /// The metric name.
        key: String,
        /// The Python type name Aspara would print (`str`, `NoneType`, `dict`, `list`).
        type_name: &'static str,
    },
    /// A metrics argument that is not a JSON object.
    #[error("Metrics must be a JSON object, got {0}")]
    MetricsNotObject(&'static str),
    /// A step that is not a non-negative integer, at an untyped entry point (case B14).
    #[error("Invalid step {0}: a step must be a non-negative integer")]
    InvalidStep(String),
    /// A timestamp that is neither ms nor an ISO-8601 string (reference §7 #38).
    #[error("Invalid timestamp {0:?}: expected UNIX milliseconds or an ISO-8601 string")]
    InvalidTimestamp(String),
    /// Tags or notes beyond Aspara's limits (100 tags, 10240 characters of notes; reference §1.3).
    #[error("{0}")]
    Metadata(String),
    /// Logging to, or changing, a run after `finish`.
    #[error("Cannot log to a finished run")]
    Finished,
    /// `Resume::Never` and the run already exists.
    #[error("Run already exists: {project}/{run} (use resume to continue it)")]
    RunExists {
        /// Project name.
        project: String,
        /// Run name.
        run: String,
    },
    /// `Resume::Must` and the run does not exist.
    #[error("Run not found: {project}/{run}")]
    RunNotFound {
        /// Project name.
        project: String,
        /// Run name.
        run: String,
    },
    /// A data directory that resolves to a system root such as `/` or `/etc` (reference §1.1).
    #[error("Refusing to use {0} as the data directory: it is a system directory")]
    RefusedDataDir(PathBuf),
    /// The chosen data directory exists but is a file (or another non-directory).
    #[error("The data directory {0} exists but is not a directory")]
    DataDirNotADirectory(PathBuf),
    /// No data directory could be chosen (no explicit path, no env, no home directory).
    #[error("Cannot choose a data directory: no home directory found; set ASPARA_DATA_DIR")]
    NoDataDir,
    /// A path that would leave the data directory (through a symlink).
    #[error("Unsafe path {0}: it resolves outside the data directory")]
    UnsafePath(PathBuf),
    /// An artifact category outside `code|model|config|data|other`.
    #[error("Invalid category '{0}'. Must be one of: code, model, config, data, other")]
    InvalidCategory(String),
    /// An artifact source that is missing or not a regular file.
    #[error("{0}")]
    ArtifactSource(String),
    /// A file-system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done (`open`, `write`, `rename`, ...).
        op: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A file that should be JSON is not, and cannot be rebuilt.
    #[error("invalid JSON in {path}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The background writer reported a failure (surfaced by `flush`/`finish`).
    #[error("background writer failed: {0}")]
    Background(String),
    /// The background writer is gone (it panicked or was shut down).
    #[error("background writer stopped")]
    WriterStopped,
    /// A tracker refused a call, or could not be used (remote mode; FORMAT.md §8).
    #[error("tracker: {0}")]
    Remote(String),
    /// A tracker request that breaks the protocol (a malformed batch or operation).
    #[error("{0}")]
    Protocol(String),
    /// `finish` could not upload everything in time: the rest is safe in the offline queue, and
    /// `aspara sync` uploads it later.
    #[error(
        "{ops} operation(s) could not reach the tracker yet; they are kept in {} and `aspara sync` uploads them",
        queue.display()
    )]
    Queued {
        /// How many operations are still queued.
        ops: usize,
        /// The queue's journal file.
        queue: PathBuf,
    },
}

/// The writer's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with what was being done and where.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

/// Adds `op` and `path` to an `io::Result`.
pub(crate) trait IoContext<T> {
    fn ctx(self, op: &'static str, path: &std::path::Path) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, op: &'static str, path: &std::path::Path) -> Result<T> {
        self.map_err(|e| Error::io(op, path, e))
    }
}
