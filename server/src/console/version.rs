//! `kubectl version`: the kubectl whose output the console reproduces (1.32, the version
//! its output is compared with) and the API server's own `/version`, asked as the
//! attendee, with kubectl's warning when they are more than one minor version apart.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};

/// The kubectl the console speaks as: its output is compared with this one's.
const CLIENT: &str = "v1.32.5";
const CLIENT_MINOR: u32 = 32;
const KUSTOMIZE: &str = "v5.5.0";

pub async fn version(console: &Console<'_>, invocation: &Invocation) -> Ran {
    match invocation.flag("output") {
        None => {}
        Some("yaml" | "json") => {
            return Ran::error(
                "error: the console prints kubectl version's lines, not its build details (-o yaml|json)".into(),
            );
        }
        Some(_) => return Ran::error("error: --output must be 'yaml' or 'json'".into()),
    }
    let mut output = format!("Client Version: {CLIENT}\nKustomize Version: {KUSTOMIZE}\n");
    if invocation.is_set("client") {
        return Ran::ok(output);
    }
    let server = match console.tenant.apiserver_version().await {
        Ok(server) => server,
        Err(e) => return Ran::error(format!("{output}{}", from_server(&e))),
    };
    output.push_str(&format!("Server Version: {}\n", server.git_version));
    let minor: Option<u32> = server
        .minor
        .trim_end_matches('+')
        .parse()
        .ok()
        .filter(|_| server.major == "1");
    if let Some(minor) = minor.filter(|m| m.abs_diff(CLIENT_MINOR) > 1) {
        output.push_str(&format!(
            "WARNING: version difference between client (1.{CLIENT_MINOR}) and server (1.{minor}) exceeds the supported minor version skew of +/-1\n"
        ));
    }
    Ran::ok(output)
}
