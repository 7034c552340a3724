//! `metrics.k8s.io/v1beta1`: what metrics-server would report, read from the container
//! runtime — each container's CPU (capped at its limit) and memory, and each node's
//! total. Like metrics-server, a container appears once it has run for one 15 s
//! resolution window, so `kubectl top` says "metrics not available yet" for new pods.

use super::server::ApiServer;
use crate::registry::{LabelSelector, Params, Target};
use crate::status::{ApiError, Result};
use serde_json::{Value, json};

/// What the node itself uses besides its pods (system daemons, the kubelet).
const NODE_BASE_MILLI: i64 = 150;
const NODE_BASE_BYTES: i64 = 1200 * 1024 * 1024;

impl ApiServer {
    /// One pod's containers' usage, or `None` before the first window has passed.
    fn pod_usage(&self, pod: &Value) -> Option<Vec<(String, i64, i64)>> {
        crate::runtime::pod_usage(&self.runtime, pod)
    }

    fn pod_metrics(&self, pod: &Value) -> Option<Value> {
        let containers = self.pod_usage(pod)?;
        let now = self.store.clock().now_rfc3339();
        Some(json!({
            "metadata": {"name": pod["metadata"]["name"], "namespace": pod["metadata"]["namespace"],
                "creationTimestamp": now, "labels": pod["metadata"]["labels"]},
            "timestamp": now, "window": "15s",
            "containers": containers.into_iter().map(|(name, cpu, memory)| json!({
                "name": name, "usage": {"cpu": format!("{}n", cpu * 1_000_000), "memory": format!("{}Ki", memory / 1024)},
            })).collect::<Vec<_>>(),
        }))
    }

    fn node_metrics(&self, node: &Value) -> Value {
        let name = node["metadata"]["name"].as_str().unwrap_or_default();
        let (mut cpu, mut memory) = (NODE_BASE_MILLI, NODE_BASE_BYTES);
        for (_, pod) in self.store.list("", "pods", None, None).0 {
            if pod["spec"]["nodeName"].as_str() == Some(name)
                && let Some(containers) = self.pod_usage(&pod)
            {
                for (_, c, m) in containers {
                    cpu += c;
                    memory += m;
                }
            }
        }
        let now = self.store.clock().now_rfc3339();
        json!({
            "metadata": {"name": name, "creationTimestamp": now, "labels": node["metadata"]["labels"]},
            "timestamp": now, "window": "15s",
            "usage": {"cpu": format!("{}n", cpu * 1_000_000), "memory": format!("{}Ki", memory / 1024)},
        })
    }

    /// GET on `pods` or `nodes` of metrics.k8s.io: one object or a list (label selectors
    /// apply).
    pub fn metrics(&self, target: &Target, params: &Params) -> Result<Value> {
        let selector = LabelSelector::parse(params.get("labelSelector").unwrap_or(""))?;
        let pods = target.resource.kind == "PodMetrics";
        let namespace = target.namespace.as_deref();
        let source: Vec<_> = if pods {
            self.store.list("", "pods", namespace, None).0
        } else {
            self.store.list("", "nodes", None, None).0
        };
        if let Some(name) = &target.name {
            let found = source.iter().find(|(k, _)| &k.name == name);
            let item = found.and_then(|(_, o)| {
                if pods {
                    self.pod_metrics(o)
                } else {
                    Some(self.node_metrics(o))
                }
            });
            return item.ok_or_else(|| {
                let shown = match namespace {
                    Some(ns) if pods => format!("{ns}/{name}"),
                    _ => name.clone(),
                };
                ApiError::new(
                    404,
                    "NotFound",
                    format!(
                        "{}.metrics.k8s.io \"{shown}\" not found",
                        if pods { "podmetrics" } else { "nodemetrics" }
                    ),
                )
            });
        }
        let items: Vec<Value> = source
            .iter()
            .filter(|(_, o)| selector.matches(o))
            .filter(|(_, o)| !pods || o["status"]["phase"] == "Running")
            .filter_map(|(_, o)| {
                if pods {
                    self.pod_metrics(o)
                } else {
                    Some(self.node_metrics(o))
                }
            })
            .collect();
        Ok(json!({
            "kind": if pods { "PodMetricsList" } else { "NodeMetricsList" },
            "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items,
        }))
    }
}
