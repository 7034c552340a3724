//! Go's times and durations as Kubernetes' JSON writes them: `metav1.Time` (RFC 3339,
//! seconds; Go's zero time is JSON's null), `MicroTime` (microseconds) and
//! `metav1.Duration` (`time.Duration.String()`: `1h2m3s`, `1.5s`).

/// Go's zero `time.Time` (January 1 of the year 1) in Unix seconds, which `metav1.Time`
/// writes for an unset time.
const ZERO_TIME: i64 = -62_135_596_800;

/// RFC 3339 in UTC as Go's `metav1.Time` (seconds) and `MicroTime` (microseconds) print it;
/// `None` for the zero time (JSON's `null`).
pub(super) fn timestamp(seconds: i64, nanos: i64, micro: bool) -> Option<String> {
    if seconds == ZERO_TIME && nanos == 0 {
        return None;
    }
    let at = jiff::Timestamp::new(seconds, i32::try_from(nanos).ok()?).ok()?;
    Some(if micro {
        at.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
    } else {
        at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    })
}

pub(super) fn parse_timestamp(text: &str) -> Option<(i64, i32)> {
    let at: jiff::Timestamp = text.parse().ok()?;
    Some((at.as_second(), at.subsec_nanosecond()))
}

/// Go's `time.Duration.String()` for whole and fractional seconds: `1h2m3s`, `1.5s`, `0s`.
pub(super) fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let nanos = nanos.unsigned_abs();
    if nanos < 1_000_000_000 {
        return format!("{sign}{}", small_duration(nanos));
    }
    let (hours, rest) = (nanos / 3_600_000_000_000, nanos % 3_600_000_000_000);
    let (minutes, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let seconds = format!("{}", rest as f64 / 1e9);
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}s"),
        (0, m) => format!("{sign}{m}m{seconds}s"),
        (h, m) => format!("{sign}{h}h{m}m{seconds}s"),
    }
}

fn small_duration(nanos: u64) -> String {
    match nanos {
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => format!("{}µs", n as f64 / 1e3),
        n => format!("{}ms", n as f64 / 1e6),
    }
}

pub(super) fn parse_go_duration(text: &str) -> Option<i64> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    let nanos = total.round() as i64;
    Some(if negative { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print_as_go_does() {
        for (text, nanos) in [
            ("0s", 0),
            ("1.5s", 1_500_000_000),
            ("1h0m0s", 3_600_000_000_000),
            ("2m30s", 150_000_000_000),
            ("500ms", 500_000_000),
        ] {
            assert_eq!(go_duration(nanos), text);
            assert_eq!(parse_go_duration(text), Some(nanos), "{text}");
        }
    }
}
