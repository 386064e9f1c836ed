//! The run filter language (pure): a small parser and evaluator for the project page's filter box.
//!
//! A query is a list of terms joined by spaces (and) or the word `or` (lower precedence than and);
//! parentheses group, a leading `-` negates a term. The terms are:
//!
//! | term | matches |
//! |---|---|
//! | `resnet` | free text, case-insensitive substring of the run name or of any tag |
//! | `tag:x` | a tag equal to `x` (case-insensitive) |
//! | `status:failed` | the derived status (`wip`, `completed`, `failed`, `maybe_failed`) |
//! | `name:abc`, `name:/^res.*t$/` | substring of the name, or a case-insensitive regex |
//! | `config.lr<0.01` | a config value compared with `<`, `<=`, `>`, `>=`, `=`, `!=` |
//! | `summary.acc>=0.9` | a value of the run's summary |
//! | `metric.train/loss.min<0.3` | an aggregate (`min`, `max`, `last`) of a logged metric |
//! | `config.max_iter is null`, `is not null` | a present null; an absent key is not null (B31) |
//! | `config.layers contains 64` | a list element, a substring of a string, or a key of an object |
//!
//! Field paths after `config.`/`summary.` walk nested objects and lists; at each level the longest
//! literal key is tried first, so a key holding a dot (`encoder.0`) and the list element
//! `encoder` → `0` stay distinct (B31). A field without a prefix (`lr<0.01`) is a config path.
//! Comparisons on an absent value never match, `!=` included. Values are numbers, `true`/`false`,
//! `null`, or text (bare or `"quoted"`); text compares case-insensitively.
//!
//! [`parse`] turns text into a [`Query`] or a [`QueryError`] with its position; the page shows the error
//! and filters nothing. [`Query::matches`] evaluates against any [`RunFacts`].

use regex::Regex;
use serde_json::{Map, Value};

/// A parse error, with the byte offset in the query text where it was found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct QueryError {
    /// What is wrong, in words for the filter box.
    pub message: String,
    /// Byte offset into the query text.
    pub position: usize,
}

/// What a query can ask about one run.
pub trait RunFacts {
    /// The run name.
    fn name(&self) -> &str;
    /// The run tags.
    fn tags(&self) -> &[String];
    /// The derived status word (`wip`, `completed`, `failed`, `maybe_failed`).
    fn status(&self) -> &str;
    /// The effective config (params merged with config, config winning).
    fn config(&self) -> &Map<String, Value>;
    /// The run summary.
    fn summary(&self) -> &Map<String, Value>;
    /// An aggregate of a metric, `None` when the metric is absent or has no finite value.
    fn metric(&self, name: &str, agg: Aggregate) -> Option<f64>;
}

/// A metric aggregate usable in `metric.<name>.<agg>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Smallest finite value.
    Min,
    /// Largest finite value.
    Max,
    /// Finite value at the highest step.
    Last,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `!=`
    Ne,
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A path into the effective config.
    Config(Vec<String>),
    /// A path into the summary.
    Summary(Vec<String>),
    /// A metric aggregate.
    Metric(String, Aggregate),
}

/// One parsed term.
#[derive(Debug, Clone)]
pub enum Term {
    /// Free text over name and tags (lowercased).
    Text(String),
    /// `tag:x` (lowercased).
    Tag(String),
    /// `status:x`.
    Status(String),
    /// `name:x` substring (lowercased).
    NameSub(String),
    /// `name:/re/`.
    NameRegex(Regex),
    /// `field op value`.
    Compare(Field, Op, Value),
    /// `field is null` (`true`) / `field is not null` (`false`).
    IsNull(Field, bool),
    /// `field contains value`.
    Contains(Field, Value),
}

/// A parsed query: an expression tree.
#[derive(Debug, Clone)]
pub enum Query {
    /// Matches every run (the empty query).
    All,
    /// A single term.
    Term(Term),
    /// Negation.
    Not(Box<Query>),
    /// All must match.
    And(Vec<Query>),
    /// One must match.
    Or(Vec<Query>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A word and the byte offset within it where a quoted part began.
    Word(String, Option<usize>),
    LParen,
    RParen,
    Minus,
}

fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>, QueryError> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        match c {
            b'(' => {
                out.push((Tok::LParen, i));
                i += 1;
            }
            b')' => {
                out.push((Tok::RParen, i));
                i += 1;
            }
            b'-' if out_allows_negation(b, i) => {
                out.push((Tok::Minus, i));
                i += 1;
            }
            _ => {
                // A word runs to whitespace or a paren; double quotes and /regex/ after `name:`
                // may hold spaces.
                let mut word = String::new();
                let mut quoted: Option<usize> = None;
                while i < b.len() {
                    let c = b[i];
                    if c == b'"' {
                        quoted.get_or_insert(word.len());
                        i += 1;
                        let mut closed = false;
                        while i < b.len() {
                            let ch = src[i..].chars().next().unwrap_or('\0');
                            if ch == '\\' && i + 1 < b.len() {
                                let next = src[i + 1..].chars().next().unwrap_or('\0');
                                word.push(next);
                                i += 1 + next.len_utf8();
                                continue;
                            }
                            if ch == '"' {
                                closed = true;
                                i += 1;
                                break;
                            }
                            word.push(ch);
                            i += ch.len_utf8();
                        }
                        if !closed {
                            return Err(QueryError {
                                message: "unclosed quote".into(),
                                position: start,
                            });
                        }
                        continue;
                    }
                    if c == b'/' && word.to_ascii_lowercase().ends_with("name:") {
                        // name:/.../ — take everything to the closing slash.
                        let Some(end) = src[i + 1..].find('/') else {
                            return Err(QueryError {
                                message: "unclosed /regex/".into(),
                                position: i,
                            });
                        };
                        word.push_str(&src[i..i + 1 + end + 1]);
                        i += end + 2;
                        continue;
                    }
                    if c.is_ascii_whitespace() || c == b'(' || c == b')' {
                        break;
                    }
                    let ch = src[i..].chars().next().unwrap_or('\0');
                    word.push(ch);
                    i += ch.len_utf8();
                }
                out.push((Tok::Word(word, quoted), start));
            }
        }
    }
    Ok(out)
}

/// A `-` negates only at the start of a term and when followed by something.
fn out_allows_negation(b: &[u8], i: usize) -> bool {
    (i == 0 || b[i - 1].is_ascii_whitespace() || b[i - 1] == b'(')
        && i + 1 < b.len()
        && !b[i + 1].is_ascii_whitespace()
        && !b[i + 1].is_ascii_digit()
}

/// Parses query text. Blank text is [`Query::All`].
pub fn parse(src: &str) -> Result<Query, QueryError> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        len: src.len(),
    };
    if p.toks.is_empty() {
        return Ok(Query::All);
    }
    let q = p.or_expr()?;
    if let Some((_, at)) = p.toks.get(p.pos) {
        return Err(QueryError {
            message: "unexpected ')'".into(),
            position: *at,
        });
    }
    Ok(q)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }
    fn at(&self) -> usize {
        self.toks.get(self.pos).map(|t| t.1).unwrap_or(self.len)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(s, None)) if s.eq_ignore_ascii_case(w))
    }

    fn or_expr(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.and_expr()?];
        while self.is_word("or") {
            self.pos += 1;
            parts.push(self.and_expr()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and_expr(&mut self) -> Result<Query, QueryError> {
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                None | Some(Tok::RParen) => break,
                _ if self.is_word("or") => break,
                _ => parts.push(self.unary()?),
            }
        }
        if parts.is_empty() {
            return Err(QueryError {
                message: "expected a term".into(),
                position: self.at(),
            });
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Query, QueryError> {
        match self.peek() {
            Some(Tok::Minus) => {
                self.pos += 1;
                Ok(Query::Not(Box::new(self.unary()?)))
            }
            Some(Tok::LParen) => {
                let open = self.at();
                self.pos += 1;
                let q = self.or_expr()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(QueryError {
                        message: "missing ')'".into(),
                        position: open,
                    });
                }
                self.pos += 1;
                Ok(q)
            }
            _ => self.term().map(Query::Term),
        }
    }

    fn next_word(&mut self) -> Option<(String, Option<usize>, usize)> {
        match self.toks.get(self.pos) {
            Some((Tok::Word(w, q), at)) => {
                let r = (w.clone(), *q, *at);
                self.pos += 1;
                Some(r)
            }
            _ => None,
        }
    }

    fn term(&mut self) -> Result<Term, QueryError> {
        let Some((word, quoted, at)) = self.next_word() else {
            return Err(QueryError {
                message: "expected a term".into(),
                position: self.at(),
            });
        };
        if quoted == Some(0) {
            return Ok(Term::Text(word.to_lowercase()));
        }
        let lower = word.to_ascii_lowercase();
        if let Some(v) = strip_prefix_ci(&word, "tag:") {
            return Ok(Term::Tag(v.to_lowercase()));
        }
        if let Some(v) = strip_prefix_ci(&word, "status:") {
            let v = v.to_ascii_lowercase().replace('-', "_");
            const KNOWN: [&str; 4] = ["wip", "completed", "failed", "maybe_failed"];
            if !KNOWN.contains(&v.as_str()) {
                return Err(QueryError {
                    message: format!(
                        "unknown status '{v}' (use wip, completed, failed or maybe_failed)"
                    ),
                    position: at,
                });
            }
            return Ok(Term::Status(v));
        }
        if let Some(v) = strip_prefix_ci(&word, "name:") {
            if v.len() >= 2 && v.starts_with('/') && v.ends_with('/') {
                let pattern = &v[1..v.len() - 1];
                return regex::RegexBuilder::new(pattern)
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    .build()
                    .map(Term::NameRegex)
                    .map_err(|e| QueryError {
                        message: format!("invalid regex: {}", first_line(&e.to_string())),
                        position: at,
                    });
            }
            return Ok(Term::NameSub(v.to_lowercase()));
        }
        // field op value, written together (`config.lr<0.01`) or apart (`config.lr < 0.01`).
        if let Some((lhs, op, rhs)) = split_op(&word) {
            let field = parse_field(lhs, at)?;
            let rhs = if rhs.is_empty() {
                match self.next_word() {
                    Some((w, q, _)) => (w, q.is_some()),
                    None => {
                        return Err(QueryError {
                            message: format!("missing value after '{}'", op_str(op)),
                            position: self.len,
                        });
                    }
                }
            } else {
                // The value was quoted if a quote began at or after the operator.
                let rhs_at = word.len() - rhs.len();
                (rhs.to_owned(), quoted.is_some_and(|q| q >= rhs_at - 1))
            };
            return compare_term(field, op, rhs, at);
        }
        if self.is_op_word() {
            let (opw, _, op_at) = self.next_word().unwrap_or_default();
            let op = op_from(&opw).ok_or(QueryError {
                message: "expected an operator".into(),
                position: op_at,
            })?;
            let field = parse_field(&word, at)?;
            let Some((w, q, _)) = self.next_word() else {
                return Err(QueryError {
                    message: format!("missing value after '{opw}'"),
                    position: self.len,
                });
            };
            return compare_term(field, op, (w, q.is_some()), at);
        }
        if self.is_word("is") {
            self.pos += 1;
            let negated = if self.is_word("not") {
                self.pos += 1;
                true
            } else {
                false
            };
            if !self.is_word("null") {
                return Err(QueryError {
                    message: "expected 'null' after 'is'".into(),
                    position: self.at(),
                });
            }
            self.pos += 1;
            return Ok(Term::IsNull(parse_field(&word, at)?, !negated));
        }
        if self.is_word("contains") {
            self.pos += 1;
            let Some((w, q, _)) = self.next_word() else {
                return Err(QueryError {
                    message: "missing value after 'contains'".into(),
                    position: self.len,
                });
            };
            return Ok(Term::Contains(
                parse_field(&word, at)?,
                literal(&w, q.is_some()),
            ));
        }
        if lower.starts_with("config.")
            || lower.starts_with("summary.")
            || lower.starts_with("metric.")
        {
            return Err(QueryError {
                message: format!(
                    "'{word}' needs an operator (<, <=, >, >=, =, !=, is null, contains)"
                ),
                position: at,
            });
        }
        Ok(Term::Text(word.to_lowercase()))
    }

    fn is_op_word(&self) -> bool {
        matches!(self.peek(), Some(Tok::Word(w, None)) if op_from(w).is_some())
    }
}

fn first_line(s: &str) -> &str {
    s.lines().last().unwrap_or(s).trim()
}

fn strip_prefix_ci<'a>(word: &'a str, prefix: &str) -> Option<&'a str> {
    if word.len() >= prefix.len() && word.is_char_boundary(prefix.len()) {
        let (head, tail) = word.split_at(prefix.len());
        if head.eq_ignore_ascii_case(prefix) {
            return Some(tail);
        }
    }
    None
}

fn op_from(s: &str) -> Option<Op> {
    Some(match s {
        "<" => Op::Lt,
        "<=" => Op::Le,
        ">" => Op::Gt,
        ">=" => Op::Ge,
        "=" | "==" => Op::Eq,
        "!=" => Op::Ne,
        _ => return None,
    })
}

fn op_str(op: Op) -> &'static str {
    match op {
        Op::Lt => "<",
        Op::Le => "<=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Eq => "=",
        Op::Ne => "!=",
    }
}

/// Splits `lhs<op>rhs` at the first operator character.
fn split_op(word: &str) -> Option<(&str, Op, &str)> {
    let idx = word.find(['<', '>', '=', '!'])?;
    if idx == 0 {
        return None;
    }
    let rest = &word[idx..];
    for (s, op) in [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("!=", Op::Ne),
        ("==", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
        ("=", Op::Eq),
    ] {
        if let Some(rhs) = rest.strip_prefix(s) {
            return Some((&word[..idx], op, rhs));
        }
    }
    None
}

fn parse_field(text: &str, at: usize) -> Result<Field, QueryError> {
    let err = |m: String| QueryError {
        message: m,
        position: at,
    };
    if let Some(rest) = strip_prefix_ci(text, "metric.") {
        let Some((name, agg)) = rest.rsplit_once('.') else {
            return Err(err(format!(
                "'{text}': write metric.<name>.min, .max or .last"
            )));
        };
        let agg = match agg.to_ascii_lowercase().as_str() {
            "min" => Aggregate::Min,
            "max" => Aggregate::Max,
            "last" => Aggregate::Last,
            other => {
                return Err(err(format!(
                    "unknown aggregate '{other}' (use min, max or last)"
                )));
            }
        };
        if name.is_empty() {
            return Err(err("empty metric name".into()));
        }
        return Ok(Field::Metric(name.to_owned(), agg));
    }
    let (path, summary) = if let Some(rest) = strip_prefix_ci(text, "summary.") {
        (rest, true)
    } else if let Some(rest) = strip_prefix_ci(text, "config.") {
        (rest, false)
    } else {
        (text, false)
    };
    if path.is_empty() {
        return Err(err(format!("'{text}' needs a key")));
    }
    let segs = path.split('.').map(str::to_owned).collect();
    Ok(if summary {
        Field::Summary(segs)
    } else {
        Field::Config(segs)
    })
}

fn literal(text: &str, quoted: bool) -> Value {
    if quoted {
        return Value::String(text.to_owned());
    }
    match text.to_ascii_lowercase().as_str() {
        "null" => return Value::Null,
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(f) = text.parse::<f64>() {
        if let Some(n) = serde_json::Number::from_f64(f) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_owned())
}

fn compare_term(field: Field, op: Op, rhs: (String, bool), at: usize) -> Result<Term, QueryError> {
    let value = literal(&rhs.0, rhs.1);
    if matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge) && !value.is_number() {
        return Err(QueryError {
            message: format!("'{}' needs a number, got '{}'", op_str(op), rhs.0),
            position: at,
        });
    }
    if value.is_null() && matches!(op, Op::Eq | Op::Ne) {
        return Ok(Term::IsNull(field, op == Op::Eq));
    }
    if matches!(field, Field::Metric(..)) && !value.is_number() {
        return Err(QueryError {
            message: format!("metric aggregates compare with numbers, got '{}'", rhs.0),
            position: at,
        });
    }
    Ok(Term::Compare(field, op, value))
}

/// Resolves a dotted path in a JSON object: at each level the longest run of segments that is a
/// literal key wins, so `encoder.0` finds the key `"encoder.0"` before `encoder` → `[0]` (B31).
pub fn lookup<'a>(root: &'a Map<String, Value>, segs: &[String]) -> Option<&'a Value> {
    fn walk<'a>(v: &'a Value, segs: &[String]) -> Option<&'a Value> {
        if segs.is_empty() {
            return Some(v);
        }
        match v {
            Value::Object(m) => walk_obj(m, segs),
            Value::Array(a) => {
                let i: usize = segs[0].parse().ok()?;
                walk(a.get(i)?, &segs[1..])
            }
            _ => None,
        }
    }
    fn walk_obj<'a>(m: &'a Map<String, Value>, segs: &[String]) -> Option<&'a Value> {
        for n in (1..=segs.len()).rev() {
            let key = segs[..n].join(".");
            if let Some(v) = m.get(&key) {
                if let Some(found) = walk(v, &segs[n..]) {
                    return Some(found);
                }
            }
        }
        None
    }
    walk_obj(root, segs)
}

fn field_value<R: RunFacts + ?Sized>(run: &R, f: &Field) -> Option<Value> {
    match f {
        Field::Config(p) => lookup(run.config(), p).cloned(),
        Field::Summary(p) => lookup(run.summary(), p).cloned(),
        Field::Metric(name, agg) => run
            .metric(name, *agg)
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
    }
}

fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => as_num(a) == as_num(b),
        (Value::String(x), Value::String(y)) => x.to_lowercase() == y.to_lowercase(),
        (Value::String(x), Value::Number(_)) => x.parse::<f64>().ok() == as_num(b),
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => false,
    }
}

impl Term {
    fn matches<R: RunFacts + ?Sized>(&self, run: &R) -> bool {
        match self {
            Term::Text(t) => {
                run.name().to_lowercase().contains(t)
                    || run.tags().iter().any(|g| g.to_lowercase().contains(t))
            }
            Term::Tag(t) => run.tags().iter().any(|g| g.to_lowercase() == *t),
            Term::Status(s) => run.status() == s,
            Term::NameSub(s) => run.name().to_lowercase().contains(s),
            Term::NameRegex(r) => r.is_match(run.name()),
            Term::IsNull(f, want_null) => match field_value(run, f) {
                None => false,
                Some(v) => v.is_null() == *want_null,
            },
            Term::Contains(f, needle) => match field_value(run, f) {
                Some(Value::Array(items)) => items.iter().any(|i| values_equal(i, needle)),
                Some(Value::String(s)) => {
                    let n = match needle {
                        Value::String(n) => n.clone(),
                        other => other.to_string(),
                    };
                    s.to_lowercase().contains(&n.to_lowercase())
                }
                Some(Value::Object(m)) => match needle {
                    Value::String(k) => m.contains_key(k),
                    other => m.contains_key(&other.to_string()),
                },
                _ => false,
            },
            Term::Compare(f, op, rhs) => {
                let Some(v) = field_value(run, f) else {
                    return false;
                };
                match op {
                    Op::Eq => values_equal(&v, rhs),
                    Op::Ne => !v.is_null() && !values_equal(&v, rhs),
                    _ => {
                        let (Some(a), Some(b)) = (as_num(&v), as_num(rhs)) else {
                            return false;
                        };
                        match op {
                            Op::Lt => a < b,
                            Op::Le => a <= b,
                            Op::Gt => a > b,
                            _ => a >= b,
                        }
                    }
                }
            }
        }
    }
}

impl Query {
    /// Whether the run satisfies the query.
    pub fn matches<R: RunFacts + ?Sized>(&self, run: &R) -> bool {
        match self {
            Query::All => true,
            Query::Term(t) => t.matches(run),
            Query::Not(q) => !q.matches(run),
            Query::And(qs) => qs.iter().all(|q| q.matches(run)),
            Query::Or(qs) => qs.iter().any(|q| q.matches(run)),
        }
    }

    /// Metric names the query reads (so the page knows which metric summaries to load).
    pub fn metrics(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_metrics(&mut out);
        out
    }

    fn collect_metrics(&self, out: &mut Vec<String>) {
        match self {
            Query::Term(Term::Compare(Field::Metric(m, _), _, _)) if !out.contains(m) => {
                out.push(m.clone());
            }
            Query::Not(q) => q.collect_metrics(out),
            Query::And(qs) | Query::Or(qs) => qs.iter().for_each(|q| q.collect_metrics(out)),
            _ => {}
        }
    }
}

/// The help text shown in the filter box's popover, one example per line.
pub const HELP: &[(&str, &str)] = &[
    ("resnet", "name or a tag contains the text"),
    ("tag:baseline", "has the tag"),
    ("status:failed", "wip, completed, failed, maybe_failed"),
    ("name:/^res.*t$/", "name matches a regex (case-insensitive)"),
    ("config.lr<0.01", "config value: < <= > >= = !="),
    ("config.optimizer=adam", "text compares case-insensitively"),
    ("summary.acc>=0.9", "a summary value"),
    ("metric.train/loss.min<0.3", "min, max or last of a metric"),
    (
        "config.max_iter is null",
        "present and null (absent is not null)",
    ),
    (
        "config.layers contains 64",
        "list element, substring or key",
    ),
    ("a b", "both terms (and)"),
    ("a or b", "either term; and binds tighter"),
    ("-tag:x  (a or b)", "negation and grouping"),
];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    struct Run {
        name: String,
        tags: Vec<String>,
        status: String,
        config: Map<String, Value>,
        summary: Map<String, Value>,
        metrics: BTreeMap<String, (f64, f64, f64)>,
    }

    impl RunFacts for Run {
        fn name(&self) -> &str {
            &self.name
        }
        fn tags(&self) -> &[String] {
            &self.tags
        }
        fn status(&self) -> &str {
            &self.status
        }
        fn config(&self) -> &Map<String, Value> {
            &self.config
        }
        fn summary(&self) -> &Map<String, Value> {
            &self.summary
        }
        fn metric(&self, name: &str, agg: Aggregate) -> Option<f64> {
            let (mn, mx, last) = *self.metrics.get(name)?;
            Some(match agg {
                Aggregate::Min => mn,
                Aggregate::Max => mx,
                Aggregate::Last => last,
            })
        }
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    /// The three `vision-demo` runs of the fixture, plus the B31 runs.
    fn runs() -> Vec<Run> {
        let mk = |name: &str, tags: &[&str], status: &str, config: Value, summary: Value| Run {
            name: name.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            status: status.into(),
            config: obj(config),
            summary: obj(summary),
            metrics: BTreeMap::new(),
        };
        let mut v = vec![
            mk(
                "resnet-baseline",
                &["baseline", "resnet"],
                "completed",
                json!({"lr": 0.001, "batch_size": 64, "optimizer": "adam", "layers": [64, 128, 256]}),
                json!({"best_val_loss": 0.3141, "final_acc": 0.9271}),
            ),
            mk(
                "resnet-lr-high",
                &["lr-sweep"],
                "failed",
                json!({"lr": 0.1, "batch_size": 64, "optimizer": "sgd"}),
                json!({}),
            ),
            mk(
                "brave-dolphin-997",
                &[],
                "completed",
                json!({"lr": 0.003}),
                json!({}),
            ),
            mk(
                "nested-config",
                &[],
                "completed",
                json!({"max_iter": null, "layers": [64, 64], "optim": {"name": "adam", "betas": [0.9, 0.999]}, "encoder": ["linear"], "encoder.0": "x"}),
                json!({}),
            ),
            mk(
                "legacy-params",
                &[],
                "wip",
                json!({"lr": 0.2, "seed": 1, "layers": [32]}),
                json!({}),
            ),
        ];
        v[0].metrics.insert("train/loss".into(), (0.25, 2.6, 0.3));
        v[1].metrics.insert("train/loss".into(), (1.39, 2.6, 1.39));
        v
    }

    fn hits(q: &str) -> Vec<String> {
        let query = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        runs()
            .iter()
            .filter(|r| query.matches(*r))
            .map(|r| r.name.clone())
            .collect()
    }

    fn err(q: &str) -> QueryError {
        parse(q).expect_err(q)
    }

    #[test]
    fn empty_query_matches_all() {
        assert_eq!(hits("").len(), 5);
        assert_eq!(hits("   ").len(), 5);
    }

    #[test]
    fn free_text_over_name_and_tags() {
        assert_eq!(hits("RESNET"), ["resnet-baseline", "resnet-lr-high"]);
        assert_eq!(hits("sweep"), ["resnet-lr-high"]);
        assert_eq!(hits("\"lr-high\""), ["resnet-lr-high"]);
    }

    #[test]
    fn tag_status_and_name() {
        assert_eq!(hits("tag:baseline"), ["resnet-baseline"]);
        assert_eq!(hits("tag:base"), Vec::<String>::new());
        assert_eq!(hits("status:failed"), ["resnet-lr-high"]);
        assert_eq!(hits("status:wip"), ["legacy-params"]);
        assert_eq!(hits("name:dolphin"), ["brave-dolphin-997"]);
        assert_eq!(hits("name:/^RES.*high$/"), ["resnet-lr-high"]);
        assert_eq!(hits("name:/\\d{3}$/"), ["brave-dolphin-997"]);
    }

    #[test]
    fn config_comparisons() {
        assert_eq!(
            hits("config.lr<0.01"),
            ["resnet-baseline", "brave-dolphin-997"]
        );
        assert_eq!(
            hits("config.lr <= 0.003"),
            ["resnet-baseline", "brave-dolphin-997"]
        );
        assert_eq!(hits("config.lr>0.1"), ["legacy-params"]);
        assert_eq!(hits("config.lr>=0.1"), ["resnet-lr-high", "legacy-params"]);
        assert_eq!(hits("config.optimizer=adam"), ["resnet-baseline"]);
        assert_eq!(hits("config.optimizer=ADAM"), ["resnet-baseline"]);
        // != needs the key present: absent never matches.
        assert_eq!(hits("config.optimizer!=adam"), ["resnet-lr-high"]);
        assert_eq!(hits("lr=0.2"), ["legacy-params"]);
        assert_eq!(
            hits("config.batch_size = 64"),
            ["resnet-baseline", "resnet-lr-high"]
        );
        assert_eq!(hits("config.optim.name=adam"), ["nested-config"]);
        assert_eq!(hits("config.optim.betas.1>0.99"), ["nested-config"]);
    }

    #[test]
    fn summary_and_metric_aggregates() {
        assert_eq!(hits("summary.final_acc>=0.9"), ["resnet-baseline"]);
        assert_eq!(hits("summary.final_acc>=0.95"), Vec::<String>::new());
        assert_eq!(hits("metric.train/loss.min<0.3"), ["resnet-baseline"]);
        assert_eq!(hits("metric.train/loss.last>1"), ["resnet-lr-high"]);
        assert_eq!(
            hits("metric.train/loss.max=2.6"),
            ["resnet-baseline", "resnet-lr-high"]
        );
        assert_eq!(
            parse("metric.train/loss.min<0.3 metric.val/loss.last>1")
                .unwrap()
                .metrics(),
            ["train/loss", "val/loss"]
        );
    }

    #[test]
    fn and_or_not_and_grouping() {
        assert_eq!(hits("resnet status:completed"), ["resnet-baseline"]);
        assert_eq!(
            hits("status:failed or tag:baseline"),
            ["resnet-baseline", "resnet-lr-high"]
        );
        // and binds tighter than or.
        assert_eq!(
            hits("resnet status:failed or name:dolphin"),
            ["resnet-lr-high", "brave-dolphin-997"]
        );
        assert_eq!(hits("resnet (status:failed or tag:baseline)").len(), 2);
        assert_eq!(
            hits("-resnet status:completed"),
            ["brave-dolphin-997", "nested-config"]
        );
        // A leading minus on a number is a value, not a negation.
        assert_eq!(hits("config.lr>-1").len(), 4);
    }

    #[test]
    fn b31_null_absent_and_contains() {
        assert_eq!(hits("config.max_iter is null"), ["nested-config"]);
        assert_eq!(hits("max_iter is null"), ["nested-config"]);
        assert_eq!(hits("config.max_iter = null"), ["nested-config"]);
        assert_eq!(hits("config.max_iter is not null"), Vec::<String>::new());
        assert_eq!(hits("config.lr is not null").len(), 4);
        assert_eq!(
            hits("config.layers contains 64"),
            ["resnet-baseline", "nested-config"]
        );
        assert_eq!(hits("layers contains 32"), ["legacy-params"]);
        assert_eq!(hits("config.optimizer contains ad"), ["resnet-baseline"]);
        assert_eq!(hits("config.optim contains betas"), ["nested-config"]);
    }

    #[test]
    fn b31_dotted_key_and_list_index_stay_distinct() {
        let r = &runs()[3];
        let p = |s: &str| s.split('.').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(lookup(&r.config, &p("encoder.0")), Some(&json!("x")));
        assert_eq!(lookup(&r.config, &p("encoder")), Some(&json!(["linear"])));
        assert_eq!(lookup(&r.config, &p("layers.1")), Some(&json!(64)));
        assert_eq!(lookup(&r.config, &p("optim.betas.0")), Some(&json!(0.9)));
        assert_eq!(lookup(&r.config, &p("optim.nope")), None);
        assert_eq!(hits("config.encoder.0=x"), ["nested-config"]);
        assert_eq!(hits("config.encoder contains linear"), ["nested-config"]);
    }

    #[test]
    fn errors_name_the_problem_and_place() {
        assert_eq!(
            err("config.lr<abc").message,
            "'<' needs a number, got 'abc'"
        );
        assert_eq!(err("status:running").position, 0);
        assert!(err("status:running").message.contains("unknown status"));
        assert!(err("name:/(/").message.starts_with("invalid regex"));
        assert_eq!(err("tag:x (a").message, "missing ')'");
        assert_eq!(err("tag:x (a").position, 6);
        assert_eq!(err("a )").message, "unexpected ')'");
        assert_eq!(err("\"abc").message, "unclosed quote");
        assert_eq!(
            err("config.lr").message,
            "'config.lr' needs an operator (<, <=, >, >=, =, !=, is null, contains)"
        );
        assert_eq!(err("config.lr <").message, "missing value after '<'");
        assert_eq!(
            err("metric.loss.mean<1").message,
            "unknown aggregate 'mean' (use min, max or last)"
        );
        assert_eq!(
            err("metric.loss<1").message,
            "'metric.loss': write metric.<name>.min, .max or .last"
        );
        assert_eq!(err("a or").message, "expected a term");
        assert_eq!(err("x is 3").message, "expected 'null' after 'is'");
        assert_eq!(
            err("config.layers contains").message,
            "missing value after 'contains'"
        );
        assert_eq!(
            err("metric.loss.min=abc").message,
            "metric aggregates compare with numbers, got 'abc'"
        );
    }

    #[test]
    fn unicode_and_quoted_values() {
        let mut r = runs().remove(0);
        r.config.insert("note".into(), json!("größe ok"));
        let q = parse("config.note=\"GRÖSSE OK\"").unwrap();
        assert!(!q.matches(&r)); // lowercase of ß stays ß; no folding beyond to_lowercase
        let q = parse("config.note=\"größe ok\"").unwrap();
        assert!(q.matches(&r));
        let q = parse("config.note contains \"ße o\"").unwrap();
        assert!(q.matches(&r));
    }
}
