//! Authentication, impersonation and RBAC, through real clients: what a workshop relies on
//! to keep each attendee inside their own namespaces.

use crate::support::api_error;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authentication::v1::TokenRequest;
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{Api, ListParams, PostParams};
use kubesim::Cluster;
use serde_json::json;

async fn create<K>(api: &Api<K>, value: serde_json::Value)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    api.create(
        &PostParams::default(),
        &serde_json::from_value(value).expect("object"),
    )
    .await
    .expect("create");
}

/// Namespace `server`, ServiceAccount `go-http-app` allowed to read services there.
async fn workshop(cluster: &Cluster) -> String {
    let admin = cluster.client();
    create(
        &Api::<Namespace>::all(admin.clone()),
        json!({"metadata": {"name": "server"}}),
    )
    .await;
    create(
        &Api::<ServiceAccount>::namespaced(admin.clone(), "server"),
        json!({"metadata": {"name": "go-http-app"}}),
    )
    .await;
    create(&Api::<Role>::namespaced(admin.clone(), "server"), json!({
        "metadata": {"name": "service-reader"},
        "rules": [{"apiGroups": [""], "resources": ["services"], "verbs": ["get", "list", "watch"]}]
    })).await;
    create(&Api::<RoleBinding>::namespaced(admin.clone(), "server"), json!({
        "metadata": {"name": "go-http-app-reads-services"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "service-reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "go-http-app", "namespace": "server"}]
    })).await;
    let accounts: Api<ServiceAccount> = Api::namespaced(admin, "server");
    let request: TokenRequest =
        serde_json::from_value(json!({"spec": {"audiences": []}})).expect("request");
    let issued = accounts
        .create_token_request("go-http-app", &PostParams::default(), &request)
        .await
        .expect("token");
    issued.status.expect("status").token.expect("token")
}

#[tokio::test]
async fn unknown_tokens_are_unauthorized() {
    let cluster = Cluster::builder().build().expect("cluster");
    let pods: Api<Pod> = Api::default_namespaced(cluster.client_with_token("not-a-token"));
    let e = api_error(pods.list(&ListParams::default()).await.expect_err("401"));
    assert_eq!(
        (e.code, e.reason.as_str(), e.message.as_str()),
        (401, "Unauthorized", "Unauthorized")
    );
}

#[tokio::test]
async fn a_service_account_gets_exactly_what_its_role_allows() {
    let cluster = Cluster::builder().seed(5).build().expect("cluster");
    let token = workshop(&cluster).await;
    let client = cluster.client_with_token(&token);
    let services: Api<Service> = Api::namespaced(client.clone(), "server");
    assert!(
        services.list(&ListParams::default()).await.is_ok(),
        "services are allowed"
    );
    let pods: Api<Pod> = Api::namespaced(client.clone(), "server");
    let e = api_error(
        pods.list(&ListParams::default())
            .await
            .expect_err("pods are not"),
    );
    assert_eq!((e.code, e.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        e.message,
        "pods is forbidden: User \"system:serviceaccount:server:go-http-app\" cannot list resource \"pods\" in API group \"\" in the namespace \"server\""
    );
    // Another namespace: nothing.
    let elsewhere: Api<Service> = Api::namespaced(client.clone(), "default");
    assert_eq!(
        api_error(
            elsewhere
                .list(&ListParams::default())
                .await
                .expect_err("403")
        )
        .code,
        403
    );

    // can-i, as kubectl asks it.
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client);
    for (resource, expected) in [("services", true), ("pods", false)] {
        let review: SelfSubjectAccessReview = serde_json::from_value(json!({
            "spec": {"resourceAttributes": {"namespace": "server", "verb": "list", "resource": resource}}
        }))
        .expect("review");
        let answer = reviews
            .create(&PostParams::default(), &review)
            .await
            .expect("review");
        assert_eq!(
            answer.status.map(|s| s.allowed),
            Some(expected),
            "{resource}"
        );
    }
}

#[tokio::test]
async fn impersonation_takes_on_the_identity_and_needs_permission() {
    let cluster = Cluster::builder().seed(6).build().expect("cluster");
    let token = workshop(&cluster).await;
    let as_user = |bearer: &str, user: &str| {
        let headers = [
            (
                axum::http::header::AUTHORIZATION,
                format!("Bearer {bearer}"),
            ),
            (
                axum::http::HeaderName::from_static("impersonate-user"),
                user.to_string(),
            ),
        ];
        let service = tower::ServiceBuilder::new()
            .map_request(
                move |mut request: axum::http::Request<kube::client::Body>| {
                    for (name, value) in &headers {
                        request
                            .headers_mut()
                            .insert(name.clone(), value.parse().expect("header"));
                    }
                    request
                },
            )
            .service(cluster.router());
        kube::Client::new(service, "server")
    };
    // The admin impersonating the ServiceAccount is held to the ServiceAccount's rights.
    let client = as_user(
        cluster.admin_token(),
        "system:serviceaccount:server:go-http-app",
    );
    assert!(
        Api::<Service>::namespaced(client.clone(), "server")
            .list(&ListParams::default())
            .await
            .is_ok()
    );
    let e = api_error(
        Api::<Deployment>::namespaced(client, "server")
            .list(&ListParams::default())
            .await
            .expect_err("403"),
    );
    assert!(
        e.message.starts_with(
            "deployments.apps is forbidden: User \"system:serviceaccount:server:go-http-app\""
        ),
        "{}",
        e.message
    );
    // The ServiceAccount itself may not impersonate anyone.
    let client = as_user(&token, "kubernetes-admin");
    let e = api_error(
        Api::<Pod>::namespaced(client, "server")
            .list(&ListParams::default())
            .await
            .expect_err("403"),
    );
    assert_eq!(
        e.message,
        "users \"kubernetes-admin\" is forbidden: User \"system:serviceaccount:server:go-http-app\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
    );
}

#[tokio::test]
async fn the_aggregated_edit_role_allows_workloads_but_not_rbac() {
    let cluster = Cluster::builder().seed(7).build().expect("cluster");
    let token = workshop(&cluster).await;
    create(&Api::<RoleBinding>::namespaced(cluster.client(), "server"), json!({
        "metadata": {"name": "tenant-edit"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"kind": "ServiceAccount", "name": "go-http-app", "namespace": "server"}]
    })).await;
    let client = cluster.client_with_token(&token);
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "server");
    deployments
        .create(&PostParams::default(), &serde_json::from_value(json!({
            "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "nginx"}]}}}
        })).expect("deployment"))
        .await
        .expect("edit allows deployments");
    let roles: Api<Role> = Api::namespaced(client, "server");
    let e = api_error(
        roles
            .create(
                &PostParams::default(),
                &serde_json::from_value(json!({"metadata": {"name": "x"}, "rules": []}))
                    .expect("role"),
            )
            .await
            .expect_err("403"),
    );
    assert_eq!(e.code, 403, "edit does not include RBAC objects");
}

/// The aggregation controller writes what `view`, `edit` and `admin` aggregate into their
/// `rules`, so they show what they grant, and a role labelled for `view` reaches `admin`
/// through `edit`; unlabelling it takes its rules out again.
#[tokio::test]
async fn aggregated_roles_hold_the_rules_they_aggregate() {
    use k8s_openapi::api::rbac::v1::ClusterRole;
    let cluster = Cluster::builder().seed(7).build().expect("cluster");
    let roles: Api<ClusterRole> = Api::all(cluster.client());
    let rules_of =
        |role: ClusterRole| serde_json::to_value(role.rules.unwrap_or_default()).expect("rules");
    let widgets = json!({"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "list", "watch"]});
    let settle = || tokio::time::sleep(std::time::Duration::from_millis(200));

    settle().await;
    let view = rules_of(roles.get("view").await.expect("view"));
    assert!(
        view.as_array()
            .is_some_and(|r| r.iter().any(|rule| rule["resources"]
                .as_array()
                .is_some_and(|res| res.contains(&json!("pods"))))),
        "view holds system:aggregate-to-view's rules: {view}"
    );
    let admin = rules_of(roles.get("admin").await.expect("admin"));
    for rule in view.as_array().expect("rules") {
        assert!(
            admin.as_array().expect("rules").contains(rule),
            "admin has view's {rule}"
        );
    }

    create(&roles, json!({
        "metadata": {"name": "widget-viewer", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
        "rules": [widgets.clone()]
    })).await;
    settle().await;
    for name in ["view", "edit", "admin"] {
        let rules = rules_of(roles.get(name).await.expect("role"));
        assert!(
            rules.as_array().expect("rules").contains(&widgets),
            "{name}: {rules}"
        );
    }

    roles
        .patch(
            "widget-viewer",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(json!({"metadata": {"labels": {"rbac.authorization.k8s.io/aggregate-to-view": null}}})),
        )
        .await
        .expect("unlabel");
    settle().await;
    for name in ["view", "edit", "admin"] {
        let rules = rules_of(roles.get(name).await.expect("role"));
        assert!(
            !rules.as_array().expect("rules").contains(&widgets),
            "{name}: {rules}"
        );
    }
}
