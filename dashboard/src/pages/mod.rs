//! The routed screens: projects, one project's runs, one run, and the compare view.

mod compare;
mod project;
mod projects;
mod run;

pub use compare::ComparePage;
pub use project::ProjectPage;
pub use projects::ProjectsPage;
pub use run::RunPage;

use yew::prelude::*;

use crate::state::{Action, ViewState};

/// What every page gets: the view state and the dispatcher.
#[derive(Properties, PartialEq, Clone)]
pub struct PageProps {
    /// The whole view state.
    pub view: ViewState,
    /// Dispatch an action.
    pub on_action: Callback<Action>,
}

/// A link to another view that keeps the chart settings.
pub fn view_href(view: &ViewState, route: crate::state::Route) -> String {
    crate::url_state::to_hash(&ViewState {
        route,
        charts: crate::state::ChartSettings {
            zoom: None,
            metric_filter: String::new(),
            ..view.charts.clone()
        },
        selected: view.selected.clone(),
        ..ViewState::default()
    })
}
