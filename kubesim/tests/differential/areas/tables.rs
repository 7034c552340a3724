//! Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, what kubectl get
//! asks for): the column definitions (name, type, format, priority) of every listable
//! built-in resource kubesim serves, found through kubesim's own discovery; then the
//! cells for simple objects, from `cases/tables.yaml`.

use crate::area::{Area, Outcome};
use crate::case::{Case, CaseFile, load};
use crate::request::{OneOrMany, Request};

pub const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io";

/// `(list path, id)` of every listable resource in kubesim's discovery, except
/// subresources and metrics.k8s.io (which the real control plane has no server for).
async fn listable(area: &Area) -> Vec<(String, String)> {
    let mut versions = vec!["/api/v1".to_string()];
    let (groups, _) = area.both(&Request::get("/apis")).await.expect("/apis");
    for group in groups.body["groups"].as_array().into_iter().flatten() {
        if group["name"] == "metrics.k8s.io" {
            continue;
        }
        for version in group["versions"].as_array().into_iter().flatten() {
            if let Some(gv) = version["groupVersion"].as_str() {
                versions.push(format!("/apis/{gv}"));
            }
        }
    }
    let mut out = Vec::new();
    for base in versions {
        let (list, _) = area
            .both(&Request::get(&base))
            .await
            .expect("resource list");
        for resource in list.body["resources"].as_array().into_iter().flatten() {
            let name = resource["name"].as_str().unwrap_or_default();
            let verbs = resource["verbs"].as_array().cloned().unwrap_or_default();
            if name.contains('/') || !verbs.iter().any(|v| v == "list") {
                continue;
            }
            let path = if resource["namespaced"] == true {
                format!("{base}/namespaces/${{ns}}/{name}")
            } else {
                format!("{base}/{name}")
            };
            let id = format!("columns{}/{name}", base.trim_start_matches("/apis"));
            out.push((path, id));
        }
    }
    out
}

fn columns_case(path: String, id: String) -> Case {
    let mut request = Request::get(path);
    request
        .headers
        .insert("Accept".into(), OneOrMany::One(TABLE.into()));
    let compare = ["name", "type", "format", "priority"]
        .iter()
        .map(|f| format!("/body/columnDefinitions/*/{f}"))
        .chain(["/code".to_string(), "/body/kind".to_string()])
        .collect();
    Case {
        id,
        setup: Vec::new(),
        request,
        compare: Some(compare),
        ignore: Vec::new(),
        expect: None,
        teardown: Vec::new(),
    }
}

pub async fn run() -> Vec<Outcome> {
    let file: CaseFile = load("tables");
    let area = Area::with_file("tables", &file).await;
    let mut outcomes = Vec::new();
    for (path, id) in listable(&area).await {
        outcomes.push(area.run(&columns_case(path, id)).await);
    }
    outcomes.extend(area.run_all(&file).await);
    area.finish().await;
    outcomes
}
