//! The HorizontalPodAutoscaler controller (autoscaling/v2), with kube-controller-manager's
//! algorithm: every 15 s, each resource metric's utilization over the target's ready pods
//! (usage / requests), `desired = ceil(current × usage / target)` unless within the 10 %
//! tolerance, missing and unready pods counted conservatively, the highest metric wins,
//! then stabilised and rate-limited as the HPA's `behavior` says, or by the built-in
//! rules without one ([`hpa_rate`]) — with its conditions, status and events.

use super::hpa_rate;
use super::runner::{Context, Controller};
use crate::events::{Recorder, Source};
use crate::pods::is_ready;
use crate::runtime::{Runtime, pod_usage};
use crate::store::{Event, Key, Store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const SOURCE: Source<'static> = Source::component("horizontal-pod-autoscaler");
/// The controller's sync period.
pub const PERIOD: Duration = Duration::from_secs(15);
const TOLERANCE: f64 = 0.1;

/// Each autoscaler's recent recommendations and scalings, for stabilisation and rates.
type History = BTreeMap<String, hpa_rate::Memory>;

/// The autoscaler: every autoscaler each period (the first at once), and a new one as
/// soon as it appears.
pub struct Autoscaler {
    history: History,
    /// When the next period starts: at once when the loop first runs, then every
    /// [`PERIOD`].
    next_sync: Option<Instant>,
}

/// The controller.
pub fn controller() -> impl Controller {
    Autoscaler {
        history: History::new(),
        next_sync: None,
    }
}

impl Controller for Autoscaler {
    /// Nothing to catch up: every autoscaler is looked at each period anyway.
    fn resync(&mut self, _: &Context) {
        self.next_sync.get_or_insert_with(Instant::now);
    }

    fn changed(&mut self, ctx: &Context, batch: &[Arc<Event>]) {
        for e in batch {
            if e.key.group == "autoscaling"
                && e.key.resource == "horizontalpodautoscalers"
                && e.object["status"].get("currentReplicas").is_none()
            {
                reconcile(
                    &ctx.store,
                    &ctx.runtime,
                    &ctx.events,
                    &e.key,
                    &mut self.history,
                );
            }
        }
    }

    fn wake_at(&self) -> Option<Instant> {
        self.next_sync
    }

    fn wake(&mut self, ctx: &Context) {
        self.next_sync = self.next_sync.map(|at| at + PERIOD);
        let (hpas, _) = ctx
            .store
            .list("autoscaling", "horizontalpodautoscalers", None, None);
        for (key, _) in hpas {
            reconcile(
                &ctx.store,
                &ctx.runtime,
                &ctx.events,
                &key,
                &mut self.history,
            );
        }
    }
}

/// The target's store key from `scaleTargetRef`.
fn target_key(namespace: &str, reference: &Value) -> Option<Key> {
    let plural = match reference["kind"].as_str()? {
        "Deployment" => "deployments",
        "StatefulSet" => "statefulsets",
        "ReplicaSet" => "replicasets",
        _ => return None,
    };
    Some(Key::new(
        "apps",
        plural,
        namespace,
        reference["name"].as_str()?,
    ))
}

/// One metric's outcome: the replicas it asks for, and what `currentMetrics` shows.
struct Proposal {
    replicas: i64,
    current: Value,
    description: String,
}

fn reconcile(
    store: &Store,
    runtime: &Runtime,
    events: &Recorder,
    key: &Key,
    history: &mut History,
) {
    let Ok(hpa) = store.get(key) else {
        return;
    };
    let spec = &hpa["spec"];
    let now_text = store.clock().now_rfc3339();
    let reference = &spec["scaleTargetRef"];
    let target =
        target_key(&key.namespace, reference).and_then(|k| store.get(&k).ok().map(|t| (k, t)));
    let Some((target_key, target)) = target else {
        let message = format!(
            "the HPA controller was unable to get the target's current scale: {}.apps \"{}\" not found",
            reference["kind"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                + "s",
            reference["name"].as_str().unwrap_or_default()
        );
        write(
            store,
            key,
            &hpa,
            json!({"currentReplicas": 0, "desiredReplicas": 0}),
            &[("AbleToScale", "False", "FailedGetScale", message.clone())],
        );
        events.warning(&hpa, SOURCE, "FailedGetScale", &message);
        return;
    };
    let current = target["spec"]["replicas"].as_i64().unwrap_or(1);
    let selector = &target["spec"]["selector"];
    let pods: Vec<Arc<Value>> = store
        .list("", "pods", Some(&key.namespace), None)
        .0
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| {
            crate::labels::selector_selects(selector, &p["metadata"]["labels"])
                && p["metadata"].get("deletionTimestamp").is_none()
                && p["status"]["phase"] != "Failed"
                && p["status"]["phase"] != "Succeeded"
        })
        .collect();
    if current == 0 {
        // Scaling to zero turns autoscaling off, as in Kubernetes.
        write(
            store,
            key,
            &hpa,
            json!({"currentReplicas": 0, "desiredReplicas": 0}),
            &[(
                "ScalingActive",
                "False",
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero".into(),
            )],
        );
        return;
    }
    let mut proposals = Vec::new();
    for metric in spec["metrics"].as_array().into_iter().flatten() {
        if metric["type"] != "Resource" {
            continue;
        }
        match resource_proposal(runtime, &metric["resource"], &pods, current) {
            Ok(p) => proposals.push(p),
            Err(error) => {
                let message = format!("the HPA was unable to compute the replica count: {error}");
                events.warning(&hpa, SOURCE, "FailedGetResourceMetric", &error);
                let mut status = hpa["status"].clone();
                status["currentReplicas"] = json!(current);
                status["desiredReplicas"] = json!(current);
                write(
                    store,
                    key,
                    &hpa,
                    status,
                    &[
                        (
                            "AbleToScale",
                            "True",
                            "SucceededGetScale",
                            "the HPA controller was able to get the target's current scale".into(),
                        ),
                        ("ScalingActive", "False", "FailedGetResourceMetric", message),
                    ],
                );
                return;
            }
        }
    }
    let Some(best) = proposals.iter().max_by_key(|p| p.replicas) else {
        return;
    };
    let memory = history
        .entry(format!("{}/{}", key.namespace, key.name))
        .or_default();
    let now = Instant::now();
    let normalized = hpa_rate::normalize(memory, spec, current, best.replicas, now);
    let desired = normalized.replicas;
    let mut able = (
        "AbleToScale",
        "True",
        normalized.able.0,
        normalized.able.1.to_string(),
    );
    let (is_limited, reason, message) = normalized.limited;
    let limited = (
        "ScalingLimited",
        if is_limited { "True" } else { "False" },
        reason,
        message.to_string(),
    );
    let mut status = json!({
        "currentReplicas": current, "desiredReplicas": desired,
        "currentMetrics": proposals.iter().map(|p| p.current.clone()).collect::<Vec<_>>(),
    });
    if let Some(t) = hpa["status"].get("lastScaleTime") {
        status["lastScaleTime"] = t.clone();
    }
    if desired != current {
        let mut scaled = (*target).clone();
        scaled["spec"]["replicas"] = json!(desired);
        if store.update(target_key, scaled, None).is_ok() {
            hpa_rate::record_scale(memory, spec, current, desired, now);
            let reason = if desired > current {
                format!("{} above target", best.description)
            } else {
                "All metrics below target".to_string()
            };
            events.normal(
                &hpa,
                SOURCE,
                "SuccessfulRescale",
                &format!("New size: {desired}; reason: {reason}"),
            );
            status["lastScaleTime"] = json!(now_text);
            able = (
                "AbleToScale",
                "True",
                "SucceededRescale",
                format!("the HPA controller was able to update the target scale to {desired}"),
            );
        }
    }
    let active = (
        "ScalingActive",
        "True",
        "ValidMetricFound",
        format!(
            "the HPA was able to successfully calculate a replica count from {}",
            best.description
        ),
    );
    write(store, key, &hpa, status, &[able, active, limited]);
}

/// The replica count one Resource metric asks for (replica_calculator.go's
/// GetResourceReplicas).
fn resource_proposal(
    runtime: &Runtime,
    metric: &Value,
    pods: &[Arc<Value>],
    current: i64,
) -> Result<Proposal, String> {
    let name = metric["name"].as_str().unwrap_or("cpu");
    let target = &metric["target"];
    let utilization_target = target["type"] != "AverageValue";
    // Per pod: its request, and its usage (None: no metrics yet); unready pods apart.
    let mut ready: Vec<(f64, f64)> = Vec::new();
    let mut missing: Vec<f64> = Vec::new();
    let mut unready: Vec<f64> = Vec::new();
    for pod in pods {
        let mut request = 0.0;
        for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
            let value = c["resources"]["requests"][name]
                .as_str()
                .and_then(crate::quantity::parse);
            match value {
                Some(m) => {
                    request += if name == "memory" {
                        m as f64 / 1000.0
                    } else {
                        m as f64
                    }
                }
                None if utilization_target => {
                    return Err(format!(
                        "failed to get {name} utilization: missing request for {name} in container {} of Pod {}",
                        c["name"].as_str().unwrap_or_default(),
                        pod["metadata"]["name"].as_str().unwrap_or_default()
                    ));
                }
                None => {}
            }
        }
        if !is_ready(pod) {
            unready.push(request);
            continue;
        }
        match pod_usage(runtime, pod) {
            Some(containers) => {
                let used: i64 = containers
                    .iter()
                    .map(|(_, cpu, mem)| if name == "memory" { *mem } else { *cpu })
                    .sum();
                ready.push((request, used as f64));
            }
            None => missing.push(request),
        }
    }
    if ready.is_empty() {
        return Err(format!(
            "failed to get {name} utilization: unable to get metrics for resource {name}: no metrics returned from resource metrics API"
        ));
    }
    let description = format!("{name} resource utilization (percentage of request)");
    let usage_of = |pods: &[(f64, f64)]| pods.iter().map(|(_, u)| u).sum::<f64>();
    let request_of = |pods: &[(f64, f64)]| pods.iter().map(|(r, _)| r).sum::<f64>();
    // The ratio of use to target over a set of pods.
    let wanted_utilization = target["averageUtilization"].as_f64().unwrap_or(80.0);
    let wanted_value = target["averageValue"]
        .as_str()
        .and_then(crate::quantity::parse)
        .map(|m| {
            if name == "memory" {
                m as f64 / 1000.0
            } else {
                m as f64
            }
        })
        .unwrap_or(1.0)
        .max(1.0);
    let ratio_of = |pods: &[(f64, f64)]| -> f64 {
        if utilization_target {
            (100.0 * usage_of(pods) / request_of(pods).max(1.0)) / wanted_utilization
        } else {
            usage_of(pods) / pods.len().max(1) as f64 / wanted_value
        }
    };
    let ratio = ratio_of(&ready);
    let average = usage_of(&ready) / ready.len() as f64;
    let current_value = if utilization_target {
        json!({"averageUtilization": (100.0 * usage_of(&ready) / request_of(&ready).max(1.0)) as i64,
            "averageValue": format_quantity(name, average as i64)})
    } else {
        json!({"averageValue": format_quantity(name, average as i64)})
    };
    let current_metric =
        json!({"type": "Resource", "resource": {"name": name, "current": current_value}});
    let proposal = |replicas| Proposal {
        replicas,
        current: current_metric.clone(),
        description: description.clone(),
    };
    let scale_up_with_unready = !unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok(proposal(current));
        }
        return Ok(proposal((ratio * ready.len() as f64).ceil() as i64));
    }
    // Count missing pods at 100 % of their request (or the target, if higher) when
    // scaling down and at 0 % when scaling up; unready pods at 0 % when scaling up.
    let mut all = ready.clone();
    for request in &missing {
        let used = if ratio < 1.0 {
            request * wanted_utilization.max(100.0) / 100.0
        } else {
            0.0
        };
        all.push((*request, used));
    }
    if scale_up_with_unready {
        all.extend(unready.iter().map(|r| (*r, 0.0)));
    }
    let new_ratio = ratio_of(&all);
    if (1.0 - new_ratio).abs() <= TOLERANCE
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(proposal(current));
    }
    let replicas = (new_ratio * all.len() as f64).ceil() as i64;
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok(proposal(current));
    }
    Ok(proposal(replicas))
}

fn format_quantity(name: &str, value: i64) -> String {
    if name == "memory" {
        format!("{}Mi", value / (1024 * 1024))
    } else {
        format!("{value}m")
    }
}

/// Writes the status and conditions when they changed.
fn write(
    store: &Store,
    key: &Key,
    hpa: &Value,
    mut status: Value,
    conditions: &[(&str, &str, &str, String)],
) {
    let now = store.clock().now_rfc3339();
    let old = hpa["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut merged: Vec<Value> = Vec::new();
    for kind in ["AbleToScale", "ScalingActive", "ScalingLimited"] {
        let previous = old.iter().find(|c| c["type"] == kind);
        match conditions.iter().find(|(k, ..)| *k == kind) {
            Some((_, state, reason, message)) => {
                let since = match previous {
                    Some(p) if p["status"] == *state => p["lastTransitionTime"].clone(),
                    _ => json!(now),
                };
                merged.push(json!({"type": kind, "status": state, "lastTransitionTime": since, "reason": reason, "message": message}));
            }
            None => merged.extend(previous.cloned()),
        }
    }
    status["conditions"] = json!(merged);
    super::workload::update_status(
        store,
        key,
        hpa,
        status,
        crate::store::resource_version_of(hpa),
    );
}
