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
        let requested = options["gracePeriodSeconds"].as_i64().or_else(|| {
            params
                .get("gracePeriodSeconds")
                .and_then(|g| g.parse().ok())
        });
        crate::pods::grace_seconds(pod, requested)
    }
}
