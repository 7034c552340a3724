//! The kubectl console's commands and their flags, as data: the server parses command
//! lines with it (`server/src/console/command.rs`) and the browser completes them with
//! it (`crate::live::complete`), so both know the same commands.

/// One flag a command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    pub long: &'static str,
    pub short: Option<char>,
    /// Whether it takes a value (else it is a boolean, `--name=false` allowed).
    pub value: bool,
}

const fn value(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        value: true,
    }
}

const fn boolean(long: &'static str, short: Option<char>) -> Flag {
    Flag {
        long,
        short,
        value: false,
    }
}

/// Flags every command takes.
pub const GLOBAL: &[Flag] = &[
    value("namespace", Some('n')),
    value("request-timeout", None),
];

/// The commands the console runs, with the flags each takes besides the global ones.
pub const COMMANDS: &[(&str, &[Flag])] = &[
    (
        "get",
        &[
            boolean("all-namespaces", Some('A')),
            value("output", Some('o')),
            value("selector", Some('l')),
            value("field-selector", None),
            boolean("show-labels", None),
            boolean("no-headers", None),
            boolean("show-kind", None),
            value("label-columns", Some('L')),
            boolean("ignore-not-found", None),
            boolean("watch", Some('w')),
            boolean("watch-only", None),
            boolean("output-watch-events", None),
        ],
    ),
    (
        "delete",
        &[
            value("filename", Some('f')),
            value("selector", Some('l')),
            boolean("all", None),
            boolean("ignore-not-found", None),
            boolean("wait", None),
            boolean("now", None),
            value("grace-period", None),
        ],
    ),
    (
        "label",
        &[
            value("selector", Some('l')),
            boolean("all", None),
            boolean("overwrite", None),
        ],
    ),
    (
        "annotate",
        &[
            value("selector", Some('l')),
            boolean("all", None),
            boolean("overwrite", None),
        ],
    ),
    (
        "scale",
        &[
            value("replicas", None),
            value("current-replicas", None),
            value("selector", Some('l')),
            boolean("all", None),
        ],
    ),
    (
        "rollout",
        &[
            value("selector", Some('l')),
            value("revision", None),
            value("to-revision", None),
            value("timeout", None),
            boolean("watch", Some('w')),
        ],
    ),
    (
        "apply",
        &[
            value("filename", Some('f')),
            value("dry-run", None),
            value("output", Some('o')),
        ],
    ),
    ("describe", &[value("selector", Some('l'))]),
    (
        "expose",
        &[
            value("port", None),
            value("target-port", None),
            value("type", None),
            value("name", None),
            value("protocol", None),
            value("labels", Some('l')),
            value("selector", None),
            value("dry-run", None),
            value("output", Some('o')),
        ],
    ),
    (
        "set",
        &[
            value("container", Some('c')),
            value("limits", None),
            value("requests", None),
            boolean("list", None),
            value("selector", Some('l')),
            boolean("all", None),
        ],
    ),
    (
        "create",
        &[
            value("from-literal", None),
            value("type", None),
            value("image", None),
            value("replicas", Some('r')),
            value("port", None),
            value("dry-run", None),
            value("output", Some('o')),
        ],
    ),
    (
        "logs",
        &[
            value("container", Some('c')),
            boolean("previous", Some('p')),
            value("tail", None),
            value("since", None),
            boolean("timestamps", None),
            value("selector", Some('l')),
            boolean("all-containers", None),
            boolean("prefix", None),
            boolean("follow", Some('f')),
            value("max-log-requests", None),
        ],
    ),
    (
        "top",
        &[
            boolean("all-namespaces", Some('A')),
            value("selector", Some('l')),
            boolean("containers", None),
            boolean("no-headers", None),
            value("sort-by", None),
        ],
    ),
    (
        "auth",
        &[
            value("subresource", None),
            boolean("quiet", Some('q')),
            value("as", None),
            boolean("list", None),
            boolean("no-headers", None),
        ],
    ),
    (
        "run",
        &[
            value("image", None),
            value("restart", None),
            boolean("rm", None),
            boolean("stdin", Some('i')),
            boolean("tty", Some('t')),
            boolean("attach", None),
            value("labels", Some('l')),
            value("env", None),
            value("port", None),
            boolean("command", None),
            value("dry-run", None),
            value("output", Some('o')),
        ],
    ),
    (
        "exec",
        &[
            value("container", Some('c')),
            boolean("stdin", Some('i')),
            boolean("tty", Some('t')),
            boolean("quiet", Some('q')),
        ],
    ),
    ("cluster-info", &[]),
    (
        "version",
        &[boolean("client", None), value("output", Some('o'))],
    ),
    (
        "config",
        &[
            boolean("current", None),
            boolean("minify", None),
            value("cluster", None),
            value("user", None),
            value("output", Some('o')),
            boolean("no-headers", None),
        ],
    ),
    (
        "port-forward",
        &[value("address", None), value("pod-running-timeout", None)],
    ),
    ("edit", &[value("output", Some('o'))]),
    (
        "attach",
        &[
            value("container", Some('c')),
            boolean("stdin", Some('i')),
            boolean("tty", Some('t')),
            boolean("quiet", Some('q')),
            value("pod-running-timeout", None),
        ],
    ),
    (
        "explain",
        &[
            boolean("recursive", None),
            value("api-version", None),
            value("output", Some('o')),
        ],
    ),
    (
        "api-resources",
        &[
            boolean("namespaced", None),
            value("api-group", None),
            value("output", Some('o')),
            boolean("no-headers", None),
        ],
    ),
];

/// Commands whose first argument is a subcommand, with their subcommands.
pub const SUBCOMMANDS: &[(&str, &[&str])] = &[
    ("auth", &["can-i"]),
    (
        "config",
        &[
            "current-context",
            "get-contexts",
            "set-context",
            "use",
            "use-context",
            "view",
        ],
    ),
    (
        "create",
        &[
            "configmap",
            "deployment",
            "namespace",
            "secret",
            "serviceaccount",
        ],
    ),
    ("set", &["env", "image", "resources"]),
    ("top", &["node", "pod"]),
    (
        "rollout",
        &["history", "pause", "restart", "resume", "status", "undo"],
    ),
];

/// Commands whose arguments name objects (`TYPE NAME`, `TYPE/NAME`), after any
/// subcommand: completion offers kinds, then the workspace's names of that kind.
pub const NAME_OBJECTS: &[&str] = &[
    "get", "describe", "delete", "label", "annotate", "scale", "rollout", "set", "expose", "edit",
];

/// The files a console line names with `-f` or `--filename` (`apply -f a.yaml
/// --filename=b.yaml`): the page sends the text of its panes of those names with the
/// line, as the console reads no files. Pane names hold no spaces or quotes, so words
/// split on spaces do; a word that names no pane (`logs -f web`) is sent nothing.
pub fn filenames(line: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut words = line.split_whitespace();
    while let Some(word) = words.next() {
        let name = match word {
            "-f" | "--filename" => words.next(),
            _ => word
                .strip_prefix("--filename=")
                .or_else(|| word.strip_prefix("-f="))
                .or_else(|| word.strip_prefix("-f").filter(|n| !n.is_empty())),
        };
        names.extend(name.map(|n| n.trim_matches(['\'', '"'])));
    }
    names
}

/// Whether a console line gives the command what the attendee types (`kubectl exec -i`):
/// `Some(true)` with a terminal (`-t`: the command echoes what is typed), `Some(false)`
/// without; `None` for a line that reads nothing.
pub fn reads_stdin(line: &str) -> Option<bool> {
    let words: Vec<&str> = line.split_whitespace().take_while(|w| *w != "--").collect();
    let rest = match words.as_slice() {
        ["kubectl", "exec", rest @ ..] | ["exec", rest @ ..] => rest,
        _ => return None,
    };
    let (mut stdin, mut tty) = (false, false);
    for word in rest {
        match *word {
            "--stdin" | "--stdin=true" => stdin = true,
            "--tty" | "--tty=true" => tty = true,
            short if short.starts_with('-') && !short.starts_with("--") => {
                let letters = &short[1..];
                // `-c NAME`, `-n NAME` take values; `-it` bundles booleans.
                if letters.chars().all(|c| c == 'i' || c == 't') {
                    stdin |= letters.contains('i');
                    tty |= letters.contains('t');
                }
            }
            _ => {}
        }
    }
    stdin.then_some(tty)
}

/// The subcommands of `command`, if it has any.
pub fn subcommands(command: &str) -> Option<&'static [&'static str]> {
    SUBCOMMANDS
        .iter()
        .find(|(name, _)| *name == command)
        .map(|(_, subs)| *subs)
}

/// The flags `command` takes (the global ones first), if the console runs it.
pub fn flags(command: &str) -> Option<Vec<Flag>> {
    COMMANDS
        .iter()
        .find(|(name, _)| *name == command)
        .map(|(_, own)| GLOBAL.iter().chain(own.iter()).copied().collect())
}

#[cfg(test)]
mod tests {
    use super::{filenames, reads_stdin};

    #[test]
    fn exec_with_stdin_reads_what_is_typed() {
        assert_eq!(reads_stdin("kubectl exec -it web -- sh"), Some(true));
        assert_eq!(
            reads_stdin("kubectl exec -i web -n server -- sh"),
            Some(false)
        );
        assert_eq!(
            reads_stdin("kubectl exec --stdin --tty web -- sh"),
            Some(true)
        );
        assert_eq!(reads_stdin("kubectl exec web -- sh -i"), None);
        assert_eq!(reads_stdin("kubectl get pods -i"), None);
    }

    #[test]
    fn the_files_a_line_names_are_found_as_kubectl_reads_them() {
        assert_eq!(
            filenames("kubectl apply -f a.yaml --filename=b.yaml -fc.yaml -f=d.yaml"),
            ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]
        );
        assert_eq!(
            filenames("kubectl delete --filename 'web.yaml'"),
            ["web.yaml"]
        );
        assert!(filenames("kubectl get pods --field-selector x=y").is_empty());
    }
}
