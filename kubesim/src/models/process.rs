//! What a model is to the container runtime: a [`Process`] advanced through time, which
//! prints lines, may exit, answers HTTP on its ports and uses CPU and memory, started
//! with a [`Context`] and reaching the cluster through its [`Surroundings`].

use super::http::{HttpRequest, HttpResponse, Unreachable};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::time::Duration;

/// What a container starts with: the resolved command line, environment and the files its
/// volumes put in place.
#[derive(Debug, Clone)]
pub struct Context {
    /// The image's full reference.
    pub image: String,
    /// `command` then `args`, after the image's defaults are applied.
    pub argv: Vec<String>,
    /// The environment, resolved from values, ConfigMaps, Secrets and the downward API.
    pub env: BTreeMap<String, String>,
    /// Mounted files by absolute path (ConfigMap/Secret volumes, the ServiceAccount token).
    pub files: BTreeMap<String, String>,
    /// The pod's namespace (short Service names resolve in it).
    pub namespace: String,
    /// The pod's name (the container's hostname).
    pub pod: String,
    /// The pod's address, as the source of the container's requests.
    pub pod_ip: String,
    /// Memory limit in bytes, if any (a model may size itself to it, as the JVM would).
    pub memory_limit: Option<i64>,
    /// When the container started, for the times models print.
    pub started_at: jiff::Timestamp,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            image: String::new(),
            argv: Vec::new(),
            env: BTreeMap::new(),
            files: BTreeMap::new(),
            namespace: String::new(),
            pod: String::new(),
            pod_ip: String::new(),
            memory_limit: None,
            started_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }
}

impl Context {
    /// The wall-clock time at `age`.
    pub fn time_at(&self, age: Duration) -> jiff::Timestamp {
        jiff::SignedDuration::try_from(age)
            .ok()
            .and_then(|d| self.started_at.checked_add(d).ok())
            .unwrap_or(self.started_at)
    }

    /// The value of a Go-style flag in the arguments (`-text=hi`, `--text=hi`, `-text hi`),
    /// `None` when absent or empty, as the programs that read them treat an empty one.
    pub fn flag(&self, name: &str) -> Option<&str> {
        let mut args = self.argv.iter();
        while let Some(arg) = args.next() {
            let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
                continue;
            };
            let value = match flag.split_once('=') {
                Some((f, v)) if f == name => Some(v),
                None if flag == name => args.next().map(String::as_str),
                _ => None,
            };
            if let Some(value) = value {
                return Some(value).filter(|v| !v.is_empty());
            }
        }
        None
    }

    /// An environment variable's value.
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    /// A numeric environment variable, or `default` when unset or not a number.
    pub fn env_u64(&self, name: &str, default: u64) -> u64 {
        self.env(name)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(default)
    }
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    /// The exit code (0: success).
    pub code: i32,
}

/// How a signalled process goes: after how long, with which exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopping {
    /// From the signal to its exit.
    pub after: Duration,
    /// Its exit code.
    pub code: i32,
}

/// What a process can ask of the cluster around it: the demo app's `/api-access` asks the
/// API server what its ServiceAccount may list.
pub trait Surroundings {
    /// Lists `plural` in the pod's namespace with the pod's ServiceAccount token: the HTTP
    /// status and, when refused, the API server's message.
    fn list_as_pod(&self, plural: &str) -> (u16, String);
    /// Sends `request` to `url` (a Service or pod address, as a container would dial it).
    /// `Err` says why nothing answers.
    fn http(&self, url: &str, request: &HttpRequest) -> Result<HttpResponse, Unreachable>;
}

/// A running container.
pub trait Process: Send + Debug {
    /// Moves the process forward to `age` (time since it started), pushing what it printed
    /// meanwhile onto `out`. Returns its exit when it has ended.
    fn advance(
        &mut self,
        age: Duration,
        around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<Exit>;

    /// When (as an age) the process next prints or exits on its own; `None` when it only
    /// reacts to requests.
    fn next_wake(&self) -> Option<Duration> {
        None
    }

    /// Answers a request on `port`, logging it to `out` as the real program would; `None`
    /// when nothing listens there (connection refused), as for programs that serve no HTTP.
    fn http(
        &mut self,
        age: Duration,
        port: u16,
        request: &HttpRequest,
        around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<HttpResponse> {
        let _ = (age, port, request, around, out);
        None
    }

    /// Runs a command inside the container (exec probes, `kubectl exec`): exit code and
    /// output.
    fn exec(&mut self, age: Duration, argv: &[String]) -> (i32, String) {
        let _ = age;
        exec_builtin(argv)
    }

    /// CPU in millicores and memory in bytes in use at `age`, before limits.
    fn usage(&self, age: Duration) -> Usage;

    /// The prompt of the image's interactive shell (`kubectl exec -it … -- sh`); `None`:
    /// the image has no shell.
    fn prompt(&self) -> Option<&str> {
        None
    }

    /// Adds work arriving from outside (fortio's load): `millicores` of CPU for `seconds`.
    fn add_load(&mut self, age: Duration, millicores: i64, seconds: u64) {
        let _ = (age, millicores, seconds);
    }

    /// The kubelet's stop signal arrived (SIGTERM, or the image's STOPSIGNAL) at `age`:
    /// what the process prints and how it goes; `None` when it ignores the signal (the
    /// kubelet kills it when the grace period ends). By default it has no handler and
    /// the signal kills it at once.
    fn stop(&mut self, age: Duration, out: &mut Vec<String>) -> Option<Stopping> {
        let _ = (age, out);
        Some(Stopping {
            after: Duration::ZERO,
            code: 143,
        })
    }

    /// Whether the process listens on TCP `port` at `age` (tcpSocket probes); by default
    /// it listens nowhere.
    fn listens(&self, age: Duration, port: u16) -> bool {
        let _ = (age, port);
        false
    }
}

/// Resource use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// CPU in millicores.
    pub cpu_milli: i64,
    /// Memory in bytes.
    pub memory_bytes: i64,
}

/// A mebibyte, for memory use.
pub const MIB: i64 = 1024 * 1024;

/// Surroundings with no cluster around: nothing answers, nothing is allowed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

impl Surroundings for Offline {
    fn list_as_pod(&self, _plural: &str) -> (u16, String) {
        (401, "Unauthorized".into())
    }
    fn http(&self, url: &str, _request: &HttpRequest) -> Result<HttpResponse, Unreachable> {
        Err(Unreachable::Unresolved { host: url.into() })
    }
}

/// `kubectl exec` and exec probes in a container that has a shell's tools and the pod's
/// files and environment: `cat`, `ls`, `env`, `printenv`, `hostname`, and the builtins.
pub fn exec_in(argv: &[String], context: &Context) -> (i32, String) {
    exec_nested(argv, context, 0)
}

/// How many `sh -c` may run inside each other: a script that runs itself (through a
/// variable holding `sh -c $X`) stops here instead of recursing without end.
const NESTING: usize = 16;

fn exec_nested(argv: &[String], context: &Context, depth: usize) -> (i32, String) {
    let args = argv.get(1..).unwrap_or_default();
    match argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)) {
        Some("cat") => {
            let mut text = String::new();
            for path in args {
                match context.files.get(path) {
                    Some(content) => text.push_str(content),
                    None => {
                        let error =
                            format!("cat: can't open '{path}': No such file or directory\n");
                        return (1, text + &error);
                    }
                }
            }
            (0, text)
        }
        Some("ls") => {
            let paths: Vec<&str> = args
                .iter()
                .map(String::as_str)
                .filter(|a| !a.starts_with('-'))
                .collect();
            let paths = if paths.is_empty() { vec!["/"] } else { paths };
            let mut text = String::new();
            for path in paths {
                if context.files.contains_key(path) {
                    text.push_str(&format!("{path}\n"));
                    continue;
                }
                let dir = format!("{}/", path.trim_end_matches('/'));
                let mut entries: Vec<&str> = context
                    .files
                    .keys()
                    .filter_map(|f| f.strip_prefix(&dir))
                    .map(|rest| rest.split('/').next().unwrap_or(rest))
                    .filter(|name| !name.starts_with('.'))
                    .collect();
                if entries.is_empty() {
                    return (1, format!("{text}ls: {path}: No such file or directory\n"));
                }
                entries.dedup();
                for entry in entries {
                    text.push_str(&format!("{entry}\n"));
                }
            }
            (0, text)
        }
        Some("env") if args.is_empty() => {
            let mut text = format!("HOSTNAME={}\n", context.pod);
            for (key, value) in &context.env {
                text.push_str(&format!("{key}={value}\n"));
            }
            (0, text)
        }
        Some("printenv") => {
            let values: Vec<&String> = args.iter().filter_map(|k| context.env.get(k)).collect();
            let code = i32::from(values.len() < args.len());
            (code, values.iter().map(|v| format!("{v}\n")).collect())
        }
        Some("hostname") => (0, format!("{}\n", context.pod)),
        // Ends at once here: the kubelet counts the time a hook or probe sleeps.
        Some("sleep") => match args.first().map(|a| a.trim_end_matches('s').parse::<f64>()) {
            Some(Ok(seconds)) if seconds >= 0.0 => (0, String::new()),
            Some(_) => (1, format!("sleep: invalid number '{}'\n", args[0])),
            None => (1, "sleep: missing operand\n".into()),
        },
        Some(shell) if super::script::is_shell(shell) => match args {
            [flag, script, ..] if flag == "-c" => {
                // The shell sets HOSTNAME, which the pod's environment does not hold.
                let lookup = |name: &str| {
                    context
                        .env(name)
                        .or_else(|| (name == "HOSTNAME").then_some(context.pod.as_str()))
                };
                if depth >= NESTING {
                    return (
                        2,
                        format!(
                            "{shell}: too deeply nested: {NESTING} shells run inside each other at most here\n"
                        ),
                    );
                }
                super::script::run(script, lookup, |argv| exec_nested(argv, context, depth + 1))
            }
            // Its stdin is closed: it reads nothing and ends.
            [] => (0, String::new()),
            [file, ..] => (
                2,
                format!("{shell}: can't open '{file}': No such file or directory\n"),
            ),
        },
        _ => exec_builtin(argv),
    }
}

/// Commands every image can run.
pub fn exec_builtin(argv: &[String]) -> (i32, String) {
    match argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)) {
        Some("true") => (0, String::new()),
        Some("false") => (1, String::new()),
        Some("echo") => (0, format!("{}\n", argv[1..].join(" "))),
        Some(program) => (
            127,
            format!("exec: \"{program}\": executable file not found in $PATH\n"),
        ),
        None => (126, "no command given\n".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_that_runs_itself_stops_at_the_nesting_limit() {
        let mut context = Context::default();
        context.env.insert("X".into(), "sh -c $X".into());
        let argv = ["sh", "-c", "sh -c $X"].map(str::to_string);
        let (code, output) = exec_in(&argv, &context);
        assert_eq!(code, 2);
        assert!(output.contains("too deeply nested"), "{output}");
        let echo = ["sh", "-c", "echo one && false && echo two; echo $X"].map(str::to_string);
        assert_eq!(exec_in(&echo, &context), (0, "one\nsh -c $X\n".into()));
    }
}
