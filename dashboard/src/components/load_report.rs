//! A run's load report: skipped lines, invalid values, non-monotonic steps, huge steps.

use yew::prelude::*;

use crate::data::{Level, Notice};

/// Props of [`LoadReportView`].
#[derive(Properties, PartialEq)]
pub struct LoadReportProps {
    /// Records loaded.
    pub records: u64,
    /// Lines read.
    pub lines: u64,
    /// The notices.
    pub notices: Vec<Notice>,
}

/// The report box.
#[function_component(LoadReportView)]
pub fn load_report_view(props: &LoadReportProps) -> Html {
    html! {
        <section class="load-report">
            <h3>{ "Load report" }</h3>
            <p class="load-summary">
                { format!("{} records loaded from {} lines", props.records, props.lines) }
                if props.notices.is_empty() { { "; no problems found." } }
            </p>
            if !props.notices.is_empty() {
                <ul>
                    { for props.notices.iter().map(|n| html! {
                        <li class={if n.level == Level::Warning { "warn" } else { "info" }}>{ n.text.clone() }</li>
                    }) }
                </ul>
            }
        </section>
    }
}
