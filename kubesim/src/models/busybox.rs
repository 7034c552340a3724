//! busybox, alpine and curl images: a small shell that runs the container's command —
//! `sleep`, `echo`, `cat`, `env`, `exit`, `wget`/`curl`, sequences with `;` and `&&`, and
//! `while true; do …; done` loops — with the exit codes a real shell gives. `wget` and
//! `curl` fail as the real tools do: at once when refused or when the name does not
//! resolve, and only after their timeout (`-T`, `--connect-timeout`, `-m`; else the
//! kernel's ~130 s of SYN retries) when a NetworkPolicy drops the connection. A shell is
//! behaviour as code; the images themselves are described in `images.yaml`.

use super::http::{HttpRequest, Unreachable};
use super::process::{Context, Exit, MIB, Process, Stopping, Surroundings, Usage, exec_in};
use super::script::{expand, is_shell, statements};
use std::time::Duration;

/// One step of a compiled script.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    /// A simple command; skipped when `after_ok` and the previous one failed.
    Run { argv: Vec<String>, after_ok: bool },
    /// Back to an earlier step (the end of a `while true` body).
    Jump(usize),
}

/// A shell running a script.
#[derive(Debug)]
pub struct Shell {
    context: Context,
    ops: Vec<Op>,
    pc: usize,
    status: i32,
    /// Asleep until this age.
    until: Duration,
    /// What a command still blocked until `until` prints and returns then.
    pending: Option<(Vec<String>, i32)>,
}

impl Shell {
    /// A shell about to run the container's command line.
    pub fn new(context: Context) -> Shell {
        let ops = compile(&context.argv, &context.image);
        Shell {
            context,
            ops,
            pc: 0,
            status: 0,
            until: Duration::ZERO,
            pending: None,
        }
    }

    /// Runs one command, returning its exit status (or sleeping).
    fn run(
        &mut self,
        age: Duration,
        argv: &[String],
        around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Result<i32, Exit> {
        let args: Vec<String> = argv.iter().map(|a| self.expand(a)).collect();
        let Some(program) = args.first() else {
            return Ok(0);
        };
        let name = program.rsplit('/').next().unwrap_or(program);
        Ok(match name {
            "sleep" => match args.get(1).and_then(|s| parse_seconds(s)) {
                Some(d) => {
                    self.until = age + d;
                    0
                }
                None => {
                    out.push("sleep: invalid number".into());
                    1
                }
            },
            "exit" => {
                return Err(Exit {
                    code: args
                        .get(1)
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(self.status),
                });
            }
            "echo" => {
                out.push(args[1..].join(" "));
                0
            }
            "cat" => {
                let mut status = 0;
                for path in &args[1..] {
                    match self.context.files.get(path) {
                        Some(content) => out.extend(content.lines().map(str::to_string)),
                        None => {
                            out.push(format!(
                                "cat: can't open '{path}': No such file or directory"
                            ));
                            status = 1;
                        }
                    }
                }
                status
            }
            "env" | "printenv" => {
                out.extend(self.context.env.iter().map(|(k, v)| format!("{k}={v}")));
                0
            }
            "hostname" => {
                out.push(self.context.pod.clone());
                0
            }
            "date" => {
                out.push(
                    self.context
                        .time_at(age)
                        .strftime("%a %b %e %H:%M:%S UTC %Y")
                        .to_string(),
                );
                0
            }
            "wget" | "curl" => {
                let fetched = fetch(name, &args[1..], &self.context, around);
                if fetched.after.is_zero() {
                    out.extend(fetched.lines);
                    fetched.status
                } else {
                    // Blocked in connect(): the error comes when the timeout is up.
                    self.until = age + fetched.after;
                    self.pending = Some((fetched.lines, fetched.status));
                    0
                }
            }
            "true" | ":" => 0,
            "false" => 1,
            "sh" | "ash" | "bash" => 0,
            other => {
                out.push(format!("sh: {other}: not found"));
                127
            }
        })
    }

    /// `$NAME` and `${NAME}` from the environment.
    fn expand(&self, word: &str) -> String {
        expand(word, |name| self.context.env(name))
    }
}

/// What a `wget` or `curl` printed and returned, and how long it took.
struct Fetched {
    lines: Vec<String>,
    status: i32,
    after: Duration,
}

/// How long a dropped connection takes to fail without a timeout of the tool's own: the
/// kernel's SYN retries (six, doubling from one second).
const KERNEL_CONNECT_TIMEOUT: Duration = Duration::from_secs(130);

/// Options that take a value, so the URL is not mistaken for one (and timeouts are
/// read): short letters when last in a cluster (`-qO -`), and long names.
const VALUE_SHORT: &str = "OTUPYoamHXdAwuexrCK";
const VALUE_LONG: &[&str] = &[
    "--timeout",
    "--output-document",
    "--header",
    "--user-agent",
    "--tries",
    "--connect-timeout",
    "--max-time",
    "--output",
    "--request",
    "--data",
    "--write-out",
    "--retry",
];

/// The URL and the timeout (in seconds) among a tool's arguments.
fn parse_fetch(tool: &str, args: &[String]) -> (Option<String>, Option<f64>) {
    let timeout_flags: &[&str] = if tool == "curl" {
        &["--connect-timeout", "-m", "--max-time"]
    } else {
        &["-T", "--timeout"]
    };
    let (mut url, mut timeout) = (None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if let Some((flag, value)) = arg.split_once('=').filter(|_| arg.starts_with("--")) {
            if timeout_flags.contains(&flag) {
                timeout = value.parse().ok();
            }
        } else if let Some(value) = arg
            .strip_prefix("-T")
            .filter(|v| tool == "wget" && !v.is_empty())
        {
            timeout = value.parse().ok();
        } else if VALUE_LONG.contains(&arg.as_str())
            || (arg.len() >= 2
                && !arg.starts_with("--")
                && arg.starts_with('-')
                && arg.ends_with(|c: char| VALUE_SHORT.contains(c)))
        {
            let value = args.next();
            let flag = if arg.starts_with("--") {
                arg.as_str()
            } else {
                &arg[arg.len() - 1..]
            };
            if timeout_flags
                .iter()
                .any(|f| f.trim_start_matches('-') == flag.trim_start_matches('-'))
            {
                timeout = value.and_then(|v| v.parse().ok());
            }
        } else if !arg.starts_with('-') && url.is_none() {
            url = Some(arg.clone());
        }
    }
    (url, timeout)
}

/// `curl URL` / `wget -qO- URL`: prints the body, or the tool's connection error.
fn fetch(tool: &str, args: &[String], context: &Context, around: &dyn Surroundings) -> Fetched {
    let done = |lines: Vec<String>, status: i32| Fetched {
        lines,
        status,
        after: Duration::ZERO,
    };
    let (Some(url), timeout) = parse_fetch(tool, args) else {
        return done(vec![format!("{tool}: missing URL")], 2);
    };
    let agent = if tool == "curl" {
        "curl/8.11.0"
    } else {
        "Wget"
    };
    let request = HttpRequest::get(path_of(&url), agent, &context.pod_ip);
    let host = host_of(&url);
    match around.http(&url, &request) {
        Ok(response) if tool == "wget" && response.status >= 400 => done(
            vec![format!(
                "wget: server returned error: HTTP/1.1 {}",
                response.status
            )],
            1,
        ),
        Ok(response) => done(response.body.lines().map(str::to_string).collect(), 0),
        Err(Unreachable::Unresolved { .. }) if tool == "curl" => {
            done(vec![format!("curl: (6) Could not resolve host: {host}")], 6)
        }
        Err(Unreachable::Unresolved { .. }) => done(vec![format!("wget: bad address '{host}'")], 1),
        Err(Unreachable::Refused { port, .. }) if tool == "curl" => done(
            vec![format!(
                "curl: (7) Failed to connect to {host} port {port} after 0 ms: Could not connect to server"
            )],
            7,
        ),
        Err(Unreachable::Refused { ip, .. }) => done(
            vec![format!(
                "wget: can't connect to remote host ({ip}): Connection refused"
            )],
            1,
        ),
        Err(Unreachable::TimedOut { ip, port }) => {
            let after = timeout
                .filter(|t| *t > 0.0)
                .map_or(KERNEL_CONNECT_TIMEOUT, Duration::from_secs_f64)
                .min(KERNEL_CONNECT_TIMEOUT);
            let own = timeout
                .is_some_and(|t| t > 0.0 && Duration::from_secs_f64(t) < KERNEL_CONNECT_TIMEOUT);
            let (line, status) = match (tool, own) {
                ("curl", true) => (
                    format!(
                        "curl: (28) Failed to connect to {host} port {port} after {} ms: Timeout was reached",
                        after.as_millis()
                    ),
                    28,
                ),
                ("curl", false) => (
                    format!(
                        "curl: (28) Failed to connect to {host} port {port} after {} ms: Could not connect to server",
                        after.as_millis()
                    ),
                    28,
                ),
                (_, true) => ("wget: download timed out".to_string(), 1),
                (_, false) => (
                    format!("wget: can't connect to remote host ({ip}): Connection timed out"),
                    1,
                ),
            };
            Fetched {
                lines: vec![line],
                status,
                after,
            }
        }
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or(rest)
}

fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// `5`, `1.5`, `10s`, `2m`, `infinity`.
fn parse_seconds(text: &str) -> Option<Duration> {
    if text == "infinity" {
        return Some(Duration::from_secs(u64::MAX / 4));
    }
    let (number, unit) = match text.char_indices().last()? {
        (i, 's') => (&text[..i], 1.0),
        (i, 'm') => (&text[..i], 60.0),
        (i, 'h') => (&text[..i], 3600.0),
        _ => (text, 1.0),
    };
    let seconds: f64 = number.parse().ok()?;
    (seconds >= 0.0).then(|| Duration::from_secs_f64(seconds * unit))
}

/// Compiles the container's command line into steps. `sh -c SCRIPT` is parsed as a
/// script; anything else is one command.
fn compile(argv: &[String], image: &str) -> Vec<Op> {
    match argv {
        [] if image.contains("curl") => vec![Op::Run {
            argv: vec!["curl".into()],
            after_ok: false,
        }],
        [] => Vec::new(),
        [shell, flag, script, ..] if is_shell(shell) && flag == "-c" => parse_script(script),
        [shell] if is_shell(shell) => Vec::new(),
        _ => vec![Op::Run {
            argv: argv.to_vec(),
            after_ok: false,
        }],
    }
}

/// Splits a script into commands at `;`, `&&` and newlines, keeping quoted text whole,
/// and turns `while true; do …; done` into a loop.
fn parse_script(script: &str) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut loop_starts = Vec::new();
    let mut after_ok = false;
    for (words, separator) in statements(script) {
        match words.first().map(String::as_str) {
            Some("while") => {
                // `while true; do` — the condition is always true in the scripts learners
                // write; any other condition runs the body once per check like `true`.
                loop_starts.push(ops.len());
            }
            Some("do") if words.len() > 1 => ops.push(Op::Run {
                argv: words[1..].to_vec(),
                after_ok,
            }),
            Some("do") => {}
            Some("done") => {
                if let Some(start) = loop_starts.pop() {
                    ops.push(Op::Jump(start));
                }
            }
            Some(_) => ops.push(Op::Run {
                argv: words,
                after_ok,
            }),
            None => {}
        }
        after_ok = separator == "&&";
    }
    ops
}

/// At most this many steps run per advance, so a loop without `sleep` cannot stall the
/// kubelet; it continues a second later.
const STEPS_PER_ADVANCE: usize = 1000;

impl Process for Shell {
    fn advance(
        &mut self,
        age: Duration,
        around: &dyn Surroundings,
        out: &mut Vec<String>,
    ) -> Option<Exit> {
        for _ in 0..STEPS_PER_ADVANCE {
            if age < self.until {
                return None;
            }
            if let Some((lines, status)) = self.pending.take() {
                out.extend(lines);
                self.status = status;
            }
            let Some(op) = self.ops.get(self.pc).cloned() else {
                return Some(Exit { code: self.status });
            };
            self.pc += 1;
            match op {
                Op::Jump(to) => self.pc = to,
                Op::Run { after_ok: true, .. } if self.status != 0 => {}
                Op::Run { argv, .. } => match self.run(age, &argv, around, out) {
                    Ok(status) => self.status = status,
                    Err(exit) => return Some(exit),
                },
            }
        }
        self.until = age + Duration::from_secs(1);
        None
    }

    fn next_wake(&self) -> Option<Duration> {
        Some(self.until)
    }

    fn exec(&mut self, _age: Duration, argv: &[String]) -> (i32, String) {
        exec_in(argv, &self.context)
    }

    /// A shell (or `sleep`) running as PID 1 sets no handler for SIGTERM, and the kernel
    /// does not deliver a signal PID 1 has no handler for: the kubelet has to wait out the
    /// grace period and kill it, the 30 s a `sleep 3600` pod takes to delete on kind.
    fn stop(&mut self, _age: Duration, _out: &mut Vec<String>) -> Option<Stopping> {
        None
    }

    /// busybox's `ash` as root.
    fn prompt(&self) -> Option<&str> {
        Some("/ # ")
    }

    fn usage(&self, _age: Duration) -> Usage {
        Usage {
            cpu_milli: 0,
            memory_bytes: MIB,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::http::HttpResponse;

    struct Net;
    impl Surroundings for Net {
        fn list_as_pod(&self, _: &str) -> (u16, String) {
            (200, String::new())
        }
        fn http(&self, url: &str, _: &HttpRequest) -> Result<HttpResponse, Unreachable> {
            if url.contains("web") {
                Ok(HttpResponse::text(200, "hello\n"))
            } else if url.contains("guarded") {
                Err(Unreachable::TimedOut {
                    ip: "10.96.0.9".into(),
                    port: 80,
                })
            } else {
                Err(Unreachable::Refused {
                    ip: "10.96.0.8".into(),
                    port: 80,
                })
            }
        }
    }

    fn shell(argv: &[&str]) -> Shell {
        let mut context = Context {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            ..Context::default()
        };
        context.env.insert("WHO".into(), "world".into());
        Shell::new(context)
    }

    fn run_until(shell: &mut Shell, secs: u64) -> (Vec<String>, Option<Exit>) {
        let mut out = Vec::new();
        let exit = shell.advance(Duration::from_secs(secs), &Net, &mut out);
        (out, exit)
    }

    #[test]
    fn a_loop_prints_every_period() {
        let mut s = shell(&["sh", "-c", "while true; do echo hello $WHO; sleep 5; done"]);
        assert_eq!(run_until(&mut s, 0).0, ["hello world"]);
        assert_eq!(run_until(&mut s, 4).0, Vec::<String>::new());
        assert_eq!(run_until(&mut s, 5).0, ["hello world"]);
        assert_eq!(s.next_wake(), Some(Duration::from_secs(10)));
    }

    #[test]
    fn sequences_exit_with_the_shells_status() {
        let mut s = shell(&["sh", "-c", "echo 'a; b' && false && echo never; exit 3"]);
        assert_eq!(
            run_until(&mut s, 0),
            (vec!["a; b".to_string()], Some(Exit { code: 3 }))
        );
        let mut t = shell(&["sleep", "10"]);
        assert_eq!(run_until(&mut t, 0).1, None);
        assert_eq!(run_until(&mut t, 10).1, Some(Exit { code: 0 }));
        assert_eq!(run_until(&mut shell(&[]), 0).1, Some(Exit { code: 0 }));
        let (out, exit) = run_until(&mut shell(&["nope"]), 0);
        assert_eq!(out, ["sh: nope: not found"]);
        assert_eq!(exit, Some(Exit { code: 127 }));
    }

    #[test]
    fn curl_reaches_services_through_the_network() {
        let (out, exit) = run_until(&mut shell(&["curl", "-s", "http://web:8000/"]), 0);
        assert_eq!(
            (out, exit),
            (vec!["hello".to_string()], Some(Exit { code: 0 }))
        );
        let (out, exit) = run_until(&mut shell(&["curl", "http://other/"]), 0);
        assert!(out[0].starts_with("curl: (7) Failed to connect to other"));
        assert_eq!(exit, Some(Exit { code: 7 }));
    }

    #[test]
    fn a_dropped_connection_fails_after_the_timeout() {
        let mut s = shell(&["wget", "-qO-", "-T", "2", "http://guarded/"]);
        assert_eq!(run_until(&mut s, 0), (vec![], None));
        assert_eq!(run_until(&mut s, 1), (vec![], None));
        assert_eq!(
            run_until(&mut s, 2),
            (
                vec!["wget: download timed out".to_string()],
                Some(Exit { code: 1 })
            )
        );
        let mut s = shell(&["wget", "-qO-", "http://guarded/"]);
        assert_eq!(run_until(&mut s, 0).0, Vec::<String>::new());
        assert_eq!(run_until(&mut s, 129).0, Vec::<String>::new());
        assert_eq!(
            run_until(&mut s, 130).0,
            ["wget: can't connect to remote host (10.96.0.9): Connection timed out"]
        );
        let mut s = shell(&["curl", "--connect-timeout", "5", "-s", "http://guarded:80/"]);
        run_until(&mut s, 0);
        assert_eq!(
            run_until(&mut s, 5),
            (
                vec!["curl: (28) Failed to connect to guarded port 80 after 5000 ms: Timeout was reached".to_string()],
                Some(Exit { code: 28 })
            )
        );
    }

    #[test]
    fn a_busy_loop_yields() {
        let mut s = shell(&["sh", "-c", "while true; do true; done"]);
        assert_eq!(run_until(&mut s, 0).1, None);
        assert_eq!(s.next_wake(), Some(Duration::from_secs(1)));
    }
}
