//! What curl prints: an answer (`-f`'s failure, `-i`/`-I`'s head, the body) or a failure
//! (`curl: (7) …`), wherever the request went.

/// Bytes of an answer printed.
const SHOWN: usize = 64 * 1024;

/// Headers the API server's proxy adds, which curl on a port-forward would not see.
const PROXY_HEADERS: &[&str] = &[
    "audit-id",
    "x-kubernetes-pf-flowschema-uid",
    "x-kubernetes-pf-prioritylevel-uid",
];

/// A curl failure: its code and message (`curl: (7) …`).
pub(super) struct Failure(pub(super) i32, pub(super) String);

/// What the line asked of the printing: `-f`, `-i`, `-I`.
pub(super) struct Printing {
    pub fail: bool,
    pub include: bool,
    pub head: bool,
}

/// An answer as curl prints it: `-f`'s failure, `-i`/`-I`'s head, the body.
pub(super) fn print(
    options: &Printing,
    parts: &http::response::Parts,
    bytes: &[u8],
) -> Result<String, Failure> {
    let code = parts.status;
    if options.fail && code.as_u16() >= 400 {
        return Err(Failure(
            22,
            format!("The requested URL returned error: {}", code.as_u16()),
        ));
    }
    let mut out = String::new();
    if options.include || options.head {
        out.push_str(&format!(
            "HTTP/1.1 {} {}\r\n",
            code.as_u16(),
            code.canonical_reason().unwrap_or_default()
        ));
        for (name, value) in &parts.headers {
            if PROXY_HEADERS.contains(&name.as_str()) {
                continue;
            }
            let value = String::from_utf8_lossy(value.as_bytes());
            out.push_str(&format!("{}: {value}\r\n", canonical(name.as_str())));
        }
        out.push_str("\r\n");
    }
    if !options.head {
        let mut body = String::from_utf8_lossy(bytes).into_owned();
        if body.len() > SHOWN {
            body.truncate(body.floor_char_boundary(SHOWN));
            body.push_str("\n… (the console shows the first 64 KiB)\n");
        }
        out.push_str(&body);
    }
    Ok(out)
}

/// A header name as HTTP/1.1 servers write it: `Content-Type`.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_read_as_http_1_1_writes_them() {
        assert_eq!(canonical("content-type"), "Content-Type");
        assert_eq!(canonical("date"), "Date");
    }
}
