use leptos::prelude::*;

/// The list of a lesson's steps; the current one is marked for assistive technology too.
#[component]
pub fn StepOutline(
    titles: Vec<String>,
    current: Memo<usize>,
    href: impl Fn(usize) -> String + 'static,
) -> impl IntoView {
    view! {
        <nav class="step-outline" aria-label="Steps">
            <ol>
                {titles.into_iter().enumerate().map(|(i, title)| view! {
                    <li class:current=move || current.get() == i class:done=move || i < current.get()>
                        <a href=href(i) aria-current=move || (current.get() == i).then_some("step")>
                            <span class="step-index" aria-hidden="true">{i + 1}</span>
                            <span>{title}</span>
                        </a>
                    </li>
                }).collect_view()}
            </ol>
        </nav>
    }
}
