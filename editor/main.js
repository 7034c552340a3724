// The manifest panes' editor: CodeMirror 6 with YAML, exposed to the wasm app as
// `window.kubeclassEditor` (see app/src/components/editor.rs). Editors are kept by pane
// name, so the app can read a pane's text to apply it, mark the lines the server refused,
// and hear about edits (to save drafts). Colours come from CSS variables, so the editor
// follows the page's light and dark themes.
import { EditorView, basicSetup } from "codemirror";
import { keymap, Decoration } from "@codemirror/view";
import { StateEffect, StateField, Annotation } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { indentUnit, syntaxHighlighting, HighlightStyle } from "@codemirror/language";
import { yaml } from "@codemirror/lang-yaml";
import { tags as t } from "@lezer/highlight";

const highlight = HighlightStyle.define([
  { tag: [t.propertyName, t.definition(t.propertyName)], color: "var(--code-key)" },
  { tag: [t.string, t.special(t.string), t.content], color: "var(--code-string)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--code-number)" },
  { tag: [t.comment, t.lineComment], color: "var(--code-comment)", fontStyle: "italic" },
  { tag: [t.meta, t.keyword, t.labelName, t.typeName], color: "var(--code-keyword)" },
  { tag: [t.punctuation, t.separator, t.squareBracket, t.brace], color: "var(--code-punctuation)" },
]);

const theme = EditorView.theme({
  "&": { color: "var(--code-fg)", backgroundColor: "var(--code-bg)", height: "100%" },
  ".cm-content": { caretColor: "var(--accent)", fontFamily: "var(--font-mono)" },
  ".cm-gutters": { backgroundColor: "var(--code-bg)", color: "var(--muted)", border: "none" },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "var(--code-active)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--code-selection)" },
  "&.cm-focused": { outline: "2px solid var(--accent)", outlineOffset: "-2px" },
  ".cm-cursor": { borderLeftColor: "var(--accent)" },
});

// Lines the server refused: a line decoration with the message as its title.
const setMarks = StateEffect.define();
const marks = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    value = value.map(tr.changes);
    for (const e of tr.effects) if (e.is(setMarks)) value = e.value;
    return value;
  },
  provide: (f) => EditorView.decorations.from(f),
});

// Changes the app makes (a step's text, a restored draft) are not the attendee's edits.
const fromApp = Annotation.define();
const editors = new Map();
const listeners = new Map();

function edited(name, view) {
  const listener = listeners.get(name);
  if (!listener) return;
  clearTimeout(listener.timer);
  listener.timer = setTimeout(() => listener.callback(view.state.doc.toString()), 600);
}

function mount(host, text) {
  const name = host.dataset.pane || "";
  const view = new EditorView({
    doc: text,
    parent: host,
    extensions: [
      basicSetup,
      keymap.of([indentWithTab]),
      indentUnit.of("  "),
      yaml(),
      syntaxHighlighting(highlight),
      theme,
      EditorView.contentAttributes.of({ "aria-label": `Manifest ${name}`.trim() }),
      marks,
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !u.transactions.some((t) => t.annotation(fromApp))) edited(name, u.view);
      }),
    ],
  });
  editors.set(name, view);
  host.classList.add("editor-ready");
  return view;
}

function setText(view, text) {
  if (view.state.doc.toString() !== text) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, annotations: fromApp.of(true) });
  }
}

function getText(view) {
  return view.state.doc.toString();
}

/// The text of pane `name`, or null before its editor is mounted.
function textOf(name) {
  const view = editors.get(name);
  return view ? view.state.doc.toString() : null;
}

/// Calls `callback(text)` when the attendee has stopped typing in pane `name`.
function onEdit(name, callback) {
  listeners.set(name, { callback, timer: null });
}

/// Marks lines of pane `name`: `markers` is [{line (from 1), message}]; [] clears them.
function mark(name, markers) {
  const view = editors.get(name);
  if (!view) return;
  const doc = view.state.doc;
  const ranges = markers
    .filter((m) => m.line >= 1 && m.line <= doc.lines)
    .sort((a, b) => a.line - b.line)
    .map((m) => Decoration.line({ class: "cm-refused-line", attributes: { title: m.message } }).range(doc.line(m.line).from));
  view.dispatch({ effects: setMarks.of(Decoration.set(ranges, true)) });
}

/// Puts the cursor at the start of `line` in pane `name` and shows it.
function goto(name, line) {
  const view = editors.get(name);
  if (!view) return;
  const at = view.state.doc.line(Math.max(1, Math.min(line, view.state.doc.lines))).from;
  view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: "center" }) });
  view.focus();
}

/// Replaces the text of pane `name` as if the reader typed it (so it is kept as their
/// draft): a docs page's code block sent into an embed (`run`).
function type(name, text) {
  const view = editors.get(name);
  if (!view) return;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

window.kubeclassEditor = { mount, setText, getText, textOf, onEdit, mark, goto, type };
