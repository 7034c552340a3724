//! `apply -f PANE` and `delete -f PANE`: a lesson pane's text (sent with the line, as the
//! page sends it) through the apply pipeline, printed as kubectl prints the same file's
//! apply; and what the console refuses or leaves undone.

use super::{Setup, setup};
use serde_json::json;

/// A pane of two objects; NAME is each side's name.
const PANE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME, namespace: server}\ndata: {a: b}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: NAME, namespace: server}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: NAME}}\n  template:\n    metadata: {labels: {app: NAME}}\n    spec: {containers: [{name: app, image: 'kubeclass/demo-app:1.0'}]}\n";

/// The pane's text then the line run on it, in order: created, unchanged, configured,
/// a server dry run, `-o name`, deleted, and a file that is not there.
fn lines() -> Vec<(String, &'static str)> {
    let changed = PANE.replace("a: b", "a: c");
    let again = PANE.replace("a: b", "a: d");
    vec![
        (PANE.into(), "apply -f pane.yaml"),
        (PANE.into(), "apply -f pane.yaml"),
        (changed, "apply --filename=pane.yaml"),
        (again.clone(), "apply -f pane.yaml --dry-run=server"),
        (again.clone(), "apply -f pane.yaml -o name"),
        (again, "delete -f pane.yaml"),
        (PANE.into(), "apply -f missing.yaml"),
    ]
}

/// Each of [`lines`] run by the console on `left`'s pane and by kubectl 1.32 on the same
/// file naming `right`; where they differ.
pub(crate) async fn compare_panes(setup: &Setup) -> Vec<String> {
    let mut differences = Vec::new();
    for (text, line) in lines() {
        let files = json!({ "pane.yaml": text.replace("NAME", "left") });
        let (ours, ours_code) = setup.console_with(&format!("kubectl {line}"), files).await;
        let file = text.replace("NAME", "right").replace(
            "namespace: server",
            &format!("namespace: {}", setup.namespace),
        );
        std::fs::write(setup.files().join("pane.yaml"), file).expect("pane file");
        let args: Vec<String> = line.split(' ').map(str::to_string).collect();
        let (theirs, theirs_code) = setup.kubectl(&args).await;
        let theirs = theirs.replace("right", "left");
        if ours != theirs || ours_code != theirs_code {
            differences.push(format!(
                "kubectl {line}\n--- console (exit {ours_code}):\n{ours}--- kubectl 1.32 (exit {theirs_code}):\n{theirs}"
            ));
        }
    }
    differences
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pane_applies_and_deletes_as_kubectl_applies_and_deletes_its_file() {
    let setup = setup("apply").await;
    let differences = compare_panes(&setup).await;
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pane_is_applied_whole_or_not_at_all_in_the_namespace_asked_for() {
    let setup = setup("apply-whole").await;
    // The second document names a namespace outside the workspace: nothing is applied.
    let torn = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept-out, namespace: server}\ndata: {a: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: stray, namespace: kube-system}\ndata: {a: b}\n";
    let (output, code) = setup
        .console_with("kubectl apply -f torn.yaml", json!({ "torn.yaml": torn }))
        .await;
    assert_eq!(code, 1, "{output}");
    assert!(
        output
            .starts_with("error: torn.yaml:6: namespace \"kube-system\" is not in your workspace"),
        "{output}"
    );
    assert!(
        output.ends_with(
            "error: nothing in torn.yaml was done: a pane is taken whole or not at all\n"
        ),
        "{output}"
    );
    let (output, code) = setup.console("kubectl get cm kept-out -n server").await;
    assert_eq!(code, 1, "{output}");

    // Documents without a namespace go where -n (or the context) says, as with kubectl.
    let plain = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: placed}\ndata: {a: b}\n";
    let (output, code) = setup
        .console_with(
            "kubectl apply -f plain.yaml -n server",
            json!({ "plain.yaml": plain }),
        )
        .await;
    assert_eq!((output.as_str(), code), ("configmap/placed created\n", 0));
    let (output, code) = setup
        .console("kubectl get cm placed -n server -o name")
        .await;
    assert_eq!((output.as_str(), code), ("configmap/placed\n", 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_applies_panes_by_name_and_reads_no_files() {
    let setup = setup("apply-refusals").await;
    for (line, said) in [
        ("kubectl apply", "error: must specify one of -f and -k\n"),
        (
            "kubectl apply -f /etc/passwd",
            "error: the console reads the lesson's panes by name (-f deployment.yaml), not \"/etc/passwd\"\n",
        ),
        (
            "kubectl apply -f https://example.com/x.yaml",
            "error: the console reads the lesson's panes by name (-f deployment.yaml), not \"https://example.com/x.yaml\"\n",
        ),
        (
            "kubectl delete -f - ",
            "error: the console reads the lesson's panes by name (-f deployment.yaml), not \"-\"\n",
        ),
        (
            "kubectl apply -f web.yaml extra",
            "error: Unexpected args: [extra]\nSee 'kubectl apply -h' for help and examples\n",
        ),
        (
            "kubectl delete deployment web -f web.yaml",
            "error: the console deletes either the objects a pane describes (-f PANE) or objects by TYPE and name, not both\n",
        ),
    ] {
        let (output, code) = setup.console(line).await;
        assert_eq!((output.as_str(), code), (said, 1), "{line}");
    }
}
