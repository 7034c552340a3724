use leptos::prelude::*;

/// The list of a lesson's steps; the current one is marked for assistive technology too.
/// Steps from `open` on are not open yet (a room its trainer paces): listed, not linked.
#[component]
pub fn StepOutline(
    titles: Vec<String>,
    current: Memo<usize>,
    open: usize,
    href: impl Fn(usize) -> String + 'static,
) -> impl IntoView {
    view! {
        <nav class="step-outline" aria-label="Steps">
            <ol>
                {titles.into_iter().enumerate().map(|(i, title)| if i < open {
                    view! {
                        <li class:current=move || current.get() == i class:done=move || i < current.get()>
                            <a href=href(i) aria-current=move || (current.get() == i).then_some("step")>
                                <span class="step-index" aria-hidden="true">{i + 1}</span>
                                <span>{title}</span>
                            </a>
                        </li>
                    }.into_any()
                } else {
                    view! {
                        <li class="closed">
                            <span class="step-index" aria-hidden="true">{i + 1}</span>
                            <span>{title}</span>
                        </li>
                    }.into_any()
                }).collect_view()}
            </ol>
        </nav>
    }
}
