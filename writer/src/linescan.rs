//! A quick pass over a metrics file for what the writer needs on reopen and the manifest needs on
//! a scan: the highest step and the metric names. Each non-blank line is parsed on its own (strict
//! JSON first, then the lenient parser for Aspara's bare `NaN` tokens, reference §2.1); lines that are
//! not records are counted, never fatal (FORMAT.md §6 rules; cases B14, B21).

use crate::format::json::parse_lenient;
use serde_json::Value;
use std::collections::BTreeSet;

/// What one pass over a metrics file found.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct LineScan {
    /// Lines that are records (integer `step` ≥ 0 and a `metrics` object).
    pub records: u64,
    /// Non-blank lines that are not records (a partial tail included).
    pub skipped: u64,
    /// The highest step seen.
    pub max_step: Option<u64>,
    /// Every metric name seen in a record.
    pub names: BTreeSet<String>,
}

#[derive(serde::Deserialize)]
struct Envelope {
    step: Option<Value>,
    metrics: Option<serde_json::Map<String, Value>>,
}

/// Scans `bytes`, the whole content of a `.jsonl` file.
pub(crate) fn scan(bytes: &[u8]) -> LineScan {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = LineScan::default();
    for line in bytes.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let env = match serde_json::from_slice::<Envelope>(line) {
            Ok(e) => Some(e),
            Err(_) => parse_lenient(line)
                .ok()
                .and_then(|v| serde_json::from_value::<Envelope>(v).ok()),
        };
        let Some(Envelope {
            step: Some(step),
            metrics: Some(metrics),
        }) = env
        else {
            out.skipped += 1;
            continue;
        };
        let Some(step) = step.as_u64() else {
            out.skipped += 1;
            continue;
        };
        out.records += 1;
        out.max_step = Some(out.max_step.map_or(step, |m| m.max(step)));
        for k in metrics.keys() {
            if !out.names.contains(k) {
                out.names.insert(k.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_names_and_skips() {
        let s = scan(
            b"{\"timestamp\": 1, \"step\": 4, \"metrics\": {\"a\": NaN}}\n\
              \r\n\
              {\"step\": -1, \"metrics\": {}}\n\
              {\"timestamp\": 2, \"step\": 9, \"metrics\": {\"b\": 1.0}}\n\
              {\"timestamp\": 3, \"st",
        );
        assert_eq!(s.records, 2);
        assert_eq!(s.skipped, 2);
        assert_eq!(s.max_step, Some(9));
        assert_eq!(s.names.into_iter().collect::<Vec<_>>(), ["a", "b"]);
    }
}
