//! `kubectl edit` over the live stream beside real kubectl 1.32 run with an editor script
//! (`KUBE_EDITOR`): the console opens the file kubectl opens, a save changes what was
//! changed and says what kubectl says, and an edit that cannot be saved (the API server's
//! refusal, the workspace's policy) opens again with its errors at the top.

use super::super::stream::{Tab, connect};
use super::{Setup, setup};
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A script kubectl runs as its editor: `body` with the file as `$1`.
fn editor(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

impl Setup {
    /// Real kubectl's `edit` with `script` as its editor: what it printed and its code.
    async fn kubectl_edit(&self, args: &str, script: &Path) -> (String, i64) {
        let args: Vec<String> = args.split(' ').map(str::to_string).collect();
        let (mut command, path) = self.kubectl_command(&args);
        command.env("KUBE_EDITOR", script);
        let status = tokio::task::spawn_blocking(move || command.status())
            .await
            .expect("join")
            .expect("kubectl runs");
        let text = std::fs::read_to_string(&path).expect("kubectl's output");
        (text, i64::from(status.code().unwrap_or(-1)))
    }
}

/// The next `consoleEdit` of line `id`: its title and text.
async fn opened(tab: &mut Tab, id: u32) -> (String, String) {
    let message = tab
        .until(15, |m| m["type"] == "consoleEdit" && m["id"] == id)
        .await;
    let text = |key: &str| message[key].as_str().expect("text").to_string();
    (text("title"), text("text"))
}

/// What line `id` printed until it ended, and its exit code.
pub(super) async fn ended(tab: &mut Tab, id: u32) -> (String, i64) {
    let mut printed = String::new();
    loop {
        let message = tab
            .until(15, |m| {
                (m["type"] == "consoleOutput" || m["type"] == "consoleExit") && m["id"] == id
            })
            .await;
        if message["type"] == "consoleExit" {
            return (printed, message["exitCode"].as_i64().expect("code"));
        }
        printed.push_str(message["text"].as_str().expect("text"));
    }
}

async fn answer(tab: &mut Tab, id: u32, text: Value) {
    tab.send(json!({"type": "edited", "id": id, "text": text}))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_opens_what_kubectl_opens_and_saves_what_was_changed() {
    let setup = setup("edit").await;
    setup.until_web_runs().await;
    let dir = setup.files();
    let (mut tab, _) = connect(setup.serve().await, Some(&setup.cookie)).await;

    // The file kubectl opens, kept by an editor that changes nothing.
    let kept = dir.join("opened.yaml");
    let keep = editor(&dir, "keep.sh", &format!("cp \"$1\" {}", kept.display()));
    let (said, code) = setup
        .kubectl_edit("edit cm settings -n server", &keep)
        .await;
    assert_eq!(
        (said.as_str(), code),
        ("Edit cancelled, no changes made.\n", 0)
    );
    let kubectls = std::fs::read_to_string(&kept)
        .expect("kubectl's file")
        .replace(&setup.namespace, "server");

    tab.send(json!({"type": "console", "id": 1, "command": "kubectl edit cm settings -n server"}))
        .await;
    let (title, text) = opened(&mut tab, 1).await;
    assert_eq!(title, "configmap/settings");
    assert_eq!(text, kubectls, "the console opens the file kubectl opens");

    // Saved with a change: kubectl's word, and the change made.
    answer(&mut tab, 1, json!(text.replace("NAME: Ada", "NAME: Grace"))).await;
    assert_eq!(
        ended(&mut tab, 1).await,
        ("configmap/settings edited\n".into(), 0)
    );
    let name = "get cm settings -n server -o jsonpath={.data.NAME}";
    assert_eq!(setup.console(&format!("kubectl {name}")).await.0, "Grace");
    let rename = editor(
        &dir,
        "rename.sh",
        "sed -i 's/NAME: Grace/NAME: Linus/' \"$1\"",
    );
    assert_eq!(
        setup
            .kubectl_edit("edit cm settings -n server", &rename)
            .await,
        ("configmap/settings edited\n".into(), 0)
    );

    // Closed unsaved, or saved unchanged: nothing is done, as kubectl says.
    tab.send(json!({"type": "console", "id": 2, "command": "kubectl edit cm/settings -n server -o json"}))
        .await;
    let (_, json_text) = opened(&mut tab, 2).await;
    assert!(json_text.contains("\"NAME\": \"Linus\""), "{json_text}");
    answer(&mut tab, 2, Value::Null).await;
    assert_eq!(
        ended(&mut tab, 2).await,
        ("Edit cancelled, no changes made.\n".into(), 0)
    );

    // The API server refuses: the file opens again with its reason, as kubectl reopens it.
    tab.send(json!({"type": "console", "id": 3, "command": "kubectl edit deploy web -n server"}))
        .await;
    let (title, text) = opened(&mut tab, 3).await;
    assert_eq!(title, "deployment.apps/web");
    answer(
        &mut tab,
        3,
        json!(text.replace("replicas: 2", "replicas: -1")),
    )
    .await;
    let (_, again) = opened(&mut tab, 3).await;
    assert!(
        again.contains("# deployments.apps \"web\" was not valid:\n# * ")
            && again
                .contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        "{again}"
    );
    // The workspace's policy judges an edit as it judges an apply.
    let image = "image: kubeclass/demo-app:1.0";
    let line = again
        .lines()
        .find(|l| l.contains(image))
        .expect("the image line");
    let indent = &line[..line.len() - line.trim_start().len()];
    let privileged = again.replace("replicas: -1", "replicas: 2").replace(
        line,
        &format!("{line}\n{indent}securityContext:\n{indent}  privileged: true"),
    );
    answer(&mut tab, 3, json!(privileged)).await;
    let (_, refused) = opened(&mut tab, 3).await;
    assert!(refused.contains("privileged"), "{refused}");
    answer(&mut tab, 3, Value::Null).await;
    assert_eq!(ended(&mut tab, 3).await.1, 0);
    let (yaml, _) = setup
        .console("kubectl get deploy web -n server -o yaml")
        .await;
    assert!(!yaml.contains("privileged"), "{yaml}");

    // The HTTP API has no editor to open.
    let (refusal, code) = setup.console("kubectl edit cm settings -n server").await;
    assert_eq!(code, 1);
    assert!(refusal.contains("page's console"), "{refusal}");
}
