//! Timestamps (FORMAT.md §2.2): integer UNIX milliseconds, or ISO-8601 strings where naive means UTC.

use jiff::{Timestamp, civil::DateTime, tz::TimeZone};

/// Parses an ISO-8601 timestamp to UNIX ms. A trailing `Z` or an offset is honoured; a naive string is
/// taken as UTC (`"2024-01-01T12:00:00"` → `1704110400000`). Blank or unparsable text gives `None`.
pub fn parse_iso_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let dt = s.parse::<DateTime>().ok()?;
    let ts = TimeZone::UTC.to_ambiguous_timestamp(dt).compatible().ok()?;
    Some(ts.as_millisecond())
}

/// Formats UNIX ms as a naive ISO-8601 string with microseconds, the shape Aspara writes in project
/// metadata (`2026-12-03T14:07:39.401000`); the clock is UTC.
pub fn format_naive_iso(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => TimeZone::UTC
            .to_datetime(ts)
            .strftime("%Y-%m-%dT%H:%M:%S%.6f")
            .to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_forms() {
        assert_eq!(parse_iso_ms("2024-01-01T12:00:00"), Some(1704110400000));
        assert_eq!(parse_iso_ms("2024-01-01T10:00:00Z"), Some(1704103200000));
        assert_eq!(
            parse_iso_ms("2024-01-01T10:00:00+00:00"),
            Some(1704103200000)
        );
        assert_eq!(
            parse_iso_ms("2024-01-01T19:00:00+09:00"),
            Some(1704103200000)
        );
        assert_eq!(
            parse_iso_ms("2026-12-03T14:09:13.319840"),
            Some(1796306953319)
        );
        assert_eq!(parse_iso_ms(""), None);
        assert_eq!(parse_iso_ms("   "), None);
        assert_eq!(parse_iso_ms("not-a-timestamp"), None);
    }

    #[test]
    fn naive_iso_round_trip() {
        assert_eq!(
            format_naive_iso(1735689600123),
            "2025-01-01T00:00:00.123000"
        );
        assert_eq!(
            parse_iso_ms(&format_naive_iso(1735689600123)),
            Some(1735689600123)
        );
    }
}
