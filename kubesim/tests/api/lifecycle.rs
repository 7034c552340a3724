//! Object lifecycles through kube-rs: watches (resume, 410, selectors, kube-runtime),
//! namespace deletion, garbage collection, delete preconditions.

use crate::kube_client::{cluster, configmap};
use crate::support::api_error;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::{WatchStreamExt, watcher};
use kubesim::Cluster;
use serde_json::json;

#[tokio::test]
async fn watches_resume_and_expire() {
    let cluster = Cluster::builder()
        .seed(1)
        .watch_history(5)
        .system_workloads(false)
        .build()
        .expect("cluster");
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    let first = cms
        .create(&PostParams::default(), &configmap("a", json!({})))
        .await
        .expect("create");
    let rv = first.metadata.resource_version.clone().expect("rv");
    cms.create(&PostParams::default(), &configmap("b", json!({})))
        .await
        .expect("create");

    // Resuming from a version replays what came after it.
    let mut stream = cms
        .watch(&WatchParams::default(), &rv)
        .await
        .expect("watch")
        .boxed();
    match stream.try_next().await.expect("event") {
        Some(WatchEvent::Added(cm)) => assert_eq!(cm.metadata.name.as_deref(), Some("b")),
        other => panic!("expected b added, got {other:?}"),
    }
    cms.delete("a", &DeleteParams::default())
        .await
        .expect("delete");
    match stream.try_next().await.expect("event") {
        Some(WatchEvent::Deleted(cm)) => assert_eq!(cm.metadata.name.as_deref(), Some("a")),
        other => panic!("expected a deleted, got {other:?}"),
    }

    // Past the retained history the server says 410 Gone, as kube-apiserver does.
    for i in 0..10 {
        cms.create(
            &PostParams::default(),
            &configmap(&format!("x{i}"), json!({})),
        )
        .await
        .expect("create");
    }
    let mut old = cms
        .watch(&WatchParams::default(), &rv)
        .await
        .expect("watch")
        .boxed();
    match old.try_next().await.expect("event") {
        Some(WatchEvent::Error(e)) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("expected 410, got {other:?}"),
    }
}

#[tokio::test]
async fn kube_runtime_watcher_sees_changes() {
    let client = cluster().client();
    let cms: Api<ConfigMap> = Api::default_namespaced(client);
    cms.create(
        &PostParams::default(),
        &configmap("before", json!({"app": "x"})),
    )
    .await
    .expect("create");
    let mut objects = watcher(cms.clone(), watcher::Config::default().labels("app=x"))
        .applied_objects()
        .boxed();
    let seen = objects.try_next().await.expect("stream").expect("object");
    assert_eq!(seen.metadata.name.as_deref(), Some("before"));
    cms.create(
        &PostParams::default(),
        &configmap("ignored", json!({"app": "y"})),
    )
    .await
    .expect("create");
    cms.create(
        &PostParams::default(),
        &configmap("after", json!({"app": "x"})),
    )
    .await
    .expect("create");
    let seen = objects.try_next().await.expect("stream").expect("object");
    assert_eq!(seen.metadata.name.as_deref(), Some("after"));

    // The streaming-list mode (sendInitialEvents + bookmarks) works too.
    let mut streaming = watcher(
        cms,
        watcher::Config::default().labels("app=x").streaming_lists(),
    )
    .applied_objects()
    .boxed();
    let mut names = vec![];
    for _ in 0..2 {
        names.push(
            streaming
                .try_next()
                .await
                .expect("stream")
                .expect("object")
                .metadata
                .name
                .unwrap_or_default(),
        );
    }
    names.sort();
    assert_eq!(names, ["after", "before"]);
}

#[tokio::test]
async fn deleting_a_namespace_deletes_its_content_then_the_namespace() {
    let cluster = cluster();
    let client = cluster.client();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace =
        serde_json::from_value(json!({"metadata": {"name": "attendee"}})).expect("ns");
    let created = namespaces
        .create(&PostParams::default(), &ns)
        .await
        .expect("create");
    assert_eq!(
        created.spec.and_then(|s| s.finalizers),
        Some(vec!["kubernetes".to_string()])
    );
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "attendee");
    cms.create(&PostParams::default(), &configmap("plain", json!({})))
        .await
        .expect("create");
    // A finalizer someone else owns holds the namespace in Terminating.
    let mut held = configmap("held", json!({}));
    held.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    cms.create(&PostParams::default(), &held)
        .await
        .expect("create");

    namespaces
        .delete("attendee", &DeleteParams::default())
        .await
        .expect("delete");
    let wait = |name: &'static str| {
        let cms = cms.clone();
        async move {
            for _ in 0..200 {
                if cms
                    .get_opt(name)
                    .await
                    .expect("get")
                    .is_none_or(|c| c.metadata.deletion_timestamp.is_some())
                {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            panic!("{name} was not deleted");
        }
    };
    wait("plain").await;
    wait("held").await;
    let ns = namespaces.get("attendee").await.expect("still there");
    assert_eq!(
        ns.status.and_then(|s| s.phase).as_deref(),
        Some("Terminating")
    );
    let e = api_error(
        cms.create(&PostParams::default(), &configmap("late", json!({})))
            .await
            .expect_err("terminating"),
    );
    assert_eq!(e.code, 403);
    assert_eq!(
        e.message,
        "configmaps \"late\" is forbidden: unable to create new content in namespace attendee because it is being terminated"
    );

    // Releasing the finalizer lets the object go, and then the namespace.
    cms.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .expect("release");
    for _ in 0..200 {
        if namespaces.get_opt("attendee").await.expect("get").is_none() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("the namespace was not deleted");
}

#[tokio::test]
async fn a_selector_watch_sees_objects_enter_and_leave_the_selection() {
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster().client());
    let mut stream = cms
        .watch(&WatchParams::default().labels("app=x"), "0")
        .await
        .expect("watch")
        .boxed();
    cms.create(&PostParams::default(), &configmap("a", json!({"app": "x"})))
        .await
        .expect("create");
    let relabel = |app: &str| Patch::Merge(json!({"metadata": {"labels": {"app": app}}}));
    cms.patch("a", &PatchParams::default(), &relabel("y"))
        .await
        .expect("leave");
    cms.patch("a", &PatchParams::default(), &relabel("y2"))
        .await
        .expect("still out");
    cms.patch("a", &PatchParams::default(), &relabel("x"))
        .await
        .expect("return");
    let mut seen = Vec::new();
    for _ in 0..3 {
        match stream.try_next().await.expect("event") {
            Some(WatchEvent::Added(_)) => seen.push("ADDED"),
            Some(WatchEvent::Modified(_)) => seen.push("MODIFIED"),
            Some(WatchEvent::Deleted(_)) => seen.push("DELETED"),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, ["ADDED", "DELETED", "ADDED"]);
}

/// An owner ConfigMap and two dependents pointing at it.
async fn owned_family(cms: &Api<ConfigMap>, owner: &str) -> String {
    let created = cms
        .create(&PostParams::default(), &configmap(owner, json!({})))
        .await
        .expect("owner");
    let uid = created.metadata.uid.expect("uid");
    for i in 0..2 {
        let mut dependent = configmap(&format!("{owner}-dep-{i}"), json!({}));
        dependent.metadata.owner_references = Some(vec![serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "ConfigMap", "name": owner, "uid": uid, "controller": true, "blockOwnerDeletion": true
        })).expect("owner reference")]);
        cms.create(&PostParams::default(), &dependent)
            .await
            .expect("dependent");
    }
    uid
}

async fn eventually(mut done: impl AsyncFnMut() -> bool, what: &str) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("{what}");
}

#[tokio::test]
async fn garbage_collection_follows_the_propagation_policy() {
    use kube::api::PropagationPolicy;
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster().client());
    let names = async |cms: &Api<ConfigMap>| -> Vec<String> {
        cms.list(&ListParams::default())
            .await
            .expect("list")
            .items
            .into_iter()
            .filter_map(|c| c.metadata.name)
            .collect()
    };

    // Background (the default): the owner goes now, its dependents shortly after.
    owned_family(&cms, "bg").await;
    cms.delete("bg", &DeleteParams::default())
        .await
        .expect("delete");
    eventually(
        async || !names(&cms).await.iter().any(|n| n.starts_with("bg")),
        "background dependents were not collected",
    )
    .await;

    // Orphan: the dependents stay, released from their owner.
    owned_family(&cms, "or").await;
    cms.delete(
        "or",
        &DeleteParams {
            propagation_policy: Some(PropagationPolicy::Orphan),
            ..Default::default()
        },
    )
    .await
    .expect("delete");
    eventually(
        async || cms.get_opt("or").await.expect("get").is_none(),
        "the orphaning owner was not deleted",
    )
    .await;
    let dependent = cms.get("or-dep-0").await.expect("the dependent stays");
    assert!(
        dependent
            .metadata
            .owner_references
            .unwrap_or_default()
            .is_empty()
    );

    // Foreground: the owner waits, marked for deletion, until its dependents are gone.
    owned_family(&cms, "fg").await;
    let marked = cms
        .delete("fg", &DeleteParams::foreground())
        .await
        .expect("delete");
    assert!(
        marked
            .left()
            .is_some_and(|o| o.metadata.deletion_timestamp.is_some()),
        "the owner is returned marked"
    );
    eventually(
        async || !names(&cms).await.iter().any(|n| n.starts_with("fg")),
        "foreground deletion did not finish",
    )
    .await;
}

#[tokio::test]
async fn delete_preconditions_are_checked() {
    use kube::api::Preconditions;
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster().client());
    cms.create(&PostParams::default(), &configmap("a", json!({})))
        .await
        .expect("create");
    let wrong = DeleteParams {
        preconditions: Some(Preconditions {
            uid: Some("not-the-uid".into()),
            resource_version: None,
        }),
        ..Default::default()
    };
    let e = api_error(cms.delete("a", &wrong).await.expect_err("precondition"));
    assert_eq!(e.code, 409);
    assert!(e.message.starts_with("Operation cannot be fulfilled on configmaps \"a\": Precondition failed: UID in precondition: not-the-uid, UID in object meta: "), "{}", e.message);
    assert!(
        cms.get_opt("a").await.expect("get").is_some(),
        "nothing was deleted"
    );
}
