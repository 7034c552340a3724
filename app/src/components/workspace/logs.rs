//! The logs panel: pick a pod and container, follow its log (or read the previous
//! container's), stop when done. The stream stops following when the tab stops looking.

use crate::live::Live;
use crate::model::live::ClientMessage;
use leptos::prelude::*;

/// The pod whose log the panel shows: (short namespace, pod name).
pub type LogTarget = RwSignal<Option<(String, String)>>;

/// `visible`: whether the panel is on screen; the log is followed only while it is.
#[component]
pub fn LogsPanel(target: LogTarget, visible: Signal<bool>) -> impl IntoView {
    let live = expect_context::<Live>();
    let container = RwSignal::new(None::<String>);
    let previous = RwSignal::new(false);
    let pods = Memo::new(move |_| {
        live.state.with(|s| {
            s.objects
                .values()
                .filter(|o| o.kind == "Pod")
                .map(|o| (o.namespace.clone(), o.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let containers = Memo::new(move |_| {
        let Some((ns, pod)) = target.get() else {
            return Vec::new();
        };
        live.state.with(|s| {
            s.objects
                .values()
                .find(|o| o.kind == "Pod" && o.namespace == ns && o.name == pod)
                .and_then(|o| o.spec["containers"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
    });
    // Following starts whenever the choice changes or the panel comes back on screen, and
    // stops while the attendee looks elsewhere.
    Effect::new(move |was_following: Option<bool>| {
        let following = visible.get() && target.with(Option::is_some);
        match target.get().filter(|_| following) {
            Some((ns, pod)) => live.follow_logs(&ns, &pod, container.get(), previous.get()),
            None if was_following == Some(true) => live.send(ClientMessage::StopLogs),
            None => {}
        }
        following
    });
    let stop = move |_| {
        target.set(None);
        live.send(ClientMessage::StopLogs);
    };
    let encode = |(ns, pod): &(String, String)| format!("{ns}/{pod}");
    view! {
        <div class="logs">
            <div class="log-controls">
                <label>"Pod "
                    <select on:change=move |ev| {
                        let value = event_target_value(&ev);
                        container.set(None);
                        target.set(value.split_once('/').map(|(n, p)| (n.to_string(), p.to_string())));
                    } prop:value=move || target.get().as_ref().map(encode).unwrap_or_default()>
                        <option value="">"choose a pod"</option>
                        {move || pods.get().iter().map(|p| view! { <option value=encode(p)>{encode(p)}</option> }).collect_view()}
                    </select>
                </label>
                <Show when=move || { containers.with(|c| c.len() > 1) }>
                    <label>"Container "
                        <select on:change=move |ev| container.set(Some(event_target_value(&ev)))>
                            {move || containers.get().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                </Show>
                <label class="check-label">
                    <input type="checkbox" prop:checked=previous on:change=move |ev| previous.set(event_target_checked(&ev)) />
                    " previous container"
                </label>
                <button type="button" class="button small" on:click=stop>"Stop"</button>
            </div>
            <pre class="log" aria-live="polite" aria-label="Pod log">
                {move || live.state.with(|s| s.logs.lines.join("\n"))}
            </pre>
            {move || live.state.with(|s| s.logs.ended.clone()).map(|reason| view! { <p class="log-end muted">"Log ended: " {reason}</p> })}
        </div>
    }
}
