//! The static Aspara dashboard: a Yew app, compiled to WebAssembly, that reads an Aspara data
//! directory straight from a static host (the `aspara-index.json` manifest and the run files, with
//! HTTP Range for growing runs) or from a local folder the user opens, and draws it in the browser.
//!
//! The pure parts build natively and are tested with `cargo test -p aspara-dashboard`:
//! [`query`] (the filter language), [`state`] (view state and its reducer), [`url_state`] (hash ⇄
//! state) and [`model`] (what the pages show about runs). Everything that touches the browser lives
//! behind `cfg(target_arch = "wasm32")`: `source` (where bytes come from), `hooks`, `components`,
//! `pages` and the app shell. Decoding is always `aspara::format`'s; drawing is always
//! `aspara_charts`'s.

pub mod data;
pub mod model;
pub mod query;
pub mod source;
pub mod state;
pub mod url_state;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
pub mod bench;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod hooks;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod store;

#[cfg(target_arch = "wasm32")]
pub use app::start;
