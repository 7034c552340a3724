//! The trainers' pages: `/trainer/login` (a plain form, which works before the wasm
//! arrives and posts to the server's login route) and `/trainer`, their start page.
//! Both are for trainers only in what they show: the server refuses every trainer route
//! to anyone else.

use crate::live::api;
use crate::model::api::{TrainerMe, route};
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

/// `/trainer`: who is signed in, and signing out (rooms come here).
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
            <h1>"Trainer"</h1>
            {move || match me.get() {
                None => view! { <p class="loading">"Checking who you are…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(None)) => view! {
                    <p>"You are not signed in as a trainer. "<a href=route::TRAINER_LOGIN>"Sign in"</a></p>
                }.into_any(),
                Some(Ok(Some(trainer))) => view! {
                    <p>"Signed in as " <strong class="trainer-name">{trainer.name}</strong> "."</p>
                    <form method="post" action=route::TRAINER_LOGOUT>
                        <button type="submit" class="button">"Sign out"</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}
