//! The lesson's server functions ask, for a browser in a room its trainer paces, how
//! many steps of a lesson are open ([`crate::model::pacing`]); the server answers through
//! a [`PaceGate`] it puts in the request's context (`server::http::pacing::gate`), since
//! rooms and sessions are the server's.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// How many steps of the lesson (`COURSE/SLUG`) are open to the request's browser;
/// `None`: all of them.
pub type PaceGate = Arc<
    dyn Fn(http::request::Parts, String) -> Pin<Box<dyn Future<Output = Option<usize>> + Send>>
        + Send
        + Sync,
>;

/// The open steps of `lesson` for this request, if a gate is in context and says so.
pub(super) async fn open_steps(lesson: &str) -> Option<usize> {
    let gate = leptos::prelude::use_context::<PaceGate>()?;
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    gate(parts, lesson.to_string()).await
}
