//! `kubectl exec (POD | TYPE/NAME) [-c CONTAINER] -- COMMAND [ARG…]`: the command run once
//! in the container as the attendee, over the API server's exec websocket (kube-rs
//! speaks its `v5.channel.k8s.io` protocol, as kubectl 1.32 does); stdout, then stderr,
//! then kubectl's `command terminated with exit code N` and that code. With `-i` in the
//! page's console the command reads what the attendee types (`exec -it POD -- sh`: a
//! shell session, `-t` giving it a terminal: its prompt and echo), printed as it
//! answers; elsewhere (the HTTP API) its stdin is closed at once.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::pods::{attachable, container};
use kube::api::{AttachParams, AttachedProcess};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const USAGE: &str = "error: you must specify at least one command for the container";

pub async fn exec(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let args = &invocation.args;
    let Some(target) = args.first() else {
        return Ran::error("error: pod, type/name or --filename must be specified".into());
    };
    let command = match invocation.args_before_dash {
        Some(1) => &args[1..],
        Some(_) => return Ran::error("error: exec [POD] -- [COMMAND] takes one pod".into()),
        None if args.len() > 1 => {
            return Ran::error(
                "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples".into(),
            );
        }
        None => &[][..],
    };
    if command.is_empty() {
        let why = if invocation.is_set("stdin") || invocation.is_set("tty") {
            "; for a shell, name it: kubectl exec -it POD -- sh"
        } else {
            ""
        };
        return Ran::error(format!("{USAGE}{why}"));
    }
    let (_, pods, pod) = match attachable(console, invocation, target).await {
        Ok(found) => found,
        Err(ran) => return ran,
    };
    let name = pod.metadata.name.clone().unwrap_or_default();
    let mut output = String::new();
    let unknown = |c: &str, pod: &str| {
        format!("Error from server (BadRequest): container {c} is not valid for pod {pod}")
    };
    let container = match container(invocation, &pod, &mut output, unknown) {
        Ok(container) => container,
        Err(ran) => return ran,
    };
    // With -i kubectl opens the command's stdin: the page's console gives it what the
    // attendee types; without a tab to type in, it is closed at once (end of input).
    let stdin = invocation.is_set("stdin");
    let typing = console.terminal.as_ref().filter(|_| stdin);
    let tty = typing.is_some() && invocation.is_set("tty");
    let params = AttachParams::default()
        .container(container)
        .stdin(stdin)
        .stdout(true)
        .stderr(!tty)
        .tty(tty);
    let command: Vec<String> = command.iter().map(|a| console.real_dns_names(a)).collect();
    let mut process = match pods.exec(&name, command, &params).await {
        Ok(process) => process,
        Err(e) => return Ran::error(format!("{output}{}", upgrade_error(&e))),
    };
    if let Some(terminal) = typing {
        if !console.print(&output).await {
            return Ran::stopped();
        }
        output.clear();
        if !relay(console, Some(terminal), &mut process).await {
            return Ran::stopped();
        }
    }
    drop(process.stdin());
    let (mut stdout, mut stderr) = (process.stdout(), process.stderr());
    let status = process.take_status();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let read_out = async {
        if let Some(stdout) = stdout.as_mut() {
            let _ = stdout.read_to_end(&mut out).await;
        }
    };
    let read_err = async {
        if let Some(stderr) = stderr.as_mut() {
            let _ = stderr.read_to_end(&mut err).await;
        }
    };
    tokio::join!(read_out, read_err);
    let status = match status {
        Some(status) => status.await,
        None => None,
    };
    let _ = process.join().await;
    output.push_str(&String::from_utf8_lossy(&out));
    output.push_str(&String::from_utf8_lossy(&err));
    let Some(status) = status else {
        return Ran::ok(output);
    };
    if status.status.as_deref() == Some("Success") {
        return Ran::ok(output);
    }
    let code = status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .and_then(|c| c.iter().find(|c| c.reason.as_deref() == Some("ExitCode")))
        .and_then(|c| c.message.as_deref())
        .and_then(|m| m.parse::<i32>().ok());
    match code {
        Some(code) => {
            output.push_str(&format!("command terminated with exit code {code}\n"));
            Ran {
                output,
                exit_code: code,
            }
        }
        None => {
            output.push_str(&format!("error: {}\n", status.message.unwrap_or_default()));
            Ran {
                output,
                exit_code: 1,
            }
        }
    }
}

/// Prints what the process writes as it writes it, until its output ends, giving it what
/// the attendee types when `typing` (`exec -i`). False when the tab stopped reading
/// (Ctrl-C, closed).
pub(super) async fn relay(
    console: &Console<'_>,
    typing: Option<&super::Terminal>,
    process: &mut AttachedProcess,
) -> bool {
    let Some(mut stdout) = process.stdout() else {
        return true;
    };
    let mut stdin = typing.and_then(|_| process.stdin());
    let mut stderr = process.stderr();
    let (mut out, mut err) = ([0u8; 4096], [0u8; 4096]);
    loop {
        let read_err = async {
            match stderr.as_mut() {
                Some(stderr) => stderr.read(&mut err).await,
                None => std::future::pending().await,
            }
        };
        let typed = async {
            match typing {
                Some(terminal) => terminal.typed().await,
                None => std::future::pending().await,
            }
        };
        let printed = tokio::select! {
            typed = typed => {
                let Some(text) = typed else { return false };
                if let Some(stdin) = stdin.as_mut()
                    && stdin.write_all(text.as_bytes()).await.is_err()
                {
                    return true;
                }
                continue;
            }
            read = stdout.read(&mut out) => match read {
                Ok(0) | Err(_) => return true,
                Ok(n) => String::from_utf8_lossy(&out[..n]).into_owned(),
            },
            read = read_err => match read {
                Ok(0) | Err(_) => {
                    stderr = None;
                    continue;
                }
                Ok(n) => String::from_utf8_lossy(&err[..n]).into_owned(),
            },
        };
        // A terminal ends its lines with \r\n; the console's lines end with \n.
        if !console.print(&printed.replace("\r\n", "\n")).await {
            return false;
        }
    }
}

/// The API server's refusal of the upgrade, in kubectl's words.
pub(super) fn upgrade_error(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(_) => from_server(error),
        other => format!("error: {other}"),
    }
}
