//! The URL hash ⇄ [`ViewState`] (pure), so a copied link reopens the same view.
//!
//! Routes: `#/`, `#/projects/<p>`, `#/projects/<p>/runs/<r>`, `#/projects/<p>/compare`. Settings
//! follow a `?` as `key=value` pairs; only values that differ from the defaults are written:
//!
//! | key | meaning |
//! |---|---|
//! | `q` | projects search / run filter query |
//! | `sort` | run table column, `-` prefix for descending |
//! | `runs` | selected (compared) runs, comma-separated |
//! | `cols` | metric columns of the run table, comma-separated |
//! | `s` | smoothing weight |
//! | `x` | `step`, `wall` or `rel` |
//! | `y` | `lin` or `log` |
//! | `size` | `s`, `m` or `l` |
//! | `m` | metric search |
//! | `zoom` | `lo,hi` x range |
//! | `diff` | `1`: config differences only |
//! | `metric` | a metric to bring into view |
//!
//! Every name is percent-encoded per component (each list element separately, so a `,` in a metric
//! name is `%2C`): `train/loss` ↔ `train%2Floss` (B26). Decoding is total: malformed escapes stay
//! literal and unknown keys are ignored, so any hash opens some view.

use crate::state::{ChartSettings, ChartSize, Route, Sort, ViewState, XAxis, YScale};

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and nothing else: `+` stays `+`). Malformed escapes are kept literally;
/// invalid UTF-8 becomes U+FFFD.
pub fn decode_component(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| encode_component(s))
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(decode_component)
        .collect()
}

/// Writes the hash for a view, starting with `#/`.
pub fn to_hash(v: &ViewState) -> String {
    let path = match &v.route {
        Route::Projects => "/".to_owned(),
        Route::Project { project } => format!("/projects/{}", encode_component(project)),
        Route::Run { project, run } => format!(
            "/projects/{}/runs/{}",
            encode_component(project),
            encode_component(run)
        ),
        Route::Compare { project } => format!("/projects/{}/compare", encode_component(project)),
        Route::NotFound(raw) => raw.clone(),
    };
    let mut q: Vec<(&str, String)> = Vec::new();
    if !v.query.is_empty() {
        q.push(("q", encode_component(&v.query)));
    }
    if let Some(Sort { column, descending }) = &v.sort {
        let prefix = if *descending { "-" } else { "" };
        q.push(("sort", format!("{prefix}{}", encode_component(column))));
    }
    if !v.selected.is_empty() {
        q.push(("runs", encode_list(&v.selected)));
    }
    if !v.columns.is_empty() {
        q.push(("cols", encode_list(&v.columns)));
    }
    let c = &v.charts;
    let d = ChartSettings::default();
    if c.smoothing != d.smoothing {
        q.push(("s", format_num(c.smoothing)));
    }
    if c.x_axis != d.x_axis {
        q.push((
            "x",
            match c.x_axis {
                XAxis::Step => "step",
                XAxis::Wall => "wall",
                XAxis::Relative => "rel",
            }
            .into(),
        ));
    }
    if c.y_scale != d.y_scale {
        q.push((
            "y",
            match c.y_scale {
                YScale::Linear => "lin",
                YScale::Log => "log",
            }
            .into(),
        ));
    }
    if c.size != d.size {
        q.push((
            "size",
            match c.size {
                ChartSize::S => "s",
                ChartSize::M => "m",
                ChartSize::L => "l",
            }
            .into(),
        ));
    }
    if !c.metric_filter.is_empty() {
        q.push(("m", encode_component(&c.metric_filter)));
    }
    if let Some((lo, hi)) = c.zoom {
        q.push(("zoom", format!("{},{}", format_num(lo), format_num(hi))));
    }
    if v.diff_only {
        q.push(("diff", "1".into()));
    }
    if let Some(m) = &v.focus_metric {
        q.push(("metric", encode_component(m)));
    }
    let mut out = format!("#{path}");
    for (i, (k, val)) in q.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(val);
    }
    out
}

/// Shortest text that reads back as the same f64.
fn format_num(x: f64) -> String {
    let s = format!("{x}");
    if s.parse::<f64>().ok() == Some(x) {
        s
    } else {
        format!("{x:e}")
    }
}

/// Reads a hash (with or without the leading `#`) into a view. Total: never fails.
pub fn from_hash(hash: &str) -> ViewState {
    let h = hash.strip_prefix('#').unwrap_or(hash);
    let (path, query) = h.split_once('?').unwrap_or((h, ""));
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(decode_component)
        .collect();
    let route = match segs.as_slice() {
        [] => Route::Projects,
        [p, project] if p == "projects" => Route::Project {
            project: project.clone(),
        },
        [p, project, r, run] if p == "projects" && r == "runs" => Route::Run {
            project: project.clone(),
            run: run.clone(),
        },
        [p, project, c] if p == "projects" && c == "compare" => Route::Compare {
            project: project.clone(),
        },
        _ => Route::NotFound(path.to_owned()),
    };
    let mut v = ViewState {
        route,
        ..ViewState::default()
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, val) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "q" => v.query = decode_component(val),
            "sort" => {
                let (descending, col) = match val.strip_prefix('-') {
                    Some(c) => (true, c),
                    None => (false, val),
                };
                let column = decode_component(col);
                if !column.is_empty() {
                    v.sort = Some(Sort { column, descending });
                }
            }
            "runs" => v.selected = decode_list(val),
            "cols" => v.columns = decode_list(val),
            "s" => {
                if let Ok(w) = val.parse::<f64>() {
                    v.charts.smoothing = crate::state::clamp_smoothing(w);
                }
            }
            "x" => {
                v.charts.x_axis = match val {
                    "wall" => XAxis::Wall,
                    "rel" => XAxis::Relative,
                    _ => XAxis::Step,
                }
            }
            "y" => {
                v.charts.y_scale = if val == "log" {
                    YScale::Log
                } else {
                    YScale::Linear
                }
            }
            "size" => {
                v.charts.size = match val {
                    "s" => ChartSize::S,
                    "l" => ChartSize::L,
                    _ => ChartSize::M,
                }
            }
            "m" => v.charts.metric_filter = decode_component(val),
            "zoom" => {
                if let Some((a, b)) = val.split_once(',') {
                    if let (Ok(a), Ok(b)) = (a.parse::<f64>(), b.parse::<f64>()) {
                        if a.is_finite() && b.is_finite() && b > a {
                            v.charts.zoom = Some((a, b));
                        }
                    }
                }
            }
            "diff" => v.diff_only = val == "1",
            "metric" => {
                let m = decode_component(val);
                v.focus_metric = (!m.is_empty()).then_some(m);
            }
            _ => {}
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, reduce};

    fn round_trip(v: &ViewState) {
        let h = to_hash(v);
        assert_eq!(&from_hash(&h), v, "hash {h}");
    }

    #[test]
    fn b26_slash_is_encoded_and_decodes_back_exactly() {
        assert_eq!(encode_component("train/loss"), "train%2Floss");
        assert_eq!(decode_component("train%2Floss"), "train/loss");
        let v = ViewState {
            route: Route::Compare {
                project: "slash_names".into(),
            },
            selected: vec!["run1".into()],
            focus_metric: Some("train/loss".into()),
            columns: vec!["train/loss".into(), "val/loss".into()],
            ..ViewState::default()
        };
        let h = to_hash(&v);
        assert_eq!(
            h,
            "#/projects/slash_names/compare?runs=run1&cols=train%2Floss,val%2Floss&metric=train%2Floss"
        );
        round_trip(&v);
        // A hand-written deep link with the documented form opens that metric.
        let d = from_hash("#/projects/slash_names/runs/run1?metric=train%2Floss");
        assert_eq!(d.focus_metric.as_deref(), Some("train/loss"));
        assert_eq!(
            d.route,
            Route::Run {
                project: "slash_names".into(),
                run: "run1".into()
            }
        );
    }

    #[test]
    fn names_with_spaces_percent_commas_and_unicode_round_trip() {
        for name in [
            "profiling/Time taken: Trainer.compute_loss",
            "a[0]",
            "b\\c",
            "100% done",
            "a,b",
            "größe/λ 🚀",
            "x&y=z?#",
            "+plus",
            "%2F",
        ] {
            assert_eq!(decode_component(&encode_component(name)), name);
            let v = ViewState {
                route: Route::Project {
                    project: "p".into(),
                },
                query: format!("metric.{name}.min<1"),
                columns: vec![name.into(), "other".into()],
                sort: Some(Sort {
                    column: format!("metric:{name}"),
                    descending: true,
                }),
                charts: ChartSettings {
                    metric_filter: name.into(),
                    ..ChartSettings::default()
                },
                focus_metric: Some(name.into()),
                ..ViewState::default()
            };
            round_trip(&v);
        }
    }

    #[test]
    fn every_setting_round_trips() {
        let mut v = ViewState::default();
        for a in [
            Action::Navigate(Route::Project {
                project: "vision-demo".into(),
            }),
            Action::ToggleRun("resnet-baseline".into()),
            Action::ToggleRun("resnet-lr-high".into()),
            Action::CompareSelected,
            Action::SetSmoothing(0.95),
            Action::SetXAxis(XAxis::Relative),
            Action::SetYScale(YScale::Log),
            Action::SetSize(ChartSize::L),
            Action::SetMetricFilter("loss".into()),
            Action::Zoom(Some((12.5, 150.0))),
            Action::ToggleDiffOnly,
        ] {
            v = reduce(&v, a);
            round_trip(&v);
        }
        assert_eq!(
            to_hash(&v),
            "#/projects/vision-demo/compare?runs=resnet-baseline,resnet-lr-high&s=0.95&x=rel&y=log&size=l&m=loss&zoom=12.5,150&diff=1"
        );
        for x in [XAxis::Step, XAxis::Wall, XAxis::Relative] {
            round_trip(&reduce(&v, Action::SetXAxis(x)));
        }
        round_trip(&reduce(&v, Action::SetSmoothing(0.0)));
        round_trip(&reduce(&v, Action::SetSmoothing(1.0 / 3.0)));
    }

    #[test]
    fn defaults_write_a_bare_route() {
        assert_eq!(to_hash(&ViewState::default()), "#/");
        assert_eq!(from_hash(""), ViewState::default());
        assert_eq!(from_hash("#"), ViewState::default());
        assert_eq!(from_hash("#/"), ViewState::default());
    }

    #[test]
    fn malformed_input_still_opens_a_view() {
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz%4"), "%zz%4");
        assert_eq!(decode_component("%FF"), "\u{FFFD}");
        let v = from_hash("#/projects/p?s=abc&x=weird&zoom=5,1&size=xl&unknown=1&runs=,,a,");
        assert_eq!(v.charts.smoothing, 0.6);
        assert_eq!(v.charts.x_axis, XAxis::Step);
        assert_eq!(v.charts.zoom, None);
        assert_eq!(v.charts.size, ChartSize::M);
        assert_eq!(v.selected, ["a"]);
        assert_eq!(
            from_hash("#/nope/x").route,
            Route::NotFound("/nope/x".into())
        );
        assert_eq!(from_hash("#/projects/p?s=7").charts.smoothing, 0.999);
    }
}
