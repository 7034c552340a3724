//! A docs site's embed, the parts of the lesson page it changes: Start (click-to-load:
//! no sandbox exists until the reader presses it), which asks for a bearer token (frames
//! have no cookies) kept in the frame's own session storage so a reload keeps the
//! sandbox, and "Open in kubeclass", which carries the sandbox into a tab of its own.

use crate::components::BrowserOnly;
use crate::components::workspace::ClusterPanel;
use leptos::prelude::*;

/// What the embed's parts share: the site, the embed's own address, the sandbox.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbedFrame {
    /// The docs site's key.
    pub site: String,
    /// This lesson's embed address with its site (steps add `&step=N`).
    pub href: String,
    /// The sandbox's token, once Start gave one.
    pub token: RwSignal<Option<String>>,
    /// Whether the sandbox has ended (its time or idle limit): Start shows again.
    pub ended: RwSignal<bool>,
}

impl EmbedFrame {
    /// The embed of lesson `COURSE/SLUG` for `site`, with no sandbox yet.
    pub fn new(site: String, lesson: &str) -> EmbedFrame {
        EmbedFrame {
            href: format!(
                "/embed/v1/{lesson}?site={}",
                crate::model::api::encode(&site)
            ),
            site,
            token: RwSignal::new(None),
            ended: RwSignal::new(false),
        }
    }

    /// Whether the sandbox is there (the live stream may open): Start gave a token.
    pub fn started(&self) -> Signal<bool> {
        let token = self.token;
        Signal::derive(move || token.with(Option::is_some))
    }
}

/// Where the frame keeps its sandbox's token (the frame's own, partitioned, storage), by
/// lesson: two embeds on one docs page share a session storage, not a sandbox.
#[cfg(feature = "hydrate")]
fn token_key(frame: &EmbedFrame) -> String {
    format!("kubeclass-embed-token {}", frame.href)
}

/// The query parameter of the reload that follows "Start a new one": the reloaded frame
/// starts at once. (In the address, not in storage: a browser that blocks third-party
/// cookies may block a frame's storage too.)
#[cfg(feature = "hydrate")]
const AGAIN: &str = "start=now";

/// Starts at once after "Start a new one"; else picks up the sandbox this frame started
/// before a reload, if its storage kept it and it is still live (an ended one is
/// forgotten, and Start shows).
#[cfg(feature = "hydrate")]
pub fn resume(frame: &EmbedFrame) {
    let window = web_sys::window();
    let again = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|search| search.contains(AGAIN));
    if again {
        ask(
            frame.clone(),
            None,
            RwSignal::new(None),
            RwSignal::new(true),
        );
        return;
    }
    let storage = window.and_then(|w| w.session_storage().ok().flatten());
    let Some((storage, token)) =
        storage.and_then(|s| s.get_item(&token_key(frame)).ok().flatten().map(|t| (s, t)))
    else {
        return;
    };
    let frame = frame.clone();
    leptos::task::spawn_local(async move {
        crate::live::client::use_bearer(Some(token.clone()));
        match crate::live::api::progress().await {
            Ok(_) => began(&frame, token),
            Err(_) => {
                crate::live::client::use_bearer(None);
                let _ = storage.remove_item(&token_key(&frame));
            }
        }
    });
}

/// The sandbox is there: every call carries its token from now on.
#[cfg(feature = "hydrate")]
fn began(frame: &EmbedFrame, token: String) {
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.set_item(&token_key(frame), &token);
    }
    crate::live::client::use_bearer(Some(token.clone()));
    let (key, ended) = (token_key(frame), frame.ended);
    crate::live::client::on_ended(move || {
        if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
            let _ = storage.remove_item(&key);
        }
        ended.set(true);
    });
    frame.token.set(Some(token));
}

/// "Start a new one" after a sandbox ended: the frame reloads (the ended sandbox's page
/// state goes with it) and starts at once.
#[cfg(feature = "hydrate")]
fn start_again() {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let (Ok(href), Ok(search)) = (location.href(), location.search()) else {
        return;
    };
    if search.contains(AGAIN) {
        let _ = location.reload();
    } else {
        let join = if search.is_empty() { '?' } else { '&' };
        let _ = location.replace(&format!("{href}{join}{AGAIN}"));
    }
}

/// Before Start, a card that says what Start does; after, the cluster panel.
#[component]
pub fn StartOrPanel(frame: EmbedFrame) -> impl IntoView {
    let started = frame.started();
    let status = RwSignal::new(None::<String>);
    let asking = RwSignal::new(false);
    let frame = StoredValue::new(frame);
    let start = move |_| {
        asking.set(true);
        #[cfg(feature = "hydrate")]
        ask(frame.get_value(), None, status, asking);
        #[cfg(not(feature = "hydrate"))]
        let _ = frame;
    };
    let ended = frame.with_value(|f| f.ended);
    let again = move |_| {
        #[cfg(feature = "hydrate")]
        start_again();
    };
    view! {
        <Show when=move || ended.get()>
            <section class="cluster embed-start" aria-label="Your sandbox">
                <h2>"Your sandbox has ended"</h2>
                <p>"A sandbox lasts 30 minutes, and ends after 5 minutes unused. What you made in it is gone; your edits in the panes stay until you leave the page."</p>
                <button type="button" class="button primary" on:click=again>"Start a new one"</button>
            </section>
        </Show>
        <Show
            when=move || started.get() && !ended.get()
            fallback=move || view! {
                <Show when=move || !ended.get()>
                    <section class="cluster embed-start" aria-label="Your sandbox">
                        <h2>"Try it on a real cluster"</h2>
                        <p>"Start gives you a Kubernetes namespace of your own for this lesson, for 30 minutes. Nothing is made until you press it."</p>
                        <button type="button" class="button primary" disabled=move || asking.get() on:click=start>"Start"</button>
                        <p class="embed-status" role="status">{move || status.get()}</p>
                    </section>
                </Show>
            }
        >
            <BrowserOnly fallback=|| view! { <section class="cluster"><p class="empty">"Your cluster appears here once the page has loaded."</p></section> }.into_any()>
                <ClusterPanel />
            </BrowserOnly>
        </Show>
    }
}

/// Asks for a sandbox, and again every few seconds while the reader waits in line.
#[cfg(feature = "hydrate")]
fn ask(
    frame: EmbedFrame,
    waiter: Option<String>,
    status: RwSignal<Option<String>>,
    asking: RwSignal<bool>,
) {
    use crate::model::embed::StartAnswer;
    leptos::task::spawn_local(async move {
        match crate::live::api::embed_start(&frame.site, waiter).await {
            Ok(StartAnswer::Started { token, .. }) => {
                status.set(None);
                began(&frame, token);
            }
            Ok(StartAnswer::Waiting {
                position,
                waiter,
                retry_seconds,
            }) => {
                status.set(Some(format!(
                    "Every sandbox is taken right now: you are {} in line.",
                    ordinal(position)
                )));
                set_timeout(
                    move || ask(frame, Some(waiter), status, asking),
                    std::time::Duration::from_secs(u64::from(retry_seconds)),
                );
            }
            Err(e) => {
                status.set(Some(e));
                asking.set(false);
            }
        }
    });
}

/// 1st, 2nd, 3rd, 4th … 11th, 12th, 13th, 21st.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "Open in kubeclass": the lesson in a tab of its own; once the sandbox exists, a form
/// that carries it over (the token goes in the body, never in an address).
#[component]
pub fn OpenInKubeclass(frame: EmbedFrame, lesson: String, step: Memo<usize>) -> impl IntoView {
    let href = format!("/learn/{lesson}");
    let token = frame.token;
    view! {
        <Show
            when=move || token.with(Option::is_some)
            fallback={
                let href = href.clone();
                move || view! { <a class="open-top" href=href.clone() target="_blank" rel="noopener">"Open in kubeclass ↗"</a> }
            }
        >
            <form class="open-top" method="post" action=crate::model::api::route::EMBED_ADOPT target="_blank">
                <input type="hidden" name="token" value=move || token.get().unwrap_or_default() />
                <input type="hidden" name="lesson" value=lesson.clone() />
                <input type="hidden" name="step" value=move || (step.get() + 1).to_string() />
                <button type="submit" class="link-button">"Open in kubeclass ↗"</button>
            </form>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn places_in_line_read_as_english() {
        let said: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101]
            .map(super::ordinal)
            .to_vec();
        assert_eq!(
            said,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
    }
}
