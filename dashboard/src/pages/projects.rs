//! The projects page: one card per project with its tags, run count and last update; a search over
//! names and tags.

use yew::prelude::*;

use super::PageProps;
use crate::components::TagList;
use crate::hooks::use_store;
use crate::model::format_time;
use crate::state::{Action, Route};

/// The page.
#[function_component(ProjectsPage)]
pub fn projects_page(props: &PageProps) -> Html {
    let store = use_store();
    let manifest = store.manifest();
    {
        let store = store.clone();
        let names: Vec<String> = manifest
            .as_ref()
            .map(|m| m.projects.iter().map(|p| p.name.clone()).collect())
            .unwrap_or_default();
        use_effect_with(names, move |names| {
            for n in names {
                store.ensure_project(n);
            }
        });
    }
    let Some(m) = manifest else {
        return html! {};
    };
    let q = props.view.query.trim().to_lowercase();
    let oninput = {
        let act = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                act.emit(Action::SetQuery(i.value()));
            }
        })
    };
    let cards: Vec<Html> = m
        .projects
        .iter()
        .filter_map(|p| {
            let meta = store.project_meta(&p.name);
            let mut tags = meta.as_ref().map(|m| m.tags.clone()).unwrap_or_default();
            for t in &p.tags {
                if !tags.contains(t) {
                    tags.push(t.clone());
                }
            }
            if !q.is_empty()
                && !p.name.to_lowercase().contains(&q)
                && !tags.iter().any(|t| t.to_lowercase().contains(&q))
            {
                return None;
            }
            // A finished run was last updated when it finished; a running one when its metrics
            // file last changed (copies reset file times, run times travel with the data).
            let last = p
                .runs
                .iter()
                .filter_map(|r| {
                    r.finish_time
                        .or(r.jsonl.map(|f| f.mtime).filter(|t| *t > 0))
                        .or(r.start_time)
                })
                .max();
            let now = crate::store::now_ms();
            let mut counts: Vec<(aspara::format::Status, usize)> = Vec::new();
            for r in &p.runs {
                let st = crate::model::RunInfo::from_entry(r, now).status;
                match counts.iter_mut().find(|(s, _)| *s == st) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((st, 1)),
                }
            }
            counts.sort();
            let notes = meta.as_ref().map(|m| m.notes.clone()).unwrap_or_else(|| p.notes.clone());
            let href = super::view_href(&props.view, Route::Project { project: p.name.clone() });
            Some(html! {
                <a class="card project-card" href={href} data-project={p.name.clone()}>
                    <h2>{ p.name.clone() }</h2>
                    <TagList tags={tags} />
                    if !notes.is_empty() { <p class="notes">{ notes }</p> }
                    <p class="meta">
                        <span class="run-count">{ format!("{} run{}", p.runs.len(), if p.runs.len() == 1 { "" } else { "s" }) }</span>
                        if let Some(t) = last { <span>{ format!(" · updated {}", format_time(t)) }</span> }
                    </p>
                    <p class="status-counts">
                        { for counts.iter().map(|(st, n)| html! {
                            <span class={classes!("status", format!("status-{}", st.as_str()))}>{ format!("{n} {}", st.as_str()) }</span>
                        }) }
                    </p>
                </a>
            })
        })
        .collect();
    let shown = cards.len();
    html! {
        <main class="page projects">
            <div class="page-head">
                <h1>{ "Projects" }</h1>
                <input type="search" class="filter-input" id="project-search" placeholder="Search projects by name or tag"
                    value={props.view.query.clone()} {oninput} />
            </div>
            if shown == 0 {
                <p class="empty">{ if m.projects.is_empty() { "No projects in this data directory yet." } else { "No project matches the search." } }</p>
            }
            <div class="cards">{ for cards }</div>
        </main>
    }
}
