//! The kubeclass web server: configuration, the lesson library and the routes that serve
//! the Leptos app. `main.rs` only wires these together.

#![recursion_limit = "256"]

pub mod cluster;
pub mod config;
mod routes;
pub mod shutdown;

pub use routes::{AppState, router};
