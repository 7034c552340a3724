//! The trainers' pages: `/trainer/login` (a plain form, which works before the wasm
//! arrives and posts to the server's login route) and `/trainer`, their start page: their
//! rooms and the form that makes one. A room's own page is `room.rs`.
//! Both are for trainers only in what they show: the server refuses every trainer route
//! to anyone else.

use crate::live::api;
use crate::model::api::route;
use crate::model::pacing::Pacing;
use crate::model::rooms::{NewRoom, RoomCreated, RoomView, TrainerMe};
use crate::pages::get_catalog;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/trainer/login`: name and password; `?failed` after a refused attempt.
#[component]
pub fn TrainerLoginPage() -> impl IntoView {
    let query = use_query_map();
    let failed = move || query.with(|q| q.get("failed").is_some());
    view! {
        <Title text="Trainer sign-in" />
        <section class="trainer-login">
            <h1>"Sign in as a trainer"</h1>
            <Show when=failed>
                <p class="result-error" role="alert">"That name and password do not match a trainer account."</p>
            </Show>
            <form method="post" action=route::TRAINER_LOGIN class="login-form">
                <label for="trainer-name">"Name"</label>
                <input id="trainer-name" name="name" autocomplete="username" required />
                <label for="trainer-password">"Password"</label>
                <input id="trainer-password" name="password" type="password" autocomplete="current-password" required />
                <button type="submit" class="button primary">"Sign in"</button>
            </form>
            <p class="muted">"Attendees need no account. Trainer accounts are made on the server with "<code>"kubeclass trainer add NAME"</code>"."</p>
        </section>
    }
}

/// `/trainer`: who is signed in, their rooms, a new room; signing out.
#[component]
pub fn TrainerHomePage() -> impl IntoView {
    // Fetched in the browser: the page is the same for everyone until then.
    let me = RwSignal::new(None::<Result<Option<TrainerMe>, String>>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move { me.set(Some(api::trainer_me().await)) });
    });
    view! {
        <Title text="Trainer" />
        <section class="trainer-home">
            <h1>"Your rooms"</h1>
            {move || match me.get() {
                None => view! { <p class="loading">"Checking who you are…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(None)) => view! {
                    <p>"You are not signed in as a trainer. "<a href=route::TRAINER_LOGIN>"Sign in"</a></p>
                }.into_any(),
                Some(Ok(Some(trainer))) => view! {
                    <p class="signed-in">"Signed in as " <strong class="trainer-name">{trainer.name}</strong> ". "
                        <form method="post" action=route::TRAINER_LOGOUT class="inline-form">
                            <button type="submit" class="button small">"Sign out"</button>
                        </form>
                    </p>
                    <Rooms />
                }.into_any(),
            }}
        </section>
    }
}

/// The trainer's rooms and the form that makes one.
#[component]
fn Rooms() -> impl IntoView {
    let rooms = RwSignal::new(None::<Result<Vec<RoomView>, String>>);
    let reload = move || {
        leptos::task::spawn_local(async move { rooms.set(Some(api::trainer_rooms().await)) });
    };
    Effect::new(move |_| reload());
    view! {
        <NewRoomForm on_created=Callback::new(move |_| reload()) />
        <h2>"Rooms"</h2>
        {move || match rooms.get() {
            None => view! { <p class="loading">"Loading your rooms…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No rooms yet."</p> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="room-list">
                    {list.into_iter().map(|room| view! {
                        <li>
                            <a href=format!("/trainer/rooms/{}", room.id)>{room.title}</a>
                            " · " {format!("{} of {} joined", room.joined, room.capacity)}
                            " · code " <code>{room.access_code}</code>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

/// A new room: title, lessons (from the catalog, in its order), capacity, time limit.
#[component]
fn NewRoomForm(on_created: Callback<RoomCreated>) -> impl IntoView {
    let catalog = Resource::new(|| (), |_| get_catalog());
    let title = RwSignal::new(String::new());
    let capacity = RwSignal::new("30".to_string());
    let minutes = RwSignal::new(String::new());
    let warm = RwSignal::new("0".to_string());
    let retention = RwSignal::new("90".to_string());
    let chosen = RwSignal::new(Vec::<String>::new());
    let paced = RwSignal::new(false);
    let roster = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<RoomCreated, String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let room = NewRoom {
            title: title.get_untracked(),
            lessons: chosen.get_untracked(),
            capacity: capacity.get_untracked().trim().parse().unwrap_or(0),
            warm: warm.get_untracked().trim().parse().unwrap_or(0),
            opens: None,
            closes: None,
            time_limit_minutes: minutes.get_untracked().trim().parse().ok(),
            deadline: None,
            retention_days: retention.get_untracked().trim().parse().ok(),
            roster: Some(roster.get_untracked()).filter(|r| !r.trim().is_empty()),
            pacing: if paced.get_untracked() {
                Pacing::Trainer
            } else {
                Pacing::SelfPaced
            },
        };
        leptos::task::spawn_local(async move {
            let made = api::create_room(&room).await;
            if let Ok(created) = &made {
                on_created.run(created.clone());
            }
            outcome.set(Some(made));
        });
    };
    view! {
        <form class="new-room login-form" on:submit=submit>
            <h2>"New room"</h2>
            <label for="room-title">"Title"</label>
            <input id="room-title" required maxlength="120" prop:value=title on:input=move |ev| title.set(event_target_value(&ev)) />
            <label for="room-capacity">"Capacity"</label>
            <input id="room-capacity" type="number" min="1" required prop:value=capacity on:input=move |ev| capacity.set(event_target_value(&ev)) />
            <label for="room-warm">"Workspaces to make ahead (joining then takes no waiting)"</label>
            <input id="room-warm" type="number" min="0" prop:value=warm on:input=move |ev| warm.set(event_target_value(&ev)) />
            <label for="room-retention">"Keep the results for (days after the room ends)"</label>
            <input id="room-retention" type="number" min="1" max="3650" prop:value=retention on:input=move |ev| retention.set(event_target_value(&ev)) />
            <label for="room-minutes">"Minutes per attendee (empty: no limit)"</label>
            <input id="room-minutes" type="number" min="1" prop:value=minutes on:input=move |ev| minutes.set(event_target_value(&ev)) />
            <label class="room-paced">
                <input type="checkbox" prop:checked=paced on:change=move |ev| paced.set(event_target_checked(&ev)) />
                " I open the steps as the room gets there (otherwise everyone goes at their own pace)"
            </label>
            <label for="room-roster">"Named roster (optional): CSV with a header line, \"name\" and \"email\" if wanted; each person then joins with a personal code"</label>
            <textarea id="room-roster" rows="3" placeholder="name,email" prop:value=roster on:input=move |ev| roster.set(event_target_value(&ev))></textarea>
            <fieldset class="room-lessons">
                <legend>"Lessons, in this order"</legend>
                <Suspense fallback=|| view! { <p class="loading">"Loading the lessons…"</p> }>
                    {move || Suspend::new(async move {
                        let courses = catalog.await.map(|c| c.courses).unwrap_or_default();
                        courses.into_iter().flat_map(|course| course.lessons).map(|lesson| {
                            let id = format!("{}/{}", lesson.course, lesson.slug);
                            let toggle = {
                                let id = id.clone();
                                move |ev: leptos::ev::Event| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|l| *l != id);
                                        if on {
                                            c.push(id.clone());
                                        }
                                    });
                                }
                            };
                            view! {
                                <label class="room-lesson">
                                    <input type="checkbox" value=id on:change=toggle />
                                    {format!(" {}. {}", lesson.order, lesson.title)}
                                </label>
                            }
                        }).collect_view()
                    })}
                </Suspense>
            </fieldset>
            <button type="submit" class="button primary">"Make the room"</button>
            {move || outcome.get().map(|made| match made {
                Ok(room) => view! {
                    <p class="room-made" role="status">"Room made. Join link: " <a href=room.join_url.clone()>{room.join_url.clone()}</a> " · access code " <code>{room.access_code}</code></p>
                }.into_any(),
                Err(e) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
            })}
        </form>
    }
}
