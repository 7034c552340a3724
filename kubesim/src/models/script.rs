//! The shell's language as far as the models speak it: statements split at `;`, `&&` and
//! newlines (quoted text kept whole), `$NAME` and `${NAME}` from the environment, and
//! `sh -c SCRIPT` (each statement run as the container runs a command, `&&` skipping
//! after a failure, `exit N` ending it).

/// Whether `program` is a shell: `sh`, `/bin/ash`, `bash`, `dash`.
pub fn is_shell(program: &str) -> bool {
    matches!(
        program.rsplit('/').next(),
        Some("sh" | "ash" | "bash" | "dash")
    )
}

/// Statements with the separator after each.
pub fn statements(script: &str) -> Vec<(Vec<String>, &'static str)> {
    let mut result = Vec::new();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = script.chars().peekable();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, ';' | '\n') | (None, '&') => {
                if c == '&' && chars.peek() == Some(&'&') {
                    chars.next();
                }
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                let sep = if c == '&' { "&&" } else { ";" };
                result.push((std::mem::take(&mut words), sep));
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    result.push((words, ";"));
    result
}

/// `word` with `$NAME` and `${NAME}` replaced by `lookup`'s values (empty when unset).
pub fn expand<'a>(word: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut result = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        result.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, tail) = if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            (&inner[..end], inner.get(end + 1..).unwrap_or(""))
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        if name.is_empty() {
            result.push('$');
        } else {
            result.push_str(lookup(name).unwrap_or(""));
        }
        rest = tail;
    }
    result.push_str(rest);
    result
}

/// Runs `script` as `sh -c` does: each command through `exec` (its exit status and
/// output), words expanded from `lookup`. Its exit status and what it printed.
pub fn run<'a>(
    script: &str,
    lookup: impl Fn(&str) -> Option<&'a str> + Copy,
    exec: impl Fn(&[String]) -> (i32, String),
) -> (i32, String) {
    let mut status = 0;
    let mut printed = String::new();
    let mut after_and = false;
    for (words, separator) in statements(script) {
        let skip = after_and && status != 0;
        after_and = separator == "&&";
        if skip || words.is_empty() {
            continue;
        }
        let argv: Vec<String> = words.iter().map(|w| expand(w, lookup)).collect();
        if argv[0] == "exit" {
            return (exit_code(argv.get(1), status), printed);
        }
        let (code, output) = exec(&argv);
        status = code;
        printed.push_str(&output);
    }
    (status, printed)
}

/// `exit N`'s status, as a shell gives it (N modulo 256), or the last one's without N.
pub fn exit_code(given: Option<&String>, last: i32) -> i32 {
    given
        .and_then(|c| c.parse::<i64>().ok())
        .and_then(|c| i32::try_from(c.rem_euclid(256)).ok())
        .unwrap_or(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_and_expand_as_a_shell_does() {
        let split = statements("echo 'a; b' && false; echo c");
        assert_eq!(split.len(), 3);
        assert_eq!(
            split[0],
            (vec!["echo".to_string(), "a; b".to_string()], "&&")
        );
        let env = |name: &str| (name == "WHO").then_some("Ada");
        assert_eq!(expand("hi $WHO ${WHO}!", env), "hi Ada Ada!");
        assert_eq!(expand("$NOPE$", env), "$");
        assert_eq!(exit_code(Some(&"256".to_string()), 1), 0);
        assert_eq!(exit_code(Some(&"-1".to_string()), 0), 255);
        assert_eq!(exit_code(None, 4), 4);
    }
}
