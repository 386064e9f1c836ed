//! The library's error type: everything a command can fail with, typed so the binary can add context
//! once and tests can match on the kind.

use std::path::PathBuf;

/// What a command or the server can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A filesystem operation failed.
    #[error("{action} {path}")]
    Io {
        /// What was being done ("reading", "creating", ...).
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The data directory does not exist or is not a directory.
    #[error("data directory {0} does not exist (create it, or pass --data-dir)")]
    NoDataDir(PathBuf),
    /// A project named on the command line is not in the data directory.
    #[error("project '{0}' not found in the data directory")]
    NoProject(String),
    /// A run named on the command line could not be found.
    #[error("run '{0}' not found")]
    NoRun(String),
    /// A name given on the command line is not a valid project or run name.
    #[error(transparent)]
    BadName(#[from] aspara::format::NameError),
    /// An argument is well-formed for clap but makes no sense (e.g. `--port 0` with `--no-serve`).
    #[error("{0}")]
    BadArgument(String),
    /// `publish` was pointed at a non-empty directory that is not an earlier publish.
    #[error(
        "{0} is not empty and is not an earlier `aspara publish` output; choose an empty directory or pass --force"
    )]
    NotASite(PathBuf),
    /// The writer or the index failed.
    #[error(transparent)]
    Aspara(#[from] aspara::Error),
    /// JSON encoding failed.
    #[error("encoding JSON")]
    Json(#[from] serde_json::Error),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with what was being done and to which path.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}
