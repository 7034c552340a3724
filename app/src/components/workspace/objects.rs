//! The objects panel: the owner tree of each namespace with `kubectl get`'s columns,
//! updating live; an object's YAML and events on click.

use crate::live::age::age;
use crate::live::tree::{Row, rows};
use crate::live::{Live, api};
use crate::model::live::ObjectView;
use leptos::prelude::*;

#[component]
pub fn ObjectsPanel(on_logs: Callback<ObjectView>) -> impl IntoView {
    let live = expect_context::<Live>();
    let selected = RwSignal::new(None::<(String, String, String)>);
    let namespaces = Memo::new(move |_| live.state.with(|s| s.namespaces()));
    view! {
        <div class="objects">
            <Show
                when=move || !namespaces.with(Vec::is_empty)
                fallback=|| view! { <p class="empty">"Nothing here yet. Press Apply to send the manifest to your namespaces; what the cluster makes of it appears here."</p> }
            >
                <For each=move || namespaces.get() key=|ns| ns.clone() let:namespace>
                    <NamespaceTree namespace selected on_logs />
                </For>
            </Show>
            {move || selected.get().map(|(ns, kind, name)| view! { <ObjectDetails namespace=ns kind name on_close=Callback::new(move |_| selected.set(None)) /> })}
        </div>
    }
}

#[component]
fn NamespaceTree(
    namespace: String,
    selected: RwSignal<Option<(String, String, String)>>,
    on_logs: Callback<ObjectView>,
) -> impl IntoView {
    let live = expect_context::<Live>();
    let ns = namespace.clone();
    let tree = Memo::new(move |_| live.state.with(|s| rows(&s.in_namespace(&ns))));
    let (heading, attribute) = (namespace.clone(), namespace.clone());
    view! {
        <section class="namespace" data-namespace=attribute>
            <h3><span class="muted">"namespace "</span>{heading}</h3>
            <ul class="tree" role="tree">
                {move || tree.get().into_iter().map(|row| view! { <TreeRow row namespace=namespace.clone() selected on_logs /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn TreeRow(
    row: Row,
    namespace: String,
    selected: RwSignal<Option<(String, String, String)>>,
    on_logs: Callback<ObjectView>,
) -> impl IntoView {
    let live = expect_context::<Live>();
    let depth = row.depth;
    let Some(object) = row.object else {
        return view! {
            <li class="row endpoint" role="treeitem" style=format!("--depth: {depth}") data-kind="Endpoint">
                <span class="object-kind">"endpoint"</span>
                <span class="object-name">{row.name}</span>
            </li>
        }
        .into_any();
    };
    let (kind, name) = (row.kind.clone(), row.name.clone());
    let open = {
        let (ns, kind, name) = (namespace.clone(), kind.clone(), name.clone());
        move |_| selected.set(Some((ns.clone(), kind.clone(), name.clone())))
    };
    // The API server's columns for it; AGE kept live.
    let cols = {
        let object = object.clone();
        move || {
            object
                .columns
                .iter()
                .map(|c| {
                    let value = if c.name == "Age" {
                        age(object.created.as_deref(), live.now.get())
                    } else {
                        c.value.clone()
                    };
                    (c.name.to_uppercase(), value)
                })
                .collect::<Vec<_>>()
        }
    };
    let is_pod = kind == "Pod";
    view! {
        <li class="row" role="treeitem" style=format!("--depth: {depth}") data-kind=kind.clone() data-name=name.clone()>
            <button type="button" class="object-link" on:click=open title="Show YAML and events">
                <span class="object-kind">{kind.clone()}</span>
                <span class="object-name">{name.clone()}</span>
            </button>
            <span class="columns">
                {move || cols().into_iter().map(|(h, v)| {
                    let col = h.clone();
                    view! { <span class="column" data-col=col><span class="column-head">{h}</span>" "<span class="column-value">{v}</span></span> }
                }).collect_view()}
            </span>
            {is_pod.then(|| {
                let object = object.clone();
                view! { <button type="button" class="button small" on:click=move |_| on_logs.run(object.clone())>"Logs"</button> }
            })}
        </li>
    }
    .into_any()
}

/// One object's YAML (as the cluster has it) and the events about it.
#[component]
fn ObjectDetails(
    namespace: String,
    kind: String,
    name: String,
    on_close: Callback<()>,
) -> impl IntoView {
    let live = expect_context::<Live>();
    let yaml = RwSignal::new(None::<Result<String, String>>);
    {
        let (namespace, kind, name) = (namespace.clone(), kind.clone(), name.clone());
        leptos::task::spawn_local(async move {
            yaml.set(Some(api::object_yaml(&namespace, &kind, &name).await));
        });
    }
    let (k, n, ns) = (kind.clone(), name.clone(), namespace.clone());
    let events = Memo::new(move |_| {
        live.state.with(|s| {
            s.events
                .iter()
                .rev()
                .filter(|e| {
                    e.namespace == ns
                        && e.object.kind.as_deref() == Some(&k)
                        && e.object.name.as_deref() == Some(&n)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="object-details" aria-label=format!("{kind} {name}")>
            <header>
                <h3>{format!("{kind} {name}")}<span class="muted">{format!(" in {namespace}")}</span></h3>
                <button type="button" class="button small" on:click=move |_| on_close.run(())>"Close"</button>
            </header>
            <h4>"Events"</h4>
            <Show when=move || !events.with(Vec::is_empty) fallback=|| view! { <p class="empty">"No events about it."</p> }>
                <ul class="event-list">
                    {move || events.get().into_iter().map(|e| view! {
                        <li class=format!("event {}", e.kind.clone().unwrap_or_default().to_lowercase())>
                            <span class="event-age">{age(e.last_timestamp.as_deref(), live.now.get())}</span>
                            <span class="event-reason">{e.reason.clone()}</span>
                            <span class="event-message">{e.message.clone()}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </Show>
            <h4>"YAML"</h4>
            {move || match yaml.get() {
                None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                Some(Ok(text)) => view! { <pre class="object-yaml"><code>{text}</code></pre> }.into_any(),
                Some(Err(e)) => view! { <p class="result-error">{e}</p> }.into_any(),
            }}
        </section>
    }
}
