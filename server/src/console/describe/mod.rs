//! `kubectl describe TYPE [NAME_PREFIX…]` (and `-l`): each object with its events and
//! what kubectl shows beside it, in kubectl's describe layout, read as the attendee. A
//! name that matches no object exactly describes those it begins (as kubectl does, so
//! `describe rs web` finds the ReplicaSets of Deployment `web`).

mod autoscaling;
mod claims;
mod containers;
mod generic;
mod ingress;
mod kinds;
mod pod;
mod stateful;
mod template;
mod text;
mod volumes;

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::resources::Resource;
use super::targets;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

/// The kinds the console describes.
const DESCRIBED: &[&str] = &[
    "Pod",
    "ConfigMap",
    "Service",
    "Deployment",
    "ReplicaSet",
    "PersistentVolumeClaim",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Ingress",
];

const NO_TYPE: &str = "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.";

pub async fn describe(console: &Console<'_>, invocation: &Invocation) -> Ran {
    if invocation.args.is_empty() {
        return Ran::error(NO_TYPE.into());
    }
    let wanted = match targets::wanted(console, &invocation.args).await {
        Ok(wanted) => wanted,
        Err(ran) => return ran,
    };
    let short = match targets::namespace(invocation) {
        Ok(short) => short,
        Err(ran) => return ran,
    };
    // `TYPE NAME` that names nothing describes the objects NAME begins, each with its
    // events and a blank line after it.
    if let [_, name] = invocation.args.as_slice()
        && let [want] = wanted.as_slice()
    {
        let api = api(console, &short, &want.resource);
        match api.get(name).await {
            Err(kube::Error::Api(s)) if s.code == 404 => {
                let begun = match list(&api, &want.resource, None).await {
                    Ok(all) => all
                        .into_iter()
                        .filter(|o| {
                            o["metadata"]["name"]
                                .as_str()
                                .is_some_and(|n| n.starts_with(name.as_str()))
                        })
                        .collect::<Vec<_>>(),
                    Err(error) => return Ran::error(error),
                };
                if begun.is_empty() {
                    return Ran::error(format!(
                        "Error from server (NotFound): {}",
                        not_found(&want.resource, name)
                    ));
                }
                if let Some(refusal) = refusal(&want.resource) {
                    return refusal;
                }
                let mut output = String::new();
                for object in &begun {
                    output.push_str(&one(console, &short, &want.resource, object).await);
                    output.push('\n');
                }
                return Ran::ok(output);
            }
            _ => {}
        }
    }
    let mut found: Vec<(&Resource, Value)> = Vec::new();
    let mut errors = String::new();
    for want in &wanted {
        let api = api(console, &short, &want.resource);
        if want.names.is_empty() {
            match list(&api, &want.resource, invocation.flag("selector")).await {
                Ok(all) => found.extend(all.into_iter().map(|o| (&want.resource, o))),
                Err(error) => errors.push_str(&format!("{error}\n")),
            }
        }
        for name in &want.names {
            match api.get(name).await {
                Ok(object) => found.push((&want.resource, value(object))),
                Err(kube::Error::Api(s)) if s.code == 404 => errors.push_str(&format!(
                    "Error from server (NotFound): {}\n",
                    not_found(&want.resource, name)
                )),
                Err(e) => errors.push_str(&format!("{}\n", from_server(&e))),
            }
        }
    }
    // The API server's own answers come first (a Forbidden, a NotFound), as kubectl's.
    if let Some(refusal) = found.iter().find_map(|(resource, _)| refusal(resource)) {
        return refusal;
    }
    if found.is_empty() && errors.is_empty() {
        return Ran {
            output: format!("No resources found in {short} namespace.\n"),
            exit_code: 0,
        };
    }
    let mut described = Vec::new();
    for (resource, object) in &found {
        described.push(one(console, &short, resource, object).await);
    }
    let mut output = described.join("\n\n");
    output.push_str(&errors);
    Ran {
        output,
        exit_code: i32::from(!errors.is_empty()),
    }
}

fn api(console: &Console<'_>, short: &str, resource: &Resource) -> Api<DynamicObject> {
    if !resource.namespaced {
        return Api::all_with(console.tenant.clone(), &resource.api_resource());
    }
    Api::namespaced_with(
        console.tenant.clone(),
        &console.workspace.namespace(short),
        &resource.api_resource(),
    )
}

/// What the console says of a kind it has no layout for yet (kubectl has one of its own).
fn refusal(resource: &Resource) -> Option<Ran> {
    let laid_out =
        DESCRIBED.contains(&resource.kind.as_str()) && resource.group != "metrics.k8s.io";
    if laid_out || generic::describes(&resource.group) {
        return None;
    }
    Some(Ran::error(format!(
        "error: the console does not describe {} yet; it describes pods, configmaps, services, deployments, replicasets, statefulsets, persistentvolumeclaims, horizontalpodautoscalers, ingresses and custom resources (kubectl get {} NAME -o yaml shows all of an object)",
        resource.plural, resource.plural
    )))
}

/// `deployments.apps "web" not found`.
fn not_found(resource: &Resource, name: &str) -> String {
    format!("{} \"{name}\" not found", resource.qualified())
}

async fn list(
    api: &Api<DynamicObject>,
    resource: &Resource,
    selector: Option<&str>,
) -> Result<Vec<Value>, String> {
    let mut params = ListParams::default();
    if let Some(selector) = selector {
        params = params.labels(selector);
    }
    // A list's items may come without their kind: kubectl's client fills it in.
    let typed = |object: DynamicObject| {
        let mut object = value(object);
        if object["kind"].is_null() {
            object["apiVersion"] = Value::from(resource.api_version());
            object["kind"] = Value::from(resource.kind.clone());
        }
        object
    };
    api.list(&params)
        .await
        .map(|l| l.items.into_iter().map(typed).collect())
        .map_err(|e| from_server(&e))
}

fn value(object: DynamicObject) -> Value {
    serde_json::to_value(object).unwrap_or_default()
}

/// One object's description: its events and related objects read, then laid out.
async fn one(console: &Console<'_>, short: &str, resource: &Resource, object: &Value) -> String {
    let namespace = console.workspace.namespace(short);
    let meta = &object["metadata"];
    let field = |name: &str| format!("involvedObject.{name}");
    let fields = format!(
        "{}={},{}={namespace},{}={},{}={}",
        field("name"),
        meta["name"].as_str().unwrap_or_default(),
        field("namespace"),
        field("kind"),
        resource.kind,
        field("uid"),
        meta["uid"].as_str().unwrap_or_default()
    );
    let events = read(console, &namespace, "Event", Some(&fields), None).await;
    let related = match resource.kind.as_str() {
        "Service" => {
            let selector = format!(
                "kubernetes.io/service-name={}",
                meta["name"].as_str().unwrap_or_default()
            );
            read(console, &namespace, "EndpointSlice", None, Some(&selector)).await
        }
        "Deployment" => read(console, &namespace, "ReplicaSet", None, None)
            .await
            .into_iter()
            .filter(|rs| controlled_by(rs, &meta["uid"]))
            .collect(),
        "ReplicaSet" | "StatefulSet" => {
            let selector = text::strings(&object["spec"]["selector"]["matchLabels"])
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            read(console, &namespace, "Pod", None, Some(&selector)).await
        }
        // The pods that mount it, found among all of them, as kubectl finds them.
        "PersistentVolumeClaim" => read(console, &namespace, "Pod", None, None).await,
        "Ingress" => read(console, &namespace, "Endpoints", None, None).await,
        _ => Vec::new(),
    };
    let services = match resource.kind.as_str() {
        "Ingress" => read(console, &namespace, "Service", None, None).await,
        _ => Vec::new(),
    };
    let facts = text::Facts {
        object,
        namespace: short,
        events: &events,
        related: &related,
        services: &services,
        now: jiff::Timestamp::now(),
    };
    match resource.kind.as_str() {
        "Pod" => pod::describe(&facts),
        "PersistentVolumeClaim" => claims::describe(&facts),
        "HorizontalPodAutoscaler" => autoscaling::describe(&facts),
        "StatefulSet" => stateful::describe(&facts),
        "Ingress" => ingress::describe(&facts),
        _ if generic::describes(&resource.group) => generic::describe(&facts),
        kind => kinds::describe(kind, &facts),
    }
}

fn controlled_by(object: &Value, uid: &Value) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|o| o["controller"] == true && &o["uid"] == uid)
}

/// Lists a kind in `namespace` as the attendee (nothing if it may not: kubectl then shows
/// the description without them).
async fn read(
    console: &Console<'_>,
    namespace: &str,
    kind: &str,
    fields: Option<&str>,
    labels: Option<&str>,
) -> Vec<Value> {
    let Some(info) = app::model::kinds::by_kind(kind) else {
        return Vec::new();
    };
    let resource = crate::kinds::api_resource(info);
    let api: Api<DynamicObject> =
        Api::namespaced_with(console.tenant.clone(), namespace, &resource);
    let mut params = ListParams::default();
    if let Some(fields) = fields {
        params = params.fields(fields);
    }
    if let Some(labels) = labels {
        params = params.labels(labels);
    }
    api.list(&params)
        .await
        .map(|l| l.items.into_iter().map(value).collect())
        .unwrap_or_default()
}
