//! One module per subcommand. Each takes the raw clap arguments, validates them into a config once,
//! and runs it; each returns a value that is both printed as text and serialised for `--json`.

pub mod demo;
pub mod index;
pub mod inspect;
pub mod ls;
pub mod publish;
pub mod serve;

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The data directory a read command works on: `--data-dir`, else the writer's rule
/// (`ASPARA_DATA_DIR`, XDG, `~/.local/share/aspara`); it must exist.
pub fn existing_data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    let dir = aspara::data_dir::resolve(explicit)?;
    if !dir.is_dir() {
        return Err(Error::NoDataDir(dir));
    }
    Ok(dir)
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// An epoch-ms time as RFC 3339 UTC text (`2025-01-01T00:00:00Z`), or `-`.
pub fn format_ms(ms: Option<i64>) -> String {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| {
            t.round(jiff::Unit::Second)
                .map(|t| t.to_string())
                .unwrap_or_else(|_| t.to_string())
        })
        .unwrap_or_else(|| "-".to_owned())
}

/// A metric value for tables: Python-style repr, so `1e-07` and `5e-324` are never shown as 0.
pub fn format_value(v: Option<f64>) -> String {
    match v {
        Some(v) => aspara::format::pyjson::float_repr(v),
        None => "-".to_owned(),
    }
}
