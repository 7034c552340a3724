//! PersistentVolumeClaims and their volumes, as kind's local-path provisioner and the
//! persistentvolume-controller handle them: a WaitForFirstConsumer claim waits (with the
//! controller's event) until the scheduler picks a node for its first pod, then gets a
//! node-pinned volume of its requested size; an Immediate claim is provisioned at once on
//! a worker; a claim naming no class binds to a matching existing volume; a claim naming
//! a volume (`spec.volumeName`) binds to it only if the volume is free or already
//! claimed by it. A deleted claim takes with it only the volumes bound to it — whose
//! `claimRef` names it, uid included — never one its `volumeName` merely names, so a
//! claim pointing at someone else's volume cannot delete or release it.

use super::runner::{Context, Controller, EachChange};
use crate::events::{Recorder, Source};
use crate::store::{Event, EventType, Key, Store};
use serde_json::{Value, json};

const CONTROLLER: Source<'static> = Source::component("persistentvolume-controller");
const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";

/// The controller: claims, provisioned and bound as they come, their volumes released
/// as they go.
pub fn controller() -> impl Controller {
    EachChange::new(
        |ctx: &Context| {
            for (key, _) in ctx.store.list("", "persistentvolumeclaims", None, None).0 {
                reconcile(&ctx.store, &ctx.events, &key);
            }
        },
        |ctx: &Context, event: &Event| {
            if event.key.group.is_empty() && event.key.resource == "persistentvolumeclaims" {
                if event.kind == EventType::Deleted {
                    release(&ctx.store, &event.object);
                } else {
                    reconcile(&ctx.store, &ctx.events, &event.key);
                }
            }
        },
    )
}

fn reconcile(store: &Store, events: &Recorder, key: &Key) {
    let Ok(claim) = store.get(key) else {
        return;
    };
    if claim["status"]["phase"] == "Bound" || claim["metadata"].get("deletionTimestamp").is_some() {
        return;
    }
    if let Some(wanted) = claim["spec"]["volumeName"]
        .as_str()
        .filter(|v| !v.is_empty())
    {
        bind_named(store, events, key, &claim, wanted);
        return;
    }
    let class_name = claim["spec"]["storageClassName"]
        .as_str()
        .unwrap_or_default();
    let class = store
        .get(&Key::new(
            "storage.k8s.io",
            "storageclasses",
            "",
            class_name,
        ))
        .ok();
    let Some(class) = class else {
        if let Some(pv) = matching_volume(store, &claim) {
            bind(store, key, &claim, &pv);
        } else if claim["status"]["phase"].is_null() {
            set_pending(store, key, &claim);
            if !class_name.is_empty() {
                events.warning(
                    &claim,
                    CONTROLLER,
                    "ProvisioningFailed",
                    &format!("storageclass.storage.k8s.io \"{class_name}\" not found"),
                );
            }
        }
        return;
    };
    let provisioner = class["provisioner"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let wait = class["volumeBindingMode"] == "WaitForFirstConsumer";
    let node = claim["metadata"]["annotations"][SELECTED_NODE]
        .as_str()
        .map(str::to_string);
    let node = match (node, wait) {
        (Some(n), _) => n,
        (None, true) => {
            if claim["status"]["phase"].is_null() {
                set_pending(store, key, &claim);
                events.normal(
                    &claim,
                    CONTROLLER,
                    "WaitForFirstConsumer",
                    "waiting for first consumer to be created before binding",
                );
            }
            return;
        }
        (None, false) => first_worker(store),
    };
    events.normal(&claim, CONTROLLER, "ExternalProvisioning", &format!(
        "Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
    ));
    let source = Source {
        component: "rancher.io/local-path_local-path-provisioner",
        host: "",
    };
    events.normal(
        &claim,
        source,
        "Provisioning",
        &format!(
            "External provisioner is provisioning volume for claim \"{}/{}\"",
            key.namespace, key.name
        ),
    );
    let uid = claim["metadata"]["uid"].as_str().unwrap_or_default();
    let pv_name = format!("pvc-{uid}");
    let size = claim["spec"]["resources"]["requests"]["storage"].clone();
    let pv = json!({
        "apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": pv_name, "annotations": {"local.path.provisioner/selected-node": node,
            "pv.kubernetes.io/provisioned-by": provisioner}, "finalizers": ["kubernetes.io/pv-protection"]},
        "spec": {
            "accessModes": claim["spec"]["accessModes"], "capacity": {"storage": size},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": key.name,
                "namespace": key.namespace, "uid": uid, "resourceVersion": claim["metadata"]["resourceVersion"]},
            "hostPath": {"path": format!("/var/local-path-provisioner/{pv_name}_{}_{}", key.namespace, key.name), "type": "DirectoryOrCreate"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}},
            "persistentVolumeReclaimPolicy": class["reclaimPolicy"].as_str().unwrap_or("Delete"),
            "storageClassName": class_name, "volumeMode": "Filesystem",
        },
        "status": {"phase": "Bound"},
    });
    let pv_key = Key::new("", "persistentvolumes", "", &pv_name);
    let Ok(pv) = store.create(pv_key, pv) else {
        return;
    };
    events.normal(
        &claim,
        source,
        "ProvisioningSucceeded",
        &format!("Successfully provisioned volume {pv_name}"),
    );
    bind(store, key, &claim, &pv);
}

fn set_pending(store: &Store, key: &Key, claim: &Value) {
    let mut pending = claim.clone();
    pending["status"] = json!({"phase": "Pending"});
    let _ = store.update(
        key.clone(),
        pending,
        crate::store::resource_version_of(claim),
    );
}

/// A claim that names its volume: bound to it when the volume is free or already
/// claimed by this claim; otherwise it stays Pending (and says why when the volume is
/// someone else's), as the persistentvolume-controller does.
fn bind_named(store: &Store, events: &Recorder, key: &Key, claim: &Value, wanted: &str) {
    let pv = store
        .get(&Key::new("", "persistentvolumes", "", wanted))
        .ok();
    match pv {
        Some(pv) if pv["spec"]["claimRef"].is_null() || bound_to(&pv, claim) => {
            bind(store, key, claim, &pv);
        }
        Some(_) => {
            events.warning(
                claim,
                CONTROLLER,
                "FailedBinding",
                &format!("volume \"{wanted}\" already bound to a different claim."),
            );
            if claim["status"]["phase"].is_null() {
                set_pending(store, key, claim);
            }
        }
        None if claim["status"]["phase"].is_null() => set_pending(store, key, claim),
        None => {}
    }
}

/// Whether a volume's `claimRef` names this claim (and, when it records one, its uid).
fn bound_to(pv: &Value, claim: &Value) -> bool {
    let reference = &pv["spec"]["claimRef"];
    let meta = &claim["metadata"];
    let uid = reference["uid"].as_str().unwrap_or_default();
    reference["name"] == meta["name"]
        && reference["namespace"] == meta["namespace"]
        && (uid.is_empty() || meta["uid"].as_str() == Some(uid))
}

/// Binds a claim to a volume (both sides).
fn bind(store: &Store, key: &Key, claim: &Value, pv: &Value) {
    let pv_name = pv["metadata"]["name"].as_str().unwrap_or_default();
    let mut bound = claim.clone();
    bound["spec"]["volumeName"] = json!(pv_name);
    for (k, v) in [
        ("pv.kubernetes.io/bind-completed", "yes"),
        ("pv.kubernetes.io/bound-by-controller", "yes"),
        (
            "volume.beta.kubernetes.io/storage-provisioner",
            "rancher.io/local-path",
        ),
        (
            "volume.kubernetes.io/storage-provisioner",
            "rancher.io/local-path",
        ),
    ] {
        bound["metadata"]["annotations"][k] = json!(v);
    }
    bound["status"] = json!({"phase": "Bound", "accessModes": pv["spec"]["accessModes"], "capacity": pv["spec"]["capacity"]});
    let _ = store.update(key.clone(), bound, None);
    if pv["status"]["phase"] != "Bound" {
        let mut claimed = pv.clone();
        claimed["spec"]["claimRef"] = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": key.name,
            "namespace": key.namespace, "uid": claim["metadata"]["uid"]});
        claimed["status"] = json!({"phase": "Bound"});
        let _ = store.update(
            Key::new("", "persistentvolumes", "", pv_name),
            claimed,
            None,
        );
    }
}

/// An Available volume with no class, enough capacity and the claim's access modes.
fn matching_volume(store: &Store, claim: &Value) -> Option<Value> {
    let wanted = claim["spec"]["resources"]["requests"]["storage"]
        .as_str()
        .and_then(crate::quantity::parse)
        .unwrap_or(0);
    let class = claim["spec"]["storageClassName"]
        .as_str()
        .unwrap_or_default();
    store
        .list("", "persistentvolumes", None, None)
        .0
        .into_iter()
        .map(|(_, pv)| pv)
        .find(|pv| {
            let capacity = pv["spec"]["capacity"]["storage"]
                .as_str()
                .and_then(crate::quantity::parse)
                .unwrap_or(0);
            pv["spec"]["claimRef"].is_null()
                && pv["spec"]["storageClassName"].as_str().unwrap_or_default() == class
                && capacity >= wanted
                && claim["spec"]["accessModes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|m| {
                        pv["spec"]["accessModes"]
                            .as_array()
                            .is_some_and(|modes| modes.contains(m))
                    })
        })
        .map(|pv| (*pv).clone())
}

fn first_worker(store: &Store) -> String {
    let nodes = store.list("", "nodes", None, None).0;
    nodes
        .iter()
        .find(|(_, n)| n["spec"]["taints"].as_array().is_none_or(Vec::is_empty))
        .or(nodes.first())
        .map(|(k, _)| k.name.clone())
        .unwrap_or_default()
}

/// A deleted claim's volumes — those bound to it — deleted under the `Delete` policy,
/// released otherwise.
fn release(store: &Store, claim: &Value) {
    let bound: Vec<_> = store
        .list("", "persistentvolumes", None, None)
        .0
        .into_iter()
        .filter(|(_, pv)| bound_to(pv, claim))
        .collect();
    for (key, pv) in bound {
        if pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete" {
            let mut freed = (*pv).clone();
            freed["metadata"]["finalizers"] = json!([]);
            let _ = store.update(key.clone(), freed, None);
            let _ = store.remove(&key, None);
        } else {
            let mut released = (*pv).clone();
            released["status"] = json!({"phase": "Released"});
            let _ = store.update(key, released, None);
        }
    }
}
