//! `kubectl attach (POD | TYPE/NAME) [-c CONTAINER]`: the container's own output from now
//! on, over the API server's attach websocket as the attendee, printed as it comes until
//! Ctrl-C (or the container stops), over the page's stream. What the attendee would type
//! into a container's main process has no place here: a shell is `exec -it POD -- sh`.

use super::command::Invocation;
use super::context::{Console, Ran};
use super::exec::{relay, upgrade_error};
use super::pods::{attachable, container};
use kube::api::AttachParams;

pub async fn attach(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let Some(target) = invocation.args.first() else {
        return Ran::error("error: at least 1 argument is required for attach".into());
    };
    if invocation.is_set("stdin") || invocation.is_set("tty") {
        return Ran::error(
            "error: the console attaches to a container's output (kubectl attach POD); to type into a shell in it, run kubectl exec -it POD -- sh".into(),
        );
    }
    let (_, pods, pod) = match attachable(console, invocation, target).await {
        Ok(found) => found,
        Err(ran) => return ran,
    };
    let name = pod.metadata.name.clone().unwrap_or_default();
    let mut said = String::new();
    let unknown = |c: &str, pod: &str| {
        format!("error: cannot attach to the container: container {c} not found in pod {pod}")
    };
    let container = match container(invocation, &pod, &mut said, unknown) {
        Ok(container) => container,
        Err(ran) => return ran,
    };
    // What names nothing reads as kubectl's error anywhere; following needs the stream.
    if let Err(ran) = console.may_follow("attach") {
        return ran;
    }
    if !invocation.is_set("quiet") {
        said.push_str("If you don't see a command prompt, try pressing enter.\n");
    }
    if !console.print(&said).await {
        return Ran::stopped();
    }
    let params = AttachParams::default()
        .container(container)
        .stdin(false)
        .stdout(true)
        .stderr(true);
    let mut process = match pods.attach(&name, &params).await {
        Ok(process) => process,
        Err(e) => return Ran::error(upgrade_error(&e)),
    };
    if !relay(console, None, &mut process).await {
        return Ran::stopped();
    }
    let _ = process.join().await;
    Ran::ok(String::new())
}
