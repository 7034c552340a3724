//! Resource quantities (`500m`, `64Mi`, `1.5`, `2G`) as exact thousandths, for quota and
//! limit arithmetic, and back to the short form kube-apiserver prints.

/// A quantity in thousandths of the base unit (millicores, millibytes).
pub type Milli = i128;

/// Parses a Kubernetes quantity; `None` if it is not one.
pub fn parse(text: &str) -> Option<Milli> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    // Below a thousandth (metrics' nanocores): rounded up, as kube's MilliValue rounds.
    let below = match suffix {
        "n" => Some(1_000_000),
        "u" => Some(1_000),
        _ => None,
    };
    if let Some(divisor) = below {
        let whole: Milli = number.parse().ok()?;
        return Some((whole + divisor - 1).div_euclid(divisor));
    }
    let multiplier: Milli = match suffix {
        "" => 1000,
        "m" => 1,
        "k" => 1_000_000,
        "M" => 1_000_000_000,
        "G" => 1_000_000_000_000,
        "T" => 1_000_000_000_000_000,
        "P" => 1_000_000_000_000_000_000,
        "Ki" => 1024 * 1000,
        "Mi" => 1024 * 1024 * 1000,
        "Gi" => 1024 * 1024 * 1024 * 1000,
        "Ti" => 1024_i128.pow(4) * 1000,
        "Pi" => 1024_i128.pow(5) * 1000,
        s if s.starts_with(['e', 'E']) => 10_i128.checked_pow(s[1..].parse().ok()?)? * 1000,
        _ => return None,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let whole: Milli = if whole.is_empty() || whole == "+" {
        0
    } else {
        whole.parse().ok()?
    };
    let mut value = whole.checked_mul(multiplier)?;
    if !fraction.is_empty() {
        let digits: Milli = fraction.parse().ok()?;
        let scale = 10_i128.checked_pow(fraction.len() as u32)?;
        value += digits * multiplier / scale;
    }
    Some(value)
}

/// Prints a quantity the short way: `500m`, `2`, `64Mi`, `1Gi`.
pub fn format(milli: Milli, binary: bool) -> String {
    if milli % 1000 != 0 {
        return format!("{milli}m");
    }
    let units = milli / 1000;
    if binary && units != 0 {
        for (suffix, size) in [("Gi", 1024_i128.pow(3)), ("Mi", 1024 * 1024), ("Ki", 1024)] {
            if units % size == 0 {
                return format!("{}{suffix}", units / size);
            }
        }
    }
    units.to_string()
}

/// A quantity as kube-apiserver stores it once decoded (`cpu: 1` → `"1"`, `0.5` →
/// `"500m"`, `1000` → `"1k"`, `1024Mi` → `"1Gi"`, `1.5Ki` → `"1536"`): Go's canonical form,
/// the largest suffix of the quantity's own kind (binary for `Ki`…, decimal otherwise)
/// that leaves no fraction. Exponent forms (`1e3`) are kept as written. `None` if it is
/// not a quantity.
pub fn canonical(text: &str) -> Option<String> {
    let milli = parse(text)?;
    let suffix_start = text
        .trim()
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'));
    let suffix = suffix_start.map_or("", |at| &text.trim()[at..]);
    if suffix.starts_with(['e', 'E']) {
        return Some(text.trim().to_string());
    }
    if milli % 1000 != 0 {
        return Some(format!("{milli}m"));
    }
    let units = milli / 1000;
    if units == 0 {
        return Some("0".into());
    }
    let steps: &[(&str, i128)] = if suffix.ends_with('i') {
        &[
            ("Ei", 1 << 60),
            ("Pi", 1 << 50),
            ("Ti", 1 << 40),
            ("Gi", 1 << 30),
            ("Mi", 1 << 20),
            ("Ki", 1 << 10),
        ]
    } else {
        &[
            ("E", 10_i128.pow(18)),
            ("P", 10_i128.pow(15)),
            ("T", 10_i128.pow(12)),
            ("G", 10_i128.pow(9)),
            ("M", 10_i128.pow(6)),
            ("k", 1000),
        ]
    };
    Some(
        steps
            .iter()
            .find(|(_, size)| units % size == 0)
            .map_or_else(
                || units.to_string(),
                |(suffix, size)| format!("{}{suffix}", units / size),
            ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!(parse("500m"), Some(500));
        assert_eq!(parse("1.5"), Some(1500));
        assert_eq!(parse("64Mi"), Some(64 * 1024 * 1024 * 1000));
        assert_eq!(parse("2G"), Some(2_000_000_000_000));
        assert_eq!(parse("1e3"), Some(1_000_000));
        assert_eq!(parse("1000000n"), Some(1));
        assert_eq!(parse("1500000n"), Some(2));
        assert_eq!(parse("0n"), Some(0));
        assert_eq!(parse("250u"), Some(1));
        assert_eq!(parse("ten"), None);
        assert_eq!(format(500, false), "500m");
        assert_eq!(format(2000, false), "2");
        assert_eq!(format(64 * 1024 * 1024 * 1000, true), "64Mi");
        assert_eq!(format(parse("1024Mi").unwrap_or_default(), true), "1Gi");
    }

    #[test]
    fn canonical_forms_are_kube_apiservers() {
        for (given, stored) in [
            ("1", "1"),
            ("0.5", "500m"),
            ("1000", "1k"),
            ("1500", "1500"),
            ("2000000", "2M"),
            ("1000m", "1"),
            ("1500m", "1500m"),
            ("1024Mi", "1Gi"),
            ("1.5Ki", "1536"),
            ("0.5Gi", "512Mi"),
            ("128Mi", "128Mi"),
            ("1e3", "1e3"),
            ("0", "0"),
            ("100M", "100M"),
        ] {
            assert_eq!(canonical(given).as_deref(), Some(stored), "{given}");
        }
        assert_eq!(canonical("512MB"), None);
    }
}
