//! The isolation suite: an attacker and a victim, two attendees of one server, and the
//! attacker's attempts — all through the documented HTTP API, as a browser would send
//! them — to reach the victim's canary Secret, the platform's objects, or more rights than
//! the tenant role gives. Each attempt must be refused (or its hostile part stripped, or
//! its traffic stopped), and after each one nothing the attacker must not touch has
//! changed: the victim's canary, both workspaces' isolation policy, the cluster-scoped
//! objects, and no pod anywhere runs with host access. The attempts are data
//! (`attempts.rs`, and `pod_security.rs` for every control in every workload); a test
//! fails if an attempt that must be refused succeeds.

mod attempts;
mod pod_security;

use super::support::{app, state};
use http::StatusCode;
use kube::api::{Api, DynamicObject, ListParams, LogParams};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// What the victim keeps, and where.
pub struct Victim {
    /// The real namespace behind the victim's `default`.
    pub namespace: String,
    /// The victim's demo app pod's IP.
    pub pod_ip: String,
    /// What must never reach the attacker.
    pub canary: String,
    /// The host the victim's Ingress answers for.
    pub host: String,
}

/// One attempt of the attacker.
pub struct Attempt {
    /// The area of the tenant boundary it probes.
    pub area: &'static str,
    pub what: String,
    pub how: How,
}

/// How the attempt is made, and so what refusal looks like.
pub enum How {
    /// Apply manifests: refused, and none of its objects exists afterwards.
    Apply(String),
    /// Apply a harmless manifest (which must go through), then the hostile one: refused,
    /// and the object is still the harmless one.
    Update { harmless: String, hostile: String },
    /// Delete what a manifest names through the delete API: refused.
    Delete(String),
    /// Apply what the pipeline accepts after stripping a field: the object exists
    /// without `field`, and the answer's notes say `note`.
    Stripped {
        manifest: String,
        field: &'static str,
        note: &'static str,
    },
    /// A GET through the API: whatever it answers holds no canary.
    Get(String),
    /// A kubectl command in the console: refused (a non-zero exit), and what it printed
    /// holds no canary.
    Console(String),
    /// A busybox pod running this shell command: its log holds no canary.
    Reach(String),
    /// Apply what must be bounded rather than refused: afterwards the attacker's
    /// workspace holds at most this many pods.
    Bounded { manifest: String, pods: usize },
}

/// One browser: its session cookie.
struct Attendee {
    cookie: String,
}

/// The server under attack and the cluster behind it.
pub struct Site {
    pub router: axum::Router,
    /// The cluster's administrator: to look, never to act for the attacker.
    pub admin: kube::Client,
    /// Whether the cluster's nodes run containers (kubesim's do; kwok's only pretend, so
    /// the network attempts, which need a running probe, cannot be made there).
    pub runs_containers: bool,
}

impl Site {
    async fn send(
        &self,
        who: &Attendee,
        method: &str,
        path: &str,
        body: String,
    ) -> (StatusCode, Value) {
        let request = super::support::from_page(method, path, &who.cookie, body);
        let (status, _, body) = super::support::send(&self.router, request).await;
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    async fn console(&self, who: &Attendee, body: String) -> (StatusCode, Value) {
        let mut request =
            super::support::from_page("POST", app::model::api::route::CONSOLE, &who.cookie, body);
        request.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        let (status, _, body) = super::support::send(&self.router, request).await;
        (
            status,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }

    async fn apply(&self, who: &Attendee, manifests: &str) -> (StatusCode, Value) {
        self.send(who, "POST", "/api/workspace/apply", manifests.to_string())
            .await
    }

    async fn attendee(&self) -> Attendee {
        Attendee {
            cookie: super::support::new_attendee(&self.router).await,
        }
    }

    fn api(&self, kind: &str, namespace: Option<&str>) -> Api<DynamicObject> {
        let info =
            app::model::kinds::by_kind(kind).unwrap_or_else(|| panic!("{kind} is in the registry"));
        let resource = server::kinds::api_resource(info);
        match namespace.filter(|_| info.namespaced()) {
            Some(ns) => Api::namespaced_with(self.admin.clone(), ns, &resource),
            None => Api::all_with(self.admin.clone(), &resource),
        }
    }

    /// The objects of `kind` in `namespace` (none when it cannot be listed).
    async fn list(&self, kind: &str, namespace: &str) -> Vec<DynamicObject> {
        self.api(kind, Some(namespace))
            .list(&ListParams::default())
            .await
            .map(|l| l.items)
            .unwrap_or_default()
    }

    /// The workspace namespace that holds the object `kind` `name` (the cluster may hold
    /// other tests' workspaces too).
    async fn holding(&self, kind: &str, name: &str) -> String {
        for namespace in self.workspace_namespaces().await {
            if let Ok(Some(_)) = self.api(kind, Some(&namespace)).get_opt(name).await {
                return namespace;
            }
        }
        panic!("no workspace holds {kind} {name}");
    }

    /// The workspace namespaces now, by real name.
    async fn workspace_namespaces(&self) -> Vec<String> {
        self.api("Namespace", None)
            .list(&ListParams::default().labels(server::workspace::WORKSPACE_LABEL))
            .await
            .expect("namespaces")
            .items
            .into_iter()
            .filter_map(|n| n.metadata.name)
            .collect()
    }
}

/// A refusal: a status other than 200, or a report with an error.
fn refused(status: StatusCode, answer: &Value) -> bool {
    status != StatusCode::OK
        || answer["results"]
            .as_array()
            .is_some_and(|r| r.iter().any(|o| o["error"].is_string()))
}

/// The (kind, name) of every document of a manifest.
fn objects_of(manifests: &str) -> Vec<(String, String)> {
    let Ok(documents) = server::pipeline::parse::parse(manifests, &Default::default()) else {
        return Vec::new();
    };
    documents
        .into_iter()
        .filter_map(|d| {
            Some((
                d.value["kind"].as_str()?.to_string(),
                d.value["metadata"]["name"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// What must not change, whatever the attacker tries: resourceVersions of the victim's
/// canary and of both workspaces' policy objects, the cluster-scoped objects by name.
async fn invariants(site: &Site, victim: &Victim, attacker: &str) -> BTreeMap<String, String> {
    let mut seen = BTreeMap::new();
    let canary = site
        .api("Secret", Some(&victim.namespace))
        .get("canary")
        .await
        .expect("canary");
    seen.insert(
        "victim canary".into(),
        canary.metadata.resource_version.unwrap_or_default(),
    );
    // The two workspaces' namespaces (the cluster may hold other tests' too).
    let prefix = |namespace: &str| {
        namespace
            .rsplit_once('-')
            .map_or(String::new(), |(p, _)| format!("{p}-"))
    };
    let ours = [prefix(&victim.namespace), prefix(attacker)];
    let namespaces = site.workspace_namespaces().await;
    for namespace in namespaces
        .iter()
        .filter(|n| ours.iter().any(|p| n.starts_with(p.as_str())))
    {
        let namespace = namespace.clone();
        for (kind, name) in server::workspace::policy::RESERVED {
            // What it says, not its version: a quota's usage changes as it should.
            let said = match site
                .api(kind, Some(&namespace))
                .get_opt(name)
                .await
                .expect("policy")
            {
                Some(o) => format!(
                    "{} {} {}",
                    o.data["spec"], o.data["subjects"], o.data["roleRef"]
                ),
                None => "missing".into(),
            };
            seen.insert(format!("{namespace} {kind} {name}"), said);
        }
    }
    for kind in [
        "ClusterRole",
        "ClusterRoleBinding",
        "PersistentVolume",
        "StorageClass",
        "IngressClass",
        "CustomResourceDefinition",
        "Node",
    ] {
        let mut names: Vec<String> = site
            .api(kind, None)
            .list(&ListParams::default())
            .await
            .expect("cluster-scoped")
            .items
            .into_iter()
            .filter_map(|o| o.metadata.name)
            .collect();
        names.sort();
        seen.insert(format!("{kind} names"), names.join(","));
    }
    seen
}

/// Pods of the workspaces that run with host access or powers baseline forbids.
async fn escaped_pods(site: &Site) -> Vec<String> {
    let mut escaped = Vec::new();
    for namespace in site.workspace_namespaces().await {
        for pod in site
            .api("Pod", Some(&namespace))
            .list(&ListParams::default())
            .await
            .expect("pods")
            .items
        {
            let spec = &pod.data["spec"];
            let host = ["hostNetwork", "hostPID", "hostIPC"]
                .iter()
                .any(|f| spec[f] == true);
            let volumes = spec["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|v| v.get("hostPath").is_some());
            let containers = spec["containers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| {
                    c["securityContext"]["privileged"] == true
                        || c["ports"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|p| p["hostPort"].as_i64().is_some_and(|p| p > 0))
                });
            if host || volumes || containers {
                escaped.push(format!(
                    "{namespace}/{}",
                    pod.metadata.name.unwrap_or_default()
                ));
            }
        }
    }
    escaped
}

/// Where an object of `kind` named `name` is, and at which version: in any workspace
/// namespace, or for a cluster-scoped kind anywhere under that name or a workspace's form
/// of it. A refused attempt leaves this as it found it.
async fn found(site: &Site, kind: &str, name: &str) -> Vec<(String, String)> {
    let Some(info) = app::model::kinds::by_kind(kind) else {
        return Vec::new(); // not a kind the cluster serves: nothing was made
    };
    let version = |o: &DynamicObject| o.metadata.resource_version.clone().unwrap_or_default();
    if !info.namespaced() {
        let all = site
            .api(kind, None)
            .list(&ListParams::default())
            .await
            .map(|l| l.items)
            .unwrap_or_default();
        return all
            .iter()
            .filter(|o| {
                o.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n == name || n.ends_with(&format!("-{name}")))
            })
            .map(|o| (o.metadata.name.clone().unwrap_or_default(), version(o)))
            .collect();
    }
    let mut found = Vec::new();
    for namespace in site.workspace_namespaces().await {
        if let Some(o) = site
            .api(kind, Some(&namespace))
            .get_opt(name)
            .await
            .ok()
            .flatten()
        {
            found.push((namespace, version(&o)));
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attacker_reaches_nothing_that_is_not_theirs() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let site = Site {
        router: app(state(":memory:", &cluster).await),
        admin: cluster.client(),
        runs_containers: true,
    };
    suite(&site).await;
}

/// The whole suite against `site`.
pub async fn suite(site: &Site) {
    let victim_browser = site.attendee().await;
    let canary = format!("canary-{}", std::process::id());
    let (status, answer) = site
        .apply(&victim_browser, &attempts::victim(&canary))
        .await;
    assert_eq!(status, StatusCode::OK, "the victim's workspace: {answer}");
    let victim_namespace = site.holding("Secret", "canary").await;
    let attacker = site.attendee().await;
    let (status, answer) = site.apply(&attacker, attempts::ATTACKER_START).await;
    assert_eq!(status, StatusCode::OK, "the attacker's workspace: {answer}");
    let attacker_namespace = site.holding("ConfigMap", attempts::ATTACKER_MARK).await;
    let mut pod_ip = String::new();
    for _ in 0..100 {
        let pods = site
            .api("Pod", Some(&victim_namespace))
            .list(&ListParams::default().labels("app=web"))
            .await
            .expect("pods");
        if let Some(ip) = pods
            .items
            .iter()
            .find(|p| p.data["status"]["phase"] == "Running")
            .and_then(|p| p.data["status"]["podIP"].as_str())
        {
            pod_ip = ip.to_string();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!pod_ip.is_empty(), "the victim's app runs");
    let id = victim_namespace
        .trim_start_matches("kc-")
        .trim_end_matches("-default")
        .to_string();
    let victim = Victim {
        host: format!("web.example.com.{id}.{}", server::workspace::DEFAULT_DOMAIN),
        namespace: victim_namespace,
        pod_ip,
        canary,
    };

    let mut attempts = attempts::all(&victim);
    attempts.extend(pod_security::all());
    if !site.runs_containers {
        attempts.retain(|a| !matches!(a.how, How::Reach(_)));
    }
    assert!(attempts.len() >= 80, "{} attempts", attempts.len());
    let mut failures = Vec::new();
    let mut by_area: BTreeMap<&str, usize> = BTreeMap::new();
    let baseline = attacker_objects(site, &attacker_namespace).await;
    for attempt in &attempts {
        *by_area.entry(attempt.area).or_default() += 1;
        let before = invariants(site, &victim, &attacker_namespace).await;
        if let Err(why) = run(site, &attacker, &attacker_namespace, &victim, attempt).await {
            failures.push(format!("[{}] {}: {why}", attempt.area, attempt.what));
        }
        // A refused attempt changes none of the attacker's own objects either (what they
        // say: their versions also move as controllers write their status).
        if let How::Apply(_) | How::Delete(_) = attempt.how {
            let now = attacker_objects(site, &attacker_namespace).await;
            let changed: Vec<&String> = baseline
                .iter()
                .filter(|(key, version)| {
                    !key.starts_with("ResourceQuota ") && now.get(*key) != Some(version)
                })
                .map(|(key, _)| key)
                .collect();
            if !changed.is_empty() {
                failures.push(format!(
                    "[{}] {}: changed although refused: {changed:?}",
                    attempt.area, attempt.what
                ));
            }
        }
        let after = invariants(site, &victim, &attacker_namespace).await;
        for (key, was) in &before {
            if after.get(key) != Some(was) {
                failures.push(format!(
                    "[{}] {}: {key} changed ({was} -> {:?})",
                    attempt.area,
                    attempt.what,
                    after.get(key)
                ));
            }
        }
        let escaped = escaped_pods(site).await;
        if !escaped.is_empty() {
            failures.push(format!(
                "[{}] {}: pods with host access: {escaped:?}",
                attempt.area, attempt.what
            ));
        }
        reset(site, &attacker_namespace, &baseline).await;
    }
    assert!(
        failures.is_empty(),
        "{} of {} attempts got through ({by_area:?}):\n{}",
        failures.len(),
        attempts.len(),
        failures.join("\n")
    );
}

/// The kinds an attempt may leave objects of in the attacker's namespace.
const LEFT: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Pod",
    "Service",
    "Ingress",
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "HorizontalPodAutoscaler",
    "Certificate",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
];

/// The attacker's objects: `KIND name` -> what they say (everything but status and the
/// metadata the cluster keeps moving).
async fn attacker_objects(site: &Site, namespace: &str) -> BTreeMap<String, Value> {
    let mut objects = BTreeMap::new();
    for kind in LEFT {
        for o in site.list(kind, namespace).await {
            let name = o.metadata.name.clone().unwrap_or_default();
            let mut said = o.data.clone();
            if let Some(map) = said.as_object_mut() {
                map.remove("status");
            }
            let meta = serde_json::json!([o.metadata.labels, o.metadata.annotations]);
            // Compared as values: the order of a map's keys is no change.
            objects.insert(format!("{kind} {name}"), serde_json::json!([said, meta]));
        }
    }
    objects
}

/// Takes the attacker's namespace back to how it was before the attempts (as the
/// administrator, at once), so each attempt meets the same workspace.
async fn reset(site: &Site, namespace: &str, baseline: &BTreeMap<String, Value>) {
    let now = kube::api::DeleteParams {
        grace_period_seconds: Some(0),
        ..Default::default()
    };
    for kind in LEFT {
        for o in site.list(kind, namespace).await {
            let name = o.metadata.name.unwrap_or_default();
            if !baseline.contains_key(&format!("{kind} {name}")) {
                let _ = site.api(kind, Some(namespace)).delete(&name, &now).await;
            }
        }
    }
    for _ in 0..100 {
        let pods = site
            .api("Pod", Some(namespace))
            .list(&ListParams::default())
            .await
            .map_or(0, |l| l.items.len());
        if pods == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Makes one attempt; `Err` says what got through.
async fn run(
    site: &Site,
    attacker: &Attendee,
    namespace: &str,
    victim: &Victim,
    attempt: &Attempt,
) -> Result<(), String> {
    let leak = |text: &str| text.contains(&victim.canary);
    match &attempt.how {
        How::Apply(manifest) => {
            let mut before = Vec::new();
            for (kind, name) in objects_of(manifest) {
                before.push(found(site, &kind, &name).await);
            }
            let (status, answer) = site.apply(attacker, manifest).await;
            if !refused(status, &answer) {
                return Err(format!("accepted: {answer}"));
            }
            for ((kind, name), was) in objects_of(manifest).into_iter().zip(before) {
                if found(site, &kind, &name).await != was {
                    return Err(format!(
                        "{kind} {name} was made or changed although refused"
                    ));
                }
            }
        }
        How::Update { harmless, hostile } => {
            let (status, answer) = site.apply(attacker, harmless).await;
            if status != StatusCode::OK {
                return Err(format!("the harmless version was refused: {answer}"));
            }
            let (kind, name) = objects_of(harmless).into_iter().next().expect("an object");
            // What it says, not its version: a pod's status moves on by itself, and the
            // scheduler binds it to a node.
            let version = |o: Option<DynamicObject>| {
                o.map(|o| {
                    let mut spec = o.data["spec"].clone();
                    if let Some(spec) = spec.as_object_mut() {
                        spec.remove("nodeName");
                    }
                    spec
                })
            };
            let before = version(
                site.api(&kind, Some(namespace))
                    .get_opt(&name)
                    .await
                    .ok()
                    .flatten(),
            );
            let (status, answer) = site.apply(attacker, hostile).await;
            if !refused(status, &answer) {
                return Err(format!("the update was accepted: {answer}"));
            }
            let after = version(
                site.api(&kind, Some(namespace))
                    .get_opt(&name)
                    .await
                    .ok()
                    .flatten(),
            );
            if before != after {
                return Err(format!(
                    "{kind} {name} changed although refused:\n    before {before:?}\n    after  {after:?}"
                ));
            }
            site.send(attacker, "POST", "/api/workspace/delete", harmless.clone())
                .await;
        }
        How::Delete(manifest) => {
            let (status, answer) = site
                .send(attacker, "POST", "/api/workspace/delete", manifest.clone())
                .await;
            if !refused(status, &answer) {
                return Err(format!("the delete was accepted: {answer}"));
            }
        }
        How::Stripped {
            manifest,
            field,
            note,
        } => {
            let (status, answer) = site.apply(attacker, manifest).await;
            if status != StatusCode::OK {
                return Err(format!("refused rather than stripped: {answer}"));
            }
            let notes = answer["results"][0]["notes"].to_string();
            if !notes.contains(note) {
                return Err(format!(
                    "the answer does not say {note} was left out: {answer}"
                ));
            }
            let (kind, name) = objects_of(manifest).into_iter().next().expect("an object");
            let live = site
                .api(&kind, Some(namespace))
                .get(&name)
                .await
                .map_err(|e| e.to_string())?;
            let value = serde_json::to_value(&live).unwrap_or_default();
            let mut at = &value;
            for key in field.split('.') {
                at = &at[key];
            }
            if !at.is_null() && at != &Value::Array(vec![]) {
                return Err(format!("{field} is set on the object: {at}"));
            }
            site.send(attacker, "POST", "/api/workspace/delete", manifest.clone())
                .await;
        }
        How::Get(path) => {
            let (_, answer) = site.send(attacker, "GET", path, String::new()).await;
            if leak(&answer.to_string()) {
                return Err(format!("the canary leaked: {answer}"));
            }
        }
        How::Console(command) => {
            let body = serde_json::json!({ "command": command }).to_string();
            let (status, answer) = site.console(attacker, body).await;
            let output = answer["output"].as_str().unwrap_or_default();
            let encoded = base64::Engine::encode(&base64::prelude::BASE64_STANDARD, &victim.canary);
            if leak(output) || output.contains(&encoded) {
                return Err(format!("the canary leaked: {output}"));
            }
            if status != StatusCode::OK || answer["exitCode"] == 0 {
                return Err(format!("not refused ({status}): {answer}"));
            }
        }
        How::Reach(command) => {
            let name = format!("reach-{}", attempt.what.len() % 97);
            let pod = attempts::busybox(&name, command);
            let (status, answer) = site.apply(attacker, &pod).await;
            if status != StatusCode::OK {
                return Err(format!("the probe pod was refused: {answer}"));
            }
            let pods: Api<k8s_openapi::api::core::v1::Pod> =
                Api::namespaced(site.admin.clone(), namespace);
            let mut log = String::new();
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                log = pods
                    .logs(&name, &LogParams::default())
                    .await
                    .unwrap_or_default();
                if log.contains("probe done") {
                    break;
                }
            }
            site.send(attacker, "POST", "/api/workspace/delete", pod.clone())
                .await;
            if !log.contains("probe done") {
                return Err(format!("the probe never finished; log: {log}"));
            }
            if leak(&log) {
                return Err(format!("the canary leaked: {log}"));
            }
        }
        How::Bounded { manifest, pods } => {
            let (status, answer) = site.apply(attacker, manifest).await;
            if status != StatusCode::OK {
                return Err(format!("refused outright: {answer}"));
            }
            tokio::time::sleep(Duration::from_secs(3)).await;
            let count = site
                .api("Pod", Some(namespace))
                .list(&ListParams::default())
                .await
                .map_or(0, |l| l.items.len());
            site.send(attacker, "POST", "/api/workspace/delete", manifest.clone())
                .await;
            if count > *pods {
                return Err(format!("{count} pods, more than {pods}"));
            }
        }
    }
    Ok(())
}
