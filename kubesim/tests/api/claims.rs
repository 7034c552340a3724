//! PersistentVolumeClaims and the volumes bound to them, through kube-rs on paused time:
//! a claim that names someone else's volume in `spec.volumeName` stays Pending with the
//! persistentvolume-controller's warning, and deleting it neither deletes nor releases
//! that volume; deleting the claim the volume is bound to does.

use crate::support::create;
use k8s_openapi::api::core::v1::{Event, Namespace, PersistentVolume, PersistentVolumeClaim, Pod};
use kube::api::{Api, DeleteParams};
use kubesim::Cluster;
use serde_json::json;
use std::time::Duration;

async fn eventually<T>(seconds: u64, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..seconds * 10 {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within {seconds}s");
}

#[tokio::test(start_paused = true)]
async fn a_claim_naming_another_tenants_volume_cannot_take_or_delete_it() {
    let cluster = Cluster::builder()
        .seed(51)
        .start_time("2026-03-01T10:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster");
    let admin = cluster.client();
    for ns in ["victim", "attacker"] {
        create(
            &Api::<Namespace>::all(admin.clone()),
            json!({"metadata": {"name": ns}}),
        )
        .await;
    }
    let victim_claims: Api<PersistentVolumeClaim> = Api::namespaced(admin.clone(), "victim");
    create(
        &victim_claims,
        json!({"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}}}}),
    )
    .await;
    create(
        &Api::<Pod>::namespaced(admin.clone(), "victim"),
        json!({"metadata": {"name": "db"},
        "spec": {"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}],
            "containers": [{"name": "db", "image": "busybox", "command": ["sleep", "3600"],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}}),
    )
    .await;
    let volume = eventually(60, async || {
        let claim = victim_claims.get("data").await.ok()?;
        let bound = claim.status?.phase.as_deref() == Some("Bound");
        bound.then_some(claim.spec?.volume_name?)
    })
    .await;

    let attacker_claims: Api<PersistentVolumeClaim> = Api::namespaced(admin.clone(), "attacker");
    create(&attacker_claims, json!({"metadata": {"name": "steal"}, "spec": {"accessModes": ["ReadWriteOnce"],
        "storageClassName": "standard", "volumeName": volume, "resources": {"requests": {"storage": "1Gi"}}}})).await;
    let events: Api<Event> = Api::namespaced(admin.clone(), "attacker");
    let warning = eventually(30, async || {
        events
            .list(&Default::default())
            .await
            .ok()?
            .items
            .into_iter()
            .find(|e| e.reason.as_deref() == Some("FailedBinding"))
    })
    .await;
    assert_eq!(
        warning.message.as_deref(),
        Some(format!("volume \"{volume}\" already bound to a different claim.").as_str())
    );
    let steal = attacker_claims.get("steal").await.expect("claim");
    assert_eq!(
        steal.status.and_then(|s| s.phase).as_deref(),
        Some("Pending")
    );

    attacker_claims
        .delete("steal", &DeleteParams::default())
        .await
        .expect("delete");
    // The controller handles changes in order: once it has seen a later claim, it has
    // seen the deletion.
    create(
        &attacker_claims,
        json!({"metadata": {"name": "later"}, "spec": {"accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}}}}),
    )
    .await;
    eventually(30, async || {
        let phase = attacker_claims.get("later").await.ok()?.status?.phase?;
        (phase == "Pending").then_some(())
    })
    .await;
    let volumes: Api<PersistentVolume> = Api::all(admin.clone());
    let pv = volumes
        .get(&volume)
        .await
        .expect("the victim's volume is still there");
    let reference = pv.spec.and_then(|s| s.claim_ref).expect("claimRef");
    assert_eq!(
        (reference.namespace.as_deref(), reference.name.as_deref()),
        (Some("victim"), Some("data"))
    );
    assert_eq!(pv.status.and_then(|s| s.phase).as_deref(), Some("Bound"));

    // The victim's own claim takes its volume with it.
    Api::<Pod>::namespaced(admin.clone(), "victim")
        .delete("db", &DeleteParams::default().grace_period(0))
        .await
        .expect("pod");
    victim_claims
        .delete("data", &DeleteParams::default())
        .await
        .expect("claim");
    eventually(60, async || {
        volumes.get_opt(&volume).await.ok()?.is_none().then_some(())
    })
    .await;
}
