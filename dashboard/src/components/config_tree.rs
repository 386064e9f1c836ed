//! A config (or summary) as a tree: nested objects and lists expand, leaves show JSON-typed
//! values (`null`, numbers, `"text"`), and each leaf carries its JSON pointer (B31).

use serde_json::{Map, Value};
use yew::prelude::*;

use crate::model::{display_value, pointer_token};

/// Props of [`ConfigTree`].
#[derive(Properties, PartialEq)]
pub struct ConfigTreeProps {
    /// The object to show.
    pub value: Map<String, Value>,
}

fn leaf(v: &Value) -> Html {
    let (class, text) = match v {
        Value::Null => ("v-null", "null".to_owned()),
        Value::Bool(b) => ("v-bool", b.to_string()),
        Value::Number(_) => ("v-num", display_value(v)),
        Value::String(s) => ("v-str", format!("\"{s}\"")),
        Value::Array(_) => ("v-empty", "[]".to_owned()),
        Value::Object(_) => ("v-empty", "{}".to_owned()),
    };
    html! { <span class={classes!("v", class)}>{ text }</span> }
}

fn node(key: String, pointer: String, v: &Value) -> Html {
    match v {
        Value::Object(m) if !m.is_empty() => html! {
            <li>
                <details open=true>
                    <summary><span class="k">{ key }</span></summary>
                    <ul>{ for m.iter().map(|(k, v)| node(k.clone(), format!("{pointer}/{}", pointer_token(k)), v)) }</ul>
                </details>
            </li>
        },
        Value::Array(a) if !a.is_empty() && a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            html! {
                <li data-pointer={pointer.clone()}>
                    <span class="k">{ key }</span>{": "}
                    <span class="v v-list">{ "[" }
                        { for a.iter().enumerate().map(|(i, x)| html! {
                            <>
                                if i > 0 { {", "} }
                                <span data-pointer={format!("{pointer}/{i}")}>{ leaf(x) }</span>
                            </>
                        }) }
                    { "]" }</span>
                </li>
            }
        }
        Value::Array(a) if !a.is_empty() => html! {
            <li>
                <details open=true>
                    <summary><span class="k">{ key }</span>{ format!(" [{}]", a.len()) }</summary>
                    <ul>{ for a.iter().enumerate().map(|(i, v)| node(i.to_string(), format!("{pointer}/{i}"), v)) }</ul>
                </details>
            </li>
        },
        _ => html! {
            <li data-pointer={pointer}><span class="k">{ key }</span>{": "}{ leaf(v) }</li>
        },
    }
}

/// The tree.
#[function_component(ConfigTree)]
pub fn config_tree(props: &ConfigTreeProps) -> Html {
    if props.value.is_empty() {
        return html! { <p class="muted">{ "(empty)" }</p> };
    }
    html! {
        <ul class="tree">
            { for props.value.iter().map(|(k, v)| node(k.clone(), format!("/{}", pointer_token(k)), v)) }
        </ul>
    }
}
