//! A manifest pane's editor. The server renders the YAML as plain text, so the page is
//! readable before (and without) wasm; after hydration CodeMirror 6 (bundled from
//! `editor/` into `/editor.js`) takes over the same box.

use crate::model::PaneView;
use leptos::html::Div;
use leptos::prelude::*;

/// One pane's text as of `step`, editable once hydrated.
#[component]
pub fn PaneEditor(pane: PaneView, step: Memo<usize>) -> impl IntoView {
    let name = pane.name.clone();
    let text = Memo::new(move |_| pane.at_step(step.get()).unwrap_or_default().to_string());
    let host = NodeRef::<Div>::new();
    #[cfg(feature = "hydrate")]
    bridge::attach(host, text);
    view! {
        <div class="editor-host" node_ref=host data-pane=name>
            <pre class="pane-source"><code>{move || text.get()}</code></pre>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod bridge {
    use leptos::html::Div;
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// Mounts CodeMirror inside `host` (hiding the server-rendered text) and returns
        /// the editor.
        #[wasm_bindgen(catch, js_namespace = kubeclassEditor, js_name = mount)]
        fn mount(host: &web_sys::HtmlElement, text: &str) -> Result<JsValue, JsValue>;
        /// Replaces the editor's text (one undoable change) unless it is already `text`.
        #[wasm_bindgen(catch, js_namespace = kubeclassEditor, js_name = setText)]
        fn set_text(editor: &JsValue, text: &str) -> Result<(), JsValue>;
    }

    /// Mounts the editor once the host exists and keeps it on the step's text.
    pub fn attach(host: NodeRef<Div>, text: Memo<String>) {
        let editor = StoredValue::new_local(None::<JsValue>);
        Effect::new(move |_| {
            let text = text.get();
            let Some(host) = host.get() else { return };
            let result = match editor.get_value() {
                Some(view) => set_text(&view, &text),
                None => mount(&host, &text).map(|view| editor.set_value(Some(view))),
            };
            if let Err(e) = result {
                leptos::logging::warn!("editor unavailable, showing plain text: {e:?}");
            }
        });
    }
}
