//! A console line split into words as a shell would quote them (`'…'`, `"…"`, `\`, `#`
//! comments), and
//! refused when it holds what only a shell does: pipes, lists, redirections, substitutions,
//! globs and variables (quoted, they are plain characters). The console runs one command; it never hands text to a shell.

/// The characters a shell would act on when they are not quoted.
const SHELL_SYNTAX: &[(char, &str)] = &[
    ('|', "a pipe"),
    (';', "a command list"),
    ('&', "a background job or command list"),
    ('>', "a redirection"),
    ('<', "a redirection"),
    ('`', "a command substitution"),
    ('$', "a variable or substitution"),
    ('(', "a subshell"),
    (')', "a subshell"),
    ('*', "a glob"),
];

/// Splits `line` into words, or says why the console will not run it.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            '\n' | '\r' => return Err("the console runs one line at a time".into()),
            // A comment, as in a shell: from a word's start to the end of the line (the
            // lessons' `curl http://localhost:8000/   # Hello`).
            '#' if !started => break,
            '\'' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a quote (') is not closed".into()),
                    }
                }
            }
            '"' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("a quote (\") is not closed".into()),
                        },
                        Some(c @ ('$' | '`')) => return Err(refusal(c)),
                        Some(c) => word.push(c),
                        None => return Err("a quote (\") is not closed".into()),
                    }
                }
            }
            '\\' => {
                started = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("a line may not end with \\".into()),
                }
            }
            c if SHELL_SYNTAX.iter().any(|(s, _)| *s == c) => return Err(refusal(c)),
            c => {
                started = true;
                word.push(c);
            }
        }
    }
    if started {
        words.push(word);
    }
    Ok(words)
}

fn refusal(c: char) -> String {
    let what = SHELL_SYNTAX
        .iter()
        .find(|(s, _)| *s == c)
        .map_or("shell syntax", |(_, w)| w);
    format!(
        "error: the console runs one kubectl or curl command without a shell: \"{c}\" ({what}) is shell syntax; quote it if it is part of an argument"
    )
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn a_comment_ends_the_line_as_in_a_shell() {
        assert_eq!(
            split("curl http://localhost:8000/      # Hello, I'm Ada").unwrap(),
            ["curl", "http://localhost:8000/"]
        );
        assert_eq!(
            split("kubectl get cm a#b '# kept'").unwrap(),
            ["kubectl", "get", "cm", "a#b", "# kept"]
        );
    }

    #[test]
    fn words_are_split_and_unquoted_as_a_shell_would() {
        assert_eq!(
            split(r#"kubectl get  pods -l 'app in (web, db)' -o "jsonpath={.items[*].metadata.name}" a\ b"#)
                .unwrap(),
            [
                "kubectl",
                "get",
                "pods",
                "-l",
                "app in (web, db)",
                "-o",
                "jsonpath={.items[*].metadata.name}",
                "a b"
            ]
        );
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split("echo ''").unwrap(), ["echo", ""]);
    }

    #[test]
    fn shell_syntax_is_refused_with_what_it_is() {
        for (line, what) in [
            ("kubectl get pods | grep web", "a pipe"),
            ("kubectl get pods; rm -rf /", "a command list"),
            ("kubectl get pods > /etc/passwd", "a redirection"),
            (
                "kubectl get $(cat /etc/passwd)",
                "a variable or substitution",
            ),
            ("kubectl get \"$HOME\"", "a variable or substitution"),
            ("kubectl get `id`", "a command substitution"),
            ("kubectl get pods &", "a background job"),
            ("kubectl get po*", "a glob"),
        ] {
            let error = split(line).unwrap_err();
            assert!(error.contains(what), "{line}: {error}");
        }
        assert!(
            split("kubectl get 'pods")
                .unwrap_err()
                .contains("not closed")
        );
        assert!(split("kubectl get\nrm").unwrap_err().contains("one line"));
    }
}
