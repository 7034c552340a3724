//! The room's preflight in the trainer's page: one button plays every step of every
//! lesson of the room on a fresh workspace; a progress bar while it runs, then each check
//! green or red, and what went wrong.

use crate::live::api;
use crate::model::rooms::PreflightStatus;
use leptos::prelude::*;

/// How often a running preflight is read again, in milliseconds.
#[cfg(feature = "hydrate")]
const REFRESH_MS: u64 = 2000;

#[component]
pub fn Preflight(room: String) -> impl IntoView {
    let room = StoredValue::new(room);
    let status = RwSignal::new(None::<PreflightStatus>);
    let failed = RwSignal::new(None::<String>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::preflight(&room.get_value()).await {
                Ok(now) => status.set(now),
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| load());
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if status.get_untracked().is_some_and(|s| s.running) {
                load();
            }
        },
        std::time::Duration::from_millis(REFRESH_MS),
    ) {
        on_cleanup(move || handle.clear());
    }
    let start = move |_| {
        leptos::task::spawn_local(async move {
            match api::start_preflight(&room.get_value()).await {
                Ok(now) => {
                    failed.set(None);
                    status.set(Some(now));
                }
                Err(e) => failed.set(Some(e)),
            }
        });
    };
    view! {
        <section class="preflight" aria-labelledby="preflight-title">
            <h2 id="preflight-title">"Preflight"</h2>
            <p class="muted">"Plays every step of every lesson of the room on a fresh workspace, as an attendee would, so you know the cluster is ready before anyone comes."</p>
            <button class="button" on:click=start disabled=move || status.get().is_some_and(|s| s.running)>"Run the preflight"</button>
            {move || status.get().map(|now| {
                let verdict = if now.running {
                    format!("Playing {} ({} of {} lessons done)…", now.playing.clone().unwrap_or_default(), now.lessons.len(), now.lessons_total)
                } else if now.all_green() {
                    "Every check held: the cluster is ready.".to_string()
                } else {
                    "Some checks failed: see below.".to_string()
                };
                view! {
                    <progress max=now.lessons_total.to_string() value=now.lessons.len().to_string() aria-label="Lessons played"></progress>
                    <p class="preflight-verdict" role="status">{verdict}</p>
                    {now.lessons.into_iter().map(|lesson| {
                        let green = lesson.failures.is_empty() && lesson.steps.iter().all(|s| s.checks.iter().all(|c| c.passed));
                        view! {
                            <details class="preflight-lesson" open=!green>
                                <summary>{format!("{} {}", if green { "✓" } else { "✗" }, lesson.title)}</summary>
                                <ol>
                                    {lesson.steps.into_iter().map(|step| view! {
                                        <li>
                                            {format!("{} ({} s)", step.title, step.seconds)}
                                            <ul class="preflight-checks">
                                                {step.checks.into_iter().map(|c| view! {
                                                    <li class=if c.passed { "passed" } else { "failed" }>
                                                        {if c.passed { "✓ " } else { "✗ " }}{c.label}
                                                    </li>
                                                }).collect_view()}
                                            </ul>
                                        </li>
                                    }).collect_view()}
                                </ol>
                                {(!lesson.failures.is_empty()).then(|| view! {
                                    <details class="preflight-failures">
                                        <summary>"What went wrong"</summary>
                                        <pre>{lesson.failures.join("\n\n")}</pre>
                                    </details>
                                })}
                            </details>
                        }
                    }).collect_view()}
                }
            })}
            {move || failed.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
        </section>
    }
}
