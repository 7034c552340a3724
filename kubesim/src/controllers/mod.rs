//! Control loops, one module each, running beside the API server on the cluster's tokio
//! runtime. Each follows the store's changes through the one loop in [`runner`], with
//! the one [`runner::Context`], and writes back through the store (or through the
//! registry, where kube-controller-manager's writes pass admission).

pub mod aggregation;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod gc;
pub mod hpa;
mod hpa_rate;
pub mod job;
pub mod kubelet;
pub mod namespace;
mod pod_placement;
pub mod quota;
pub mod replicaset;
pub mod runner;
pub mod scheduler;
pub mod statefulset;
pub mod tokens;
pub mod volumes;
pub mod workload;

use runner::{Context, run};
use std::sync::Arc;

/// Starts every control loop. They stop when the store's event stream ends.
pub fn start(ctx: &Arc<Context>) {
    tokio::spawn(run(ctx.clone(), tokens::controller()));
    tokio::spawn(run(ctx.clone(), replicaset::controller()));
    tokio::spawn(run(ctx.clone(), statefulset::controller()));
    tokio::spawn(run(ctx.clone(), job::controller()));
    tokio::spawn(run(ctx.clone(), cronjob::controller()));
    tokio::spawn(run(ctx.clone(), daemonset::controller()));
    tokio::spawn(run(ctx.clone(), volumes::controller()));
    tokio::spawn(run(ctx.clone(), deployment::controller()));
    tokio::spawn(run(ctx.clone(), endpoints::controller()));
    tokio::spawn(run(ctx.clone(), namespace::controller()));
    tokio::spawn(run(ctx.clone(), gc::controller()));
    tokio::spawn(run(ctx.clone(), aggregation::controller()));
    tokio::spawn(run(ctx.clone(), quota::controller()));
    tokio::spawn(run(ctx.clone(), scheduler::controller()));
    tokio::spawn(run(ctx.clone(), hpa::controller()));
    tokio::spawn(run(ctx.clone(), kubelet::controller()));
}
