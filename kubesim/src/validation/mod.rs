//! Validation as kube-apiserver does it, with the same field paths and messages for the
//! mistakes learners make. The catalogue of cases, with kube-apiserver's exact answers and
//! where they come from, is `kubesim/docs/validation-catalogue.md`; each implemented case
//! is a test in `tests/api/validation.rs`.

mod claims;
mod errors;
mod hpa;
mod ingress;
mod meta;
mod pod;
mod pod_update;
mod rbac;
mod service;
mod workloads;

use crate::status::Cause;
pub use errors::Errors;
use serde_json::Value;

/// Validates an object of `kind` about to be created (`old` is None) or updated.
pub fn validate(kind: &str, object: &Value, old: Option<&Value>) -> Vec<Cause> {
    let mut errors = Errors::default();
    meta::validate_metadata(kind, &object["metadata"], &mut errors);
    match kind {
        "Pod" => {
            pod::validate_pod_spec(&object["spec"], "spec", false, &mut errors);
            if let Some(old) = old {
                pod_update::validate_pod_update(object, old, &mut errors);
            }
        }
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            workloads::validate_workload(kind, object, old, &mut errors)
        }
        "Job" => workloads::validate_job(object, &mut errors),
        "Service" => service::validate_service(object, old, &mut errors),
        "ConfigMap" | "Secret" => meta::validate_config_data(kind, object, old, &mut errors),
        "Ingress" => ingress::validate_ingress(object, &mut errors),
        "PersistentVolumeClaim" => claims::validate_claim(object, &mut errors),
        "HorizontalPodAutoscaler" => hpa::validate_hpa(object, old, &mut errors),
        "Role" | "ClusterRole" => rbac::validate_role(kind, object, &mut errors),
        "RoleBinding" | "ClusterRoleBinding" => {
            rbac::validate_binding(kind, object, old, &mut errors)
        }
        _ => {}
    }
    errors.0
}
