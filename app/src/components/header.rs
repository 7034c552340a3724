use leptos::prelude::*;

/// The bar on every page: the name, a way home, and the theme switch.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"⎈"</span>
                "kubeclass"
            </a>
            <nav aria-label="Site">
                <a href="/">"Courses"</a>
            </nav>
            <ThemeToggle />
        </header>
    }
}

/// Switches between light and dark and remembers the choice in `localStorage` (read back
/// before first paint by the shell's boot script). Until the reader chooses, the page
/// follows the system preference.
#[component]
fn ThemeToggle() -> impl IntoView {
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        theme::toggle();
    };
    view! {
        <button class="theme-toggle" type="button" on:click=toggle aria-label="Switch between light and dark theme" title="Switch theme">
            <span class="icon-dark" aria-hidden="true">"☾"</span>
            <span class="icon-light" aria-hidden="true">"☀"</span>
        </button>
    }
}

#[cfg(feature = "hydrate")]
mod theme {
    const KEY: &str = "kubeclass-theme";

    /// Flips the theme the reader currently sees (explicit choice or system default).
    pub fn toggle() {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(root) = window.document().and_then(|d| d.document_element()) else {
            return;
        };
        let current = root.get_attribute("data-theme").unwrap_or_else(|| {
            let dark = window
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches());
            if dark { "dark".into() } else { "light".into() }
        });
        let next = if current == "dark" { "light" } else { "dark" };
        let _ = root.set_attribute("data-theme", next);
        if let Ok(Some(storage)) = window.local_storage() {
            let _ = storage.set_item(KEY, next);
        }
    }
}
