//! The compare page's legend: one swatch per run in its stable colour.

use yew::prelude::*;

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// Run name.
    pub label: String,
    /// CSS colour.
    pub color: String,
    /// Extra text, e.g. "no data".
    pub note: Option<String>,
}

/// Props of [`Legend`].
#[derive(Properties, PartialEq)]
pub struct LegendProps {
    /// The entries.
    pub entries: Vec<LegendEntry>,
}

/// A horizontal legend.
#[function_component(Legend)]
pub fn legend(props: &LegendProps) -> Html {
    html! {
        <div class="legend">
            { for props.entries.iter().map(|e| html! {
                <span class="legend-entry" data-color={e.color.clone()}>
                    <span class="swatch" style={format!("background:{}", e.color)}></span>
                    <span class="legend-label">{ e.label.clone() }</span>
                    if let Some(n) = &e.note { <span class="legend-note">{ n.clone() }</span> }
                </span>
            }) }
        </div>
    }
}
