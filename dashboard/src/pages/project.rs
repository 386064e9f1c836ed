//! The project page: the runs table with the filter box, sorting, metric columns and selection for
//! comparison.

use aspara_charts::RunColors;
use yew::prelude::*;

use super::PageProps;
use crate::components::{FilterBox, RunTable, TagList};
use crate::hooks::use_store;
use crate::model::{RunInfo, color_order, sort_runs};
use crate::query::{Query, parse};
use crate::state::{Action, Route};
use crate::store::now_ms;

/// The page.
#[function_component(ProjectPage)]
pub fn project_page(props: &PageProps) -> Html {
    let store = use_store();
    let Route::Project { project } = &props.view.route else {
        return html! {};
    };
    let manifest = store.manifest();
    let entry = manifest.as_ref().and_then(|m| m.project(project).cloned());
    let parsed: Result<Query, String> = parse(&props.view.query).map_err(|e| e.to_string());
    let need_metrics =
        !props.view.columns.is_empty() || parsed.as_ref().is_ok_and(|q| !q.metrics().is_empty());
    {
        let store = store.clone();
        let project = project.clone();
        let runs: Vec<String> = entry
            .as_ref()
            .map(|e| e.runs.iter().map(|r| r.name.clone()).collect())
            .unwrap_or_default();
        use_effect_with((runs, need_metrics), move |(runs, need)| {
            store.ensure_project(&project);
            for r in runs {
                store.ensure_meta(&project, r, false);
                if *need {
                    store.ensure_metrics(&project, r);
                }
            }
        });
    }
    let Some(entry) = entry else {
        if manifest.is_some() {
            return html! { <main class="page"><p class="error">{ format!("No project named '{project}'.") }</p></main> };
        }
        return html! {};
    };
    let now = now_ms();
    let all: Vec<RunInfo> = entry
        .runs
        .iter()
        .filter_map(|r| store.run_info(project, &r.name))
        .collect();
    let colors = RunColors::new(
        color_order(&all)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let mut metrics: Vec<String> = all.iter().flat_map(|r| r.metric_names.clone()).collect();
    metrics.sort();
    metrics.dedup();
    let (mut shown, error) = match &parsed {
        Ok(q) => (
            all.iter()
                .filter(|r| q.matches(*r))
                .cloned()
                .collect::<Vec<_>>(),
            None,
        ),
        // An invalid query filters nothing and says why.
        Err(e) => (all.clone(), Some(e.clone())),
    };
    sort_runs(&mut shown, props.view.sort.as_ref(), now);
    let row_colors: Vec<String> = shown
        .iter()
        .map(|r| colors.color(&r.name).to_hex())
        .collect();
    let act = props.on_action.clone();
    let on_query = {
        let act = act.clone();
        Callback::from(move |q: String| act.emit(Action::SetQuery(q)))
    };
    let n_sel = props.view.selected.len();
    let on_compare = {
        let act = act.clone();
        Callback::from(move |_: MouseEvent| act.emit(Action::CompareSelected))
    };
    let on_select_shown = {
        let act = act.clone();
        let names: Vec<String> = shown.iter().map(|r| r.name.clone()).collect();
        Callback::from(move |_: MouseEvent| act.emit(Action::SetSelection(names.clone())))
    };
    let on_clear = {
        let act = act.clone();
        Callback::from(move |_: MouseEvent| act.emit(Action::SetSelection(Vec::new())))
    };
    let pmeta = store.project_meta(project);
    html! {
        <main class="page project">
            <div class="page-head">
                <h1>{ project.clone() }</h1>
                if let Some(m) = &pmeta {
                    <TagList tags={m.tags.clone()} />
                    if !m.notes.is_empty() { <p class="notes">{ m.notes.clone() }</p> }
                }
            </div>
            <div class="toolbar">
                <FilterBox value={props.view.query.clone()} error={error} on_change={on_query} />
                <span class="count" id="run-count">{ format!("{} of {} runs", shown.len(), all.len()) }</span>
                <button onclick={on_select_shown}>{ "Select shown" }</button>
                <button onclick={on_clear} disabled={n_sel == 0}>{ "Clear" }</button>
                <button class="primary" id="compare-button" onclick={on_compare} disabled={n_sel == 0}>
                    { format!("Compare {n_sel} selected") }
                </button>
            </div>
            <RunTable project={project.clone()} runs={shown} colors={row_colors} view={props.view.clone()}
                metrics={metrics} now={now} on_action={act} />
        </main>
    }
}
