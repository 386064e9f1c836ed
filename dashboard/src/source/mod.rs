//! Where bytes come from: a static HTTP host (the manifest plus run files, with `Range` reads for
//! growing runs) or a local folder the user opened (files picked with `webkitdirectory`, dropped, or
//! chosen with `showDirectoryPicker`).
//!
//! [`discover`] is pure (a file list → a manifest) and tested natively; the browser side is wasm32
//! only. Every path handed to a source is relative to the data root and built from validated names.

pub mod discover;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
pub use browser::*;

/// Why a read failed, in words for the page.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    /// The host answered with an error status.
    #[error("{url}: HTTP {status}")]
    Status {
        /// What was asked for.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The request did not complete (no server, CORS, `file://`).
    #[error("{url}: {message}")]
    Network {
        /// What was asked for.
        url: String,
        /// The browser's message.
        message: String,
    },
    /// A local folder has no such file.
    #[error("{0}: not in the opened folder")]
    Missing(String),
    /// The manifest is not valid.
    #[error("aspara-index.json: {0}")]
    Manifest(String),
}

/// A `Range` read: the bytes, and whether they replace everything read before (the host ignored
/// the range and sent the whole file with 200).
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// The bytes received.
    pub bytes: Vec<u8>,
    /// `true` when these bytes are the whole file from offset 0.
    pub full: bool,
}
