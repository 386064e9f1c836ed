//! The project page's run table: status, name, tags, start, duration and the last value of chosen
//! metrics; sortable columns; a checkbox per run to select it for comparison.

use yew::prelude::*;

use crate::components::{StatusIcon, TagList};
use crate::model::{RunInfo, format_duration, format_short, format_time};
use crate::state::{Action, Route, Sort, ViewState};
use crate::url_state::to_hash;

/// Props of [`RunTable`].
#[derive(Properties, PartialEq)]
pub struct RunTableProps {
    /// The project.
    pub project: String,
    /// Runs to show, filtered and sorted.
    pub runs: Vec<RunInfo>,
    /// CSS colour per run (same order as `runs`).
    pub colors: Vec<String>,
    /// The view (sort, selection, columns).
    pub view: ViewState,
    /// Metrics that can be shown as columns.
    pub metrics: Vec<String>,
    /// Now, in ms (durations of running runs).
    pub now: i64,
    /// Dispatch.
    pub on_action: Callback<Action>,
}

fn header(label: &str, key: &str, sort: Option<&Sort>, act: &Callback<Action>) -> Html {
    let arrow = match sort {
        Some(s) if s.column == key => {
            if s.descending {
                " ▼"
            } else {
                " ▲"
            }
        }
        _ => "",
    };
    let act = act.clone();
    let k = key.to_owned();
    html! {
        <th class="sortable" data-sort={key.to_owned()}
            onclick={Callback::from(move |_: MouseEvent| act.emit(Action::SortBy(k.clone())))}>
            { label.to_owned() }{ arrow }
        </th>
    }
}

/// The table.
#[function_component(RunTable)]
pub fn run_table(p: &RunTableProps) -> Html {
    let sort = p.view.sort.as_ref();
    let act = &p.on_action;
    let cols = &p.view.columns;
    let picker = {
        let act = act.clone();
        let onchange = Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let v = s.value();
                if !v.is_empty() {
                    act.emit(Action::ToggleColumn(v));
                }
                s.set_value("");
            }
        });
        html! {
            <select class="column-picker" {onchange} aria-label="metric columns">
                <option value="" selected=true>{ "+ metric column" }</option>
                { for p.metrics.iter().map(|m| html! {
                    <option value={m.clone()}>{ format!("{}{m}", if cols.contains(m) { "✓ " } else { "" }) }</option>
                }) }
            </select>
        }
    };
    html! {
        <div class="table-wrap">
            <div class="table-tools">{ picker }</div>
            <table class="runs">
                <thead>
                    <tr>
                        <th class="sel"></th>
                        { header("Status", "status", sort, act) }
                        { header("Name", "name", sort, act) }
                        <th>{ "Tags" }</th>
                        { header("Start", "start", sort, act) }
                        { header("Duration", "duration", sort, act) }
                        { for cols.iter().map(|m| header(m, &format!("metric:{m}"), sort, act)) }
                    </tr>
                </thead>
                <tbody>
                    { for p.runs.iter().zip(&p.colors).map(|(r, color)| {
                        let checked = p.view.selected.contains(&r.name);
                        let toggle = {
                            let act = act.clone();
                            let n = r.name.clone();
                            Callback::from(move |_: Event| act.emit(Action::ToggleRun(n.clone())))
                        };
                        let href = to_hash(&ViewState {
                            route: Route::Run { project: p.project.clone(), run: r.name.clone() },
                            charts: p.view.charts.clone(),
                            ..ViewState::default()
                        });
                        html! {
                            <tr class={classes!("run-row", checked.then_some("selected"))} data-run={r.name.clone()}>
                                <td class="sel">
                                    <input type="checkbox" checked={checked} onchange={toggle}
                                        aria-label={format!("select {}", r.name)} />
                                    <span class="swatch" style={format!("background:{color}")}></span>
                                </td>
                                <td><StatusIcon status={r.status} /></td>
                                <td class="name"><a href={href}>{ r.name.clone() }</a></td>
                                <td><TagList tags={r.meta.tags.clone()} /></td>
                                <td class="time">{ r.meta.start_time.map(format_time).unwrap_or_default() }</td>
                                <td class="num">{ r.duration_ms(p.now).map(format_duration).unwrap_or_default() }</td>
                                { for cols.iter().map(|m| html! {
                                    <td class="num">{ r.stats.get(m).and_then(|s| s.last).map(format_short).unwrap_or_else(|| "–".into()) }</td>
                                }) }
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}
