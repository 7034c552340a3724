//! Pod security: every control of the `baseline` standard (which every workspace
//! namespace enforces), broken in a bare Pod and in the pod template of every workload
//! kind, at create; and at update, a harmless Pod and Deployment made hostile. The
//! attempts are generated from two tables: the controls and the workloads.

use super::{Attempt, How};
use serde_json::{Value, json};

/// One baseline control: its name and how a pod spec breaks it.
type Control = (&'static str, fn(&mut Value));

/// Every baseline control, broken.
const CONTROLS: &[Control] = &[
    ("privileged", |s| {
        s["containers"][0]["securityContext"]["privileged"] = json!(true)
    }),
    ("host network", |s| s["hostNetwork"] = json!(true)),
    ("host PID", |s| s["hostPID"] = json!(true)),
    ("host IPC", |s| s["hostIPC"] = json!(true)),
    ("a hostPath volume", |s| {
        s["volumes"] = json!([{"name": "root", "hostPath": {"path": "/"}}]);
        s["containers"][0]["volumeMounts"] = json!([{"name": "root", "mountPath": "/host"}]);
    }),
    ("a host port", |s| {
        s["containers"][0]["ports"] = json!([{"containerPort": 8000, "hostPort": 8000}])
    }),
    ("capability SYS_ADMIN", |s| {
        s["containers"][0]["securityContext"]["capabilities"] = json!({"add": ["SYS_ADMIN"]})
    }),
    ("capability NET_RAW", |s| {
        s["containers"][0]["securityContext"]["capabilities"] = json!({"add": ["NET_RAW"]})
    }),
    ("an SELinux type", |s| {
        s["securityContext"]["seLinuxOptions"] = json!({"type": "spc_t"})
    }),
    ("an unmasked /proc", |s| {
        s["containers"][0]["securityContext"]["procMount"] = json!("Unmasked")
    }),
    ("seccomp unconfined", |s| {
        s["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"})
    }),
    ("an unsafe sysctl", |s| {
        s["securityContext"]["sysctls"] = json!([{"name": "kernel.shmmax", "value": "100000000"}])
    }),
    ("AppArmor unconfined", |s| {
        s["containers"][0]["securityContext"]["appArmorProfile"] = json!({"type": "Unconfined"})
    }),
    ("a Windows host process", |s| {
        s["hostNetwork"] = json!(true);
        s["securityContext"]["windowsOptions"] = json!({"hostProcess": true});
    }),
];

/// A pod spec that every level admits.
fn harmless() -> Value {
    json!({"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0"}]})
}

/// The kinds that carry a pod template, and where.
const WORKLOADS: &[(&str, &str)] = &[
    ("Deployment", "apps/v1"),
    ("ReplicaSet", "apps/v1"),
    ("StatefulSet", "apps/v1"),
    ("DaemonSet", "apps/v1"),
    ("Job", "batch/v1"),
    ("CronJob", "batch/v1"),
];

/// A manifest (JSON: the pipeline takes it as readily as YAML) of `kind` named `name`
/// running `spec`.
fn manifest(kind: &str, api_version: &str, name: &str, spec: Value) -> String {
    let labels = json!({"app": name});
    let template = json!({"metadata": {"labels": labels}, "spec": spec});
    let body = match kind {
        "Pod" => json!({"spec": spec}),
        "Job" => {
            json!({"spec": {"template": {"metadata": template["metadata"], "spec": with_restart(spec)}}})
        }
        "CronJob" => {
            json!({"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"metadata": template["metadata"], "spec": with_restart(spec)}}}}})
        }
        "StatefulSet" => {
            json!({"spec": {"serviceName": name, "selector": {"matchLabels": labels}, "template": template}})
        }
        _ => json!({"spec": {"selector": {"matchLabels": labels}, "template": template}}),
    };
    let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": "default"}});
    object["spec"] = body["spec"].clone();
    object.to_string()
}

fn with_restart(mut spec: Value) -> Value {
    spec["restartPolicy"] = json!("Never");
    spec
}

/// Every pod security attempt.
pub fn all() -> Vec<Attempt> {
    let mut attempts = Vec::new();
    for (i, (control, break_it)) in CONTROLS.iter().enumerate() {
        // Names of their own: an earlier attempt's objects may still be going away.
        let (escape, calm) = (format!("escape-{i}"), format!("calm-{i}"));
        let mut hostile = harmless();
        break_it(&mut hostile);
        attempts.push(Attempt {
            area: "pod security",
            what: format!("{control} in a Pod"),
            how: How::Apply(manifest("Pod", "v1", &escape, hostile.clone())),
        });
        for (kind, api_version) in WORKLOADS {
            attempts.push(Attempt {
                area: "pod security",
                what: format!("{control} in a {kind}"),
                how: How::Apply(manifest(kind, api_version, &escape, hostile.clone())),
            });
        }
        attempts.push(Attempt {
            area: "pod security",
            what: format!("{control} in a Pod, at update"),
            how: How::Update {
                harmless: manifest("Pod", "v1", &calm, harmless()),
                hostile: manifest("Pod", "v1", &calm, hostile.clone()),
            },
        });
        attempts.push(Attempt {
            area: "pod security",
            what: format!("{control} in a Deployment, at update"),
            how: How::Update {
                harmless: manifest("Deployment", "apps/v1", &calm, harmless()),
                hostile: manifest("Deployment", "apps/v1", &calm, hostile),
            },
        });
    }
    attempts
}
