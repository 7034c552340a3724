//! `kubectl create configmap|secret generic|deployment|namespace|serviceaccount NAME`: the object kubectl
//! would build, printed (`--dry-run=client -o yaml|json|name`) or created through the
//! apply pipeline as the attendee (so the pipeline's policy, quotas and namespace mapping
//! judge it as they judge a pane); an object that exists already is kubectl's
//! AlreadyExists.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::print;
use super::targets;
use base64::Engine;
use serde_json::{Map, Value, json};

pub async fn create(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let kinds = app::model::console::subcommands("create").unwrap_or_default();
    let args = &invocation.args;
    let (what, name) = match args.as_slice() {
        [kind, rest @ ..] if kind == "secret" => match rest {
            [generic, name] if generic == "generic" => ("secret", name),
            _ => {
                return Ran::error(
                    "error: the console creates secrets with \"kubectl create secret generic NAME --from-literal=KEY=VALUE\""
                        .into(),
                );
            }
        },
        // kubectl's one alias among these kinds.
        [kind, name] if kind == "sa" => ("serviceaccount", name),
        [kind, name] if kinds.contains(&kind.as_str()) => (kind.as_str(), name),
        [kind, ..] if kinds.contains(&kind.as_str()) => {
            return Ran::error(format!(
                "error: exactly one NAME is required, got {}",
                args.len() - 1
            ));
        }
        _ => {
            return Ran::error(format!(
                "error: the console creates {} (\"kubectl create deployment web --image=nginx\")",
                kinds.join(", ")
            ));
        }
    };
    if let Err(ran) = targets::checked_name(name) {
        return ran;
    }
    let short = match targets::namespace(invocation) {
        Ok(short) => short,
        Err(ran) => return ran,
    };
    let object = match build(what, name, invocation) {
        Ok(object) => object,
        Err(ran) => return ran,
    };
    let dry_run = invocation.flag("dry-run").unwrap_or("none");
    if !["none", "client", "server"].contains(&dry_run) {
        return Ran::error(format!(
            "error: Invalid dry-run value ({dry_run}). Must be \"none\", \"server\", or \"client\"."
        ));
    }
    let output = invocation.flag("output").unwrap_or("");
    if !["", "yaml", "name"].contains(&output) {
        // kubectl writes a new object's JSON in its Go fields' order, which the console
        // does not know; its YAML is sorted.
        return Ran::error(format!(
            "error: the console prints -o yaml or name for create, not -o {output}"
        ));
    }
    let kind = object["kind"].as_str().unwrap_or_default().to_string();
    let slash = format!("{}/{name}", kind_group(&object));
    if dry_run == "client" {
        let mut shown = object.clone();
        if kind != "Namespace" && invocation.flag("namespace").is_some() {
            shown["metadata"]["namespace"] = json!(short);
        }
        return Ran {
            output: match output {
                "" => format!("{slash} created (dry run)\n"),
                "name" => format!("{slash}\n"),
                format => print::object(shown, format),
            },
            exit_code: 0,
        };
    }
    if let Some(exists) = exists(console, &short, &kind, name).await {
        return Ran::error(exists);
    }
    match through_pipeline(console, &object, &short, dry_run == "server").await {
        Ok(()) => {}
        Err(Refused::Text(e)) => return Ran::error(format!("error: {e}")),
        Err(Refused::Object(error)) => {
            return Ran::error(format!(
                "error: failed to create {}: {error}",
                kind.to_lowercase()
            ));
        }
    }
    let suffix = if dry_run == "server" {
        " (server dry run)"
    } else {
        ""
    };
    Ran {
        output: match output {
            "name" => format!("{slash}\n"),
            "" => format!("{slash} created{suffix}\n"),
            // What was sent: the API server's own answer is the pane's, not the console's.
            format => print::object(object, format),
        },
        exit_code: 0,
    }
}

/// Why the pipeline did not create an object.
pub(super) enum Refused {
    /// The manifest was not taken (budgets, syntax: the console's own bug).
    Text(String),
    /// The object was refused: policy, quota, the API server's answer.
    Object(String),
}

/// Creates `object` in the namespace `short` names through the apply pipeline, as the
/// attendee (so its policy, quotas and namespace mapping judge it as they judge a pane).
pub(super) async fn through_pipeline(
    console: &Console<'_>,
    object: &Value,
    short: &str,
    server_dry_run: bool,
) -> Result<(), Refused> {
    let text = placed(object, short).to_string();
    let report = console
        .pipeline
        .apply(&text, &[], server_dry_run)
        .await
        .map_err(|e| Refused::Text(e.to_string()))?;
    match report.results.iter().find_map(|o| o.error.clone()) {
        Some(error) => Err(Refused::Object(error)),
        None => Ok(()),
    }
}

/// The object as a manifest for the pipeline: in the namespace `short` names, without
/// what the generator sets empty (`creationTimestamp: null`, `status: {}`).
fn placed(object: &Value, short: &str) -> Value {
    let mut placed = object.clone();
    if let Some(meta) = placed["metadata"].as_object_mut() {
        meta.remove("creationTimestamp");
    }
    // (Looked up with `pointer_mut`: indexing would add the path to kinds without one.)
    if let Some(meta) = placed
        .pointer_mut("/spec/template/metadata")
        .and_then(Value::as_object_mut)
    {
        meta.remove("creationTimestamp");
    }
    if let Some(fields) = placed.as_object_mut() {
        fields.remove("status");
    }
    if placed["kind"] != "Namespace" {
        placed["metadata"]["namespace"] = json!(short);
    }
    placed
}

/// `configmap`, `secret`, `deployment.apps`, `namespace`, `serviceaccount`.
fn kind_group(object: &Value) -> String {
    let kind = object["kind"].as_str().unwrap_or_default().to_lowercase();
    match object["apiVersion"]
        .as_str()
        .and_then(|v| v.split_once('/'))
    {
        Some((group, _)) => format!("{kind}.{group}"),
        None => kind,
    }
}

/// kubectl's AlreadyExists, if an object of `kind` named `name` is there.
async fn exists(console: &Console<'_>, short: &str, kind: &str, name: &str) -> Option<String> {
    let (plural, real, namespaced) = match kind {
        "Namespace" => ("namespaces", console.workspace.namespace(name), false),
        "Deployment" => ("deployments.apps", name.to_string(), true),
        "Secret" => ("secrets", name.to_string(), true),
        "ServiceAccount" => ("serviceaccounts", name.to_string(), true),
        _ => ("configmaps", name.to_string(), true),
    };
    let resource = console
        .catalog
        .find(console.platform, plural)
        .await
        .ok()??;
    let client = if namespaced {
        console.tenant.clone()
    } else {
        console.platform.clone()
    };
    let api: kube::Api<kube::api::DynamicObject> = if namespaced {
        kube::Api::namespaced_with(
            client,
            &console.workspace.namespace(short),
            &resource.api_resource(),
        )
    } else {
        kube::Api::all_with(client, &resource.api_resource())
    };
    match api.get_opt(&real).await {
        Ok(Some(_)) => Some(format!(
            "error: failed to create {}: {plural} \"{name}\" already exists",
            kind.to_lowercase()
        )),
        Ok(None) => None,
        Err(e) => Some(from_server(&e)),
    }
}

/// The object kubectl's generator builds for `what`.
fn build(what: &str, name: &str, invocation: &Invocation) -> Result<Value, Ran> {
    let meta = json!({"creationTimestamp": null, "name": name});
    match what {
        "namespace" => Ok(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": meta, "spec": {}, "status": {}}),
        ),
        "serviceaccount" => {
            Ok(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}))
        }
        "configmap" | "secret" => {
            let mut data = Map::new();
            for literal in invocation.values("from-literal") {
                let Some((key, value)) = literal.split_once('=').filter(|(k, _)| !k.is_empty())
                else {
                    return Err(Ran::error(format!(
                        "error: invalid literal source {literal}, expected key=value"
                    )));
                };
                if data.contains_key(key) {
                    return Err(Ran::error(format!(
                        "error: cannot add key {key}, another key by that name already exists in {}",
                        if what == "secret" {
                            "Secret"
                        } else {
                            "ConfigMap"
                        }
                    )));
                }
                let value = if what == "secret" {
                    base64::engine::general_purpose::STANDARD.encode(value)
                } else {
                    value.to_string()
                };
                data.insert(key.to_string(), json!(value));
            }
            let mut object = if what == "secret" {
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta})
            } else {
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta})
            };
            if !data.is_empty() {
                object["data"] = Value::Object(data);
            }
            if let Some(kind) = invocation.flag("type").filter(|_| what == "secret") {
                object["type"] = json!(kind);
            }
            Ok(object)
        }
        _ => {
            let images = invocation.values("image");
            if images.is_empty() {
                return Err(Ran::error(
                    "error: required flag(s) \"image\" not set".into(),
                ));
            }
            let replicas: i64 = match invocation.flag("replicas").map(str::parse) {
                None => 1,
                Some(Ok(n)) => n,
                Some(Err(_)) => {
                    return Err(Ran::error(format!(
                        "invalid argument \"{}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{0}\": invalid syntax",
                        invocation.flag("replicas").unwrap_or_default()
                    )));
                }
            };
            let port: Option<i64> = invocation.flag("port").and_then(|p| p.parse().ok());
            let containers: Vec<Value> = images
                .iter()
                .map(|image| {
                    let mut container =
                        json!({"image": image, "name": container_name(image), "resources": {}});
                    if let Some(port) = port.filter(|_| images.len() == 1) {
                        container["ports"] = json!([{"containerPort": port}]);
                    }
                    container
                })
                .collect();
            let labels = json!({"app": name});
            Ok(json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"creationTimestamp": null, "labels": labels, "name": name},
                "spec": {
                    "replicas": replicas,
                    "selector": {"matchLabels": labels},
                    "strategy": {},
                    "template": {
                        "metadata": {"creationTimestamp": null, "labels": labels},
                        "spec": {"containers": containers}
                    }
                },
                "status": {}
            }))
        }
    }
}

/// kubectl's container name for an image: its last path part without tag or digest.
fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let bare = last.split(['@', ':']).next().unwrap_or(last);
    bare.to_string()
}
