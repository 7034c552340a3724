//! The kubectl console: a prompt that runs kubectl command lines on the server, as the
//! attendee, over the live stream (`Live::run_console`), and shows what kubectl prints as
//! it prints it (`get -w`, `logs -f` and `rollout status` follow until they end or Ctrl-C
//! stops them). A line console rather than a terminal emulator: its output is text a
//! screen reader reads as it arrives (`role="log"`), it can be selected and copied, and it
//! needs no script beyond the page's own. While `kubectl exec -it POD -- sh` runs, the
//! prompt's lines go to the shell. History (↑/↓) is the attendee's, kept on the
//! server (`GET /api/workspace/console/history`); Tab completes commands, flags, kinds and the workspace's names; Ctrl-C stops the
//! running command or drops the line; the lesson's Run buttons queue their commands here.

use crate::components::editor::{TextEditor, pane_text};
use crate::live::Live;
use crate::live::complete::{Known, complete};
use leptos::html;
use leptos::prelude::*;

/// How many lines of history the page holds (the server keeps as many).
const HISTORY: usize = 200;
/// The editor `kubectl edit` opens its object in.
const EDIT_PANE: &str = "kubectl edit";

#[component]
pub fn ConsolePanel() -> impl IntoView {
    let live = expect_context::<Live>();
    let line = RwSignal::new(String::new());
    let busy = Memo::new(move |_| live.console.with(|c| c.running().is_some()));
    // The attendee's history is kept on the server (every line run there is added to
    // it), so ↑ finds it in any tab, browser or device; this is the page's copy.
    let history = StoredValue::new(Vec::<String>::new());
    // Where ↑/↓ is in the history (its length: the line being typed).
    let cursor = StoredValue::new(0);
    let history_loaded = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        if let Ok(kept) = crate::live::api::console_history().await {
            history.update_value(|h| {
                // Lines run while it was on its way come after it.
                let newer: Vec<String> = h.drain(..).filter(|l| !kept.lines.contains(l)).collect();
                *h = kept.lines;
                h.extend(newer);
                cursor.set_value(h.len());
            });
        }
        history_loaded.set(true);
    });
    let input = NodeRef::<html::Input>::new();
    let output = NodeRef::<html::Div>::new();

    let scroll_down = move || {
        if let Some(output) = output.get_untracked() {
            output.set_scroll_top(output.scroll_height());
        }
    };
    let run = move |command: String| {
        let command = command.trim().to_string();
        if command.is_empty() {
            return;
        }
        history.update_value(|h| {
            if h.last() != Some(&command) {
                h.push(command.clone());
            }
            let extra = h.len().saturating_sub(HISTORY);
            h.drain(..extra);
            cursor.set_value(h.len());
        });
        // The panes the line applies (`apply -f deployment.yaml`), as their editors hold them.
        let files = crate::model::console::filenames(&command)
            .into_iter()
            .filter_map(|name| Some((name.to_string(), pane_text(name)?)))
            .collect();
        live.run_console(&command, files);
    };
    // Output that arrives keeps the newest in view.
    Effect::new(move |_| {
        live.console.track();
        request_animation_frame(scroll_down);
    });
    // The lesson's Run buttons: their commands, one after another, once the stream is up.
    Effect::new(move |_| {
        if busy.get() || !live.ready.get() || !live.connected.get() {
            return;
        }
        let Some(next) = live.console_queue.with(|q| q.first().cloned()) else {
            return;
        };
        live.console_queue.update(|q| {
            q.remove(0);
        });
        run(next);
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            // A running `exec -i` reads the line; any other command reads nothing.
            if live.type_into_console(&line.get_untracked()) {
                line.set(String::new());
            }
            return;
        }
        let command = line.get_untracked();
        line.set(String::new());
        run(command);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowUp" | "ArrowDown" => {
            ev.prevent_default();
            let up = ev.key() == "ArrowUp";
            let (at, text) = history.with_value(|h| {
                let at = cursor.get_value();
                let at = if up {
                    at.saturating_sub(1)
                } else {
                    (at + 1).min(h.len())
                };
                (at, h.get(at).cloned().unwrap_or_default())
            });
            cursor.set_value(at);
            line.set(text);
        }
        "Tab" => {
            ev.prevent_default();
            let completion = live.state.with_untracked(|s| {
                let known: Vec<Known> = s
                    .objects
                    .values()
                    .map(|o| Known {
                        namespace: &o.namespace,
                        kind: &o.kind,
                        name: &o.name,
                    })
                    .collect();
                complete(&line.get_untracked(), &known)
            });
            line.set(completion.line);
            if !completion.candidates.is_empty() {
                let output = completion.candidates.join("  ") + "\n";
                live.console
                    .update(|c| c.note(&line.get_untracked(), output));
            }
        }
        "c" if ev.ctrl_key() && !has_selection() => {
            ev.prevent_default();
            if !live.interrupt_console() {
                let dropped = format!("{}^C", line.get_untracked());
                live.console.update(|c| c.note(&dropped, String::new()));
                line.set(String::new());
            }
        }
        _ => {}
    };
    let stop = move |_| {
        live.interrupt_console();
    };
    let clear = move |_| {
        live.console.update(|c| c.clear());
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    };
    view! {
        <div class="console">
            <div class="console-output" node_ref=output role="log" aria-live="polite" aria-label="Console output" tabindex="0">
                <Show when=move || live.console.with(|c| c.entries.is_empty())>
                    <p class="muted">"Type a kubectl command, such as " <code>"kubectl get pods -n server"</code> ", or press Run beside a command in the lesson. Tab completes; ↑ and ↓ go through what you ran."</p>
                </Show>
                // Keyed by what can change, so a line is redrawn when it prints or ends.
                <For
                    each=move || live.console.get().entries.into_iter().enumerate()
                    key=|(i, e)| (*i, e.output.len(), e.exit_code)
                    let:item
                >
                    <div class="console-entry" aria-busy=item.1.running().then_some("true")>
                        <p class="console-command"><span class="prompt" aria-hidden="true">"$ "</span>{item.1.command.clone()}</p>
                        <pre class="console-text" class:failed=item.1.failed()>{item.1.output.clone()}</pre>
                    </div>
                </For>
            </div>
            <Show when=move || live.console.with(|c| c.editing.is_some())>
                <EditPane />
            </Show>
            <form class="console-line" on:submit=submit>
                <label for="console-input" class="prompt">"$"<span class="visually-hidden">" kubectl command"</span></label>
                <input
                    id="console-input"
                    type="text"
                    node_ref=input
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    prop:value=line
                    data-history=move || if history_loaded.get() { "loaded" } else { "loading" }
                    on:input=move |ev| line.set(event_target_value(&ev))
                    on:keydown=on_keydown
                />
                <Show
                    when=move || busy.get()
                    fallback=|| view! { <button type="submit" class="button primary small">"Run"</button> }
                >
                    <button type="button" class="button primary small" on:click=stop aria-keyshortcuts="Control+C">"Stop"</button>
                </Show>
                <button type="button" class="button quiet small" on:click=clear>"Clear"</button>
            </form>
        </div>
    }
}

/// The object `kubectl edit` opened, in an editor, until the attendee saves it (the
/// console line then says what was done, or opens it again with its errors) or closes
/// it unsaved, as kubectl waits for `$EDITOR`.
#[component]
fn EditPane() -> impl IntoView {
    let live = expect_context::<Live>();
    let editing = move || live.console.with(|c| c.editing.clone());
    let title = Memo::new(move |_| editing().map(|e| e.title).unwrap_or_default());
    let text = Memo::new(move |_| editing().map(|e| e.text).unwrap_or_default());
    let save = move |_| {
        let edited = pane_text(EDIT_PANE).unwrap_or_else(|| text.get_untracked());
        live.answer_edit(Some(edited));
    };
    let cancel = move |_| live.answer_edit(None);
    view! {
        <section class="console-edit" aria-label=move || format!("Editing {}", title.get())>
            <p class="console-edit-title">"Editing " <code>{move || title.get()}</code>
                " — save to apply your changes, as kubectl edit does when its editor closes."</p>
            <TextEditor name=EDIT_PANE text=text />
            <div class="console-edit-actions">
                <button type="button" class="button primary small" on:click=save>"Save"</button>
                <button type="button" class="button quiet small" on:click=cancel>"Cancel"</button>
            </div>
        </section>
    }
}

/// Whether the attendee has text selected (Ctrl-C then copies it, as in a terminal).
fn has_selection() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.get_selection().ok().flatten())
            .is_some_and(|s| !s.is_collapsed())
    }
    #[cfg(not(feature = "hydrate"))]
    false
}
