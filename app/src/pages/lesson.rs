use crate::components::editor::Drafts;
use crate::components::workspace::ClusterPanel;
use crate::components::{BrowserOnly, PaneTabs, RoomBar, StepOutline};
use crate::live::Live;
use crate::model::{LessonPage as Page, LessonSummary, StepProse};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// One lesson, ready to show; `None` when the course or lesson does not exist.
#[server(endpoint = "lesson")]
pub async fn get_lesson(course: String, lesson: String) -> Result<Option<Page>, ServerFnError> {
    let page = super::library::library()?.page(&course, &lesson);
    Ok(
        match super::gate::open_steps(&format!("{course}/{lesson}")).await {
            Some(open) => page.map(|p| p.paced(open)),
            None => page,
        },
    )
}

/// One step's prose (0-based `step`); `None` when the course or lesson does not exist.
/// In a paced room a step not yet open is not sent: the last open one is (none when the
/// lesson is not open at all).
#[server(endpoint = "step")]
pub async fn get_step(
    course: String,
    lesson: String,
    step: usize,
) -> Result<Option<StepProse>, ServerFnError> {
    let library = super::library::library()?;
    let Some(found) = library.lesson(&course, &lesson) else {
        return Ok(None);
    };
    Ok(match super::gate::open_steps(&found.id).await {
        Some(0) => Some(StepProse {
            step: 0,
            intro_html: found.intro_html.clone(),
            html: String::new(),
        }),
        Some(open) => Some(found.prose(step.min(open - 1))),
        None => Some(found.prose(step)),
    })
}

/// The lesson the address names (`…/:course/:lesson?step=N`), as a page loads it.
pub struct Addressed {
    pub page: Resource<Result<Option<Page>, ServerFnError>>,
    /// The step on show, 0-based (1-based in the address).
    pub step: Memo<usize>,
    /// That step's prose.
    pub prose: Resource<Result<Option<StepProse>, ServerFnError>>,
    /// The course and lesson, as first addressed.
    pub course: String,
    pub lesson: String,
}

/// Loads the lesson the address names. The prose comes a step at a time (made here,
/// outside the page's Transition, so that rendering the page does not make it again):
/// the step's number, text and checks change together once it has arrived, while the
/// outline moves at once.
pub fn addressed() -> Addressed {
    let params = use_params_map();
    let query = use_query_map();
    let address = move || {
        params.with(|p| {
            (
                p.get("course").unwrap_or_default(),
                p.get("lesson").unwrap_or_default(),
            )
        })
    };
    let page = Resource::new(address, |(course, lesson)| get_lesson(course, lesson));
    let step = Memo::new(move |_| {
        query
            .with(|q| q.get("step").and_then(|s| s.parse::<usize>().ok()))
            .unwrap_or(1)
            .max(1)
            - 1
    });
    let prose = Resource::new(
        move || (address(), step.get()),
        |((course, lesson), step)| get_step(course, lesson, step),
    );
    let (course, lesson) = untrack(address);
    Addressed {
        page,
        step,
        prose,
        course,
        lesson,
    }
}

/// `/learn/:course/:lesson?step=N`: prose and step outline beside the manifest panes.
#[component]
pub fn LessonPage() -> impl IntoView {
    let Addressed {
        page, step, prose, ..
    } = addressed();
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the lesson…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(Some(page)) => view! { <LessonView page step prose /> }.into_any(),
                    Ok(None) => view! { <super::NotFound /> }.into_any(),
                    Err(e) => view! { <p class="error">"The lesson could not be loaded: " {e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Where a lesson is shown: on kubeclass's own page, or in a docs site's embed (no site
/// chrome, no room, step links within the embed, the cluster panel once Start was pressed).
#[derive(Debug, Clone, PartialEq)]
pub enum Chrome {
    Full,
    Embed(crate::components::embed::EmbedFrame),
}

#[component]
pub fn LessonView(
    page: Page,
    step: Memo<usize>,
    prose: Resource<Result<Option<StepProse>, ServerFnError>>,
    #[prop(default = Chrome::Full)] chrome: Chrome,
) -> impl IntoView {
    let embed = match &chrome {
        Chrome::Embed(frame) => Some(frame.clone()),
        Chrome::Full => None,
    };
    let started = embed.as_ref().map_or_else(
        || Signal::stored(true),
        crate::components::embed::EmbedFrame::started,
    );
    let last = page.steps.len().saturating_sub(1);
    // In a room its trainer paces, the steps from `open` on are not open yet.
    let open = page.open_steps.unwrap_or(page.steps.len());
    let step = Memo::new(move |_| step.get().min(last).min(open.saturating_sub(1)));
    let lesson_id = format!("{}/{}", page.summary.course, page.summary.slug);
    let live = Live::provide(lesson_id.clone(), step, started);
    // A Run button under a shell block (`content::markdown`) queues its commands for the
    // console; one listener for all of them, as the prose is rendered HTML.
    let run_commands = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(clicked) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            if let Some(button) = clicked.closest(".run-command").ok().flatten()
                && let Some(commands) = button.get_attribute("data-command")
            {
                live.console_queue
                    .update(|q| q.extend(commands.lines().map(str::to_string)));
            }
            // A Try button (`content::markdown`) asks Try the app in the cluster panel.
            if let Some(button) = clicked.closest(".try-app-button").ok().flatten() {
                let attribute = |name| button.get_attribute(name).unwrap_or_default();
                live.try_pressed.update(|n| *n += 1);
                live.try_request.set(Some((
                    attribute("data-try-namespace"),
                    attribute("data-try-service"),
                    attribute("data-try-path"),
                )));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, live);
    };
    Drafts::provide(lesson_id.clone());
    let href = page.summary.href();
    let steps = StoredValue::new(page.steps.clone());
    let step_href = {
        let href = embed.as_ref().map_or(href.clone(), |f| f.href.clone());
        let join = if href.contains('?') { '&' } else { '?' };
        move |i: usize| format!("{href}{join}step={}", i + 1)
    };
    let (prev_href, next_href) = (step_href.clone(), step_href.clone());
    view! {
        <Title text=page.summary.title.clone() />
        <article class="lesson">
            <header class="lesson-head">
                {embed.is_none().then(|| view! {
                    <nav class="breadcrumb" aria-label="Breadcrumb">
                        <a href="/">{page.course_title.clone()}</a>
                        <span aria-hidden="true">" / "</span>
                        <span>{format!("Lesson {}", page.summary.order)}</span>
                    </nav>
                })}
                <h1>{page.summary.title.clone()}</h1>
                {embed.clone().map(|frame| view! { <crate::components::embed::OpenInKubeclass frame lesson=lesson_id.clone() step /> })}
                <p class="lesson-summary">{page.summary.summary.clone()}</p>
                <p class="lesson-meta">
                    <span>{format!("{} min", page.summary.duration)}</span>
                    <span>"Namespaces: " {page.namespaces.join(", ")}</span>
                </p>
                {page.summary.slug.split_once('@').map(|(slug, version)| {
                    let current = format!("/learn/{}/{slug}", page.summary.course);
                    let target = embed.is_some().then_some("_blank");
                    view! {
                        <p class="lesson-edition">
                            {format!("An earlier edition of this lesson ({version}), kept for the pages written for it. ")}
                            <a href=current target=target rel="noopener">"The current edition"</a>
                        </p>
                    }
                })}
                {embed.is_none().then(|| view! {
                    <RoomBar lesson=lesson_id.clone() step steps=page.steps.len() open=page.open_steps href=page.summary.href() />
                })}
                <details class="objectives" open=embed.is_none()>
                    <summary>"What you will be able to do"</summary>
                    <ul>{page.objectives.iter().map(|o| view! { <li>{o.clone()}</li> }).collect_view()}</ul>
                </details>
            </header>
            <div class="lesson-body">
                <div class="lesson-text">
                    <StepOutline titles=page.steps.iter().map(|s| s.title.clone()).collect() current=step open href=step_href />
                    <div class="prose" on:click=run_commands>
                        <section class="step" aria-live="polite">
                            <Transition fallback=|| view! { <p class="loading">"Loading the step…"</p> }>
                                {move || Suspend::new(async move {
                                    match prose.await {
                                        Ok(Some(prose)) => {
                                            let labels = steps.with_value(|s| s[prose.step].checks.clone());
                                            let intro = (!prose.intro_html.is_empty())
                                                .then(|| view! { <div class="intro" inner_html=prose.intro_html></div> });
                                            if open == 0 {
                                                return view! {
                                                    {intro}
                                                    <p class="paced-closed" role="status">"Your trainer has not opened this lesson yet: it opens when the room gets there."</p>
                                                }.into_any();
                                            }
                                            view! {
                                                {intro}
                                                <p class="step-count">{format!("Step {} of {}", prose.step + 1, last + 1)}</p>
                                                <div inner_html=prose.html></div>
                                                <Checks labels step=prose.step />
                                            }.into_any()
                                        }
                                        Ok(None) => view! { <p class="error">"This lesson is no longer served."</p> }.into_any(),
                                        Err(e) => view! { <p class="error">"The step could not be loaded: " {e.to_string()}</p> }.into_any(),
                                    }
                                })}
                            </Transition>
                        </section>
                    </div>
                    <nav class="step-nav" aria-label="Step navigation">
                        <Show when=move || { step.get() > 0 }>
                            <a class="button" rel="prev" href={let prev_href = prev_href.clone(); move || prev_href(step.get() - 1)}>"← Previous step"</a>
                        </Show>
                        <Show when=move || { step.get() < last && step.get() + 1 < open }>
                            <a class="button primary" rel="next" href={let next_href = next_href.clone(); move || next_href(step.get() + 1)}>"Next step →"</a>
                        </Show>
                        <Show when=move || { step.get() < last && step.get() + 1 >= open && open > 0 }>
                            <p class="paced-closed" role="status">{move || format!("Step {} opens when your trainer gets there.", step.get() + 2)}</p>
                        </Show>
                    </nav>
                </div>
                <div class="lesson-work">
                    <PaneTabs panes=page.panes.clone() step />
                    {match embed.clone() {
                        Some(frame) => view! { <crate::components::embed::StartOrPanel frame /> }.into_any(),
                        None => view! {
                            <BrowserOnly fallback=|| view! { <section class="cluster"><p class="empty">"Your cluster appears here once the page has loaded."</p></section> }.into_any()>
                                <ClusterPanel />
                            </BrowserOnly>
                        }.into_any(),
                    }}
                </div>
            </div>
            {embed.is_none().then(|| view! { <LessonNeighbours previous=page.previous.clone() next=page.next.clone() /> })}
        </article>
    }
}

/// The step's checks, ticking as the live stream finds them holding in the attendee's
/// workspace. Before the stream has a word on them they show as pending.
#[component]
fn Checks(labels: Vec<String>, step: usize) -> impl IntoView {
    let live = expect_context::<Live>();
    let passed = move |i: usize| {
        live.state.with(|s| {
            s.checks_for(step)
                .and_then(|r| r.get(i))
                .is_some_and(|c| c.passed)
        })
    };
    let n = labels.len();
    let all = move || (0..n).all(passed);
    (n > 0).then(|| view! {
        <section class="checks" aria-label="Checks for this step" class:done=all>
            <h3>{move || if all() { "Done: every check passes" } else { "Done when" }}</h3>
            <ul>
                {labels.into_iter().enumerate().map(|(i, l)| view! {
                    <li class="check" class:passed=move || passed(i) class:pending=move || !passed(i)>
                        <span class="check-mark" aria-hidden="true">{move || if passed(i) { "✓" } else { "○" }}</span>
                        <span class="check-label">{l}</span>
                        <span class="visually-hidden">{move || if passed(i) { " (passed)" } else { " (not yet)" }}</span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    })
}

#[component]
fn LessonNeighbours(previous: Option<LessonSummary>, next: Option<LessonSummary>) -> impl IntoView {
    let link = |lesson: Option<LessonSummary>, rel: &'static str, label: &'static str| {
        lesson.map(|l| {
            let href = l.href();
            view! {
                <a class=format!("neighbour {rel}") rel=rel href=href>
                    <span class="neighbour-label">{label}</span>
                    <span class="neighbour-title">{l.title}</span>
                </a>
            }
        })
    };
    view! {
        <nav class="lesson-neighbours" aria-label="Other lessons">
            {link(previous, "prev", "Previous lesson")}
            {link(next, "next", "Next lesson")}
        </nav>
    }
}
