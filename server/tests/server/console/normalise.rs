//! What differs between the console's output and kubectl's without being a difference:
//! kubectl's own log lines, ages, the names of `web`'s pods.

/// kubectl's output without its own client-side log lines (`E1206 15:12:21.737371   22359
/// websocket.go:296] …`): kubectl's diagnostics of its connection, which come and go with
/// timing, not what the command prints.
pub(super) fn without_klog(text: &str) -> String {
    let klog = |line: &str| {
        let b = line.as_bytes();
        b.len() > 22
            && b"IWEF".contains(&b[0])
            && b[1..5].iter().all(u8::is_ascii_digit)
            && b[5] == b' '
            && b[8] == b':'
            && line.contains("] ")
    };
    text.split_inclusive('\n').filter(|l| !klog(l)).collect()
}

pub(super) fn last_line(text: &str) -> String {
    text.lines().last().unwrap_or_default().to_string()
}

/// `line` with the name of any pod of Deployment `web` (`web-HASH-SUFFIX`) as `web-POD`.
pub(super) fn any_web_pod(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("web-") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 4..];
        let end = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
            .unwrap_or(tail.len());
        out.push_str(if tail[..end].contains('-') {
            "web-POD"
        } else {
            &rest[at..at + 4 + end]
        });
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Ages (`5s`, `2m3s`, `12m`) blurred: the two answers are read moments apart.
pub(super) fn blur(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let words: Vec<String> = line
            .split(' ')
            .map(|w| {
                // (`10s)` too: an event's `(x2 over 10s)`.)
                let bare = w.strip_suffix(')').unwrap_or(w);
                let age = !bare.is_empty()
                    && bare.chars().next().is_some_and(|c| c.is_ascii_digit())
                    && bare
                        .chars()
                        .all(|c| c.is_ascii_digit() || "smhd".contains(c))
                    && bare.chars().any(|c| "smhd".contains(c));
                if age {
                    format!("9s{}", &w[bare.len()..])
                } else {
                    w.to_string()
                }
            })
            .collect();
        out.push_str(&words.join(" "));
    }
    out
}
