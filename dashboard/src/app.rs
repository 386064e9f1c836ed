//! The app shell: picks the data source, keeps the view state in sync with the URL hash, provides
//! the store, polls live runs, and routes to the pages. Also hosts the "open a folder" landing
//! (file picker, `showDirectoryPicker`, drag and drop) shown when there is no server to read from.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::hooks::use_poll;
use crate::pages::{ComparePage, PageProps, ProjectPage, ProjectsPage, RunPage};
use crate::source::{self, HttpSource, Source};
use crate::state::{Action, Route, ViewState, reduce};
use crate::store::{Fetch, StoreHandle};
use crate::url_state::{from_hash, to_hash};

/// How often live runs are polled, in ms.
const POLL_MS: u32 = 3000;

/// Downloads a URL under a file name (a temporary `<a download>`).
pub fn download(href: &str, file: &str) {
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

/// Scrolls an element into view by id.
pub fn scroll_to(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        el.scroll_into_view();
    }
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The source to start with: `?data=<url>` if given, else the directory index.html was served
/// from; none on `file://`, where browsers refuse `fetch`.
fn initial_source() -> Option<Source> {
    let loc = location()?;
    if loc.protocol().ok()? == "file:" {
        return None;
    }
    let search = loc.search().unwrap_or_default();
    let data = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("data="))
        .map(crate::url_state::decode_component);
    let base = match data {
        Some(mut d) if !d.is_empty() => {
            if !d.ends_with('/') {
                d.push('/');
            }
            d
        }
        _ => "./".to_owned(),
    };
    Some(Source::Http(HttpSource { base }))
}

struct Model(ViewState);

impl Reducible for Model {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = reduce(&self.0, action);
        if next == self.0 {
            self
        } else {
            Rc::new(Model(next))
        }
    }
}

fn page_title(v: &ViewState) -> String {
    match &v.route {
        Route::Projects => "Aspara".into(),
        Route::Project { project } => format!("{project} · Aspara"),
        Route::Run { project, run } => format!("{run} · {project} · Aspara"),
        Route::Compare { project } => format!("compare · {project} · Aspara"),
        Route::NotFound(_) => "not found · Aspara".into(),
    }
}

/// Props of [`OpenFolder`].
#[derive(Properties, PartialEq)]
struct OpenFolderProps {
    on_open: Callback<Result<source::LocalFolder, String>>,
}

/// "Open folder": the `webkitdirectory` input (works everywhere), plus `showDirectoryPicker` where
/// the browser has it.
#[function_component(OpenFolder)]
fn open_folder(props: &OpenFolderProps) -> Html {
    let onchange = {
        let cb = props.on_open.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                cb.emit(source::folder_from_input(&input));
            }
        })
    };
    let picker = source::has_directory_picker().then(|| {
        let cb = props.on_open.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let cb = cb.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match source::folder_from_picker().await {
                    Ok(f) => cb.emit(Ok(f)),
                    // Cancelling the picker is not an error worth showing.
                    Err(e) if e.contains("abort") || e.contains("cancel") => {}
                    Err(e) => cb.emit(Err(e)),
                }
            });
        });
        html! { <button class="open-picker" {onclick} title="Choose the data directory">{ "Choose folder…" }</button> }
    });
    html! {
        <span class="open-folder">
            <label class="button" title="Open an Aspara data directory from this computer">
                { "Open folder" }
                <input type="file" id="folder-input" webkitdirectory=true multiple=true {onchange} />
            </label>
            { picker.unwrap_or_default() }
        </span>
    }
}

/// Props of [`Landing`].
#[derive(Properties, PartialEq)]
struct LandingProps {
    reason: Option<String>,
    on_open: Callback<Result<source::LocalFolder, String>>,
}

#[function_component(Landing)]
fn landing(props: &LandingProps) -> Html {
    let file_proto = location()
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "file:");
    html! {
        <main class="page landing">
            <h1>{ "Open an Aspara data directory" }</h1>
            if let Some(r) = &props.reason { <p class="error" id="source-error">{ r.clone() }</p> }
            if file_proto {
                <p id="file-protocol-note">{ "This page was opened from a file (file://), where browsers do not let it read other files by itself. There are two ways to see your runs:" }</p>
            } else {
                <p>{ "There are two ways to see your runs:" }</p>
            }
            <ol class="ways">
                <li>
                    <strong>{ "Open the folder here. " }</strong>
                    { "Pick (or drag and drop onto this page) the data directory, the folder that holds one sub-folder per project. Nothing is uploaded: the files are read in this browser." }
                    <div class="way-action"><OpenFolder on_open={props.on_open.clone()} /></div>
                </li>
                <li>
                    <strong>{ "Serve it over HTTP. " }</strong>
                    { "Put this dashboard into the data directory and write its manifest with " }
                    <code>{ "aspara index --data-dir <dir>" }</code>
                    { ", then serve the directory with any static server (for example " }
                    <code>{ "aspara serve --data-dir <dir>" }</code>{ " or " }<code>{ "python3 -m http.server" }</code>
                    { "). Another location can be given as " }<code>{ "?data=<url>" }</code>{ "." }
                </li>
            </ol>
        </main>
    }
}

fn breadcrumbs(v: &ViewState) -> Html {
    let link = |route: Route, text: String| {
        let href = crate::pages::view_href(v, route);
        html! { <><span class="sep">{ "/" }</span><a href={href}>{ text }</a></> }
    };
    match &v.route {
        Route::Projects | Route::NotFound(_) => html! {},
        Route::Project { project } => link(
            Route::Project {
                project: project.clone(),
            },
            project.clone(),
        ),
        Route::Run { project, run } => html! {
            <>
                { link(Route::Project { project: project.clone() }, project.clone()) }
                { link(Route::Run { project: project.clone(), run: run.clone() }, run.clone()) }
            </>
        },
        Route::Compare { project } => html! {
            <>
                { link(Route::Project { project: project.clone() }, project.clone()) }
                <span class="sep">{ "/" }</span><span>{ "compare" }</span>
            </>
        },
    }
}

/// The app.
#[function_component(App)]
pub fn app() -> Html {
    let force = use_force_update();
    let store = use_memo((), move |_| {
        let f = force.clone();
        StoreHandle::new(Rc::new(move || f.force_update()))
    });
    let model = use_reducer(|| {
        let hash = location().and_then(|l| l.hash().ok()).unwrap_or_default();
        Model(from_hash(&hash))
    });
    let open_error = use_state(|| None::<String>);
    let dragging = use_state(|| false);

    // Start with the HTTP source, once.
    {
        let store = (*store).clone();
        use_effect_with((), move |_| {
            if let Some(s) = initial_source() {
                store.set_source(s);
            }
        });
    }
    // Hash → state (back button, pasted links).
    {
        let dispatch = model.dispatcher();
        use_effect_with((), move |_| {
            let cb = Closure::<dyn FnMut()>::new(move || {
                let hash = location().and_then(|l| l.hash().ok()).unwrap_or_default();
                dispatch.dispatch(Action::Replace(from_hash(&hash)));
            });
            let w = web_sys::window();
            if let Some(w) = &w {
                let _ =
                    w.add_event_listener_with_callback("hashchange", cb.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = w {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        cb.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    // State → hash: a new history entry when the page changes, a replaced one for settings.
    {
        use_effect_with(model.0.clone(), move |v| {
            let h = to_hash(v);
            if let Some(w) = web_sys::window() {
                let cur = w.location().hash().unwrap_or_default();
                let cur_route = from_hash(&cur).route;
                if cur != h && !(cur.is_empty() && h == "#/") {
                    if let Ok(hist) = w.history() {
                        if cur_route != v.route {
                            let _ = hist.push_state_with_url(&JsValue::NULL, "", Some(&h));
                        } else {
                            let _ = hist.replace_state_with_url(&JsValue::NULL, "", Some(&h));
                        }
                    }
                }
                if let Some(d) = w.document() {
                    d.set_title(&page_title(v));
                }
            }
        });
    }
    let handle = store.snapshot();
    let live = handle.source().is_some_and(|s| s.is_live()) && handle.has_live();
    {
        let store = (*store).clone();
        use_poll(POLL_MS, live, Callback::from(move |_| store.poll()));
    }

    let on_action = {
        let d = model.dispatcher();
        Callback::from(move |a: Action| d.dispatch(a))
    };
    let on_open = {
        let store = (*store).clone();
        let open_error = open_error.clone();
        let d = model.dispatcher();
        Callback::from(move |r: Result<source::LocalFolder, String>| match r {
            Ok(folder) => {
                open_error.set(None);
                store.set_source(Source::Local(Rc::new(folder)));
                d.dispatch(Action::Navigate(Route::Projects));
            }
            Err(e) => open_error.set(Some(e)),
        })
    };
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let on_open = on_open.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(dt) = e.data_transfer() {
                let on_open = on_open.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    on_open.emit(source::folder_from_drop(&dt).await);
                });
            }
        })
    };

    let view = model.0.clone();
    let manifest_state = handle.inner.borrow().manifest.clone();
    let skipped = handle.inner.borrow().skipped.clone();
    let page_props = PageProps {
        view: view.clone(),
        on_action: on_action.clone(),
    };
    let body = match (&manifest_state, handle.source()) {
        (None, None) => {
            html! { <Landing reason={(*open_error).clone()} on_open={on_open.clone()} /> }
        }
        (Some(Fetch::Failed(e)), _) => {
            let reason = format!("Could not read the manifest: {e}");
            html! { <Landing reason={Some((*open_error).clone().unwrap_or(reason))} on_open={on_open.clone()} /> }
        }
        (Some(Fetch::Loading), _) | (None, Some(_)) => {
            html! { <main class="page"><p class="muted">{ "Loading…" }</p></main> }
        }
        (Some(Fetch::Ready(_)), _) => match &view.route {
            Route::Projects => html! { <ProjectsPage ..page_props.clone() /> },
            Route::Project { .. } => html! { <ProjectPage ..page_props.clone() /> },
            Route::Run { .. } => html! { <RunPage ..page_props.clone() /> },
            Route::Compare { .. } => html! { <ComparePage ..page_props.clone() /> },
            Route::NotFound(p) => {
                html! { <main class="page"><p class="error">{ format!("Nothing at '{p}'.") }</p><a href="#/">{ "All projects" }</a></main> }
            }
        },
    };
    let label = handle.source().map(|s| s.label()).unwrap_or_default();
    html! {
        <ContextProvider<StoreHandle> context={handle.clone()}>
            <div class={classes!("app", dragging.then_some("dragging"))} {ondragover} {ondragleave} {ondrop}>
                <header class="top">
                    <a class="brand" href="#/">{ "Aspara" }</a>
                    <nav class="crumbs">{ breadcrumbs(&view) }</nav>
                    <span class="spacer"></span>
                    if live { <span class="live" title="Polling for new data every 3 s">{ "● live" }</span> }
                    if !label.is_empty() { <span class="source" title="data source">{ label }</span> }
                    <OpenFolder on_open={on_open.clone()} />
                </header>
                if let (Some(e), Some(_)) = (&*open_error, &manifest_state) { <p class="error banner">{ e.clone() }</p> }
                { body }
                if !skipped.is_empty() {
                    <footer class="skipped">
                        <p>{ format!("{} entr{} skipped (names must match ^[a-zA-Z0-9_-]+$):", skipped.len(), if skipped.len() == 1 { "y" } else { "ies" }) }</p>
                        <ul>{ for skipped.iter().map(|s| html! { <li>{ s.clone() }</li> }) }</ul>
                    </footer>
                }
                <div class="drop-hint">{ "Drop the data directory to open it" }</div>
            </div>
        </ContextProvider<StoreHandle>>
    }
}

/// Mounts the app into `<body>`.
pub fn start() {
    yew::Renderer::<App>::new().render();
}
