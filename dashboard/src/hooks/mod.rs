//! Hooks: the store from context, polling that pauses in a hidden tab, and on-screen detection.

mod use_poll;
mod use_store;
mod use_visible;

pub use use_poll::use_poll;
pub use use_store::use_store;
pub use use_visible::use_visible;
