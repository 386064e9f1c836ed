//! `use_visible`: whether an element is on screen (IntersectionObserver), so only visible charts
//! are drawn.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// `true` while the element is within 200 px of the viewport. Without IntersectionObserver, always
/// `true`.
#[hook]
pub fn use_visible(node: NodeRef) -> bool {
    let visible = use_state(|| false);
    {
        let visible = visible.clone();
        use_effect_with(node, move |node| {
            let mut observer = None;
            let mut keep: Option<Closure<dyn FnMut(js_sys::Array)>> = None;
            match node.cast::<web_sys::Element>() {
                Some(el) => {
                    let v = visible.clone();
                    let cb =
                        Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                            for e in entries.iter() {
                                if let Ok(e) = e.dyn_into::<web_sys::IntersectionObserverEntry>() {
                                    v.set(e.is_intersecting());
                                }
                            }
                        });
                    let init = web_sys::IntersectionObserverInit::new();
                    init.set_root_margin("200px");
                    match web_sys::IntersectionObserver::new_with_options(
                        cb.as_ref().unchecked_ref(),
                        &init,
                    ) {
                        Ok(o) => {
                            o.observe(&el);
                            observer = Some(o);
                            keep = Some(cb);
                        }
                        Err(_) => visible.set(true),
                    }
                }
                None => visible.set(true),
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(keep);
            }
        });
    }
    *visible
}
