//! The tolerant metrics reader (FORMAT.md §6): the bytes of a `<run>.jsonl` (or `<run>.wal.jsonl`)
//! become per-metric columns plus a load report that accounts for every line.
//!
//! The dashboard (in the browser, fed by HTTP Range requests while a run is live) and the command line
//! (`aspara inspect`, `aspara ls`) both use exactly this code. It is pure: bytes in, data out.
//!
//! A bad line is never fatal: it is skipped and listed with its line number and a [`SkipReason`]; a
//! bad value inside a good line is counted on its metric ([`MetricColumn::invalid`]) and the rest of
//! the line loads. Lines are read by a fast byte scanner when they have the usual shape, and by a
//! complete lenient JSON parser otherwise; both give the same result (tested on every case file).
//!
//! A run's series is its `<run>.jsonl` lines followed by its `<run>.wal.jsonl` lines: feed both to one
//! [`Decoder`], calling [`Decoder::end_file`] between them ([`read_run`] does this).

mod column;
mod fast;
mod lenient;

pub use column::{
    InvalidReason, InvalidValue, MAX_LISTED_INVALID, MetricColumn, Series, Summary, ValueKind,
    finite_mean,
};

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use std::collections::{BTreeMap, HashMap};

/// At most this many skipped lines are listed; [`LoadReport::skipped_total`] stays exact.
pub const MAX_LISTED_SKIPS: usize = 10_000;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Columns are sized up front when at least this many more bytes are expected (see
/// [`Decoder::push`] and [`Decoder::size_hint`]).
const RESERVE_MIN_REMAINING: u64 = 4 << 20;
/// How much is read before sizing: enough lines to see the metrics and their density.
const RESERVE_SAMPLE: u64 = 1 << 20;

/// Why a non-blank line is not a record (FORMAT.md §6.2). The `Display` text is what users see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Not valid JSON (case B21, the bad middle line).
    InvalidJson,
    /// Not valid UTF-8.
    InvalidUtf8,
    /// Nested deeper than the reader follows.
    TooDeep,
    /// The last line has no `\n` and does not parse: the writer was cut off (case B21).
    PartialTail,
    /// A JSON value other than an object.
    NotAnObject,
    /// No `step`, or `step` is `null`.
    MissingStep,
    /// `step` is below zero (case B14).
    NegativeStep,
    /// `step` has a fractional part (case B14).
    FractionalStep,
    /// `step` is a string, even a numeric one (case B14).
    StringStep,
    /// `step` is a boolean, an object, an array or a non-finite token.
    StepNotNumber,
    /// `step` is larger than 2^64 − 1.
    StepTooLarge,
    /// No `metrics` key.
    MissingMetrics,
    /// `metrics` is not an object.
    MetricsNotObject,
    /// More text after the JSON value, e.g. two records glued on one line (case B22).
    TrailingData,
}

impl SkipReason {
    /// Every reason, in a stable order.
    pub const ALL: [SkipReason; 14] = [
        SkipReason::InvalidJson,
        SkipReason::InvalidUtf8,
        SkipReason::TooDeep,
        SkipReason::PartialTail,
        SkipReason::NotAnObject,
        SkipReason::MissingStep,
        SkipReason::NegativeStep,
        SkipReason::FractionalStep,
        SkipReason::StringStep,
        SkipReason::StepNotNumber,
        SkipReason::StepTooLarge,
        SkipReason::MissingMetrics,
        SkipReason::MetricsNotObject,
        SkipReason::TrailingData,
    ];

    /// The message shown to users (FORMAT.md §6.2).
    pub fn message(self) -> &'static str {
        match self {
            SkipReason::InvalidJson => "invalid JSON",
            SkipReason::InvalidUtf8 => "not valid UTF-8",
            SkipReason::TooDeep => "JSON nested too deeply",
            SkipReason::PartialTail => "partial last line",
            SkipReason::NotAnObject => "not a JSON object",
            SkipReason::MissingStep => "step is missing or null",
            SkipReason::NegativeStep => "negative step",
            SkipReason::FractionalStep => "step is not an integer",
            SkipReason::StringStep => "step is a string",
            SkipReason::StepNotNumber => "step is not a number",
            SkipReason::StepTooLarge => "step is larger than 18446744073709551615",
            SkipReason::MissingMetrics => "metrics is missing",
            SkipReason::MetricsNotObject => "metrics is not an object",
            SkipReason::TrailingData => "trailing data after the JSON value",
        }
    }

    /// Failures of the JSON text itself: on a last line without `\n` they mean a torn write.
    fn is_torn(self) -> bool {
        matches!(
            self,
            SkipReason::InvalidJson
                | SkipReason::InvalidUtf8
                | SkipReason::TooDeep
                | SkipReason::TrailingData
        )
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// One skipped line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedLine {
    /// 1-based line number.
    pub line: u64,
    /// Why it was skipped.
    pub reason: SkipReason,
}

impl Serialize for SkippedLine {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let mut st = ser.serialize_struct("SkippedLine", 3)?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("reason", &self.reason)?;
        st.serialize_field("message", self.reason.message())?;
        st.end()
    }
}

/// What happened to every line (FORMAT.md §6.5).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LoadReport {
    /// Bytes read, including a final line without `\n` once [`Decoder::finish`] ran.
    pub bytes: u64,
    /// Lines seen, blank ones included (the last line counts even without `\n`).
    pub lines: u64,
    /// Blank and whitespace-only lines: ignored, not errors (case B24).
    pub blank_lines: u64,
    /// Lines loaded as records.
    pub records: u64,
    /// The exact number of skipped lines.
    pub skipped_total: u64,
    /// Skipped lines per reason.
    pub skipped_by_reason: BTreeMap<SkipReason, u64>,
    /// Skipped lines in file order (at most [`MAX_LISTED_SKIPS`]).
    pub skipped: Vec<SkippedLine>,
    /// Invalid values over all metrics (each also counted on its metric).
    pub invalid_values: u64,
    /// Whether the file started with a UTF-8 byte order mark (stripped).
    pub bom: bool,
}

impl LoadReport {
    /// How many lines were skipped for `reason`.
    pub fn skipped_count(&self, reason: SkipReason) -> u64 {
        self.skipped_by_reason.get(&reason).copied().unwrap_or(0)
    }

    /// Whether every non-blank line loaded and every value was readable.
    pub fn is_clean(&self) -> bool {
        self.skipped_total == 0 && self.invalid_values == 0
    }

    fn skip(&mut self, line: u64, reason: SkipReason) {
        self.skipped_total += 1;
        *self.skipped_by_reason.entry(reason).or_insert(0) += 1;
        if self.skipped.len() < MAX_LISTED_SKIPS {
            self.skipped.push(SkippedLine { line, reason });
        }
    }
}

/// A run's metrics: one column per metric, sorted by name (byte order), and the load report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunData {
    /// The metrics, sorted by name.
    pub metrics: Vec<MetricColumn>,
    /// What happened to every line.
    pub report: LoadReport,
}

impl RunData {
    /// The column named `name`.
    pub fn metric(&self, name: &str) -> Option<&MetricColumn> {
        self.metrics
            .binary_search_by(|c| c.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.metrics[i])
    }

    /// The metric names, sorted.
    pub fn metric_names(&self) -> impl Iterator<Item = &str> {
        self.metrics.iter().map(|c| c.name.as_str())
    }

    /// Each metric's name with its summary (FORMAT.md §6.4), sorted by name: what `aspara inspect`
    /// prints.
    pub fn summaries(&self) -> Vec<(&str, Summary)> {
        self.metrics
            .iter()
            .map(|c| (c.name.as_str(), c.summary()))
            .collect()
    }

    /// The highest step of any point, or `None` when there is no point.
    pub fn max_step(&self) -> Option<u64> {
        self.metrics
            .iter()
            .filter_map(|c| c.steps.iter().copied().max())
            .max()
    }
}

/// A metric value as read from a line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val {
    /// A number or non-finite token/string (NaN, ±inf as f64).
    Num(f64),
    /// `true`/`false` as 1.0/0.0.
    Bool(f64),
    /// `null`: non-finite, kind unknown.
    Unknown,
    /// Not a number.
    Invalid(InvalidReason),
}

/// An incremental reader: push bytes as they arrive (e.g. from HTTP Range requests on a live run)
/// and look at the data so far at any time.
#[derive(Debug)]
pub struct Decoder {
    data: RunData,
    index: fast::Index,
    cache: Vec<usize>,
    scratch: Vec<(usize, Val)>,
    /// The trailing bytes after the last `\n`, waiting for the rest of their line.
    pending: Vec<u8>,
    consumed: u64,
    line_no: u64,
    /// Whether the next line is the first of a file (where a BOM may sit).
    file_start: bool,
    fast_path: bool,
    /// Columns were appended since the last sort by name.
    unsorted: bool,
    /// The expected input length ([`Decoder::size_hint`]), 0 when unknown.
    expected: u64,
    /// Whether the columns were sized up front already (done once).
    reserved: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder at the start of a file.
    pub fn new() -> Self {
        Decoder {
            data: RunData::default(),
            index: HashMap::new(),
            cache: Vec::new(),
            scratch: Vec::new(),
            pending: Vec::new(),
            consumed: 0,
            line_no: 0,
            file_start: true,
            fast_path: true,
            unsorted: false,
            expected: 0,
            reserved: false,
        }
    }

    /// A decoder that reads every line with the complete (slow) parser. The result is identical;
    /// this exists to test that, and to measure the fast path.
    pub fn without_fast_path() -> Self {
        Decoder {
            fast_path: false,
            ..Decoder::new()
        }
    }

    /// Processes every complete line in `chunk` (after any bytes kept from earlier pushes) and keeps
    /// the trailing partial line for the next push.
    pub fn push(&mut self, mut chunk: &[u8]) {
        if !self.pending.is_empty() {
            let Some(nl) = memchr::memchr(b'\n', chunk) else {
                self.pending.extend_from_slice(chunk);
                return;
            };
            let mut line = std::mem::take(&mut self.pending);
            line.extend_from_slice(&chunk[..nl]);
            self.line(&line, false);
            // The kept bytes, the rest of the line, and its `\n`.
            self.consumed += line.len() as u64 + 1;
            line.clear();
            self.pending = line;
            chunk = &chunk[nl + 1..];
        }
        let mut start = 0;
        // When much more input is expected (this chunk, or the size hint), size the columns once
        // from the first MiB instead of growing them by doubling, which copies every column several
        // times and, in wasm, grows linear memory step by step (the dashboard's first decode).
        let expected = self.expected.max(self.consumed + chunk.len() as u64);
        let mut reserved = self.reserved;
        for nl in memchr::memchr_iter(b'\n', chunk) {
            self.line(&chunk[start..nl], false);
            start = nl + 1;
            if !reserved {
                let seen = self.consumed + start as u64;
                if seen >= RESERVE_SAMPLE {
                    reserved = true;
                    let remaining = expected.saturating_sub(seen);
                    if remaining >= RESERVE_MIN_REMAINING {
                        self.reserve_for(seen, remaining);
                    }
                }
            }
        }
        self.reserved = reserved;
        self.consumed += start as u64;
        self.pending.extend_from_slice(&chunk[start..]);
        self.data.report.bytes = self.consumed;
        self.settle();
    }

    /// Grows every column for `remaining` more bytes at the density seen over the first `seen`.
    fn reserve_for(&mut self, seen: u64, remaining: u64) {
        for col in &mut self.data.metrics {
            let more = (col.len() as u64).saturating_mul(remaining) / seen.max(1);
            col.reserve(usize::try_from(more + more / 16 + 16).unwrap_or(0));
        }
    }

    /// Tells the decoder how many bytes the whole input will have (e.g. the file size from the
    /// manifest or `Content-Length`), so that, fed in small pieces, it still sizes its columns once
    /// after the first MiB instead of growing them piece by piece. Only a hint: any length works.
    pub fn size_hint(&mut self, total_bytes: u64) {
        self.expected = total_bytes;
    }

    /// The offset just past the last complete line processed: where the next Range request starts if
    /// the caller keeps no bytes itself.
    pub fn bytes_consumed(&self) -> u64 {
        self.consumed
    }

    /// The data so far. A trailing line without `\n` is not counted yet.
    pub fn snapshot(&self) -> &RunData {
        &self.data
    }

    /// Ends one file without ending the run: a leftover line without `\n` is read as the last line
    /// of that file (a record if it parses, else a partial tail), and the next bytes start a new file
    /// (a BOM is stripped again). Use it between `<run>.jsonl` and `<run>.wal.jsonl`; line numbers
    /// keep counting across files.
    pub fn end_file(&mut self) {
        let tail = std::mem::take(&mut self.pending);
        if !tail.is_empty() {
            self.line(&tail, true);
            self.consumed += tail.len() as u64;
        }
        self.data.report.bytes = self.consumed;
        self.file_start = true;
        self.settle();
    }

    /// Ends the input and returns the data, the leftover line included as [`Decoder::end_file`] says.
    pub fn finish(mut self) -> RunData {
        self.end_file();
        self.data
    }

    fn line(&mut self, raw: &[u8], is_tail: bool) {
        self.line_no += 1;
        self.data.report.lines += 1;
        let mut line = raw;
        if std::mem::replace(&mut self.file_start, false) {
            if let Some(rest) = line.strip_prefix(BOM) {
                line = rest;
                self.data.report.bom = true;
            }
        }
        if line.first() != Some(&b'{') && line.iter().all(|&b| lenient::is_ws(b)) {
            self.data.report.blank_lines += 1;
            return;
        }
        let line_no = self.line_no;
        if self.fast_path {
            self.scratch.clear();
            let mut ctx = fast::Ctx {
                index: &self.index,
                cache: &mut self.cache,
                metrics: &mut self.data.metrics,
                scratch: &mut self.scratch,
                line_no,
            };
            if let Some((step, ts)) = fast::parse_line(line, &mut ctx) {
                let line32 = u32::try_from(line_no).unwrap_or(u32::MAX);
                for &(idx, v) in &self.scratch {
                    push_val(&mut self.data, idx, step, ts, line32, v);
                }
                self.data.report.records += 1;
                return;
            }
        }
        match lenient::parse_record(line) {
            Ok(rec) => {
                let line32 = u32::try_from(line_no).unwrap_or(u32::MAX);
                for (name, v) in &rec.metrics {
                    let idx = self.column(name);
                    push_val(&mut self.data, idx, rec.step, rec.timestamp, line32, *v);
                }
                self.data.report.records += 1;
            }
            Err(reason) => {
                let reason = if is_tail && reason.is_torn() {
                    SkipReason::PartialTail
                } else {
                    reason
                };
                self.data.report.skip(line_no, reason);
            }
        }
    }

    /// The index of the column named `name`, created (at the end) if new.
    fn column(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let pos = self.data.metrics.len();
        self.data.metrics.push(MetricColumn::new(name));
        self.index.insert(name.into(), pos);
        self.unsorted = true;
        pos
    }

    /// Puts new columns in name order (once per push, so a line with 10,000 new metrics costs one
    /// sort, not 10,000 insertions) and points the index at their new places.
    fn settle(&mut self) {
        if !self.unsorted {
            return;
        }
        self.unsorted = false;
        self.data.metrics.sort_by(|a, b| a.name.cmp(&b.name));
        for (i, c) in self.data.metrics.iter().enumerate() {
            if let Some(slot) = self.index.get_mut(c.name.as_str()) {
                *slot = i;
            }
        }
        // Indices moved: the fast path's per-position guesses are stale.
        self.cache.clear();
    }
}

fn push_val(data: &mut RunData, idx: usize, step: u64, ts: Option<i64>, line: u32, v: Val) {
    let col = &mut data.metrics[idx];
    match v {
        Val::Num(x) => col.push_point(step, x, ts, line, false, false),
        Val::Bool(x) => col.push_point(step, x, ts, line, false, true),
        Val::Unknown => col.push_point(step, f64::NAN, ts, line, true, false),
        Val::Invalid(reason) => {
            col.push_invalid(step, line, reason);
            data.report.invalid_values += 1;
        }
    }
}

/// Reads a whole metrics file: [`Decoder::new`], one [`Decoder::push`], [`Decoder::finish`].
pub fn read_metrics(bytes: &[u8]) -> RunData {
    let mut d = Decoder::new();
    d.push(bytes);
    d.finish()
}

/// Reads a run from its `<run>.jsonl` bytes and its `<run>.wal.jsonl` bytes (empty if absent): the
/// main file's lines, then the WAL's (FORMAT.md §6.6).
pub fn read_run(main: &[u8], wal: &[u8]) -> RunData {
    let mut d = Decoder::new();
    d.push(main);
    d.end_file();
    d.push(wal);
    d.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &[u8] = b"{\"timestamp\": 1, \"step\": 0, \"metrics\": {\"loss\": 0.5}}\n";

    fn fast_vs_slow(line: &[u8]) {
        let a = {
            let mut d = Decoder::new();
            d.push(line);
            d.finish()
        };
        let b = {
            let mut d = Decoder::without_fast_path();
            d.push(line);
            d.finish()
        };
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap(),
            "{}",
            String::from_utf8_lossy(line)
        );
    }

    #[test]
    fn chunked_push_equals_whole() {
        let text = b"\xEF\xBB\xBF{\"step\": 0, \"metrics\": {\"a\": 1}}\r\n\n{\"step\": 1, \"metrics\": {\"a\": 2, \"b\": NaN}}\n{\"step\": 2, \"metrics\": {\"a\"";
        let whole = read_metrics(text);
        let complete = text.iter().rposition(|&b| b == b'\n').unwrap() as u64 + 1;
        for split in 0..text.len() {
            let mut d = Decoder::new();
            d.push(&text[..split]);
            d.push(&text[split..]);
            assert_eq!(d.bytes_consumed(), complete, "split {split}");
            let got = d.finish();
            assert_eq!(
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(&whole).unwrap()
            );
        }
        assert_eq!(whole.report.records, 2);
        assert_eq!(whole.report.skipped_count(SkipReason::PartialTail), 1);
        assert!(whole.report.bom);
        assert_eq!(whole.report.bytes, text.len() as u64);
        // Byte by byte, as a slow network would deliver it.
        let mut d = Decoder::new();
        for b in text {
            d.push(std::slice::from_ref(b));
        }
        assert_eq!(d.snapshot().report.records, 2);
        assert_eq!(
            serde_json::to_string(&d.finish()).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
    }

    #[test]
    fn snapshot_excludes_partial_tail() {
        let mut d = Decoder::new();
        d.push(A);
        d.push(b"{\"step\": 1, \"metrics\": {\"loss\": 0.4}}");
        assert_eq!(d.snapshot().report.records, 1);
        assert_eq!(d.bytes_consumed(), A.len() as u64);
        // The tail completes into a record when the writer's `\n` arrives.
        d.push(b"\n");
        assert_eq!(d.snapshot().report.records, 2);
        let r = d.finish();
        assert_eq!(r.metric("loss").unwrap().values, [0.5, 0.4]);
        assert_eq!(r.report.skipped_total, 0);
    }

    /// Fed in small pieces with the total length known, the columns are sized once after the first
    /// MiB (capacity = the estimate, not a doubling), and the data is the same as a whole read.
    #[test]
    fn size_hint_sizes_columns_once_when_fed_in_pieces() {
        let mut text = String::new();
        // Steps of 7 digits: every line has the same length, so the density estimate is exact.
        for step in 1_000_000..1_120_000u64 {
            text.push_str(&format!(
                "{{\"timestamp\": {}, \"step\": {step}, \"metrics\": {{\"a\": 0.{step}, \"b\": {step}}}}}\n",
                1_735_689_600_000u64 + step
            ));
        }
        let bytes = text.as_bytes();
        let whole = read_metrics(bytes);
        let mut d = Decoder::new();
        d.size_hint(bytes.len() as u64);
        for piece in bytes.chunks(64 << 10) {
            d.push(piece);
        }
        let r = d.finish();
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            serde_json::to_string(&whole).unwrap()
        );
        let a = r.metric("a").unwrap();
        assert_eq!(a.len(), 120_000);
        // Doubling from small pushes would leave a power-of-two capacity (131,072 here); the
        // estimate from the first MiB is within 1/16 + 16 of the real count (and never below it
        // for these evenly sized lines).
        assert!(a.steps.capacity() >= 120_000, "{}", a.steps.capacity());
        assert!(
            a.steps.capacity() <= 120_000 + 120_000 / 16 + 64,
            "{}",
            a.steps.capacity()
        );
        assert_eq!(a.values.capacity(), a.steps.capacity());
        // Without the hint, small pushes grow by doubling.
        let mut d = Decoder::new();
        for piece in bytes.chunks(64 << 10) {
            d.push(piece);
        }
        assert_eq!(d.finish().metric("a").unwrap().steps.capacity(), 131_072);
    }

    #[test]
    fn final_record_without_newline_loads() {
        let r = read_metrics(b"{\"step\": 3, \"metrics\": {\"x\": 1.0}}");
        assert_eq!(r.report.records, 1);
        assert_eq!(r.metric("x").unwrap().steps, [3]);
        // A complete but non-record tail keeps its real reason.
        let r = read_metrics(b"{\"step\": -3, \"metrics\": {\"x\": 1.0}}");
        assert_eq!(r.report.skipped[0].reason, SkipReason::NegativeStep);
    }

    #[test]
    fn skip_reasons_cover_every_rule() {
        let cases: &[(&str, SkipReason)] = &[
            ("{\"step\": 1, \"metrics\": {}", SkipReason::InvalidJson),
            ("[1, 2]", SkipReason::NotAnObject),
            ("\"text\"", SkipReason::NotAnObject),
            ("{\"metrics\": {\"a\": 1}}", SkipReason::MissingStep),
            (
                "{\"step\": null, \"metrics\": {\"a\": 1}}",
                SkipReason::MissingStep,
            ),
            (
                "{\"step\": -1, \"metrics\": {\"a\": 1}}",
                SkipReason::NegativeStep,
            ),
            (
                "{\"step\": 1.5, \"metrics\": {\"a\": 1}}",
                SkipReason::FractionalStep,
            ),
            (
                "{\"step\": \"7\", \"metrics\": {\"a\": 1}}",
                SkipReason::StringStep,
            ),
            (
                "{\"step\": true, \"metrics\": {\"a\": 1}}",
                SkipReason::StepNotNumber,
            ),
            (
                "{\"step\": NaN, \"metrics\": {\"a\": 1}}",
                SkipReason::StepNotNumber,
            ),
            (
                "{\"step\": 18446744073709551616, \"metrics\": {\"a\": 1}}",
                SkipReason::StepTooLarge,
            ),
            ("{\"step\": 1}", SkipReason::MissingMetrics),
            (
                "{\"step\": 1, \"metrics\": [1]}",
                SkipReason::MetricsNotObject,
            ),
            (
                "{\"step\": 1, \"metrics\": null}",
                SkipReason::MetricsNotObject,
            ),
            (
                "{\"step\": 1, \"metrics\": {}}{\"step\": 2}",
                SkipReason::TrailingData,
            ),
            ("{\"step\": 01, \"metrics\": {}}", SkipReason::InvalidJson),
        ];
        for (line, want) in cases {
            let text = format!("{line}\n");
            let r = read_metrics(text.as_bytes());
            assert_eq!(
                r.report.skipped,
                [SkippedLine {
                    line: 1,
                    reason: *want
                }],
                "{line}"
            );
            fast_vs_slow(text.as_bytes());
        }
        let r = read_metrics(b"{\"step\": 1, \"metrics\": {\"\xff\": 1}}\n");
        assert_eq!(r.report.skipped[0].reason, SkipReason::InvalidUtf8);
        let deep = format!(
            "{{\"step\": 1, \"metrics\": {{\"a\": {}}}}}\n",
            "[".repeat(500)
        );
        assert_eq!(
            read_metrics(deep.as_bytes()).report.skipped[0].reason,
            SkipReason::TooDeep
        );
    }

    #[test]
    fn values_and_envelopes() {
        let text = concat!(
            "{\"type\": \"metrics\", \"run\": null, \"project\": \"p\", \"step\": 0, \"timestamp\": \"2024-01-01T12:00:00\", ",
            "\"metrics\": {\"a\": true, \"b\": \"x\", \"c\": [1], \"d\": {\"v\": 1}, \"e\": 1e400, \"f\": -1e400, \"g\": null, \"a\": false}}\n",
            "{\"step\": 1.0, \"timestamp\": 1705321845123.9, \"metrics\": {\"a\": true, \"e\": \"-Infinity\"}}\n",
        );
        let r = read_metrics(text.as_bytes());
        assert_eq!(r.report.records, 2);
        let a = r.metric("a").unwrap();
        // A repeated key in one line: the last value wins (as Python's json.loads).
        assert_eq!(a.values, [0.0, 1.0]);
        assert!(a.is_bool);
        assert_eq!(a.timestamps, [Some(1704110400000), Some(1705321845123)]);
        assert_eq!(a.steps, [0, 1]);
        let b = r.metric("b").unwrap();
        assert!(b.is_empty());
        assert_eq!(b.invalid[0].reason, InvalidReason::String);
        assert_eq!(
            r.metric("c").unwrap().invalid[0].reason,
            InvalidReason::Array
        );
        assert_eq!(
            r.metric("d").unwrap().invalid[0].reason,
            InvalidReason::Object
        );
        let e = r.metric("e").unwrap();
        assert_eq!(e.kind(0), ValueKind::PosInf);
        assert_eq!(e.kind(1), ValueKind::NegInf);
        assert_eq!(r.metric("f").unwrap().kind(0), ValueKind::NegInf);
        assert_eq!(r.metric("g").unwrap().kind(0), ValueKind::NonFiniteUnknown);
        assert_eq!(r.report.invalid_values, 3);
        assert_eq!(
            r.metric_names().collect::<Vec<_>>(),
            ["a", "b", "c", "d", "e", "f", "g"]
        );
        fast_vs_slow(text.as_bytes());
    }

    #[test]
    fn fast_path_shapes_match_slow() {
        for line in [
            "{\"timestamp\": 1735689600000, \"step\": 12345, \"metrics\": {\"train/loss\": 0.123456789, \"train/acc\": 0.9}}\n",
            "{\"metrics\":{\"x\":-0.0,\"y\":5e-324},\"step\":0}\n",
            "{\"step\": 0, \"timestamp\": -5, \"metrics\": {\"x\": NaN, \"y\": -Infinity, \"z\": Infinity}}\n",
            "{\"step\": 0, \"timestamp\": 9223372036854775808, \"metrics\": {\"x\": 1}}\n",
            "{\"step\": 0, \"timestamp\": -0, \"metrics\": {\"x\": 1}}\n",
            "  {\"step\": 0, \"metrics\": {\"x\": 1}}  \r\n",
        ] {
            // Twice, so the second line takes the fast path with the metric index known.
            let twice = format!("{line}{line}");
            fast_vs_slow(twice.as_bytes());
        }
    }

    #[test]
    fn new_metric_reorders_index_and_fast_path_follows() {
        let text = concat!(
            "{\"step\": 0, \"metrics\": {\"m\": 1, \"z\": 2}}\n",
            "{\"step\": 1, \"metrics\": {\"m\": 3, \"z\": 4}}\n",
            "{\"step\": 2, \"metrics\": {\"a\": 5, \"m\": 6, \"z\": 7}}\n",
            "{\"step\": 3, \"metrics\": {\"m\": 8, \"z\": 9}}\n",
            "{\"step\": 4, \"metrics\": {\"z\": 10, \"m\": 11}}\n",
        );
        let r = read_metrics(text.as_bytes());
        assert_eq!(r.metric("a").unwrap().values, [5.0]);
        assert_eq!(r.metric("m").unwrap().values, [1.0, 3.0, 6.0, 8.0, 11.0]);
        assert_eq!(r.metric("z").unwrap().values, [2.0, 4.0, 7.0, 9.0, 10.0]);
        fast_vs_slow(text.as_bytes());
    }

    #[test]
    fn cached_names_never_match_a_different_key() {
        let text = concat!(
            r#"{"step": 0, "metrics": {"a": 1, "ab": 2, "b\\c": 3, "\u00e9": 4, "éx": 5}}"#,
            "\n",
            r#"{"step": 1, "metrics": {"a": 1, "ab": 2, "b\\c": 3, "\u00e9": 4, "éx": 5}}"#,
            "\n",
            r#"{"step": 2, "metrics": {"ab": 6, "a": 7, "b\\c": 8, "é": 9, "éx": 10}}"#,
            "\n",
            r#"{"step": 3, "metrics": {"ab": 11, "a": 12, "ab": 13}}"#,
            "\n",
            r#"{"step": 4, "metrics": {"ab": 14, "a": 15, "b\c": 16}}"#,
            "\n",
            r#"{"step": 5, "metrics": {"ab": 17, "a": 18, "b\\c": 19}}"#,
            "\n",
        );
        let r = read_metrics(text.as_bytes());
        assert_eq!(r.metric("a").unwrap().values, [1.0, 1.0, 7.0, 12.0, 18.0]);
        assert_eq!(r.metric("ab").unwrap().values, [2.0, 2.0, 6.0, 13.0, 17.0]);
        assert_eq!(r.metric("b\\c").unwrap().values, [3.0, 3.0, 8.0, 19.0]);
        assert_eq!(r.metric("\u{e9}").unwrap().values, [4.0, 4.0, 9.0]);
        assert_eq!(r.metric("\u{e9}x").unwrap().values, [5.0, 5.0, 10.0]);
        // `"b\c"` is not valid JSON (`\c` is no escape): skipped, never matched to `b\c`.
        assert_eq!(
            r.report.skipped,
            [SkippedLine {
                line: 5,
                reason: SkipReason::InvalidJson
            }]
        );
        fast_vs_slow(text.as_bytes());
    }

    /// Random corruptions of typical lines: no panic, and both paths agree on every one.
    #[test]
    fn mutated_lines_fast_equals_slow() {
        let seeds = [
            "{\"timestamp\": 1735689600000, \"step\": 12, \"metrics\": {\"train/loss\": 0.123456789, \"acc\": 1e-07, \"x\": NaN}}",
            "{\"step\":3,\"metrics\":{\"acc\":true,\"n\":-Infinity,\"m\":null,\"train/loss\":2.3499999999999996}}",
            "{\"metrics\": {\"train/loss\": 5e-324, \"acc\": -0.0}, \"step\": 9007199254740993, \"timestamp\": -12}",
        ];
        let alphabet = b"{}[]\":,. -+0123456789eEnNaIfty\\\r\tlsu";
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut rnd = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut text = Vec::new();
        for round in 0..6000 {
            let mut line = seeds[round % seeds.len()].as_bytes().to_vec();
            for _ in 0..=rnd(3) {
                let pos = rnd(line.len() + 1);
                match rnd(3) {
                    0 if pos < line.len() => {
                        line.remove(pos);
                    }
                    1 if pos < line.len() => line[pos] = alphabet[rnd(alphabet.len())],
                    _ => line.insert(pos, alphabet[rnd(alphabet.len())]),
                }
            }
            // Each mutated line follows an intact one, so the fast path has a warm metric index.
            text.extend_from_slice(seeds[round % seeds.len()].as_bytes());
            text.push(b'\n');
            text.extend_from_slice(&line);
            text.push(b'\n');
        }
        fast_vs_slow(&text);
        let r = read_metrics(&text);
        assert!(r.report.records >= 6000);
        assert!(r.report.skipped_total > 1000);
    }

    #[test]
    fn wide_lines_sort_their_metrics() {
        let mut text = String::new();
        for step in 0..3 {
            let names: Vec<String> = (0..10_000)
                .rev()
                .map(|i| format!("\"m{i:05}\": {}", i + step))
                .collect();
            text.push_str(&format!(
                "{{\"step\": {step}, \"metrics\": {{{}}}}}\n",
                names.join(", ")
            ));
        }
        text.push_str("{\"step\": 3, \"metrics\": {\"m05000x\": 1, \"m00001\": 2}}\n");
        let r = read_metrics(text.as_bytes());
        assert_eq!(r.report.records, 4);
        assert_eq!(r.metrics.len(), 10_001);
        assert!(r.metrics.windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(
            r.metric("m09999").unwrap().values,
            [9999.0, 10000.0, 10001.0]
        );
        assert_eq!(r.metric("m00001").unwrap().values, [1.0, 2.0, 3.0, 2.0]);
        assert_eq!(r.metric("m05000x").unwrap().steps, [3]);
        fast_vs_slow(text.as_bytes());
    }

    #[test]
    fn wal_follows_main() {
        let r = read_run(
            b"{\"step\": 0, \"metrics\": {\"a\": 1}}",
            b"\xEF\xBB\xBF{\"step\": 1, \"metrics\": {\"a\": 2}}\n",
        );
        assert_eq!(r.metric("a").unwrap().steps, [0, 1]);
        assert_eq!(r.metric("a").unwrap().lines, [1, 2]);
        assert_eq!(r.report.records, 2);
    }
}
