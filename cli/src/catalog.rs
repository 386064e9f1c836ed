//! The one place the command builds manifests: a thin layer over `aspara::index` (the scan and the
//! locked manifest write live there, beside `aspara::layout`), shared by `serve`, `index`, `ls` and
//! `publish` so they all list exactly what the dashboard lists.

use std::path::Path;

use aspara::format::Manifest;
use aspara::index::{self, ScanReport};

use crate::Result;

/// A freshly built manifest, its report, and its bytes as served.
#[derive(Debug, Clone)]
pub struct Built {
    /// The manifest.
    pub manifest: Manifest,
    /// What the scan skipped or found odd.
    pub report: ScanReport,
    /// The JSON served as `/aspara-index.json`.
    pub bytes: Vec<u8>,
}

/// Scans `dir` without writing anything.
pub fn scan(dir: &Path) -> Result<(Manifest, ScanReport)> {
    Ok(index::scan_data_dir(dir)?)
}

/// Scans `dir` and writes `aspara-index.json` (under the data directory's lock). A data directory
/// that cannot be written (read-only mount) is still served: the write failure is reported on stderr
/// and the manifest is returned all the same.
pub fn rebuild_manifest(dir: &Path) -> Result<Built> {
    let (manifest, report) = scan(dir)?;
    if let Err(e) = index::write_manifest(dir, &manifest) {
        eprintln!(
            "aspara: could not write the manifest into {}: {e}",
            dir.display()
        );
    }
    let bytes = encode(&manifest)?;
    Ok(Built {
        manifest,
        report,
        bytes,
    })
}

/// The manifest's JSON, as written to disk.
pub fn encode(manifest: &Manifest) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec(manifest)?;
    bytes.push(b'\n');
    Ok(bytes)
}
