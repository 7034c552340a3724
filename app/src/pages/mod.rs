//! One module per page, each with its server functions beside it.

mod catalog;
mod lesson;
mod not_found;

pub use catalog::{CatalogPage, get_catalog};
pub use lesson::{LessonPage, get_lesson};
pub use not_found::NotFound;

/// The loaded lessons, as server functions find them in context.
#[cfg(feature = "ssr")]
pub type SharedLibrary = std::sync::Arc<crate::content::Library>;

/// Reads the lesson library from the request's context.
#[cfg(feature = "ssr")]
fn library() -> Result<SharedLibrary, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<SharedLibrary>()
        .ok_or_else(|| leptos::prelude::ServerFnError::new("the lesson library is not in context"))
}
