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
}
