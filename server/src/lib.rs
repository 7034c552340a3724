//! The kubeclass web server: configuration, the lesson library and the routes that serve
//! the Leptos app. `main.rs` only wires these together.

#![recursion_limit = "256"]

mod api;
pub mod cluster;
pub mod config;
mod routes;
pub mod shutdown;
pub mod stream;
pub mod workshop;
pub mod workspace;

pub use routes::{AppState, router};
