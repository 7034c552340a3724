//! The browser's side of the workspace API: the live-stream socket, which reconnects on
//! its own and repeats what the tab asked for (the server answers with a fresh snapshot,
//! so nothing is lost), and plain HTTP calls through `fetch`. In a docs site's embed,
//! where the frame has no cookies, every call carries the sandbox's bearer token
//! ([`use_bearer`]) and the socket gets in with a single-use ticket.

use crate::model::api::{path, route};
use crate::model::embed::Ticket;
use crate::model::live::{ClientMessage, Envelope, ServerMessage};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, WebSocket};

/// What the page's calls act as.
#[derive(Clone)]
enum Credential {
    /// The session's cookie (kubeclass's own pages).
    Cookie,
    /// An embed's sandbox token, once the reader pressed Start.
    Bearer(String),
    /// The embed's sandbox has ended: no call goes out (none may fall back to a cookie).
    Ended,
}

thread_local! {
    static CREDENTIAL: RefCell<Credential> = const { RefCell::new(Credential::Cookie) };
    /// Told when the embed's sandbox turns out to have ended (a call answered 401).
    static ON_ENDED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Makes every later call act as the embed's sandbox `token` (none: the session's cookie).
pub fn use_bearer(token: Option<String>) {
    let credential = token.map_or(Credential::Cookie, Credential::Bearer);
    CREDENTIAL.with(|c| *c.borrow_mut() = credential);
}

/// Calls `ended` when a call made with the embed's token is refused as ended (401); from
/// then on no call goes out.
pub fn on_ended(ended: impl Fn() + 'static) {
    ON_ENDED.with(|h| *h.borrow_mut() = Some(Rc::new(ended)));
}

fn credential() -> Credential {
    CREDENTIAL.with(|c| c.borrow().clone())
}

fn bearer() -> Option<String> {
    match credential() {
        Credential::Bearer(token) => Some(token),
        Credential::Cookie | Credential::Ended => None,
    }
}

/// The sandbox ended: say so once, and stop calling.
fn ended() {
    CREDENTIAL.with(|c| *c.borrow_mut() = Credential::Ended);
    if let Some(hook) = ON_ENDED.with(|h| h.borrow().clone()) {
        hook();
    }
}

/// The message of a call not made because the sandbox ended.
const ENDED: &str = "this sandbox has ended: press Start for a new one";

/// The live stream: one socket per tab, reopened after a drop with growing delays.
pub struct Socket {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    socket: Option<WebSocket>,
    /// The last `watch` and `logs` requests, sent again on every (re)connect.
    watch: Option<ClientMessage>,
    logs: Option<ClientMessage>,
    on_message: Rc<dyn Fn(ServerMessage)>,
    on_link: Rc<dyn Fn(bool)>,
    retry_ms: i32,
    /// Set when the page is done with the stream: no more reconnects.
    closed: bool,
}

impl Socket {
    pub fn open(
        on_message: impl Fn(ServerMessage) + 'static,
        on_link: impl Fn(bool) + 'static,
    ) -> Socket {
        let inner = Rc::new(RefCell::new(Inner {
            socket: None,
            watch: None,
            logs: None,
            on_message: Rc::new(on_message),
            on_link: Rc::new(on_link),
            retry_ms: 500,
            closed: false,
        }));
        connect(&inner);
        Socket { inner }
    }

    /// Sends a request now (if connected) and remembers `watch`/`logs` for reconnects.
    pub fn send(&self, message: ClientMessage) {
        let mut inner = self.inner.borrow_mut();
        match &message {
            ClientMessage::Watch { .. } => inner.watch = Some(message.clone()),
            ClientMessage::Logs { .. } => inner.logs = Some(message.clone()),
            ClientMessage::StopLogs => inner.logs = None,
            // Console lines run once: after a reconnect they are not sent again.
            ClientMessage::Console { .. }
            | ClientMessage::Interrupt { .. }
            | ClientMessage::Edited { .. }
            | ClientMessage::Stdin { .. } => {}
        }
        if let Some(socket) = inner
            .socket
            .as_ref()
            .filter(|s| s.ready_state() == WebSocket::OPEN)
        {
            let _ = socket.send_with_str(&serde_json::to_string(&message).unwrap_or_default());
        }
    }
}

impl Socket {
    /// Closes the stream for good (the page that used it is gone).
    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.closed = true;
        if let Some(socket) = inner.socket.take() {
            let _ = socket.close();
        }
    }
}

/// The stream's address; for an embed's sandbox with a fresh ticket.
async fn stream_url() -> Result<String, String> {
    let location = web_sys::window().ok_or("no window")?.location();
    let secure = location.protocol().map_err(describe)? == "https:";
    let host = location.host().map_err(describe)?;
    let ticket = match bearer() {
        Some(_) => {
            let (status, body) = fetch("POST", route::EMBED_TICKETS, None, &[]).await?;
            if status != 200 {
                return Err(format!(
                    "no ticket for the live stream: HTTP {status} {body}"
                ));
            }
            let ticket: Ticket = serde_json::from_str(&body).map_err(|e| e.to_string())?;
            Some(ticket.ticket)
        }
        None => None,
    };
    Ok(path::stream(secure, &host, ticket.as_deref()))
}

fn connect(inner: &Rc<RefCell<Inner>>) {
    if matches!(credential(), Credential::Ended) {
        inner.borrow_mut().closed = true;
    }
    if inner.borrow().closed {
        return;
    }
    let inner = inner.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match stream_url().await {
            Ok(url) => open(&inner, &url),
            Err(e) => {
                leptos::logging::warn!("{e}");
                retry(&inner);
            }
        }
    });
}

fn open(inner: &Rc<RefCell<Inner>>, url: &str) {
    if inner.borrow().closed {
        return;
    }
    let Ok(socket) = WebSocket::new(url) else {
        retry(inner);
        return;
    };
    let opened = {
        let inner = inner.clone();
        Closure::<dyn FnMut()>::new(move || {
            let (socket, requests, on_link) = {
                let mut i = inner.borrow_mut();
                i.retry_ms = 500;
                let requests: Vec<ClientMessage> =
                    i.watch.iter().chain(i.logs.iter()).cloned().collect();
                (i.socket.clone(), requests, i.on_link.clone())
            };
            on_link(true);
            if let Some(socket) = socket {
                for request in requests {
                    let _ =
                        socket.send_with_str(&serde_json::to_string(&request).unwrap_or_default());
                }
            }
        })
    };
    let received = {
        let on_message = inner.borrow().on_message.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<Envelope>(&text) {
                Ok(envelope) => on_message(envelope.message),
                Err(e) => leptos::logging::warn!("unreadable stream message ({e}): {text}"),
            }
        })
    };
    let closed = {
        let inner = inner.clone();
        Closure::<dyn FnMut()>::new(move || {
            if inner.borrow().closed {
                return;
            }
            let on_link = inner.borrow().on_link.clone();
            on_link(false);
            inner.borrow_mut().socket = None;
            retry(&inner);
        })
    };
    socket.set_onopen(Some(opened.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(received.as_ref().unchecked_ref()));
    socket.set_onclose(Some(closed.as_ref().unchecked_ref()));
    // The socket lives as long as the tab; so do its handlers.
    opened.forget();
    received.forget();
    closed.forget();
    inner.borrow_mut().socket = Some(socket);
}

fn retry(inner: &Rc<RefCell<Inner>>) {
    let delay = {
        let mut i = inner.borrow_mut();
        let delay = i.retry_ms;
        i.retry_ms = (i.retry_ms * 2).min(10_000);
        delay
    };
    let again = {
        let inner = inner.clone();
        Closure::once_into_js(move || connect(&inner))
    };
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), delay);
    }
}

/// One same-origin request: the answer's status and body; `Err` only when no answer
/// came at all.
pub async fn fetch(
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
    headers: &[(&str, &str)],
) -> Result<(u16, String), String> {
    if matches!(credential(), Credential::Ended) {
        return Err(ENDED.into());
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some((body, _)) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = web_sys::Request::new_with_str_and_init(path, &init).map_err(describe)?;
    if let Some((_, content_type)) = body {
        let _ = request.headers().set("content-type", content_type);
    }
    for (name, value) in headers {
        let _ = request.headers().set(name, value);
    }
    if let Some(token) = bearer() {
        let _ = request
            .headers()
            .set("authorization", &format!("Bearer {token}"));
    }
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(describe)?
        .dyn_into()
        .map_err(describe)?;
    let text = JsFuture::from(response.text().map_err(describe)?)
        .await
        .map_err(describe)?;
    if response.status() == 401 && bearer().is_some() {
        ended();
    }
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

fn describe(error: JsValue) -> String {
    format!(
        "the server could not be reached: {}",
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    )
}

/// Seconds since the epoch, by the browser's clock.
pub fn now() -> f64 {
    js_sys::Date::now() / 1000.0
}
