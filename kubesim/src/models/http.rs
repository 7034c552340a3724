//! HTTP as the models see it: a request reaching a container (from a probe, the API
//! server's proxy, the ingress controller or another pod) and the answer.

/// An HTTP request reaching a container (from a probe, the proxy or another pod).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query, as sent: `/stress?seconds=2`.
    pub path: String,
    /// Who asks (probes are `kube-probe/…`, which some apps do not log).
    pub user_agent: String,
    /// The client's address, for access logs.
    pub remote: String,
}

impl HttpRequest {
    /// A GET from `remote` with `user_agent`.
    pub fn get(path: &str, user_agent: &str, remote: &str) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path: path.into(),
            user_agent: user_agent.into(),
            remote: remote.into(),
        }
    }

    /// The path without the query.
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or("/")
    }

    /// A query parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        let query = self.path.split_once('?')?.1;
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl HttpResponse {
    /// A `text/plain` answer.
    pub fn text(status: u16, body: impl Into<String>) -> HttpResponse {
        HttpResponse {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }
}

/// Why a connection from a container got no HTTP answer, as the tools that made it tell
/// apart: no such name, a refusal (nothing listens, or a Service without endpoints: at
/// once), or silence (a NetworkPolicy drops the packets: the connection times out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreachable {
    /// The host name resolves to nothing.
    Unresolved {
        /// The name asked for.
        host: String,
    },
    /// The connection was refused.
    Refused {
        /// The address dialled (a Service's cluster IP, or a pod's IP).
        ip: String,
        /// The port dialled.
        port: u16,
    },
    /// Nothing came back: the connection timed out.
    TimedOut {
        /// The address dialled.
        ip: String,
        /// The port dialled.
        port: u16,
    },
}
