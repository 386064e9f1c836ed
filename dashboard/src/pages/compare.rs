//! The compare page: one chart per metric overlaying the selected runs (each run in its stable
//! colour), a legend, metric search and prefix groups, chart size, and a config table that can show
//! only the differences.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use aspara::format::reader::RunData;
use aspara_charts::RunColors;
use yew::prelude::*;

use super::PageProps;
use crate::components::{ChartControls, ChartGrid, ChartLine, Legend, LegendEntry, Lines};
use crate::data::{Plot, first_timestamp, plot};
use crate::hooks::use_store;
use crate::model::{RunInfo, color_order, config_table, display_value};
use crate::state::{Action, Route};

/// While runs are still arriving, the charts take in newly decoded runs at most once per this
/// many milliseconds (the first run is shown at once, and so is the last). Runs decode one after
/// another, and a redraw between two arrivals covers every chart and every run already in it and
/// holds back the next run's decode: with 5 runs of 100k steps that was ~100 ms per arrival.
const COALESCE_MS: f64 = 1000.0;

/// The runs' data as the charts last took it in, and whether a deferred update is scheduled.
#[derive(Default)]
struct Coalesce {
    shown: Vec<(String, Option<Rc<RunData>>)>,
    last_ms: f64,
    armed: Rc<std::cell::Cell<bool>>,
}

fn data_key(d: &[(String, Option<Rc<RunData>>)]) -> Vec<(&str, Option<usize>)> {
    d.iter()
        .map(|(r, d)| (r.as_str(), d.as_ref().map(|d| Rc::as_ptr(d) as usize)))
        .collect()
}

impl Coalesce {
    /// What the charts show now, given the store's current data and how many runs are pending.
    /// New data is taken at once when it is the first, the last, or the selection changed;
    /// otherwise at most every [`COALESCE_MS`], with a timer for the trailing update.
    fn show(
        &mut self,
        live: Vec<(String, Option<Rc<RunData>>)>,
        pending: usize,
        wake: &UseForceUpdateHandle,
    ) -> Vec<(String, Option<Rc<RunData>>)> {
        if data_key(&self.shown) != data_key(&live) {
            let now = crate::bench::now_ms();
            let same_runs = self
                .shown
                .iter()
                .map(|(r, _)| r)
                .eq(live.iter().map(|(r, _)| r));
            let nothing_shown = self.shown.iter().all(|(_, d)| d.is_none());
            let wait = COALESCE_MS - (now - self.last_ms);
            if pending == 0 || !same_runs || nothing_shown || wait <= 0.0 {
                self.shown = live;
                self.last_ms = now;
            } else if !self.armed.get() {
                self.armed.set(true);
                let armed = self.armed.clone();
                let wake = wake.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    gloo_timers::future::TimeoutFuture::new(wait.ceil() as u32).await;
                    armed.set(false);
                    wake.force_update();
                });
            }
        }
        self.shown.clone()
    }
}

/// The page.
#[function_component(ComparePage)]
pub fn compare_page(props: &PageProps) -> Html {
    let store = use_store();
    let project = match &props.view.route {
        Route::Compare { project } => project.clone(),
        _ => String::new(),
    };
    let selected = props.view.selected.clone();
    {
        let store = store.clone();
        let key = (
            project.clone(),
            selected.clone(),
            store.manifest().is_some(),
        );
        use_effect_with(key, move |(p, runs, has_manifest)| {
            if *has_manifest {
                for r in runs {
                    store.ensure_meta(p, r, false);
                    store.ensure_metrics(p, r);
                }
            }
        });
    }
    let all: Vec<RunInfo> = store
        .manifest()
        .and_then(|m| m.project(&project).cloned())
        .map(|p| {
            p.runs
                .iter()
                .filter_map(|r| store.run_info_brief(&project, &r.name))
                .collect()
        })
        .unwrap_or_default();
    let colors = RunColors::new(
        color_order(&all)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let live: Vec<(String, Option<Rc<RunData>>)> = selected
        .iter()
        .map(|r| (r.clone(), store.metrics(&project, r).0))
        .collect();
    // Runs still on their way: no data and no error yet.
    let pending = selected
        .iter()
        .filter(|r| {
            let (d, _, e) = store.metrics(&project, r);
            d.is_none() && e.is_none()
        })
        .count();
    let coalesce = use_mut_ref(Coalesce::default);
    let wake = use_force_update();
    let datas = coalesce.borrow_mut().show(live, pending, &wake);
    let x_axis = props.view.charts.x_axis;
    let key: Vec<(String, Option<usize>)> = datas
        .iter()
        .map(|(r, d)| (r.clone(), d.as_ref().map(|d| Rc::as_ptr(d) as usize)))
        .collect();
    // Plots by (run data, metric), kept across renders: when runs arrive one by one, each arrival
    // builds only the new run's plots. The entry holds its `RunData`, so the address stays unique.
    #[allow(clippy::type_complexity)] // a one-use cache map
    let plots: Rc<
        std::cell::RefCell<(
            Option<crate::state::XAxis>,
            HashMap<(usize, String), (Rc<RunData>, Rc<Plot>)>,
        )>,
    > = use_mut_ref(Default::default);
    let charts = use_memo((key, x_axis, color_order(&all)), {
        let datas = datas.clone();
        let colors = colors.clone();
        move |_| {
            let mut cache = plots.borrow_mut();
            if cache.0 != Some(x_axis) {
                *cache = (Some(x_axis), HashMap::new());
            }
            let live: BTreeSet<usize> = datas
                .iter()
                .filter_map(|(_, d)| d.as_ref().map(|d| Rc::as_ptr(d) as usize))
                .collect();
            cache.1.retain(|k, _| live.contains(&k.0));
            let t0s: Vec<Option<i64>> = datas
                .iter()
                .map(|(_, d)| d.as_ref().and_then(|d| first_timestamp(d)))
                .collect();
            let mut names = BTreeSet::new();
            for (_, d) in &datas {
                if let Some(d) = d {
                    names.extend(d.metrics.iter().map(|c| c.name.clone()));
                }
            }
            names
                .into_iter()
                .map(|name| {
                    let lines: Vec<ChartLine> = datas
                        .iter()
                        .zip(&t0s)
                        .filter_map(|((run, d), t0)| {
                            let d = d.as_ref()?;
                            let c = d.metric(&name)?;
                            let plot = cache
                                .1
                                .entry((Rc::as_ptr(d) as usize, name.clone()))
                                .or_insert_with(|| {
                                    (d.clone(), Rc::new(plot(&c.series(), x_axis, *t0)))
                                })
                                .1
                                .clone();
                            Some(ChartLine {
                                label: run.clone(),
                                color: colors.color(run),
                                plot,
                            })
                        })
                        .collect();
                    (name, Lines(Rc::new(lines)))
                })
                .collect::<Vec<_>>()
        }
    });
    let act = props.on_action.clone();

    let legend: Vec<LegendEntry> = datas
        .iter()
        .map(|(r, d)| LegendEntry {
            label: r.clone(),
            color: colors.color(r).to_hex(),
            note: match d {
                None => Some("loading…".into()),
                Some(d) if d.metrics.is_empty() => Some("no data".into()),
                // B04: a run with only NaN/inf values stays in the legend, with a note.
                Some(_)
                    if store
                        .run_info(&project, r)
                        .is_some_and(|i| i.stats.values().all(|s| s.min.is_none())) =>
                {
                    Some("no finite values".into())
                }
                _ => None,
            },
        })
        .collect();

    let picker = all.iter().map(|r| {
        let on = selected.contains(&r.name);
        let act = act.clone();
        let n = r.name.clone();
        html! {
            <label class="pick" style={format!("--c:{}", colors.color(&r.name).to_hex())}>
                <input type="checkbox" checked={on}
                    onchange={Callback::from(move |_: Event| act.emit(Action::ToggleRun(n.clone())))} />
                <span class="swatch" style={format!("background:{}", colors.color(&r.name).to_hex())}></span>
                { r.name.clone() }
            </label>
        }
    });

    let infos: Vec<RunInfo> = selected
        .iter()
        .filter_map(|r| all.iter().find(|i| i.name == *r).cloned())
        .collect();
    let configs: Vec<&serde_json::Map<String, serde_json::Value>> =
        infos.iter().map(|i| &i.config).collect();
    let rows = config_table(&configs);
    let diff_only = props.view.diff_only;
    let on_diff = {
        let act = act.clone();
        Callback::from(move |_: Event| act.emit(Action::ToggleDiffOnly))
    };
    html! {
        <main class="page compare">
            <div class="page-head">
                <h1>{ format!("Compare · {project}") }</h1>
            </div>
            <div class="picker">{ for picker }</div>
            if selected.is_empty() {
                <p class="empty">{ "Select runs above (or on the project page) to compare them." }</p>
            }
            <Legend entries={legend} />
            <ChartControls settings={props.view.charts.clone()} on_action={act.clone()} />
            <ChartGrid charts={charts.clone()} settings={props.view.charts.clone()}
                focus={props.view.focus_metric.clone()} on_action={act.clone()} />
            if !infos.is_empty() {
                <section class="panel config-diff">
                    <h3>
                        { "Config " }
                        <label class="ctl"><input type="checkbox" id="diff-only" checked={diff_only} onchange={on_diff} />{ " differences only" }</label>
                    </h3>
                    <table class="diff">
                        <thead><tr><th>{ "key" }</th>{ for infos.iter().map(|i| html! { <th>{ i.name.clone() }</th> }) }</tr></thead>
                        <tbody>
                            { for rows.iter().filter(|r| !diff_only || r.differs).map(|r| html! {
                                <tr class={classes!(r.differs.then_some("differs"))}>
                                    <td class="k">{ r.path.clone() }</td>
                                    { for r.values.iter().map(|v| html! {
                                        <td>{ match v { Some(v) => display_value(v), None => "—".into() } }</td>
                                    }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </section>
            }
        </main>
    }
}
