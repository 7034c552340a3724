//! `pods/NAME/portforward` as kubectl 1.32 asks for it: a websocket
//! (`SPDY/3.1+portforward.k8s.io`) tunnelling a SPDY session ([`super::spdy`]), in which
//! each connection to a local port is a pair of streams naming the pod's port: one for
//! its errors, one for its bytes. The bytes reach the pod as the kubelet's port-forward
//! reaches it (from inside the pod, so no NetworkPolicy applies): an HTTP/1.1 server
//! reads the requests and the workload model answers them.

use super::server::ApiServer;
use super::spdy::{
    FLAG_FIN, Frame, GOAWAY, HeaderCodec, Headers, PING, RST_STREAM, SYN_REPLY, SYN_STREAM,
    control, data, stream_id, take_frame,
};
use crate::models::HttpRequest;
use crate::registry::Target;
use crate::runtime::ContainerKey;
use crate::runtime::network::{Network, Origin};
use crate::status::{ApiError, Result};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const PROTOCOL: &str = "SPDY/3.1+portforward.k8s.io";
/// Connections one session may hold open at once (kubectl opens one per local
/// connection); past it the session ends.
const CONNECTIONS: usize = 128;

impl ApiServer {
    /// Checks the pod and upgrades the request; the session runs once the socket is open.
    pub(super) fn port_forward(
        self: &Arc<Self>,
        target: &Target,
        upgrade: Option<WebSocketUpgrade>,
    ) -> Result<Response> {
        let pod = self.registry.pod(target)?;
        if pod["status"]["phase"] != "Running" {
            return Err(ApiError::bad_request(format!(
                "unable to upgrade connection: pod {} is not running",
                target.name()?
            )));
        }
        let Some(upgrade) = upgrade else {
            return Err(ApiError::bad_request(
                "Upgrade request required: kubesim speaks port-forward as SPDY tunnelled through a websocket (SPDY/3.1+portforward.k8s.io)",
            ));
        };
        let api = self.clone();
        let pod = pod.as_ref().clone();
        Ok(upgrade
            .protocols([PROTOCOL])
            .on_upgrade(move |socket| session(api, pod, socket))
            .into_response())
    }
}

/// The SPDY session: streams opened, replied to and fed, until the client goes.
async fn session(api: Arc<ApiServer>, pod: Value, socket: WebSocket) {
    let (mut sink, mut source) = socket.split();
    let (out, mut outgoing) = mpsc::channel::<Vec<u8>>(64);
    let writer = tokio::spawn(async move {
        while let Some(bytes) = outgoing.recv().await {
            if sink.send(Message::Binary(bytes.into())).await.is_err() {
                break;
            }
        }
    });
    let mut codec = HeaderCodec::default();
    let mut buffer = Vec::new();
    let mut inputs: HashMap<u32, mpsc::Sender<Option<Vec<u8>>>> = HashMap::new();
    // Each connection's error stream, by its request id, until its data stream opens.
    let mut error_streams: HashMap<String, u32> = HashMap::new();
    'session: while let Some(Ok(message)) = source.next().await {
        match message {
            Message::Binary(bytes) => buffer.extend_from_slice(&bytes),
            Message::Close(_) => break,
            _ => continue,
        }
        loop {
            let frame = match take_frame(&mut buffer) {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(_) => break 'session,
            };
            match frame {
                Frame::Control {
                    kind: SYN_STREAM,
                    data: body,
                    ..
                } => {
                    inputs.retain(|_, input| !input.is_closed());
                    if inputs.len() + error_streams.len() >= 2 * CONNECTIONS {
                        break 'session;
                    }
                    let id = stream_id(&body);
                    let Ok(headers) = codec.read(body.get(10..).unwrap_or_default()) else {
                        break 'session;
                    };
                    let mut reply = id.to_be_bytes().to_vec();
                    reply.extend(codec.write(&Headers::new()));
                    let _ = out.send(control(SYN_REPLY, 0, &reply)).await;
                    let request = headers.get("requestid").cloned().unwrap_or_default();
                    match headers.get("streamtype").map(String::as_str) {
                        Some("error") => {
                            error_streams.insert(request, id);
                        }
                        Some("data") => {
                            let errors = error_streams.remove(&request).unwrap_or(0);
                            let port = headers.get("port").and_then(|p| p.parse().ok());
                            let (input, fed) = mpsc::channel(16);
                            inputs.insert(id, input);
                            let connection = Connection {
                                data: id,
                                errors,
                                out: out.clone(),
                            };
                            tokio::spawn(forward(api.clone(), pod.clone(), port, connection, fed));
                        }
                        _ => {}
                    }
                }
                Frame::Control {
                    kind: PING,
                    data: body,
                    ..
                } => {
                    let _ = out.send(control(PING, 0, &body)).await;
                }
                Frame::Control { kind: GOAWAY, .. } => break 'session,
                Frame::Control {
                    kind: RST_STREAM,
                    data: body,
                    ..
                } => {
                    inputs.remove(&stream_id(&body));
                }
                // SETTINGS, WINDOW_UPDATE, HEADERS: nothing to do.
                Frame::Control { .. } => {}
                Frame::Data {
                    stream,
                    flags,
                    data: bytes,
                } => {
                    if let Some(input) = inputs.get(&stream) {
                        if !bytes.is_empty() {
                            let _ = input.send(Some(bytes)).await;
                        }
                        if flags & FLAG_FIN != 0 {
                            let _ = input.send(None).await;
                            inputs.remove(&stream);
                        }
                    }
                }
            }
        }
    }
    drop(inputs);
    drop(out);
    let _ = writer.await;
}

/// One forwarded connection's streams, and where frames go.
struct Connection {
    data: u32,
    errors: u32,
    out: mpsc::Sender<Vec<u8>>,
}

impl Connection {
    /// Ends both streams, saying `error` on the error stream first, if any.
    async fn end(&self, error: Option<String>) {
        if let Some(error) = error {
            let _ = self.out.send(data(self.errors, 0, error.as_bytes())).await;
        }
        let _ = self.out.send(data(self.data, FLAG_FIN, &[])).await;
        let _ = self.out.send(data(self.errors, FLAG_FIN, &[])).await;
    }
}

/// Carries one connection's bytes to the pod's `port` and back.
async fn forward(
    api: Arc<ApiServer>,
    pod: Value,
    port: Option<u16>,
    connection: Connection,
    mut fed: mpsc::Receiver<Option<Vec<u8>>>,
) {
    let uid = pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let listening = port.is_some_and(|port| {
        api.runtime
            .containers_of(&uid)
            .iter()
            .any(|key: &ContainerKey| api.runtime.listens(key, port))
    });
    let Some(port) = port.filter(|_| listening) else {
        let port = port.map_or_else(String::new, |p| p.to_string());
        let refused = format!(
            "error forwarding port {port} to pod {uid}, uid : failed to connect to localhost:{port} inside the pod: dial tcp4 127.0.0.1:{port}: connect: connection refused"
        );
        connection.end(Some(refused)).await;
        return;
    };
    let (ours, theirs) = tokio::io::duplex(64 * 1024);
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let (api, pod) = (api.clone(), pod.clone());
            async move { Ok::<_, std::convert::Infallible>(answer(&api, &pod, port, &request)) }
        });
    tokio::spawn(
        hyper::server::conn::http1::Builder::new()
            .serve_connection(hyper_util::rt::TokioIo::new(theirs), service),
    );
    let (mut from_pod, mut to_pod) = tokio::io::split(ours);
    let feed = async move {
        while let Some(Some(bytes)) = fed.recv().await {
            if to_pod.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = to_pod.shutdown().await;
    };
    let out = connection.out.clone();
    let stream = connection.data;
    let read = async move {
        let mut chunk = vec![0u8; 16 * 1024];
        while let Ok(n) = from_pod.read(&mut chunk).await {
            if n == 0 || out.send(data(stream, 0, &chunk[..n])).await.is_err() {
                break;
            }
        }
    };
    tokio::join!(feed, read);
    connection.end(None).await;
}

/// The workload model's answer to one request, from inside the pod.
fn answer(
    api: &ApiServer,
    pod: &Value,
    port: u16,
    request: &hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<String> {
    let agent = request
        .headers()
        .get(hyper::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let asked = HttpRequest {
        method: request.method().as_str().to_string(),
        path: request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string(),
        user_agent: agent.to_string(),
        remote: "127.0.0.1".into(),
    };
    let network = Network {
        store: &api.store,
        runtime: &api.runtime,
        rbac: &api.rbac,
        from: Origin::Node,
    };
    let (status, content_type, body) = match network.to_pod(pod, port, &asked) {
        Ok(answered) => (
            answered.status,
            answered.content_type.to_string(),
            answered.body,
        ),
        Err(failure) => (502, "text/plain".to_string(), format!("{failure}\n")),
    };
    hyper::Response::builder()
        .status(status)
        .header(hyper::header::CONTENT_TYPE, content_type)
        .body(body)
        .unwrap_or_default()
}
