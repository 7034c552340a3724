//! What held the room's attendees up, beside the grid: the checks that troubled most of
//! them (still failing two minutes after they started trying, or when they raised a
//! hand) and the refusals they met most, from the room view's `trouble`; the same lists
//! as the report's JSON and `trouble.csv`.

use crate::model::api::route;
use crate::model::rooms::RoomView;
use leptos::prelude::*;

#[component]
pub fn RoomTrouble(room: RoomView) -> impl IntoView {
    let trouble = room.trouble;
    let title_of = move |lesson: &str| {
        room.lessons
            .iter()
            .find(|l| l.id == lesson)
            .map_or_else(|| lesson.to_string(), |l| l.title.clone())
    };
    let nothing = trouble.checks.is_empty() && trouble.refusals.is_empty();
    view! {
        <section class="room-trouble" aria-labelledby="room-trouble-title">
            <h2 id="room-trouble-title">"What holds people up"</h2>
            {nothing.then(|| view! {
                <p class="muted">"Nothing yet: a check counts here when it still fails two minutes after someone started trying, or when they raise a hand; a refusal, when Apply or Dry run is refused."</p>
            })}
            {(!trouble.checks.is_empty()).then(|| view! {
                <table class="trouble">
                    <caption>"Checks that troubled people"</caption>
                    <thead><tr><th scope="col">"Step"</th><th scope="col">"Check"</th><th scope="col">"People"</th></tr></thead>
                    <tbody>
                        {trouble.checks.iter().map(|c| view! {
                            <tr>
                                <td>{format!("{}, step {}", title_of(&c.lesson), c.step)}</td>
                                <td>{c.label.clone()}</td>
                                <td>{c.attendees}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            {(!trouble.refusals.is_empty()).then(|| view! {
                <table class="trouble">
                    <caption>"Refusals met"</caption>
                    <thead><tr><th scope="col">"Message"</th><th scope="col">"People"</th><th scope="col">"Times"</th></tr></thead>
                    <tbody>
                        {trouble.refusals.iter().map(|r| view! {
                            <tr>
                                <td><code class="refusal">{r.message.clone()}</code></td>
                                <td>{r.attendees}</td>
                                <td>{r.times}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
            <p><a href=route::TRAINER_ROOM_TROUBLE_CSV.replace("{id}", &room.id) download="">"These lists (CSV)"</a></p>
        </section>
    }
}
