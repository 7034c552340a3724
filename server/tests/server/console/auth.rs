//! `kubectl auth can-i --as=system:serviceaccount:NS:NAME` in the console: kubeclass asks
//! about the workspace's own accounts (lesson 13 checks its app's account this way), and
//! refuses every other identity.

use super::setup;

const ROLE: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: reader, namespace: server}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: service-reader, namespace: server}\nrules: [{apiGroups: [''], resources: [services], verbs: [get, list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: reader-reads-services, namespace: server}\nsubjects: [{kind: ServiceAccount, name: reader, namespace: server}]\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: service-reader}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn can_i_answers_for_the_workspaces_accounts_and_no_one_else() {
    let setup = setup("auth").await;
    setup.apply(ROLE).await;
    let sa = "--as=system:serviceaccount:server:reader";
    assert_eq!(
        setup
            .console(&format!("kubectl auth can-i list services -n server {sa}"))
            .await,
        ("yes\n".to_string(), 0)
    );
    assert_eq!(
        setup
            .console(&format!("kubectl auth can-i list pods -n server {sa}"))
            .await,
        ("no\n".to_string(), 1)
    );
    // The attendee's own answer differs: they may list pods.
    assert_eq!(
        setup
            .console("kubectl auth can-i list pods -n server")
            .await,
        ("yes\n".to_string(), 0)
    );
    for (line, expected) in [
        (
            "kubectl auth can-i list pods -n server --as=system:admin",
            "not --as=system:admin",
        ),
        (
            "kubectl auth can-i list pods -n server --as=system:serviceaccount:../x:y",
            "is not a namespace name",
        ),
        (
            "kubectl auth can-i --list -n server --as=system:serviceaccount:server:reader",
            "one question at a time",
        ),
        (
            "kubectl get pods -n server --as=system:serviceaccount:server:reader",
            "does not take --as",
        ),
    ] {
        let (output, code) = setup.console(line).await;
        assert_eq!(code, 1, "{line}: {output}");
        assert!(output.contains(expected), "{line}: {output}");
    }

    // The attendee's own rules, listed as kubectl lists them (compared with kubectl on
    // the real API server, to which kubectl sends this review as protobuf).
    let (output, code) = setup.console("kubectl auth can-i --list -n server").await;
    assert_eq!(code, 0, "{output}");
    assert!(
        output.starts_with("Resources ") && output.contains("Non-Resource URLs"),
        "{output}"
    );
    assert!(
        output
            .lines()
            .any(|l| l.starts_with("deployments.apps ") && l.contains("create")),
        "{output}"
    );
}
