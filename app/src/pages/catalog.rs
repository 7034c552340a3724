use crate::live::api;
use crate::model::Catalog;
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::HashMap;

/// Every course and its lessons.
#[server(endpoint = "catalog")]
pub async fn get_catalog() -> Result<Catalog, ServerFnError> {
    Ok(super::library::library()?.catalog())
}

/// `/`: the course catalog.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let catalog = Resource::new(|| (), |_| get_catalog());
    view! {
        <Title text="Courses" />
        <Transition fallback=|| view! { <p class="loading">"Loading the catalog…"</p> }>
            {move || Suspend::new(async move {
                match catalog.await {
                    Ok(catalog) => view! { <CatalogView catalog /> }.into_any(),
                    Err(e) => view! { <p class="error">"The catalog could not be loaded: " {e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The steps (from 0) the attendee has done, by `COURSE/SLUG`: fetched in the browser
/// after hydration (the page itself is the same for everyone, so it can be cached).
fn attendee_progress() -> RwSignal<HashMap<String, Vec<usize>>> {
    let progress = RwSignal::new(HashMap::new());
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(done) = api::progress().await {
                progress.set(done.lessons.into_iter().collect());
            }
        });
    });
    progress
}

#[component]
fn CatalogView(catalog: Catalog) -> impl IntoView {
    let progress = attendee_progress();
    view! {
        <section class="catalog">
            <header class="catalog-head">
                <h1>"Learn Kubernetes by doing"</h1>
                <p class="lead">
                    "Each lesson pairs short explanations with manifests you edit and apply to a real cluster of your own."
                </p>
            </header>
            {catalog.courses.into_iter().map(|course| {
                let total: u32 = course.lessons.iter().map(|l| l.duration).sum();
                view! {
                    <section class="course" aria-labelledby=format!("course-{}", course.slug)>
                        <h2 id=format!("course-{}", course.slug)>{course.title}</h2>
                        <p class="course-summary">{course.summary}</p>
                        <p class="course-meta">{format!("{} lessons · about {} h {} min", course.lessons.len(), total / 60, total % 60)}</p>
                        <ol class="lesson-list">
                            {course.lessons.into_iter().map(|lesson| {
                                let href = lesson.href();
                                let id = format!("{}/{}", lesson.course, lesson.slug);
                                let steps = lesson.steps;
                                let done = move || progress.with(|p| p.get(&id).map_or(0, Vec::len));
                                view! {
                                <li class="lesson-card">
                                    <a href=href>
                                        <span class="lesson-number" aria-hidden="true">{format!("{:02}", lesson.order)}</span>
                                        <span class="lesson-text">
                                            <span class="lesson-title">{lesson.title}</span>
                                            <span class="lesson-summary">{lesson.summary}</span>
                                        </span>
                                        <span class="lesson-duration">
                                            {format!("{} min", lesson.duration)}
                                            <LessonProgress done=Signal::derive(done) steps />
                                        </span>
                                    </a>
                                </li>
                            }}).collect_view()}
                        </ol>
                    </section>
                }
            }).collect_view()}
        </section>
    }
}

/// "2 of 4 steps", or "✓ done"; nothing before the first step is done.
#[component]
fn LessonProgress(done: Signal<usize>, steps: usize) -> impl IntoView {
    move || {
        let done = done.get();
        let complete = steps > 0 && done >= steps;
        (done > 0).then(|| {
            let text = if complete {
                "✓ done".to_string()
            } else {
                format!("{done} of {steps} steps")
            };
            view! { <span class="lesson-progress" class:complete=complete>{text}</span> }
        })
    }
}
