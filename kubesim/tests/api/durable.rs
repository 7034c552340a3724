//! A cluster with a data directory keeps what it acknowledged across restarts.

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kubesim::Cluster;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubesim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn cm(name: &str, value: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": {"v": value}}))
        .expect("configmap")
}

#[tokio::test]
async fn objects_and_versions_survive_a_restart() {
    let dir = temp_dir("restart");
    let (uid_a, last_rv) = {
        let cluster = Cluster::builder()
            .seed(3)
            .data_dir(&dir)
            .build()
            .expect("open");
        let cms: Api<ConfigMap> = Api::default_namespaced(cluster.client());
        let a = cms
            .create(&PostParams::default(), &cm("a", "1"))
            .await
            .expect("create");
        cms.create(&PostParams::default(), &cm("b", "1"))
            .await
            .expect("create");
        let mut a2 = cms.get("a").await.expect("get");
        a2.data = Some([("v".to_string(), "2".to_string())].into());
        cms.replace("a", &PostParams::default(), &a2)
            .await
            .expect("update");
        cms.delete("b", &DeleteParams::default())
            .await
            .expect("delete");
        let rv = cluster.store().resource_version();
        (a.metadata.uid.expect("uid"), rv)
    };
    // Simulate a crash in the middle of writing the next entry: a torn last line.
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("wal.jsonl"))
        .expect("log");
    log.write_all(b"{\"rv\": 99, \"type\": \"ADD")
        .expect("write");
    drop(log);

    let cluster = Cluster::builder()
        .seed(3)
        .data_dir(&dir)
        .build()
        .expect("reopen");
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    let a = cms.get("a").await.expect("a survived");
    assert_eq!(
        a.data.as_ref().and_then(|d| d.get("v")).map(String::as_str),
        Some("2")
    );
    assert_eq!(a.metadata.uid.as_deref(), Some(uid_a.as_str()));
    assert!(
        cms.get_opt("b").await.expect("get").is_none(),
        "the deletion survived"
    );
    assert!(
        cluster.store().resource_version() >= last_rv,
        "versions continue from where they were"
    );
    let c = cms
        .create(&PostParams::default(), &cm("c", "1"))
        .await
        .expect("create");
    let rv: u64 = c
        .metadata
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .expect("rv");
    assert!(rv > last_rv);
    assert_ne!(c.metadata.uid.as_deref(), Some(uid_a.as_str()));
    let namespaces: Api<Namespace> = Api::all(cluster.client());
    assert_eq!(
        namespaces
            .list(&ListParams::default())
            .await
            .expect("list")
            .items
            .len(),
        7,
        "no duplicate system namespaces"
    );
    drop(cluster);

    // And once more, through the snapshot written at the last start.
    let cluster = Cluster::builder()
        .seed(3)
        .data_dir(&dir)
        .build()
        .expect("reopen");
    let cms: Api<ConfigMap> = Api::default_namespaced(cluster.client());
    assert_eq!(
        cms.list(&ListParams::default())
            .await
            .expect("list")
            .items
            .len(),
        2
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn an_unwritable_data_directory_is_a_clear_error() {
    let file = temp_dir("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let err = Cluster::builder()
        .data_dir(&file)
        .build()
        .expect_err("a file is not a directory");
    assert!(err.to_string().starts_with("storage error: "), "{err}");
    std::fs::remove_file(&file).ok();
}
