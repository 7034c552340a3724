//! The attendee's room on the lesson page, when they joined one: its title and their
//! time, their raised hand (with the trainer's answer), and the trainer's messages. Read
//! every few seconds; nothing shows for an attendee in no room. In a room the trainer
//! paces, it says when the trainer opened (or closed) steps of the lesson, with a link
//! that loads them: the attendee moves on when they are ready, not in the middle of
//! typing or of a command.

use crate::live::api;
use crate::model::pacing::open_steps;
use crate::model::rooms::{MyRoom, RaiseHand};
use leptos::prelude::*;

/// How often the room is read again, in milliseconds.
#[cfg(feature = "hydrate")]
const REFRESH_MS: u64 = 4000;
/// How many of the trainer's latest messages show.
const MESSAGES_SHOWN: usize = 3;

/// `open` is how many of the lesson's `steps` the page shows (`None`: all); `href` the
/// lesson's address.
#[component]
pub fn RoomBar(
    lesson: String,
    step: Memo<usize>,
    steps: usize,
    open: Option<usize>,
    href: String,
) -> impl IntoView {
    let room = RwSignal::new(None::<MyRoom>);
    let lesson = StoredValue::new(lesson);
    // How many steps the room opens now, when that is not what the page shows.
    let opened = RwSignal::new(None::<Option<usize>>);
    let load = move || {
        leptos::task::spawn_local(async move {
            if let Ok(mine) = api::my_room().await {
                let now_open = mine.as_ref().and_then(|m| {
                    let unlocked = m.unlocked.as_ref()?;
                    open_steps(&m.lessons, unlocked, &lesson.get_value(), steps)
                });
                room.set(mine);
                opened.set((now_open != open).then_some(now_open));
            }
        });
    };
    Effect::new(move |_| load());
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(load, std::time::Duration::from_millis(REFRESH_MS))
    {
        on_cleanup(move || handle.clear());
    }
    let asking = RwSignal::new(false);
    let question = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<String>);
    let raise = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let hand = RaiseHand {
            lesson: lesson.get_value(),
            step: step.get_untracked() + 1,
            question: question.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::raise_hand(&hand).await {
                Ok(_) => {
                    asking.set(false);
                    failed.set(None);
                    load();
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    let lower = move |_| {
        leptos::task::spawn_local(async move {
            match api::lower_hand().await {
                Ok(()) => load(),
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    // A wrapper of its own, so the page hydrates the same whether or not a room shows.
    view! {
        <div class="room-bar-slot">
        {move || room.get().map(|mine| {
            let messages: Vec<_> = mine.messages.iter().rev().take(MESSAGES_SHOWN).rev().cloned().collect();
            view! {
                <aside class="room-bar" aria-label="Your room">
                    <p class="room-bar-head">
                        <strong>{mine.title.clone()}</strong>
                        {match (&mine.ends, mine.ended) {
                            (_, true) => " · your time is over; your results are kept".to_string(),
                            (Some(ends), false) => format!(" · your time ends at {}", clock(ends)),
                            (None, false) => String::new(),
                        }}
                    </p>
                    {match mine.help.clone() {
                        Some(hand) => view! {
                            <div class="hand" role="status">
                                <p>{format!("Your hand is up (step {}). Your trainer will come to you.", hand.step)}</p>
                                {hand.answer.map(|a| view! { <p class="hand-answer"><strong>"Your trainer: "</strong>{a}</p> })}
                                <button class="button" on:click=lower>"Lower my hand"</button>
                            </div>
                        }.into_any(),
                        None if asking.get() => view! {
                            <form class="hand-form" on:submit=raise>
                                <label for="hand-question">"What are you stuck on? (optional)"</label>
                                <textarea id="hand-question" maxlength="2000" rows="2"
                                    prop:value=question on:input=move |ev| question.set(event_target_value(&ev))></textarea>
                                <button type="submit" class="button primary">"Ask for help"</button>
                                <button type="button" class="button" on:click=move |_| asking.set(false)>"Cancel"</button>
                            </form>
                        }.into_any(),
                        None => view! {
                            <button class="button" disabled=mine.ended on:click=move |_| asking.set(true)>"Raise my hand"</button>
                        }.into_any(),
                    }}
                    {opened.get().map(|now| {
                        // The last open step, loaded afresh (outside the router): the page's
                        // outline, panes and checks come with it.
                        let to = now.map_or(1, |n| n.max(1));
                        view! {
                            <p class="room-opened" role="status">
                                {match now { Some(0) => "Your trainer closed this lesson again. ".to_string(), Some(n) if open.is_some_and(|o| n < o) => "Your trainer closed some steps again. ".to_string(), _ => "Your trainer opened more of the lesson. ".to_string() }}
                                <a href=format!("{href}?step={to}") rel="external">{format!("Go to step {to}")}</a>
                            </p>
                        }
                    })}
                    {(!messages.is_empty()).then(|| view! {
                        <ul class="room-messages" aria-label="Messages from your trainer">
                            {messages.into_iter().map(|m| view! {
                                <li>
                                    <span class="muted">{format!("{} · {} ", clock(&m.sent), if m.everyone { "to everyone" } else { "to you" })}</span>
                                    {m.text}
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                    {move || failed.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
                </aside>
            }
        })}
        </div>
    }
}

/// An RFC 3339 time as the hour and minute (UTC).
pub fn clock(rfc3339: &str) -> String {
    rfc3339
        .split_once('T')
        .map(|(_, time)| format!("{} UTC", &time[..time.len().min(5)]))
        .unwrap_or_else(|| rfc3339.to_string())
}
