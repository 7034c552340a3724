//! The events timeline: what the cluster's components said about the workspace, newest
//! first, warnings marked.

use crate::live::Live;
use crate::live::age::age;
use leptos::prelude::*;

#[component]
pub fn EventsPanel() -> impl IntoView {
    let live = expect_context::<Live>();
    let events = Memo::new(move |_| {
        live.state
            .with(|s| s.events.iter().rev().cloned().collect::<Vec<_>>())
    });
    view! {
        <Show when=move || !events.with(Vec::is_empty) fallback=|| view! { <p class="empty">"No events yet."</p> }>
            <table class="events">
                <thead><tr><th>"age"</th><th>"type"</th><th>"reason"</th><th>"object"</th><th>"message"</th></tr></thead>
                <tbody>
                    {move || events.get().into_iter().map(|e| {
                        let kind = e.kind.clone().unwrap_or_default();
                        let class = format!("event {}", kind.to_lowercase());
                        let object = format!("{}/{}", e.object.kind.clone().unwrap_or_default().to_lowercase(), e.object.name.clone().unwrap_or_default());
                        let count = e.count.filter(|c| *c > 1).map(|c| format!(" (×{c})")).unwrap_or_default();
                        view! {
                            <tr class=class>
                                <td>{age(e.last_timestamp.as_deref(), live.now.get())}</td>
                                <td>{kind}</td>
                                <td>{e.reason.clone()}</td>
                                <td><span class="muted">{format!("{} ", e.namespace)}</span>{object}</td>
                                <td>{e.message.clone()}{count}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </Show>
    }
}
