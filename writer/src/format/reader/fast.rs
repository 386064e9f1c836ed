//! The fast path: a byte scanner for the common line shape (FORMAT.md §2), no allocation per line.
//!
//! It reads `{"timestamp": <int>, "step": <uint>, "metrics": {"<known name>": <number|null|NaN|
//! Infinity|-Infinity|true|false>, ...}}` in any key order and spacing. Anything else (an envelope
//! key, an ISO timestamp, a string value, an escape in a name, a metric not seen before, a repeated
//! key, any error) makes it give up, and the slow path in `lenient.rs` reads the line. It never
//! decides that a line is bad, so the two paths cannot disagree about skips; for the lines it does
//! read, it uses the same number grammar and scalar rules as the slow path.

use super::Val;
use super::column::MetricColumn;
use super::lenient::{is_ws, number};
use std::collections::HashMap;

/// Metric name → index into the sorted metrics.
pub(super) type Index = HashMap<Box<str>, usize>;

struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    #[inline]
    fn ws(&mut self) {
        while self.i < self.b.len() && is_ws(self.b[self.i]) {
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn expect(&mut self, c: u8) -> Option<()> {
        if self.peek()? == c {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string without escapes or control characters; returns its bytes (quotes excluded).
    #[inline]
    fn simple_string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            if c == b'"' {
                let s = &self.b[start..self.i];
                self.i += 1;
                return Some(s);
            }
            if c == b'\\' || c < 0x20 {
                return None;
            }
            self.i += 1;
        }
        None
    }

    /// Plain decimal digits as u64 (no sign, no leading zero, no fraction); `None` on overflow.
    #[inline]
    fn uint(&mut self) -> Option<u64> {
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        let digits = &self.b[start..self.i];
        if digits.is_empty() || (digits.len() > 1 && digits[0] == b'0') {
            return None;
        }
        // A fraction or exponent follows: not a plain integer.
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        if digits.len() < 20 {
            // Up to 19 digits cannot overflow u64: no checks in the loop.
            Some(
                digits
                    .iter()
                    .fold(0u64, |v, &d| v * 10 + u64::from(d - b'0')),
            )
        } else {
            digits.iter().try_fold(0u64, |v, &d| {
                v.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
        }
    }

    /// Whether the next bytes are `lit` (a key's text followed by its closing quote); consumes it.
    #[inline]
    fn starts(&mut self, lit: &[u8]) -> bool {
        if self.b[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    #[inline]
    fn int(&mut self) -> Option<i64> {
        if self.peek()? == b'-' {
            self.i += 1;
            let v = self.uint()?;
            // -0 and i64::MIN are left to the slow path; both are fine there.
            if v == 0 || v > i64::MAX as u64 {
                return None;
            }
            Some(-(v as i64))
        } else {
            i64::try_from(self.uint()?).ok()
        }
    }

    #[inline]
    fn lit(&mut self, s: &[u8]) -> Option<()> {
        self.starts(s).then_some(())
    }

    #[inline]
    fn value(&mut self) -> Option<Val> {
        Some(match self.peek()? {
            b'-' if self.b.get(self.i + 1) == Some(&b'I') => {
                self.lit(b"-Infinity")?;
                Val::Num(f64::NEG_INFINITY)
            }
            b'-' | b'0'..=b'9' => {
                let (end, _, v) = number(self.b, self.i)?;
                self.i = end;
                Val::Num(v)
            }
            b'n' => {
                self.lit(b"null")?;
                Val::Unknown
            }
            b't' => {
                self.lit(b"true")?;
                Val::Bool(1.0)
            }
            b'f' => {
                self.lit(b"false")?;
                Val::Bool(0.0)
            }
            b'N' => {
                self.lit(b"NaN")?;
                Val::Num(f64::NAN)
            }
            b'I' => {
                self.lit(b"Infinity")?;
                Val::Num(f64::INFINITY)
            }
            _ => return None,
        })
    }
}

/// Everything the fast path reads and updates besides the line.
pub(super) struct Ctx<'d> {
    pub index: &'d Index,
    /// The metric indices of the previous fast line, by position: most lines repeat them.
    pub cache: &'d mut Vec<usize>,
    pub metrics: &'d mut [MetricColumn],
    pub scratch: &'d mut Vec<(usize, Val)>,
    pub line_no: u64,
}

/// Reads a common-shape line into `ctx.scratch`; returns `(step, timestamp)`, or `None` to hand the
/// line to the slow path.
pub(super) fn parse_line(line: &[u8], ctx: &mut Ctx<'_>) -> Option<(u64, Option<i64>)> {
    let mut c = Cur { b: line, i: 0 };
    c.ws();
    c.expect(b'{')?;
    let mut step = None;
    let mut timestamp = None;
    let mut seen_ts = false;
    let mut seen_metrics = false;
    loop {
        c.ws();
        c.expect(b'"')?;
        // The three keys, compared with their closing quote; any other key goes to the slow path.
        let key = if c.starts(b"timestamp\"") {
            0
        } else if c.starts(b"step\"") {
            1
        } else if c.starts(b"metrics\"") {
            2
        } else {
            return None;
        };
        c.ws();
        c.expect(b':')?;
        c.ws();
        match key {
            0 if !seen_ts => {
                seen_ts = true;
                timestamp = Some(c.int()?);
            }
            1 if step.is_none() => step = Some(c.uint()?),
            2 if !seen_metrics => {
                seen_metrics = true;
                metrics(&mut c, ctx)?;
            }
            _ => return None,
        }
        c.ws();
        match c.peek()? {
            b',' => c.i += 1,
            b'}' => {
                c.i += 1;
                break;
            }
            _ => return None,
        }
    }
    c.ws();
    if c.i != line.len() || !seen_metrics {
        return None;
    }
    Some((step?, timestamp))
}

fn metrics(c: &mut Cur<'_>, ctx: &mut Ctx<'_>) -> Option<()> {
    c.expect(b'{')?;
    c.ws();
    if c.peek()? == b'}' {
        c.i += 1;
        return Some(());
    }
    let mut pos = 0usize;
    loop {
        c.ws();
        // Most lines repeat the previous line's names in the same order: compare the bytes with the
        // name expected at this position. Only names without quotes, backslashes or control
        // characters are written as their own bytes, so only those may match this way.
        let cached = ctx.cache.get(pos).and_then(|&i| {
            let col = ctx.metrics.get(i)?;
            if c.peek()? != b'"' {
                return None;
            }
            let name = col.name.as_bytes();
            let b = c.b.get(c.i + 1..)?;
            (col.plain_name && b.starts_with(name) && b.get(name.len()) == Some(&b'"'))
                .then_some((i, name.len()))
        });
        let idx = match cached {
            Some((i, len)) => {
                c.i += len + 2;
                i
            }
            None => {
                let key = c.simple_string()?;
                let name = std::str::from_utf8(key).ok()?;
                // A new metric: the slow path creates its column.
                let i = *ctx.index.get(name)?;
                if pos < ctx.cache.len() {
                    ctx.cache[pos] = i;
                } else {
                    ctx.cache.push(i);
                }
                i
            }
        };
        let col = ctx.metrics.get_mut(idx)?;
        // The same key twice in one line: the slow path applies "last one wins".
        if col.stamp == ctx.line_no {
            return None;
        }
        col.stamp = ctx.line_no;
        c.ws();
        c.expect(b':')?;
        c.ws();
        let v = c.value()?;
        ctx.scratch.push((idx, v));
        pos += 1;
        c.ws();
        match c.peek()? {
            b',' => c.i += 1,
            b'}' => {
                c.i += 1;
                return Some(());
            }
            _ => return None,
        }
    }
}
