//! One chart on a `<canvas>`: drawn by `aspara_charts::draw_chart` on plotters-canvas' backend when
//! on screen, with hover crosshair + tooltip, drag to zoom, double-click to reset, and PNG / SVG / CSV
//! export (SVG is the same drawing function on `SVGBackend::with_string`).
//!
//! The container carries `data-chart`, a JSON summary of what was drawn (series, colours, points,
//! first non-finite step), which the browser tests read; names inside it are JSON-escaped text.

use std::cell::RefCell;
use std::rc::Rc;

use aspara_charts::draw::PointKind;
use aspara_charts::{ChartMapping, ChartSpec, ChartStyle, CsvSeries, Rgb, SeriesView, View};
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::data::Plot;
use crate::hooks::use_visible;
use crate::model::format_float;
use crate::state::{ChartSettings, XAxis, YScale};
use aspara::format::reader::ValueKind;

/// One line of a chart: a run's series of this metric.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartLine {
    /// The legend / tooltip / CSV name (run name, or the metric name on a run page).
    pub label: String,
    /// The run's colour.
    pub color: Rgb,
    /// Points.
    pub plot: Rc<Plot>,
}

/// The lines of a chart, compared by identity: pages build them once per data change, and a
/// deep comparison of long series on every render would cost more than a redraw.
#[derive(Debug, Clone)]
pub struct Lines(pub Rc<Vec<ChartLine>>);

impl PartialEq for Lines {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Lines {
    type Target = [ChartLine];
    fn deref(&self) -> &[ChartLine] {
        &self.0
    }
}

/// Props of [`ChartCanvas`].
#[derive(Properties, PartialEq)]
pub struct ChartCanvasProps {
    /// The metric name: the title, drawn as text.
    pub title: AttrValue,
    /// The lines.
    pub lines: Lines,
    /// Shared chart settings.
    pub settings: ChartSettings,
    /// Zoom to an x range, or reset.
    pub on_zoom: Callback<Option<(f64, f64)>>,
    /// Show the legend inside the chart.
    #[prop_or(true)]
    pub legend: bool,
}

fn point_kind(k: ValueKind) -> PointKind {
    match k {
        ValueKind::Finite => PointKind::Finite,
        ValueKind::Nan => PointKind::NaN,
        ValueKind::PosInf => PointKind::PosInf,
        ValueKind::NegInf => PointKind::NegInf,
        ValueKind::NonFiniteUnknown => PointKind::Unknown,
    }
}

/// Per-line data derived once per (lines, smoothing): kinds in the charts' terms and the EMA.
struct Prepared {
    kinds: Vec<Vec<PointKind>>,
    smoothed: Vec<Option<Vec<f64>>>,
}

fn prepare(lines: &[ChartLine], smoothing: f64) -> Prepared {
    Prepared {
        kinds: lines
            .iter()
            .map(|l| l.plot.kinds.iter().copied().map(point_kind).collect())
            .collect(),
        smoothed: lines
            .iter()
            .map(|l| (smoothing > 0.0).then(|| aspara_charts::smooth::ema(&l.plot.y, smoothing)))
            .collect(),
    }
}

fn utc_offset_min() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

fn chart_x_axis(x: XAxis) -> aspara_charts::XAxis {
    match x {
        XAxis::Step => aspara_charts::XAxis::Step,
        XAxis::Wall => aspara_charts::XAxis::WallTime {
            utc_offset_min: utc_offset_min(),
        },
        XAxis::Relative => aspara_charts::XAxis::Relative,
    }
}

struct DrawArgs<'a> {
    title: &'a str,
    lines: &'a [ChartLine],
    prep: &'a Prepared,
    settings: &'a ChartSettings,
    hover_x: Option<f64>,
    selection: Option<((i32, i32), (i32, i32))>,
    scale: f64,
    legend: bool,
}

fn with_spec<R>(a: &DrawArgs<'_>, f: impl FnOnce(&ChartSpec<'_>) -> R) -> R {
    let views: Vec<SeriesView<'_>> = a
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut v = SeriesView::new(&l.label, &l.plot.x, &l.plot.y)
                .with_color(l.color)
                .with_kinds(&a.prep.kinds[i])
                .with_boolean(l.plot.is_bool);
            if let Some(s) = &a.prep.smoothed[i] {
                v = v.with_smoothed(s);
            }
            v
        })
        .collect();
    let spec = ChartSpec {
        title: a.title,
        x_label: "",
        series: &views,
        x_axis: chart_x_axis(a.settings.x_axis),
        y_scale: match a.settings.y_scale {
            YScale::Linear => aspara_charts::YScale::Linear,
            YScale::Log => aspara_charts::YScale::Log10,
        },
        view: View {
            x: a.settings.zoom,
            y: None,
        },
        hover_x: a.hover_x,
        selection: a.selection,
        style: ChartStyle {
            scale: a.scale,
            legend: a.legend,
            ..ChartStyle::default()
        },
    };
    f(&spec)
}

fn draw_canvas(canvas: &web_sys::HtmlCanvasElement, a: &DrawArgs<'_>) -> Option<ChartMapping> {
    let backend = plotters_canvas::CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    with_spec(a, |spec| aspara_charts::draw_chart(root, spec).ok())
}

fn svg_text(a: &DrawArgs<'_>, w: u32, h: u32) -> Option<String> {
    let mut out = String::new();
    {
        let backend = plotters::backend::SVGBackend::with_string(&mut out, (w, h));
        let root = backend.into_drawing_area();
        with_spec(a, |spec| aspara_charts::draw_chart(root, spec).ok())?;
    }
    Some(out)
}

fn download(href: &str, file: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        if let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() {
            a.set_href(href);
            a.set_download(file);
            a.click();
        }
    }
}

fn download_text(text: &str, mime: &str, file: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) {
        if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
            download(&url, file);
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    }
}

fn device_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(1.0)
        .min(3.0)
}

/// A tooltip row: label, colour, step, raw value and smoothed value.
#[derive(Debug, Clone, PartialEq)]
struct TipRow {
    label: String,
    color: String,
    step: u64,
    value: String,
    smoothed: Option<String>,
}

fn value_text(v: f64, k: ValueKind) -> String {
    match k {
        ValueKind::Finite => format_float(v),
        ValueKind::Nan => "NaN".into(),
        ValueKind::PosInf => "+inf".into(),
        ValueKind::NegInf => "-inf".into(),
        ValueKind::NonFiniteUnknown => "non-finite (null)".into(),
    }
}

/// A summary of the drawn chart for tests and tools (JSON text).
fn chart_state(title: &str, lines: &[ChartLine], m: Option<&ChartMapping>) -> String {
    let series: Vec<serde_json::Value> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let first_nonfinite = l
                .plot
                .kinds
                .iter()
                .position(|k| *k != ValueKind::Finite)
                .map(|p| l.plot.steps[p]);
            let nonfinite = l
                .plot
                .kinds
                .iter()
                .filter(|k| **k != ValueKind::Finite)
                .count();
            serde_json::json!({
                "label": l.label,
                "color": l.color.to_hex(),
                "points": l.plot.x.len(),
                "drawn": m.and_then(|m| m.points_drawn.get(i).copied()),
                "nonfinite": nonfinite,
                "first_nonfinite_step": first_nonfinite,
            })
        })
        .collect();
    serde_json::json!({
        "title": title,
        "series": series,
        "notes": m.map(|m| m.notes.clone()).unwrap_or_default(),
        "drawn": m.is_some(),
    })
    .to_string()
}

/// The chart component.
#[function_component(ChartCanvas)]
pub fn chart_canvas(props: &ChartCanvasProps) -> Html {
    let container = use_node_ref();
    let canvas = use_node_ref();
    let visible = use_visible(container.clone());
    let mapping: Rc<RefCell<Option<ChartMapping>>> = use_mut_ref(|| None);
    let hover = use_state(|| None::<(f64, f64, f64)>); // (x value, px, py) in CSS pixels
    let drag = use_mut_ref(|| None::<(f64, f64)>);
    let selection = use_state(|| None::<((i32, i32), (i32, i32))>);
    let drawn_state = use_state(|| chart_state(&props.title, &props.lines, None));
    let prep = use_memo(
        (props.lines.clone(), props.settings.smoothing),
        |(lines, w)| prepare(lines, *w),
    );
    let (w, h) = props.settings.size.pixels();
    let ratio = device_ratio();

    // Draw when on screen and whenever the data, settings, hover or selection change.
    {
        let canvas = canvas.clone();
        let mapping = mapping.clone();
        let lines = props.lines.clone();
        let title = props.title.clone();
        let settings = props.settings.clone();
        let prep = prep.clone();
        let drawn_state = drawn_state.clone();
        let legend = props.legend;
        use_effect_with(
            (visible, lines.clone(), settings.clone(), *hover, *selection),
            move |(visible, _, _, hover, sel)| {
                if *visible {
                    if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                        c.set_width((f64::from(w) * ratio) as u32);
                        c.set_height((f64::from(h) * ratio) as u32);
                        let args = DrawArgs {
                            title: &title,
                            lines: &lines,
                            prep: &prep,
                            settings: &settings,
                            hover_x: hover.map(|h| h.0),
                            selection: *sel,
                            scale: ratio,
                            legend,
                        };
                        let t = crate::bench::now_ms();
                        let m = draw_canvas(&c, &args);
                        crate::bench::record("lastDrawMs", crate::bench::now_ms() - t);
                        if hover.is_none() && sel.is_none() {
                            let s = chart_state(&title, &lines, m.as_ref());
                            if *drawn_state != s {
                                drawn_state.set(s);
                            }
                        }
                        *mapping.borrow_mut() = m;
                    }
                }
                || ()
            },
        );
    }

    let to_px = move |e: &MouseEvent| {
        (
            f64::from(e.offset_x()) * ratio,
            f64::from(e.offset_y()) * ratio,
        )
    };

    let on_move = {
        let mapping = mapping.clone();
        let hover = hover.clone();
        let drag = drag.clone();
        let selection = selection.clone();
        Callback::from(move |e: MouseEvent| {
            let (px, py) = to_px(&e);
            let m = mapping.borrow();
            let Some(m) = m.as_ref() else { return };
            if let Some(start) = *drag.borrow() {
                selection.set(Some((
                    (start.0 as i32, start.1 as i32),
                    (px as i32, py as i32),
                )));
                return;
            }
            if m.contains(px, py) {
                hover.set(Some((m.px_to_x(px), px / ratio, py / ratio)));
            } else if hover.is_some() {
                hover.set(None);
            }
        })
    };
    let on_leave = {
        let hover = hover.clone();
        let drag = drag.clone();
        let selection = selection.clone();
        Callback::from(move |_: MouseEvent| {
            hover.set(None);
            *drag.borrow_mut() = None;
            selection.set(None);
        })
    };
    let on_down = {
        let drag = drag.clone();
        let mapping = mapping.clone();
        Callback::from(move |e: MouseEvent| {
            let (px, py) = to_px(&e);
            if mapping
                .borrow()
                .as_ref()
                .is_some_and(|m| m.contains(px, py))
            {
                e.prevent_default();
                *drag.borrow_mut() = Some((px, py));
            }
        })
    };
    let on_up = {
        let drag = drag.clone();
        let mapping = mapping.clone();
        let selection = selection.clone();
        let on_zoom = props.on_zoom.clone();
        Callback::from(move |e: MouseEvent| {
            let start = drag.borrow_mut().take();
            selection.set(None);
            let (Some(a), Some(m)) = (start, mapping.borrow().clone()) else {
                return;
            };
            if let Some(v) = m.zoom_view(a, to_px(&e), 5.0 * ratio) {
                on_zoom.emit(v.x);
            }
        })
    };
    let on_dbl = {
        let on_zoom = props.on_zoom.clone();
        Callback::from(move |_: MouseEvent| on_zoom.emit(None))
    };

    let args_for_export = {
        let lines = props.lines.clone();
        let title = props.title.clone();
        let settings = props.settings.clone();
        let prep = prep.clone();
        let legend = props.legend;
        move |f: &dyn Fn(&DrawArgs<'_>)| {
            let args = DrawArgs {
                title: &title,
                lines: &lines,
                prep: &prep,
                settings: &settings,
                hover_x: None,
                selection: None,
                scale: 1.0,
                legend,
            };
            f(&args)
        }
    };
    let file = aspara_charts::sanitize_file_name(&props.title);
    let on_png = {
        let canvas = canvas.clone();
        let file = file.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(c) = canvas.cast::<web_sys::HtmlCanvasElement>() {
                if let Ok(url) = c.to_data_url() {
                    download(&url, &format!("{file}.png"));
                }
            }
        })
    };
    let on_svg = {
        let file = file.clone();
        let export = args_for_export.clone();
        Callback::from(move |_: MouseEvent| {
            export(&|a| {
                if let Some(svg) = svg_text(a, w, h) {
                    download_text(&svg, "image/svg+xml", &format!("{file}.svg"));
                }
            })
        })
    };
    let on_csv = {
        let lines = props.lines.clone();
        let file = file.clone();
        Callback::from(move |_: MouseEvent| {
            let series: Vec<CsvSeries<'_>> = lines
                .iter()
                .map(|l| CsvSeries {
                    name: &l.label,
                    steps: &l.plot.steps,
                    values: &l.plot.y,
                })
                .collect();
            download_text(
                &aspara_charts::to_csv(&series),
                "text/csv",
                &format!("{file}.csv"),
            );
        })
    };

    let tip: Vec<TipRow> = match *hover {
        Some((x, _, _)) => props
            .lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let idx = aspara_charts::nearest_index(&l.plot.x, x)?;
                Some(TipRow {
                    label: l.label.clone(),
                    color: l.color.to_hex(),
                    step: l.plot.steps[idx],
                    value: value_text(l.plot.y[idx], l.plot.kinds[idx]),
                    smoothed: prep.smoothed[i]
                        .as_ref()
                        .and_then(|s| s.get(idx))
                        .filter(|v| v.is_finite())
                        .map(|v| crate::model::format_short(*v)),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let tooltip = hover.map(|(_, px, py)| {
        let left = if px > f64::from(w) * 0.6 {
            px - 220.0
        } else {
            px + 14.0
        };
        let style = format!("left:{left:.0}px;top:{:.0}px", py + 10.0);
        html! {
            <div class="tooltip" {style}>
                { for tip.iter().map(|r| html! {
                    <div class="tip-row">
                        <span class="swatch" style={format!("background:{}", r.color)}></span>
                        <span class="tip-label">{ r.label.clone() }</span>
                        <span class="tip-step">{ format!("step {}", r.step) }</span>
                        <span class="tip-value">{ r.value.clone() }</span>
                        if let Some(s) = &r.smoothed {
                            <span class="tip-smooth">{ format!("(smoothed {s})") }</span>
                        }
                    </div>
                }) }
            </div>
        }
    });
    let style = format!("width:{w}px;height:{h}px");
    html! {
        <div class="chart" ref={container} data-chart={(*drawn_state).clone()}>
            <div class="chart-tools">
                <button class="tool" title="Download PNG" onclick={on_png}>{"PNG"}</button>
                <button class="tool" title="Download SVG" onclick={on_svg}>{"SVG"}</button>
                <button class="tool" title="Download CSV (series,step,value)" onclick={on_csv}>{"CSV"}</button>
                if props.settings.zoom.is_some() {
                    <button class="tool" title="Reset zoom (or double-click the chart)"
                        onclick={let z = props.on_zoom.clone(); Callback::from(move |_: MouseEvent| z.emit(None))}>
                        {"Reset zoom"}
                    </button>
                }
            </div>
            <div class="chart-body" style={style.clone()}>
                <canvas ref={canvas} {style} aria-label={props.title.clone()}
                    onmousemove={on_move} onmouseleave={on_leave} onmousedown={on_down}
                    onmouseup={on_up} ondblclick={on_dbl}></canvas>
                { tooltip.unwrap_or_default() }
            </div>
        </div>
    }
}
