//! The run page: status, tags, notes, config tree, summary, artifacts (links only for safe names),
//! the load report, and a chart per metric grouped by prefix.

use std::rc::Rc;

use aspara_charts::RunColors;
use yew::prelude::*;

use super::PageProps;
use crate::components::{
    ChartControls, ChartGrid, ChartLine, ConfigTree, Lines, LoadReportView, StatusIcon, TagList,
};
use crate::data::{first_timestamp, notices, plot};
use crate::hooks::use_store;
use crate::model::{RunInfo, artifact_href, color_order, format_duration, format_time, note_lines};
use crate::source::Source;
use crate::state::Route;
use crate::store::now_ms;

/// The artifact list: names as text; a download link only for names that pass the artifact rule,
/// built from the name (B36); never opened inline (B35).
fn artifacts(source: Option<&Source>, project: &str, run: &str, info: &RunInfo) -> Html {
    if info.meta.artifacts.is_empty() {
        return html! { <p class="muted">{ "No artifacts." }</p> };
    }
    html! {
        <ul class="artifacts">
            { for info.meta.artifacts.iter().map(|a| {
                let link = artifact_href(project, run, a).and_then(|p| match source {
                    // An opened folder tells what exists; a host is asked only on click.
                    Some(s) if !s.has(&p) => Err("file not found in the folder".to_owned()),
                    _ => Ok(p),
                });
                let size = format!("{} bytes", a.file_size);
                let body = match (&link, source) {
                    (Ok(path), Some(Source::Http(_))) => {
                        let href = source.and_then(|s| s.file_url(path)).unwrap_or_default();
                        html! { <a class="artifact-link" href={href} download={a.name.clone()} rel="noopener">{ a.name.clone() }</a> }
                    }
                    (Ok(path), Some(src)) => {
                        let src = src.clone();
                        let path = path.clone();
                        let name = a.name.clone();
                        let onclick = Callback::from(move |_: MouseEvent| {
                            if let Some(url) = src.file_url(&path) {
                                crate::app::download(&url, &name);
                            }
                        });
                        html! { <button class="link artifact-link" {onclick}>{ a.name.clone() }</button> }
                    }
                    (Ok(_), None) => html! { <span>{ a.name.clone() }</span> },
                    (Err(why), _) => html! {
                        <>
                            <span class="artifact-unsafe">{ a.name.clone() }</span>
                            <span class="badge warn" title={why.clone()}>{ format!("unavailable: {why}") }</span>
                        </>
                    },
                };
                html! {
                    <li data-artifact-safe={link.is_ok().to_string()}>
                        { body }
                        <span class="muted">{ format!(" {size}") }</span>
                        if let Some(c) = &a.category { <span class="badge">{ c.clone() }</span> }
                        if let Some(d) = &a.description { <span class="artifact-desc">{ d.clone() }</span> }
                    </li>
                }
            }) }
        </ul>
    }
}

/// The page.
#[function_component(RunPage)]
pub fn run_page(props: &PageProps) -> Html {
    let store = use_store();
    let (project, run) = match &props.view.route {
        Route::Run { project, run } => (project.clone(), run.clone()),
        _ => (String::new(), String::new()),
    };
    {
        let store = store.clone();
        let key = (project.clone(), run.clone(), store.manifest().is_some());
        use_effect_with(key, move |(p, r, has_manifest)| {
            if *has_manifest {
                store.ensure_project(p);
                store.ensure_meta(p, r, false);
                store.ensure_metrics(p, r);
            }
        });
    }
    let (data, progress, error) = store.metrics(&project, &run);
    let info = store.run_info_brief(&project, &run);
    let x_axis = props.view.charts.x_axis;
    let color = {
        let runs: Vec<RunInfo> = store
            .manifest()
            .and_then(|m| m.project(&project).cloned())
            .map(|p| {
                p.runs
                    .iter()
                    .filter_map(|r| store.run_info_brief(&project, &r.name))
                    .collect()
            })
            .unwrap_or_default();
        RunColors::new(
            color_order(&runs)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )
        .color(&run)
    };
    let charts = use_memo(
        (data.as_ref().map(|d| Rc::as_ptr(d) as usize), x_axis, color),
        {
            let data = data.clone();
            move |_| {
                let Some(d) = data else { return Vec::new() };
                let t0 = first_timestamp(&d);
                d.metrics
                    .iter()
                    .map(|c| {
                        let line = ChartLine {
                            label: c.name.clone(),
                            color,
                            plot: Rc::new(plot(&c.series(), x_axis, t0)),
                        };
                        (c.name.clone(), Lines(Rc::new(vec![line])))
                    })
                    .collect::<Vec<_>>()
            }
        },
    );
    let Some(info) = info else {
        if store.manifest().is_some() {
            return html! { <main class="page"><p class="error">{ format!("No run named '{run}' in project '{project}'.") }</p></main> };
        }
        return html! {};
    };
    let now = now_ms();
    let act = props.on_action.clone();
    let source = store.source();
    let notes = note_lines(&info.meta.notes);
    html! {
        <main class="page run">
            <div class="page-head">
                <h1>
                    <span class="swatch big" style={format!("background:{}", color.to_hex())}></span>
                    { run.clone() }
                </h1>
                <StatusIcon status={info.status} />
                <TagList tags={info.meta.tags.clone()} />
            </div>
            <div class="run-facts">
                if let Some(t) = info.meta.start_time { <span>{ format!("started {}", format_time(t)) }</span> }
                if let Some(d) = info.duration_ms(now) { <span>{ format!("duration {}", format_duration(d)) }</span> }
                if let Some(c) = info.meta.exit_code { <span>{ format!("exit code {c}") }</span> }
                if !info.meta.run_id.is_empty() { <span class="muted">{ format!("id {}", info.meta.run_id) }</span> }
            </div>
            if let Some(e) = &info.meta_error { <p class="warn">{ format!("Meta file: {e}") }</p> }
            <div class="run-grid">
                <section class="panel">
                    <h3>{ "Notes" }</h3>
                    if info.meta.notes.is_empty() {
                        <p class="muted">{ "No notes." }</p>
                    } else {
                        <p class="run-notes">
                            { for notes.iter().enumerate().map(|(i, l)| html! {
                                <>{ if i > 0 { html! { <br /> } } else { html! {} } }{ l.to_string() }</>
                            }) }
                        </p>
                    }
                    <h3>{ "Artifacts" }</h3>
                    { artifacts(source.as_ref(), &project, &run, &info) }
                </section>
                <section class="panel">
                    <h3>{ "Config" }</h3>
                    <div class="config"><ConfigTree value={info.config.clone()} /></div>
                    <h3>{ "Summary" }</h3>
                    <div class="summary"><ConfigTree value={info.meta.summary.clone()} /></div>
                </section>
            </div>
            if let Some(e) = error { <p class="error">{ format!("Metrics could not be loaded: {e}") }</p> }
            if let Some((done, total)) = progress {
                <div class="progress">
                    { format!("Loading metrics… {:.0}%", if total > 0 { done as f64 * 100.0 / total as f64 } else { 0.0 }) }
                    <progress max={total.max(1).to_string()} value={done.to_string()}></progress>
                </div>
            }
            if let Some(d) = &data {
                <LoadReportView records={d.report.records} lines={d.report.lines} notices={notices(d)} />
            }
            <ChartControls settings={props.view.charts.clone()} on_action={act.clone()} />
            if data.is_some() && charts.is_empty() { <p class="muted">{ "This run has no metrics." }</p> }
            <ChartGrid charts={charts.clone()} settings={props.view.charts.clone()}
                focus={props.view.focus_metric.clone()} on_action={act.clone()} legend={false} />
        </main>
    }
}
