//! The run filter box with its help popover; an invalid query shows its error (and the page then
//! filters nothing).

use yew::prelude::*;

use crate::query::HELP;

/// Props of [`FilterBox`].
#[derive(Properties, PartialEq)]
pub struct FilterBoxProps {
    /// The query text.
    pub value: AttrValue,
    /// The parse error, if any.
    pub error: Option<String>,
    /// New text.
    pub on_change: Callback<String>,
    /// Placeholder.
    #[prop_or(AttrValue::Static("Filter runs: text, tag:x, status:failed, config.lr<0.01 …"))]
    pub placeholder: AttrValue,
    /// Show the query-language help.
    #[prop_or(true)]
    pub help: bool,
}

/// The box.
#[function_component(FilterBox)]
pub fn filter_box(props: &FilterBoxProps) -> Html {
    let oninput = {
        let cb = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                cb.emit(input.value());
            }
        })
    };
    html! {
        <div class="filter">
            <input type="search" class={classes!("filter-input", props.error.as_ref().map(|_| "invalid"))}
                value={props.value.clone()} placeholder={props.placeholder.clone()} {oninput}
                aria-label="filter" spellcheck="false" />
            if props.help {
                <details class="help">
                    <summary title="Query language help">{ "?" }</summary>
                    <div class="help-pop">
                        <table>
                            { for HELP.iter().map(|(ex, what)| html! {
                                <tr><td><code>{ *ex }</code></td><td>{ *what }</td></tr>
                            }) }
                        </table>
                    </div>
                </details>
            }
            if let Some(e) = &props.error {
                <div class="filter-error" role="alert">{ e.clone() }</div>
            }
        </div>
    }
}
