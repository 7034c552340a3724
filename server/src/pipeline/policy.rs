//! What an attendee may not write, judged on each planned object before anything is sent:
//! a second layer behind the API server's own (the tenant role's RBAC, Pod Security,
//! quota), so that one of them failing still leaves the other. Fields only the cluster
//! sets are stripped, and the result says so; what would reach outside the workspace or
//! change the platform's own objects is refused with what to do instead.

use crate::workspace::WORKSPACE_LABEL;
use crate::workspace::policy::RESERVED;
use serde_json::Value;

/// Labels and annotations under this prefix are kubeclass's.
pub const RESERVED_PREFIX: &str = "kubeclass.dev/";

/// Fields the cluster sets, and what the attendee is told when they are left out.
const STRIPPED: &[(&str, &str)] = &[
    (
        "status",
        "status was left out: the cluster sets it from what is running",
    ),
    (
        "metadata.managedFields",
        "metadata.managedFields was left out: the API server keeps it",
    ),
    (
        "metadata.ownerReferences",
        "metadata.ownerReferences was left out: controllers set owners themselves",
    ),
    (
        "metadata.finalizers",
        "metadata.finalizers was left out: a finalizer nobody removes would keep the object, and its namespace, from ever going away",
    ),
    (
        "metadata.resourceVersion",
        "metadata.resourceVersion was left out: it names one moment of the object, not what to apply",
    ),
    (
        "metadata.uid",
        "metadata.uid was left out: the cluster gives it",
    ),
];

/// Checks one object (as the workspace will send it) of `kind` named `name`; strips what
/// only the cluster sets and returns a note for each. `Err`: why it is refused.
pub fn check(kind: &str, name: &str, object: &mut Value) -> Result<Vec<String>, String> {
    if RESERVED.contains(&(kind, name)) {
        return Err(format!(
            "{kind} \"{name}\" is the workshop's own (it keeps your workspace apart from others); choose another name"
        ));
    }
    reserved_labels(object)?;
    if kind == "Namespace"
        && (!object["spec"]["finalizers"].is_null() || !object["metadata"]["finalizers"].is_null())
    {
        return Err(
            "a workspace namespace may not carry finalizers: it could never be deleted".into(),
        );
    }
    let mut notes = Vec::new();
    for (path, note) in STRIPPED {
        if remove(object, path) {
            notes.push((*note).to_string());
        }
    }
    by_kind(kind, object)?;
    Ok(notes)
}

/// Refusals particular to a kind.
fn by_kind(kind: &str, object: &Value) -> Result<(), String> {
    let spec = &object["spec"];
    match kind {
        "Endpoints" | "EndpointSlice" => Err(format!(
            "{kind} are made by the cluster from a Service's selector; give the Service a selector instead"
        )),
        "Secret" if object["type"] == "kubernetes.io/service-account-token" => Err(
            "Secrets of type kubernetes.io/service-account-token are not allowed: pods get their account's token on their own".into(),
        ),
        "Service" if spec["type"] == "ExternalName" || !spec["externalName"].is_null() => Err(
            "ExternalName Services are not allowed: they would send traffic out of your workspace"
                .into(),
        ),
        "Service" if !spec["externalIPs"].is_null() => Err(
            "spec.externalIPs is not allowed: it would claim addresses of the cluster's nodes"
                .into(),
        ),
        "PersistentVolumeClaim" if !spec["volumeName"].is_null() => Err(
            "spec.volumeName is not allowed: volumes are provisioned for your claims, never taken from others"
                .into(),
        ),
        "RoleBinding" | "ClusterRoleBinding" => subjects(object),
        "Ingress" => ingress(spec),
        "ClusterIssuer" => cluster_issuer(spec),
        _ => Ok(()),
    }
}

/// A binding may name only the workspace's own ServiceAccounts.
fn subjects(binding: &Value) -> Result<(), String> {
    for subject in binding["subjects"].as_array().into_iter().flatten() {
        if subject["kind"] != "ServiceAccount" {
            return Err(format!(
                "subjects of kind {} are not allowed: a binding in your workspace may name only your ServiceAccounts",
                subject["kind"].as_str().unwrap_or("(none)")
            ));
        }
    }
    Ok(())
}

/// Every rule of an Ingress names its host: a rule or default backend without one would
/// take every attendee's traffic on the shared controller.
fn ingress(spec: &Value) -> Result<(), String> {
    if !spec["defaultBackend"].is_null() {
        return Err(
            "spec.defaultBackend is not allowed: it would answer for every host of the shared ingress controller; give a rule with a host instead"
                .into(),
        );
    }
    for rule in spec["rules"].as_array().into_iter().flatten() {
        match rule["host"].as_str() {
            None | Some("") => {
                return Err(
                    "every rule needs a host: a rule without one would answer for every host of the shared ingress controller"
                        .into(),
                );
            }
            Some(host) if host.starts_with('*') => {
                return Err(format!(
                    "host \"{host}\" is not allowed: a wildcard would take other attendees' hosts"
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// A workspace's ClusterIssuer issues from nowhere but itself: `selfSigned` only (a CA
/// issuer would read a Secret of cert-manager's namespace; ACME would reach out to the
/// internet).
fn cluster_issuer(spec: &Value) -> Result<(), String> {
    let kinds: Vec<&String> = spec
        .as_object()
        .map(|s| s.keys().collect())
        .unwrap_or_default();
    if kinds.as_slice() == [&"selfSigned".to_string()] {
        Ok(())
    } else {
        Err(
            "a workspace's ClusterIssuer may only be selfSigned: {selfSigned: {}} (CA and ACME issuers reach outside your workspace)"
                .into(),
        )
    }
}

/// Labels and annotations under `kubeclass.dev/` are set by kubeclass alone (the
/// workspace label is set by the pipeline itself).
fn reserved_labels(object: &Value) -> Result<(), String> {
    for field in ["labels", "annotations"] {
        for key in object["metadata"][field]
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
        {
            if key.starts_with(RESERVED_PREFIX) && key != WORKSPACE_LABEL {
                return Err(format!(
                    "metadata.{field}.{key} is the workshop's own; remove it"
                ));
            }
        }
    }
    Ok(())
}

/// Removes the field at a dotted path; whether it was there.
fn remove(object: &mut Value, path: &str) -> bool {
    let (parent, field) = path.rsplit_once('.').unwrap_or(("", path));
    let mut at = &mut *object;
    for key in parent.split('.').filter(|k| !k.is_empty()) {
        at = &mut at[key];
    }
    at.as_object_mut()
        .and_then(|m| m.remove(field))
        .is_some_and(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_only_the_cluster_sets_is_stripped_and_said() {
        let mut pod = json!({"metadata": {"name": "p", "ownerReferences": [{"kind": "ReplicaSet"}], "managedFields": []},
            "spec": {}, "status": {"phase": "Running"}});
        let notes = check("Pod", "p", &mut pod).expect("accepted");
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(pod.get("status").is_none() && pod["metadata"].get("ownerReferences").is_none());
    }

    #[test]
    fn what_reaches_outside_the_workspace_is_refused() {
        let refused = |kind: &str, mut object: Value| check(kind, "x", &mut object).unwrap_err();
        assert!(
            refused(
                "Service",
                json!({"spec": {"type": "ExternalName", "externalName": "db.example"}})
            )
            .contains("ExternalName")
        );
        assert!(
            refused("Service", json!({"spec": {"externalIPs": ["1.2.3.4"]}}))
                .contains("externalIPs")
        );
        assert!(
            refused(
                "Secret",
                json!({"type": "kubernetes.io/service-account-token"})
            )
            .contains("token")
        );
        assert!(
            refused(
                "RoleBinding",
                json!({"subjects": [{"kind": "Group", "name": "system:authenticated"}]})
            )
            .contains("Group")
        );
        assert!(refused("Ingress", json!({"spec": {"rules": [{"http": {}}]}})).contains("host"));
        assert!(
            refused(
                "Ingress",
                json!({"spec": {"rules": [{"host": "*.example.com"}]}})
            )
            .contains("wildcard")
        );
        assert!(
            refused(
                "ClusterIssuer",
                json!({"spec": {"ca": {"secretName": "root"}}})
            )
            .contains("selfSigned")
        );
        assert!(refused("EndpointSlice", json!({})).contains("selector"));
        assert!(
            refused(
                "PersistentVolumeClaim",
                json!({"spec": {"volumeName": "pv-1"}})
            )
            .contains("volumeName")
        );
        assert!(
            refused("Namespace", json!({"spec": {"finalizers": ["kubernetes"]}}))
                .contains("finalizers")
        );
        let mut quota = json!({});
        assert!(
            check("ResourceQuota", "workspace-quota", &mut quota)
                .unwrap_err()
                .contains("workshop's own")
        );
        let mut labelled = json!({"metadata": {"labels": {"kubeclass.dev/workspace-of": "x"}}});
        assert!(
            check("ConfigMap", "c", &mut labelled)
                .unwrap_err()
                .contains("workshop's own")
        );
        let mut issuer = json!({"spec": {"selfSigned": {}}});
        assert!(check("ClusterIssuer", "selfsigned", &mut issuer).is_ok());
    }
}
