//! RBAC's escalation prevention through real clients: a tenant with `admin` in its
//! namespace may write Roles and RoleBindings there, but never grant (or bind) more
//! than it holds — no wildcards, no `impersonate` of users, no `cluster-admin` for
//! `system:authenticated` — unless it may `escalate` or `bind`; the cluster admin is not
//! limited, and an impersonated request is judged as the impersonated user.

use crate::support::{api_error, create, tenant};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::api::{Api, Patch, PatchParams, PostParams};
use kubesim::Cluster;
use serde_json::{Value, json};

const TENANT: &str = "user \"system:serviceaccount:team-a:tenant\" (groups=[\"system:serviceaccounts\" \"system:serviceaccounts:team-a\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n";

fn role(name: &str, rules: Value) -> Role {
    serde_json::from_value(json!({"metadata": {"name": name}, "rules": rules})).expect("role")
}

fn binding(name: &str, kind: &str, role: &str, subject: Value) -> RoleBinding {
    serde_json::from_value(json!({"metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
        "subjects": [subject]}))
    .expect("binding")
}

fn everyone() -> Value {
    json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"})
}

async fn refused<K: std::fmt::Debug>(result: kube::Result<K>) -> kube::core::Status {
    api_error(result.expect_err("refused"))
}

#[tokio::test]
async fn a_tenant_grants_only_what_it_holds() {
    let cluster = Cluster::builder().seed(11).build().expect("cluster");
    let token = tenant(&cluster, "team-a", json!({})).await;
    let roles: Api<Role> = Api::namespaced(cluster.client_with_token(&token), "team-a");
    let pp = PostParams::default();
    roles
        .create(&pp, &role("reader", json!([{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}])))
        .await
        .expect("what admin holds");

    let e = refused(
        roles
            .create(
                &pp,
                &role(
                    "wild",
                    json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
                ),
            )
            .await,
    )
    .await;
    assert_eq!((e.code, e.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        e.message,
        format!(
            "roles.rbac.authorization.k8s.io \"wild\" is forbidden: {TENANT}{{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}}"
        )
    );
    let e = refused(
        roles
            .create(
                &pp,
                &role(
                    "imp",
                    json!([
        {"apiGroups": [""], "resources": ["users", "groups"], "verbs": ["impersonate"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "escalate"]}]),
                ),
            )
            .await,
    )
    .await;
    assert_eq!(
        e.message,
        format!(
            "roles.rbac.authorization.k8s.io \"imp\" is forbidden: {TENANT}{{APIGroups:[\"\"], Resources:[\"groups\"], Verbs:[\"impersonate\"]}}\n{{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"escalate\"]}}\n{{APIGroups:[\"\"], Resources:[\"users\"], Verbs:[\"impersonate\"]}}"
        )
    );

    // Updates are judged too, by patch and by apply.
    let e = refused(
        roles
            .patch(
                "reader",
                &PatchParams::default(),
                &Patch::Merge(
                    json!({"rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
                ),
            )
            .await,
    )
    .await;
    assert!(
        e.message
            .starts_with("roles.rbac.authorization.k8s.io \"reader\" is forbidden: user"),
        "{}",
        e.message
    );
    let e = refused(roles.patch("reader", &PatchParams::apply("tenant").force(), &Patch::Apply(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader"},
        "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]}))).await).await;
    assert_eq!(e.code, 403);

    // The cluster admin is not limited.
    Api::<Role>::namespaced(cluster.client(), "team-a")
        .create(
            &pp,
            &role(
                "wild",
                json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
            ),
        )
        .await
        .expect("system:masters");
}

#[tokio::test]
async fn a_tenant_binds_only_roles_whose_permissions_it_holds() {
    let cluster = Cluster::builder().seed(12).build().expect("cluster");
    let token = tenant(&cluster, "team-a", json!({})).await;
    let bindings: Api<RoleBinding> = Api::namespaced(cluster.client_with_token(&token), "team-a");
    let pp = PostParams::default();
    bindings
        .create(
            &pp,
            &binding(
                "viewers",
                "ClusterRole",
                "view",
                json!({"kind": "ServiceAccount", "name": "default", "namespace": "team-a"}),
            ),
        )
        .await
        .expect("view is held");
    let e = refused(
        bindings
            .create(
                &pp,
                &binding("everyone", "ClusterRole", "cluster-admin", everyone()),
            )
            .await,
    )
    .await;
    assert_eq!(
        e.message,
        format!(
            "rolebindings.rbac.authorization.k8s.io \"everyone\" is forbidden: {TENANT}{{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}}\n{{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}}"
        )
    );
    let e = refused(
        bindings
            .create(&pp, &binding("nope", "Role", "nope", everyone()))
            .await,
    )
    .await;
    assert_eq!(
        (e.code, e.message.as_str()),
        (404, "roles.rbac.authorization.k8s.io \"nope\" not found")
    );
    // A ClusterRoleBinding is not the tenant's to write at all.
    let cluster_bindings: Api<ClusterRoleBinding> = Api::all(cluster.client_with_token(&token));
    let e = refused(
        cluster_bindings
            .create(
                &pp,
                &serde_json::from_value(json!({"metadata": {"name": "everyone"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [everyone()]}))
                .expect("crb"),
            )
            .await,
    )
    .await;
    assert_eq!(e.code, 403);

    // `bind` on a role lets the tenant bind it without holding it.
    let admin = cluster.client();
    create(
        &Api::<ClusterRole>::all(admin.clone()),
        json!({"metadata": {"name": "node-reader"},
        "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]}),
    )
    .await;
    let e = refused(
        bindings
            .create(
                &pp,
                &binding("nodes", "ClusterRole", "node-reader", everyone()),
            )
            .await,
    )
    .await;
    assert!(
        e.message
            .ends_with("{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\" \"list\"]}"),
        "{}",
        e.message
    );
    create(&Api::<Role>::namespaced(admin.clone(), "team-a"), json!({"metadata": {"name": "binder"},
        "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["node-reader"]}]})).await;
    create(
        &Api::<RoleBinding>::namespaced(admin, "team-a"),
        json!({"metadata": {"name": "binder"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "binder"},
        "subjects": [{"kind": "ServiceAccount", "name": "tenant", "namespace": "team-a"}]}),
    )
    .await;
    bindings
        .create(
            &pp,
            &binding("nodes", "ClusterRole", "node-reader", everyone()),
        )
        .await
        .expect("bind allows it");
    let e = refused(
        bindings
            .create(
                &pp,
                &binding("everyone", "ClusterRole", "cluster-admin", everyone()),
            )
            .await,
    )
    .await;
    assert_eq!(e.code, 403, "bind names one role");
}

#[tokio::test]
async fn escalate_and_aggregation_and_impersonation() {
    let cluster = Cluster::builder().seed(13).build().expect("cluster");
    let token = tenant(&cluster, "team-a", json!({})).await;
    let admin = cluster.client();
    let pp = PostParams::default();
    // `escalate` on roles lets the tenant write any Role.
    create(&Api::<Role>::namespaced(admin.clone(), "team-a"), json!({"metadata": {"name": "escalator"},
        "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["escalate"]}]})).await;
    create(
        &Api::<RoleBinding>::namespaced(admin.clone(), "team-a"),
        json!({"metadata": {"name": "escalator"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "escalator"},
        "subjects": [{"kind": "ServiceAccount", "name": "tenant", "namespace": "team-a"}]}),
    )
    .await;
    Api::<Role>::namespaced(cluster.client_with_token(&token), "team-a")
        .create(
            &pp,
            &role(
                "wild",
                json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
            ),
        )
        .await
        .expect("escalate allows it");

    // Writing ClusterRoles, even empty ones, does not allow aggregating what others hold.
    create(&Api::<ClusterRole>::all(admin.clone()), json!({"metadata": {"name": "role-writer"},
        "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["create", "update", "patch"]}]})).await;
    create(&Api::<ClusterRoleBinding>::all(admin.clone()), json!({"metadata": {"name": "role-writer"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "role-writer"},
        "subjects": [{"kind": "ServiceAccount", "name": "tenant", "namespace": "team-a"}]})).await;
    let cluster_roles: Api<ClusterRole> = Api::all(cluster.client_with_token(&token));
    let e = refused(cluster_roles.create(&pp, &serde_json::from_value(json!({"metadata": {"name": "sneaky"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}}]},
        "rules": []})).expect("role")).await).await;
    assert_eq!(
        e.message,
        "clusterroles.rbac.authorization.k8s.io \"sneaky\" is forbidden: must have cluster-admin privileges to use the aggregationRule"
    );

    // The admin impersonating the tenant is held to the tenant's rights.
    let headers = [
        ("authorization", format!("Bearer {}", cluster.admin_token())),
        (
            "impersonate-user",
            "system:serviceaccount:team-a:tenant".to_string(),
        ),
    ];
    let service = tower::ServiceBuilder::new()
        .map_request(
            move |mut request: axum::http::Request<kube::client::Body>| {
                for (name, value) in &headers {
                    request
                        .headers_mut()
                        .insert(*name, value.parse().expect("header"));
                }
                request
            },
        )
        .service(cluster.router());
    let impersonating: Api<RoleBinding> =
        Api::namespaced(kube::Client::new(service, "team-a"), "team-a");
    let e = refused(
        impersonating
            .create(
                &pp,
                &binding("everyone", "ClusterRole", "cluster-admin", everyone()),
            )
            .await,
    )
    .await;
    assert!(e.message.contains(TENANT), "{}", e.message);
}
