//! `/trainer/rooms/{id}/attendees/{attendee}`: a trainer's read-only look into one
//! attendee's workspace, as their own panels show it — the objects tree with kubectl's
//! columns (a pod's log on request), the events, each pane they edited with its diff
//! against the lesson, their console history. Read again every few seconds; nothing on
//! the page changes the workspace.

use crate::live::api;
use crate::live::tree::{Row, rows};
use crate::model::inspection::{Inspection, LogLines, PaneInspection};
use crate::model::live::ObjectView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// How often the workspace is read again, in milliseconds.
#[cfg(feature = "hydrate")]
const REFRESH_MS: u64 = 3000;

/// The pod whose log is shown: short namespace, pod, and its lines once read.
type Shown = (String, String, Option<Result<LogLines, String>>);

#[component]
pub fn AttendeeWorkspacePage() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        params.with_untracked(|p| {
            (
                p.get("id").unwrap_or_default(),
                p.get("attendee").unwrap_or_default(),
            )
        })
    };
    let seen = RwSignal::new(None::<Result<Inspection, String>>);
    let now = RwSignal::new(0.0);
    let log = RwSignal::new(None::<Shown>);
    let load = move || {
        let (room, attendee) = ids();
        leptos::task::spawn_local(async move {
            #[cfg(feature = "hydrate")]
            now.set(crate::live::client::now());
            seen.set(Some(api::inspect_attendee(&room, &attendee).await));
        });
    };
    Effect::new(move |_| load());
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(load, std::time::Duration::from_millis(REFRESH_MS))
    {
        on_cleanup(move || handle.clear());
    }
    let open_log = Callback::new(move |(namespace, pod): (String, String)| {
        let (room, attendee) = ids();
        log.set(Some((namespace.clone(), pod.clone(), None)));
        leptos::task::spawn_local(async move {
            let lines = api::attendee_logs((&room, &attendee), &namespace, &pod).await;
            log.set(Some((namespace, pod, Some(lines))));
        });
    });
    let back = move || format!("/trainer/rooms/{}", ids().0);
    view! {
        <Title text="An attendee's workspace" />
        <section class="inspection">
            <p><a href=back>"← The room"</a></p>
            {move || match seen.get() {
                None => view! { <p class="loading">"Reading their workspace…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(seen)) => view! { <Workspace seen now=now.get() open_log /> }.into_any(),
            }}
            {move || log.get().map(|(namespace, pod, lines)| view! {
                <section class="inspection-log" aria-labelledby="inspection-log-title">
                    <h2 id="inspection-log-title">{format!("Log of pod {pod} ({namespace})")}</h2>
                    {match lines {
                        None => view! { <p class="loading">"Reading the log…"</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
                        Some(Ok(read)) if read.lines.is_empty() => view! {
                            <p class="empty">{read.note.unwrap_or_else(|| "The log is empty.".into())}</p>
                        }.into_any(),
                        Some(Ok(read)) => view! { <pre class="log">{read.lines.join("\n")}</pre> }.into_any(),
                    }}
                    <button class="button" on:click=move |_| log.set(None)>"Close the log"</button>
                </section>
            })}
        </section>
    }
}

#[component]
fn Workspace(seen: Inspection, now: f64, open_log: Callback<(String, String)>) -> impl IntoView {
    let Inspection {
        name,
        namespaces,
        events,
        panes,
        console,
    } = seen;
    view! {
        <h1>{format!("{name}'s workspace")}</h1>
        <p class="muted">"Read-only: what their own panels show, read as them. Nothing here changes their workspace."</p>
        <h2>"Objects"</h2>
        {namespaces.into_iter().map(|(namespace, objects)| {
            let tree = rows(&objects);
            view! {
                <section class="namespace" data-namespace=namespace.clone()>
                    <h3><span class="muted">"namespace "</span>{namespace.clone()}</h3>
                    {if tree.is_empty() {
                        view! { <p class="empty">"Nothing here."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="tree" role="tree">
                                {tree.into_iter().map(|row| view! { <ObjectRow row namespace=namespace.clone() now open_log /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
        }).collect_view()}
        <h2>"Events"</h2>
        {if events.is_empty() {
            view! { <p class="empty">"No events yet."</p> }.into_any()
        } else {
            view! {
                <table class="events">
                    <thead><tr><th>"age"</th><th>"type"</th><th>"reason"</th><th>"object"</th><th>"message"</th></tr></thead>
                    <tbody>
                        {events.into_iter().rev().map(|e| {
                            let kind = e.kind.clone().unwrap_or_default();
                            let class = format!("event {}", kind.to_lowercase());
                            let object = format!("{}/{}", e.object.kind.clone().unwrap_or_default().to_lowercase(), e.object.name.clone().unwrap_or_default());
                            view! {
                                <tr class=class>
                                    <td>{crate::live::age::age(e.last_timestamp.as_deref(), now)}</td>
                                    <td>{kind}</td>
                                    <td>{e.reason.clone()}</td>
                                    <td><span class="muted">{format!("{} ", e.namespace)}</span>{object}</td>
                                    <td>{e.message.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <h2>"Their panes"</h2>
        {if panes.is_empty() {
            view! { <p class="empty">"They have not changed any pane: each shows the lesson's text."</p> }.into_any()
        } else {
            panes.into_iter().map(|pane| view! { <PaneDiff pane /> }).collect_view().into_any()
        }}
        <h2>"Their console"</h2>
        {if console.is_empty() {
            view! { <p class="empty">"They have not run a command."</p> }.into_any()
        } else {
            view! { <pre class="console-history">{console.iter().map(|l| format!("$ {l}")).collect::<Vec<_>>().join("\n")}</pre> }.into_any()
        }}
    }
}

/// One line of a namespace's owner tree, with the API server's columns.
#[component]
fn ObjectRow(
    row: Row,
    namespace: String,
    now: f64,
    open_log: Callback<(String, String)>,
) -> impl IntoView {
    let depth = row.depth;
    let Some(object) = row.object else {
        return view! {
            <li class="row endpoint" role="treeitem" style=format!("--depth: {depth}")>
                <span class="object-kind">"endpoint"</span>
                <span class="object-name">{row.name}</span>
            </li>
        }
        .into_any();
    };
    let ObjectView {
        kind,
        name,
        columns,
        created,
        ..
    } = object;
    let pod = (kind == "Pod").then(|| (namespace, name.clone()));
    let (data_kind, data_name) = (kind.clone(), name.clone());
    view! {
        <li class="row" role="treeitem" style=format!("--depth: {depth}") data-kind=data_kind data-name=data_name>
            <span class="object-kind">{kind}</span>
            <span class="object-name">{name}</span>
            <span class="columns">
                {columns.into_iter().map(|c| {
                    let value = if c.name == "Age" { crate::live::age::age(created.as_deref(), now) } else { c.value };
                    view! { <span class="column"><span class="column-head">{c.name.to_uppercase()}</span>" "<span class="column-value">{value}</span></span> }
                }).collect_view()}
            </span>
            {pod.map(|pod| view! {
                <button type="button" class="button small" on:click=move |_| open_log.run(pod.clone())>"Logs"</button>
            })}
        </li>
    }
    .into_any()
}

/// A pane the attendee edited, as a diff against the lesson's text.
#[component]
fn PaneDiff(pane: PaneInspection) -> impl IntoView {
    let changed = pane.diff.iter().filter(|l| l.change.mark() != ' ').count();
    view! {
        <section class="pane-diff" data-pane=pane.pane.clone()>
            <h3>{format!("{} — step {} of {}", pane.pane, pane.step, pane.lesson)}</h3>
            <p class="muted">{if changed == 0 { "The same as the lesson's text.".to_string() } else { format!("{changed} lines differ from the lesson's text (− the lesson's, + theirs).") }}</p>
            <pre class="pane-diff-lines">
                {pane.diff.into_iter().map(|line| {
                    let class = match line.change.mark() { '+' => "added", '-' => "removed", _ => "same" };
                    view! { <span class=class>{format!("{}{}\n", line.change.mark(), line.text)}</span> }
                }).collect_view()}
            </pre>
        </section>
    }
}
