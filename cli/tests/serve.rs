//! `aspara serve`'s router, called in-process with `oneshot` on a copy of the Python fixture: MIME
//! types, Range, ETag, the fresh manifest, and every way out of the data directory refused.

#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test, with its message

mod util;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

async fn get(dir: &std::path::Path, uri: &str, headers: &[(&str, &str)]) -> Resp {
    let app = aspara_cli::server::router(dir).unwrap();
    let mut req = Request::builder().uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Resp {
        status,
        headers,
        body,
    }
}

fn header(r: &Resp, name: header::HeaderName) -> &str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn serves_run_files_with_their_mime_types() {
    let t = util::fixture_copy();
    let r = get(t.path(), "/vision-demo/resnet-baseline.jsonl", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(header(&r, header::CONTENT_TYPE), "application/x-ndjson");
    let want = std::fs::read(t.path().join("vision-demo/resnet-baseline.jsonl")).unwrap();
    assert_eq!(r.body, want);
    assert_eq!(r.body.len(), 30669);

    let r = get(t.path(), "/vision-demo/resnet-baseline.meta.json", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(header(&r, header::CONTENT_TYPE), "application/json");
    assert!(r.body.starts_with(b"{\n  \"run_id\": \"95840dd3f1b64ea1\""));

    let r = get(
        t.path(),
        "/vision-demo/resnet-baseline/artifacts/config.yaml",
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        header(&r, header::CONTENT_TYPE),
        "text/plain; charset=utf-8"
    );
    assert_eq!(r.body.len(), 25);
}

#[tokio::test]
async fn range_gives_206_with_the_right_bytes() {
    let t = util::fixture_copy();
    let file = std::fs::read(t.path().join("vision-demo/resnet-baseline.jsonl")).unwrap();
    let r = get(
        t.path(),
        "/vision-demo/resnet-baseline.jsonl",
        &[("range", "bytes=100-199")],
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body, &file[100..200]);
    assert_eq!(header(&r, header::CONTENT_RANGE), "bytes 100-199/30669");
    // An open range: the tail a growing run appended since the last poll.
    let r = get(
        t.path(),
        "/vision-demo/resnet-baseline.jsonl",
        &[("range", "bytes=30000-")],
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body, &file[30000..]);
    // Past the end.
    let r = get(
        t.path(),
        "/vision-demo/resnet-baseline.jsonl",
        &[("range", "bytes=40000-")],
    )
    .await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    // A Range that does not parse is ignored: the whole file (RFC 9110 §14.2).
    for bad in ["bytes=5-2", "bytes=x-", "items=0-1", "bytes=-"] {
        let r = get(
            t.path(),
            "/vision-demo/resnet-baseline.jsonl",
            &[("range", bad)],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{bad}");
        assert_eq!(r.body, file, "{bad}");
    }
    // A suffix range is valid.
    let r = get(
        t.path(),
        "/vision-demo/resnet-baseline.jsonl",
        &[("range", "bytes=-10")],
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body, &file[file.len() - 10..]);
}

#[tokio::test]
async fn etag_then_if_none_match_is_304() {
    let t = util::fixture_copy();
    let uri = "/nlp_demo/bert-small.jsonl";
    let r = get(t.path(), uri, &[]).await;
    let etag = header(&r, header::ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert!(!header(&r, header::LAST_MODIFIED).is_empty());
    let r2 = get(t.path(), uri, &[("if-none-match", &etag)]).await;
    assert_eq!(r2.status, StatusCode::NOT_MODIFIED);
    assert!(r2.body.is_empty());
    assert_eq!(header(&r2, header::ETAG), etag);
    // A weak form of the same tag matches too (RFC 9110 weak comparison); another tag does not.
    let weak = format!("W/{etag}");
    assert_eq!(
        get(t.path(), uri, &[("if-none-match", &weak)]).await.status,
        StatusCode::NOT_MODIFIED
    );
    assert_eq!(
        get(t.path(), uri, &[("if-none-match", "\"other\"")])
            .await
            .status,
        StatusCode::OK
    );
    // Appending changes the tag.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(t.path().join("nlp_demo/bert-small.jsonl"))
        .unwrap();
    std::io::Write::write_all(
        &mut f,
        b"{\"timestamp\": 1, \"step\": 999, \"metrics\": {\"loss\": 0.1}}\n",
    )
    .unwrap();
    drop(f);
    let r3 = get(t.path(), uri, &[("if-none-match", &etag)]).await;
    assert_eq!(r3.status, StatusCode::OK);
    assert_ne!(header(&r3, header::ETAG), etag);
}

#[tokio::test]
async fn manifest_lists_the_fixture_and_stays_fresh() {
    let t = util::fixture_copy();
    let r = get(t.path(), "/aspara-index.json", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(header(&r, header::CONTENT_TYPE), "application/json");
    let m: aspara::format::Manifest = serde_json::from_slice(&r.body).unwrap();
    let names: Vec<&str> = m.projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["nlp_demo", "vision-demo"]);
    assert_eq!(m.projects.iter().map(|p| p.runs.len()).sum::<usize>(), 6);
    assert!(
        t.path().join("aspara-index.json").is_file(),
        "written back to disk"
    );

    // One router across requests: a new run appears without restarting.
    let app = aspara_cli::server::router(t.path()).unwrap();
    let req = || {
        Request::builder()
            .uri("/aspara-index.json")
            .body(Body::empty())
            .unwrap()
    };
    let first = app.clone().oneshot(req()).await.unwrap();
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
    std::fs::copy(
        t.path().join("nlp_demo/bert-small.jsonl"),
        t.path().join("nlp_demo/bert-copy.jsonl"),
    )
    .unwrap();
    let second = app.clone().oneshot(req()).await.unwrap();
    assert_ne!(second.headers()[header::ETAG].to_str().unwrap(), etag);
    let body = second.into_body().collect().await.unwrap().to_bytes();
    let m: aspara::format::Manifest = serde_json::from_slice(&body).unwrap();
    assert_eq!(m.project("nlp_demo").unwrap().runs.len(), 4);
}

#[tokio::test]
async fn refuses_traversal_absolute_paths_and_symlinks_out() {
    let t = util::fixture_copy();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), b"secret").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        t.path().join("vision-demo/leak.jsonl"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), t.path().join("linked")).unwrap();
    for uri in [
        "/..%2f..%2fetc%2fpasswd",
        "/vision-demo/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/vision-demo/%2e%2e/%2e%2e/etc/passwd",
        "/%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/vision-demo/leak.jsonl",
        "/linked/secret.txt",
        "/etc/passwd",
    ] {
        let r = get(t.path(), uri, &[]).await;
        assert!(r.status.is_client_error(), "{uri}: {}", r.status);
        assert!(!r.body.windows(6).any(|w| w == b"secret"), "{uri}");
        assert!(!r.body.windows(5).any(|w| w == b"root:"), "{uri}");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(v["detail"].is_string(), "{uri}");
    }
    assert_eq!(
        get(t.path(), "/vision-demo/leak.jsonl", &[]).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn hidden_files_are_404() {
    let t = util::fixture_copy();
    std::fs::create_dir_all(t.path().join(".queue/vision-demo")).unwrap();
    std::fs::write(t.path().join(".queue/vision-demo/r.queue.jsonl"), b"{}\n").unwrap();
    std::fs::write(t.path().join("vision-demo/.tmp_abc.json"), b"{}").unwrap();
    for uri in [
        "/.queue/vision-demo/r.queue.jsonl",
        "/%2equeue/vision-demo/r.queue.jsonl",
        "/vision-demo/.tmp_abc.json",
        "/.aspara-index.lock",
    ] {
        let r = get(t.path(), uri, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["detail"], "Not found");
    }
    // Directories are not listed, missing files are 404, and writes are refused.
    assert_eq!(
        get(t.path(), "/vision-demo", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(t.path(), "/vision-demo/nope.jsonl", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let app = aspara_cli::server::router(t.path()).unwrap();
    let r = app
        .oneshot(
            Request::builder()
                .method("PUT")
                .uri("/vision-demo/x.jsonl")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn artifacts_never_run_as_pages() {
    // Case B35: an HTML artifact is user content; served as text, sandboxed.
    let t = tempfile::tempdir().unwrap();
    util::copy_dir(&util::case_data("B35"), t.path());
    let r = get(t.path(), "/xss/run1/artifacts/report.html", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        header(&r, header::CONTENT_TYPE),
        "text/plain; charset=utf-8"
    );
    assert_eq!(header(&r, header::CONTENT_SECURITY_POLICY), "sandbox");
    assert_eq!(header(&r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
}

#[tokio::test]
async fn root_is_the_dashboard_or_says_how_to_build_it() {
    let t = util::fixture_copy();
    let r = get(t.path(), "/", &[]).await;
    let html = String::from_utf8_lossy(&r.body);
    assert!(header(&r, header::CONTENT_TYPE).starts_with("text/html"));
    if aspara_cli::assets::dashboard_built() {
        assert_eq!(r.status, StatusCode::OK);
        for a in aspara_cli::assets::all() {
            let r = get(t.path(), &format!("/{}", a.path), &[]).await;
            assert_eq!(r.status, StatusCode::OK, "{}", a.path);
            assert_eq!(r.body, a.bytes);
            if a.path.ends_with(".wasm") {
                assert_eq!(header(&r, header::CONTENT_TYPE), "application/wasm");
            }
        }
    } else {
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(html.contains("trunk build --offline --release"), "{html}");
    }
}

#[tokio::test]
async fn head_gives_headers_without_a_body() {
    let t = util::fixture_copy();
    let app = aspara_cli::server::router(t.path()).unwrap();
    let resp = app
        .oneshot(
            Request::builder()
                .method("HEAD")
                .uri("/nlp_demo/bert-small.jsonl")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_LENGTH], "26329");
    assert!(resp.headers().contains_key(header::ETAG));
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(body.is_empty());
}

#[tokio::test]
async fn with_tracker_serves_dashboard_data_and_tracker_on_one_origin() {
    let dir = tempfile::tempdir().unwrap();
    let config = aspara_cli::commands::serve::ServeConfig {
        data_dir: dir.path().to_path_buf(),
        addr: "127.0.0.1:0".parse().unwrap(),
        tracker: Some(aspara_cli::tracker::TrackerConfig {
            token: Some("s3cret".into()),
            ..Default::default()
        }),
    };
    let (app, ingest) = aspara_cli::commands::serve::app(&config).unwrap();
    let ingest = ingest.expect("the tracker's ingest is returned for shutdown");
    let post = |uri: &str, body: &str, token: Option<&str>| {
        let mut req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/json")
            .header("x-requested-with", "XMLHttpRequest");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        req.body(Body::from(body.to_owned())).unwrap()
    };
    let create = "/tracker/api/v1/projects/p/runs";
    let resp = app
        .clone()
        .oneshot(post(create, r#"{"name": "r1"}"#, None))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let resp = app
        .clone()
        .oneshot(post(
            create,
            r#"{"name": "r1", "config": {"lr": 0.1}}"#,
            Some("s3cret"),
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = app
        .clone()
        .oneshot(post(
            "/tracker/api/v1/projects/p/runs/r1/metrics",
            r#"{"step": 0, "metrics": {"loss": 0.5}}"#,
            Some("s3cret"),
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = app
        .clone()
        .oneshot(post(
            "/tracker/api/v1/projects/p/runs/r1/finish",
            r#"{"exit_code": 0}"#,
            Some("s3cret"),
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    ingest.close_all().unwrap();

    // The same origin serves what the tracker wrote, and the manifest lists it.
    let resp = app
        .clone()
        .oneshot(Request::get("/p/r1.jsonl").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let data = aspara::format::reader::read_metrics(&body);
    assert_eq!(data.report.records, 1);
    assert_eq!(data.metric("loss").unwrap().values, [0.5]);
    let resp = app
        .oneshot(
            Request::get("/aspara-index.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let manifest: aspara::format::Manifest = serde_json::from_slice(&body).unwrap();
    let run = &manifest.project("p").unwrap().runs[0];
    assert_eq!(
        (run.name.as_str(), run.status.as_str()),
        ("r1", "completed")
    );
}

#[tokio::test]
async fn tracker_refuses_bodies_it_would_apply_as_nothing_and_logs_to_finished_runs() {
    let dir = tempfile::tempdir().unwrap();
    let config = aspara_cli::commands::serve::ServeConfig {
        data_dir: dir.path().to_path_buf(),
        addr: "127.0.0.1:0".parse().unwrap(),
        tracker: Some(aspara_cli::tracker::TrackerConfig::default()),
    };
    let (app, ingest) = aspara_cli::commands::serve::app(&config).unwrap();
    let ingest = ingest.unwrap();
    let call = |uri: &str, body: &str| {
        let req = Request::builder()
            .method("POST")
            .uri(format!("/tracker/api/v1/projects/p/runs{uri}"))
            .header("content-type", "application/json")
            .header("x-requested-with", "XMLHttpRequest")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let app = app.clone();
        async move {
            let resp = app.oneshot(req).await.unwrap();
            let status = resp.status();
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let meta = || -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.path().join("p/r1.meta.json")).unwrap()).unwrap()
    };
    assert_eq!(
        call("", r#"{"name": "r1", "tags": ["keep"]}"#).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call("/r1/summary", r#"{"summary": {"best": 0.9}}"#).await.0,
        StatusCode::OK
    );
    // Bodies without the field were answered 200 and changed nothing (or cleared the tags).
    for (uri, body, detail) in [
        ("/r1/summary", "[1]", "the body must be a JSON object"),
        ("/r1/summary", r#"{"best": 0.1}"#, "`summary` is required"),
        ("/r1/config", r#"{"lr": 0.1}"#, "`config` is required"),
        ("/r1/tags", "{}", "`tags` is required"),
        (
            "/r1/finish",
            r#"{"exit_code": "1"}"#,
            "`exit_code` must be an integer",
        ),
        ("/r1/finish", "[0]", "the body must be a JSON object"),
    ] {
        let (status, text) = call(uri, body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{uri} {body}: {text}"
        );
        assert!(text.contains(detail), "{uri} {body}: {text}");
    }
    ingest.close_all().unwrap();
    let m = meta();
    assert_eq!(m["tags"], serde_json::json!(["keep"]));
    assert_eq!(m["summary"], serde_json::json!({"best": 0.9}));
    assert_eq!(m["status"], "wip");

    assert_eq!(
        call("/r1/metrics", r#"{"metrics": {"loss": 0.5}}"#).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call("/r1/finish", r#"{"exit_code": 0}"#).await.0,
        StatusCode::OK
    );
    // A late metrics call used to reopen the run: status back to wip, exit code gone.
    let (status, text) = call("/r1/metrics", r#"{"metrics": {"loss": 0.4}}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("Cannot log to a finished run"), "{text}");
    ingest.close_all().unwrap();
    let m = meta();
    assert_eq!(
        (m["status"].as_str(), m["exit_code"].as_i64()),
        (Some("completed"), Some(0))
    );
    let lines = std::fs::read_to_string(dir.path().join("p/r1.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 1);
    // An explicit resume still continues it.
    assert_eq!(
        call("", r#"{"name": "r1", "resume": true}"#).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call("/r1/metrics", r#"{"metrics": {"loss": 0.4}}"#).await.0,
        StatusCode::OK
    );
    ingest.close_all().unwrap();
    let lines = std::fs::read_to_string(dir.path().join("p/r1.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 2);
}
