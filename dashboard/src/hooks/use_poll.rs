//! `use_poll`: call a function every `ms` while the tab is visible, and once when it becomes
//! visible again (the `visibilitychange` event), so a hidden tab costs no requests.

use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

fn tab_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Polls `tick` every `ms` milliseconds while `enabled` and the tab is visible.
#[hook]
pub fn use_poll(ms: u32, enabled: bool, tick: Callback<()>) {
    use_effect_with((ms, enabled), move |(ms, enabled)| {
        let mut interval = None;
        let mut listener: Option<Closure<dyn FnMut()>> = None;
        let doc = web_sys::window().and_then(|w| w.document());
        if *enabled {
            let t = tick.clone();
            interval = Some(Interval::new(*ms, move || {
                if tab_visible() {
                    t.emit(());
                }
            }));
            let t = tick.clone();
            let cb = Closure::<dyn FnMut()>::new(move || {
                if tab_visible() {
                    t.emit(());
                }
            });
            if let Some(d) = &doc {
                let _ = d.add_event_listener_with_callback(
                    "visibilitychange",
                    cb.as_ref().unchecked_ref(),
                );
            }
            listener = Some(cb);
        }
        move || {
            drop(interval);
            if let (Some(d), Some(cb)) = (doc, listener) {
                let _ = d.remove_event_listener_with_callback(
                    "visibilitychange",
                    cb.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
