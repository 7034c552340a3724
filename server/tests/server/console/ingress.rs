//! `curl` to the workspace's Ingress hosts, as the lessons run it on kind: `localhost`
//! ports 80 and 443, the host in `-H 'Host: …'` or `--resolve`. Compared with the
//! machine's curl sent straight to the ingress controller with the workspace's name for
//! the host, and kept to the workspace: another attendee's curl of the same host gets
//! nginx's 404.

use super::Setup;
use super::curl::{real_curl, run};

/// The lessons' Ingresses: a plain host, and one with TLS from a self-signed issuer.
const INGRESSES: &str = "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: selfsigned}\nspec: {selfSigned: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: server}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: web.example.com\n    http: {paths: [{path: /, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}]}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: secure, namespace: server, annotations: {cert-manager.io/cluster-issuer: selfsigned}}\nspec:\n  ingressClassName: nginx\n  tls: [{hosts: [secure.example.com], secretName: secure-tls}]\n  rules:\n  - host: secure.example.com\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}\n";

impl Setup {
    /// The workspace's name for an Ingress host.
    fn served_host(&self, host: &str) -> String {
        let id = self.group.trim_start_matches("kubeclass:workspace:");
        format!("{host}.{id}.localhost")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_reaches_the_workspaces_ingress_hosts_as_on_kind() {
    let setup = super::setup("ingress").await;
    setup.until_web_runs().await;
    setup.apply(INGRESSES).await;

    // The app behind the host, once its Secret is issued (HTTPS needs it).
    setup
        .until_console_shows(
            "kubectl get secret secure-tls -n server",
            "kubernetes.io/tls",
        )
        .await;
    assert_eq!(
        run(&setup, "curl -H 'Host: web.example.com' http://localhost/").await,
        ("Hello, I'm unknown.\n".to_string(), 0)
    );
    let (head, code) = run(
        &setup,
        "curl -i -H 'Host: web.example.com' http://localhost/",
    )
    .await;
    assert_eq!(code, 0);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");

    // Each line against the machine's curl sent to the controller with the served host.
    let entrance = setup
        .ingress
        .expect("the embedded cluster's ingress controller");
    let http = entrance.http.port().to_string();
    let https = entrance.https.port().to_string();
    let web = setup.served_host("web.example.com");
    let secure = setup.served_host("secure.example.com");
    let cases: Vec<(&str, Vec<String>)> = vec![
        // Exact `/` routes nothing else; an unknown host gets nginx's own page.
        (
            "curl -s -H 'Host: web.example.com' http://localhost/healthz",
            vec![
                "-s".into(),
                "-H".into(),
                format!("Host: {web}"),
                format!("http://127.0.0.1:{http}/healthz"),
            ],
        ),
        (
            "curl -s -H 'Host: other.example.com' http://localhost/",
            vec![
                "-s".into(),
                "-H".into(),
                format!("Host: {}", setup.served_host("other.example.com")),
                format!("http://127.0.0.1:{http}/"),
            ],
        ),
        (
            "curl -sS -f -H 'Host: other.example.com' http://localhost/",
            vec![
                "-sS".into(),
                "-f".into(),
                "-H".into(),
                format!("Host: {}", setup.served_host("other.example.com")),
                format!("http://127.0.0.1:{http}/"),
            ],
        ),
        // HTTPS with the issued certificate: -k takes it, curl alone refuses it.
        (
            "curl -sk --resolve secure.example.com:443:127.0.0.1 https://secure.example.com/",
            vec![
                "-sk".into(),
                "--resolve".into(),
                format!("{secure}:{https}:127.0.0.1"),
                format!("https://{secure}:{https}/"),
            ],
        ),
        (
            "curl -sS --resolve secure.example.com:443:127.0.0.1 https://secure.example.com/",
            vec![
                "-sS".into(),
                "--resolve".into(),
                format!("{secure}:{https}:127.0.0.1"),
                format!("https://{secure}:{https}/"),
            ],
        ),
        // Plain HTTP to a host with TLS: nginx's redirect.
        (
            "curl -s --resolve secure.example.com:80:127.0.0.1 http://secure.example.com/configmap",
            vec![
                "-s".into(),
                "--resolve".into(),
                format!("{secure}:{http}:127.0.0.1"),
                format!("http://{secure}:{http}/configmap"),
            ],
        ),
    ];
    for (line, args) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (expected, code) = real_curl(&args);
        assert_eq!(run(&setup, line).await, (expected, code), "{line}");
    }

    // The redirect names the host as the attendee wrote it.
    let (redirect, _) = run(
        &setup,
        "curl -sI --resolve secure.example.com:80:127.0.0.1 http://secure.example.com/x",
    )
    .await;
    assert!(
        redirect.starts_with("HTTP/1.1 308 Permanent Redirect\r\n"),
        "{redirect}"
    );
    assert!(
        redirect.contains("\r\nLocation: https://secure.example.com/x\r\n"),
        "{redirect}"
    );

    // A Host that is no host name reaches nothing (nginx would read what follows a `:`
    // as a port, and route by what comes before it).
    let (refused, code) = run(
        &setup,
        "curl -s -H 'Host: web.example.com.other.localhost:x' http://localhost/",
    )
    .await;
    assert_eq!(code, 1);
    assert!(refused.contains("host name"), "{refused}");

    // Another attendee's curl of the same host, or of the first one's full name, reaches
    // its own workspace's names: nginx has no rule for them.
    let stranger = super::new_attendee(&setup.router).await;
    for host in ["web.example.com".to_string(), web.clone()] {
        let line = format!("curl -s -H 'Host: {host}' http://localhost/");
        let body = serde_json::json!({ "command": line }).to_string();
        let (status, _, answer) =
            super::send(&setup.router, super::console_request(&stranger, body)).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer.contains("404 Not Found"), "{line}: {answer}");
    }
}
