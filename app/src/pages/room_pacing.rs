//! The trainer's pacing control for a room they pace: what is open, a button that opens
//! the next step, and a list to open (or close back) up to any step.

use crate::live::api;
use crate::model::pacing::Unlocked;
use crate::model::rooms::RoomView;
use leptos::prelude::*;

#[component]
pub fn Pacing(
    room: RwSignal<Option<Result<RoomView, String>>>,
    reload: Callback<()>,
) -> impl IntoView {
    let view_of = move || room.get().and_then(Result::ok);
    // "lesson|step" of the chosen step.
    let target = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<String>);
    let send = move |to: Unlocked| {
        let Some(room) = view_of() else { return };
        leptos::task::spawn_local(async move {
            match api::unlock(&room.id, &to).await {
                Ok(_) => {
                    failed.set(None);
                    reload.run(());
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    view! {
        <div class="pacing-slot">
        {move || view_of().and_then(|room| {
            let at = room.unlocked.clone()?;
            let lessons = room.lessons.clone();
            let here = lessons.iter().position(|l| l.id == at.lesson).unwrap_or(0);
            let title = lessons.get(here).map(|l| l.title.clone()).unwrap_or_default();
            // The step after the open one: the next of this lesson, or the next lesson's first.
            let next = match lessons.get(here) {
                Some(l) if at.step < l.steps => Some(Unlocked { lesson: l.id.clone(), step: at.step + 1 }),
                _ => lessons.get(here + 1).map(|l| Unlocked { lesson: l.id.clone(), step: 1 }),
            };
            Some(view! {
                <section class="pacing" aria-labelledby="pacing-title">
                    <h2 id="pacing-title">"Pacing"</h2>
                    <p role="status">{format!("Open: {title} up to step {} (and every lesson before it).", at.step)}</p>
                    {next.map(|next| {
                        let words = format!("Open step {} of {}", next.step, lessons.iter().find(|l| l.id == next.lesson).map(|l| l.title.clone()).unwrap_or_default());
                        view! { <button class="button primary" on:click=move |_| send(next.clone())>{words}</button> }
                    })}
                    <label for="pacing-step">"Or open up to (closing what comes after)"</label>
                    <select id="pacing-step" on:change=move |ev| target.set(event_target_value(&ev))>
                        {lessons.iter().map(|lesson| view! {
                            <optgroup label=lesson.title.clone()>
                                {(1..=lesson.steps).map(|step| {
                                    let value = format!("{}|{step}", lesson.id);
                                    let chosen = lesson.id == at.lesson && step == at.step;
                                    view! { <option value=value selected=chosen>{format!("step {step}")}</option> }
                                }).collect_view()}
                            </optgroup>
                        }).collect_view()}
                    </select>
                    <button class="button" on:click=move |_| {
                        let chosen = target.get_untracked();
                        if let Some((lesson, step)) = chosen.split_once('|') {
                            send(Unlocked { lesson: lesson.to_string(), step: step.parse().unwrap_or(1) });
                        }
                    }>"Open up to there"</button>
                </section>
            })
        })}
        {move || failed.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
        </div>
    }
}
