//! Aspara: record machine-learning experiment runs into a data directory, and read them back.
//!
//! The [`format`] module is the data-directory format shared by the writer, the `aspara` command and
//! the browser dashboard.

pub mod format;
