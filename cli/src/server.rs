//! The HTTP side of `aspara serve`: one axum [`Router`] that serves the embedded dashboard and the data
//! directory on one origin, laid out exactly like a `publish` output (`/index.html` + assets,
//! `/aspara-index.json`, `/<project>/...`), so the dashboard fetches the same relative URLs everywhere.
//!
//! What it guarantees, and the tests in `tests/serve.rs` check:
//! * correct MIME types (`application/wasm`, `application/x-ndjson` for `.jsonl`, `application/json`);
//! * `ETag` + `If-None-Match` → 304 (tower-http's `ServeFile` does `Last-Modified` and Range only), and
//!   HTTP Range → 206 with the right bytes, so the dashboard can fetch only the tail a run appended
//!   (FORMAT.md §6.6);
//! * the manifest (FORMAT.md §5) is regenerated whenever the directory changed since it was last built (a cheap
//!   fingerprint of directory entries' sizes and mtimes), and written back to `aspara-index.json`;
//! * nothing outside the data directory is ever served: `..` (raw or percent-encoded), encoded slashes,
//!   characters that no Aspara name allows, and symlinks resolving outside are refused with 4xx; hidden
//!   names (`.queue`, dotfiles) are 404 (FORMAT.md §1.2, §1.3; reference §7 #24, #25, #29);
//! * errors are `{"detail": ...}` JSON with the right status.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt as _;
use tower_http::services::ServeFile;

use crate::assets;
use crate::catalog;
use aspara::format::manifest::MANIFEST_FILE;
use aspara::format::names;

/// An error answered as `{"detail": ...}` with its status.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The message for the `detail` field.
    pub detail: String,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: detail.into(),
        }
    }
    fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "Not found")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "detail": self.detail }).to_string();
        let mut resp = (self.status, body).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp
    }
}

/// The server's shared state: the data directory and the manifest cache.
#[derive(Debug)]
pub struct ServeState {
    root: PathBuf,
    manifest: Mutex<ManifestCache>,
}

#[derive(Debug, Default)]
struct ManifestCache {
    fingerprint: Option<u64>,
    body: Arc<Vec<u8>>,
}

/// Builds the router for a data directory, which must exist.
pub fn router(data_dir: &Path) -> crate::Result<Router> {
    let root = data_dir
        .canonicalize()
        .map_err(|_| crate::Error::NoDataDir(data_dir.to_path_buf()))?;
    if !root.is_dir() {
        return Err(crate::Error::NoDataDir(data_dir.to_path_buf()));
    }
    let state = Arc::new(ServeState {
        root,
        manifest: Mutex::new(ManifestCache::default()),
    });
    Ok(Router::new().fallback(handle).with_state(state))
}

async fn handle(State(state): State<Arc<ServeState>>, req: Request) -> Response {
    match route(state, req).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn route(state: Arc<ServeState>, req: Request) -> Result<Response, ApiError> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Only GET and HEAD are served",
        ));
    }
    let segments = parse_path(req.uri().path())?;
    if segments.is_empty() || segments == ["index.html"] {
        return Ok(dashboard_index(req.headers()));
    }
    if segments == [MANIFEST_FILE] {
        return manifest(state, req.headers()).await;
    }
    let joined = segments.join("/");
    if let Some(asset) = assets::get(&joined) {
        return Ok(serve_asset(asset, req.headers()));
    }
    // Everything else lives in a project directory; the data dir's own loose files are not served.
    let Some(project) = segments.first() else {
        return Err(ApiError::not_found());
    };
    if !names::is_valid_name(project) {
        return Err(ApiError::not_found());
    }
    let mut path = state.root.clone();
    for s in &segments {
        path.push(s);
    }
    serve_data_file(&state.root, &path, req).await
}

/// Splits and decodes a request path, refusing anything that could leave the directory it names.
///
/// Each segment is percent-decoded on its own, so `%2e%2e` is `..` and `..%2f` holds a `/`: both are
/// refused (400), as are empty segments (`//etc/passwd`), backslashes and any character that no Aspara
/// name allows (names are `[A-Za-z0-9_.-]`). Hidden names are answered 404, as if absent.
pub fn parse_path(raw: &str) -> Result<Vec<String>, ApiError> {
    let bad = |why: &str| ApiError::new(StatusCode::BAD_REQUEST, format!("Invalid path: {why}"));
    let Some(rest) = raw.strip_prefix('/') else {
        return Err(bad("not absolute"));
    };
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for seg in rest.split('/') {
        let decoded = percent_encoding::percent_decode_str(seg)
            .decode_utf8()
            .map_err(|_| bad("not UTF-8"))?;
        if decoded.is_empty() {
            return Err(bad("empty segment"));
        }
        if decoded == "." || decoded == ".." || decoded.contains('/') || decoded.contains('\\') {
            return Err(bad("traversal"));
        }
        if !decoded
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(bad("character not allowed in names"));
        }
        if decoded.starts_with('.') {
            return Err(ApiError::not_found());
        }
        out.push(decoded.into_owned());
    }
    Ok(out)
}

/// Whether a `Range` value is a syntactically valid `bytes=` range set: each spec `first-last`,
/// `first-` or `-suffix`, with `first <= last`.
fn is_valid_byte_range(value: &str) -> bool {
    let Some(set) = value.trim().strip_prefix("bytes=") else {
        return false;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    set.split(',').all(|spec| match spec.split_once('-') {
        Some((first, "")) => number(first).is_some(),
        Some(("", suffix)) => number(suffix).is_some(),
        Some((first, last)) if last.trim().is_empty() => number(first).is_some(),
        Some((first, last)) => {
            matches!((number(first), number(last)), (Some(a), Some(b)) if a <= b)
        }
        None => false,
    })
}

/// True when `If-None-Match` lists `etag` (weak comparison, as RFC 9110 §13.1.2 asks) or is `*`.
fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let want = strip(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == want)
}

fn not_modified(etag: &str) -> Response {
    let mut resp = StatusCode::NOT_MODIFIED.into_response();
    if let Ok(v) = HeaderValue::from_str(etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// The MIME type for a file name, for the types the dashboard and the data use.
pub fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "jsonl" => "application/x-ndjson",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "txt" | "yaml" | "yml" | "md" | "csv" | "log" | "toml" | "py" | "rs" => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    }
}

/// The type a data-directory file is served with. Artifacts are user content (case B35): markup types
/// that a browser would run in this origin are sent as plain text.
fn data_content_type(name: &str) -> &'static str {
    match content_type(name) {
        "text/html; charset=utf-8" | "image/svg+xml" | "text/javascript; charset=utf-8" => {
            "text/plain; charset=utf-8"
        }
        t => t,
    }
}

fn dashboard_index(headers: &HeaderMap) -> Response {
    if let Some(asset) = assets::get("index.html") {
        return serve_asset(asset, headers);
    }
    let mut resp = (StatusCode::SERVICE_UNAVAILABLE, assets::not_built_page()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

fn serve_asset(asset: assets::Asset, headers: &HeaderMap) -> Response {
    let etag = format!("\"{:016x}\"", asset.hash);
    if etag_matches(headers, &etag) {
        return not_modified(&etag);
    }
    let mut resp = Response::new(Body::from(asset.bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(asset.path)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}

async fn serve_data_file(root: &Path, path: &Path, req: Request) -> Result<Response, ApiError> {
    // Resolve symlinks, then insist the target is still inside the data dir (reference §7 #25).
    let real = tokio::fs::canonicalize(path)
        .await
        .map_err(|_| ApiError::not_found())?;
    if !real.starts_with(root) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Path resolves outside the data directory",
        ));
    }
    let meta = tokio::fs::metadata(&real)
        .await
        .map_err(|_| ApiError::not_found())?;
    if !meta.is_file() {
        return Err(ApiError::not_found());
    }
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let etag = format!("\"{:x}-{:x}\"", meta.len(), mtime_ns);
    if etag_matches(req.headers(), &etag) {
        return Ok(not_modified(&etag));
    }
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (mut parts, body) = req.into_parts();
    // RFC 9110 §13.1.3: with If-None-Match present, If-Modified-Since is ignored.
    if parts.headers.contains_key(header::IF_NONE_MATCH) {
        parts.headers.remove(header::IF_MODIFIED_SINCE);
    }
    // RFC 9110 §14.2: a Range header that does not parse is ignored (the whole file, 200); only a
    // valid range past the end is answered 416, which live tailing relies on.
    if parts
        .headers
        .get(header::RANGE)
        .is_some_and(|v| !v.to_str().is_ok_and(is_valid_byte_range))
    {
        parts.headers.remove(header::RANGE);
    }
    let req = Request::from_parts(parts, body);
    let resp = match ServeFile::new(&real).oneshot(req).await {
        Ok(r) => r.map(Body::new),
        Err(e) => {
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Reading the file failed: {e}"),
            ));
        }
    };
    let mut resp = resp;
    let has_body = resp_is_body(resp.status());
    let h = resp.headers_mut();
    if has_body {
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(data_content_type(&name)),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // User content never runs as a page of this origin, whatever its type (case B35).
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    Ok(resp)
}

fn resp_is_body(status: StatusCode) -> bool {
    status == StatusCode::OK || status == StatusCode::PARTIAL_CONTENT
}

async fn manifest(state: Arc<ServeState>, headers: &HeaderMap) -> Result<Response, ApiError> {
    let st = state.clone();
    let body = tokio::task::spawn_blocking(move || fresh_manifest(&st))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    let etag = format!("\"{:016x}\"", fnv1a(&body));
    if etag_matches(headers, &etag) {
        return Ok(not_modified(&etag));
    }
    let mut resp = Response::new(Body::from(body.as_ref().clone()));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(resp)
}

/// The manifest's bytes, rebuilt (and written to `aspara-index.json`) only when the fingerprint moved.
fn fresh_manifest(state: &ServeState) -> Result<Arc<Vec<u8>>, ApiError> {
    let fp = fingerprint(&state.root);
    let mut cache = state
        .manifest
        .lock()
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "manifest cache poisoned"))?;
    if cache.fingerprint == Some(fp) {
        return Ok(cache.body.clone());
    }
    let built = catalog::rebuild_manifest(&state.root).map_err(|e| {
        eprintln!("aspara serve: building the manifest failed: {e}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Building the manifest failed",
        )
    })?;
    cache.body = Arc::new(built.bytes);
    cache.fingerprint = Some(fp);
    Ok(cache.body.clone())
}

/// A hash of every project directory's entries (name, size, mtime) and their mtimes: what the
/// manifest is computed from, at the cost of one `readdir` per project. The data dir's own loose files
/// (the manifest itself among them) do not count, so writing the manifest does not invalidate it.
pub fn fingerprint(root: &Path) -> u64 {
    let mut rows: Vec<(String, u64, u128)> = Vec::new();
    let stamp = |m: &std::fs::Metadata| {
        m.modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    };
    if let Ok(projects) = std::fs::read_dir(root) {
        for p in projects.flatten() {
            let pname = p.file_name().to_string_lossy().into_owned();
            let Ok(pmeta) = p.metadata() else { continue };
            if !pmeta.is_dir() || pname.starts_with('.') {
                continue;
            }
            rows.push((pname.clone(), 0, stamp(&pmeta)));
            if let Ok(files) = std::fs::read_dir(p.path()) {
                for f in files.flatten() {
                    if let Ok(m) = f.metadata() {
                        let n = format!("{pname}/{}", f.file_name().to_string_lossy());
                        rows.push((n, m.len(), stamp(&m)));
                    }
                }
            }
        }
    }
    rows.sort();
    let mut bytes = Vec::new();
    for (n, len, t) in rows {
        bytes.extend_from_slice(n.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&t.to_le_bytes());
    }
    fnv1a(&bytes)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_path_refuses_traversal() {
        for p in [
            "/..",
            "/a/../b",
            "/%2e%2e/etc/passwd",
            "/%2E%2E",
            "/..%2fetc",
            "/a%2fb",
            "//etc/passwd",
            "/%2Fetc%2Fpasswd",
            "/a%5cb",
            "/a%00b",
            "/C:",
        ] {
            let e = parse_path(p).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{p}");
        }
    }

    #[test]
    fn parse_path_hides_dotfiles() {
        for p in ["/.queue", "/p/.tmp_x.json", "/%2equeue/x"] {
            assert_eq!(
                parse_path(p).unwrap_err().status,
                StatusCode::NOT_FOUND,
                "{p}"
            );
        }
    }

    #[test]
    fn parse_path_keeps_names() {
        assert_eq!(
            parse_path("/vision-demo/resnet-baseline.jsonl").unwrap(),
            ["vision-demo", "resnet-baseline.jsonl"]
        );
        assert!(parse_path("/").unwrap().is_empty());
    }

    #[test]
    fn mime_types() {
        assert_eq!(content_type("x_bg.wasm"), "application/wasm");
        assert_eq!(content_type("r.jsonl"), "application/x-ndjson");
        assert_eq!(content_type("aspara-index.json"), "application/json");
        assert_eq!(data_content_type("evil.html"), "text/plain; charset=utf-8");
    }
}
