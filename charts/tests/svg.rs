//! SVG rendering tests: the cases' charts drawn with `SVGBackend::with_string`, checked on the SVG text
//! (which elements exist, where, and what text they carry).

use aspara_charts::draw::PlotRect;
use aspara_charts::range::YScale;
use aspara_charts::{
    ChartMapping, ChartSpec, Error, HoverHit, PointKind, Rgb, RunColors, SeriesView, View, XAxis,
    draw_chart, format_x, nearest_index, nearest_index_sorted, smooth, tooltip_rows,
};
use plotters::prelude::*;

const BLUE: &str = "#1F77B4";
const ORANGE: &str = "#FF7F0E";

fn render(spec: &ChartSpec<'_>, size: (u32, u32)) -> (String, ChartMapping) {
    let mut svg = String::new();
    let mapping = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        match draw_chart(root, spec) {
            Ok(m) => m,
            Err(e) => panic!("draw failed: {e}"),
        }
    };
    (svg, mapping)
}

/// The value of attribute `name` in one SVG element's text.
fn attr<'a>(el: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = el.find(&key)? + key.len();
    let end = el[start..].find('"')? + start;
    Some(&el[start..end])
}

/// Every element `<tag .../>` (or `<tag ...>`) of the SVG.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    svg.match_indices(&open)
        .map(|(i, _)| {
            let end = svg[i..].find('>').map_or(svg.len(), |e| i + e + 1);
            &svg[i..end]
        })
        .collect()
}

fn points(el: &str) -> Vec<(f64, f64)> {
    attr(el, "points")
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|p| {
            let (x, y) = p.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

/// Polylines stroked in `color`, as point lists.
fn lines(svg: &str, color: &str) -> Vec<Vec<(f64, f64)>> {
    elements(svg, "polyline")
        .into_iter()
        .filter(|e| attr(e, "stroke") == Some(color))
        .map(points)
        .collect()
}

/// Filled circles in `color`, as centres.
fn dots(svg: &str, color: &str) -> Vec<(f64, f64)> {
    elements(svg, "circle")
        .into_iter()
        .filter(|e| attr(e, "fill") == Some(color))
        .filter_map(|e| Some((attr(e, "cx")?.parse().ok()?, attr(e, "cy")?.parse().ok()?)))
        .collect()
}

/// Polygons (markers) in `color`, as point lists.
fn markers(svg: &str, color: &str) -> Vec<Vec<(f64, f64)>> {
    elements(svg, "polygon")
        .into_iter()
        .filter(|e| attr(e, "fill") == Some(color))
        .map(points)
        .collect()
}

/// The text content of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

fn center(p: &[(f64, f64)]) -> (f64, f64) {
    let n = p.len().max(1) as f64;
    (
        p.iter().map(|q| q.0).sum::<f64>() / n,
        p.iter().map(|q| q.1).sum::<f64>() / n,
    )
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// No drawn segment of `lines` starts, ends or passes over pixel column `px`.
fn no_segment_over(lines: &[Vec<(f64, f64)>], px: f64) -> bool {
    lines.iter().all(|l| {
        l.windows(2)
            .all(|w| !(w[0].0.min(w[1].0) <= px + 0.5 && w[0].0.max(w[1].0) >= px - 0.5))
    })
}

/// Every y tick label reads as a finite number.
fn assert_finite_labels(svg: &str, m: &ChartMapping) {
    let labels = texts(svg);
    assert!(!labels.is_empty());
    for l in &labels {
        assert!(!l.contains("inf") && !l.contains("NaN"), "label {l}");
    }
    assert!(m.x.0.is_finite() && m.x.1.is_finite() && m.x.0 < m.x.1);
    assert!(m.y.0.is_finite() && m.y.1.is_finite() && m.y.0 < m.y.1);
}

const X3: [f64; 3] = [0.0, 1.0, 2.0];

#[test]
fn b01_nan_gap_dots_and_marker() {
    for kinds in [
        None,
        Some([PointKind::Finite, PointKind::Unknown, PointKind::Finite]),
    ] {
        let y = [0.5, f64::NAN, 0.3];
        let mut s = SeriesView::new("nan-null", &X3, &y);
        if let Some(k) = &kinds {
            s = s.with_kinds(k);
        }
        let series = [s];
        let spec = ChartSpec {
            title: "loss",
            series: &series,
            ..Default::default()
        };
        let (svg, m) = render(&spec, (640, 360));
        assert!(
            (m.y.0 - 0.28).abs() < 1e-12 && (m.y.1 - 0.52).abs() < 1e-12,
            "{m:?}"
        );
        // The gap: no series line at all, both finite points drawn as dots.
        assert!(lines(&svg, BLUE).is_empty(), "{:?}", lines(&svg, BLUE));
        let d = dots(&svg, BLUE);
        assert_eq!(d.len(), 2, "{d:?}");
        let y05 = m.y_to_py(0.5).unwrap_or(f64::NAN);
        let y03 = m.y_to_py(0.3).unwrap_or(f64::NAN);
        assert!(
            near(d[0].0, m.x_to_px(0.0), 1.0) && near(d[0].1, y05, 1.0),
            "{d:?}"
        );
        assert!(
            near(d[1].0, m.x_to_px(2.0), 1.0) && near(d[1].1, y03, 1.0),
            "{d:?}"
        );
        // The NaN marker: a diamond at x = 1, on the x-axis.
        let mk = markers(&svg, BLUE);
        assert_eq!(mk.len(), 1);
        assert_eq!(mk[0].len(), 4);
        let c = center(&mk[0]);
        assert!(near(c.0, m.x_to_px(1.0), 1.0), "{c:?}");
        assert!(c.1 > f64::from(m.plot.bottom) - 15.0 && c.1 <= f64::from(m.plot.bottom));
        assert_finite_labels(&svg, &m);
        assert!(texts(&svg).contains(&"loss".to_string()));
        // Hover at 1.2 snaps to step 1, whose tooltip reads NaN (or non-finite for null).
        let i = nearest_index(&X3, 1.2);
        assert_eq!(i, Some(1));
        let label = series[0].kind(1).label(y[1], false);
        assert_eq!(label, if kinds.is_some() { "non-finite" } else { "NaN" });
    }
}

#[test]
fn b01_lines_break_at_the_gap() {
    let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [1.0, 2.0, f64::NAN, 3.0, 4.0, 2.0];
    let series = [SeriesView::new("a", &x, &y)];
    let spec = ChartSpec {
        series: &series,
        ..Default::default()
    };
    let (svg, m) = render(&spec, (500, 300));
    let l = lines(&svg, BLUE);
    assert_eq!(l.len(), 2, "{l:?}");
    assert_eq!(l[0].len(), 2);
    assert_eq!(l[1].len(), 3);
    assert!(no_segment_over(&l, m.x_to_px(2.0)));
    assert!(dots(&svg, BLUE).is_empty());
    assert_eq!(markers(&svg, BLUE).len(), 1);
}

#[test]
fn b03_infinities_pinned_to_edges() {
    let y = [f64::INFINITY, 12.5, f64::NEG_INFINITY];
    let series = [SeriesView::new("inf-tokens", &X3, &y)];
    let spec = ChartSpec {
        title: "grad_norm",
        series: &series,
        ..Default::default()
    };
    let (svg, m) = render(&spec, (640, 360));
    assert!((m.y.0 - 11.25).abs() < 1e-12 && (m.y.1 - 13.75).abs() < 1e-12);
    assert_finite_labels(&svg, &m);
    assert!(lines(&svg, BLUE).is_empty());
    let d = dots(&svg, BLUE);
    assert_eq!(d.len(), 1);
    assert!(near(d[0].0, m.x_to_px(1.0), 1.0));
    let mk = markers(&svg, BLUE);
    assert_eq!(mk.len(), 2, "{mk:?}");
    let top = mk.iter().find(|p| near(center(p).0, m.x_to_px(0.0), 1.0));
    let bottom = mk.iter().find(|p| near(center(p).0, m.x_to_px(2.0), 1.0));
    let (Some(top), Some(bottom)) = (top, bottom) else {
        panic!("markers at x=0 and x=2 expected: {mk:?}");
    };
    assert_eq!((top.len(), bottom.len()), (3, 3));
    // ▲ touches the top edge, ▼ the bottom edge.
    let top_y = top.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let bottom_y = bottom.iter().map(|p| p.1).fold(0.0, f64::max);
    assert!(
        near(top_y, f64::from(m.plot.top), 2.0),
        "{top:?} {:?}",
        m.plot
    );
    assert!(near(bottom_y, f64::from(m.plot.bottom), 2.0), "{bottom:?}");
    assert_eq!(series[0].kind(0).label(y[0], false), "+Infinity");
    assert_eq!(series[0].kind(2).label(y[2], false), "-Infinity");
}

#[test]
fn b04_overlay_with_nonfinite_run() {
    let colors = RunColors::new(["run-a", "run-b"]);
    let xa = [0.0, 1.0];
    let ya = [1.0, 0.8];
    let yb = [f64::NAN, f64::INFINITY];
    let a = SeriesView::new("run-a", &xa, &ya).with_color(colors.color("run-a"));
    let b = SeriesView::new("run-b", &xa, &yb).with_color(colors.color("run-b"));
    let both = [a, b];
    let spec = ChartSpec {
        title: "loss",
        series: &both,
        ..Default::default()
    };
    let (svg, m) = render(&spec, (640, 360));
    assert!(
        (m.y.0 - 0.78).abs() < 1e-12 && (m.y.1 - 1.02).abs() < 1e-12,
        "{m:?}"
    );
    assert_finite_labels(&svg, &m);
    // run-a's line (plus its legend swatch, which is 14 px wide and at the top right).
    let la = lines(&svg, BLUE);
    let data_line = la.iter().find(|l| {
        l.len() == 2 && near(l[0].0, m.x_to_px(0.0), 1.0) && near(l[1].0, m.x_to_px(1.0), 1.0)
    });
    assert!(data_line.is_some(), "{la:?}");
    // run-b: only markers, NaN diamond at 0 and +inf triangle at 1, plus its legend entry and note.
    let mb = markers(&svg, ORANGE);
    assert_eq!(mb.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 3]);
    assert!(dots(&svg, ORANGE).is_empty());
    let t = texts(&svg);
    assert!(t.contains(&"run-a".to_string()), "{t:?}");
    assert!(t.contains(&"run-b (no finite values)".to_string()), "{t:?}");

    // Deselecting run-a: still renders, finite default domain and the note.
    let only_b = [b];
    let spec = ChartSpec {
        title: "loss",
        series: &only_b,
        ..Default::default()
    };
    let (svg, m) = render(&spec, (640, 360));
    assert_finite_labels(&svg, &m);
    assert!(m.domain.is_default());
    assert!(
        m.notes.contains(&"no finite values".to_string()),
        "{:?}",
        m.notes
    );
    assert!(texts(&svg).contains(&"no finite values".to_string()));
    assert_eq!(markers(&svg, ORANGE).len(), 2);
}

#[test]
fn b33_log_axis_hides_nonpositive() {
    let x = [0.0, 1.0, 2.0, 3.0, 4.0];
    let y = [1.0, 0.1, 0.0, -0.5, 0.01];
    let series = [SeriesView::new("run1", &x, &y)];
    let spec = ChartSpec {
        title: "loss",
        series: &series,
        y_scale: YScale::Log10,
        ..Default::default()
    };
    let (svg, m) = render(&spec, (640, 360));
    assert_eq!(m.y, (-2.0, 0.0));
    let t = texts(&svg);
    assert!(
        t.contains(&"2 non-positive values hidden".to_string()),
        "{t:?}"
    );
    for label in ["0.01", "0.1", "1"] {
        assert!(t.contains(&label.to_string()), "{label} missing: {t:?}");
    }
    // (0, 1) – (1, 0.1) is a line; (4, 0.01) an isolated dot; nothing crosses steps 2..3.
    let l = lines(&svg, BLUE);
    assert_eq!(l.len(), 1, "{l:?}");
    assert_eq!(l[0].len(), 2);
    assert!(near(l[0][0].1, f64::from(m.plot.top), 1.0));
    assert!(no_segment_over(&l, m.x_to_px(2.0)) && no_segment_over(&l, m.x_to_px(3.0)));
    let d = dots(&svg, BLUE);
    assert_eq!(d.len(), 1);
    assert!(near(d[0].0, m.x_to_px(4.0), 1.0) && near(d[0].1, f64::from(m.plot.bottom), 1.0));
    // Hidden points are no markers: markers are for non-finite values.
    assert!(markers(&svg, BLUE).is_empty());

    // Linear: all 5 points in one line over [-0.65, 1.15].
    let spec = ChartSpec {
        y_scale: YScale::Linear,
        ..spec
    };
    let (svg, m) = render(&spec, (640, 360));
    assert!((m.y.0 + 0.65).abs() < 1e-12 && (m.y.1 - 1.15).abs() < 1e-12);
    let l = lines(&svg, BLUE);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].len(), 5);
    assert!(m.notes.is_empty());

    // Smoothed on the raw values, then hidden where <= 0 on the log axis.
    let sm = smooth::ema(&y, 0.6);
    let series = [SeriesView::new("run1", &x, &y).with_smoothed(&sm)];
    let spec = ChartSpec {
        series: &series,
        y_scale: YScale::Log10,
        ..Default::default()
    };
    let (svg, m) = render(&spec, (640, 360));
    let l = lines(&svg, BLUE);
    // The opaque smoothed line covers steps 0..2; the faint raw line is drawn too.
    assert!(l.iter().any(|p| p.len() == 3), "{l:?}");
    assert!(no_segment_over(&l, m.x_to_px(3.0)));
    assert!(svg.contains("opacity=\"0.25\""));
}

#[test]
fn b35_names_are_escaped_text() {
    let x = [0.0, 1.0];
    let y1 = [1.0, 2.0];
    let y2 = [0.5, 0.4];
    let series = [
        SeriesView::new("<img src=x onerror=alert(1)>", &x, &y1),
        SeriesView::new("loss", &x, &y2).with_color(Rgb(0xff, 0x7f, 0x0e)),
    ];
    let spec = ChartSpec {
        title: "</title><script>x</script>",
        x_label: "\"><svg onload=alert(1)>",
        series: &series,
        ..Default::default()
    };
    let (svg, _) = render(&spec, (640, 360));
    assert!(
        svg.contains("&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;"),
        "{svg}"
    );
    assert!(svg.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!svg.contains("<script") && !svg.contains("<img") && !svg.contains("<title"));
    assert_eq!(svg.matches("<svg").count(), 1);
}

#[test]
fn b09_spike_drawn_and_zoom_resamples() {
    let x: Vec<f64> = (0..1_000_000u32).map(f64::from).collect();
    let mut y = vec![1.0; 1_000_000];
    y[500_000] = 1000.0;
    let series = [SeriesView::new("spike-1m", &x, &y)];
    // A plot area of about 1000 px.
    let spec = ChartSpec {
        title: "loss",
        series: &series,
        ..Default::default()
    };
    let (svg, m) = render(&spec, (1060, 400));
    assert!(
        m.plot.width() >= 990 && m.plot.width() <= 1010,
        "{:?}",
        m.plot
    );
    assert!(m.points_drawn[0] <= 2 * m.plot.width() as usize);
    assert!((m.y.1 - 1099.9).abs() < 1e-9, "{:?}", m.y);
    let l = lines(&svg, BLUE);
    let all: Vec<(f64, f64)> = l.iter().flatten().copied().collect();
    let spike = (
        m.x_to_px(500_000.0).round(),
        m.y_to_py(1000.0).unwrap_or(0.0).round(),
    );
    assert!(all.contains(&spike), "spike pixel {spike:?} not drawn");
    let y1 = m.y_to_py(1.0).unwrap_or(0.0).round();
    assert!(all.contains(&(m.x_to_px(0.0).round(), y1)));
    assert!(all.contains(&(m.x_to_px(999_999.0).round(), y1)));
    // The auto-fitted x-range is padded by 2 % of the span on each side.
    assert!(
        (m.x.0 + 19_999.98).abs() < 1e-6 && (m.x.1 - 1_019_998.98).abs() < 1e-6,
        "{:?}",
        m.x
    );
    // Deterministic.
    let (svg2, _) = render(&spec, (1060, 400));
    assert_eq!(svg, svg2);
    // Zoom 499,500..500,500: all 1001 raw points drawn, from the full data.
    let zoomed = ChartSpec {
        view: View {
            x: Some((499_500.0, 500_500.0)),
            y: None,
        },
        ..spec
    };
    let (svg, m) = render(&zoomed, (1060, 400));
    assert_eq!(m.points_drawn[0], 1001);
    assert!(m.y.1 > 1000.0);
    assert!(
        lines(&svg, BLUE)
            .iter()
            .flatten()
            .any(|p| p.1 <= m.y_to_py(1000.0).unwrap_or(0.0) + 1.0)
    );
}

#[test]
fn zoom_and_hover_mapping() {
    let x = [0.0, 10.0, 20.0, 30.0];
    let y = [1.0, 2.0, 3.0, 4.0];
    let series = [SeriesView::new("a", &x, &y)];
    let spec = ChartSpec {
        series: &series,
        hover_x: Some(12.0),
        ..Default::default()
    };
    let (svg, m) = render(&spec, (400, 300));
    for v in [0.0, 7.5, 30.0] {
        assert!((m.px_to_x(m.x_to_px(v)) - v).abs() < 1e-9);
    }
    for v in [1.0, 2.5] {
        let py = m.y_to_py(v).unwrap_or(f64::NAN);
        assert!((m.py_to_y(py) - v).abs() < 1e-9);
    }
    assert_eq!(
        m.hover,
        vec![aspara_charts::HoverHit {
            series: 0,
            index: 1
        }]
    );
    // The highlighted point sits on (10, 2).
    let d = dots(&svg, BLUE);
    assert!(
        d.iter()
            .any(|p| near(p.0, m.x_to_px(10.0), 1.0)
                && near(p.1, m.y_to_py(2.0).unwrap_or(0.0), 1.0))
    );
    // Drag from x=10..20 over the whole height → that x-range.
    let a = (m.x_to_px(10.0), f64::from(m.plot.top));
    let b = (m.x_to_px(20.0), f64::from(m.plot.bottom));
    let v = m.zoom_view(a, b, 10.0).unwrap_or_default();
    let (x0, x1) = v.x.unwrap_or((0.0, 0.0));
    assert!(
        (x0 - 10.0).abs() < 1e-9 && (x1 - 20.0).abs() < 1e-9,
        "{v:?}"
    );
    assert_eq!(m.zoom_view(a, (a.0 + 5.0, b.1), 10.0), None);
    // Redraw with that view and a selection rectangle: lines clipped to the plot area.
    let spec = ChartSpec {
        view: v,
        selection: Some(((10, 10), (3000, 3000))),
        ..spec
    };
    let (svg, m) = render(&spec, (400, 300));
    let r: PlotRect = m.plot;
    for p in lines(&svg, BLUE).iter().flatten() {
        assert!(r.contains(p.0, p.1), "{p:?} outside {r:?}");
    }
    assert!(svg.contains("opacity=\"0.12\""));
    // Log-axis zoom reads values, not logs.
    let series = [SeriesView::new("a", &x, &y)];
    let spec = ChartSpec {
        series: &series,
        y_scale: YScale::Log10,
        ..Default::default()
    };
    let (_, m) = render(&spec, (400, 300));
    let top = m.py_to_y(f64::from(m.plot.top));
    assert!((top - 10.0).abs() < 1e-9, "{top}");
}

#[test]
fn b11_chart_shows_last_write() {
    // The reader's charted series for B11 is (3, 0.45), (4, 0.4): one segment between them.
    let x = [3.0, 4.0];
    let y = [0.45, 0.4];
    let series = [SeriesView::new("restart", &x, &y)];
    let spec = ChartSpec {
        series: &series,
        hover_x: Some(3.0),
        ..Default::default()
    };
    let (svg, m) = render(&spec, (400, 300));
    let l = lines(&svg, BLUE);
    assert_eq!(l.len(), 1);
    let want = [
        (
            m.x_to_px(3.0).round(),
            m.y_to_py(0.45).unwrap_or(0.0).round(),
        ),
        (
            m.x_to_px(4.0).round(),
            m.y_to_py(0.4).unwrap_or(0.0).round(),
        ),
    ];
    assert_eq!(l[0], want.to_vec());
    let rows = tooltip_rows(&spec, &m.hover);
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].x.as_str(), rows[0].value.as_str()), ("3", "0.45"));
}

#[test]
fn tooltips_show_exact_values() {
    let x = [0.0, 1.0, 1_000_000.0];
    let y = [5e-324, f64::NAN, 1.2345678901234569e23];
    let kinds = [PointKind::Finite, PointKind::Unknown, PointKind::Finite];
    let sm = smooth::ema(&y, 0.6);
    let series = [SeriesView::new("lr", &x, &y)
        .with_kinds(&kinds)
        .with_smoothed(&sm)];
    let spec = ChartSpec {
        series: &series,
        ..Default::default()
    };
    let hits: Vec<HoverHit> = (0..4).map(|index| HoverHit { series: 0, index }).collect();
    let rows = tooltip_rows(&spec, &hits);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].value, "5e-324");
    assert_eq!(rows[0].smoothed.as_deref(), Some("5e-324"));
    assert_eq!(rows[1].value, "non-finite");
    assert_eq!(rows[1].smoothed, None);
    assert_eq!(rows[2].x, "1,000,000");
    assert_eq!(rows[2].value, "1.2345678901234569e23");
    assert_eq!(
        format_x(XAxis::WallTime { utc_offset_min: 0 }, 1_735_689_600_000.0),
        "2025-01-01 00:00:00"
    );
    assert_eq!(format_x(XAxis::Relative, 4_805_000.0), "1h 20m 5s");
    assert_eq!(nearest_index_sorted(&x, 600_000.0), Some(2));
    assert_eq!(nearest_index_sorted(&x, -5.0), Some(0));
    assert_eq!(nearest_index_sorted(&[1.0, 2.0, 2.0, 3.0], 2.2), Some(1));
    assert_eq!(nearest_index(&[3.0, 1.0, 2.0], 2.9), Some(0));
    assert_eq!(nearest_index(&[], 1.0), None);
    assert_eq!(nearest_index(&[1.0], f64::NAN), None);
}

#[test]
fn b15_b16_b17_labels() {
    let y15 = [1.2345678901234569e23, 1e308, 1e308];
    let series = [SeriesView::new("tokens", &X3, &y15)];
    let (svg, m) = render(
        &ChartSpec {
            series: &series,
            ..Default::default()
        },
        (640, 400),
    );
    assert!((m.y.1 - 1.1e308).abs() <= 1e-12 * 1.1e308);
    assert_finite_labels(&svg, &m);
    let t = texts(&svg);
    assert!(t.contains(&"1e308".to_string()), "{t:?}");
    assert!(t.iter().all(|l| l.len() <= 12), "{t:?}");

    let y16 = [1e-7, 5e-324];
    let x2 = [0.0, 1.0];
    let series = [SeriesView::new("lr", &x2, &y16)];
    let spec = ChartSpec {
        series: &series,
        y_scale: YScale::Log10,
        ..Default::default()
    };
    let (svg, m) = render(&spec, (640, 400));
    assert_eq!(m.y, (-324.0, -7.0));
    let py = m.y_to_py(5e-324).unwrap_or(f64::NAN);
    let want = m.axis_to_py(-323.3062153431158);
    assert!((py - want).abs() < 1e-9 && py < f64::from(m.plot.bottom));
    let labels: Vec<String> = texts(&svg)
        .into_iter()
        .filter(|l| l.starts_with("1e-"))
        .collect();
    assert!(labels.len() >= 2, "{:?}", texts(&svg));
    assert_eq!(series[0].kind(1).label(5e-324, false), "5e-324");

    let y17 = [1.0, 0.0];
    let series = [SeriesView::new("gpu_ok", &x2, &y17).with_boolean(true)];
    let (svg, _) = render(
        &ChartSpec {
            series: &series,
            ..Default::default()
        },
        (640, 400),
    );
    let t = texts(&svg);
    assert!(
        t.contains(&"false".to_string()) && t.contains(&"true".to_string()),
        "{t:?}"
    );
    assert_eq!(series[0].kind(0).label(1.0, true), "true");
}

#[test]
fn time_axes_label_ticks() {
    const T0: f64 = 1_735_689_600_000.0;
    let x = [T0, T0 + 3_600_000.0, T0 + 7_200_000.0];
    let y = [1.0, 2.0, 3.0];
    let series = [SeriesView::new("a", &x, &y)];
    let spec = ChartSpec {
        series: &series,
        x_axis: XAxis::WallTime { utc_offset_min: 0 },
        ..Default::default()
    };
    let (svg, _) = render(&spec, (640, 300));
    let t = texts(&svg);
    assert!(
        t.contains(&"01:00".to_string()) && t.contains(&"time".to_string()),
        "{t:?}"
    );
    // A point without a timestamp is not placed, and the chart says so.
    let x_gap = [T0, f64::NAN, T0 + 7_200_000.0];
    let series = [SeriesView::new("a", &x_gap, &y)];
    let spec = ChartSpec {
        series: &series,
        x_axis: XAxis::WallTime { utc_offset_min: 0 },
        ..Default::default()
    };
    let (svg, m) = render(&spec, (640, 300));
    assert_eq!(
        m.notes,
        vec!["1 point without an x value hidden".to_string()]
    );
    assert!(texts(&svg).contains(&m.notes[0]));
    assert_eq!(m.points_drawn, vec![2]);
    let rel = [0.0, 2_400_000.0, 4_800_000.0];
    let series = [SeriesView::new("a", &rel, &y)];
    let spec = ChartSpec {
        series: &series,
        x_axis: XAxis::Relative,
        ..Default::default()
    };
    let (svg, _) = render(&spec, (640, 300));
    let t = texts(&svg);
    assert!(
        t.contains(&"1h 20m".to_string()) || t.contains(&"1h".to_string()),
        "{t:?}"
    );
    assert!(t.contains(&"elapsed".to_string()));
}

#[test]
fn degenerate_charts_never_panic() {
    let x = [0.0, 1.0];
    let y = [1.0, 2.0];
    let empty: [f64; 0] = [];
    let one_x = [5.0];
    let one_y = [f64::NAN];
    let series = [
        SeriesView::new("a", &x, &y),
        SeriesView::new("empty", &empty, &empty),
        SeriesView::new("one", &one_x, &one_y),
    ];
    let specs = [
        ChartSpec::default(),
        ChartSpec {
            series: &series,
            hover_x: Some(f64::NAN),
            view: View {
                x: Some((f64::NAN, f64::INFINITY)),
                y: Some((3.0, 1.0)),
            },
            selection: Some(((-5, -5), (i32::MAX, i32::MIN))),
            ..Default::default()
        },
        ChartSpec {
            title: "t",
            series: &series,
            y_scale: YScale::Log10,
            view: View {
                x: Some((100.0, 200.0)),
                y: Some((-1.0, 0.0)),
            },
            ..Default::default()
        },
    ];
    for spec in &specs {
        for size in [(0, 0), (1, 1), (5, 400), (400, 5), (60, 40), (640, 360)] {
            let (svg, m) = render(spec, size);
            assert!(svg.starts_with("<svg"));
            assert!(
                m.x.0.is_finite() && m.x.1.is_finite() && m.y.0.is_finite() && m.y.1.is_finite()
            );
            assert!(
                m.plot.right >= m.plot.left && m.plot.bottom >= m.plot.top,
                "{size:?} {:?}",
                m.plot
            );
        }
    }
    // A series whose slices disagree is an error, not a panic.
    let short = [1.0];
    let bad = [SeriesView::new("bad", &x, &short)];
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, (100, 100)).into_drawing_area();
    match draw_chart(
        root,
        &ChartSpec {
            series: &bad,
            ..Default::default()
        },
    ) {
        Err(Error::LengthMismatch {
            what: "y",
            got: 1,
            points: 2,
            ..
        }) => {}
        other => panic!("expected a length mismatch, got {other:?}"),
    }
}
