//! Properties of the pipeline's first stages over generated input: whatever text
//! arrives, parsing either yields documents within every budget or refuses with a
//! message, quickly, and never panics; and whatever a parsed document says, placing it
//! in a workspace never lands outside that workspace. (`make fuzz` runs the same two
//! stages under cargo-fuzz for longer.)

use app::model::kinds;
use proptest::prelude::*;
use server::kinds::api_resource;
use server::pipeline::parse::{Budgets, parse};
use server::pipeline::plan::place;
use server::workspace::Workspace;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Pieces of YAML an attacker (or a typo) strings together: structure, anchors and
/// aliases, document markers, plausible Kubernetes fields.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "apiVersion: v1\n",
        "kind: ConfigMap\n",
        "kind: Pod\n",
        "kind: Namespace\n",
        "kind: ClusterIssuer\napiVersion: cert-manager.io/v1\n",
        "kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\n",
        "metadata:\n",
        "  name: x\n",
        "  namespace: default\n",
        "  namespace: kube-system\n",
        "  labels: {kubeclass.dev/workspace: other}\n",
        "  finalizers: [a/b]\n",
        "spec:\n",
        "  externalIPs: [1.2.3.4]\n",
        "  type: ExternalName\n",
        "data:\n",
        "  k: v\n",
        "subjects: [{kind: Group, name: x}]\n",
        "&a ",
        "*a ",
        "a: &a [x, y]\n",
        "b: [*a, *a, *a]\n",
        "[",
        "]",
        "{",
        "}",
        ", ",
        ": ",
        "- ",
        "\n",
        "  ",
        "---\n",
        "...\n",
        "\"q\"",
        "'s'",
        "#c\n",
        "? ",
        "!!str ",
        "|\n  text\n",
        ">\n  folded\n",
        "123",
        "-1",
        "true",
        "~",
        "\t",
        "\\u0000",
    ])
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..120).prop_map(|pieces| pieces.concat())
}

/// A Kubernetes object of a registry kind, with what an attacker would try in it: other
/// namespaces, the platform's labels, finalizers, status, owners, bindings to others,
/// hosts.
fn object() -> impl Strategy<Value = serde_json::Value> {
    let kind = prop::sample::select(
        kinds::KINDS
            .iter()
            .map(|k| (k.api_version(), k.kind))
            .collect::<Vec<_>>(),
    );
    let namespace = prop::option::of(prop::sample::select(vec![
        "default",
        "kube-system",
        "kc-victim-default",
        "kubeclass",
        "",
    ]));
    let name = prop::sample::select(vec![
        "x",
        "workspace-quota",
        "kubeclass-tenant",
        "kc-victim-x",
        "selfsigned",
    ]);
    let extras = prop::collection::vec(
        prop::sample::select(vec![
            "labels",
            "finalizers",
            "status",
            "owners",
            "subjects",
            "hosts",
            "externalIPs",
            "volumeName",
        ]),
        0..4,
    );
    (kind, namespace, name, extras).prop_map(|((api_version, kind), namespace, name, extras)| {
        let mut object = serde_json::json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}});
        if let Some(ns) = namespace {
            object["metadata"]["namespace"] = serde_json::json!(ns);
        }
        for extra in extras {
            match extra {
                "labels" => object["metadata"]["labels"] = serde_json::json!({"kubeclass.dev/workspace": "victim"}),
                "finalizers" => object["metadata"]["finalizers"] = serde_json::json!(["x/y"]),
                "status" => object["status"] = serde_json::json!({"phase": "Running"}),
                "owners" => object["metadata"]["ownerReferences"] = serde_json::json!([{"kind": "Secret", "name": "canary", "uid": "u"}]),
                "subjects" => object["subjects"] = serde_json::json!([{"kind": "ServiceAccount", "name": "default", "namespace": "kc-victim-default"}]),
                "hosts" => object["spec"]["rules"] = serde_json::json!([{"host": "web.example.com.victim.localhost"}]),
                "externalIPs" => object["spec"]["externalIPs"] = serde_json::json!(["1.2.3.4"]),
                _ => object["spec"]["volumeName"] = serde_json::json!("pv-victim"),
            }
        }
        object
    })
}

/// Values and depth of a parsed value.
fn size(value: &serde_json::Value, depth: usize) -> (usize, usize) {
    match value {
        serde_json::Value::Array(items) => items.iter().fold((1, depth), |(n, d), v| {
            let (vn, vd) = size(v, depth + 1);
            (n + vn, d.max(vd))
        }),
        serde_json::Value::Object(map) => map.values().fold((1, depth), |(n, d), v| {
            let (vn, vd) = size(v, depth + 1);
            (n + vn, d.max(vd))
        }),
        _ => (1, depth),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_within_the_budgets_or_is_refused_quickly(text in text()) {
        let budgets = Budgets::default();
        let started = Instant::now();
        let parsed = parse(&text, &budgets);
        prop_assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        match parsed {
            Ok(documents) => {
                prop_assert!(documents.len() <= budgets.max_documents);
                let values: usize = documents.iter().map(|d| size(&d.value, 1).0).sum();
                prop_assert!(values <= budgets.max_nodes);
                for document in &documents {
                    prop_assert!(size(&document.value, 1).1 <= budgets.max_depth + 1);
                }
            }
            Err(refused) => prop_assert!(!refused.message.is_empty()),
        }
    }

    #[test]
    fn a_placed_document_never_leaves_its_workspace(objects in prop::collection::vec(object(), 1..8)) {
        let workspace = Workspace::new("attacker", "kc");
        let allowed: BTreeSet<String> = ["default".to_string()].into();
        let text: Vec<String> = objects.iter().map(|o| serde_yaml::to_string(o).unwrap_or_default()).collect();
        let documents = parse(&text.join("---\n"), &Budgets::default()).expect("generated manifests parse");
        prop_assert_eq!(documents.len(), objects.len());
        for document in documents {
            let Some(kind) = document.value["kind"].as_str().and_then(kinds::by_kind) else { continue };
            if let Ok(planned) = place(&workspace, &document, api_resource(kind), kind.namespaced(), &allowed) {
                match &planned.namespace {
                    Some(namespace) => prop_assert_eq!(namespace, "kc-attacker-default"),
                    None => prop_assert!(planned.name.starts_with("kc-attacker-"), "{}", planned.name),
                }
                let binding = matches!(planned.outcome.kind.as_str(), "RoleBinding" | "ClusterRoleBinding");
                for subject in planned.object["subjects"].as_array().into_iter().flatten().filter(|_| binding) {
                    prop_assert!(subject["namespace"].as_str().is_none_or(|n| n.starts_with("kc-attacker-")), "{subject}");
                }
                let ingress = planned.outcome.kind == "Ingress";
                for rule in planned.object["spec"]["rules"].as_array().into_iter().flatten().filter(|_| ingress) {
                    prop_assert!(rule["host"].as_str().is_none_or(|h| h.ends_with(".attacker.localhost")), "{rule}");
                }
                prop_assert!(planned.object["metadata"].get("ownerReferences").is_none());
                let kind = planned.outcome.kind.as_str();
                prop_assert!(kind != "Service" || planned.object["spec"].get("externalIPs").is_none());
                prop_assert!(kind != "PersistentVolumeClaim" || planned.object["spec"].get("volumeName").is_none());
                prop_assert_eq!(&planned.object["metadata"]["labels"]["kubeclass.dev/workspace"], "attacker");
                prop_assert!(planned.object.get("status").is_none());
                prop_assert!(planned.object["metadata"].get("finalizers").is_none());
            }
        }
    }
}
