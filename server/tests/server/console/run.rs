//! `kubectl run` with `--rm -it` in the console, as the lessons run one-off clients in the
//! cluster: the pod runs its command on kubesim's workload models, the console prints
//! what it wrote and deletes it, with the container's exit code.

use super::setup;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_off_pod_runs_prints_and_goes() {
    let setup = setup("run").await;
    setup.until_web_runs().await;
    let (answer, code) = setup
        .console("kubectl run curl -n server --rm -it --restart=Never --image=curlimages/curl -- curl -s http://web/")
        .await;
    assert_eq!(
        (answer.as_str(), code),
        ("Hello, I'm unknown.\npod \"curl\" deleted\n", 0)
    );
    let (gone, code) = setup.console("kubectl get pod curl -n server").await;
    assert_eq!(code, 1, "{gone}");

    let (failed, code) = setup
        .console("kubectl run fails -n server --rm -i --restart=Never --image=busybox -- sh -c 'echo bye; exit 3'")
        .await;
    assert_eq!(code, 3, "{failed}");
    assert_eq!(
        failed,
        "bye\npod \"fails\" deleted\npod server/fails terminated (Error)\n"
    );

    // Without --rm the pod stays, and kubectl says it was created.
    assert_eq!(
        setup
            .console("kubectl run kept -n server --image=busybox --restart=Never -- echo kept")
            .await,
        ("pod/kept created\n".to_string(), 0)
    );
    assert_eq!(
        setup
            .console("kubectl run kept -n server --image=busybox")
            .await,
        (
            "Error from server (AlreadyExists): pods \"kept\" already exists\n".to_string(),
            1
        )
    );
    // An interactive shell needs a terminal the console does not have.
    let (shell, code) = setup
        .console("kubectl run shell -n server --rm -it --image=busybox")
        .await;
    assert_eq!(code, 1);
    assert!(
        shell.contains("no terminal for an interactive shell"),
        "{shell}"
    );
}
