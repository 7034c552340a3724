//! The Pod strategy: a pod running on a node gets its grace period when deleted (its
//! kubelet stops the containers, then removes it); pods not (or no longer) running go at
//! once.

use super::hooks::Strategy;
use crate::registry::Params;
use serde_json::Value;

/// Pods.
pub struct Pod;

impl Strategy for Pod {
    fn grace_period(&self, pod: &Value, options: &Value, params: &Params) -> Option<i64> {
        let phase = pod["status"]["phase"].as_str().unwrap_or_default();
        if !crate::pods::is_bound(pod) || phase == "Succeeded" || phase == "Failed" {
            return None;
        }
        let grace = options["gracePeriodSeconds"]
            .as_i64()
            .or_else(|| {
                params
                    .get("gracePeriodSeconds")
                    .and_then(|g| g.parse().ok())
            })
            .or_else(|| pod["spec"]["terminationGracePeriodSeconds"].as_i64())
            .unwrap_or(30);
        (grace > 0).then_some(grace)
    }
}
