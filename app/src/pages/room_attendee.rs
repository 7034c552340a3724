//! The trainer's panel for one attendee of the room, opened from their name in the grid:
//! where they are, their time, and the actions on them (reset to a step, extend, end).
//! Rendered once beside the grid, which is drawn again on every refresh, so a half-chosen
//! step or a message survives the refresh.

use crate::components::room_bar::clock;
use crate::live::api;
use crate::model::rooms::{ResetTo, RoomAttendee, RoomView};
use leptos::prelude::*;

/// Minutes the Extend button adds.
const EXTEND_MINUTES: u32 = 15;

#[component]
pub fn AttendeePanel(
    room: RwSignal<Option<Result<RoomView, String>>>,
    selected: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let view_of = move || room.get().and_then(Result::ok);
    let attendee = move || -> Option<RoomAttendee> {
        let id = selected.get()?;
        view_of()?.attendees.into_iter().find(|a| a.id == id)
    };
    // "lesson|step" of the chosen step.
    let target = RwSignal::new(String::new());
    let said = RwSignal::new(None::<Result<String, String>>);
    let act = move |what: &'static str| {
        let (Some(room), Some(who)) = (view_of(), attendee()) else {
            return;
        };
        let chosen = target.get_untracked();
        said.set(None);
        leptos::task::spawn_local(async move {
            let done = match what {
                "reset" => {
                    // Nothing chosen yet: the first option, which the list shows.
                    let first = room.lessons.first().map(|l| l.id.clone());
                    let to = match chosen.split_once('|') {
                        Some((lesson, step)) => ResetTo {
                            step: step.parse().unwrap_or(1),
                            lesson: Some(lesson.to_string()),
                        },
                        None => ResetTo {
                            step: 1,
                            lesson: first,
                        },
                    };
                    // Its progress shows in the panel, from the room view.
                    match api::reset_attendee(&room.id, &who.id, &to).await {
                        Ok(_) => {
                            said.set(None);
                            reload.run(());
                            return;
                        }
                        Err(e) => Err(e),
                    }
                }
                "extend" => api::extend_attendee(&room.id, &who.id, EXTEND_MINUTES)
                    .await
                    .map(|t| format!("{}'s time now ends at {}", who.name, clock(&t.ends))),
                _ => api::end_attendee(&room.id, &who.id)
                    .await
                    .map(|_| format!("{}'s time has ended; their results are kept", who.name)),
            };
            said.set(Some(done));
            reload.run(());
        });
    };
    // A wrapper of its own, so the page hydrates the same whether or not a panel shows.
    view! {
        <div class="attendee-panel-slot">
        {move || attendee().map(|who| {
            let lessons = view_of().map(|r| r.lessons).unwrap_or_default();
            let reset = who.reset.clone();
            let title = {
                let lessons = lessons.clone();
                move |id: &str| lessons.iter().find(|l| l.id == id).map_or_else(|| id.to_string(), |l| l.title.clone())
            };
            view! {
                <section class="attendee-panel" aria-labelledby="attendee-panel-title">
                    <h2 id="attendee-panel-title">{who.name.clone()}</h2>
                    <p class="muted">
                        {match (&who.ends, who.ended) {
                            (_, true) => "Their time has ended.".to_string(),
                            (Some(ends), false) => format!("Their time ends at {}.", clock(ends)),
                            (None, false) => "No time limit.".to_string(),
                        }}
                    </p>
                    {reset.map(|r| {
                        let lesson = title(&r.lesson);
                        view! {
                            <p class="reset-status" role="status">
                                {if r.running {
                                    format!("Resetting to the start of step {} of {lesson}…", r.step)
                                } else if r.failures.is_empty() {
                                    format!("Reset to the start of step {} of {lesson}: done.", r.step)
                                } else {
                                    format!("Reset to step {} of {lesson} finished with problems: {}", r.step, r.failures.join("; "))
                                }}
                            </p>
                        }
                    })}
                    <p>
                        <a href=format!("/trainer/rooms/{}/attendees/{}", view_of().map(|r| r.id).unwrap_or_default(), who.id)>
                            "Look at their workspace (read-only)"
                        </a>
                    </p>
                    <label for="reset-step">"Reset their workspace to the start of"</label>
                    <select id="reset-step" on:change=move |ev| target.set(event_target_value(&ev))>
                        {lessons.into_iter().map(|lesson| view! {
                            <optgroup label=lesson.title.clone()>
                                {(1..=lesson.steps).map(|step| {
                                    let value = format!("{}|{step}", lesson.id);
                                    let chosen = target.get_untracked() == value;
                                    view! { <option value=value selected=chosen>{format!("step {step}")}</option> }
                                }).collect_view()}
                            </optgroup>
                        }).collect_view()}
                    </select>
                    <div class="attendee-actions">
                        <button class="button" on:click=move |_| act("reset")>"Reset"</button>
                        {who.ends.is_some().then(|| view! {
                            <button class="button" on:click=move |_| act("extend")>{format!("+{EXTEND_MINUTES} min")}</button>
                        })}
                        <button class="button danger" on:click=move |_| act("end") disabled=who.ended>"End their time"</button>
                        <button class="button" on:click=move |_| selected.set(None)>"Close"</button>
                    </div>
                </section>
            }
        })}
        {move || said.get().map(|s| match s {
            Ok(m) => view! { <p class="room-made" role="status">{m}</p> }.into_any(),
            Err(e) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
        })}
        </div>
    }
}
