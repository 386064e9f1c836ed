//! Aspara: record machine-learning experiment runs into a data directory, and read them back.
//!
//! The [`format`](mod@format) module is the data-directory format shared by the writer, the `aspara` command and
//! the browser dashboard. It is pure and builds for wasm32 with default features off.
//!
//! With the `local` feature (on by default) the crate is also the writer: a [`Run`] records metrics,
//! configuration, summary, tags, notes and artifacts into `<data-dir>/<project>/`, in the same bytes
//! Python Aspara 0.1.0 writes (FORMAT.md §2–§4), so runs from either tool sit side by side. The
//! training loop never waits on the disk: `log` validates the call and hands a small record to a
//! background thread ([`sink::local`]), which appends whole lines in batches and syncs them on the
//! chosen [`Durability`]; failures surface from [`Run::flush`] and [`Run::finish`].
//!
//! ```
//! # fn main() -> aspara::Result<()> {
//! # let dir = tempfile::tempdir().unwrap();
//! let mut run = aspara::init("vision")
//!     .name("resnet-1")
//!     .config(serde_json::json!({"lr": 0.001, "batch_size": 64}))
//!     .tags(["baseline"])
//!     .data_dir(dir.path())
//!     .start()?;
//! for step in 0..100 {
//!     let loss = 1.0 / (1.0 + step as f64);
//!     run.log([("train/loss", loss), ("train/acc", 1.0 - loss)], None)?;
//! }
//! run.set_summary("best_loss", 0.0099)?;
//! run.finish(0)?;
//!
//! let lines = std::fs::read_to_string(dir.path().join("vision/resnet-1.jsonl")).unwrap();
//! assert_eq!(lines.lines().count(), 100);
//! assert!(lines.starts_with("{\"timestamp\": "));
//! # Ok(()) }
//! ```
//!
//! Module map: [`run`] (the rules: steps, validation, metadata), [`sink`] (where records go),
//! [`data_dir`] (which directory), [`layout`] (the file names inside it), [`index`] (the manifest a
//! static dashboard reads), [`ingest`] (the tracker's side of remote mode), [`error`] (the one
//! error type).

pub mod format;

/// The README's examples compile (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

#[cfg(feature = "local")]
mod atomic;
#[cfg(feature = "local")]
pub mod data_dir;
#[cfg(feature = "local")]
pub mod error;
#[cfg(feature = "local")]
pub mod index;
#[cfg(feature = "local")]
pub mod ingest;
pub mod layout;
#[cfg(feature = "local")]
pub mod run;
#[cfg(feature = "local")]
pub mod sink;

#[cfg(feature = "local")]
pub use error::{Error, Result};
#[cfg(feature = "local")]
pub use run::{ArtifactOptions, LogOptions, Resume, Run, RunBuilder, Timestamp, init};
#[cfg(feature = "local")]
pub use sink::local::Durability;
