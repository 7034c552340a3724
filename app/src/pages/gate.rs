//! What pages ask the server about rooms while they render: for a browser in a room its
//! trainer paces, how many steps of a lesson are open ([`crate::model::pacing`]); for a
//! join link, the room as its join page shows it. Rooms and sessions are the server's, so
//! it answers through a [`RoomGate`] it puts in each request's context
//! (`server::http::gate`).

use crate::model::rooms::JoinRoom;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A future the server's gate answers with.
pub type Answer<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// The server's answers about rooms, for pages.
pub trait RoomGate: Send + Sync {
    /// How many steps of `lesson` (`COURSE/SLUG`) are open to the request's browser;
    /// `None`: all of them.
    fn open_steps(&self, request: http::request::Parts, lesson: String) -> Answer<Option<usize>>;
    /// The room `id` as its join page shows it; `None`: no such room.
    fn join_room(&self, id: String) -> Answer<Option<JoinRoom>>;
}

/// The gate as pages find it in context.
pub type SharedGate = Arc<dyn RoomGate>;

fn gate() -> Option<SharedGate> {
    leptos::prelude::use_context::<SharedGate>()
}

/// The open steps of `lesson` for this request, if a gate is in context and says so.
pub(super) async fn open_steps(lesson: &str) -> Option<usize> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    gate()?.open_steps(parts, lesson.to_string()).await
}

/// The room a join link names.
pub(super) async fn join_room(id: String) -> Option<JoinRoom> {
    gate()?.join_room(id).await
}
