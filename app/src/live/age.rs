//! Ages that keep ticking: the API server prints an object's AGE once, when it answers;
//! the panels show it live, from the object's timestamp and the page's clock, in
//! kubectl's format.

/// kubectl's AGE of something `seconds` old: `45s`, `3m12s`, `17m`, `5h3m`, `2d`.
pub fn human(seconds: i64) -> String {
    let s = seconds.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86_400);
    match s {
        _ if s < 120 => format!("{s}s"),
        _ if m < 10 && s % 60 != 0 => format!("{m}m{}s", s % 60),
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 && m % 60 != 0 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if d < 8 && h % 24 != 0 => format!("{d}d{}h", h % 24),
        _ => format!("{d}d"),
    }
}

/// The age of an RFC 3339 `stamp` at `now` (seconds since the epoch), read with the
/// browser's own date parser. Pages render ages in the browser only.
pub fn age(stamp: Option<&str>, now: f64) -> String {
    #[cfg(feature = "hydrate")]
    if let Some(stamp) = stamp {
        let then = js_sys::Date::parse(stamp) / 1000.0;
        if then.is_finite() {
            return human((now - then) as i64);
        }
    }
    let _ = (stamp, now);
    "<unknown>".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectls() {
        let ages = [45, 192, 1020, 5 * 3600 + 180, 2 * 86_400, 9 * 86_400].map(human);
        assert_eq!(ages, ["45s", "3m12s", "17m", "5h3m", "2d", "9d"]);
        assert_eq!(human(-3), "0s", "a clock a little behind the server's");
    }
}
