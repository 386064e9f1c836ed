//! One module per subcommand. Each takes the raw clap arguments, validates them into a config once,
//! and runs it; each returns a value that is both printed as text and serialised for `--json`.

pub mod demo;
pub mod index;
pub mod inspect;
pub mod ls;
pub mod publish;
pub mod serve;
pub mod sync;
pub mod tracker;

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

/// A metric value for compact listings: four significant decimals in plain notation for everyday
/// magnitudes, scientific otherwise, so tiny values (case B16) never print as 0.
pub fn format_short(v: Option<f64>) -> String {
    let Some(v) = v else {
        return "-".to_owned();
    };
    if v == 0.0 {
        "0".to_owned()
    } else if (1e-3..1e6).contains(&v.abs()) {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        format!("{v:.3e}")
    }
}

/// Renders rows as a table whose columns are as wide as their widest cell; columns of numbers are
/// right-aligned, text columns left-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric: Vec<bool> = (0..widths.len())
        .map(|i| {
            !rows.is_empty()
                && rows.iter().all(|r| {
                    r.get(i)
                        .is_some_and(|c| c == "-" || c.parse::<f64>().is_ok())
                })
        })
        .collect();
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(c.chars().count()));
            if i > 0 {
                l.push_str("  ");
            }
            if numeric[i] {
                l.push_str(&pad);
                l.push_str(c);
            } else {
                l.push_str(c);
                l.push_str(&pad);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.to_vec(), &mut out);
    for r in rows {
        line(r.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_never_hide_tiny_numbers() {
        assert_eq!(format_short(Some(0.29829186845504996)), "0.2983");
        assert_eq!(format_short(Some(1.0)), "1");
        assert_eq!(format_short(Some(5e-324)), "4.941e-324");
        assert_eq!(format_short(Some(1e-7)), "1.000e-7");
        assert_eq!(format_short(Some(1e308)), "1.000e308");
        assert_eq!(format_short(Some(f64::NAN)), "NaN");
        assert_eq!(format_short(None), "-");
    }

    #[test]
    fn tables_align() {
        let t = table(
            &["a", "bb"],
            &[
                vec!["xxx".into(), "1".into()],
                vec!["y".into(), "22".into()],
            ],
        );
        assert_eq!(t, "a    bb\nxxx   1\ny    22\n");
    }
}
