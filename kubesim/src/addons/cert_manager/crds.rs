//! cert-manager's CustomResourceDefinitions, installed in every cluster as the trainer's
//! kind setup installs cert-manager: the kinds, short names, categories and printer
//! columns of cert-manager v1.16. Specs and statuses keep unknown fields (the real
//! schemas are thousands of lines); the fields the controller needs are required.

use serde_json::{Value, json};

/// cert-manager's API group.
pub const GROUP: &str = "cert-manager.io";

fn ready_columns(extra: Vec<Value>) -> Vec<Value> {
    let mut columns = vec![
        json!({"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"}),
    ];
    columns.extend(extra);
    columns.push(json!({"name": "Status", "type": "string", "priority": 1, "jsonPath": ".status.conditions[?(@.type==\"Ready\")].message"}));
    columns.push(json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp", "description": "CreationTimestamp is a timestamp representing the server time when this object was created."}));
    columns
}

fn crd(
    group: &str,
    plural: &str,
    kind: &str,
    short: &[&str],
    namespaced: bool,
    required: &[&str],
    columns: Vec<Value>,
) -> Value {
    let singular = kind.to_lowercase();
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{group}"), "labels": {"app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/version": "v1.16.2"}},
        "spec": {
            "group": group,
            "names": {"plural": plural, "singular": singular, "kind": kind, "listKind": format!("{kind}List"),
                "shortNames": short, "categories": ["cert-manager"]},
            "scope": if namespaced { "Namespaced" } else { "Cluster" },
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "subresources": {"status": {}},
                "additionalPrinterColumns": columns,
                "schema": {"openAPIV3Schema": {"type": "object", "required": ["spec"], "properties": {
                    "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                    "spec": {"type": "object", "required": required, "x-kubernetes-preserve-unknown-fields": true},
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                }}},
            }],
        },
    })
}

/// The CustomResourceDefinitions cert-manager installs.
pub fn all() -> Vec<Value> {
    let issuer_name = json!({"name": "Issuer", "type": "string", "priority": 1, "jsonPath": ".spec.issuerRef.name"});
    vec![
        crd(
            GROUP,
            "certificates",
            "Certificate",
            &["cert", "certs"],
            true,
            &["issuerRef", "secretName"],
            ready_columns(vec![
                json!({"name": "Secret", "type": "string", "jsonPath": ".spec.secretName"}),
                issuer_name.clone(),
            ]),
        ),
        crd(
            GROUP,
            "certificaterequests",
            "CertificateRequest",
            &["cr", "crs"],
            true,
            &["issuerRef", "request"],
            vec![
                json!({"name": "Approved", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Approved\")].status"}),
                json!({"name": "Denied", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Denied\")].status"}),
                json!({"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"}),
                json!({"name": "Issuer", "type": "string", "jsonPath": ".spec.issuerRef.name"}),
                json!({"name": "Requester", "type": "string", "jsonPath": ".spec.username"}),
                json!({"name": "Status", "type": "string", "priority": 1, "jsonPath": ".status.conditions[?(@.type==\"Ready\")].message"}),
                json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}),
            ],
        ),
        crd(
            GROUP,
            "issuers",
            "Issuer",
            &[],
            true,
            &[],
            ready_columns(vec![]),
        ),
        crd(
            GROUP,
            "clusterissuers",
            "ClusterIssuer",
            &[],
            false,
            &[],
            ready_columns(vec![]),
        ),
        crd(
            "acme.cert-manager.io",
            "orders",
            "Order",
            &[],
            true,
            &["issuerRef", "request"],
            vec![
                json!({"name": "State", "type": "string", "jsonPath": ".status.state"}),
                json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}),
            ],
        ),
        crd(
            "acme.cert-manager.io",
            "challenges",
            "Challenge",
            &[],
            true,
            &[],
            vec![
                json!({"name": "State", "type": "string", "jsonPath": ".status.state"}),
                json!({"name": "Domain", "type": "string", "jsonPath": ".spec.dnsName"}),
                json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}),
            ],
        ),
    ]
}
