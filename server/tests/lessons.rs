//! Every lesson plays out in kubesim: for each step, its panes (as of that step) are
//! applied with server-side apply into the lesson's namespaces, simulated time advances,
//! and the step's own checks must all hold within their `within` time — what a learner
//! would see on kind, judged by the lesson's definition of done.

use app::content::Library;
use app::content::check::Check;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::discovery::{ApiResource, Discovery, Scope};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

/// How long a step waits for checks that give no `within`.
const DEFAULT_WAIT: u64 = 60;
const TICK: u64 = 5;

async fn apply_text(client: &kube::Client, discovery: &Discovery, text: &str) -> Vec<String> {
    let mut errors = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let value: Value = match serde::Deserialize::deserialize(document) {
            Ok(v) => v,
            Err(e) => {
                errors.push(format!("YAML: {e}"));
                continue;
            }
        };
        if value.is_null() {
            continue;
        }
        let object: DynamicObject = match serde_json::from_value(value.clone()) {
            Ok(o) => o,
            Err(e) => {
                errors.push(format!("object: {e}"));
                continue;
            }
        };
        let Some(types) = object.types.clone() else {
            errors.push("no apiVersion/kind".into());
            continue;
        };
        let (group, version) = types
            .api_version
            .rsplit_once('/')
            .unwrap_or(("", &types.api_version));
        let gvk = kube::api::GroupVersionKind::gvk(group, version, &types.kind);
        let Some((resource, caps)) = discovery.resolve_gvk(&gvk) else {
            errors.push(format!("unknown kind {}", types.kind));
            continue;
        };
        let name = object.metadata.name.clone().unwrap_or_default();
        let api: Api<DynamicObject> = if caps.scope == Scope::Namespaced {
            let namespace = object
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into());
            Api::namespaced_with(client.clone(), &namespace, &resource)
        } else {
            Api::all_with(client.clone(), &resource)
        };
        if let Err(e) = api
            .patch(
                &name,
                &PatchParams::apply("kubeclass").force(),
                &Patch::Apply(&object),
            )
            .await
        {
            errors.push(format!("{} {name}: {e}", types.kind));
        }
    }
    errors
}

async fn objects_for(client: &kube::Client, check: &Check) -> Vec<Value> {
    let kind = &check.kind;
    let api_version = if kind.group.is_empty() {
        kind.version.to_string()
    } else {
        format!("{}/{}", kind.group, kind.version)
    };
    let resource = ApiResource {
        group: kind.group.into(),
        version: kind.version.into(),
        api_version,
        kind: kind.kind.into(),
        plural: kind.plural.into(),
    };
    let api: Api<DynamicObject> = match &check.namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
        None => Api::all_with(client.clone(), &resource),
    };
    api.list(&ListParams::default())
        .await
        .map(|list| {
            list.items
                .into_iter()
                .filter_map(|o| serde_json::to_value(o).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The pods of the lesson's namespaces, one line each, to show why a check failed.
async fn pods_summary(client: &kube::Client, namespaces: &[String]) -> String {
    let mut lines = Vec::new();
    for namespace in namespaces {
        let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), namespace);
        for pod in pods
            .list(&ListParams::default())
            .await
            .map(|l| l.items)
            .unwrap_or_default()
        {
            let status = serde_json::to_value(&pod.status).unwrap_or_default();
            let container = &status["containerStatuses"][0];
            lines.push(format!(
                "{} {} ready={} restarts={} state={} last={}",
                pod.metadata.name.unwrap_or_default(),
                status["phase"].as_str().unwrap_or("?"),
                container["ready"],
                container["restartCount"],
                container["state"],
                container["lastState"]
            ));
        }
    }
    lines.join("\n          ")
}

/// Plays one lesson; returns what went wrong, step by step.
async fn play(lesson: &app::content::Lesson) -> Vec<String> {
    let cluster = kubesim::Cluster::builder()
        .seed(11)
        .start_time("2026-03-01T09:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster");
    let client = cluster.client();
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    for name in &lesson.front.namespaces {
        let namespace =
            serde_json::from_value(json!({"metadata": {"name": name}})).expect("namespace");
        let _ = namespaces.create(&PostParams::default(), &namespace).await;
    }
    let mut failures = Vec::new();
    for (index, step) in lesson.steps.iter().enumerate() {
        let discovery = Discovery::new(client.clone())
            .run()
            .await
            .expect("discovery");
        for pane in &lesson.panes {
            let Some(text) = pane.at_step(index) else {
                continue;
            };
            for error in apply_text(&client, &discovery, text).await {
                failures.push(format!(
                    "step {} \"{}\", {}: {error}",
                    index + 1,
                    step.title,
                    pane.name
                ));
            }
        }
        let wait = step
            .checks
            .iter()
            .filter_map(|c| c.within_seconds)
            .max()
            .map_or(DEFAULT_WAIT, u64::from);
        let mut waited = 0;
        let mut failing: Vec<String>;
        loop {
            failing = Vec::new();
            for check in &step.checks {
                if !check.holds(&objects_for(&client, check).await) {
                    failing.push(check.label.clone());
                }
            }
            if failing.is_empty() || waited >= wait {
                break;
            }
            tokio::time::sleep(Duration::from_secs(TICK)).await;
            waited += TICK;
        }
        if !failing.is_empty() {
            let state = pods_summary(&client, &lesson.front.namespaces).await;
            for label in failing {
                let check = step.checks.iter().find(|c| c.label == label);
                let seen = match check {
                    Some(c) => {
                        serde_json::to_string(&objects_for(&client, c).await).unwrap_or_default()
                    }
                    None => String::new(),
                };
                let seen: String = seen.chars().take(1500).collect();
                failures.push(format!("step {} \"{}\": check failed after {waited}s: {label}\n    pods: {state}\n    objects: {seen}", index + 1, step.title));
            }
        }
    }
    failures
}

#[tokio::test(start_paused = true)]
async fn every_lesson_plays_out_in_kubesim() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let (library, errors) = Library::load(&content);
    assert!(errors.is_empty(), "{errors:?}");
    let mut report = Vec::new();
    for course in &library.courses {
        for lesson in &course.lessons {
            for failure in play(lesson).await {
                report.push(format!("{}/{}: {failure}", course.slug, lesson.slug));
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} problems:\n{}",
        report.len(),
        report.join("\n")
    );
}
