//! The platform's objects stay as the platform made them: a watch (as kubeclass) on each
//! kind of the isolation policy, over every workspace namespace, puts an object back when
//! it goes missing or changes — whoever did it (an attendee through a hole in the other
//! layers, a trainer's slip).

use super::{MANAGER, WORKSPACE_LABEL, policy};
use futures::StreamExt;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;

/// Watches the policy's kinds and repairs what changes, forever.
pub async fn run(platform: kube::Client) {
    let kinds: Vec<_> = policy::objects("", "")
        .into_iter()
        .map(|(resource, _)| resource)
        .collect();
    let tasks = kinds.into_iter().map(|resource| {
        let platform = platform.clone();
        async move {
            let api: Api<DynamicObject> = Api::all_with(platform.clone(), &resource);
            let config = watcher::Config::default().labels(WORKSPACE_LABEL);
            let mut events = watcher(api, config).default_backoff().boxed();
            while let Some(event) = events.next().await {
                let (object, gone) = match event {
                    Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) => (o, false),
                    Ok(watcher::Event::Delete(o)) => (o, true),
                    Ok(_) => continue,
                    Err(e) => {
                        tracing::debug!("watching the platform's objects: {e}");
                        continue;
                    }
                };
                repair(&platform, &object, gone).await;
            }
        }
    });
    futures::future::join_all(tasks).await;
}

/// Puts one of the platform's objects back if it is missing or differs from what the
/// policy says it should be.
pub async fn repair(platform: &kube::Client, seen: &DynamicObject, gone: bool) {
    let (Some(namespace), Some(name)) = (&seen.metadata.namespace, &seen.metadata.name) else {
        return;
    };
    let Some(id) = seen
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(WORKSPACE_LABEL))
    else {
        return;
    };
    let kind = seen.types.as_ref().map(|t| t.kind.as_str()).unwrap_or("");
    let Some((resource, wanted)) = policy::objects(id, namespace)
        .into_iter()
        .find(|(r, o)| r.kind == kind && o["metadata"]["name"] == name.as_str())
    else {
        return; // not one of the platform's names: the attendee's own object
    };
    let seen_value = serde_json::to_value(seen).unwrap_or_default();
    if !gone && same(&wanted, &seen_value) {
        return;
    }
    let api: Api<DynamicObject> = Api::namespaced_with(platform.clone(), namespace, &resource);
    match api
        .patch(
            name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(&wanted),
        )
        .await
    {
        Ok(_) => tracing::warn!(%namespace, %kind, %name, "the platform's object was put back"),
        // The namespace is going away: nothing to keep.
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 403 => {}
        Err(e) => {
            tracing::warn!(%namespace, %kind, %name, "putting the platform's object back: {e}")
        }
    }
}

/// Whether every field the policy sets has its value in `seen` (the cluster adds others).
fn same(wanted: &Value, seen: &Value) -> bool {
    match (wanted, seen) {
        (Value::Object(w), Value::Object(s)) => w
            .iter()
            .all(|(k, v)| s.get(k).is_some_and(|sv| same(v, sv))),
        (Value::Array(w), Value::Array(s)) => {
            w.len() == s.len() && w.iter().zip(s).all(|(a, b)| same(a, b))
        }
        (w, s) => w == s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_the_cluster_adds_is_the_same_what_the_attendee_changed_is_not() {
        let wanted = json!({"spec": {"hard": {"pods": "20"}}, "metadata": {"name": "q"}});
        let served = json!({"spec": {"hard": {"pods": "20"}}, "metadata": {"name": "q", "uid": "u"}, "status": {}});
        assert!(same(&wanted, &served));
        let raised = json!({"spec": {"hard": {"pods": "2000"}}, "metadata": {"name": "q"}});
        assert!(!same(&wanted, &raised));
    }
}
