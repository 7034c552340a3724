use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 page; sets the response status when rendered on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <section class="not-found">
            <p class="not-found-code" aria-hidden="true">"404"</p>
            <h1>"This page is not part of any course"</h1>
            <p>"The address may be mistyped, or the lesson may have moved."</p>
            <a class="button" href="/">"Back to the catalog"</a>
        </section>
    }
}
