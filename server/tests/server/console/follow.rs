//! Console commands that follow (`get -w`, `logs -f`, `rollout status`) run over the live
//! stream beside real kubectl 1.32 following the same objects: both start, the same
//! changes happen, both are stopped, and what they printed must be the same (ages
//! blurred). And what holds them in: Ctrl-C, the cap per attendee, a closed tab, and the
//! HTTP API, which refuses them.

use super::super::stream::{Tab, connect};
use super::normalise::{any_web_pod, blur};
use super::{Setup, TWINS, setup};
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

/// Following commands compared with kubectl while the workspace changes.
pub(in super::super) const FOLLOWS: &[&str] = &[
    "get cm -n server -w",
    "get cm settings -n server -w -o name",
    "get deploy web -n server -w --output-watch-events",
    "get cm -n server --watch-only -o yaml",
];

/// Commands of the stream that end by themselves, compared with kubectl.
pub(in super::super) const ENDING: &[&str] = &[
    "get pods,cm -n server -w",
    "get cm nope -n server -w",
    "get cm a b -n server -w",
    "rollout status deploy/web -n server",
    "rollout status deploy/web -n server --watch=false",
    "rollout status cm/settings -n server",
    "logs -f -l app=web -n server --max-log-requests=1",
];

/// A tab's console lines: what each printed so far and how it ended.
struct Lines {
    tab: Tab,
    printed: HashMap<u32, String>,
    exits: HashMap<u32, i64>,
}

impl Lines {
    async fn open(setup: &Setup) -> Lines {
        let (tab, _) = connect(setup.serve().await, Some(&setup.cookie)).await;
        Lines {
            tab,
            printed: HashMap::new(),
            exits: HashMap::new(),
        }
    }

    async fn run(&mut self, id: u32, command: &str) {
        let command = format!("kubectl {command}");
        self.tab
            .send(json!({"type": "console", "id": id, "command": command}))
            .await;
    }

    async fn interrupt(&mut self, id: u32) {
        self.tab.send(json!({"type": "interrupt", "id": id})).await;
    }

    /// Reads the stream until `done` holds (failing after `seconds`).
    async fn until(&mut self, seconds: u64, done: impl Fn(&Lines) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
        while !done(self) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            assert!(
                !left.is_zero(),
                "waited {seconds}s; printed {:?}, exits {:?}",
                self.printed,
                self.exits
            );
            let Some(message) = self
                .tab
                .within(left, |m| {
                    m["type"] == "consoleOutput" || m["type"] == "consoleExit"
                })
                .await
            else {
                continue;
            };
            let id = u32::try_from(message["id"].as_u64().expect("id")).expect("u32");
            if message["type"] == "consoleExit" {
                self.exits
                    .insert(id, message["exitCode"].as_i64().expect("code"));
            } else {
                self.printed
                    .entry(id)
                    .or_default()
                    .push_str(message["text"].as_str().expect("text"));
            }
        }
    }

    fn text(&self, id: u32) -> String {
        self.printed.get(&id).cloned().unwrap_or_default()
    }
}

/// kubectl running in the background, its output going to a file.
pub(super) struct Following {
    child: std::process::Child,
    path: PathBuf,
    namespace: String,
}

impl Following {
    pub(super) fn start(setup: &Setup, command: &str) -> Following {
        let args: Vec<String> = command.split(' ').map(str::to_string).collect();
        let (mut command, path) = setup.kubectl_command(&args);
        Following {
            child: command.spawn().expect("kubectl starts"),
            path,
            namespace: setup.namespace.clone(),
        }
    }

    fn printed(&self) -> String {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .replace(&self.namespace, "server")
    }

    /// Stops it (Ctrl-C) and gives what it printed.
    pub(super) fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let printed = self.printed();
        let _ = std::fs::remove_file(&self.path);
        printed
    }
}

/// Waits until `ready` holds for what `followers` printed.
async fn until_printed(followers: &[Following], ready: impl Fn(&str) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !followers.iter().all(|f| ready(&f.printed())) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "kubectl printed: {:?}",
            followers.iter().map(Following::printed).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// [`FOLLOWS`] on the console and on kubectl while a ConfigMap is labelled, another made
/// and deleted and `web` scaled; where they differ.
pub(in super::super) async fn compare_follows(setup: &Setup) -> Vec<String> {
    setup.until_web_runs().await;
    let mut lines = Lines::open(setup).await;
    let mut followers = Vec::new();
    for (id, command) in (1..).zip(FOLLOWS) {
        lines.run(id, command).await;
        followers.push(Following::start(setup, command));
    }
    // Everything listed before anything changes (`--watch-only` lists silently).
    let listing = FOLLOWS
        .iter()
        .filter(|c| !c.contains("--watch-only"))
        .count();
    lines
        .until(20, |l| {
            (1..=4).filter(|id| l.printed.contains_key(id)).count() == listing
        })
        .await;
    until_printed(&followers[..2], |p| !p.is_empty()).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    setup
        .console("kubectl label cm settings -n server color=blue")
        .await;
    setup
        .apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: server}\n")
        .await;
    setup.console("kubectl delete cm extra -n server").await;
    setup
        .console("kubectl scale deploy web -n server --replicas=3")
        .await;
    lines
        .until(60, |l| {
            l.text(3)
                .lines()
                .last()
                .unwrap_or_default()
                .contains(" 3/3 ")
        })
        .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut differences = Vec::new();
    for ((id, command), follower) in (1..).zip(FOLLOWS).zip(followers) {
        lines.interrupt(id).await;
        let theirs = follower.stop();
        let ours = lines.text(id);
        if blur(&ours) != blur(&theirs) {
            differences.push(format!(
                "kubectl {command}\n--- console:\n{ours}--- kubectl 1.32:\n{theirs}"
            ));
        }
    }
    lines.until(10, |l| l.exits.len() == FOLLOWS.len()).await;
    assert!(lines.exits.values().all(|&c| c == 130), "{:?}", lines.exits);
    differences
}

/// [`ENDING`] through the stream and on kubectl; where they differ.
pub(in super::super) async fn compare_ending(setup: &Setup, commands: &[&str]) -> Vec<String> {
    setup.until_web_runs().await;
    let mut lines = Lines::open(setup).await;
    let mut differences = Vec::new();
    for (id, &command) in (1..).zip(commands) {
        lines.run(id, command).await;
        lines.until(30, |l| l.exits.contains_key(&id)).await;
        let (ours, ours_code) = (lines.text(id), lines.exits[&id]);
        let args: Vec<String> = command.split(' ').map(str::to_string).collect();
        let (theirs, theirs_code) = setup.kubectl(&args).await;
        let same = |a: &str| {
            let mut lines: Vec<String> = blur(a).split('\n').map(any_web_pod).collect();
            lines.sort();
            lines
        };
        if same(&ours) != same(&theirs) || ours_code != theirs_code {
            differences.push(format!(
                "kubectl {command}\n--- console (exit {ours_code}):\n{ours}--- kubectl 1.32 (exit {theirs_code}):\n{theirs}"
            ));
        }
    }
    differences
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn following_commands_print_what_kubectl_prints_as_things_change() {
    let setup = setup("follow").await;
    let mut differences = compare_follows(&setup).await;
    differences.extend(compare_ending(&setup, ENDING).await);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// A log followed on both sides while the app answers requests: the request lines
/// arrive while it follows, the same on both (pods' lines interleave in no fixed
/// order, so they are compared as sets).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followed_log_shows_new_lines_as_kubectl_shows_them() {
    let setup = setup("follow-logs").await;
    setup.until_web_runs().await;
    let command = "logs -f -l app=web -n server --prefix --tail=1";
    let mut lines = Lines::open(&setup).await;
    lines.run(1, command).await;
    let follower = Following::start(&setup, command);
    lines.until(20, |l| l.text(1).lines().count() == 2).await;
    until_printed(std::slice::from_ref(&follower), |p| p.lines().count() == 2).await;
    for n in 0..4 {
        let path = format!("/api/workspace/try/server/web/80/hello-{n}");
        setup.get(&path).await;
    }
    lines
        .until(20, |l| l.text(1).matches("hello-").count() == 4)
        .await;
    until_printed(std::slice::from_ref(&follower), |p| {
        p.matches("hello-").count() == 4
    })
    .await;
    lines.interrupt(1).await;
    lines.until(10, |l| l.exits.contains_key(&1)).await;
    assert_eq!(lines.exits[&1], 130);
    let sorted = |text: &str| {
        let mut lines: Vec<String> = text.lines().map(any_web_pod).collect();
        lines.sort();
        lines
    };
    let (ours, theirs) = (lines.text(1), follower.stop());
    assert_eq!(
        sorted(&ours),
        sorted(&theirs),
        "console:\n{ours}\nkubectl:\n{theirs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollout_is_followed_to_its_end() {
    let setup = setup("follow-rollout").await;
    setup.apply(TWINS).await;
    let mut lines = Lines::open(&setup).await;
    setup
        .console("kubectl set image deploy/one app=kubeclass/demo-app:2.0 -n server")
        .await;
    lines.run(1, "rollout status deploy/one -n server").await;
    let (theirs, code) = {
        let args: Vec<String> = "set image deploy/two app=kubeclass/demo-app:2.0 -n server"
            .split(' ')
            .map(str::to_string)
            .collect();
        setup.kubectl(&args).await;
        let args: Vec<String> = "rollout status deploy/two -n server"
            .split(' ')
            .map(str::to_string)
            .collect();
        setup.kubectl(&args).await
    };
    lines.until(60, |l| l.exits.contains_key(&1)).await;
    let ours = lines.text(1);
    assert_eq!((lines.exits[&1], code), (0, 0), "{ours}\n{theirs}");
    assert!(ours.lines().count() > 1, "the rollout's progress: {ours}");
    assert_eq!(
        ours.lines().last(),
        theirs.replace("two", "one").lines().last(),
        "{ours}\n{theirs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_stop_at_ctrl_c_are_capped_and_end_with_their_tab() {
    let setup = setup("follow-limits").await;
    let (refused, code) = setup.console("kubectl get pods -n server -w").await;
    assert_eq!(code, 1);
    assert!(
        refused.contains("run it in the page's console"),
        "{refused}"
    );

    let mut lines = Lines::open(&setup).await;
    for id in 1..=4 {
        lines.run(id, "get cm -n server -w").await;
    }
    lines
        .until(20, |l| (1..=4).all(|id| l.printed.contains_key(&id)))
        .await;
    lines.run(5, "get cm -n server -w").await;
    lines.until(10, |l| l.exits.contains_key(&5)).await;
    assert_eq!(lines.exits[&5], 1);
    assert!(
        lines
            .text(5)
            .contains("4 console commands are already running"),
        "{}",
        lines.text(5)
    );
    let stopped = tokio::time::Instant::now();
    lines.interrupt(1).await;
    lines.until(5, |l| l.exits.contains_key(&1)).await;
    assert_eq!(lines.exits[&1], 130);
    assert!(stopped.elapsed() < Duration::from_secs(2));
    lines.run(6, "get cm settings -n server -w -o name").await;
    lines.until(10, |l| l.printed.contains_key(&6)).await;
    assert_eq!(lines.text(6), "configmap/settings\n");
    assert!(!lines.exits.contains_key(&6), "it follows on");

    // A closed tab gives its follows back: a new tab may run four again.
    drop(lines);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut lines = Lines::open(&setup).await;
    let mut id = 10;
    let mut running = 0;
    while running < 4 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slots never came back"
        );
        id += 1;
        lines.run(id, "get cm settings -n server -w -o name").await;
        lines
            .until(10, |l| {
                l.printed.contains_key(&id) || l.exits.contains_key(&id)
            })
            .await;
        if lines.exits.contains_key(&id) {
            tokio::time::sleep(Duration::from_millis(200)).await;
        } else {
            running += 1;
        }
    }
}
