//! Tab completion for the kubectl console: the word under the cursor (the end of the
//! line) completed from the console's commands and flags (`crate::model::console`), the
//! kinds kubectl names (`crate::model::kinds`), and the workspace's namespaces and object
//! names as the live stream knows them. Plain Rust, tested natively.

use crate::model::console::{COMMANDS, NAME_OBJECTS, flags, subcommands};
use crate::model::kinds::{self, KINDS};

/// An object of the workspace, as completion needs it.
pub struct Known<'a> {
    pub namespace: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
}

/// What Tab does to a line: the line with the word completed as far as every candidate
/// agrees, and the candidates when there are several (to show).
#[derive(Debug, PartialEq)]
pub struct Completion {
    pub line: String,
    pub candidates: Vec<String>,
}

/// Completes the last word of `line`.
pub fn complete(line: &str, objects: &[Known]) -> Completion {
    let (head, word) = match line.rfind(' ') {
        Some(at) => line.split_at(at + 1),
        None => ("", line),
    };
    let before: Vec<&str> = head.split_whitespace().collect();
    let mut candidates: Vec<String> = options(&before, word, objects)
        .into_iter()
        .filter(|c| c.starts_with(word))
        .collect();
    candidates.sort();
    candidates.dedup();
    match candidates.as_slice() {
        [] => Completion {
            line: line.to_string(),
            candidates,
        },
        [only] => Completion {
            line: format!("{head}{only} "),
            candidates: Vec::new(),
        },
        several => Completion {
            line: format!("{head}{}", common_prefix(several)),
            candidates,
        },
    }
}

/// Everything that could stand where `word` is, after the words `before`.
fn options(before: &[&str], word: &str, objects: &[Known]) -> Vec<String> {
    let Some((&program, args)) = before.split_first() else {
        return vec!["kubectl".into()];
    };
    if program != "kubectl" {
        return Vec::new();
    }
    let command = args.iter().find(|a| !a.starts_with('-')).copied();
    let previous = args.last().copied();
    if matches!(previous, Some("-n" | "--namespace")) {
        return namespaces(objects);
    }
    if word.starts_with("--namespace=") {
        return namespaces(objects)
            .into_iter()
            .map(|n| format!("--namespace={n}"))
            .collect();
    }
    let Some(command) = command else {
        return COMMANDS.iter().map(|(name, _)| name.to_string()).collect();
    };
    if word.starts_with('-') {
        return flags(command)
            .unwrap_or_default()
            .iter()
            .map(|f| format!("--{}", f.long))
            .collect();
    }
    let mut positional: Vec<&str> = args
        .iter()
        .skip_while(|a| **a != command)
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .copied()
        .collect();
    if let Some(subs) = subcommands(command) {
        if positional.is_empty() {
            return subs.iter().map(|s| s.to_string()).collect();
        }
        positional.remove(0);
    }
    if !NAME_OBJECTS.contains(&command) {
        return Vec::new();
    }
    // `TYPE/NAME`: the names of that kind.
    if let Some((kind, _)) = word.split_once('/') {
        return names(kind, objects)
            .into_iter()
            .map(|n| format!("{kind}/{n}"))
            .collect();
    }
    match positional.first() {
        None => KINDS
            .iter()
            .flat_map(|k| std::iter::once(k.plural).chain(k.aliases.iter().copied()))
            .map(str::to_string)
            .collect(),
        Some(kind) => names(kind, objects),
    }
}

fn namespaces(objects: &[Known]) -> Vec<String> {
    objects.iter().map(|o| o.namespace.to_string()).collect()
}

/// The names of the workspace's objects of the kind kubectl calls `name`.
fn names(name: &str, objects: &[Known]) -> Vec<String> {
    let Some(kind) = kinds::lookup(name) else {
        return Vec::new();
    };
    objects
        .iter()
        .filter(|o| o.kind == kind.kind)
        .map(|o| o.name.to_string())
        .collect()
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut end = first.len();
    for word in &words[1..] {
        end = first
            .char_indices()
            .zip(word.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(end);
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECTS: &[Known] = &[
        Known {
            namespace: "server",
            kind: "Pod",
            name: "web-5d8c-abcde",
        },
        Known {
            namespace: "server",
            kind: "Pod",
            name: "web-5d8c-fghij",
        },
        Known {
            namespace: "server",
            kind: "Deployment",
            name: "web",
        },
        Known {
            namespace: "database",
            kind: "Service",
            name: "mysql",
        },
    ];

    fn tab(line: &str) -> Completion {
        complete(line, OBJECTS)
    }

    #[test]
    fn commands_kinds_and_names_complete() {
        assert_eq!(tab("kub").line, "kubectl ");
        assert_eq!(tab("kubectl g").line, "kubectl get ");
        assert_eq!(tab("kubectl get deploy").line, "kubectl get deploy");
        assert!(
            tab("kubectl get deploy")
                .candidates
                .contains(&"deployments".to_string())
        );
        assert_eq!(tab("kubectl get svc my").line, "kubectl get svc mysql ");
        assert_eq!(
            tab("kubectl get deployment/w").line,
            "kubectl get deployment/web "
        );
        let pods = tab("kubectl get pods w");
        assert_eq!(pods.line, "kubectl get pods web-5d8c-");
        assert_eq!(pods.candidates, ["web-5d8c-abcde", "web-5d8c-fghij"]);
        assert_eq!(
            tab("kubectl get pods -n se").line,
            "kubectl get pods -n server "
        );
        assert_eq!(tab("kubectl -n d").line, "kubectl -n database ");
    }

    #[test]
    fn commands_that_change_objects_complete_subcommands_kinds_and_names() {
        assert_eq!(tab("kubectl rollout res").candidates, ["restart", "resume"]);
        assert_eq!(
            tab("kubectl rollout restart deployment/w").line,
            "kubectl rollout restart deployment/web "
        );
        assert_eq!(
            tab("kubectl scale deploy w").line,
            "kubectl scale deploy web "
        );
        assert_eq!(
            tab("kubectl delete svc m").line,
            "kubectl delete svc mysql "
        );
        assert_eq!(tab("kubectl auth c").line, "kubectl auth can-i ");
        assert_eq!(
            tab("kubectl auth can-i get p").candidates,
            Vec::<String>::new()
        );
    }

    #[test]
    fn flags_complete_from_the_commands_table() {
        assert_eq!(
            tab("kubectl get pods --show-l").line,
            "kubectl get pods --show-labels "
        );
        assert_eq!(
            tab("kubectl get pods --all").line,
            "kubectl get pods --all-namespaces "
        );
        assert!(
            tab("kubectl get pods --")
                .candidates
                .contains(&"--namespace".to_string())
        );
        assert_eq!(tab("ls --al").candidates, Vec::<String>::new());
    }
}
