//! `kubectl exec -i POD -- sh` in the page's console: the shell reads what the attendee
//! types, compared with real kubectl 1.32 given the same lines on its stdin; with `-t`,
//! a terminal's session (the image's prompt, the typed line echoed). And `kubectl attach`:
//! what the container prints from then on, beside kubectl attached to it.

use super::super::stream::connect;
use super::edit::ended;
use super::follow::Following;
use super::setup;
use serde_json::json;
use std::io::Write;
use std::process::Stdio;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_reads_what_is_typed_as_it_reads_kubectls_stdin() {
    let setup = setup("shell").await;
    setup.until_web_runs().await;
    let (names, _) = setup.console("kubectl get pods -n server -o name").await;
    let pod = names.lines().next().expect("a pod").to_string();
    let typed = [
        "echo hello $HOSTNAME",
        "ls /app",
        "printenv APP_NOPE || echo unset",
        "cat /nope && echo never",
        "exit 3",
    ];

    let args: Vec<String> = ["exec", "-i", &pod, "-n", "server", "--", "sh"]
        .map(str::to_string)
        .to_vec();
    let (mut command, path) = setup.kubectl_command(&args);
    let mut child = command.stdin(Stdio::piped()).spawn().expect("kubectl runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(format!("{}\n", typed.join("\n")).as_bytes())
        .expect("typed");
    drop(stdin);
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("kubectl ends");
    let kubectls = std::fs::read_to_string(&path)
        .expect("kubectl's output")
        .replace(&setup.namespace, "server");
    assert_eq!(status.code(), Some(3), "{kubectls}");

    let (mut tab, _) = connect(setup.serve().await, Some(&setup.cookie)).await;
    let line = format!("kubectl exec -i {pod} -n server -- sh");
    tab.send(json!({"type": "console", "id": 1, "command": line}))
        .await;
    for text in typed {
        tab.send(json!({"type": "stdin", "id": 1, "text": format!("{text}\n")}))
            .await;
    }
    assert_eq!(ended(&mut tab, 1).await, (kubectls, 3));

    // With a terminal: the image's prompt, and what is typed echoed back.
    let line = format!("kubectl exec -it {pod} -n server -- sh");
    tab.send(json!({"type": "console", "id": 2, "command": line}))
        .await;
    for text in ["echo hi", "exit"] {
        tab.send(json!({"type": "stdin", "id": 2, "text": format!("{text}\n")}))
            .await;
    }
    assert_eq!(
        ended(&mut tab, 2).await,
        ("$ echo hi\nhi\n$ exit\n".into(), 0)
    );

    // `sh -c` runs a script: statements, `&&`, the environment, the exit status.
    let script = "echo $HOSTNAME && false && echo never; echo after; exit 4";
    let args: Vec<String> = ["exec", &pod, "-n", "server", "--", "sh", "-c", script]
        .map(str::to_string)
        .to_vec();
    let line = format!("kubectl exec {pod} -n server -- sh -c '{script}'");
    assert_eq!(setup.console(&line).await, setup.kubectl(&args).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_prints_what_the_container_prints_from_then_on_as_kubectl_does() {
    let setup = setup("attach").await;
    setup.until_web_runs().await;
    let (names, _) = setup.console("kubectl get pods -n server -o name").await;
    let pod = names.lines().next().expect("a pod").to_string();
    let line = format!("attach {pod} -n server");
    let kubectl = Following::start(&setup, &line);
    let (mut tab, _) = connect(setup.serve().await, Some(&setup.cookie)).await;
    tab.send(json!({"type": "console", "id": 1, "command": format!("kubectl {line}")}))
        .await;
    // Both attached, the app answers one request: its access log line reaches both.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let forward = format!("kubectl port-forward -n server {pod} 8000:8000");
    assert_eq!(setup.console(&forward).await.1, 0);
    let (hello, _) = setup
        .console("curl -s http://localhost:8000/configmap")
        .await;
    assert!(hello.contains("no file"), "{hello}");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    tab.send(json!({"type": "interrupt", "id": 1})).await;
    let (printed, code) = ended(&mut tab, 1).await;
    let theirs = kubectl.stop();
    assert_eq!(code, 130, "{printed}");
    assert!(printed.contains("\"GET /configmap\" 404"), "{printed}");
    assert_eq!(printed, theirs);

    for args in [
        "attach",
        "attach -n server nope",
        &format!("attach {pod} -n server -c nope"),
    ] {
        let args: Vec<String> = args.split(' ').map(str::to_string).collect();
        let line = format!("kubectl {}", args.join(" "));
        assert_eq!(
            setup.console(&line).await,
            setup.kubectl(&args).await,
            "{line}"
        );
    }
}
