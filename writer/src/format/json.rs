//! Lenient JSON for metadata files: Python's `json` writes bare `NaN`, `Infinity` and `-Infinity`
//! tokens in config and summary values (reference §2.4), which strict parsers reject. They are read as
//! `null` here, so one NaN in a summary never hides a run's whole metadata.

use serde_json::Value;

/// Parses JSON that may contain bare non-finite tokens outside strings; those read as `null`.
pub fn parse_lenient(bytes: &[u8]) -> Result<Value, String> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        Err(first) => {
            let cleaned = replace_nonfinite_tokens(bytes);
            if cleaned.len() == bytes.len() && cleaned == bytes {
                return Err(first.to_string());
            }
            serde_json::from_slice(&cleaned).map_err(|e| e.to_string())
        }
    }
}

/// Rewrites `NaN`, `Infinity` and `-Infinity` outside string literals as `null`.
fn replace_nonfinite_tokens(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let mut in_str = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_str {
            out.push(b);
            if b == b'\\' && i + 1 < bytes.len() {
                out.push(bytes[i + 1]);
                i += 2;
                continue;
            }
            if b == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_str = true;
            out.push(b);
            i += 1;
            continue;
        }
        let rest = &bytes[i..];
        let token = [&b"-Infinity"[..], b"Infinity", b"NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t));
        match token {
            Some(t) => {
                out.extend_from_slice(b"null");
                i += t.len();
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_outside_strings_become_null() {
        let v = parse_lenient(br#"{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN Infinity"}"#)
            .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": null, "b": [null, null], "c": "NaN Infinity"})
        );
        assert!(parse_lenient(b"{\"a\": ").is_err());
    }
}
