//! kubectl's JSONPath templates (`-o jsonpath=…`, the columns of `-o custom-columns=…`):
//! text with `{…}` actions — fields (`.a.b`, `['a']`), recursive descent (`..name`),
//! indexes and slices (`[0]`, `[-1]`, `[1:3]`, `[*]`), filters (`[?(@.name=="web")]`,
//! `[?(@.ready)]`), `{range …}…{end}` and quoted literals (`{"\n"}`). Values print as
//! kubectl prints them: strings as they are, numbers and booleans in Go's notation,
//! objects and lists as compact JSON with sorted keys, several values of one action
//! separated by a space. A missing key prints nothing (kubectl's
//! `--allow-missing-template-keys`).

use serde_json::Value;

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template(Vec<Node>);

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Descend(String),
    All,
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    Filter(Vec<Step>, Option<(String, Value)>),
}

impl Template {
    /// Parses `text`; the error reads as kubectl's parse errors do.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
        let mut nodes = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                nodes.push(Node::Text(rest.to_string()));
                break;
            };
            if open > 0 {
                nodes.push(Node::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = closing(after).ok_or_else(|| format!("unclosed action in {text:?}"))?;
            let action = after[..close].trim();
            rest = &after[close + 1..];
            if let Some(path) = action.strip_prefix("range ") {
                stack.push((path_of(path.trim())?, std::mem::take(&mut nodes)));
            } else if action == "end" {
                let (path, outer) = stack.pop().ok_or("not in range, nothing to end")?;
                let body = std::mem::replace(&mut nodes, outer);
                nodes.push(Node::Range(path, body));
            } else if action.starts_with('"') {
                nodes.push(Node::Text(literal(action)?));
            } else {
                nodes.push(Node::Path(path_of(action)?));
            }
        }
        if !stack.is_empty() {
            return Err("unclosed range".into());
        }
        Ok(Template(nodes))
    }

    /// The template applied to `root`.
    pub fn render(&self, root: &Value) -> String {
        let mut out = String::new();
        render(&self.0, root, root, &mut out);
        out
    }

    /// The values the template's (first) path finds in `root`, for a custom column.
    pub fn values<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        match self.0.iter().find(|n| matches!(n, Node::Path(_))) {
            Some(Node::Path(steps)) => eval(steps, root, root),
            _ => Vec::new(),
        }
    }
}

/// Where an action's `}` is (not counting braces inside quotes).
fn closing(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '}') => return Some(i),
            _ => {}
        }
    }
    None
}

fn literal(action: &str) -> Result<String, String> {
    let inner = action
        .strip_prefix('"')
        .and_then(|a| a.strip_suffix('"'))
        .ok_or_else(|| format!("unclosed quote in {action}"))?;
    Ok(inner
        .replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\\"", "\""))
}

fn path_of(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut rest = text.trim_start_matches(['$', '@']);
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("..") {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            steps.push(Step::Descend(after[..end].to_string()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            match &after[..end] {
                "" => {}
                "*" => steps.push(Step::All),
                name => steps.push(Step::Field(name.to_string())),
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end =
                closing_bracket(after).ok_or_else(|| format!("unterminated array in {text}"))?;
            steps.push(index(&after[..end])?);
            rest = &after[end + 1..];
        } else {
            return Err(format!("unrecognized character in action: {text}"));
        }
    }
    Ok(steps)
}

fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') if depth == 0 => return Some(i),
            (None, ']') => depth -= 1,
            _ => {}
        }
    }
    None
}

fn index(inner: &str) -> Result<Step, String> {
    let inner = inner.trim();
    if inner == "*" {
        return Ok(Step::All);
    }
    if let Some(name) = inner
        .strip_prefix('\'')
        .and_then(|i| i.strip_suffix('\''))
        .or_else(|| inner.strip_prefix('"').and_then(|i| i.strip_suffix('"')))
    {
        return Ok(Step::Field(name.to_string()));
    }
    if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        return filter_of(filter);
    }
    let number = |s: &str| -> Result<Option<i64>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .map_err(|_| format!("invalid array index {s}"))
    };
    match inner.split_once(':') {
        Some((from, to)) => Ok(Step::Slice(
            number(from)?,
            number(to.split(':').next().unwrap_or(""))?,
        )),
        None => number(inner)?
            .map(Step::Index)
            .ok_or_else(|| "empty array index".into()),
    }
}

fn filter_of(filter: &str) -> Result<Step, String> {
    for op in ["==", "!="] {
        if let Some((left, right)) = filter.split_once(op) {
            let right = right.trim();
            let value = match right
                .strip_prefix(['"', '\''])
                .and_then(|r| r.strip_suffix(['"', '\'']))
            {
                Some(text) => Value::String(text.to_string()),
                None => serde_json::from_str(right)
                    .map_err(|_| format!("unrecognized filter value {right}"))?,
            };
            return Ok(Step::Filter(
                path_of(left.trim())?,
                Some((op.to_string(), value)),
            ));
        }
    }
    Ok(Step::Filter(path_of(filter.trim())?, None))
}

fn render(nodes: &[Node], root: &Value, current: &Value, out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Path(steps) => {
                let values = eval(steps, root, current);
                let texts: Vec<String> = values.into_iter().map(text).collect();
                out.push_str(&texts.join(" "));
            }
            Node::Range(steps, body) => {
                for value in eval(steps, root, current) {
                    render(body, root, value, out);
                }
            }
        }
    }
}

fn eval<'a>(steps: &[Step], _root: &'a Value, current: &'a Value) -> Vec<&'a Value> {
    let mut values = vec![current];
    for step in steps {
        let mut next = Vec::new();
        for value in values {
            apply(step, value, &mut next);
        }
        values = next;
    }
    values
}

fn apply<'a>(step: &Step, value: &'a Value, out: &mut Vec<&'a Value>) {
    match (step, value) {
        (Step::Field(name), Value::Object(map)) => out.extend(map.get(name)),
        (Step::Descend(name), _) => descend(name, value, out),
        (Step::All, Value::Array(items)) => out.extend(items),
        (Step::All, Value::Object(map)) => out.extend(map.values()),
        (Step::Index(i), Value::Array(items)) => {
            let at = if *i < 0 { items.len() as i64 + i } else { *i };
            out.extend(usize::try_from(at).ok().and_then(|at| items.get(at)));
        }
        (Step::Slice(from, to), Value::Array(items)) => {
            let len = items.len() as i64;
            let clamp = |n: i64| {
                usize::try_from(if n < 0 { len + n } else { n }.clamp(0, len)).unwrap_or(0)
            };
            let (from, to) = (clamp(from.unwrap_or(0)), clamp(to.unwrap_or(len)));
            if from < to {
                out.extend(&items[from..to]);
            }
        }
        (Step::Filter(path, test), Value::Array(items)) => {
            for item in items {
                let found = eval(path, item, item);
                let keep = match test {
                    None => found
                        .iter()
                        .any(|v| !matches!(v, Value::Null | Value::Bool(false))),
                    Some((op, wanted)) => {
                        let equal = found.contains(&wanted);
                        (op == "==") == equal
                    }
                };
                if keep {
                    out.push(item);
                }
            }
        }
        _ => {}
    }
}

fn descend<'a>(name: &str, value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if let Some(found) = map.get(name) {
                out.push(found);
            }
            for child in map.values() {
                descend(name, child, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                descend(name, item, out);
            }
        }
        _ => {}
    }
}

/// A value as kubectl's JSONPath prints it.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Object(_) | Value::Array(_) => {
            let sorted = sorted(value);
            go_escaped(&serde_json::to_string(&sorted).unwrap_or_default())
        }
        other => other.to_string(),
    }
}

/// JSON as Go's encoder writes it: `<`, `>`, `&` and the line and paragraph separators
/// escaped (they can only occur inside strings).
pub(super) fn go_escaped(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(template: &str, value: &Value) -> String {
        Template::parse(template).expect("template").render(value)
    }

    #[test]
    fn paths_ranges_and_filters_read_as_kubectls() {
        let list = json!({"items": [
            {"metadata": {"name": "a"}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}},
            {"metadata": {"name": "b"}, "spec": {"containers": [{"name": "app", "image": "busybox"}, {"name": "side", "image": "x"}]}},
        ]});
        assert_eq!(render("{.items[*].metadata.name}", &list), "a b");
        assert_eq!(render("{.items[-1].metadata.name}", &list), "b");
        assert_eq!(render("{.items[0:1].metadata.name}", &list), "a");
        assert_eq!(
            render(
                "{range .items[*]}{.metadata.name}{\"\\t\"}{.spec.containers[0].image}{\"\\n\"}{end}",
                &list
            ),
            "a\tnginx\nb\tbusybox\n"
        );
        assert_eq!(render("{..image}", &list), "nginx busybox x");
        assert_eq!(
            render(
                "{.items[?(@.metadata.name==\"b\")].spec.containers[*].name}",
                &list
            ),
            "app side"
        );
        assert_eq!(
            render("names: {.items[*]['metadata']['name']}!", &list),
            "names: a b!"
        );
        assert_eq!(render("{.nope}", &list), "");
        assert_eq!(
            render("{.items[0].spec}", &list),
            r#"{"containers":[{"image":"nginx","name":"app"}]}"#
        );
        assert!(Template::parse("{.items[0}").is_err());
        assert!(Template::parse("{range .items[*]}{.x}").is_err());
    }
}
