//! Tags as chips (text nodes only).

use yew::prelude::*;

/// Props of [`TagList`].
#[derive(Properties, PartialEq)]
pub struct TagListProps {
    /// The tags.
    pub tags: Vec<String>,
}

/// A row of tag chips.
#[function_component(TagList)]
pub fn tag_list(props: &TagListProps) -> Html {
    html! {
        <span class="tags">
            { for props.tags.iter().map(|t| html! { <span class="tag">{ t.clone() }</span> }) }
        </span>
    }
}
