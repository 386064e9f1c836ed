//! The operations remote mode sends, as the JSON objects that travel in batch requests and sit in
//! the offline queue's journal, one per line (FORMAT.md §8.2).
//!
//! Every operation carries `seq`, its position in the run's writer session (1, 2, ...), and `op`,
//! its kind. Metric operations are encoded by hand with the Python-identical float writer (they are
//! the hot path, and a non-finite value becomes `null`, as in metrics files); the rare metadata
//! operations go through `serde_json`.

use crate::format::pyjson::{write_float, write_str};
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Create (or resume) the run.
    Create,
    /// One metrics record.
    Metrics,
    /// Config and summary merges, tags and notes replacements.
    Meta,
    /// An artifact upload (its bytes wait in the queue's blob folder).
    Artifact,
    /// Finish the run.
    Finish,
}

impl Kind {
    /// The `op` field's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Create => "create",
            Kind::Metrics => "metrics",
            Kind::Meta => "meta",
            Kind::Artifact => "artifact",
            Kind::Finish => "finish",
        }
    }
    /// The kind named by an `op` field.
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "create" => Kind::Create,
            "metrics" => Kind::Metrics,
            "meta" => Kind::Meta,
            "artifact" => Kind::Artifact,
            "finish" => Kind::Finish,
            _ => return None,
        })
    }
}

/// One queued operation: its sequence number, kind and encoded JSON object (no newline).
#[derive(Debug, Clone, PartialEq)]
pub struct QOp {
    /// Position in the writer session, from 1.
    pub seq: u64,
    /// What it does.
    pub kind: Kind,
    /// The JSON object, including `seq` and `op`.
    pub line: String,
}

impl QOp {
    /// Reads an operation back from a journal line; `None` for a line that is not one (a torn tail).
    pub fn from_line(line: &str) -> Option<QOp> {
        let v: Value = serde_json::from_str(line).ok()?;
        let seq = v.get("seq")?.as_u64()?;
        let kind = Kind::parse(v.get("op")?.as_str()?)?;
        Some(QOp {
            seq,
            kind,
            line: line.to_owned(),
        })
    }
    /// The operation as a JSON value.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.line).unwrap_or(Value::Null)
    }
}

/// Encodes a metrics operation: `{"seq": N, "op": "metrics", "step": S, "timestamp": MS,
/// "metrics": {...}}`.
pub fn metrics_op<'a>(
    seq: u64,
    step: u64,
    timestamp_ms: i64,
    metrics: impl IntoIterator<Item = (&'a str, f64)>,
) -> QOp {
    let mut line = String::with_capacity(96);
    let _ = write!(
        line,
        "{{\"seq\": {seq}, \"op\": \"metrics\", \"step\": {step}, \"timestamp\": {timestamp_ms}, \"metrics\": {{"
    );
    for (i, (name, value)) in metrics.into_iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        write_str(&mut line, name, true);
        line.push_str(": ");
        write_float(&mut line, value);
    }
    line.push_str("}}");
    QOp {
        seq,
        kind: Kind::Metrics,
        line,
    }
}

/// Encodes any other operation from its fields (`seq` and `op` are put first).
pub fn value_op(seq: u64, kind: Kind, fields: Map<String, Value>) -> QOp {
    let mut m = Map::new();
    m.insert("seq".into(), Value::from(seq));
    m.insert("op".into(), Value::from(kind.as_str()));
    m.extend(fields);
    QOp {
        seq,
        kind,
        line: Value::Object(m).to_string(),
    }
}

/// The body of a batch request: `{"session": "...", "ops": [op, op, ...]}`.
pub fn batch_body(session: &str, ops: &[QOp]) -> String {
    let mut body = String::with_capacity(32 + ops.iter().map(|o| o.line.len() + 1).sum::<usize>());
    body.push_str("{\"session\": ");
    write_str(&mut body, session, true);
    body.push_str(", \"ops\": [");
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&op.line);
    }
    body.push_str("]}");
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_ops_round_trip_and_nonfinite_is_null() {
        let op = metrics_op(7, 3, 1735689600000, [("loss", 0.5), ("acc", f64::NAN)]);
        assert_eq!(
            op.line,
            "{\"seq\": 7, \"op\": \"metrics\", \"step\": 3, \"timestamp\": 1735689600000, \"metrics\": {\"loss\": 0.5, \"acc\": null}}"
        );
        assert_eq!(QOp::from_line(&op.line), Some(op.clone()));
        assert_eq!(QOp::from_line("{\"seq\": 8, \"op\": \"metr"), None);
        let body = batch_body("s1", &[op.clone(), value_op(8, Kind::Finish, Map::new())]);
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["ops"][1], serde_json::json!({"seq": 8, "op": "finish"}));
        assert_eq!(v["ops"][0]["metrics"]["acc"], Value::Null);
    }
}
