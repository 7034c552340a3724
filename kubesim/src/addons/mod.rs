//! Add-ons: what the trainer's kind setup installs beside Kubernetes itself, each in one
//! place with the objects it installs and its controllers — ingress-nginx
//! ([`ingress_nginx`]) and cert-manager ([`cert_manager`]). They run in the same loop,
//! with the same context, as the built-in controllers.

pub mod cert_manager;
pub mod ingress_nginx;

use crate::controllers::runner::{Context, run};
use std::sync::Arc;

/// Starts every add-on's controllers.
pub fn start(ctx: &Arc<Context>) {
    tokio::spawn(run(ctx.clone(), cert_manager::controller()));
    tokio::spawn(run(ctx.clone(), ingress_nginx::controller()));
}
