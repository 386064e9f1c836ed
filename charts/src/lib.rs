//! Series math and the one chart drawing function of Aspara.
//!
//! The pipeline, from the reader's series to pixels:
//!
//! 1. **Raw series** — steps, values and the kind of each non-finite value, as `aspara::format`'s
//!    reader produces them (sorted by step; NaN and ±inf kept, never dropped). This crate takes plain
//!    slices ([`SeriesView`]) so it does not depend on the reader's types.
//! 2. **Smoothing** ([`smooth`]) at full resolution, once per (series, weight): TensorBoard's debiased
//!    EMA, where a non-finite value is a gap that neither resets nor poisons the average.
//! 3. **Downsampling** ([`downsample`]) per visible x-range and plot width, on every redraw: min/max per
//!    bucket with edges anchored in step space, returning indices into the full series so hover shows
//!    exact raw values. Zooming re-samples from the full data.
//! 4. **Axes** ([`range`]): y-domain from finite values only, log10 axis with hidden non-positive
//!    values counted, ticks and labels that are never `Infinity` or hundreds of digits long.
//! 5. **Drawing** ([`draw::draw_chart`]) onto any plotters `DrawingBackend`: the dashboard passes
//!    plotters-canvas' `CanvasBackend`, exports and tests pass `SVGBackend::with_string`. It returns a
//!    [`ChartMapping`] that turns pixels back into data for hover and drag-to-zoom.
//!
//! ```
//! use aspara_charts::{ChartSpec, RunColors, SeriesView, draw_chart, smooth};
//! use plotters::prelude::*;
//!
//! // B01: a NaN at step 1 leaves a gap; both finite points become dots.
//! let steps = [0.0, 1.0, 2.0];
//! let loss = [0.5, f64::NAN, 0.3];
//! let smoothed = smooth::ema(&loss, 0.6); // [0.5, gap, 0.375]
//! let colors = RunColors::new(["nan-token"]);
//! let series = [SeriesView::new("nan-token", &steps, &loss)
//!     .with_smoothed(&smoothed)
//!     .with_color(colors.color("nan-token"))];
//! let spec = ChartSpec { title: "loss", series: &series, ..Default::default() };
//! let mut svg = String::new();
//! let root = SVGBackend::with_string(&mut svg, (640, 360)).into_drawing_area();
//! let mapping = draw_chart(root, &spec)?;
//! assert!((mapping.y.0 - 0.28).abs() < 1e-12 && (mapping.y.1 - 0.52).abs() < 1e-12);
//! // Hover: the step under the mouse, then its exact value.
//! let step = mapping.px_to_x(mapping.x_to_px(1.2));
//! assert_eq!(aspara_charts::nearest_index(&steps, step), Some(1));
//! # Ok::<(), aspara_charts::Error>(())
//! ```
//!
//! Colours ([`colors`]) are assigned per run, not per chart, so a run keeps one colour everywhere;
//! [`export`] writes a chart's data as CSV and names the file.
//!
//! The crate is pure: no file system, no clock, no web-sys; it builds for `wasm32-unknown-unknown`.
//! Text is drawn through the backend's own text support (SVG `<text>`, canvas `fillText`); plotters'
//! font features stay off, so backends that rasterise glyphs themselves (bitmap) are not supported.

pub mod colors;
pub mod downsample;
pub mod draw;
pub mod export;
pub mod range;
pub mod smooth;

pub use colors::{Rgb, RunColors};
pub use draw::{
    ChartMapping, ChartSpec, ChartStyle, Error, HoverHit, PointKind, Result, SeriesView,
    TooltipRow, View, XAxis, draw_chart, format_x, nearest_index, nearest_index_sorted,
    tooltip_rows,
};
pub use export::{CsvSeries, sanitize_file_name, to_csv};
pub use range::YScale;
