//! Run metadata, `<run>.meta.json` (FORMAT.md §3): the model, its Python-identical encoding, the
//! tolerant decoding, and the status rule.
//!
//! Writers produce Aspara's exact layout (2-space indent, raw UTF-8, no trailing newline, fixed key
//! order). Readers accept anything: a missing or corrupt file reads as defaults and the error is
//! reported, never raised (reference §7 #17).

use super::pyjson;
use serde_json::{Map, Value};

/// A `wip` run whose start is older than this is shown as `maybe_failed` (Aspara's rule).
pub const MAYBE_FAILED_AFTER_MS: i64 = 3_600_000;

/// The run states a reader shows.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Running, or never finished.
    Wip,
    /// Finished with exit code 0.
    Completed,
    /// Finished with a non-zero exit code.
    Failed,
    /// Probably dead: never finished and started over an hour ago, or finished without an exit code.
    MaybeFailed,
}

impl Status {
    /// The word used in files, URLs and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Wip => "wip",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::MaybeFailed => "maybe_failed",
        }
    }

    /// Parses the word used in files (`wip`, `completed`, `failed`, `maybe_failed`).
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "wip" => Status::Wip,
            "completed" => Status::Completed,
            "failed" => Status::Failed,
            "maybe_failed" => Status::MaybeFailed,
            _ => return None,
        })
    }

    /// The status `finish(exit_code)` writes.
    pub fn from_exit_code(exit_code: i64) -> Status {
        if exit_code == 0 {
            Status::Completed
        } else {
            Status::Failed
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One entry of `artifacts`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Artifact {
    /// The artifact's file name inside `<run>/artifacts/`.
    pub name: String,
    /// Where it was copied from (the writer's absolute source path, or the uploaded file name).
    pub original_path: String,
    /// `artifacts/<name>` as written; readers never trust it for links (case B36).
    pub stored_path: String,
    /// Size in bytes.
    pub file_size: u64,
    /// When it was logged, in ms.
    pub timestamp: i64,
    /// Free text, written only when given.
    pub description: Option<String>,
    /// One of `code|model|config|data|other`, written only when given.
    pub category: Option<String>,
}

/// The artifact categories Aspara accepts.
pub const ARTIFACT_CATEGORIES: [&str; 5] = ["code", "model", "config", "data", "other"];

/// The contents of `<run>.meta.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMeta {
    /// 16 lowercase hex characters.
    pub run_id: String,
    /// Run tags, in order.
    pub tags: Vec<String>,
    /// Free text, possibly multi-line.
    pub notes: String,
    /// Legacy parameters; readers merge `params` then `config` (case B31).
    pub params: Map<String, Value>,
    /// Configuration, any JSON, shallow-merged on update.
    pub config: Map<String, Value>,
    /// Logged artifacts, in order.
    pub artifacts: Vec<Artifact>,
    /// Summary values, shallow-merged on update.
    pub summary: Map<String, Value>,
    /// Whether `finish` was called.
    pub is_finished: bool,
    /// The exit code given to `finish`.
    pub exit_code: Option<i64>,
    /// The status word as written (unknown words are kept, and resolved by [`RunMeta::status`]).
    pub status: String,
    /// Start time in ms.
    pub start_time: Option<i64>,
    /// Finish time in ms.
    pub finish_time: Option<i64>,
}

impl Default for RunMeta {
    fn default() -> Self {
        RunMeta {
            run_id: String::new(),
            tags: Vec::new(),
            notes: String::new(),
            params: Map::new(),
            config: Map::new(),
            artifacts: Vec::new(),
            summary: Map::new(),
            is_finished: false,
            exit_code: None,
            status: "wip".to_owned(),
            start_time: None,
            finish_time: None,
        }
    }
}

/// Why a meta file could not be read; the run then reads with default metadata.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetaError {
    /// Not JSON (e.g. a torn or truncated file).
    #[error("invalid JSON in run metadata: {0}")]
    Json(String),
    /// JSON, but not an object.
    #[error("run metadata is not a JSON object")]
    NotObject,
}

fn opt_i64(v: Option<i64>) -> Value {
    v.map(Value::from).unwrap_or(Value::Null)
}

impl Artifact {
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), Value::from(self.name.clone()));
        m.insert(
            "original_path".into(),
            Value::from(self.original_path.clone()),
        );
        m.insert("stored_path".into(), Value::from(self.stored_path.clone()));
        m.insert("file_size".into(), Value::from(self.file_size));
        m.insert("timestamp".into(), Value::from(self.timestamp));
        if let Some(d) = &self.description {
            m.insert("description".into(), Value::from(d.clone()));
        }
        if let Some(c) = &self.category {
            m.insert("category".into(), Value::from(c.clone()));
        }
        Value::Object(m)
    }

    fn from_value(v: &Value) -> Option<Artifact> {
        let o = v.as_object()?;
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
        Some(Artifact {
            name: s("name")?,
            original_path: s("original_path").unwrap_or_default(),
            stored_path: s("stored_path").unwrap_or_default(),
            file_size: o.get("file_size").and_then(Value::as_u64).unwrap_or(0),
            timestamp: o.get("timestamp").and_then(parse_time_ms).unwrap_or(0),
            description: s("description"),
            category: s("category"),
        })
    }
}

/// Reads a time value as ms: an integer or float (ms, truncated) or an ISO-8601 string (naive = UTC).
pub fn parse_time_ms(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => super::time::parse_iso_ms(s),
        _ => None,
    }
}

impl RunMeta {
    /// The JSON object, keys in Aspara's order.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("run_id".into(), Value::from(self.run_id.clone()));
        m.insert("tags".into(), Value::from(self.tags.clone()));
        m.insert("notes".into(), Value::from(self.notes.clone()));
        m.insert("params".into(), Value::Object(self.params.clone()));
        m.insert("config".into(), Value::Object(self.config.clone()));
        m.insert(
            "artifacts".into(),
            Value::Array(self.artifacts.iter().map(Artifact::to_value).collect()),
        );
        m.insert("summary".into(), Value::Object(self.summary.clone()));
        m.insert("is_finished".into(), Value::Bool(self.is_finished));
        m.insert("exit_code".into(), opt_i64(self.exit_code));
        m.insert("status".into(), Value::from(self.status.clone()));
        m.insert("start_time".into(), opt_i64(self.start_time));
        m.insert("finish_time".into(), opt_i64(self.finish_time));
        Value::Object(m)
    }

    /// The file's bytes, exactly as Python Aspara 0.1.0 writes them (indent 2, no trailing newline).
    pub fn to_json(&self) -> String {
        pyjson::to_indented(&self.to_value())
    }

    /// Decodes a meta file strictly; see [`RunMeta::from_bytes_lossy`] for what readers use.
    pub fn from_bytes(bytes: &[u8]) -> Result<RunMeta, MetaError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let v: Value = super::json::parse_lenient(bytes).map_err(MetaError::Json)?;
        let o = v.as_object().ok_or(MetaError::NotObject)?;
        Ok(RunMeta::from_object(o))
    }

    /// Decodes a meta file, reading anything unreadable as defaults (status `wip`, no tags) and
    /// returning the error beside it, as Aspara does (reference §7 #17).
    pub fn from_bytes_lossy(bytes: &[u8]) -> (RunMeta, Option<MetaError>) {
        match RunMeta::from_bytes(bytes) {
            Ok(m) => (m, None),
            Err(e) => (RunMeta::default(), Some(e)),
        }
    }

    fn from_object(o: &Map<String, Value>) -> RunMeta {
        let obj = |k: &str| {
            o.get(k)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        RunMeta {
            run_id: o
                .get("run_id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            tags: o
                .get("tags")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            notes: o
                .get("notes")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            params: obj("params"),
            config: obj("config"),
            artifacts: o
                .get("artifacts")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Artifact::from_value).collect())
                .unwrap_or_default(),
            summary: obj("summary"),
            is_finished: o
                .get("is_finished")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            exit_code: o.get("exit_code").and_then(Value::as_i64),
            status: o
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("wip")
                .to_owned(),
            start_time: o.get("start_time").and_then(parse_time_ms),
            finish_time: o.get("finish_time").and_then(parse_time_ms),
        }
    }

    /// The status a reader shows at `now_ms`, by Aspara's rules (reference §2.4): a known word is
    /// used, except that a `wip` run never finished and started over an hour ago is `maybe_failed`;
    /// an unknown word is derived from `is_finished` and `exit_code`.
    pub fn status(&self, now_ms: i64) -> Status {
        let derived = match Status::parse(&self.status) {
            Some(s) => s,
            None => match (self.is_finished, self.exit_code) {
                (false, _) => Status::Wip,
                (true, None) => Status::MaybeFailed,
                (true, Some(0)) => Status::Completed,
                (true, Some(_)) => Status::Failed,
            },
        };
        if derived == Status::Wip && !self.is_finished {
            if let Some(start) = self.start_time {
                if now_ms.saturating_sub(start) > MAYBE_FAILED_AFTER_MS {
                    return Status::MaybeFailed;
                }
            }
        }
        derived
    }

    /// `params` merged with `config` (config wins), the effective configuration (case B31).
    pub fn effective_config(&self) -> Map<String, Value> {
        let mut m = self.params.clone();
        for (k, v) in &self.config {
            m.insert(k.clone(), v.clone());
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!(
        "../../../../shared/fixtures/aspara-py-0.1.0/vision-demo/resnet-baseline.meta.json"
    );

    #[test]
    fn fixture_meta_round_trips_byte_for_byte() {
        let m = RunMeta::from_bytes(FIXTURE.as_bytes()).unwrap();
        assert_eq!(m.run_id, "95840dd3f1b64ea1");
        assert_eq!(m.artifacts[0].category.as_deref(), Some("config"));
        assert_eq!(m.to_json(), FIXTURE);
    }

    #[test]
    fn full_precision_floats_round_trip() {
        // serde_json needs its `float_roundtrip` feature for this: its default parser reads
        // 2.2820247271615686 one ulp off, as 2.282024727161569.
        let text = "{\n  \"run_id\": \"x\",\n  \"tags\": [],\n  \"notes\": \"\",\n  \"params\": {},\n  \"config\": {\n    \"a\": 2.2820247271615686\n  },\n  \"artifacts\": [],\n  \"summary\": {\n    \"b\": 0.11683112768925805\n  },\n  \"is_finished\": false,\n  \"exit_code\": null,\n  \"status\": \"wip\",\n  \"start_time\": null,\n  \"finish_time\": null\n}";
        let m = RunMeta::from_bytes(text.as_bytes()).unwrap();
        assert_eq!(m.config["a"].as_f64(), Some(2.2820247271615686));
        assert_eq!(m.to_json(), text);
    }

    #[test]
    fn corrupt_meta_reads_as_defaults() {
        let (m, err) = RunMeta::from_bytes_lossy(br#"{"run_id": "x", "status": "comp"#);
        assert!(err.is_some());
        assert_eq!(m.status(0), Status::Wip);
        assert!(m.tags.is_empty());
    }

    #[test]
    fn status_rules() {
        let mut m = RunMeta {
            status: "running".into(),
            is_finished: true,
            exit_code: Some(3),
            ..RunMeta::default()
        };
        assert_eq!(m.status(0), Status::Failed);
        m = RunMeta {
            start_time: Some(0),
            ..RunMeta::default()
        };
        assert_eq!(m.status(MAYBE_FAILED_AFTER_MS), Status::Wip);
        assert_eq!(m.status(MAYBE_FAILED_AFTER_MS + 1), Status::MaybeFailed);
        m.status = "bogus".into();
        m.is_finished = true;
        assert_eq!(m.status(0), Status::MaybeFailed);
    }
}
