//! `/embed/v1/:course/:lesson?site=KEY&step=N&theme=…`: a lesson inside a docs site's
//! frame. The server renders it whole, so the docs page is readable with no script; no
//! sandbox exists until the reader presses Start (click-to-load,
//! [`crate::components::embed`]). The docs sites' protocol, the frame's side, is
//! `public/embed/v1/frame.js`.

use super::lesson::{Addressed, Chrome, LessonView, addressed};
use crate::components::embed::EmbedFrame;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EmbedPage() -> impl IntoView {
    let Addressed {
        page,
        step,
        prose,
        course,
        lesson,
    } = addressed();
    let site = use_query_map().with_untracked(|q| q.get("site").unwrap_or_default());
    let frame = EmbedFrame::new(site, &format!("{course}/{lesson}"));
    #[cfg(feature = "hydrate")]
    crate::components::embed::resume(&frame);
    view! {
        // The docs sites' protocol, the frame's side (public/embed/v1/frame.js).
        <leptos_meta::Script src="/embed/v1/frame.js" defer="defer" />
        <div class="embed">
            <Transition fallback=|| view! { <p class="loading">"Loading the lesson…"</p> }>
                {move || {
                    let frame = frame.clone();
                    Suspend::new(async move {
                        match page.await {
                            Ok(Some(page)) => view! { <LessonView page step prose chrome=Chrome::Embed(frame) /> }.into_any(),
                            Ok(None) => view! { <super::NotFound /> }.into_any(),
                            Err(e) => view! { <p class="error">"The lesson could not be loaded: " {e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </div>
    }
}
