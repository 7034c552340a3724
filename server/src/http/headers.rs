//! Security headers on every answer. Pages set their own Content-Security-Policy (with
//! the response's script nonce, in `app::shell`); everything else gets one that allows
//! nothing. No answer may be framed (the docs embed will be the one exception, under its
//! own routes). `Secure` cookies whenever the request came over TLS, as a proxy in front
//! says (`X-Forwarded-Proto`, `Forwarded`), even without `--secure-cookies`.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of answers that are not pages (JSON, files): nothing runs, nothing frames.
const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds the security headers.
pub async fn middleware(request: Request, next: Next) -> Response {
    let tls = came_over_tls(request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(NOT_A_PAGE));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if tls {
        secure_cookies(headers);
    }
    response
}

/// Whether a proxy in front says the browser used HTTPS.
fn came_over_tls(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    value("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"))
        || value("forwarded").is_some_and(|f| {
            f.split([';', ','])
                .any(|part| part.trim().eq_ignore_ascii_case("proto=https"))
        })
}

/// Marks every cookie the answer sets `Secure`.
fn secure_cookies(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|cookie| match cookie.to_str() {
            Ok(text) if !text.to_ascii_lowercase().contains("; secure") => {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| cookie.clone())
            }
            _ => cookie.clone(),
        })
        .collect();
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_saying_https_makes_cookies_secure() {
        let mut request = HeaderMap::new();
        assert!(!came_over_tls(&request));
        request.insert(
            "forwarded",
            HeaderValue::from_static("for=1.2.3.4;proto=https"),
        );
        assert!(came_over_tls(&request));
        let mut answer = HeaderMap::new();
        answer.append(
            header::SET_COOKIE,
            HeaderValue::from_static("kubeclass=abc; HttpOnly; SameSite=Lax"),
        );
        secure_cookies(&mut answer);
        assert_eq!(
            answer[header::SET_COOKIE],
            "kubeclass=abc; HttpOnly; SameSite=Lax; Secure"
        );
    }
}
