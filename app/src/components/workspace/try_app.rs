//! "Try the app": a GET to one of the workspace's Services through the API server's
//! service proxy, with the status and body it answered (how learners see `/configmap`,
//! `/secret` and `/api-access` without a terminal).

use crate::live::{Live, api};
use crate::model::api::TryAnswer;
use leptos::prelude::*;

#[component]
pub fn TryAppPanel() -> impl IntoView {
    let live = expect_context::<Live>();
    // (namespace, service, ports)
    let services = Memo::new(move |_| {
        live.state.with(|s| {
            s.objects
                .values()
                .filter(|o| o.kind == "Service")
                .map(|o| {
                    let ports: Vec<String> = o.spec["ports"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p["port"].as_i64().map(|p| p.to_string()))
                        .collect();
                    (o.namespace.clone(), o.name.clone(), ports)
                })
                .collect::<Vec<_>>()
        })
    });
    let chosen = RwSignal::new(String::new());
    let path = RwSignal::new("/".to_string());
    let answer = RwSignal::new(None::<Result<TryAnswer, String>>);
    let busy = RwSignal::new(false);
    let ask = move || {
        let target = chosen.get_untracked();
        let target = if target.is_empty() {
            services.with_untracked(|s| {
                s.first()
                    .and_then(|(n, s, p)| p.first().map(|p| format!("{n}/{s}/{p}")))
                    .unwrap_or_default()
            })
        } else {
            target
        };
        let parts: Vec<String> = target.split('/').map(str::to_string).collect();
        let [namespace, service, port] = parts.as_slice() else {
            answer.set(Some(Err("There is no Service to try yet.".into())));
            return;
        };
        let (namespace, service, port) = (namespace.clone(), service.clone(), port.clone());
        let request_path = path.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let target = (namespace.as_str(), service.as_str(), port.as_str());
            let lesson = live.lesson.get_value();
            let result = api::try_app(target, &request_path, &lesson).await;
            answer.set(Some(result));
            busy.set(false);
        });
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        ask();
    };
    // A lesson's Try button: its Service (on the first port, as the list offers it
    // first) and path, sent at once.
    Effect::new(move |_| {
        let Some((namespace, service, request_path)) = live.try_request.get() else {
            return;
        };
        live.try_request.set(None);
        let port = services.with_untracked(|s| {
            s.iter()
                .find(|(n, name, _)| *n == namespace && *name == service)
                .and_then(|(_, _, ports)| ports.first().cloned())
        });
        let Some(port) = port else {
            answer.set(Some(Err(format!(
                "There is no Service {service} in {namespace} yet: apply the pane that makes it."
            ))));
            return;
        };
        chosen.set(format!("{namespace}/{service}/{port}"));
        path.set(request_path);
        ask();
    });
    view! {
        <form class="try-app" on:submit=send>
            <label>"Service "
                <select prop:value=chosen on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {move || services.get().into_iter().flat_map(|(ns, name, ports)| {
                        ports.into_iter().map(move |p| {
                            let value = format!("{ns}/{name}/{p}");
                            view! { <option value=value.clone()>{format!("{name}:{p} in {ns}")}</option> }
                        })
                    }).collect_view()}
                </select>
            </label>
            <label>"Path "<input type="text" prop:value=path on:input=move |ev| path.set(event_target_value(&ev)) /></label>
            <button type="submit" class="button primary" disabled=busy>"Send GET"</button>
        </form>
        {move || answer.get().map(|a| match a {
            Ok(a) => view! {
                <div class="try-answer">
                    <p><span class=if a.status < 400 { "status ok" } else { "status bad" }>{a.status}</span>" "<span class="muted">{a.content_type.unwrap_or_default()}</span></p>
                    <pre class="try-body">{a.body}</pre>
                </div>
            }.into_any(),
            Err(e) => view! { <p class="result-error">{e}</p> }.into_any(),
        })}
    }
}
