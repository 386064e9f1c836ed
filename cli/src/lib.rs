//! The `aspara` command's library: everything the binary does, as functions and routers that tests
//! call in-process.
//!
//! * [`args`]: the clap definitions (raw arguments), each turned once into a validated config;
//! * [`commands`]: one module per subcommand (`serve`, `publish`, `index`, `ls`, `inspect`, `demo`);
//! * [`server`]: the axum router `serve` binds (dashboard + data directory on one origin);
//! * [`catalog`]: manifests, built by `aspara::index` (the only scanner);
//! * [`assets`]: the dashboard's built files, embedded by `build.rs`;
//! * [`demo`]: the Iris training example `aspara demo` runs.
//!
//! Data files are only ever read through `aspara::format::reader` and located through
//! `aspara::layout`: this crate has no parser and no file names of its own.

pub mod args;
pub mod assets;
pub mod catalog;
pub mod commands;
pub mod demo;
pub mod error;
pub mod server;
pub mod tracker;

pub use error::{Error, Result};
