//! The one drawing function: a line chart of one metric, on any plotters `DrawingBackend`.
//!
//! [`draw_chart`] draws the title, a grid with tick labels, one line per series in the series' colour
//! (the raw line faint behind the smoothed one when smoothing is on), non-finite markers, notes, an
//! optional legend, an optional hover crosshair and an optional drag-to-zoom rectangle. It returns a
//! [`ChartMapping`] that converts pixels to data and back, so the caller implements hover (nearest step
//! via [`nearest_index`]) and zoom (a new [`View`]) without knowing the layout.
//!
//! How non-finite values look (cases B01, B03, B04, B33):
//! * No line segment touches a non-finite point: lines break there, and a finite point left without
//!   neighbours is drawn as a dot.
//! * NaN (and non-finite of unknown kind) is a diamond on the x-axis at its step; `+inf` a triangle
//!   pinned to the top edge, `−inf` a triangle pinned to the bottom edge. They never move the domain.
//! * On a log axis, values `<= 0` are hidden, counted in a note, and break the line like a gap.
//!
//! Each redraw downsamples the visible range of every series from its full data (see
//! [`crate::downsample`]); the plot area clips lines, so a zoomed view draws lines up to its edges.

use crate::colors::{Rgb, TABLEAU10};
use crate::downsample::{downsample_into, downsample_sorted_into, visible_range};
use crate::range::{self, Ticks, YDomain, YScale};
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Errors of [`draw_chart`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The drawing backend failed (the message is the backend's).
    #[error("drawing backend failed: {0}")]
    Backend(String),
    /// A series' slices do not have one entry per point.
    #[error("series {name:?}: {what} has {got} entries for {points} points")]
    LengthMismatch {
        /// The series name.
        name: String,
        /// Which slice is off (`y`, `smoothed`, `kinds`).
        what: &'static str,
        /// Its length.
        got: usize,
        /// The number of x values.
        points: usize,
    },
}

/// `Result` with this module's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// What a value is, for markers and tooltips. The reader distinguishes NaN, ±inf and "non-finite of
/// unknown kind" (a `null` in the file, cases README "Values").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointKind {
    /// A finite number.
    Finite,
    /// NaN.
    NaN,
    /// `+inf`.
    PosInf,
    /// `-inf`.
    NegInf,
    /// Non-finite, kind unknown (`null`).
    Unknown,
}

impl PointKind {
    /// The kind of a value as an `f64` shows it (NaN can't tell NaN from unknown: it says NaN).
    pub fn of(v: f64) -> PointKind {
        if v.is_finite() {
            PointKind::Finite
        } else if v.is_nan() {
            PointKind::NaN
        } else if v > 0.0 {
            PointKind::PosInf
        } else {
            PointKind::NegInf
        }
    }

    /// Tooltip text of value `v` of this kind: the shortest round-trip number, `true`/`false` for a
    /// boolean metric, `NaN`, `+Infinity`, `-Infinity`, or `non-finite` (B01, B03, B16, B17).
    pub fn label(self, v: f64, boolean: bool) -> String {
        match self {
            PointKind::Unknown => "non-finite".to_string(),
            PointKind::Finite if boolean && (v == 0.0 || v == 1.0) => {
                if v == 1.0 { "true" } else { "false" }.to_string()
            }
            PointKind::Finite => range::format_value(v),
            PointKind::NaN => "NaN".to_string(),
            PointKind::PosInf => "+Infinity".to_string(),
            PointKind::NegInf => "-Infinity".to_string(),
        }
    }
}

/// One line of a chart: borrowed full-resolution data plus how to draw it.
#[derive(Debug, Clone, Copy)]
pub struct SeriesView<'a> {
    /// Legend and tooltip name (drawn as text, never markup).
    pub name: &'a str,
    /// x of each point (step, Unix ms, or ms since start), ascending for the fast path.
    pub x: &'a [f64],
    /// Raw values, one per x; non-finite values are gaps and markers.
    pub y: &'a [f64],
    /// The kind of each value, when the reader knows more than the `f64` says (`null` = unknown).
    pub kinds: Option<&'a [PointKind]>,
    /// Smoothed values (see [`crate::smooth`]), one per x; drawn over a faint raw line.
    pub smoothed: Option<&'a [f64]>,
    /// Line colour (see [`crate::colors`]).
    pub color: Rgb,
    /// The metric is boolean (B17): ticks read `false`/`true`.
    pub boolean: bool,
}

impl<'a> SeriesView<'a> {
    /// A series with the first palette colour, no smoothing and kinds taken from the values.
    pub fn new(name: &'a str, x: &'a [f64], y: &'a [f64]) -> Self {
        SeriesView {
            name,
            x,
            y,
            kinds: None,
            smoothed: None,
            color: TABLEAU10[0],
            boolean: false,
        }
    }

    /// Sets the colour.
    pub fn with_color(mut self, color: Rgb) -> Self {
        self.color = color;
        self
    }

    /// Sets the smoothed values.
    pub fn with_smoothed(mut self, smoothed: &'a [f64]) -> Self {
        self.smoothed = Some(smoothed);
        self
    }

    /// Sets the value kinds.
    pub fn with_kinds(mut self, kinds: &'a [PointKind]) -> Self {
        self.kinds = Some(kinds);
        self
    }

    /// Marks the metric as boolean.
    pub fn with_boolean(mut self, boolean: bool) -> Self {
        self.boolean = boolean;
        self
    }

    /// The kind of point `i`.
    pub fn kind(&self, i: usize) -> PointKind {
        match (self.kinds.and_then(|k| k.get(i)), self.y.get(i)) {
            (Some(&k), _) => k,
            (None, Some(&v)) => PointKind::of(v),
            (None, None) => PointKind::Unknown,
        }
    }

    /// Whether any value is finite.
    pub fn has_finite(&self) -> bool {
        self.y.iter().any(|v| v.is_finite())
    }

    fn check(&self) -> Result<()> {
        let points = self.x.len();
        let lens = [
            ("y", Some(self.y.len())),
            ("smoothed", self.smoothed.map(<[f64]>::len)),
            ("kinds", self.kinds.map(<[PointKind]>::len)),
        ];
        for (what, got) in lens {
            if let Some(got) = got.filter(|&g| g != points) {
                return Err(Error::LengthMismatch {
                    name: self.name.to_string(),
                    what,
                    got,
                    points,
                });
            }
        }
        Ok(())
    }
}

/// What the x values are, for tick labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XAxis {
    /// Steps (integers), labelled `500k`, `1.2M`.
    #[default]
    Step,
    /// Unix milliseconds, labelled in the viewer's local time (`utc_offset_min` minutes east of UTC).
    WallTime {
        /// Minutes east of UTC.
        utc_offset_min: i32,
    },
    /// Milliseconds since the run started, labelled as durations (`1h 20m`).
    Relative,
}

impl XAxis {
    fn default_label(self) -> &'static str {
        match self {
            XAxis::Step => "step",
            XAxis::WallTime { .. } => "time",
            XAxis::Relative => "elapsed",
        }
    }
}

/// The visible region, in data units; `None` on an axis means "fit the data".
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct View {
    /// Visible x-range `(lo, hi)`.
    pub x: Option<(f64, f64)>,
    /// Visible y-range `(lo, hi)` in values (not logs, also on a log axis).
    pub y: Option<(f64, f64)>,
}

/// Sizes and colours. `scale` multiplies every size (device pixel ratio).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartStyle {
    /// Multiplies fonts, margins, line widths and markers.
    pub scale: f64,
    /// Width of series lines, before `scale`.
    pub line_width: f64,
    /// Allow the legend; it is drawn for overlays (more than one series) and whenever a series has no
    /// finite value (its entry carries the note).
    pub legend: bool,
    /// Background.
    pub background: Rgb,
    /// Text and axis colour.
    pub foreground: Rgb,
    /// Grid line colour.
    pub grid: Rgb,
}

impl Default for ChartStyle {
    fn default() -> Self {
        ChartStyle {
            scale: 1.0,
            line_width: 1.5,
            legend: true,
            background: Rgb(255, 255, 255),
            foreground: Rgb(0x33, 0x33, 0x33),
            grid: Rgb(0xe5, 0xe5, 0xe5),
        }
    }
}

/// Everything [`draw_chart`] needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChartSpec<'a> {
    /// Chart title (the metric name; drawn as text).
    pub title: &'a str,
    /// x-axis caption; empty for the axis default (`step`, `time`, `elapsed`).
    pub x_label: &'a str,
    /// The lines.
    pub series: &'a [SeriesView<'a>],
    /// What x is.
    pub x_axis: XAxis,
    /// Linear or log10 y.
    pub y_scale: YScale,
    /// Zoom.
    pub view: View,
    /// Draw a crosshair and highlight each series' point nearest to this x.
    pub hover_x: Option<f64>,
    /// A drag-to-zoom rectangle in pixels, two corners in any order.
    pub selection: Option<((i32, i32), (i32, i32))>,
    /// Sizes and colours.
    pub style: ChartStyle,
}

/// The plot rectangle in backend pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotRect {
    /// Left edge.
    pub left: i32,
    /// Top edge.
    pub top: i32,
    /// Right edge (`>= left`).
    pub right: i32,
    /// Bottom edge (`>= top`).
    pub bottom: i32,
}

impl PlotRect {
    /// Width in pixels.
    pub fn width(&self) -> i32 {
        self.right - self.left
    }

    /// Height in pixels.
    pub fn height(&self) -> i32 {
        self.bottom - self.top
    }

    /// Whether a pixel is inside (edges included).
    pub fn contains(&self, px: f64, py: f64) -> bool {
        px >= f64::from(self.left)
            && px <= f64::from(self.right)
            && py >= f64::from(self.top)
            && py <= f64::from(self.bottom)
    }
}

/// A highlighted hover point: series `series`' point `index` (into its full data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoverHit {
    /// Index into [`ChartSpec::series`].
    pub series: usize,
    /// Index into that series' slices.
    pub index: usize,
}

/// The layout of a drawn chart: pixels ↔ data, plus what was drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartMapping {
    /// Where the data is drawn.
    pub plot: PlotRect,
    /// Visible x-range.
    pub x: (f64, f64),
    /// Visible y-range in axis space (`log10` of values on a log axis).
    pub y: (f64, f64),
    /// The y scale.
    pub y_scale: YScale,
    /// The y-domain as computed from the data (with its counts), before any zoom.
    pub domain: YDomain,
    /// Notes drawn on the chart (`2 non-positive values hidden`, `no finite values`).
    pub notes: Vec<String>,
    /// Per series, how many of its raw points were drawn (after downsampling).
    pub points_drawn: Vec<usize>,
    /// Points highlighted by the hover crosshair.
    pub hover: Vec<HoverHit>,
}

/// `(v - lo) / (hi - lo)` without overflowing for domains near ±f64::MAX.
fn frac(v: f64, lo: f64, hi: f64) -> f64 {
    let span = hi / 2.0 - lo / 2.0;
    if span > 0.0 {
        (v / 2.0 - lo / 2.0) / span
    } else {
        0.5
    }
}

fn lerp(t: f64, lo: f64, hi: f64) -> f64 {
    // `lo + t*(hi - lo)`, halved to stay finite.
    2.0 * (lo / 2.0 + t * (hi / 2.0 - lo / 2.0))
}

impl ChartMapping {
    /// Pixel column of an x value.
    pub fn x_to_px(&self, x: f64) -> f64 {
        f64::from(self.plot.left) + frac(x, self.x.0, self.x.1) * f64::from(self.plot.width())
    }

    /// Pixel row of an axis-space y (value, or `log10` of it on a log axis).
    pub fn axis_to_py(&self, a: f64) -> f64 {
        f64::from(self.plot.bottom) - frac(a, self.y.0, self.y.1) * f64::from(self.plot.height())
    }

    /// Pixel row of a value; `None` when the scale cannot place it (non-finite, `<= 0` on log).
    pub fn y_to_py(&self, value: f64) -> Option<f64> {
        self.y_scale.to_axis(value).map(|a| self.axis_to_py(a))
    }

    /// The x value at a pixel column.
    pub fn px_to_x(&self, px: f64) -> f64 {
        let t = (px - f64::from(self.plot.left)) / f64::from(self.plot.width().max(1));
        lerp(t, self.x.0, self.x.1)
    }

    /// The value at a pixel row (`10^a` on a log axis).
    pub fn py_to_y(&self, py: f64) -> f64 {
        let t = (f64::from(self.plot.bottom) - py) / f64::from(self.plot.height().max(1));
        self.y_scale.from_axis(lerp(t, self.y.0, self.y.1))
    }

    /// Whether a pixel is inside the plot area.
    pub fn contains(&self, px: f64, py: f64) -> bool {
        self.plot.contains(px, py)
    }

    /// The view selected by dragging from `a` to `b` (pixels), or `None` when the rectangle is smaller
    /// than `min_px` in either direction.
    pub fn zoom_view(&self, a: (f64, f64), b: (f64, f64), min_px: f64) -> Option<View> {
        if (a.0 - b.0).abs() < min_px || (a.1 - b.1).abs() < min_px {
            return None;
        }
        let clamp_x = |p: f64| p.clamp(f64::from(self.plot.left), f64::from(self.plot.right));
        let clamp_y = |p: f64| p.clamp(f64::from(self.plot.top), f64::from(self.plot.bottom));
        let (x0, x1) = (self.px_to_x(clamp_x(a.0)), self.px_to_x(clamp_x(b.0)));
        let (y0, y1) = (self.py_to_y(clamp_y(a.1)), self.py_to_y(clamp_y(b.1)));
        let x = (x0.min(x1), x0.max(x1));
        let y = (y0.min(y1), y0.max(y1));
        (x.0 < x.1 && y.0 < y.1).then_some(View {
            x: Some(x),
            y: Some(y),
        })
    }
}

/// The index of the x nearest to `x` (ties go to the lower index); `None` for an empty slice or a NaN
/// `x`. Binary search for ascending `xs`, a linear scan otherwise; non-finite entries are never chosen.
pub fn nearest_index(xs: &[f64], x: f64) -> Option<usize> {
    if x.is_nan() || xs.is_empty() {
        return None;
    }
    let better = |best: Option<usize>, i: usize| -> Option<usize> {
        if !xs[i].is_finite() {
            return best;
        }
        match best {
            Some(b) if (xs[b] - x).abs() <= (xs[i] - x).abs() => Some(b),
            _ => Some(i),
        }
    };
    if xs.is_sorted_by(|a, b| a <= b) {
        let p = xs.partition_point(|&v| v < x);
        let mut best = None;
        for i in [p.wrapping_sub(1), p] {
            if i < xs.len() {
                best = better(best, i);
            }
        }
        // Equal x values: prefer the first of the run.
        if let Some(b) = best {
            let first = xs.partition_point(|&v| v < xs[b]);
            return Some(first);
        }
        return best;
    }
    (0..xs.len()).fold(None, better)
}

/// [`nearest_index`] for `xs` the caller knows is ascending: a binary search only, no sortedness
/// pass (hover runs on every mouse move). On unsorted input the answer is a valid index, but not
/// necessarily the nearest.
pub fn nearest_index_sorted(xs: &[f64], x: f64) -> Option<usize> {
    if x.is_nan() || xs.is_empty() {
        return None;
    }
    let p = xs.partition_point(|&v| v < x);
    let candidates = [p.checked_sub(1), (p < xs.len()).then_some(p)];
    let best = candidates
        .into_iter()
        .flatten()
        .filter(|&i| xs[i].is_finite())
        .min_by(|&a, &b| (xs[a] - x).abs().total_cmp(&(xs[b] - x).abs()))?;
    // Equal x values: the first of the run.
    Some(xs.partition_point(|&v| v < xs[best]))
}

/// The text of an x value for a tooltip: the exact step (`1,000,000`), a local date-time, or a
/// duration, per axis.
pub fn format_x(axis: XAxis, x: f64) -> String {
    match axis {
        XAxis::Step if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 2f64.powi(64) => {
            range::format_step(x as u64)
        }
        XAxis::Step => range::format_value(x),
        XAxis::WallTime { utc_offset_min } => range::format_wall_time(x, utc_offset_min),
        XAxis::Relative => range::format_duration(x, 3),
    }
}

/// One line of a hover tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct TooltipRow {
    /// The series name (plain text; escape it when building markup).
    pub name: String,
    /// The series colour.
    pub color: Rgb,
    /// The point's x, formatted for the axis.
    pub x: String,
    /// The raw value (`0.5`, `5e-324`, `NaN`, `+Infinity`, `non-finite`, `true`).
    pub value: String,
    /// The smoothed value, when smoothing is on and the point has one.
    pub smoothed: Option<String>,
}

/// The tooltip rows for hover hits (as returned in [`ChartMapping::hover`]); hits that do not name a
/// point of `spec` are skipped.
pub fn tooltip_rows(spec: &ChartSpec<'_>, hits: &[HoverHit]) -> Vec<TooltipRow> {
    hits.iter()
        .filter_map(|h| {
            let s = spec.series.get(h.series)?;
            let (&x, &v) = (s.x.get(h.index)?, s.y.get(h.index)?);
            let smoothed = s
                .smoothed
                .and_then(|sm| sm.get(h.index).copied())
                .filter(|v| v.is_finite())
                .map(range::format_value);
            Some(TooltipRow {
                name: s.name.to_string(),
                color: s.color,
                x: format_x(spec.x_axis, x),
                value: s.kind(h.index).label(v, s.boolean),
                smoothed,
            })
        })
        .collect()
}

/// Clips the segment `a`–`b` to `r` (Liang–Barsky); `None` when it lies outside.
fn clip_segment(a: (f64, f64), b: (f64, f64), r: &PlotRect) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut t0 = 0.0_f64;
    let mut t1 = 1.0_f64;
    let edges = [
        (-dx, a.0 - f64::from(r.left)),
        (dx, f64::from(r.right) - a.0),
        (-dy, a.1 - f64::from(r.top)),
        (dy, f64::from(r.bottom) - a.1),
    ];
    for (p, q) in edges {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    Some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

/// Clips a polyline to `r`, splitting it where it leaves the rectangle.
fn clip_polyline(points: &[(f64, f64)], r: &PlotRect) -> Vec<Vec<(i32, i32)>> {
    let mut out: Vec<Vec<(i32, i32)>> = Vec::new();
    let mut current: Vec<(i32, i32)> = Vec::new();
    let px = |p: (f64, f64)| (p.0.round() as i32, p.1.round() as i32);
    for w in points.windows(2) {
        match clip_segment(w[0], w[1], r) {
            Some((s, e)) => {
                let (s, e) = (px(s), px(e));
                if current.last() != Some(&s) {
                    if current.len() >= 2 {
                        out.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(s);
                }
                if current.last() != Some(&e) {
                    current.push(e);
                }
            }
            None => {
                if current.len() >= 2 {
                    out.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        out.push(current);
    } else if current.len() == 1 && out.is_empty() && points.len() >= 2 {
        // A segment shorter than a pixel still draws as a dot-sized line.
        out.push(vec![current[0], current[0]]);
    }
    out
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

const FONT: &str = "sans-serif";

/// Padding of an auto-fitted x-range, as a fraction of the data's x-span.
const X_PADDING: f64 = 0.02;

/// Estimated width of `text` in pixels at `size` (sans-serif averages ~0.6 em per character).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.6
}

/// Shortens `s` to at most `max` characters with a trailing `…`.
fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

struct Painter<'r, DB: DrawingBackend> {
    root: &'r DrawingArea<DB, Shift>,
    /// Multiplies font sizes: plotters-svg writes `font-size` as the requested size / 1.24 while the
    /// canvas backend uses it as CSS pixels, so SVG exports get 1.24 to match the dashboard.
    font_factor: f64,
}

impl<DB: DrawingBackend> Painter<'_, DB> {
    fn draw<E>(&self, e: &E) -> Result<()>
    where
        for<'b> &'b E: PointCollection<'b, (i32, i32)>,
        E: Drawable<DB>,
    {
        self.root
            .draw(e)
            .map_err(|err| Error::Backend(err.to_string()))
    }

    fn text(&self, s: &str, at: (f64, f64), size: f64, color: Rgb, pos: Pos) -> Result<()> {
        if s.is_empty() || size <= 0.0 {
            return Ok(());
        }
        let c = rgb(color);
        let style = TextStyle::from((FONT, size * self.font_factor).into_font())
            .color(&c)
            .pos(pos);
        self.draw(&Text::new(
            s.to_string(),
            (at.0.round() as i32, at.1.round() as i32),
            style,
        ))
    }

    fn line(&self, points: Vec<(i32, i32)>, style: ShapeStyle) -> Result<()> {
        self.draw(&PathElement::new(points, style))
    }
}

/// Visible part of one series: the index range inside the x-range (sorted x), or everything.
struct Visible {
    sorted: bool,
    range: std::ops::Range<usize>,
}

fn is_ascending(x: &[f64]) -> bool {
    x.is_sorted_by(|a, b| a <= b)
        && x.first().is_some_and(|v| v.is_finite())
        && x.last().is_some_and(|v| v.is_finite())
}

fn visible_of(s: &SeriesView<'_>, sorted: bool, x: (f64, f64)) -> Visible {
    Visible {
        sorted,
        range: if sorted {
            visible_range(s.x, x.0, x.1)
        } else {
            0..s.x.len()
        },
    }
}

/// The data's x-range over all series, or `None` when no point has a finite x.
fn data_x_range(series: &[SeriesView<'_>], sorted: &[bool]) -> Option<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (s, &sorted) in series.iter().zip(sorted) {
        match (sorted, s.x.first(), s.x.last()) {
            (true, Some(&f), Some(&l)) if f.is_finite() && l.is_finite() => {
                lo = lo.min(f);
                hi = hi.max(l);
            }
            _ => {
                for &v in s.x.iter().filter(|v| v.is_finite()) {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    (lo <= hi).then_some((lo, hi))
}

fn valid_range(r: Option<(f64, f64)>) -> Option<(f64, f64)> {
    r.filter(|(lo, hi)| lo.is_finite() && hi.is_finite() && lo < hi)
}

/// Draws one chart into `root` and returns its pixel ↔ data mapping.
///
/// Never panics on degenerate input: an empty spec, series without points, or a 0×0 area draw what
/// fits (possibly nothing) and still return a mapping with finite ranges.
pub fn draw_chart<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    spec: &ChartSpec<'_>,
) -> Result<ChartMapping> {
    for s in spec.series {
        s.check()?;
    }
    let st = &spec.style;
    let k = if st.scale.is_finite() && st.scale > 0.0 {
        st.scale
    } else {
        1.0
    };
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let font_factor = if std::any::type_name::<DB>().contains("SVGBackend") {
        1.24
    } else {
        1.0
    };
    let p = Painter {
        root: &root,
        font_factor,
    };
    root.fill(&rgb(st.background))
        .map_err(|e| Error::Backend(e.to_string()))?;

    // --- domains -------------------------------------------------------------------------------
    // One sortedness pass per series and redraw; everything after reuses it.
    let sorted: Vec<bool> = spec.series.iter().map(|s| is_ascending(s.x)).collect();
    let x_range = valid_range(spec.view.x)
        .or_else(|| {
            data_x_range(spec.series, &sorted).map(|(lo, hi)| {
                if lo < hi {
                    // 2 % on each side, so points, dots and markers at the first and last step sit
                    // inside the frame instead of on it.
                    let pad = hi * X_PADDING - lo * X_PADDING;
                    (lo - pad, hi + pad)
                } else {
                    // A single x: widen by one step (or one second on a time axis).
                    let d = if spec.x_axis == XAxis::Step {
                        1.0
                    } else {
                        1000.0
                    };
                    (lo - d, hi + d)
                }
            })
        })
        .unwrap_or((0.0, 1.0));
    let visible: Vec<Visible> = spec
        .series
        .iter()
        .zip(&sorted)
        .map(|(s, &sorted)| visible_of(s, sorted, x_range))
        .collect();
    let domain = range::y_domain(
        spec.series
            .iter()
            .zip(&visible)
            .map(|(s, v)| &s.y[v.range.clone()]),
        spec.y_scale,
    );
    let all_bool = !spec.series.is_empty() && spec.series.iter().all(|s| s.boolean);
    let user_y = valid_range(spec.view.y).and_then(|(lo, hi)| {
        let lo = spec.y_scale.to_axis(lo)?;
        let hi = spec.y_scale.to_axis(hi)?;
        (lo < hi).then_some((lo, hi))
    });
    let y_range = match user_y {
        Some(r) => r,
        None if all_bool && spec.y_scale == YScale::Linear => (-0.1, 1.1),
        None => (domain.lo, domain.hi),
    };

    // --- layout --------------------------------------------------------------------------------
    let font = 12.0 * k;
    let title_font = 14.0 * k;
    let top = if spec.title.is_empty() {
        10.0 * k
    } else {
        8.0 * k + title_font + 8.0 * k
    };
    let bottom_margin = 6.0 * k + font + 4.0 * k + font + 6.0 * k;
    let right_margin = 16.0 * k;
    let plot_h_guess = (h - top - bottom_margin).max(0.0);
    let y_ticks: Ticks = if all_bool && spec.y_scale == YScale::Linear && user_y.is_none() {
        range::bool_ticks()
    } else {
        let target = (plot_h_guess / (40.0 * k)).clamp(2.0, 10.0) as usize;
        match spec.y_scale {
            YScale::Linear => range::linear_ticks(y_range.0, y_range.1, target),
            YScale::Log10 => range::log_ticks(y_range.0, y_range.1, target),
        }
    };
    let label_w = y_ticks
        .labels
        .iter()
        .map(|l| text_width(l, font))
        .fold(0.0, f64::max);
    let left = (8.0 * k + label_w + 8.0 * k).min(w * 0.4);
    let plot = PlotRect {
        left: left.round() as i32,
        top: top.min(h).round() as i32,
        right: (w - right_margin).max(left).round() as i32,
        bottom: (h - bottom_margin).max(top.min(h)).round() as i32,
    };
    let plot_w_px = plot.width().max(0) as u32;
    let x_ticks = {
        let target = (f64::from(plot.width()) / (90.0 * k)).clamp(2.0, 10.0) as usize;
        match spec.x_axis {
            XAxis::Step => range::step_ticks(x_range.0, x_range.1, target),
            XAxis::WallTime { utc_offset_min } => {
                range::wall_time_ticks(x_range.0, x_range.1, target, utc_offset_min)
            }
            XAxis::Relative => range::relative_time_ticks(x_range.0, x_range.1, target),
        }
    };
    let mut mapping = ChartMapping {
        plot,
        x: x_range,
        y: y_range,
        y_scale: spec.y_scale,
        domain,
        notes: Vec::new(),
        points_drawn: vec![0; spec.series.len()],
        hover: Vec::new(),
    };
    if domain.hidden_nonpositive > 0 || domain.is_default() {
        if let Some(n) = domain.note() {
            mapping.notes.push(n);
        }
    }
    // Points without a usable x (say, no timestamp on a wall-time axis) cannot be placed; say so
    // rather than drop them silently. An ascending x is finite throughout, so only others are scanned.
    let no_x: usize = spec
        .series
        .iter()
        .zip(&sorted)
        .filter(|(_, sorted)| !**sorted)
        .map(|(s, _)| s.x.iter().filter(|v| !v.is_finite()).count())
        .sum();
    if no_x > 0 {
        mapping.notes.push(if no_x == 1 {
            "1 point without an x value hidden".to_string()
        } else {
            format!("{no_x} points without an x value hidden")
        });
    }

    // --- title, grid, axes ---------------------------------------------------------------------
    // A long metric name is shortened to the chart width rather than running off both edges.
    let title_chars = (w / (title_font * 0.6)).floor().max(1.0) as usize;
    p.text(
        &ellipsize(spec.title, title_chars),
        (w / 2.0, 8.0 * k),
        title_font,
        st.foreground,
        Pos::new(HPos::Center, VPos::Top),
    )?;
    if plot.width() < 2 || plot.height() < 2 {
        // Nothing fits: the background (and maybe the title) is the whole chart.
        return Ok(mapping);
    }
    let grid = ShapeStyle::from(&rgb(st.grid)).stroke_width(1);
    let axis = ShapeStyle::from(&rgb(st.foreground)).stroke_width(1);
    for (pos, label) in y_ticks.positions.iter().zip(&y_ticks.labels) {
        let py = mapping.axis_to_py(*pos).round() as i32;
        if py < plot.top || py > plot.bottom {
            continue;
        }
        p.line(vec![(plot.left, py), (plot.right, py)], grid)?;
        p.text(
            label,
            (f64::from(plot.left) - 6.0 * k, f64::from(py)),
            font,
            st.foreground,
            Pos::new(HPos::Right, VPos::Center),
        )?;
    }
    let mut last_label_end = f64::NEG_INFINITY;
    for (pos, label) in x_ticks.positions.iter().zip(&x_ticks.labels) {
        let px = mapping.x_to_px(*pos);
        if px < f64::from(plot.left) - 0.5 || px > f64::from(plot.right) + 0.5 {
            continue;
        }
        let pxi = px.round() as i32;
        p.line(vec![(pxi, plot.top), (pxi, plot.bottom)], grid)?;
        // Skip a label that would overlap the previous one.
        let half = text_width(label, font) / 2.0;
        if px - half < last_label_end + 6.0 * k {
            continue;
        }
        last_label_end = px + half;
        p.text(
            label,
            (px, f64::from(plot.bottom) + 5.0 * k),
            font,
            st.foreground,
            Pos::new(HPos::Center, VPos::Top),
        )?;
    }
    let x_label = if spec.x_label.is_empty() {
        spec.x_axis.default_label()
    } else {
        spec.x_label
    };
    p.text(
        x_label,
        (
            f64::from(plot.left + plot.right) / 2.0,
            f64::from(plot.bottom) + 5.0 * k + font + 4.0 * k,
        ),
        font,
        st.foreground,
        Pos::new(HPos::Center, VPos::Top),
    )?;
    p.draw(&Rectangle::new(
        [(plot.left, plot.top), (plot.right, plot.bottom)],
        axis,
    ))?;

    // --- series --------------------------------------------------------------------------------
    // The legend names the runs of an overlay, and carries the "no finite values" note (B04).
    let legend =
        st.legend && (spec.series.len() > 1 || spec.series.iter().any(|s| !s.has_finite()));
    let line_w = (st.line_width * k).round().max(1.0) as u32;
    let dot_r = (2.5 * k).round().max(2.0) as u32;
    let marker = 5.0 * k;
    let mut idx: Vec<usize> = Vec::new();
    let mut pts: Vec<(f64, f64)> = Vec::new();
    for (si, (s, vis)) in spec.series.iter().zip(&visible).enumerate() {
        let color = rgb(s.color);
        let layers: Vec<(&[f64], ShapeStyle, bool)> = match s.smoothed {
            Some(sm) => vec![
                (
                    s.y,
                    ShapeStyle::from(&color.mix(0.25)).stroke_width(1),
                    true,
                ),
                (sm, ShapeStyle::from(&color).stroke_width(line_w), false),
            ],
            None => vec![(s.y, ShapeStyle::from(&color).stroke_width(line_w), true)],
        };
        for (values, style, is_raw) in layers {
            // The faint raw line behind a smoothed one gets smaller dots, so it stays background.
            let layer_dot = if is_raw && s.smoothed.is_some() {
                dot_r.saturating_sub(1).max(1)
            } else {
                dot_r
            };
            if vis.sorted {
                downsample_sorted_into(s.x, values, Some(x_range), plot_w_px, &mut idx);
            } else {
                downsample_into(s.x, values, Some(x_range), plot_w_px, &mut idx);
            }
            if vis.sorted {
                // The points just outside the view, so lines run to the plot edges when zoomed.
                if vis.range.start > 0 {
                    idx.insert(0, vis.range.start - 1);
                }
                if vis.range.end < s.x.len() {
                    idx.push(vis.range.end);
                }
            }
            if is_raw {
                mapping.points_drawn[si] = idx
                    .iter()
                    .filter(|&&i| s.x[i] >= x_range.0 && s.x[i] <= x_range.1)
                    .count();
            }
            pts.clear();
            for &i in &idx {
                let px = mapping.x_to_px(s.x[i]);
                match spec.y_scale.to_axis(values[i]) {
                    Some(a) if s.x[i].is_finite() => {
                        pts.push((px, mapping.axis_to_py(a)));
                    }
                    _ => {
                        flush_run(&p, &mut pts, &plot, style, layer_dot)?;
                        if is_raw && s.x[i].is_finite() && plot.contains(px, f64::from(plot.top)) {
                            draw_marker(&p, s.kind(i), values[i], px, &plot, marker, color)?;
                        }
                    }
                }
            }
            flush_run(&p, &mut pts, &plot, style, layer_dot)?;
        }
        if !s.has_finite() && !legend {
            mapping
                .notes
                .push(format!("{}: {}", s.name, range::NO_FINITE_VALUES));
        }
    }

    // --- notes ---------------------------------------------------------------------------------
    let note_font = 11.0 * k;
    for (n, note) in mapping.notes.iter().enumerate() {
        p.text(
            note,
            (
                f64::from(plot.left) + 6.0 * k,
                f64::from(plot.top) + 6.0 * k + n as f64 * (note_font + 4.0 * k),
            ),
            note_font,
            st.foreground,
            Pos::new(HPos::Left, VPos::Top),
        )?;
    }

    // --- legend --------------------------------------------------------------------------------
    if legend {
        draw_legend(&p, spec, &plot, k)?;
    }

    // --- hover ---------------------------------------------------------------------------------
    if let Some(hx) = spec.hover_x.filter(|v| v.is_finite()) {
        let px = mapping.x_to_px(hx);
        if px >= f64::from(plot.left) && px <= f64::from(plot.right) {
            let pxi = px.round() as i32;
            let cross = ShapeStyle::from(&rgb(st.foreground).mix(0.5)).stroke_width(1);
            p.line(vec![(pxi, plot.top), (pxi, plot.bottom)], cross)?;
            for (si, (s, vis)) in spec.series.iter().zip(&visible).enumerate() {
                let nearest = if vis.sorted {
                    nearest_index_sorted(s.x, hx)
                } else {
                    nearest_index(s.x, hx)
                };
                let Some(i) = nearest else {
                    continue;
                };
                mapping.hover.push(HoverHit {
                    series: si,
                    index: i,
                });
                let v = s.smoothed.map_or(s.y[i], |sm| sm[i]);
                let (cx, cy) = (mapping.x_to_px(s.x[i]), mapping.y_to_py(v));
                if let Some(cy) = cy.filter(|&cy| plot.contains(cx, cy)) {
                    let c = rgb(s.color);
                    p.draw(&Circle::new(
                        (cx.round() as i32, cy.round() as i32),
                        dot_r + 2,
                        ShapeStyle::from(&c).filled(),
                    ))?;
                    p.draw(&Circle::new(
                        (cx.round() as i32, cy.round() as i32),
                        dot_r + 2,
                        ShapeStyle::from(&rgb(st.background)).stroke_width(1),
                    ))?;
                }
            }
        }
    }

    // --- selection -----------------------------------------------------------------------------
    if let Some((a, b)) = spec.selection {
        let x0 = a.0.min(b.0).clamp(plot.left, plot.right);
        let x1 = a.0.max(b.0).clamp(plot.left, plot.right);
        let y0 = a.1.min(b.1).clamp(plot.top, plot.bottom);
        let y1 = a.1.max(b.1).clamp(plot.top, plot.bottom);
        let c = rgb(TABLEAU10[0]);
        p.draw(&Rectangle::new(
            [(x0, y0), (x1, y1)],
            ShapeStyle::from(&c.mix(0.12)).filled(),
        ))?;
        p.draw(&Rectangle::new(
            [(x0, y0), (x1, y1)],
            ShapeStyle::from(&c.mix(0.8)).stroke_width(1),
        ))?;
    }

    root.present().map_err(|e| Error::Backend(e.to_string()))?;
    Ok(mapping)
}

/// Draws the pending run of placeable points: a clipped polyline, or a dot for a lone point.
fn flush_run<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    pts: &mut Vec<(f64, f64)>,
    plot: &PlotRect,
    style: ShapeStyle,
    dot_r: u32,
) -> Result<()> {
    match pts.len() {
        0 => {}
        1 => {
            let (x, y) = pts[0];
            if plot.contains(x, y) {
                p.draw(&Circle::new(
                    (x.round() as i32, y.round() as i32),
                    dot_r,
                    ShapeStyle {
                        filled: true,
                        ..style
                    },
                ))?;
            }
        }
        _ => {
            for line in clip_polyline(pts, plot) {
                p.line(line, style)?;
            }
        }
    }
    pts.clear();
    Ok(())
}

/// Draws the marker of a non-finite (or log-hidden) point at pixel column `px`.
fn draw_marker<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    kind: PointKind,
    value: f64,
    px: f64,
    plot: &PlotRect,
    size: f64,
    color: RGBColor,
) -> Result<()> {
    let fill = ShapeStyle::from(&color).filled();
    let (top, bottom) = (f64::from(plot.top), f64::from(plot.bottom));
    let pt = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
    match kind {
        PointKind::Finite => {
            // A finite value the scale cannot place (`<= 0` on a log axis): hidden, counted in a note.
            let _ = value;
        }
        PointKind::PosInf => {
            // ▲ pinned to the top edge (B03).
            p.draw(&Polygon::new(
                vec![
                    pt(px, top + 1.0),
                    pt(px - size, top + 1.0 + 1.6 * size),
                    pt(px + size, top + 1.0 + 1.6 * size),
                ],
                fill,
            ))?;
        }
        PointKind::NegInf => {
            // ▼ pinned to the bottom edge (B03).
            p.draw(&Polygon::new(
                vec![
                    pt(px, bottom - 1.0),
                    pt(px + size, bottom - 1.0 - 1.6 * size),
                    pt(px - size, bottom - 1.0 - 1.6 * size),
                ],
                fill,
            ))?;
        }
        PointKind::NaN | PointKind::Unknown => {
            // ◆ on the x-axis at the value-less step (B01).
            let cy = bottom - 1.0 - size;
            p.draw(&Polygon::new(
                vec![
                    pt(px, cy - size),
                    pt(px + size, cy),
                    pt(px, cy + size),
                    pt(px - size, cy),
                ],
                fill,
            ))?;
        }
    }
    Ok(())
}

/// Draws the legend box in the plot's top-right corner: a swatch and the name per series, with a
/// `no finite values` note for series that have none (B04); `+N more` when they do not all fit.
fn draw_legend<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    spec: &ChartSpec<'_>,
    plot: &PlotRect,
    k: f64,
) -> Result<()> {
    let st = &spec.style;
    let font = 11.0 * k;
    let row = font + 5.0 * k;
    let pad = 6.0 * k;
    let swatch = 14.0 * k;
    let labels: Vec<String> = spec
        .series
        .iter()
        .map(|s| {
            let name = ellipsize(s.name, 40);
            if s.has_finite() {
                name
            } else {
                format!("{name} ({})", range::NO_FINITE_VALUES)
            }
        })
        .collect();
    let fit = (((f64::from(plot.height()) - 2.0 * pad) / row)
        .floor()
        .max(0.0) as usize)
        .min(labels.len());
    if fit == 0 {
        return Ok(());
    }
    let (shown, more) = if fit < labels.len() {
        (fit.saturating_sub(1), labels.len() - fit.saturating_sub(1))
    } else {
        (fit, 0)
    };
    let more_label = format!("+{more} more");
    let widest = labels[..shown]
        .iter()
        .map(|l| text_width(l, font))
        .chain((more > 0).then(|| text_width(&more_label, font)))
        .fold(0.0, f64::max);
    let box_w = (pad + swatch + pad + widest + pad).min(f64::from(plot.width()) - 4.0 * k);
    let rows = shown + usize::from(more > 0);
    let box_h = 2.0 * pad + rows as f64 * row - 5.0 * k;
    let x1 = f64::from(plot.right) - 4.0 * k;
    let x0 = x1 - box_w;
    let y0 = f64::from(plot.top) + 4.0 * k;
    if box_w <= swatch {
        return Ok(());
    }
    let bg = rgb(st.background);
    let border = rgb(st.grid);
    let r = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
    p.draw(&Rectangle::new(
        [r(x0, y0), r(x1, y0 + box_h)],
        ShapeStyle::from(&bg.mix(0.85)).filled(),
    ))?;
    p.draw(&Rectangle::new(
        [r(x0, y0), r(x1, y0 + box_h)],
        ShapeStyle::from(&border).stroke_width(1),
    ))?;
    for (n, (s, label)) in spec.series.iter().zip(&labels).take(shown).enumerate() {
        let cy = y0 + pad + n as f64 * row + font / 2.0;
        let c = rgb(s.color);
        p.line(
            vec![r(x0 + pad, cy), r(x0 + pad + swatch, cy)],
            ShapeStyle::from(&c).stroke_width((2.0 * k).round().max(1.0) as u32),
        )?;
        p.text(
            label,
            (x0 + pad + swatch + pad, cy),
            font,
            st.foreground,
            Pos::new(HPos::Left, VPos::Center),
        )?;
    }
    if more > 0 {
        let cy = y0 + pad + shown as f64 * row + font / 2.0;
        p.text(
            &more_label,
            (x0 + pad + swatch + pad, cy),
            font,
            st.foreground,
            Pos::new(HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}
