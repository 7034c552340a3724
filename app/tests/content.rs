//! Every lesson in `content/` loads, renders, and every manifest in it is a valid
//! Kubernetes object: each document is decoded into its typed k8s-openapi struct (or a
//! strict model of cert-manager's types), and any field the type does not know fails the
//! test with the file, pane and field path.

use app::content::{Lesson, Library};
use serde::de::DeserializeOwned;
use std::path::Path;

fn library() -> Library {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let (library, errors) = Library::load(&dir);
    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "content errors:\n{}", errors.join("\n"));
    library
}

#[test]
fn the_fundamentals_course_has_all_thirteen_modules_in_order() {
    let library = library();
    let course = library
        .courses
        .iter()
        .find(|c| c.slug == "fundamentals")
        .expect("fundamentals course");
    let orders: Vec<u32> = course.lessons.iter().map(|l| l.front.order).collect();
    assert_eq!(orders, (1..=13).collect::<Vec<_>>());
    for lesson in &course.lessons {
        let name = lesson.path.display();
        assert!(
            lesson.steps.len() >= 2,
            "{name}: a lesson builds its concept over several steps"
        );
        assert!(
            lesson.steps.iter().all(|s| !s.html.trim().is_empty()),
            "{name}: a step has no prose"
        );
        assert!(
            lesson.steps.iter().any(|s| !s.checks.is_empty()),
            "{name}: no checks"
        );
        if lesson.front.order > 1 {
            assert!(!lesson.panes.is_empty(), "{name}: no manifest panes");
        }
    }
}

#[test]
fn every_lesson_page_renders_with_neighbours() {
    let library = library();
    for course in &library.courses {
        for (i, lesson) in course.lessons.iter().enumerate() {
            let page = library.page(&course.slug, &lesson.slug).expect("page");
            assert_eq!(page.previous.is_some(), i > 0);
            assert_eq!(page.next.is_some(), i + 1 < course.lessons.len());
            assert!(!page.steps.is_empty());
        }
    }
}

#[test]
fn no_lesson_repeats_the_originals_known_defects() {
    for lesson in library().courses.iter().flat_map(|c| &c.lessons) {
        for pane in &lesson.panes {
            for (_, text) in &pane.versions {
                let at = format!("{} pane {}", lesson.path.display(), pane.name);
                assert!(!text.contains("k8s.gcr.io"), "{at}: use registry.k8s.io");
                assert!(
                    !text.contains("kubernetes.io/ingress.class"),
                    "{at}: use spec.ingressClassName"
                );
                assert!(
                    !text.contains("cert-manager.io/issuer:") || !text.contains("ClusterIssuer"),
                    "{at}"
                );
            }
        }
    }
}

#[test]
fn every_manifest_decodes_into_its_typed_kubernetes_object() {
    let mut failures = Vec::new();
    for lesson in library().courses.iter().flat_map(|c| &c.lessons) {
        for pane in &lesson.panes {
            for (step, text) in &pane.versions {
                for (n, doc) in documents(text).into_iter().enumerate() {
                    if let Err(e) = decode(&doc) {
                        failures.push(format!(
                            "{} pane {} step {} document {}: {e}",
                            where_(lesson),
                            pane.name,
                            step + 1,
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "invalid manifests:\n{}",
        failures.join("\n")
    );
}

fn where_(lesson: &Lesson) -> String {
    lesson.path.display().to_string()
}

fn documents(text: &str) -> Vec<serde_yaml::Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde_yaml::Value::deserialize(d).expect("the loader already parsed it"))
        .filter(|v| !v.is_null())
        .collect()
}

/// Decodes into `T`, failing on any field `T` does not have.
fn strict<T: DeserializeOwned>(doc: &serde_yaml::Value) -> Result<(), String> {
    let mut unknown = Vec::new();
    let json = serde_json::to_value(doc).map_err(|e| e.to_string())?;
    let _: T = serde_ignored::deserialize(json, |path| {
        unknown.push(path.to_string().replace(".?", ""))
    })
    .map_err(|e| e.to_string())?;
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!("unknown fields: {}", unknown.join(", ")))
    }
}

fn decode(doc: &serde_yaml::Value) -> Result<(), String> {
    use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy, rbac, storage};
    let api_version = doc
        .get("apiVersion")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let kind = doc.get("kind").and_then(|v| v.as_str()).unwrap_or_default();
    match (api_version, kind) {
        ("v1", "Pod") => strict::<core::v1::Pod>(doc),
        ("v1", "Service") => strict::<core::v1::Service>(doc),
        ("v1", "ConfigMap") => strict::<core::v1::ConfigMap>(doc),
        ("v1", "Secret") => strict::<core::v1::Secret>(doc),
        ("v1", "ServiceAccount") => strict::<core::v1::ServiceAccount>(doc),
        ("v1", "PersistentVolumeClaim") => strict::<core::v1::PersistentVolumeClaim>(doc),
        ("v1", "Namespace") => strict::<core::v1::Namespace>(doc),
        ("v1", "ResourceQuota") => strict::<core::v1::ResourceQuota>(doc),
        ("v1", "LimitRange") => strict::<core::v1::LimitRange>(doc),
        ("apps/v1", "Deployment") => strict::<apps::v1::Deployment>(doc),
        ("apps/v1", "ReplicaSet") => strict::<apps::v1::ReplicaSet>(doc),
        ("apps/v1", "StatefulSet") => strict::<apps::v1::StatefulSet>(doc),
        ("apps/v1", "DaemonSet") => strict::<apps::v1::DaemonSet>(doc),
        ("batch/v1", "Job") => strict::<batch::v1::Job>(doc),
        ("batch/v1", "CronJob") => strict::<batch::v1::CronJob>(doc),
        ("autoscaling/v2", "HorizontalPodAutoscaler") => {
            strict::<autoscaling::v2::HorizontalPodAutoscaler>(doc)
        }
        ("autoscaling/v1", "HorizontalPodAutoscaler") => {
            strict::<autoscaling::v1::HorizontalPodAutoscaler>(doc)
        }
        ("networking.k8s.io/v1", "Ingress") => strict::<networking::v1::Ingress>(doc),
        ("networking.k8s.io/v1", "NetworkPolicy") => strict::<networking::v1::NetworkPolicy>(doc),
        ("rbac.authorization.k8s.io/v1", "Role") => strict::<rbac::v1::Role>(doc),
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => strict::<rbac::v1::RoleBinding>(doc),
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => strict::<rbac::v1::ClusterRole>(doc),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => {
            strict::<rbac::v1::ClusterRoleBinding>(doc)
        }
        ("storage.k8s.io/v1", "StorageClass") => strict::<storage::v1::StorageClass>(doc),
        ("discovery.k8s.io/v1", "EndpointSlice") => {
            strict::<k8s_openapi::api::discovery::v1::EndpointSlice>(doc)
        }
        ("policy/v1", "PodDisruptionBudget") => strict::<policy::v1::PodDisruptionBudget>(doc),
        ("cert-manager.io/v1", "ClusterIssuer" | "Issuer") => strict::<cert_manager::Issuer>(doc),
        ("cert-manager.io/v1", "Certificate") => strict::<cert_manager::Certificate>(doc),
        _ => Err(format!(
            "no typed model for {api_version} {kind}: add one to this test"
        )),
    }
}

/// cert-manager's v1 types, as far as lessons use them, with every field spelt as the
/// CRDs spell it (k8s-openapi has no cert-manager types).
#[allow(dead_code)] // the fields exist to be checked, not read
mod cert_manager {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use serde::Deserialize;
    use serde_json::Value;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Issuer {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: IssuerSpec,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct IssuerSpec {
        pub self_signed: Option<SelfSigned>,
        pub ca: Option<Ca>,
        pub acme: Option<Acme>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SelfSigned {
        pub crl_distribution_points: Option<Vec<String>>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Ca {
        pub secret_name: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Acme {
        pub server: String,
        pub email: Option<String>,
        pub private_key_secret_ref: SecretRef,
        pub solvers: Option<Vec<Solver>>,
        pub skip_tls_verify: Option<bool>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SecretRef {
        pub name: String,
        pub key: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Solver {
        pub http01: Option<Http01>,
        pub selector: Option<Value>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Http01 {
        pub ingress: Http01Ingress,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Http01Ingress {
        pub ingress_class_name: Option<String>,
        pub class: Option<String>,
        pub service_type: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Certificate {
        pub api_version: String,
        pub kind: String,
        pub metadata: ObjectMeta,
        pub spec: CertificateSpec,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CertificateSpec {
        pub secret_name: String,
        pub issuer_ref: IssuerRef,
        pub dns_names: Option<Vec<String>>,
        pub common_name: Option<String>,
        pub duration: Option<String>,
        pub renew_before: Option<String>,
        pub is_ca: Option<bool>,
        pub usages: Option<Vec<String>>,
        pub private_key: Option<PrivateKey>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct IssuerRef {
        pub name: String,
        pub kind: Option<String>,
        pub group: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct PrivateKey {
        pub algorithm: Option<String>,
        pub size: Option<u32>,
        pub rotation_policy: Option<String>,
    }
}

#[test]
fn a_misspelt_field_is_caught() {
    let doc: serde_yaml::Value = serde_yaml::from_str(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  replica: 2\n  selector: {matchLabels: {app: a}}\n  template: {metadata: {labels: {app: a}}, spec: {containers: [{name: a, image: x, containerport: 80}]}}\n",
    )
    .expect("yaml");
    assert_eq!(
        decode(&doc),
        Err("unknown fields: spec.replica, spec.template.spec.containers.0.containerport".into())
    );
}
