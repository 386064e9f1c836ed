//! HTTP calls to a tracker (blocking `ureq`, only ever on the sink's background thread or at
//! start-up), and the classification of their outcomes into "retry later", "refused" and the rest.
//!
//! Two dialects: Aspara's own tracker (reference §4; one request per record, no idempotency), and
//! ours, which adds the batch endpoint with `session`/`seq` deduplication (FORMAT.md §8). Which one
//! is on the other side is learned from the health answer: ours says `"protocol": 1`.

use super::wire::{Kind, QOp, batch_body};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

/// How requests travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Our tracker: batches, deduplicated by session and `seq`.
    Batch,
    /// Aspara 0.1.0's tracker: one request per operation.
    Aspara,
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum Fail {
    /// Transport error, timeout, 5xx, 408 or 429: try again later.
    Retry(String),
    /// 401 or 403: the token (or the header) is wrong; keep the operations and say so.
    Auth(String),
    /// 413: the body is too large; send less at a time.
    TooLarge,
    /// Any other 4xx: the tracker will never accept this operation.
    Reject {
        /// The status.
        status: u16,
        /// The tracker's `detail`.
        detail: String,
    },
}

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fail::Retry(m) => write!(f, "tracker unreachable: {m}"),
            Fail::Auth(m) => write!(f, "tracker refused the credentials: {m}"),
            Fail::TooLarge => write!(f, "tracker refused the request body as too large"),
            Fail::Reject { status, detail } => {
                write!(f, "tracker rejected the request ({status}): {detail}")
            }
        }
    }
}

/// What create-run answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    /// The run id the tracker keeps.
    pub run_id: String,
    /// Where steps continue (our tracker, on resume); 0 otherwise.
    pub next_step: u64,
    /// The dialect, when the answer tells it.
    pub protocol: Option<Protocol>,
}

/// A connection to one tracker for one run.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
    project: String,
    run: String,
    session: String,
}

fn detail_of(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("detail").cloned())
        .map(|d| match d {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .unwrap_or_else(|| body.chars().take(200).collect())
}

impl Client {
    /// A client for `base` (the tracker URI, e.g. `http://127.0.0.1:3142/tracker`).
    pub fn new(
        base: &str,
        token: Option<String>,
        timeout: Duration,
        project: &str,
        run: &str,
        session: &str,
    ) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(Duration::from_secs(3)))
            .build()
            .into();
        Client {
            agent,
            base: base.trim_end_matches('/').to_owned(),
            token: token.filter(|t| !t.is_empty()),
            project: project.to_owned(),
            run: run.to_owned(),
            session: session.to_owned(),
        }
    }

    /// The tracker URI in use.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, tail: &str) -> String {
        format!("{}/api/v1/projects/{}/runs{tail}", self.base, self.project)
    }

    fn run_url(&self, what: &str) -> String {
        self.url(&format!("/{}/{what}", self.run))
    }

    fn post(&self, url: &str, content_type: &str, body: &[u8]) -> Result<String, Fail> {
        let mut req = self
            .agent
            .post(url)
            .header("X-Requested-With", "XMLHttpRequest")
            .content_type(content_type);
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let resp = req.send(body).map_err(|e| Fail::Retry(e.to_string()))?;
        Self::classify(resp)
    }

    fn classify(mut resp: ureq::http::Response<ureq::Body>) -> Result<String, Fail> {
        let status = resp.status().as_u16();
        let body = resp.body_mut().read_to_string().unwrap_or_default();
        match status {
            200..=299 => Ok(body),
            401 | 403 => Err(Fail::Auth(detail_of(&body))),
            413 => Err(Fail::TooLarge),
            408 | 429 | 500..=599 => Err(Fail::Retry(format!("{status}: {}", detail_of(&body)))),
            _ => Err(Fail::Reject {
                status,
                detail: detail_of(&body),
            }),
        }
    }

    fn post_json(&self, url: &str, body: &Value) -> Result<String, Fail> {
        self.post(url, "application/json", body.to_string().as_bytes())
    }

    /// Asks `/api/v1/health` which dialect the tracker speaks.
    pub fn probe(&self) -> Result<Protocol, Fail> {
        let mut req = self.agent.get(format!("{}/api/v1/health", self.base));
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let resp = req.call().map_err(|e| Fail::Retry(e.to_string()))?;
        let body = Self::classify(resp)?;
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        Ok(
            if v.get("protocol").and_then(Value::as_u64).unwrap_or(0) >= 1 {
                Protocol::Batch
            } else {
                Protocol::Aspara
            },
        )
    }

    /// Creates (or resumes) the run from a `create` operation.
    pub fn create(&self, op: &QOp) -> Result<Created, Fail> {
        let v = op.value();
        let mut body = json!({
            "name": v["name"],
            "config": v["config"],
            "tags": v["tags"],
            "notes": v["notes"],
            "project_tags": v["project_tags"],
            "resume": v["resume"],
            "run_id": v["run_id"],
            "start_time": v["start_time"],
            "session": self.session,
            "seq": op.seq,
        });
        if v["project_tags"].as_array().is_some_and(Vec::is_empty) {
            body["project_tags"] = Value::Null;
        }
        let answer = self.post_json(&self.url(""), &body)?;
        let a: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
        Ok(Created {
            run_id: a["run_id"].as_str().unwrap_or_default().to_owned(),
            next_step: a["next_step"].as_u64().unwrap_or(0),
            protocol: a.get("protocol").map(|_| Protocol::Batch),
        })
    }

    /// Sends consecutive non-artifact operations in one batch request (our tracker).
    pub fn send_batch(&self, ops: &[QOp]) -> Result<(), Fail> {
        let body = batch_body(&self.session, ops);
        self.post(&self.run_url("batch"), "application/json", body.as_bytes())
            .map(|_| ())
    }

    /// Sends one operation the way Aspara's own client does (one request each). Tags and notes
    /// changes have no endpoint there and are skipped (`Ok(false)`).
    pub fn send_aspara(&self, op: &QOp) -> Result<bool, Fail> {
        let v = op.value();
        match op.kind {
            Kind::Create => self.create(op).map(|_| true),
            Kind::Metrics => {
                let body = json!({"step": v["step"], "metrics": v["metrics"], "timestamp": v["timestamp"]});
                self.post_json(&self.run_url("metrics"), &body)
                    .map(|_| true)
            }
            Kind::Meta => {
                let mut sent = false;
                if let Some(c) = v.get("config") {
                    self.post_json(&self.run_url("config"), &json!({ "config": c }))?;
                    sent = true;
                }
                if let Some(s) = v.get("summary") {
                    self.post_json(&self.run_url("summary"), &json!({ "summary": s }))?;
                    sent = true;
                }
                Ok(sent || (v.get("tags").is_none() && v.get("notes").is_none()))
            }
            Kind::Finish => {
                let body = json!({"exit_code": v["exit_code"]});
                self.post_json(&self.run_url("finish"), &body).map(|_| true)
            }
            Kind::Artifact => Err(Fail::Reject {
                status: 0,
                detail: "artifacts are uploaded with upload_artifact".into(),
            }),
        }
    }

    /// Uploads an artifact operation's bytes from `blob` as multipart (both dialects; ours also
    /// reads `session` and `seq`, so a replayed upload is not recorded twice).
    pub fn upload_artifact(&self, op: &QOp, blob: &Path) -> Result<(), Fail> {
        let v = op.value();
        let bytes = std::fs::read(blob).map_err(|e| Fail::Reject {
            status: 0,
            detail: format!("reading queued artifact {}: {e}", blob.display()),
        })?;
        let name = v["name"].as_str().unwrap_or("artifact");
        let file_name = v["original_name"].as_str().unwrap_or(name);
        let boundary = format!("aspara-{:016x}", fastrand::u64(..));
        let mut body: Vec<u8> = Vec::with_capacity(bytes.len() + 1024);
        let mut field = |k: &str, val: &str| {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{val}\r\n"
                )
                .as_bytes(),
            );
        };
        field("name", name);
        for k in ["description", "category"] {
            if let Some(s) = v[k].as_str() {
                field(k, s);
            }
        }
        field("session", &self.session);
        field("seq", &op.seq.to_string());
        // The file name is a validated artifact name or a plain basename; quotes are dropped.
        let safe_name: String = file_name
            .chars()
            .filter(|c| *c != '"' && *c != '\r' && *c != '\n')
            .collect();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{safe_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post(
            &self.run_url("artifacts"),
            &format!("multipart/form-data; boundary={boundary}"),
            &body,
        )
        .map(|_| ())
    }
}
