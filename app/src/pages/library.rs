//! The lesson library, as server functions find it in the request's context.

/// The loaded lessons, as server functions find them in context.
#[cfg(feature = "ssr")]
pub type SharedLibrary = std::sync::Arc<crate::content::Library>;

/// Reads the lesson library from the request's context.
#[cfg(feature = "ssr")]
pub(super) fn library() -> Result<SharedLibrary, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<SharedLibrary>()
        .ok_or_else(|| leptos::prelude::ServerFnError::new("the lesson library is not in context"))
}
