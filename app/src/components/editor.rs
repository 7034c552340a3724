//! A manifest pane's editor. The server renders the YAML as plain text, so the page is
//! readable before (and without) wasm; after hydration CodeMirror 6 (bundled from
//! `editor/` into `/editor.js`) takes over the same box. The attendee's edits are saved
//! as drafts on the server (per lesson, pane and version of the pane's text), so a reload
//! brings them back; "reset pane" forgets the draft and shows the lesson's text again.

use crate::live::api;
use crate::model::PaneView;
use leptos::html::Div;
use leptos::prelude::*;
use std::collections::HashMap;

/// The attendee's saved edits of the lesson's panes, by draft key (`pane@version`).
#[derive(Clone, Copy)]
pub struct Drafts {
    saved: RwSignal<HashMap<String, String>>,
    lesson: StoredValue<String>,
    /// Whether the attendee's session exists: drafts are kept on the server from then.
    ready: RwSignal<bool>,
}

impl Drafts {
    /// Provides the lesson's drafts to its panes and, in the browser, loads them (after
    /// [`crate::live::Live`], which must be provided first).
    pub fn provide(lesson: String) -> Drafts {
        // Loaded once the attendee's session exists (see `Live::ready`); edits made
        // before (in an embed, before Start) stay in the page and win over loaded ones.
        let ready = expect_context::<crate::live::Live>().ready;
        let drafts = Drafts {
            saved: RwSignal::new(HashMap::new()),
            lesson: StoredValue::new(lesson),
            ready,
        };
        Effect::new(move |loaded: Option<bool>| {
            if loaded == Some(true) || !ready.get() {
                return loaded.unwrap_or(false);
            }
            leptos::task::spawn_local(async move {
                match api::drafts(&drafts.lesson.get_value()).await {
                    Ok(saved) => drafts.saved.update(|kept| {
                        for (key, text) in saved.panes {
                            kept.entry(key).or_insert(text);
                        }
                    }),
                    Err(e) => leptos::logging::warn!("drafts not loaded: {e}"),
                }
            });
            true
        });
        provide_context(drafts);
        drafts
    }

    fn get(&self, key: &str) -> Option<String> {
        self.saved.with(|d| d.get(key).cloned())
    }

    /// Whether the pane version `key` has a draft.
    pub fn has(&self, key: &str) -> bool {
        self.saved.with(|d| d.contains_key(key))
    }

    /// Keeps `text` as the draft of `key`, here and on the server.
    pub fn save(&self, key: String, text: String) {
        self.saved.update(|d| {
            d.insert(key.clone(), text.clone());
        });
        self.send(key, Some(text));
    }

    /// Forgets the draft of `key`: the lesson's text shows again.
    pub fn forget(&self, key: String) {
        self.saved.update(|d| {
            d.remove(&key);
        });
        self.send(key, None);
    }

    fn send(&self, key: String, text: Option<String>) {
        if !self.ready.get_untracked() {
            return;
        }
        let lesson = self.lesson.get_value();
        leptos::task::spawn_local(async move {
            if let Err(e) = api::save_draft(&lesson, &key, text.as_deref()).await {
                leptos::logging::warn!("draft not saved: {e}");
            }
        });
    }
}

/// The draft key of `pane` as of `step`: its name and the step that wrote the text shown.
pub fn draft_key(pane: &PaneView, step: usize) -> Option<String> {
    pane.version_at(step).map(|v| format!("{}@{v}", pane.name))
}

/// One pane's text as of `step` (the attendee's draft of it, if any), editable once
/// hydrated.
#[component]
pub fn PaneEditor(pane: PaneView, step: Memo<usize>) -> impl IntoView {
    let drafts = expect_context::<Drafts>();
    let name = pane.name.clone();
    let pane = StoredValue::new(pane);
    let key = Memo::new(move |_| pane.with_value(|p| draft_key(p, step.get())));
    let text = Memo::new(move |_| {
        key.get()
            .and_then(|k| drafts.get(&k))
            .or_else(|| pane.with_value(|p| p.at_step(step.get()).map(str::to_string)))
            .unwrap_or_default()
    });
    let host = NodeRef::<Div>::new();
    #[cfg(feature = "hydrate")]
    bridge::attach(host, text, name.clone(), move |edited| {
        if let Some(k) = key.get_untracked() {
            drafts.save(k, edited);
        }
    });
    view! {
        <div class="editor-host" node_ref=host data-pane=name>
            <pre class="pane-source"><code>{move || text.get()}</code></pre>
        </div>
    }
}

/// An editor of a text that is no lesson pane (the console's `kubectl edit`): shown as
/// `text` says, its edits read back with [`pane_text`] under `name`.
#[component]
pub fn TextEditor(name: &'static str, text: Memo<String>) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    #[cfg(feature = "hydrate")]
    bridge::attach(host, text, name.to_string(), |_| {});
    view! {
        <div class="editor-host" node_ref=host data-pane=name>
            <pre class="pane-source"><code>{move || text.get()}</code></pre>
        </div>
    }
}

/// The text in pane `name`'s editor (`None` before it is mounted, and on the server).
pub fn pane_text(name: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    return bridge::text_of(name).ok().and_then(|v| v.as_string());
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = name;
        None
    }
}

/// Marks lines (from 1) of pane `name` with messages; an empty list clears the marks.
pub fn mark_lines(name: &str, marks: &[(usize, String)]) {
    #[cfg(feature = "hydrate")]
    {
        let list = js_sys::Array::new();
        for (line, message) in marks {
            let mark = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&mark, &"line".into(), &(*line as f64).into());
            let _ = js_sys::Reflect::set(&mark, &"message".into(), &message.as_str().into());
            list.push(&mark);
        }
        let _ = bridge::mark(name, &list);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, marks);
}

/// Moves the cursor of pane `name` to `line` and focuses it.
pub fn goto_line(name: &str, line: usize) {
    #[cfg(feature = "hydrate")]
    let _ = bridge::goto(name, line as f64);
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, line);
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
        #[wasm_bindgen(catch, js_namespace = kubeclassEditor, js_name = textOf)]
        pub fn text_of(name: &str) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_namespace = kubeclassEditor, js_name = onEdit)]
        fn on_edit(name: &str, callback: &Closure<dyn Fn(String)>) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = kubeclassEditor, js_name = mark)]
        pub fn mark(name: &str, marks: &js_sys::Array) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = kubeclassEditor, js_name = goto)]
        pub fn goto(name: &str, line: f64) -> Result<(), JsValue>;
    }

    /// Mounts the editor once the host exists, keeps it on `text`, and reports the
    /// attendee's own edits to `edited`.
    pub fn attach(
        host: NodeRef<Div>,
        text: Memo<String>,
        name: String,
        edited: impl Fn(String) + 'static,
    ) {
        let editor = StoredValue::new_local(None::<JsValue>);
        let callback = Closure::<dyn Fn(String)>::new(edited);
        let _ = on_edit(&name, &callback);
        // The editor lives as long as the page.
        callback.forget();
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
