//! What the pages show about projects and runs (pure): a run's facts for the filter language, the
//! config as JSON-pointer rows, the compare page's config differences, safe artifact links, and
//! display formatting.
//!
//! Bytes are decoded only by `aspara::format` (RunMeta, ProjectMeta, the metrics reader); this module
//! arranges what they return.

use aspara::format::names::validate_artifact_name;
use aspara::format::{Artifact, RunEntry, RunMeta, Status};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::query::{Aggregate, RunFacts};

/// Min, max and last finite value of one metric (what the run table and the filter use).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MetricStat {
    /// Smallest finite value.
    pub min: Option<f64>,
    /// Largest finite value.
    pub max: Option<f64>,
    /// Finite value at the highest step.
    pub last: Option<f64>,
}

/// One run as the pages know it: the manifest entry, then its meta file, then its metric summaries,
/// each filled in as it loads.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// Run name (file stem).
    pub name: String,
    /// The parsed meta file, or defaults when it is missing or corrupt.
    pub meta: RunMeta,
    /// Why the meta file could not be read, if it could not.
    pub meta_error: Option<String>,
    /// Derived status word.
    pub status: Status,
    /// params merged with config (config wins, B31).
    pub config: Map<String, Value>,
    /// Metric names known so far (manifest, then the metrics file).
    pub metric_names: Vec<String>,
    /// Per-metric summaries, once the metrics file is loaded.
    pub stats: BTreeMap<String, MetricStat>,
    /// Size of the metrics file, when known.
    pub jsonl_size: Option<u64>,
    /// The newest modification time of the run's files (ms), when known: when it last wrote.
    pub last_activity_ms: Option<i64>,
}

impl RunInfo {
    /// A run from its manifest entry alone (before the meta file is read).
    pub fn from_entry(e: &RunEntry, now_ms: i64) -> RunInfo {
        let meta = RunMeta {
            run_id: e.run_id.clone(),
            tags: e.tags.clone(),
            is_finished: e.is_finished,
            exit_code: e.exit_code,
            status: if e.status.is_empty() {
                "wip".into()
            } else {
                e.status.clone()
            },
            start_time: e.start_time,
            finish_time: e.finish_time,
            ..RunMeta::default()
        };
        let mut r = RunInfo::from_meta(&e.name, meta, None, now_ms);
        r.metric_names = e.metrics.clone();
        r.set_file_facts(e);
        r
    }

    /// Takes the metrics file's size and the last write time from a manifest entry.
    pub fn set_file_facts(&mut self, e: &RunEntry) {
        self.jsonl_size = e.jsonl.map(|s| s.size);
        self.last_activity_ms = [e.jsonl, e.wal, e.meta]
            .iter()
            .flatten()
            .map(|f| f.mtime)
            .max();
    }

    /// A run from its parsed meta file.
    pub fn from_meta(
        name: &str,
        meta: RunMeta,
        meta_error: Option<String>,
        now_ms: i64,
    ) -> RunInfo {
        RunInfo {
            name: name.to_owned(),
            status: meta.status(now_ms),
            config: meta.effective_config(),
            meta,
            meta_error,
            metric_names: Vec::new(),
            stats: BTreeMap::new(),
            jsonl_size: None,
            last_activity_ms: None,
        }
    }

    /// Run duration in ms: finish minus start; for a run still going, `now` minus start. A run
    /// that stopped without finishing (`maybe_failed`) ends at its last write, so a dead run's
    /// duration does not keep growing; without a known last write it has none.
    pub fn duration_ms(&self, now_ms: i64) -> Option<i64> {
        let start = self.meta.start_time?;
        let end = match self.meta.finish_time {
            Some(finish) => finish,
            None if self.status == Status::Wip => now_ms,
            None => self.last_activity_ms?,
        };
        Some(end.saturating_sub(start).max(0))
    }
}

impl RunFacts for RunInfo {
    fn name(&self) -> &str {
        &self.name
    }
    fn tags(&self) -> &[String] {
        &self.meta.tags
    }
    fn status(&self) -> &str {
        self.status.as_str()
    }
    fn config(&self) -> &Map<String, Value> {
        &self.config
    }
    fn summary(&self) -> &Map<String, Value> {
        &self.meta.summary
    }
    fn metric(&self, name: &str, agg: Aggregate) -> Option<f64> {
        let s = self.stats.get(name)?;
        match agg {
            Aggregate::Min => s.min,
            Aggregate::Max => s.max,
            Aggregate::Last => s.last,
        }
    }
}

/// Sorts runs for the table. Columns: `name`, `status`, `start`, `duration`, `metric:<name>`
/// (last value); runs without a value sort last in either direction, ties by name.
pub fn sort_runs(runs: &mut [RunInfo], sort: Option<&crate::state::Sort>, now_ms: i64) {
    use std::cmp::Ordering;
    let Some(sort) = sort else {
        runs.sort_by(|a, b| a.name.cmp(&b.name));
        return;
    };
    let key = |r: &RunInfo| -> Option<f64> {
        match sort.column.as_str() {
            "start" => r.meta.start_time.map(|t| t as f64),
            "duration" => r.duration_ms(now_ms).map(|d| d as f64),
            c => c
                .strip_prefix("metric:")
                .and_then(|m| r.stats.get(m))
                .and_then(|s| s.last),
        }
    };
    runs.sort_by(|a, b| {
        let ord = match sort.column.as_str() {
            "name" => a.name.cmp(&b.name),
            "status" => a.status.as_str().cmp(b.status.as_str()),
            _ => match (key(a), key(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        let ord = if sort.descending { ord.reverse() } else { ord };
        ord.then_with(|| a.name.cmp(&b.name))
    });
}

/// The order that fixes run colours: by start time, ties (and runs without one) by name, so a run
/// started later takes the next colour and never shifts the others (`aspara_charts::colors`).
pub fn color_order(runs: &[RunInfo]) -> Vec<String> {
    let mut v: Vec<(Option<i64>, &str)> = runs
        .iter()
        .map(|r| (r.meta.start_time, r.name.as_str()))
        .collect();
    v.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y).then(a.1.cmp(b.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(b.1),
    });
    v.into_iter().map(|(_, n)| n.to_owned()).collect()
}

/// Escapes one JSON-pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every leaf of a config as a JSON pointer and its value, in document order. Empty objects and
/// lists are leaves too, so nothing disappears. `/encoder/0` and `/encoder.0` stay distinct (B31).
pub fn flatten_pointers(config: &Map<String, Value>) -> Vec<(String, Value)> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, v) in m {
                    walk(&format!("{prefix}/{}", pointer_token(k)), v, out);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, v) in a.iter().enumerate() {
                    walk(&format!("{prefix}/{i}"), v, out);
                }
            }
            _ => out.push((prefix.to_owned(), v.clone())),
        }
    }
    let mut out = Vec::new();
    for (k, v) in config {
        walk(&format!("/{}", pointer_token(k)), v, &mut out);
    }
    out
}

/// One row of the compare page's config table: a pointer and each run's value (`None` = absent).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigRow {
    /// JSON pointer.
    pub path: String,
    /// One cell per run, in the runs' order.
    pub values: Vec<Option<Value>>,
    /// Whether the cells differ (absent differs from null, B31).
    pub differs: bool,
}

/// The config table across runs: the union of pointers in first-seen order.
pub fn config_table(configs: &[&Map<String, Value>]) -> Vec<ConfigRow> {
    let flat: Vec<Vec<(String, Value)>> = configs.iter().map(|c| flatten_pointers(c)).collect();
    let mut order: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in &flat {
        for (p, _) in f {
            if seen.insert(p.clone()) {
                order.push(p.clone());
            }
        }
    }
    order
        .into_iter()
        .map(|path| {
            let values: Vec<Option<Value>> = flat
                .iter()
                .map(|f| f.iter().find(|(p, _)| *p == path).map(|(_, v)| v.clone()))
                .collect();
            let differs = values.windows(2).any(|w| w[0] != w[1]);
            ConfigRow {
                path,
                values,
                differs,
            }
        })
        .collect()
}

/// A value as shown in tables: JSON-typed (`null`, `[64, 64]`, `"adam"` as `adam`).
pub fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => format_float(f),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Shortest round-trip float text (`0.1`, `1e-7`, `5e-324`), never rounded to 0.
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "+inf" } else { "-inf" }.into();
    }
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A value for a compact table cell: at most 6 significant digits, scientific when huge or tiny.
pub fn format_short(x: f64) -> String {
    if !x.is_finite() {
        return format_float(x);
    }
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        return format!("{x:.3e}");
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A duration as `1h 20m`, `3m 5s`, `12s`, `850ms`.
pub fn format_duration(ms: i64) -> String {
    let ms = ms.max(0);
    let s = ms / 1000;
    let (d, h, m, sec) = (s / 86400, (s / 3600) % 24, (s / 60) % 60, s % 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {sec}s")
    } else if s > 0 {
        format!("{s}s")
    } else {
        format!("{ms}ms")
    }
}

/// A time as `YYYY-MM-DD HH:MM:SS` UTC.
pub fn format_time(ms: i64) -> String {
    let iso = aspara::format::time::format_naive_iso(ms);
    let t = iso.replace('T', " ");
    t.split('.').next().unwrap_or(&t).to_owned()
}

/// An artifact's link, or why it has none. Only names passing the artifact name rule get a link,
/// built from the validated name (never from `stored_path`, which may point anywhere; B36), relative
/// to the data root: `<project>/<run>/artifacts/<name>`.
pub fn artifact_href(project: &str, run: &str, a: &Artifact) -> Result<String, String> {
    validate_artifact_name(&a.name).map_err(|e| e.to_string())?;
    if !aspara::format::names::is_valid_name(project) || !aspara::format::names::is_valid_name(run)
    {
        return Err("invalid project or run name".into());
    }
    // A stored path other than `artifacts/<name>` means the file was written elsewhere (Aspara
    // 0.1.0's LocalRun does that with `../../x` or absolute paths, B36): there is nothing safe to
    // link to. An empty stored path (older files) is taken as the canonical one.
    let canonical = format!("artifacts/{}", a.name);
    if !a.stored_path.is_empty() && a.stored_path != canonical {
        return Err("stored outside the run's artifacts directory".into());
    }
    // The name is [a-zA-Z0-9_.-] and not `.`/`..`: it is a single safe path segment as is.
    Ok(format!("{project}/{run}/{canonical}"))
}

/// A short, stable, selector-safe id for any name: `m-` + 16 hex digits of FNV-1a (B27: names with
/// `.`, `[`, `:`, spaces or `\` must not break `querySelector`).
pub fn dom_id(prefix: &str, name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{prefix}-{h:016x}")
}

/// Notes split into lines for rendering as text with line breaks (`\r\n` and `\n`).
pub fn note_lines(notes: &str) -> Vec<&str> {
    notes
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use serde_json::json;

    const B31: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/cases/B31-config-null-list-nested/data/config_values/"
    );
    const B36: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/cases/B36-path-traversal-names/data/traversal/victim.meta.json"
    );

    fn meta(path: &str) -> RunMeta {
        RunMeta::from_bytes(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn b31_config_pointers_keep_types_and_stay_distinct() {
        let m = meta(&format!("{B31}nested-config.meta.json"));
        let flat = flatten_pointers(&m.effective_config());
        let got: Vec<(&str, &Value)> = flat.iter().map(|(p, v)| (p.as_str(), v)).collect();
        assert_eq!(
            got,
            vec![
                ("/max_iter", &json!(null)),
                ("/layers/0", &json!(64)),
                ("/layers/1", &json!(64)),
                ("/optim/name", &json!("adam")),
                ("/optim/betas/0", &json!(0.9)),
                ("/optim/betas/1", &json!(0.999)),
                ("/encoder/0", &json!("linear")),
                ("/encoder.0", &json!("x")),
            ]
        );
        assert_eq!(display_value(&json!(null)), "null");
        assert_eq!(display_value(&json!([64, 64])), "[64,64]");
    }

    #[test]
    fn b31_legacy_params_merge_with_config_winning() {
        let m = meta(&format!("{B31}legacy-params.meta.json"));
        let r = RunInfo::from_meta("legacy-params", m, None, 0);
        assert_eq!(r.config.get("lr"), Some(&json!(0.2)));
        assert_eq!(r.config.get("seed"), Some(&json!(1)));
        assert_eq!(r.config.get("layers"), Some(&json!([32])));
        let q = crate::query::parse("config.max_iter is null").unwrap();
        assert!(!q.matches(&r));
        let n = RunInfo::from_meta(
            "nested-config",
            meta(&format!("{B31}nested-config.meta.json")),
            None,
            0,
        );
        assert!(q.matches(&n));
    }

    #[test]
    fn pointer_tokens_escape_slash_and_tilde() {
        let c = json!({"a/b": 1, "m~n": 2, "e": {}, "l": []});
        let flat = flatten_pointers(c.as_object().unwrap());
        let paths: Vec<&str> = flat.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["/a~1b", "/m~0n", "/e", "/l"]);
    }

    #[test]
    fn config_table_marks_differences_and_absent_differs_from_null() {
        let a = json!({"lr": 0.1, "opt": "adam", "x": null});
        let b = json!({"lr": 0.2, "opt": "adam"});
        let rows = config_table(&[a.as_object().unwrap(), b.as_object().unwrap()]);
        let diff: Vec<&str> = rows
            .iter()
            .filter(|r| r.differs)
            .map(|r| r.path.as_str())
            .collect();
        assert_eq!(diff, ["/lr", "/x"]);
        assert_eq!(rows[2].values, vec![Some(json!(null)), None]);
    }

    #[test]
    fn b36_only_validated_artifact_names_get_links() {
        let m = meta(B36);
        assert_eq!(m.artifacts.len(), 3);
        let links: Vec<Result<String, String>> = m
            .artifacts
            .iter()
            .map(|a| artifact_href("traversal", "victim", a))
            .collect();
        assert_eq!(links[0], Ok("traversal/victim/artifacts/ok.txt".into()));
        assert_eq!(
            links[1],
            Err("Invalid artifact name: cannot start with '..'".into())
        );
        // `passwd` is a valid name, but it was stored at `/etc/passwd`: no link at all.
        assert_eq!(
            links[2],
            Err("stored outside the run's artifacts directory".into())
        );
        let plain = Artifact {
            name: "model.pt".into(),
            ..Artifact::default()
        };
        assert_eq!(
            artifact_href("p", "r", &plain),
            Ok("p/r/artifacts/model.pt".into())
        );
    }

    #[test]
    fn b27_dom_ids_are_selector_safe_and_distinct() {
        let names = [
            "profiling/Time taken: Trainer.compute_loss",
            "a[0]",
            "b\\c",
            "a",
            "b",
        ];
        let ids: Vec<String> = names.iter().map(|n| dom_id("chart", n)).collect();
        for id in &ids {
            assert!(
                id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{id}"
            );
        }
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert_eq!(dom_id("chart", "a[0]"), dom_id("chart", "a[0]"));
    }

    #[test]
    fn formatting() {
        assert_eq!(format_duration(4_800_000), "1h 20m");
        assert_eq!(format_duration(185_000), "3m 5s");
        assert_eq!(format_duration(850), "850ms");
        assert_eq!(format_duration(90_000_000), "1d 1h");
        assert_eq!(format_float(5e-324), "5e-324");
        assert_eq!(format_float(1e-7), "1e-7");
        assert_eq!(format_float(0.1), "0.1");
        assert_eq!(format_float(1e308), "1e308");
        assert_eq!(format_short(0.123456789), "0.123457");
        assert_eq!(format_short(2.0), "2");
        assert_eq!(format_short(1e-7), "1.000e-7");
        assert_eq!(format_time(1735689600000), "2025-01-01 00:00:00");
        assert_eq!(note_lines("a\r\nb\nc"), ["a", "b", "c"]);
    }

    fn run(name: &str, start: Option<i64>, last: Option<f64>) -> RunInfo {
        let meta = RunMeta {
            start_time: start,
            finish_time: start.map(|s| s + 10),
            ..RunMeta::default()
        };
        let mut r = RunInfo::from_meta(name, meta, None, 0);
        r.stats.insert(
            "loss".into(),
            MetricStat {
                last,
                ..MetricStat::default()
            },
        );
        r
    }

    #[test]
    fn sorting_by_columns_keeps_missing_values_last() {
        use crate::state::Sort;
        let mut v = vec![
            run("b", Some(2), Some(0.5)),
            run("a", None, None),
            run("c", Some(1), Some(0.1)),
        ];
        let by = |c: &str, d: bool| Sort {
            column: c.into(),
            descending: d,
        };
        sort_runs(&mut v, Some(&by("metric:loss", false)), 0);
        assert_eq!(
            v.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["c", "b", "a"]
        );
        sort_runs(&mut v, Some(&by("metric:loss", true)), 0);
        assert_eq!(
            v.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["b", "c", "a"]
        );
        sort_runs(&mut v, Some(&by("start", false)), 0);
        assert_eq!(
            v.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["c", "b", "a"]
        );
        sort_runs(&mut v, Some(&by("name", true)), 0);
        assert_eq!(
            v.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["c", "b", "a"]
        );
        sort_runs(&mut v, None, 0);
        assert_eq!(
            v.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn colours_follow_start_order_and_ignore_the_selection() {
        use aspara_charts::RunColors;
        let runs = vec![
            run("resnet-lr-high", Some(30), None),
            run("resnet-baseline", Some(10), None),
            run("brave-dolphin-997", Some(40), None),
        ];
        let order = color_order(&runs);
        assert_eq!(
            order,
            ["resnet-baseline", "resnet-lr-high", "brave-dolphin-997"]
        );
        let colors = RunColors::new(order.iter().map(String::as_str));
        // The same colour whichever runs a chart shows, and distinct between runs.
        let c1 = colors.color("resnet-lr-high");
        assert_eq!(c1, aspara_charts::colors::color_for_index(1));
        assert_ne!(colors.color("resnet-baseline"), c1);
        // A run started later takes the next colour without moving the others.
        let mut more = runs.clone();
        more.push(run("zz-late", Some(99), None));
        let colors2 = RunColors::new(color_order(&more).iter().map(String::as_str));
        assert_eq!(colors2.color("resnet-lr-high"), c1);
    }

    #[test]
    fn run_from_manifest_entry_derives_status() {
        let e = RunEntry {
            name: "r".into(),
            status: "wip".into(),
            start_time: Some(0),
            metrics: vec!["loss".into()],
            ..RunEntry::default()
        };
        let r = RunInfo::from_entry(&e, 10_000);
        assert_eq!(r.status, Status::Wip);
        assert_eq!(r.metric_names, ["loss"]);
        assert_eq!(
            r.duration_ms(10_000),
            Some(10_000),
            "a live run's duration is up to now"
        );
        let r = RunInfo::from_entry(&e, 3_600_001);
        assert_eq!(r.status, Status::MaybeFailed);
        assert_eq!(
            r.duration_ms(3_600_001),
            None,
            "a dead run with no known last write"
        );
    }

    #[test]
    fn a_dead_runs_duration_ends_at_its_last_write() {
        use aspara::format::FileStat;
        let e = RunEntry {
            name: "r".into(),
            status: "wip".into(),
            start_time: Some(1_000),
            jsonl: Some(FileStat {
                size: 10,
                mtime: 26_000,
            }),
            meta: Some(FileStat {
                size: 10,
                mtime: 2_000,
            }),
            ..RunEntry::default()
        };
        let r = RunInfo::from_entry(&e, 7_200_000);
        assert_eq!(r.status, Status::MaybeFailed);
        assert_eq!(r.last_activity_ms, Some(26_000));
        assert_eq!(r.duration_ms(7_200_000), Some(25_000));
    }
}
