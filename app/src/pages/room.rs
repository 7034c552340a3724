//! `/trainer/rooms/{id}`: one room for its trainer. The join link and access code to
//! show the room, and the grid of attendees × steps (passed or not yet), read again every
//! few seconds; an attendee's name opens their panel ([`AttendeePanel`]: reset, extend,
//! end).

use super::room_attendee::AttendeePanel;
use super::room_help::{Broadcast, HelpQueue};
use super::room_pacing::Pacing;
use super::room_preflight::Preflight;
use super::room_trouble::RoomTrouble;
use crate::live::api;
use crate::model::api::route;
use crate::model::rooms::{RoomView, StepState};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// How often the grid is read again, in milliseconds: with the room's watch judging
/// each quarter second (`server/src/trainer/room_watch.rs`), a change shows within a
/// second (an answer takes ~20 ms for 100 attendees: BENCHMARKS.md).
#[cfg(feature = "hydrate")]
const REFRESH_MS: u64 = 500;

#[component]
pub fn TrainerRoomPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let room = RwSignal::new(None::<Result<RoomView, String>>);
    let selected = RwSignal::new(None::<String>);
    let load = move || {
        let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
        leptos::task::spawn_local(async move { room.set(Some(api::trainer_room(&id).await)) });
    };
    Effect::new(move |_| {
        let _ = id();
        load();
    });
    // Read again every few seconds while the page is open; stopped when it is left.
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(load, std::time::Duration::from_millis(REFRESH_MS))
    {
        on_cleanup(move || handle.clear());
    }
    view! {
        <Title text="Room" />
        <section class="trainer-room">
            <p><a href="/trainer">"← Your rooms"</a></p>
            {move || match room.get() {
                None => view! { <p class="loading">"Loading the room…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(room)) => view! {
                    <RoomGrid room=room.clone() selected />
                    <RoomTrouble room />
                }.into_any(),
            }}
            <Pacing room reload=Callback::new(move |()| load()) />
            <AttendeePanel room selected reload=Callback::new(move |()| load()) />
            <HelpQueue room reload=Callback::new(move |()| load()) />
            <Broadcast room />
            {move || (!id().is_empty()).then(|| view! { <Preflight room=id() /> })}
        </section>
    }
}

#[component]
fn RoomGrid(room: RoomView, selected: RwSignal<Option<String>>) -> impl IntoView {
    let columns: Vec<(String, usize)> = room
        .lessons
        .iter()
        .flat_map(|l| (0..l.steps).map(move |s| (l.id.clone(), s)))
        .collect();
    let passed = |lesson: &str, step: usize| {
        room.attendees
            .iter()
            .filter(|a| a.steps.get(lesson).and_then(|s| s.get(step)) == Some(&StepState::Passed))
            .count()
    };
    let share = |n: usize| {
        if room.attendees.is_empty() {
            "–".to_string()
        } else {
            format!("{}%", n * 100 / room.attendees.len())
        }
    };
    view! {
        <h1>{room.title.clone()}</h1>
        <p class="room-join">
            "Join link: " <a href=room.join_url.clone()>{room.join_url.clone()}</a>
            " · access code " <code class="access-code">{room.access_code.clone()}</code>
            " · " {format!("{} of {} joined", room.joined, room.capacity)}
            " · " <a href=format!("/api/trainer/rooms/{}/report.csv", room.id) download="">"Report (CSV)"</a>
        </p>
        {room.roster.is_empty().then(|| view! {
        <details class="room-qr">
            <summary>"QR code of the join link"</summary>
            <a href=route::TRAINER_ROOM_QR.replace("{id}", &room.id) target="_blank">
                <img src=route::TRAINER_ROOM_QR.replace("{id}", &room.id) width="320" height="320"
                    alt="QR code of the join link with the access code: a phone that scans it opens the join form" />
            </a>
        </details>
        })}
        {(!room.roster.is_empty()).then(|| {
            let joined = room.roster.iter().filter(|s| s.joined).count();
            view! {
                <details class="room-roster">
                    <summary>{format!("Roster: {joined} of {} joined", room.roster.len())}</summary>
                    <table>
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Personal code"</th><th scope="col">"Their link"</th><th scope="col">"Joined"</th></tr></thead>
                        <tbody>
                            {room.roster.iter().map(|seat| view! {
                                <tr>
                                    <td>{seat.name.clone()}</td>
                                    <td>{seat.email.clone().unwrap_or_default()}</td>
                                    <td><code>{seat.code.clone()}</code></td>
                                    <td><a href=seat.link.clone()>{seat.link.clone()}</a></td>
                                    <td>
                                        {if seat.joined { "yes" } else { "not yet" }}
                                        {(seat.joined && !seat.reopened).then(|| {
                                            let (room, code) = (room.id.clone(), seat.code.clone());
                                            view! {
                                                " " <button class="button small" title="For someone on a new machine: the next new browser with this code becomes them"
                                                    on:click=move |_| {
                                                        let (room, code) = (room.clone(), code.clone());
                                                        leptos::task::spawn_local(async move { let _ = api::reseat(&room, &code).await; });
                                                    }>"Let them rejoin"</button>
                                            }
                                        })}
                                        {seat.reopened.then_some(" (may rejoin from a new browser)")}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            }
        })}
        {(room.warm > 0).then(|| view! {
            <p class="warm-pool">
                <label for="warm-progress">{format!("Workspaces ready ahead: {} of {}", room.warm_ready, room.warm_wanted)}</label>
                <progress id="warm-progress" max=room.warm_wanted.max(1).to_string() value=room.warm_ready.to_string()></progress>
            </p>
        })}
        <div class="room-grid-wrap">
            <table class="room-grid">
                <caption>"Where each attendee is, step by step"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Attendee"</th>
                        {room.lessons.iter().map(|l| view! { <th scope="colgroup" colspan=l.steps.to_string()>{l.title.clone()}</th> }).collect_view()}
                    </tr>
                    <tr>
                        <th scope="col">"Passed"</th>
                        {columns.iter().map(|(l, s)| view! { <th scope="col" title=format!("step {}", s + 1)>{share(passed(l, *s))}</th> }).collect_view()}
                    </tr>
                    <tr>
                        <th scope="col" title="The median time those who passed the step took, from their previous step or joining">"Median time"</th>
                        {columns.iter().map(|(l, s)| {
                            let median = room.lessons.iter().find(|x| &x.id == l)
                                .and_then(|x| x.median_seconds.get(*s).copied().flatten());
                            view! { <th scope="col" class="median" title=format!("step {}", s + 1)>{median.map_or_else(|| "–".to_string(), duration)}</th> }
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {room.attendees.iter().map(|a| view! {
                        <tr class:ended=a.ended>
                            <th scope="row">
                                <button class="attendee-name" on:click={
                                    let id = a.id.clone();
                                    move |_| selected.set(Some(id.clone()))
                                }>{a.name.clone()}</button>
                            </th>
                            {columns.iter().map(|(l, s)| {
                                let state = a.steps.get(l).and_then(|v| v.get(*s)).copied().unwrap_or(StepState::NotStarted);
                                let (mark, class, words) = shown(state);
                                view! { <td class=class aria-label=words title=words>{mark}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <dl class="room-legend">
            {[StepState::Passed, StepState::Working, StepState::Failing, StepState::Stuck, StepState::Help].into_iter().map(|state| {
                let (mark, class, words) = shown(state);
                view! { <div><dt class=class>{mark}</dt><dd>{words} ": " {explained(state)}</dd></div> }
            }).collect_view()}
        </dl>
    }
}

/// Seconds as the grid shows a time: `45s`, `3m 05s`, `1h 02m`.
fn duration(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
    }
}

/// A cell's mark, class and words.
fn shown(state: StepState) -> (&'static str, &'static str, &'static str) {
    match state {
        StepState::NotStarted => ("·", "", "not started"),
        StepState::Working => ("…", "working", "working"),
        StepState::Failing => ("✗", "failing", "failing"),
        StepState::Stuck => ("!", "stuck", "stuck"),
        StepState::Help => ("?", "help", "asked for help"),
        StepState::Passed => ("✓", "passed", "passed"),
    }
}

/// What a state means, as the legend says it.
fn explained(state: StepState) -> String {
    use crate::model::rooms::stuck;
    let said = match state {
        StepState::NotStarted => "their page has not been on the step",
        StepState::Working => "their page is on the step; nothing the checks see has changed yet",
        StepState::Failing => "they changed something on the step and a check still fails",
        StepState::Stuck => {
            return format!(
                "on the step longer than three in four of those who passed it took ({} minutes until {} have, never under {}), with a check failing",
                stuck::DEFAULT_SECONDS / 60,
                stuck::SAMPLES,
                stuck::LEAST_SECONDS / 60
            );
        }
        StepState::Help => "their hand is up on the step (see the queue)",
        StepState::Passed => "every check of the step held",
    };
    said.to_string()
}
