//! JSON text exactly as Python's `json` module writes it (FORMAT.md §2, §3).
//!
//! Aspara 0.1.0 writes metric lines with `json.dumps(obj)` (separators `", "` / `": "`, `ensure_ascii=True`)
//! and metadata with `json.dump(obj, indent=2, ensure_ascii=False)`. Byte identity with those files needs
//! Python's float `repr` (`5e-05`, `100.0`, `1e+16`), which neither `{}` nor `ryu` produce, and Python's
//! string escaping. Non-finite floats are written as `null` (FORMAT.md §2.3): Python writes bare `NaN`
//! tokens, which strict JSON readers reject.

use serde_json::Value;
use std::fmt::Write as _;

/// A small stack buffer for `{:e}` output, so formatting a float allocates nothing.
struct StackBuf {
    buf: [u8; 40],
    len: usize,
}

impl std::fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Whether the shortest `n_digits`-digit forms of `x` could tie: only when the exact decimal value of
/// `x` has exactly `n_digits + 1` significant digits (its last one then is a 5). With `x = m·2^-k`, `m`
/// odd, that value is `m·5^k / 10^k`; an integral `x` never ties.
fn tie_possible(x: f64, n_digits: usize) -> bool {
    let bits = x.abs().to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mut m, mut e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    if m == 0 {
        return false;
    }
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    if e >= 0 {
        return false;
    }
    let k = e.unsigned_abs();
    // 5^28 alone has 20 digits, more than the 18 a tie needs (shortest forms have at most 17).
    if k > 27 {
        return false;
    }
    let exact = u128::from(m) * 5u128.pow(k);
    let mut digits = 0;
    let mut v = exact;
    while v > 0 {
        v /= 10;
        digits += 1;
    }
    digits == n_digits + 1
}

/// Appends Python's `repr(x)` of a finite float to `out`; non-finite values become `null`.
///
/// Python switches to exponent form when the decimal exponent is below -4 or at least 16, writes at
/// least two exponent digits with a sign, and keeps `.0` on integral values.
pub fn write_float(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // `{:e}` gives the shortest round-trip digits in the form `d.ddde<exp>` (or `de<exp>`).
    let mut sci = StackBuf {
        buf: [0; 40],
        len: 0,
    };
    if write!(sci, "{:e}", x.abs()).is_err() {
        // Unreachable for an f64 (at most 24 bytes); fall back to Rust's own shortest form.
        let _ = write!(out, "{x:?}");
        return;
    }
    let text = &sci.buf[..sci.len];
    let e_at = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
    let (mantissa, exp_text) = (&text[..e_at], text.get(e_at + 1..).unwrap_or(&[]));
    let mut exp: i32 = 0;
    let mut exp_negative = false;
    for &b in exp_text {
        match b {
            b'-' => exp_negative = true,
            b'0'..=b'9' => exp = exp * 10 + i32::from(b - b'0'),
            _ => {}
        }
    }
    if exp_negative {
        exp = -exp;
    }
    let mut digits = [0u8; 24];
    let mut n_digits: usize = 0;
    for &b in mantissa {
        if b.is_ascii_digit() && n_digits < digits.len() {
            digits[n_digits] = b;
            n_digits += 1;
        }
    }
    // Python (David Gay's dtoa) breaks a tie between two shortest candidates towards the even digit;
    // Rust's shortest mode may pick the other one. In that rare case use Rust's exact formatting, which
    // rounds half to even, at the same number of digits.
    if tie_possible(x, n_digits) {
        let mut exact = StackBuf {
            buf: [0; 40],
            len: 0,
        };
        if write!(exact, "{:.*e}", n_digits.saturating_sub(1), x.abs()).is_ok() {
            n_digits = 0;
            for &b in exact.buf[..exact.len].iter().take_while(|&&b| b != b'e') {
                if b.is_ascii_digit() && n_digits < digits.len() {
                    digits[n_digits] = b;
                    n_digits += 1;
                }
            }
        }
    }
    let digits = std::str::from_utf8(&digits[..n_digits]).unwrap_or("0");
    // Python's `decpt`: the position of the decimal point relative to the start of `digits`.
    let decpt = exp + 1;
    if x.is_sign_negative() {
        out.push('-');
    }
    if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = decpt - 1;
        let _ = write!(
            out,
            "e{}{:02}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        );
    } else if decpt <= 0 {
        out.push_str("0.");
        for _ in 0..(-decpt) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let decpt = decpt as usize;
        if digits.len() <= decpt {
            out.push_str(digits);
            for _ in digits.len()..decpt {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..decpt]);
            out.push('.');
            out.push_str(&digits[decpt..]);
        }
    }
}

/// Python's `repr` of a float as a new string (`null` for non-finite values).
pub fn float_repr(x: f64) -> String {
    let mut s = String::new();
    write_float(&mut s, x);
    s
}

/// Appends a JSON string literal. With `ascii` every non-ASCII character is written as `\uXXXX`
/// (surrogate pairs above U+FFFF), as `ensure_ascii=True` does.
pub fn write_str(out: &mut String, s: &str, ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if ascii && !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(out: &mut String, n: &serde_json::Number) {
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else {
        write_float(out, n.as_f64().unwrap_or(f64::NAN));
    }
}

/// `json.dumps(value)` with Python's default separators and `ensure_ascii=True`.
pub fn write_compact(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s, true),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k, true);
                out.push_str(": ");
                write_compact(out, v);
            }
            out.push('}');
        }
    }
}

/// `json.dumps(value, indent=2, ensure_ascii=False)`: what Aspara writes for run and project metadata.
/// Empty lists and objects stay `[]` / `{}`; there is no trailing newline.
pub fn to_indented(value: &Value) -> String {
    let mut out = String::with_capacity(512);
    write_indented(&mut out, value, 0);
    out
}

fn newline_indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_indented(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, level + 1);
                write_indented(out, item, level + 1);
            }
            newline_indent(out, level);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, level + 1);
                write_str(out, k, false);
                out.push_str(": ");
                write_indented(out, v, level + 1);
            }
            newline_indent(out, level);
            out.push('}');
        }
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
        Value::String(s) => write_str(out, s, false),
        other => write_compact(out, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (5e-05, "5e-05"),
            (100.0, "100.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (1e-07, "1e-07"),
            (5e-324, "5e-324"),
            (1e308, "1e+308"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (2.3499999999999996, "2.3499999999999996"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (123456789.125, "123456789.125"),
            (1.2345678901234569e23, "1.2345678901234569e+23"),
            (9007199254740993.0, "9007199254740992.0"),
            (1.5e-5, "1.5e-05"),
            // A tie between two shortest forms goes to the even digit, as in Python.
            (f64::from_bits(0x431d_17f1_ac99_e7f9), "2047275268733438.2"),
            (0.00012, "0.00012"),
        ];
        for (x, want) in cases {
            assert_eq!(float_repr(*x), *want, "repr({x:e})");
        }
        assert_eq!(float_repr(f64::NAN), "null");
        assert_eq!(float_repr(f64::NEG_INFINITY), "null");
    }

    #[test]
    fn compact_is_python_dumps() {
        let v = json!({"a": [1, 2.0, "é/x"], "損失": null, "t": true});
        let mut s = String::new();
        write_compact(&mut s, &v);
        assert_eq!(
            s,
            r#"{"a": [1, 2.0, "\u00e9/x"], "\u640d\u5931": null, "t": true}"#
        );
    }

    #[test]
    fn astral_chars_are_surrogate_pairs() {
        let mut s = String::new();
        write_str(&mut s, "😀\u{1}", true);
        assert_eq!(s, r#""\ud83d\ude00\u0001""#);
    }

    #[test]
    fn indented_is_python_indent_2() {
        let v = json!({"tags": ["a"], "notes": "x\ny", "config": {}, "list": [], "n": {"k": [1, {"z": 0.5}]}});
        assert_eq!(
            to_indented(&v),
            "{\n  \"tags\": [\n    \"a\"\n  ],\n  \"notes\": \"x\\ny\",\n  \"config\": {},\n  \"list\": [],\n  \"n\": {\n    \"k\": [\n      1,\n      {\n        \"z\": 0.5\n      }\n    ]\n  }\n}"
        );
    }
}

#[cfg(test)]
mod round_trip {
    use super::float_repr;

    #[test]
    fn repr_round_trips_random_bit_patterns() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = f64::from_bits(state);
            if !x.is_finite() {
                continue;
            }
            let s = float_repr(x);
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), x.to_bits(), "{s}");
            assert!(
                s.contains('.') || s.contains('e'),
                "{s} must read back as a float"
            );
        }
    }
}
