//! Where in a manifest an error points: the API server names a field path
//! (`spec.template.spec.containers[0].image`), and the attendee wants the line it is on,
//! not just the line the document starts on.

/// The field path an API server message is about, if it names one:
/// `… is invalid: spec.replicas: Invalid value …`, `unknown field "spec.replica"`,
/// `duplicate field "metadata.name"`.
pub fn field_path(message: &str) -> Option<&str> {
    for quoted in ["unknown field \"", "duplicate field \""] {
        if let Some(rest) = message.split_once(quoted).map(|(_, r)| r) {
            return rest.split('"').next().filter(|p| !p.is_empty());
        }
    }
    let rest = message
        .split_once("is invalid: ")?
        .1
        .trim_start_matches('[');
    let path = rest.split(": ").next()?;
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-[]/".contains(c));
    (plain && !path.is_empty()).then_some(path)
}

/// The line (from 1) of `path` in the document of `text` that starts on `start` (from 1),
/// found by indentation as a reader would; `None` when the path is not written there
/// (a defaulted or missing field).
pub fn field_line(text: &str, start: usize, path: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let first = start.checked_sub(1)?;
    let end = (first + 1..lines.len())
        .find(|&i| lines[i].starts_with("---"))
        .unwrap_or(lines.len());
    let indent = |l: &str| l.len() - l.trim_start().len();
    let meaningful = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    // The block being searched: lines after `from`, deeper than `parent`.
    let (mut from, mut parent): (usize, Option<usize>) = (first, None);
    let mut found = None;
    for segment in path.split('.') {
        let (key, index) = match segment.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let start_at = if found.is_some() { from + 1 } else { from };
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().take(end).skip(start_at) {
            if !meaningful(line) {
                continue;
            }
            match parent {
                Some(p) if indent(line) <= p => break,
                // A top-level key sits at the document's own indentation.
                None if indent(line) != indent(lines[first]) => continue,
                _ => {}
            }
            let body = line.trim_start().trim_start_matches("- ");
            if body.strip_prefix(key).is_some_and(|r| r.starts_with(':')) {
                hit = Some(i);
                break;
            }
        }
        let at = hit?;
        // The key's column: after a leading "- " when the key opens a list item.
        let column = indent(lines[at])
            + if lines[at].trim_start().starts_with("- ") {
                2
            } else {
                0
            };
        let (mut line, mut depth) = (at, column);
        if let Some(n) = index {
            let items: Vec<usize> = (at + 1..end)
                .take_while(|&i| {
                    !meaningful(lines[i])
                        || indent(lines[i]) > column
                        || lines[i].trim_start().starts_with("- ") && indent(lines[i]) >= column
                })
                .filter(|&i| lines[i].trim_start().starts_with("- "))
                .collect();
            let item_indent = items.first().map(|&i| indent(lines[i]))?;
            line = *items
                .iter()
                .filter(|&&i| indent(lines[i]) == item_indent)
                .nth(n)?;
            depth = item_indent;
        }
        found = Some(line);
        from = line;
        parent = Some(depth);
    }
    found.map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  template:\n    spec:\n      containers:\n        - name: app\n          image: demo:1\n        - name: side\n          image: \"\"\n";

    #[test]
    fn paths_come_from_the_api_servers_words() {
        assert_eq!(
            field_path(
                "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
            ),
            Some("spec.replicas")
        );
        assert_eq!(
            field_path(
                "Deployment.apps \"web\" is invalid: [spec.template.spec.containers[1].image: Required value, spec.x: …]"
            ),
            Some("spec.template.spec.containers[1].image")
        );
        assert_eq!(
            field_path("strict decoding error: unknown field \"spec.replica\""),
            Some("spec.replica")
        );
        assert_eq!(
            field_path("namespace \"prod\" is not in your workspace"),
            None
        );
    }

    #[test]
    fn a_path_is_found_by_indentation_in_its_own_document() {
        assert_eq!(field_line(DEPLOYMENT, 6, "spec.replicas"), Some(11));
        assert_eq!(field_line(DEPLOYMENT, 6, "metadata.name"), Some(9));
        assert_eq!(
            field_line(DEPLOYMENT, 6, "spec.template.spec.containers[1].image"),
            Some(18)
        );
        assert_eq!(
            field_line(DEPLOYMENT, 6, "spec.template.spec.containers[0]"),
            Some(15)
        );
        // Not written: the caller keeps the document's first line.
        assert_eq!(field_line(DEPLOYMENT, 6, "spec.selector"), None);
        assert_eq!(field_line(DEPLOYMENT, 1, "spec.replicas"), None);
    }
}
