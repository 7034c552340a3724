//! The scheduler's rules between pods, as kube-scheduler's InterPodAffinity and
//! PodTopologySpread plugins judge them: required pod affinity and anti-affinity (the
//! incoming pod's, and the anti-affinity of pods already placed, which holds both ways),
//! topology spread constraints with `DoNotSchedule`, and as preferences the preferred
//! terms, `ScheduleAnyway` constraints and preferred node affinity.

use crate::store::{Key, Store};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Why a node fails, in kube-scheduler's words, and whether evicting pods could help
/// (preemption's count).
pub struct Refusal {
    pub reason: &'static str,
    pub preemptable: bool,
}

const AFFINITY: &str = "node(s) didn't match pod affinity rules";
const ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
const EXISTING_ANTI_AFFINITY: &str = "node(s) didn't satisfy existing pods anti-affinity rules";
const SPREAD: &str = "node(s) didn't match pod topology spread constraints";
const SPREAD_LABEL: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

/// What the rules look at: the nodes' labels and the pods placed on them.
pub struct Cluster<'a> {
    store: &'a Store,
    nodes: &'a [Arc<Value>],
    /// Node name → its labels.
    labels: BTreeMap<String, Value>,
    /// Pods bound to a node and not finished: (node, pod).
    placed: Vec<(String, Arc<Value>)>,
}

impl<'a> Cluster<'a> {
    /// Reads the pods placed on `nodes`.
    pub fn read(store: &'a Store, nodes: &'a [Arc<Value>]) -> Cluster<'a> {
        let labels = nodes
            .iter()
            .map(|n| {
                let name = n["metadata"]["name"].as_str().unwrap_or_default();
                (name.to_string(), n["metadata"]["labels"].clone())
            })
            .collect();
        let placed = store
            .list("", "pods", None, None)
            .0
            .into_iter()
            .filter(|(_, p)| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
            .filter_map(|(_, p)| {
                let node = p["spec"]["nodeName"].as_str().filter(|n| !n.is_empty())?;
                Some((node.to_string(), p))
            })
            .collect();
        Cluster {
            store,
            nodes,
            labels,
            placed,
        }
    }

    /// The value of `key` on the node called `node`.
    fn label(&self, node: &str, key: &str) -> Option<&Value> {
        self.labels.get(node).and_then(|l| l.get(key))
    }

    /// Placed pods that `term` (of a pod in `namespace`) selects, with their nodes.
    fn selected<'b>(
        &'b self,
        term: &'b Value,
        namespace: &'b str,
    ) -> impl Iterator<Item = &'b (String, Arc<Value>)> + 'b {
        self.placed
            .iter()
            .filter(move |(_, p)| term_selects(self.store, term, namespace, p))
    }

    /// Whether `node` passes the pod's rules and those of the pods already placed.
    pub fn filter(&self, pod: &Value, node: &Value) -> Result<(), Refusal> {
        let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
        let labels = &node["metadata"]["labels"];
        let same_domain = |term: &Value, other_node: &str| {
            let key = term["topologyKey"].as_str().unwrap_or_default();
            labels
                .get(key)
                .is_some_and(|v| self.label(other_node, key) == Some(v))
        };

        // kube-scheduler's order: PodTopologySpread, then InterPodAffinity.
        for constraint in spread(pod, "DoNotSchedule") {
            let key = constraint["topologyKey"].as_str().unwrap_or_default();
            let Some(value) = labels.get(key) else {
                return Err(Refusal {
                    reason: SPREAD_LABEL,
                    preemptable: false,
                });
            };
            let counts = self.domain_counts(pod, constraint);
            let min_domains = constraint["minDomains"].as_u64().unwrap_or(1) as usize;
            let minimum = if counts.len() < min_domains {
                0
            } else {
                counts.values().copied().min().unwrap_or(0)
            };
            let own = usize::from(crate::labels::selector_selects(
                &constraint["labelSelector"],
                &pod["metadata"]["labels"],
            ));
            let here = counts.get(&value.to_string()).copied().unwrap_or(0);
            let max_skew = constraint["maxSkew"].as_u64().unwrap_or(1) as usize;
            if (here + own).saturating_sub(minimum) > max_skew {
                return Err(Refusal {
                    reason: SPREAD,
                    preemptable: true,
                });
            }
        }
        let affinity = required(&pod["spec"]["affinity"]["podAffinity"]);
        if !affinity.is_empty() {
            let on_node = affinity.iter().all(|term| {
                let key = term["topologyKey"].as_str().unwrap_or_default();
                labels.get(key).is_some()
                    && self
                        .selected(term, namespace)
                        .any(|(other, _)| same_domain(term, other))
            });
            // The first of a group with affinity to itself may go anywhere with the
            // topology labels, when no pod matches yet.
            let first = affinity.iter().all(|term| {
                let key = term["topologyKey"].as_str().unwrap_or_default();
                labels.get(key).is_some()
                    && self.selected(term, namespace).next().is_none()
                    && term_selects(self.store, term, namespace, pod)
            });
            if !on_node && !first {
                return Err(Refusal {
                    reason: AFFINITY,
                    preemptable: false,
                });
            }
        }

        for term in required(&pod["spec"]["affinity"]["podAntiAffinity"]) {
            if self
                .selected(term, namespace)
                .any(|(other, _)| same_domain(term, other))
            {
                return Err(Refusal {
                    reason: ANTI_AFFINITY,
                    preemptable: true,
                });
            }
        }

        for (other_node, other) in &self.placed {
            let other_namespace = other["metadata"]["namespace"].as_str().unwrap_or_default();
            for term in required(&other["spec"]["affinity"]["podAntiAffinity"]) {
                if same_domain(term, other_node)
                    && term_selects(self.store, term, other_namespace, pod)
                {
                    return Err(Refusal {
                        reason: EXISTING_ANTI_AFFINITY,
                        preemptable: true,
                    });
                }
            }
        }

        Ok(())
    }

    /// A constraint's domains (values of its key on the nodes the pod's node selector
    /// and required node affinity allow, unless `nodeAffinityPolicy: Ignore`; tainted
    /// nodes too unless `nodeTaintsPolicy: Honor`, so by default a kind cluster's
    /// control plane is a domain that never gets a pod) and how many matching pods of
    /// the pod's namespace, not being deleted, each holds.
    fn domain_counts(&self, pod: &Value, constraint: &Value) -> BTreeMap<String, usize> {
        let key = constraint["topologyKey"].as_str().unwrap_or_default();
        let namespace = &pod["metadata"]["namespace"];
        let honour_affinity = constraint["nodeAffinityPolicy"] != "Ignore";
        let honour_taints = constraint["nodeTaintsPolicy"] == "Honor";
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for node in self.nodes {
            if let Some(value) = node["metadata"]["labels"].get(key)
                && (!honour_affinity || crate::scheduling::selects(pod, node))
                && (!honour_taints || crate::scheduling::tolerates(node, pod))
            {
                counts.entry(value.to_string()).or_default();
            }
        }
        for (node, other) in &self.placed {
            let Some(value) = self.label(node, key) else {
                continue;
            };
            if other["metadata"]["namespace"] != *namespace
                || other["metadata"].get("deletionTimestamp").is_some()
                || !crate::labels::selector_selects(
                    &constraint["labelSelector"],
                    &other["metadata"]["labels"],
                )
            {
                continue;
            }
            if let Some(count) = counts.get_mut(&value.to_string()) {
                *count += 1;
            }
        }
        counts
    }

    /// How much the pod would rather not run on `node`, from -1 (preferred) upwards:
    /// preferred pod affinity and anti-affinity by weight, `ScheduleAnyway` spread by
    /// how many matching pods the node's domain holds, preferred node affinity.
    pub fn penalty(&self, pod: &Value, node: &Value) -> f64 {
        let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
        let labels = &node["metadata"]["labels"];
        let in_domain = |term: &Value| {
            let key = term["topologyKey"].as_str().unwrap_or_default();
            labels.get(key).is_some_and(|v| {
                self.selected(term, namespace)
                    .any(|(other, _)| self.label(other, key) == Some(v))
            })
        };
        let mut total = 0.0;
        let mut score = 0.0;
        for (path, sign) in [("podAffinity", -1.0), ("podAntiAffinity", 1.0)] {
            for preferred in preferred(&pod["spec"]["affinity"][path]) {
                let weight = preferred["weight"].as_f64().unwrap_or(1.0);
                total += weight;
                if in_domain(&preferred["podAffinityTerm"]) {
                    score += sign * weight;
                }
            }
        }
        for preferred in preferred(&pod["spec"]["affinity"]["nodeAffinity"]) {
            let weight = preferred["weight"].as_f64().unwrap_or(1.0);
            total += weight;
            let term = serde_json::json!({"spec": {"affinity": {"nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [preferred["preference"]]}}}}});
            if crate::scheduling::selects(&term, node) {
                score -= weight;
            }
        }
        let mut penalty = if total > 0.0 { score / total } else { 0.0 };
        for constraint in spread(pod, "ScheduleAnyway") {
            let key = constraint["topologyKey"].as_str().unwrap_or_default();
            let counts = self.domain_counts(pod, constraint);
            let most = counts.values().copied().max().unwrap_or(0) as f64;
            let here = labels
                .get(key)
                .and_then(|v| counts.get(&v.to_string()))
                .copied()
                .unwrap_or(0) as f64;
            penalty += here / (most + 1.0);
        }
        penalty
    }
}

/// Whether a pod needs the inter-pod rules looked at: it has pod affinity, anti-affinity
/// or spread constraints of its own.
pub fn has_rules(pod: &Value) -> bool {
    let affinity = &pod["spec"]["affinity"];
    !affinity["podAffinity"].is_null()
        || !affinity["podAntiAffinity"].is_null()
        || !affinity["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"].is_null()
        || pod["spec"]["topologySpreadConstraints"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
}

/// Whether a placed pod's anti-affinity binds the pods that come after it.
pub fn has_required_anti_affinity(pod: &Value) -> bool {
    !required(&pod["spec"]["affinity"]["podAntiAffinity"]).is_empty()
}

fn required(rules: &Value) -> Vec<&Value> {
    rules["requiredDuringSchedulingIgnoredDuringExecution"]
        .as_array()
        .map(|terms| terms.iter().collect())
        .unwrap_or_default()
}

fn preferred(rules: &Value) -> Vec<&Value> {
    rules["preferredDuringSchedulingIgnoredDuringExecution"]
        .as_array()
        .map(|terms| terms.iter().collect())
        .unwrap_or_default()
}

fn spread<'p>(pod: &'p Value, when: &'static str) -> impl Iterator<Item = &'p Value> + 'p {
    pod["spec"]["topologySpreadConstraints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |c| c["whenUnsatisfiable"].as_str().unwrap_or("DoNotSchedule") == when)
}

/// Whether a pod affinity term of a pod in `namespace` selects `other`: its namespaces
/// (the pod's own when it names none and has no namespace selector; an empty namespace
/// selector means all) and its label selector (none selects nothing).
fn term_selects(store: &Store, term: &Value, namespace: &str, other: &Value) -> bool {
    let other_namespace = other["metadata"]["namespace"].as_str().unwrap_or_default();
    let named: Vec<&str> = term["namespaces"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let selector = &term["namespaceSelector"];
    let in_namespace = if named.is_empty() && selector.is_null() {
        other_namespace == namespace
    } else {
        named.contains(&other_namespace)
            || (!selector.is_null()
                && store
                    .get(&Key::new("", "namespaces", "", other_namespace))
                    .is_ok_and(|ns| {
                        crate::labels::selector_selects(selector, &ns["metadata"]["labels"])
                    }))
    };
    in_namespace
        && crate::labels::selector_selects(&term["labelSelector"], &other["metadata"]["labels"])
}
