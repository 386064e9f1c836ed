//! `use_store`: the data store handed down by the app.

use yew::prelude::*;

use crate::store::StoreHandle;

/// The store from context. Panics never: the app always provides it, and a missing provider gives
/// a detached empty store.
#[hook]
pub fn use_store() -> StoreHandle {
    let fallback = use_memo((), |_| StoreHandle::new(std::rc::Rc::new(|| {})));
    use_context::<StoreHandle>().unwrap_or_else(|| (*fallback).clone())
}
