//! Versions of one resource share storage: an object is stored in its resource's storage
//! version and converted for each request's version. Today that matters for
//! HorizontalPodAutoscalers (stored as autoscaling/v2; `kubectl autoscale` and older
//! clients speak autoscaling/v1, whose CPU percentage is a v2 Resource metric).

use crate::resources::Resource;
use serde_json::{Value, json};

/// The object as the request's version presents it.
pub fn present(resource: &Resource, object: &Value) -> Value {
    let mut object = object.clone();
    if resource.kind == "HorizontalPodAutoscaler" && resource.version == "v1" {
        hpa_v2_to_v1(&mut object);
    }
    object["apiVersion"] = json!(resource.api_version());
    object["kind"] = json!(resource.kind);
    object
}

/// The object as it is stored, from the request's version.
pub fn to_storage(resource: &Resource, mut object: Value) -> Value {
    if resource.kind == "HorizontalPodAutoscaler" && resource.version == "v1" {
        hpa_v1_to_v2(&mut object);
        object["apiVersion"] = json!("autoscaling/v2");
    }
    object
}

fn is_cpu_utilization(metric: &Value) -> bool {
    metric["type"] == "Resource"
        && metric["resource"]["name"] == "cpu"
        && metric["resource"]["target"]["type"] == "Utilization"
}

fn hpa_v1_to_v2(hpa: &mut Value) {
    let spec = &mut hpa["spec"];
    if let Some(map) = spec.as_object_mut()
        && let Some(target) = map.remove("targetCPUUtilizationPercentage")
    {
        map.insert("metrics".into(), json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}]));
    }
    if let Some(map) = hpa["status"].as_object_mut()
        && let Some(current) = map.remove("currentCPUUtilizationPercentage")
    {
        map.insert("currentMetrics".into(), json!([{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": current}}}]));
    }
}

fn hpa_v2_to_v1(hpa: &mut Value) {
    if let Some(spec) = hpa["spec"].as_object_mut() {
        let metrics = spec
            .remove("metrics")
            .and_then(|m| m.as_array().cloned())
            .unwrap_or_default();
        spec.remove("behavior");
        if let Some(cpu) = metrics.iter().find(|m| is_cpu_utilization(m)) {
            spec.insert(
                "targetCPUUtilizationPercentage".into(),
                cpu["resource"]["target"]["averageUtilization"].clone(),
            );
        }
    }
    if let Some(status) = hpa["status"].as_object_mut() {
        let current = status
            .remove("currentMetrics")
            .and_then(|m| m.as_array().cloned())
            .unwrap_or_default();
        status.remove("conditions");
        if let Some(cpu) = current
            .iter()
            .find(|m| m["type"] == "Resource" && m["resource"]["name"] == "cpu")
            && let Some(u) = cpu["resource"]["current"]["averageUtilization"].as_i64()
        {
            status.insert("currentCPUUtilizationPercentage".into(), json!(u));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hpa_round_trips_through_v1() {
        let v1 =
            crate::resources::find("autoscaling", "v1", "horizontalpodautoscalers").expect("v1");
        let stored = to_storage(
            v1,
            json!({"spec": {"maxReplicas": 5, "targetCPUUtilizationPercentage": 50}, "status": {"currentCPUUtilizationPercentage": 12}}),
        );
        assert_eq!(stored["apiVersion"], "autoscaling/v2");
        assert_eq!(
            stored["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
            50
        );
        let back = present(v1, &stored);
        assert_eq!(
            (
                back["spec"]["targetCPUUtilizationPercentage"].as_i64(),
                back["status"]["currentCPUUtilizationPercentage"].as_i64()
            ),
            (Some(50), Some(12))
        );
        assert!(back["spec"].get("metrics").is_none());
    }
}
