//! A kubectl command line parsed as kubectl (cobra and pflag) parses it: the command,
//! its arguments, and its flags (`--name=value`, `--name value`, `-n value`, `-nvalue`,
//! bundled booleans `-Aw`, flags before or after the command, `--` ending them), with
//! kubectl's own words when a flag is unknown or lacks its value. The flags each command
//! takes are data (`app::model::console`, which the browser completes from); the flags that would reach the server's files or credentials, or act
//! as someone else, are refused by name.

use app::model::console::{COMMANDS, GLOBAL, flags};
use std::collections::BTreeMap;

/// kubectl commands the console does not run yet.
const NOT_YET: &[&str] = &["patch", "replace", "wait", "diff", "cp"];

/// Flags refused whatever the command, and why.
const REFUSED: &[(&str, Option<char>, &str)] = &[
    (
        "kubeconfig",
        None,
        "the console always acts as you, in your workspace",
    ),
    (
        "server",
        Some('s'),
        "the console always talks to the workshop's cluster",
    ),
    ("token", None, "the console always acts as you"),
    ("username", None, "the console always acts as you"),
    ("password", None, "the console always acts as you"),
    ("as", None, "the console always acts as you"),
    ("as-group", None, "the console always acts as you"),
    ("as-uid", None, "the console always acts as you"),
    ("user", None, "the console always acts as you"),
    (
        "cluster",
        None,
        "the console always talks to the workshop's cluster",
    ),
    (
        "certificate-authority",
        None,
        "the console reads no files of the server",
    ),
    (
        "client-certificate",
        None,
        "the console reads no files of the server",
    ),
    (
        "client-key",
        None,
        "the console reads no files of the server",
    ),
    (
        "insecure-skip-tls-verify",
        None,
        "the console always talks to the workshop's cluster",
    ),
    (
        "tls-server-name",
        None,
        "the console always talks to the workshop's cluster",
    ),
    (
        "cache-dir",
        None,
        "the console reads no files of the server",
    ),
    (
        "filename",
        Some('f'),
        "the console reads no files of the server",
    ),
    (
        "kustomize",
        Some('k'),
        "the console reads no files of the server",
    ),
    (
        "log-file",
        None,
        "the console writes no files of the server",
    ),
];

/// A parsed command line.
#[derive(Debug, Default, PartialEq)]
pub struct Invocation {
    pub command: String,
    pub args: Vec<String>,
    /// Flags by long name, the last value given; a boolean given without a value is
    /// `"true"`.
    pub flags: BTreeMap<&'static str, String>,
    /// Every value of each flag, in order (`--from-literal=a=1 --from-literal=b=2`).
    pub all: BTreeMap<&'static str, Vec<String>>,
    /// The namespace of the attendee's current context, for commands without `-n`.
    pub context_namespace: Option<String>,
    /// How many arguments came before `--`, if it was given (`exec POD -- COMMAND`).
    pub args_before_dash: Option<usize>,
}

impl Invocation {
    pub fn flag(&self, long: &str) -> Option<&str> {
        self.flags.get(long).map(String::as_str)
    }

    /// Every value given to a flag that may be repeated.
    pub fn values(&self, long: &str) -> &[String] {
        self.all.get(long).map_or(&[], Vec::as_slice)
    }

    fn set(&mut self, long: &'static str, value: String) {
        self.all.entry(long).or_default().push(value.clone());
        self.flags.insert(long, value);
    }

    /// The namespace the command acts in: `-n`'s, else the current context's, else
    /// `default`.
    pub fn namespace(&self) -> &str {
        self.flag("namespace")
            .or(self.context_namespace.as_deref())
            .unwrap_or("default")
    }

    pub fn is_set(&self, long: &str) -> bool {
        self.flag(long).is_some_and(|v| v != "false")
    }
}

/// Why a line is not run: kubectl's words (and exit code 1).
pub type Refusal = String;

/// The subcommand an invocation names (`rollout status`, `config use-context`) and the
/// arguments after it; or kubectl's words when it names none or one the command lacks.
pub fn subcommand(invocation: &Invocation) -> Result<(&str, &[String]), Refusal> {
    let command = &invocation.command;
    let subs = app::model::console::subcommands(command).unwrap_or_default();
    let Some((sub, args)) = invocation.args.split_first() else {
        return Err(format!(
            "error: kubectl {command} needs one of: {}",
            subs.join(", ")
        ));
    };
    if !subs.contains(&sub.as_str()) {
        return Err(format!(
            "error: unknown command \"{sub}\" for \"kubectl {command}\"; it takes {}",
            subs.join(", ")
        ));
    }
    Ok((sub, args))
}

/// Parses the words after `kubectl`.
pub fn parse(words: &[String]) -> Result<Invocation, Refusal> {
    let command = find_command(words)?;
    let Some(known) = flags(&command) else {
        if NOT_YET.contains(&command.as_str()) {
            return Err(format!(
                "error: \"kubectl {command}\" is not in the console yet; it runs {}",
                offered()
            ));
        }
        return Err(format!(
            "error: unknown command \"{command}\" for \"kubectl\"\n\nThe console runs {}",
            offered()
        ));
    };
    let usage = format!("See 'kubectl {command} --help' for usage.");
    let mut invocation = Invocation {
        command: command.clone(),
        ..Invocation::default()
    };
    let mut rest = words.iter();
    let mut seen_command = false;
    while let Some(word) = rest.next() {
        if word == "--" {
            invocation.args_before_dash = Some(invocation.args.len());
            invocation.args.extend(rest.by_ref().cloned());
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            // The command's own flags first: `config set-context --cluster` names a
            // context's cluster, where `get --cluster` would pick another cluster.
            let Some(flag) = known.iter().find(|f| f.long == name) else {
                refuse(name, None)?;
                return Err(format!("error: unknown flag: --{name}\n{usage}"));
            };
            let value = match (flag.value, inline) {
                (_, Some(v)) => v,
                (true, None) => rest
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("error: flag needs an argument: --{name}\n{usage}"))?,
                (false, None) => "true".into(),
            };
            invocation.set(flag.long, value);
        } else if let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            for (at, c) in shorts.char_indices() {
                // The command's own letters first: `logs -f` follows, `get -f` reads a file.
                let Some(flag) = known.iter().find(|f| f.short == Some(c)) else {
                    refuse("", Some(c))?;
                    return Err(format!(
                        "error: unknown shorthand flag: '{c}' in -{shorts}\n{usage}"
                    ));
                };
                if flag.value {
                    let attached = &shorts[at + c.len_utf8()..];
                    let value = if attached.is_empty() {
                        rest.next().cloned().ok_or_else(|| {
                            format!("error: flag needs an argument: '{c}' in -{shorts}\n{usage}")
                        })?
                    } else {
                        attached.strip_prefix('=').unwrap_or(attached).to_string()
                    };
                    invocation.set(flag.long, value);
                    break;
                }
                invocation.set(flag.long, "true".into());
            }
        } else if !seen_command && *word == command {
            seen_command = true;
        } else {
            invocation.args.push(word.clone());
        }
    }
    Ok(invocation)
}

/// The first word that is neither a global flag nor its value.
fn find_command(words: &[String]) -> Result<String, Refusal> {
    let mut rest = words.iter();
    while let Some(word) = rest.next() {
        if let Some(long) = word.strip_prefix("--") {
            refuse(long.split('=').next().unwrap_or(long), None)?;
            if !long.contains('=') && GLOBAL.iter().any(|f| f.long == long && f.value) {
                rest.next();
            }
        } else if let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            let c = shorts.chars().next().unwrap_or('-');
            refuse("", Some(c))?;
            if shorts.len() == 1 && GLOBAL.iter().any(|f| f.short == Some(c) && f.value) {
                rest.next();
            }
        } else {
            return Ok(word.clone());
        }
    }
    Err(format!(
        "error: no command given; the console runs {}",
        offered()
    ))
}

fn refuse(long: &str, short: Option<char>) -> Result<(), Refusal> {
    let refused = REFUSED
        .iter()
        .find(|(l, s, _)| (!long.is_empty() && *l == long) || (short.is_some() && *s == short));
    match refused {
        Some((l, _, why)) => Err(format!("error: the console does not take --{l}: {why}")),
        None => Ok(()),
    }
}

/// What the console runs, for its refusals.
fn offered() -> String {
    let names: Vec<&str> = COMMANDS.iter().map(|(n, _)| *n).collect();
    format!("kubectl {}", names.join(", "))
}

/// A Go duration (`1h`, `5m30s`, `90s`, `250ms`) in whole seconds, rounded up as
/// kubectl sends `sinceSeconds`.
pub(super) fn seconds(text: &str) -> Option<i64> {
    let mut rest = text;
    let mut millis: f64 = 0.0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let split = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (number, after) = rest.split_at(split);
        let value: f64 = number.parse().ok()?;
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        millis += value
            * match unit {
                "h" => 3_600_000.0,
                "m" => 60_000.0,
                "s" => 1000.0,
                "ms" => 1.0,
                _ => return None,
            };
        rest = next;
    }
    Some((millis / 1000.0).ceil() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_parse_as_pflag_parses_them() {
        let got = parse(&words(
            "-n server get pods web -o=wide -Al app=web --show-labels",
        ))
        .unwrap();
        assert_eq!(got.command, "get");
        assert_eq!(got.args, ["pods", "web"]);
        assert_eq!(got.flag("namespace"), Some("server"));
        assert_eq!(got.flag("output"), Some("wide"));
        assert!(got.is_set("all-namespaces"));
        assert_eq!(got.flag("selector"), Some("app=web"));
        assert!(got.is_set("show-labels"));
        let got = parse(&words(
            "get pods -nserver --selector=a=b --watch=false -- -x",
        ))
        .unwrap();
        assert_eq!(got.flag("namespace"), Some("server"));
        assert_eq!(got.flag("selector"), Some("a=b"));
        assert!(!got.is_set("watch"));
        assert_eq!(got.args, ["pods", "-x"]);
    }

    #[test]
    fn mistakes_read_as_kubectl_prints_them() {
        let error = |line: &str| parse(&words(line)).unwrap_err();
        assert_eq!(
            error("get pods --bogus"),
            "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage."
        );
        assert_eq!(
            error("get pods -z"),
            "error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage."
        );
        assert_eq!(
            error("get pods -n"),
            "error: flag needs an argument: 'n' in -n\nSee 'kubectl get --help' for usage."
        );
        assert!(
            error("frobnicate")
                .starts_with("error: unknown command \"frobnicate\" for \"kubectl\"")
        );
        assert!(error("cp web:/a /b").contains("not in the console yet"));
    }

    #[test]
    fn flags_that_reach_files_or_credentials_are_refused() {
        for line in [
            "get pods --kubeconfig=/etc/kubernetes/admin.conf",
            "--kubeconfig /root/.kube/config get pods",
            "get pods --token abc",
            "get pods -s https://10.0.0.1",
            "get pods --as=system:admin",
            "get pods --as-group system:masters",
            "get -f /etc/passwd",
            "get pods --certificate-authority=/etc/ssl/ca.pem",
        ] {
            let error = parse(&words(line)).unwrap_err();
            assert!(
                error.starts_with("error: the console does not take --"),
                "{line}: {error}"
            );
        }
    }

    #[test]
    fn durations_read_as_go_reads_them() {
        assert_eq!(seconds("1h"), Some(3600));
        assert_eq!(seconds("5m30s"), Some(330));
        assert_eq!(seconds("250ms"), Some(1));
        assert_eq!(seconds("abc"), None);
        assert_eq!(seconds("5"), None);
        assert_eq!(seconds(""), None);
    }
}
