//! A run's status as an icon plus its word.

use aspara::format::Status;
use yew::prelude::*;

/// Props of [`StatusIcon`].
#[derive(Properties, PartialEq)]
pub struct StatusIconProps {
    /// The derived status.
    pub status: Status,
}

/// `● wip`, `✓ completed`, `✕ failed`, `? maybe_failed`.
#[function_component(StatusIcon)]
pub fn status_icon(props: &StatusIconProps) -> Html {
    let (icon, title) = match props.status {
        Status::Wip => ("●", "running (work in progress)"),
        Status::Completed => ("✓", "completed"),
        Status::Failed => ("✕", "failed (non-zero exit code)"),
        Status::MaybeFailed => (
            "?",
            "maybe failed: no finish recorded and no update for over an hour",
        ),
    };
    let word = props.status.as_str();
    html! {
        <span class={classes!("status", format!("status-{word}"))} title={title} data-status={word}>
            <span class="status-icon" aria-hidden="true">{ icon }</span>
            <span class="status-word">{ word }</span>
        </span>
    }
}
