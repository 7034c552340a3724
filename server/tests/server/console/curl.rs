//! `kubectl port-forward` and `curl` in the console: a forward kept for the console's
//! curl, which reaches the pod through the API server as the attendee; a NodePort on
//! localhost; and curl's own words where nothing answers, compared with the machine's
//! curl.

use super::{Setup, setup};
use std::process::Command;

/// The machine's curl with `args`: what it printed (stdout and stderr) and its exit code.
pub(super) fn real_curl(args: &[&str]) -> (String, i32) {
    let output = Command::new("curl").args(args).output().expect("curl runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (instant(&text), output.status.code().unwrap_or(-1))
}

/// curl's `after N ms` as `after 0 ms`, as the console says it: how long a refused
/// connection took is the machine's timing (1 ms under load), not what curl answers.
fn instant(text: &str) -> String {
    match text.split_once(" after ") {
        Some((before, rest)) => match rest.split_once(" ms:") {
            Some((ms, after)) if ms.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{before} after 0 ms:{after}")
            }
            _ => text.to_string(),
        },
        None => text.to_string(),
    }
}

pub(super) async fn run(setup: &Setup, line: &str) -> (String, i32) {
    let (output, code) = setup.console(line).await;
    (output, i32::try_from(code).expect("exit code"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_reaches_a_forwarded_port_and_a_node_port_and_fails_as_curl_does() {
    let setup = setup("curl").await;
    setup.until_web_runs().await;

    let (forwarding, code) = run(&setup, "kubectl port-forward -n server svc/web 8000:80").await;
    assert_eq!(code, 0, "{forwarding}");
    assert!(
        forwarding.starts_with(
            "Forwarding from 127.0.0.1:8000 -> 8000\nForwarding from [::1]:8000 -> 8000\n"
        ),
        "{forwarding}"
    );
    assert_eq!(
        run(&setup, "curl http://localhost:8000/").await,
        ("Hello, I'm unknown.\n".to_string(), 0)
    );
    let (headers, code) = run(&setup, "curl -i localhost:8000/").await;
    assert_eq!(code, 0);
    assert!(headers.starts_with("HTTP/1.1 200 OK\r\n"), "{headers}");
    assert!(headers.contains("\r\nContent-Type: "), "{headers}");
    assert!(
        !headers.to_ascii_lowercase().contains("audit-id"),
        "{headers}"
    );
    assert_eq!(
        run(&setup, "curl -sS -f http://127.0.0.1:8000/nope").await,
        (
            "curl: (22) The requested URL returned error: 404\n".to_string(),
            22
        )
    );
    assert_eq!(
        run(&setup, "curl http://localhost:8000/nope").await,
        ("404 page not found\n".to_string(), 0)
    );

    // A NodePort answers on localhost, as kind's port mapping makes it answer.
    setup
        .apply("apiVersion: v1\nkind: Service\nmetadata: {name: web-node, namespace: server}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8000, nodePort: 30080}]}\n")
        .await;
    assert_eq!(
        run(&setup, "curl -s http://localhost:30080/").await,
        ("Hello, I'm unknown.\n".to_string(), 0)
    );

    // Where nothing answers, curl's own words (the machine's curl, asked the same).
    // (Port 1: a port freed by another listener could be taken meanwhile by a test
    // running beside this one.)
    let closed = 1;
    for args in [
        vec!["-sS".to_string(), format!("http://localhost:{closed}/")],
        vec!["-s".to_string(), format!("http://localhost:{closed}/")],
        vec!["-sS".into(), "http://go-http-app.invalid/".into()],
        vec!["--bogus".into(), "http://localhost/".into()],
        vec!["-sS".into(), "nope://localhost/".into()],
        vec![],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let line = format!("curl {}", args.join(" "));
        assert_eq!(run(&setup, line.trim()).await, real_curl(&args), "{line}");
    }

    // A forward is the workspace's own: another attendee's curl does not reach it.
    let stranger = super::new_attendee(&setup.router).await;
    let body = serde_json::json!({"command": "curl -sS http://localhost:8000/"}).to_string();
    let (status, _, answer) =
        super::send(&setup.router, super::console_request(&stranger, body)).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer.contains("curl: (7) Failed to connect to localhost port 8000 after 0 ms"),
        "{answer}"
    );

    // The forwarded pod goes (a rollout replaces it): the forward fails as kubectl's would.
    run(&setup, "kubectl rollout restart deploy/web -n server").await;
    run(
        &setup,
        "kubectl delete pods -l app=web -n server --wait=false",
    )
    .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (answer, code) = run(&setup, "curl -sS http://localhost:8000/").await;
        if code == 7 {
            assert!(answer.contains("Couldn't connect to server"), "{answer}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still answered: {answer}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    // What the console does not offer reads clearly.
    let (usage, code) = run(&setup, "kubectl port-forward -n server svc/web").await;
    assert_eq!(code, 1);
    assert!(
        usage.contains("TYPE/NAME and list of ports are required"),
        "{usage}"
    );
    let (wrong, _) = run(&setup, "kubectl port-forward -n server svc/web 8000:81").await;
    assert_eq!(
        wrong,
        "error: Service web does not have a service port 81\n"
    );
}
