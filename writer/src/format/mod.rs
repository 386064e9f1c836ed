//! The data-directory format (FORMAT.md): the one model that the writer, the command line and the
//! browser dashboard share.
//!
//! Everything here is pure: no filesystem, no clock, no threads. It builds for `wasm32-unknown-unknown`
//! with the crate's default features off, which is how the dashboard uses it, so there is never a
//! second parser.

pub mod json;
pub mod manifest;
pub mod meta;
pub mod names;
pub mod project;
pub mod pyjson;
pub mod reader;
pub mod record;
pub mod time;

pub use manifest::{FileStat, Manifest, ProjectEntry, RunEntry};
pub use meta::{Artifact, RunMeta, Status};
pub use names::NameError;
pub use project::ProjectMeta;
