//! The live stream over a real websocket: a tab watching a lesson gets a snapshot, the
//! changes an apply causes, the step's checks ticking, pod logs on request, a fresh
//! snapshot when it reconnects; the shared watches stop when no tab is left.

use app::content::Library;
use futures::{SinkExt, StreamExt};
use leptos::prelude::LeptosOptions;
use serde_json::{Value, json};
use server::workshop::Workshop;
use server::{AppState, router};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn serve() -> (std::net::SocketAddr, AppState, Library) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
    let (library, _) = Library::load(&dir);
    let (copy, _) = Library::load(&dir);
    let options = LeptosOptions::builder().output_name("kubeclass").build();
    let workshop = Workshop::open(":memory:", "kc", Duration::from_secs(3600), false)
        .await
        .expect("database");
    let cluster = kubesim::Cluster::builder()
        .seed(6)
        .build()
        .expect("cluster");
    let state = AppState::new(options, library, dir, cluster.client(), workshop);
    let app = router(state.clone(), Duration::from_secs(30));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _keep = cluster;
        axum::serve(listener, app).await
    });
    (addr, state, copy)
}

async fn connect(addr: std::net::SocketAddr, cookie: Option<&str>) -> (Tab, String) {
    let mut request = format!("ws://{addr}/api/stream")
        .into_client_request()
        .expect("request");
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("cookie"));
    }
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket");
    let set = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::to_string);
    let tab = Tab {
        socket,
        unread: Vec::new(),
    };
    (
        tab,
        set.or(cookie.map(str::to_string))
            .expect("a session cookie"),
    )
}

async fn post(addr: std::net::SocketAddr, cookie: &str, path: &str, body: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

async fn get(addr: std::net::SocketAddr, cookie: &str, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

/// A tab: its socket and the messages it received but no assertion has used yet (the
/// changes of different watches arrive in no fixed order).
struct Tab {
    socket: Socket,
    unread: Vec<Value>,
}

impl Tab {
    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// The first message, received before or within `seconds`, that satisfies `wanted`.
    async fn until(&mut self, seconds: u64, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.unread.iter().position(&wanted) {
            return self.unread.remove(i);
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            let Ok(next) = tokio::time::timeout_at(deadline, self.socket.next()).await else {
                let seen: Vec<String> = self
                    .unread
                    .iter()
                    .map(|m| {
                        format!(
                            "{} {} {}",
                            m["type"], m["object"]["kind"], m["event"]["reason"]
                        )
                    })
                    .collect();
                panic!(
                    "no awaited message within {seconds}s; unread: {}",
                    seen.join(" | ")
                );
            };
            let Some(Ok(Message::Text(text))) = next else {
                continue;
            };
            let value: Value = serde_json::from_str(&text).expect("json");
            assert_eq!(value["v"], 1);
            // Every frame reads as the shared message type the lesson page decodes.
            serde_json::from_value::<app::model::live::Envelope>(value.clone())
                .unwrap_or_else(|e| panic!("{e}: {value}"));
            if wanted(&value) {
                return value;
            }
            self.unread.push(value);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_sees_its_workspace_come_alive() {
    let (addr, state, library) = serve().await;
    let (mut tab, cookie) = connect(addr, None).await;
    let watch = json!({"type": "watch", "lesson": "fundamentals/deployments", "step": 0});
    tab.send(watch.clone()).await;
    let snapshot = tab.until(10, |m| m["type"] == "snapshot").await;
    assert_eq!(snapshot["objects"], json!([]));
    let first = tab.until(10, |m| m["type"] == "checks").await;
    assert!(
        first["results"]
            .as_array()
            .is_some_and(|r| r.iter().all(|c| c["passed"] == false)),
        "{first}"
    );

    // The lesson's own manifest for step 1, applied through the API.
    let lesson = library
        .lesson("fundamentals", "deployments")
        .expect("lesson");
    let text = lesson
        .panes
        .iter()
        .find_map(|p| p.at_step(0))
        .expect("pane");
    let answer = post(
        addr,
        &cookie,
        "/api/workspace/apply?lesson=fundamentals/deployments",
        text,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let change = tab
        .until(10, |m| {
            m["type"] == "change" && m["object"]["kind"] == "Deployment"
        })
        .await;
    assert_eq!(
        (
            change["object"]["namespace"].as_str(),
            change["object"]["name"].as_str()
        ),
        (Some("server"), Some("go-http-app"))
    );
    let pod = tab
        .until(10, |m| {
            m["type"] == "change" && m["object"]["kind"] == "Pod"
        })
        .await;
    assert_eq!(pod["object"]["owners"][0]["kind"], "ReplicaSet");
    tab.until(10, |m| {
        m["type"] == "event" && m["event"]["reason"] == "Scheduled"
    })
    .await;
    let ticked = tab
        .until(30, |m| {
            m["type"] == "checks"
                && m["results"]
                    .as_array()
                    .is_some_and(|r| r.iter().all(|c| c["passed"] == true))
        })
        .await;
    assert_eq!(ticked["step"], 0);
    // The passed step is recorded as the attendee's progress.
    let answer = get(addr, &cookie, "/api/progress").await;
    assert!(
        answer.contains(r#"{"lessons":{"fundamentals/deployments":[0]}}"#),
        "{answer}"
    );

    // Logs of one of the pods.
    let name = pod["object"]["name"]
        .as_str()
        .expect("pod name")
        .to_string();
    let logs =
        json!({"type": "logs", "namespace": "server", "pod": name, "container": "go-http-app"});
    tab.send(logs).await;
    let line = tab.until(10, |m| m["type"] == "log").await;
    assert!(
        line["line"]
            .as_str()
            .is_some_and(|l| l.starts_with("demo-app 1.0 listening")),
        "{line}"
    );

    // A reconnecting tab gets everything again.
    drop(tab);
    let (mut again, _) = connect(addr, Some(&cookie)).await;
    again.send(watch.clone()).await;
    let has = |m: &Value, kind: &str| {
        m["objects"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["kind"] == kind))
    };
    let snapshot = again
        .until(10, |m| {
            m["type"] == "snapshot" && has(m, "Deployment") && has(m, "Pod")
        })
        .await;
    let kinds: Vec<&str> = snapshot["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"Deployment") && kinds.contains(&"Pod"),
        "{kinds:?}"
    );
    assert!(state.watchers.running() > 0);
    drop(again);
    for _ in 0..50 {
        if state.watchers.running() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        state.watchers.running(),
        0,
        "the watches stop with the last tab"
    );
}
