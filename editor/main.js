// The manifest panes' editor: CodeMirror 6 with YAML, exposed to the wasm app as
// `window.kubeclassEditor` (see app/src/components/editor.rs). Colours come from CSS
// variables, so the editor follows the page's light and dark themes.
import { EditorView, basicSetup } from "codemirror";
import { keymap } from "@codemirror/view";
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

function mount(host, text) {
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
      EditorView.contentAttributes.of({ "aria-label": `Manifest ${host.dataset.pane || ""}`.trim() }),
    ],
  });
  host.classList.add("editor-ready");
  return view;
}

function setText(view, text) {
  if (view.state.doc.toString() !== text) {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }
}

function getText(view) {
  return view.state.doc.toString();
}

window.kubeclassEditor = { mount, setText, getText };
