use super::BrowserOnly;
use super::editor::{PaneEditor, draft_key};
use super::workspace::PaneActions;
use crate::model::PaneView;
use leptos::prelude::*;

/// The lesson's manifest files as tabs, each an editor showing the file as of the current
/// step. Tabs follow the WAI-ARIA tabs pattern: arrow keys move between them.
#[component]
pub fn PaneTabs(panes: Vec<PaneView>, step: Memo<usize>) -> impl IntoView {
    let panes = StoredValue::new(panes);
    // A tab the reader picked stays picked while they stay on that step; on another step
    // the pane that step writes comes to the front.
    let picked = RwSignal::new(None::<(usize, usize)>);
    let active = Memo::new(move |_| {
        let step = step.get();
        if let Some((_, pane)) = picked.get().filter(|(at, _)| *at == step) {
            return Some(pane);
        }
        panes.with_value(|panes| {
            panes
                .iter()
                .position(|p| p.changes_at(step))
                .or_else(|| panes.iter().position(|p| p.at_step(step).is_some()))
        })
    });
    let visible = move |i: usize| panes.with_value(|p| p[i].at_step(step.get()).is_some());
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let delta: isize = match ev.key().as_str() {
            "ArrowRight" => 1,
            "ArrowLeft" => -1,
            _ => return,
        };
        ev.prevent_default();
        let count = panes.with_value(Vec::len) as isize;
        let Some(mut i) = active.get() else { return };
        for _ in 0..count {
            i = (i as isize + delta).rem_euclid(count) as usize;
            if visible(i) {
                picked.set(Some((step.get(), i)));
                focus_tab(i);
                return;
            }
        }
    };
    let count = panes.with_value(Vec::len);
    view! {
            <section class="panes" aria-label="Manifests">
                <Show
                    when=move || { count > 0 }
                    fallback=|| view! { <p class="panes-empty">"This lesson has no manifests to edit."</p> }
                >
                    <div class="pane-tabs" role="tablist" aria-label="Manifest files" on:keydown=on_keydown>
                        {(0..count).map(|i| {
                            let name = panes.with_value(|p| p[i].name.clone());
                            let selected = move || active.get() == Some(i);
                            view! {
                                <button
                                    type="button"
                                    role="tab"
                                    id=format!("pane-tab-{i}")
                                    aria-controls=format!("pane-panel-{i}")
                                    aria-selected=move || selected().to_string()
                                    tabindex=move || if selected() { "0" } else { "-1" }
                                    hidden=move || !visible(i)
                                    class:changed=move || panes.with_value(|p| p[i].changes_at(step.get()))
                                    on:click=move |_| picked.set(Some((step.get(), i)))
                                >
                                    {name}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                    {(0..count).map(|i| {
                        let pane = panes.with_value(|p| p[i].clone());
                        view! {
                            <div
                                class="pane"
                                role="tabpanel"
                                id=format!("pane-panel-{i}")
                                aria-labelledby=format!("pane-tab-{i}")
                                hidden=move || active.get() != Some(i)
                            >
                                <PaneEditor pane step />
                            </div>
                        }
                    }).collect_view()}
    <BrowserOnly fallback=|| view! { <div class="pane-actions" aria-hidden="true"></div> }.into_any()>
                        <PaneActions
                            pane=Signal::derive(move || active.get().map(|i| panes.with_value(|p| p[i].name.clone())))
                            key=Signal::derive(move || active.get().and_then(|i| panes.with_value(|p| draft_key(&p[i], step.get()))))
                        />
                    </BrowserOnly>
                    <p class="pane-hint">"Edit freely: each step shows the file as the lesson writes it. In the editor, Tab indents; press Esc then Tab to move on."</p>
                </Show>
            </section>
        }
}

fn focus_tab(i: usize) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(tab) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("pane-tab-{i}")))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = tab.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = i;
}
