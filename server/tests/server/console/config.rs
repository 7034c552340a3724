//! `kubectl config` in the console beside real kubectl 1.32 on a kubeconfig of the same
//! shape (one cluster and user, `kind-kubeclass`): the same lines print the same, and
//! the context's namespace is where the console's commands act without `-n`, kept for
//! the attendee.

use super::{KUBECTL, setup};
use std::process::Command;

/// The lessons' context commands, and the mistakes kubectl answers.
const LINES: &[&str] = &[
    "config get-contexts",
    "config current-context",
    "config set-context --current --namespace=server",
    "config get-contexts",
    "config set-context server --cluster=kind-kubeclass --user=kind-kubeclass --namespace=server",
    "config set-context database --cluster=kind-kubeclass --user=kind-kubeclass --namespace=database",
    "config use-context database",
    "config current-context",
    "config get-contexts -o name",
    "config get-contexts database --no-headers",
    "config get-contexts nope",
    "config use-context nope",
    "config set-context",
    "config set-context x --current",
    "config set-context server --namespace=web",
    "config use-context kind-kubeclass",
    "config get-contexts",
    "config view",
    "config view --minify",
    "config view --minify -o 'jsonpath={..namespace}'",
    "config view -o 'jsonpath={.contexts[*].name}'",
];

const KUBECONFIG: &str = "apiVersion: v1\nkind: Config\nclusters:\n- name: kind-kubeclass\n  cluster: {server: 'https://kubernetes.default.svc'}\nusers:\n- name: kind-kubeclass\n  user: {}\ncontexts:\n- name: kind-kubeclass\n  context: {cluster: kind-kubeclass, user: kind-kubeclass}\ncurrent-context: kind-kubeclass\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contexts_read_and_change_as_kubectls_do_and_set_the_namespace() {
    let setup = setup("config").await;
    let file = std::env::temp_dir().join(format!("kubeclass-config-{}", std::process::id()));
    std::fs::write(&file, KUBECONFIG).expect("kubeconfig");
    let mut differences = Vec::new();
    for line in LINES {
        let (ours, ours_code) = setup.console(&format!("kubectl {line}")).await;
        let output = Command::new(KUBECTL)
            .arg("--kubeconfig")
            .arg(&file)
            .args(line.split(' ').map(|a| a.replace('\'', "")))
            .output()
            .expect("kubectl runs");
        let theirs = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        let theirs_code = i64::from(output.status.code().unwrap_or(-1));
        if (ours.as_str(), ours_code) != (theirs.as_str(), theirs_code) {
            differences.push(format!(
                "kubectl {line}\n--- console (exit {ours_code}):\n{ours}--- kubectl 1.32 (exit {theirs_code}):\n{theirs}"
            ));
        }
    }
    let _ = std::fs::remove_file(&file);
    assert!(differences.is_empty(), "{}", differences.join("\n"));

    // The current context's namespace is where commands without -n act.
    let (made, code) = setup.console("kubectl create namespace database").await;
    assert_eq!(code, 0, "{made}");
    setup.console("kubectl config use-context database").await;
    assert_eq!(
        setup.console("kubectl get pods").await,
        ("No resources found in database namespace.\n".to_string(), 0)
    );
    setup
        .console("kubectl config set-context server --namespace=server")
        .await;
    setup.console("kubectl config use-context server").await;
    let (pods, code) = setup.console("kubectl get deploy").await;
    assert_eq!(code, 0);
    assert!(pods.contains("web "), "{pods}");
    // ... and -n still wins.
    assert_eq!(
        setup.console("kubectl get pods -n database").await,
        ("No resources found in database namespace.\n".to_string(), 0)
    );
    // A context's namespace is checked to be a name.
    let (refused, code) = setup
        .console("kubectl config set-context --current --namespace=../x")
        .await;
    assert_eq!(code, 1);
    assert!(refused.contains("is not a namespace name"), "{refused}");
    let (other, code) = setup
        .console("kubectl config set-context x --cluster=prod")
        .await;
    assert_eq!(code, 1);
    assert!(other.contains("one cluster"), "{other}");
}
