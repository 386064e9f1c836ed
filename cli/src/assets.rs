//! The dashboard's built files, embedded at compile time by `build.rs` (from `$ASPARA_DASHBOARD_DIST`
//! or `dist/` at the repo root). `serve` answers from this table and `publish` copies it out.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/dashboard_files.rs"));
}

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Path relative to the site root, `/`-separated (`index.html`, `snippets/x/inline0.js`).
    pub path: &'static str,
    /// The file's bytes.
    pub bytes: &'static [u8],
    /// A content hash (FNV-1a 64), used as the ETag.
    pub hash: u64,
}

/// How to build the dashboard when it is missing; shown by `serve` and `publish`.
pub const BUILD_HINT: &str = "build it with `trunk build --offline --release` at the repository root \
(it writes dist/), then rebuild the command with `cargo build --release -p aspara-cli` \
(or set ASPARA_DASHBOARD_DIST to another built dist/ directory)";

/// Whether the dashboard was built when this binary was compiled.
pub fn dashboard_built() -> bool {
    !generated::FILES.is_empty()
}

/// Where the dashboard was looked for at build time.
pub fn source_dir() -> &'static str {
    generated::SOURCE
}

/// Every embedded file, sorted by path.
pub fn all() -> impl Iterator<Item = Asset> {
    generated::FILES.iter().map(|(path, bytes, hash)| Asset {
        path,
        bytes,
        hash: *hash,
    })
}

/// The embedded file at `path` (relative, `/`-separated), if any.
pub fn get(path: &str) -> Option<Asset> {
    generated::FILES
        .binary_search_by(|(p, _, _)| (*p).cmp(path))
        .ok()
        .and_then(|i| generated::FILES.get(i))
        .map(|(path, bytes, hash)| Asset {
            path,
            bytes,
            hash: *hash,
        })
}

/// The first path segments the dashboard uses (`index.html`, `snippets`, ...): no project may share
/// one, or the published site would shadow it.
pub fn top_level_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = all()
        .map(|a| a.path.split('/').next().unwrap_or(a.path))
        .collect();
    names.dedup();
    names
}

/// The page shown instead of the dashboard when it was not built.
pub fn not_built_page() -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Aspara: dashboard not built</title></head>\n\
<body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto\">\n\
<h1>The Aspara dashboard was not built into this binary</h1>\n\
<p>The data is still available: <a href=\"aspara-index.json\">aspara-index.json</a> lists the projects and runs.</p>\n\
<p>To get the dashboard, {}.</p>\n\
<p>Looked for it in <code>{}</code> at build time.</p>\n</body></html>\n",
        html_escape(BUILD_HINT),
        html_escape(source_dir())
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_so_lookups_work() {
        let paths: Vec<_> = all().map(|a| a.path).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
        for p in paths {
            assert_eq!(get(p).map(|a| a.path), Some(p));
        }
        assert!(get("no-such-file.js").is_none());
    }

    #[test]
    fn not_built_page_says_how_to_build() {
        let page = not_built_page();
        assert!(page.contains("trunk build --offline --release"));
        assert!(page.contains("aspara-index.json"));
    }
}
