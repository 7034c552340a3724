//! Cross-site protection: state-changing requests and websocket upgrades whose Origin (or
//! Fetch metadata) says another site are refused, so a page elsewhere — another port on
//! localhost, an app behind the shared Ingress — can neither act with an attendee's
//! cookie nor read their live stream (browsers always send an Origin with a websocket,
//! and SameSite=Lax cookies go with it).

use super::error::AppError;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuses state-changing requests and websocket upgrades from another site (403).
pub async fn same_origin(request: Request, next: Next) -> Response {
    let upgrade = request
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|u| u.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let changing = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if (changing || upgrade) && cross_site(request.headers()) {
        let what = if upgrade {
            "pages from another site may not open your live stream"
        } else {
            "requests from another site may not change your workspace"
        };
        return AppError::Forbidden(what.into()).into_response();
    }
    next.run(request).await
}

fn cross_site(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if value("sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site") {
        return true;
    }
    match (value("origin"), value(header::HOST.as_str())) {
        (Some(origin), Some(host)) => {
            let origin_host = origin.split("://").nth(1).unwrap_or(origin);
            origin == "null" || origin_host != host
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_origins_are_cross_site() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().expect("value"));
            }
            h
        };
        assert!(!cross_site(&headers(&[
            ("host", "localhost:3000"),
            ("origin", "http://localhost:3000")
        ])));
        assert!(cross_site(&headers(&[
            ("host", "localhost:3000"),
            ("origin", "https://evil.example")
        ])));
        assert!(cross_site(&headers(&[
            ("host", "localhost:3000"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(
            !cross_site(&headers(&[("host", "localhost:3000")])),
            "curl sends no Origin"
        );
    }
}
