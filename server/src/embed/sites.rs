//! Docs sites: their keys and the origins that may frame `/embed/*` with them. The
//! embed's pages answer with `Content-Security-Policy: frame-ancestors` listing exactly
//! the origins of the key they were asked for (`?site=KEY`), and every other page with
//! `frame-ancestors 'none'` ([`crate::http::headers`]).

/// What a site's key starts with; the rest is random (a key is public: it sits in the
/// docs page's snippet, and only says which origins may frame).
const KEY_PREFIX: &str = "site_";

/// A new site key.
pub fn new_key() -> String {
    format!("{KEY_PREFIX}{}", crate::sessions::new_id())
}

/// Whether `key` could be a site's key (checked before any lookup).
pub fn plausible_key(key: &str) -> bool {
    key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// An origin as browsers send it and CSP lists it: `http` or `https`, a host, a port if
/// not the default; nothing else. Lowercased.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let wrong = |why: &str| {
        Err(format!(
            "{text:?} is not an origin ({why}); give one as https://docs.example.com"
        ))
    };
    let lower = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let Some((scheme, authority)) = lower.split_once("://") else {
        return wrong("no scheme");
    };
    if scheme != "https" && scheme != "http" {
        return wrong("the scheme is not http or https");
    }
    if authority.is_empty() {
        return wrong("no host");
    }
    if authority.contains(['/', '?', '#', '@', '*', ' ', ';', ',', '\'']) {
        return wrong("only a scheme, a host and a port; no path, user or wildcard");
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !authority.ends_with(']') => {
            if port.parse::<u16>().is_err() {
                return wrong("the port is not a number");
            }
            (host, Some(port))
        }
        _ => (authority, None),
    };
    if host.is_empty() {
        return wrong("no host");
    }
    let default = if scheme == "https" { "443" } else { "80" };
    Ok(match port {
        Some(port) if port != default => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// The CSP directive that lets exactly `origins` frame a page.
pub fn frame_ancestors(origins: &[String]) -> String {
    if origins.is_empty() {
        return "frame-ancestors 'none'".into();
    }
    format!("frame-ancestors {}", origins.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            parse_origin("https://Docs.Example.com/").as_deref(),
            Ok("https://docs.example.com")
        );
        assert_eq!(
            parse_origin("https://docs.example.com:443").as_deref(),
            Ok("https://docs.example.com")
        );
        assert_eq!(
            parse_origin("http://localhost:8081").as_deref(),
            Ok("http://localhost:8081")
        );
        for wrong in [
            "docs.example.com",
            "ftp://docs.example.com",
            "https://docs.example.com/guide",
            "https://*.example.com",
            "https://a.com 'unsafe-inline'",
            "https://a.com;script-src *",
            "https://user@a.com",
            "https://a.com:eighty",
            "https://",
        ] {
            let error = parse_origin(wrong).expect_err(wrong);
            assert!(error.contains("is not an origin"), "{error}");
        }
    }

    #[test]
    fn the_directive_lists_exactly_the_sites_origins() {
        assert_eq!(
            frame_ancestors(&["https://a.com".into(), "http://localhost:8081".into()]),
            "frame-ancestors https://a.com http://localhost:8081"
        );
        assert_eq!(frame_ancestors(&[]), "frame-ancestors 'none'");
        assert!(plausible_key(&new_key()));
        assert!(!plausible_key("site_x; frame-ancestors *"));
    }
}
