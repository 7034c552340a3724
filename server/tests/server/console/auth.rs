//! `kubectl auth can-i --as=system:serviceaccount:NS:NAME` in the console: kubeclass asks
//! about the workspace's own accounts (lesson 13 checks its app's account this way), lists
//! their rules as kubectl does (asking as the account), and refuses every other identity.

use super::{KUBECTL, Setup, setup};
use std::process::Command;

/// An account's rules listed by the console and by kubectl as the administrator
/// impersonating that account (kubectl sends the review as protobuf, which only the real
/// API server reads); where they differ.
pub(crate) async fn compare_account_rules(setup: &Setup) -> Vec<String> {
    setup.apply(ROLE).await;
    let line = "auth can-i --list -n server --as=system:serviceaccount:server:reader";
    let console = setup.console(&format!("kubectl {line}")).await;
    let args: Vec<String> = line
        .split(' ')
        .map(|a| a.replace("server", &setup.namespace))
        .collect();
    let kubeconfig = setup.kubeconfig.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(KUBECTL)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(args)
            .output()
    })
    .await
    .expect("join")
    .expect("kubectl runs");
    let text = String::from_utf8_lossy(&output.stdout).replace(&setup.namespace, "server")
        + &String::from_utf8_lossy(&output.stderr);
    let kubectl = (text, i64::from(output.status.code().unwrap_or(-1)));
    if console == kubectl {
        Vec::new()
    } else {
        vec![format!(
            "kubectl {line}\n--- console:\n{}\n--- kubectl:\n{}",
            console.0, kubectl.0
        )]
    }
}

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
            "kubectl get pods -n server --as=system:serviceaccount:server:reader",
            "does not take --as",
        ),
    ] {
        let (output, code) = setup.console(line).await;
        assert_eq!(code, 1, "{line}: {output}");
        assert!(output.contains(expected), "{line}: {output}");
    }

    // An account's rules: what its Role gives it, and what every account may do.
    let (rules, code) = setup
        .console(&format!("kubectl auth can-i --list -n server {sa}"))
        .await;
    assert_eq!(code, 0, "{rules}");
    let services = rules.lines().find(|l| l.starts_with("services "));
    assert!(
        services.is_some_and(|l| l.ends_with("[get list]")),
        "{rules}"
    );
    assert!(!rules.lines().any(|l| l.starts_with("pods ")), "{rules}");
    assert!(
        rules.contains("selfsubjectreviews.authentication.k8s.io"),
        "{rules}"
    );

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
