//! YAML as kubectl prints it (`-o yaml`): sigs.k8s.io/yaml's output, which is go-yaml v2's
//! emitter over JSON — keys in order, sequences not indented under their key, a string
//! that would read back as something else (`"167"`, `""`, `"true"`, a timestamp)
//! double-quoted, one plain style cannot carry single-quoted, several lines as a literal
//! block. serde_yaml quotes differently (`'167'`), and attendees compare with kubectl.

use serde_json::Value;

/// `value` as a YAML document.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => sequence(&mut out, items, 0),
        other => {
            out.push_str(&inline(other, 0, 0));
            out.push('\n');
        }
    }
    out
}

fn mapping(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            push_indent(out, indent);
        }
        let key = string(key, indent, None);
        let column = indent + key.chars().count() + 2;
        out.push_str(&key);
        out.push(':');
        match value {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                push_indent(out, indent + 2);
                mapping(out, inner, indent + 2);
            }
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                push_indent(out, indent);
                sequence(out, items, indent);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other, indent + 2, column));
                out.push('\n');
            }
        }
    }
}

fn sequence(out: &mut String, items: &[Value], indent: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            push_indent(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(inner) if !inner.is_empty() => mapping(out, inner, indent + 2),
            Value::Array(inner) if !inner.is_empty() => sequence(out, inner, indent + 2),
            other => {
                out.push_str(&inline(other, indent + 2, indent + 2));
                out.push('\n');
            }
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar, or an empty collection, on the line of its key or dash, starting at
/// `column`; a long one goes on at `indent`.
fn inline(value: &Value, indent: usize, column: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, indent, Some(column)),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// A string in the style go-yaml v2 picks for it, folded at spaces past the 80th column
/// as its emitter folds (`column` is where it starts; a key, `None`, is never folded).
fn string(s: &str, indent: usize, column: Option<usize>) -> String {
    if s.contains('\n') && !s.chars().any(|c| c != '\n' && is_special(c)) {
        return literal(s, indent);
    }
    let (open, body, close) = if reads_as_other(s) || s.chars().any(is_special) {
        ("\"", double_quoted(s), "\"")
    } else if plain_allowed(s) {
        ("", s.to_string(), "")
    } else {
        ("'", s.replace('\'', "''"), "'")
    };
    let folded = match column {
        Some(column) => fold(&body, column + open.len(), indent, !open.is_empty()),
        None => body,
    };
    format!("{open}{folded}{close}")
}

/// go-yaml's emitter's line folding: a space met past the best width (80) becomes a line
/// break and the indentation, unless a space follows it (or, quoted, it is the first or
/// last character).
fn fold(text: &str, mut column: usize, indent: usize, quoted: bool) -> String {
    const BEST_WIDTH: usize = 80;
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut after_space = false;
    for (i, &c) in chars.iter().enumerate() {
        let inner = !quoted || (i != 0 && i + 1 != chars.len());
        if c == ' ' {
            if !after_space && column > BEST_WIDTH && inner && chars.get(i + 1) != Some(&' ') {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent));
                column = indent;
            } else {
                out.push(' ');
                column += 1;
            }
            after_space = true;
        } else {
            out.push(c);
            column += 1;
            after_space = false;
        }
    }
    out
}

/// Characters go-yaml will not print as they are.
fn is_special(c: char) -> bool {
    (c < ' ' && c != '\n') || c == '\u{7f}' || c == '\u{feff}'
}

/// A literal block: `|` (one final newline), `|-` (none), `|+` (more).
fn literal(s: &str, indent: usize) -> String {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let hint = if s.starts_with(' ') { "2" } else { "" };
    let mut out = format!("|{hint}{chomp}");
    let body = s.strip_suffix('\n').unwrap_or(s);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(line);
        }
    }
    out
}

/// The inside of a double-quoted scalar.
fn double_quoted(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if is_special(c) => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Whether a plain `s` would read back as something other than this string: null, a
/// boolean (YAML 1.1's `yes`, `on`, `y` too), a number, a sexagesimal, a timestamp.
fn reads_as_other(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN", "<<",
    ];
    WORDS.contains(&s) || is_number(s) || is_sexagesimal(s) || is_timestamp(s)
}

fn is_number(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let plain = unsigned.replace('_', "");
    if plain.is_empty() {
        return false;
    }
    if let Some(hex) = plain.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(bin) = plain.strip_prefix("0b") {
        return !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1');
    }
    // Decimal and octal integers, and floats: digits, one point, an exponent.
    let (mantissa, exponent) = match plain.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (plain.as_str(), None),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    exponent_ok
        && digits(whole)
        && digits(fraction)
        && (!whole.is_empty() || !fraction.is_empty())
        && (exponent.is_none() || !whole.is_empty() || !fraction.is_empty())
}

fn is_sexagesimal(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (integer, _) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut parts = integer.split(':');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && first.starts_with(|c: char| c.is_ascii_digit())
        && first.chars().all(|c| c.is_ascii_digit() || c == '_')
        && rest.iter().all(|p| {
            (1..=2).contains(&p.len())
                && p.chars().all(|c| c.is_ascii_digit())
                && p.parse::<u8>().is_ok_and(|n| n < 60)
        })
}

/// `2006-1-2`, optionally followed by `T`/`t`/space and a time: YAML 1.1 timestamps.
fn is_timestamp(s: &str) -> bool {
    let date_end = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let date: Vec<&str> = s[..date_end].split('-').collect();
    let date_ok = date.len() == 3
        && date[0].len() == 4
        && date[1..].iter().all(|p| (1..=2).contains(&p.len()))
        && date.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
    if !date_ok {
        return false;
    }
    let time = &s[date_end..];
    time.is_empty()
        || time[1..]
            .split([':', '.', 'Z', '+', '-', ' '])
            .next()
            .is_some_and(|h| (1..=2).contains(&h.len()) && h.chars().all(|c| c.is_ascii_digit()))
}

/// Whether go-yaml's emitter may print `s` plain in a block (its scalar analysis).
fn plain_allowed(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    let second = s.chars().nth(1);
    let space_or_end = |c: Option<char>| c.is_none_or(|c| c == ' ');
    if s.starts_with(' ') || s.ends_with(' ') {
        return false;
    }
    if (s.starts_with("---") || s.starts_with("...")) && space_or_end(s.chars().nth(3)) {
        return false;
    }
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    if "?:-".contains(first) && space_or_end(second) {
        return false;
    }
    !(s.contains(": ") || s.ends_with(':') || s.contains(" #"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_quoted_as_go_yaml_quotes_them() {
        for (s, printed) in [
            ("Ada", "Ada"),
            ("167", "\"167\""),
            ("", "\"\""),
            ("true", "\"true\""),
            ("yes", "\"yes\""),
            ("1.5", "\"1.5\""),
            ("1e3", "\"1e3\""),
            ("0x1F", "\"0x1F\""),
            ("1:20", "\"1:20\""),
            ("2026-12-06T07:36:24Z", "\"2026-12-06T07:36:24Z\""),
            ("2026-12-06", "\"2026-12-06\""),
            ("v1", "v1"),
            ("10.96.0.1", "10.96.0.1"),
            ("Hello <you> & \"them\"", "Hello <you> & \"them\""),
            ("*", "'*'"),
            ("a: b", "'a: b'"),
            ("- x", "'- x'"),
            ("it's", "it's"),
            ("'quoted'", "'''quoted'''"),
            ("tab\there", "\"tab\\there\""),
            (
                ".status.conditions[?(@.type==\"Ready\")].status",
                ".status.conditions[?(@.type==\"Ready\")].status",
            ),
        ] {
            assert_eq!(string(s, 0, Some(0)), printed, "{s:?}");
        }
    }

    #[test]
    fn long_strings_fold_past_the_eightieth_column() {
        let long = "a long line of words that goes on and on well past the eighty columns a YAML emitter may fold at";
        assert_eq!(
            to_string(&json!({"data": {"LONG": long}})),
            "data:\n  LONG: a long line of words that goes on and on well past the eighty columns a YAML\n    emitter may fold at\n"
        );
    }

    #[test]
    fn documents_are_laid_out_as_kubectl_prints_them() {
        let object = json!({
            "apiVersion": "v1",
            "data": {"script": "echo one\necho two\n", "empty": ""},
            "items": [{"a": 1, "b": [true, null]}, "x", []],
            "metadata": {"labels": {}, "name": "web"},
        });
        assert_eq!(
            to_string(&object),
            "apiVersion: v1\ndata:\n  script: |\n    echo one\n    echo two\n  empty: \"\"\nitems:\n- a: 1\n  b:\n  - true\n  - null\n- x\n- []\nmetadata:\n  labels: {}\n  name: web\n"
        );
    }
}
