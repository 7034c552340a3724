//! kubeclass UI: the HTML shell, the router and the pages. Compiled twice: with `ssr` into
//! the server (rendering, server functions, lesson loading in [`content`]) and with
//! `hydrate` into the browser's wasm, which takes over the server-rendered page.

#![recursion_limit = "256"]

pub mod components;
#[cfg(feature = "ssr")]
pub mod content;
pub mod live;
pub mod model;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

/// Applies the saved theme before first paint, so a dark-theme reader never sees a
/// light flash. Runs before the wasm loads; the theme toggle keeps it in sync.
/// An embed's `?theme=light|dark` (chosen by the docs site) wins over the saved one.
const THEME_BOOT_SCRIPT: &str = "try{var t=new URLSearchParams(location.search).get('theme');if(location.pathname.indexOf('/embed/')!==0||(t!=='light'&&t!=='dark'))t=localStorage.getItem('kubeclass-theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}";

/// The whole HTML document. Rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <script nonce=use_nonce() inner_html=THEME_BOOT_SCRIPT></script>
                // The CodeMirror bundle (editor/); deferred scripts run in document order,
                // so it is ready before the hydration module below.
                <script src="/editor.js" defer></script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy, with this response's nonce (leptos_axum makes one
/// per request and puts it on its inline scripts; the theme script carries it too):
/// scripts only from this origin or with the nonce, wasm allowed, connections only to
/// this origin, never framed. Styles may be inline (CodeMirror writes its own).
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The application: meta context, stylesheet and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/kubeclass.css" />
        <Title formatter=|title: String| if title.is_empty() { "kubeclass".to_string() } else { format!("{title} · kubeclass") } />
        <Router>
            <SiteHeaderOutsideEmbeds />
            <main id="main">
                <Routes fallback=pages::NotFound>
                    <Route path=StaticSegment("") view=pages::CatalogPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("join"), ParamSegment("room")) view=pages::JoinPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("trainer") view=pages::TrainerHomePage />
                    <Route path=(StaticSegment("trainer"), StaticSegment("login")) view=pages::TrainerLoginPage />
                    <Route path=(StaticSegment("trainer"), StaticSegment("rooms"), ParamSegment("id")) view=pages::TrainerRoomPage />
                    <Route
                        path=(StaticSegment("trainer"), StaticSegment("rooms"), ParamSegment("id"), StaticSegment("attendees"), ParamSegment("attendee"))
                        view=pages::AttendeeWorkspacePage
                    />
                    <Route
                        path=(StaticSegment("embed"), StaticSegment("v1"), ParamSegment("course"), ParamSegment("lesson"))
                        view=pages::EmbedPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("learn"), ParamSegment("course"), ParamSegment("lesson"))
                        view=pages::LessonPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// The site's header, except in a docs site's embed (which has its own minimal chrome).
#[component]
fn SiteHeaderOutsideEmbeds() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    move || {
        (!location.pathname.get().starts_with("/embed/"))
            .then(|| view! { <components::SiteHeader /> })
    }
}

/// Entry point of the wasm bundle: hydrates the server-rendered body.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
