//! The trainer's help queue (the hands up, oldest first: who, where, their question, the
//! checks failing and the warnings when they asked; answer or mark done) and the message
//! form (to the room, or to those on a step). Rendered once beside the grid, so what the
//! trainer is typing survives the grid's refresh.

use crate::live::api;
use crate::model::rooms::{NewMessage, RoomView};
use leptos::prelude::*;

#[component]
pub fn HelpQueue(
    room: RwSignal<Option<Result<RoomView, String>>>,
    reload: Callback<()>,
) -> impl IntoView {
    let view_of = move || room.get().and_then(Result::ok);
    // The answer being written, per hand.
    let drafts = RwSignal::new(std::collections::HashMap::<i64, String>::new());
    let failed = RwSignal::new(None::<String>);
    let act = move |help: i64, answer: bool| {
        let Some(room) = view_of() else { return };
        let text = drafts.with_untracked(|d| d.get(&help).cloned().unwrap_or_default());
        leptos::task::spawn_local(async move {
            let done = if answer {
                api::answer_hand(&room.id, help, &text).await
            } else {
                api::hand_done(&room.id, help).await
            };
            match done {
                Ok(()) => {
                    failed.set(None);
                    drafts.update(|d| {
                        d.remove(&help);
                    });
                    reload.run(());
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    view! {
        <section class="help-queue" aria-labelledby="help-queue-title">
            <h2 id="help-queue-title">{move || {
                let up = view_of().map_or(0, |r| r.help.len());
                if up == 0 { "No hands up".to_string() } else { format!("Hands up: {up}") }
            }}</h2>
            <ol class="hands">
                {move || view_of().map(|r| r.help).unwrap_or_default().into_iter().map(|hand| {
                    let help = hand.id;
                    let lesson = view_of()
                        .and_then(|r| r.lessons.into_iter().find(|l| l.id == hand.lesson))
                        .map_or_else(|| hand.lesson.clone(), |l| l.title);
                    let field = format!("answer-{help}");
                    view! {
                        <li class="hand-card">
                            <p><strong>{hand.name.clone()}</strong>{format!(" · {lesson}, step {} · since {}", hand.step, crate::components::room_bar::clock(&hand.asked))}</p>
                            {(!hand.question.is_empty()).then(|| view! { <blockquote>{hand.question.clone()}</blockquote> })}
                            {(!hand.failing.is_empty()).then(|| view! {
                                <p class="muted">"Checks failing: " {hand.failing.join("; ")}</p>
                            })}
                            {(!hand.warnings.is_empty()).then(|| view! {
                                <ul class="hand-warnings" aria-label="Warning events">
                                    {hand.warnings.iter().map(|w| view! { <li><code>{w.clone()}</code></li> }).collect_view()}
                                </ul>
                            })}
                            {hand.answer.clone().map(|a| view! { <p class="hand-answer">"Answered: " {a}</p> })}
                            <label for=field.clone()>{format!("Answer {}", hand.name)}</label>
                            <textarea id=field rows="2" maxlength="2000"
                                prop:value=move || drafts.with(|d| d.get(&help).cloned().unwrap_or_default())
                                on:input=move |ev| { let text = event_target_value(&ev); drafts.update(|d| { d.insert(help, text); }); }></textarea>
                            <div class="attendee-actions">
                                <button class="button" on:click=move |_| act(help, true)>"Send answer"</button>
                                <button class="button primary" on:click=move |_| act(help, false)>"Done"</button>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {move || failed.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
        </section>
    }
}

/// A message to the whole room, to those on a step, or to one attendee.
#[component]
pub fn Broadcast(room: RwSignal<Option<Result<RoomView, String>>>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // "" for everyone, "lesson|step" for those on a step, "@ID" for one attendee.
    let to = RwSignal::new(String::new());
    let said = RwSignal::new(None::<Result<String, String>>);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(room)) = room.get_untracked() else {
            return;
        };
        let chosen = to.get_untracked();
        let attendee = chosen.strip_prefix('@').map(str::to_string);
        let (lesson, step) = match chosen.split_once('|') {
            Some((lesson, step)) => (Some(lesson.to_string()), step.parse().ok()),
            None => (None, None),
        };
        let message = NewMessage {
            text: text.get_untracked(),
            attendee,
            lesson,
            step,
        };
        leptos::task::spawn_local(async move {
            let sent = api::send_message(&room.id, &message).await;
            if sent.is_ok() {
                text.set(String::new());
            }
            said.set(Some(
                sent.map(|s| format!("Sent to {} attendee(s).", s.recipients)),
            ));
        });
    };
    view! {
        <form class="broadcast" on:submit=send>
            <h2>"Message"</h2>
            <label for="broadcast-to">"To"</label>
            <select id="broadcast-to" on:change=move |ev| to.set(event_target_value(&ev))>
                <option value="">"Everyone in the room"</option>
                {move || room.get().and_then(Result::ok).map(|r| r.lessons).unwrap_or_default().into_iter().map(|lesson| view! {
                    <optgroup label=format!("Those on a step of {}", lesson.title)>
                        {(1..=lesson.steps).map(|step| {
                            let value = format!("{}|{step}", lesson.id);
                            let chosen = to.get_untracked() == value;
                            view! { <option value=value selected=chosen>{format!("step {step}")}</option> }
                        }).collect_view()}
                    </optgroup>
                }).collect_view()}
                {move || {
                    let people = room.get().and_then(Result::ok).map(|r| r.attendees).unwrap_or_default();
                    (!people.is_empty()).then(|| view! {
                        <optgroup label="One person">
                            {people.into_iter().map(|a| {
                                let value = format!("@{}", a.id);
                                let chosen = to.get_untracked() == value;
                                view! { <option value=value selected=chosen>{a.name}</option> }
                            }).collect_view()}
                        </optgroup>
                    })
                }}
            </select>
            <label for="broadcast-text">"Text"</label>
            <textarea id="broadcast-text" required rows="2" maxlength="2000"
                prop:value=text on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="submit" class="button primary">"Send"</button>
            {move || said.get().map(|s| match s {
                Ok(m) => view! { <p class="room-made" role="status">{m}</p> }.into_any(),
                Err(e) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
            })}
        </form>
    }
}
