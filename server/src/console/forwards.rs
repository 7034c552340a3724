//! The ports `kubectl port-forward` opened in the console. The console has no machine of
//! the attendee's to listen on, so a forward is kept here for the console's own `curl`
//! (`curl http://localhost:8000/` goes to the pod through the API server's pod proxy, as
//! the attendee). Kept in memory while the server runs, as a terminal's port-forward
//! lasts while it runs; a few per workspace, and a bounded number of workspaces.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Forwards one workspace keeps at most; the next one replaces the oldest port.
const PORTS: usize = 16;
/// Workspaces remembered at most; past it, all are forgotten (as a restart would).
const WORKSPACES: usize = 20_000;

/// Local port → where it goes (and when it was opened, in order), per workspace (by its
/// namespaces' prefix).
#[derive(Debug, Default)]
pub struct Forwards(Mutex<HashMap<String, Ports>>);

/// One workspace's ports: each with the order it was opened in.
type Ports = BTreeMap<u16, (u64, Forward)>;

/// Where a local port goes: a pod of the workspace and its port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    /// The short namespace.
    pub namespace: String,
    pub pod: String,
    pub port: u16,
}

impl Forwards {
    /// Keeps `local` → `forward` for `workspace` (replacing what that port held).
    pub fn open(&self, workspace: &str, local: u16, forward: Forward) {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if all.len() >= WORKSPACES && !all.contains_key(workspace) {
            all.clear();
        }
        let ports = all.entry(workspace.to_string()).or_default();
        if ports.len() >= PORTS
            && !ports.contains_key(&local)
            && let Some(oldest) = ports.iter().min_by_key(|(_, (at, _))| *at).map(|(p, _)| *p)
        {
            ports.remove(&oldest);
        }
        let next = ports.values().map(|(at, _)| at + 1).max().unwrap_or(0);
        ports.insert(local, (next, forward));
    }

    /// Where `local` goes for `workspace`, if a port-forward opened it.
    pub fn get(&self, workspace: &str, local: u16) -> Option<Forward> {
        let all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.get(workspace)?.get(&local).map(|(_, f)| f.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to(pod: &str) -> Forward {
        Forward {
            namespace: "server".into(),
            pod: pod.into(),
            port: 8000,
        }
    }

    #[test]
    fn a_port_is_kept_per_workspace_and_a_new_forward_replaces_it() {
        let forwards = Forwards::default();
        forwards.open("kc-a-", 8000, to("web-1"));
        assert_eq!(forwards.get("kc-a-", 8000), Some(to("web-1")));
        assert_eq!(
            forwards.get("kc-b-", 8000),
            None,
            "another workspace's port"
        );
        forwards.open("kc-a-", 8000, to("web-2"));
        assert_eq!(forwards.get("kc-a-", 8000), Some(to("web-2")));
        for port in 1..=PORTS as u16 {
            forwards.open("kc-a-", port, to("many"));
        }
        assert_eq!(forwards.get("kc-a-", 1), Some(to("many")));
        assert_eq!(forwards.get("kc-a-", 8000), None, "the oldest went");
        assert!(forwards.0.lock().unwrap()["kc-a-"].len() <= PORTS);
    }
}
