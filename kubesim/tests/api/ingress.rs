//! Ingresses through the API: the ingress controller's routing and status, cert-manager's
//! issuers signing the certificates its shim asks for, and the garbage collector taking
//! an Ingress's Certificate and requests with it.

use crate::support::send;
use crate::workloads::{advance, cluster};
use kube::api::Api;
use kubesim::Cluster;
use serde_json::{Value, json};

#[tokio::test(start_paused = true)]
async fn ingresses_route_and_cert_manager_issues_their_certificates() {
    use kube::api::DynamicObject;
    use kube::discovery::ApiResource;
    let cluster = cluster();
    let client = cluster.client();
    let apply = |cluster: &Cluster, path: &'static str, body: Value| {
        let cluster = cluster.clone();
        async move {
            let (code, answer) = send(
                &cluster,
                "POST",
                path,
                "application/json",
                serde_json::to_vec(&body).expect("json"),
            )
            .await;
            assert_eq!(code.as_u16(), 201, "{answer}");
        }
    };
    apply(&cluster, "/apis/apps/v1/namespaces/default/deployments", json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "app"}},
        "template": {"metadata": {"labels": {"app": "app"}}, "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0",
            "env": [{"name": "NAME", "value": "Ada"}]}]}}}})).await;
    apply(&cluster, "/api/v1/namespaces/default/services", json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "app"},
        "spec": {"selector": {"app": "app"}, "ports": [{"name": "http", "port": 80, "targetPort": 8000}]}})).await;
    apply(
        &cluster,
        "/apis/cert-manager.io/v1/clusterissuers",
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}}),
    )
    .await;
    apply(&cluster, "/apis/cert-manager.io/v1/clusterissuers", json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "letsencrypt"}, "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory",
            "email": "a@example.com", "privateKeySecretRef": {"name": "le"}, "solvers": [{"http01": {"ingress": {"ingressClassName": "nginx"}}}]}}})).await;
    apply(&cluster, "/apis/networking.k8s.io/v1/namespaces/default/ingresses", json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "app", "annotations": {"cert-manager.io/cluster-issuer": "selfsigned"}},
        "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["app.example.com"], "secretName": "app-tls"}],
            "rules": [{"host": "app.example.com", "http": {"paths": [
                {"path": "/", "pathType": "Exact", "backend": {"service": {"name": "app", "port": {"number": 80}}}},
                {"path": "/secret", "pathType": "Prefix", "backend": {"service": {"name": "app", "port": {"name": "http"}}}}]}}]}})).await;
    advance(10).await;

    let ingress = send(
        &cluster,
        "GET",
        "/apis/networking.k8s.io/v1/namespaces/default/ingresses/app",
        "",
        vec![],
    )
    .await
    .1;
    assert_eq!(
        ingress["status"]["loadBalancer"]["ingress"][0]["hostname"],
        "localhost"
    );
    assert_eq!(
        cluster.ingress_get("app.example.com", "/"),
        (200, "Hello, I'm Ada.\n".to_string())
    );
    assert_eq!(cluster.ingress_get("app.example.com", "/secret").0, 200);
    assert_eq!(
        cluster.ingress_get("app.example.com", "/other").0,
        404,
        "Exact / does not match /other"
    );
    assert_eq!(cluster.ingress_get("elsewhere.example.com", "/").0, 404);

    let certificates = ApiResource {
        group: "cert-manager.io".into(),
        version: "v1".into(),
        api_version: "cert-manager.io/v1".into(),
        kind: "Certificate".into(),
        plural: "certificates".into(),
    };
    let certs: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &certificates);
    let cert = certs
        .get("app-tls")
        .await
        .expect("the ingress-shim made a Certificate");
    let ready = cert.data["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .cloned();
    assert_eq!(
        ready.map(|c| c["status"].clone()),
        Some(json!("True")),
        "{:?}",
        cert.data
    );
    let secret = send(
        &cluster,
        "GET",
        "/api/v1/namespaces/default/secrets/app-tls",
        "",
        vec![],
    )
    .await
    .1;
    assert_eq!(secret["type"], "kubernetes.io/tls");
    use base64::Engine;
    let pem = base64::engine::general_purpose::STANDARD
        .decode(secret["data"]["tls.crt"].as_str().expect("crt"))
        .expect("b64");
    assert!(String::from_utf8_lossy(&pem).starts_with("-----BEGIN CERTIFICATE-----"));

    let issuers = ApiResource {
        group: "cert-manager.io".into(),
        version: "v1".into(),
        api_version: "cert-manager.io/v1".into(),
        kind: "ClusterIssuer".into(),
        plural: "clusterissuers".into(),
    };
    let acme = Api::<DynamicObject>::all_with(client.clone(), &issuers)
        .get("letsencrypt")
        .await
        .expect("issuer");
    let condition = &acme.data["status"]["conditions"][0];
    assert_eq!(
        (condition["status"].as_str(), condition["reason"].as_str()),
        (Some("False"), Some("ErrRegisterACMEAccount"))
    );

    // A CA of our own: a self-signed CA certificate, then a CA ClusterIssuer signing with it.
    apply(&cluster, "/apis/cert-manager.io/v1/namespaces/cert-manager/certificates", json!({"apiVersion": "cert-manager.io/v1",
        "kind": "Certificate", "metadata": {"name": "root"}, "spec": {"isCA": true, "commonName": "kubeclass-ca",
            "secretName": "root-ca", "issuerRef": {"kind": "ClusterIssuer", "name": "selfsigned"}}})).await;
    apply(
        &cluster,
        "/apis/cert-manager.io/v1/clusterissuers",
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "ca"}, "spec": {"ca": {"secretName": "root-ca"}}}),
    )
    .await;
    apply(&cluster, "/apis/cert-manager.io/v1/namespaces/default/certificates", json!({"apiVersion": "cert-manager.io/v1",
        "kind": "Certificate", "metadata": {"name": "signed"}, "spec": {"dnsNames": ["signed.example.com"],
            "secretName": "signed-tls", "issuerRef": {"kind": "ClusterIssuer", "name": "ca"}}})).await;
    advance(2).await;
    let signed = certs.get("signed").await.expect("certificate");
    assert_eq!(
        signed.data["status"]["conditions"][0]["status"], "True",
        "{:?}",
        signed.data
    );
    let secret = send(
        &cluster,
        "GET",
        "/api/v1/namespaces/default/secrets/signed-tls",
        "",
        vec![],
    )
    .await
    .1;
    let root = send(
        &cluster,
        "GET",
        "/api/v1/namespaces/cert-manager/secrets/root-ca",
        "",
        vec![],
    )
    .await
    .1;
    assert_eq!(
        secret["data"]["ca.crt"], root["data"]["tls.crt"],
        "signed by our CA"
    );

    // The Ingress owns the Certificate the shim made, which owns its requests: deleting
    // the Ingress collects both, as the real garbage collector does; the Secret stays
    // (cert-manager does not own it by default).
    let requests = "/apis/cert-manager.io/v1/namespaces/default/certificaterequests";
    let (_, before) = send(&cluster, "GET", requests, "", vec![]).await;
    assert!(
        before["items"]
            .as_array()
            .is_some_and(|items| !items.is_empty()),
        "{before}"
    );
    let (code, _) = send(
        &cluster,
        "DELETE",
        "/apis/networking.k8s.io/v1/namespaces/default/ingresses/app",
        "",
        vec![],
    )
    .await;
    assert_eq!(code.as_u16(), 200);
    advance(2).await;
    assert!(certs.get_opt("app-tls").await.expect("get").is_none());
    let (_, after) = send(&cluster, "GET", requests, "", vec![]).await;
    let left: Vec<&Value> = after["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("app-tls"))
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let (code, _) = send(
        &cluster,
        "GET",
        "/api/v1/namespaces/default/secrets/app-tls",
        "",
        vec![],
    )
    .await;
    assert_eq!(code.as_u16(), 200);
}
