//! Discovery: `/api`, `/apis`, and the resource list of every group-version kubesim
//! serves, resource by resource (name, singularName, kind, namespaced, verbs, shortNames,
//! categories, storageVersionHash; subresources are entries `pods/log` of the same list).
//! kubesim serves fewer groups and resources than kube-apiserver: what it lacks shows as
//! a difference per missing group or resource (`kubesim: absent`), listed in known.yaml,
//! so the list of what it lacks is kept true too. Lists whose order carries no meaning
//! (verbs, shortNames, categories) are compared sorted.

use crate::area::{Area, Outcome, compare_answers};
use crate::diff::Difference;
use crate::request::{Answer, Request};
use serde_json::{Map, Value, json};

/// `name → entry` of a discovery list (`groups` by name, `resources` by name).
fn by_name(list: &Value) -> Map<String, Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["name"].as_str()?.to_string(), e.clone())))
        .collect()
}

/// A resource entry with its unordered lists sorted.
fn canonical(entry: &Value) -> Value {
    let mut entry = entry.clone();
    for list in ["verbs", "shortNames", "categories"] {
        if let Some(Value::Array(items)) = entry.get_mut(list) {
            items.sort_by_key(|v| v.to_string());
        }
    }
    entry
}

/// One outcome per name present on either side, comparing the entries; a name only one
/// side has is a difference at `/<name>`.
fn entries(prefix: &str, sim: &Value, real: &Value) -> Vec<Outcome> {
    let (sim, real) = (by_name(sim), by_name(real));
    let mut names: Vec<&String> = sim.keys().chain(real.keys()).collect();
    names.sort();
    names.dedup();
    let mut outcomes = Vec::new();
    let mut lacking = Outcome::new(format!("{prefix}/only-one-side"));
    for name in names {
        match (sim.get(name), real.get(name)) {
            (Some(a), Some(b)) => {
                let answer = |v: &Value| Answer {
                    code: 200,
                    warnings: Vec::new(),
                    body: canonical(v),
                };
                let mut outcome = Outcome::new(format!("{prefix}/{name}"));
                outcome.differences =
                    compare_answers(&answer(a), &answer(b), &["/body".into()], &[]);
                outcomes.push(outcome);
            }
            (a, b) => lacking.differences.push(Difference {
                path: format!("/{}", name.replace('~', "~0").replace('/', "~1")),
                sim: a.map(|_| json!("served")),
                real: b.map(|_| json!("served")),
            }),
        }
    }
    outcomes.push(lacking);
    outcomes
}

pub async fn run() -> Vec<Outcome> {
    let area = Area::start("discovery").await;
    let mut outcomes = Vec::new();
    let get = |path: &str| {
        let request = Request::get(path);
        let area = &area;
        async move { area.both(&request).await.expect("discovery answers") }
    };

    let (sim, real) = get("/api").await;
    let mut api = Outcome::new("discovery/api");
    api.differences = compare_answers(&sim, &real, &["/code".into(), "/body".into()], &[]);
    outcomes.push(api);

    let (sim, real) = get("/apis").await;
    outcomes.extend(entries(
        "discovery/apis",
        &sim.body["groups"],
        &real.body["groups"],
    ));

    let mut versions = vec!["/api/v1".to_string()];
    for group in sim.body["groups"].as_array().into_iter().flatten() {
        for version in group["versions"].as_array().into_iter().flatten() {
            if let Some(gv) = version["groupVersion"].as_str() {
                versions.push(format!("/apis/{gv}"));
            }
        }
    }
    for path in versions {
        let (sim, real) = get(&path).await;
        let id = format!("discovery{}", path.trim_start_matches("/apis"));
        if real.code != 200 {
            let mut outcome = Outcome::new(id);
            outcome.differences = compare_answers(&sim, &real, &["/code".into()], &[]);
            outcomes.push(outcome);
            continue;
        }
        outcomes.extend(entries(
            &id,
            &sim.body["resources"],
            &real.body["resources"],
        ));
    }
    area.finish().await;
    outcomes
}
