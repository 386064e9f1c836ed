//! The view state (pure): which page is open and every setting a user can change, the actions that
//! change it, and [`reduce`], the one function that applies them.
//!
//! Everything here round-trips through the URL hash ([`crate::url_state`]), so a copied link reopens
//! the same view. Loaded data is not view state: it lives in the pages' fetch state.

/// Which page is open.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    /// `#/`: the project cards.
    #[default]
    Projects,
    /// `#/projects/<p>`: the run table.
    Project {
        /// Project name.
        project: String,
    },
    /// `#/projects/<p>/runs/<r>`: one run.
    Run {
        /// Project name.
        project: String,
        /// Run name.
        run: String,
    },
    /// `#/projects/<p>/compare?runs=a,b`: the selected runs overlaid.
    Compare {
        /// Project name.
        project: String,
    },
    /// A hash that names no page; shown as "not found" with the text.
    NotFound(String),
}

impl Route {
    /// The project the route is inside, if any.
    pub fn project(&self) -> Option<&str> {
        match self {
            Route::Project { project }
            | Route::Run { project, .. }
            | Route::Compare { project } => Some(project),
            _ => None,
        }
    }
}

/// What the charts' x axis shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XAxis {
    /// The logged step.
    #[default]
    Step,
    /// Wall-clock time of each record.
    Wall,
    /// Time since the run's first record.
    Relative,
}

/// The charts' y scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum YScale {
    /// Linear.
    #[default]
    Linear,
    /// log10; non-positive values are hidden with a note (B33).
    Log,
}

/// Chart size on the compare and run pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartSize {
    /// Small, several per row.
    S,
    /// Medium (default).
    #[default]
    M,
    /// Large, one per row.
    L,
}

impl ChartSize {
    /// Canvas size in CSS pixels.
    pub fn pixels(self) -> (u32, u32) {
        match self {
            ChartSize::S => (360, 220),
            ChartSize::M => (520, 300),
            ChartSize::L => (1040, 420),
        }
    }
}

/// The default smoothing weight: TensorBoard's default of 0.6, a visible but gentle EMA; the raw
/// line stays drawn faintly behind it.
pub const DEFAULT_SMOOTHING: f64 = 0.6;
/// The largest smoothing weight (the EMA clamps there too).
pub const MAX_SMOOTHING: f64 = 0.999;

/// Chart settings shared by every chart of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSettings {
    /// EMA weight in [0, 0.999].
    pub smoothing: f64,
    /// X axis mode.
    pub x_axis: XAxis,
    /// Y scale.
    pub y_scale: YScale,
    /// Chart size.
    pub size: ChartSize,
    /// Metric search on the compare and run pages (substring, case-insensitive).
    pub metric_filter: String,
    /// Zoomed x range, shared by all charts (drag to zoom, double-click resets).
    pub zoom: Option<(f64, f64)>,
}

impl Default for ChartSettings {
    fn default() -> Self {
        ChartSettings {
            smoothing: DEFAULT_SMOOTHING,
            x_axis: XAxis::Step,
            y_scale: YScale::Linear,
            size: ChartSize::M,
            metric_filter: String::new(),
            zoom: None,
        }
    }
}

/// A sort order of the run table: a column key and direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    /// `name`, `status`, `start`, `duration`, or `metric:<name>`.
    pub column: String,
    /// Descending when true.
    pub descending: bool,
}

/// The whole view state: the route plus every setting.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ViewState {
    /// The open page.
    pub route: Route,
    /// Projects page search, or the project page's filter query.
    pub query: String,
    /// Run table sort; `None` is by name.
    pub sort: Option<Sort>,
    /// Selected runs (project page) = compared runs (compare page), in selection order.
    pub selected: Vec<String>,
    /// Metric columns shown in the run table.
    pub columns: Vec<String>,
    /// Chart settings.
    pub charts: ChartSettings,
    /// Compare page: config table shows only keys that differ.
    pub diff_only: bool,
    /// A metric to bring into view (deep link `metric=train%2Floss`, B26).
    pub focus_metric: Option<String>,
}

/// Everything a user can do to the view.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Go to a page. Leaving a project clears its query, selection and columns; chart settings stay.
    Navigate(Route),
    /// Replace everything (the hash changed: back button, pasted link).
    Replace(ViewState),
    /// Set the search / filter text.
    SetQuery(String),
    /// Sort by a column; the same column again flips the direction.
    SortBy(String),
    /// Select or unselect a run.
    ToggleRun(String),
    /// Select exactly these runs.
    SetSelection(Vec<String>),
    /// Open the compare page for the current selection.
    CompareSelected,
    /// Set the smoothing weight (clamped to [0, 0.999]).
    SetSmoothing(f64),
    /// Set the x axis mode (resets the zoom: the units change).
    SetXAxis(XAxis),
    /// Set the y scale.
    SetYScale(YScale),
    /// Set the chart size.
    SetSize(ChartSize),
    /// Set the metric search.
    SetMetricFilter(String),
    /// Zoom all charts to an x range, or reset with `None`.
    Zoom(Option<(f64, f64)>),
    /// Toggle "differences only" in the compare config table.
    ToggleDiffOnly,
    /// Show or hide a metric column in the run table.
    ToggleColumn(String),
    /// Bring a metric's chart into view.
    FocusMetric(Option<String>),
}

/// Applies one action. Pure: the same state and action always give the same result.
pub fn reduce(state: &ViewState, action: Action) -> ViewState {
    let mut s = state.clone();
    match action {
        Action::Navigate(route) => {
            if route.project() != s.route.project() {
                s.query.clear();
                s.selected.clear();
                s.columns.clear();
                s.sort = None;
                s.diff_only = false;
                s.charts.zoom = None;
                s.charts.metric_filter.clear();
            }
            if matches!(route, Route::Run { .. }) || route != s.route {
                s.focus_metric = None;
            }
            s.route = route;
        }
        Action::Replace(v) => s = v,
        Action::SetQuery(q) => s.query = q,
        Action::SortBy(col) => {
            s.sort = match s.sort {
                Some(Sort { column, descending }) if column == col => Some(Sort {
                    column,
                    descending: !descending,
                }),
                _ => Some(Sort {
                    column: col,
                    descending: false,
                }),
            }
        }
        Action::ToggleRun(r) => {
            if let Some(i) = s.selected.iter().position(|x| *x == r) {
                s.selected.remove(i);
            } else {
                s.selected.push(r);
            }
        }
        Action::SetSelection(mut v) => {
            let mut seen = std::collections::HashSet::new();
            v.retain(|r| seen.insert(r.clone()));
            s.selected = v;
        }
        Action::CompareSelected => {
            if let Some(p) = s.route.project() {
                s.route = Route::Compare {
                    project: p.to_owned(),
                };
            }
        }
        Action::SetSmoothing(w) => s.charts.smoothing = clamp_smoothing(w),
        Action::SetXAxis(x) => {
            if s.charts.x_axis != x {
                s.charts.zoom = None;
            }
            s.charts.x_axis = x;
        }
        Action::SetYScale(y) => s.charts.y_scale = y,
        Action::SetSize(z) => s.charts.size = z,
        Action::SetMetricFilter(f) => s.charts.metric_filter = f,
        Action::Zoom(z) => {
            s.charts.zoom = z.and_then(|(a, b)| {
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                (lo.is_finite() && hi.is_finite() && hi > lo).then_some((lo, hi))
            })
        }
        Action::ToggleDiffOnly => s.diff_only = !s.diff_only,
        Action::ToggleColumn(c) => {
            if let Some(i) = s.columns.iter().position(|x| *x == c) {
                s.columns.remove(i);
            } else {
                s.columns.push(c);
            }
        }
        Action::FocusMetric(m) => s.focus_metric = m,
    }
    s
}

/// Clamps a smoothing weight to [0, 0.999]; NaN becomes the default.
pub fn clamp_smoothing(w: f64) -> f64 {
    if w.is_nan() {
        DEFAULT_SMOOTHING
    } else {
        w.clamp(0.0, MAX_SMOOTHING)
    }
}

/// Groups metric names by their prefix up to the first `/` (`train/loss` → `train`); names without a
/// `/` go to the group `""`. Groups keep first-seen order; names inside keep input order. The metric
/// key itself is never changed (B26).
pub fn group_metrics<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for n in names {
        let g = n.split_once('/').map(|(p, _)| p).unwrap_or("");
        match groups.iter_mut().find(|(k, _)| k == g) {
            Some((_, v)) => v.push(n.to_owned()),
            None => groups.push((g.to_owned(), vec![n.to_owned()])),
        }
    }
    groups
}

/// Whether a metric passes the metric search (case-insensitive substring).
pub fn metric_visible(filter: &str, name: &str) -> bool {
    let f = filter.trim();
    f.is_empty() || name.to_lowercase().contains(&f.to_lowercase())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;

    fn project(p: &str) -> Route {
        Route::Project { project: p.into() }
    }

    #[test]
    fn navigate_into_another_project_clears_its_state_but_keeps_chart_settings() {
        let mut s = ViewState::default();
        s = reduce(&s, Action::Navigate(project("vision-demo")));
        s = reduce(&s, Action::SetQuery("status:failed".into()));
        s = reduce(&s, Action::ToggleRun("a".into()));
        s = reduce(&s, Action::SetSmoothing(0.9));
        s = reduce(&s, Action::Zoom(Some((10.0, 20.0))));
        let same = reduce(
            &s,
            Action::Navigate(Route::Run {
                project: "vision-demo".into(),
                run: "a".into(),
            }),
        );
        assert_eq!(same.query, "status:failed");
        assert_eq!(same.selected, ["a"]);
        let other = reduce(&s, Action::Navigate(project("nlp_demo")));
        assert_eq!(other.query, "");
        assert!(other.selected.is_empty());
        assert_eq!(other.charts.zoom, None);
        assert_eq!(other.charts.smoothing, 0.9);
    }

    #[test]
    fn sort_toggles_direction_on_the_same_column() {
        let s = reduce(&ViewState::default(), Action::SortBy("start".into()));
        assert_eq!(
            s.sort,
            Some(Sort {
                column: "start".into(),
                descending: false
            })
        );
        let s = reduce(&s, Action::SortBy("start".into()));
        assert!(s.sort.as_ref().unwrap().descending);
        let s = reduce(&s, Action::SortBy("name".into()));
        assert_eq!(s.sort.unwrap().column, "name");
    }

    #[test]
    fn selection_toggles_and_compare_opens_the_compare_route() {
        let mut s = reduce(&ViewState::default(), Action::Navigate(project("p")));
        s = reduce(&s, Action::ToggleRun("b".into()));
        s = reduce(&s, Action::ToggleRun("a".into()));
        s = reduce(&s, Action::ToggleRun("c".into()));
        s = reduce(&s, Action::ToggleRun("b".into()));
        assert_eq!(s.selected, ["a", "c"]);
        s = reduce(&s, Action::CompareSelected);
        assert_eq!(
            s.route,
            Route::Compare {
                project: "p".into()
            }
        );
        assert_eq!(s.selected, ["a", "c"]);
        let d = reduce(
            &s,
            Action::SetSelection(vec!["x".into(), "y".into(), "x".into()]),
        );
        assert_eq!(d.selected, ["x", "y"]);
        // No project: compare does nothing.
        let none = reduce(&ViewState::default(), Action::CompareSelected);
        assert_eq!(none.route, Route::Projects);
    }

    #[test]
    fn smoothing_is_clamped_like_the_ema() {
        let s = ViewState::default();
        assert_eq!(s.charts.smoothing, 0.6);
        assert_eq!(
            reduce(&s, Action::SetSmoothing(1.0)).charts.smoothing,
            0.999
        );
        assert_eq!(reduce(&s, Action::SetSmoothing(-3.0)).charts.smoothing, 0.0);
        assert_eq!(
            reduce(&s, Action::SetSmoothing(f64::NAN)).charts.smoothing,
            0.6
        );
    }

    #[test]
    fn zoom_orders_and_rejects_empty_ranges_and_x_axis_change_resets_it() {
        let s = ViewState::default();
        assert_eq!(
            reduce(&s, Action::Zoom(Some((5.0, 2.0)))).charts.zoom,
            Some((2.0, 5.0))
        );
        assert_eq!(reduce(&s, Action::Zoom(Some((2.0, 2.0)))).charts.zoom, None);
        assert_eq!(
            reduce(&s, Action::Zoom(Some((f64::NAN, 2.0)))).charts.zoom,
            None
        );
        let z = reduce(&s, Action::Zoom(Some((1.0, 9.0))));
        assert_eq!(
            reduce(&z, Action::SetXAxis(XAxis::Step)).charts.zoom,
            Some((1.0, 9.0))
        );
        assert_eq!(reduce(&z, Action::SetXAxis(XAxis::Wall)).charts.zoom, None);
        assert_eq!(reduce(&z, Action::Zoom(None)).charts.zoom, None);
    }

    #[test]
    fn other_settings() {
        let s = ViewState::default();
        assert_eq!(
            reduce(&s, Action::SetYScale(YScale::Log)).charts.y_scale,
            YScale::Log
        );
        assert_eq!(
            reduce(&s, Action::SetSize(ChartSize::L)).charts.size,
            ChartSize::L
        );
        assert!(reduce(&s, Action::ToggleDiffOnly).diff_only);
        let c = reduce(&s, Action::ToggleColumn("train/loss".into()));
        assert_eq!(c.columns, ["train/loss"]);
        assert!(
            reduce(&c, Action::ToggleColumn("train/loss".into()))
                .columns
                .is_empty()
        );
        let f = reduce(&s, Action::FocusMetric(Some("val/loss".into())));
        assert_eq!(f.focus_metric.as_deref(), Some("val/loss"));
        let m = reduce(&s, Action::SetMetricFilter("loss".into()));
        assert_eq!(m.charts.metric_filter, "loss");
        let r = reduce(&m, Action::Replace(ViewState::default()));
        assert_eq!(r, ViewState::default());
    }

    #[test]
    fn metric_groups_by_prefix_keep_names_exact() {
        let g = group_metrics(["train/loss", "val/loss", "train/acc", "lr", "a/b/c"]);
        assert_eq!(
            g[0],
            (
                "train".into(),
                vec!["train/loss".into(), "train/acc".into()]
            )
        );
        assert_eq!(g[1], ("val".into(), vec!["val/loss".into()]));
        assert_eq!(g[2], ("".into(), vec!["lr".into()]));
        assert_eq!(g[3], ("a".into(), vec!["a/b/c".into()]));
        assert!(metric_visible("LOSS", "train/loss"));
        assert!(!metric_visible("acc", "train/loss"));
        assert!(metric_visible(" ", "x"));
    }
}
