//! Security headers on every answer. Pages set their own Content-Security-Policy (with
//! the response's script nonce, in `app::shell`); everything else gets one that allows
//! nothing. No answer may be framed, except the docs embed's pages (`/embed/*`): they may
//! be framed by exactly the origins of the site key they were asked with (`?site=KEY`,
//! [`crate::embed::sites`]), and carry no `X-Frame-Options` (which cannot name origins).
//! The embed's script (`loader.js`) may be loaded by any page. `Secure` cookies whenever
//! the request came over TLS, as a proxy in front says (`X-Forwarded-Proto`,
//! `Forwarded`), even without `--secure-cookies`.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of answers that are not pages (JSON, files): nothing runs, nothing frames.
const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'";

/// What frames no page.
const NO_FRAMES: &str = "frame-ancestors 'none'";

/// Adds the security headers.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let tls = came_over_tls(request.headers());
    let path = request.uri().path();
    let loader = path == app::model::api::route::EMBED_LOADER;
    let framing = match path.starts_with("/embed/") && !loader {
        true => Some(embed_framing(&state, request.uri().query()).await),
        false => None,
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(NOT_A_PAGE));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    match framing {
        Some(directive) => allow_framing(headers, &directive),
        None => {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
    }
    if loader {
        // A module script from another origin is fetched with CORS.
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            "cross-origin-resource-policy",
            HeaderValue::from_static("cross-origin"),
        );
    }
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

/// The `frame-ancestors` directive of an embed page asked with `query`: the origins of
/// its `site` key, or none.
async fn embed_framing(state: &AppState, query: Option<&str>) -> String {
    let key = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("site="))
        .filter(|key| crate::embed::sites::plausible_key(key));
    let origins = match key {
        Some(key) => match state.db.embed_site(key).await {
            Ok(site) => site.map(|s| s.origins).unwrap_or_default(),
            Err(e) => {
                tracing::warn!("reading the embed site {key}: {e}");
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    crate::embed::sites::frame_ancestors(&origins)
}

/// Puts `directive` in place of the page's `frame-ancestors 'none'`.
fn allow_framing(headers: &mut HeaderMap, directive: &str) {
    let Some(policy) = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&policy.replace(NO_FRAMES, directive)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
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
