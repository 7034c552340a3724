//! A wrapper for parts of a page that only make sense once the wasm app runs.

use leptos::prelude::*;

/// Renders `children` only in the browser, after hydration (the server and the first
/// browser render show `fallback`). For live panels that have nothing to show before the
/// stream connects: building them on the server would only cost every page request.
#[component]
pub fn BrowserOnly(fallback: fn() -> AnyView, children: ChildrenFn) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    move || {
        if hydrated.get() {
            children()
        } else {
            fallback()
        }
    }
}
