//! Encoding one metrics line (FORMAT.md §2): `{"timestamp": <ms>, "step": <int>, "metrics": {...}}\n`.
//!
//! The bytes are those of Python Aspara 0.1.0's `json.dumps` for finite values: key order
//! `timestamp, step, metrics`, separators `", "` and `": "`, ASCII-escaped names, Python float repr.
//! Non-finite values are `null` (case B02), and values are always floats, so a metric never starts as
//! ints and turns into floats later (case B17).

use super::pyjson::{write_float, write_str};
use std::fmt::Write as _;

/// Appends one complete metrics line, including its `\n`, to `out`.
pub fn encode_line<'a, I>(out: &mut String, timestamp_ms: i64, step: u64, metrics: I)
where
    I: IntoIterator<Item = (&'a str, f64)>,
{
    let _ = write!(
        out,
        "{{\"timestamp\": {timestamp_ms}, \"step\": {step}, \"metrics\": {{"
    );
    for (i, (name, value)) in metrics.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str(out, name, true);
        out.push_str(": ");
        write_float(out, value);
    }
    out.push_str("}}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_fixture_line() {
        let mut s = String::new();
        encode_line(
            &mut s,
            1796306859423,
            0,
            [
                ("train/loss", 2.3499999999999996),
                ("train/acc", 0.1),
                ("val/loss", 2.52),
            ],
        );
        assert_eq!(
            s,
            "{\"timestamp\": 1796306859423, \"step\": 0, \"metrics\": {\"train/loss\": 2.3499999999999996, \"train/acc\": 0.1, \"val/loss\": 2.52}}\n"
        );
    }

    #[test]
    fn b02_nonfinite_is_null_and_b16_tiny_values() {
        let mut s = String::new();
        encode_line(
            &mut s,
            1735689600000,
            0,
            [("acc", f64::NAN), ("lr", 1e-7), ("x", 5e-324), ("n", 2.0)],
        );
        assert_eq!(
            s,
            "{\"timestamp\": 1735689600000, \"step\": 0, \"metrics\": {\"acc\": null, \"lr\": 1e-07, \"x\": 5e-324, \"n\": 2.0}}\n"
        );
        assert!(serde_json::from_str::<serde_json::Value>(s.trim_end()).is_ok());
    }

    #[test]
    fn b14_big_steps_exact() {
        let mut s = String::new();
        encode_line(&mut s, 0, 9007199254740993, [("loss", 0.2)]);
        assert!(s.contains("\"step\": 9007199254740993,"));
    }
}
