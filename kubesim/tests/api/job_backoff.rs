//! The Job controller paces the replacements of failed pods as kube-controller-manager
//! does: 10 s after the first failure, doubling with each failure in a row, until
//! `backoffLimit` is passed (on paused time).

use crate::workloads::{advance, cluster};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, PostParams};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn failed_pods_are_replaced_after_a_doubling_back_off() {
    let cluster = cluster();
    let jobs: Api<Job> = Api::default_namespaced(cluster.client());
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "flaky"},
        "spec": {"backoffLimit": 3, "template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "try", "image": "busybox:1.37", "command": ["sh", "-c", "exit 1"]}]}}}});
    jobs.create(
        &PostParams::default(),
        &serde_json::from_value(job).expect("job"),
    )
    .await
    .expect("create");
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let count = || async {
        pods.list(&ListParams::default().labels("job-name=flaky"))
            .await
            .expect("pods")
            .items
            .len()
    };
    // The first pod fails within a couple of seconds; its replacement waits 10 s.
    advance(8).await;
    assert_eq!(count().await, 1);
    advance(6).await;
    assert_eq!(count().await, 2);
    // The second failure doubles the wait: 20 s.
    advance(15).await;
    assert_eq!(count().await, 2);
    advance(8).await;
    assert_eq!(count().await, 3);
    // Then 40 s; the fourth failure passes the limit of 3.
    advance(50).await;
    assert_eq!(count().await, 4);
    let job = jobs.get("flaky").await.expect("job");
    let status = job.status.expect("status");
    assert_eq!(status.failed, Some(4));
    let failed = status
        .conditions
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.type_ == "Failed")
        .expect("failed");
    assert_eq!(failed.reason.as_deref(), Some("BackoffLimitExceeded"));
}
