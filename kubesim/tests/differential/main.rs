//! Differential tests: the same requests sent to kubesim (in-process) and to a real
//! kube-apiserver v1.34 (deploy/control-plane), the raw answers — status code, `Warning`
//! headers, JSON body — compared after normalising what must differ between two
//! servers (uids, times, resourceVersions, generated suffixes, cluster IPs, node ports).
//! A difference must be listed in `known.yaml` with its reason, and a listed one that no
//! longer shows fails too, so the list is always the truth about kubesim.
//!
//! One test per area; the cases are data under `cases/` (the validation catalogue's,
//! shared with kubesim's own tests in `tests/api/validation.rs`). `#[ignore]`d: they need
//! a control plane. `make differential` (scripts/test-differential.sh) starts a fresh one
//! on free ports, runs them and stops it; or set `KUBECLASS_REAL_CONTROL_PLANE` to the
//! folder of a running one (`deploy/control-plane/cluster.sh up`). Each area works in a
//! namespace of its own with a unique name, so a control plane can be reused.

mod area;
mod areas;
mod case;
mod diff;
mod known;
mod normalise;
mod pattern;
mod pointer;
mod request;
mod targets;
mod vars;

use area::Area;
use case::CaseFile;

/// An area whose cases are all in `cases/<name>.yaml`.
async fn data_area(name: &'static str) {
    let file: CaseFile = case::load(name);
    let area = Area::with_file(name, &file).await;
    let outcomes = area.run_all(&file).await;
    area.finish().await;
    known::judge(name, &outcomes).assert();
}

/// (a) Every request case of the validation catalogue: code, reason, message, causes.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn validation() {
    data_area("validation").await;
}

/// (b) Strategic merge patch and server-side apply on lists with merge keys.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn patch() {
    data_area("patch").await;
}

/// (c) Field selectors and their errors.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn field_selectors() {
    data_area("field_selectors").await;
}

/// (d) RBAC decisions for a matrix of subjects, verbs and resources.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn rbac() {
    let outcomes = areas::rbac::run().await;
    known::judge("rbac", &outcomes).assert();
}

/// (e) Pod Security: every baseline and restricted control, warnings, workloads.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn pod_security() {
    data_area("pod_security").await;
}

/// (f) Defaulting: objects created and read back.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn defaulting() {
    data_area("defaulting").await;
}

/// (g) Table output: columns of every listable resource, cells of simple objects.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn tables() {
    let outcomes = areas::tables::run().await;
    known::judge("tables", &outcomes).assert();
}

/// (h) Discovery: /api, /apis and each group-version's resources.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn discovery() {
    let outcomes = areas::discovery::run().await;
    known::judge("discovery", &outcomes).assert();
}

/// (i) Watch: initial events and their bookmark, too-old versions.
#[tokio::test]
#[ignore = "needs a real control plane: make differential"]
async fn watch() {
    data_area("watch").await;
}

/// Every case file parses and every known difference names an area that exists: runs
/// without a control plane (a plain `cargo test` catches a broken file).
#[test]
fn the_data_files_parse() {
    for name in [
        "validation",
        "patch",
        "field_selectors",
        "pod_security",
        "defaulting",
        "tables",
        "watch",
    ] {
        let _: CaseFile = case::load(name);
    }
    assert!(areas::rbac::checks() > 0);
    let areas = [
        "validation",
        "patch",
        "field_selectors",
        "rbac",
        "pod_security",
        "defaulting",
        "tables",
        "discovery",
        "watch",
    ];
    let path = case::cases_dir().join("../known.yaml");
    let text = std::fs::read_to_string(&path).expect("known.yaml");
    let all: Vec<known::Known> = serde_yaml::from_str(&text).expect("known.yaml");
    for k in &all {
        assert!(
            areas.contains(&k.area.as_str()),
            "{}: area {}",
            k.id,
            k.area
        );
    }
    // The catalogue says which of its cases differ from kube-apiserver: known.yaml's.
    let catalogue = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation-catalogue.md"),
    )
    .expect("the validation catalogue");
    let listed = catalogue
        .lines()
        .find_map(|l| l.strip_prefix("Differ, listed in known.yaml ("))
        .and_then(|l| l.split_once("): "))
        .map(|(_, ids)| ids.trim_end_matches('.'))
        .expect("the catalogue's list of cases that differ");
    let mut listed: Vec<&str> = listed.split(", ").collect();
    let mut known: Vec<&str> = all
        .iter()
        .filter(|k| k.area == "validation")
        .map(|k| k.id.as_str())
        .collect();
    listed.sort_unstable();
    known.sort_unstable();
    assert_eq!(
        listed, known,
        "docs/validation-catalogue.md's last section lists other cases than known.yaml"
    );
}
