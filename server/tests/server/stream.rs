//! The live stream over a real websocket: a tab watching a lesson gets a snapshot, the
//! changes an apply causes, the step's checks ticking, pod logs on request, a fresh
//! snapshot when it reconnects; the shared watches stop when no tab is left; a tab that
//! stops reading gets a snapshot instead of an unbounded queue and holds up nobody.

use super::support::{app, content_dir, state_in};
use app::content::Library;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use server::state::AppState;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn serve() -> (std::net::SocketAddr, AppState, Library, kube::Client) {
    let (copy, _) = Library::load(&content_dir());
    let (addr, state, admin) = serve_content(content_dir()).await;
    (addr, state, copy, admin)
}

/// A server with the lessons of `dir`, on a port of its own, over a fresh cluster.
/// Also gives the cluster's administrator client (the state acts as kubeclass).
pub(super) async fn serve_content(
    dir: std::path::PathBuf,
) -> (std::net::SocketAddr, AppState, kube::Client) {
    let cluster = kubesim::Cluster::builder()
        .seed(6)
        .build()
        .expect("cluster");
    let state = state_in(dir, ":memory:", &cluster).await;
    let app = app(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let admin = cluster.client();
    tokio::spawn(async move {
        let _keep = cluster;
        axum::serve(listener, app).await
    });
    (addr, state, admin)
}

/// The live stream's websocket request to `addr`, with `header` (a cookie, an origin).
pub(super) fn stream_request(
    addr: std::net::SocketAddr,
    header: Option<(&'static str, &str)>,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{addr}/api/stream")
        .into_client_request()
        .expect("request");
    if let Some((name, value)) = header {
        request
            .headers_mut()
            .insert(name, value.parse().expect("header value"));
    }
    request
}

pub(super) async fn connect(addr: std::net::SocketAddr, cookie: Option<&str>) -> (Tab, String) {
    let request = stream_request(addr, cookie.map(|c| ("cookie", c)));
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

pub(super) async fn post(
    addr: std::net::SocketAddr,
    cookie: &str,
    path: &str,
    body: &str,
) -> String {
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

pub(super) async fn get(addr: std::net::SocketAddr, cookie: &str, path: &str) -> String {
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
pub(super) struct Tab {
    socket: Socket,
    unread: Vec<Value>,
}

impl Tab {
    pub(super) async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// Sends `text` as it is, whatever it holds; whether the socket took all of it (the
    /// server may cut a connection off while it is still being written to).
    pub(super) async fn send_text(&mut self, text: String) -> bool {
        self.socket.send(Message::Text(text.into())).await.is_ok()
    }

    /// Whether the server closes the socket within `seconds` (messages before the close
    /// are skipped).
    pub(super) async fn closes_within(&mut self, seconds: u64) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        loop {
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The first message, received before or within `seconds`, that satisfies `wanted`.
    pub(super) async fn until(&mut self, seconds: u64, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(found) = self.within(Duration::from_secs(seconds), wanted).await {
            return found;
        }
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
    }

    /// The first message, received before or within `time`, that satisfies `wanted`.
    pub(super) async fn within(
        &mut self,
        time: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self.unread.iter().position(&wanted) {
            return Some(self.unread.remove(i));
        }
        let deadline = tokio::time::Instant::now() + time;
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?;
            let Some(Ok(Message::Text(text))) = next else {
                continue;
            };
            let value: Value = serde_json::from_str(&text).expect("json");
            assert_eq!(value["v"], 1);
            // Every frame reads as the shared message type the lesson page decodes.
            serde_json::from_value::<app::model::live::Envelope>(value.clone())
                .unwrap_or_else(|e| panic!("{e}: {value}"));
            if wanted(&value) {
                return Some(value);
            }
            self.unread.push(value);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_sees_its_workspace_come_alive() {
    let (addr, state, library, _) = serve().await;
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
    // The trainer's room view learns where the tab is from the same evaluation.
    let on_step = state.presence.on_step("fundamentals/deployments", 0);
    assert_eq!(on_step.len(), 1, "one tab on step 1");
    let seen = state.presence.of(&on_step[0]).expect("seen");
    assert!(!seen.failing.is_empty() && !seen.moved, "{seen:?}");

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

/// A tab that stops reading must not hold up the others, and when it reads again it gets
/// a fresh snapshot in place of the changes it could not take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_tab_gets_a_snapshot_and_never_holds_up_the_others() {
    let (addr, state, _, admin) = serve().await;
    let (mut fast, cookie) = connect(addr, None).await;
    let watch = json!({"type": "watch", "lesson": "fundamentals/deployments", "step": 0});
    let configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: busy\n  namespace: server\ndata:\n  n: \"0\"\n";
    let answer = post(
        addr,
        &cookie,
        "/api/workspace/apply?lesson=fundamentals/deployments",
        configmap,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The slow tab's socket takes in little, so its queue on the server fills soon.
    let tcp = tokio::net::TcpSocket::new_v4().expect("socket");
    tcp.set_recv_buffer_size(4096).expect("buffer size");
    let stream = tcp.connect(addr).await.expect("connect");
    let request = stream_request(addr, Some(("cookie", &cookie)));
    let (mut slow, _) = tokio_tungstenite::client_async(request, stream)
        .await
        .expect("websocket");
    slow.send(Message::Text(watch.to_string().into()))
        .await
        .expect("send");
    // Both tabs first take their snapshots (the one at once, and the complete one once
    // the watches have listed), so any snapshot after this is the slow path's.
    let mut snapshots = 0;
    while snapshots < 2 {
        let frame = tokio::time::timeout(Duration::from_secs(10), slow.next())
            .await
            .expect("the slow tab's first snapshots");
        if let Some(Ok(Message::Text(text))) = frame {
            snapshots += usize::from(text.contains(r#""type":"snapshot""#));
        }
    }
    fast.send(watch).await;
    fast.until(10, |m| m["type"] == "snapshot").await;

    // More changes than the slow tab's queue (512) and socket buffers (a few MB) hold,
    // while it reads nothing. Each adds a long key, so every change is a new frame and
    // later frames are tens of KB.
    let key = |i: usize| format!("key-{i:04}-{}", "x".repeat(40));
    let namespace = workspace_namespace(&state, "server").await;
    let api: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(admin.clone(), &namespace);
    const CHANGES: usize = 1_200;
    let writer = tokio::spawn(async move {
        for i in 0..CHANGES {
            let patch = json!({"data": {key(i): "x"}});
            api.patch(
                "busy",
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(&patch),
            )
            .await
            .expect("patch");
        }
    });
    // The reading tab keeps up and sees the last change (in a change, or in a snapshot if
    // it fell behind too).
    let last = key(CHANGES - 1);
    let has_last = |o: &Value| {
        o["kind"] == "ConfigMap"
            && o["spec"]["keys"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == last.as_str()))
    };
    fast.until(60, |m| {
        (m["type"] == "change" && has_last(&m["object"]))
            || (m["type"] == "snapshot"
                && m["objects"]
                    .as_array()
                    .is_some_and(|o| o.iter().any(has_last)))
    })
    .await;
    writer.await.expect("writer");

    // The slow tab, reading at last, gets what was queued for it and a snapshot in place of
    // what it could not take, and catches up with the last change: nothing lost, nothing
    // queued without bound.
    let (mut seen_change, mut replaced) = (false, false);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let frame = tokio::time::timeout_at(deadline, slow.next())
            .await
            .expect("the slow tab catches up within 30 s");
        let Some(Ok(Message::Text(text))) = frame else {
            continue;
        };
        let value: Value = serde_json::from_str(&text).expect("json");
        let current = match value["type"].as_str() {
            Some("change") => {
                seen_change = true;
                has_last(&value["object"])
            }
            Some("snapshot") => {
                replaced |= seen_change;
                value["objects"]
                    .as_array()
                    .is_some_and(|o| o.iter().any(has_last))
            }
            _ => false,
        };
        if current {
            break;
        }
    }
    assert!(
        replaced,
        "the changes the slow tab missed were replaced by a snapshot"
    );
}

/// The real name of the (only) workspace namespace for `short`.
pub(super) async fn workspace_namespace(state: &AppState, short: &str) -> String {
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> =
        kube::Api::all(state.platform().clone());
    namespaces
        .list(&Default::default())
        .await
        .expect("namespaces")
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .find(|n| n.starts_with("kc-") && n.ends_with(&format!("-{short}")))
        .expect("a workspace namespace")
}
