//! The HTTP face of the cluster: one handler that parses the path, then serves discovery,
//! health or a verb on a resource through the [registry](crate::registry). The same
//! router answers in-process (as the tower service behind [`crate::Cluster::client`])
//! and over a socket. Nothing below this layer knows HTTP; only the cluster's assembly
//! imports it.

mod channels;
mod computed;
mod discovery;
mod duplicates;
mod exec;
mod logs;
mod metrics;
mod path;
mod port_forward;
mod proxy;
mod request;
mod response;
mod server;
mod shell;
mod spdy;
mod table;
/// How kubectl prints ages and selectors (the console's `describe` prints them too).
pub use table::format;
mod watch;

pub use server::{ApiServer, router};
