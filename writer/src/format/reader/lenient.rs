//! The slow path: a complete, lenient JSON parser for one line, and the rules that turn a parsed line
//! into a record or a skip reason (FORMAT.md §6.1–§6.3).
//!
//! It accepts strict JSON plus Python's bare `NaN`, `Infinity` and `-Infinity` tokens (what Aspara
//! 0.1.0 writes, case B02). The number reader (`number`, grammar and value in one pass) and the
//! scalar rules (`step_from_number`, `timestamp_from_number`) are shared with the fast path in
//! `fast.rs`, so both paths give identical results by construction.

use super::column::{InvalidReason, ValueKind};
use super::{SkipReason, Val};
use std::borrow::Cow;

/// More levels of nesting than this are refused, so a hostile line cannot exhaust the stack.
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Arrays keep no contents: a metrics line never needs them.
#[derive(Debug)]
pub(super) enum J<'a> {
    Null,
    Bool(bool),
    /// Number text (checked against the JSON grammar), whether it is integer syntax, and its f64.
    Num(&'a str, bool, f64),
    NonFinite(ValueKind),
    Str(Cow<'a, str>),
    Arr,
    Obj(Vec<(Cow<'a, str>, J<'a>)>),
}

/// Why a line is not JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ParseError {
    Invalid,
    TooDeep,
    Trailing,
}

pub(super) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Powers of ten that are exact in f64 (10^22 is the largest).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Scans and reads a JSON number at `start` in one pass: its end, whether it is integer syntax, and
/// the nearest f64 (ints beyond u64 round, case B15; magnitudes beyond f64 become ±inf, as in Python;
/// subnormals stay exact, case B16).
///
/// Short numbers take Clinger's exact path: a mantissa of at most 19 digits and below 2^53, and a
/// power of ten up to 10^22, are both exact in f64, so one IEEE multiply or divide is correctly
/// rounded and gives the same bits as `str::parse`. Everything else goes to `str::parse`.
#[inline]
pub(super) fn number(b: &[u8], start: usize) -> Option<(usize, bool, f64)> {
    let mut i = start;
    let negative = b.get(i) == Some(&b'-');
    if negative {
        i += 1;
    }
    let int_start = i;
    let mut m: u64 = 0;
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => {
            while let Some(&d) = b.get(i) {
                if !d.is_ascii_digit() {
                    break;
                }
                // Wraps only past 19 digits, and then `m` is not used.
                m = m.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                i += 1;
            }
        }
        _ => return None,
    }
    let mut ndigits = i - int_start;
    let mut exp10: i64 = 0;
    let mut is_int = true;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while let Some(&d) = b.get(i) {
            if !d.is_ascii_digit() {
                break;
            }
            m = m.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            i += 1;
        }
        let nf = i - frac_start;
        if nf == 0 {
            return None;
        }
        ndigits += nf;
        exp10 = -(nf as i64);
        is_int = false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let mut exp_negative = false;
        match b.get(i) {
            Some(b'-') => {
                exp_negative = true;
                i += 1;
            }
            Some(b'+') => i += 1,
            _ => {}
        }
        let exp_start = i;
        let mut e: i64 = 0;
        while let Some(&d) = b.get(i) {
            if !d.is_ascii_digit() {
                break;
            }
            // Saturates: such an exponent is far outside the exact path anyway.
            if e < 1_000_000 {
                e = e * 10 + i64::from(d - b'0');
            }
            i += 1;
        }
        if i == exp_start {
            return None;
        }
        exp10 += if exp_negative { -e } else { e };
        is_int = false;
    }
    let v = if ndigits <= 19 && m <= 1 << 53 && (-22..=22).contains(&exp10) {
        let f = m as f64;
        let f = if exp10 < 0 {
            f / POW10[(-exp10) as usize]
        } else {
            f * POW10[exp10 as usize]
        };
        if negative { -f } else { f }
    } else {
        // Cannot fail on text the grammar above accepted; NaN would then be counted, never hidden.
        std::str::from_utf8(&b[start..i])
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    Some((i, is_int, v))
}

/// Reads a step from number text, exactly: never through f64 (case B14). An integral float such as
/// `5.0` or `1e3` is accepted; `-0` is step 0.
pub(super) fn step_from_number(text: &str, is_int: bool) -> Result<u64, SkipReason> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, ""),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    let digits_all = int_part.bytes().chain(frac_part.bytes());
    if digits_all.clone().all(|d| d == b'0') {
        return Ok(0);
    }
    if negative {
        return Err(SkipReason::NegativeStep);
    }
    if is_int {
        return body.parse::<u64>().map_err(|_| SkipReason::StepTooLarge);
    }
    // value = digits × 10^(exp − len(frac)); saturate a huge exponent, it only decides the outcome.
    let exp: i64 = if exp.is_empty() {
        0
    } else {
        let (neg, e) = match exp.as_bytes()[0] {
            b'-' => (true, &exp[1..]),
            b'+' => (false, &exp[1..]),
            _ => (false, exp),
        };
        let mag = e
            .bytes()
            .try_fold(0i64, |acc, d| {
                acc.checked_mul(10)?.checked_add(i64::from(d - b'0'))
            })
            .unwrap_or(i64::MAX / 4);
        if neg { -mag } else { mag }
    };
    let mut digits: Vec<u8> = digits_all.skip_while(|&d| d == b'0').collect();
    let mut exp10 = exp.saturating_sub(frac_part.len() as i64);
    while digits.last() == Some(&b'0') {
        digits.pop();
        exp10 = exp10.saturating_add(1);
    }
    if exp10 < 0 {
        return Err(SkipReason::FractionalStep);
    }
    if digits.len() as i64 + exp10 > 20 {
        return Err(SkipReason::StepTooLarge);
    }
    let mut v: u64 = 0;
    for d in digits {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or(SkipReason::StepTooLarge)?;
    }
    for _ in 0..exp10 {
        v = v.checked_mul(10).ok_or(SkipReason::StepTooLarge)?;
    }
    Ok(v)
}

/// Reads a timestamp from number text (and its f64) as UNIX ms: ints as is, floats truncated toward
/// zero; out of the i64 range gives `None` (FORMAT.md §2.2).
pub(super) fn timestamp_from_number(text: &str, is_int: bool, f: f64) -> Option<i64> {
    if is_int {
        if let Ok(v) = text.parse::<i64>() {
            return Some(v);
        }
    }
    // i64::MAX as f64 rounds up to 2^63, so the upper bound is exclusive.
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        Some(f.trunc() as i64)
    } else {
        None
    }
}

/// A metric value from a parsed JSON value (FORMAT.md §6.3).
pub(super) fn value_from_json(v: &J<'_>) -> Val {
    match v {
        J::Num(_, _, v) => Val::Num(*v),
        J::Bool(b) => Val::Bool(if *b { 1.0 } else { 0.0 }),
        J::Null => Val::Unknown,
        J::NonFinite(k) => Val::Num(match k {
            ValueKind::PosInf => f64::INFINITY,
            ValueKind::NegInf => f64::NEG_INFINITY,
            _ => f64::NAN,
        }),
        // Only these exact strings are non-finite; "nan", "inf" and "0.65" are invalid (case B18).
        J::Str(s) => match s.as_ref() {
            "NaN" => Val::Num(f64::NAN),
            "Infinity" => Val::Num(f64::INFINITY),
            "-Infinity" => Val::Num(f64::NEG_INFINITY),
            _ => Val::Invalid(InvalidReason::String),
        },
        J::Arr => Val::Invalid(InvalidReason::Array),
        J::Obj(_) => Val::Invalid(InvalidReason::Object),
    }
}

/// One record as the slow path reads it.
#[derive(Debug)]
pub(super) struct SlowRecord<'a> {
    pub step: u64,
    pub timestamp: Option<i64>,
    /// Metric names with their values, each name once (a repeated key: the last value, first place).
    pub metrics: Vec<(Cow<'a, str>, Val)>,
}

/// Parses a whole line (without its `\n`) into a record, or says why it is not one. Checks run in
/// this order: UTF-8, JSON, trailing data, object, step, metrics (FORMAT.md §6.2).
pub(super) fn parse_record(line: &[u8]) -> Result<SlowRecord<'_>, SkipReason> {
    let text = std::str::from_utf8(line).map_err(|_| SkipReason::InvalidUtf8)?;
    let top = parse_document(text).map_err(|e| match e {
        ParseError::Invalid => SkipReason::InvalidJson,
        ParseError::TooDeep => SkipReason::TooDeep,
        ParseError::Trailing => SkipReason::TrailingData,
    })?;
    let J::Obj(entries) = top else {
        return Err(SkipReason::NotAnObject);
    };
    // A repeated top-level key: the last one counts, as in Python's `json.loads`.
    let last = |key: &str| entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v);
    let step = match last("step") {
        None | Some(J::Null) => return Err(SkipReason::MissingStep),
        Some(J::Num(t, is_int, _)) => step_from_number(t, *is_int)?,
        Some(J::Str(_)) => return Err(SkipReason::StringStep),
        Some(_) => return Err(SkipReason::StepNotNumber),
    };
    let metric_entries = match last("metrics") {
        None => return Err(SkipReason::MissingMetrics),
        Some(J::Obj(m)) => m,
        Some(_) => return Err(SkipReason::MetricsNotObject),
    };
    let timestamp = match last("timestamp") {
        Some(J::Num(t, is_int, f)) => timestamp_from_number(t, *is_int, *f),
        Some(J::Str(s)) => crate::format::time::parse_iso_ms(s),
        _ => None,
    };
    let mut metrics: Vec<(Cow<'_, str>, Val)> = Vec::with_capacity(metric_entries.len());
    // Position of each name, to apply "the last value wins" in linear time on wide lines.
    let mut seen: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(metric_entries.len());
    for (name, v) in metric_entries {
        let val = value_from_json(v);
        match seen.get(name.as_ref()) {
            Some(&i) => metrics[i].1 = val,
            None => {
                seen.insert(name.as_ref(), metrics.len());
                metrics.push((name.clone(), val));
            }
        }
    }
    Ok(SlowRecord {
        step,
        timestamp,
        metrics,
    })
}

/// Parses one JSON document that must fill `text` (surrounding whitespace allowed).
pub(super) fn parse_document(text: &str) -> Result<J<'_>, ParseError> {
    let mut p = Parser {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.b.len() {
        return Err(ParseError::Trailing);
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.b.get(self.i).copied().is_some_and(is_ws) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &str) -> Result<(), ParseError> {
        if self.b[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(ParseError::Invalid)
        }
    }

    fn value(&mut self, depth: usize) -> Result<J<'a>, ParseError> {
        if depth >= MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        match self.b.get(self.i).copied().ok_or(ParseError::Invalid)? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(J::Str),
            b't' => self.eat("true").map(|_| J::Bool(true)),
            b'f' => self.eat("false").map(|_| J::Bool(false)),
            b'n' => self.eat("null").map(|_| J::Null),
            b'N' => self.eat("NaN").map(|_| J::NonFinite(ValueKind::Nan)),
            b'I' => self
                .eat("Infinity")
                .map(|_| J::NonFinite(ValueKind::PosInf)),
            b'-' if self.b.get(self.i + 1) == Some(&b'I') => self
                .eat("-Infinity")
                .map(|_| J::NonFinite(ValueKind::NegInf)),
            b'-' | b'0'..=b'9' => {
                let (end, is_int, v) = number(self.b, self.i).ok_or(ParseError::Invalid)?;
                let t = &self.s[self.i..end];
                self.i = end;
                Ok(J::Num(t, is_int, v))
            }
            _ => Err(ParseError::Invalid),
        }
    }

    fn object(&mut self, depth: usize) -> Result<J<'a>, ParseError> {
        self.i += 1;
        let mut entries = Vec::new();
        self.ws();
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(J::Obj(entries));
        }
        loop {
            self.ws();
            if self.b.get(self.i) != Some(&b'"') {
                return Err(ParseError::Invalid);
            }
            let k = self.string()?;
            self.ws();
            self.eat(":")?;
            self.ws();
            let v = self.value(depth + 1)?;
            entries.push((k, v));
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(J::Obj(entries));
                }
                _ => return Err(ParseError::Invalid),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<J<'a>, ParseError> {
        self.i += 1;
        self.ws();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(J::Arr);
        }
        loop {
            self.ws();
            self.value(depth + 1)?;
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(J::Arr);
                }
                _ => return Err(ParseError::Invalid),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let h = self.b.get(self.i..self.i + 4).ok_or(ParseError::Invalid)?;
        let mut v = 0u32;
        for &c in h {
            v = v * 16 + (c as char).to_digit(16).ok_or(ParseError::Invalid)?;
        }
        self.i += 4;
        Ok(v)
    }

    /// A string literal at `i` (which holds `"`). Borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        self.i += 1;
        let start = self.i;
        // Fast scan: no escape means the text is a slice of the (valid UTF-8) line.
        loop {
            match self.b.get(self.i).copied().ok_or(ParseError::Invalid)? {
                b'"' => {
                    let s = &self.s[start..self.i];
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => break,
                c if c < 0x20 => return Err(ParseError::Invalid),
                _ => self.i += 1,
            }
        }
        let mut out = String::from(&self.s[start..self.i]);
        loop {
            let c = self.b.get(self.i).copied().ok_or(ParseError::Invalid)?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    let e = self.b.get(self.i + 1).copied().ok_or(ParseError::Invalid)?;
                    self.i += 2;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{08}'),
                        b'f' => out.push('\u{0c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    self.i = save;
                                    hi
                                }
                            } else {
                                hi
                            };
                            // A lone surrogate (which Python accepts) cannot be held in a Rust
                            // string: it reads as U+FFFD.
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(ParseError::Invalid),
                    }
                }
                c if c < 0x20 => return Err(ParseError::Invalid),
                _ => {
                    // Copy one UTF-8 character.
                    let ch_len = match c {
                        0x00..=0x7F => 1,
                        0xC0..=0xDF => 2,
                        0xE0..=0xEF => 3,
                        _ => 4,
                    };
                    let end = (self.i + ch_len).min(self.b.len());
                    out.push_str(self.s.get(self.i..end).ok_or(ParseError::Invalid)?);
                    self.i = end;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_grammar() {
        for ok in [
            "0",
            "-0",
            "12",
            "1.5",
            "1e3",
            "1E+3",
            "-2.5e-7",
            "123456789012345678901234",
        ] {
            let (end, _, _) = number(ok.as_bytes(), 0).unwrap();
            assert_eq!(end, ok.len(), "{ok}");
        }
        for bad in [
            "-", "+1", ".5", "1.", "1e", "-a", "e5", "1e+", "01", "-01.5", "1.5e",
        ] {
            let r = number(bad.as_bytes(), 0);
            assert!(r.is_none() || r.unwrap().0 != bad.len(), "{bad}");
        }
        // Leading zeros stop the number early, so the caller sees trailing garbage.
        assert_eq!(number(b"01", 0), Some((1, true, 0.0)));
        assert_eq!(number(b"1.5e3x", 0), Some((5, false, 1500.0)));
    }

    #[test]
    fn float_fast_path_is_bit_identical_to_std() {
        let mut seed: u64 = 1;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "5e-324",
            "1e-07",
            "1e308",
            "1e+308",
            "1e400",
            "-1e400",
            "123456789012345678901234",
            "9007199254740993",
            "9007199254740992.5",
            "0.1",
            "0.3",
            "2.3499999999999996",
            "1e22",
            "1e23",
            "1.7976931348623157e308",
            "4.9e-324",
            "1e-400",
            "0.000000000000000000000000000001",
            "12345678901234567890",
            "1234567890123456789",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..20_000 {
            let x = f64::from_bits(next());
            if x.is_finite() {
                texts.push(crate::format::pyjson::float_repr(x));
                texts.push(format!("{x:e}"));
            }
            let m = next() % 100_000_000_000;
            let e = (next() % 60) as i32 - 30;
            texts.push(format!("{m}e{e}"));
            texts.push(format!("0.{m}"));
            texts.push(format!("-{}.{}", next() % 1000, next() % 1_000_000_000));
        }
        for t in &texts {
            let (end, _, got) = number(t.as_bytes(), 0).unwrap();
            assert_eq!(end, t.len(), "{t}");
            let want: f64 = t.parse().unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}");
        }
    }

    #[test]
    fn b14_steps_exact() {
        assert_eq!(step_from_number("3000000000", true), Ok(3_000_000_000));
        assert_eq!(
            step_from_number("9007199254740993", true),
            Ok(9_007_199_254_740_993)
        );
        assert_eq!(step_from_number("-1", true), Err(SkipReason::NegativeStep));
        assert_eq!(
            step_from_number("1.5", false),
            Err(SkipReason::FractionalStep)
        );
        assert_eq!(step_from_number("5.0", false), Ok(5));
        assert_eq!(step_from_number("1e3", false), Ok(1000));
        assert_eq!(step_from_number("12.50e1", false), Ok(125));
        assert_eq!(
            step_from_number("9007199254740993.0", false),
            Ok(9_007_199_254_740_993)
        );
        assert_eq!(step_from_number("-0", true), Ok(0));
        assert_eq!(step_from_number("-0.0e5", false), Ok(0));
        assert_eq!(
            step_from_number("-1.5", false),
            Err(SkipReason::NegativeStep)
        );
        assert_eq!(
            step_from_number("1e-1", false),
            Err(SkipReason::FractionalStep)
        );
        assert_eq!(
            step_from_number("18446744073709551616", true),
            Err(SkipReason::StepTooLarge)
        );
        assert_eq!(step_from_number("18446744073709551615", true), Ok(u64::MAX));
        assert_eq!(
            step_from_number("1e20", false),
            Err(SkipReason::StepTooLarge)
        );
        assert_eq!(
            step_from_number("1e99999999999999999999", false),
            Err(SkipReason::StepTooLarge)
        );
        assert_eq!(
            step_from_number("1e-99999999999999999999", false),
            Err(SkipReason::FractionalStep)
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            timestamp_from_number("1705321845123.9", false, 1705321845123.9),
            Some(1705321845123)
        );
        assert_eq!(timestamp_from_number("-1.5", false, -1.5), Some(-1));
        assert_eq!(
            timestamp_from_number("99999999999999999999", true, 1e20),
            None
        );
        assert_eq!(timestamp_from_number("1e300", false, 1e300), None);
    }

    #[test]
    fn strings_and_escapes() {
        let J::Obj(e) =
            parse_document(r#"{"b\\c": 1, "\u640d\u5931": 2, "\ud83d\ude00": 3, "\ud800x": 4}"#)
                .unwrap()
        else {
            panic!()
        };
        let names: Vec<&str> = e.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(names, ["b\\c", "損失", "😀", "\u{FFFD}x"]);
        assert_eq!(parse_document("[1,]").unwrap_err(), ParseError::Invalid);
        assert_eq!(parse_document("{} x").unwrap_err(), ParseError::Trailing);
        assert_eq!(parse_document("\"a\nb\"").unwrap_err(), ParseError::Invalid);
        let deep = "[".repeat(100_000);
        assert_eq!(parse_document(&deep).unwrap_err(), ParseError::TooDeep);
    }
}
