//! `/join/{room}`: the page a room's join link opens. A plain form (it works before the
//! wasm arrives) with the code (filled in from `?code=`) and, unless the room has a named
//! roster, a display name; and the notice that the trainer sees the attendee's
//! workspace. It posts to the server, which seats the attendee and sends them to the
//! room's first lesson, or back here with `?failed=` saying what was wrong.

use crate::model::rooms::JoinRoom;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The room a join link names: its title and how one joins it (`None`: no such room).
#[server(endpoint = "join_room")]
pub async fn get_join_room(room: String) -> Result<Option<JoinRoom>, ServerFnError> {
    Ok(super::gate::join_room(room).await)
}

/// What went wrong, in the attendee's words, for each `?failed=` the server sends.
fn failure(why: &str) -> &'static str {
    match why {
        "code" => "That code is not one of this room's. Check it with your trainer.",
        "used" => "That personal code was used in another browser. Ask your trainer.",
        "another" => {
            "This browser joined the room with another personal code: one person, one seat."
        }
        "name" => "Give a display name of 1 to 60 characters.",
        "full" => "This room is full. Ask your trainer.",
        "early" => "This room is not open yet. Try again when your trainer says so.",
        "closed" => "This room has closed.",
        _ => "There is no such room. Check the link with your trainer.",
    }
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let room = move || params.with(|p| p.get("room").unwrap_or_default());
    let code = move || query.with(|q| q.get("code").unwrap_or_default());
    let failed = move || query.with(|q| q.get("failed"));
    let found = Resource::new(room, get_join_room);
    view! {
        <Title text="Join a room" />
        <section class="join-room">
            <Suspense fallback=|| view! { <p class="loading">"Finding the room…"</p> }>
                {move || Suspend::new(async move {
                    let Ok(Some(found)) = found.await else {
                        return view! {
                            <h1>"Join your trainer's room"</h1>
                            <p class="result-error" role="alert">{failure("room")}</p>
                        }.into_any();
                    };
                    view! {
                        <h1>{format!("Join {}", found.title)}</h1>
                        {move || failed().map(|why| view! { <p class="result-error" role="alert">{failure(&why)}</p> })}
                        <form method="post" action=move || format!("/join/{}", room()) class="login-form">
                            {if found.roster {
                                view! {
                                    <label for="join-code">"Your personal code"</label>
                                    <input id="join-code" name="code" value=code autocomplete="off" required />
                                    <p class="muted">"Your trainer's roster gives your name."</p>
                                }.into_any()
                            } else {
                                view! {
                                    <label for="join-code">"Access code"</label>
                                    <input id="join-code" name="code" value=code autocomplete="off" required />
                                    <label for="join-name">"Your name, as the trainer will see it"</label>
                                    <input id="join-name" name="name" maxlength="60" autocomplete="nickname" required />
                                }.into_any()
                            }}
                            <p class="notice" id="join-notice">
                                "Your trainer can see your workspace while the room runs: the objects you create, their events and logs, what your panes hold and the commands you run in the console. Your progress is kept for the room's report."
                            </p>
                            <button type="submit" class="button primary" aria-describedby="join-notice">"Join"</button>
                        </form>
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}
