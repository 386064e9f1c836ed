//! The charts of a page: metrics filtered by the metric search, grouped by prefix (`train/`,
//! `val/`), one [`ChartCanvas`] each at the chosen size, with the focused metric (a deep link's
//! `metric=`) highlighted and scrolled into view once its chart exists. The run and compare pages
//! differ only in the lines they pass and whether each chart draws its own legend.

use std::rc::Rc;

use yew::prelude::*;

use super::{ChartCanvas, Lines};
use crate::model::dom_id;
use crate::state::{Action, ChartSettings, group_metrics, metric_visible};

/// Props of [`ChartGrid`].
#[derive(Properties, PartialEq)]
pub struct ChartGridProps {
    /// One entry per metric: its name and its lines.
    pub charts: Rc<Vec<(String, Lines)>>,
    /// Shared chart settings (size, smoothing, axes, metric search, zoom).
    pub settings: ChartSettings,
    /// The metric to highlight and scroll to.
    pub focus: Option<String>,
    /// Where zooms go.
    pub on_action: Callback<Action>,
    /// Whether each chart draws its own legend.
    #[prop_or(true)]
    pub legend: bool,
}

/// The grouped grid of charts.
#[function_component(ChartGrid)]
pub fn chart_grid(props: &ChartGridProps) -> Html {
    {
        let focus = props.focus.clone();
        let ready = !props.charts.is_empty();
        use_effect_with((focus, ready), move |(focus, ready)| {
            if let (Some(m), true) = (focus, ready) {
                crate::app::scroll_to(&dom_id("chart", m));
            }
        });
    }
    let on_zoom = {
        let act = props.on_action.clone();
        Callback::from(move |z| act.emit(Action::Zoom(z)))
    };
    let filter = &props.settings.metric_filter;
    let names: Vec<&str> = props
        .charts
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| metric_visible(filter, n))
        .collect();
    let groups = group_metrics(names);
    let size_class = format!("charts size-{:?}", props.settings.size).to_lowercase();
    let chart_html = |name: &str| -> Html {
        let Some((_, lines)) = props.charts.iter().find(|(n, _)| n == name) else {
            return html! {};
        };
        let focused = props.focus.as_deref() == Some(name);
        html! {
            <div class={classes!("chart-cell", focused.then_some("focused"))} id={dom_id("chart", name)} key={dom_id("k", name)}>
                <ChartCanvas title={AttrValue::from(name.to_owned())} lines={lines.clone()}
                    settings={props.settings.clone()} on_zoom={on_zoom.clone()} legend={props.legend} />
            </div>
        }
    };
    html! {
        { for groups.iter().map(|(g, names)| html! {
            <section class="group" key={dom_id("g", g)}>
                if !g.is_empty() { <h3 class="group-title">{ format!("{g}/") }</h3> }
                <div class={size_class.clone()}>{ for names.iter().map(|n| chart_html(n)) }</div>
            </section>
        }) }
    }
}
