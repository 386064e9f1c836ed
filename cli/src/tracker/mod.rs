//! The tracker's HTTP API: Python Aspara 0.1.0's routes (reference §4.2), so Aspara's own
//! `RemoteRun` logs into it unchanged, plus the batch endpoint our writer uses (FORMAT.md §8).
//!
//! This module is glue. Every write goes to [`aspara::ingest::Ingest`], which applies it with the
//! local writer's code paths on a blocking thread; here requests are checked (bearer token when one
//! is set, Aspara's `X-Requested-With` rule, body size limits) and errors are answered as
//! `{"detail": ...}` with their status: 400 bad names and values, 401 no or wrong token, 403
//! missing header, 404 unknown run, 409 existing run, 413 body too large, 422 malformed JSON.
//! [`router`] holds the routes relative to the mount point; [`app`] mounts them at `/tracker`,
//! where Aspara's clients expect them; `aspara serve --with-tracker` nests the same router.

use aspara::ingest::{CreateArgs, Ingest, MetaUpdate, Upload};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Aspara's hard-coded artifact upload limit (reference §4.2).
pub const DEFAULT_MAX_ARTIFACT_BYTES: usize = 100 << 20;
/// The default limit of JSON request bodies (a batch of 5000 records is about 0.5 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 << 20;
/// The protocol version the health answer advertises (batch endpoint with session/seq dedupe).
pub const PROTOCOL: u64 = 1;

/// How the tracker is set up.
#[derive(Debug, Clone)]
pub struct TrackerConfig {
    /// Bearer token every request but health must carry; `None` is Aspara's open tracker.
    pub token: Option<String>,
    /// Largest JSON body, bytes.
    pub max_body: usize,
    /// Largest artifact upload, bytes.
    pub max_artifact: usize,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            token: None,
            max_body: DEFAULT_MAX_BODY_BYTES,
            max_artifact: DEFAULT_MAX_ARTIFACT_BYTES,
        }
    }
}

#[derive(Debug, Clone)]
struct AppState {
    ingest: Arc<Ingest>,
    token: Option<Arc<str>>,
}

/// An error answered as `{"detail": ...}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
}

impl ApiError {
    fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: detail.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(json!({ "detail": self.detail }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

impl From<aspara::Error> for ApiError {
    fn from(e: aspara::Error) -> ApiError {
        use aspara::Error as E;
        match e {
            E::RunExists { .. } => ApiError::new(StatusCode::CONFLICT, "Run already exists"),
            E::RunNotFound { .. } => ApiError::new(StatusCode::NOT_FOUND, "Run not found"),
            E::Name(_)
            | E::UnsupportedValue { .. }
            | E::MetricsNotObject(_)
            | E::InvalidStep(_)
            | E::InvalidTimestamp(_)
            | E::Metadata(_)
            | E::InvalidCategory(_)
            | E::ArtifactSource(_)
            | E::Protocol(_)
            | E::UnsafePath(_)
            | E::Finished => ApiError::new(StatusCode::BAD_REQUEST, e.to_string()),
            other => {
                // Logged once here; the client gets a generic answer (STYLE.md habit 5).
                eprintln!("aspara tracker: internal error: {other}");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            }
        }
    }
}

type ApiResult = Result<Response, ApiError>;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> aspara::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(e) => {
            eprintln!("aspara tracker: worker failed: {e}");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
            ))
        }
    }
}

fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    // Lenient: Python clients may send bare NaN tokens; they read as null (a non-finite value).
    aspara::format::json::parse_lenient(body).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Invalid JSON body: {e}"),
        )
    })
}

fn field_map(v: &Value, key: &str) -> Result<Map<String, Value>, ApiError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("`{key}` must be an object"),
        )),
    }
}

/// The `key` object of a metadata endpoint's body, which must be an object holding it: a body
/// without it (`[1]`, `{"lr": 0.1}`) is refused rather than applied as an empty change.
fn required_map(v: &Value, key: &str) -> Result<Map<String, Value>, ApiError> {
    require_key(v, key)?;
    field_map(v, key)
}

fn require_key(v: &Value, key: &str) -> Result<(), ApiError> {
    let Value::Object(o) = v else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be a JSON object",
        ));
    };
    if o.get(key).is_none_or(Value::is_null) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("`{key}` is required"),
        ));
    }
    Ok(())
}

fn string_list(v: &Value, key: &str) -> Result<Vec<String>, ApiError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(t) => serde_json::from_value(t.clone()).map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("`{key}` must be a list of strings"),
            )
        }),
    }
}

fn ok(v: Value) -> ApiResult {
    Ok(axum::Json(v).into_response())
}

async fn health() -> ApiResult {
    ok(json!({"status": "ok", "protocol": PROTOCOL}))
}

async fn create_run(
    State(st): State<AppState>,
    Path(project): Path<String>,
    body: Bytes,
) -> ApiResult {
    let v = parse_json(&body)?;
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "`name` is required"))?
        .to_owned();
    let session = match (
        v.get("session").and_then(Value::as_str),
        v.get("seq").and_then(Value::as_u64),
    ) {
        (Some(s), Some(q)) => Some((s.to_owned(), q)),
        _ => None,
    };
    let args = CreateArgs {
        config: field_map(&v, "config")?,
        tags: string_list(&v, "tags")?,
        notes: v
            .get("notes")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        project_tags: string_list(&v, "project_tags")?,
        resume: v.get("resume").and_then(Value::as_bool).unwrap_or(false),
        session,
    };
    let (p, n) = (project.clone(), name.clone());
    let ingest = st.ingest.clone();
    let c = blocking(move || ingest.create_run(&p, &n, args)).await?;
    ok(json!({
        "status": "ok", "project": project, "name": name, "run_id": c.run_id,
        "next_step": c.next_step, "protocol": PROTOCOL
    }))
}

async fn metrics(
    State(st): State<AppState>,
    Path((project, run)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let v = parse_json(&body)?;
    let ingest = st.ingest.clone();
    blocking(move || ingest.log_record(&project, &run, &v)).await?;
    ok(json!({"status": "ok"}))
}

async fn batch(
    State(st): State<AppState>,
    Path((project, run)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let v = parse_json(&body)?;
    let session = v
        .get("session")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "`session` is required"))?
        .to_owned();
    let Some(Value::Array(ops)) = v.get("ops").cloned() else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "`ops` must be a list",
        ));
    };
    let ingest = st.ingest.clone();
    let o = blocking(move || ingest.apply_batch(&project, &run, &session, &ops)).await?;
    ok(json!({
        "status": "ok", "applied": o.applied, "duplicates": o.duplicates, "last_seq": o.last_seq
    }))
}

async fn meta_update(st: AppState, project: String, run: String, update: MetaUpdate) -> ApiResult {
    let ingest = st.ingest.clone();
    blocking(move || ingest.update(&project, &run, update)).await?;
    ok(json!({"status": "ok"}))
}

async fn config_route(
    State(st): State<AppState>,
    Path((project, run)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let v = parse_json(&body)?;
    let c = required_map(&v, "config")?;
    meta_update(st, project, run, MetaUpdate::Config(c)).await
}

async fn summary(
    State(st): State<AppState>,
    Path((project, run)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let v = parse_json(&body)?;
    let s = required_map(&v, "summary")?;
    meta_update(st, project, run, MetaUpdate::Summary(s)).await
}

async fn tags(
    State(st): State<AppState>,
    Path((project, run)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let v = parse_json(&body)?;
    require_key(&v, "tags")?;
    let t = string_list(&v, "tags")?;
    meta_update(st, project, run, MetaUpdate::Tags(t)).await
}

async fn finish(
    State(st): State<AppState>,
    Path((project, run)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let v = if body.is_empty() {
        json!({})
    } else {
        parse_json(&body)?
    };
    if !v.is_object() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be a JSON object",
        ));
    }
    // An absent or null exit code is a success, as in Aspara; anything else must be an integer, not
    // silently read as 0 (which would mark a crashed run `completed`).
    let code = match v.get("exit_code") {
        None | Some(Value::Null) => 0,
        Some(c) => c.as_i64().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "`exit_code` must be an integer",
            )
        })?,
    };
    meta_update(st, project, run, MetaUpdate::Finish(code)).await
}

static UPLOADS: AtomicU64 = AtomicU64::new(0);

/// Removes the staged upload however the handler ends.
struct Staged(std::path::PathBuf);
impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn bad_multipart(e: axum::extract::multipart::MultipartError) -> ApiError {
    let status = e.status();
    let status = if status == StatusCode::PAYLOAD_TOO_LARGE {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::new(status, e.body_text())
}

async fn artifacts(
    State(st): State<AppState>,
    Path((project, run)): Path<(String, String)>,
    mut form: Multipart,
) -> ApiResult {
    use tokio::io::AsyncWriteExt as _;
    // Checked before any byte is staged (case B36).
    aspara::format::names::validate_project_name(&project).map_err(aspara::Error::from)?;
    aspara::format::names::validate_run_name(&run).map_err(aspara::Error::from)?;
    let root = st.ingest.root().to_path_buf();
    let staged = Staged(root.join(format!(
        ".tmp_upload_{}_{}",
        std::process::id(),
        UPLOADS.fetch_add(1, Ordering::Relaxed)
    )));
    let mut file_name: Option<String> = None;
    let mut fields: std::collections::HashMap<String, String> = Default::default();
    while let Some(mut field) = form.next_field().await.map_err(bad_multipart)? {
        let key = field.name().unwrap_or_default().to_owned();
        if key == "file" {
            file_name = Some(field.file_name().unwrap_or("file").to_owned());
            let mut out = tokio::fs::File::create(&staged.0)
                .await
                .map_err(|e| ApiError::from(aspara::Error::io("create", &staged.0, e)))?;
            while let Some(chunk) = field.chunk().await.map_err(bad_multipart)? {
                out.write_all(&chunk)
                    .await
                    .map_err(|e| ApiError::from(aspara::Error::io("write", &staged.0, e)))?;
            }
            out.flush()
                .await
                .map_err(|e| ApiError::from(aspara::Error::io("write", &staged.0, e)))?;
        } else {
            let text = field.text().await.map_err(bad_multipart)?;
            fields.insert(key, text);
        }
    }
    let Some(original) = file_name else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "`file` is required",
        ));
    };
    let name = fields
        .get("name")
        .filter(|n| !n.is_empty())
        .cloned()
        .unwrap_or_else(|| original.clone());
    let session = match (
        fields.get("session"),
        fields.get("seq").and_then(|s| s.parse::<u64>().ok()),
    ) {
        (Some(s), Some(q)) => Some((s.clone(), q)),
        _ => None,
    };
    let description = fields.get("description").cloned();
    let category = fields.get("category").cloned();
    let ingest = st.ingest.clone();
    let n2 = name.clone();
    let size = blocking(move || {
        let staged = staged;
        ingest.store_artifact(
            &project,
            &run,
            Upload {
                file: &staged.0,
                name: &n2,
                original_name: &original,
                description,
                category,
                session,
            },
        )
    })
    .await?;
    ok(json!({"status": "ok", "artifact_name": name, "file_size": size}))
}

async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let is_health = req.uri().path().ends_with("/api/v1/health");
    if let Some(token) = &st.token {
        if !is_health {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            // Compared in constant time, so the token cannot be guessed byte by byte.
            let good = given.is_some_and(|g| {
                g.len() == token.len()
                    && g.bytes()
                        .zip(token.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            });
            if !good {
                return ApiError::new(StatusCode::UNAUTHORIZED, "Missing or invalid bearer token")
                    .into_response();
            }
        }
    }
    if req.method() == Method::POST
        && req
            .headers()
            .get("x-requested-with")
            .is_none_or(|v| v.as_bytes() != b"XMLHttpRequest")
    {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "Missing or invalid X-Requested-With header",
        )
        .into_response();
    }
    next.run(req).await
}

/// The tracker's routes relative to its mount point (`/api/v1/...`).
pub fn router(ingest: Arc<Ingest>, config: &TrackerConfig) -> Router {
    let state = AppState {
        ingest,
        token: config
            .token
            .clone()
            .filter(|t| !t.is_empty())
            .map(Arc::from),
    };
    let runs = "/api/v1/projects/{project}/runs";
    let json_routes = Router::new()
        .route(runs, post(create_run))
        .route(&format!("{runs}/{{run}}/metrics"), post(metrics))
        .route(&format!("{runs}/{{run}}/batch"), post(batch))
        .route(&format!("{runs}/{{run}}/config"), post(config_route))
        .route(&format!("{runs}/{{run}}/summary"), post(summary))
        .route(&format!("{runs}/{{run}}/tags"), post(tags))
        .route(&format!("{runs}/{{run}}/finish"), post(finish))
        .layer(DefaultBodyLimit::max(config.max_body));
    let upload = Router::new()
        .route(&format!("{runs}/{{run}}/artifacts"), post(artifacts))
        .layer(DefaultBodyLimit::max(config.max_artifact));
    Router::new()
        .route("/api/v1/health", get(health))
        .merge(json_routes)
        .merge(upload)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// The tracker on its own: [`router`] mounted at `/tracker`, as Aspara serves it.
pub fn app(ingest: Arc<Ingest>, config: &TrackerConfig) -> Router {
    Router::new().nest("/tracker", router(ingest, config))
}

/// Resolves when the process gets SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Serves `app` on `listener` until SIGINT/SIGTERM, then lets requests in flight finish and
/// writes, syncs and closes every open run (they stay `wip`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    ingest: Arc<Ingest>,
) -> std::io::Result<()> {
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    let closed = tokio::task::spawn_blocking(move || ingest.close_all()).await;
    match closed {
        Ok(Err(e)) => eprintln!("aspara tracker: closing runs: {e}"),
        Err(e) => eprintln!("aspara tracker: closing runs: {e}"),
        Ok(Ok(())) => {}
    }
    served
}
