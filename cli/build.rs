//! Embeds the built dashboard (`trunk build --offline --release` → `dist/` at the repo root) into the
//! `aspara` binary, so `serve` and `publish` need no files beside the executable.
//!
//! The directory comes from `$ASPARA_DASHBOARD_DIST`, else `../dist`. When it is absent the build still
//! succeeds: the generated table is empty and `serve`/`publish` say that the dashboard was not built.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-env-changed=ASPARA_DASHBOARD_DIST");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = match std::env::var_os("ASPARA_DASHBOARD_DIST") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => manifest_dir.join("..").join("dist"),
    };
    // Watch the directory itself so a first `trunk build` after a CLI build is picked up.
    println!("cargo:rerun-if-changed={}", dist.display());

    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files);
    }
    files.sort();

    let mut out = String::new();
    out.push_str(
        "/// The dashboard's files: (path relative to the site root, bytes, content hash).\n",
    );
    out.push_str("pub static FILES: &[(&str, &[u8], u64)] = &[\n");
    for (rel, abs) in &files {
        let bytes = std::fs::read(abs).unwrap_or_default();
        let _ = writeln!(
            out,
            "    ({rel:?}, include_bytes!({:?}), {}),",
            abs.display().to_string(),
            fnv1a(&bytes)
        );
    }
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "/// Where the files were taken from at build time.\npub const SOURCE: &str = {:?};",
        dist.display().to_string()
    );

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(out_dir.join("dashboard_files.rs"), out) {
        panic!("cannot write the embedded dashboard table: {e}");
    }
}

/// Every regular file below `dir`, skipping hidden names; paths use `/` whatever the platform.
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.is_file() {
            println!("cargo:rerun-if-changed={}", path.display());
            let rel = path
                .strip_prefix(root)
                .map(|p| {
                    p.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap_or(name);
            files.push((rel, path));
        }
    }
}

/// FNV-1a, 64 bit: a stable content hash for the embedded files' ETags.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
