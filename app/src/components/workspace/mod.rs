//! The lesson page's view of the attendee's own cluster: the pane actions, and a panel
//! with the objects (owner tree), events, logs, "try the app" and the kubectl console,
//! all live over the stream (`crate::live`).

mod actions;
mod console;
mod events;
mod logs;
mod objects;
mod try_app;

pub use actions::PaneActions;

use crate::live::{Live, api, confirm};
use crate::model::live::ObjectView;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Objects,
    Events,
    Logs,
    Try,
    Console,
}

impl Tab {
    const ALL: [Tab; 5] = [Tab::Objects, Tab::Events, Tab::Logs, Tab::Try, Tab::Console];

    fn label(self) -> &'static str {
        match self {
            Tab::Objects => "Objects",
            Tab::Events => "Events",
            Tab::Logs => "Logs",
            Tab::Try => "Try the app",
            Tab::Console => "Console",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Objects => "objects",
            Tab::Events => "events",
            Tab::Logs => "logs",
            Tab::Try => "try",
            Tab::Console => "console",
        }
    }
}

#[component]
pub fn ClusterPanel() -> impl IntoView {
    let live = expect_context::<Live>();
    let tab = RwSignal::new(Tab::Objects);
    let log_target: logs::LogTarget = RwSignal::new(None);
    let on_logs = Callback::new(move |pod: ObjectView| {
        log_target.set(Some((pod.namespace, pod.name)));
        tab.set(Tab::Logs);
    });
    let notice = RwSignal::new(None::<String>);
    // A Run button of the lesson brings the console forward; a Try button, Try the app.
    Effect::new(move |_| {
        if live.console_queue.with(|q| !q.is_empty()) {
            tab.set(Tab::Console);
        }
    });
    Effect::new(move |pressed: Option<u64>| {
        let now = live.try_pressed.get();
        if pressed.is_some_and(|before| before != now) {
            tab.set(Tab::Try);
        }
        now
    });
    let reset = move |_| {
        if !confirm("Delete everything in your namespaces? Your edits in the panes stay.") {
            return;
        }
        leptos::task::spawn_local(async move {
            let said = match api::reset().await {
                Ok(_) => {
                    "Your namespaces are being deleted; they come back empty on the next Apply."
                        .to_string()
                }
                Err(e) => e,
            };
            notice.set(Some(said));
        });
    };
    let count = move |t: Tab| match t {
        Tab::Objects => live.state.with(|s| s.objects.len()).to_string(),
        Tab::Events => live.state.with(|s| s.events.len()).to_string(),
        _ => String::new(),
    };
    view! {
        <section class="cluster" aria-label="Your cluster">
            <header class="cluster-head">
                <h2>"Your cluster"</h2>
                <span class="link" class:up=live.connected role="status">
                    {move || if live.connected.get() { "live" } else { "connecting…" }}
                </span>
                <button type="button" class="button quiet small" data-action="reset" on:click=reset>"Reset workspace"</button>
            </header>
            {move || notice.get().map(|n| view! { <p class="notice">{n}</p> })}
            <div class="cluster-tabs" role="tablist" aria-label="Cluster views">
                {Tab::ALL.into_iter().map(|t| view! {
                    <button
                        type="button"
                        role="tab"
                        id=format!("cluster-tab-{}", t.id())
                        aria-selected=move || (tab.get() == t).to_string()
                        on:click=move |_| tab.set(t)
                    >
                        {t.label()}
                        <span class="count">{move || count(t)}</span>
                    </button>
                }).collect_view()}
            </div>
            <div class="cluster-view" role="tabpanel" hidden=move || tab.get() != Tab::Objects>
                <objects::ObjectsPanel on_logs />
            </div>
            <div class="cluster-view" role="tabpanel" hidden=move || tab.get() != Tab::Events>
                <events::EventsPanel />
            </div>
            <div class="cluster-view" role="tabpanel" hidden=move || tab.get() != Tab::Logs>
                <logs::LogsPanel target=log_target visible=Signal::derive(move || tab.get() == Tab::Logs) />
            </div>
            <div class="cluster-view" role="tabpanel" hidden=move || tab.get() != Tab::Try>
                <try_app::TryAppPanel />
            </div>
            <div class="cluster-view" role="tabpanel" hidden=move || tab.get() != Tab::Console>
                <console::ConsolePanel />
            </div>
        </section>
    }
}
